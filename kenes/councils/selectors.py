"""Every non-trivial read about councils, charters and pilots, and the access functions that fetch
a protected object for management: they raise Http404 both when it is missing and when the user may
not manage it, so a page never tells a stranger what exists."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from kenes.accounts.models import Role
from kenes.accounts.selectors import roles_of
from kenes.councils.composition import (
    CharterFacts,
    CouncilFacts,
    MemberFacts,
    Problem,
    SeatRuleFacts,
    SettlementFacts,
    SizeBandFacts,
    check_composition,
)
from kenes.councils.models import (
    Charter,
    CharterSeatRule,
    CharterSizeBand,
    Coordinator,
    Council,
    Member,
    Pilot,
    SeatGroup,
)
from kenes.councils.permissions import (
    can_edit_charter,
    can_establish_council,
    can_manage_council,
)
from kenes.territory.models import District, Okrug, Settlement
from kenes.territory.normalise import search_key

_COUNCIL_RELATIONS = ("okrug", "okrug__district", "okrug__district__region", "charter", "pilot")

_ROLE_ORDER = Case(
    *(When(role=role, then=Value(index)) for index, role in enumerate(Member.Role.values)),
    output_field=IntegerField(),
)
_GROUP_ORDER = Case(
    *(When(group=group, then=Value(index)) for index, group in enumerate(SeatGroup.values)),
    default=Value(len(SeatGroup.values)),
    output_field=IntegerField(),
)


# Councils -------------------------------------------------------------------------------------


def list_councils(
    *, district: District | None = None, okrug: Okrug | None = None, pilot: Pilot | None = None
) -> QuerySet[Council]:
    councils = Council.objects.select_related(*_COUNCIL_RELATIONS).annotate(
        active_member_count=Count("members", filter=Q(members__status=Member.Status.ACTIVE))
    )
    if district is not None:
        councils = councils.filter(okrug__district=district)
    if okrug is not None:
        councils = councils.filter(okrug=okrug)
    if pilot is not None:
        councils = councils.filter(pilot=pilot)
    return councils.order_by("okrug__kato")


def districts_with_councils() -> QuerySet[District]:
    """The districts having at least one council, in KATO order (a list's district choices)."""
    having = Council.objects.filter(okrug__district=OuterRef("pk"))
    return District.objects.filter(Exists(having)).select_related("region").order_by("kato")


def council_count() -> int:
    return Council.objects.count()


def councils_by_region() -> list[dict[str, Any]]:
    """Each region having councils, with its districts and each district's number of councils (one
    query): the directory's overview at national scale."""
    districts = (
        District.objects.annotate(councils=Count("okrugs__council"))
        .filter(councils__gt=0)
        .select_related("region")
        .order_by("region__kato", "kato")
    )
    regions: dict[str, dict[str, Any]] = {}
    for district in districts:
        entry = regions.setdefault(district.region.kato, {"region": district.region, "districts": [], "councils": 0})
        entry["districts"].append(district)
        entry["councils"] += district.councils
    return list(regions.values())


def okrugs_with_councils(district: District) -> QuerySet[Okrug]:
    """The okrugs of a district that have a council, in KATO order (a list's okrug choices)."""
    return Okrug.objects.filter(district=district, council__isnull=False).select_related("district").order_by("kato")


def find_council(okrug_kato: str) -> Council | None:
    return Council.objects.select_related(*_COUNCIL_RELATIONS).filter(okrug__kato=okrug_kato).first()


def active_members_by_group(council: Council) -> list[tuple[SeatGroup, list[Member]]]:
    """Every seat group in the charter's order, even an empty one; officers first within a group."""
    members = (
        Member.objects.filter(council=council, status=Member.Status.ACTIVE)
        .select_related("settlement")
        .order_by(_ROLE_ORDER, "full_name", "id")
    )
    by_group: dict[str, list[Member]] = defaultdict(list)
    for member in members:
        by_group[member.seat_group].append(member)
    return [(group, by_group[group.value]) for group in SeatGroup]


def active_coordinators(council: Council) -> QuerySet[Coordinator]:
    return Coordinator.objects.filter(council=council, ended_on__isnull=True).order_by("full_name", "id")


def membership_history(council: Council) -> QuerySet[Member]:
    """Every member the council ever had, newest change (an appointment or a departure) first."""
    return (
        Member.objects.filter(council=council)
        .select_related("settlement", "replaced_by")
        .annotate(changed_on=Coalesce("ended_on", "term_start"))
        .order_by("-changed_on", "-id")
    )


def council_population(council: Council, settlements: Iterable[Settlement]) -> int | None:
    """The population entered for the council, or else the sum over the okrug's settlements when
    every one of them has a figure (a partial sum would understate the size the charter asks for)."""
    if council.population is not None:
        return council.population
    figures = [settlement.population for settlement in settlements]
    if not figures or any(figure is None for figure in figures):
        return None
    return sum(figure for figure in figures if figure is not None)


def composition_of(council: Council) -> list[Problem]:
    return compositions_of([council])[council.pk]


def compositions_of(councils: Iterable[Council]) -> dict[int, list[Problem]]:
    """The composition problems of many councils in a fixed number of queries."""
    councils = list(councils)
    if not councils:
        return {}
    council_ids = [council.pk for council in councils]
    charter_ids = {council.charter_id for council in councils}
    okrug_ids = {council.okrug_id for council in councils}

    # Councils from `list_councils` carry their charter already; only the others are fetched.
    charters = {c.charter_id: c.charter for c in councils if Council.charter.is_cached(c)}
    missing = charter_ids - set(charters)
    if missing:
        charters.update(Charter.objects.in_bulk(missing))
    rules: dict[int, list[SeatRuleFacts]] = defaultdict(list)
    for rule in CharterSeatRule.objects.filter(charter_id__in=charter_ids).order_by("id"):
        rules[rule.charter_id].append(SeatRuleFacts(rule.group, rule.min_seats, rule.max_seats))
    bands: dict[int, list[SizeBandFacts]] = defaultdict(list)
    for band in CharterSizeBand.objects.filter(charter_id__in=charter_ids).order_by("population_from"):
        bands[band.charter_id].append(
            SizeBandFacts(band.population_from, band.population_to, band.min_members, band.max_members)
        )
    settlements: dict[int, list[Settlement]] = defaultdict(list)
    for settlement in Settlement.objects.filter(okrug_id__in=okrug_ids, retired_at__isnull=True).order_by("kato"):
        assert settlement.okrug_id is not None
        settlements[settlement.okrug_id].append(settlement)
    members: dict[int, list[MemberFacts]] = defaultdict(list)
    member_rows = Member.objects.filter(council_id__in=council_ids, status=Member.Status.ACTIVE).values_list(
        "council_id", "full_name", "seat_group", "role", "settlement__kato", "birth_date", "term_end"
    )
    for council_id, full_name, seat_group, role, settlement_kato, birth_date, term_end in member_rows:
        members[council_id].append(MemberFacts(full_name, seat_group, role, settlement_kato, birth_date, term_end))
    coordinator_counts = dict(
        Coordinator.objects.filter(council_id__in=council_ids, ended_on__isnull=True)
        .values("council_id")
        .annotate(n=Count("id"))
        .values_list("council_id", "n")
    )

    today = timezone.localdate()
    results: dict[int, list[Problem]] = {}
    for council in councils:
        charter = charters[council.charter_id]
        okrug_settlements = settlements[council.okrug_id]
        results[council.pk] = check_composition(
            charter=CharterFacts(
                seat_rules=tuple(rules[charter.pk]),
                size_bands=tuple(bands[charter.pk]),
                members_per_settlement=charter.members_per_settlement,
                youth_age_min=charter.youth_age_min,
                youth_age_max=charter.youth_age_max,
            ),
            council=CouncilFacts(
                population=council_population(council, okrug_settlements),
                settlements=tuple(SettlementFacts(s.kato, s.short_name) for s in okrug_settlements),
                members=tuple(members[council.pk]),
                coordinator_count=coordinator_counts.get(council.pk, 0),
                today=today,
            ),
        )
    return results


# Charters and pilots --------------------------------------------------------------------------


def charter_seat_rules(charter: Charter) -> QuerySet[CharterSeatRule]:
    return CharterSeatRule.objects.filter(charter=charter).order_by(_GROUP_ORDER, "id")


def charter_size_bands(charter: Charter) -> QuerySet[CharterSizeBand]:
    return CharterSizeBand.objects.filter(charter=charter).order_by("population_from")


def size_band_for(charter: Charter, population: int) -> CharterSizeBand | None:
    """The band covering the population (the one with the smallest start, as the composition check)."""
    return (
        CharterSizeBand.objects.filter(charter=charter, population_from__lte=population)
        .filter(Q(population_to__isnull=True) | Q(population_to__gte=population))
        .order_by("population_from")
        .first()
    )


def list_charters(*, for_okrug: Okrug | None = None) -> QuerySet[Charter]:
    """Every charter; with `for_okrug`, only those a council of that okrug may adopt: national
    charters and those of its oblast."""
    charters = Charter.objects.select_related("region", "previous").annotate(
        council_count=Count("councils", distinct=True)
    )
    if for_okrug is not None:
        charters = charters.filter(Q(region=None) | Q(region_id=for_okrug.district.region_id))
    return charters.order_by("name", "-version")


def get_charter(pk: int) -> Charter:
    """The charter with its previous version, or Http404."""
    charter = Charter.objects.select_related("previous", "region").filter(pk=pk).first()
    if charter is None:
        raise Http404("No such charter.")
    return charter


def next_version_of(charter: Charter) -> Charter | None:
    return Charter.objects.filter(previous=charter).first()


def list_pilots(*, covering: Okrug | None = None) -> QuerySet[Pilot]:
    """Every pilot; with `covering`, only the pilots whose district or okrug list includes it."""
    pilots = Pilot.objects.select_related("district__region", "charter").prefetch_related(
        "okrugs", "comparison_districts"
    )
    if covering is not None:
        pilots = pilots.filter(Q(district_id=covering.district_id) | Q(okrugs=covering)).distinct()
    return pilots.order_by("-starts_on", "name")


def get_pilot(pk: int) -> Pilot:
    """The pilot, or Http404."""
    pilot = list_pilots().filter(pk=pk).first()
    if pilot is None:
        raise Http404("No such pilot.")
    return pilot


# What a user manages --------------------------------------------------------------------------


def _council_scopes(user: Any) -> Q | None:
    """The okrugs whose councils the user manages, as a filter on Okrug; None for everything.
    It mirrors `can_manage_council`: an oblast administrator's role counts when held in a region,
    a district administrator's in a region or district, a coordinator's anywhere above the okrug."""
    if user.is_superuser:
        return None
    scopes = Q(pk__in=[])
    for assignment in roles_of(user).filter(role__code__in=(Role.OBLAST_ADMIN, Role.DISTRICT_ADMIN, Role.COORDINATOR)):
        code = assignment.role.code
        if assignment.region_id:
            scopes |= Q(district__region_id=assignment.region_id)
        elif code in (Role.DISTRICT_ADMIN, Role.COORDINATOR) and assignment.district_id:
            scopes |= Q(district_id=assignment.district_id)
        elif code == Role.COORDINATOR and assignment.okrug_id:
            scopes |= Q(pk=assignment.okrug_id)
    return scopes


def _establish_scopes(user: Any) -> Q | None:
    """The okrugs where the user may establish a council (mirrors `can_establish_council`)."""
    if user.is_superuser:
        return None
    scopes = Q(pk__in=[])
    for assignment in roles_of(user):
        code = assignment.role.code
        if code in (Role.OBLAST_ADMIN, Role.DISTRICT_ADMIN) and assignment.region_id:
            scopes |= Q(district__region_id=assignment.region_id)
        elif code == Role.DISTRICT_ADMIN and assignment.district_id:
            scopes |= Q(district_id=assignment.district_id)
    return scopes


def _okrugs_matching(query: str) -> Q:
    """A filter on Okrug: a KATO code that begins with `query` (digits), or an okrug or district whose
    name contains it, case-insensitively in Kazakh and Russian. An empty query matches everything."""
    query = query.strip()
    if not query:
        return Q()
    if query.isdigit():
        return Q(kato__startswith=query)
    key = search_key(query)
    return Q(search_text__contains=key) | Q(district__search_text__contains=key)


def managed_councils(user: Any, *, query: str = "") -> QuerySet[Council]:
    """The councils the user manages, in KATO order, plain (no joins, no counts): a management list
    pages through it and loads each page's rows with `councils_with_counts`."""
    if not getattr(user, "is_authenticated", False):
        return Council.objects.none()
    scopes = _council_scopes(user)
    okrugs = _okrugs_matching(query) & (scopes if scopes is not None else Q())
    councils = Council.objects.all()
    if okrugs:
        councils = councils.filter(okrug__in=Okrug.objects.filter(okrugs))
    return councils.order_by("okrug__kato")


def councils_with_counts(ids: Iterable[int]) -> list[Council]:
    """`list_councils` rows (territory, charter, active member count) for these councils, in KATO order."""
    return list(list_councils().filter(pk__in=list(ids)))


def okrugs_without_council(user: Any, *, query: str = "") -> QuerySet[Okrug]:
    """Okrugs where the user may establish a council and none exists yet, rural okrugs first."""
    if not getattr(user, "is_authenticated", False):
        return Okrug.objects.none()
    okrugs = Okrug.objects.filter(council__isnull=True, retired_at__isnull=True).filter(_okrugs_matching(query))
    scopes = _establish_scopes(user)
    if scopes is not None:
        okrugs = okrugs.filter(scopes)
    rural_first = Case(When(kind=Okrug.Kind.RURAL_OKRUG, then=Value(0)), default=Value(1))
    return okrugs.select_related("district__region").order_by(rural_first, "kato")


# Access functions: Http404 for missing and forbidden alike ------------------------------------


def access_council_for_management(*, user: Any, okrug_kato: str) -> Council:
    council = find_council(okrug_kato)
    if council is None or not can_manage_council(user, council):
        raise Http404("No such council.")
    return council


def access_charter_for_editing(*, user: Any, charter_id: int) -> Charter:
    charter = Charter.objects.select_related("region", "previous").filter(pk=charter_id).first()
    if charter is None or not can_edit_charter(user, charter):
        raise Http404("No such charter.")
    return charter


def access_okrug_for_establishing(*, user: Any, okrug_kato: str) -> Okrug:
    okrug = Okrug.objects.select_related("district__region").filter(kato=okrug_kato, retired_at__isnull=True).first()
    if okrug is None or not can_establish_council(user, okrug):
        raise Http404("No such okrug.")
    return okrug


def access_member_for_management(*, user: Any, member_id: int) -> Member:
    member = (
        Member.objects.select_related(*(f"council__{relation}" for relation in _COUNCIL_RELATIONS), "settlement")
        .filter(pk=member_id)
        .first()
    )
    if member is None or not can_manage_council(user, member.council):
        raise Http404("No such member.")
    return member


def access_coordinator_for_management(*, user: Any, coordinator_id: int) -> Coordinator:
    coordinator = (
        Coordinator.objects.select_related(*(f"council__{relation}" for relation in _COUNCIL_RELATIONS))
        .filter(pk=coordinator_id)
        .first()
    )
    if coordinator is None or not can_manage_council(user, coordinator.council):
        raise Http404("No such coordinator.")
    return coordinator
