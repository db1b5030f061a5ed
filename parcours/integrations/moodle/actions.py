"""Every write of the Moodle part: sites, course links, user links, and the sync.

Permissions: the organisation's administrators manage its Moodle sites; its coordinators (and
administrators) link modules to courses, link Moodle users to people, and start a sync.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlsplit

from allauth.account.models import EmailAddress
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation, Role, User
from parcours.accounts.permissions import Actor, require_role
from parcours.catalogue.models import Module
from parcours.integrations.models import (
    MoodleCourseLink,
    MoodleSite,
    MoodleSyncCourse,
    MoodleSyncRun,
    MoodleUnmatchedUser,
    MoodleUserLink,
)
from parcours.integrations.moodle.client import (
    Course,
    MoodleClient,
    MoodleError,
    MoodleUser,
    SiteInfo,
    local_date,
)
from parcours.lib import sealed
from parcours.pathways.actions import CompletionEntry, record_completions
from parcours.pathways.models import Completion

logger = logging.getLogger("parcours.integrations.moodle")

TOKEN_PURPOSE = "moodle-token"  # noqa: S105 - a key-derivation label, not a secret
PAGE_SIZE = 100  # enrolled users read per call (Moodle's limitnumber)
MAX_UNMATCHED_LISTED = 500  # per course and run; the count goes on
STALE_AFTER = dt.timedelta(hours=2)  # a "running" sync older than this was interrupted
MAX_TOKEN = 200
MAX_COURSE_ID = 2**63 - 1

# The functions to allow in the Moodle web service (docs/integrations-moodle.md).
NEEDED_FUNCTIONS = (
    "core_webservice_get_site_info",
    "core_course_get_courses_by_field",
    "core_enrol_get_enrolled_users",
    "core_completion_get_course_completion_status",
)

SITE_ADMINS = (Role.ADMINISTRATOR,)
LINKERS = (Role.COORDINATOR,)  # administrators hold every role's rights

# Tests replace the client factory (a session, short delays); the sync asks it for each site.
ClientFactory = Callable[[MoodleSite], MoodleClient]


def client_for(site: MoodleSite) -> MoodleClient:
    """A client with the site's token; MoodleError("unseal") if the token cannot be opened."""
    try:
        token = sealed.unseal(site.token_sealed, purpose=TOKEN_PURPOSE) if site.token_sealed else ""
    except sealed.UnsealError as exc:
        raise MoodleError("unseal", "CREDENTIALS_KEY") from exc
    return MoodleClient(site.base_url, token)


# --- Sites -------------------------------------------------------------------------------


def _allow_http() -> bool:
    return bool(
        getattr(
            settings, "MOODLE_ALLOW_HTTP", settings.DEBUG or getattr(settings, "TESTING", False)
        )
    )


def clean_base_url(value: str) -> str:
    """The site's address without a trailing slash, or ValidationError."""
    value = (value or "").strip()
    parts = urlsplit(value)
    if parts.scheme not in ("https", "http") or not parts.hostname:
        raise ValidationError(
            {"base_url": _("Donnez l'adresse complète du site, p. ex. https://moodle.exemple.be")}
        )
    if parts.scheme == "http" and not _allow_http():
        raise ValidationError(
            {"base_url": _("L'adresse doit commencer par https:// (le jeton circule avec).")}
        )
    if parts.username or parts.password or parts.query or parts.fragment:
        raise ValidationError(
            {"base_url": _("L'adresse ne peut contenir ni identifiants, ni « ? », ni « # ».")}
        )
    path = parts.path.rstrip("/")
    for suffix in ("/webservice/rest/server.php", "/login/index.php", "/index.php"):
        if path.endswith(suffix):
            path = path[: -len(suffix)]
    return f"{parts.scheme}://{parts.netloc}{path}"


def _clean_token(token: str) -> str:
    token = (token or "").strip()
    if len(token) > MAX_TOKEN or not token.isascii() or not token.isalnum():
        raise ValidationError(
            {"token": _("Le jeton de Moodle est fait de lettres et de chiffres (32 en général).")}
        )
    return token


def _check_name(organisation: Organisation, name: str, exclude: int | None = None) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": _("Donnez un nom au site.")})
    taken = MoodleSite.objects.of_organisation(organisation).filter(name__iexact=name)
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise ValidationError({"name": _("Un autre site Moodle porte déjà ce nom.")})
    return name[:120]


def _cleaned(
    organisation: Organisation,
    *,
    name: str,
    base_url: str,
    token: str,
    exclude: int | None = None,
) -> dict[str, str]:
    """The site's cleaned values (``token`` "" when none was given and none is needed), or one
    ValidationError with every field's problem."""
    errors: dict[str, list[str]] = {}
    values: dict[str, str] = {"token": ""}
    checks: list[tuple[str, Callable[[], str]]] = [
        ("name", lambda: _check_name(organisation, name, exclude)),
        ("base_url", lambda: clean_base_url(base_url)),
    ]
    if exclude is None or token.strip():
        checks.append(("token", lambda: _clean_token(token)))
    for key, check in checks:
        try:
            values[key] = check()
        except ValidationError as exc:
            for field_name, messages in exc.message_dict.items():
                errors.setdefault(field_name, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    return values


def _save(site: MoodleSite) -> None:
    try:
        with transaction.atomic():
            site.save()
    except IntegrityError as exc:  # the same name saved meanwhile
        raise ValidationError({"name": _("Un autre site Moodle porte déjà ce nom.")}) from exc


@transaction.atomic
def create_site(
    actor: Actor, organisation: Organisation, *, name: str, base_url: str, token: str
) -> MoodleSite:
    require_role(actor, organisation, SITE_ADMINS)
    values = _cleaned(organisation, name=name, base_url=base_url, token=token)
    site = MoodleSite(
        organisation=organisation,
        name=values["name"],
        base_url=values["base_url"],
        token_sealed=sealed.seal(values["token"], purpose=TOKEN_PURPOSE),
    )
    _save(site)
    audit.record(
        "moodle.site_create",
        actor=actor.user,
        organisation=organisation,
        obj=site,
        changes={"name": site.name, "base_url": site.base_url},
    )
    return site


@transaction.atomic
def update_site(
    actor: Actor, site: MoodleSite, *, name: str, base_url: str, token: str = ""
) -> MoodleSite:
    """Change the name or address; a non-empty ``token`` replaces the stored one."""
    require_role(actor, site.organisation_id, SITE_ADMINS)
    site = MoodleSite.objects.select_for_update().select_related("organisation").get(pk=site.pk)
    values = _cleaned(site.organisation, name=name, base_url=base_url, token=token, exclude=site.pk)
    changes: dict[str, object] = {"name": values["name"]}
    if values["base_url"] != site.base_url:
        changes["base_url"] = values["base_url"]
    site.name, site.base_url = values["name"], values["base_url"]
    if values["token"]:
        site.token_sealed = sealed.seal(values["token"], purpose=TOKEN_PURPOSE)
        changes["token"] = "replaced"  # noqa: S105 - an audit word, not the token
    if "token" in changes or "base_url" in changes:
        site.last_check_ok = None
        site.last_check_message = ""
    _save(site)
    audit.record(
        "moodle.site_update",
        actor=actor.user,
        organisation=site.organisation,
        obj=site,
        changes=changes,
    )
    return site


@transaction.atomic
def set_site_active(actor: Actor, site: MoodleSite, *, active: bool) -> MoodleSite:
    require_role(actor, site.organisation_id, SITE_ADMINS)
    MoodleSite.objects.filter(pk=site.pk).update(is_active=active, updated_at=timezone.now())
    site.is_active = active
    audit.record(
        "moodle.site_enable" if active else "moodle.site_disable",
        actor=actor.user,
        organisation=site.organisation,
        obj=site,
    )
    return site


@transaction.atomic
def delete_site(actor: Actor, site: MoodleSite) -> None:
    """Delete the site with its course and user links; the sync log stays (site name kept)."""
    require_role(actor, site.organisation_id, SITE_ADMINS)
    audit.record(
        "moodle.site_delete",
        actor=actor.user,
        organisation=site.organisation,
        obj=site,
        changes={"name": site.name, "links": site.course_links.count()},
    )
    site.delete()


def check_site(actor: Actor, site: MoodleSite, *, client: MoodleClient | None = None) -> SiteInfo:
    """ "Test the connection": ``core_webservice_get_site_info``; the outcome is kept on the site
    (and shown), the error re-raised."""
    require_role(actor, site.organisation_id, SITE_ADMINS)
    try:
        info = (client or client_for(site)).site_info()
    except MoodleError as exc:
        MoodleSite.objects.filter(pk=site.pk).update(
            last_checked_at=timezone.now(), last_check_ok=False, last_check_message=exc.code
        )
        raise
    MoodleSite.objects.filter(pk=site.pk).update(
        last_checked_at=timezone.now(), last_check_ok=True, last_check_message=""
    )
    return info


def list_courses(
    actor: Actor, site: MoodleSite, *, client: MoodleClient | None = None
) -> list[Course]:
    """The site's courses, for the coordinator's picker (read, no write)."""
    require_role(actor, site.organisation_id, LINKERS)
    return (client or client_for(site)).courses()


# --- Course links ------------------------------------------------------------------------


@transaction.atomic
def link_module(
    actor: Actor,
    module: Module,
    site: MoodleSite,
    *,
    course_id: int,
    client: MoodleClient | None = None,
) -> MoodleCourseLink:
    """Deliver ``module`` as the course ``course_id`` of ``site`` (replaces a former link).
    The course is looked up on the site first: an unknown course or an unreachable site is
    refused (ValidationError) and nothing changes."""
    require_role(actor, module.organisation_id, LINKERS)
    if site.organisation_id != module.organisation_id:
        raise ValidationError({"site": _("Ce site Moodle n'appartient pas à l'organisation.")})
    if not 0 < course_id <= MAX_COURSE_ID:
        raise ValidationError({"course_id": _("Le numéro de cours doit être un entier positif.")})
    if not site.is_active:
        raise ValidationError({"site": _("Ce site Moodle est désactivé.")})
    try:
        found = (client or client_for(site)).courses(course_id)
    except MoodleError as exc:
        raise ValidationError({"course_id": exc.message}) from exc
    course = next((c for c in found if c.id == course_id), None)
    if course is None:
        raise ValidationError(
            {
                "course_id": _("Le site « %(site)s » n'a pas de cours n° %(id)s.")
                % {
                    "site": site.name,
                    "id": course_id,
                }
            }
        )
    link, _created = MoodleCourseLink.objects.update_or_create(
        module=module,
        defaults={
            "site": site,
            "course_id": course_id,
            "course_name": course.fullname[:255],
            "linked_by": actor.user,
            "cursor": 0,
        },
    )
    audit.record(
        "moodle.module_link",
        actor=actor.user,
        organisation=module.organisation,
        obj=link,
        changes={"module": module.code, "site": site.name, "course": course_id},
    )
    return link


@transaction.atomic
def unlink_module(actor: Actor, module: Module) -> bool:
    require_role(actor, module.organisation_id, LINKERS)
    deleted, _detail = MoodleCourseLink.objects.filter(module=module).delete()
    if deleted:
        audit.record(
            "moodle.module_unlink",
            actor=actor.user,
            organisation=module.organisation,
            obj=module,
        )
    return bool(deleted)


# --- User links --------------------------------------------------------------------------


@transaction.atomic
def link_user(actor: Actor, site: MoodleSite, *, moodle_user_id: int, email: str) -> MoodleUserLink:
    """Record that the Moodle user ``moodle_user_id`` is the Parcours person with ``email``
    (an unmatched user of the sync log, whose Moodle address differs)."""
    require_role(actor, site.organisation_id, LINKERS)
    if not 0 < moodle_user_id <= MAX_COURSE_ID:
        raise ValidationError({"moodle_user_id": _("Numéro d'utilisateur Moodle invalide.")})
    person = User.objects.filter(email__iexact=(email or "").strip(), is_active=True).first()
    if person is None:
        raise ValidationError({"email": _("Aucune personne n'a cette adresse dans Parcours.")})
    link, _created = MoodleUserLink.objects.update_or_create(
        site=site,
        moodle_user_id=moodle_user_id,
        defaults={"person": person, "created_by": actor.user},
    )
    audit.record(
        "moodle.user_link",
        actor=actor.user,
        organisation=site.organisation,
        obj=link,
        changes={"moodle_user": moodle_user_id, "person": person.pk},
    )
    return link


# --- Sync --------------------------------------------------------------------------------


class SyncAlreadyRunning(ValidationError):
    pass


@dataclass(frozen=True)
class _Match:
    person_id: int | None
    reason: str = ""


def _match(site: MoodleSite, users: list[MoodleUser]) -> dict[int, _Match]:
    """Moodle users → Parcours people: an explicit link first, then a single active person
    whose verified address is the user's (a person created by staff without an allauth address
    row counts as verified, as at their first login)."""
    out: dict[int, _Match] = {}
    linked = dict(
        MoodleUserLink.objects.filter(
            site=site, moodle_user_id__in=[u.id for u in users], person__is_active=True
        ).values_list("moodle_user_id", "person_id")
    )
    emails = {u.email.strip().lower() for u in users if u.id not in linked and u.email.strip()}
    owners: dict[str, set[int]] = {}
    if emails:
        for email, user_id in (
            EmailAddress.objects.annotate(address=Lower("email"))
            .filter(address__in=emails, verified=True, user__is_active=True)
            .values_list("address", "user_id")
        ):
            owners.setdefault(email, set()).add(user_id)
        legacy = (
            User.objects.annotate(address=Lower("email"), rows=Count("emailaddress"))
            .filter(address__in=emails, is_active=True, rows=0)
            .values_list("address", "pk")
        )
        for email, user_id in legacy:
            owners.setdefault(email, set()).add(user_id)
    for user in users:
        if user.id in linked:
            out[user.id] = _Match(linked[user.id])
            continue
        email = user.email.strip().lower()
        if not email:
            out[user.id] = _Match(None, MoodleUnmatchedUser.Reason.NO_EMAIL)
        elif len(owners.get(email, ())) == 1:
            out[user.id] = _Match(next(iter(owners[email])))
        elif owners.get(email):
            out[user.id] = _Match(None, MoodleUnmatchedUser.Reason.AMBIGUOUS)
        else:
            out[user.id] = _Match(None, MoodleUnmatchedUser.Reason.NOT_FOUND)
    return out


def _start_run(
    organisation: Organisation, site: MoodleSite | None, started_by: User | None
) -> MoodleSyncRun:
    now = timezone.now()
    with transaction.atomic():
        MoodleSyncRun.objects.filter(
            organisation=organisation,
            status=MoodleSyncRun.Status.RUNNING,
            started_at__lt=now - STALE_AFTER,
        ).update(status=MoodleSyncRun.Status.INTERRUPTED, ended_at=now)
    try:
        with transaction.atomic():
            return MoodleSyncRun.objects.create(
                organisation=organisation, site=site, started_by=started_by, started_at=now
            )
    except IntegrityError as exc:
        raise SyncAlreadyRunning(
            _("Une synchronisation Moodle de l'organisation est déjà en cours.")
        ) from exc


def sync(
    organisation: Organisation,
    *,
    site: MoodleSite | None = None,
    actor: Actor | None = None,
    clients: ClientFactory = client_for,
) -> MoodleSyncRun:
    """Read the completions of every course linked to the organisation's active sites (or to
    ``site``) and record them. ``actor`` None: the planned sync.

    Never raises for a Moodle failure: each course's error is logged in the run, and a course
    interrupted mid-way resumes from its cursor at the next run. Raises
    :class:`SyncAlreadyRunning` if a sync of the organisation is running.
    """
    if actor is not None:
        require_role(actor, organisation, LINKERS)
    if site is not None and site.organisation_id != organisation.pk:
        raise ValidationError(_("Ce site Moodle n'appartient pas à l'organisation."))
    run = _start_run(organisation, site, actor.user if actor is not None else None)
    links = (
        MoodleCourseLink.objects.filter(site__organisation=organisation, site__is_active=True)
        .select_related("site", "module__organisation")
        .order_by("site_id", "pk")
    )
    if site is not None:
        links = links.filter(site=site)
    errors = 0
    failed_sites: dict[int, MoodleError] = {}
    made: dict[int, MoodleClient] = {}
    try:
        for link in links:
            result = MoodleSyncCourse.objects.create(
                run=run,
                link=link,
                site_name=link.site.name,
                module_label=f"{link.module.code} — {link.module.title}"[:260],
                course_id=link.course_id,
                resumed_from=link.cursor,
            )
            stopped = failed_sites.get(link.site_id)
            if stopped is not None:
                _fail(result, stopped)
                errors += 1
                continue
            try:
                client = made.get(link.site_id)
                if client is None:
                    client = made[link.site_id] = clients(link.site)
                _sync_course(client, link, result, actor)
            except MoodleError as exc:
                errors += 1
                _fail(result, exc)
                if exc.site_wide:
                    failed_sites[link.site_id] = exc
            except Exception as exc:  # a bug must not stop the other courses
                logger.exception("moodle: sync of link %s failed", link.pk)
                errors += 1
                _fail(result, MoodleError("internal", type(exc).__name__))
    finally:
        MoodleSyncRun.objects.filter(pk=run.pk).update(
            ended_at=timezone.now(),
            status=MoodleSyncRun.Status.ERRORS if errors else MoodleSyncRun.Status.DONE,
        )
        run.refresh_from_db()
    return run


def _fail(result: MoodleSyncCourse, exc: MoodleError) -> None:
    result.error_code = exc.code[:40]
    result.error = f"{exc.function}: {exc.detail}"[:500] if exc.function else exc.detail[:500]
    result.save(update_fields=["error_code", "error"])


def _sync_course(
    client: MoodleClient, link: MoodleCourseLink, result: MoodleSyncCourse, actor: Actor | None
) -> None:
    module = link.module
    hours = Decimal(str(module.duration_hours))
    offset = link.cursor
    while True:
        users = client.enrolled_users(link.course_id, offset=offset, limit=PAGE_SIZE)
        matches = _match(link.site, users)
        person_ids = {m.person_id for m in matches.values() if m.person_id is not None}
        done = set(
            Completion.objects.filter(module=module, learner_id__in=person_ids).values_list(
                "learner_id", flat=True
            )
        )
        entries: list[CompletionEntry] = []
        unmatched: list[MoodleUnmatchedUser] = []
        counted: set[int] = set()
        for user in users:
            result.read += 1
            match = matches[user.id]
            if match.person_id is None:
                result.unmatched += 1
                if result.unmatched <= MAX_UNMATCHED_LISTED:
                    unmatched.append(
                        MoodleUnmatchedUser(
                            course=result,
                            moodle_user_id=user.id,
                            fullname=user.fullname,
                            email=user.email,
                            reason=match.reason,
                        )
                    )
                continue
            result.matched += 1
            if match.person_id in done or match.person_id in counted:
                result.already += 1
                continue
            status = client.completion(link.course_id, user.id)
            if not status.completed:
                result.pending += 1
                continue
            counted.add(match.person_id)
            completed_on = (
                local_date(status.completed_at)
                if status.completed_at is not None
                else timezone.localdate()
            )
            entries.append(
                CompletionEntry(
                    learner_id=match.person_id,
                    module=module,
                    hours=hours,
                    completed_on=min(completed_on, timezone.localdate()),
                )
            )
        last_page = len(users) < PAGE_SIZE
        offset += len(users)
        with transaction.atomic():
            created = record_completions(
                entries,
                source=Completion.Source.MOODLE,
                actor=actor.user if actor is not None else None,
            )
            result.recorded += len(created)
            result.already += len(entries) - len(created)
            MoodleUnmatchedUser.objects.bulk_create(unmatched)
            link.cursor = 0 if last_page else offset
            update = ["cursor"]
            if last_page:
                link.last_synced_at = timezone.now()
                update.append("last_synced_at")
                result.finished = True
            MoodleCourseLink.objects.filter(pk=link.pk).update(
                **{name: getattr(link, name) for name in update}
            )
            result.save()
        if last_page:
            return


def organisations_to_sync() -> list[Organisation]:
    """Every organisation with an active site that has linked courses."""
    ids = (
        MoodleCourseLink.objects.filter(site__is_active=True)
        .values_list("site__organisation_id", flat=True)
        .distinct()
    )
    return list(Organisation.objects.filter(pk__in=ids).order_by("pk"))


def sync_all(
    *, organisations: Iterable[Organisation] | None = None, site: MoodleSite | None = None
) -> list[MoodleSyncRun]:
    """The planned sync (``actor`` None) of these organisations (default: every one with
    something to sync); one that is already syncing is skipped."""
    runs = []
    for organisation in organisations if organisations is not None else organisations_to_sync():
        try:
            runs.append(sync(organisation, site=site))
        except SyncAlreadyRunning:
            logger.info("moodle: sync of %s already running, skipped", organisation.pk)
    return runs


def request_sync(actor: Actor, organisation: Organisation, *, site: MoodleSite | None) -> None:
    """ "Sync now": queue the sync as a background task (inline in tests and the demo)."""
    require_role(actor, organisation, LINKERS)
    from parcours.integrations.moodle import tasks

    if MoodleSyncRun.objects.filter(
        organisation=organisation,
        status=MoodleSyncRun.Status.RUNNING,
        started_at__gte=timezone.now() - STALE_AFTER,
    ).exists():
        raise SyncAlreadyRunning(
            _("Une synchronisation Moodle de l'organisation est déjà en cours.")
        )

    site_id = site.pk if site is not None else None
    user_id = actor.user.pk
    transaction.on_commit(lambda: tasks.sync_moodle.enqueue(organisation.pk, site_id, user_id))
