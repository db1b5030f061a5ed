"""Every write of the portfolio: choosing what is public, making and revoking the share link."""

from __future__ import annotations

import hashlib
import secrets

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import User
from parcours.lib.transactions import write_transaction
from parcours.pathways.actions import lock_learners
from parcours.portfolio import queries
from parcours.portfolio.models import ItemKind, PublicItem, ShareLink


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def set_public(*, person: User, kind: str, ref: str, public: bool) -> None:
    """Show (or hide) one of the person's own items on their shared page. An item that is not
    theirs is refused (the reference is checked against their portfolio)."""
    if kind not in ItemKind.values:
        raise ValidationError(_("Type d'élément inconnu."))
    if ref not in queries.refs(person, kind):
        raise ValidationError(_("Cet élément ne fait pas partie de votre portfolio."))
    with write_transaction():
        if public:
            PublicItem.objects.get_or_create(person=person, kind=kind, ref=ref)
        else:
            PublicItem.objects.filter(person=person, kind=kind, ref=ref).delete()


def create_link(*, person: User) -> str:
    """A new share link (the previous one stops working). Returns the token: shown once, only
    its hash is kept."""
    token = secrets.token_urlsafe(24)
    with write_transaction():
        lock_learners([person.pk])
        now = timezone.now()
        ShareLink.objects.filter(person=person, revoked_at__isnull=True).update(revoked_at=now)
        link = ShareLink.objects.create(person=person, token_hash=token_hash(token))
        audit.record("portfolio.link.create", actor=person, obj=link)
    return token


def revoke_link(*, person: User) -> int:
    """Revoke the person's live link (the public page then answers 404)."""
    with write_transaction():
        count = ShareLink.objects.filter(person=person, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        if count:
            audit.record("portfolio.link.revoke", actor=person)
    return count


def person_for_token(token: str) -> User | None:
    if not token or len(token) > 100:
        return None
    link = (
        ShareLink.objects.filter(token_hash=token_hash(token), revoked_at__isnull=True)
        .select_related("person")
        .first()
    )
    if link is None or not link.person.is_active:
        return None
    return link.person
