from __future__ import annotations

from django.urls import path

from parcours.orientation import views
from parcours.scheduling import urls as _scheduling_urls  # noqa: F401 - registers the "id" converter

app_name = "orientation"

urlpatterns = [
    path("", views.index, name="index"),
    path("metiers-esco/", views.occupations, name="occupations"),
    path("gestion/", views.manage, name="manage"),
    path("gestion/mondes/nouveau/", views.world_form, name="world_create"),
    path("gestion/mondes/<id:pk>/", views.world_form, name="world_edit"),
    path("gestion/mondes/<id:pk>/supprimer/", views.world_delete, name="world_delete"),
    path("gestion/fiches/nouvelle/", views.sheet_form, name="sheet_create"),
    path("gestion/fiches/<id:pk>/", views.sheet_form, name="sheet_edit"),
    path("gestion/fiches/<id:pk>/supprimer/", views.sheet_delete, name="sheet_delete"),
    path("gestion/fiches/<id:pk>/filieres/", views.route_add, name="route_add"),
    path("gestion/filieres/<id:pk>/supprimer/", views.route_delete, name="route_delete"),
    path("<slug:org_slug>/", views.worlds, name="worlds"),
    path("<slug:org_slug>/metier/<slug:slug>/", views.sheet, name="sheet"),
    path("<slug:org_slug>/<slug:slug>/", views.world, name="world"),
]
