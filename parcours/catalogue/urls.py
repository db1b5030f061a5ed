from __future__ import annotations

from django.urls import path

from parcours.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("gestion/", views.manage_list, name="manage_list"),
]
