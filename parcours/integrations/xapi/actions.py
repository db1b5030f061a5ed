"""Every write of the xAPI part: the LRS configuration, its connection test, the retry of
failed statements and the flush of the outbox."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import requests
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import Actor, require_role
from parcours.integrations.models import LrsConfig, XapiStatement
from parcours.integrations.xapi import delivery
from parcours.integrations.xapi.delivery import SECRET_PURPOSE, Report
from parcours.lib.sealed import UnsealError, seal

ADMINS = (Role.ADMINISTRATOR,)
S = XapiStatement.Status


@dataclass(frozen=True)
class LrsData:
    endpoint: str
    key: str
    secret: str = ""  # empty: keep the stored one
    enabled: bool = False


def _clean(data: LrsData, existing: LrsConfig | None) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    parts = urlsplit(data.endpoint.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname or len(data.endpoint) > 300:
        errors["endpoint"] = [_("Indiquez l'adresse http(s) de base xAPI du LRS.")]
    elif parts.username or parts.password or parts.query or parts.fragment:
        errors["endpoint"] = [
            _("L'adresse ne doit contenir ni identifiant, ni paramètres : seulement l'adresse.")
        ]
    key = data.key.strip()
    if not key or len(key) > 200 or any(ord(c) < 32 for c in key) or ":" in key:
        errors["key"] = [_("Indiquez l'identifiant (sans « : », 200 caractères au plus).")]
    if len(data.secret) > 500 or any(ord(c) < 32 for c in data.secret):
        errors["secret"] = [_("Le secret ne peut pas dépasser 500 caractères.")]
    elif not data.secret and (existing is None or not existing.has_secret):
        errors["secret"] = [_("Indiquez le secret (mot de passe) fourni par le LRS.")]
    return errors


def save_config(*, actor: Actor, organisation: Organisation, data: LrsData) -> LrsConfig:
    """Create or change the organisation's LRS. The secret is stored sealed; an empty secret
    keeps the stored one."""
    require_role(actor, organisation, ADMINS)
    with transaction.atomic():
        config = LrsConfig.objects.select_for_update().filter(organisation=organisation).first()
        errors = _clean(data, config)
        if errors:
            raise ValidationError(errors)
        created = config is None
        if config is None:
            config = LrsConfig(organisation=organisation)
        changed_endpoint = config.endpoint != data.endpoint.strip()
        config.endpoint = data.endpoint.strip()
        config.key = data.key.strip()
        config.enabled = data.enabled
        if data.secret:
            config.sealed_secret = seal(data.secret, purpose=SECRET_PURPOSE)
        if data.secret or changed_endpoint:
            config.checked_at, config.check_ok, config.check_message = None, None, ""
        config.save()
        audit.record(
            "integrations.xapi.configure",
            actor=actor.user,
            organisation=organisation,
            obj=config,
            changes={
                "created": created,
                "endpoint": config.endpoint,
                "enabled": config.enabled,
                "secret_changed": bool(data.secret),
            },
        )
    if config.enabled:
        transaction.on_commit(lambda: _queue(organisation.pk))
    return config


def _queue(organisation_id: int) -> None:
    from parcours.integrations.xapi.outbox import _queue as queue

    queue(organisation_id)


@dataclass(frozen=True)
class Check:
    ok: bool
    message: str


def _probe(config: LrsConfig) -> Check:
    try:
        session = delivery.client(config)
    except UnsealError:
        return Check(
            False, _("Le secret enregistré ne peut plus être lu : saisissez-le à nouveau.")
        )
    with session:
        try:
            about = session.get(config.about_url(), timeout=delivery.TIMEOUT)
            if about.status_code == 200:
                versions = about.json().get("version", []) if about.content else []
                return Check(
                    True,
                    _("Connexion réussie. Versions xAPI annoncées : %(versions)s.")
                    % {"versions": ", ".join(map(str, versions)) or "?"},
                )
            # /about is required by xAPI but not served by every LRS (Ralph): try statements.
            probe = session.get(
                config.statements_url(), params={"limit": 1}, timeout=delivery.TIMEOUT
            )
        except (requests.RequestException, ValueError) as exc:
            return Check(
                False,
                _("Le LRS ne répond pas : %(cause)s")
                % {"cause": delivery.excerpt(f"{type(exc).__name__}: {exc}", 200)},
            )
    if probe.status_code == 200:
        return Check(True, _("Connexion réussie : le LRS accepte ces identifiants."))
    if probe.status_code == 403:
        return Check(
            True,
            _("Connexion réussie : identifiants acceptés (sans droit de lecture, ce qui suffit)."),
        )
    if probe.status_code == 401:
        return Check(False, _("Le LRS refuse ces identifiants (HTTP 401)."))
    return Check(
        False,
        _("Réponse inattendue du LRS : HTTP %(status)s %(body)s")
        % {"status": probe.status_code, "body": delivery.excerpt(probe.text, 200)},
    )


def test_connection(*, actor: Actor, organisation: Organisation) -> Check:
    """Try the LRS with the stored address and identifiers (GET …/about, else a read of one
    statement) and remember the answer on the configuration."""
    require_role(actor, organisation, ADMINS)
    config = LrsConfig.objects.filter(organisation=organisation).first()
    if config is None:
        raise ValidationError(_("Aucun LRS n'est configuré pour cette organisation."))
    check = _probe(config)
    LrsConfig.objects.filter(pk=config.pk).update(
        checked_at=timezone.now(), check_ok=check.ok, check_message=check.message[:500]
    )
    return check


def retry_failed(*, actor: Actor, organisation: Organisation, ids: list[int] | None = None) -> int:
    """Put failed statements (all, or those of ``ids``) back in the queue, due now; returns how
    many. Sending starts at once when the LRS is enabled."""
    require_role(actor, organisation, ADMINS)
    failed = XapiStatement.objects.filter(organisation=organisation, status=S.FAILED)
    if ids is not None:
        failed = failed.filter(pk__in=ids)
    with transaction.atomic():
        count = failed.update(
            status=S.PENDING, attempts=0, next_attempt_at=timezone.now(), last_error=""
        )
        if count:
            audit.record(
                "integrations.xapi.retry",
                actor=actor.user,
                organisation=organisation,
                changes={"statements": count},
            )
        enabled = LrsConfig.objects.filter(organisation=organisation, enabled=True).exists()
        if count and enabled:
            transaction.on_commit(lambda: _queue(organisation.pk))
    return count


def flush(organisation_id: int, *, batch_size: int = delivery.BATCH_SIZE) -> Report:
    """Send what is due now (the task, ``manage.py send_xapi`` and the page's button)."""
    report = delivery.deliver(organisation_id, batch_size=batch_size)
    if report.next_attempt_at is not None:
        _schedule(organisation_id, report)
    return report


def _schedule(organisation_id: int, report: Report) -> None:
    """Queue the next attempt at the back-off time when the task backend can wait (a worker);
    otherwise (tasks run inline) the next ``send_xapi`` or event will retry."""
    from parcours.integrations.xapi.tasks import send_statements

    if send_statements.get_backend().supports_defer:
        send_statements.using(run_after=report.next_attempt_at).enqueue(organisation_id)


def send_now(*, actor: Actor, organisation: Organisation) -> Report:
    """The administrator's "send now": what is due, now (refused while sending is off)."""
    require_role(actor, organisation, ADMINS)
    if not LrsConfig.objects.filter(organisation=organisation, enabled=True).exists():
        raise ValidationError(_("L'envoi au LRS est désactivé : activez-le d'abord."))
    return flush(organisation.pk)
