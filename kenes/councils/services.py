"""Every write about councils: charters and their versions, pilots, establishing a council, its
members and coordinator deputies. Each is atomic, checks who acts, and is audited. Nothing about
membership is ever deleted: a member who leaves keeps the row with an end date and a status."""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Iterable
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.core.audit import record_audit
from kenes.core.errors import DomainError
from kenes.councils.composition import DEFAULT_SEAT_RULES, DEFAULT_SIZE_BANDS
from kenes.councils.models import (
    Charter,
    CharterSeatRule,
    CharterSizeBand,
    Coordinator,
    Council,
    MajorityRule,
    Member,
    Pilot,
    SeatGroup,
)
from kenes.councils.permissions import (
    can_create_pilot,
    can_edit_charter,
    can_establish_council,
    can_manage_council,
)
from kenes.councils.selectors import composition_of
from kenes.territory.models import District, Okrug, Region, Settlement

# The charter's parameters a person may set; the version chain and the lock are the services' own.
CHARTER_FIELDS = (
    "name",
    "term_years",
    "quorum_percent",
    "majority_rule",
    "notice_days",
    "answer_working_days",
    "extension_limit_months",
    "secret_ballot_allowed",
    "residents_may_submit",
    "members_may_submit",
    "coordinators_may_submit",
    "support_threshold",
    "members_per_settlement",
    "youth_age_min",
    "youth_age_max",
)
# Roles only one serving member holds at a time (backed by partial unique constraints).
SINGLE_ROLES = frozenset({Member.Role.CHAIR, Member.Role.DEPUTY_CHAIR, Member.Role.SECRETARY})

CHARTER_LOCKED_MESSAGE = _("This charter version is in use by a council and cannot be changed: create a new version.")


def _forbidden() -> DomainError:
    return DomainError(_("You may not do this."), code="forbidden", status=403)


def _add_years(day: datetime.date, years: int) -> datetime.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


# Facts for the audit log -------------------------------------------------------------------------


def _charter_facts(charter: Charter) -> dict[str, Any]:
    return {
        **{field: getattr(charter, field) for field in CHARTER_FIELDS},
        "version": charter.version,
        "region": charter.region.kato if charter.region is not None else None,
        "seat_rules": [
            {"group": r.group, "min_seats": r.min_seats, "max_seats": r.max_seats}
            for r in CharterSeatRule.objects.filter(charter=charter).order_by("id")
        ],
        "size_bands": [
            {
                "population_from": b.population_from,
                "population_to": b.population_to,
                "min_members": b.min_members,
                "max_members": b.max_members,
            }
            for b in CharterSizeBand.objects.filter(charter=charter).order_by("population_from")
        ],
    }


def _member_facts(member: Member) -> dict[str, Any]:
    return {
        "council": member.council.okrug.kato,
        "full_name": member.full_name,
        "seat_group": member.seat_group,
        "role": member.role,
        "settlement": member.settlement.kato if member.settlement is not None else None,
        "organisation": member.organisation,
        "user": member.user_id,
        "term_start": member.term_start,
        "term_end": member.term_end,
        "status": member.status,
        "ended_on": member.ended_on,
        "end_reason": member.end_reason,
    }


def _coordinator_facts(coordinator: Coordinator) -> dict[str, Any]:
    return {
        "council": coordinator.council.okrug.kato,
        "full_name": coordinator.full_name,
        "maslikhat": coordinator.maslikhat,
        "constituency": coordinator.constituency,
        "user": coordinator.user_id,
        "started_on": coordinator.started_on,
        "ended_on": coordinator.ended_on,
    }


# Charters ---------------------------------------------------------------------------------------


def _check_charter_values(values: dict[str, Any]) -> None:
    unknown = sorted(set(values) - set(CHARTER_FIELDS))
    if unknown:
        raise DomainError(
            _("A charter has no such setting: %(names)s.") % {"names": ", ".join(unknown)}, code="invalid_charter"
        )


def _validate_charter(charter: Charter) -> None:
    """The charter's own rules, with messages a person can act on (the database checks them too)."""
    charter.name = charter.name.strip()
    if not charter.name:
        raise DomainError(_("Give the charter a name."), code="invalid_charter")
    if not 1 <= charter.term_years <= 10:
        raise DomainError(_("The term of office is from 1 to 10 years."), code="invalid_charter")
    if not 1 <= charter.quorum_percent <= 100:
        raise DomainError(_("The quorum is from 1 to 100 per cent of members."), code="invalid_charter")
    if charter.majority_rule not in MajorityRule.values:
        raise DomainError(_("Choose a majority rule."), code="invalid_charter")
    if charter.answer_working_days < 1:
        raise DomainError(_("The answer deadline is at least one working day."), code="invalid_charter")
    if charter.support_threshold < 1:
        raise DomainError(_("A proposal needs at least one support to reach the agenda."), code="invalid_charter")
    if charter.youth_age_min > charter.youth_age_max:
        raise DomainError(_("The youngest youth age cannot be above the oldest."), code="invalid_charter")
    for field in ("notice_days", "extension_limit_months", "members_per_settlement"):
        if getattr(charter, field) < 0:
            raise DomainError(_("Numbers in a charter cannot be negative."), code="invalid_charter")


def _validated_seat_rules(seat_rules: Iterable[dict[str, Any]]) -> list[CharterSeatRule]:
    rules: list[CharterSeatRule] = []
    seen: set[str] = set()
    for row in seat_rules:
        group = row.get("group")
        if group not in SeatGroup.values:
            raise DomainError(_("There is no such seat group."), code="invalid_seat_rules")
        if group in seen:
            raise DomainError(_("Each seat group has one rule."), code="invalid_seat_rules")
        seen.add(group)
        min_seats = int(row.get("min_seats") or 0)
        max_seats = row.get("max_seats")
        max_seats = None if max_seats in (None, "") else int(max_seats)
        if min_seats < 0 or (max_seats is not None and max_seats < min_seats):
            raise DomainError(
                _("%(group)s: the most seats cannot be fewer than the fewest.") % {"group": SeatGroup(group).label},
                code="invalid_seat_rules",
            )
        rules.append(CharterSeatRule(group=group, min_seats=min_seats, max_seats=max_seats))
    return rules


def _validated_size_bands(size_bands: Iterable[dict[str, Any]]) -> list[CharterSizeBand]:
    bands = []
    for row in size_bands:
        population_to = row.get("population_to")
        bands.append(
            CharterSizeBand(
                population_from=int(row.get("population_from") or 0),
                population_to=None if population_to in (None, "") else int(population_to),
                min_members=int(row["min_members"]),
                max_members=int(row["max_members"]),
            )
        )
    if not bands:
        raise DomainError(_("A charter needs at least one council size band."), code="invalid_size_bands")
    bands.sort(key=lambda band: band.population_from)
    for band in bands:
        if band.population_from < 0 or (band.population_to is not None and band.population_to < band.population_from):
            raise DomainError(_("A size band's population range is in the wrong order."), code="invalid_size_bands")
        if band.min_members < 1 or band.max_members < band.min_members:
            raise DomainError(
                _("A size band needs at least one member, and its largest size cannot be below its smallest."),
                code="invalid_size_bands",
            )
    for lower, upper in itertools.pairwise(bands):
        if lower.population_to is None or lower.population_to >= upper.population_from:
            raise DomainError(_("Council size bands must not overlap."), code="invalid_size_bands")
    return bands


def _replace_rules(charter: Charter, rules: list[CharterSeatRule] | None, bands: list[CharterSizeBand] | None) -> None:
    if rules is not None:
        CharterSeatRule.objects.filter(charter=charter).delete()
        for rule in rules:
            rule.charter = charter
        CharterSeatRule.objects.bulk_create(rules)
    if bands is not None:
        CharterSizeBand.objects.filter(charter=charter).delete()
        for band in bands:
            band.charter = charter
        CharterSizeBand.objects.bulk_create(bands)


def _save_charter(charter: Charter) -> None:
    try:
        with transaction.atomic():
            charter.save()
    except IntegrityError as error:
        raise DomainError(
            _("A charter with this name and version already exists: choose another name."), code="charter_name_taken"
        ) from error


@transaction.atomic
def create_charter(*, actor: Any, name: str, region: Region | None = None, **values: Any) -> Charter:
    """A new charter (version 1) with the default seat rules and council sizes of Order 295/88."""
    if not can_edit_charter(actor, Charter(region=region)):
        raise _forbidden()
    _check_charter_values(values)
    charter = Charter(name=name, region=region, version=1, **values)
    _validate_charter(charter)
    _save_charter(charter)
    CharterSeatRule.objects.bulk_create(
        CharterSeatRule(charter=charter, group=r.group, min_seats=r.min_seats, max_seats=r.max_seats)
        for r in DEFAULT_SEAT_RULES
    )
    CharterSizeBand.objects.bulk_create(
        CharterSizeBand(
            charter=charter,
            population_from=b.population_from,
            population_to=b.population_to,
            min_members=b.min_members,
            max_members=b.max_members,
        )
        for b in DEFAULT_SIZE_BANDS
    )
    record_audit(actor=actor, action="council.charter_created", target=charter, after=_charter_facts(charter))
    return charter


@transaction.atomic
def update_charter(
    *,
    actor: Any,
    charter: Charter,
    values: dict[str, Any],
    seat_rules: list[dict[str, Any]] | None = None,
    size_bands: list[dict[str, Any]] | None = None,
) -> Charter:
    """Changes an unused charter version. Once a council uses it, a change needs a new version."""
    if not can_edit_charter(actor, charter):
        raise _forbidden()
    # The row lock makes the check and the change one step against a council being established.
    current = Charter.objects.select_for_update(of=("self",)).select_related("region").get(pk=charter.pk)
    if current.is_locked:
        raise DomainError(CHARTER_LOCKED_MESSAGE, code="charter_locked")
    _check_charter_values(values)
    before = _charter_facts(current)
    for field, value in values.items():
        setattr(current, field, value)
    _validate_charter(current)
    rules = _validated_seat_rules(seat_rules) if seat_rules is not None else None
    bands = _validated_size_bands(size_bands) if size_bands is not None else None
    _save_charter(current)
    _replace_rules(current, rules, bands)
    record_audit(
        actor=actor, action="council.charter_updated", target=current, before=before, after=_charter_facts(current)
    )
    return current


@transaction.atomic
def create_charter_version(*, actor: Any, charter: Charter) -> Charter:
    """Copies the charter, its seat rules and size bands into the next version, unlocked."""
    if not can_edit_charter(actor, charter):
        raise _forbidden()
    current = Charter.objects.select_for_update().get(pk=charter.pk)
    has_next = DomainError(
        _("This charter already has a newer version: change that one."), code="charter_has_next_version"
    )
    if Charter.objects.filter(previous=current).exists():
        raise has_next
    successor = Charter(
        name=current.name,
        version=current.version + 1,
        previous=current,
        region_id=current.region_id,
        **{field: getattr(current, field) for field in CHARTER_FIELDS if field != "name"},
    )
    try:
        with transaction.atomic():
            successor.save()
    except IntegrityError as error:
        raise has_next from error
    CharterSeatRule.objects.bulk_create(
        CharterSeatRule(charter=successor, group=r.group, min_seats=r.min_seats, max_seats=r.max_seats)
        for r in CharterSeatRule.objects.filter(charter=current).order_by("id")
    )
    CharterSizeBand.objects.bulk_create(
        CharterSizeBand(
            charter=successor,
            population_from=b.population_from,
            population_to=b.population_to,
            min_members=b.min_members,
            max_members=b.max_members,
        )
        for b in CharterSizeBand.objects.filter(charter=current).order_by("population_from")
    )
    record_audit(
        actor=actor,
        action="council.charter_version_created",
        target=successor,
        before={"charter": current.pk, "version": current.version},
        after=_charter_facts(successor),
    )
    return successor


# Pilots -----------------------------------------------------------------------------------------


def _charter_fits_region(charter: Charter, region: Region) -> None:
    if charter.region_id is not None and charter.region_id != region.pk:
        raise DomainError(_("This charter belongs to another oblast."), code="charter_of_other_region")


@transaction.atomic
def create_pilot(
    *,
    actor: Any,
    name: str,
    charter: Charter,
    starts_on: datetime.date,
    ends_on: datetime.date | None = None,
    district: District | None = None,
    okrugs: Iterable[Okrug] = (),
    comparison_districts: Iterable[District] = (),
    is_demo: bool = False,
) -> Pilot:
    okrugs = list(okrugs)
    comparison_districts = list(comparison_districts)
    if district is None and not okrugs:
        raise DomainError(_("A pilot covers a district or a list of okrugs."), code="pilot_needs_territory")
    if district is not None and any(okrug.district_id != district.pk for okrug in okrugs):
        raise DomainError(_("Every okrug of the pilot must be in its district."), code="okrug_outside_district")
    regions = {district.region_id} if district is not None else {okrug.district.region_id for okrug in okrugs}
    if len(regions) != 1:
        raise DomainError(_("A pilot runs in one oblast."), code="pilot_in_many_regions")
    region = district.region if district is not None else okrugs[0].district.region
    if not can_create_pilot(actor, region):
        raise _forbidden()
    pilot_districts = {district.pk} if district is not None else {okrug.district_id for okrug in okrugs}
    if any(other.pk in pilot_districts for other in comparison_districts):
        raise DomainError(
            _("A comparison district must be a district outside the pilot."), code="comparison_is_pilot_district"
        )
    if ends_on is not None and ends_on < starts_on:
        raise DomainError(_("The pilot cannot end before it starts."), code="invalid_dates")
    _charter_fits_region(charter, region)
    pilot = Pilot(
        name=name.strip(), charter=charter, starts_on=starts_on, ends_on=ends_on, district=district, is_demo=is_demo
    )
    if not pilot.name:
        raise DomainError(_("Give the pilot a name."), code="invalid_pilot")
    try:
        with transaction.atomic():
            pilot.save()
    except IntegrityError as error:
        raise DomainError(_("A pilot with this name already exists."), code="pilot_name_taken") from error
    pilot.okrugs.set(okrugs)
    pilot.comparison_districts.set(comparison_districts)
    record_audit(
        actor=actor,
        action="council.pilot_created",
        target=pilot,
        after={
            "name": pilot.name,
            "charter": charter.pk,
            "district": district.kato if district is not None else None,
            "okrugs": sorted(okrug.kato for okrug in okrugs),
            "comparison_districts": sorted(other.kato for other in comparison_districts),
            "starts_on": starts_on,
            "ends_on": ends_on,
            "is_demo": is_demo,
        },
    )
    return pilot


# Councils ---------------------------------------------------------------------------------------


def _check_population(population: int | None, year: int | None) -> None:
    if population is None:
        return
    if population < 0:
        raise DomainError(_("The population cannot be negative."), code="invalid_population")
    if year is None:
        raise DomainError(_("Say which year the population figure is for."), code="population_year_required")


@transaction.atomic
def establish_council(
    *,
    actor: Any,
    okrug: Okrug,
    established_on: datetime.date,
    charter: Charter | None = None,
    pilot: Pilot | None = None,
    population: int | None = None,
    population_year: int | None = None,
    population_source: str = "",
    is_demo: bool = False,
) -> Council:
    """Creates the okrug's council under a charter (by default its pilot's) and locks that charter
    version: from now on a change to the charter makes a new version."""
    if not can_establish_council(actor, okrug):
        raise _forbidden()
    exists = DomainError(_("This okrug already has a council."), code="council_exists")
    if Council.objects.filter(okrug=okrug).exists():
        raise exists
    if okrug.is_retired:
        raise DomainError(_("This okrug no longer exists in the classifier."), code="okrug_retired")
    if pilot is not None and pilot.district_id != okrug.district_id and not pilot.okrugs.filter(pk=okrug.pk).exists():
        raise DomainError(_("This okrug is not part of the pilot."), code="okrug_outside_pilot")
    charter = charter or (pilot.charter if pilot is not None else None)
    if charter is None:
        raise DomainError(_("Choose the charter the council runs under."), code="charter_required")
    _charter_fits_region(charter, okrug.district.region)
    _check_population(population, population_year)
    council = Council(
        okrug=okrug,
        charter=charter,
        pilot=pilot,
        established_on=established_on,
        population=population,
        population_year=population_year if population is not None else None,
        population_source=population_source.strip() if population is not None else "",
        is_demo=is_demo,
    )
    try:
        with transaction.atomic():
            council.save()
    except IntegrityError as error:
        raise exists from error
    Charter.objects.filter(pk=charter.pk, locked_at__isnull=True).update(locked_at=timezone.now())
    charter.refresh_from_db(fields=["locked_at"])
    record_audit(
        actor=actor,
        action="council.established",
        target=council,
        after={
            "okrug": okrug.kato,
            "charter": charter.pk,
            "pilot": pilot.pk if pilot is not None else None,
            "established_on": established_on,
            "population": population,
            "population_year": council.population_year,
            "is_demo": is_demo,
        },
    )
    return council


@transaction.atomic
def set_council_population(
    *, actor: Any, council: Council, population: int | None, year: int | None, source: str = ""
) -> Council:
    """Enters the okrug's population for the size rule; None goes back to the settlements' sum."""
    if not can_manage_council(actor, council):
        raise _forbidden()
    _check_population(population, year)
    before = {"population": council.population, "year": council.population_year, "source": council.population_source}
    council.population = population
    council.population_year = year if population is not None else None
    council.population_source = source.strip() if population is not None else ""
    council.save(update_fields=["population", "population_year", "population_source", "updated_at"])
    record_audit(
        actor=actor,
        action="council.population_set",
        target=council,
        before=before,
        after={"population": council.population, "year": council.population_year, "source": council.population_source},
    )
    return council


@transaction.atomic
def activate_council(*, actor: Any, council: Council) -> Council:
    """A council being formed starts its work once its composition meets the charter."""
    if not can_manage_council(actor, council):
        raise _forbidden()
    council = Council.objects.select_for_update(of=("self",)).get(pk=council.pk)
    if council.status != Council.Status.FORMING:
        raise DomainError(_("Only a council that is being formed can be declared active."), code="not_forming")
    problems = composition_of(council)
    if problems:
        raise DomainError(
            _("The composition does not meet the charter yet: %(problems)s")
            % {"problems": "; ".join(problem.message for problem in problems)},
            code="composition_incomplete",
        )
    council.status = Council.Status.ACTIVE
    council.save(update_fields=["status", "updated_at"])
    record_audit(
        actor=actor,
        action="council.activated",
        target=council,
        before={"status": Council.Status.FORMING},
        after={"status": council.status},
    )
    return council


# Members ----------------------------------------------------------------------------------------


def _role_taken() -> DomainError:
    return DomainError(
        _("Another serving member already holds this role: change their role or end their seat first."),
        code="role_taken",
    )


def _already_member() -> DomainError:
    return DomainError(_("This person already holds a seat on the council."), code="already_member")


def _check_seat(*, council: Council, full_name: str, seat_group: str, role: str, settlement: Settlement | None) -> None:
    if council.status == Council.Status.DISSOLVED:
        raise DomainError(_("This council is dissolved."), code="council_dissolved")
    if not full_name:
        raise DomainError(_("Enter the member's full name."), code="invalid_member")
    if seat_group not in SeatGroup.values:
        raise DomainError(_("There is no such seat group."), code="invalid_seat_group")
    if role not in Member.Role.values:
        raise DomainError(_("There is no such role."), code="invalid_role")
    if seat_group == SeatGroup.RESIDENTS and settlement is None:
        raise DomainError(_("A residents' seat represents a settlement: choose it."), code="settlement_required")
    if settlement is not None and settlement.okrug_id != council.okrug_id:
        raise DomainError(_("This settlement is not in the council's okrug."), code="settlement_outside_okrug")


def _seat_conflict(*, council: Council, role: str, user: Any, exclude: Member | None = None) -> DomainError | None:
    serving = Member.objects.filter(council=council, status=Member.Status.ACTIVE)
    if exclude is not None:
        serving = serving.exclude(pk=exclude.pk)
    if role in SINGLE_ROLES and serving.filter(role=role).exists():
        return _role_taken()
    if user is not None and serving.filter(user=user).exists():
        return _already_member()
    return None


def _save_member(member: Member, *, update_fields: list[str] | None = None) -> None:
    """Saves inside a savepoint; a unique constraint raced by another request becomes a DomainError."""
    try:
        with transaction.atomic():
            member.save(update_fields=update_fields)
    except IntegrityError as error:
        conflict = _seat_conflict(council=member.council, role=member.role, user=member.user, exclude=member)
        raise (conflict or _role_taken()) from error


def _new_member(
    *,
    council: Council,
    full_name: str,
    seat_group: str,
    role: str,
    term_start: datetime.date,
    term_end: datetime.date | None,
    settlement: Settlement | None,
    user: Any,
    birth_date: datetime.date | None,
    organisation: str,
    is_demo: bool,
) -> Member:
    full_name = full_name.strip()
    _check_seat(council=council, full_name=full_name, seat_group=seat_group, role=role, settlement=settlement)
    if birth_date is not None and birth_date >= term_start:
        raise DomainError(_("The birth date must be before the term starts."), code="invalid_birth_date")
    term_end = term_end or _add_years(term_start, council.charter.term_years)
    if term_end <= term_start:
        raise DomainError(_("The term must end after it starts."), code="invalid_term")
    conflict = _seat_conflict(council=council, role=role, user=user)
    if conflict is not None:
        raise conflict
    member = Member(
        council=council,
        full_name=full_name,
        seat_group=seat_group,
        role=role,
        term_start=term_start,
        term_end=term_end,
        settlement=settlement,
        user=user,
        birth_date=birth_date,
        organisation=organisation.strip(),
        is_demo=is_demo,
    )
    _save_member(member)
    return member


def _serving(member: Member) -> Member:
    """The member row, locked, refused unless it is still serving."""
    current = (
        Member.objects.select_for_update(of=("self",))
        .select_related("council__okrug", "council__charter", "settlement")
        .get(pk=member.pk)
    )
    if not current.is_active:
        raise DomainError(_("This member no longer serves on the council."), code="member_not_active")
    return current


def _check_end_date(member: Member, on: datetime.date) -> None:
    if on < member.term_start:
        raise DomainError(_("A seat cannot end before its term starts."), code="invalid_date")
    if on > timezone.localdate():
        raise DomainError(_("A seat can only be ended on today's date or earlier."), code="invalid_date")


@transaction.atomic
def appoint_member(
    *,
    actor: Any,
    council: Council,
    full_name: str,
    seat_group: str,
    term_start: datetime.date,
    role: str = Member.Role.MEMBER,
    settlement: Settlement | None = None,
    user: Any = None,
    birth_date: datetime.date | None = None,
    organisation: str = "",
    term_end: datetime.date | None = None,
    is_demo: bool = False,
) -> Member:
    """Gives a person a seat for a term (by default the charter's term length)."""
    if not can_manage_council(actor, council):
        raise _forbidden()
    member = _new_member(
        council=council,
        full_name=full_name,
        seat_group=seat_group,
        role=role,
        term_start=term_start,
        term_end=term_end,
        settlement=settlement,
        user=user,
        birth_date=birth_date,
        organisation=organisation,
        is_demo=is_demo,
    )
    record_audit(actor=actor, action="council.member_appointed", target=member, after=_member_facts(member))
    return member


@transaction.atomic
def change_member_role(*, actor: Any, member: Member, role: str) -> Member:
    if not can_manage_council(actor, member.council):
        raise _forbidden()
    current = _serving(member)
    if role not in Member.Role.values:
        raise DomainError(_("There is no such role."), code="invalid_role")
    if current.role == role:
        return current
    before = _member_facts(current)
    conflict = _seat_conflict(council=current.council, role=role, user=None, exclude=current)
    if conflict is not None:
        raise conflict
    current.role = role
    _save_member(current, update_fields=["role", "updated_at"])
    record_audit(
        actor=actor, action="council.member_role_changed", target=current, before=before, after=_member_facts(current)
    )
    return current


def _end_seat(member: Member, *, status: str, on: datetime.date, reason: str) -> None:
    member.status = status
    member.ended_on = on
    member.end_reason = reason.strip()
    member.save(update_fields=["status", "ended_on", "end_reason", "updated_at"])


@transaction.atomic
def resign_member(*, actor: Any, member: Member, on: datetime.date, reason: str) -> Member:
    if not can_manage_council(actor, member.council):
        raise _forbidden()
    current = _serving(member)
    _check_end_date(current, on)
    before = _member_facts(current)
    _end_seat(current, status=Member.Status.RESIGNED, on=on, reason=reason)
    record_audit(
        actor=actor, action="council.member_resigned", target=current, before=before, after=_member_facts(current)
    )
    return current


@transaction.atomic
def replace_member(
    *,
    actor: Any,
    member: Member,
    on: datetime.date,
    reason: str,
    full_name: str,
    seat_group: str,
    settlement: Settlement | None = None,
    user: Any = None,
    birth_date: datetime.date | None = None,
    organisation: str = "",
    role: str | None = None,
) -> Member:
    """Ends the member's seat and gives a new person a seat from the same day, for the rest of the
    term (or a full term if that one is over); the new member takes the old role unless given one."""
    if not can_manage_council(actor, member.council):
        raise _forbidden()
    current = _serving(member)
    _check_end_date(current, on)
    before = _member_facts(current)
    # The old seat ends first, so its role and its person are free for the new member.
    _end_seat(current, status=Member.Status.REPLACED, on=on, reason=reason)
    successor = _new_member(
        council=current.council,
        full_name=full_name,
        seat_group=seat_group,
        role=role or current.role,
        term_start=on,
        term_end=current.term_end if current.term_end > on else None,
        settlement=settlement,
        user=user,
        birth_date=birth_date,
        organisation=organisation,
        is_demo=current.is_demo,
    )
    current.replaced_by = successor
    current.save(update_fields=["replaced_by", "updated_at"])
    record_audit(
        actor=actor, action="council.member_replaced", target=successor, before=before, after=_member_facts(successor)
    )
    return successor


@transaction.atomic
def end_expired_terms(*, actor: Any, council: Council, today: datetime.date) -> int:
    """Ends every seat whose term is over by `today` (on the term's end date); returns how many."""
    if not can_manage_council(actor, council):
        raise _forbidden()
    expired = (
        Member.objects.select_for_update(of=("self",))
        .select_related("council__okrug", "settlement")
        .filter(council=council, status=Member.Status.ACTIVE, term_end__lte=today)
        .order_by("id")
    )
    ended = 0
    for member in expired:
        before = _member_facts(member)
        _end_seat(member, status=Member.Status.TERM_ENDED, on=member.term_end, reason="")
        record_audit(
            actor=actor, action="council.member_term_ended", target=member, before=before, after=_member_facts(member)
        )
        ended += 1
    return ended


# Coordinator deputies ---------------------------------------------------------------------------


@transaction.atomic
def assign_coordinator(
    *,
    actor: Any,
    council: Council,
    full_name: str,
    maslikhat: str,
    started_on: datetime.date,
    constituency: str = "",
    user: Any = None,
    is_demo: bool = False,
) -> Coordinator:
    if not can_manage_council(actor, council):
        raise _forbidden()
    full_name, maslikhat = full_name.strip(), maslikhat.strip()
    if not full_name or not maslikhat:
        raise DomainError(
            _("Enter the deputy's full name and the maslikhat they were elected to."), code="invalid_coordinator"
        )
    taken = DomainError(_("This deputy already coordinates the council."), code="already_coordinator")
    if user is not None and Coordinator.objects.filter(council=council, user=user, ended_on__isnull=True).exists():
        raise taken
    coordinator = Coordinator(
        council=council,
        full_name=full_name,
        maslikhat=maslikhat,
        constituency=constituency.strip(),
        started_on=started_on,
        user=user,
        is_demo=is_demo,
    )
    try:
        with transaction.atomic():
            coordinator.save()
    except IntegrityError as error:
        raise taken from error
    record_audit(
        actor=actor, action="council.coordinator_assigned", target=coordinator, after=_coordinator_facts(coordinator)
    )
    return coordinator


@transaction.atomic
def end_coordination(*, actor: Any, coordinator: Coordinator, on: datetime.date) -> Coordinator:
    if not can_manage_council(actor, coordinator.council):
        raise _forbidden()
    current = (
        Coordinator.objects.select_for_update(of=("self",)).select_related("council__okrug").get(pk=coordinator.pk)
    )
    if not current.is_active:
        raise DomainError(_("This deputy no longer coordinates the council."), code="coordinator_not_active")
    if on < current.started_on:
        raise DomainError(_("A coordination cannot end before it starts."), code="invalid_date")
    before = _coordinator_facts(current)
    current.ended_on = on
    current.save(update_fields=["ended_on", "updated_at"])
    record_audit(
        actor=actor,
        action="council.coordination_ended",
        target=current,
        before=before,
        after=_coordinator_facts(current),
    )
    return current
