"""The teacher's follow-up kit: a PDF of the class's anonymous results and the pedagogical
resources of the worlds it liked (``lib.pdf``), downloaded by the facilitator or e-mailed."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.lib.pdf import render_pdf
from parcours.lib.text import render_markdown
from parcours.orientation.class_models import ClassVisit
from parcours.orientation.class_queries import live_summary
from parcours.orientation.models import JobSheet, World
from parcours.orientation.scoring import ClassSummary


@dataclass(frozen=True)
class WorldLine:
    world: World
    likes: int
    quiz_tops: int
    games: int
    resources_html: str


@dataclass(frozen=True)
class SheetLine:
    sheet: JobSheet
    pupils: int


def kit_context(visit: ClassVisit) -> dict[str, object]:
    summary: ClassSummary = live_summary(visit)
    worlds = {w.pk: w for w in World.objects.filter(organisation_id=visit.organisation_id)}
    world_lines = [
        WorldLine(
            world=worlds[pk],
            likes=summary.world_likes.get(pk, 0),
            quiz_tops=summary.quiz_tops.get(pk, 0),
            games=summary.games_played.get(pk, 0),
            resources_html=render_markdown(worlds[pk].resources),
        )
        for pk in worlds
        if summary.world_likes.get(pk) or summary.quiz_tops.get(pk) or summary.games_played.get(pk)
    ]
    world_lines.sort(key=lambda line: (-(line.likes + line.quiz_tops), line.world.order))
    liked = [pk for pk in summary.top_worlds(limit=3) if pk in worlds]
    sheets = JobSheet.objects.filter(
        organisation_id=visit.organisation_id, pk__in=list(summary.occupations_opened)
    ).select_related("world")
    sheet_lines = sorted(
        (SheetLine(sheet=s, pupils=summary.occupations_opened[s.pk]) for s in sheets),
        key=lambda line: (-line.pupils, line.sheet.title),
    )[:15]
    return {
        "visit": visit,
        "summary": summary,
        "world_lines": world_lines,
        "liked_worlds": [worlds[pk] for pk in liked],
        "sheet_lines": sheet_lines,
        "organisation": visit.organisation,
    }


def render_kit(visit: ClassVisit) -> bytes:
    html = render_to_string("orientation/classe/kit_pdf.html", kit_context(visit))
    return render_pdf(html)


def kit_filename(visit: ClassVisit) -> str:
    return f"kit-classe-{visit.code}.pdf"


def send_kit(visit_id: int) -> bool:
    visit = ClassVisit.objects.select_related("organisation").filter(pk=visit_id).first()
    if visit is None or not visit.teacher_email or visit.purged_at is not None:
        return False
    with translation.override(settings.LANGUAGE_CODE):
        pdf = render_kit(visit)
        message = EmailMessage(
            subject=_("Le kit de suivi de votre classe : %(t)s") % {"t": visit.title},
            body=_(
                "Bonjour,\n\nVoici les résultats anonymes de votre classe (%(t)s) et les "
                "ressources pédagogiques des mondes qu'elle a préférés.\n\n%(org)s"
            )
            % {"t": visit.title, "org": visit.organisation.name},
            to=[visit.teacher_email],
        )
        message.attach(kit_filename(visit), pdf, "application/pdf")
    message.send()
    with transaction.atomic():
        ClassVisit.objects.filter(pk=visit.pk).update(kit_sent_at=timezone.now())
    return True
