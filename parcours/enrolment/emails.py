"""The e-mails enrolment sends (plain text, in the learner's language).

``build(kind, enrolment)`` returns an ``EmailMessage`` ready to send: the calendar work adds
its .ics attachment there (``message.attach(...)``) before ``tasks.send_enrolment_email``
sends it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from parcours.enrolment.models import Enrolment
from parcours.lib.urls import site_url

KINDS = ("confirmed", "promoted", "waitlisted", "requested", "rejected", "cancelled")


def _subject(kind: str, enrolment: Enrolment) -> str:
    title = enrolment.session.title
    subjects = {
        "confirmed": _("Inscription confirmée : %(t)s"),
        "promoted": _("Une place s'est libérée : vous êtes inscrit·e à %(t)s"),
        "waitlisted": _("Liste d'attente : %(t)s"),
        "requested": _("Demande d'inscription reçue : %(t)s"),
        "rejected": _("Demande d'inscription refusée : %(t)s"),
        "cancelled": _("Inscription annulée : %(t)s"),
    }
    return subjects[kind] % {"t": title}


def build(kind: str, enrolment: Enrolment, **extra: object) -> EmailMessage:
    if kind not in KINDS:
        raise ValueError(f"unknown e-mail kind {kind!r}")
    learner = enrolment.learner
    with translation.override(learner.language or settings.LANGUAGE_CODE):
        session = enrolment.session
        context = {
            "kind": kind,
            "enrolment": enrolment,
            "session": session,
            "learner": learner,
            "slots": list(session.slots.order_by("start")),
            "site_url": site_url(),
            **extra,
        }
        body = render_to_string("enrolment/email/enrolment.txt", context)
        subject = _subject(kind, enrolment)
    return EmailMessage(subject=subject, body=body, to=[learner.email])
