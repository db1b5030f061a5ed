from __future__ import annotations

from django.urls import path

from parcours.reporting import views

app_name = "reporting"

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("rapport-annuel/", views.request_report, name="request_report"),
    path("rapport-annuel/<id:pk>/", views.job, name="job"),
    path("rapport-annuel/<id:pk>/<str:kind>/", views.download, name="download"),
    path("reseaux/", views.networks, name="networks"),
    path("reseaux/<id:pk>/", views.network, name="network"),
]
