from __future__ import annotations

from django.urls import path

from parcours.integrations.lti import views

app_name = "lti"

urlpatterns = [
    path("", views.registrations, name="registrations"),
    path("nouvelle/", views.manual, name="manual"),
    path("lien-d-enregistrement/", views.new_token, name="new_token"),
    path("<id:pk>/", views.change, name="change"),
    path("journal/", views.journal, name="journal"),
    path("connexion/", views.oidc_login, name="login"),
    path("lancement/", views.launch, name="launch"),
    path("lien-profond/", views.deep_link, name="deep_link"),
    path("enregistrement/<str:secret>/", views.dynamic_registration, name="dynamic_registration"),
    path("cles/<slug:org_slug>.json", views.jwks, name="jwks"),
    path("sessions/<id:pk>/membres/", views.enrol_members, name="enrol_members"),
]
