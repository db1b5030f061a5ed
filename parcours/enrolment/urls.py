from __future__ import annotations

from django.urls import path

from parcours.enrolment import views

app_name = "enrolment"

urlpatterns = [
    path("", views.public_list, name="public_list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/inscription/", views.enrol_self, name="enrol"),
    path("module/<int:module_id>/a-venir/", views.module_upcoming, name="module_upcoming"),
    path("mes-sessions/", views.my_sessions, name="my_sessions"),
    path("mon-profil/", views.my_profile, name="my_profile"),
    path("inscriptions/<int:pk>/annuler/", views.cancel, name="cancel"),
    path("gestion/", views.manage_list, name="manage_list"),
    path("gestion/nouvelle/", views.manage_create, name="manage_create"),
    path("gestion/nouvelle/rythme/", views.manage_create_pattern, name="manage_create_pattern"),
    path("gestion/<int:pk>/", views.manage_detail, name="manage_detail"),
    path("gestion/<int:pk>/modifier/", views.manage_edit, name="manage_edit"),
    path("gestion/<int:pk>/dupliquer/", views.manage_duplicate, name="manage_duplicate"),
    path("gestion/<int:pk>/statut/", views.manage_status, name="manage_status"),
    path("gestion/<int:pk>/annuler/", views.manage_cancel, name="manage_cancel"),
    path("gestion/<int:pk>/inscrire/", views.manage_enrol, name="manage_enrol"),
    path("gestion/<int:pk>/import/", views.manage_import, name="manage_import"),
    path(
        "gestion/inscriptions/<int:pk>/approuver/",
        views.manage_decide,
        {"decision": "approve"},
        name="manage_approve",
    ),
    path(
        "gestion/inscriptions/<int:pk>/refuser/",
        views.manage_decide,
        {"decision": "reject"},
        name="manage_reject",
    ),
    path("formateur/", views.trainer_sessions, name="trainer_sessions"),
    path("creneaux/<int:slot_id>/presences/", views.roll_call, name="roll_call"),
    path("creneaux/<int:slot_id>/qr/", views.qr_screen, name="qr_screen"),
    path("creneaux/<int:slot_id>/qr/code/", views.qr_code, name="qr_code"),
    path("presence/<str:token>/", views.check_in, name="check_in"),
]
