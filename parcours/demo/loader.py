"""Build the demo (``data.py``) by calling the real actions, in one transaction.

``load()`` writes everything or nothing; ``is_loaded()`` says whether the demo is already there;
``flush_database()`` empties every table (``manage.py load_demo --reset``). The competence
frameworks are imported first when missing (``import_frameworks``); if that command is not
available, modules are simply created without targeted competences.
"""

from __future__ import annotations

import datetime as dt
import time
from collections import Counter
from dataclasses import dataclass, field
from importlib import import_module

from django.contrib.auth.hashers import make_password
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command, get_commands
from django.db import connection, transaction
from django.test.utils import override_settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from parcours.accounts import actions as account_actions
from parcours.accounts import invitations
from parcours.accounts.models import Organisation, Role, Site, User
from parcours.accounts.permissions import Actor
from parcours.catalogue import actions as catalogue_actions
from parcours.catalogue.models import Competence, Framework, Module, ProficiencyLevel
from parcours.catalogue.search import reindex_modules
from parcours.credentials import actions as credential_actions
from parcours.demo import data
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, Session, SessionStatus
from parcours.enrolment.slots import BRUSSELS, full_days
from parcours.pathways import actions as pathway_actions
from parcours.pathways.evaluation import evaluate_population
from parcours.pathways.models import Completion, Pathway
from parcours.scheduling import actions as scheduling_actions
from parcours.scheduling.models import Booking, Resource

FRAMEWORKS = (data.DIGCOMP, data.DIGCOMPEDU)
QUIET_EMAIL = "django.core.mail.backends.dummy.EmailBackend"


@dataclass
class LoadReport:
    organisations: int = 0
    sites: int = 0
    users: int = 0
    modules: Counter[str] = field(default_factory=Counter)  # by status
    modules_by_org: dict[str, int] = field(default_factory=dict)
    competence_links: int = 0
    pathways: list[tuple[str, int, int]] = field(default_factory=list)  # title, learners, earned
    completions: int = 0
    indexed: int = 0
    frameworks_imported: bool = False
    skipped_competences: list[str] = field(default_factory=list)
    resources: Counter[str] = field(default_factory=Counter)  # by kind
    outreach_activities: int = 0
    sessions: int = 0
    upcoming_sessions: int = 0
    enrolments: Counter[str] = field(default_factory=Counter)  # by status
    bookings: Counter[str] = field(default_factory=Counter)  # by status
    loans: int = 0
    badges: list[tuple[str, int]] = field(default_factory=list)  # name, issued
    parts: list[str] = field(default_factory=list)  # summary lines of the DEMO_PARTS
    part_seconds: dict[str, float] = field(default_factory=dict)  # load time of each part
    seconds: float = 0.0


# The parts of the demo owned by the apps above the core loop, loaded after it in this order.
# Each module has ``load(loader: _Loader) -> list[str]``: it adds its data through the apps'
# actions (reading what the core loop made from ``loader.orgs``, ``loader.users``,
# ``loader.modules``, ``loader.sites``…) and returns the lines it adds to the summary.
DEMO_PARTS: tuple[str, ...] = (
    "parcours.demo.orientation",
    "parcours.demo.orientation_class",
    "parcours.demo.candidates",
    "parcours.demo.careers",
    "parcours.demo.timetabling",
    "parcours.demo.events",
    "parcours.demo.integrations_lti",
    "parcours.demo.webinars",
    "parcours.demo.integrations_xapi",
    "parcours.demo.history",
    "parcours.demo.integrations_moodle",
    "parcours.demo.assessments",
)


def is_loaded() -> bool:
    """True when any demo organisation or account already exists (even partly loaded)."""
    slugs = [org.slug for org in data.ORGANISATIONS]
    emails = [person.email for person in data.PEOPLE]
    return (
        Organisation.objects.filter(slug__in=slugs).exists()
        or User.objects.filter(email__in=emails).exists()
    )


def flush_database() -> None:
    """Empty every table of the database (what ``--reset`` does before reloading)."""
    # PostgreSQL refuses to TRUNCATE tables with deferred foreign-key checks still pending in
    # this transaction (when the demo was written earlier in it): run those checks now.
    connection.check_constraints()
    call_command("flush", interactive=False, verbosity=0)


def load(*, reset: bool = False) -> LoadReport:
    """Load the whole demo in one transaction (after emptying the database if ``reset``)."""
    started = time.perf_counter()
    try:
        # The demo's learners and bookers are fictitious: the notifications the actions send
        # (on commit) go nowhere.
        with override_settings(EMAIL_BACKEND=QUIET_EMAIL), transaction.atomic():
            if reset:
                flush_database()
            report = _Loader().run()
    finally:
        if reset:  # the flush recreated the content types; a rollback undid them
            ContentType.objects.clear_cache()
    report.seconds = time.perf_counter() - started
    return report


class _Loader:
    def __init__(self) -> None:
        self.report = LoadReport()
        self.today = timezone.localdate()
        self.orgs: dict[str, Organisation] = {}
        self.users: dict[str, User] = {}
        self.coordinators: dict[str, User] = {}
        self.actors: dict[str, Actor] = {}
        self.modules: dict[tuple[str, str], Module] = {}
        self.competences: dict[tuple[str, str], Competence] = {}
        self.levels: dict[tuple[str, str], ProficiencyLevel] = {}
        self.pathways: list[Pathway] = []
        self.sites: dict[str, Site] = {}
        self.resources: dict[str, Resource] = {}
        self.staff: dict[tuple[str, str], User] = {}  # (org, role) → the first such person

    def run(self) -> LoadReport:
        self._frameworks()
        admin = self._people_and_organisations()
        self._sites(admin)
        self._catalogues()
        self._pathways()
        self._completions()
        self._resources()
        self._sessions()
        self._bookings()
        self._loans()
        self._badges()
        self._administration()
        for part in DEMO_PARTS:
            part_started = time.perf_counter()
            self.report.parts.extend(import_module(part).load(self))
            self.report.part_seconds[part.rsplit(".", 1)[-1]] = time.perf_counter() - part_started
        self.report.indexed = reindex_modules()
        return self.report

    # --- What administrators find on their pages (accounts, catalogue) -----------------------

    def _administration(self) -> None:
        for org_slug, email, role, first, last in data.PENDING_INVITATIONS:
            invitations.invite(
                organisation=self.orgs[org_slug],
                email=email,
                role=role,
                invited_by=self.staff[(org_slug, Role.ADMINISTRATOR)],
                first_name=first,
                last_name=last,
            )
        for org_slug, days in data.RETENTION_DAYS:
            org = self.orgs[org_slug]
            account_actions.update_organisation_settings(
                organisation=org,
                actor=self.staff[(org_slug, Role.ADMINISTRATOR)],
                signup_policy=org.signup_policy,
                require_staff_mfa=org.require_staff_mfa,
                learner_retention_days=days,
            )
        for org_slug, term, expansions in data.SYNONYMS:
            catalogue_actions.create_synonym(
                actor=Actor.of(self.staff[(org_slug, Role.ADMINISTRATOR)]),
                organisation=self.orgs[org_slug],
                term=term,
                expansions=expansions,
            )

    # --- Frameworks --------------------------------------------------------------------------

    def _frameworks(self) -> None:
        present = set(Framework.objects.filter(slug__in=FRAMEWORKS).values_list("slug", flat=True))
        if present != set(FRAMEWORKS) and "import_frameworks" in get_commands():
            call_command("import_frameworks", verbosity=0)
            self.report.frameworks_imported = True
        for competence in Competence.objects.filter(framework__slug__in=FRAMEWORKS).select_related(
            "framework"
        ):
            self.competences[(competence.framework.slug, competence.code)] = competence
        for level in ProficiencyLevel.objects.filter(framework__slug__in=FRAMEWORKS).select_related(
            "framework"
        ):
            self.levels[(level.framework.slug, level.code)] = level

    # --- Organisations, people, sites ----------------------------------------------------------

    def _people_and_organisations(self) -> User:
        admin = account_actions.create_user(
            email=data.ADMIN.email,
            password=None,
            first_name=data.ADMIN.first_name,
            last_name=data.ADMIN.last_name,
        )
        User.objects.filter(pk=admin.pk).update(is_staff=True, is_superuser=True)
        admin.refresh_from_db()
        self.users[admin.email] = admin

        for spec in data.ORGANISATIONS:
            org = account_actions.create_organisation(
                name=spec.name, slug=spec.slug, kind=spec.kind, actor=admin
            )
            # No action edits these presentation fields yet; they carry no rights.
            Organisation.objects.filter(pk=org.pk).update(
                website=spec.website, email=spec.email, description=spec.description
            )
            self.orgs[spec.slug] = org
        self.report.organisations = len(self.orgs)

        for person in (*data.STAFF, *data.LEARNERS):
            user = account_actions.create_user(
                email=person.email,
                password=None,
                first_name=person.first_name,
                last_name=person.last_name,
                language=person.language,
                postcode=person.postcode,
                actor=admin,
            )
            account_actions.grant_role(
                user=user, organisation=self.orgs[person.org], role=person.role, actor=admin
            )
            self.users[person.email] = user
            if person.role == Role.COORDINATOR:
                self.coordinators[person.org] = user
            self.staff.setdefault((person.org, person.role), user)

        # One (slow, salted) hash for every account: they all share the demo password.
        User.objects.filter(pk__in=[u.pk for u in self.users.values()]).update(
            password=make_password(data.DEMO_PASSWORD)
        )
        self.report.users = len(self.users)
        self.actors = {slug: Actor.of(user) for slug, user in self.coordinators.items()}
        return admin

    def _sites(self, admin: User) -> None:
        for spec in data.SITES:
            self.sites[spec.name] = account_actions.create_site(
                organisation=self.orgs[spec.org],
                name=spec.name,
                city=spec.city,
                street=spec.street,
                postcode=spec.postcode,
                latitude=spec.latitude,
                longitude=spec.longitude,
                access_notes=spec.access_notes,
                actor=admin,
            )
        self.report.sites = Site.objects.filter(organisation__in=self.orgs.values()).count()

    # --- Catalogue -----------------------------------------------------------------------------

    def _competence_choices(
        self, spec: data.ModuleSpec
    ) -> list[tuple[Competence, ProficiencyLevel | None]]:
        choices = []
        for item in spec.competences:
            code, _sep, level_code = item.partition(":")
            competence = self.competences.get((spec.framework, code))
            if competence is None:
                self.report.skipped_competences.append(f"{spec.code}: {spec.framework} {code}")
                continue
            level = self.levels.get((spec.framework, level_code)) if level_code else None
            choices.append((competence, level))
        return choices

    def _catalogues(self) -> None:
        for catalogue in data.CATALOGUES:
            org = self.orgs[catalogue.org]
            actor = self.actors[catalogue.org]
            for spec in catalogue.modules:
                choices = self._competence_choices(spec)
                module = catalogue_actions.create_module(
                    actor=actor,
                    organisation=org,
                    data=catalogue_actions.ModuleData(
                        code=spec.code,
                        title_fr=spec.title_fr,
                        title_en=spec.title_en,
                        summary_fr=spec.summary_fr,
                        summary_en=spec.summary_en,
                        objectives_fr=spec.objectives_fr,
                        prerequisites_fr=spec.prerequisites_fr,
                        duration_hours=spec.hours,
                        format=spec.format,
                        audience=spec.audience,
                        language=spec.language,
                    ),
                    competences=choices,
                )
                if spec.status in (data.PUBLISHED, data.ARCHIVED):
                    module = catalogue_actions.publish_module(actor=actor, module=module)
                if spec.status == data.ARCHIVED:
                    module = catalogue_actions.archive_module(actor=actor, module=module)
                self.modules[(catalogue.org, spec.code)] = module
                self.report.modules[module.status] += 1
                self.report.competence_links += len(choices)
            self.report.modules_by_org[org.name] = len(catalogue.modules)

    # --- Pathways and completions --------------------------------------------------------------

    def _pathways(self) -> None:
        for spec in data.PATHWAYS:
            actor = self.actors[spec.org]
            pathway = pathway_actions.create_pathway(
                actor=actor,
                organisation=self.orgs[spec.org],
                data=pathway_actions.PathwayData(
                    code=spec.code,
                    title_fr=spec.title_fr,
                    title_en=spec.title_en,
                    summary_fr=spec.summary_fr,
                    summary_en=spec.summary_en,
                    rule_text=spec.rule_text,
                ),
            )
            if spec.status != Pathway.Status.DRAFT:
                pathway = pathway_actions.set_pathway_status(
                    actor=actor, pathway=pathway, status=spec.status
                )
            self.pathways.append(pathway)

    def _completions(self) -> None:
        # Oldest first, as they happened: a pathway is "completed" by the module that closes it.
        for spec in sorted(data.COMPLETIONS, key=lambda c: -c.days_ago):
            module = self.modules[(spec.org, spec.module)]
            pathway_actions.record_completion(
                learner=self.users[spec.learner],
                module=module,
                completed_on=self.today - dt.timedelta(days=spec.days_ago),
                source=Completion.Source.DEMO,
                actor=self.coordinators[spec.org],
            )
            self.report.completions += 1
        for pathway in self.pathways:
            results = evaluate_population(pathway)
            self.report.pathways.append(
                (pathway.title_fr, len(results), sum(1 for ok in results.values() if ok))
            )

    # --- Rooms, equipment, mobile units (scheduling) -------------------------------------------

    def _logistics(self, org: str) -> Actor:
        return Actor.of(self.staff[(org, Role.LOGISTICS)])

    def _resources(self) -> None:
        any_logistics = self._logistics(data.TECHNOFUTUR)
        for slug, label_fr, label_en in data.FEATURES:
            scheduling_actions.create_feature(
                actor=any_logistics, slug=slug, label_fr=label_fr, label_en=label_en
            )
        for spec in data.RESOURCES:
            fields: dict[str, object] = {
                "description": spec.description,
                "requires_approval": spec.requires_approval,
                "inventory_number": spec.inventory_number,
            }
            if spec.capacity is not None:
                fields["capacity"] = spec.capacity
            resource = scheduling_actions.create_resource(
                actor=self._logistics(spec.org),
                site=self.sites[spec.site],
                name=spec.name,
                code=spec.code,
                kind=spec.kind,
                features=spec.features,
                **fields,
            )
            self.resources[spec.code] = resource
            self.report.resources[resource.kind] += 1
        for unit, slug, title_fr, title_en, description, pupils in data.OUTREACH:
            resource = self.resources[unit]
            scheduling_actions.create_outreach_activity(
                actor=self._logistics(data.ORG_OF_SITE[resource.site.name]),
                unit=resource,
                slug=slug,
                title_fr=title_fr,
                title_en=title_en,
                description_fr=description,
                max_pupils_per_day=pupils,
            )
            self.report.outreach_activities += 1
        for site_name, wifi_name, wifi_password, message in data.LOBBIES:
            scheduling_actions.update_site_policy(
                actor=self._logistics(data.ORG_OF_SITE[site_name]),
                site=self.sites[site_name],
                wifi_name=wifi_name,
                wifi_password=wifi_password,
                lobby_message=message,
            )
        province = self.orgs[data.ORG_OF_SITE[data.SERAING]]
        for slug, label_fr, label_en in data.CATERING_ITEMS:
            scheduling_actions.create_catering_item(
                actor=self._logistics(province.slug),
                organisation=province,
                slug=slug,
                label_fr=label_fr,
                label_en=label_en,
            )

    # --- Sessions, enrolments, attendance (enrolment) ------------------------------------------

    def _weekday(self, days: int) -> dt.date:
        """The first weekday on or after today + ``days``."""
        day = self.today + dt.timedelta(days=days)
        while day.weekday() >= 5:
            day += dt.timedelta(days=1)
        return day

    def _two_days(self, week: int) -> tuple[dt.date, dt.date]:
        first = self._weekday(7 * week)
        second = first + dt.timedelta(days=1)
        while second.weekday() >= 5:
            second += dt.timedelta(days=1)
        return first, second

    def _sessions(self) -> None:
        now = timezone.now()
        for spec in data.SESSIONS:
            actor = self.actors[spec.org]
            slots = full_days(*self._two_days(spec.week))
            session = enrolment_actions.create_session(
                actor=actor,
                organisation=self.orgs[spec.org],
                data=enrolment_actions.SessionData(
                    module_id=self.modules[(spec.org, spec.module)].pk,
                    code=spec.code,
                    capacity=spec.capacity,
                    slots=slots,
                    site_id=self.sites[spec.site].pk,
                    room_id=self.resources[spec.room].pk if spec.room else None,
                    trainer_ids=[self.staff[(spec.org, Role.TRAINER)].pk],
                ),
            )
            session = enrolment_actions.set_session_status(
                actor=actor, session=session, status=SessionStatus.PUBLISHED
            )
            past = slots[-1][1] <= now
            # A past session was filled a week before it started (enrolment refuses ended ones).
            enrolled_at = slots[0][0] - dt.timedelta(days=7) if past else None
            enrolments: dict[str, Enrolment] = {}
            for email in spec.learners:
                enrolments[email] = enrolment_actions.enrol(
                    actor=actor,
                    session=session,
                    learner=self.users[email],
                    source=Enrolment.Source.COORDINATOR,
                    now=enrolled_at,
                )
            if past:
                absent = [enrolments[email].pk for email in spec.absent]
                for slot in session.slots.order_by("start"):
                    enrolment_actions.record_roll_call(actor=actor, slot=slot, absent=absent)
            self.report.sessions += 1
        sessions = Session.objects.filter(organisation__in=self.orgs.values())
        self.report.upcoming_sessions = sessions.filter(
            status=SessionStatus.PUBLISHED, starts_at__gt=now
        ).count()
        for status in Enrolment.objects.filter(session__in=sessions).values_list(
            "status", flat=True
        ):
            self.report.enrolments[status] += 1

    # --- Bookings (scheduling) -----------------------------------------------------------------

    def _bookings(self) -> None:
        for spec in data.BOOKINGS:
            day = self.today + dt.timedelta(days=1) if spec.days == 1 else self._weekday(spec.days)
            booking = scheduling_actions.book(
                actor=Actor.of(self.users[spec.booker]),
                resources=[self.resources[code] for code in spec.resources],
                start=dt.datetime.combine(day, dt.time.fromisoformat(spec.start), BRUSSELS),
                end=dt.datetime.combine(day, dt.time.fromisoformat(spec.end), BRUSSELS),
                title=spec.title,
                participants=spec.participants,
                catering=[
                    scheduling_actions.CateringRequest(
                        item=slug, count=count, serve_at=dt.time.fromisoformat(serve_at)
                    )
                    for slug, count, serve_at in spec.catering
                ],
            )
            self.report.bookings[booking.status] += 1

    def _loans(self) -> None:
        now = timezone.now().replace(minute=0, second=0, microsecond=0)
        for code, borrower, since, due_in in data.LOANS:
            item = self.resources[code]
            scheduling_actions.lend(
                actor=self._logistics(data.ORG_OF_SITE[item.site.name]),
                resource=item,
                borrower=self.users[borrower],
                start=now - dt.timedelta(days=since),
                due=now + dt.timedelta(days=due_in),
                condition_out="Complet, vérifié au départ.",
            )
            self.report.loans += 1

    # --- Open Badges (credentials) -------------------------------------------------------------

    def _badges(self) -> None:
        pathways = {pathway.code: pathway for pathway in self.pathways}
        for spec in data.BADGES:
            pathway = pathways[spec.pathway]
            achievement, issued = credential_actions.setup_pathway_badge(
                actor=Actor.of(self.coordinators[pathway.organisation.slug]),
                pathway=pathway,
                data=credential_actions.AchievementData(
                    name_fr=spec.name_fr,
                    name_en=spec.name_en,
                    description_fr=spec.description_fr,
                    description_en=spec.description_en,
                    criteria_fr=spec.criteria_fr,
                    criteria_en=spec.criteria_en,
                    color=spec.color,
                ),
            )
            self.report.badges.append((achievement.name_fr, issued))


# --- Output --------------------------------------------------------------------------------------


def summary_lines(report: LoadReport) -> list[str]:
    """A French summary of what was loaded."""
    statuses = dict(Module.Status.choices)
    lines = [
        _("Données de démonstration chargées en %(s).1f s.") % {"s": report.seconds},
        _("Organisations : %(n)d, sites : %(sites)d, comptes : %(users)d.")
        % {"n": report.organisations, "sites": report.sites, "users": report.users},
        _("Modules : %(total)d (%(detail)s).")
        % {
            "total": sum(report.modules.values()),
            "detail": ", ".join(
                f"{statuses[status].lower()} : {count}"
                for status, count in sorted(report.modules.items())
            ),
        },
    ]
    lines += [
        "  - " + _("%(org)s : %(n)d modules") % {"org": org, "n": n}
        for org, n in report.modules_by_org.items()
    ]
    lines.append(
        _("Compétences visées : %(n)d liens vers DigComp 3.0 et DigCompEdu.")
        % {"n": report.competence_links}
    )
    if report.skipped_competences:
        lines.append(
            _("Référentiels absents : %(n)d compétences ignorées (lancez import_frameworks).")
            % {"n": len(report.skipped_competences)}
        )
    lines.append(
        _("Parcours : %(n)d ; modules terminés enregistrés : %(c)d.")
        % {"n": len(report.pathways), "c": report.completions}
    )
    lines += [
        "  - "
        + _(
            "%(title)s — apprenants qui l'ont commencé : %(learners)d, "
            "qui l'ont réussi : %(earned)d"
        )
        % {"title": title, "learners": learners, "earned": earned}
        for title, learners, earned in report.pathways
    ]
    lines.append(
        _(
            "Ressources : %(rooms)d salles, %(parkings)d parkings, %(equipment)d matériels, "
            "%(units)d unités mobiles (%(activities)d animations)."
        )
        % {
            "rooms": report.resources[Resource.Kind.ROOM],
            "parkings": report.resources[Resource.Kind.PARKING],
            "equipment": report.resources[Resource.Kind.EQUIPMENT],
            "units": report.resources[Resource.Kind.MOBILE_UNIT],
            "activities": report.outreach_activities,
        }
    )
    enrolment_statuses = dict(Enrolment.Status.choices)
    lines.append(
        _("Sessions : %(n)d dont %(upcoming)d à venir ; inscriptions : %(detail)s.")
        % {
            "n": report.sessions,
            "upcoming": report.upcoming_sessions,
            "detail": ", ".join(
                f"{str(enrolment_statuses.get(status, status)).lower()} : {count}"
                for status, count in sorted(report.enrolments.items())
            ),
        }
    )
    booking_statuses = dict(Booking.Status.choices)
    lines.append(
        _("Réservations : %(detail)s.")
        % {
            "detail": ", ".join(
                f"{str(booking_statuses.get(status, status)).lower()} : {count}"
                for status, count in sorted(report.bookings.items())
            )
        }
    )
    lines += [
        "  - "
        + ngettext(
            "Badge « %(name)s » : %(n)d délivré",
            "Badge « %(name)s » : %(n)d délivrés",
            issued,
        )
        % {"name": name, "n": issued}
        for name, issued in report.badges
    ]
    lines += report.parts
    lines.append(_("Index de recherche du catalogue : %(n)d modules.") % {"n": report.indexed})
    return lines


def login_rows() -> list[tuple[str, str, str, str]]:
    """(role, e-mail, password, organisation) for every demo account, staff first."""
    roles = dict(Role.choices)
    org_names = {org.slug: org.name for org in data.ORGANISATIONS}
    rows = []
    for person in data.PEOPLE:
        if person.role == "superuser":
            role, org = _("Administrateur de la plateforme"), "—"
        else:
            role, org = str(roles[person.role]), org_names[person.org]
        rows.append((role, person.email, data.DEMO_PASSWORD, org))
    return rows


def logins_table() -> str:
    header = (_("Rôle"), _("E-mail"), _("Mot de passe"), _("Organisation"))
    rows = [header, *login_rows()]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = (cell.ljust(width) for cell, width in zip(row, widths, strict=True))
        return "  ".join(cells).rstrip()

    out = [line(header), "  ".join("-" * w for w in widths)]
    out += [line(row) for row in rows[1:]]
    return "\n".join(out)
