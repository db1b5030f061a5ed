"""Every write to accounts goes through here."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils.text import slugify

from parcours.accounts import audit
from parcours.accounts.models import ApiToken, Membership, Organisation, Site, User


@transaction.atomic
def create_organisation(
    *, name: str, slug: str | None = None, kind: str = Organisation.Kind.OTHER, actor: User | None
) -> Organisation:
    org = Organisation.objects.create(name=name, slug=slug or slugify(name)[:60], kind=kind)
    audit.record("organisation.create", actor=actor, organisation=org, obj=org)
    return org


@transaction.atomic
def create_site(
    *,
    organisation: Organisation,
    name: str,
    city: str,
    street: str = "",
    postcode: str = "",
    latitude: float | None = None,
    longitude: float | None = None,
    access_notes: str = "",
    actor: User | None,
) -> Site:
    site = Site.objects.create(
        organisation=organisation,
        slug=slugify(name)[:60],
        name=name,
        city=city,
        street=street,
        postcode=postcode,
        latitude=latitude,
        longitude=longitude,
        access_notes=access_notes,
    )
    audit.record("site.create", actor=actor, organisation=organisation, obj=site)
    return site


@transaction.atomic
def create_user(
    *,
    email: str,
    password: str | None,
    first_name: str = "",
    last_name: str = "",
    language: str = "fr",
    postcode: str = "",
    actor: User | None = None,
) -> User:
    user = User.objects.create_user(
        email=email,
        password=password,
        first_name=first_name,
        last_name=last_name,
        language=language,
        postcode=postcode,
    )
    audit.record("user.create", actor=actor, obj=user)
    return user


def set_language(*, user: User, language: str) -> User:
    """Remember the language a person chose with the switch (their e-mails use it too)."""
    from django.conf import settings

    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"unsupported language: {language!r}")
    if user.language != language:
        user.language = language
        user.save(update_fields=["language"])
        audit.record("user.language", actor=user, obj=user, changes={"language": language})
    return user


@transaction.atomic
def grant_role(
    *, user: User, organisation: Organisation, role: str, actor: User | None
) -> Membership:
    membership, created = Membership.objects.get_or_create(
        user=user, organisation=organisation, role=role
    )
    if created:
        audit.record(
            "membership.grant",
            actor=actor,
            organisation=organisation,
            obj=membership,
            changes={"role": role, "user": user.email},
        )
    return membership


@transaction.atomic
def create_api_token(
    *, user: User, name: str, expires_at: datetime | None = None
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never shown again."""
    full, key_id, key_hash = ApiToken.generate()
    token = ApiToken.objects.create(
        user=user, name=name, key_id=key_id, key_hash=key_hash, expires_at=expires_at
    )
    audit.record("api_token.create", actor=user, obj=token)
    return token, full
