"""Every write of the games, the quiz and class mode (views, API, commands, tasks, demo).

Public writes (a quiz taken, a pupil joining, a pupil's answers) have no actor: they are
bounded and validated here; the facilitator's writes check the staff role first.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
import threading
import time
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import STAFF_ROLES, Organisation
from parcours.accounts.permissions import Actor, require_role
from parcours.lib.text import fold
from parcours.lib.transactions import write_transaction
from parcours.orientation import codes, scoring
from parcours.orientation.actions import CURATORS
from parcours.orientation.class_models import (
    ClassAnswer,
    ClassVisit,
    GameItem,
    Pupil,
    QuizResult,
    QuizStatement,
)
from parcours.orientation.models import JobSheet, World
from parcours.scheduling.models import OutreachRequest

RETENTION_DAYS = 30
MAX_PUPILS = 120  # per class visit: a few classes at once in a dome, never a school
MAX_BATCH = 200  # answers per request from one tablet
MAX_QUIZ_ANSWERS = 200
MAX_VALUE = 1000
_CODE_ATTEMPTS = 8
_PSEUDONYM = re.compile(r"^[^\W_][\w' .-]{0,29}$")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _unique_code(model: type[QuizResult] | type[ClassVisit], create: Any) -> Any:
    """Create a row with a fresh random code, trying another code on the (rare) collision."""
    for _attempt in range(_CODE_ATTEMPTS):
        code = codes.generate()
        try:
            with write_transaction():
                return create(code)
        except IntegrityError:
            if not model.objects.filter(code=code).exists():
                raise
    raise RuntimeError("no free code after several attempts")  # pragma: no cover


# --- The quiz (public) ------------------------------------------------------------------------


def quiz_statements(organisation: Organisation) -> list[QuizStatement]:
    return list(
        QuizStatement.objects.filter(
            world__organisation=organisation, world__is_published=True
        ).select_related("world")
    )


def clean_quiz_answers(
    statements: Iterable[QuizStatement], raw: Mapping[Any, Any]
) -> dict[int, int]:
    """``{statement id: 0/1/2}`` from untrusted input; a clear error when nothing usable."""
    known = {s.pk for s in statements}
    if len(raw) > MAX_QUIZ_ANSWERS:
        raise ValidationError(_("Trop de réponses."))
    answers: dict[int, int] = {}
    for key, value in raw.items():
        try:
            statement, answer = int(key), int(value)
        except (TypeError, ValueError):
            raise ValidationError(_("Une réponse du quiz n'est pas valable.")) from None
        if statement not in known or answer not in scoring.ANSWERS:
            raise ValidationError(_("Une réponse du quiz n'est pas valable."))
        answers[statement] = answer
    if not answers:
        raise ValidationError(_("Réponds à au moins une question pour voir tes mondes."))
    return answers


def take_quiz(*, organisation: Organisation, answers: Mapping[Any, Any]) -> QuizResult:
    """Score the answers, store them under a new short code (no name, no address)."""
    statements = quiz_statements(organisation)
    clean = clean_quiz_answers(statements, answers)
    statement_worlds = {s.pk: s.world_id for s in statements}
    scores = scoring.world_scores(statement_worlds, clean)
    order = list(
        World.objects.filter(organisation=organisation, is_published=True).values_list(
            "pk", flat=True
        )
    )
    suggested = scoring.suggest(scores, order)
    return _unique_code(
        QuizResult,
        lambda code: QuizResult.objects.create(
            organisation=organisation,
            code=code,
            answers={str(k): v for k, v in clean.items()},
            scores={str(k): v for k, v in scores.items()},
            suggested=suggested,
        ),
    )


# --- Game items and quiz statements (staff) ---------------------------------------------------

CONTENT_EDITORS = CURATORS  # who curates worlds and job sheets also writes their games


def add_game_item(
    *,
    actor: Actor,
    world: World,
    prompt_fr: str,
    answer_fr: str,
    wrong_fr: Sequence[str],
    kind: str = GameItem.Kind.TOOL,
    explanation_fr: str = "",
    prompt_en: str = "",
    answer_en: str = "",
    wrong_en: Sequence[str] = (),
    explanation_en: str = "",
) -> GameItem:
    """Add a question to a world's game (one right answer, one to three wrong ones)."""
    require_role(actor, world.organisation_id, CONTENT_EDITORS)
    wrong = [w.strip() for w in wrong_fr if w.strip()][:3]
    wrong_english = [w.strip() for w in wrong_en][:3]
    if not wrong or not prompt_fr.strip() or not answer_fr.strip():
        raise ValidationError(_("Une question, une bonne réponse et au moins une mauvaise."))
    item = GameItem(
        world=world,
        kind=kind,
        prompt_fr=prompt_fr.strip(),
        prompt_en=prompt_en.strip(),
        answer_fr=answer_fr.strip(),
        answer_en=answer_en.strip(),
        explanation_fr=explanation_fr.strip(),
        explanation_en=explanation_en.strip(),
        order=GameItem.objects.filter(world=world).count(),
    )
    for index, text in enumerate(wrong, start=1):
        setattr(item, f"wrong_{index}_fr", text)
        if index <= len(wrong_english):
            setattr(item, f"wrong_{index}_en", wrong_english[index - 1])
    item.full_clean()
    with transaction.atomic():
        item.save()
        audit.record(
            "orientation.game_item_added",
            actor=actor.user,
            organisation=world.organisation,
            obj=item,
        )
    return item


def add_quiz_statement(
    *, actor: Actor, world: World, text_fr: str, text_en: str = ""
) -> QuizStatement:
    require_role(actor, world.organisation_id, CONTENT_EDITORS)
    statement = QuizStatement(
        world=world,
        text_fr=text_fr.strip(),
        text_en=text_en.strip(),
        order=QuizStatement.objects.filter(world__organisation_id=world.organisation_id).count(),
    )
    statement.full_clean()
    with transaction.atomic():
        statement.save()
        audit.record(
            "orientation.quiz_statement_added",
            actor=actor.user,
            organisation=world.organisation,
            obj=statement,
        )
    return statement


def delete_game_item(*, actor: Actor, item: GameItem) -> None:
    require_role(actor, item.world.organisation_id, CONTENT_EDITORS)
    with transaction.atomic():
        audit.record(
            "orientation.game_item_deleted",
            actor=actor.user,
            organisation=item.world.organisation,
            obj=item,
            changes={"prompt": item.prompt_fr},
        )
        item.delete()


def delete_quiz_statement(*, actor: Actor, statement: QuizStatement) -> None:
    require_role(actor, statement.world.organisation_id, CONTENT_EDITORS)
    with transaction.atomic():
        audit.record(
            "orientation.quiz_statement_deleted",
            actor=actor.user,
            organisation=statement.world.organisation,
            obj=statement,
            changes={"text": statement.text_fr},
        )
        statement.delete()


# --- Class mode: the facilitator ---------------------------------------------------------------


def open_class_visit(
    *,
    actor: Actor,
    organisation: Organisation,
    title: str,
    grade: str = "",
    outreach: OutreachRequest | None = None,
    teacher_email: str = "",
) -> ClassVisit:
    require_role(actor, organisation, STAFF_ROLES)
    title = " ".join(title.split())
    if not title or len(title) > 200:
        raise ValidationError({"title": _("Donnez un nom à la classe (200 caractères au plus).")})
    if grade and grade not in ClassVisit.Grade.values:
        raise ValidationError({"grade": _("Cette année d'études n'existe pas.")})
    if outreach is not None and outreach.organisation_id != organisation.pk:
        raise ValidationError({"outreach": _("Cette animation n'est pas de votre organisation.")})
    teacher_email = teacher_email.strip()
    if teacher_email:
        _check_email(teacher_email)

    def create(code: str) -> ClassVisit:
        visit = ClassVisit.objects.create(
            organisation=organisation,
            title=title,
            grade=grade,
            outreach=outreach,
            code=code,
            opened_by=actor.user,
            teacher_email=teacher_email,
        )
        audit.record(
            "orientation.class_opened", actor=actor.user, organisation=organisation, obj=visit
        )
        return visit

    visit: ClassVisit = _unique_code(ClassVisit, create)
    return visit


def _check_email(email: str) -> None:
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            {"teacher_email": _("Cette adresse e-mail n'est pas valable.")}
        ) from None


def close_class_visit(*, actor: Actor, visit: ClassVisit) -> ClassVisit:
    require_role(actor, visit.organisation_id, STAFF_ROLES)
    with transaction.atomic():
        updated = ClassVisit.objects.filter(pk=visit.pk, status=ClassVisit.Status.OPEN).update(
            status=ClassVisit.Status.CLOSED, closed_at=timezone.now()
        )
        if updated:
            audit.record(
                "orientation.class_closed",
                actor=actor.user,
                organisation=visit.organisation,
                obj=visit,
            )
    visit.refresh_from_db()
    return visit


def send_follow_up_kit(*, actor: Actor, visit: ClassVisit, email: str) -> ClassVisit:
    """Remember the teacher's address and e-mail them the kit (a task, after commit)."""
    from parcours.orientation import class_tasks  # the task module imports this one

    require_role(actor, visit.organisation_id, STAFF_ROLES)
    email = email.strip()
    if not email:
        raise ValidationError({"teacher_email": _("Indiquez l'adresse e-mail de l'enseignant.")})
    _check_email(email)
    if visit.purged_at is not None:
        raise ValidationError(_("Les résultats de cette classe ont été effacés."))
    with transaction.atomic():
        ClassVisit.objects.filter(pk=visit.pk).update(teacher_email=email)
        audit.record(
            "orientation.class_kit_requested",
            actor=actor.user,
            organisation=visit.organisation,
            obj=visit,
        )
        transaction.on_commit(partial(class_tasks.send_class_kit.enqueue, visit.pk))
    visit.refresh_from_db()
    return visit


# --- Class mode: the pupils ---------------------------------------------------------------------


def find_open_visit(code_text: str) -> ClassVisit:
    code = codes.normalise(code_text)
    visit = (
        ClassVisit.objects.filter(code=code, status=ClassVisit.Status.OPEN).first()
        if code
        else None
    )
    if visit is None:
        raise ValidationError(
            {"code": _("Ce code ne correspond à aucune classe en cours. Vérifie-le au tableau.")}
        )
    return visit


def join_class(*, code: str, pseudonym: str) -> tuple[Pupil, str]:
    """A pupil joins an open class with its code and a first name or pseudonym; returns the
    pupil and the token their tablet keeps (only its hash is stored)."""
    visit = find_open_visit(code)
    name = " ".join(pseudonym.split())
    if not _PSEUDONYM.match(name) or "@" in name:
        raise ValidationError(
            {"pseudonym": _("Écris ton prénom ou un pseudo (lettres et chiffres, 30 au plus).")}
        )
    token = secrets.token_urlsafe(32)
    with write_transaction():
        locked = ClassVisit.objects.select_for_update().get(pk=visit.pk)
        if locked.participant_count >= MAX_PUPILS:
            raise ValidationError({"code": _("Cette classe est complète.")})
        try:
            with transaction.atomic():
                pupil = Pupil.objects.create(
                    visit=visit,
                    pseudonym=name,
                    pseudonym_key=fold(name)[:30],
                    token_hash=_hash(token),
                )
        except IntegrityError:
            raise ValidationError(
                {
                    "pseudonym": _(
                        "Ce prénom est déjà pris dans la classe : "
                        "ajoute une initiale ou un chiffre."
                    )
                }
            ) from None
        ClassVisit.objects.filter(pk=visit.pk).update(participant_count=F("participant_count") + 1)
    return pupil, token


def pupil_for(token: str) -> Pupil | None:
    if not token or len(token) > 100:
        return None
    found = list(Pupil.objects.select_related("visit").filter(token_hash=_hash(token))[:1])
    return found[0] if found else None


@dataclass
class Receipt:
    accepted: list[str] = field(default_factory=list)  # stored now or before: forget them
    rejected: list[str] = field(default_factory=list)  # never storable: forget them too


@dataclass(frozen=True)
class _Reference:
    """What an answer may point at, per organisation: read once every few seconds, not on
    every request of 300 tablets."""

    worlds: frozenset[int]
    world_order: tuple[int, ...]
    sheets: dict[int, int]  # job sheet -> world
    statements: dict[int, int]  # quiz statement -> world
    expires: float


_REFERENCE_TTL = 10.0
_reference_cache: dict[int, _Reference] = {}
_reference_lock = threading.Lock()


def _reference(organisation_id: int, *, fresh: bool = False) -> _Reference:
    now = time.monotonic()
    with _reference_lock:
        cached = _reference_cache.get(organisation_id)
    if cached is not None and cached.expires > now and not fresh:
        return cached
    order = tuple(
        World.objects.filter(organisation_id=organisation_id)
        .order_by("order", "name_fr", "pk")
        .values_list("pk", flat=True)
    )
    reference = _Reference(
        worlds=frozenset(order),
        world_order=order,
        sheets=dict(
            JobSheet.objects.filter(organisation_id=organisation_id)
            .order_by()
            .values_list("pk", "world_id")
        ),
        statements=dict(
            QuizStatement.objects.filter(world__organisation_id=organisation_id)
            .order_by()
            .values_list("pk", "world_id")
        ),
        expires=now + _REFERENCE_TTL,
    )
    with _reference_lock:
        _reference_cache[organisation_id] = reference
    return reference


def _int_or_none(value: Any) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError("not an id")
    number = int(value)
    if not 0 < number < 2**63:
        raise ValueError("out of range")
    return number


def _answer_row(
    visit: ClassVisit, pupil: Pupil, raw: Mapping[str, Any], client_id: uuid.UUID, ref: _Reference
) -> ClassAnswer:
    """The row for one answer, or ValueError/TypeError when it can never be stored."""
    kind = str(raw.get("kind", ""))
    world = _int_or_none(raw.get("world"))
    sheet = _int_or_none(raw.get("sheet"))
    value = int(raw.get("value") or 0)
    if kind not in ClassAnswer.Kind.values or not -MAX_VALUE <= value <= MAX_VALUE:
        raise ValueError("kind or value")
    payload: dict[str, Any] = {}
    if kind == ClassAnswer.Kind.OCCUPATION:
        if sheet not in ref.sheets:
            raise ValueError("sheet")
        world = ref.sheets[sheet]
    elif kind == ClassAnswer.Kind.QUIZ:
        given = raw.get("answers") or {}
        if not isinstance(given, Mapping) or len(given) > MAX_QUIZ_ANSWERS:
            raise ValueError("answers")
        clean = {int(k): int(v) for k, v in given.items()}
        if any(k not in ref.statements or v not in scoring.ANSWERS for k, v in clean.items()):
            raise ValueError("answers")
        top = scoring.suggest(scoring.world_scores(ref.statements, clean), ref.world_order, limit=1)
        world = top[0] if top else None
        payload = {"answers": {str(k): v for k, v in clean.items()}}
        sheet = None
    else:
        sheet = None
        if world not in ref.worlds or (kind == ClassAnswer.Kind.GAME and value < 0):
            raise ValueError("world or score")
    return ClassAnswer(
        visit=visit,
        pupil=pupil,
        client_id=client_id,
        kind=kind,
        world_id=world,
        job_sheet_id=sheet,
        value=value,
        payload=payload,
    )


def record_answers(*, pupil: Pupil, answers: Sequence[Mapping[str, Any]]) -> Receipt:
    """Store a tablet's queued answers, each exactly once (unique ``client_id``).

    An answer already stored (a resend after a lost acknowledgement) is accepted again without a
    second row (the insert ignores the unique conflict); an answer that can never be stored
    (unknown world, bad value) is rejected so the tablet stops resending it. Answers made
    offline after the facilitator closed the class are still taken until the pupils' data is
    deleted.
    """
    visit = pupil.visit
    if visit.purged_at is not None:
        raise ValidationError(_("Cette visite est terminée depuis longtemps : réponses effacées."))
    if len(answers) > MAX_BATCH:
        raise ValidationError(_("Trop de réponses à la fois."))
    for attempt in (1, 2):
        ref = _reference(visit.organisation_id, fresh=attempt == 2)
        receipt = Receipt()
        rows: dict[uuid.UUID, ClassAnswer] = {}
        for raw in answers:
            try:
                client_id = uuid.UUID(str(raw.get("id", ""))[:36])
            except (ValueError, AttributeError):
                continue  # no id: nothing the tablet could match an acknowledgement to
            try:
                rows[client_id] = _answer_row(visit, pupil, raw, client_id, ref)
            except (TypeError, ValueError, AttributeError):
                receipt.rejected.append(str(client_id))
        if receipt.rejected and attempt == 1:
            continue  # perhaps a world or sheet added since the reference was read
        if not rows:
            return receipt
        try:
            with write_transaction():
                ClassAnswer.objects.bulk_create(rows.values(), ignore_conflicts=True)
        except IntegrityError:
            if attempt == 2:
                raise
            continue  # a world or sheet deleted since the reference was read: read it again
        receipt.accepted = [str(c) for c in rows]
        return receipt
    raise AssertionError("unreachable")  # pragma: no cover


# --- Retention ---------------------------------------------------------------------------------


def purge_class_data(*, now: dt.datetime | None = None, days: int = RETENTION_DAYS) -> int:
    """Delete the pupils and answers of class visits opened more than ``days`` ago, keeping
    the class's anonymous counts (``summary``); the teacher's address goes too. Returns the
    number of visits purged. Each visit in its own transaction: safe to rerun."""
    from parcours.orientation.class_queries import live_summary

    limit = (now or timezone.now()) - dt.timedelta(days=days)
    purged = 0
    due = ClassVisit.objects.filter(opened_at__lt=limit, purged_at__isnull=True)
    for visit_id in due.values_list("pk", flat=True).iterator():
        with transaction.atomic():
            visit = (
                ClassVisit.objects.select_for_update()
                .filter(pk=visit_id, purged_at__isnull=True)
                .first()
            )
            if visit is None:
                continue
            summary = live_summary(visit)
            ClassAnswer.objects.filter(visit=visit).delete()
            Pupil.objects.filter(visit=visit).delete()
            visit.summary = summary.as_json()
            visit.participant_count = summary.participants
            visit.teacher_email = ""
            visit.purged_at = timezone.now()
            if visit.status == ClassVisit.Status.OPEN:
                visit.status = ClassVisit.Status.CLOSED
                visit.closed_at = visit.purged_at
            visit.save()
            audit.record(
                "orientation.class_purged", actor=None, organisation=visit.organisation, obj=visit
            )
            purged += 1
    return purged
