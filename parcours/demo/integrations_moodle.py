"""The demo's Moodle completions at the Province de Liège: its Moodle-Technosphère platform (the
teachers' companion of the Technosphère domes, where the teaching kits live on as courses)
registered as a Moodle site, the teachers' module TS-KIT delivered as one of its courses, and
the sync log of the last days: a sync that timed out, then the nightly one that recorded the
completions and listed a teacher who has no Parcours account.

No call leaves the machine: the sites' answers are replayed from canned JSON shaped like
Moodle's (``_Replay``), through the real actions. The people are fictitious.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.catalogue.models import Module
from parcours.integrations.models import MoodleCourseLink, MoodleSite, MoodleSyncRun
from parcours.integrations.moodle import actions
from parcours.integrations.moodle.client import MoodleClient, MoodleError

ORG = "province-de-liege"
SITE_NAME = "Moodle-Technosphère"
BASE_URL = "https://moodle-technosphere.provincedeliege.demo"
DEMO_TOKEN = "0d3m0d3m0d3m0d3m0d3m0d3m0d3m0d3m"  # made up: the demo never calls Moodle
MODULE = "TS-KIT"
COURSE_ID = 27
COURSE_NAME = "Technosphère — boîtes à outils des enseignants"
# (Moodle id, first name, last name, e-mail, completed how many days ago or None)
ENROLLED: tuple[tuple[int, str, str, str, int | None], ...] = (
    (201, "Pierre", "Gilson", "pierre.gilson@exemple.demo", 9),
    (202, "Isabelle", "Henrard", "isabelle.henrard@exemple.demo", 5),
    (203, "Gaëlle", "Frères", "gaelle.freres@exemple.demo", 130),  # already in Parcours
    (204, "Julien", "Lemoine", "j.lemoine@ecoles-liege.demo", 4),  # no Parcours account
    (205, "Anne", "Thonon", "coordination@provincedeliege.demo", None),  # not finished yet
)


class _Replay(MoodleClient):
    """Answers like Moodle-Technosphère would, from memory (or times out, when ``down``)."""

    def __init__(self, site: MoodleSite, today: dt.date, *, down: bool = False) -> None:
        super().__init__(site.base_url, "replay", delays=())
        self.today = today
        self.down = down

    def _when(self, days: int) -> int:
        noon = dt.datetime.combine(self.today - dt.timedelta(days=days), dt.time(14, 30))
        return int(timezone.make_aware(noon).timestamp())

    def call(self, function: str, **params: Any) -> Any:
        if self.down:
            raise MoodleError("timeout", "ReadTimeout", function)
        if function == "core_course_get_courses_by_field":
            return {
                "courses": [{"id": COURSE_ID, "fullname": COURSE_NAME, "shortname": "TS-BOITES"}],
                "warnings": [],
            }
        if function == "core_enrol_get_enrolled_users":
            return [
                {
                    "id": uid,
                    "fullname": f"{first} {last}",
                    "firstname": first,
                    "lastname": last,
                    "email": email,
                }
                for uid, first, last, email, _days in ENROLLED
            ]
        if function == "core_completion_get_course_completion_status":
            days = {row[0]: row[4] for row in ENROLLED}.get(int(params["userid"]))
            return {
                "completionstatus": {
                    "completed": days is not None,
                    "aggregation": 1,
                    "completions": [
                        {
                            "type": 4,
                            "title": "Achèvement d'activité",
                            "status": "Oui" if days is not None else "Non",
                            "complete": days is not None,
                            "timecompleted": self._when(days) if days is not None else None,
                        }
                    ],
                },
                "warnings": [],
            }
        raise MoodleError("accessexception", "", function)


def _backdate(run: MoodleSyncRun, when: dt.datetime) -> None:
    MoodleSyncRun.objects.filter(pk=run.pk).update(
        started_at=when, ended_at=when + dt.timedelta(seconds=41)
    )


def load(loader: Any) -> list[str]:
    org = loader.orgs[ORG]
    admin = Actor.of(loader.staff[(ORG, Role.ADMINISTRATOR)])
    coordinator = Actor.of(loader.coordinators[ORG])
    today: dt.date = loader.today
    site = actions.create_site(admin, org, name=SITE_NAME, base_url=BASE_URL, token=DEMO_TOKEN)
    module = Module.objects.get(organisation=org, code=MODULE)
    actions.link_module(coordinator, module, site, course_id=COURSE_ID, client=_Replay(site, today))

    night = timezone.make_aware(dt.datetime.combine(today, dt.time(2, 15)))
    failed = actions.sync(org, clients=lambda s: _Replay(s, today, down=True))
    _backdate(failed, night - dt.timedelta(days=3))
    done = actions.sync(org, clients=lambda s: _Replay(s, today))
    _backdate(done, night - dt.timedelta(days=2))
    MoodleCourseLink.objects.filter(module=module).update(
        last_synced_at=night - dt.timedelta(days=2, seconds=-41)
    )
    recorded = sum(course.recorded for course in done.courses.all())
    return [
        _(
            "Moodle : le site %(site)s de la Province, le module %(module)s suivi comme cours "
            "Moodle, %(n)s achèvement(s) lus et un enseignant non reconnu dans le journal."
        )
        % {"site": SITE_NAME, "module": MODULE, "n": recorded}
    ]
