"""Who may enrol themselves in an organisation's sessions (its sign-up policy).

``may_self_enrol(user, organisation)`` is what enrolment asks before a self-enrolment. It answers
``(True, "")`` or ``(False, reason)`` with a reason to show to the person (French, translated).
"""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.contrib.auth.models import AnonymousUser
from django.utils.translation import gettext as _

from parcours.accounts.models import Invitation, Membership, Organisation, SignupPolicy, User


def email_domain(email: str) -> str:
    """``Chloe@Mail.Example.BE`` → ``mail.example.be``."""
    return email.strip().rpartition("@")[2].lower().rstrip(".")


def has_verified_email(user: User) -> bool:
    """The person's current address is confirmed.

    People created by staff, imports or invitations (no allauth address row at all) count as
    verified, as they do at login (``adapters.LegacyAwareEmailVerificationStage``).
    """
    addresses = list(EmailAddress.objects.filter(user_id=user.pk).values_list("email", "verified"))
    if not addresses:
        return True
    current = user.email.lower()
    return any(verified and email.lower() == current for email, verified in addresses)


def may_self_enrol(
    user: User | AnonymousUser, organisation: Organisation, *, email_checked: bool = False
) -> tuple[bool, str]:
    """``email_checked``: the caller already made sure the address is confirmed
    (``has_verified_email``), e.g. before taking a lock."""
    if not user.is_authenticated or not isinstance(user, User):
        return False, _("Connectez-vous ou créez un compte pour vous inscrire.")
    if not user.is_active:
        return False, _("Ce compte est désactivé.")
    if not organisation.is_active:
        return False, _("Cette organisation n'accepte plus d'inscriptions.")
    if not email_checked and not has_verified_email(user):
        return False, _(
            "Confirmez d'abord votre adresse e-mail : ouvrez le lien que nous vous avons envoyé."
        )
    policy = organisation.signup_policy
    if policy == SignupPolicy.OPEN:
        return True, ""
    if policy == SignupPolicy.DOMAINS:
        # Exact match: "province.be" admits a@province.be, not a@ecole.province.be (an
        # organisation that wants its subdomains lists them).
        domain = email_domain(user.email)
        allowed = {
            d.strip().lower().rstrip(".")
            for d in organisation.signup_domains.values_list("domain", flat=True)
        }
        if domain in allowed:
            return True, ""
        return False, _(
            "Les inscriptions de %(organisation)s sont réservées aux adresses e-mail de "
            "certains domaines. Utilisez votre adresse professionnelle ou scolaire."
        ) % {"organisation": organisation.name}
    # Invitation only: the person must belong to the organisation or have accepted an invitation.
    if (
        Membership.objects.filter(user=user, organisation=organisation).exists()
        or Invitation.objects.filter(
            organisation=organisation, accepted_by=user, accepted_at__isnull=False
        ).exists()
    ):
        return True, ""
    return False, _(
        "Les inscriptions de %(organisation)s se font sur invitation. Demandez une invitation "
        "à l'organisation."
    ) % {"organisation": organisation.name}
