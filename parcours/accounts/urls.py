from __future__ import annotations

from allauth.account import views as allauth_views
from django.urls import path

from parcours.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", allauth_views.login, name="login"),
    path("deconnexion/", allauth_views.logout, name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("organisation/", views.switch_organisation, name="switch_organisation"),
]

# Organisation administration and invitations (people and access): their own module.
from django.urls import include  # noqa: E402 - kept apart from the lines above (merges)

urlpatterns += [path("", include("parcours.accounts.admin_urls"))]
