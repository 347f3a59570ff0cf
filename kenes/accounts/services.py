"""Every write about people: registering, declaring residency, assigning and revoking roles,
issuing and revoking API tokens."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.accounts.iin import iin_digest, mask_iin, validate_iin
from kenes.accounts.models import ApiToken, ResidentProfile, Role, RoleAssignment, User
from kenes.accounts.permissions import (
    can_assign_role,
    can_issue_api_token,
    can_revoke_api_token,
    can_revoke_role,
    can_set_residency,
    can_verify_residency,
)
from kenes.accounts.roles import STANDARD_ROLES
from kenes.core.audit import record_audit
from kenes.core.errors import DomainError
from kenes.territory.models import District, Okrug, Region, Settlement

ScopeTerritory = Region | District | Okrug

IIN_TAKEN_MESSAGE = _(
    "This IIN is already registered to another account. If it is yours, contact the akimat to have it checked."
)


def _scope_of(territory: Any) -> dict[str, Any]:
    """The RoleAssignment columns for a territory: exactly one of region, district, okrug."""
    if isinstance(territory, Region):
        return {"region": territory, "district": None, "okrug": None}
    if isinstance(territory, District):
        return {"region": None, "district": territory, "okrug": None}
    if isinstance(territory, Okrug):
        return {"region": None, "district": None, "okrug": territory}
    raise DomainError(_("A role is held in a region, a district or an okrug."), code="invalid_territory")


def _role(role_code: str) -> Role:
    role = Role.objects.filter(code=role_code).first()
    if role is None:
        raise DomainError(_("There is no such role."), code="unknown_role")
    return role


def _role_facts(assignment: RoleAssignment) -> dict[str, Any]:
    scope = assignment.scope
    return {
        "user": assignment.user_id,
        "role": assignment.role.code,
        "territory": scope.kato,
        "territory_level": scope._meta.model_name,
    }


def _grant(*, actor: Any, user: User, role: Role, territory: ScopeTerritory) -> RoleAssignment:
    assignment, created = RoleAssignment.objects.get_or_create(user=user, role=role, **_scope_of(territory))
    if created:
        record_audit(actor=actor, action="role.assigned", target=assignment, after=_role_facts(assignment))
    return assignment


def _withdraw(*, actor: Any, assignment: RoleAssignment) -> None:
    facts = _role_facts(assignment)
    user = assignment.user
    assignment.delete()
    record_audit(actor=actor, action="role.revoked", target=user, before=facts)


@transaction.atomic
def register_user(
    *, username: str, email: str, password: str, full_name: str, is_demo: bool = False, is_superuser: bool = False
) -> User:
    """Creates an account. `is_demo` labels demo data; `is_superuser` is for the demo and setup
    commands only (no page offers it)."""
    username = username.strip()
    email = User.objects.normalize_email(email.strip())
    full_name = full_name.strip()
    try:
        User.username_validator(username)
        validate_email(email)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="invalid_account") from error
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(_("This username is taken: please choose another."), code="username_taken")
    if User.objects.filter(email__iexact=email).exists():
        raise DomainError(
            _("An account with this email address already exists. If it is yours, reset its password."),
            code="email_taken",
        )
    user = User(
        username=username,
        email=email,
        full_name=full_name,
        is_demo=is_demo,
        is_staff=is_superuser,
        is_superuser=is_superuser,
    )
    try:
        validate_password(password, user)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), code="weak_password") from error
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError as error:
        # Someone registered the same name or address a moment ago.
        raise DomainError(
            _("This username or email address has just been registered: please choose another."),
            code="username_taken",
        ) from error
    record_audit(
        actor=user,
        action="account.registered",
        target=user,
        after={"username": user.username, "is_demo": is_demo, "is_superuser": is_superuser},
    )
    return user


def _residency_facts(profile: ResidentProfile) -> dict[str, Any]:
    # The audit log is append-only, so it gets the mask, never the number or its digest.
    return {
        "user": profile.user_id,
        "iin_masked": profile.iin_masked,
        "settlement": profile.settlement.kato,
        "verified": profile.verified_at is not None,
    }


def _resident_scope(settlement: Settlement) -> Okrug | District:
    return settlement.okrug if settlement.okrug is not None else settlement.district


@transaction.atomic
def set_residency(*, actor: User, user: User, iin: str, settlement: Settlement) -> ResidentProfile:
    """Records the person's IIN (as digest and mask) and the one settlement they live in, and makes
    them a resident of its okrug (or of its district, for a settlement outside any okrug)."""
    if not can_set_residency(actor, user, settlement):
        raise DomainError(_("You may not declare residency for this person."), code="forbidden", status=403)
    if settlement.is_retired:
        raise DomainError(
            _("This settlement is no longer in the classifier: choose its current code."), code="retired_settlement"
        )
    facts = validate_iin(iin)
    digest = iin_digest(iin)
    if ResidentProfile.objects.filter(iin_digest=digest).exclude(user_id=user.pk).exists():
        raise DomainError(IIN_TAKEN_MESSAGE, code="iin_taken")

    profile = ResidentProfile.objects.select_for_update().filter(user_id=user.pk).first()
    before = _residency_facts(profile) if profile is not None else None
    if profile is None:
        profile = ResidentProfile(user=user)
    elif profile.iin_digest != digest or profile.settlement_id != settlement.pk:
        profile.verified_at = None  # a verification was of the old facts
    profile.iin_digest = digest
    profile.iin_masked = mask_iin(iin)
    profile.birth_date = facts.birth_date
    profile.settlement = settlement
    try:
        with transaction.atomic():
            profile.save()
    except IntegrityError as error:
        raise DomainError(IIN_TAKEN_MESSAGE, code="iin_taken") from error

    # A person is a resident of one place: the resident role follows the settlement.
    scope = _resident_scope(settlement)
    resident = _role(Role.RESIDENT)
    for assignment in RoleAssignment.objects.filter(user=user, role=resident).select_related(
        "role", "region", "district", "okrug"
    ):
        if assignment.scope != scope:
            _withdraw(actor=actor, assignment=assignment)
    _grant(actor=actor, user=user, role=resident, territory=scope)

    action = "residency.declared" if before is None else "residency.changed"
    record_audit(actor=actor, action=action, target=profile, before=before, after=_residency_facts(profile))
    return profile


@transaction.atomic
def verify_residency(*, actor: User, user: User) -> ResidentProfile:
    """Records that the akimat has checked the person's declared residency. Verified residents may
    submit proposals; a later change of IIN or settlement clears the verification."""
    profile = ResidentProfile.objects.select_for_update().select_related("settlement").filter(user_id=user.pk).first()
    if profile is None:
        raise DomainError(_("This person has not declared where they live."), code="no_residency")
    if actor.pk == user.pk and not actor.is_superuser:
        raise DomainError(_("You may not verify your own residency."), code="forbidden", status=403)
    if not can_verify_residency(actor, profile.settlement):
        raise DomainError(_("You may not verify residents of this settlement."), code="forbidden", status=403)
    if profile.verified_at is not None:
        return profile
    before = _residency_facts(profile)
    profile.verified_at = timezone.now()
    profile.save(update_fields=["verified_at", "updated_at"])
    record_audit(
        actor=actor, action="resident.verified", target=profile, before=before, after=_residency_facts(profile)
    )
    return profile


@transaction.atomic
def assign_role(*, actor: User, user: User, role_code: str, territory: ScopeTerritory) -> RoleAssignment:
    """Gives the user a role in a territory; assigning a role already held changes nothing."""
    _scope_of(territory)
    if not can_assign_role(actor, role_code, territory):
        raise DomainError(_("You may not assign this role in this territory."), code="forbidden", status=403)
    return _grant(actor=actor, user=user, role=_role(role_code), territory=territory)


@transaction.atomic
def revoke_role(*, actor: User, user: User, role_code: str, territory: ScopeTerritory) -> None:
    if not can_revoke_role(actor, role_code, territory):
        raise DomainError(_("You may not revoke this role in this territory."), code="forbidden", status=403)
    assignment = (
        RoleAssignment.objects.select_for_update(of=("self",))
        .filter(user=user, role__code=role_code, **_scope_of(territory))
        .select_related("role", "region", "district", "okrug")
        .first()
    )
    if assignment is None:
        raise DomainError(_("This person does not hold this role here."), code="role_not_held")
    _withdraw(actor=actor, assignment=assignment)


@transaction.atomic
def ensure_standard_roles() -> list[Role]:
    """Creates or renames the seven standard roles; safe to run any number of times."""
    return [
        Role.objects.update_or_create(code=code, defaults={"name_kk": n.kk, "name_ru": n.ru, "name_en": n.en})[0]
        for code, n in STANDARD_ROLES.items()
    ]


# API tokens ------------------------------------------------------------------------------------

MAX_ACTIVE_API_TOKENS = 10


def _token_facts(token: ApiToken) -> dict[str, Any]:
    # Never the secret or its digest: the audit log is kept forever and read by administrators.
    return {"user": token.user_id, "name": token.name, "prefix": token.prefix, "revoked": token.revoked_at is not None}


@transaction.atomic
def issue_api_token(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """Makes a token for `user` and returns it with its secret, which is never available again."""
    if not can_issue_api_token(actor, user):
        raise DomainError(_("You may make API tokens only for yourself."), code="forbidden", status=403)
    name = " ".join(name.split())
    if not name:
        raise DomainError(_("Give the token a name, so you know later what uses it."), code="invalid_token_name")
    if len(name) > ApiToken._meta.get_field("name").max_length:  # type: ignore[operator]
        raise DomainError(_("The token name is too long."), code="invalid_token_name")
    # Lock the person's row so two requests at once cannot both pass the limit.
    User.objects.select_for_update().filter(pk=user.pk).first()
    if ApiToken.objects.filter(user=user, revoked_at__isnull=True).count() >= MAX_ACTIVE_API_TOKENS:
        raise DomainError(
            _("You have as many active tokens as allowed: revoke one you no longer use."), code="too_many_tokens"
        )
    secret = secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, key_digest=ApiToken.digest_of(secret), prefix=secret[:8])
    record_audit(actor=actor, action="api_token.issued", target=token, after=_token_facts(token))
    return token, secret


@transaction.atomic
def revoke_api_token(*, actor: Any, token: ApiToken) -> ApiToken:
    """Stops the token working at once; revoking a revoked token changes nothing."""
    if not can_revoke_api_token(actor, token):
        raise DomainError(_("You may not revoke this token."), code="forbidden", status=403)
    locked = ApiToken.objects.select_for_update().get(pk=token.pk)
    if locked.revoked_at is not None:
        return locked
    before = _token_facts(locked)
    locked.revoked_at = timezone.now()
    locked.save(update_fields=["revoked_at"])
    record_audit(actor=actor, action="api_token.revoked", target=locked, before=before, after=_token_facts(locked))
    return locked
