from __future__ import annotations

from django.urls import path

from parcours.pathways import views

app_name = "pathways"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("gestion/", views.manage_list, name="manage_list"),
    path("mes-parcours/", views.my_progress, name="my_progress"),
]
