"""Organisation administration and invitation pages (included by ``accounts/urls.py``)."""

from __future__ import annotations

from django.urls import path

from parcours.accounts import admin_views, invitation_views

urlpatterns = [
    path("administration/", admin_views.members, name="admin_members"),
    path("administration/membres/<id:user_id>/", admin_views.member_detail, name="admin_member"),
    path(
        "administration/membres/<id:user_id>/roles/ajouter/",
        admin_views.member_add_role,
        name="admin_member_add_role",
    ),
    path(
        "administration/membres/<id:user_id>/roles/retirer/",
        admin_views.member_remove_role,
        name="admin_member_remove_role",
    ),
    path(
        "administration/membres/<id:user_id>/roles/changer/",
        admin_views.member_change_role,
        name="admin_member_change_role",
    ),
    path(
        "administration/membres/<id:user_id>/desactiver/",
        admin_views.member_deactivate,
        name="admin_member_deactivate",
    ),
    path(
        "administration/membres/<id:user_id>/reactiver/",
        admin_views.member_reactivate,
        name="admin_member_reactivate",
    ),
    path("administration/invitations/", admin_views.invitation_list, name="admin_invitations"),
    path(
        "administration/invitations/import/",
        admin_views.invitation_import,
        name="admin_invitation_import",
    ),
    path(
        "administration/invitations/<id:invitation_id>/renvoyer/",
        admin_views.invitation_resend,
        name="admin_invitation_resend",
    ),
    path(
        "administration/invitations/<id:invitation_id>/annuler/",
        admin_views.invitation_revoke,
        name="admin_invitation_revoke",
    ),
    path("administration/parametres/", admin_views.organisation_settings, name="admin_settings"),
    path("administration/parametres/domaines/", admin_views.domain_add, name="admin_domain_add"),
    path(
        "administration/parametres/domaines/<id:domain_id>/retirer/",
        admin_views.domain_remove,
        name="admin_domain_remove",
    ),
    path("administration/jetons/", admin_views.tokens, name="admin_tokens"),
    path(
        "administration/jetons/<id:token_id>/revoquer/",
        admin_views.token_revoke,
        name="admin_token_revoke",
    ),
    path("administration/journal/", admin_views.audit_log, name="admin_audit"),
    path("administration/journal/export.csv", admin_views.audit_export, name="admin_audit_export"),
    path(
        "plateforme/organisations/nouvelle/",
        admin_views.platform_new_organisation,
        name="platform_new_organisation",
    ),
    path("invitation/nouveau-lien/", invitation_views.new_link, name="invitation_new_link"),
    path("invitation/<str:secret>/", invitation_views.accept, name="invitation_accept"),
]
