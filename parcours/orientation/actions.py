"""Every write of the orientation app: the ESCO import, worlds, job sheets and study routes.

Curation actions check the actor's role in the organisation first (coordinators and
administrators), then validate, then write in one transaction with their audit entry. Validation
errors are ``ValidationError`` keyed by field, in the user's language. Images are checked by
their content (PNG, JPEG, WebP or GIF, at most ``MAX_IMAGE_BYTES`` and ``MAX_IMAGE_PIXELS``) and
stored resized to at most ``IMAGE_WIDTH`` pixels wide, as WebP.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.orientation import esco, search
from parcours.orientation.models import IscoGroup, JobSheet, Occupation, StudyRoute, World
from parcours.pathways.models import Pathway
from parcours.scheduling.models import OutreachActivity

CURATORS = (Role.COORDINATOR,)
MAX_IMAGE_BYTES = 5 * 1024 * 1024
MAX_IMAGE_PIXELS = 40_000_000
IMAGE_WIDTH = 960
IMAGE_FORMATS = frozenset({"PNG", "JPEG", "WEBP", "GIF"})
COLOUR = re.compile(r"#[0-9a-fA-F]{6}")


# --- ESCO ----------------------------------------------------------------------------------


@dataclass
class EscoImportResult:
    groups_created: int = 0
    groups_updated: int = 0
    occupations_created: int = 0
    occupations_updated: int = 0
    occupations_unchanged: int = 0


_GROUP_FIELDS = ("uri", "parent_id", "label_fr", "label_en", "description_fr", "description_en")
_OCCUPATION_FIELDS = (
    "code",
    "isco_group_id",
    "preferred_label_fr",
    "preferred_label_en",
    "alt_labels_fr",
    "alt_labels_en",
    "description_fr",
    "description_en",
    "search_text",
    "sort_label",
)


def import_esco(directory: Path = esco.BUNDLED_DIR) -> EscoImportResult:
    """Load (or refresh) the ESCO occupations and ISCO groups from ``directory``.

    Idempotent (rows are matched by code / URI; a second run changes nothing) and all-or-nothing:
    every file is parsed and checked before the one transaction that writes. Occupations no
    longer in the files are kept (job sheets may point to them). Raises ``esco.EscoError``."""
    data = esco.read_directory(directory)
    try:
        return _write_esco(data)
    except IntegrityError as error:  # another import inserted the same rows meanwhile
        raise esco.EscoError(
            _("Un autre import ESCO a écrit en même temps ; relancez l'import.")
        ) from error


def _write_esco(data: esco.EscoData) -> EscoImportResult:
    result = EscoImportResult()
    with transaction.atomic():
        groups = {g.code: g for g in IscoGroup.objects.select_for_update()}
        new_groups: list[IscoGroup] = []
        for code in sorted(data.isco, key=lambda c: (len(c), c)):
            by_lang = data.isco[code]
            first = by_lang.get("fr") or by_lang["en"]
            values = {
                "uri": first.uri,
                "label_fr": by_lang["fr"].label if "fr" in by_lang else "",
                "label_en": by_lang["en"].label if "en" in by_lang else "",
                "description_fr": by_lang["fr"].description if "fr" in by_lang else "",
                "description_en": by_lang["en"].description if "en" in by_lang else "",
            }
            group = groups.get(code)
            if group is None:
                group = IscoGroup(code=code, **values)
                groups[code] = group
                new_groups.append(group)
            elif any(getattr(group, k) != v for k, v in values.items()):
                for k, v in values.items():
                    setattr(group, k, v)
                group.save()
                result.groups_updated += 1
        IscoGroup.objects.bulk_create(new_groups)
        result.groups_created = len(new_groups)
        # Parents (the code minus its last digit), once every group has an id.
        changed_parents: list[IscoGroup] = []
        for code, group in groups.items():
            parent = groups.get(code[:-1]) if len(code) > 1 else None
            parent_id = parent.pk if parent else None
            if group.parent_id != parent_id:
                group.parent_id = parent_id
                changed_parents.append(group)
        IscoGroup.objects.bulk_update(changed_parents, ["parent_id"], batch_size=500)

        existing = {o.uri: o for o in Occupation.objects.select_for_update()}
        new_occupations: list[Occupation] = []
        changed: list[Occupation] = []
        for uri, languages in data.occupations.items():
            fr, en = languages["fr"], languages.get("en")
            labels = [fr.label, *fr.alt_labels]
            if en is not None:
                labels += [en.label, *en.alt_labels]
            row: dict[str, Any] = {
                "code": fr.code,
                "isco_group_id": groups[fr.isco_code].pk,
                "preferred_label_fr": fr.label,
                "preferred_label_en": en.label if en else "",
                "alt_labels_fr": "\n".join(fr.alt_labels),
                "alt_labels_en": "\n".join(en.alt_labels) if en else "",
                "description_fr": fr.description,
                "description_en": en.description if en else "",
                "search_text": esco.search_text(labels),
                "sort_label": esco.search_text([fr.label])[:300],
            }
            occupation = existing.get(uri)
            if occupation is None:
                new_occupations.append(Occupation(uri=uri, **row))
            elif any(getattr(occupation, k) != v for k, v in row.items()):
                for k, v in row.items():
                    setattr(occupation, k, v)
                changed.append(occupation)
            else:
                result.occupations_unchanged += 1
        Occupation.objects.bulk_create(new_occupations, batch_size=500)
        Occupation.objects.bulk_update(changed, list(_OCCUPATION_FIELDS), batch_size=500)
        result.occupations_created = len(new_occupations)
        result.occupations_updated = len(changed)
        transaction.on_commit(search.forget)
    search.forget()
    return result


# --- Images --------------------------------------------------------------------------------


def prepare_image(upload: UploadedFile, field: str) -> ContentFile:
    """An uploaded picture, checked by its content and resized to a light WebP."""
    from PIL import Image, UnidentifiedImageError

    if upload.size is not None and upload.size > MAX_IMAGE_BYTES:
        raise ValidationError({field: [_("L'image dépasse 5 Mo.")]})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format
            width, height = probe.size
        if kind not in IMAGE_FORMATS:
            raise ValidationError({field: [_("Formats acceptés : PNG, JPEG, WebP ou GIF.")]})
        if width * height > MAX_IMAGE_PIXELS:
            raise ValidationError({field: [_("L'image a trop de pixels.")]})
        upload.seek(0)
        with Image.open(upload) as image:
            image.load()
            picture = image.convert("RGBA" if image.mode in ("RGBA", "LA", "P") else "RGB")
    except ValidationError:
        raise
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as error:
        raise ValidationError({field: [_("Ce fichier n'est pas une image lisible.")]}) from error
    if picture.width > IMAGE_WIDTH:
        ratio = IMAGE_WIDTH / picture.width
        picture = picture.resize((IMAGE_WIDTH, max(1, round(picture.height * ratio))))
    out = BytesIO()
    picture.save(out, format="WEBP", quality=80, method=4)
    return ContentFile(out.getvalue(), name="image.webp")


# --- Shared helpers -------------------------------------------------------------------------


def _clean_text(values: Mapping[str, Any], names: Iterable[str]) -> dict[str, Any]:
    return {name: str(values.get(name) or "").strip() for name in names if name in values}


def _validate(obj: World | JobSheet | StudyRoute, exclude: list[str]) -> None:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as error:
        raise ValidationError(error.message_dict) from error


# /orientation/<org>/<world>/ shares its place with the literal pages of the games and quiz.
RESERVED_WORLD_SLUGS = frozenset({"quiz", "jeu", "metier"})


def _unique_slug(model: type[World] | type[JobSheet], obj: World | JobSheet, source: str) -> None:
    if not obj.slug:
        obj.slug = slugify(source)[: model._meta.get_field("slug").max_length] or "x"
    taken = model.objects.filter(organisation_id=obj.organisation_id, slug=obj.slug)
    if obj.pk:
        taken = taken.exclude(pk=obj.pk)
    if taken.exists():
        raise ValidationError({"slug": [_("Cet identifiant est déjà utilisé.")]})
    if model is World and obj.slug in RESERVED_WORLD_SLUGS:
        raise ValidationError(
            {"slug": [_("Cet identifiant est le nom d'une page de l'explorateur.")]}
        )


def _save_unique(obj: World | JobSheet) -> None:
    """Save; a slug taken by a concurrent writer since the check is a field error, not a 500."""
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as error:
        if obj.illustration:
            obj.illustration.delete(save=False)
        raise ValidationError({"slug": [_("Cet identifiant est déjà utilisé.")]}) from error


def _owned_ids(
    model: type[Module] | type[Pathway] | type[OutreachActivity],
    organisation: Organisation,
    ids: Iterable[int] | None,
    field: str,
) -> list[int] | None:
    if ids is None:
        return None
    wanted = {int(i) for i in ids}
    found = set(
        model.objects.filter(organisation=organisation, pk__in=wanted).values_list("pk", flat=True)
    )
    if found != wanted:
        raise ValidationError({field: [_("Un élément choisi n'existe pas dans l'organisation.")]})
    return sorted(found)


def _store_image(obj: World | JobSheet, content: ContentFile | None, remove: bool) -> None:
    """After validation: the prepared picture stored, or the old one removed."""
    if content is not None:
        if obj.illustration:
            obj.illustration.delete(save=False)
        obj.illustration.save(f"{obj.slug}.webp", content, save=False)
    elif remove and obj.illustration:
        obj.illustration.delete(save=False)
        obj.illustration = None


# --- Worlds --------------------------------------------------------------------------------

WORLD_TEXT = (
    "slug",
    "name_fr",
    "name_en",
    "tagline_fr",
    "tagline_en",
    "description_fr",
    "description_en",
    "resources_fr",
    "resources_en",
    "illustration_alt_fr",
    "illustration_alt_en",
    "colour",
)


def save_world(
    *,
    actor: Actor,
    organisation: Organisation,
    data: Mapping[str, Any],
    world: World | None = None,
    illustration: UploadedFile | None = None,
    remove_illustration: bool = False,
    activity_ids: Iterable[int] | None = None,
) -> World:
    """Create (``world=None``) or change a world of ``organisation``. A mapping may hold only
    some fields; ``activity_ids=None`` keeps the outreach activities, a list replaces them."""
    require_role(actor, organisation, CURATORS)
    if world is not None and world.organisation_id != organisation.pk:
        raise ValidationError(_("Ce monde appartient à une autre organisation."))
    values = _clean_text(data, WORLD_TEXT)
    if "order" in data:
        values["order"] = data["order"] or 0
    if "is_published" in data:
        values["is_published"] = bool(data["is_published"])
    with transaction.atomic():
        current = (
            World(organisation=organisation)
            if world is None
            else World.objects.select_for_update().get(pk=world.pk)
        )
        before = {name: getattr(current, name) for name in values} if world else {}
        for name, value in values.items():
            setattr(current, name, value)
        current.colour = current.colour.lower()
        errors: dict[str, list[str]] = {}
        picture: list[ContentFile] = []
        if not COLOUR.fullmatch(current.colour):
            errors["colour"] = [_("Une couleur s'écrit #RRGGBB, p. ex. #1d4f91.")]
        for check in (
            lambda: _unique_slug(World, current, current.name_fr),
            lambda: _validate(current, ["organisation", "illustration", "colour"]),
            lambda: (
                picture.append(prepare_image(illustration, "illustration"))
                if illustration is not None
                else None
            ),
        ):
            try:
                check()
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
        activities = None
        try:
            activities = _owned_ids(
                OutreachActivity, organisation, activity_ids, "outreach_activities"
            )
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            raise ValidationError(errors)
        _store_image(current, picture[0] if picture else None, remove_illustration)
        _save_unique(current)
        if activities is not None:
            current.outreach_activities.set(activities)
        audit.record(
            "orientation.world.create" if world is None else "orientation.world.update",
            actor=actor.user,
            organisation=organisation,
            obj=current,
            changes={k: [before.get(k), v] for k, v in values.items() if before.get(k) != v},
        )
    return current


def delete_world(*, actor: Actor, world: World) -> None:
    """Delete a world that has no job sheet left."""
    require_role(actor, world.organisation_id, CURATORS)
    with transaction.atomic():
        current = World.objects.select_for_update().get(pk=world.pk)
        if current.job_sheets.exists():
            raise ValidationError(
                _("Ce monde contient encore des fiches métier : déplacez-les ou supprimez-les.")
            )
        audit.record(
            "orientation.world.delete",
            actor=actor.user,
            organisation=current.organisation,
            obj=current,
        )
        if current.illustration:
            current.illustration.delete(save=False)
        current.delete()


# --- Job sheets ----------------------------------------------------------------------------

SHEET_TEXT = (
    "slug",
    "title_fr",
    "title_en",
    "summary_fr",
    "summary_en",
    "work_fr",
    "work_en",
    "day_fr",
    "day_en",
    "qualities_fr",
    "qualities_en",
    "workplaces_fr",
    "workplaces_en",
    "testimony_name",
    "testimony_video_url",
    "testimony_transcript_fr",
    "testimony_transcript_en",
    "illustration_alt_fr",
    "illustration_alt_en",
)


@dataclass
class SheetLinks:
    """A job sheet's links; ``None`` keeps the current ones, a list replaces them."""

    module_ids: Iterable[int] | None = None
    pathway_ids: Iterable[int] | None = None
    activity_ids: Iterable[int] | None = None


def save_job_sheet(
    *,
    actor: Actor,
    organisation: Organisation,
    data: Mapping[str, Any],
    sheet: JobSheet | None = None,
    links: SheetLinks | None = None,
    illustration: UploadedFile | None = None,
    remove_illustration: bool = False,
) -> JobSheet:
    """Create (``sheet=None``) or change a job sheet. ``data`` may hold ``world`` (id, of the
    organisation) and ``occupation`` (an ESCO occupation id, or None to unlink)."""
    require_role(actor, organisation, CURATORS)
    if sheet is not None and sheet.organisation_id != organisation.pk:
        raise ValidationError(_("Cette fiche appartient à une autre organisation."))
    links = links or SheetLinks()
    values: dict[str, Any] = _clean_text(data, SHEET_TEXT)
    errors: dict[str, list[str]] = {}
    if "order" in data:
        values["order"] = data["order"] or 0
    if "is_published" in data:
        values["is_published"] = bool(data["is_published"])
    if "world" in data:
        world = World.objects.filter(organisation=organisation, pk=data["world"]).first()
        if world is None:
            errors["world"] = [_("Choisissez un monde de l'organisation.")]
        else:
            values["world"] = world
    if "occupation" in data:
        occupation = None
        if data["occupation"]:
            occupation = Occupation.objects.filter(pk=data["occupation"]).first()
            if occupation is None:
                errors["occupation"] = [_("Ce métier ESCO n'existe pas.")]
        values["occupation"] = occupation
    with transaction.atomic():
        current = (
            JobSheet(organisation=organisation)
            if sheet is None
            else JobSheet.objects.select_for_update().get(pk=sheet.pk)
        )
        before = {n: str(getattr(current, n, "")) for n in values} if sheet else {}
        for name, value in values.items():
            setattr(current, name, value)
        picture: list[ContentFile] = []
        if current.world_id is None and "world" not in errors:
            errors["world"] = [_("Choisissez un monde de l'organisation.")]
        checks = [
            lambda: _unique_slug(JobSheet, current, current.title_fr),
            lambda: _validate(current, ["organisation", "world", "occupation", "illustration"]),
            lambda: (
                picture.append(prepare_image(illustration, "illustration"))
                if illustration is not None
                else None
            ),
        ]
        resolved: dict[str, list[int] | None] = {}
        for key, model, ids in (
            ("modules", Module, links.module_ids),
            ("pathways", Pathway, links.pathway_ids),
            ("outreach_activities", OutreachActivity, links.activity_ids),
        ):
            checks.append(
                lambda key=key, model=model, ids=ids: resolved.__setitem__(  # type: ignore[misc]
                    key, _owned_ids(model, organisation, ids, key)
                )
            )
        for check in checks:
            try:
                check()
            except ValidationError as error:
                for key, messages in error.message_dict.items():
                    errors.setdefault(key, []).extend(messages)
        if errors:
            raise ValidationError(errors)
        _store_image(current, picture[0] if picture else None, remove_illustration)
        _save_unique(current)
        for key, ids in resolved.items():
            if ids is not None:
                getattr(current, key).set(ids)
        audit.record(
            "orientation.sheet.create" if sheet is None else "orientation.sheet.update",
            actor=actor.user,
            organisation=organisation,
            obj=current,
            changes={
                k: [before.get(k), str(v)] for k, v in values.items() if before.get(k) != str(v)
            },
        )
    return current


def delete_job_sheet(*, actor: Actor, sheet: JobSheet) -> None:
    require_role(actor, sheet.organisation_id, CURATORS)
    with transaction.atomic():
        current = JobSheet.objects.select_for_update().get(pk=sheet.pk)
        audit.record(
            "orientation.sheet.delete",
            actor=actor.user,
            organisation=current.organisation,
            obj=current,
        )
        if current.illustration:
            current.illustration.delete(save=False)
        current.delete()


# --- Study routes --------------------------------------------------------------------------

ROUTE_TEXT = ("kind", "title_fr", "title_en", "institution", "url")


def save_route(
    *,
    actor: Actor,
    sheet: JobSheet,
    data: Mapping[str, Any],
    route: StudyRoute | None = None,
) -> StudyRoute:
    """Add (``route=None``) or change a study route of a job sheet."""
    require_role(actor, sheet.organisation_id, CURATORS)
    if route is not None and route.job_sheet_id != sheet.pk:
        raise ValidationError(_("Cette filière appartient à une autre fiche."))
    values: dict[str, Any] = _clean_text(data, ROUTE_TEXT)
    if "order" in data:
        values["order"] = data["order"] or 0
    with transaction.atomic():
        current = route or StudyRoute(job_sheet=sheet)
        if route is None and "order" not in values:
            current.order = sheet.routes.count() + 1
        for name, value in values.items():
            setattr(current, name, value)
        _validate(current, ["job_sheet"])
        current.save()
        audit.record(
            "orientation.route.save",
            actor=actor.user,
            organisation=sheet.organisation,
            obj=current,
            changes=values,
        )
    return current


def delete_route(*, actor: Actor, route: StudyRoute) -> None:
    sheet = route.job_sheet
    require_role(actor, sheet.organisation_id, CURATORS)
    with transaction.atomic():
        audit.record(
            "orientation.route.delete", actor=actor.user, organisation=sheet.organisation, obj=route
        )
        route.delete()
