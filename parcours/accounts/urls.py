from __future__ import annotations

from django.contrib.auth import views as auth_views
from django.urls import path

from parcours.accounts import views

app_name = "accounts"

urlpatterns = [
    path("connexion/", views.LoginView.as_view(), name="login"),
    path("deconnexion/", auth_views.LogoutView.as_view(), name="logout"),
    path("", views.dashboard, name="dashboard"),
    path("organisation/", views.switch_organisation, name="switch_organisation"),
]

# Organisation administration and invitations (people and access): their own module.
from django.urls import include  # noqa: E402 - kept apart from the lines above (merges)

urlpatterns += [path("", include("parcours.accounts.admin_urls"))]  # type: ignore[list-item]
