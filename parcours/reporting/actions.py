"""Reporting's few writes: the historical baseline an organisation types once, and networks
(administered by the platform operator). Figures themselves are never stored."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.reporting.models import MAX_BASELINE, Network, OutreachBaseline
from parcours.scheduling.models import Resource


def set_outreach_baseline(
    *,
    actor: Actor | None,
    organisation: Organisation,
    pupils: int,
    unit: Resource | None = None,
    since: int | None = None,
    note: str = "",
) -> OutreachBaseline:
    """Record (or correct) the pupils reached before Parcours, for a unit or the organisation.

    ``actor=None`` is the demo loader / a command."""
    if actor is not None:
        require_role(actor, organisation, (Role.ADMINISTRATOR,))
    if unit is not None and (
        unit.organisation_id != organisation.pk or unit.kind != Resource.Kind.MOBILE_UNIT
    ):
        raise ValidationError({"unit": _("Choisissez une unité mobile de l'organisation.")})
    if not 0 <= pupils <= MAX_BASELINE:
        raise ValidationError(
            {"pupils": _("Indiquez un nombre d'élèves entre 0 et %(max)s.") % {"max": MAX_BASELINE}}
        )
    if since is not None and not 1900 <= since <= 2100:
        raise ValidationError({"since": _("Indiquez une année entre 1900 et 2100.")})
    with transaction.atomic():
        baseline, created = OutreachBaseline.objects.select_for_update().get_or_create(
            organisation=organisation,
            unit=unit,
            defaults={"pupils": pupils, "since": since, "note": note[:300]},
        )
        if not created:
            baseline.pupils, baseline.since, baseline.note = pupils, since, note[:300]
            baseline.save(update_fields=["pupils", "since", "note", "updated_at"])
        audit.record(
            "reporting.baseline",
            actor=actor.user if actor else None,
            obj=baseline,
            organisation=organisation,
            changes={"pupils": pupils, "since": since, "unit": unit.pk if unit else None},
        )
    return baseline


def _require_operator(actor: Actor | None) -> None:
    if actor is not None and not actor.is_platform_admin:
        raise PermissionDenied(_("Seul l'opérateur de la plateforme gère les réseaux."))


def create_network(
    *,
    actor: Actor | None,
    name: str,
    organisations: list[Organisation],
    members: list[User] | None = None,
    description: str = "",
) -> Network:
    """A network of organisations whose summed figures its members may read (operator only)."""
    _require_operator(actor)
    name = name.strip()
    if not name or len(name) > 200:
        raise ValidationError({"name": _("Donnez au réseau un nom de 1 à 200 caractères.")})
    with transaction.atomic():
        if Network.objects.filter(name=name).exists():
            raise ValidationError({"name": _("Un réseau porte déjà ce nom.")})
        network = Network.objects.create(name=name, description=description)
        network.organisations.set(organisations)
        network.members.set(members or [])
        audit.record(
            "reporting.network",
            actor=actor.user if actor else None,
            obj=network,
            changes={
                "organisations": sorted(o.pk for o in organisations),
                "members": sorted(u.pk for u in members or []),
            },
        )
    return network


def save_network(
    *,
    actor: Actor | None,
    network: Network,
    organisations: list[Organisation],
    members: list[User],
) -> Network:
    """Save a network edited in the admin (its fields already set) with its organisations and
    readers, in one transaction (operator only)."""
    _require_operator(actor)
    with transaction.atomic():
        network.full_clean(exclude=["organisations", "members"])
        network.save()
        network.organisations.set(organisations)
        network.members.set(members)
        audit.record(
            "reporting.network",
            actor=actor.user if actor else None,
            obj=network,
            changes={
                "organisations": sorted(o.pk for o in organisations),
                "members": sorted(u.pk for u in members),
            },
        )
    return network


# The yearly activity report's writes (a ReportJob asked for, then produced by its task).
from parcours.reporting.jobs import produce_report, request_report  # noqa: E402, F401
