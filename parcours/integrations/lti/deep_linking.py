"""The deep-linking answer: the content item a teacher picked, signed with the organisation's
tool key (pylti1p3's DeepLink), for the platform's return URL."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem
from pylti1p3.registration import Registration

from parcours.accounts.models import Organisation
from parcours.integrations.lti import targets


def chosen(choice: str, organisation: Organisation) -> tuple[targets.Target, str]:
    """(target, title) of a ``kind:id`` choice of the organisation; ValidationError else."""
    kind, _sep, raw = choice.partition(":")
    target = targets.parse({"parcours_type": kind, "parcours_id": raw})
    resolved = targets.resolve(target, organisation) if target else None
    if target is None or resolved is None:
        raise ValidationError(_("Choisissez un module, un parcours ou une session de la liste."))
    obj = resolved[1]
    title = obj.title_fr if hasattr(obj, "title_fr") else str(obj)
    return target, str(title)[:200]


def response_jwt(
    registration: Registration,
    deployment_id: str,
    settings: dict[str, Any],
    picked: tuple[targets.Target, str],
    *,
    launch_url: str,
) -> str:
    target, title = picked
    resource = (
        DeepLinkResource()
        .set_url(launch_url)
        .set_title(title)
        .set_custom_params({"parcours_type": target.kind, "parcours_id": str(target.id)})
    )
    if target.kind == "module":
        resource.set_lineitem(
            LineItem().set_tag(f"parcours-module-{target.id}").set_label(title).set_score_maximum(1)
        )
    return DeepLink(registration, deployment_id, settings).get_response_jwt([resource])  # type: ignore[arg-type]
