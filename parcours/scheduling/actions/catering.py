"""Catering lines of a booking and the catering items of an organisation."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.lib.dates import format_datetime
from parcours.lib.ids import MAX_ID
from parcours.lib.transactions import write_transaction
from parcours.scheduling import core, planning
from parcours.scheduling.actions.base import CateringRequest, _get_open
from parcours.scheduling.bounds import MAX_COUNT
from parcours.scheduling.models import (
    Booking,
    CateringItem,
    CateringLine,
    SitePolicy,
)
from parcours.scheduling.permissions import (
    can_change,
    is_logistics,
    require_logistics,
)
from parcours.scheduling.states import OPEN

# --- Catering ----------------------------------------------------------------------------------


def catering_cutoff(booking: Booking) -> dt.datetime:
    """The moment after which the catering of a booking can no longer be changed (by default
    the day before at 10:00, local time; per site in ``SitePolicy``)."""
    policy = SitePolicy.objects.filter(site_id=booking.site_id).first()
    days = policy.catering_cutoff_days if policy else 1
    at = policy.catering_cutoff_time if policy else dt.time(10, 0)
    day = planning.local_day(booking.start) - dt.timedelta(days=days)
    return core.local_datetime(day, at, planning.TZ)


def _resolve_catering(
    organisation_id: int, lines: Sequence[CateringRequest]
) -> list[tuple[CateringItem, CateringRequest]]:
    out: list[tuple[CateringItem, CateringRequest]] = []
    seen: set[int] = set()
    for line in lines:
        if line.count < 0:
            raise ValidationError({"catering": [_("Les quantités doivent être positives.")]})
        if line.count > MAX_COUNT:
            raise ValidationError({"catering": [_("Au plus 10 000 portions par article.")]})
        if isinstance(line.item, int) and not 1 <= line.item <= MAX_ID:
            raise ValidationError({"catering": [_("Article de catering inconnu.")]})
        item = line.item
        if not isinstance(item, CateringItem):
            qs = CateringItem.objects.filter(organisation_id=organisation_id, is_active=True)
            found = (
                qs.filter(pk=item).first()
                if isinstance(item, int)
                else qs.filter(slug=item).first()
            )
            if found is None:
                raise ValidationError({"catering": [_("Article de catering inconnu.")]})
            item = found
        elif item.organisation_id != organisation_id:
            raise ValidationError({"catering": [_("Article de catering inconnu.")]})
        if item.pk in seen:
            raise ValidationError({"catering": [_("Un article figure deux fois.")]})
        seen.add(item.pk)
        out.append((item, line))
    return out


def _write_catering(
    booking: Booking, lines: Sequence[tuple[CateringItem, CateringRequest]]
) -> None:
    booking.catering_lines.all().delete()
    CateringLine.objects.bulk_create(
        [
            CateringLine(
                booking=booking,
                item=item,
                count=line.count,
                serve_at=line.serve_at,
                note=line.note[:200],
            )
            for item, line in lines
            if line.count > 0
        ]
    )


def set_catering(
    *, actor: Actor, booking: Booking | int, lines: Sequence[CateringRequest]
) -> Booking:
    """Replace the catering lines of an open booking. Refused after the cut-off, except for
    logistics (who phone the caterer)."""
    with write_transaction():
        booking = _get_open(booking)
        if not can_change(actor, booking):
            raise PermissionDenied(_("Vous ne pouvez pas modifier cette réservation."))
        if booking.status not in OPEN:
            raise ValidationError(_("Cette réservation n'est plus modifiable."))
        cutoff = catering_cutoff(booking)
        if timezone.now() > cutoff and not is_logistics(actor, booking.organisation_id):
            raise ValidationError(
                {
                    "catering": [
                        _("Le catering ne peut plus être modifié depuis le %(when)s.")
                        % {"when": format_datetime(cutoff, "medium")}
                    ]
                }
            )
        resolved = _resolve_catering(booking.organisation_id, lines)
        _write_catering(booking, resolved)
        audit.record(
            "booking.catering",
            actor=actor.user,
            organisation=booking.organisation,
            obj=booking,
            changes={"lines": {item.slug: line.count for item, line in resolved}},
        )
    return booking


@transaction.atomic
def create_catering_item(
    *, actor: Actor, organisation: Organisation, slug: str, label_fr: str, label_en: str = ""
) -> CateringItem:
    require_logistics(actor, organisation)
    label_fr, slug = label_fr.strip(), slug.strip()
    if not label_fr or not slug:
        raise ValidationError({"label_fr": [_("Donnez un nom à l'article.")]})
    item, _created = CateringItem.objects.update_or_create(
        organisation=organisation,
        slug=slug,
        defaults={"label_fr": label_fr, "label_en": label_en, "is_active": True},
    )
    audit.record("catering_item.save", actor=actor.user, organisation=organisation, obj=item)
    return item


@transaction.atomic
def set_catering_item_active(*, actor: Actor, item: CateringItem, active: bool) -> CateringItem:
    """Offer an item again, or stop offering it (lines already ordered stay as they are)."""
    require_logistics(actor, item.organisation_id)
    item.is_active = active
    item.save(update_fields=["is_active"])
    audit.record(
        "catering_item.active",
        actor=actor.user,
        organisation=item.organisation,
        obj=item,
        changes={"is_active": active},
    )
    return item
