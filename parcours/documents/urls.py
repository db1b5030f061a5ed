"""Mounted at the site root by config/urls.py: /attestations/… and /agenda/…"""

from __future__ import annotations

from django.urls import path

from parcours.documents import views

app_name = "documents"

urlpatterns = [
    path("attestations/", views.my_attestations, name="my_attestations"),
    path(
        "attestations/inscriptions/<id:enrolment_id>/demander/",
        views.request_attestation,
        name="request",
    ),
    path("attestations/<id:pk>/pdf/", views.download, name="download"),
    path("attestations/<id:pk>/revoquer/", views.revoke, name="revoke"),
    path("attestations/verifier/", views.verify_form, name="verify_form"),
    path("attestations/verifier/<str:code>/", views.verify, name="verify"),
    path(
        "attestations/sessions/<id:session_id>/",
        views.session_attestations,
        name="session_attestations",
    ),
    path(
        "attestations/sessions/<id:session_id>/emettre/", views.session_issue, name="session_issue"
    ),
    path("attestations/sessions/<id:session_id>/zip/", views.session_zip, name="session_zip"),
    path("agenda/", views.calendar, name="calendar"),
    path("agenda/nouvelle-adresse/", views.calendar_generate, name="calendar_generate"),
    path("agenda/<id:pk>/desactiver/", views.calendar_revoke, name="calendar_revoke"),
    path("agenda/flux/<str:token>.ics", views.feed, name="feed"),
]
