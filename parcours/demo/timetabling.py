"""Demo: next year's campaign of the AI-referent pathway at Technofutur TIC (seed 001), ready
to solve, with the plan computed and shown before commit.

Twelve groups (two per site at Gosselies, Charleroi, Liège, Tournai, Ciney and Mariembourg)
each follow one introduction (M1A for teachers, M1B for school heads, in turn), two of the
eight options (in turn) and the closing module: 48 two-day sessions from January to June,
outside Belgian public holidays, with six trainers who each teach some modules at most three
days a week. The plan is computed at load time (a few seconds, under the five-second budget)
through the same actions as the page; committing it is left to the visitor.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from django.utils.translation import gettext as _

from parcours.accounts import actions as account_actions
from parcours.accounts.models import Role
from parcours.accounts.permissions import Actor
from parcours.demo import data
from parcours.pathways.models import Pathway
from parcours.scheduling import actions as scheduling_actions
from parcours.timetabling import actions
from parcours.timetabling.models import CampaignModule, CampaignStatus

if TYPE_CHECKING:
    from parcours.demo.loader import _Loader

SITES = (
    data.GOSSELIES,
    data.CHARLEROI,
    data.LIEGE,
    data.TOURNAI,
    data.CINEY,
    data.MARIEMBOURG,
)
# Trainers of the campaign: (e-mail, first name, last name, home site, modules).
TRAINERS = (
    (
        "formateur@technofutur.demo",
        "",
        "",
        data.GOSSELIES,
        ("M1A", "M1B", "IA-PERSO", "IA-CLOTURE"),
    ),
    (
        "ines.lambot@technofutur.demo",
        "Inès",
        "Lambot",
        data.CHARLEROI,
        ("M1A", "IA-ETHIQUE", "IA-RGPD", "IA-CLOTURE"),
    ),
    (
        "pierre.collard@technofutur.demo",
        "Pierre",
        "Collard",
        data.LIEGE,
        ("M1A", "M1B", "IA-LANGUES", "IA-EVAL"),
    ),
    (
        "sofia.marchal@technofutur.demo",
        "Sofia",
        "Marchal",
        data.TOURNAI,
        ("M1A", "IA-LUDO", "IA-INCLUSION", "IA-CLOTURE"),
    ),
    (
        "david.hermans@technofutur.demo",
        "David",
        "Hermans",
        data.CINEY,
        ("M1B", "IA-RESSOURCES", "IA-EVAL", "IA-PERSO"),
    ),
    (
        "nadia.bodart@technofutur.demo",
        "Nadia",
        "Bodart",
        data.MARIEMBOURG,
        ("M1A", "IA-ETHIQUE", "IA-LUDO", "IA-CLOTURE"),
    ),
)


def _easter(year: int) -> dt.date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    el = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * el) // 451
    month = (h + el - 7 * m + 114) // 31
    day = (h + el - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def belgian_holidays(year: int) -> list[dt.date]:
    easter = _easter(year)
    return [
        dt.date(year, 1, 1),
        easter + dt.timedelta(days=1),
        dt.date(year, 5, 1),
        easter + dt.timedelta(days=39),
        easter + dt.timedelta(days=50),
    ]


def load(loader: _Loader) -> list[str]:
    org = loader.orgs[data.TECHNOFUTUR]
    coordinator = Actor.of(loader.coordinators[data.TECHNOFUTUR])
    logistics = Actor.of(loader.staff[(data.TECHNOFUTUR, Role.LOGISTICS)])
    sites = [loader.sites[name] for name in SITES]
    # The antennas have no room in the core demo: one training room each.
    for site in sites[1:]:
        scheduling_actions.create_resource(
            actor=logistics,
            site=site,
            name=_("Salle de formation"),
            code=f"TF-{site.pk}-FORM",
            capacity=16,
            features=("projector", "pcs"),
        )
    modules = {code: loader.modules[(data.TECHNOFUTUR, code)] for code in
               ("M1A", "M1B", *data.AI_OPTIONS, "IA-CLOTURE")}  # fmt: skip
    admin = loader.users[data.ADMIN.email]
    for email, first, last, home, codes in TRAINERS:
        user = loader.users.get(email)
        if user is None:
            user = account_actions.create_user(
                email=email, password=None, first_name=first, last_name=last, actor=admin
            )
            account_actions.grant_role(user=user, organisation=org, role=Role.TRAINER, actor=admin)
            loader.users[email] = user
        actions.save_trainer_profile(
            actor=coordinator,
            organisation=org,
            user=user,
            modules=[modules[c] for c in codes],
            home_site=loader.sites[home],
            max_days_per_week=3,
        )
    year = loader.today.year + 1
    start = dt.date(year, 1, 1)
    start += dt.timedelta(days=(7 - start.weekday()) % 7)  # the first Monday of the year
    pathway = Pathway.objects.filter(organisation=org, code=data.AI_PATHWAY).first()
    phase = CampaignModule.Phase
    choices = [
        actions.ModuleChoice(modules["M1A"], phase.INTRODUCTION),
        actions.ModuleChoice(modules["M1B"], phase.INTRODUCTION),
        *[actions.ModuleChoice(modules[c], phase.OPTION) for c in data.AI_OPTIONS],
        actions.ModuleChoice(modules["IA-CLOTURE"], phase.CLOSING),
    ]
    campaign = actions.create_campaign(
        actor=coordinator,
        organisation=org,
        data=actions.CampaignData(
            name=_("Référent·e IA — campagne %(year)s") % {"year": year},
            code=f"RIA{year % 100}",
            start=start,
            end=dt.date(year, 6, 30),
            sites=sites,
            modules=choices,
            pathway=pathway,
            groups_per_site=2,
            group_size=14,
            one_introduction=True,
            options_per_group=2,
            holidays=belgian_holidays(year),
            min_gap_days=2,
            seconds=4,
        ),
    )
    campaign = actions.start_solving(actor=coordinator, campaign=campaign, inline=True)
    if campaign.status == CampaignStatus.PLANNED:
        line = _(
            "Planification : campagne « %(name)s », %(n)s sessions proposées (coût %(score)s), "
            "à valider sur /planification/%(pk)s/."
        ) % {
            "name": campaign.name,
            "n": len(campaign.plan),
            "score": campaign.progress.get("score"),
            "pk": campaign.pk,
        }
    else:
        line = _("Planification : campagne « %(name)s » prête à calculer.") % {
            "name": campaign.name
        }
    return [line]
