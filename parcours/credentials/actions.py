"""Every write of the credentials app goes through here: issuer profiles and keys,
achievements, issuance (one learner, or a resumable bulk batch), revocation and sharing.

Issuance of one credential, in order:

1. status-list slots are reserved in a short transaction of their own (a slot reserved by an
   issuance that then fails stays empty forever — harmless, never reused);
2. the documents are built and signed outside any transaction (pure CPU, possibly in a pool
   of processes: no lock is held while signing);
3. the credentials are inserted in one transaction with the audit entry. The UNIQUE
   (achievement, learner) constraint makes "exactly once" hold whatever runs concurrently:
   the loser of a race gets the winner's credential back.
"""

from __future__ import annotations

import logging
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from functools import partial
from io import BytesIO
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Competence, Module, ProficiencyLevel
from parcours.credentials import conf, documents, keys
from parcours.credentials.core import statuslist
from parcours.credentials.core.multikey import encode_public_key
from parcours.credentials.core.proof import sign
from parcours.credentials.evidence import evidence_for
from parcours.credentials.models import (
    Achievement,
    AchievementCompetence,
    IssuanceBatch,
    IssuedCredential,
    IssuerProfile,
    SigningKey,
    StatusList,
    StatusSlot,
    Verification,
)
from parcours.credentials.querysets import active_key, eligible_learner_ids
from parcours.credentials.signals import (
    credential_revoked,
    credentials_issued,
    credentials_written,
)
from parcours.credentials.signing import PendingTexts, signer
from parcours.credentials.states import (
    ACHIEVEMENT_TRANSITIONS,
    BATCH_TRANSITIONS,
    CREDENTIAL_TRANSITIONS,
    AchievementStatus,
    BatchStatus,
    CredentialStatus,
    can_transition,
)
from parcours.lib import urls
from parcours.pathways.models import Pathway

logger = logging.getLogger(__name__)

COORDINATORS = (Role.COORDINATOR,)
BATCH_CHUNK_SIZE = 250
MAX_REASON_LENGTH = 500


# --- Issuer profile and keys ------------------------------------------------------------


def _new_key(profile: IssuerProfile, number: int) -> SigningKey:
    private = keys.generate_private_key()
    return SigningKey.objects.create(
        issuer=profile,
        number=number,
        verification_method=f"{profile.did}#key-{number}",
        public_key_multibase=encode_public_key(private.public_key()),
        encrypted_private_key=keys.encrypt_private_key(private),
    )


def ensure_issuer_profile(organisation: Organisation) -> IssuerProfile:
    """The organisation's issuer profile, created (with its first key) on first use."""
    profile = IssuerProfile.objects.filter(organisation=organisation).first()
    if profile is not None:
        return profile
    try:
        with transaction.atomic():
            profile = IssuerProfile.objects.create(
                organisation=organisation,
                name=organisation.name,
                url=organisation.website,
                email=organisation.email,
                description=organisation.description,
                did=documents.issuer_did(organisation.slug),
            )
            key = _new_key(profile, 1)
            audit.record(
                "credentials.issuer.create",
                actor=None,
                organisation=organisation,
                obj=profile,
                changes={"did": profile.did, "key": key.verification_method},
            )
    except IntegrityError:
        # Created concurrently by another process: use theirs.
        return IssuerProfile.objects.get(organisation=organisation)
    return profile


@dataclass
class IssuerData:
    name: str
    url: str = ""
    email: str = ""
    description: str = ""


def update_issuer_profile(
    *,
    actor: Actor,
    organisation: Organisation,
    data: IssuerData,
    logo: UploadedFile | None = None,
) -> IssuerProfile:
    require_role(actor, organisation, COORDINATORS)
    if not data.name.strip():
        raise ValidationError({"name": [_("Le nom de l'émetteur est obligatoire.")]})
    profile = ensure_issuer_profile(organisation)
    with transaction.atomic():
        profile = IssuerProfile.objects.select_for_update().get(pk=profile.pk)
        before = {"name": profile.name, "url": profile.url, "email": profile.email}
        profile.name = data.name.strip()
        profile.url = data.url.strip()
        profile.email = data.email.strip()
        profile.description = data.description
        if logo is not None:
            profile.logo.save(f"{organisation.slug}.png", _as_png(logo), save=False)
        profile.save()
        audit.record(
            "credentials.issuer.update",
            actor=actor.user,
            organisation=organisation,
            obj=profile,
            changes={"before": before, "name": profile.name, "logo": logo is not None},
        )
    return profile


def rotate_signing_key(*, actor: Actor, organisation: Organisation) -> SigningKey:
    """Retire the active key and create the next one. Retired keys stay published: every
    credential they signed keeps verifying."""
    require_role(actor, organisation, COORDINATORS)
    profile = ensure_issuer_profile(organisation)
    with transaction.atomic():
        profile = IssuerProfile.objects.select_for_update().get(pk=profile.pk)
        now = timezone.now()
        current = list(SigningKey.objects.filter(issuer=profile, retired_at__isnull=True))
        SigningKey.objects.filter(pk__in=[k.pk for k in current]).update(retired_at=now)
        last = SigningKey.objects.filter(issuer=profile).order_by("-number").first()
        key = _new_key(profile, (last.number if last else 0) + 1)
        audit.record(
            "credentials.key.rotate",
            actor=actor.user,
            organisation=organisation,
            obj=key,
            changes={"retired": [k.verification_method for k in current]},
        )
    return key


def _private_key(key: SigningKey) -> Any:
    return keys.decrypt_private_key(key.encrypted_private_key)


def _as_png(upload: UploadedFile) -> ContentFile:
    """Any uploaded image, checked and converted to PNG (the format badges are baked in)."""
    from PIL import Image, UnidentifiedImageError

    try:
        upload.seek(0)
        image = Image.open(upload)
        image.load()
    except (UnidentifiedImageError, OSError) as error:
        raise ValidationError({"image": [_("Ce fichier n'est pas une image lisible.")]}) from error
    if image.width > 4096 or image.height > 4096:
        raise ValidationError({"image": [_("L'image dépasse 4096 pixels de côté.")]})
    out = BytesIO()
    image.convert("RGBA").save(out, format="PNG")
    return ContentFile(out.getvalue())


# --- Achievements -----------------------------------------------------------------------


@dataclass
class AchievementData:
    name_fr: str
    description_fr: str
    criteria_fr: str
    name_en: str = ""
    description_en: str = ""
    criteria_en: str = ""
    kind: str = Achievement.Kind.BADGE
    color: str = "#1d4f91"
    expiry_days: int | None = None
    pathway_id: int | None = None
    module_id: int | None = None
    # (competence id, level id or None)
    competences: Sequence[tuple[int, int | None]] = field(default_factory=list)


def _validate_achievement(
    organisation: Organisation, data: AchievementData
) -> tuple[Pathway | None, Module | None, list[tuple[Competence, ProficiencyLevel | None]]]:
    errors: dict[str, list[str]] = {}
    if not data.name_fr.strip():
        errors["name_fr"] = [_("Le nom en français est obligatoire.")]
    if not data.description_fr.strip():
        errors["description_fr"] = [_("La description en français est obligatoire.")]
    if not data.criteria_fr.strip():
        errors["criteria_fr"] = [_("Les critères d'obtention sont obligatoires.")]
    if data.kind not in Achievement.Kind.values:
        errors["kind"] = [_("Type de badge inconnu.")]
    if data.expiry_days is not None and not 1 <= data.expiry_days <= 36500:
        errors["expiry_days"] = [_("La validité doit être comprise entre 1 et 36 500 jours.")]
    color = data.color.strip()
    if len(color) != 7 or not color.startswith("#") or not _is_hex(color[1:]):
        errors["color"] = [_("La couleur doit être au format #RRVVBB.")]
    pathway = module = None
    if (data.pathway_id is None) == (data.module_id is None):
        errors["target"] = [_("Choisissez soit un parcours, soit un module (un seul des deux).")]
    elif data.pathway_id is not None:
        pathway = Pathway.objects.filter(pk=data.pathway_id, organisation=organisation).first()
        if pathway is None:
            errors["target"] = [_("Ce parcours n'existe pas dans votre organisation.")]
    else:
        module = Module.objects.filter(pk=data.module_id or 0, organisation=organisation).first()
        if module is None:
            errors["target"] = [_("Ce module n'existe pas dans votre organisation.")]
    links: list[tuple[Competence, ProficiencyLevel | None]] = []
    competences = Competence.objects.select_related("framework").in_bulk(
        [c for c, _lv in data.competences]
    )
    levels = ProficiencyLevel.objects.in_bulk([lv for _c, lv in data.competences if lv])
    seen: set[int] = set()
    for competence_id, level_id in data.competences:
        competence = competences.get(competence_id)
        level = levels.get(level_id) if level_id else None
        if competence is None or competence_id in seen:
            errors.setdefault("competences", []).append(
                _("Compétence inconnue ou citée deux fois (n° %(id)s).") % {"id": competence_id}
            )
            continue
        if level_id and (level is None or level.framework_id != competence.framework_id):
            errors.setdefault("competences", []).append(
                _("Le niveau choisi pour « %(code)s » n'appartient pas à son référentiel.")
                % {"code": competence.code}
            )
            continue
        seen.add(competence_id)
        links.append((competence, level))
    if errors:
        raise ValidationError(errors)
    return pathway, module, links


def _is_hex(text: str) -> bool:
    try:
        int(text, 16)
    except ValueError:
        return False
    return True


def _apply(achievement: Achievement, data: AchievementData) -> None:
    achievement.name_fr = data.name_fr.strip()
    achievement.name_en = data.name_en.strip()
    achievement.description_fr = data.description_fr.strip()
    achievement.description_en = data.description_en.strip()
    achievement.criteria_fr = data.criteria_fr.strip()
    achievement.criteria_en = data.criteria_en.strip()
    achievement.kind = data.kind
    achievement.color = data.color.strip().lower()
    achievement.expiry_days = data.expiry_days
    achievement.pathway_id = data.pathway_id
    achievement.module_id = data.module_id


def _write_competences(
    achievement: Achievement, links: list[tuple[Competence, ProficiencyLevel | None]]
) -> None:
    AchievementCompetence.objects.filter(achievement=achievement).delete()
    AchievementCompetence.objects.bulk_create(
        [AchievementCompetence(achievement=achievement, competence=c, level=lv) for c, lv in links]
    )


def _snapshot(achievement: Achievement) -> dict[str, Any]:
    return {
        "name_fr": achievement.name_fr,
        "pathway": achievement.pathway_id,
        "module": achievement.module_id,
        "expiry_days": achievement.expiry_days,
        "status": achievement.status,
    }


def create_achievement(
    *,
    actor: Actor,
    organisation: Organisation,
    data: AchievementData,
    image: UploadedFile | None = None,
) -> Achievement:
    """A new draft achievement. Activate it to start issuing."""
    require_role(actor, organisation, COORDINATORS)
    _pathway, _module, links = _validate_achievement(organisation, data)
    png = _as_png(image) if image is not None else None
    with transaction.atomic():
        achievement = Achievement(organisation=organisation)
        _apply(achievement, data)
        if png is not None:
            achievement.image.save(f"{achievement.uuid}.png", png, save=False)
        achievement.save()
        _write_competences(achievement, links)
        audit.record(
            "credentials.achievement.create",
            actor=actor.user,
            organisation=organisation,
            obj=achievement,
            changes=_snapshot(achievement),
        )
    return achievement


def update_achievement(
    *,
    actor: Actor,
    achievement: Achievement,
    data: AchievementData,
    image: UploadedFile | None = None,
) -> Achievement:
    """Change an achievement. Credentials already issued keep what they were issued with."""
    organisation = achievement.organisation
    require_role(actor, organisation, COORDINATORS)
    _pathway, _module, links = _validate_achievement(organisation, data)
    png = _as_png(image) if image is not None else None
    with transaction.atomic():
        achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
        before = _snapshot(achievement)
        _apply(achievement, data)
        if png is not None:
            achievement.image.save(f"{achievement.uuid}.png", png, save=False)
        achievement.save()
        _write_competences(achievement, links)
        audit.record(
            "credentials.achievement.update",
            actor=actor.user,
            organisation=organisation,
            obj=achievement,
            changes={"before": before, "after": _snapshot(achievement)},
        )
    return achievement


def set_achievement_status(*, actor: Actor, achievement: Achievement, status: str) -> Achievement:
    """Activate (start issuing), archive (stop) or re-activate an achievement.

    Activating does not issue to learners who already satisfy the rule: the coordinator
    does that with a bulk issuance (the page offers it).
    """
    require_role(actor, achievement.organisation, COORDINATORS)
    with transaction.atomic():
        achievement = Achievement.objects.select_for_update().get(pk=achievement.pk)
        if not can_transition(ACHIEVEMENT_TRANSITIONS, achievement.status, status):
            raise ValidationError(_("Ce changement de statut n'est pas possible."))
        old = achievement.status
        achievement.status = status
        achievement.save(update_fields=["status", "updated_at"])
        audit.record(
            f"credentials.achievement.{status}",
            actor=actor.user,
            organisation=achievement.organisation,
            obj=achievement,
            changes={"from": old, "to": status},
        )
    if status == AchievementStatus.ACTIVE:
        ensure_issuer_profile(achievement.organisation)
    return achievement


# --- Status lists -----------------------------------------------------------------------


def _lock_status_list(pk: int) -> None:
    """Take the list's write lock now (PostgreSQL row lock; SQLite already holds the
    database lock in IMMEDIATE transactions): a no-op UPDATE works on both."""
    StatusList.objects.filter(pk=pk).update(allocated=F("allocated"))


def _new_status_list(profile: IssuerProfile, number: int) -> StatusList:
    return StatusList.objects.create(issuer=profile, number=number, size=statuslist.MIN_ENTRIES)


MAX_DRAWS = 64


def _draw_slots(status_list: StatusList, count: int) -> list[int]:
    """``count`` indexes of ``status_list`` drawn at random and reserved (``StatusSlot``),
    in random order. A drawn index already taken is drawn again: the unique constraint
    decides, and the reservation token tells which rows are ours."""
    token = secrets.token_hex(16)
    ours: set[int] = set()
    for _round in range(MAX_DRAWS):
        missing = count - len(ours)
        if missing <= 0:
            break
        drawn: set[int] = set()
        while len(drawn) < missing:
            drawn.add(secrets.randbelow(status_list.size))
        StatusSlot.objects.bulk_create(
            [
                StatusSlot(status_list=status_list, index=i, reservation=token)
                for i in sorted(drawn)
            ],
            ignore_conflicts=True,
        )
        ours = set(StatusSlot.objects.filter(reservation=token).values_list("index", flat=True))
    else:  # pragma: no cover - a list is never more than half full
        raise RuntimeError("no free status-list slot after repeated draws")
    indexes = list(ours)
    secrets.SystemRandom().shuffle(indexes)
    return indexes


def _reserve_slots(profile: IssuerProfile, count: int) -> list[tuple[StatusList, int]]:
    """``count`` unused (status list, index) slots, committed before returning."""
    slots: list[tuple[StatusList, int]] = []
    created: list[StatusList] = []
    with transaction.atomic():
        while len(slots) < count:
            current = (
                StatusList.objects.filter(issuer=profile, purpose=StatusList.Purpose.REVOCATION)
                .order_by("-number")
                .first()
            )
            if current is None or current.is_full:
                number = current.number + 1 if current else 1
                try:
                    with transaction.atomic():
                        current = _new_status_list(profile, number)
                except IntegrityError:
                    continue  # another process created it: take slots from theirs
                created.append(current)
            take = min(count - len(slots), current.capacity - current.allocated)
            # Also the list's write lock until commit: reservers of one list queue here.
            reserved = StatusList.objects.filter(
                pk=current.pk, allocated__lte=current.capacity - take
            ).update(allocated=F("allocated") + take)
            if not reserved:
                continue  # the list filled up meanwhile
            slots.extend((current, index) for index in _draw_slots(current, take))
        for status_list in created:
            _publish_status_list(status_list, profile)
    return slots


def _publish_status_list(status_list: StatusList, profile: IssuerProfile) -> None:
    """Rebuild, sign and store the list's BitstringStatusListCredential (caller holds the
    list's lock)."""
    revoked = IssuedCredential.objects.filter(
        status_list=status_list, status=CredentialStatus.REVOKED
    ).values_list("status_index", flat=True)
    now = timezone.now().replace(microsecond=0)
    unsigned = documents.status_list_credential(profile, status_list, revoked, now)
    key = active_key(profile.pk)
    signed = sign(unsigned, _private_key(key), key.verification_method, now)
    status_list.document = documents.dumps(signed)
    status_list.published_at = now
    status_list.save(update_fields=["document", "published_at"])


# --- Issuance ---------------------------------------------------------------------------


class NotEligible(ValidationError):
    pass


@dataclass
class IssueResult:
    credential: IssuedCredential
    created: bool


@dataclass
class _Prepared:
    """Unsaved credentials of a chunk and their unsigned documents (same order)."""

    credentials: list[IssuedCredential]
    documents: list[dict[str, Any]]
    created: datetime


def _prepare(
    achievement: Achievement,
    profile: IssuerProfile,
    key: SigningKey,
    learners: Sequence[tuple[int, str]],
    *,
    source: str,
    batch: IssuanceBatch | None,
    template: documents.CredentialTemplate | None = None,
) -> _Prepared:
    """Unsaved credentials for ``learners`` ((id, e-mail) pairs), status-list slots
    reserved, and their documents ready to sign."""
    slots = _reserve_slots(profile, len(learners))
    template = template or documents.credential_template(achievement, profile)
    evidence = evidence_for(achievement, [learner_id for learner_id, _email in learners])
    now = timezone.now().replace(microsecond=0)
    valid_until = now + timedelta(days=template.expiry_days) if template.expiry_days else None
    list_urls = {
        status_list.pk: documents.status_list_url(achievement.organisation.slug, status_list.number)
        for status_list in {s for s, _i in slots}
    }
    prepared = _Prepared([], [], now)
    for (learner_id, email), (status_list, index) in zip(learners, slots, strict=True):
        credential = IssuedCredential(
            organisation_id=achievement.organisation_id,
            achievement=achievement,
            learner_id=learner_id,
            signing_key=key,
            status_list=status_list,
            status_index=index,
            issued_at=now,
            valid_from=now,
            valid_until=valid_until,
            recipient_salt=secrets.token_hex(8),
            source=source,
            batch=batch,
        )
        prepared.documents.append(
            documents.build_credential(
                template,
                credential_uuid=credential.uuid,
                email=email,
                salt=credential.recipient_salt,
                valid_from=now,
                valid_until=valid_until,
                evidence=evidence.get(learner_id, []),
                list_url=list_urls[status_list.pk],
                status_index=index,
            )
        )
        prepared.credentials.append(credential)
    return prepared


def _with_documents(prepared: _Prepared, texts: list[str]) -> list[IssuedCredential]:
    for credential, text in zip(prepared.credentials, texts, strict=True):
        credential.document = text
    return prepared.credentials


def _issuance_context(achievement: Achievement) -> tuple[IssuerProfile, SigningKey]:
    _require_public_address()
    profile = ensure_issuer_profile(achievement.organisation)
    key = active_key(profile.pk)
    if key is None:  # pragma: no cover - a profile is always created with its first key
        raise ValidationError(_("L'émetteur n'a pas de clé de signature."))
    return profile, key


def _require_public_address() -> None:
    """Production issues nothing under an address others cannot reach for years (http, an
    IP address): what system check credentials.E002 says, enforced where it matters."""
    if conf.development_mode():
        return
    if urls.insecure_site_url_reason(urls.configured_site_url()):
        raise ValidationError(
            _(
                "Les badges ne peuvent pas être délivrés : l'adresse publique du site "
                "(SITE_URL) doit être une adresse https avec un nom de domaine."
            )
        )


def _check_can_issue(actor: Actor | None, achievement: Achievement) -> None:
    _require_public_address()
    if actor is not None:
        require_role(actor, achievement.organisation, COORDINATORS)
    if not achievement.is_active:
        raise ValidationError(_("Ce badge n'est pas actif : activez-le avant de le délivrer."))


def issue_credential(
    *,
    achievement: Achievement,
    learner: User,
    actor: Actor | None = None,
    source: str = IssuedCredential.Source.AUTOMATIC,
) -> IssueResult:
    """Issue the achievement's credential to one learner who earned it — or return the one
    they already have. ``actor`` is None when the platform issues automatically."""
    _check_can_issue(actor, achievement)
    existing = IssuedCredential.objects.filter(achievement=achievement, learner=learner).first()
    if existing is not None:
        return IssueResult(existing, created=False)
    if learner.pk not in eligible_learner_ids(achievement, [learner.pk]):
        # No name here: the learner may be anyone's (an id typed in the API).
        raise NotEligible(_("Cette personne n'a pas (encore) rempli les conditions de ce badge."))
    profile, key = _issuance_context(achievement)
    prepared = _prepare(
        achievement, profile, key, [(learner.pk, learner.email)], source=source, batch=None
    )
    with signer(_private_key(key), key.verification_method) as signer_:
        (credential,) = _with_documents(
            prepared, signer_.sign_texts(prepared.documents, prepared.created)
        )
    try:
        with transaction.atomic():
            credential.save(force_insert=True)
            audit.record(
                "credentials.issue",
                actor=actor.user if actor else None,
                organisation=achievement.organisation,
                obj=credential,
                changes={"learner": learner.pk, "achievement": achievement.pk, "source": source},
            )
            _announce([credential.pk])
    except IntegrityError:
        # Issued concurrently (two completions at once, two workers): theirs stands.
        winner = IssuedCredential.objects.get(achievement=achievement, learner=learner)
        return IssueResult(winner, created=False)
    return IssueResult(credential, created=True)


def _announce(credential_ids: list[int]) -> None:
    """``credentials_written`` now (inside the issuing transaction), ``credentials_issued``
    once it commits."""
    if credential_ids:
        credentials_written.send(sender=IssuedCredential, credential_ids=credential_ids)
        transaction.on_commit(
            partial(credentials_issued.send, sender=IssuedCredential, credential_ids=credential_ids)
        )


def issue_for(achievement_id: int, learner_id: int) -> IssuedCredential | None:
    """What the background task runs: idempotent, quiet when nothing is to be done."""
    achievement = (
        Achievement.objects.select_related("organisation", "pathway")
        .filter(pk=achievement_id)
        .first()
    )
    learner = User.objects.filter(pk=learner_id).first()
    if achievement is None or learner is None or not achievement.is_active:
        return None
    try:
        return issue_credential(achievement=achievement, learner=learner).credential
    except NotEligible:
        logger.info("learner %s not eligible for achievement %s", learner_id, achievement_id)
        return None


def _store(credentials: list[IssuedCredential], batch: IssuanceBatch | None) -> int:
    """Insert a chunk (duplicates from concurrent issuers are skipped) and return how many
    rows were new."""
    with transaction.atomic():
        IssuedCredential.objects.bulk_create(credentials, ignore_conflicts=True)
        stored_rows = list(
            IssuedCredential.objects.filter(uuid__in=[c.uuid for c in credentials]).values_list(
                "pk", "learner_id"
            )
        )
        stored = {learner_id for _pk, learner_id in stored_rows}
        _announce([pk for pk, _learner_id in stored_rows])
        if stored and credentials:
            achievement = credentials[0].achievement
            audit.record(
                "credentials.issue.batch",
                actor=batch.created_by if batch else None,
                organisation=achievement.organisation,
                obj=batch or achievement,
                changes={"achievement": achievement.pk, "learners": sorted(stored)},
            )
        if batch is not None:
            # Every learner of the chunk now has the badge: ours, or a concurrent issuer's
            # (skipped). Counted here, in the chunk's transaction; run_batch recounts from
            # the table at start and end.
            IssuanceBatch.objects.filter(pk=batch.pk).update(
                issued=F("issued") + len(stored),
                skipped=F("skipped") + len(credentials) - len(stored),
                heartbeat_at=timezone.now(),
            )
    return len(stored)


def _update_progress(batch: IssuanceBatch) -> None:
    done = IssuedCredential.objects.filter(
        achievement_id=batch.achievement_id, learner_id__in=batch.learner_ids
    ).count()
    issued = IssuedCredential.objects.filter(batch=batch).count()
    IssuanceBatch.objects.filter(pk=batch.pk).update(
        issued=issued, skipped=done - issued, heartbeat_at=timezone.now()
    )


def start_bulk_issuance(
    *, actor: Actor, achievement: Achievement, learner_ids: Iterable[int] | None = None
) -> IssuanceBatch:
    """Issue the achievement to every eligible learner (or to the given ones who are
    eligible) who has not got it yet, in a background batch that shows its progress."""
    _check_can_issue(actor, achievement)
    eligible = eligible_learner_ids(achievement, learner_ids)
    already = set(
        IssuedCredential.objects.filter(achievement=achievement).values_list(
            "learner_id", flat=True
        )
    )
    todo = sorted(eligible - already)
    if not todo:
        raise ValidationError(_("Aucun apprenant ne remplit les conditions sans avoir ce badge."))
    from parcours.credentials.tasks import run_issuance_batch

    with transaction.atomic():
        batch = IssuanceBatch.objects.create(
            achievement=achievement, created_by=actor.user, learner_ids=todo, total=len(todo)
        )
        audit.record(
            "credentials.batch.start",
            actor=actor.user,
            organisation=achievement.organisation,
            obj=batch,
            changes={"achievement": achievement.pk, "total": len(todo)},
        )
        transaction.on_commit(partial(run_issuance_batch.enqueue, batch.pk))
    return batch


def resume_batch(*, actor: Actor, batch: IssuanceBatch) -> IssuanceBatch:
    """Run an interrupted batch again: it skips whoever already has the badge."""
    require_role(actor, batch.achievement.organisation, COORDINATORS)
    if not can_transition(BATCH_TRANSITIONS, batch.status, BatchStatus.RUNNING):
        raise ValidationError(_("Cette émission est terminée."))
    from parcours.credentials.tasks import run_issuance_batch

    audit.record(
        "credentials.batch.resume",
        actor=actor.user,
        organisation=batch.achievement.organisation,
        obj=batch,
    )
    transaction.on_commit(partial(run_issuance_batch.enqueue, batch.pk))
    return batch


def run_batch(
    batch_id: int,
    *,
    chunk_size: int = BATCH_CHUNK_SIZE,
    processes: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> IssuanceBatch:
    """Process a batch (what the background task runs). Each chunk commits its credentials
    with the batch's progress, so a batch killed halfway is finished by running it again."""
    from parcours.credentials import conf

    with transaction.atomic():
        batch = IssuanceBatch.objects.select_for_update().get(pk=batch_id)
        if not can_transition(BATCH_TRANSITIONS, batch.status, BatchStatus.RUNNING):
            return batch
        batch.status = BatchStatus.RUNNING
        batch.started_at = batch.started_at or timezone.now()
        batch.heartbeat_at = timezone.now()
        batch.error = ""
        batch.save(update_fields=["status", "started_at", "heartbeat_at", "error"])
    achievement = Achievement.objects.select_related("organisation", "pathway").get(
        pk=batch.achievement_id
    )
    try:
        _update_progress(batch)
        have = set(
            IssuedCredential.objects.filter(
                achievement=achievement, learner_id__in=batch.learner_ids
            ).values_list("learner_id", flat=True)
        )
        todo = [learner_id for learner_id in batch.learner_ids if learner_id not in have]
        emails = dict(User.objects.filter(pk__in=todo).values_list("pk", "email"))
        learners = [(learner_id, emails[learner_id]) for learner_id in todo if learner_id in emails]
        profile, key = _issuance_context(achievement)
        workers = conf.signing_processes() if processes is None else processes
        template = documents.credential_template(achievement, profile)
        done = len(have)
        # Pipelined: while the pool signs one chunk, this process stores the previous one
        # and prepares the next. Chunks are still stored (and committed) in order.
        with signer(_private_key(key), key.verification_method, processes=workers) as signer_:
            pending: tuple[_Prepared, PendingTexts] | None = None
            for start in range(0, len(learners) + chunk_size, chunk_size):
                chunk = learners[start : start + chunk_size]
                following = None
                if chunk:
                    prepared = _prepare(
                        achievement,
                        profile,
                        key,
                        chunk,
                        source=IssuedCredential.Source.BATCH,
                        batch=batch,
                        template=template,
                    )
                    following = (prepared, signer_.submit(prepared.documents, prepared.created))
                if pending is not None:
                    _store(_with_documents(pending[0], pending[1].result()), batch)
                    done += len(pending[0].credentials)
                    if progress is not None:
                        progress(done, batch.total)
                pending = following
    except BaseException as error:
        IssuanceBatch.objects.filter(pk=batch.pk).update(
            status=BatchStatus.FAILED, error=repr(error)[:1000], heartbeat_at=timezone.now()
        )
        raise
    _update_progress(batch)
    IssuanceBatch.objects.filter(pk=batch.pk).update(
        status=BatchStatus.COMPLETED, finished_at=timezone.now()
    )
    batch.refresh_from_db()
    return batch


def issue_to_all_eligible(
    achievement: Achievement, *, processes: int = 1, chunk_size: int = BATCH_CHUNK_SIZE
) -> int:
    """System issuance to everyone eligible who has not got the badge (demo loader,
    catching up after activating an achievement). Returns how many were issued."""
    eligible = eligible_learner_ids(achievement)
    already = set(
        IssuedCredential.objects.filter(achievement=achievement).values_list(
            "learner_id", flat=True
        )
    )
    todo = sorted(eligible - already)
    if not todo or not achievement.is_active:
        return 0
    batch = IssuanceBatch.objects.create(achievement=achievement, learner_ids=todo, total=len(todo))
    return run_batch(batch.pk, processes=processes, chunk_size=chunk_size).issued


# --- Revocation and sharing -------------------------------------------------------------


def revoke_credential(
    *, actor: Actor, credential: IssuedCredential, reason: str
) -> IssuedCredential:
    """Revoke with a reason: the credential's bit is set in its published status list and
    its OB 2.0 assertion answers as revoked. Final."""
    require_role(actor, credential.organisation, COORDINATORS)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": [_("Indiquez la raison de la révocation.")]})
    if len(reason) > MAX_REASON_LENGTH:
        raise ValidationError(
            {"reason": [_("La raison est trop longue (500 caractères au plus).")]}
        )
    with transaction.atomic():
        # The list first: concurrent revocations on one list are serialised, so each
        # republication includes every earlier one.
        _lock_status_list(credential.status_list_id)
        credential = (
            IssuedCredential.objects.select_for_update()
            .select_related("status_list", "status_list__issuer__organisation")
            .get(pk=credential.pk)
        )
        if not can_transition(CREDENTIAL_TRANSITIONS, credential.status, CredentialStatus.REVOKED):
            raise ValidationError(_("Ce badge est déjà révoqué."))
        credential.status = CredentialStatus.REVOKED
        credential.revoked_at = timezone.now()
        credential.revocation_reason = reason
        credential.revoked_by = actor.user
        credential.save(update_fields=["status", "revoked_at", "revocation_reason", "revoked_by"])
        status_list = credential.status_list
        _publish_status_list(status_list, status_list.issuer)
        credential_revoked.send(sender=IssuedCredential, credential_id=credential.pk)
        audit.record(
            "credentials.revoke",
            actor=actor.user,
            organisation=credential.organisation,
            obj=credential,
            changes={"reason": reason, "learner": credential.learner_id},
        )
    return credential


def revoke_earned_by(
    *,
    actor: Actor,
    learner_id: int,
    module_id: int,
    pathway_ids: list[int],
    reason: str,
) -> list[IssuedCredential]:
    """A completion was withdrawn and the coordinator asked to revoke what it earned: the
    learner's badges for achievements linked to the module or to one of ``pathway_ids`` (the
    pathways they no longer complete), each through ``revoke_credential`` (status list
    republished, audited) with the withdrawal's reason. Badges of another organisation, which
    this coordinator cannot revoke, are left (and logged). Returns the revoked badges."""
    reason = _("Module terminé retiré : %(reason)s") % {"reason": reason}
    reason = reason[:MAX_REASON_LENGTH]
    earned = (
        IssuedCredential.objects.filter(learner_id=learner_id, status=CredentialStatus.ISSUED)
        .filter(Q(achievement__module_id=module_id) | Q(achievement__pathway_id__in=pathway_ids))
        .order_by("pk")
    )
    revoked = []
    for credential in earned:
        try:
            revoked.append(revoke_credential(actor=actor, credential=credential, reason=reason))
        except (PermissionDenied, ValidationError) as exc:  # not theirs, or revoked meanwhile
            logger.warning("Badge %s not revoked after a withdrawal: %s", credential.pk, exc)
    return revoked


def set_shared(*, user: User, credential: IssuedCredential, shared: bool) -> IssuedCredential:
    """The learner makes their badge public (a share link showing their name) or private."""
    if credential.learner_id != user.pk:
        raise PermissionDenied(_("Seul le titulaire du badge peut le partager."))
    with transaction.atomic():
        IssuedCredential.objects.filter(pk=credential.pk).update(shared=shared)
        credential.shared = shared
        audit.record(
            "credentials.share" if shared else "credentials.unshare",
            actor=user,
            organisation=credential.organisation,
            obj=credential,
        )
    return credential


def reencrypt_signing_keys() -> int:
    """Re-encrypt every private key under the current CREDENTIALS_KEY (after rotating it)."""
    count = 0
    with transaction.atomic():
        for key in SigningKey.objects.select_for_update():
            key.encrypted_private_key = keys.reencrypt(key.encrypted_private_key)
            key.save(update_fields=["encrypted_private_key"])
            count += 1
    return count


def setup_pathway_badge(
    *,
    actor: Actor,
    pathway: Pathway,
    data: AchievementData,
    issue_now: bool = True,
    processes: int = 1,
) -> tuple[Achievement, int]:
    """Create and activate the badge of a pathway, then issue it to everyone who already
    satisfies the rule (what the demo loader calls once the completions are loaded; later
    completions are issued automatically). Returns (achievement, credentials issued)."""
    data.pathway_id, data.module_id = pathway.pk, None
    achievement = create_achievement(actor=actor, organisation=pathway.organisation, data=data)
    achievement = set_achievement_status(
        actor=actor, achievement=achievement, status=AchievementStatus.ACTIVE
    )
    issued = issue_to_all_eligible(achievement, processes=processes) if issue_now else 0
    return achievement, issued


#: A badge verified again within this delay (a reload, a link shared in a chat that previews
#: it twice) counts once.
VERIFICATION_REPEAT_WINDOW = timedelta(minutes=10)
#: User agents of robots: link previews, search engines, monitors. Not verifications.
_ROBOT = re.compile(
    r"bot\b|bot/|crawler|spider|slurp|preview|facebookexternalhit|whatsapp|embedly|"
    r"headless|lighthouse|pingdom|uptime|monitor",
    re.IGNORECASE,
)


def is_robot(user_agent: str) -> bool:
    return bool(_ROBOT.search(user_agent or ""))


def record_verification(
    credential: IssuedCredential | None,
    *,
    channel: str,
    now: datetime | None = None,
    user_agent: str = "",
) -> bool:
    """Count one verification of one of our badges (the public page or the API), for the
    reports' "badges verified"; returns whether it was counted. Not counted: a document that
    is not one of ours, a robot (by its user agent), and the same badge verified again by the
    same channel within ``VERIFICATION_REPEAT_WINDOW`` (reloads). Who verified is never
    stored."""
    if credential is None or channel not in Verification.Channel.values or is_robot(user_agent):
        return False
    now = now or timezone.now()
    if Verification.objects.filter(
        credential_id=credential.pk,
        channel=channel,
        verified_at__gt=now - VERIFICATION_REPEAT_WINDOW,
        verified_at__lte=now,
    ).exists():
        return False
    Verification.objects.create(
        credential_id=credential.pk,
        organisation_id=credential.organisation_id,
        channel=channel,
        verified_at=now,
    )
    return True
