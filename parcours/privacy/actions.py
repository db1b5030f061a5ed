"""Erasure (GDPR art. 17): every write of the privacy app goes through here.

``erase_person`` pseudonymises one person in ONE transaction:

- the account: e-mail → ``erased-<random>@invalid``, names, postcode and language cleared,
  unusable password, inactive, no staff flags, ``erased_at`` set. Their browser sessions end
  (Django checks the password hash on every request, and the account is inactive); their API
  tokens are revoked and their calendar feeds deleted;
- free texts they wrote or that name them: their bookings' titles and notes (and their series'
  titles), their enrolments' reasons, outreach requests' contact fields when they are the
  contact, pending invitations to their address, the learner name printed on their attestations,
  and every audit entry that quotes their address or full name (rewritten, not deleted);
  their career follow-up log and surveys (the situations at each milestone stay, anonymous);
  their addresses, second factors and signed-in sessions as django-allauth keeps them are
  deleted (rate-limit counters live only in the cache and expire);
- what reports count stays: memberships, enrolments, attendance, completions, loans, bookings'
  times and resources, attestations' hours and badges remain attached to the pseudonymous
  account, so a session's enrolment count or a pathway's population evaluation does not change;
  only their places in sessions that have not started are cancelled (the waitlist moves up);
- issued Open Badges stay verifiable: they hold only a salted hash of the e-mail address (no
  name), so they are kept as issued unless the person asks for revocation (then each is revoked
  through ``credentials.actions.revoke_credential``). Public share links are switched off.

It is refused, with the reason, while the person has an equipment loan not returned.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from typing import Any

from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from allauth.usersessions.models import UserSession
from django.contrib.admin.models import LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import (
    ApiToken,
    AuditEntry,
    Invitation,
    Membership,
    Organisation,
    Role,
    User,
)
from parcours.accounts.permissions import Actor
from parcours.assessments import personal_data as assessment_data
from parcours.candidates import actions as candidate_actions
from parcours.careers import personal_data as career_data
from parcours.credentials import actions as credential_actions
from parcours.credentials.models import IssuedCredential
from parcours.credentials.states import CredentialStatus
from parcours.documents.models import Attestation, CalendarFeed
from parcours.enrolment import actions as enrolment_actions
from parcours.enrolment.models import Enrolment, LearnerProfile
from parcours.enrolment.states import ACTIVE
from parcours.events import personal_data as event_data
from parcours.integrations import personal_data as integration_data
from parcours.integrations.lti import personal_data as lti_data
from parcours.integrations.moodle import personal_data as moodle_data
from parcours.lib import personal_data
from parcours.lib.transactions import write_transaction
from parcours.scheduling.models import Booking, BookingSeries, Loan, OutreachRequest
from parcours.webinars import personal_data as webinar_data

ERASED_DOMAIN = "invalid"  # RFC 2606: never delivered
REDACTED = "—"


class Reason:
    """Who asked for the erasure (stored in the audit entry, never a name)."""

    SELF = "self"
    ADMINISTRATOR = "administrator"
    RETENTION = "retention"


@dataclass(frozen=True)
class Erasure:
    user_id: int
    pseudonym: str
    revoked_credentials: int
    rewritten_audit_entries: int


def has_open_loan(person: User | int) -> bool:
    return Loan.objects.filter(borrower=person, returned_at__isnull=True).exists()


def _check_can_be_erased(person: User) -> None:
    if person.erased_at is not None:
        raise ValidationError(_("Les données de cette personne ont déjà été effacées."))
    if has_open_loan(person):
        raise ValidationError(
            _(
                "Effacement impossible pour le moment : du matériel prêté n'a pas encore été "
                "rendu. Rapportez-le (ou demandez à la logistique d'enregistrer son retour), "
                "puis refaites la demande."
            )
        )


def learner_organisations(person: User) -> set[int]:
    return set(Membership.objects.filter(user=person).values_list("organisation_id", flat=True))


def check_administrator_may_erase(actor: Actor, organisation: Organisation, person: User) -> None:
    """An administrator erases a learner who belongs to their organisation only, as a learner
    only (no staff role, no platform rights): anyone else asks for it themselves or through a
    platform administrator, so that one organisation never erases another's data."""
    if not (actor.is_platform_admin or actor.has_role(organisation, Role.ADMINISTRATOR)):
        raise PermissionDenied(_("Réservé aux administrateurs de l'organisation."))
    if person.pk == actor.user.pk:
        raise PermissionDenied(_("Pour effacer vos propres données, utilisez « Mes données »."))
    roles = set(Membership.objects.filter(user=person).values_list("organisation_id", "role"))
    if not roles or any(
        org_id != organisation.pk or role != Role.LEARNER for org_id, role in roles
    ):
        raise PermissionDenied(
            _(
                "Seuls les apprenants qui n'appartiennent qu'à votre organisation peuvent être "
                "effacés par un administrateur."
            )
        )
    if person.is_staff or person.is_superuser:
        raise PermissionDenied(_("Ce compte a des droits d'administration de la plateforme."))


def _scrub(value: Any, needles: list[str], pseudonym: str) -> Any:
    if isinstance(value, str):
        for needle in needles:
            if needle and needle.lower() in value.lower():
                value = _replace_ci(value, needle, pseudonym)
        return value
    if isinstance(value, list):
        return [_scrub(v, needles, pseudonym) for v in value]
    if isinstance(value, dict):
        return {k: _scrub(v, needles, pseudonym) for k, v in value.items()}
    return value


def _replace_ci(text: str, needle: str, replacement: str) -> str:
    lower, target = text.lower(), needle.lower()
    out, start = [], 0
    while (found := lower.find(target, start)) != -1:
        out.append(text[start:found])
        out.append(replacement)
        start = found + len(needle)
    out.append(text[start:])
    return "".join(out)


def _rewrite_audit(person: User, needles: list[str], pseudonym: str) -> int:
    about = Q(object_type=User._meta.label_lower, object_id=str(person.pk))
    for needle in needles:
        # The JSON text may hold non-ASCII letters escaped ("Chlo\\u00e9"): look for both.
        escaped = json.dumps(needle)[1:-1]
        about |= Q(object_repr__icontains=needle) | Q(changes__icontains=needle)
        if escaped != needle:
            about |= Q(changes__icontains=escaped)
    rewritten = []
    for entry in AuditEntry.objects.filter(about).only("object_repr", "changes").iterator():
        entry.object_repr = _scrub(entry.object_repr, needles, pseudonym)[:300]
        if entry.object_type == User._meta.label_lower and entry.object_id == str(person.pk):
            entry.object_repr = pseudonym
        entry.changes = _scrub(entry.changes, needles, pseudonym)
        rewritten.append(entry)
    AuditEntry.objects.bulk_update(rewritten, ["object_repr", "changes"], batch_size=500)
    return len(rewritten)


def _cancel_upcoming_enrolments(person: User) -> int:
    """Free the person's places in sessions that have not started (the waitlist moves up),
    through the enrolment app's ``cancel`` with the session organisation's authority (after the
    learner's cancellation deadline too). Past and running sessions keep their enrolments."""
    upcoming = Enrolment.objects.filter(
        learner=person, status__in=sorted(ACTIVE), session__starts_at__gt=timezone.now()
    ).select_related("session")
    cancelled = 0
    for enrolment in upcoming:
        organiser = Actor(
            user=person,
            roles_by_org={enrolment.session.organisation_id: frozenset({Role.COORDINATOR})},
        )
        enrolment_actions.cancel(
            actor=organiser,
            enrolment=enrolment,
            reason=_("Données personnelles effacées à la demande."),
        )
        cancelled += 1
    return cancelled


def _revoke_credentials(person: User) -> int:
    """Revoke the person's badges through the credentials app, with each issuing
    organisation's authority (the holder may always give up their own badge)."""
    revoked = 0
    issued = IssuedCredential.objects.filter(learner=person, status=CredentialStatus.ISSUED)
    for credential in issued.select_related("organisation"):
        issuer_authority = Actor(
            user=person, roles_by_org={credential.organisation_id: frozenset({Role.ADMINISTRATOR})}
        )
        credential_actions.revoke_credential(
            actor=issuer_authority,
            credential=credential,
            reason=_("Révoqué à la demande du titulaire (effacement de ses données)."),
        )
        revoked += 1
    return revoked


def erase_person(
    *,
    actor: Actor | None,
    person: User,
    reason: str,
    revoke_credentials: bool = False,
    organisation: Organisation | None = None,
) -> Erasure:
    """Pseudonymise ``person`` (see the module docstring). ``actor`` is the person themselves,
    an administrator (``organisation`` given, checked with ``check_administrator_may_erase``)
    or None for the retention command."""
    if reason == Reason.SELF:
        if actor is None or actor.user.pk != person.pk:
            raise PermissionDenied(_("Vous ne pouvez effacer que vos propres données."))
    elif reason == Reason.ADMINISTRATOR:
        if actor is None or organisation is None:
            raise PermissionDenied(_("Réservé aux administrateurs de l'organisation."))
        check_administrator_may_erase(actor, organisation, person)
    elif reason != Reason.RETENTION or actor is not None:
        raise PermissionDenied(_("Demande d'effacement non reconnue."))

    with write_transaction():
        person = User.objects.select_for_update().get(pk=person.pk)
        _check_can_be_erased(person)
        token = secrets.token_hex(8)
        pseudonym = f"erased-{token}"
        old_email = person.email
        full_name = person.get_full_name()
        needles = [n for n in (old_email, full_name) if len(n) >= 3]

        revoked = _revoke_credentials(person) if revoke_credentials else 0
        cancelled = _cancel_upcoming_enrolments(person)
        IssuedCredential.objects.filter(learner=person).update(shared=False)

        person.email = f"{pseudonym}@{ERASED_DOMAIN}"
        person.first_name = ""
        person.last_name = ""
        person.postcode = ""
        person.language = "fr"
        person.is_active = False
        person.is_staff = False
        person.is_superuser = False
        person.erased_at = timezone.now()
        person.set_unusable_password()  # also invalidates every session (auth hash changes)
        person.save()

        now = timezone.now()
        ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(revoked_at=now)
        CalendarFeed.objects.filter(user=person).delete()
        Invitation.objects.filter(Q(email__iexact=old_email) | Q(accepted_by=person)).update(
            email=person.email, first_name="", last_name=""
        )
        Enrolment.objects.filter(learner=person).exclude(reason="").update(reason="")
        # What they declared about themselves for the statistics goes too: their training
        # still counts, under "non communiqué". The audience stays (it is what they followed).
        LearnerProfile.objects.filter(user=person).update(
            gender="", birth_year=None, age_band="", school_year=""
        )
        Attestation.objects.filter(learner=person).update(learner_name=pseudonym)
        own_bookings = Booking.objects.filter(requester=person)
        own_bookings.update(title=REDACTED, notes="", cancel_reason="")
        # A loan's booking is requested by the lender but titled with the borrower's name.
        loan_bookings = list(Booking.objects.filter(loan__borrower=person).only("title"))
        for booking in loan_bookings:
            booking.title = _scrub(booking.title, needles, pseudonym)[:200]
        Booking.objects.bulk_update(loan_bookings, ["title"], batch_size=500)
        BookingSeries.objects.filter(
            Q(created_by=person) | Q(occurrences__requester=person)
        ).update(title=REDACTED)
        OutreachRequest.objects.filter(
            Q(booking__requester=person) | Q(contact_email__iexact=old_email)
        ).update(contact_name="", contact_email="", contact_phone="", notes="")
        EmailAddress.objects.filter(user=person).delete()
        Authenticator.objects.filter(user=person).delete()
        UserSession.objects.filter(user=person).delete()
        LogEntry.objects.filter(
            content_type=ContentType.objects.get_for_model(User), object_id=str(person.pk)
        ).update(object_repr=pseudonym)
        career_data.erase(person)  # the follow-up log and surveys; outcomes stay, anonymous
        event_data.erase(person)  # event registrations (tickets); the seats stay, anonymous
        moodle_data.erase(person, old_email)  # Moodle user links, unmatched rows of the log
        lti_data.erase(person)  # links to LMS accounts, scores; launches stay, anonymous
        webinar_data.erase(person)  # connection times; minutes stay, anonymous; viewings detached
        integration_data.erase(person)  # xAPI pseudonyms and unsent statements
        assessment_data.erase(person)  # projects and their files; completions stay
        for part in personal_data.parts():  # apps of privacy's layer (portfolio)
            part.erase(person)
        rewritten = _rewrite_audit(person, needles, pseudonym)
        candidate_actions.erase_person(person)  # applications: personal data and files

        audit.record(
            "privacy.erase",
            actor=actor.user if actor is not None else None,
            organisation=organisation,
            obj=person,
            changes={
                "reason": reason,
                "revoked_credentials": revoked,
                "cancelled_enrolments": cancelled,
            },
        )
    return Erasure(
        user_id=person.pk,
        pseudonym=pseudonym,
        revoked_credentials=revoked,
        rewritten_audit_entries=rewritten,
    )
