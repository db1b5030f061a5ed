"""Invitations: the link, its life (resend, revoke, expiry, single use), accepting, the page
for dead links, an existing account, and permissions."""

from __future__ import annotations

import re
from datetime import timedelta
from functools import partial
from typing import Any

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import PASSWORD
from parcours.accounts import actions, invitations
from parcours.accounts.models import AuditEntry, Invitation, Organisation, Role, User

LINK = re.compile(r"https?://[^\s]+/compte/invitation/([A-Za-z0-9_-]+)/")


def _without_csrf(content: bytes) -> str:
    return re.sub(r'(csrfmiddlewaretoken" value="|X-CSRFToken": ")[^"]+', "", content.decode())


def _secret(message: mail.EmailMessage) -> str:
    found = LINK.search(str(message.body))
    assert found, message.body
    return found.group(1)


def _invite(org: Organisation, admin: User, email: str = "nina@exemple.test", **kw) -> str:
    mail.outbox.clear()
    with committed():
        invitations.invite(
            organisation=org,
            email=email,
            role=kw.pop("role", Role.TRAINER),
            invited_by=admin,
            **kw,
        )
    assert len(mail.outbox) == 1
    return _secret(mail.outbox[0])


committed: Any = None


@pytest.fixture(autouse=True)
def _commits(django_capture_on_commit_callbacks):
    """E-mails leave after commit: ``with committed():`` runs the commit hooks of what it
    wraps (the test's own transaction never commits)."""
    global committed
    committed = partial(django_capture_on_commit_callbacks, execute=True)
    yield
    committed = None


class TestInvite:
    def test_email_in_french_with_a_link_and_only_the_hash_stored(
        self, org: Organisation, admin: User
    ) -> None:
        secret = _invite(org, admin, first_name="Nina", last_name="Vos")
        message = mail.outbox[0]
        assert message.to == ["nina@exemple.test"]
        assert "Technofutur TIC" in message.subject
        assert "Formateur" in message.body and "valable jusqu'au" in message.body
        invitation = Invitation.objects.get()
        assert invitation.token_hash == Invitation.hash_secret(secret)
        assert secret not in str(Invitation.objects.values().get())
        assert invitation.expires_at - invitation.created_at == timedelta(days=14)
        assert AuditEntry.objects.filter(action="invitation.create", organisation=org).exists()

    def test_existing_account_gets_the_role_and_an_email_not_a_second_account(
        self, org: Organisation, admin: User, outsider: User
    ) -> None:
        outsider.language = "en"
        outsider.save()
        mail.outbox.clear()
        with committed():
            invitation = invitations.invite(
                organisation=org, email="OSCAR@province.test", role=Role.TRAINER, invited_by=admin
            )
        assert invitation.accepted_at is not None
        assert User.objects.filter(email__iexact="oscar@province.test").count() == 1
        assert outsider.memberships.filter(organisation=org, role=Role.TRAINER).exists()
        assert len(mail.outbox) == 1
        assert "New role" in mail.outbox[0].subject  # in the person's language
        assert not LINK.search(str(mail.outbox[0].body))
        with pytest.raises(ValidationError, match="déjà ce rôle"):
            invitations.invite(
                organisation=org, email=outsider.email, role=Role.TRAINER, invited_by=admin
            )

    def test_inviting_again_resends_a_new_link_and_kills_the_old(
        self, org: Organisation, admin: User
    ) -> None:
        first = _invite(org, admin)
        second = _invite(org, admin)
        assert first != second
        assert Invitation.objects.count() == 1
        with pytest.raises(invitations.InvalidInvitation) as caught:
            invitations.find(first)
        assert caught.value.reason == "unknown"
        assert invitations.find(second).email == "nina@exemple.test"

    def test_bad_input_is_refused_in_french(self, org: Organisation, admin: User) -> None:
        with pytest.raises(ValidationError, match="pas une adresse e-mail valide"):
            invitations.invite(organisation=org, email="nina@", role="trainer", invited_by=admin)
        with pytest.raises(ValidationError, match="Rôle inconnu"):
            invitations.invite(organisation=org, email="n@x.be", role="boss", invited_by=admin)
        with pytest.raises(ValidationError, match="adresse de ce site"):
            invitations.invite(
                organisation=org,
                email="n@x.be",
                role="trainer",
                invited_by=admin,
                next_url="https://evil.example/",
            )
        assert not Invitation.objects.exists()

    def test_who_may_invite(
        self, org: Organisation, coordinator: User, trainer: User, other_admin: User
    ) -> None:
        with pytest.raises(PermissionDenied):
            invitations.invite(organisation=org, email="a@x.be", role="learner", invited_by=trainer)
        with pytest.raises(PermissionDenied):
            invitations.invite(
                organisation=org, email="a@x.be", role="trainer", invited_by=coordinator
            )
        with pytest.raises(PermissionDenied):
            invitations.invite(
                organisation=org, email="a@x.be", role="trainer", invited_by=other_admin
            )
        invitations.invite(organisation=org, email="a@x.be", role="learner", invited_by=coordinator)
        assert Invitation.objects.filter(role=Role.LEARNER).count() == 1


class TestAccept:
    def test_accept_sets_password_grants_role_and_lands_on_next_url(
        self, client: Client, org: Organisation, admin: User
    ) -> None:
        secret = _invite(org, admin, next_url="/sessions/")
        url = reverse("accounts:invitation_accept", args=[secret])
        page = client.get(url)
        assert page.status_code == 200
        assert "Rejoindre Technofutur TIC" in page.content.decode()
        response = client.post(
            url,
            {
                "first_name": "Nina",
                "last_name": "Vos",
                "password1": "un-Mot-de-passe-sûr-42",
                "password2": "un-Mot-de-passe-sûr-42",
            },
        )
        assert response.status_code == 302 and response["Location"] == "/sessions/"
        user = User.objects.get(email="nina@exemple.test")
        assert user.get_full_name() == "Nina Vos"
        assert user.memberships.get(organisation=org).role == Role.TRAINER
        assert user.check_password("un-Mot-de-passe-sûr-42")
        assert client.session["_auth_user_id"] == str(user.pk)
        # Single use: the same link now says it was used.
        again = client.get(url)
        assert again.status_code == 410
        assert "déjà été acceptée" in again.content.decode()

    def test_without_next_url_lands_on_mon_espace(self, org: Organisation, admin: User) -> None:
        secret = _invite(org, admin)
        invitation = invitations.accept(secret, "un-Mot-de-passe-sûr-42")
        assert invitations.landing_url(invitation) == reverse("accounts:dashboard")

    def test_weak_password_is_refused_and_nothing_is_written(
        self, client: Client, org: Organisation, admin: User
    ) -> None:
        secret = _invite(org, admin)
        url = reverse("accounts:invitation_accept", args=[secret])
        response = client.post(
            url,
            {"first_name": "N", "last_name": "V", "password1": "123", "password2": "123"},
        )
        assert response.status_code == 422
        assert "error-summary" in response.content.decode()
        assert not User.objects.filter(email="nina@exemple.test").exists()
        assert Invitation.objects.get().accepted_at is None

    @pytest.mark.parametrize("state", ["revoked", "expired", "tampered"])
    def test_dead_links_get_a_clear_page_with_a_way_to_ask_again(
        self, client: Client, org: Organisation, admin: User, state: str
    ) -> None:
        secret = _invite(org, admin)
        invitation = Invitation.objects.get()
        if state == "revoked":
            invitations.revoke(invitation=invitation, actor=admin)
        elif state == "expired":
            Invitation.objects.update(expires_at=timezone.now() - timedelta(seconds=1))
        else:
            secret = secret[:-2] + ("AA" if not secret.endswith("AA") else "BB")
        response = client.get(reverse("accounts:invitation_accept", args=[secret]))
        text = response.content.decode()
        assert response.status_code in (404, 410)
        assert "Ce lien d'invitation ne fonctionne plus" in text
        assert {"revoked": "annulée", "expired": "expiré", "tampered": "pas reconnu"}[state] in text
        assert reverse("accounts:invitation_new_link") in text
        with pytest.raises(invitations.InvalidInvitation):
            invitations.accept(secret, "un-Mot-de-passe-sûr-42")
        assert not User.objects.filter(email="nina@exemple.test").exists()

    def test_asking_for_a_new_link_answers_the_same_and_sends_only_to_the_invitee(
        self, client: Client, org: Organisation, admin: User
    ) -> None:
        old = _invite(org, admin)
        Invitation.objects.update(
            expires_at=timezone.now() - timedelta(days=1),
            sent_at=timezone.now() - timedelta(days=15),
        )
        mail.outbox.clear()
        url = reverse("accounts:invitation_new_link")
        with committed():
            unknown = client.post(url, {"email": "personne@exemple.test"})
        assert mail.outbox == []
        with committed():
            known = client.post(url, {"email": "Nina@Exemple.test"})
        assert unknown.status_code == known.status_code == 200
        assert _without_csrf(unknown.content) == _without_csrf(known.content)
        assert len(mail.outbox) == 1 and mail.outbox[0].to == ["nina@exemple.test"]
        new = _secret(mail.outbox[0])
        assert new != old
        assert invitations.find(new).is_pending
        # Asking again at once sends nothing more (no mail bombing).
        with committed():
            client.post(url, {"email": "nina@exemple.test"})
        assert len(mail.outbox) == 1

    def test_accepting_marks_the_address_verified_for_allauth_when_installed(
        self, org: Organisation, admin: User
    ) -> None:
        from django.apps import apps

        secret = _invite(org, admin)
        invitation = invitations.accept(secret, "un-Mot-de-passe-sûr-42")
        if not apps.is_installed("allauth.account"):
            pytest.skip("django-allauth is not installed yet")
        from allauth.account.models import EmailAddress  # type: ignore[import-not-found,unused-ignore]

        address = EmailAddress.objects.get(user=invitation.accepted_by)
        assert address.verified and address.primary


class TestResendRevoke:
    def test_resend_gives_a_new_link_and_revoke_kills_it(
        self, org: Organisation, admin: User
    ) -> None:
        first = _invite(org, admin)
        invitation = Invitation.objects.get()
        mail.outbox.clear()
        with committed():
            invitations.resend(invitation=invitation, actor=admin)
        second = _secret(mail.outbox[0])
        with pytest.raises(invitations.InvalidInvitation):
            invitations.find(first)
        assert Invitation.objects.get().send_count == 2
        invitations.revoke(invitation=invitation, actor=admin)
        with pytest.raises(invitations.InvalidInvitation) as caught:
            invitations.find(second)
        assert caught.value.reason == "revoked"
        with pytest.raises(ValidationError):
            invitations.resend(invitation=invitation, actor=admin)

    def test_pages_resend_and_revoke_only_in_own_organisation(
        self, as_user, org: Organisation, admin: User, other_admin: User
    ) -> None:
        _invite(org, admin)
        invitation = Invitation.objects.get()
        client = as_user(other_admin)
        for name in ("admin_invitation_resend", "admin_invitation_revoke"):
            response = client.post(reverse(f"accounts:{name}", args=[invitation.pk]))
            assert response.status_code == 404
        assert Invitation.objects.get().revoked_at is None
        assert (
            "nina@exemple.test"
            not in client.get(reverse("accounts:admin_invitations")).content.decode()
        )
        client = as_user(admin)
        client.post(reverse("accounts:admin_invitation_revoke", args=[invitation.pk]))
        assert Invitation.objects.get().revoked_at is not None


class TestInvitePage:
    def test_admin_invites_from_the_page(self, as_user, org: Organisation, admin: User) -> None:
        client = as_user(admin)
        response = client.post(
            reverse("accounts:admin_invitations"),
            {"email": "nina@exemple.test", "role": Role.AGENT},
            follow=True,
        )
        assert "Invitation envoyée à nina@exemple.test" in response.content.decode()
        assert Invitation.objects.get().role == Role.AGENT

    def test_invalid_submit_fails_in_place(self, as_user, admin: User) -> None:
        response = as_user(admin).post(
            reverse("accounts:admin_invitations"), {"email": "pas-un-email", "role": "trainer"}
        )
        assert response.status_code == 422
        assert 'id="resume-erreurs"' in response.content.decode()
        assert not Invitation.objects.exists()

    def test_non_admins_are_refused(
        self, as_user, coordinator: User, learner: User, client: Client
    ) -> None:
        url = reverse("accounts:admin_invitations")
        assert as_user(coordinator).get(url).status_code == 403
        assert as_user(learner).post(url, {"email": "a@b.be", "role": "trainer"}).status_code == 403
        client.logout()
        assert client.get(url).status_code == 302  # to the login page
        assert not Invitation.objects.exists()


def test_deactivated_member_is_not_reinvited(org: Organisation, admin: User, trainer: User) -> None:
    actions.deactivate_member(user=trainer, organisation=org, actor=admin)
    with pytest.raises(ValidationError, match="désactivé"):
        invitations.invite(organisation=org, email=trainer.email, role="trainer", invited_by=admin)


def test_accept_password_is_checked_against_the_validators(org: Organisation, admin: User) -> None:
    secret = _invite(org, admin)
    with pytest.raises(ValidationError):
        invitations.accept(secret, "nina@exemple.test")
    assert PASSWORD  # the shared fixtures' password is a valid one
    invitations.accept(secret, PASSWORD)
