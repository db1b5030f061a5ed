"""Organisation settings and sign-up domains, API tokens (page and enforcement through real API
calls), the audit log and its export, the platform operator's page and command, the dashboard
entry — and isolation between organisations for each."""

from __future__ import annotations

import csv
import datetime as dt
import io

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse
from django.utils import timezone
from hypothesis import given
from hypothesis import strategies as st

from parcours.accounts import actions, audit
from parcours.accounts.models import (
    ApiToken,
    AuditEntry,
    Invitation,
    Organisation,
    Role,
    SignupDomain,
    SignupPolicy,
    User,
)


class TestSettings:
    def test_admin_changes_policy_mfa_and_retention(
        self, as_user, org: Organisation, admin: User
    ) -> None:
        client = as_user(admin)
        response = client.post(
            reverse("accounts:admin_settings"),
            {
                "signup_policy": SignupPolicy.DOMAINS,
                "require_staff_mfa": "on",
                "learner_retention_days": "730",
            },
            follow=True,
        )
        assert "Paramètres enregistrés." in response.content.decode()
        org.refresh_from_db()
        assert (org.signup_policy, org.require_staff_mfa, org.learner_retention_days) == (
            SignupPolicy.DOMAINS,
            True,
            730,
        )
        assert AuditEntry.objects.filter(action="organisation.settings", organisation=org).exists()

    @pytest.mark.parametrize("days", ["29", "3651", "-5", "99999999999999999999", "abc"])
    def test_retention_out_of_bounds_fails_in_place(
        self, as_user, org: Organisation, admin: User, days: str
    ) -> None:
        response = as_user(admin).post(
            reverse("accounts:admin_settings"),
            {"signup_policy": SignupPolicy.OPEN, "learner_retention_days": days},
        )
        assert response.status_code == 422
        assert 'id="resume-erreurs"' in response.content.decode()
        org.refresh_from_db()
        assert org.learner_retention_days is None

    def test_empty_retention_keeps_data(self, org: Organisation, admin: User) -> None:
        actions.update_organisation_settings(
            organisation=org,
            actor=admin,
            signup_policy=SignupPolicy.INVITATION,
            require_staff_mfa=False,
            learner_retention_days=None,
        )
        org.refresh_from_db()
        assert org.learner_retention_days is None
        assert org.signup_policy == SignupPolicy.INVITATION

    def test_domains_are_validated_and_normalised(
        self, as_user, org: Organisation, admin: User
    ) -> None:
        client = as_user(admin)
        client.post(reverse("accounts:admin_domain_add"), {"domain": " Ecole.BE "})
        client.post(reverse("accounts:admin_domain_add"), {"domain": "école.be"})
        assert sorted(SignupDomain.objects.values_list("domain", flat=True)) == [
            "ecole.be",
            "école.be",
        ]
        for bad in ("@ecole.be", "alice@ecole.be", "ecole", "http://ecole.be", "-x.be", "a..be"):
            response = client.post(reverse("accounts:admin_domain_add"), {"domain": bad})
            assert response.status_code == 422, bad
            assert "nom de domaine valide" in response.content.decode()
        duplicate = client.post(reverse("accounts:admin_domain_add"), {"domain": "ECOLE.be"})
        assert "déjà autorisé" in duplicate.content.decode()
        assert SignupDomain.objects.count() == 2
        domain = SignupDomain.objects.get(domain="ecole.be")
        client.post(reverse("accounts:admin_domain_remove", args=[domain.pk]))
        assert not SignupDomain.objects.filter(domain="ecole.be").exists()

    def test_another_organisations_domain_is_404(
        self, as_user, org: Organisation, other_org: Organisation, admin: User, other_admin: User
    ) -> None:
        theirs = actions.add_signup_domain(
            organisation=other_org, domain="province.be", actor=other_admin
        )
        client = as_user(admin)
        response = client.post(reverse("accounts:admin_domain_remove", args=[theirs.pk]))
        assert response.status_code == 404
        assert "province.be" not in client.get(reverse("accounts:admin_settings")).content.decode()
        assert SignupDomain.objects.filter(pk=theirs.pk).exists()


@given(st.text(max_size=80))
def test_normalise_domain_accepts_only_clean_names(value: str) -> None:
    try:
        name = actions.normalise_domain(value)
    except ValidationError:
        return
    assert name == name.lower() and "@" not in name and " " not in name
    assert name.encode("idna")  # valid once IDNA-encoded
    assert actions.normalise_domain(name) == name
    assert actions.normalise_domain(name.encode("idna").decode("ascii")) == name


class TestTokens:
    def _create(self, client, **data: str):
        values = {
            "name": "Export",
            "scope": "read",
            "expires_on": (timezone.localdate() + dt.timedelta(days=30)).isoformat(),
        }
        values.update(data)
        return client.post(reverse("accounts:admin_tokens"), values)

    def test_secret_shown_once_then_listed_and_revoked(
        self, as_user, org: Organisation, admin: User
    ) -> None:
        client = as_user(admin)
        response = self._create(client)
        page = response.content.decode()
        token = ApiToken.objects.get()
        assert token.organisation == org and token.scope == ApiToken.Scope.READ
        secret = page.split('<code class="mono">')[1].split("<")[0]
        assert secret.startswith("prc_") and token.matches(ApiToken.parse(secret)[1])  # type: ignore[index]
        again = client.get(reverse("accounts:admin_tokens")).content.decode()
        assert "Export" in again and secret not in again
        client.post(reverse("accounts:admin_token_revoke", args=[token.pk]))
        token.refresh_from_db()
        assert token.revoked_at is not None
        assert AuditEntry.objects.filter(action="api_token.revoke", organisation=org).exists()

    @pytest.mark.parametrize("days", [0, -1, 400])
    def test_expiry_is_bounded(self, as_user, admin: User, days: int) -> None:
        on = (timezone.localdate() + dt.timedelta(days=days)).isoformat()
        response = self._create(as_user(admin), expires_on=on)
        assert response.status_code == 422
        assert not ApiToken.objects.exists()

    def test_action_refuses_tokens_longer_than_a_year(self, org: Organisation, admin: User) -> None:
        with pytest.raises(ValidationError, match="un an au plus"):
            actions.create_api_token(
                user=admin,
                name="x",
                organisation=org,
                expires_at=timezone.now() + dt.timedelta(days=400),
            )

    def test_another_organisations_token_is_404(
        self, as_user, other_org: Organisation, admin: User, other_admin: User
    ) -> None:
        theirs, _secret = actions.create_api_token(
            user=other_admin,
            name="Leur script",
            organisation=other_org,
            expires_at=timezone.now() + dt.timedelta(days=5),
        )
        client = as_user(admin)
        assert (
            client.post(reverse("accounts:admin_token_revoke", args=[theirs.pk])).status_code == 404
        )
        assert "Leur script" not in client.get(reverse("accounts:admin_tokens")).content.decode()
        theirs.refresh_from_db()
        assert theirs.revoked_at is None


class TestTokenEnforcement:
    """Through real API calls: /enrolments/mine (GET) and POST /sessions/…/enrolments."""

    def _token(self, user: User, org: Organisation, scope: str) -> tuple[ApiToken, str]:
        return actions.create_api_token(
            user=user,
            name="t",
            scope=scope,
            organisation=org,
            expires_at=timezone.now() + dt.timedelta(days=5),
        )

    def test_revoked_and_expired_tokens_get_401(
        self, client, org: Organisation, admin: User
    ) -> None:
        token, secret = self._token(admin, org, ApiToken.Scope.READ)
        auth = {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
        assert client.get("/api/v1/enrolments/mine", **auth).status_code == 200
        token.refresh_from_db()
        assert token.last_used_at is not None
        actions.revoke_api_token(token=token, actor=admin)
        assert client.get("/api/v1/enrolments/mine", **auth).status_code == 401
        expired, secret = self._token(admin, org, ApiToken.Scope.READ)
        ApiToken.objects.filter(pk=expired.pk).update(expires_at=timezone.now())
        response = client.get("/api/v1/enrolments/mine", HTTP_AUTHORIZATION=f"Bearer {secret}")
        assert response.status_code == 401

    def test_read_scope_is_refused_on_writes(self, client, org: Organisation, admin: User) -> None:
        _token, read = self._token(admin, org, ApiToken.Scope.READ)
        _token, write = self._token(admin, org, ApiToken.Scope.READ_WRITE)
        url = "/api/v1/sessions/999999/enrolments"
        refused = client.post(
            url, data={}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {read}"
        )
        assert refused.status_code == 403
        assert "lecture seule" in refused.json()["title"]
        allowed = client.post(
            url, data={}, content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {write}"
        )
        assert allowed.status_code not in (401, 403)  # past the auth: the session is unknown


class TestAuditLog:
    def test_filters_and_only_this_organisation(
        self,
        as_user,
        org: Organisation,
        other_org: Organisation,
        admin: User,
        trainer: User,
        other_admin: User,
    ) -> None:
        actions.add_role(user=trainer, organisation=org, role=Role.AGENT, actor=admin)
        audit.record("secret.thing", actor=other_admin, organisation=other_org)
        client = as_user(admin)
        url = reverse("accounts:admin_audit")
        page = client.get(url).content.decode()
        assert "membership.grant" in page and "secret.thing" not in page
        only_admin = client.get(url, {"actor": admin.pk}).content.decode()
        assert "membership.grant" in only_admin
        none = client.get(url, {"action": "secret.thing"}).content.decode()
        assert "Aucune entrée." in none
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        future = client.get(url, {"start": tomorrow.isoformat()}).content.decode()
        assert "Aucune entrée." in future

    @pytest.mark.parametrize(
        "query",
        [{"start": "1899-01-01"}, {"start": "2026-05-02", "end": "2026-05-01"}, {"actor": "x"}],
    )
    def test_bad_filters_are_422_not_500(self, as_user, admin: User, query: dict) -> None:
        response = as_user(admin).get(reverse("accounts:admin_audit"), query)
        assert response.status_code == 422
        export = as_user(admin).get(reverse("accounts:admin_audit_export"), query)
        assert export.status_code == 422

    def test_paging_404_on_bad_page(self, as_user, admin: User) -> None:
        url = reverse("accounts:admin_audit")
        assert as_user(admin).get(url, {"page": "10**100"}).status_code == 404

    def test_csv_export_is_formula_safe_and_scoped(
        self, as_user, org: Organisation, other_org: Organisation, admin: User
    ) -> None:
        audit.record(
            "organisation.note",
            actor=admin,
            organisation=org,
            changes={"note": "x"},
        )
        entry = AuditEntry.objects.get(action="organisation.note")
        entry.object_repr = '=HYPERLINK("http://evil")'
        entry.save()
        audit.record("other.org", actor=None, organisation=other_org)
        response = as_user(admin).get(reverse("accounts:admin_audit_export"))
        assert response.status_code == 200
        body = b"".join(response.streaming_content).decode("utf-8-sig")
        rows = list(csv.reader(io.StringIO(body), delimiter=";"))
        assert rows[0] == ["Quand", "Qui", "Action", "Objet", "Détails"]
        cells = [cell for row in rows for cell in row]
        assert '\'=HYPERLINK("http://evil")' in cells
        assert not any(cell.startswith("=") for cell in cells)
        assert "other.org" not in body
        assert "UTC" not in body and "+00:00" not in body

    def test_non_admins_are_refused(self, as_user, coordinator: User) -> None:
        client = as_user(coordinator)
        assert client.get(reverse("accounts:admin_audit")).status_code == 403
        assert client.get(reverse("accounts:admin_audit_export")).status_code == 403


class TestPlatform:
    def test_superuser_creates_an_organisation_and_invites_its_admin(
        self, client, db: None, django_capture_on_commit_callbacks
    ) -> None:
        root = User.objects.create_superuser("root@parcours.test", "pw-root-123456")
        client.force_login(root)
        url = reverse("accounts:platform_new_organisation")
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(
                url,
                {"name": "Forem Charleroi", "slug": "forem-charleroi", "admin_email": "d@f.be"},
                follow=True,
            )
        assert "Organisation « Forem Charleroi » créée." in response.content.decode()
        invitation = Invitation.objects.get(organisation__slug="forem-charleroi")
        assert invitation.role == Role.ADMINISTRATOR and invitation.email == "d@f.be"
        assert [m.to for m in mail.outbox] == [["d@f.be"]]
        taken = client.post(
            url, {"name": "Autre nom", "slug": "forem-charleroi", "admin_email": "d@f.be"}
        )
        assert taken.status_code == 422
        assert "déjà celui de l" in taken.content.decode()

    def test_only_superusers(self, as_user, admin: User) -> None:
        url = reverse("accounts:platform_new_organisation")
        client = as_user(admin)
        assert client.get(url).status_code == 403
        assert (
            client.post(url, {"name": "X", "slug": "x", "admin_email": "x@x.be"}).status_code == 403
        )
        assert not Organisation.objects.filter(slug="x").exists()

    def test_command_is_idempotent_on_slug(self, db: None, capsys) -> None:
        args = ["--name", "Forem", "--slug", "forem", "--admin-email", "dir@forem.be"]
        call_command("create_organisation", *args)
        call_command("create_organisation", *args)
        assert Organisation.objects.filter(slug="forem").count() == 1
        assert Invitation.objects.filter(organisation__slug="forem").count() == 1
        out = capsys.readouterr().out
        assert "created" in out and "already exists" in out
        with pytest.raises(CommandError, match="déjà celui"):
            call_command(
                "create_organisation",
                "--name",
                "Autre",
                "--slug",
                "forem",
                "--admin-email",
                "a@b.be",
            )
        with pytest.raises(CommandError, match="identifiant"):
            call_command(
                "create_organisation", "--name", "Y", "--slug", "Pas Bon", "--admin-email", "a@b.be"
            )


def test_dashboard_shows_administration_to_administrators_only(
    as_user, admin: User, coordinator: User
) -> None:
    page = as_user(admin).get(reverse("accounts:dashboard")).content.decode()
    assert reverse("accounts:admin_members") in page
    page = as_user(coordinator).get(reverse("accounts:dashboard")).content.decode()
    assert reverse("accounts:admin_members") not in page


ADMIN_PAGES = [
    "admin_members",
    "admin_invitations",
    "admin_invitation_import",
    "admin_settings",
    "admin_tokens",
    "admin_audit",
    "admin_audit_export",
]


@pytest.mark.parametrize("name", ADMIN_PAGES)
def test_every_page_is_for_administrators_of_the_current_organisation(
    as_user, client, name: str, admin: User, coordinator: User, learner: User, other_admin: User
) -> None:
    url = reverse(f"accounts:{name}")
    assert client.get(url).status_code == 302  # anonymous: to the login page
    for person in (coordinator, learner):
        assert as_user(person).get(url).status_code == 403
    assert as_user(admin).get(url).status_code == 200
    assert as_user(other_admin).get(url).status_code == 200  # their own organisation's page


@pytest.mark.parametrize(
    "path",
    [
        "/compte/administration/membres/99999999999999999999999/",
        "/compte/administration/invitations/99999999999999999999999/renvoyer/",
        "/compte/administration/jetons/99999999999999999999999/revoquer/",
        "/compte/administration/parametres/domaines/99999999999999999999999/retirer/",
    ],
)
def test_huge_ids_are_404_not_500(as_user, admin: User, path: str) -> None:
    client = as_user(admin)
    response = (
        client.get(path)
        if path.endswith("membres/99999999999999999999999/")
        else (client.post(path))
    )
    assert response.status_code == 404


def test_invitation_pages_keep_the_secret_out_of_referers(client, db: None) -> None:
    response = client.get(reverse("accounts:invitation_accept", args=["x" * 43]))
    assert response.status_code == 404
    assert response["Referrer-Policy"] == "same-origin"
    assert "Ce lien n'est pas reconnu" in response.content.decode()
    too_long = client.get(reverse("accounts:invitation_accept", args=["x" * 500]))
    assert too_long.status_code == 404


def test_list_pages_read_a_bounded_number_of_queries(
    as_user, org: Organisation, admin: User, django_assert_max_num_queries
) -> None:
    from parcours.accounts import invitations

    for i in range(15):
        invitations.invite(
            organisation=org, email=f"p{i}@x.be", role=Role.TRAINER, invited_by=admin
        )
    client = as_user(admin)
    for name in ("admin_invitations", "admin_audit", "admin_tokens"):
        with django_assert_max_num_queries(14):
            assert client.get(reverse(f"accounts:{name}")).status_code == 200
