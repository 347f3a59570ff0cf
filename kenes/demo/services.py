"""Demo data: labelled demo accounts on the real territory of the pilot district (Бәйтерек by default),
and the councils side of the pilot: a demo charter, the pilot itself, one complete council and a few
incomplete ones, so the directory shows both what a finished council looks like and what gaps look like;
then a few more residents and sixteen proposals in every area and status, with supports and comments;
then the complete council's sittings: one held six weeks ago whose five recommendations met different
fates (accepted with measures and two progress reports, accepted and built, declined with a reason,
forwarded to the district and extended, left unanswered: overdue and escalated), one held three weeks
ago (the ready proposal adopted, its recommendation sent and waiting for the akim, a question
declined) and one announced for next month; and the From City to Village (Қаладан ауылға) side:
the programme's villages, a verified farm, offers of every kind, a family from Oral in talks about a
house and two families who moved earlier (one still there at six months, one who left).

Everything here is keyed on stable usernames, names, okrugs and titles, so loading twice changes
nothing. People and roles are written through `kenes.accounts.services`, councils through
`kenes.councils.services`, proposals through `kenes.proposals.services`, sittings through
`kenes.meetings.services`, the akim's answers, progress and the deadline check through
`kenes.accountability.services`, offers, applicants, applications and moves through
`kenes.relocation.services` (all audit); this app never invents territory, it uses what the
classifier import loaded.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.accountability import selectors as accountability_selectors
from kenes.accountability import services as accountability_services
from kenes.accounts import selectors as accounts_selectors
from kenes.accounts import services as accounts_services
from kenes.accounts.models import Role, User
from kenes.core.audit import record_audit
from kenes.core.calendar import add_months, add_working_days
from kenes.core.errors import DomainError
from kenes.core.models import SiteFlag
from kenes.councils import selectors as councils_selectors
from kenes.councils import services as councils_services
from kenes.councils.models import Charter, Council, Member, Pilot, SeatGroup
from kenes.meetings import services as meetings_services
from kenes.meetings.models import AgendaItem, Meeting, Recommendation
from kenes.proposals import permissions as proposals_permissions
from kenes.proposals import services as proposals_services
from kenes.proposals.models import Area, Comment, EntryChannel, Language, Proposal, Status
from kenes.relocation import services as relocation_services
from kenes.relocation.models import (
    Applicant,
    Application,
    Employer,
    Move,
    Offer,
    Profession,
    ProgrammeSettlement,
)
from kenes.relocation.services import MemberData, OfferData
from kenes.territory.models import District, Okrug, Region, Settlement

DEMO_PASSWORD = "demo12345"  # noqa: S105 - published in the README on purpose: demo logins only.
# Synthetic and checksum-valid: born 1 January 1990, a woman of the 20th century, serial 0001.
DEMO_RESIDENT_IIN = "900101300017"
DEMO_EMAIL_DOMAIN = "kenes-demo.invalid"  # .invalid is reserved: no demo mail can ever leave.


@dataclass(frozen=True)
class DemoPerson:
    username: str
    full_name: str
    role_code: str | None
    scope: str  # "settlement", "okrug", "district", "region" or "" (no territory)
    is_superuser: bool = False


DEMO_PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("demo-admin", "Жүйе әкімшісі (демо)", None, "", is_superuser=True),
    DemoPerson("demo-resident", "Айгүл Сейтқалиева (демо)", Role.RESIDENT, "settlement"),
    DemoPerson("demo-member", "Ерлан Жұмабаев (демо)", Role.COUNCIL_MEMBER, "okrug"),
    DemoPerson("demo-coordinator", "Гүлнар Мұратова (демо)", Role.COORDINATOR, "okrug"),
    DemoPerson("demo-akimat", "Нұрлан Қайыров (демо)", Role.AKIMAT_STAFF, "okrug"),
    DemoPerson("demo-district", "Дәурен Ахметов (демо)", Role.DISTRICT_ADMIN, "district"),
    DemoPerson("demo-oblast", "Сәуле Есенова (демо)", Role.OBLAST_ADMIN, "region"),
    DemoPerson("demo-programme", "Бауыржан Тоқтаров (демо)", Role.PROGRAMME_STAFF, "region"),
    # The demo council's secretary and three more of its members, so sittings can be run and voted
    # in the browser: each holds the seat of the same name in the complete council.
    DemoPerson("demo-secretary", "Ольга Миронова (демо)", Role.COUNCIL_MEMBER, "okrug"),
    DemoPerson("demo-councillor-1", "Қайрат Смағұлов (демо)", Role.COUNCIL_MEMBER, "okrug"),
    DemoPerson("demo-councillor-2", "Әсел Қуанышева (демо)", Role.COUNCIL_MEMBER, "okrug"),
    DemoPerson("demo-councillor-3", "Николай Петренко (демо)", Role.COUNCIL_MEMBER, "okrug"),
)


DEMO_USERNAMES = frozenset(person.username for person in DEMO_PEOPLE)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    full_name: str
    role: str
    territory: str
    created: bool


@dataclass(frozen=True)
class DemoPlace:
    region: Region
    district: District
    okrug: Okrug
    settlement: Settlement


@dataclass(frozen=True)
class DemoCouncil:
    council: Council
    created: bool


@dataclass(frozen=True)
class DemoCouncils:
    charter: Charter
    pilot: Pilot
    councils: list[DemoCouncil]
    created: list[str] = field(default_factory=list)  # what this run added: "charter", "pilot", okrug codes

    @property
    def comparison_districts(self) -> list[District]:
        return list(self.pilot.comparison_districts.order_by("kato"))


@dataclass(frozen=True)
class DemoProposals:
    proposals: list[Proposal]
    created: int  # how many this run added

    def count(self, status: str) -> int:
        return sum(1 for proposal in self.proposals if proposal.status == status)


@dataclass(frozen=True)
class DemoResult:
    place: DemoPlace
    logins: list[DemoLogin]
    councils: DemoCouncils
    proposals: DemoProposals
    sittings: DemoSittings | None = None
    relocation: DemoRelocation | None = None

    @property
    def created_count(self) -> int:
        return sum(1 for login in self.logins if login.created)


def find_demo_place() -> DemoPlace:
    """The pilot district, its first rural okrug that has villages, and that okrug's main village."""
    kato = settings.KENES_PILOT_DISTRICT  # Бәйтерек ауданы (274400000) unless a deployment says otherwise
    district = District.objects.select_related("region").filter(kato=kato, retired_at__isnull=True).first()
    if district is None:
        raise DomainError(
            _(
                "The pilot district (KATO %(kato)s) is not loaded. "
                "Import the territory first: python manage.py import_kato --region %(region)s"
            )
            % {"kato": kato, "region": kato[:2]},
            code="pilot_district_missing",
        )
    region = district.region
    with_villages = Okrug.objects.filter(
        district=district, retired_at__isnull=True, settlements__isnull=False, settlements__retired_at__isnull=True
    ).distinct()
    # A rural okrug is what a council serves; an administration only if the district has none.
    okrug = (
        with_villages.filter(kind=Okrug.Kind.RURAL_OKRUG).order_by("kato").first()
        or with_villages.order_by("kato").first()
    )
    if okrug is None:
        raise DomainError(
            _("The pilot district has no okrugs with settlements: re-import the territory."),
            code="pilot_okrug_missing",
        )
    settlement = Settlement.objects.filter(okrug=okrug, retired_at__isnull=True).order_by("-is_main", "kato").first()
    assert settlement is not None  # the okrug query above required one
    return DemoPlace(region=region, district=district, okrug=okrug, settlement=settlement)


def _scope_of(person: DemoPerson, place: DemoPlace) -> Region | District | Okrug | Settlement | None:
    scopes: dict[str, Region | District | Okrug | Settlement] = {
        "settlement": place.settlement,
        "okrug": place.okrug,
        "district": place.district,
        "region": place.region,
    }
    return scopes.get(person.scope)


def _ensure_user(*, person: DemoPerson) -> tuple[User, bool]:
    user = get_user_model().objects.filter(username=person.username).first()
    if user is not None:
        if not user.is_demo:
            raise DomainError(
                _("A real (non-demo) account already uses the demo username %(username)s; nothing was changed.")
                % {"username": person.username},
                code="demo_username_taken",
            )
        return user, False
    user = accounts_services.register_user(
        username=person.username,
        email=f"{person.username}@{DEMO_EMAIL_DOMAIN}",
        password=DEMO_PASSWORD,
        full_name=person.full_name,
        is_demo=True,
        is_superuser=person.is_superuser,
    )
    return user, True


def _ensure_residency(*, actor: User, user: User, settlement: Settlement, iin: str = DEMO_RESIDENT_IIN) -> None:
    if accounts_selectors.resident_profile_of(user) is not None:
        return
    accounts_services.set_residency(actor=actor, user=user, iin=iin, settlement=settlement)


def _ensure_verified(*, actor: User, user: User) -> None:
    profile = accounts_selectors.resident_profile_of(user)
    if profile is None or profile.verified_at is not None:
        return
    accounts_services.verify_residency(actor=actor, user=user)


@transaction.atomic
def load_demo_data() -> DemoResult:
    """Creates (once) the demo accounts and turns on the demo banner; a second run creates nothing."""
    place = find_demo_place()
    logins: list[DemoLogin] = []
    admin: User | None = None
    for person in DEMO_PEOPLE:
        user, created = _ensure_user(person=person)
        if person.is_superuser:
            admin = user
        actor = admin or user
        scope = _scope_of(person, place)
        if person.role_code == Role.RESIDENT:
            assert isinstance(scope, Settlement)
            # A person declares their own residency: the resident is the actor, as on the site;
            # the akimat's check that lets them submit proposals is the administrator's act.
            _ensure_residency(actor=user, user=user, settlement=scope)
            _ensure_verified(actor=actor, user=user)
        elif person.role_code is not None:
            assert isinstance(scope, Region | District | Okrug)
            # Assigning a role already held changes nothing (and writes no audit row).
            accounts_services.assign_role(actor=actor, user=user, role_code=person.role_code, territory=scope)
        role = Role.objects.filter(code=person.role_code).first() if person.role_code else None
        logins.append(
            DemoLogin(
                username=person.username,
                full_name=person.full_name,
                role=role.name_en if role else "superuser",
                territory=f"{scope.name_kk} ({scope.kato})" if scope is not None else "—",
                created=created,
            )
        )
    flag, flag_created = SiteFlag.objects.get_or_create(key=SiteFlag.DEMO_DATA, defaults={"value": "1"})
    if flag_created or flag.value != "1":
        flag.value = "1"
        flag.save(update_fields=["value"])
        record_audit(actor=admin, action="demo.data_loaded", target=flag, after={"value": "1"})
    assert admin is not None  # DEMO_PEOPLE starts with the superuser
    councils = _load_councils(actor=admin, place=place)
    forming = next((item.council for item in councils.councils if item.council.okrug_id != place.okrug.pk), None)
    logins.extend(_load_neighbours(actor=admin, place=place, forming=forming))
    proposals = _load_proposals(actor=admin, place=place, forming=forming)
    sittings = _load_sittings(admin=admin, place=place)
    for proposal in proposals.proposals:
        proposal.refresh_from_db(fields=["status"])  # the sitting decided the ready one
    relocation = _load_relocation(place=place)
    logins.extend(relocation.logins)
    return DemoResult(
        place=place,
        logins=logins,
        councils=councils,
        proposals=proposals,
        sittings=sittings,
        relocation=relocation,
    )


# Councils ---------------------------------------------------------------------------------------

DEMO_CHARTER_NAME = "Батыс Қазақстан облысы: кеңестің үлгі ережесі (демо)"
DEMO_PILOT_NAME = "Бәйтерек ауданы пилоттық жобасы (демо)"
PILOT_STARTS_ON = datetime.date(2026, 1, 15)
PILOT_ENDS_ON = datetime.date(2027, 12, 31)
# Districts of the same oblast the evaluation compares the pilot with: Теректі and Ақжайық.
COMPARISON_DISTRICTS = ("276200000", "273200000")
DEMO_POPULATION_SOURCE = "Demo figure"
DEMO_MASLIKHAT = "Бәйтерек аудандық мәслихаты"
INCOMPLETE_COUNCILS = 2
DEMO_SEAT_LINK_REASON = "Демо: орын сол адамның демо есептік жазбасына байланыстырылды."


@dataclass(frozen=True)
class DemoSeat:
    full_name: str
    seat_group: str
    role: str = Member.Role.MEMBER
    organisation: str = ""
    birth_date: datetime.date | None = None
    username: str = ""  # a demo account that holds this seat


# The complete council: one seat per group the default charter requires. Every member also stands
# for a settlement of the okrug, so a small council still covers each village (residents' seats
# are added for settlements left over).
COMPLETE_SEATS: tuple[DemoSeat, ...] = (
    DemoSeat("Асқар Нұрланұлы (демо)", SeatGroup.RESIDENTS, Member.Role.CHAIR, birth_date=datetime.date(1971, 4, 2)),
    DemoSeat(
        "Ольга Миронова (демо)",
        SeatGroup.PUBLIC_ASSOCIATIONS,
        Member.Role.SECRETARY,
        organisation="«Ауыл әйелдері» қоғамдық бірлестігі (демо)",
        birth_date=datetime.date(1984, 9, 17),
        username="demo-secretary",
    ),
    DemoSeat(
        "Қайрат Смағұлов (демо)",
        SeatGroup.BUSINESS,
        Member.Role.DEPUTY_CHAIR,
        organisation="«Жайық Агро» шаруа қожалығы (демо)",
        birth_date=datetime.date(1979, 1, 23),
        username="demo-councillor-1",
    ),
    DemoSeat(
        "Әсел Қуанышева (демо)",
        SeatGroup.YOUTH,
        organisation="«Жас Өркен» жастар ұйымы (демо)",
        birth_date=datetime.date(2002, 3, 8),
        username="demo-councillor-2",
    ),
    DemoSeat(
        "Николай Петренко (демо)",
        SeatGroup.VETERANS,
        organisation="Ардагерлер кеңесі (демо)",
        birth_date=datetime.date(1951, 5, 9),
        username="demo-councillor-3",
    ),
    DemoSeat("Ерлан Жұмабаев (демо)", SeatGroup.RESIDENTS, username="demo-member"),
)
EXTRA_RESIDENTS: tuple[str, ...] = (
    "Татьяна Колесникова (демо)",
    "Бекзат Оразов (демо)",
    "Динара Ғабдуллина (демо)",
    "Виктор Захаров (демо)",
    "Жанар Төлеуова (демо)",
)

# Councils still being formed: a chair and a couple of members, so their pages show the gaps.
INCOMPLETE_SEATS: tuple[tuple[DemoSeat, ...], ...] = (
    (
        DemoSeat("Серік Әбілов (демо)", SeatGroup.RESIDENTS, Member.Role.CHAIR, birth_date=datetime.date(1968, 11, 30)),
        DemoSeat("Мәдина Бекова (демо)", SeatGroup.RESIDENTS),
        DemoSeat("Даулет Жексенов (демо)", SeatGroup.YOUTH, birth_date=datetime.date(1986, 6, 1)),
    ),
    (
        DemoSeat("Ирина Соколова (демо)", SeatGroup.RESIDENTS, Member.Role.SECRETARY),
        DemoSeat("Марат Ысқақов (демо)", SeatGroup.VETERANS, organisation="Ардагерлер кеңесі (демо)"),
    ),
)
# (population, coordinator) of each incomplete council: one knows its population and has a
# coordinator deputy, the other neither.
INCOMPLETE_FACTS: tuple[tuple[int | None, str], ...] = (
    (4_200, "Бауыржан Сұлтанов (демо)"),
    (None, ""),
)


def _ensure_charter(*, actor: User, place: DemoPlace, created: list[str]) -> Charter:
    charter = Charter.objects.filter(name=DEMO_CHARTER_NAME).order_by("version").first()
    if charter is not None:
        return charter
    created.append("charter")
    # The defaults are Order 295/88's: size bands, a 4-year term, a 50 % quorum, answers within
    # 15 working days, extensions up to 2 months.
    return councils_services.create_charter(
        actor=actor, name=DEMO_CHARTER_NAME, region=place.region, support_threshold=DEMO_SUPPORT_THRESHOLD
    )


def _ensure_pilot(*, actor: User, place: DemoPlace, charter: Charter, created: list[str]) -> Pilot:
    pilot = Pilot.objects.filter(name=DEMO_PILOT_NAME).first()
    if pilot is not None:
        return pilot
    created.append("pilot")
    comparison = District.objects.filter(kato__in=COMPARISON_DISTRICTS, retired_at__isnull=True).exclude(
        pk=place.district.pk
    )
    return councils_services.create_pilot(
        actor=actor,
        name=DEMO_PILOT_NAME,
        charter=charter,
        starts_on=PILOT_STARTS_ON,
        ends_on=PILOT_ENDS_ON,
        district=place.district,
        comparison_districts=comparison.order_by("kato"),
        is_demo=True,
    )


def _okrug_settlements(okrug: Okrug) -> list[Settlement]:
    return list(Settlement.objects.filter(okrug=okrug, retired_at__isnull=True).order_by("-is_main", "kato"))


def _appoint(
    *, actor: User, council: Council, seat: DemoSeat, settlement: Settlement | None, users: dict[str, User]
) -> Member:
    return councils_services.appoint_member(
        actor=actor,
        council=council,
        full_name=users[seat.username].full_name if seat.username else seat.full_name,
        seat_group=seat.seat_group,
        role=seat.role,
        term_start=council.established_on,
        settlement=settlement,
        user=users.get(seat.username) if seat.username else None,
        birth_date=seat.birth_date,
        organisation=seat.organisation,
        is_demo=True,
    )


def _link_seat_accounts(*, actor: User, council: Council, users: dict[str, User]) -> None:
    """A council loaded by an earlier demo has its seats without the newer demo accounts: each such
    seat is handed over (replaced from today) to the same person with their account, through the
    councils services. A seat already held by an account, or missing, is left as it is."""
    serving = Member.objects.filter(council=council, status=Member.Status.ACTIVE)
    for seat in COMPLETE_SEATS:
        user = users.get(seat.username) if seat.username else None
        if user is None or serving.filter(user=user).exists():
            continue
        member = serving.filter(full_name=user.full_name, user__isnull=True).first()
        if member is None:
            continue
        councils_services.replace_member(
            actor=actor,
            member=member,
            on=timezone.localdate(),
            reason=DEMO_SEAT_LINK_REASON,
            full_name=member.full_name,
            seat_group=member.seat_group,
            settlement=member.settlement,
            user=user,
            birth_date=member.birth_date,
            organisation=member.organisation,
            role=member.role,
        )


def _complete_seats(settlements: Sequence[Settlement]) -> list[tuple[DemoSeat, Settlement]]:
    """Every group's seat, each standing for the okrug's villages in turn, then residents' seats for
    the villages left over."""
    seats = [(seat, settlements[index % len(settlements)]) for index, seat in enumerate(COMPLETE_SEATS)]
    leftover = settlements[len(COMPLETE_SEATS) :]
    if len(leftover) > len(EXTRA_RESIDENTS):
        raise DomainError(
            _("The demo okrug has more villages than the demo has people for."), code="demo_okrug_too_large"
        )
    seats.extend(
        (DemoSeat(name, SeatGroup.RESIDENTS), settlement)
        for name, settlement in zip(EXTRA_RESIDENTS, leftover, strict=False)
    )
    return seats


def _establish(
    *, actor: User, okrug: Okrug, pilot: Pilot, population: int | None, created: list[str]
) -> DemoCouncil | None:
    existing = councils_selectors.find_council(okrug.kato)
    if existing is not None:
        # Already there (from an earlier run, or made by hand): its members are left as they are.
        return DemoCouncil(council=existing, created=False) if existing.is_demo else None
    council = councils_services.establish_council(
        actor=actor,
        okrug=okrug,
        established_on=PILOT_STARTS_ON,
        pilot=pilot,
        population=population,
        population_year=2025 if population is not None else None,
        population_source=DEMO_POPULATION_SOURCE if population is not None else "",
        is_demo=True,
    )
    created.append(okrug.kato)
    return DemoCouncil(council=council, created=True)


def _incomplete_okrugs(place: DemoPlace) -> list[Okrug]:
    """The next rural okrugs of the district with two or more villages: the small ones stay without a
    council, for a district administrator to try establishing one."""
    candidates = (
        Okrug.objects.filter(district=place.district, kind=Okrug.Kind.RURAL_OKRUG, retired_at__isnull=True)
        .exclude(pk=place.okrug.pk)
        .order_by("kato")
    )
    chosen: list[Okrug] = []
    for okrug in candidates:
        if Settlement.objects.filter(okrug=okrug, retired_at__isnull=True).count() >= 2:
            chosen.append(okrug)
        if len(chosen) == INCOMPLETE_COUNCILS:
            break
    return chosen


def _load_councils(*, actor: User, place: DemoPlace) -> DemoCouncils:
    created: list[str] = []
    charter = _ensure_charter(actor=actor, place=place, created=created)
    pilot = _ensure_pilot(actor=actor, place=place, charter=charter, created=created)
    users = {user.username: user for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES)}
    councils: list[DemoCouncil] = []

    complete = _establish(actor=actor, okrug=place.okrug, pilot=pilot, population=6_500, created=created)
    if complete is not None:
        councils.append(complete)
    if complete is not None and complete.created:
        council = complete.council
        for seat, settlement in _complete_seats(_okrug_settlements(place.okrug)):
            _appoint(actor=actor, council=council, seat=seat, settlement=settlement, users=users)
        coordinator = users["demo-coordinator"]
        councils_services.assign_coordinator(
            actor=actor,
            council=council,
            full_name=coordinator.full_name,
            maslikhat=DEMO_MASLIKHAT,
            constituency="№ 7",
            started_on=PILOT_STARTS_ON,
            user=coordinator,
            is_demo=True,
        )
        councils_services.activate_council(actor=actor, council=council)
    elif complete is not None:
        _link_seat_accounts(actor=actor, council=complete.council, users=users)

    for okrug, seats, (population, coordinator_name) in zip(
        _incomplete_okrugs(place), INCOMPLETE_SEATS, INCOMPLETE_FACTS, strict=False
    ):
        incomplete = _establish(actor=actor, okrug=okrug, pilot=pilot, population=population, created=created)
        if incomplete is None:
            continue
        councils.append(incomplete)
        if not incomplete.created:
            continue
        settlements = _okrug_settlements(okrug)
        for seat in seats:
            # Only the first village is represented: the others show up as gaps.
            represented = settlements[0] if seat.seat_group == SeatGroup.RESIDENTS else None
            _appoint(actor=actor, council=incomplete.council, seat=seat, settlement=represented, users=users)
        if coordinator_name:
            councils_services.assign_coordinator(
                actor=actor,
                council=incomplete.council,
                full_name=coordinator_name,
                maslikhat=DEMO_MASLIKHAT,
                constituency="№ 3",
                started_on=PILOT_STARTS_ON,
                is_demo=True,
            )
    return DemoCouncils(charter=charter, pilot=pilot, councils=councils, created=created)


# Residents and proposals ------------------------------------------------------------------------

# A charter's default asks for 25 supports; the demo okrug has a handful of demo residents, so the
# demo charter asks for 5 and a proposal visibly reaches the agenda.
DEMO_SUPPORT_THRESHOLD = 5


@dataclass(frozen=True)
class DemoNeighbour:
    username: str
    full_name: str
    iin: str  # synthetic and checksum-valid
    in_forming_okrug: bool = False  # lives in the first incomplete council's okrug


# More residents of the demo okrug, so proposals gather supports from several people; the last one
# lives in an okrug whose council is still forming. Residency declared and verified.
DEMO_NEIGHBOURS: tuple[DemoNeighbour, ...] = (
    DemoNeighbour("demo-resident-2", "Нұржан Әлиев (демо)", "920711300304"),
    DemoNeighbour("demo-resident-3", "Гүлмира Жақсылықова (демо)", "850302400103"),
    DemoNeighbour("demo-resident-4", "Сергей Волков (демо)", "781128300406"),
    DemoNeighbour("demo-resident-5", "Аяулым Серікқызы (демо)", "010405600508"),
    DemoNeighbour("demo-resident-6", "Қуаныш Бисенов (демо)", "660909300602"),
    DemoNeighbour("demo-resident-7", "Людмила Ким (демо)", "881201400707", in_forming_okrug=True),
)


def _load_neighbours(*, actor: User, place: DemoPlace, forming: Council | None) -> list[DemoLogin]:
    logins: list[DemoLogin] = []
    home = _okrug_settlements(place.okrug)
    away = _okrug_settlements(forming.okrug) if forming is not None else []
    resident_role = Role.objects.get(code=Role.RESIDENT)
    for index, neighbour in enumerate(DEMO_NEIGHBOURS):
        settlements = away if neighbour.in_forming_okrug else home
        if not settlements:
            continue  # a territory without that okrug: this neighbour is left out
        # Spread over the okrug's villages, the main village last, so neighbours are not all in one street.
        settlement = settlements[(index + 1) % len(settlements)]
        user, created = _ensure_user(
            person=DemoPerson(neighbour.username, neighbour.full_name, Role.RESIDENT, "settlement")
        )
        _ensure_residency(actor=user, user=user, settlement=settlement, iin=neighbour.iin)
        _ensure_verified(actor=actor, user=user)
        profile = accounts_selectors.resident_profile_of(user)
        assert profile is not None
        lives_in = profile.settlement
        logins.append(
            DemoLogin(
                username=neighbour.username,
                full_name=neighbour.full_name,
                role=resident_role.name_en,
                territory=f"{lives_in.name_kk} ({lives_in.kato})",
                created=created,
            )
        )
    return logins


@dataclass(frozen=True)
class DemoComment:
    author: str
    body: str
    reply_to: int | None = None  # index of the top-level comment it answers
    hidden_reason: str = ""  # set: the coordinator hid it with this public reason


@dataclass(frozen=True)
class DemoProposal:
    author: str
    title: str
    body: str
    language: str
    area: str
    # Where the demo leaves it: draft, submitted, collecting, ready, returned, merged or forwarded.
    outcome: str
    in_forming_okrug: bool = False
    settlement: int = 0  # index into the okrug's villages, main village first
    supporters: tuple[str, ...] = ()
    estimated_cost: int | None = None
    note: str = ""  # the reason a proposal is returned, or the body it is forwarded to
    merge_into: str = ""  # title of the proposal it duplicates
    entered_by: str = ""  # akimat staff who typed it in for the author
    channel: str = EntryChannel.ONLINE
    comments: tuple[DemoComment, ...] = ()


WATER_TITLE = "Мектеп көшесіндегі ауыз су құбырын жөндеу"
PLAYGROUND_TITLE = "Ауыл орталығында балалар ойын алаңын салу"
FOOTPATH_TITLE = "Построить тротуар от центра села до школы"
SHELTER_TITLE = "Орталық аялдамаға жабық күту орнын салу"
POOL_TITLE = "Построить в селе крытый бассейн"
DEMO_PROPOSALS: tuple[DemoProposal, ...] = (
    DemoProposal(
        author="demo-resident",
        title=WATER_TITLE,
        body=(
            "Мектеп көшесіндегі су құбыры ескірген: қыста екі рет жарылып, көше бір апта сусыз қалды. "
            "Құбырдың 600 метрін ауыстыру және су өлшегіш құдықтарды жөндеу керек."
        ),
        language=Language.KAZAKH,
        area=Area.HOUSING_UTILITIES,
        outcome="collecting",
        supporters=("demo-resident-2", "demo-resident-3", "demo-resident-4"),
        estimated_cost=18_500_000,
        comments=(
            DemoComment("demo-resident-2", "Біздің үйдің алдында да құбыр жиі ағады, толық қолдаймын."),
            DemoComment("demo-resident", "Рақмет! Әкімдікке құдықтардың суреттерін де береміз.", reply_to=0),
            DemoComment(
                "demo-resident-4",
                "Арзан шөп сатамын, хабарласыңыз: 8 700 000 00 00",
                hidden_reason="Жарнама: талқылаудың тақырыбына жатпайды.",
            ),
        ),
    ),
    DemoProposal(
        author="demo-resident-2",
        title="Открыть бесплатные кружки для детей в Доме культуры",
        body=(
            "Зимой детям после школы некуда пойти. Предлагаем открыть в Доме культуры кружки домбры, "
            "шахмат и рисования два раза в неделю; преподаватели из села готовы вести занятия."
        ),
        language=Language.RUSSIAN,
        area=Area.SOCIAL,
        outcome="collecting",
        settlement=1,
        supporters=("demo-resident", "demo-resident-5"),
        comments=(DemoComment("demo-resident-3", "Поддерживаю: в прошлом году кружок шахмат закрылся."),),
    ),
    DemoProposal(
        author="demo-member",
        title=PLAYGROUND_TITLE,
        body=(
            "Ауылда балаларға арналған бірде-бір қауіпсіз алаң жоқ. Мәдениет үйінің жанындағы бос жерге "
            "әткеншектер, сырғанақ және жұмсақ жабын орнатуды ұсынамыз."
        ),
        language=Language.KAZAKH,
        area=Area.DEVELOPMENT,
        outcome="ready",
        supporters=("demo-resident", "demo-resident-2", "demo-resident-3", "demo-resident-5", "demo-resident-6"),
        estimated_cost=7_200_000,
    ),
    DemoProposal(
        author="demo-resident-3",
        title="Забродино ауылындағы көшелерге түнгі жарық орнату",
        body=(
            "Забродиноның екі көшесінде бірде-бір шам жоқ, балалар мектептен қараңғыда қайтады. "
            "Күн батареясымен жұмыс істейтін 20 шам орнатуды сұраймыз."
        ),
        language=Language.KAZAKH,
        area=Area.INFRASTRUCTURE,
        outcome="submitted",
        settlement=1,
        estimated_cost=4_000_000,
    ),
    DemoProposal(
        author="demo-resident-5",
        title="Отремонтировать мост через овраг у фермы",
        body=(
            "Деревянный мост через овраг по дороге к ферме прогнил, по нему опасно гонять скот и ездить "
            "на тракторе. Нужно заменить настил и поставить перила."
        ),
        language=Language.RUSSIAN,
        area=Area.INFRASTRUCTURE,
        outcome="submitted",
    ),
    DemoProposal(
        author="demo-resident-4",
        title="Вывозить мусор по графику",
        body="Мусор вывозят нерегулярно, контейнеры переполнены.",
        language=Language.RUSSIAN,
        area=Area.HOUSING_UTILITIES,
        outcome="returned",
        note=(
            "Укажите, пожалуйста, какие улицы и контейнерные площадки имеются в виду и как часто "
            "сейчас вывозят мусор: без этого совет не сможет подготовить рекомендацию."
        ),
    ),
    DemoProposal(
        author="demo-resident-6",
        title="Мектеп көшесінде су құбыры жиі жарылады",
        body="Мектеп көшесіндегі құбыр жыл сайын жарылады, оны толық ауыстыру керек.",
        language=Language.KAZAKH,
        area=Area.HOUSING_UTILITIES,
        outcome="merged",
        # demo-resident-2 supports both: after the merge they count once on the target.
        supporters=("demo-resident-2", "demo-resident-5"),
        merge_into=WATER_TITLE,
        note="Бұл «Мектеп көшесіндегі ауыз су құбырын жөндеу» ұсынысының қайталануы.",
    ),
    DemoProposal(
        author="demo-resident-5",
        title="Орал қаласына күнделікті автобус қатынасын қалпына келтіру",
        body=(
            "Орал қаласына баратын автобус аптасына бір-ақ рет жүреді. "
            "Облыстық ауруханаға және банкке бару үшін күнделікті рейс керек."
        ),
        language=Language.KAZAKH,
        area=Area.INFRASTRUCTURE,
        outcome="forwarded",
        settlement=1,
        note="Батыс Қазақстан облысының жолаушылар көлігі және автомобиль жолдары басқармасы",
    ),
    DemoProposal(
        author="demo-resident-6",
        title="Жайылымға апаратын жолды тегістеу",
        body=(
            "Көктемде жайылымға апаратын жол батпаққа айналады, мал мен техника өте алмайды. "
            "Жолды грейдермен тегістеп, қиыршық тас төсеуді сұраймыз."
        ),
        language=Language.KAZAKH,
        area=Area.HOUSEHOLD_FARMING,
        outcome="collecting",
        supporters=("demo-resident-4",),
        entered_by="demo-akimat",
        channel=EntryChannel.IN_PERSON,
    ),
    DemoProposal(
        author="demo-resident-3",
        title="Организовать выездной ветеринарный пункт для подсобных хозяйств",
        body=(
            "Ближайший ветеринар принимает в районном центре. Предлагаем раз в месяц организовать "
            "выездной приём и вакцинацию скота личных подсобных хозяйств."
        ),
        language=Language.RUSSIAN,
        area=Area.HOUSEHOLD_FARMING,
        outcome="collecting",
        settlement=1,
        supporters=("demo-resident-6",),
    ),
    DemoProposal(
        author="demo-resident",
        title="Ауыл тарихы туралы кітап шығару",
        body="Ауылдың 100 жылдық тарихын, ардагерлердің естеліктерін жинап, кітап етіп шығаруды ұсынамын.",
        language=Language.KAZAKH,
        area=Area.OTHER,
        outcome="draft",
    ),
    DemoProposal(
        author="demo-resident-7",
        title="Ауылда фельдшерлік-акушерлік пункт ашу",
        body=(
            "Ауылда медициналық пункт жоқ, ең жақын емхана 30 шақырым жерде. "
            "Бос тұрған ғимаратта фельдшерлік-акушерлік пункт ашуды ұсынамыз."
        ),
        language=Language.KAZAKH,
        area=Area.SOCIAL,
        outcome="submitted",
        in_forming_okrug=True,
    ),
    DemoProposal(
        author="demo-resident-7",
        title="Провести быстрый интернет в сельскую школу",
        body="В школе интернет работает только в учительской, ученики не могут сдавать онлайн-тесты.",
        language=Language.RUSSIAN,
        area=Area.INFRASTRUCTURE,
        outcome="submitted",
        in_forming_okrug=True,
    ),
    # Three more that reached the agenda: the earlier sitting adopted them, and the akim's answers
    # differ (see EARLIER_ITEMS below).
    DemoProposal(
        author="demo-resident-4",
        title=FOOTPATH_TITLE,
        body=(
            "Дети ходят в школу по обочине дороги, по которой ездят грузовики и трактора. Нужен тротуар "
            "от центра села до школы, около 800 метров, с освещением."
        ),
        language=Language.RUSSIAN,
        area=Area.INFRASTRUCTURE,
        outcome="ready",
        supporters=("demo-resident", "demo-resident-2", "demo-resident-3", "demo-resident-5", "demo-resident-6"),
        estimated_cost=12_400_000,
    ),
    DemoProposal(
        author="demo-resident-2",
        title=SHELTER_TITLE,
        body=(
            "Автобус күткен адамдар қыста боранда, жазда аптапта ашық далада тұрады. Орталық аялдамаға "
            "орындығы мен жарығы бар жабық күту орнын салуды ұсынамыз."
        ),
        language=Language.KAZAKH,
        area=Area.DEVELOPMENT,
        outcome="ready",
        settlement=1,
        supporters=("demo-resident", "demo-resident-3", "demo-resident-4", "demo-resident-5", "demo-resident-6"),
        estimated_cost=1_800_000,
    ),
    DemoProposal(
        author="demo-resident-3",
        title=POOL_TITLE,
        body=(
            "Летом дети купаются в реке без присмотра. Предлагаем построить в селе крытый бассейн, "
            "чтобы учить детей плавать круглый год."
        ),
        language=Language.RUSSIAN,
        area=Area.SOCIAL,
        outcome="ready",
        supporters=("demo-resident", "demo-resident-2", "demo-resident-4", "demo-resident-5", "demo-resident-6"),
        estimated_cost=450_000_000,
    ),
)


def _screener(council: Council, users: dict[str, User], admin: User) -> User:
    """The demo okrug's coordinator deputy screens its proposals; elsewhere the administrator."""
    coordinator = users.get("demo-coordinator")
    if coordinator is not None and proposals_permissions.is_coordinator_of(coordinator, council):
        return coordinator
    return admin


def _add_comments(
    *, proposal: Proposal, comments: Sequence[DemoComment], users: dict[str, User], screener: User
) -> None:
    top_level: list[Comment] = []
    for item in comments:
        parent = top_level[item.reply_to] if item.reply_to is not None else None
        comment = proposals_services.add_comment(
            actor=users[item.author], proposal=proposal, body=item.body, parent=parent
        )
        if parent is None:
            top_level.append(comment)
        if item.hidden_reason:
            proposals_services.hide_comment(actor=screener, comment=comment, reason=item.hidden_reason)


def _file(*, item: DemoProposal, council: Council, users: dict[str, User], admin: User) -> Proposal:
    """One demo proposal, taken through the same services a resident and a coordinator use."""
    settlements = _okrug_settlements(council.okrug)
    author = users[item.author]
    staff = users.get(item.entered_by) if item.entered_by else None
    filer = staff or author
    proposal = proposals_services.create_draft(
        actor=filer,
        council=council,
        settlement=settlements[item.settlement % len(settlements)],
        title=item.title,
        body=item.body,
        language=item.language,
        area=item.area,
        estimated_cost=item.estimated_cost,
        on_behalf_of=author if staff is not None else None,
        channel=item.channel,
        is_demo=True,
    )
    if item.outcome == Status.DRAFT:
        return proposal
    proposal = proposals_services.submit_proposal(actor=filer, proposal=proposal)
    screener = _screener(council, users, admin)
    if item.outcome == Status.RETURNED:
        proposals_services.return_proposal(actor=screener, proposal=proposal, reason=item.note)
    elif item.outcome == Status.FORWARDED:
        proposals_services.forward_proposal(actor=screener, proposal=proposal, addressee=item.note)
    elif item.outcome in (Status.COLLECTING, Status.READY, Status.MERGED):
        proposals_services.accept_proposal(actor=screener, proposal=proposal)
    for username in item.supporters:
        proposals_services.support_proposal(actor=users[username], proposal=proposal)
    proposal.refresh_from_db()
    if item.outcome == Status.READY and proposal.status == Status.COLLECTING:
        # A charter from an earlier demo may ask for more supports: the coordinator puts it there.
        proposals_services.mark_ready(actor=screener, proposal=proposal)
    if item.outcome == Status.MERGED:
        target = Proposal.objects.get(council=council, title=item.merge_into, is_demo=True)
        proposals_services.merge_proposal(actor=screener, proposal=proposal, into=target, reason=item.note)
    _add_comments(proposal=proposal, comments=item.comments, users=users, screener=screener)
    proposal.refresh_from_db()
    return proposal


def _load_proposals(*, actor: User, place: DemoPlace, forming: Council | None) -> DemoProposals:
    """Keyed on the council and the title: a proposal already there is left as it is."""
    home = councils_selectors.find_council(place.okrug.kato)
    users = {
        user.username: user for user in get_user_model().objects.filter(is_demo=True, username__startswith="demo-")
    }
    found: list[Proposal] = []
    created = 0
    for item in DEMO_PROPOSALS:
        council = forming if item.in_forming_okrug else home
        if council is None or not council.is_demo or item.author not in users:
            continue
        existing = Proposal.objects.filter(council=council, title=item.title, is_demo=True).first()
        if existing is None:
            existing = _file(item=item, council=council, users=users, admin=actor)
            created += 1
        found.append(existing)
    return DemoProposals(proposals=found, created=created)


# Sittings ---------------------------------------------------------------------------------------

PAST_SITTING_WEEKS_AGO = 3
# An earlier sitting, long enough ago that the akim's answers have had time to differ: one
# accepted and under way, one done, one declined, one forwarded and extended, one overdue.
EARLIER_SITTING_WEEKS_AGO = 6
SITTING_HOUR = 15  # local time
DEMO_SITTING_ROOM = "мәдениет үйінің залы"
# A past sitting entered now is, to the services, an agenda published late: say why.
DEMO_LATE_NOTICE = "Демо: өткен отырыс платформаға кейін, үлгі ретінде енгізілді."
RECOMMENDATION_ADDRESSEE = "Переметное ауылдық округінің әкімі (демо)"
DISTRICT_ROADS_DEPARTMENT = (
    "Бәйтерек ауданы әкімдігінің тұрғын үй-коммуналдық шаруашылығы, жолаушылар көлігі және "
    "автомобиль жолдары бөлімі (демо)"
)
ALL_FOR: tuple[tuple[str, str], ...] = (
    ("demo-secretary", "for"),
    ("demo-member", "for"),
    ("demo-councillor-1", "for"),
    ("demo-councillor-2", "for"),
    ("demo-councillor-3", "for"),
)


@dataclass(frozen=True)
class DemoProgress:
    percent: int
    text: str
    after: int  # working days after the recommendation was sent


@dataclass(frozen=True)
class DemoFate:
    """What the addressee does with a sent demo recommendation, through the accountability
    services; the defaults leave it waiting (and, once its due date passes, overdue)."""

    answer: str = ""  # a final answer: accepted, partially_accepted or declined
    answered_after: int = 0  # working days after it was sent
    measures: str = ""
    reason: str = ""
    amount_tenge: int | None = None  # with the budget year of the answer
    progress: tuple[DemoProgress, ...] = ()
    # Forwarded to the district department on this working day after it was sent (0: not).
    forwarded_after: int = 0
    forwarded_to: str = ""
    forward_reason: str = ""
    # Then the department extends the deadline to the charter's limit, with this reason.
    extension_reason: str = ""


@dataclass(frozen=True)
class DemoRecommendation:
    text_kk: str
    text_ru: str
    addressee_name: str = RECOMMENDATION_ADDRESSEE
    fate: DemoFate = field(default_factory=DemoFate)


@dataclass(frozen=True)
class DemoItem:
    title: str = ""  # a question's title; an item about a proposal takes the proposal's own
    text: str = ""
    proposal_title: str = ""  # the ready demo proposal the item is about
    # Open named votes of the demo accounts (username, choice); empty: not voted (yet).
    votes: tuple[tuple[str, str], ...] = ()
    decision_reason: str = ""
    recommendation: DemoRecommendation | None = None  # the words the council adopted, if adopted


SNOW_FEE_TITLE = "Қыста көшелерді қардан тазалауды ақылы қызметке айналдыру туралы"
PAST_ITEMS: tuple[DemoItem, ...] = (
    DemoItem(
        proposal_title=PLAYGROUND_TITLE,
        votes=(
            ("demo-secretary", "for"),
            ("demo-member", "for"),
            ("demo-councillor-1", "for"),
            ("demo-councillor-2", "for"),
            ("demo-councillor-3", "abstain"),
        ),
        # Left waiting for the akim's answer: the demo's path for "the akimat answers".
        recommendation=DemoRecommendation(
            text_kk=(
                "Переметное ауылдық округінің әкіміне: 2027 жылы Мәдениет үйінің жанынан балалар ойын алаңын "
                "салуды жергілікті бюджетке енгізу, алаңға қауіпсіз жабын төсеу және жұмыс барысын кеңеске "
                "хабарлау ұсынылады."
            ),
            text_ru=(
                "Акиму Переметнинского сельского округа: включить в местный бюджет на 2027 год строительство "
                "детской игровой площадки у Дома культуры с безопасным покрытием и сообщить совету о ходе работ."
            ),
        ),
    ),
    DemoItem(
        title=SNOW_FEE_TITLE,
        text=(
            "Әкімдік қыста көшелерді қардан тазалау үшін әр үйден ай сайын жарна жинауды ұсынады. "
            "Кеңес бұл ұсынысты қолдау-қолдамауды шешеді."
        ),
        votes=(
            ("demo-secretary", "against"),
            ("demo-member", "against"),
            ("demo-councillor-1", "for"),
            ("demo-councillor-2", "against"),
            ("demo-councillor-3", "abstain"),
        ),
        decision_reason=(
            "Кеңес тұрғындардан жарна жинауды орынсыз деп санады: көшелерді қардан тазалау "
            "ауылдық округтің бюджетінен қаржыландырылуы тиіс."
        ),
    ),
)
ROAD_TITLE = "Переметное — Забродино жолын жөндеу туралы"
CLUB_ROOF_TITLE = "Ауылдық клубтың шатырын жөндеу туралы"
EARLIER_ITEMS: tuple[DemoItem, ...] = (
    DemoItem(
        proposal_title=FOOTPATH_TITLE,
        votes=ALL_FOR,
        recommendation=DemoRecommendation(
            text_kk=(
                "Переметное ауылдық округінің әкіміне: ауыл орталығынан мектепке дейін жарықтандырылған жаяу "
                "жүргіншілер жолын (шамамен 800 метр) салу ұсынылады."
            ),
            text_ru=(
                "Акиму Переметнинского сельского округа: построить освещённый тротуар от центра села до школы "
                "(около 800 метров)."
            ),
            fate=DemoFate(
                answer="accepted",
                answered_after=9,
                measures=(
                    "800 метр жаяу жүргіншілер жолы төселіп, бойына 16 шам орнатылады. Жұмысты мердігер "
                    "келісім-шарт бойынша жүргізеді, кеңеске ай сайын хабарланады."
                ),
                amount_tenge=12_400_000,
                progress=(
                    DemoProgress(40, "Жиек тастары мен қиыршық тас әкелінді, жолдың 320 метрі төселді.", 15),
                    DemoProgress(70, "560 метр төселді, шам бағандарының іргетасы құйылды.", 24),
                ),
            ),
        ),
    ),
    DemoItem(
        proposal_title=SHELTER_TITLE,
        votes=ALL_FOR,
        recommendation=DemoRecommendation(
            text_kk=(
                "Переметное ауылдық округінің әкіміне: ауыл орталығындағы аялдамаға орындығы мен жарығы бар "
                "жабық күту орнын салу ұсынылады."
            ),
            text_ru=(
                "Акиму Переметнинского сельского округа: установить на остановке в центре села крытый павильон "
                "со скамьёй и освещением."
            ),
            fate=DemoFate(
                answer="accepted",
                answered_after=4,
                measures="Аялдама павильоны округ бюджетінен сатып алынып, орындығы мен шамымен бірге орнатылады.",
                amount_tenge=1_750_000,
                progress=(
                    DemoProgress(50, "Павильон сатып алынды, іргетасы құйылды.", 12),
                    DemoProgress(100, "Павильон орнатылды, орындық пен шам қосылды. Жұмыс аяқталды.", 20),
                ),
            ),
        ),
    ),
    DemoItem(
        proposal_title=POOL_TITLE,
        votes=(
            ("demo-secretary", "for"),
            ("demo-member", "for"),
            ("demo-councillor-1", "abstain"),
            ("demo-councillor-2", "for"),
            ("demo-councillor-3", "for"),
        ),
        recommendation=DemoRecommendation(
            text_kk=(
                "Переметное ауылдық округінің әкіміне: ауылда балаларға арналған жабық жүзу бассейнін салу "
                "мүмкіндігін қарастыру ұсынылады."
            ),
            text_ru=(
                "Акиму Переметнинского сельского округа: рассмотреть возможность строительства в селе крытого "
                "бассейна для детей."
            ),
            fate=DemoFate(
                answer="declined",
                answered_after=13,
                reason=(
                    "Бассейн салуға шамамен 450 млн теңге қажет: бұл округ бюджетінің бірнеше жылғы көлемінен "
                    "асады. Жазда өзен жағасында құтқарушы бекеті ашылады, ал бассейн мәселесі аудандық "
                    "бағдарламаға ұсынылады."
                ),
            ),
        ),
    ),
    DemoItem(
        title=ROAD_TITLE,
        text="Ауылдар арасындағы 6 шақырым жол шұңқырға толы, көктемде мектеп автобусы жүре алмайды.",
        votes=ALL_FOR,
        recommendation=DemoRecommendation(
            text_kk=(
                "Переметное ауылдық округінің әкіміне: Переметное — Забродино арасындағы 6 шақырымдық жолды "
                "орташа жөндеуден өткізу ұсынылады."
            ),
            text_ru=(
                "Акиму Переметнинского сельского округа: провести средний ремонт дороги Переметное — Забродино (6 км)."
            ),
            fate=DemoFate(
                forwarded_after=2,
                forwarded_to=DISTRICT_ROADS_DEPARTMENT,
                forward_reason="Аудандық маңызы бар жол: оны жөндеу аудан әкімдігінің құзыретінде.",
                extension_reason=(
                    "Жөндеудің жобалық-сметалық құжаттамасы мемлекеттік сараптамада. Қорытынды келген соң "
                    "жұмыс мерзімі мен құны нақты айтылады."
                ),
            ),
        ),
    ),
    DemoItem(
        title=CLUB_ROOF_TITLE,
        text="Клубтың шатыры ағады, қыста үйірмелер жабылып қалады.",
        votes=ALL_FOR,
        # No answer: past its due date it is overdue, and the daily check escalates it.
        recommendation=DemoRecommendation(
            text_kk="Переметное ауылдық округінің әкіміне: ауылдық клубтың шатырын қысқа дейін жөндеу ұсынылады.",
            text_ru="Акиму Переметнинского сельского округа: отремонтировать крышу сельского клуба до зимы.",
        ),
    ),
)
UPCOMING_ITEMS: tuple[DemoItem, ...] = (
    DemoItem(
        title="Мектеп көшесіндегі су құбыры: әкімдіктің ақпаратын тыңдау",
        text="Ауылдық округ әкімінің орынбасары су құбырын жөндеу жоспары туралы хабарлайды.",
    ),
    DemoItem(
        title="Кеңестің 2027 жылға арналған жұмыс жоспарын бекіту",
        text="Жоспардың жобасы мүшелерге отырыстан бір апта бұрын таратылады.",
    ),
)


@dataclass(frozen=True)
class DemoSittings:
    meetings: list[Meeting]
    created: int  # how many this run added
    secretary: str  # the username who runs them
    recommendation: Recommendation | None  # the newest, left waiting for the akim's answer
    # Every recommendation of the demo council, oldest first, with the fate the demo gave it.
    recommendations: list[Recommendation] = field(default_factory=list)
    escalated: int = 0  # overdue recommendations this run escalated to the district


def _weekday_on_or_before(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day -= datetime.timedelta(days=1)
    return day


def _weekday_on_or_after(day: datetime.date) -> datetime.date:
    while day.weekday() >= 5:
        day += datetime.timedelta(days=1)
    return day


def _at(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(SITTING_HOUR)))


def past_sitting_day(today: datetime.date) -> datetime.date:
    """A weekday three weeks back."""
    return _weekday_on_or_before(today - datetime.timedelta(weeks=PAST_SITTING_WEEKS_AGO))


def earlier_sitting_day(today: datetime.date) -> datetime.date:
    """A weekday six weeks back: its recommendations' 15 working days have run out by today."""
    return _weekday_on_or_before(today - datetime.timedelta(weeks=EARLIER_SITTING_WEEKS_AGO))


def upcoming_sitting_day(today: datetime.date, notice_days: int) -> datetime.date:
    """The 15th of next month (or the weekday after), never sooner than the charter's notice allows."""
    first_of_next = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    earliest = today + datetime.timedelta(days=notice_days + 1)
    return _weekday_on_or_after(max(first_of_next.replace(day=15), earliest))


def _secretary_of(council: Council, admin: User) -> User:
    """The user holding the council's secretary seat, who runs its sittings; else the administrator."""
    seat = (
        Member.objects.filter(council=council, status=Member.Status.ACTIVE, role=Member.Role.SECRETARY)
        .exclude(user__isnull=True)
        .select_related("user")
        .first()
    )
    return seat.user if seat is not None and seat.user is not None else admin


def _seat_of(council: Council, user: User) -> Member | None:
    return Member.objects.filter(council=council, status=Member.Status.ACTIVE, user=user).first()


def _add_items(*, actor: User, meeting: Meeting, items: Sequence[DemoItem]) -> list[tuple[AgendaItem, DemoItem]]:
    """The items on the agenda; one about a proposal that is not ready (any more) is left out."""
    added: list[tuple[AgendaItem, DemoItem]] = []
    for item in items:
        if item.proposal_title:
            proposal = Proposal.objects.filter(
                council=meeting.council, title=item.proposal_title, status=Status.READY, is_demo=True
            ).first()
            if proposal is None:
                continue
            agenda_item = meetings_services.add_agenda_item(actor=actor, meeting=meeting, proposal=proposal)
        else:
            agenda_item = meetings_services.add_agenda_item(
                actor=actor, meeting=meeting, title=item.title, text=item.text
            )
        added.append((agenda_item, item))
    return added


def _held(council: Council, title: str) -> bool:
    """Whether a closed demo sitting of the council had this question: the key of a past sitting."""
    return AgendaItem.objects.filter(
        meeting__council=council, meeting__is_demo=True, meeting__status=Meeting.Status.CLOSED, title=title
    ).exists()


def _hold_sitting(
    *,
    actor: User,
    council: Council,
    users: dict[str, User],
    place: str,
    day: datetime.date,
    items: Sequence[DemoItem],
) -> list[tuple[Recommendation, DemoItem]]:
    """A sitting on `day`: announced (late, with the reason), opened, the chair and every member who
    votes present, each item voted openly, each adopted one's recommendation worded and sent the
    next working day; closed. Returns the recommendations sent, with their items."""
    meeting = meetings_services.schedule_meeting(
        actor=actor, council=council, starts_at=_at(day), place=place, is_demo=True
    )
    agenda = _add_items(actor=actor, meeting=meeting, items=items)
    meeting = meetings_services.publish_agenda(actor=actor, meeting=meeting, late_notice_reason=DEMO_LATE_NOTICE)
    meetings_services.open_meeting(actor=actor, meeting=meeting)
    voters = {username for demo_item in items for username, _choice in demo_item.votes}
    present = [
        seat
        for seat in Member.objects.filter(council=council, status=Member.Status.ACTIVE).order_by("pk")
        if seat.role == Member.Role.CHAIR or (seat.user is not None and seat.user.username in voters)
    ]
    for seat in present:
        meetings_services.record_attendance(actor=actor, meeting=meeting, member=seat, present=True)
    sent: list[tuple[Recommendation, DemoItem]] = []
    for agenda_item, demo_item in agenda:
        meetings_services.open_vote(actor=actor, item=agenda_item)
        for username, choice in demo_item.votes:
            voter = users.get(username)
            if voter is not None and _seat_of(council, voter) is not None:
                meetings_services.cast_vote(actor=voter, item=agenda_item, choice=choice)
        closed = meetings_services.close_vote(actor=actor, item=agenda_item, decision_reason=demo_item.decision_reason)
        recommendation = Recommendation.objects.filter(item=closed).first()
        if recommendation is None or demo_item.recommendation is None:
            continue
        words = demo_item.recommendation
        recommendation = meetings_services.update_recommendation(
            actor=actor,
            recommendation=recommendation,
            text_kk=words.text_kk,
            text_ru=words.text_ru,
            addressee_kind=Recommendation.Addressee.OKRUG_AKIM,
            addressee_name=words.addressee_name,
        )
        recommendation = meetings_services.send_recommendation(
            actor=actor, recommendation=recommendation, sent_on=add_working_days(day, 1)
        )
        sent.append((recommendation, demo_item))
    meetings_services.close_meeting(actor=actor, meeting=meeting)
    return sent


def _give_fate(
    *, recommendation: Recommendation, fate: DemoFate, staff: User, district_staff: User, today: datetime.date
) -> None:
    """The addressee's acts on a sent recommendation, dated the given working days after it was
    sent (never after today), through the accountability services as the inbox would do them."""
    sent_on = recommendation.received_on
    assert sent_on is not None

    def after(working_days: int) -> datetime.date:
        return min(add_working_days(sent_on, working_days), today)

    if fate.forwarded_to:
        accountability_services.forward_recommendation(
            actor=staff,
            recommendation=recommendation,
            to_kind=Recommendation.Addressee.DISTRICT_DEPARTMENT,
            to_name=fate.forwarded_to,
            reason=fate.forward_reason,
            on=after(fate.forwarded_after),
        )
        if fate.extension_reason:
            received_on = recommendation.received_on
            assert received_on is not None
            assert recommendation.due_on is not None
            # Residents are told the new date: as late as the charter allows.
            accountability_services.extend_deadline(
                actor=district_staff,
                recommendation=recommendation,
                new_due_on=accountability_selectors.extension_limit(recommendation),
                reason=fate.extension_reason,
                on=min(add_working_days(received_on, 5), recommendation.due_on, today),
            )
    if not fate.answer:
        return
    answered_on = after(fate.answered_after)
    accountability_services.answer_recommendation(
        actor=staff,
        recommendation=recommendation,
        kind=fate.answer,
        text=fate.measures,
        reason=fate.reason,
        budget_year=answered_on.year if fate.amount_tenge is not None else None,
        amount_tenge=Decimal(fate.amount_tenge) if fate.amount_tenge is not None else None,
        on=answered_on,
    )
    for step in fate.progress:
        accountability_services.report_progress(
            actor=staff,
            recommendation=recommendation,
            percent=step.percent,
            text=step.text,
            on=max(after(step.after), answered_on),
        )


def _announce_upcoming_sitting(*, actor: User, council: Council, place: str) -> Meeting:
    day = upcoming_sitting_day(timezone.localdate(), council.charter.notice_days)
    meeting = meetings_services.schedule_meeting(
        actor=actor, council=council, starts_at=_at(day), place=place, is_demo=True
    )
    _add_items(actor=actor, meeting=meeting, items=UPCOMING_ITEMS)
    meeting = meetings_services.publish_agenda(actor=actor, meeting=meeting)
    meeting.refresh_from_db()
    return meeting


def _load_sittings(*, admin: User, place: DemoPlace) -> DemoSittings | None:
    """In the complete council: a sitting six weeks ago whose recommendations the akim has answered
    in different ways (and one left overdue, escalated by the daily check), one three weeks ago
    whose recommendation waits for the answer, and one announced for next month. Keyed on a question
    of each past sitting and on a sitting still ahead."""
    council = councils_selectors.find_council(place.okrug.kato)
    if council is None or not council.is_demo or council.status != Council.Status.ACTIVE:
        return None
    actor = _secretary_of(council, admin)
    users = {user.username: user for user in get_user_model().objects.filter(username__in=DEMO_USERNAMES)}
    room = f"{place.settlement.name_kk}, {DEMO_SITTING_ROOM}"
    today = timezone.localdate()
    demo = Meeting.objects.filter(council=council, is_demo=True)
    created = escalated = 0
    if not _held(council, CLUB_ROOF_TITLE):
        sent = _hold_sitting(
            actor=actor, council=council, users=users, place=room, day=earlier_sitting_day(today), items=EARLIER_ITEMS
        )
        created += 1
        staff, district_staff = users.get("demo-akimat"), users.get("demo-district")
        if staff is not None and district_staff is not None:
            for recommendation, demo_item in sent:
                assert demo_item.recommendation is not None
                _give_fate(
                    recommendation=recommendation,
                    fate=demo_item.recommendation.fate,
                    staff=staff,
                    district_staff=district_staff,
                    today=today,
                )
        # What the daily task would have done by now: the unanswered one is overdue and escalated.
        escalated = accountability_services.check_deadlines(today=today).escalated
    if not _held(council, SNOW_FEE_TITLE):
        _hold_sitting(
            actor=actor, council=council, users=users, place=room, day=past_sitting_day(today), items=PAST_ITEMS
        )
        created += 1
    ahead = (Meeting.Status.DRAFT, Meeting.Status.PUBLISHED, Meeting.Status.IN_PROGRESS)
    if not demo.filter(status__in=ahead, starts_at__gt=timezone.now()).exists():
        _announce_upcoming_sitting(actor=actor, council=council, place=room)
        created += 1
    meetings = list(demo.select_related("council__okrug").order_by("starts_at", "pk"))
    recommendations = list(
        Recommendation.objects.filter(council=council, is_demo=True)
        .select_related("council__okrug")
        .order_by("adopted_on", "year", "sequence")
    )
    waiting = [found for found in recommendations if found.status == Recommendation.Status.SENT]
    return DemoSittings(
        meetings=meetings,
        created=created,
        secretary=actor.username,
        recommendation=waiting[-1] if waiting else (recommendations[-1] if recommendations else None),
        recommendations=recommendations,
        escalated=escalated,
    )


# From City to Village ---------------------------------------------------------------------------

DEMO_EMPLOYER_NAME = "«Ақ Бидай» шаруа қожалығы (демо)"
DEMO_EMPLOYER_BIN = "990940000017"  # synthetic: 12 digits, no real business
PROGRAMME_JOINED_ON = datetime.date(2024, 3, 1)  # the oblast's pilot started in 2024
RELOCATION_VILLAGES = 4
OFFER_OPEN_DAYS = 120  # vacancies and housing stay open this long from the day the demo is loaded
EMPLOYER_USERNAME = "demo-employer"
FAMILY_USERNAME = "demo-family"


@dataclass(frozen=True)
class DemoOffer:
    key: str  # how the demo refers to it
    village: int  # index into the programme's demo villages (wraps round when fewer are loaded)
    kind: str
    title: str
    description: str
    by_employer: bool = False  # published by demo-employer for the demo farm; else by demo-programme
    open_ended: bool = False  # no expiry date (support measures run all year)
    position: str = ""
    profession: str = ""  # Profession.code
    salary_tenge: int | None = None
    requirements: str = ""
    positions: int | None = None
    housing_type: str = ""
    rooms: int | None = None
    condition: str = ""
    tenure: str = ""
    area_hectares: Decimal | None = None
    land_purpose: str = ""
    measure: str = ""
    amount_mci: Decimal | None = None


DEMO_OFFERS: tuple[DemoOffer, ...] = (
    DemoOffer(
        key="veterinarian",
        village=0,
        kind="vacancy",
        title="Ветеринар дәрігер (2 орын)",
        description="Шаруа қожалығының 600 бас ірі қарасы бар. Қызметтік көлік беріледі.",
        by_employer=True,
        position="Ветеринар дәрігер",
        profession="veterinarian",
        salary_tenge=320_000,
        requirements="Ветеринария бойынша жоғары немесе арнаулы орта білім.",
        positions=2,
    ),
    DemoOffer(
        key="house",
        village=0,
        kind="housing",
        title="Үш бөлмелі үй",
        description="Ағаш үй, газ және су кірген, ауласы 10 сотық. Қоныс аударатын отбасыға тегін беріледі.",
        housing_type="house",
        rooms=3,
        condition="good",
        tenure="free",
    ),
    DemoOffer(
        key="resettlement",
        village=0,
        kind="support",
        title="Қоныс аударушыларға төлем: отбасының әр мүшесіне 70 АЕК",
        description="Квота бойынша қоныс аударған отбасының әр мүшесіне бір реттік төлем.",
        open_ended=True,
        measure="resettlement",
        amount_mci=Decimal("70"),
    ),
    DemoOffer(
        key="teacher",
        village=1,
        kind="vacancy",
        title="Бастауыш сынып мұғалімі",
        description="Ауыл мектебі, 120 оқушы. Мұғалімге қызметтік пәтер беріледі.",
        position="Бастауыш сынып мұғалімі",
        profession="teacher",
        salary_tenge=260_000,
        requirements="Педагогикалық білім; қазақ және орыс тілдері.",
        positions=1,
    ),
    DemoOffer(
        key="service_housing",
        village=1,
        kind="housing",
        title="Мұғалімге қызметтік пәтер",
        description="Мектептің жанындағы жаңа үйдегі екі бөлмелі пәтер.",
        housing_type="apartment",
        rooms=2,
        condition="new",
        tenure="service",
    ),
    DemoOffer(
        key="lifting_allowance",
        village=1,
        kind="support",
        title="Көтерме жәрдемақы: 100 АЕК",
        description="«Дипломмен – ауылға» бағдарламасы: ауылға келген маманға бір реттік жәрдемақы.",
        open_ended=True,
        measure="lifting_allowance",
        amount_mci=Decimal("100"),
    ),
    DemoOffer(
        key="tractor_driver",
        village=2,
        kind="vacancy",
        title="Тракторшы-механизатор",
        description="Көктемгі егіс пен орақ науқаны, жыл бойы техника жөндеу.",
        by_employer=True,
        position="Тракторшы-механизатор",
        profession="tractor_driver",
        salary_tenge=280_000,
        requirements="Тракторшы куәлігі (B, C санаттары).",
        positions=1,
    ),
    DemoOffer(
        key="land",
        village=2,
        kind="land",
        title="Жеке қосалқы шаруашылыққа 0,25 га жер",
        description="Ауыл шетіндегі учаске, суару құбыры 50 метрде.",
        area_hectares=Decimal("0.25"),
        land_purpose="household_farming",
    ),
    DemoOffer(
        key="microcredit",
        village=3,
        kind="support",
        title="«Ауыл аманаты» микрокредиті: 2 500 АЕК-ке дейін",
        description="Ауылда өз ісін ашуға жылдық 2,5 %-бен 5 жылға дейінгі несие.",
        open_ended=True,
        measure="microcredit",
        amount_mci=Decimal("2500"),
    ),
)


@dataclass(frozen=True)
class DemoMember:
    relation: str
    full_name: str
    birth_year: int
    profession: str = ""  # Profession.code
    skills: str = ""
    seeks_work: bool = False


@dataclass(frozen=True)
class DemoFamily:
    username: str
    full_name: str
    current_city: str
    members: tuple[DemoMember, ...]
    applies_to: str  # DemoOffer.key
    message: str
    open_to_offers: bool = False
    rooms_needed: int | None = None
    wants_land: bool = False
    notes: str = ""
    # An earlier move: how many months ago, who found work, and (if they left) why.
    moved_months_ago: int | None = None
    employed: int = 0
    left_reason: str = ""


DEMO_FAMILY = DemoFamily(
    username=FAMILY_USERNAME,
    full_name="Асхат Нұрғалиев (демо)",
    current_city="Орал",
    members=(
        DemoMember(
            "self",
            "Асхат Нұрғалиев (демо)",
            1988,
            "veterinarian",
            "Ірі қара малды емдеу, вакцинация, жасанды ұрықтандыру",
            seeks_work=True,
        ),
        DemoMember("spouse", "Динара Нұрғалиева (демо)", 1991, "teacher", "Бастауыш сынып, ағылшын тілі", True),
        DemoMember("child", "Әлихан Нұрғалиев (демо)", 2015),
        DemoMember("child", "Аружан Нұрғалиева (демо)", 2019),
    ),
    applies_to="house",
    message="Төрт адамбыз, үй бізге сай келеді. Келесі аптада көруге келе аламыз ба?",
    open_to_offers=True,
    rooms_needed=3,
    wants_land=True,
    notes="Оралда пәтер жалдап тұрамыз; ауылда өз үйіміз бен шаруашылығымыз болғанын қалаймыз.",
)
EARLIER_FAMILIES: tuple[DemoFamily, ...] = (
    DemoFamily(
        username="demo-family-2",
        full_name="Ерболат Сәрсенов (демо)",
        current_city="Орал",
        members=(
            DemoMember("self", "Ерболат Сәрсенов (демо)", 1985, "machine_operator", "Комбайн, трактор", True),
            DemoMember("spouse", "Гүлнар Сәрсенова (демо)", 1987, "nurse", "Емхана мейірбикесі", True),
            DemoMember("child", "Нұрсұлтан Сәрсенов (демо)", 2012),
        ),
        applies_to="resettlement",
        message="Көктемде көшуге дайынбыз.",
        moved_months_ago=8,
        employed=2,
    ),
    DemoFamily(
        username="demo-family-3",
        full_name="Ғалия Ермекова (демо)",
        current_city="Ақсай",
        members=(
            DemoMember("self", "Ғалия Ермекова (демо)", 1994, "accountant", "1С, салық есебі", True),
            DemoMember("spouse", "Дәулет Ермеков (демо)", 1993, "driver", "C санаты", True),
        ),
        applies_to="microcredit",
        message="Ауылда наубайхана ашқымыз келеді.",
        moved_months_ago=9,
        employed=1,
        left_reason="Жұбайына тұрақты жұмыс табылмады, отбасы Ақсайға оралды.",
    ),
)
RELOCATION_USERNAMES = (EMPLOYER_USERNAME, FAMILY_USERNAME, *(family.username for family in EARLIER_FAMILIES))
EMPLOYER_FULL_NAME = "Қанат Жақсыбеков (демо)"


@dataclass(frozen=True)
class DemoRelocation:
    employer: Employer
    villages: list[Settlement]
    offers: list[Offer]
    applications: list[Application]
    moves: list[Move]
    logins: list[DemoLogin]
    created: int  # offers, applications and moves this run added

    @property
    def still_there(self) -> int:
        return sum(1 for move in self.moves if move.status == Move.Status.STAYING)


def programme_villages(place: DemoPlace) -> list[Settlement]:
    """Up to four villages of the pilot district: the demo village first, then the main village of
    each next rural okrug, then (in a small district) the other villages of the demo okrug."""
    chosen = [place.settlement]
    others = (
        Settlement.objects.filter(
            district=place.district,
            retired_at__isnull=True,
            okrug__kind=Okrug.Kind.RURAL_OKRUG,
            okrug__retired_at__isnull=True,
            is_main=True,
        )
        .exclude(okrug=place.okrug)
        .order_by("okrug__kato", "kato")
    )
    for settlement in others[: RELOCATION_VILLAGES - 1]:
        chosen.append(settlement)
    for settlement in _okrug_settlements(place.okrug):
        if len(chosen) >= RELOCATION_VILLAGES:
            break
        if settlement not in chosen:
            chosen.append(settlement)
    return chosen


def _relocation_user(*, username: str, full_name: str) -> tuple[User, bool]:
    return _ensure_user(person=DemoPerson(username, full_name, None, ""))


def _ensure_employer(*, actor: User, member: User, district: District) -> Employer:
    """The demo farm: registered by demo-employer and verified by programme staff, through the services."""
    employer = Employer.objects.filter(bin=DEMO_EMPLOYER_BIN).first()
    if employer is None:
        employer = relocation_services.register_employer(
            actor=member, name=DEMO_EMPLOYER_NAME, bin=DEMO_EMPLOYER_BIN, district=district
        )
        Employer.objects.filter(pk=employer.pk).update(is_demo=True)
    if employer.verified_at is None:
        employer = relocation_services.verify_employer(actor=actor, employer=employer)
    if not employer.users.filter(pk=member.pk).exists():
        employer.users.add(member)
        record_audit(actor=actor, action="relocation.employer_member_added", target=employer, after={"user": member.pk})
    employer.refresh_from_db()
    return employer


def _ensure_programme_villages(*, actor: User, villages: Sequence[Settlement]) -> None:
    for settlement in villages:
        if ProgrammeSettlement.objects.filter(settlement=settlement).exists():
            continue
        entry = ProgrammeSettlement.objects.create(settlement=settlement, joined_on=PROGRAMME_JOINED_ON, is_demo=True)
        record_audit(
            actor=actor,
            action="relocation.programme_settlement_added",
            target=entry,
            after={"settlement": settlement.kato, "joined_on": PROGRAMME_JOINED_ON.isoformat(), "is_demo": True},
        )


def _offer_data(item: DemoOffer, professions: dict[str, Profession], today: datetime.date) -> OfferData:
    return OfferData(
        kind=item.kind,
        title=item.title,
        description=item.description,
        expires_on=None if item.open_ended else today + datetime.timedelta(days=OFFER_OPEN_DAYS),
        position=item.position,
        profession=professions.get(item.profession),
        salary_tenge=item.salary_tenge,
        requirements=item.requirements,
        positions=item.positions,
        housing_type=item.housing_type,
        rooms=item.rooms,
        condition=item.condition,
        tenure=item.tenure,
        available_from=today if item.kind == "housing" else None,
        area_hectares=item.area_hectares,
        land_purpose=item.land_purpose,
        measure=item.measure,
        amount_mci=item.amount_mci,
    )


def _ensure_offer(
    *,
    item: DemoOffer,
    settlement: Settlement,
    programme: User,
    employer_user: User,
    employer: Employer,
    professions: dict[str, Profession],
    today: datetime.date,
) -> tuple[Offer, bool]:
    offer = Offer.objects.filter(settlement=settlement, title=item.title, is_demo=True).first()
    if offer is not None:
        return offer, False
    offer = relocation_services.create_offer(
        actor=employer_user if item.by_employer else programme,
        settlement=settlement,
        data=_offer_data(item, professions, today),
        employer=employer if item.by_employer else None,
        publish=True,
    )
    Offer.objects.filter(pk=offer.pk).update(is_demo=True)
    offer.is_demo = True
    return offer, True


def _ensure_applicant(
    *, family: DemoFamily, user: User, district: District, professions: dict[str, Profession]
) -> Applicant:
    applicant = Applicant.objects.filter(user=user).first()
    if applicant is not None:
        return applicant
    applicant = relocation_services.register_applicant(
        actor=user,
        current_city=family.current_city,
        members=[
            MemberData(
                relation=member.relation,
                full_name=member.full_name,
                birth_year=member.birth_year,
                profession=professions.get(member.profession),
                skills=member.skills,
                seeks_work=member.seeks_work,
            )
            for member in family.members
        ],
        wished_districts=[district],
        rooms_needed=family.rooms_needed,
        wants_land=family.wants_land,
        notes=family.notes,
        open_to_offers=family.open_to_offers,
        consent=True,
    )
    Applicant.objects.filter(pk=applicant.pk).update(is_demo=True)
    applicant.is_demo = True
    return applicant


def _ensure_application(*, applicant: Applicant, user: User, offer: Offer, message: str) -> tuple[Application, bool]:
    application = Application.objects.filter(applicant=applicant, offer=offer).first()
    if application is not None:
        return application, False
    application = relocation_services.apply_to_offer(actor=user, offer=offer, message=message)
    Application.objects.filter(pk=application.pk).update(is_demo=True)
    application.is_demo = True
    return application, True


def _ensure_earlier_move(
    *, family: DemoFamily, application: Application, programme: User, today: datetime.date
) -> tuple[Move, bool]:
    """Accepted, moved `moved_months_ago` months back, checked at six months: still there, or left."""
    existing = Move.objects.filter(application=application).first()
    if existing is not None:
        return existing, False
    assert family.moved_months_ago is not None
    for status in (Application.Status.IN_TALKS, Application.Status.ACCEPTED):
        if application.status != status:
            application = relocation_services.advance_application(
                actor=programme, application=application, status=status
            )
    moved_on = add_months(today, -family.moved_months_ago)
    move = relocation_services.record_move(
        actor=programme,
        application=application,
        moved_on=moved_on,
        household_size=len(family.members),
        children=sum(1 for member in family.members if member.relation == "child"),
        employed=family.employed,
    )
    Move.objects.filter(pk=move.pk).update(is_demo=True)
    relocation_services.record_retention(
        actor=programme,
        move=move,
        months=6,
        still_there=not family.left_reason,
        checked_on=add_months(moved_on, 6),
        reason=family.left_reason,
    )
    move.refresh_from_db()
    return move, True


def _load_relocation(*, place: DemoPlace) -> DemoRelocation:
    """The From City to Village part: the programme's villages, a verified farm and its person, offers
    of every kind, a family from Oral in talks about a house, and two families who moved earlier."""
    programme = get_user_model().objects.get(username="demo-programme")
    today = timezone.localdate()
    logins: list[DemoLogin] = []
    employer_user, created_user = _relocation_user(username=EMPLOYER_USERNAME, full_name=EMPLOYER_FULL_NAME)
    employer = _ensure_employer(actor=programme, member=employer_user, district=place.district)
    logins.append(
        DemoLogin(EMPLOYER_USERNAME, EMPLOYER_FULL_NAME, "employer", f"{employer.name}", created=created_user)
    )
    villages = programme_villages(place)
    _ensure_programme_villages(actor=programme, villages=villages)
    professions = {profession.code: profession for profession in Profession.objects.all()}
    created = 0
    offers: dict[str, Offer] = {}
    for item in DEMO_OFFERS:
        offer, new = _ensure_offer(
            item=item,
            settlement=villages[item.village % len(villages)],
            programme=programme,
            employer_user=employer_user,
            employer=employer,
            professions=professions,
            today=today,
        )
        offers[item.key] = offer
        created += new

    applications: list[Application] = []
    moves: list[Move] = []
    for family in (DEMO_FAMILY, *EARLIER_FAMILIES):
        user, created_user = _relocation_user(username=family.username, full_name=family.full_name)
        applicant = _ensure_applicant(family=family, user=user, district=place.district, professions=professions)
        logins.append(
            DemoLogin(family.username, family.full_name, "applicant", family.current_city, created=created_user)
        )
        application, new = _ensure_application(
            applicant=applicant, user=user, offer=offers[family.applies_to], message=family.message
        )
        created += new
        if family.moved_months_ago is None:
            if application.status == Application.Status.APPLIED:
                application = relocation_services.advance_application(
                    actor=programme, application=application, status=Application.Status.IN_TALKS
                )
        else:
            move, new = _ensure_earlier_move(family=family, application=application, programme=programme, today=today)
            moves.append(move)
            created += new
            application.refresh_from_db(fields=["status"])
        applications.append(application)
    return DemoRelocation(
        employer=employer,
        villages=villages,
        offers=list(offers.values()),
        applications=applications,
        moves=moves,
        logins=logins,
        created=created,
    )
