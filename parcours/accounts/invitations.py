"""Invitations: the one way people are brought into an organisation by e-mail.

- ``invite()`` e-mails a link valid ``Invitation.VALIDITY_DAYS`` days. Only the SHA-256 of the
  link's secret is stored; the secret lives in the e-mail alone (it is sent after commit,
  directly, never through the task queue, which would store it).
- An address that already has an account gets the role at once, and an e-mail saying so: no
  second account, no link.
- ``resend()`` gives a new secret (the old link dies), ``revoke()`` cancels, ``accept()`` sets
  the password and grants the role, once.
- ``request_new_link()`` is what the "link no longer valid" page calls: it answers nothing (the
  page says the same thing either way) and sends a fresh link only to an address that holds a
  matching invitation.
- ``invite_many()`` invites a list of rows (``parse_rows()`` reads CSV or XLSX), all-or-nothing
  or row by row, and reports per row.
"""

from __future__ import annotations

import itertools
import secrets
from contextlib import closing
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Literal

from django.apps import apps
from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from parcours.accounts import actions, audit
from parcours.accounts.models import (
    Invitation,
    MemberDeactivation,
    Membership,
    Organisation,
    Role,
    User,
)
from parcours.accounts.permissions import Actor, require_role
from parcours.lib.tables import TableError, csv_table, read_table
from parcours.lib.transactions import write_transaction
from parcours.lib.urls import absolute_url, is_local_path, site_url

#: Who may invite to which role: administrators to any role; the people who enrol learners
#: (coordinators, school contacts) may invite learners.
LEARNER_INVITERS = (Role.COORDINATOR, Role.SCHOOL_CONTACT)
#: A person asking for a new link gets at most one e-mail in this interval.
RESEND_COOLDOWN = timedelta(minutes=5)
#: Bulk invitations: rows per file and file size.
MAX_ROWS = 500
MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_COLUMNS = 10
MAX_UNZIPPED = 40 * 1024 * 1024  # an .xlsx once unzipped


class InvalidInvitation(Exception):
    """The link is unknown (tampered), already used, revoked or expired."""

    def __init__(self, reason: Literal["unknown", "used", "revoked", "expired"]) -> None:
        super().__init__(reason)
        self.reason = reason


def _normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError(
            _("« %(email)s » n'est pas une adresse e-mail valide.") % {"email": email[:254]},
            code="email",
        ) from None
    return email


def _check_role(role: str) -> str:
    if role not in Role.values:
        raise ValidationError(_("Rôle inconnu : « %(role)s ».") % {"role": role[:40]}, code="role")
    return role


def _check_next_url(next_url: str) -> str:
    """Only a path on this site (no scheme, no host, no ``//``)."""
    next_url = (next_url or "").strip()
    if not next_url:
        return ""
    if not is_local_path(next_url):
        raise ValidationError(_("La page d'arrivée doit être une adresse de ce site."), code="next")
    if len(next_url) > 300:
        raise ValidationError(_("La page d'arrivée est trop longue."), code="next")
    return next_url


def check_may_invite(actor: User | None, organisation: Organisation, role: str) -> None:
    """Administrators invite to any role; coordinators and school contacts invite learners.
    ``actor=None`` is the platform itself (a management command)."""
    if actor is None:
        return
    allowed = (Role.ADMINISTRATOR, *LEARNER_INVITERS) if role == Role.LEARNER else ()
    require_role(Actor.of(actor), organisation, allowed or (Role.ADMINISTRATOR,))


def mark_email_verified(user: User) -> None:
    """Record the address as verified and primary for django-allauth, when it is installed.

    Accepting an invitation proves the person reads that mailbox. Before allauth is installed
    this does nothing.
    """
    if not apps.is_installed("allauth.account"):
        return
    from allauth.account.models import EmailAddress  # type: ignore[import-not-found,import-untyped,unused-ignore]

    EmailAddress.objects.filter(user=user).exclude(email__iexact=user.email).update(primary=False)
    address = EmailAddress.objects.filter(user=user, email__iexact=user.email).first()
    if address is None:
        EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    elif not (address.verified and address.primary):
        address.verified = True
        address.primary = True
        address.save(update_fields=["verified", "primary"])


# --- E-mails -----------------------------------------------------------------------------------


def accept_url(secret: str) -> str:
    return absolute_url(reverse("accounts:invitation_accept", args=[secret]))


def _language_for(email: str) -> str:
    user = User.objects.filter(email__iexact=email).only("language").first()
    return (user.language if user else "") or settings.LANGUAGE_CODE


def _send_after_commit(kind: str, invitation: Invitation, secret: str | None = None) -> None:
    invitation_id = invitation.pk

    def send() -> None:
        fresh = (
            Invitation.objects.select_related("organisation", "invited_by")
            .filter(pk=invitation_id)
            .first()
        )
        if fresh is None:
            return
        with translation.override(_language_for(fresh.email)):
            context = {
                "invitation": fresh,
                "organisation": fresh.organisation,
                "role": fresh.get_role_display(),
                "link": accept_url(secret) if secret else "",
                "site_url": site_url(),
                "login_url": absolute_url(reverse("accounts:dashboard")),
                "validity_days": Invitation.VALIDITY_DAYS,
            }
            subject = render_to_string(f"accounts/invitations/email/{kind}_subject.txt", context)
            body = render_to_string(f"accounts/invitations/email/{kind}_body.txt", context)
        send_mail(" ".join(subject.split()), body, None, [fresh.email])

    transaction.on_commit(send)


# --- Invite, resend, revoke --------------------------------------------------------------------


def _new_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, Invitation.hash_secret(secret)


def _open_invitation(organisation: Organisation, email: str, role: str) -> Invitation | None:
    """The invitation that holds the "one pending per role" slot: neither accepted nor revoked
    (it may have expired)."""
    return (
        Invitation.objects.select_for_update()
        .filter(
            organisation=organisation,
            email=email,
            role=role,
            accepted_at=None,
            revoked_at=None,
        )
        .first()
    )


def _reissue(invitation: Invitation) -> str:
    secret, token_hash = _new_secret()
    now = timezone.now()
    invitation.token_hash = token_hash
    invitation.sent_at = now
    invitation.expires_at = now + timedelta(days=Invitation.VALIDITY_DAYS)
    invitation.send_count += 1
    invitation.save(update_fields=["token_hash", "sent_at", "expires_at", "send_count"])
    return secret


def invite(
    *,
    organisation: Organisation,
    email: str,
    role: str,
    invited_by: User | None,
    first_name: str = "",
    last_name: str = "",
    next_url: str = "",
) -> Invitation:
    """Invite ``email`` to hold ``role`` in ``organisation``.

    An existing account gets the role immediately (the returned invitation is already
    accepted). An address with an open invitation for that role gets it again, with a new link.
    """
    check_may_invite(invited_by, organisation, role)
    email = _normalise_email(email)
    _check_role(role)
    next_url = _check_next_url(next_url)
    first_name, last_name = first_name.strip()[:150], last_name.strip()[:150]
    with write_transaction():
        existing = User.objects.filter(email__iexact=email).first()
        if existing is not None and not _stranded(existing):
            return _add_role_to_existing(organisation, existing, role, invited_by, next_url)
        # No account, or one created for this person by staff (an enrolment, an import) that
        # was never used: a link to set the password (accept() sets it on that account).
        invitation = _open_invitation(organisation, email, role)
        if invitation is not None:
            secret = _reissue(invitation)
            audit.record(
                "invitation.resend",
                actor=invited_by,
                organisation=organisation,
                obj=invitation,
                changes={"email": email, "role": role},
            )
            _send_after_commit("invite", invitation, secret)
            return invitation
        secret, token_hash = _new_secret()
        now = timezone.now()
        try:
            with transaction.atomic():
                invitation = Invitation.objects.create(
                    organisation=organisation,
                    email=email,
                    role=role,
                    first_name=first_name,
                    last_name=last_name,
                    next_url=next_url,
                    invited_by=invited_by,
                    token_hash=token_hash,
                    created_at=now,
                    sent_at=now,
                    expires_at=now + timedelta(days=Invitation.VALIDITY_DAYS),
                )
        except IntegrityError:
            raise ValidationError(
                _("Une invitation est déjà en cours pour cette adresse et ce rôle."),
                code="duplicate",
            ) from None
        audit.record(
            "invitation.create",
            actor=invited_by,
            organisation=organisation,
            obj=invitation,
            changes={"email": email, "role": role},
        )
        _send_after_commit("invite", invitation, secret)
        return invitation


def _stranded(user: User) -> bool:
    """An account created for someone else's convenience that they cannot use yet: no usable
    password, never logged in, still active."""
    return user.is_active and user.last_login is None and not user.has_usable_password()


def _add_role_to_existing(
    organisation: Organisation, user: User, role: str, invited_by: User | None, next_url: str
) -> Invitation:
    if MemberDeactivation.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(
            _("%(email)s est un membre désactivé : réactivez-le plutôt que de l'inviter.")
            % {"email": user.email},
            code="deactivated",
        )
    if user.memberships.filter(organisation=organisation, role=role).exists():
        raise ValidationError(
            _("%(email)s a déjà ce rôle dans l'organisation.") % {"email": user.email},
            code="already_member",
        )
    actions.grant_role(user=user, organisation=organisation, role=role, actor=invited_by)
    now = timezone.now()
    _secret, token_hash = _new_secret()  # never sent: the row only records the invitation
    invitation = Invitation.objects.create(
        organisation=organisation,
        email=user.email,
        role=role,
        first_name=user.first_name,
        last_name=user.last_name,
        next_url=next_url,
        invited_by=invited_by,
        token_hash=token_hash,
        created_at=now,
        sent_at=now,
        expires_at=now,
        accepted_at=now,
        accepted_by=user,
    )
    audit.record(
        "invitation.role_added",
        actor=invited_by,
        organisation=organisation,
        obj=invitation,
        changes={"email": user.email, "role": role},
    )
    _send_after_commit("role_added", invitation)
    return invitation


def _check_admin(actor: User | None, invitation: Invitation) -> None:
    check_may_invite(actor, invitation.organisation, invitation.role)


def resend(*, invitation: Invitation, actor: User | None) -> Invitation:
    """A new link (the previous one stops working) and 14 more days."""
    _check_admin(actor, invitation)
    with write_transaction():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None or locked.revoked_at is not None:
            raise ValidationError(
                _("Cette invitation a déjà été acceptée ou annulée."), code="closed"
            )
        secret = _reissue(locked)
        audit.record(
            "invitation.resend",
            actor=actor,
            organisation=locked.organisation,
            obj=locked,
            changes={"email": locked.email, "role": locked.role},
        )
        _send_after_commit("invite", locked, secret)
    return locked


def revoke(*, invitation: Invitation, actor: User | None) -> Invitation:
    _check_admin(actor, invitation)
    with write_transaction():
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.accepted_at is not None:
            raise ValidationError(_("Cette invitation a déjà été acceptée."), code="accepted")
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit.record(
                "invitation.revoke",
                actor=actor,
                organisation=locked.organisation,
                obj=locked,
                changes={"email": locked.email, "role": locked.role},
            )
    return locked


# --- Accept ------------------------------------------------------------------------------------


def find(secret: str) -> Invitation:
    """The invitation a link points to, if it may still be accepted."""
    if not secret or len(secret) > 100:
        raise InvalidInvitation("unknown")
    invitation = (
        Invitation.objects.select_related("organisation")
        .filter(token_hash=Invitation.hash_secret(secret))
        .first()
    )
    _check_open(invitation)
    assert invitation is not None  # noqa: S101 - _check_open raised otherwise
    return invitation


def _check_open(invitation: Invitation | None) -> None:
    if invitation is None:
        raise InvalidInvitation("unknown")
    if invitation.accepted_at is not None:
        raise InvalidInvitation("used")
    if invitation.revoked_at is not None:
        raise InvalidInvitation("revoked")
    if invitation.expires_at <= timezone.now():
        raise InvalidInvitation("expired")


def accept(
    secret: str, password: str, *, first_name: str = "", last_name: str = "", language: str = ""
) -> Invitation:
    """Set the password, grant the role, and close the invitation (once).

    Raises ``InvalidInvitation`` for a dead link and ``ValidationError`` (Django's password
    validators) for a weak password; nothing is written then.
    """
    invitation = find(secret)
    first_name = (first_name or invitation.first_name).strip()[:150]
    last_name = (last_name or invitation.last_name).strip()[:150]
    probe = User(email=invitation.email, first_name=first_name, last_name=last_name)
    validate_password(password, user=probe)
    languages = {code for code, _name in settings.LANGUAGES}
    with write_transaction():
        locked = (
            Invitation.objects.select_for_update()
            .select_related("organisation")
            .filter(pk=invitation.pk, token_hash=invitation.token_hash)
            .first()
        )
        _check_open(locked)
        assert locked is not None  # noqa: S101 - _check_open raised otherwise
        user = User.objects.filter(email__iexact=locked.email).first()
        if user is None:
            user = actions.create_user(
                email=locked.email,
                password=password,
                first_name=first_name,
                last_name=last_name,
                language=language if language in languages else settings.LANGUAGE_CODE,
            )
        else:  # created since the invitation: the link proves the mailbox, as a reset would
            user.set_password(password)
            user.save(update_fields=["password"])
        actions.grant_role(
            user=user, organisation=locked.organisation, role=locked.role, actor=locked.invited_by
        )
        locked.accepted_at = timezone.now()
        locked.accepted_by = user
        locked.save(update_fields=["accepted_at", "accepted_by"])
        mark_email_verified(user)
        audit.record(
            "invitation.accept",
            actor=user,
            organisation=locked.organisation,
            obj=locked,
            changes={"email": locked.email, "role": locked.role},
        )
    return locked


def landing_url(invitation: Invitation) -> str:
    """Where the person lands after accepting: the invitation's page, else "Mon espace"."""
    return invitation.next_url or reverse("accounts:dashboard")


def request_new_link(*, email: str) -> int:
    """Send a fresh link for each open invitation to ``email`` (not accepted, not revoked,
    possibly expired) that was not sent in the last few minutes. Returns how many were sent;
    callers must not tell the visitor (the page answers the same either way)."""
    try:
        email = _normalise_email(email)
    except ValidationError:
        return 0
    sent = 0
    cutoff = timezone.now() - RESEND_COOLDOWN
    with write_transaction():
        open_ones = Invitation.objects.select_for_update().filter(
            email=email, accepted_at=None, revoked_at=None, sent_at__lt=cutoff
        )[:10]
        for invitation in open_ones:
            secret = _reissue(invitation)
            audit.record(
                "invitation.resend",
                actor=None,
                organisation=invitation.organisation,
                obj=invitation,
                changes={"email": email, "role": invitation.role, "asked_by": "invitee"},
            )
            _send_after_commit("invite", invitation, secret)
            sent += 1
    return sent


# --- Bulk --------------------------------------------------------------------------------------


@dataclass
class InviteRow:
    """One line of a bulk invitation: its line number in the file, and what it asks."""

    line: int
    email: str
    role: str
    first_name: str = ""
    last_name: str = ""
    error: str = ""


@dataclass
class RowResult:
    line: int
    email: str
    role: str
    outcome: Literal["invited", "role_added", "error", "not_done"]
    message: str = ""


@dataclass
class BulkReport:
    all_or_nothing: bool
    results: list[RowResult] = field(default_factory=list)

    @property
    def errors(self) -> list[RowResult]:
        return [r for r in self.results if r.outcome == "error"]

    @property
    def done(self) -> list[RowResult]:
        return [r for r in self.results if r.outcome in ("invited", "role_added")]


def _role_from_text(value: str, default: str) -> str:
    """A role given as its code (``trainer``) or its French or English label."""
    text = value.strip().casefold()
    if not text:
        return default
    for code, label in Role.choices:
        if text == code:
            return code
        if text == str(label).casefold():
            return code
        with translation.override("en"):
            if text == str(Role(code).label).casefold():
                return code
    return ""


_HEADERS = {
    "email": "email",
    "e-mail": "email",
    "courriel": "email",
    "adresse e-mail": "email",
    "role": "role",
    "rôle": "role",
    "prenom": "first_name",
    "prénom": "first_name",
    "first name": "first_name",
    "first_name": "first_name",
    "nom": "last_name",
    "last name": "last_name",
    "last_name": "last_name",
}


def _cell(value: object) -> str:
    return "" if value is None else str(value).strip()


def rows_from_table(table: list[list[str]], *, default_role: str = Role.LEARNER) -> list[InviteRow]:
    """Rows of cells (the first may be a header naming the columns ``email``, ``rôle``,
    ``prénom``, ``nom``; without it the columns are e-mail, role, first name, last name).

    Never raises: a line that cannot be used carries its ``error``. Blank lines are skipped.
    """
    columns = ["email", "role", "first_name", "last_name"]
    start = 0
    if table:
        header = [_HEADERS.get(_cell(c).casefold(), "") for c in table[0]]
        if "email" in header:
            columns, start = header, 1
    rows: list[InviteRow] = []
    for number, cells in enumerate(table[start:], start=start + 1):
        values = {name: _cell(v) for name, v in zip(columns, cells, strict=False) if name}
        if not any(values.values()):
            continue
        raw_role = values.get("role", "")
        row = InviteRow(
            line=number,
            email=values.get("email", "").lower()[:254],
            role=_role_from_text(raw_role, default_role),
            first_name=values.get("first_name", "")[:150],
            last_name=values.get("last_name", "")[:150],
        )
        if any("\x00" in str(v) for v in cells):
            row.error = _("caractère nul dans la ligne (fichier abîmé ?) : ligne ignorée.")
        elif not row.role:
            row.error = _("Rôle inconnu : « %(role)s ».") % {"role": raw_role[:40]}
        else:
            try:
                _normalise_email(row.email)
            except ValidationError as exc:
                row.error = exc.messages[0]
        rows.append(row)
    return rows


def parse_rows(
    *, text: str = "", filename: str = "", content: bytes = b"", default_role: str = Role.LEARNER
) -> list[InviteRow]:
    """Read pasted text or an uploaded ``.csv``/``.xlsx`` file into rows.

    Raises ``ValidationError`` (a French message) for a file that cannot be read or is too big.
    XLSX cells are read as values (a formula's cached result, never the formula).
    """
    if content and len(content) > MAX_FILE_BYTES:
        raise ValidationError(_("Le fichier dépasse 2 Mo."), code="too_big")
    try:
        if content:
            table = read_table(
                filename or "liste.csv",
                content,
                max_columns=MAX_COLUMNS,
                max_unzipped=MAX_UNZIPPED,
                max_rows=MAX_ROWS + 2,
            )
        else:
            table = csv_table(text, max_columns=MAX_COLUMNS)
        with closing(table):
            cells = [row for _line, row in itertools.islice(table, MAX_ROWS + 2)]
    except TableError as problem:
        raise ValidationError(problem.message, code="unreadable") from None
    rows = rows_from_table(cells, default_role=default_role)
    if not rows:
        raise ValidationError(_("Aucune adresse à inviter."), code="empty")
    if len(rows) > MAX_ROWS:
        raise ValidationError(
            _("Trop de lignes : %(n)s (au plus %(max)s).") % {"n": len(rows), "max": MAX_ROWS},
            code="too_many",
        )
    return rows


def invite_many(
    *,
    organisation: Organisation,
    rows: list[InviteRow],
    invited_by: User | None,
    all_or_nothing: bool,
    next_url: str = "",
) -> BulkReport:
    """Invite every row. ``all_or_nothing``: any bad row and nothing is written (every row is
    reported); otherwise the good rows are invited and the bad ones reported."""
    if invited_by is not None:
        for role in {row.role for row in rows if row.role}:
            check_may_invite(invited_by, organisation, role)
    if len(rows) > MAX_ROWS:
        raise ValidationError(_("Trop de lignes (au plus %(max)s).") % {"max": MAX_ROWS})
    report = BulkReport(all_or_nothing=all_or_nothing)
    seen: set[tuple[str, str]] = set()
    for row in rows:
        if not row.error and (row.email, row.role) in seen:
            row.error = _("Adresse et rôle déjà présents plus haut dans la liste.")
        seen.add((row.email, row.role))
    if all_or_nothing and any(row.error for row in rows):
        for row in rows:
            outcome: Literal["error", "not_done"] = "error" if row.error else "not_done"
            report.results.append(RowResult(row.line, row.email, row.role, outcome, row.error))
        return report

    class _Abort(Exception):
        pass

    try:
        with write_transaction():
            for row in rows:
                if row.error:
                    report.results.append(
                        RowResult(row.line, row.email, row.role, "error", row.error)
                    )
                    continue
                try:
                    with transaction.atomic():
                        invitation = invite(
                            organisation=organisation,
                            email=row.email,
                            role=row.role,
                            invited_by=invited_by,
                            first_name=row.first_name,
                            last_name=row.last_name,
                            next_url=next_url,
                        )
                except (ValidationError, PermissionDenied) as exc:
                    message = exc.messages[0] if isinstance(exc, ValidationError) else str(exc)
                    report.results.append(
                        RowResult(row.line, row.email, row.role, "error", message)
                    )
                    continue
                outcome_ok: Literal["invited", "role_added"] = (
                    "role_added" if invitation.accepted_at else "invited"
                )
                report.results.append(RowResult(row.line, row.email, row.role, outcome_ok))
            if all_or_nothing and report.errors:
                raise _Abort
    except _Abort:
        report.results = [
            r if r.outcome == "error" else RowResult(r.line, r.email, r.role, "not_done")
            for r in report.results
        ]
    return report


# --- Platform: a new organisation and its first administrator ----------------------------------


def set_up_organisation(
    *, name: str, slug: str, admin_email: str, actor: User | None
) -> tuple[Organisation, Invitation | None, bool]:
    """Create the organisation ``slug`` (or find it: same slug, same name) and invite its first
    administrator. Returns (organisation, invitation or None if that person already
    administers it, whether the organisation was created). Platform superusers only
    (``actor=None``: the ``create_organisation`` command)."""
    from django.utils.text import slugify

    if actor is not None and not actor.is_superuser:
        raise PermissionDenied(_("Réservé aux opérateurs de la plateforme."))
    name = (name or "").strip()
    slug = (slug or "").strip()
    if not name or len(name) > 200:
        raise ValidationError(_("Le nom doit compter de 1 à 200 caractères."), code="name")
    if not slug or len(slug) > 60 or slugify(slug) != slug:
        raise ValidationError(
            _(
                "L'identifiant ne peut contenir que des minuscules, chiffres et tirets "
                "(60 au plus)."
            ),
            code="slug",
        )
    email = _normalise_email(admin_email)
    with write_transaction():
        org = Organisation.objects.filter(slug=slug).first()
        created = org is None
        if org is None:
            org = actions.create_organisation(name=name, slug=slug, actor=actor)
        elif org.name != name:
            raise ValidationError(
                _("L'identifiant « %(slug)s » est déjà celui de l'organisation « %(name)s ».")
                % {"slug": slug, "name": org.name},
                code="slug_taken",
            )
        if Membership.objects.filter(
            organisation=org, role=Role.ADMINISTRATOR, user__email__iexact=email
        ).exists():
            return org, None, created
        pending = (
            Invitation.objects.filter(
                organisation=org,
                email=email,
                role=Role.ADMINISTRATOR,
                accepted_at=None,
                revoked_at=None,
                expires_at__gt=timezone.now(),
            )
            .order_by("-created_at")
            .first()
        )
        if pending is not None:
            return org, pending, created
        invitation = invite(
            organisation=org, email=email, role=Role.ADMINISTRATOR, invited_by=actor
        )
    return org, invitation, created
