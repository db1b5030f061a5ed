"""The xAPI card of the integrations page."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from parcours.accounts.models import Organisation
from parcours.integrations import panels
from parcours.integrations.models import LrsConfig, XapiStatement


def summary(organisation: Organisation) -> str:
    config = LrsConfig.objects.filter(organisation=organisation).first()
    if config is None:
        return _("Aucun LRS configuré.")
    failed = XapiStatement.objects.filter(
        organisation=organisation, status=XapiStatement.Status.FAILED
    ).count()
    state = _("LRS activé") if config.enabled else _("LRS désactivé")
    if failed:
        return _("%(state)s ; %(failed)d trace(s) en échec.") % {"state": state, "failed": failed}
    return str(state) + "."


def register() -> None:
    panels.register(
        panels.Panel(
            key="xapi",
            title=gettext_lazy("Traces xAPI (LRS)"),
            description=gettext_lazy(
                "Envoyer inscriptions, présences, achèvements et badges à l'entrepôt "
                "d'apprentissage (LRS) de l'organisation."
            ),
            url_name="integrations:xapi:home",
            summary=summary,
        )
    )
