"""Members and roles: the list (search, filter, paging), role changes, the last administrator,
deactivation, and isolation between organisations."""

from __future__ import annotations

from functools import partial

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conftest import make_person
from parcours.accounts import actions
from parcours.accounts.models import (
    AuditEntry,
    MemberDeactivation,
    Membership,
    Organisation,
    Role,
    User,
)
from parcours.accounts.permissions import Actor


class TestMemberList:
    def test_search_filter_and_roles_shown(
        self, as_user, admin: User, coordinator: User, trainer: User, outsider: User
    ) -> None:
        client = as_user(admin)
        url = reverse("accounts:admin_members")
        page = client.get(url).content.decode()
        assert "Bruno Lambert" in page and "Alice Dumont" in page
        assert "Formateur" in page
        assert "Oscar" not in page  # another organisation's member
        found = client.get(url, {"q": "lambert"}).content.decode()
        assert "Bruno Lambert" in found and "Alice Dumont" not in found
        by_mail = client.get(url, {"q": "ALICE@"}).content.decode()
        assert "Alice Dumont" in by_mail and "Bruno" not in by_mail
        coordinators = client.get(url, {"role": Role.COORDINATOR}).content.decode()
        assert "Alice Dumont" in coordinators and "Bruno" not in coordinators
        assert "Oscar" not in client.get(url, {"q": "oscar"}).content.decode()

    def test_paging_is_bounded_and_bad_pages_are_404(
        self, as_user, org: Organisation, admin: User, django_assert_max_num_queries
    ) -> None:
        for i in range(30):
            make_person(org, Role.LEARNER, f"p{i:02}@x.be", f"P{i:02}", "Zed")
        client = as_user(admin)
        url = reverse("accounts:admin_members")
        with django_assert_max_num_queries(12):
            first = client.get(url)
        assert first.content.decode().count("/compte/administration/membres/") == 25
        assert "Page 1 sur 2" in first.content.decode()
        assert client.get(url, {"page": 2}).status_code == 200
        for bad in ("3", "0", "-1", "abc", "99999999999999999999999"):
            assert client.get(url, {"page": bad}).status_code == 404

    def test_non_admins_get_403_and_anonymous_go_to_login(
        self, as_user, client, coordinator: User, outsider: User
    ) -> None:
        url = reverse("accounts:admin_members")
        assert client.get(url).status_code == 302
        assert as_user(coordinator).get(url).status_code == 403
        assert as_user(outsider).get(url).status_code == 403


class TestRoles:
    def test_change_add_and_remove_a_role(
        self, as_user, org: Organisation, admin: User, trainer: User
    ) -> None:
        client = as_user(admin)
        client.post(
            reverse("accounts:admin_member_change_role", args=[trainer.pk]),
            {"old_role": Role.TRAINER, "new_role": Role.COORDINATOR},
        )
        assert set(trainer.memberships.values_list("role", flat=True)) == {Role.COORDINATOR}
        client.post(
            reverse("accounts:admin_member_add_role", args=[trainer.pk]), {"role": Role.AGENT}
        )
        response = client.post(
            reverse("accounts:admin_member_remove_role", args=[trainer.pk]),
            {"role": Role.COORDINATOR},
            follow=True,
        )
        assert "Rôle retiré." in response.content.decode()
        assert set(trainer.memberships.values_list("role", flat=True)) == {Role.AGENT}
        logged = set(
            AuditEntry.objects.filter(organisation=org, object_id=str(trainer.pk)).values_list(
                "action", flat=True
            )
        )
        assert {"membership.change", "membership.grant", "membership.revoke"} <= logged

    def test_the_last_administrator_cannot_lose_the_role(
        self, as_user, org: Organisation, admin: User
    ) -> None:
        response = as_user(admin).post(
            reverse("accounts:admin_member_change_role", args=[admin.pk]),
            {"old_role": Role.ADMINISTRATOR, "new_role": Role.TRAINER},
        )
        assert response.status_code == 422
        assert "dernier administrateur" in response.content.decode()
        assert admin.memberships.get(organisation=org).role == Role.ADMINISTRATOR
        second = make_person(org, Role.ADMINISTRATOR, "bea@x.be", "Béa", "Admin")
        actions.change_role(
            user=admin,
            organisation=org,
            old_role=Role.ADMINISTRATOR,
            new_role=Role.TRAINER,
            actor=second,
        )
        with pytest.raises(ValidationError, match="dernier administrateur"):
            actions.remove_role(
                user=second, organisation=org, role=Role.ADMINISTRATOR, actor=second
            )
        operator = User.objects.create_superuser("root@x.be", "pw")
        with pytest.raises(ValidationError, match="dernier administrateur"):
            actions.deactivate_member(user=second, organisation=org, actor=operator)

    def test_agent_role_is_offered(self, as_user, admin: User, trainer: User) -> None:
        page = as_user(admin).get(reverse("accounts:admin_member", args=[trainer.pk]))
        assert "Agent (consultation)" in page.content.decode()

    def test_only_admins_of_that_organisation_may_change_roles(
        self, org: Organisation, coordinator: User, trainer: User, other_admin: User
    ) -> None:
        for actor in (coordinator, other_admin):
            with pytest.raises(PermissionDenied):
                actions.add_role(user=trainer, organisation=org, role=Role.AGENT, actor=actor)
        assert trainer.memberships.count() == 1


class TestDeactivation:
    def test_deactivate_stops_access_here_only_and_reactivate_restores_roles(
        self,
        as_user,
        org: Organisation,
        other_org: Organisation,
        admin: User,
        trainer: User,
    ) -> None:
        actions.grant_role(user=trainer, organisation=org, role=Role.AGENT, actor=None)
        actions.grant_role(user=trainer, organisation=other_org, role=Role.TRAINER, actor=None)
        client = as_user(admin)
        client.post(reverse("accounts:admin_member_deactivate", args=[trainer.pk]))
        actor = Actor.of(trainer)
        assert org.pk not in actor.roles_by_org
        assert actor.roles_by_org[other_org.pk] == {Role.TRAINER}
        # Listed under "deactivated", not among the active members.
        url = reverse("accounts:admin_members")
        assert "Bruno" not in client.get(url).content.decode()
        assert "Bruno" in client.get(url, {"status": "deactivated"}).content.decode()
        client.post(reverse("accounts:admin_member_reactivate", args=[trainer.pk]))
        assert set(trainer.memberships.filter(organisation=org).values_list("role", flat=True)) == {
            Role.TRAINER,
            Role.AGENT,
        }
        assert not MemberDeactivation.objects.exists()
        actions_logged = AuditEntry.objects.filter(organisation=org).values_list(
            "action", flat=True
        )
        assert {"member.deactivate", "member.reactivate"} <= set(actions_logged)

    def test_deactivated_person_loses_the_staff_pages(
        self, as_user, org: Organisation, admin: User
    ) -> None:
        helper = make_person(org, Role.ADMINISTRATOR, "bea@x.be", "Béa", "Admin")
        actions.deactivate_member(user=helper, organisation=org, actor=admin)
        assert as_user(helper).get(reverse("accounts:admin_members")).status_code == 403

    def test_no_self_deactivation(self, org: Organisation, admin: User) -> None:
        with pytest.raises(ValidationError, match="vous-même"):
            actions.deactivate_member(user=admin, organisation=org, actor=admin)


class TestIsolation:
    @pytest.mark.parametrize(
        ("name", "data"),
        [
            ("admin_member", None),
            ("admin_member_add_role", {"role": Role.AGENT}),
            ("admin_member_remove_role", {"role": Role.COORDINATOR}),
            ("admin_member_change_role", {"old_role": "coordinator", "new_role": "agent"}),
            ("admin_member_deactivate", {}),
            ("admin_member_reactivate", {}),
        ],
    )
    def test_another_organisations_member_is_404(
        self, as_user, admin: User, outsider: User, name: str, data: dict | None
    ) -> None:
        client = as_user(admin)
        url = reverse(f"accounts:{name}", args=[outsider.pk])
        response = client.get(url) if data is None else client.post(url, data)
        assert response.status_code == 404
        assert outsider.memberships.get().role == Role.COORDINATOR

    def test_non_admin_gets_403_before_any_lookup(
        self, as_user, coordinator: User, trainer: User
    ) -> None:
        client = as_user(coordinator)
        for user_id in (trainer.pk, 999_999):
            url = reverse("accounts:admin_member_deactivate", args=[user_id])
            assert client.post(url).status_code == 403
        assert Membership.objects.filter(user=trainer).exists()


# --- The last administrator under concurrent writers ---------------------------------------


ORGS_UNDER_TEST = 4


def _two_admins_removed_at_once(run_concurrently) -> list[tuple[Organisation, list]]:
    """In each of a few organisations, two writers each take the administrator role from a
    different one of its two administrators; all writers start together. They act as the
    platform operator, so that permissions never decide."""
    operator = User.objects.create_superuser("root@x.be", "pw-root-123456")
    calls, orgs = [], []
    for n in range(ORGS_UNDER_TEST):
        org = actions.create_organisation(name=f"Concurrence {n}", slug=f"c-{n}", actor=None)
        for k in (1, 2):
            person = make_person(org, Role.ADMINISTRATOR, f"a{k}@{n}.be", "A", str(k))
            # Another role too, so that removing the administrator role is otherwise allowed.
            actions.grant_role(user=person, organisation=org, role=Role.TRAINER, actor=None)
            calls.append(
                partial(
                    actions.remove_role,
                    user=person,
                    organisation=org,
                    role=Role.ADMINISTRATOR,
                    actor=operator,
                )
            )
        orgs.append(org)
    run = run_concurrently.each(calls)
    return [(org, run.exceptions[2 * i : 2 * i + 2]) for i, org in enumerate(orgs)]


def _check_one_admin_left(outcomes: list[tuple[Organisation, list]]) -> None:
    for org, exceptions in outcomes:
        assert Membership.objects.filter(organisation=org, role=Role.ADMINISTRATOR).count() == 1
        refused = [e for e in exceptions if e is not None]
        assert len(refused) == 1, exceptions
        assert isinstance(refused[0], ValidationError) and "dernier" in str(refused[0])


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_removals_leave_one_administrator(run_concurrently) -> None:
    _check_one_admin_left(_two_admins_removed_at_once(run_concurrently))


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_removals_leave_one_administrator_on_postgresql(run_concurrently) -> None:
    _check_one_admin_left(_two_admins_removed_at_once(run_concurrently))


@pytest.mark.parametrize("slug", ["gestion", "classe", "animateur", "Gestion"])
def test_an_organisation_cannot_take_the_address_of_a_page(db: None, slug: str) -> None:
    """/catalogue/gestion/ and /orientation/classe/ are pages: an organisation of that name
    would never reach its own /catalogue/<org>/ or /orientation/<org>/."""

    with pytest.raises(ValidationError) as error:
        actions.create_organisation(name="Une école", slug=slug, actor=None)
    assert "slug" in error.value.message_dict
    assert not Organisation.objects.filter(slug__iexact=slug).exists()
