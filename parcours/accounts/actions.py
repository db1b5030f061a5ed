"""Every write to accounts goes through here."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from parcours.accounts import audit
from parcours.accounts.models import (
    ApiToken,
    MemberDeactivation,
    Membership,
    Organisation,
    Role,
    SignupDomain,
    SignupPolicy,
    Site,
    User,
)
from parcours.accounts.permissions import Actor, require_role
from parcours.lib.transactions import write_transaction


@transaction.atomic
def create_organisation(
    *, name: str, slug: str | None = None, kind: str = Organisation.Kind.OTHER, actor: User | None
) -> Organisation:
    org = Organisation(name=name, slug=slug or slugify(name)[:60], kind=kind)
    org.full_clean()  # a slug taken or shadowed by a page of the site: a field error
    org.save()
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


#: The longest an API token may live.
MAX_TOKEN_DAYS = 366


def create_api_token(
    *,
    user: User,
    name: str,
    expires_at: datetime | None = None,
    scope: str = ApiToken.Scope.READ_WRITE,
    organisation: Organisation | None = None,
) -> tuple[ApiToken, str]:
    """Create a token and return it with its secret, which is never shown again.

    From an organisation's administration (``organisation`` given) the creator must be one of
    its administrators and the token must expire within a year.
    """
    name = name.strip()
    if not name or len(name) > 100:
        raise ValidationError(_("Donnez au jeton un nom de 1 à 100 caractères."), code="name")
    if scope not in ApiToken.Scope.values:
        raise ValidationError(_("Portée inconnue."), code="scope")
    now = timezone.now()
    if organisation is not None:
        require_admin(user, organisation)
        if expires_at is None:
            raise ValidationError(_("Indiquez une date d'expiration."), code="expiry")
    if expires_at is not None and not (now < expires_at <= now + timedelta(days=MAX_TOKEN_DAYS)):
        raise ValidationError(
            _("La date d'expiration doit être dans le futur, dans un an au plus."), code="expiry"
        )
    with write_transaction():
        full, key_id, key_hash = ApiToken.generate()
        token = ApiToken.objects.create(
            user=user,
            name=name,
            key_id=key_id,
            key_hash=key_hash,
            expires_at=expires_at,
            scope=scope,
            organisation=organisation,
        )
        audit.record(
            "api_token.create",
            actor=user,
            organisation=organisation,
            obj=token,
            changes={"scope": scope, "expires_at": expires_at.isoformat() if expires_at else None},
        )
    return token, full


def revoke_api_token(*, token: ApiToken, actor: User) -> ApiToken:
    """Stop a token from working (an administrator of its organisation, or its owner)."""
    if token.organisation_id is not None:
        if token.user_id != actor.pk:
            require_admin(actor, token.organisation_id)
    elif token.user_id != actor.pk and not actor.is_superuser:
        raise PermissionDenied(_("Ce jeton n'est pas le vôtre."))
    with write_transaction():
        locked = ApiToken.objects.select_for_update().get(pk=token.pk)
        if locked.revoked_at is None:
            locked.revoked_at = timezone.now()
            locked.save(update_fields=["revoked_at"])
            audit.record(
                "api_token.revoke", actor=actor, organisation=locked.organisation, obj=locked
            )
    return locked


# --- Organisation administration: members, roles, settings ----------------------------------


def require_admin(actor: User, organisation: Organisation | int) -> None:
    """PermissionDenied unless ``actor`` administers ``organisation`` (or runs the platform)."""
    require_role(Actor.of(actor), organisation, (Role.ADMINISTRATOR,))


def _lock_organisation(organisation: Organisation) -> Organisation:
    """Serialise the role changes of one organisation (PostgreSQL: a row lock on it; SQLite:
    ``write_transaction`` already holds the database's write lock)."""
    return Organisation.objects.select_for_update().get(pk=organisation.pk)


def _refuse_if_last_admin(organisation: Organisation, user: User) -> None:
    """Call with the organisation locked: refuse to take the administrator role from the last
    person who holds it."""
    admins = set(
        Membership.objects.filter(organisation=organisation, role=Role.ADMINISTRATOR).values_list(
            "user_id", flat=True
        )
    )
    if admins == {user.pk}:
        raise ValidationError(
            _(
                "Impossible : %(name)s est le dernier administrateur de l'organisation. "
                "Nommez d'abord un autre administrateur."
            )
            % {"name": user},
            code="last_admin",
        )


def _check_role_value(role: str) -> None:
    if role not in Role.values:
        raise ValidationError(_("Rôle inconnu."), code="role")


def _check_member(organisation: Organisation, user: User) -> None:
    if not Membership.objects.filter(organisation=organisation, user=user).exists():
        raise ValidationError(_("Cette personne n'est pas membre de l'organisation."))


def add_role(*, user: User, organisation: Organisation, role: str, actor: User) -> Membership:
    """An administrator gives a current member one more role."""
    require_admin(actor, organisation)
    _check_role_value(role)
    with write_transaction():
        _lock_organisation(organisation)
        _check_member(organisation, user)
        return grant_role(user=user, organisation=organisation, role=role, actor=actor)


def remove_role(*, user: User, organisation: Organisation, role: str, actor: User) -> None:
    """Take one role away; never the administrator role of the last administrator."""
    require_admin(actor, organisation)
    _check_role_value(role)
    with write_transaction():
        _lock_organisation(organisation)
        if role == Role.ADMINISTRATOR:
            _refuse_if_last_admin(organisation, user)
        membership = Membership.objects.filter(
            organisation=organisation, user=user, role=role
        ).first()
        if membership is None:
            raise ValidationError(_("Cette personne n'a pas ce rôle."), code="no_role")
        if Membership.objects.filter(organisation=organisation, user=user).count() == 1:
            raise ValidationError(
                _(
                    "C'est son seul rôle : changez-le, ou désactivez la personne pour lui "
                    "retirer l'accès."
                ),
                code="only_role",
            )
        membership.delete()
        audit.record(
            "membership.revoke",
            actor=actor,
            organisation=organisation,
            obj=user,
            changes={"role": role, "user": user.email},
        )


def change_role(
    *, user: User, organisation: Organisation, old_role: str, new_role: str, actor: User
) -> Membership:
    """Replace one role by another, in one step (the last administrator keeps theirs)."""
    require_admin(actor, organisation)
    _check_role_value(old_role)
    _check_role_value(new_role)
    with write_transaction():
        _lock_organisation(organisation)
        if old_role == Role.ADMINISTRATOR and new_role != old_role:
            _refuse_if_last_admin(organisation, user)
        membership = Membership.objects.filter(
            organisation=organisation, user=user, role=old_role
        ).first()
        if membership is None:
            raise ValidationError(_("Cette personne n'a pas ce rôle."), code="no_role")
        if old_role == new_role:
            return membership
        membership.delete()
        new, _created = Membership.objects.get_or_create(
            user=user, organisation=organisation, role=new_role
        )
        audit.record(
            "membership.change",
            actor=actor,
            organisation=organisation,
            obj=user,
            changes={"from": old_role, "to": new_role, "user": user.email},
        )
        return new


def deactivate_member(*, user: User, organisation: Organisation, actor: User) -> MemberDeactivation:
    """Stop ``user``'s access to ``organisation`` (only this one): their roles there are removed
    and kept on a ``MemberDeactivation`` row, to be given back by ``reactivate_member``."""
    require_admin(actor, organisation)
    if user.pk == actor.pk:
        raise ValidationError(_("Vous ne pouvez pas vous désactiver vous-même."), code="self")
    with write_transaction():
        _lock_organisation(organisation)
        memberships = Membership.objects.filter(organisation=organisation, user=user)
        roles = sorted(memberships.values_list("role", flat=True))
        if not roles:
            raise ValidationError(_("Cette personne n'est pas membre de l'organisation."))
        if Role.ADMINISTRATOR in roles:
            _refuse_if_last_admin(organisation, user)
        memberships.delete()
        deactivation = MemberDeactivation.objects.create(
            organisation=organisation, user=user, roles=roles, deactivated_by=actor
        )
        audit.record(
            "member.deactivate",
            actor=actor,
            organisation=organisation,
            obj=user,
            changes={"roles": roles, "user": user.email},
        )
    return deactivation


def reactivate_member(*, user: User, organisation: Organisation, actor: User) -> list[str]:
    """Give a deactivated member their roles back. Returns the roles restored."""
    require_admin(actor, organisation)
    with write_transaction():
        _lock_organisation(organisation)
        deactivation = (
            MemberDeactivation.objects.select_for_update()
            .filter(organisation=organisation, user=user)
            .first()
        )
        if deactivation is None:
            raise ValidationError(_("Cette personne n'est pas désactivée."), code="not_deactivated")
        roles = [r for r in deactivation.roles if r in Role.values] or [Role.LEARNER]
        for role in roles:
            Membership.objects.get_or_create(user=user, organisation=organisation, role=role)
        deactivation.delete()
        audit.record(
            "member.reactivate",
            actor=actor,
            organisation=organisation,
            obj=user,
            changes={"roles": roles, "user": user.email},
        )
    return roles


RETENTION_MIN_DAYS = 30
RETENTION_MAX_DAYS = 3650


def update_organisation_settings(
    *,
    organisation: Organisation,
    actor: User,
    signup_policy: str,
    require_staff_mfa: bool,
    learner_retention_days: int | None,
) -> Organisation:
    require_admin(actor, organisation)
    if signup_policy not in SignupPolicy.values:
        raise ValidationError(_("Politique d'inscription inconnue."), code="policy")
    if learner_retention_days is not None and not (
        RETENTION_MIN_DAYS <= learner_retention_days <= RETENTION_MAX_DAYS
    ):
        raise ValidationError(
            _("La durée de conservation doit être comprise entre %(min)s et %(max)s jours.")
            % {"min": RETENTION_MIN_DAYS, "max": RETENTION_MAX_DAYS},
            code="retention",
        )
    with write_transaction():
        org = _lock_organisation(organisation)
        changes: dict[str, object] = {}
        for name, value in (
            ("signup_policy", signup_policy),
            ("require_staff_mfa", require_staff_mfa),
            ("learner_retention_days", learner_retention_days),
        ):
            if getattr(org, name) != value:
                changes[name] = {"from": getattr(org, name), "to": value}
                setattr(org, name, value)
        if changes:
            org.save(update_fields=list(changes))
            audit.record(
                "organisation.settings", actor=actor, organisation=org, obj=org, changes=changes
            )
    return org


def normalise_domain(value: str) -> str:
    """A sign-up domain as stored: lowercase, valid once IDNA-encoded, no ``@``, no scheme."""
    text = (value or "").strip().lower().rstrip(".")
    message = _("« %(d)s » n'est pas un nom de domaine valide (exemple : ecole.be).") % {
        "d": text[:100]
    }
    if not text or "@" in text or "/" in text or ":" in text or " " in text or "." not in text:
        raise ValidationError(message, code="domain")
    try:
        ascii_name = text.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValidationError(message, code="domain") from None
    labels = ascii_name.split(".")
    if len(ascii_name) > 253 or any(
        not label
        or len(label) > 63
        or label.startswith("-")
        or label.endswith("-")
        or not all(c.isalnum() or c == "-" for c in label)
        for label in labels
    ):
        raise ValidationError(message, code="domain")
    if labels[-1].isdigit():
        raise ValidationError(message, code="domain")
    # Stored as people type their addresses (``école.be``, not ``xn--cole-9oa.be``): the sign-up
    # policy compares it with the domain of the e-mail address.
    try:
        return ascii_name.encode("ascii").decode("idna")
    except UnicodeError:
        raise ValidationError(message, code="domain") from None


def add_signup_domain(*, organisation: Organisation, domain: str, actor: User) -> SignupDomain:
    require_admin(actor, organisation)
    name = normalise_domain(domain)
    with write_transaction():
        if SignupDomain.objects.filter(organisation=organisation, domain=name).exists():
            raise ValidationError(_("Ce domaine est déjà autorisé."), code="duplicate")
        row = SignupDomain.objects.create(organisation=organisation, domain=name)
        audit.record(
            "signup_domain.add",
            actor=actor,
            organisation=organisation,
            obj=row,
            changes={"domain": name},
        )
    return row


def remove_signup_domain(*, domain: SignupDomain, actor: User) -> None:
    require_admin(actor, domain.organisation_id)
    with write_transaction():
        audit.record(
            "signup_domain.remove",
            actor=actor,
            organisation=domain.organisation,
            obj=domain,
            changes={"domain": domain.domain},
        )
        domain.delete()
