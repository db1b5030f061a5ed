from __future__ import annotations

from django.urls import path

from parcours.catalogue import views

app_name = "catalogue"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("gestion/", views.manage_list, name="manage_list"),
    path("gestion/nouveau/", views.manage_create, name="manage_create"),
    path("gestion/<id:pk>/", views.manage_edit, name="manage_edit"),
    path("gestion/<id:pk>/publier/", views.manage_publish, name="manage_publish"),
    path("gestion/<id:pk>/archiver/", views.manage_archive, name="manage_archive"),
    path("gestion/<id:pk>/restaurer/", views.manage_restore, name="manage_restore"),
    path("gestion/synonymes/", views.synonyms, name="synonyms"),
    path("gestion/synonymes/<id:pk>/", views.synonym_edit, name="synonym_edit"),
    path("gestion/synonymes/<id:pk>/supprimer/", views.synonym_delete, name="synonym_delete"),
    path("<slug:org_slug>/<str:code>/", views.detail, name="detail"),
]
