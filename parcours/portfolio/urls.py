from __future__ import annotations

from django.urls import path

from parcours.portfolio import views

app_name = "portfolio"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("visibilite/", views.toggle, name="toggle"),
    path("lien/", views.create_link, name="create_link"),
    path("lien/revoquer/", views.revoke_link, name="revoke_link"),
    path("portfolio.pdf", views.pdf, name="pdf"),
    path("badges-ob3.zip", views.credentials_zip, name="zip"),
    path("p/<str:token>/", views.public, name="public"),
]
