"""Every write of the documents app goes through here: attestations (issue, revoke), calendar
subscriptions (create, revoke), and the bookkeeping of messages (calendar sequence, reminders).

Attestations are issued exactly once per enrolment: the enrolment row is locked while the
existing attestation is looked up, and a partial unique constraint (one valid attestation per
enrolment) is the last line of defence.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Membership, Organisation, Role, Site, User
from parcours.accounts.permissions import Actor, require_role
from parcours.documents import permissions
from parcours.documents.models import Attestation, CalendarFeed, SessionCalendar, hash_token
from parcours.documents.querysets import ATTESTABLE
from parcours.enrolment.models import Enrolment, Session
from parcours.enrolment.querysets import hours_attended

# --- Attestations -------------------------------------------------------------------------


def _signatory(organisation: Organisation, issuer: User | None) -> tuple[str, str]:
    """Who signs: the coordinator issuing it, else the organisation's first coordinator."""
    coordinators = Membership.objects.filter(organisation=organisation, role=Role.COORDINATOR)
    if issuer is not None and coordinators.filter(user=issuer).exists():
        return issuer.get_full_name() or issuer.email, Role.COORDINATOR
    first = coordinators.select_related("user").order_by("created_at", "pk").first()
    if first is None:
        return "", ""
    return first.user.get_full_name() or first.user.email, Role.COORDINATOR


def _planned_hours(session: Session) -> Decimal:
    seconds = sum((slot.end - slot.start).total_seconds() for slot in session.slots.all())
    return (Decimal(seconds) / Decimal(3600)).quantize(Decimal("0.01"))


def _snapshot(enrolment: Enrolment, issuer: User | None) -> dict[str, object]:
    session = enrolment.session
    module = session.module
    label = f" — {session.label}" if session.label else ""
    site = session.site
    signatory_name, signatory_role = _signatory(session.organisation, issuer)
    if session.starts_at is None or session.ends_at is None:  # no slot: nothing attended
        raise ValidationError(_("Cette session n'a pas de dates."), code="not_attestable")
    return {
        "learner_name": enrolment.learner.get_full_name() or enrolment.learner.email,
        "module_code": module.code,
        "module_title_fr": f"{module.title_fr or module.title_en}{label}",
        "module_title_en": f"{module.title_en}{label}" if module.title_en else "",
        "organisation_name": session.organisation.name,
        "place": f"{site.name}, {site.address}".strip(", ") if site is not None else "",
        "online": site is None,
        "starts_on": timezone.localdate(session.starts_at),
        "ends_on": timezone.localdate(session.ends_at),
        "hours_attended": hours_attended(enrolment),
        "hours_planned": _planned_hours(session),
        "signatory_name": signatory_name,
        "signatory_role": signatory_role,
    }


def issue_attestation(*, actor: Actor | None, enrolment: Enrolment | int) -> Attestation:
    """The attestation of this enrolment, issued now if it has none (else the existing one).

    ``actor`` is None when the platform issues it (completion of the attendance rule); the
    learner may ask for their own, a coordinator for anyone of their organisation. Only an
    enrolment with attendance (completed, or closed with some presence) has one.
    """
    pk = enrolment if isinstance(enrolment, int) else enrolment.pk
    with transaction.atomic():
        locked = (
            Enrolment.objects.select_for_update(of=("self",))
            .select_related("session", "session__module", "session__site", "session__organisation")
            .select_related("learner")
            .get(pk=pk)
        )
        session = locked.session
        if actor is not None and not permissions.can_request(
            actor, locked, session.organisation_id
        ):
            raise PermissionDenied(_("Vous ne pouvez pas obtenir cette attestation."))
        existing = Attestation.objects.valid().filter(enrolment=locked).first()
        if existing is not None:
            return existing
        if locked.status not in ATTESTABLE:
            raise ValidationError(
                _("Une attestation n'est délivrée qu'après la session, pour une présence encodée."),
                code="not_attestable",
            )
        issuer = actor.user if actor is not None else None
        values = _snapshot(locked, issuer)
        if values["hours_attended"] == Decimal(0):
            raise ValidationError(
                _("Aucune présence n'est encodée pour cette inscription."), code="not_attestable"
            )
        try:
            with transaction.atomic():
                attestation = Attestation.objects.create(
                    enrolment=locked,
                    organisation=session.organisation,
                    session=session,
                    learner=locked.learner,
                    issued_by=issuer,
                    **values,
                )
        except IntegrityError:  # issued meanwhile by another worker (last line of defence)
            return Attestation.objects.valid().get(enrolment=locked)
        audit.record(
            "attestation.issue",
            actor=issuer,
            organisation=session.organisation,
            obj=attestation,
            changes={"enrolment": locked.pk, "hours": str(values["hours_attended"])},
        )
    return attestation


def issue_session_attestations(*, actor: Actor, session: Session) -> list[Attestation]:
    """Issue the missing attestations of a session (coordinator), all or nothing."""
    require_role(actor, session.organisation_id, permissions.ATTESTATION_MANAGERS)
    from parcours.documents.querysets import attestable_enrolments

    with transaction.atomic():
        return [
            issue_attestation(actor=actor, enrolment=enrolment.pk)
            for enrolment in attestable_enrolments(session)
        ]


def revoke_attestation(*, actor: Actor, attestation: Attestation, reason: str) -> Attestation:
    """Withdraw an attestation: its verification page says so from now on."""
    require_role(actor, attestation.organisation_id, permissions.ATTESTATION_MANAGERS)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": [_("Indiquez le motif de la révocation.")]})
    with transaction.atomic():
        attestation = Attestation.objects.select_for_update().get(pk=attestation.pk)
        if attestation.revoked_at is not None:
            raise ValidationError(_("Cette attestation est déjà révoquée."), code="state")
        attestation.revoked_at = timezone.now()
        attestation.revoked_by = actor.user
        attestation.revoked_reason = reason[:300]
        attestation.save(update_fields=["revoked_at", "revoked_by", "revoked_reason"])
        audit.record(
            "attestation.revoke",
            actor=actor.user,
            organisation=attestation.organisation,
            obj=attestation,
            changes={"reason": attestation.revoked_reason},
        )
    return attestation


# --- Calendar subscriptions ---------------------------------------------------------------


def create_calendar_feed(
    *, actor: Actor, kind: str, site: Site | None = None
) -> tuple[CalendarFeed, str]:
    """A new secret address for an agenda (the previous one, if any, stops working).

    Returns the feed and its token: the token is not stored (only its SHA-256), so this is
    the only moment it can be shown.
    """
    if kind not in CalendarFeed.Kind.values:
        raise ValidationError({"kind": [_("Agenda inconnu.")]})
    if kind == CalendarFeed.Kind.SITE:
        if site is None:
            raise ValidationError({"site": [_("Choisissez un site.")]})
        require_role(actor, site.organisation_id, permissions.SITE_FEED_MANAGERS)
        organisation: Organisation | None = site.organisation
    else:
        site = None
        organisation = None
        if kind == CalendarFeed.Kind.TRAINER and not (
            actor.is_platform_admin or permissions.is_trainer(actor)
        ):
            raise PermissionDenied(_("Cet agenda est réservé aux formateurs."))
    token = CalendarFeed.new_token()
    now = timezone.now()
    with transaction.atomic():
        previous = CalendarFeed.objects.active().filter(kind=kind)
        previous = (
            previous.filter(site=site)
            if site is not None
            else previous.filter(user=actor.user, site__isnull=True)
        )
        revoked = previous.select_for_update().update(revoked_at=now)
        feed = CalendarFeed.objects.create(
            kind=kind, user=actor.user, site=site, token_hash=hash_token(token), created_at=now
        )
        audit.record(
            "calendar_feed.create",
            actor=actor.user,
            organisation=organisation,
            obj=feed,
            changes={"kind": kind, "site": site.pk if site else None, "replaced": revoked},
        )
    return feed, token


def revoke_calendar_feed(*, actor: Actor, feed: CalendarFeed) -> CalendarFeed:
    if feed.site is not None:
        require_role(actor, feed.site.organisation_id, permissions.SITE_FEED_MANAGERS)
    elif feed.user_id != actor.user.pk and not actor.is_platform_admin:
        raise PermissionDenied(_("Cet agenda n'est pas le vôtre."))
    with transaction.atomic():
        updated = CalendarFeed.objects.filter(pk=feed.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if updated:
            audit.record(
                "calendar_feed.revoke",
                actor=actor.user,
                organisation=feed.site.organisation if feed.site else None,
                obj=feed,
            )
    feed.refresh_from_db()
    return feed


FEED_TOUCH_EVERY = dt.timedelta(hours=1)


def mark_feed_used(feed: CalendarFeed, now: dt.datetime | None = None) -> None:
    """Remember when a calendar application last fetched the feed (at most one write an hour)."""
    now = now or timezone.now()
    if feed.last_used_at is None or now - feed.last_used_at >= FEED_TOUCH_EVERY:
        CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
        feed.last_used_at = now


# --- Messages' bookkeeping ------------------------------------------------------------------


def session_calendar_changed(session_id: int, slot_count: int) -> tuple[int, int]:
    """A session's events changed: increment its SEQUENCE and remember how many events it
    has now. Returns (events announced before, new sequence)."""
    with transaction.atomic():
        row, created = SessionCalendar.objects.select_for_update().get_or_create(
            session_id=session_id, defaults={"announced_slots": slot_count, "sequence": 1}
        )
        if created:
            return slot_count, 1
        before = row.announced_slots
        SessionCalendar.objects.filter(pk=row.pk).update(
            sequence=F("sequence") + 1, announced_slots=max(slot_count, 0)
        )
        row.refresh_from_db()
        return before, row.sequence


def note_announced(session_id: int, slot_count: int) -> None:
    """Events were sent for this session: keep the highest number of slots announced."""
    row, created = SessionCalendar.objects.get_or_create(
        session_id=session_id, defaults={"announced_slots": slot_count}
    )
    if not created and row.announced_slots < slot_count:
        SessionCalendar.objects.filter(pk=row.pk, announced_slots__lt=slot_count).update(
            announced_slots=slot_count
        )


def claim_reminder(enrolment: Enrolment, session_start: dt.datetime) -> bool:
    """Record that the reminder for this start is being sent. False if it already was.
    Call it inside the transaction that sends (the enrolment row locked)."""
    from parcours.documents.models import ReminderSent

    if ReminderSent.objects.filter(enrolment=enrolment, session_start=session_start).exists():
        return False
    try:
        with transaction.atomic():
            ReminderSent.objects.create(enrolment=enrolment, session_start=session_start)
    except IntegrityError:
        return False
    return True
