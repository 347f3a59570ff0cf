"""A national synthetic data set for load tests: every rural okrug a council, with residents,
proposals, supports, sittings, votes, recommendations and answers (issue 10, decision 0011).

Everything is `is_demo` (the pages label it as demo data) and named as synthetic. It is written with
COPY on PostgreSQL (`kenes.core.bulk`), one transaction per batch of okrugs, so an interrupted run
leaves whole okrugs and a second run continues where it stopped: an okrug that has a council is left
alone. The same seed and the same `as_of` day give the same rows for an okrug whatever else is loaded,
because each okrug draws from its own generator seeded by (seed, KATO code).

Per okrug, on average: 150 residents, 221 proposals, about 10 supports each (5,000,000 in all for the
2,261 rural okrugs), 13 sittings (12 held, 1 announced), 44 recommendations with their answers.
"""

from __future__ import annotations

import datetime
import hashlib
import random
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import QuerySet
from django.utils import timezone

from kenes.accountability.models import Answer
from kenes.accounts.models import ResidentProfile, Role, RoleAssignment, User
from kenes.core.bulk import BulkTable, reset_sequences
from kenes.councils.models import Charter, Coordinator, Council, Member, SeatGroup
from kenes.meetings.models import AgendaItem, Attendance, Meeting, Recommendation, Vote
from kenes.proposals.models import Area, Proposal, Status, Support, TimelineEvent
from kenes.proposals.search import fold
from kenes.territory.models import District, Okrug, Region, Settlement

DEFAULT_SEED = 2026
CHARTER_NAME = "Синтетикалық жүктеме сынағы / Synthetic scale test"
SOURCE = "Synthetic (scale test)"
BATCH_OKRUGS = 25

RESIDENTS = 150
PROPOSALS = 221
HELD_SITTINGS = 12
MEMBERS = 9
# How a proposal ends up (weights per 1,000), before the sittings take the recommended/declined ones.
FATES: list[tuple[str, int]] = [
    (Status.COLLECTING, 420),
    (Status.SUBMITTED, 60),
    (Status.RETURNED, 40),
    (Status.FORWARDED, 40),
    (Status.READY, 40),
    (Status.RECOMMENDED, 200),
    (Status.DECLINED, 60),
    (Status.DRAFT, 40),
    (Status.ON_AGENDA, 0),
    (Status.MERGED, 0),
]
SUPPORTED = {Status.COLLECTING, Status.READY, Status.ON_AGENDA, Status.RECOMMENDED, Status.DECLINED}
TOPICS: dict[str, list[tuple[str, str]]] = {
    Area.INFRASTRUCTURE: [
        ("{street} көшесіндегі жолды жөндеу", "Ремонт дороги по улице {street}"),
        ("{village} ауылына көше жарығын орнату", "Уличное освещение в селе {village}"),
        ("Аялдамаға күркe салу, {village}", "Навес на остановке в селе {village}"),
    ],
    Area.HOUSING_UTILITIES: [
        ("{village} ауылындағы су құбырын ауыстыру", "Замена водопровода в селе {village}"),
        ("{street} көшесін газбен қамту", "Газификация улицы {street}"),
        ("Қоқыс шығару кестесі, {village}", "График вывоза мусора в селе {village}"),
    ],
    Area.HOUSEHOLD_FARMING: [
        ("{village} маңындағы жайылымды қалпына келтіру", "Восстановление пастбища у села {village}"),
        ("Мал дәрігерлік пункт ашу, {village}", "Открыть ветпункт в селе {village}"),
    ],
    Area.SOCIAL: [
        ("{village} мектебіне спорт алаңы", "Спортплощадка у школы в селе {village}"),
        ("Фельдшерлік пункттің жұмыс уақытын ұзарту", "Продлить часы работы ФАП в селе {village}"),
        ("Балалар ойын алаңы, {street} көшесі", "Детская площадка на улице {street}"),
    ],
    Area.DEVELOPMENT: [
        ("{village} ауылының бас жоспарын жаңарту", "Обновить генплан села {village}"),
        ("Ауылдық туризм маршруты, {village}", "Маршрут сельского туризма, {village}"),
    ],
    Area.OTHER: [("{village} ауылындағы ит-мысық мәселесі", "Бродячие животные в селе {village}")],
}
STREETS = ["Абай", "Достық", "Бейбітшілік", "Жеңіс", "Мира", "Школьная", "Орталық", "Жастар", "Степная", "Садовая"]
GIVEN = ["Айгүл", "Ерлан", "Сәуле", "Нұрлан", "Мария", "Асқар", "Гүлнар", "Иван", "Дана", "Бауыржан", "Ольга"]
FAMILY = ["Сәрсенов", "Ахметова", "Иванов", "Жұмабаева", "Қасымов", "Петрова", "Тоқтаров", "Ким", "Серікова"]


@dataclass
class ScaleResult:
    okrugs: int = 0
    skipped: int = 0
    rows: dict[str, int] = field(default_factory=dict)


def rural_okrugs(count: int | None) -> QuerySet[Okrug]:
    """The current rural okrugs in KATO order: all of them, or the first `count`."""
    okrugs = (
        Okrug.objects.filter(kind=Okrug.Kind.RURAL_OKRUG, retired_at__isnull=True)
        .select_related("district__region")
        .order_by("kato")
    )
    return okrugs if count is None else okrugs[:count]


class _Tables:
    """One BulkTable per model, written in this order (parents before children)."""

    def __init__(self) -> None:
        self.users = BulkTable(User)
        self.roles = BulkTable(RoleAssignment)
        self.profiles = BulkTable(ResidentProfile)
        self.councils = BulkTable(Council)
        self.members = BulkTable(Member)
        self.coordinators = BulkTable(Coordinator)
        self.proposals = BulkTable(Proposal)
        self.supports = BulkTable(Support)
        self.timeline = BulkTable(TimelineEvent)
        self.meetings = BulkTable(Meeting)
        self.items = BulkTable(AgendaItem)
        self.attendance = BulkTable(Attendance)
        self.votes = BulkTable(Vote)
        self.recommendations = BulkTable(Recommendation)
        self.recommendation_proposals = BulkTable(Recommendation.proposals.through)
        self.answers = BulkTable(Answer)

    def all(self) -> list[BulkTable]:
        return [value for value in vars(self).values() if isinstance(value, BulkTable)]

    def flush(self) -> None:
        for table in self.all():
            table.flush()


def _digest(*parts: object) -> str:
    return hashlib.sha256("|".join(str(part) for part in parts).encode()).hexdigest()


def _moment(day: datetime.date, rng: random.Random, *, hour: int | None = None) -> datetime.datetime:
    at = datetime.time(hour if hour is not None else rng.randint(8, 20), rng.randint(0, 59))
    return timezone.make_aware(datetime.datetime.combine(day, at))


def _name(rng: random.Random) -> str:
    return f"{rng.choice(GIVEN)} {rng.choice(FAMILY)} (синтетика)"


@dataclass
class _Context:
    seed: int
    as_of: datetime.date
    charter: Charter
    roles: dict[str, int]
    staff: dict[int, int]  # district id → an akimat staff user answering for its okrugs
    tables: _Tables


class _Okrug:
    """Builds the rows of one okrug's council from its own random generator."""

    def __init__(self, okrug: Okrug, settlements: list[Settlement], context: _Context) -> None:
        self.okrug = okrug
        self.settlements = settlements or []
        self.context = context
        self.tables = context.tables
        self.rng = random.Random(f"{context.seed}:{okrug.kato}")  # noqa: S311 (synthetic data, reproducible)
        self.today = context.as_of
        self.now = timezone.make_aware(datetime.datetime.combine(self.today, datetime.time(12, 0)))

    def _user(self, username: str, full_name: str, *, staff: bool = False) -> int:
        return self.tables.users.add(
            username=username,
            password="!",  # noqa: S106 (unusable: nobody signs in as a synthetic person)
            full_name=full_name,
            first_name="",
            last_name="",
            email="",
            is_staff=False,
            is_active=True,
            is_superuser=False,
            is_demo=True,
            date_joined=self.now,
        )

    def build(self) -> None:
        okrug, rng, tables = self.okrug, self.rng, self.tables
        kato = okrug.kato
        villages = self.settlements
        assert villages, "an okrug with settlements"
        established = self.today - datetime.timedelta(days=3 * 365 + rng.randint(0, 200))
        council_id = tables.councils.add(
            okrug_id=okrug.pk,
            charter_id=self.context.charter.pk,
            status=Council.Status.ACTIVE,
            established_on=established,
            population=rng.randint(900, 7000),
            population_year=self.today.year - 1,
            population_source=SOURCE,
            is_demo=True,
        )
        residents = [self._resident(kato, index, villages) for index in range(RESIDENTS)]
        members = self._members(council_id, kato, villages, established)
        coordinator = self._user(f"scale-{kato}-coordinator", _name(rng))
        tables.coordinators.add(
            council_id=council_id,
            user_id=coordinator,
            full_name=_name(rng),
            maslikhat="Аудандық мәслихат (синтетика)",
            started_on=established,
            is_demo=True,
        )
        tables.roles.add(user_id=coordinator, role_id=self.context.roles[Role.COORDINATOR], okrug_id=okrug.pk)
        proposals = self._proposals(council_id, residents, villages)
        self._sittings(council_id, members, proposals, established)

    def _resident(self, kato: str, index: int, villages: list[Settlement]) -> int:
        rng = self.rng
        user = self._user(f"scale-{kato}-{index:03d}", _name(rng))
        village = rng.choice(villages)
        born = datetime.date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
        self.tables.profiles.add(
            user_id=user,
            iin_digest=_digest("scale", self.context.seed, kato, index),
            iin_masked=f"{born:%y%m}********",
            birth_date=born,
            settlement_id=village.pk,
            verified_at=self.now,
        )
        return user

    def _members(self, council_id: int, kato: str, villages: list[Settlement], established: datetime.date) -> list[int]:
        rng, tables = self.rng, self.tables
        roles = [Member.Role.CHAIR, Member.Role.SECRETARY] + [Member.Role.MEMBER] * (MEMBERS - 2)
        groups = [SeatGroup.PUBLIC_ASSOCIATIONS, SeatGroup.BUSINESS, SeatGroup.YOUTH, SeatGroup.VETERANS]
        members = []
        for index, role in enumerate(roles):
            user = self._user(f"scale-{kato}-member-{index}", _name(rng)) if index < 2 else None
            village = villages[index % len(villages)]
            group = SeatGroup.RESIDENTS if index % 2 == 0 else groups[index % len(groups)]
            members.append(
                tables.members.add(
                    council_id=council_id,
                    user_id=user,
                    full_name=_name(rng),
                    seat_group=group,
                    settlement_id=village.pk,
                    role=role,
                    term_start=established,
                    term_end=established + datetime.timedelta(days=4 * 365),
                    status=Member.Status.ACTIVE,
                    is_demo=True,
                )
            )
            if user is not None:
                tables.roles.add(user_id=user, role_id=self.context.roles[Role.COUNCIL_MEMBER], okrug_id=self.okrug.pk)
        return members

    def _proposals(self, council_id: int, residents: list[int], villages: list[Settlement]) -> dict[str, list[int]]:
        rng, tables, okrug = self.rng, self.tables, self.okrug
        fates, weights = zip(*FATES, strict=True)
        count = max(1, round(rng.gauss(PROPOSALS, PROPOSALS * 0.15)))
        by_status: dict[str, list[int]] = {}
        for _ in range(count):
            status = rng.choices(fates, weights)[0]
            village = rng.choice(villages)
            place = village.short_name_kk
            area = rng.choice(list(TOPICS))
            kk, ru = rng.choice(TOPICS[area])
            language = "kk" if rng.random() < 0.6 else "ru"
            title = (kk if language == "kk" else ru).format(village=place, street=rng.choice(STREETS))
            body = f"{title}. Синтетикалық дерек: жүктеме сынағына арналған. / Synthetic data for load tests."
            submitted = self.now - datetime.timedelta(days=rng.randint(1, 3 * 365), minutes=rng.randint(0, 1439))
            supported = status in SUPPORTED
            supporters = rng.sample(residents, min(len(residents), _support_count(rng))) if supported else []
            proposal = tables.proposals.add(
                council_id=council_id,
                okrug_id=okrug.pk,
                settlement_id=village.pk,
                author_id=rng.choice(residents),
                title=title[:200],
                body=body,
                language=language,
                area=area,
                status=status,
                support_count=len(supporters),
                search_text=fold(f"{title} {body}"),
                created_at=submitted,
                updated_at=submitted,
                submitted_at=None if status == Status.DRAFT else submitted,
                screening_due_on=None if status == Status.DRAFT else submitted.date() + datetime.timedelta(days=10),
                screened_at=None if status in (Status.DRAFT, Status.SUBMITTED) else submitted,
                forwarded_to="Аудандық тұрғын үй-коммуналдық бөлімі (синтетика)" if status == Status.FORWARDED else "",
                is_demo=True,
            )
            by_status.setdefault(status, []).append(proposal)
            if status != Status.DRAFT:
                tables.timeline.add(proposal_id=proposal, kind=TimelineEvent.Kind.SUBMITTED, created_at=submitted)
            for index, resident in enumerate(supporters):
                tables.supports.add(
                    proposal_id=proposal, resident_id=resident, created_at=submitted + datetime.timedelta(hours=index)
                )
        return by_status

    def _sittings(
        self, council_id: int, members: list[int], proposals: dict[str, list[int]], established: datetime.date
    ) -> None:
        rng, tables = self.rng, self.tables
        recommended = list(proposals.get(Status.RECOMMENDED, []))
        declined = list(proposals.get(Status.DECLINED, []))
        span = (self.today - established).days
        days = sorted(
            established + datetime.timedelta(days=span * (n + 1) // (HELD_SITTINGS + 1)) for n in range(HELD_SITTINGS)
        )
        sequence_by_year: dict[int, int] = {}
        for number, day in enumerate(days):
            starts = _moment(day, rng, hour=15)
            meeting = tables.meetings.add(
                council_id=council_id,
                kind=Meeting.Kind.REGULAR,
                starts_at=starts,
                place="Мәдениет үйі (синтетика)",
                status=Meeting.Status.CLOSED,
                published_at=starts - datetime.timedelta(days=7),
                opened_at=starts,
                closed_at=starts + datetime.timedelta(hours=2),
                chair_id=members[0],
                secretary_id=members[1],
                is_demo=True,
            )
            present = [member for member in members if rng.random() < 0.85] or members[:5]
            for member in members:
                tables.attendance.add(
                    meeting_id=meeting,
                    member_id=member,
                    present=member in present,
                    arrived_at=starts if member in present else None,
                )
            share = len(recommended) // (HELD_SITTINGS - number) if number < HELD_SITTINGS - 1 else len(recommended)
            adopted, recommended = recommended[:share], recommended[share:]
            refused_share = len(declined) // (HELD_SITTINGS - number) if number < HELD_SITTINGS - 1 else len(declined)
            refused, declined = declined[:refused_share], declined[refused_share:]
            agenda = [(proposal, True) for proposal in adopted] + [(proposal, False) for proposal in refused]
            for position, (proposal, passes) in enumerate(agenda, start=1):
                item = self._item(meeting, position, proposal, passes, present, starts)
                if passes:
                    sequence_by_year[day.year] = sequence_by_year.get(day.year, 0) + 1
                    self._recommendation(council_id, item, proposal, day, sequence_by_year[day.year])
        upcoming = self.today + datetime.timedelta(days=rng.randint(8, 30))
        tables.meetings.add(
            council_id=council_id,
            kind=Meeting.Kind.REGULAR,
            starts_at=_moment(upcoming, rng, hour=15),
            place="Мәдениет үйі (синтетика)",
            status=Meeting.Status.PUBLISHED,
            published_at=self.now,
            is_demo=True,
        )

    def _item(
        self, meeting: int, position: int, proposal: int, passes: bool, present: list[int], starts: datetime.datetime
    ) -> int:
        rng, tables = self.rng, self.tables
        choices = []
        for member in present:
            lean = 0.85 if passes else 0.2
            choices.append((member, "for" if rng.random() < lean else rng.choice(["against", "abstain"])))
        votes_for = sum(1 for _, choice in choices if choice == "for")
        needed = len(present) // 2 + 1
        if passes and votes_for < needed:  # the outcome decides the fate: make the votes agree with it
            choices = [
                (member, "for") if index < needed else (member, choice)
                for index, (member, choice) in enumerate(choices)
            ]
        if not passes and votes_for >= needed:
            choices = [
                (member, "against") if index < needed else (member, choice)
                for index, (member, choice) in enumerate(choices)
            ]
        counts = {choice: sum(1 for _, made in choices if made == choice) for choice in ("for", "against", "abstain")}
        item = tables.items.add(
            meeting_id=meeting,
            position=position,
            proposal_id=proposal,
            title="Ұсыныс бойынша шешім (синтетика)",
            vote_method=AgendaItem.VoteMethod.OPEN,
            vote_state=AgendaItem.VoteState.CLOSED,
            opened_at=starts,
            closed_at=starts + datetime.timedelta(minutes=10 * position),
            votes_for=counts["for"],
            votes_against=counts["against"],
            votes_abstain=counts["abstain"],
            present_at_close=len(present),
            members_at_close=MEMBERS,
            outcome=AgendaItem.Outcome.ADOPTED if passes else AgendaItem.Outcome.REJECTED,
            decision_reason="" if passes else "Бюджетте қаражат жоқ (синтетика).",
        )
        for member, choice in choices:
            tables.votes.add(item_id=item, member_id=member, choice=choice, cast_at=starts)
        return item

    def _recommendation(self, council_id: int, item: int, proposal: int, adopted: datetime.date, sequence: int) -> None:
        rng, tables = self.rng, self.tables
        sent = _moment(adopted + datetime.timedelta(days=1), rng, hour=10)
        due = adopted + datetime.timedelta(days=22)  # about 15 working days
        # (An answer found unsatisfactory sends its proposals back to "ready": not drawn here.)
        fate = rng.choices(["answered", "implemented", "sent"], [55, 23, 22])[0]
        if due >= self.today:
            fate = "sent"
        answered_on = min(self.today, adopted + datetime.timedelta(days=rng.randint(5, 30)))
        kind = rng.choices([Answer.Kind.ACCEPTED, Answer.Kind.PARTIALLY_ACCEPTED, Answer.Kind.DECLINED], [60, 25, 15])[
            0
        ]
        if fate == "implemented":
            kind = Answer.Kind.ACCEPTED
        status = {
            "answered": Recommendation.Status.ANSWERED,
            "implemented": Recommendation.Status.IMPLEMENTED,
            "sent": Recommendation.Status.SENT,
        }[fate]
        progress = 0
        if fate == "implemented":
            progress = 100
        elif answered_kind_allows_progress(fate, kind):
            progress = rng.choice([0, 20, 50])
        answered = fate != "sent"
        overdue = not answered and due < self.today
        recommendation = tables.recommendations.add(
            council_id=council_id,
            item_id=item,
            year=adopted.year,
            sequence=sequence,
            text_kk="Ауыл әкіміне ұсынылады: мәселені шешу (синтетика).",
            text_ru="Рекомендовать акиму: решить вопрос (синтетика).",
            addressee_kind=Recommendation.Addressee.OKRUG_AKIM,
            addressee_name=f"{self.okrug.short_name_kk} әкімі",
            adopted_on=adopted,
            due_on=due,
            sent_at=sent,
            status=status,
            received_on=sent.date(),
            overdue_since=due + datetime.timedelta(days=1) if overdue else None,
            answered_on=answered_on if answered else None,
            answer_kind=kind if answered else "",
            progress_percent=progress,
            implemented_on=answered_on if fate == "implemented" else None,
            is_demo=True,
        )
        tables.recommendation_proposals.add(recommendation_id=recommendation, proposal_id=proposal)
        if answered:
            tables.answers.add(
                recommendation_id=recommendation,
                kind=kind,
                text="" if kind == Answer.Kind.DECLINED else "Жоспарланған шаралар (синтетика).",
                reason="" if kind == Answer.Kind.ACCEPTED else "Қаражат жеткіліксіз (синтетика).",
                budget_year=answered_on.year if kind != Answer.Kind.DECLINED else None,
                amount_tenge=Decimal(rng.randrange(500_000, 40_000_000, 100_000))
                if kind != Answer.Kind.DECLINED
                else None,
                answered_on=answered_on,
                answered_by_id=self.context.staff[self.okrug.district_id],
                on_behalf_of=f"{self.okrug.short_name_kk} әкімінің аппараты",
                created_at=self.now,
                is_demo=True,
            )


def answered_kind_allows_progress(fate: str, kind: str) -> bool:
    return fate == "answered" and kind != Answer.Kind.DECLINED


def _support_count(rng: random.Random) -> int:
    """Skewed like real support: most proposals a few, some many (about 14 on average)."""
    return min(RESIDENTS, int(rng.lognormvariate(2.31, 0.85)))


def _charter() -> Charter:
    found, _created = Charter.objects.get_or_create(
        name=CHARTER_NAME, version=1, defaults={"locked_at": timezone.now(), "support_threshold": 25}
    )
    return found


def _district_staff(districts: list[District], tables: _Tables, roles: dict[str, int]) -> dict[int, int]:
    """One akimat staff member and one district administrator per district (users `scale-d-<KATO>-…`),
    made once; returns district id → the staff member's user id."""
    existing = dict(
        User.objects.filter(username__in=[f"scale-d-{district.kato}-akimat" for district in districts]).values_list(
            "username", "pk"
        )
    )
    staff: dict[int, int] = {}
    for district in districts:
        username = f"scale-d-{district.kato}-akimat"
        if username in existing:
            staff[district.pk] = existing[username]
            continue
        now = timezone.now()
        common = {"password": "!", "is_demo": True, "date_joined": now, "first_name": "", "last_name": "", "email": ""}
        staff_id = tables.users.add(
            username=username, full_name=f"Әкімдік маманы, {district.short_name_kk} (синтетика)", **common
        )
        admin_id = tables.users.add(
            username=f"scale-d-{district.kato}-admin",
            full_name=f"Аудан әкімшісі, {district.short_name_kk} (синтетика)",
            **common,
        )
        tables.roles.add(user_id=staff_id, role_id=roles[Role.AKIMAT_STAFF], district_id=district.pk)
        tables.roles.add(user_id=admin_id, role_id=roles[Role.DISTRICT_ADMIN], district_id=district.pk)
        staff[district.pk] = staff_id
    return staff


def generate_scale_data(
    *,
    okrugs: int | None,
    seed: int = DEFAULT_SEED,
    as_of: datetime.date | None = None,
    progress: Callable[[str], None] | None = None,
) -> ScaleResult:
    """Councils and their life for `okrugs` rural okrugs (None: all), in batches of BATCH_OKRUGS."""
    say = progress or (lambda _message: None)
    day = as_of or timezone.localdate()
    roles = dict(Role.objects.values_list("code", "pk"))
    charter = _charter()
    chosen = list(rural_okrugs(okrugs))
    taken = set(Council.objects.filter(okrug__in=chosen).values_list("okrug_id", flat=True))
    todo = [okrug for okrug in chosen if okrug.pk not in taken]
    result = ScaleResult(skipped=len(chosen) - len(todo))
    for start in range(0, len(todo), BATCH_OKRUGS):
        batch = todo[start : start + BATCH_OKRUGS]
        with transaction.atomic():
            tables = _Tables()
            districts = sorted({okrug.district for okrug in batch}, key=lambda district: district.kato)
            staff = _district_staff(districts, tables, roles)
            context = _Context(seed=seed, as_of=day, charter=charter, roles=roles, staff=staff, tables=tables)
            villages: dict[int, list[Settlement]] = {}
            for settlement in Settlement.objects.filter(okrug__in=batch, retired_at__isnull=True).order_by("kato"):
                assert settlement.okrug_id is not None
                villages.setdefault(settlement.okrug_id, []).append(settlement)
            for okrug in batch:
                if okrug.pk in villages:  # an okrug with no settlement in the classifier has nobody to serve
                    _Okrug(okrug, villages[okrug.pk], context).build()
                else:
                    result.skipped += 1
            tables.flush()
            for table in tables.all():
                result.rows[table.table] = result.rows.get(table.table, 0) + table.written
            reset_sequences(table.model for table in tables.all())
        result.okrugs += len(batch)
        say(f"{result.okrugs}/{len(todo)} okrugs")
    return result


def regions_of(okrugs: int | None) -> list[Region]:
    return list(Region.objects.filter(districts__okrugs__in=rural_okrugs(okrugs)).distinct().order_by("kato"))


def table_counts() -> dict[str, int]:
    """Rows per table that the scale data fills (one query each)."""
    tables = _Tables()
    counts: dict[str, int] = {}
    with connection.cursor() as cursor:
        for table in tables.all():
            cursor.execute(f"SELECT COUNT(*) FROM {connection.ops.quote_name(table.table)}")  # noqa: S608
            counts[table.table] = cursor.fetchone()[0]
    return counts
