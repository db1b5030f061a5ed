from __future__ import annotations

from django.urls import path

from parcours.pathways import views

app_name = "pathways"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("mes-parcours/", views.my_progress, name="my_progress"),
    path("gestion/", views.manage_list, name="manage_list"),
    path("gestion/nouveau/", views.manage_create, name="manage_create"),
    path("gestion/apercu-regle/", views.rule_preview, name="rule_preview"),
    path("gestion/<id:pk>/", views.manage_detail, name="manage_detail"),
    path("gestion/<id:pk>/modifier/", views.manage_edit, name="manage_edit"),
    path("gestion/<id:pk>/statut/", views.manage_status, name="manage_status"),
    path("gestion/<id:pk>/progression/", views.manage_progress, name="manage_progress"),
    path(
        "<id:pk>/apprenants/<id:learner_id>/",
        views.learner_progress,
        name="learner_progress",
    ),
    path("<slug:org_slug>/<str:code>/", views.detail, name="detail"),
]
