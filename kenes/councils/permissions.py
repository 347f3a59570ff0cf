"""Who may do what with councils, charters and pilots: pure predicates, one condition per line.

A role held in a territory covers the territories inside it (`user_has_role`), so a district
administrator manages the councils of every okrug of that district and of no other.
"""

from __future__ import annotations

from typing import Any

from kenes.accounts.models import Role
from kenes.accounts.selectors import user_has_role
from kenes.councils.models import Charter, Council, Pilot
from kenes.territory.models import Okrug, Region


def can_manage_council(user: Any, council: Council) -> bool:
    """Appoint and replace members, assign coordinators, enter the population."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    okrug = council.okrug
    if user_has_role(user, Role.OBLAST_ADMIN, okrug.district.region):
        return True
    if user_has_role(user, Role.DISTRICT_ADMIN, okrug.district):
        return True
    return user_has_role(user, Role.COORDINATOR, okrug)


def can_establish_council(user: Any, okrug: Okrug) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if user_has_role(user, Role.OBLAST_ADMIN, okrug.district.region):
        return True
    return user_has_role(user, Role.DISTRICT_ADMIN, okrug.district)


def can_edit_charter(user: Any, charter: Charter) -> bool:
    """Also decides who may create a charter for a region (an unsaved `Charter(region=...)`)."""
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    if charter.region is None:  # a national model charter
        return False
    return user_has_role(user, Role.OBLAST_ADMIN, charter.region)


def can_create_pilot(user: Any, region: Region) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user_has_role(user, Role.OBLAST_ADMIN, region)


def can_manage_pilot(user: Any, pilot: Pilot) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    region = pilot_region(pilot)
    if region is None:
        return False
    return user_has_role(user, Role.OBLAST_ADMIN, region)


def pilot_region(pilot: Pilot) -> Region | None:
    """The oblast a pilot runs in: its district's, or its okrugs' (the services keep them in one)."""
    if pilot.district is not None:
        return pilot.district.region
    okrug = pilot.okrugs.select_related("district__region").first() if pilot.pk else None
    return okrug.district.region if okrug is not None else None
