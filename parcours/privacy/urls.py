from __future__ import annotations

from django.urls import path

from parcours.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.my_data, name="my_data"),
    path("telecharger/", views.download, name="download"),
    path("effacer/", views.erase_mine, name="erase_mine"),
    path("efface/", views.erased, name="erased"),
    path("apprenants/", views.find_learner, name="find_learner"),
    path("apprenants/<id:user_id>/effacer/", views.erase_learner, name="erase_learner"),
]
