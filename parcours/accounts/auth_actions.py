"""Writes of the front door that allauth does not make itself (kept apart from ``actions.py``)."""

from __future__ import annotations

from allauth.account.models import EmailAddress
from django.db import IntegrityError, transaction

from parcours.accounts import audit
from parcours.accounts.models import User


def adopt_legacy_address(user: User) -> bool:
    """Record the address of a person created outside allauth as verified; True if it did.

    Staff, imports, invitations, ``createsuperuser`` and the demo create users without an
    allauth address row. Such an address was given by someone trusted (or proved by the
    invitation link), so the person is not asked to confirm it at their first login. A person
    who signed up has a row already (unverified until confirmed) and is left alone.
    """
    if not user.pk or not user.email or EmailAddress.objects.filter(user_id=user.pk).exists():
        return False
    try:
        with transaction.atomic():
            EmailAddress.objects.create(
                user=user, email=user.email.lower(), primary=True, verified=True
            )
    except IntegrityError:  # a concurrent login adopted it first
        return False
    return True


def verify_address_after_password_reset(user: User) -> None:
    """A password reset by e-mailed link proves the mailbox: its address counts as confirmed.

    (allauth creates an unconfirmed address row for people without one when it makes the
    reset link; without this, the reset would end on "confirm your address".)
    """
    updated = EmailAddress.objects.filter(
        user_id=user.pk, email=user.email.lower(), verified=False
    ).update(verified=True)
    if updated:
        audit.record("user.email_verified_by_reset", actor=user, obj=user)
