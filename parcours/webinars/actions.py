"""Every write of the webinars app: a session's webinar details, the organisation's attendance
rule, participant reports (upload, preview, confirm), replays and their viewing records.

A participant report is imported in two steps. ``upload_report`` keeps the file (nothing else
is written); ``preview`` reads it with the columns proposed (the organisation's saved mapping
for the provider, or the known headers) and says what would be recorded and what is ignored
and why; ``confirm_report`` does the same reading again inside one transaction and writes:
the people's minutes (union with the earlier reports), the report's hash, the mapping for
next time, then the attendance marks through ``enrolment``'s roll call (method ``report``),
which records the completions (→ attestations and badges) as for a roll call in the room.
The same file twice changes nothing (its hash is known); another report of the same webinar
adds only the intervals that were not counted yet.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment import permissions as enrolment_permissions
from parcours.enrolment.models import Attendance, Enrolment, Session
from parcours.enrolment.states import ON_ROLL, SessionStatus
from parcours.lib import dates
from parcours.lib.tables import TableError, read_table
from parcours.lib.transactions import write_transaction
from parcours.lib.urls import absolute_url
from parcours.webinars import report as core
from parcours.webinars.models import (
    DEFAULT_PRESENCE_PERCENT,
    MAX_SHOW_LINK_MINUTES,
    ColumnMapping,
    ParticipantMinutes,
    ParticipantReport,
    Provider,
    Replay,
    ReplayView,
    ReportUpload,
    Webinar,
    WebinarPolicy,
)

MANAGERS = (Role.COORDINATOR,)
MAX_REPORT_BYTES = 5 * 1024 * 1024
MAX_REPORT_ROWS = 20_000
MAX_UNZIPPED = 40 * 1024 * 1024
MAX_VTT_BYTES = 512 * 1024
MAX_TRANSCRIPT = 200_000
# Beacons: at most this many seconds counted per request, and per viewing at most the replay's
# duration (or this ceiling when the duration is unknown).
BEAT_MAX_SECONDS = 60
VIEWING_CEILING = 6 * 3600
MAX_BEATS = 100_000
UPLOAD_KEPT = dt.timedelta(days=1)


def _refuse(message: str, code: str = "invalid") -> ValidationError:
    return ValidationError(message, code=code)


# --- Webinar details -----------------------------------------------------------------------


@dataclass(frozen=True)
class WebinarData:
    provider: str
    live_url: str
    show_link_minutes: int = 15
    presence_percent: int | None = None


def _check_url(url: str, *, field_name: str) -> str:
    from django.core.validators import URLValidator

    url = url.strip()
    if len(url) > 500:
        raise ValidationError({field_name: [_("L'adresse compte 500 caractères au plus.")]})
    try:
        URLValidator(schemes=["https", "http"])(url)
    except ValidationError:
        raise ValidationError(
            {field_name: [_("Adresse invalide : elle commence par https://.")]}
        ) from None
    return url


def gate_path(session: Session) -> str:
    from django.urls import reverse

    return reverse("webinars:join", args=[session.pk])


def save_webinar(*, actor: Actor, session: Session, data: WebinarData) -> Webinar:
    """Make ``session`` a webinar, or change its details. The session's own "virtual class"
    link becomes the webinar's join page (what the enrolment e-mail and the dashboard show):
    the live link itself appears there only to registered people, shortly before the start."""
    require_role(actor, session.organisation_id, MANAGERS)
    errors: dict[str, list[str]] = {}
    if data.provider not in Provider.values:
        errors["provider"] = [_("Plateforme inconnue.")]
    if not 0 <= data.show_link_minutes <= MAX_SHOW_LINK_MINUTES:
        errors["show_link_minutes"] = [
            _("Entre 0 et %(n)d minutes.") % {"n": MAX_SHOW_LINK_MINUTES}
        ]
    if data.presence_percent is not None and not 1 <= data.presence_percent <= 100:
        errors["presence_percent"] = [_("Un pourcentage entre 1 et 100.")]
    try:
        live_url = _check_url(data.live_url, field_name="live_url")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        live_url = ""
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        webinar, created = Webinar.objects.update_or_create(
            session=session,
            defaults={
                "organisation_id": session.organisation_id,
                "provider": data.provider,
                "live_url": live_url,
                "show_link_minutes": data.show_link_minutes,
                "presence_percent": data.presence_percent,
            },
        )
        gate = absolute_url(gate_path(session))
        if session.online_url != gate and len(gate) <= 200:
            Session.objects.filter(pk=session.pk).update(online_url=gate)
            session.online_url = gate
        audit.record(
            "webinar.create" if created else "webinar.update",
            actor=actor.user,
            organisation=session.organisation,
            obj=session,
            changes={
                "provider": data.provider,
                "show_link_minutes": data.show_link_minutes,
                "presence_percent": data.presence_percent,
            },
        )
    return webinar


def set_policy(*, actor: Actor, organisation: Organisation, presence_percent: int) -> WebinarPolicy:
    """The organisation's default rule: present at ≥ ``presence_percent`` % of a slot."""
    require_role(actor, organisation, MANAGERS)
    if not 1 <= presence_percent <= 100:
        raise ValidationError({"presence_percent": [_("Un pourcentage entre 1 et 100.")]})
    with write_transaction():
        policy, _created = WebinarPolicy.objects.update_or_create(
            organisation=organisation, defaults={"presence_percent": presence_percent}
        )
        audit.record(
            "webinar.policy",
            actor=actor.user,
            organisation=organisation,
            changes={"presence_percent": presence_percent},
        )
    return policy


def presence_percent(webinar: Webinar) -> int:
    if webinar.presence_percent is not None:
        return webinar.presence_percent
    found = (
        WebinarPolicy.objects.filter(organisation_id=webinar.organisation_id)
        .values_list("presence_percent", flat=True)
        .first()
    )
    return found or DEFAULT_PRESENCE_PERCENT


# --- The live link -------------------------------------------------------------------------


def link_window(webinar: Webinar) -> tuple[dt.datetime, dt.datetime] | None:
    session = webinar.session
    if session.starts_at is None or session.ends_at is None:
        return None
    return session.starts_at - dt.timedelta(minutes=webinar.show_link_minutes), session.ends_at


def may_join(actor: Actor | None, webinar: Webinar) -> bool:
    """Registered people (with a seat: not waitlisted, not a pending request) and the
    organisation's staff and the session's trainers."""
    if actor is None or not actor.user.is_authenticated:
        return False
    session = webinar.session
    if session.status == SessionStatus.CANCELLED:
        return False
    if enrolment_permissions.can_take_attendance(actor, session):
        return True
    from parcours.accounts.models import STAFF_ROLES

    if actor.has_role(session.organisation_id, *STAFF_ROLES):
        return True
    return session.enrolments.filter(learner_id=actor.user.pk, status__in=ON_ROLL).exists()


def live_link(actor: Actor | None, webinar: Webinar, now: dt.datetime | None = None) -> str:
    """The live URL, or "" when this person may not see it (yet): only registered people and
    staff, only from ``show_link_minutes`` before the start until the end."""
    now = now or timezone.now()
    window = link_window(webinar)
    if window is None or not may_join(actor, webinar):
        return ""
    opens, closes = window
    return webinar.live_url if opens <= now <= closes else ""


# --- Participant reports -------------------------------------------------------------------


def require_report_importer(actor: Actor, webinar: Webinar) -> None:
    if not enrolment_permissions.can_take_attendance(actor, webinar.session):
        raise PermissionDenied(
            _("Seuls les formateurs de la session et les coordinateurs importent les présences.")
        )


def upload_report(
    *, actor: Actor, webinar: Webinar, filename: str, content: bytes, provider: str
) -> ReportUpload:
    """Keep an uploaded report for its preview (nothing else is written)."""
    require_report_importer(actor, webinar)
    if provider not in Provider.values:
        raise ValidationError({"provider": [_("Plateforme inconnue.")]})
    if not content:
        raise ValidationError({"file": [_("Le fichier est vide.")]})
    if len(content) > MAX_REPORT_BYTES:
        raise ValidationError(
            {"file": [_("Fichier trop volumineux (5 Mo au plus).")]}, code="too_big"
        )
    name = "".join(c for c in filename if c.isprintable())[-200:] or "rapport.csv"
    with write_transaction():
        ReportUpload.objects.filter(created_at__lt=timezone.now() - UPLOAD_KEPT).delete()
        ReportUpload.objects.filter(webinar=webinar, uploaded_by=actor.user).delete()
        return ReportUpload.objects.create(
            webinar=webinar,
            uploaded_by=actor.user,
            provider=provider,
            filename=name,
            content=content,
            sha256=hashlib.sha256(content).hexdigest(),
            mapping=saved_mapping(webinar.organisation_id, provider),
        )


def saved_mapping(
    organisation_id: int, provider: str, kind: str = "participants"
) -> dict[str, str]:
    found = (
        ColumnMapping.objects.filter(organisation_id=organisation_id, provider=provider, kind=kind)
        .values_list("mapping", flat=True)
        .first()
    )
    return dict(found) if isinstance(found, dict) else {}


def clean_mapping(mapping: Mapping[str, Any]) -> dict[str, str]:
    return {
        key: str(value)[: core.MAX_CELL]
        for key, value in mapping.items()
        if key in core.KEYS and isinstance(value, str) and value
    }


@dataclass
class Preview:
    upload: ReportUpload
    read: core.ReadReport
    analysis: core.Analysis | None
    already_imported: ParticipantReport | None = None
    error: str = ""
    error_line: int = 0
    not_ended: bool = False

    @property
    def ok(self) -> bool:
        return not self.error and self.analysis is not None and not self.not_ended

    @property
    def recordable(self) -> bool:
        return self.ok and self.already_imported is None


def _rows_of(upload: ReportUpload) -> list[tuple[int, list[str]]]:
    content = bytes(upload.content)
    table = read_table(
        upload.filename,
        content,
        max_columns=core.MAX_COLUMNS,
        max_unzipped=MAX_UNZIPPED,
        max_rows=MAX_REPORT_ROWS,
    )
    with closing(table):
        out = []
        for line, cells in table:
            out.append((line, cells))
            if len(out) >= MAX_REPORT_ROWS:
                break
        return out


def _slots(session: Session) -> list[core.Interval]:
    return [(s.start, s.end) for s in session.slots.order_by("start")]


def _registered(session: Session) -> dict[str, core.Registered]:
    """Every enrolment of the session by folded e-mail (a seat-holding one wins)."""
    out: dict[str, core.Registered] = {}
    rows = session.enrolments.values_list(
        "pk", "learner_id", "learner__email", "learner__first_name", "learner__last_name", "status"
    )
    labels = dict(Enrolment.Status.choices)
    for pk, learner_id, email, first, last, status in rows:
        key = (email or "").strip().casefold()
        on_roll = status in ON_ROLL
        if key in out and out[key].on_roll:
            continue
        out[key] = core.Registered(
            enrolment_id=pk,
            learner_id=learner_id,
            name=f"{first} {last}".strip() or email,
            on_roll=on_roll,
            status_label=str(labels.get(status, status)),
        )
    return out


def _earlier(webinar: Webinar) -> dict[int, list[core.Interval]]:
    out: dict[int, list[core.Interval]] = {}
    for enrolment_id, intervals in webinar.minutes.values_list("enrolment_id", "intervals"):
        out[enrolment_id] = [
            (dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in intervals
        ]
    return out


def header_of(upload: ReportUpload, mapping: Mapping[str, str] | None = None) -> list[str]:
    """The header of the report's participants table (the mapping form's choices): reads the
    file, matches nobody."""
    try:
        rows = _rows_of(upload)
    except TableError:
        return []
    chosen = clean_mapping(mapping if mapping is not None else upload.mapping)
    return core.read_report(rows, mapping=chosen).header


def preview(
    upload: ReportUpload,
    *,
    mapping: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> Preview:
    """What importing ``upload`` would record, and what it would ignore and why (reads only)."""
    now = now or timezone.now()
    webinar = upload.webinar
    session = webinar.session
    chosen = clean_mapping(mapping if mapping is not None else upload.mapping)
    already = webinar.reports.filter(sha256=upload.sha256).first()
    if not upload.content:  # imported: its content was dropped, only its hash answers
        if already is not None:
            return Preview(upload, core.ReadReport(), None, already)
        return Preview(
            upload,
            core.ReadReport(),
            None,
            error=_("Aperçu expiré : envoyez le fichier à nouveau."),
        )
    try:
        rows = _rows_of(upload)
    except TableError as exc:
        return Preview(upload, core.ReadReport(), None, error=exc.message, error_line=exc.line)
    read = core.read_report(rows, mapping=chosen)
    if read.error:
        return Preview(upload, read, None, already, error=read.error)
    analysis = core.analyse(
        read,
        slots=_slots(session),
        registered=_registered(session),
        percent=presence_percent(webinar),
        zone=dates.platform_zone(),
        earlier=_earlier(webinar),
    )
    not_ended = session.ends_at is None or session.ends_at > now
    return Preview(upload, read, analysis, already, not_ended=not_ended)


@dataclass
class ImportResult:
    written: bool
    report: ParticipantReport | None = None
    recorded: int = 0
    present: int = 0
    completed: list[Enrolment] = field(default_factory=list)
    already: bool = False
    # Badges of the module to be issued for the completions (background tasks, see
    # ``pathways.actions._dispatch``): the completions times the module's active achievements.
    badges_queued: int = 0


def _iso(intervals: Sequence[core.Interval]) -> list[list[str]]:
    return [[a.isoformat(), b.isoformat()] for a, b in intervals]


def confirm_report(
    *,
    actor: Actor,
    upload: ReportUpload,
    mapping: Mapping[str, str] | None = None,
    now: dt.datetime | None = None,
) -> ImportResult:
    """Write what the preview showed (read again, in one transaction). See the module's
    docstring."""
    now = now or timezone.now()
    webinar = upload.webinar
    require_report_importer(actor, webinar)
    with write_transaction():
        # The session's lock first: two imports of the same webinar queue one behind the other.
        session = (
            Session.objects.select_for_update(of=("self",))
            .select_related("organisation")
            .get(pk=webinar.session_id)
        )
        webinar.session = session
        known = webinar.reports.filter(sha256=upload.sha256).first()
        if known is not None:  # the same file again: nothing to read, nothing changes
            return ImportResult(written=False, report=known, already=True)
        result = preview(upload, mapping=mapping, now=now)
        if result.error:
            raise _refuse(result.error)
        if result.not_ended:
            raise _refuse(_("Le rapport s'importe après la fin du webinaire."), code="not_ended")
        analysis = result.analysis
        if analysis is None:  # an error was raised above; for the type checker
            raise _refuse(_("Ce fichier ne peut pas être importé."))
        existing = {m.enrolment_id: m for m in ParticipantMinutes.objects.filter(webinar=webinar)}
        create, update = [], []
        for person in analysis.people:
            present = analysis.present(person)
            row = existing.get(person.enrolment_id)
            if row is None:
                create.append(
                    ParticipantMinutes(
                        webinar_id=webinar.pk,
                        enrolment_id=person.enrolment_id,
                        learner_id=person.learner_id,
                        intervals=_iso(person.intervals),
                        minutes=person.minutes,
                        present=present,
                    )
                )
            elif row.minutes != person.minutes or row.present != present:
                row.intervals = _iso(person.intervals)
                row.minutes = person.minutes
                row.present = present
                row.updated_at = now
                update.append(row)
        ParticipantMinutes.objects.bulk_create(create, batch_size=500)
        ParticipantMinutes.objects.bulk_update(
            update, ["intervals", "minutes", "present", "updated_at"], batch_size=500
        )
        report = ParticipantReport.objects.create(
            webinar=webinar,
            provider=upload.provider,
            filename=upload.filename,
            sha256=upload.sha256,
            rows=len(result.read.rows),
            people=len(analysis.people),
            ignored=len(analysis.ignored),
            imported_by=actor.user,
        )
        ColumnMapping.objects.update_or_create(
            organisation_id=webinar.organisation_id,
            provider=upload.provider,
            kind=ColumnMapping.Kind.PARTICIPANTS,
            defaults={"mapping": result.read.mapping()},
        )
        completed = _mark_attendance(actor, webinar, analysis, now)
        audit.record(
            "webinar.report_import",
            actor=actor.user,
            organisation=session.organisation,
            obj=session,
            changes={
                "file": upload.filename,
                "sha256": upload.sha256,
                "people": len(analysis.people),
                "ignored": analysis.ignored_by_reason(),
            },
        )
        # The upload stays without its content (the report's personal data is not kept):
        # confirming it again answers "already imported" (the API's confirm is idempotent).
        ReportUpload.objects.filter(pk=upload.pk).update(content=b"")
    return ImportResult(
        written=True,
        report=report,
        recorded=len(analysis.people),
        present=analysis.present_count,
        completed=completed,
        badges_queued=len(completed) * _module_badges(session) if completed else 0,
    )


def _module_badges(session: Session) -> int:
    from parcours.credentials.models import Achievement

    return Achievement.objects.active().filter(module_id=session.module_id).count()


def _mark_attendance(
    actor: Actor, webinar: Webinar, analysis: core.Analysis, now: dt.datetime
) -> list[Enrolment]:
    """One roll call per slot of the session (method ``report``), from every person's minutes
    (this report's and the earlier ones'): absent = on the roll and below the rule."""
    slots = list(webinar.session.slots.order_by("start"))
    percent = analysis.percent
    # This report's people carry their merged intervals already; the others' are read back.
    intervals: dict[int, list[core.Interval]] = {
        p.enrolment_id: p.intervals for p in analysis.people
    }
    for enrolment_id, stored in webinar.minutes.values_list("enrolment_id", "intervals"):
        if enrolment_id in intervals:
            continue
        intervals[enrolment_id] = [
            (dt.datetime.fromisoformat(a), dt.datetime.fromisoformat(b)) for a, b in stored
        ]
    roll = list(webinar.session.enrolments.filter(status__in=ON_ROLL).values_list("pk", flat=True))
    spans = [(s.start, s.end) for s in slots]
    present = {pk: set(core.present_slots(intervals.get(pk, []), spans, percent)) for pk in roll}
    completed: list[Enrolment] = []
    for index, slot in enumerate(slots):
        absent = [pk for pk in roll if index not in present[pk]]
        result = enrolment_actions.record_roll_call(
            actor=actor, slot=slot, absent=absent, now=now, method=Attendance.Method.REPORT
        )
        completed += result.completed
    return completed


# --- Replays -------------------------------------------------------------------------------


@dataclass(frozen=True)
class ReplayData:
    title: str
    video_url: str
    description: str = ""
    theme: str = ""
    session_id: int | None = None
    module_id: int | None = None
    duration_seconds: int | None = None
    transcript: str = ""
    captions: bytes | None = None  # an uploaded WebVTT file; None keeps the current one
    published: bool = True


def read_vtt(content: bytes) -> str:
    """The text of a WebVTT file, checked: UTF-8, starts with ``WEBVTT``, at most 512 KB."""
    if len(content) > MAX_VTT_BYTES:
        raise ValidationError({"captions": [_("Sous-titres trop volumineux (512 Ko au plus).")]})
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise ValidationError(
            {"captions": [_("Les sous-titres doivent être un fichier WebVTT en UTF-8.")]}
        ) from None
    if not text.startswith("WEBVTT") or "\x00" in text:
        raise ValidationError(
            {"captions": [_("Ce n'est pas un fichier WebVTT (il commence par « WEBVTT »).")]}
        )
    return text


def save_replay(
    *,
    actor: Actor,
    organisation: Organisation,
    data: ReplayData,
    replay: Replay | None = None,
) -> Replay:
    require_role(actor, organisation, MANAGERS)
    if replay is not None and replay.organisation_id != organisation.pk:
        raise PermissionDenied(_("Cette rediffusion appartient à une autre organisation."))
    errors: dict[str, list[str]] = {}
    title = data.title.strip()
    if not title or len(title) > 200:
        errors["title"] = [_("Un titre de 1 à 200 caractères.")]
    try:
        video_url = _check_url(data.video_url, field_name="video_url")
    except ValidationError as exc:
        errors.update(exc.message_dict)
        video_url = ""
    if len(data.transcript) > MAX_TRANSCRIPT:
        errors["transcript"] = [_("Transcription trop longue (200 000 caractères au plus).")]
    if data.duration_seconds is not None and not 0 < data.duration_seconds <= 24 * 3600:
        errors["duration_seconds"] = [_("Une durée entre 1 seconde et 24 heures.")]
    session = module = None
    if data.session_id is not None:
        session = Session.objects.filter(pk=data.session_id, organisation=organisation).first()
        if session is None:
            errors["session"] = [_("Session inconnue.")]
    if data.module_id is not None:
        from parcours.catalogue.models import Module

        module = Module.objects.filter(pk=data.module_id, organisation=organisation).first()
        if module is None:
            errors["module"] = [_("Module inconnu.")]
    captions = None
    if data.captions is not None:
        try:
            captions = read_vtt(data.captions)
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    with write_transaction():
        replay = replay or Replay(organisation=organisation)
        replay.title = title
        replay.video_url = video_url
        replay.description = data.description.strip()[:5000]
        replay.theme = data.theme.strip()[:100]
        replay.session = session
        replay.module = module or (session.module if session is not None else None)
        replay.duration_seconds = data.duration_seconds
        replay.transcript = data.transcript.replace("\x00", "").strip()
        replay.published = data.published
        if captions is not None:
            replay.captions_vtt = captions
        created = replay.pk is None
        replay.save()
        audit.record(
            "replay.create" if created else "replay.update",
            actor=actor.user,
            organisation=organisation,
            obj=replay,
        )
    return replay


def record_beat(
    *,
    replay: Replay,
    viewer: User | None,
    view_key: str,
    beat: int,
    seconds: int,
    now: dt.datetime | None = None,
) -> ReplayView:
    """A player beacon: ``seconds`` watched since the previous beat of this viewing
    (``view_key``, made by the page). Beats are numbered: a beat already counted (resent) is
    ignored; at most ``BEAT_MAX_SECONDS`` per beat, and per viewing at most the replay's
    duration (``VIEWING_CEILING`` when unknown)."""
    now = now or timezone.now()
    if not replay.published:
        raise _refuse(_("Cette rediffusion n'est pas publiée."), "not_published")
    key = view_key.strip()
    if not (8 <= len(key) <= 64) or not all(c.isalnum() or c == "-" for c in key):
        raise _refuse(_("Identifiant de visionnage invalide."))
    if not 1 <= beat <= MAX_BEATS or not 0 <= seconds <= 10 * BEAT_MAX_SECONDS:
        raise _refuse(_("Battement invalide."))
    counted = min(seconds, BEAT_MAX_SECONDS)
    ceiling = replay.duration_seconds or VIEWING_CEILING
    with write_transaction():
        view, _created = ReplayView.objects.get_or_create(
            replay=replay,
            key=f"p:{key}",
            defaults={
                "viewer": viewer if viewer is not None and viewer.is_authenticated else None,
                "source": ReplayView.Source.PLAYER,
                "viewed_on": timezone.localdate(now),
            },
        )
        if view.viewer_id is not None and (viewer is None or viewer.pk != view.viewer_id):
            raise _refuse(_("Identifiant de visionnage invalide."))
        if beat <= view.last_beat:
            return view  # already counted
        room = max(0, ceiling - view.seconds)
        ReplayView.objects.filter(pk=view.pk, last_beat__lt=beat).update(
            seconds=F("seconds") + min(counted, room), last_beat=beat, updated_at=now
        )
        view.refresh_from_db()
    return view


# --- Viewing statistics from the video platform --------------------------------------------

MAX_VIEWS_BYTES = 5 * 1024 * 1024


def _replay_keys(organisation: Organisation) -> dict[str, int]:
    from parcours.webinars.report import fold

    out: dict[str, int] = {}
    for pk, title, url in Replay.objects.filter(organisation=organisation).values_list(
        "pk", "title", "video_url"
    ):
        out.setdefault(fold(title), pk)
        out.setdefault(url, pk)
    return out


def preview_viewing(
    *,
    actor: Actor,
    organisation: Organisation,
    filename: str,
    content: bytes,
    provider: str,
    mapping: Mapping[str, str] | None = None,
) -> Any:
    """What a video platform's statistics file would record (reads only): seconds per replay
    and day, and the rows ignored with their reason."""
    from parcours.webinars import viewing

    require_role(actor, organisation, MANAGERS)
    if provider not in Provider.values:
        raise ValidationError({"provider": [_("Plateforme inconnue.")]})
    if not content:
        raise ValidationError({"file": [_("Le fichier est vide.")]})
    if len(content) > MAX_VIEWS_BYTES:
        raise ValidationError({"file": [_("Fichier trop volumineux (5 Mo au plus).")]})
    chosen = (
        mapping
        if mapping is not None
        else saved_mapping(organisation.pk, provider, ColumnMapping.Kind.VIEWS)
    )
    try:
        table = read_table(
            filename,
            content,
            max_columns=core.MAX_COLUMNS,
            max_unzipped=MAX_UNZIPPED,
            max_rows=MAX_REPORT_ROWS,
        )
        with closing(table):
            return viewing.read_views(
                table,
                replays=_replay_keys(organisation),
                today=timezone.localdate(),
                mapping=chosen,
                max_rows=MAX_REPORT_ROWS,
            )
    except TableError as exc:
        return viewing.Read(error=exc.message)


def import_viewing(
    *,
    actor: Actor,
    organisation: Organisation,
    totals: Sequence[tuple[int, dt.date, int]],
    provider: str,
    mapping: Mapping[str, str],
) -> int:
    """Record the platform's seconds watched per (replay, day): one imported row per replay
    and day, **replaced** by a later import for the same day (importing a file again, or an
    export covering the same days, changes nothing or corrects; it never adds twice). Returns
    the rows written."""
    require_role(actor, organisation, MANAGERS)
    ids = {replay_id for replay_id, _day, _seconds in totals}
    mine = set(
        Replay.objects.filter(organisation=organisation, pk__in=ids).values_list("pk", flat=True)
    )
    if ids - mine:
        raise PermissionDenied(_("Cette rediffusion appartient à une autre organisation."))
    written = 0
    with write_transaction():
        for replay_id, day, seconds in totals:
            _view, _created = ReplayView.objects.update_or_create(
                replay_id=replay_id,
                key=f"i:{day.isoformat()}",
                defaults={
                    "source": ReplayView.Source.IMPORT,
                    "seconds": max(0, seconds),
                    "viewed_on": day,
                },
            )
            written += 1
        ColumnMapping.objects.update_or_create(
            organisation=organisation,
            provider=provider,
            kind=ColumnMapping.Kind.VIEWS,
            defaults={"mapping": clean_viewing_mapping(mapping)},
        )
        audit.record(
            "replay.viewing_import",
            actor=actor.user,
            organisation=organisation,
            changes={"rows": written, "provider": provider},
        )
    return written


def clean_viewing_mapping(mapping: Mapping[str, Any]) -> dict[str, str]:
    from parcours.webinars.viewing import KEYS

    return {
        key: str(value)[: core.MAX_CELL]
        for key, value in mapping.items()
        if key in KEYS and isinstance(value, str) and value
    }
