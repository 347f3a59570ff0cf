"""Reads about people: the roles they hold and where, resident profiles (found by IIN digest), and
the person an API token stands for."""

from __future__ import annotations

import datetime
import hmac
from dataclasses import dataclass
from typing import Any

from django.db import connections, router
from django.db.models import F, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from kenes.accounts.iin import iin_digest
from kenes.accounts.models import ApiToken, ResidentProfile, RoleAssignment, User
from kenes.core.sql import is_any
from kenes.territory.models import District, Okrug, Region, Settlement

Territory = Region | District | Okrug | Settlement


def roles_of(user: Any) -> QuerySet[RoleAssignment]:
    """Every role the user holds, with its territory loaded, broadest territory first."""
    if not getattr(user, "is_authenticated", False):
        return RoleAssignment.objects.none()
    return (
        RoleAssignment.objects.filter(user=user)
        .select_related("role", "region", "district__region", "okrug__district__region")
        .order_by("role_id", "region__kato", "district__kato", "okrug__kato")
    )


def _covering_scopes(territory: Territory) -> Q:
    """The assignments whose territory is this one or contains it: a role held in a region covers
    its districts and okrugs; one held in a district covers its okrugs."""
    if isinstance(territory, Region):
        return Q(region_id=territory.pk)
    if isinstance(territory, District):
        return Q(region_id=territory.region_id) | Q(district_id=territory.pk)
    if isinstance(territory, Okrug):
        district = territory.district
        return Q(region_id=district.region_id) | Q(district_id=district.pk) | Q(okrug_id=territory.pk)
    if isinstance(territory, Settlement):
        scopes = Q(region_id=territory.district.region_id) | Q(district_id=territory.district_id)
        if territory.okrug_id is not None:
            scopes |= Q(okrug_id=territory.okrug_id)
        return scopes
    raise TypeError(f"not a territory: {territory!r}")


def user_has_role(user: Any, role_code: str, territory: Territory) -> bool:
    """Whether the user holds the role in this territory or in one that contains it."""
    if not getattr(user, "is_authenticated", False):
        return False
    return RoleAssignment.objects.filter(_covering_scopes(territory), user_id=user.pk, role__code=role_code).exists()


def resident_profile_of(user: User) -> ResidentProfile | None:
    return (
        ResidentProfile.objects.filter(user_id=user.pk)
        .select_related("settlement__okrug", "settlement__district__region")
        .first()
    )


def find_resident_by_iin(iin: str) -> ResidentProfile | None:
    """Looks a resident up by the number they give, through its digest (the number is not stored)."""
    return ResidentProfile.objects.filter(iin_digest=iin_digest(iin)).select_related("user", "settlement").first()


VERIFYING_ROLES = ("akimat_staff", "district_admin")


def residents_awaiting_verification(user: Any) -> QuerySet[ResidentProfile]:
    """Declared, not yet verified residencies in the territories where the user verifies residents
    (akimat staff or district administrators; a superuser sees all), oldest first."""
    waiting = ResidentProfile.objects.filter(verified_at__isnull=True).select_related(
        "user", "settlement__okrug", "settlement__district"
    )
    if not getattr(user, "is_authenticated", False):
        return waiting.none()
    if user.is_superuser:
        return waiting.order_by("created_at", "pk")
    scopes = Q(pk__in=[])
    for assignment in RoleAssignment.objects.filter(user_id=user.pk, role__code__in=VERIFYING_ROLES):
        if assignment.region_id is not None:
            scopes |= Q(settlement__district__region_id=assignment.region_id)
        elif assignment.district_id is not None:
            scopes |= Q(settlement__district_id=assignment.district_id)
        else:
            scopes |= Q(settlement__okrug_id=assignment.okrug_id)
    return waiting.filter(scopes).exclude(user_id=user.pk).order_by("created_at", "pk")


# API tokens ------------------------------------------------------------------------------------

# How stale `last_used_at` may get: at most one write a minute per token, however busy the client.
LAST_USED_PRECISION = datetime.timedelta(minutes=1)
# token_urlsafe(32) gives 43 characters; anything far longer is not ours and is not hashed.
_MAX_SECRET_LENGTH = 200


def api_token_digest(secret: str) -> str | None:
    """The digest a token's secret is looked up by, or None for what cannot be one of ours."""
    if not secret or len(secret) > _MAX_SECRET_LENGTH:
        return None
    return ApiToken.digest_of(secret)


def touch_api_token(token: ApiToken, now: datetime.datetime) -> None:
    """Notes that the token was used, at most once a `LAST_USED_PRECISION`. Conditional, so
    concurrent requests write once; a bookkeeping fact, not an audited act."""
    if token.last_used_at is not None and now - token.last_used_at < LAST_USED_PRECISION:
        return
    touch_api_tokens([token.pk], now)


def touch_api_tokens(pks: list[int], now: datetime.datetime) -> None:
    if pks:
        ApiToken.objects.filter(pk__in=pks).filter(
            Q(last_used_at__isnull=True) | Q(last_used_at__lte=now - LAST_USED_PRECISION)
        ).update(last_used_at=now)


@dataclass(frozen=True)
class Caller:
    """Who a request that writes comes from, as a group of writes needs to know them (decision
    0013): read for many callers at once, in one plain query."""

    pk: int
    label: str  # how the audit log names them: the user's str()
    okrug_id: int | None  # the okrug of their declared residence, verified or not
    token_id: int | None = None
    token_is_stale: bool = False  # last used longer than LAST_USED_PRECISION ago, or never

    is_authenticated = True

    def __str__(self) -> str:
        return self.label


def callers(
    *, digests: set[str], user_ids: set[int], now: datetime.datetime
) -> tuple[dict[str, Caller], dict[int, Caller]]:
    """Active people by their unrevoked API tokens' digests, and by id, each with the okrug of their
    residence: at most two queries, however many callers. Read from the primary database: they
    decide a write."""
    connection = connections[router.db_for_write(User)]
    quote = connection.ops.quote_name
    user, token = quote(User._meta.db_table), quote(ApiToken._meta.db_table)
    profile, settlement = quote(ResidentProfile._meta.db_table), quote(Settlement._meta.db_table)
    columns = "u.id, u.username, u.full_name, s.okrug_id"
    residence = f"LEFT JOIN {profile} r ON r.user_id = u.id LEFT JOIN {settlement} s ON s.id = r.settlement_id"
    by_digest: dict[str, Caller] = {}
    by_id: dict[int, Caller] = {}
    with connection.cursor() as cursor:
        if digests:
            digest_is = is_any(connection, "t.key_digest", sorted(digests))
            cursor.execute(
                f"SELECT {columns}, t.id, t.key_digest, "  # noqa: S608 - our own tables' names
                "CASE WHEN t.last_used_at IS NULL OR t.last_used_at <= %s THEN 1 ELSE 0 END "
                f"FROM {token} t JOIN {user} u ON u.id = t.user_id {residence} "
                f"WHERE t.revoked_at IS NULL AND u.is_active = %s AND {digest_is[0]}",
                [connection.ops.adapt_datetimefield_value(now - LAST_USED_PRECISION), True, *digest_is[1]],
            )
            for pk, username, full_name, okrug_id, token_id, digest, stale in cursor.fetchall():
                by_digest[digest] = Caller(pk, full_name or username, okrug_id, token_id, bool(stale))
        if user_ids:
            id_is = is_any(connection, "u.id", sorted(user_ids))
            cursor.execute(
                f"SELECT {columns} FROM {user} u {residence} "  # noqa: S608 - our own tables' names
                f"WHERE u.is_active = %s AND {id_is[0]}",
                [True, *id_is[1]],
            )
            for pk, username, full_name, okrug_id in cursor.fetchall():
                by_id[pk] = Caller(pk, full_name or username, okrug_id)
    return by_digest, by_id


def user_for_api_token(secret: str) -> User | None:
    """The active person an unrevoked token's secret stands for, or None. The lookup is by the
    secret's digest (an index on a hash reveals nothing about the secret) and is compared again in
    constant time."""
    digest = api_token_digest(secret)
    if digest is None:
        return None
    token = ApiToken.objects.filter(key_digest=digest, revoked_at__isnull=True).select_related("user").first()
    if token is None or not hmac.compare_digest(token.key_digest, digest) or not token.user.is_active:
        return None
    touch_api_token(token, timezone.now())
    return token.user


def api_tokens_of(user: Any) -> QuerySet[ApiToken]:
    """The person's tokens, active first, newest first."""
    if not getattr(user, "is_authenticated", False):
        return ApiToken.objects.none()
    return ApiToken.objects.filter(user_id=user.pk).order_by(
        F("revoked_at").desc(nulls_first=True), "-created_at", "-id"
    )


def access_api_token(*, user: Any, pk: int) -> ApiToken:
    """The person's own token; 404 for one that is missing or someone else's alike."""
    token = api_tokens_of(user).select_related("user").filter(pk=pk).first()
    if token is None:
        raise Http404
    return token
