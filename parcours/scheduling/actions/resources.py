"""Features, resources, opening hours, closures, site policy, calendar feed tokens (logistics)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts import audit
from parcours.accounts.models import Organisation, Site
from parcours.accounts.permissions import Actor
from parcours.scheduling.bounds import MAX_CUTOFF_DAYS, check_buffer, check_count, check_date
from parcours.scheduling.models import (
    ClosurePeriod,
    Feature,
    OpeningHours,
    Resource,
    SitePolicy,
)
from parcours.scheduling.permissions import (
    require_site_admin,
)

# --- Resources, calendars, site policy (logistics) ------------------------------------------


def _features(slugs: Iterable[str]) -> list[Feature]:
    wanted = sorted(set(slugs))
    found = list(Feature.objects.filter(slug__in=wanted))
    if len(found) != len(wanted):
        unknown = sorted(set(wanted) - {f.slug for f in found})
        raise ValidationError(
            {"features": [_("Équipement inconnu : %(slugs)s.") % {"slugs": ", ".join(unknown)}]}
        )
    return found


@transaction.atomic
def create_feature(*, actor: Actor, slug: str, label_fr: str, label_en: str = "") -> Feature:
    """A new equipment tag (shared by all organisations): logistics of any organisation."""
    if not (actor.is_platform_admin or actor.orgs_with_role("logistics")):
        raise PermissionDenied(_("Réservé à la logistique."))
    feature, _created = Feature.objects.get_or_create(
        slug=slug, defaults={"label_fr": label_fr, "label_en": label_en}
    )
    audit.record("feature.create", actor=actor.user, obj=feature)
    return feature


RESOURCE_FIELDS = (
    "kind",
    "name",
    "code",
    "description",
    "location",
    "capacity",
    "accessible",
    "inventory_number",
    "is_active",
    "requires_approval",
    "setup_minutes",
    "cleanup_minutes",
)


def _check_resource(resource: Resource) -> None:
    check_count(resource.capacity, "capacity", minimum=1)
    check_buffer(resource.setup_minutes, "setup_minutes")
    check_buffer(resource.cleanup_minutes, "cleanup_minutes")
    if resource.kind == Resource.Kind.ROOM and not resource.capacity:
        raise ValidationError({"capacity": [_("Indiquez la capacité de la salle.")]})
    if not resource.name.strip() or not resource.code.strip():
        raise ValidationError({"name": [_("Le nom et le code sont obligatoires.")]})
    clash = Resource.objects.filter(
        organisation_id=resource.organisation_id, code=resource.code
    ).exclude(pk=resource.pk)
    if clash.exists():
        raise ValidationError({"code": [_("Ce code est déjà utilisé.")]})


@transaction.atomic
def create_resource(
    *,
    actor: Actor,
    site: Site,
    name: str,
    code: str,
    kind: str = Resource.Kind.ROOM,
    features: Iterable[str] = (),
    **fields: Any,
) -> Resource:
    require_site_admin(actor, site.organisation_id)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")
    resource = Resource(
        organisation_id=site.organisation_id,
        site=site,
        name=name.strip(),
        code=code.strip(),
        kind=kind,
        **fields,
    )
    _check_resource(resource)
    resource.save()
    resource.features.set(_features(features))
    SitePolicy.objects.get_or_create(site=site)
    audit.record("resource.create", actor=actor.user, organisation=site.organisation, obj=resource)
    return resource


@transaction.atomic
def update_resource(
    *,
    actor: Actor,
    resource: Resource,
    site: Site | None = None,
    features: Iterable[str] | None = None,
    **fields: Any,
) -> Resource:
    require_site_admin(actor, resource.organisation_id)
    unknown = set(fields) - set(RESOURCE_FIELDS)
    if unknown:
        raise TypeError(f"unknown resource fields: {sorted(unknown)}")
    changes: dict[str, Any] = {}
    for name, value in fields.items():
        if getattr(resource, name) != value:
            changes[name] = str(value)
            setattr(resource, name, value)
    if site is not None and site.pk != resource.site_id:
        if site.organisation_id != resource.organisation_id:
            raise ValidationError({"site": [_("Site inconnu.")]})
        if resource.reservations.active().filter(blocked_end__gt=timezone.now()).exists():
            raise ValidationError(
                {"site": [_("Cette ressource a des réservations à venir : déplacez-les d'abord.")]}
            )
        resource.site = site
        changes["site"] = site.slug
    _check_resource(resource)
    resource.save()
    if features is not None:
        resource.features.set(_features(features))
        changes["features"] = sorted(features)
    audit.record(
        "resource.update",
        actor=actor.user,
        organisation=resource.organisation,
        obj=resource,
        changes=changes,
    )
    return resource


@transaction.atomic
def set_opening_hours(
    *, actor: Actor, site: Site, hours: Mapping[int, tuple[dt.time, dt.time] | None]
) -> list[OpeningHours]:
    """Set the opening hours of the weekdays given (None = closed that day)."""
    require_site_admin(actor, site.organisation_id)
    for weekday, span in hours.items():
        if not 0 <= weekday <= 6:
            raise ValidationError({"weekday": [_("Jour inconnu.")]})
        if span is not None and span[1] <= span[0]:
            raise ValidationError(
                {
                    "hours": [
                        _("La fermeture doit suivre l'ouverture (%(day)s).")
                        % {"day": OpeningHours.Weekday(weekday).label}
                    ]
                }
            )
    for weekday, span in hours.items():
        if span is None:
            OpeningHours.objects.filter(site=site, weekday=weekday).delete()
        else:
            OpeningHours.objects.update_or_create(
                site=site, weekday=weekday, defaults={"opens": span[0], "closes": span[1]}
            )
    audit.record(
        "site.opening_hours",
        actor=actor.user,
        organisation=site.organisation,
        obj=site,
        changes={str(k): (f"{v[0]:%H:%M}-{v[1]:%H:%M}" if v else None) for k, v in hours.items()},
    )
    return list(OpeningHours.objects.filter(site=site))


@transaction.atomic
def add_closure(
    *, actor: Actor, site: Site, start: dt.date, end: dt.date, kind: str, reason: str = ""
) -> ClosurePeriod:
    """A closed day or period, or school holidays (recurring bookings skip them)."""
    require_site_admin(actor, site.organisation_id)
    check_date(start, "start")
    check_date(end, "end")
    if end < start:
        raise ValidationError({"end": [_("La date de fin doit suivre la date de début.")]})
    if kind not in ClosurePeriod.Kind.values:
        raise ValidationError({"kind": [_("Type inconnu.")]})
    closure = ClosurePeriod.objects.create(
        site=site, start=start, end=end, kind=kind, reason=reason.strip()[:200]
    )
    audit.record("site.closure_add", actor=actor.user, organisation=site.organisation, obj=closure)
    return closure


@transaction.atomic
def remove_closure(*, actor: Actor, closure: ClosurePeriod) -> None:
    site = closure.site
    require_site_admin(actor, site.organisation_id)
    audit.record(
        "site.closure_remove", actor=actor.user, organisation=site.organisation, obj=closure
    )
    closure.delete()


POLICY_FIELDS = (
    "accepts_external_requests",
    "catering_cutoff_days",
    "catering_cutoff_time",
    "wifi_name",
    "wifi_password",
    "lobby_message",
)


@transaction.atomic
def update_site_policy(*, actor: Actor, site: Site, **fields: Any) -> SitePolicy:
    require_site_admin(actor, site.organisation_id)
    unknown = set(fields) - set(POLICY_FIELDS)
    if unknown:
        raise TypeError(f"unknown policy fields: {sorted(unknown)}")
    cutoff = fields.get("catering_cutoff_days")
    if cutoff is not None and not 0 <= cutoff <= MAX_CUTOFF_DAYS:
        raise ValidationError({"catering_cutoff_days": [_("Indiquez entre 0 et 60 jours.")]})
    policy, _created = SitePolicy.objects.get_or_create(site=site)
    for name, value in fields.items():
        setattr(policy, name, value)
    policy.save()
    audit.record(
        "site.policy",
        actor=actor.user,
        organisation=site.organisation,
        obj=site,
        changes={k: str(v) for k, v in fields.items() if k != "wifi_password"},
    )
    return policy


@transaction.atomic
def rotate_feed_token(*, actor: Actor, target: Resource | SitePolicy) -> str:
    """A new secret URL for a calendar feed (the old one stops working)."""
    from parcours.scheduling.models import new_token

    organisation_id = (
        target.organisation_id if isinstance(target, Resource) else target.site.organisation_id
    )
    require_site_admin(actor, organisation_id)
    target.feed_token = new_token()
    target.save(update_fields=["feed_token"])
    audit.record("feed.rotate", actor=actor.user, obj=target)
    return target.feed_token


# --- Sites (administrators and logistics of the organisation) ------------------------------

SITE_FIELDS = ("name", "street", "postcode", "city", "access_notes")


def _check_site_fields(
    organisation: Organisation, fields: dict[str, str], site: Site | None
) -> dict[str, str]:
    clean = {k: (fields.get(k) or "").strip() for k in SITE_FIELDS}
    if not clean["name"]:
        raise ValidationError({"name": [_("Indiquez le nom du site.")]})
    if not clean["city"]:
        raise ValidationError({"city": [_("Indiquez la localité du site.")]})
    same_name = Site.objects.filter(organisation=organisation, slug=slugify(clean["name"])[:60])
    if site is not None:
        same_name = same_name.exclude(pk=site.pk)
    if same_name.exists():
        raise ValidationError({"name": [_("L'organisation a déjà un site de ce nom.")]})
    return clean


@transaction.atomic
def add_site(*, actor: Actor, organisation: Organisation, **fields: str) -> Site:
    """A new site of the organisation (through ``accounts.actions.create_site``), with its
    booking rules and lobby screen settings ready to fill in."""
    require_site_admin(actor, organisation.pk)
    clean = _check_site_fields(organisation, fields, None)
    site = account_actions.create_site(
        organisation=organisation,
        actor=actor.user,
        name=clean["name"],
        city=clean["city"],
        street=clean["street"],
        postcode=clean["postcode"],
        access_notes=clean["access_notes"],
    )
    SitePolicy.objects.get_or_create(site=site)
    return site


@transaction.atomic
def update_site(*, actor: Actor, site: Site, **fields: str) -> Site:
    """Change a site's name and address (its identifier in addresses stays the same)."""
    require_site_admin(actor, site.organisation_id)
    locked = Site.objects.select_for_update().get(pk=site.pk)
    clean = _check_site_fields(locked.organisation, fields, locked)
    before = {k: getattr(locked, k) for k in SITE_FIELDS}
    for name, value in clean.items():
        setattr(locked, name, value)
    locked.save(update_fields=list(SITE_FIELDS))
    audit.record(
        "site.update",
        actor=actor.user,
        organisation=locked.organisation,
        obj=locked,
        changes={k: v for k, v in clean.items() if before[k] != v},
    )
    return locked
