"""The yearly activity report, produced in the background: every write of a ``ReportJob``.

``request_report`` (a page's button, the API) checks permission, records the job and queues
the task after commit; ``produce_report`` (the task) computes the figures, renders the PDF,
the workbook and the CSV ZIP, saving its progress after each step so that the waiting page can
show it, then e-mails the person who asked. Asking twice for the same period while a job is
still waiting or running returns that job (a double click makes one report).
"""

from __future__ import annotations

import base64
import logging
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import Organisation
from parcours.accounts.permissions import Actor
from parcours.lib.urls import absolute_url
from parcours.reporting import output, permissions, yearly
from parcours.reporting.figures import build_report
from parcours.reporting.models import ReportJob
from parcours.reporting.periods import Filters, Period, PeriodError

logger = logging.getLogger("parcours.reporting")

FILE_FIELDS = ("pdf", "workbook", "csv_zip")
LOGO_MAX_BYTES = 2 * 1024 * 1024


def jobs_of(organisation: Organisation | int) -> QuerySet[ReportJob]:
    """The organisation's jobs, without their files (loaded only to be downloaded)."""
    return ReportJob.objects.filter(organisation=organisation).defer(*FILE_FIELDS)


def request_report(*, actor: Actor, organisation: Organisation, period: Period) -> ReportJob:
    """Queue the yearly report of ``organisation`` for ``period`` (or return the one already
    waiting for that period)."""
    if not permissions.may_view_reports(actor, organisation):
        raise PermissionDenied(
            _("Vous ne pouvez pas consulter les rapports de cette organisation.")
        )
    try:
        Period(period.first, period.last, period.kind)  # re-check the bounds
    except PeriodError as exc:
        raise ValidationError(str(exc)) from exc
    pending = _pending(organisation, period)
    if pending is not None:
        return pending
    try:
        with transaction.atomic():
            job = ReportJob.objects.create(
                organisation=organisation,
                requested_by=actor.user,
                first=period.first,
                last=period.last,
                kind=period.kind,
                language=translation.get_language() or settings.LANGUAGE_CODE,
                step=_("En attente d'un processus de fond."),
            )
            audit.record(
                "reporting.report_requested",
                actor=actor.user,
                organisation=organisation,
                obj=job,
                changes={"first": period.first.isoformat(), "last": period.last.isoformat()},
            )
            from parcours.reporting import tasks

            transaction.on_commit(partial(tasks.produce_report.enqueue, job.pk))
    except IntegrityError:  # someone asked for the same period at the same moment
        pending = _pending(organisation, period)
        if pending is None:
            raise
        return pending
    return job


def _pending(organisation: Organisation, period: Period) -> ReportJob | None:
    return (
        jobs_of(organisation)
        .filter(
            first=period.first,
            last=period.last,
            status__in=(ReportJob.Status.QUEUED, ReportJob.Status.RUNNING),
        )
        .first()
    )


def _progress(job_id: int, progress: int, step: str) -> None:
    ReportJob.objects.filter(pk=job_id).update(progress=progress, step=step)


def organisation_logo(organisation: Organisation) -> str:
    """The organisation's logo (its badge issuer profile's) as a ``data:`` URI, or empty."""
    from parcours.credentials.models import IssuerProfile

    profile = IssuerProfile.objects.filter(organisation=organisation).first()
    if profile is None or not profile.logo:
        return ""
    try:
        with profile.logo.open("rb") as stream:
            data = stream.read(LOGO_MAX_BYTES + 1)
    except OSError:
        return ""
    if len(data) > LOGO_MAX_BYTES:
        return ""
    kind = {b"\x89PNG": "image/png", b"\xff\xd8\xff": "image/jpeg"}
    mime = next((m for magic, m in kind.items() if data.startswith(magic)), "")
    if not mime:
        return ""
    return f"data:{mime};base64,{base64.b64encode(data).decode()}"


def produce_report(job_id: int, *, on_step: Callable[[int, str], None] | None = None) -> bool:
    """Make the files of a queued job (the task's body). Idempotent: a job already finished,
    or claimed by another worker, is left alone. Returns whether the files were made."""
    claimed = ReportJob.objects.filter(
        pk=job_id, status__in=(ReportJob.Status.QUEUED, ReportJob.Status.RUNNING)
    ).update(status=ReportJob.Status.RUNNING, progress=5)
    if not claimed:
        return False
    job = (
        jobs_of(ReportJob.objects.get(pk=job_id).organisation_id)
        .select_related("organisation", "requested_by")
        .get(pk=job_id)
    )
    step = on_step or partial(_progress, job_id)
    with translation.override(job.language):
        try:
            step(10, _("Calcul des chiffres…"))
            period = Period(job.first, job.last, job.kind)  # type: ignore[arg-type]
            report = build_report([job.organisation_id], period, Filters())
            document = output.from_report(report, title=job.organisation.name)
            step(35, _("Mise en page du PDF…"))
            pdf = yearly.pdf_bytes(document, logo=organisation_logo(job.organisation))
            step(75, _("Classeur Excel…"))
            workbook = yearly.workbook_bytes(document)
            step(90, _("Fichiers CSV…"))
            csv_zip = yearly.csv_zip_bytes(document)
        except Exception as exc:
            logger.exception("report job %s failed", job_id)
            ReportJob.objects.filter(pk=job_id).update(
                status=ReportJob.Status.FAILED,
                step=_("La production du rapport a échoué."),
                error=f"{type(exc).__name__}: {exc}"[:2000],
                finished_at=timezone.now(),
            )
            return False
        ReportJob.objects.filter(pk=job_id).update(
            status=ReportJob.Status.DONE,
            progress=100,
            step=_("Prêt."),
            pdf=pdf,
            workbook=workbook,
            csv_zip=csv_zip,
            finished_at=timezone.now(),
        )
    _tell_requester(job)
    return True


def _tell_requester(job: ReportJob) -> None:
    person = job.requested_by
    if person is None or not person.email or not person.is_active:
        return
    link = absolute_url(reverse("reporting:job", args=[job.pk]))
    with translation.override(person.language or job.language):
        context = {"job": job, "organisation": job.organisation, "link": link, "person": person}
        subject = render_to_string("reporting/email/report_ready_subject.txt", context)
        body = render_to_string("reporting/email/report_ready.txt", context)
    send_mail(" ".join(subject.split()), body, None, [person.email])
