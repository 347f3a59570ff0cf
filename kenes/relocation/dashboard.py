"""The programme dashboard of From City to Village: who moved, who stayed, where workers are missing.

`programme_dashboard(...)` reads the rows of a scope (the whole programme, a region or a district;
moves of one year or of all years) in a fixed number of queries (`DASHBOARD_QUERIES`), however many
moves, offers and settlements there are, and does the arithmetic in Python so it can be checked by hand.

The definitions, printed under the dashboard:
- families moved = moves recorded; people = the sum of their household sizes; children and employed
  likewise, as recorded with the move;
- retention at 6 (12) months = moves with a check at that mark that found the family still there /
  moves with a check at that mark; "due but not checked": families still living there whose mark has
  come (moved on + 6 or 12 months ≤ today) with no check at that mark yet;
- open vacancies = the positions of published vacancies that have not expired (now, whatever the
  year chosen), by profession per district and per okrug: the labour shortage;
- offers without applicants: published, unexpired offers nobody has applied to yet;
- the programme's settlements: the villages taking part, with the offers open in each.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, replace
from typing import TypeVar

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from kenes.core.calendar import add_months
from kenes.relocation.models import Application, Move, Offer, ProgrammeSettlement
from kenes.territory.models import District, Okrug, Region

RETENTION_MARKS = (6, 12)
# moves, their checks, open vacancies, offers without applicants, programme settlements
DASHBOARD_QUERIES = 5


def _percent(part: int, whole: int) -> float | None:
    if not whole:
        return None
    return round(part * 100 / whole, 1)


# Results -----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retention:
    """One mark (6 or 12 months): checks made, of them still there, and families due but not checked."""

    months: int
    checked: int
    still_there: int
    due_unchecked: int

    @property
    def left(self) -> int:
        return self.checked - self.still_there

    @property
    def percent(self) -> float | None:
        return _percent(self.still_there, self.checked)


@dataclass(frozen=True)
class VacancyRow:
    """Open positions of one profession in one district or okrug."""

    territory: str
    kato: str
    profession: str
    profession_code: str
    vacancies: int  # offers
    positions: int
    bar: int = 0  # positions as a share of the largest row, 0–100, for the page's bar


@dataclass(frozen=True)
class MoveRow:
    """Moves of one district, or of one month (`month` set, `territory` its label)."""

    territory: str
    kato: str
    families: int
    people: int
    children: int
    employed: int
    month: datetime.date | None = None
    bar: int = 0


@dataclass(frozen=True)
class WaitingOffer:
    """A published offer nobody has applied to."""

    id: int
    title: str
    kind: str
    kind_label: str
    settlement: str
    district: str
    published_on: datetime.date | None
    expires_on: datetime.date | None


@dataclass(frozen=True)
class SettlementRow:
    """A village of the programme and the offers open there."""

    settlement: str
    kato: str
    district: str
    okrug: str
    is_border: bool
    joined_on: datetime.date
    open_offers: int
    is_demo: bool


@dataclass(frozen=True)
class Dashboard:
    year: int | None
    today: datetime.date
    families: int
    people: int
    children: int
    employed: int
    retention: list[Retention]
    vacancies_by_district: list[VacancyRow]
    vacancies_by_okrug: list[VacancyRow]
    offers_without_applicants: list[WaitingOffer]
    moves_by_district: list[MoveRow]
    moves_by_month: list[MoveRow]
    settlements: list[SettlementRow]
    is_demo: bool

    @property
    def open_positions(self) -> int:
        return sum(row.positions for row in self.vacancies_by_district)

    @property
    def border_settlements(self) -> int:
        return sum(1 for row in self.settlements if row.is_border)

    def retention_at(self, months: int) -> Retention:
        return next(row for row in self.retention if row.months == months)


# The arithmetic ----------------------------------------------------------------------------------


Row = TypeVar("Row", VacancyRow, MoveRow)


def _with_bars(rows: list[Row], size: str) -> list[Row]:
    """Each row's `bar`: its `size` as a share of the largest row's, 0–100."""
    largest = max((getattr(row, size) for row in rows), default=0)
    if not largest:
        return rows
    return [replace(row, bar=round(getattr(row, size) * 100 / largest)) for row in rows]


def _retention(moves: list[Move], today: datetime.date) -> list[Retention]:
    figures = []
    for months in RETENTION_MARKS:
        checked = still_there = due_unchecked = 0
        for move in moves:
            check = next((check for check in move.checks.all() if check.months == months), None)
            if check is not None:
                checked += 1
                still_there += check.still_there
            elif move.status == Move.Status.STAYING and add_months(move.moved_on, months) <= today:
                due_unchecked += 1
        figures.append(Retention(months=months, checked=checked, still_there=still_there, due_unchecked=due_unchecked))
    return figures


def _moves_by(moves: list[Move], key: str) -> list[MoveRow]:
    groups: dict[object, list[Move]] = defaultdict(list)
    for move in moves:
        groups[move.district_id if key == "district" else move.moved_on.replace(day=1)].append(move)
    rows = []
    for group in groups.values():
        first = group[0]
        month = first.moved_on.replace(day=1) if key == "month" else None
        rows.append(
            MoveRow(
                territory=first.district.name if month is None else month.strftime("%Y-%m"),
                kato=first.district.kato if month is None else "",
                families=len(group),
                people=sum(move.household_size for move in group),
                children=sum(move.children for move in group),
                employed=sum(move.employed for move in group),
                month=month,
            )
        )
    if key == "month":
        rows.sort(key=lambda row: row.month or datetime.date.min)
    else:
        rows.sort(key=lambda row: row.kato)
    return _with_bars(rows, "people")


def _vacancies_by(vacancies: list[Offer], key: str) -> list[VacancyRow]:
    groups: dict[tuple[int | None, int | None], list[Offer]] = defaultdict(list)
    for offer in vacancies:
        groups[(offer.district_id if key == "district" else offer.okrug_id, offer.profession_id)].append(offer)
    rows = []
    for group in groups.values():
        first = group[0]
        unit = first.district if key == "district" else first.okrug
        assert first.profession is not None
        rows.append(
            VacancyRow(
                territory=unit.name if unit is not None else first.settlement.name,
                kato=unit.kato if unit is not None else first.settlement.kato,
                profession=str(first.profession),
                profession_code=first.profession.code,
                vacancies=len(group),
                positions=sum(offer.positions or 0 for offer in group),
            )
        )
    rows.sort(key=lambda row: (row.kato, -row.positions, row.profession))
    return _with_bars(rows, "positions")


def _open_offers(today: datetime.date) -> Q:
    return Q(status=Offer.Status.PUBLISHED) & (Q(expires_on__isnull=True) | Q(expires_on__gte=today))


# The selector ------------------------------------------------------------------------------------


def programme_dashboard(
    *,
    region: Region | None = None,
    district: District | None = None,
    okrug: Okrug | None = None,
    year: int | None = None,
    today: datetime.date | None = None,
) -> Dashboard:
    """The dashboard of the programme (or of one region, district or okrug; moves of `year` or of
    all years) as of `today`, in `DASHBOARD_QUERIES` queries."""
    day = today or timezone.localdate()
    scope = Q()
    if region is not None:
        scope &= Q(district__region=region)
    if district is not None:
        scope &= Q(district=district)
    if okrug is not None:
        scope &= Q(okrug=okrug)

    moves_scope = scope & Q(moved_on__year=year) if year is not None else scope
    moves = list(
        Move.objects.filter(moves_scope)
        .select_related("district")
        .prefetch_related("checks")
        .order_by("moved_on", "id")
    )
    vacancies = list(
        Offer.objects.filter(scope & _open_offers(day), kind=Offer.Kind.VACANCY)
        .select_related("district", "okrug", "settlement", "profession")
        .order_by("id")
    )
    waiting = list(
        Offer.objects.filter(scope & _open_offers(day))
        .filter(~Exists(Application.objects.filter(offer=OuterRef("pk"))))
        .select_related("district", "settlement")
        .order_by("district__kato", "-published_at", "-id")
    )
    settlement_scope = Q()
    if region is not None:
        settlement_scope &= Q(settlement__district__region=region)
    if district is not None:
        settlement_scope &= Q(settlement__district=district)
    if okrug is not None:
        settlement_scope &= Q(settlement__okrug=okrug)
    open_here = Q(settlement__offers__status=Offer.Status.PUBLISHED) & (
        Q(settlement__offers__expires_on__isnull=True) | Q(settlement__offers__expires_on__gte=day)
    )
    programme = list(
        ProgrammeSettlement.objects.filter(settlement_scope)
        .select_related("settlement__district", "settlement__okrug")
        .annotate(open_offers=Count("settlement__offers", filter=open_here))
    )

    is_demo = (
        any(move.is_demo for move in moves)
        or any(offer.is_demo for offer in [*vacancies, *waiting])
        or any(entry.is_demo for entry in programme)
    )
    return Dashboard(
        year=year,
        today=day,
        families=len(moves),
        people=sum(move.household_size for move in moves),
        children=sum(move.children for move in moves),
        employed=sum(move.employed for move in moves),
        retention=_retention(moves, day),
        vacancies_by_district=_vacancies_by(vacancies, "district"),
        vacancies_by_okrug=_vacancies_by(vacancies, "okrug"),
        offers_without_applicants=[
            WaitingOffer(
                id=offer.pk,
                title=offer.title,
                kind=offer.kind,
                kind_label=str(offer.get_kind_display()),
                settlement=offer.settlement.name,
                district=offer.district.name,
                published_on=timezone.localdate(offer.published_at) if offer.published_at else None,
                expires_on=offer.expires_on,
            )
            for offer in waiting
        ],
        moves_by_district=_moves_by(moves, "district"),
        moves_by_month=_moves_by(moves, "month"),
        settlements=[
            SettlementRow(
                settlement=entry.settlement.name,
                kato=entry.settlement.kato,
                district=entry.settlement.district.name,
                okrug=entry.settlement.okrug.name if entry.settlement.okrug else "",
                is_border=entry.is_border,
                joined_on=entry.joined_on,
                open_offers=entry.open_offers,
                is_demo=entry.is_demo,
            )
            for entry in programme
        ],
        is_demo=is_demo,
    )


def dashboard_districts() -> list[District]:
    """The districts the dashboard can be narrowed to: with a programme settlement, a move or a
    published offer, by code. One query."""
    return list(
        District.objects.filter(
            Q(settlements__programme_entry__isnull=False)
            | Q(moves__isnull=False)
            | Q(offers__status=Offer.Status.PUBLISHED)
        )
        .distinct()
        .order_by("kato")
    )
