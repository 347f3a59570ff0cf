"""Reads about people: the roles they hold and where, and resident profiles (found by IIN digest)."""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet

from kenes.accounts.iin import iin_digest
from kenes.accounts.models import ResidentProfile, RoleAssignment, User
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
