"""Bounds at every edge, public pages that show only public things, and session dates that
make sense (issue #9, items 3, 6 and 7). Each test sends what a person or a client could."""

from __future__ import annotations

import datetime as dt
from html import unescape

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from hypothesis import given, settings
from hypothesis import strategies as st

from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.enrolment import actions, bounds, slots
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.slots import BRUSSELS, full_days
from parcours.enrolment.tests.conftest import days_from_now, make_module

HUGE = "9" * 25  # beyond 64 bits
BIG = str(2**63)  # one beyond the largest id


def _form(module, site, **changes):
    day = (timezone.localdate() + dt.timedelta(days=30)).strftime("%d/%m/%Y")
    data = {
        "module": module.pk,
        "code": "M1A-B-1",
        "slots": f"{day} journée",
        "site": site.pk,
        "capacity": 20,
        "cancellation_deadline_hours": 48,
    }
    data.update(changes)
    return data


class TestSessionFormBounds:
    @pytest.mark.parametrize(
        ("field", "value", "message"),
        [
            ("slots", "01/01/0001 09:00-12:00", "l'année doit être comprise entre 2000 et 2100"),
            ("slots", "31/12/9999 journée", "l'année doit être comprise entre 2000 et 2100"),
            ("capacity", BIG, "inférieure ou égale à 10000"),
            ("cancellation_deadline_hours", HUGE, "inférieure ou égale à 1440"),
            ("enrolment_closes", "9999-12-31T10:00", "entre 2000 et 2100"),
            ("enrolment_opens", "0001-01-01T10:00", "entre 2000 et 2100"),
        ],
    )
    def test_out_of_range_values_are_a_clear_422(
        self, as_user, coordinator, module, site, field, value, message
    ) -> None:
        response = as_user(coordinator).post(
            reverse("enrolment:manage_create"), _form(module, site, **{field: value})
        )
        assert response.status_code == 422
        html = unescape(response.content.decode())
        assert message in html
        assert 'class="error-summary"' in html
        assert not Session.objects.exists()

    def test_a_session_cannot_have_more_than_200_slots(
        self, as_user, coordinator, module, site
    ) -> None:
        first = timezone.localdate() + dt.timedelta(days=30)
        lines = "\n".join(
            f"{first + dt.timedelta(days=i):%d/%m/%Y} 09:00-12:00" for i in range(201)
        )
        response = as_user(coordinator).post(
            reverse("enrolment:manage_create"), _form(module, site, slots=lines)
        )
        assert response.status_code == 422
        assert "200 créneaux au plus par session" in unescape(response.content.decode())

    def test_a_past_slot_is_refused_unless_the_coordinator_records_a_past_session(
        self, as_user, coordinator, module, site
    ) -> None:
        past = (timezone.localdate() - dt.timedelta(days=3)).strftime("%d/%m/%Y")
        client = as_user(coordinator)
        response = client.post(
            reverse("enrolment:manage_create"), _form(module, site, slots=f"{past} matin")
        )
        assert response.status_code == 422
        assert "Un créneau commence dans le passé" in unescape(response.content.decode())
        response = client.post(
            reverse("enrolment:manage_create"),
            _form(module, site, slots=f"{past} matin", record_past="on"),
        )
        assert response.status_code == 302
        starts_at = Session.objects.get().starts_at
        assert starts_at is not None and starts_at < timezone.now()

    def test_the_enrolment_window_must_close_before_the_session_starts(
        self, as_user, coordinator, module, site
    ) -> None:
        start = timezone.localdate() + dt.timedelta(days=30)
        late = f"{start + dt.timedelta(days=1):%Y-%m-%d}T10:00"
        response = as_user(coordinator).post(
            reverse("enrolment:manage_create"), _form(module, site, enrolment_closes=late)
        )
        assert response.status_code == 422
        assert "La clôture des inscriptions doit précéder le début de la session" in unescape(
            response.content.decode()
        )


class TestActionBounds:
    """The action re-checks what the forms check (the demo, imports and other apps call it)."""

    def _data(self, module, site, **changes):
        values = {
            "module_id": module.pk,
            "code": "A-1",
            "capacity": 5,
            "slots": full_days(days_from_now(20)),
            "site_id": site.pk,
        }
        values.update(changes)
        return actions.SessionData(**values)

    @pytest.mark.parametrize(
        "changes",
        [
            {
                "slots": [
                    (
                        dt.datetime(1, 1, 1, 9, tzinfo=dt.UTC),
                        dt.datetime(1, 1, 1, 12, tzinfo=dt.UTC),
                    )
                ]
            },
            {"capacity": 2**63},
            {"capacity": bounds.MAX_CAPACITY + 1},
            {"cancellation_deadline_hours": 10**6},
            {"module_id": 2**70},
            {"trainer_ids": [2**70]},
            {"enrolment_opens": dt.datetime(9999, 12, 31, tzinfo=dt.UTC)},
            {"code": "X" * 41},
            {"allow_past": False, "slots": full_days(days_from_now(-2))},
        ],
    )
    def test_refused_with_a_message(self, coordinator, org, module, site, changes) -> None:
        with pytest.raises(ValidationError):
            actions.create_session(
                actor=Actor.of(coordinator),
                organisation=org,
                data=self._data(module, site, **changes),
            )
        assert not Session.objects.exists()

    def test_slots_are_capped(self, coordinator, org, module, site) -> None:
        start = dt.datetime.combine(days_from_now(5), dt.time(9), tzinfo=BRUSSELS)
        many = [
            (start + dt.timedelta(hours=2 * i), start + dt.timedelta(hours=2 * i + 1))
            for i in range(bounds.MAX_SLOTS + 1)
        ]
        with pytest.raises(ValidationError, match="200 créneaux"):
            actions.create_session(
                actor=Actor.of(coordinator),
                organisation=org,
                data=self._data(module, site, slots=many),
            )

    def test_editing_a_started_session_keeps_its_past_slots(
        self, coordinator, org, module, site, make_session
    ) -> None:
        session = make_session(days=(-1, 1))
        data = self._data(
            module,
            site,
            code=session.code,
            capacity=30,
            slots=list(session.slots.values_list("start", "end")),
            allow_past=False,
        )
        actions.update_session(actor=Actor.of(coordinator), session=session, data=data)
        assert Session.objects.get(pk=session.pk).capacity == 30


class TestQueryStringsAndApi:
    @pytest.mark.parametrize("value", [HUGE, BIG, "-1", "0", "١٢", "abc", "1e9"])
    def test_public_list_with_any_module_parameter(self, client, make_session, value) -> None:
        make_session()
        response = client.get(reverse("enrolment:public_list"), {"module": value})
        assert response.status_code == 200

    @pytest.mark.parametrize(
        "url",
        [
            f"/api/v1/sessions?module={HUGE}",
            f"/api/v1/sessions?module={BIG}",
            f"/api/v1/sessions?limit={HUGE}",
            "/api/v1/sessions?offset=-1",
            "/api/v1/sessions?organisation=a%00b",
            f"/api/v1/sessions/{BIG}",
        ],
    )
    def test_api_answers_4xx_not_500(self, client, url) -> None:
        assert 400 <= client.get(url).status_code < 500

    def test_api_lists_are_paged(self, client, make_session) -> None:
        for _ in range(3):
            make_session()
        first = client.get("/api/v1/sessions?limit=2").json()
        rest = client.get("/api/v1/sessions?limit=2&offset=2").json()
        assert len(first) == 2 and len(rest) == 1
        assert {s["id"] for s in first}.isdisjoint(s["id"] for s in rest)

    def test_roll_call_with_huge_ids_is_a_message(self, as_user, trainer, make_session) -> None:
        session = make_session(days=(-1,))
        slot = session.slots.first()
        response = as_user(trainer).post(
            reverse("enrolment:roll_call", args=[slot.pk]), {"absent": [HUGE, BIG, "x"]}
        )
        assert response.status_code == 302

    def test_a_huge_check_in_token_is_refused(self, as_user, learner) -> None:
        url = reverse("enrolment:check_in", args=["9" * 5000 + ".1.abcdef"])
        assert as_user(learner).post(url).status_code == 400

    def test_pages_are_paged(self, client, as_user, coordinator, make_session) -> None:
        for _ in range(bounds.PAGE_SIZE + 1):
            make_session()
        html = unescape(client.get(reverse("enrolment:public_list")).content.decode())
        assert html.count("session-card") == bounds.PAGE_SIZE and "Page 1 sur 2" in html
        last = client.get(reverse("enrolment:public_list"), {"page": HUGE})
        assert unescape(last.content.decode()).count("session-card") == 1
        managed = as_user(coordinator).get(reverse("enrolment:manage_list"))
        assert "Page 1 sur 2" in unescape(managed.content.decode())


class TestPublicShowsOnlyPublishedModules:
    @pytest.fixture
    def draft_session(self, org, make_session):
        draft = make_module(
            org, "SECRET", title_fr="Projet confidentiel", status=Module.Status.DRAFT
        )
        return make_session(module_=draft, code="CONF-XYZ"), draft

    def test_the_public_list_never_shows_a_draft_modules_title(self, client, draft_session) -> None:
        session, draft = draft_session
        for params in ({}, {"module": draft.pk}):
            html = unescape(client.get(reverse("enrolment:public_list"), params).content.decode())
            assert "Projet confidentiel" not in html, params
            assert session.code not in html

    def test_api_page_and_fragment_hide_them(self, client, as_user, learner, draft_session) -> None:
        session, draft = draft_session
        assert client.get("/api/v1/sessions").json() == []
        assert client.get(f"/api/v1/sessions/{session.pk}").status_code == 404
        assert client.get(reverse("enrolment:detail", args=[session.pk])).status_code == 404
        assert client.get(reverse("enrolment:module_upcoming", args=[draft.pk])).status_code == 404
        assert (
            as_user(learner).get(reverse("enrolment:detail", args=[session.pk])).status_code == 404
        )

    def test_staff_still_see_their_own(self, as_user, coordinator, draft_session) -> None:
        session, _draft = draft_session
        c = as_user(coordinator)
        assert c.get(reverse("enrolment:detail", args=[session.pk])).status_code == 200


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=200))
def test_slot_lines_never_raise(text: str) -> None:
    parsed, errors = slots.parse_lines(text)
    for spec in parsed:
        assert bounds.MIN_YEAR <= spec.start.year <= bounds.MAX_YEAR
    assert parsed or errors or not text.strip()


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=40))
def test_parse_id_is_none_or_a_64_bit_id(text: str) -> None:
    value = bounds.parse_id(text)
    assert value is None or 1 <= value <= bounds.MAX_ID


class TestControlCharacters:
    """PostgreSQL refuses NUL in text: every free text is refused or cleaned before a write."""

    def test_names_with_nul_are_refused_in_the_api(self, client, coordinator, make_session) -> None:
        from parcours.accounts import actions as account_actions

        _token, secret = account_actions.create_api_token(user=coordinator, name="t")
        session = make_session()
        response = client.post(
            f"/api/v1/sessions/{session.pk}/enrolments",
            {"learner_email": "nul@x.test", "first_name": "A\x00", "last_name": "B\r"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 422
        assert not Enrolment.objects.exists()

    def test_a_reason_with_nul_is_cleaned(self, learner, make_session) -> None:
        session = make_session()
        enrolment = actions.enrol(actor=Actor.of(learner), session=session, learner=learner)
        actions.cancel(actor=Actor.of(learner), enrolment=enrolment, reason="malade\x00\x07 !")
        assert Enrolment.objects.get(pk=enrolment.pk).reason == "malade !"

    def test_a_code_with_nul_is_refused(self, coordinator, org, module, site) -> None:
        data = actions.SessionData(
            module_id=module.pk,
            code="A\x00B",
            capacity=5,
            slots=full_days(days_from_now(9)),
            site_id=site.pk,
        )
        with pytest.raises(ValidationError, match="Caractère invalide"):
            actions.create_session(actor=Actor.of(coordinator), organisation=org, data=data)

    def test_an_unknown_audience_is_refused(self, client, learner, make_session) -> None:
        from parcours.accounts import actions as account_actions

        _token, secret = account_actions.create_api_token(user=learner, name="t")
        session = make_session(audience=Module.Audience.TEACHERS)
        response = client.post(
            f"/api/v1/sessions/{session.pk}/enrolments",
            {"audience": "pirates"},
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {secret}",
        )
        assert response.status_code == 422
        assert not Enrolment.objects.exists()


HUGE_ID = 2**70
WITH_IDS = [
    "enrolment:detail",
    "enrolment:enrol",
    "enrolment:module_upcoming",
    "enrolment:cancel",
    "enrolment:manage_detail",
    "enrolment:manage_edit",
    "enrolment:manage_duplicate",
    "enrolment:manage_status",
    "enrolment:manage_cancel",
    "enrolment:manage_enrol",
    "enrolment:manage_import",
    "enrolment:manage_approve",
    "enrolment:manage_reject",
    "enrolment:roll_call",
    "enrolment:qr_screen",
    "enrolment:qr_code",
    "documents:request",
    "documents:download",
    "documents:revoke",
    "documents:session_attestations",
    "documents:session_issue",
    "documents:session_zip",
    "documents:calendar_revoke",
]


@pytest.mark.parametrize("name", WITH_IDS)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_id_beyond_64_bits_is_a_4xx_everywhere(as_user, coordinator, name, method) -> None:
    # Typed into the address: the bounded <id:> converter cannot even build such a URL.
    url = reverse(name, args=[1]).replace("/1/", f"/{HUGE_ID}/", 1)
    response = getattr(as_user(coordinator), method)(url)
    assert 300 <= response.status_code < 500, (url, response.status_code)
