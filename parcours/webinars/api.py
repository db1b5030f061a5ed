"""Webinar API, for the organisation's coordinators: its webinars, the minutes imported for
one webinar, the replays' viewing hours over a period, and the participant report import
(upload → preview, then confirm: the same actions and rules as the pages)."""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Q, Sum
from django.http import HttpRequest
from django.utils import timezone
from ninja import File, Form, Path, Query, Router, Status
from ninja.errors import HttpError
from ninja.files import UploadedFile

from parcours.accounts.api import token_auth
from parcours.accounts.api_scope import chosen_organisation
from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import Actor
from parcours.lib.ids import MAX_ID
from parcours.webinars import actions
from parcours.webinars.models import (
    ParticipantMinutes,
    Provider,
    Replay,
    ReplayView,
    ReportUpload,
    Webinar,
)
from parcours.webinars.report import reasons
from parcours.webinars.schemas import (
    AttendanceOut,
    ReportConfirmIn,
    ReportConfirmOut,
    ReportPreviewOut,
    ViewingHoursOut,
    WebinarOut,
)

router = Router(tags=["webinars"])
MAX_ROWS = 500


def _actor(request: HttpRequest) -> Actor:
    actor = getattr(request, "actor", None)
    if isinstance(actor, Actor) and actor.user.pk == request.user.pk:
        return actor
    return Actor.of(request.user)  # type: ignore[arg-type]


def _organisation(request: HttpRequest, slug: str | None) -> Organisation:
    """The organisation asked (by slug) among those where the caller coordinates; the only
    one when there is one. 403 when the caller coordinates none; 404 for another."""
    actor = _actor(request)
    orgs = actor.orgs_with_role(Role.COORDINATOR)
    if actor.is_platform_admin and slug:
        orgs = list(Organisation.objects.filter(slug=slug[:100]).values_list("pk", flat=True))
    if not orgs:
        raise HttpError(403, "Réservé aux coordinateurs.")
    return chosen_organisation(orgs, slug)


@router.get(
    "/webinars",
    response=list[WebinarOut],
    auth=token_auth,
    summary="Les webinaires de l'organisation (les plus récents d'abord)",
)
def webinar_list(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    limit: int = Query(100, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    org = _organisation(request, organisation)
    webinars = (
        Webinar.objects.filter(organisation=org)
        .select_related("session__module")
        .annotate(report_count=Count("reports"))
        .order_by("-session__starts_at", "-pk")[offset : offset + limit]
    )
    default = actions.presence_percent(Webinar(organisation=org))
    return [
        {
            "id": w.pk,
            "session_id": w.session_id,
            "session_code": w.session.code,
            "title": w.session.title,
            "provider": w.provider,
            "starts_at": w.session.starts_at,
            "ends_at": w.session.ends_at,
            "capacity": w.session.capacity,
            "seats_taken": w.session.seats_taken,
            "presence_percent": w.presence_percent or default,
            "reports": w.report_count,
        }
        for w in webinars
    ]


@router.get(
    "/webinars/{webinar_id}/attendance",
    response=list[AttendanceOut],
    auth=token_auth,
    summary="Les minutes de présence importées pour un webinaire, par personne",
)
def webinar_attendance(
    request: HttpRequest,
    webinar_id: int = Path(..., ge=1, le=MAX_ID),
    organisation: str | None = Query(None, max_length=100),
    limit: int = Query(MAX_ROWS, ge=1, le=MAX_ROWS),
    offset: int = Query(0, ge=0, le=1_000_000),
) -> list[dict[str, Any]]:
    org = _organisation(request, organisation)
    webinar = Webinar.objects.filter(pk=webinar_id, organisation=org).first()
    if webinar is None:
        raise HttpError(404, "Webinaire inconnu.")
    rows = (
        ParticipantMinutes.objects.filter(webinar=webinar)
        .select_related("learner")
        .order_by("pk")[offset : offset + limit]
    )
    return [
        {
            "enrolment_id": m.enrolment_id,
            "learner_id": m.learner_id,
            "email": m.learner.email,
            "minutes": m.minutes,
            "present": m.present,
        }
        for m in rows
    ]


def _hours(seconds: int | None) -> Decimal:
    return (Decimal(seconds or 0) / Decimal(3600)).quantize(Decimal("0.01"), ROUND_HALF_UP)


@router.get(
    "/replays/viewing-hours",
    response=ViewingHoursOut,
    auth=token_auth,
    summary="Heures de rediffusion visionnées sur une période, par rediffusion",
)
def viewing_hours(
    request: HttpRequest,
    organisation: str | None = Query(None, max_length=100),
    first: dt.date | None = None,
    last: dt.date | None = None,
) -> dict[str, Any]:
    org = _organisation(request, organisation)
    last = last or timezone.localdate()
    first = first or dt.date(last.year, 1, 1)
    if last < first:
        raise HttpError(422, "La fin de la période doit suivre son début.")
    if (last - first).days > 366 * 10:
        raise HttpError(422, "Une période de dix ans au plus.")
    in_period = Q(views__viewed_on__gte=first, views__viewed_on__lte=last)
    replays = (
        Replay.objects.filter(organisation=org)
        .annotate(
            player=Sum("views__seconds", filter=in_period & Q(views__source="player")),
            imported=Sum("views__seconds", filter=in_period & Q(views__source="import")),
        )
        .order_by("pk")[:MAX_ROWS]
    )
    total = ReplayView.objects.filter(
        replay__organisation=org, viewed_on__gte=first, viewed_on__lte=last
    ).aggregate(seconds=Sum("seconds"))
    return {
        "organisation": org.slug,
        "first": first,
        "last": last,
        "hours": _hours(total["seconds"]),
        "replays": [
            {
                "replay_id": r.pk,
                "title": r.title,
                "hours_player": _hours(r.player),
                "hours_imported": _hours(r.imported),
            }
            for r in replays
        ],
    }


# --- Participant report import ---------------------------------------------------------------

#: People and ignored rows listed in a preview (the counts cover all of them).
PREVIEW_ROWS = 1000


def _webinar_of(request: HttpRequest, webinar_id: int, slug: str | None) -> Webinar:
    org = _organisation(request, slug)
    webinar = (
        Webinar.objects.filter(pk=webinar_id, organisation=org)
        .select_related("session__organisation", "session__module", "organisation")
        .first()
    )
    if webinar is None:
        raise HttpError(404, "Webinaire inconnu.")
    return webinar


def _messages(exc: ValidationError) -> str:
    return " ".join(str(m) for m in exc.messages)


def _preview_out(found: actions.Preview) -> dict[str, Any]:
    upload, analysis, texts = found.upload, found.analysis, reasons()
    people = analysis.people if analysis is not None else []
    ignored = analysis.ignored if analysis is not None else []
    return {
        "upload_id": upload.pk,
        "filename": upload.filename,
        "provider": upload.provider,
        "recordable": found.recordable,
        "already_imported": found.already_imported is not None,
        "not_ended": found.not_ended,
        "error": str(found.error),
        "error_line": found.error_line,
        "mapping": found.read.mapping(),
        "unknown_columns": found.read.unknown_columns,
        "rows": len(found.read.rows),
        "people_count": len(people),
        "present_count": analysis.present_count if analysis is not None else 0,
        "ignored_count": len(ignored),
        "ignored_by_reason": analysis.ignored_by_reason() if analysis is not None else {},
        "people": [
            {
                "enrolment_id": p.enrolment_id,
                "learner_id": p.learner_id,
                "name": p.name,
                "email": p.email,
                "connections": p.rows,
                "minutes": p.minutes,
                "minutes_before": p.minutes_before,
                "present": analysis is not None and analysis.present(p),
            }
            for p in people[:PREVIEW_ROWS]
        ],
        "ignored": [
            {
                "line": i.line,
                "reason": i.reason,
                "reason_text": str(texts.get(i.reason, i.reason)),
                "detail": i.detail,
                "who": i.who,
            }
            for i in ignored[:PREVIEW_ROWS]
        ],
    }


@router.post(
    "/webinars/{webinar_id}/participant-reports/",
    response={201: ReportPreviewOut},
    auth=token_auth,
    summary="Envoyer un rapport de participation : l'aperçu de ce qui sera enregistré",
    description=(
        "Multipart : `file` (CSV ou Excel, 5 Mo au plus ; UTF-8, UTF-16 de Teams, `;`, `,` ou "
        "tabulation) et `provider` (la plateforme ; par défaut celle du webinaire). Rien n'est "
        "enregistré hormis le fichier : la réponse dit qui sera reconnu (minutes, présent·e) "
        "et quelles lignes seront ignorées et pourquoi (`reason` : no_email, not_registered, "
        "not_on_roll, outside, duplicate, unreadable). `recordable` faux : le fichier est "
        "illisible (`error`), déjà importé (`already_imported`) ou la session n'est pas "
        "terminée (`not_ended`). Confirmer : `POST …/{upload_id}/confirm`. Coordinateurs de "
        "l'organisation."
    ),
)
def report_upload(
    request: HttpRequest,
    file: File[UploadedFile],
    webinar_id: int = Path(..., ge=1, le=MAX_ID),
    provider: str | None = Form(None, max_length=20),
    organisation: str | None = Query(None, max_length=100),
) -> Status[dict[str, Any]]:
    webinar = _webinar_of(request, webinar_id, organisation)
    chosen = provider or webinar.provider
    if chosen not in Provider.values:
        raise HttpError(422, "Plateforme inconnue.")
    if (file.size or 0) > actions.MAX_REPORT_BYTES:
        raise HttpError(413, "Fichier trop volumineux (5 Mo au plus).")
    try:
        upload = actions.upload_report(
            actor=_actor(request),
            webinar=webinar,
            filename=file.name or "",
            content=file.read(actions.MAX_REPORT_BYTES + 1),
            provider=chosen,
        )
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from None
    upload.webinar = webinar
    return Status(201, _preview_out(actions.preview(upload)))


def _upload_of(request: HttpRequest, webinar: Webinar, upload_id: int) -> ReportUpload:
    upload = ReportUpload.objects.filter(
        pk=upload_id, webinar=webinar, uploaded_by_id=request.user.pk
    ).first()
    if upload is None:
        raise HttpError(404, "Aperçu inconnu ou expiré : envoyez le fichier à nouveau.")
    upload.webinar = webinar
    return upload


@router.get(
    "/webinars/{webinar_id}/participant-reports/{upload_id}",
    response=ReportPreviewOut,
    auth=token_auth,
    summary="L'aperçu d'un rapport envoyé (éventuellement avec d'autres colonnes)",
)
def report_preview(
    request: HttpRequest,
    webinar_id: int = Path(..., ge=1, le=MAX_ID),
    upload_id: int = Path(..., ge=1, le=MAX_ID),
    organisation: str | None = Query(None, max_length=100),
) -> dict[str, Any]:
    webinar = _webinar_of(request, webinar_id, organisation)
    try:
        actions.require_report_importer(_actor(request), webinar)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    return _preview_out(actions.preview(_upload_of(request, webinar, upload_id)))


@router.post(
    "/webinars/{webinar_id}/participant-reports/{upload_id}/confirm",
    response=ReportConfirmOut,
    auth=token_auth,
    summary="Confirmer l'import d'un rapport de participation",
    description=(
        "Écrit ce que l'aperçu montrait (relu dans une transaction) : minutes, présences, "
        "achèvements ; les badges et attestations sont préparés en arrière-plan "
        "(`badges_queued`). Idempotent : confirmer à nouveau, ou le même fichier envoyé une "
        "autre fois, ne change rien (`already_imported`). Corps facultatif : `mapping` "
        "(clé → en-tête de colonne) pour changer les colonnes proposées."
    ),
)
def report_confirm(
    request: HttpRequest,
    body: ReportConfirmIn | None = None,
    webinar_id: int = Path(..., ge=1, le=MAX_ID),
    upload_id: int = Path(..., ge=1, le=MAX_ID),
    organisation: str | None = Query(None, max_length=100),
) -> dict[str, Any]:
    webinar = _webinar_of(request, webinar_id, organisation)
    actor = _actor(request)
    try:
        actions.require_report_importer(actor, webinar)
        upload = _upload_of(request, webinar, upload_id)
        mapping = body.mapping if body is not None else None
        result = actions.confirm_report(actor=actor, upload=upload, mapping=mapping)
    except PermissionDenied as exc:
        raise HttpError(403, str(exc)) from None
    except ValidationError as exc:
        raise HttpError(422, _messages(exc)) from None
    return {
        "written": result.written,
        "already_imported": result.already,
        "report_id": result.report.pk if result.report is not None else None,
        "people": result.recorded,
        "present": result.present,
        "completed": len(result.completed),
        "badges_queued": result.badges_queued,
    }
