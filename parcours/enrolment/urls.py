from __future__ import annotations

from django.urls import path

from parcours.enrolment import views

app_name = "enrolment"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<id:pk>/", views.detail, name="detail"),
    path("<id:pk>/inscription/", views.enrol_self, name="enrol"),
    path("module/<id:module_id>/a-venir/", views.module_upcoming, name="module_upcoming"),
    path("mes-sessions/", views.my_sessions, name="my_sessions"),
    path("mon-profil/", views.my_profile, name="my_profile"),
    path("inscriptions/<id:pk>/annuler/", views.cancel, name="cancel"),
    path("gestion/", views.manage_list, name="manage_list"),
    path("gestion/nouvelle/", views.manage_create, name="manage_create"),
    path("gestion/nouvelle/rythme/", views.manage_create_pattern, name="manage_create_pattern"),
    path("gestion/<id:pk>/", views.manage_detail, name="manage_detail"),
    path("gestion/<id:pk>/modifier/", views.manage_edit, name="manage_edit"),
    path("gestion/<id:pk>/dupliquer/", views.manage_duplicate, name="manage_duplicate"),
    path("gestion/<id:pk>/statut/", views.manage_status, name="manage_status"),
    path("gestion/<id:pk>/annuler/", views.manage_cancel, name="manage_cancel"),
    path("gestion/<id:pk>/inscrire/", views.manage_enrol, name="manage_enrol"),
    path("gestion/<id:pk>/import/", views.manage_import, name="manage_import"),
    path(
        "gestion/inscriptions/<id:pk>/approuver/",
        views.manage_decide,
        {"decision": "approve"},
        name="manage_approve",
    ),
    path(
        "gestion/inscriptions/<id:pk>/refuser/",
        views.manage_decide,
        {"decision": "reject"},
        name="manage_reject",
    ),
    path("formateur/", views.trainer_sessions, name="trainer_sessions"),
    path("creneaux/<id:slot_id>/presences/", views.roll_call, name="roll_call"),
    path("creneaux/<id:slot_id>/qr/", views.qr_screen, name="qr_screen"),
    path("creneaux/<id:slot_id>/qr/code/", views.qr_code, name="qr_code"),
    path("presence/<str:token>/", views.check_in, name="check_in"),
]
