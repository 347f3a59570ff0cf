"""Management pages: who may open them (404 for everyone else), and the flows a district
administrator follows to build a council until its composition check passes."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.models import User
from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.councils.models import Charter, CharterSeatRule, CharterSizeBand, Coordinator, Council, Member, SeatGroup
from kenes.councils.tests.factories import (
    CharterFactory,
    CoordinatorFactory,
    CouncilFactory,
    MemberFactory,
    PilotFactory,
    complete_council,
    years_before,
)
from kenes.territory.models import District, Okrug, Region, Settlement
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, RegionFactory, SettlementFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def en(client: Client) -> Client:
    return speaking(client, "en")


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@dataclass
class World:
    """One council in `okrug`; its neighbour `free_okrug` (same district) has none yet."""

    region: Region
    district: District
    okrug: Okrug
    free_okrug: Okrug
    other_district: District
    other_region: Region
    settlement: Settlement
    charter: Charter
    council: Council
    member: Member
    coordinator: Coordinator


@pytest.fixture
def world() -> World:
    region = RegionFactory.create()
    district = DistrictFactory.create(region=region)
    okrug = OkrugFactory.create(district=district)
    settlement = SettlementFactory.create(okrug=okrug)
    council = CouncilFactory.create(okrug=okrug)
    return World(
        region=region,
        district=district,
        okrug=okrug,
        free_okrug=OkrugFactory.create(district=district),
        other_district=DistrictFactory.create(region=region),
        other_region=RegionFactory.create(),
        settlement=settlement,
        charter=CharterFactory.create(region=region),
        council=council,
        member=MemberFactory.create(council=council),
        coordinator=CoordinatorFactory.create(council=council),
    )


def persona(name: str, world: World) -> User:
    """A user holding one role, named by where it is held relative to the world's council."""
    if name == "superuser":
        return SuperuserFactory.create()
    user = UserFactory.create()
    roles: dict[str, tuple[str, Region | District | Okrug]] = {
        "resident": ("resident", world.okrug),
        "own_district_admin": ("district_admin", world.district),
        "own_oblast_admin": ("oblast_admin", world.region),
        "own_okrug_coordinator": ("coordinator", world.okrug),
        "other_district_admin": ("district_admin", world.other_district),
        "other_region_oblast_admin": ("oblast_admin", world.other_region),
        "other_okrug_coordinator": ("coordinator", world.free_okrug),
        "free_okrug_coordinator": ("coordinator", world.free_okrug),
    }
    if name != "nobody":
        role, territory = roles[name]
        grant(user, role, territory)
    return user


COUNCIL_PAGES: dict[str, Callable[[World], str]] = {
    "manage": lambda w: reverse("councils:manage", args=[w.okrug.kato]),
    "member_end": lambda w: reverse("councils:member_end", args=[w.okrug.kato, w.member.pk]),
    "member_replace": lambda w: reverse("councils:member_replace", args=[w.okrug.kato, w.member.pk]),
    "coordinator_end": lambda w: reverse("councils:coordinator_end", args=[w.okrug.kato, w.coordinator.pk]),
}
OUTSIDERS = ["nobody", "resident", "other_district_admin", "other_region_oblast_admin", "other_okrug_coordinator"]
MANAGERS = ["own_district_admin", "own_oblast_admin", "own_okrug_coordinator", "superuser"]


# Who may open what


@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_a_council_management_page_sends_an_anonymous_visitor_to_log_in(
    client: Client, world: World, name: str
) -> None:
    url = COUNCIL_PAGES[name](world)

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_a_council_management_page_is_not_found_for_an_outsider(
    client: Client, world: World, name: str, who: str
) -> None:
    client.force_login(persona(who, world))

    assert client.get(COUNCIL_PAGES[name](world)).status_code == 404


@pytest.mark.parametrize("who", MANAGERS)
@pytest.mark.parametrize("name", COUNCIL_PAGES)
def test_a_council_management_page_opens_for_those_who_manage_the_council(
    client: Client, world: World, name: str, who: str
) -> None:
    client.force_login(persona(who, world))

    html = page(client.get(COUNCIL_PAGES[name](world)))

    assert SCRIPT not in html


@pytest.mark.parametrize("who", OUTSIDERS)
@pytest.mark.parametrize("name", ["member_end", "member_replace", "coordinator_end"])
def test_an_outsider_cannot_end_or_replace_a_seat_by_posting(client: Client, world: World, name: str, who: str) -> None:
    client.force_login(persona(who, world))
    today = timezone.localdate().isoformat()

    response = client.post(
        COUNCIL_PAGES[name](world),
        {"kind": "resigned", "on": today, "reason": "x", "full_name": "Жаңа", "seat_group": "business"},
    )

    assert response.status_code == 404
    world.member.refresh_from_db()
    world.coordinator.refresh_from_db()
    assert world.member.is_active
    assert world.coordinator.is_active


def test_a_member_of_another_council_is_not_found_under_this_okrug(en: Client, world: World) -> None:
    stranger = MemberFactory.create(council=CouncilFactory.create(okrug=world.free_okrug))
    en.force_login(persona("own_okrug_coordinator", world))

    assert en.get(reverse("councils:member_end", args=[world.okrug.kato, stranger.pk])).status_code == 404
    assert en.get(reverse("councils:member_replace", args=[world.free_okrug.kato, stranger.pk])).status_code == 404


def test_a_member_who_left_has_no_end_page(en: Client, world: World) -> None:
    gone = MemberFactory.create(council=world.council, status=Member.Status.RESIGNED, ended_on=timezone.localdate())
    en.force_login(persona("own_district_admin", world))

    assert en.get(reverse("councils:member_end", args=[world.okrug.kato, gone.pk])).status_code == 404


def test_the_management_index_needs_a_login(client: Client) -> None:
    response = client.get(reverse("councils:manage_index"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("who", "sees_council", "may_establish"),
    [
        ("resident", False, False),
        ("other_district_admin", False, True),  # the other district has okrugs of its own only
        ("other_region_oblast_admin", False, False),
        ("own_okrug_coordinator", True, False),
        ("own_district_admin", True, True),
        ("own_oblast_admin", True, True),
        ("superuser", True, True),
    ],
)
def test_the_management_index_lists_the_councils_managed_and_the_okrugs_to_establish(
    en: Client, world: World, who: str, sees_council: bool, may_establish: bool
) -> None:
    OkrugFactory.create(district=world.other_district)
    en.force_login(persona(who, world))

    html = page(en.get(reverse("councils:manage_index")))

    assert (reverse("councils:manage", args=[world.okrug.kato]) in html) is sees_council
    establish_free = reverse("councils:establish", args=[world.free_okrug.kato])
    assert (establish_free in html) is (may_establish and who != "other_district_admin")
    assert reverse("councils:establish", args=[world.okrug.kato]) not in html
    assert SCRIPT not in html


def test_the_management_index_pages_through_many_councils_and_okrugs(
    en: Client, world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kenes.councils import views

    MANAGE_PAGE = 4
    monkeypatch.setattr(views, "MANAGE_PAGE", MANAGE_PAGE)
    for _ in range(MANAGE_PAGE):
        CouncilFactory.create(okrug=OkrugFactory.create(district=world.district))
    free = OkrugFactory.create_batch(MANAGE_PAGE, district=world.district)
    en.force_login(persona("own_district_admin", world))
    url = reverse("councils:manage_index")

    first = page(en.get(url))
    second = page(en.get(url, {"page": 2}))
    okrugs_second = page(en.get(url, {"free": 2}))

    listed = Council.objects.filter(okrug__district=world.district).order_by("okrug__kato")
    manage = [reverse("councils:manage", args=[council.okrug.kato]) for council in listed]
    assert len(manage) == MANAGE_PAGE + 1
    assert all(link in first for link in manage[:MANAGE_PAGE])
    assert manage[MANAGE_PAGE] not in first
    assert manage[MANAGE_PAGE] in second
    assert manage[0] not in second
    assert f"({MANAGE_PAGE + 1})" in first  # the total, not the page
    establish = sorted([world.free_okrug, *free], key=lambda okrug: okrug.kato)
    assert reverse("councils:establish", args=[establish[-1].kato]) not in first
    assert reverse("councils:establish", args=[establish[-1].kato]) in okrugs_second
    assert 'rel="next"' in first
    assert 'name="q"' in first


def test_the_management_index_finds_a_council_by_name_district_or_kato(en: Client, world: World) -> None:
    named = OkrugFactory.create(district=world.district, name_kk="Жаңаталап", name_ru="Жанаталап")
    CouncilFactory.create(okrug=named)
    en.force_login(persona("own_oblast_admin", world))
    url = reverse("councils:manage_index")
    mine = reverse("councils:manage", args=[world.okrug.kato])
    found = reverse("councils:manage", args=[named.kato])

    by_name = page(en.get(url, {"q": "ЖАҢАТАЛ"}))
    by_kato = page(en.get(url, {"q": named.kato}))
    by_district = page(en.get(url, {"q": world.district.name_ru}))
    nothing = page(en.get(url, {"q": "no such okrug"}))

    assert found in by_name
    assert mine not in by_name
    assert found in by_kato
    assert mine not in by_kato
    assert found in by_district
    assert mine in by_district
    assert found not in nothing
    assert "No council you manage matches the search." in nothing


def test_the_management_index_runs_the_same_queries_for_ten_councils_as_for_one(
    en: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    en.force_login(persona("own_district_admin", world))
    url = reverse("councils:manage_index")
    with django_assert_max_num_queries(18) as few:
        page(en.get(url))
    for _ in range(10):
        council = CouncilFactory.create(okrug=OkrugFactory.create(district=world.district))
        MemberFactory.create_batch(2, council=council)
        CoordinatorFactory.create(council=council)
    OkrugFactory.create_batch(5, district=world.district)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page(en.get(url))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 404),
        ("other_district_admin", 404),
        ("other_region_oblast_admin", 404),
        ("other_okrug_coordinator", 404),
        ("own_okrug_coordinator", 404),  # coordinators manage a council, they do not establish one
        ("own_district_admin", 200),
        ("own_oblast_admin", 200),
        ("superuser", 200),
    ],
)
def test_the_establish_page_opens_only_for_administrators_of_the_okrug(
    client: Client, world: World, who: str, status: int
) -> None:
    # "own okrug" here is the free okrug: the coordinator role is granted there.
    user = persona("free_okrug_coordinator" if who == "own_okrug_coordinator" else who, world)
    client.force_login(user)

    assert client.get(reverse("councils:establish", args=[world.free_okrug.kato])).status_code == status


def test_the_establish_page_sends_an_anonymous_visitor_to_log_in(client: Client, world: World) -> None:
    response = client.get(reverse("councils:establish", args=[world.free_okrug.kato]))

    assert response.status_code == 302


def test_an_okrug_that_has_a_council_cannot_be_established_again(en: Client, world: World) -> None:
    en.force_login(persona("own_district_admin", world))

    response = en.post(
        reverse("councils:establish", args=[world.okrug.kato]),
        {"established_on": "2025-05-01", "charter": world.charter.pk},
    )

    assert response.status_code == 200
    assert "This okrug already has a council." in response.content.decode()
    assert Council.objects.filter(okrug=world.okrug).count() == 1


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("resident", 404),
        ("own_district_admin", 404),
        ("own_okrug_coordinator", 404),
        ("other_region_oblast_admin", 404),
        ("own_oblast_admin", 200),
        ("superuser", 200),
    ],
)
def test_the_charter_edit_page_opens_only_for_the_charters_oblast_administrators(
    client: Client, world: World, who: str, status: int
) -> None:
    client.force_login(persona(who, world))

    assert client.get(reverse("councils:charter_edit", args=[world.charter.pk])).status_code == status


@pytest.mark.parametrize(("who", "status"), [("own_district_admin", 404), ("own_oblast_admin", 302)])
def test_only_the_charters_oblast_administrators_may_create_a_new_version(
    client: Client, world: World, who: str, status: int
) -> None:
    client.force_login(persona(who, world))

    response = client.post(reverse("councils:charter_new_version", args=[world.charter.pk]))

    assert response.status_code == status
    assert Charter.objects.filter(previous=world.charter).exists() is (status == 302)


def test_the_charter_edit_page_sends_an_anonymous_visitor_to_log_in(client: Client, world: World) -> None:
    assert client.get(reverse("councils:charter_edit", args=[world.charter.pk])).status_code == 302


# Rendering


@pytest.mark.parametrize("language", ["kk", "ru"])
@pytest.mark.parametrize("name", ["index", "establish", "charter_edit", *COUNCIL_PAGES])
def test_the_management_pages_render_in_kazakh_and_russian(
    client: Client, world: World, name: str, language: str
) -> None:
    client.force_login(SuperuserFactory.create())
    urls = {
        "index": reverse("councils:manage_index"),
        "establish": reverse("councils:establish", args=[world.free_okrug.kato]),
        "charter_edit": reverse("councils:charter_edit", args=[world.charter.pk]),
    }
    url = urls[name] if name in urls else COUNCIL_PAGES[name](world)

    html = page(speaking(client, language).get(url))

    assert f'<html lang="{language}">' in html
    assert SCRIPT not in html


def test_the_management_page_runs_a_fixed_number_of_queries(
    en: Client, world: World, django_assert_max_num_queries: Any
) -> None:
    en.force_login(persona("own_district_admin", world))
    url = reverse("councils:manage", args=[world.okrug.kato])
    with django_assert_max_num_queries(16) as few:
        page(en.get(url))
    for _ in range(5):
        MemberFactory.create(council=world.council, seat_group=SeatGroup.RESIDENTS)
        MemberFactory.create(council=world.council, status=Member.Status.RESIGNED, ended_on=timezone.localdate())
    CoordinatorFactory.create_batch(3, council=world.council)
    SettlementFactory.create_batch(3, okrug=world.okrug)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page(en.get(url))


def test_each_end_form_on_the_management_page_has_its_own_field_ids(en: Client, world: World) -> None:
    other = MemberFactory.create(council=world.council)
    en.force_login(persona("own_district_admin", world))

    html = page(en.get(reverse("councils:manage", args=[world.okrug.kato])))

    assert f'id="end-{world.member.pk}-on"' in html
    assert f'id="end-{other.pk}-on"' in html
    assert f'for="end-{other.pk}-on"' in html


# Flows


def appoint(client: Client, kato: str, **fields: Any) -> Any:
    data = {"action": "appoint", "appoint-role": "member", "appoint-term_start": timezone.localdate().isoformat()}
    data.update({f"appoint-{key}": value for key, value in fields.items()})
    return client.post(reverse("councils:manage", args=[kato]), data, follow=True)


def test_a_district_administrator_builds_a_council_until_its_composition_passes(en: Client) -> None:
    region = RegionFactory.create()
    district = DistrictFactory.create(region=region)
    okrug = OkrugFactory.create(district=district)
    first, second = SettlementFactory.create_batch(2, okrug=okrug)
    charter = CharterFactory.create(region=region)
    admin = UserFactory.create()
    grant(admin, "district_admin", district)
    en.force_login(admin)
    kato = okrug.kato

    establish_url = reverse("councils:establish", args=[kato])
    assert f'<option value="{charter.pk}">' in page(en.get(establish_url))
    response = en.post(
        establish_url,
        {"established_on": "2025-05-01", "charter": charter.pk, "population": "", "population_year": ""},
        follow=True,
    )
    html = page(response)
    assert response.redirect_chain[-1][0] == reverse("councils:manage", args=[kato])
    assert "The council is established: now appoint its members." in html
    assert "The okrug&#x27;s population is not known" in html
    charter.refresh_from_db()
    assert charter.is_locked

    html = page(
        en.post(
            reverse("councils:manage", args=[kato]),
            {
                "action": "population",
                "population-population": "8400",
                "population-year": "2025",
                "population-source": "Stat <script>",
            },
            follow=True,
        )
    )
    assert "The population is saved." in html
    assert "The okrug&#x27;s population is not known" not in html

    appoint(en, kato, full_name=f"Бірінші {SCRIPT}", seat_group="residents", settlement=first.pk, role="chair")
    appoint(en, kato, full_name="Екінші", seat_group="residents", settlement=second.pk)
    appoint(en, kato, full_name="Үшінші", seat_group="public_associations", role="secretary", organisation="ҮЕҰ")
    appoint(en, kato, full_name="Төртінші", seat_group="business")
    html = page(appoint(en, kato, full_name="Бесінші", seat_group="youth", birth_date="2003-03-03"))
    assert "Бесінші is appointed to the council." in html
    assert "Veterans: 0 of at least 1 seat" in html
    assert "No coordinator deputy" in html
    appoint(en, kato, full_name="Алтыншы", seat_group="veterans", birth_date="1950-01-01")
    html = page(
        en.post(
            reverse("councils:manage", args=[kato]),
            {
                "action": "coordinator",
                "coordinator-full_name": f"Депутат {SCRIPT}",
                "coordinator-maslikhat": "Аудандық мәслихат",
                "coordinator-constituency": "№ 4",
                "coordinator-started_on": "2025-01-10",
            },
            follow=True,
        )
    )

    assert "The composition meets the charter." in html
    assert SCRIPT not in html
    assert "Declare the council active" in html
    html = page(en.post(reverse("councils:manage", args=[kato]), {"action": "activate"}, follow=True))
    assert "The council is now active." in html
    assert "Declare the council active" not in html
    assert Council.objects.get(okrug=okrug).status == Council.Status.ACTIVE
    public = page(en.get(reverse("councils:detail", args=[kato])))
    assert "The composition meets the charter." in public
    assert escape(f"Бірінші {SCRIPT}") in public
    assert escape(f"Депутат {SCRIPT}") in public
    assert Member.objects.filter(council__okrug=okrug, status=Member.Status.ACTIVE).count() == 6


def test_the_establish_form_offers_only_charters_and_pilots_that_fit_the_okrug(en: Client, world: World) -> None:
    national = CharterFactory.create(region=None)
    foreign = CharterFactory.create(region=world.other_region)
    pilot = PilotFactory.create(district=world.district, charter=world.charter)
    elsewhere = PilotFactory.create()
    en.force_login(persona("own_oblast_admin", world))

    html = page(en.get(reverse("councils:establish", args=[world.free_okrug.kato])))

    charters, pilots = select_options(html, "charter"), select_options(html, "pilot")
    assert f'<option value="{world.charter.pk}">' in charters
    assert f'<option value="{national.pk}">' in charters
    assert f'<option value="{foreign.pk}">' not in charters
    assert f'<option value="{pilot.pk}">' in pilots
    assert f'<option value="{elsewhere.pk}">' not in pilots


def select_options(html: str, name: str) -> str:
    start = html.index(f'<select name="{name}"')
    return html[start : html.index("</select>", start)]


def test_a_council_established_in_a_pilot_takes_the_pilots_charter(en: Client, world: World) -> None:
    pilot = PilotFactory.create(district=world.district, charter=world.charter)
    en.force_login(persona("own_district_admin", world))

    response = en.post(
        reverse("councils:establish", args=[world.free_okrug.kato]),
        {"established_on": "2025-05-01", "pilot": pilot.pk, "population": "1200", "population_year": "2025"},
    )

    assert response.status_code == 302
    council = Council.objects.get(okrug=world.free_okrug)
    assert (council.pilot, council.charter, council.population) == (pilot, world.charter, 1200)


def test_the_establish_form_asks_for_a_charter_or_a_pilot(en: Client, world: World) -> None:
    en.force_login(persona("own_district_admin", world))

    html = page(en.post(reverse("councils:establish", args=[world.free_okrug.kato]), {"established_on": "2025-05-01"}))

    assert "Choose a charter or a pilot." in html
    assert not Council.objects.filter(okrug=world.free_okrug).exists()


def test_a_refused_appointment_shows_the_reason_by_the_form(en: Client, world: World) -> None:
    MemberFactory.create(council=world.council, role=Member.Role.CHAIR)
    en.force_login(persona("own_okrug_coordinator", world))

    response = appoint(en, world.okrug.kato, full_name="Екінші төраға", seat_group="business", role="chair")

    html = page(response)
    assert "Another serving member already holds this role" in html
    assert 'value="Екінші төраға"' in html  # the form comes back filled in
    assert not Member.objects.filter(full_name="Екінші төраға").exists()


def test_a_residents_seat_needs_a_settlement_of_the_okrug(en: Client, world: World) -> None:
    foreign = SettlementFactory.create()
    en.force_login(persona("own_district_admin", world))

    missing = page(appoint(en, world.okrug.kato, full_name="Тұрғын", seat_group="residents"))
    outside = page(appoint(en, world.okrug.kato, full_name="Тұрғын", seat_group="residents", settlement=foreign.pk))

    assert "A residents&#x27; seat represents a settlement: choose one." in missing
    assert "Select a valid choice." in outside
    assert not Member.objects.filter(full_name="Тұрғын").exists()
    assert f'<option value="{world.settlement.pk}">' in outside


def test_a_member_resigns_and_the_history_shows_why(en: Client, world: World) -> None:
    en.force_login(persona("own_district_admin", world))
    today = timezone.localdate()

    response = en.post(
        reverse("councils:member_end", args=[world.okrug.kato, world.member.pk]),
        {"kind": "resigned", "on": today.isoformat(), "reason": f"Moved away {SCRIPT}"},
        follow=True,
    )

    html = page(response)
    assert "no longer holds a seat." in html
    world.member.refresh_from_db()
    assert (world.member.status, world.member.ended_on) == (Member.Status.RESIGNED, today)
    public = page(en.get(reverse("councils:detail", args=[world.okrug.kato])))
    assert escape(f"Moved away {SCRIPT}") in public
    assert "Resigned" in public


def test_a_seat_cannot_end_before_its_term_starts(en: Client, world: World) -> None:
    en.force_login(persona("own_district_admin", world))

    html = page(
        en.post(
            reverse("councils:member_end", args=[world.okrug.kato, world.member.pk]),
            {"kind": "resigned", "on": "2000-01-01", "reason": ""},
        )
    )

    assert "A seat cannot end before its term starts." in html
    world.member.refresh_from_db()
    assert world.member.is_active


def test_an_ended_term_is_recorded_for_a_seat_whose_term_is_over(en: Client, world: World) -> None:
    today = timezone.localdate()
    expired = MemberFactory.create(
        council=world.council, term_start=years_before(today, 4), term_end=today - datetime.timedelta(days=2)
    )
    en.force_login(persona("own_district_admin", world))

    manage_html = page(en.get(reverse("councils:manage", args=[world.okrug.kato])))
    assert "term ended on" in manage_html
    early = page(
        en.post(
            reverse("councils:member_end", args=[world.okrug.kato, world.member.pk]),
            {"kind": "term_ended", "on": today.isoformat()},
        )
    )
    response = en.post(
        reverse("councils:member_end", args=[world.okrug.kato, expired.pk]),
        {"kind": "term_ended", "on": today.isoformat()},
    )

    assert "record a resignation to end it earlier" in early
    assert response.status_code == 302
    expired.refresh_from_db()
    world.member.refresh_from_db()
    assert (expired.status, expired.ended_on) == (Member.Status.TERM_ENDED, expired.term_end)
    assert world.member.is_active


def test_the_management_page_records_every_ended_term_at_once(en: Client, world: World) -> None:
    today = timezone.localdate()
    expired = MemberFactory.create_batch(
        2, council=world.council, term_start=years_before(today, 4), term_end=today - datetime.timedelta(days=1)
    )
    en.force_login(persona("own_okrug_coordinator", world))

    html = page(en.post(reverse("councils:manage", args=[world.okrug.kato]), {"action": "end_terms"}, follow=True))

    assert "2 terms are recorded as ended." in html
    assert all(Member.objects.get(pk=m.pk).status == Member.Status.TERM_ENDED for m in expired)
    assert "Record the ended terms" not in html


def test_a_member_is_replaced_and_the_successor_takes_the_role(en: Client, world: World) -> None:
    Member.objects.filter(pk=world.member.pk).update(role=Member.Role.SECRETARY)
    en.force_login(persona("own_oblast_admin", world))
    today = timezone.localdate()

    response = en.post(
        reverse("councils:member_replace", args=[world.okrug.kato, world.member.pk]),
        {"on": today.isoformat(), "reason": "Health", "full_name": f"Мирас {SCRIPT}", "seat_group": "business"},
        follow=True,
    )

    html = page(response)
    assert "replaces" in html
    world.member.refresh_from_db()
    successor = world.member.replaced_by
    assert successor is not None
    assert world.member.status == Member.Status.REPLACED
    assert (successor.full_name, successor.role, successor.seat_group) == (
        f"Мирас {SCRIPT}",
        Member.Role.SECRETARY,
        SeatGroup.BUSINESS,
    )
    public = page(en.get(reverse("councils:detail", args=[world.okrug.kato])))
    assert escape(f"by Мирас {SCRIPT}") in public


def test_a_replacement_needs_a_reason(en: Client, world: World) -> None:
    en.force_login(persona("own_oblast_admin", world))

    html = page(
        en.post(
            reverse("councils:member_replace", args=[world.okrug.kato, world.member.pk]),
            {"on": timezone.localdate().isoformat(), "full_name": "Мирас", "seat_group": "business"},
        )
    )

    assert "This field is required." in html
    world.member.refresh_from_db()
    assert world.member.is_active


def test_a_coordinator_deputy_is_assigned_and_later_ends(en: Client, world: World) -> None:
    en.force_login(persona("own_district_admin", world))
    kato = world.okrug.kato

    html = page(
        en.post(
            reverse("councils:manage", args=[kato]),
            {
                "action": "coordinator",
                "coordinator-full_name": "Гүлнар Д.",
                "coordinator-maslikhat": "Облыстық мәслихат",
                "coordinator-started_on": "2025-02-01",
            },
            follow=True,
        )
    )
    assert "Гүлнар Д. coordinates the council." in html
    deputy = Coordinator.objects.get(full_name="Гүлнар Д.")

    html = page(
        en.post(
            reverse("councils:coordinator_end", args=[kato, deputy.pk]),
            {"on": timezone.localdate().isoformat()},
            follow=True,
        )
    )

    assert "Гүлнар Д. no longer coordinates the council." in html
    deputy.refresh_from_db()
    assert not deputy.is_active


def test_a_coordination_cannot_end_before_it_started(en: Client, world: World) -> None:
    en.force_login(persona("own_district_admin", world))

    html = page(
        en.post(
            reverse("councils:coordinator_end", args=[world.okrug.kato, world.coordinator.pk]), {"on": "2000-01-01"}
        )
    )

    assert "A coordination cannot end before it starts." in html
    world.coordinator.refresh_from_db()
    assert world.coordinator.is_active


def test_a_complete_council_shows_no_problem_on_the_management_page(en: Client) -> None:
    council = complete_council()
    en.force_login(SuperuserFactory.create())

    html = page(en.get(reverse("councils:manage", args=[council.okrug.kato])))

    assert "The composition meets the charter." in html


# Charters


def charter_post(charter: Charter, **changes: Any) -> dict[str, Any]:
    """The edit form as the page fills it in, with `changes` applied."""
    data: dict[str, Any] = {
        "name": charter.name,
        "term_years": charter.term_years,
        "quorum_percent": charter.quorum_percent,
        "majority_rule": charter.majority_rule,
        "notice_days": charter.notice_days,
        "answer_working_days": charter.answer_working_days,
        "extension_limit_months": charter.extension_limit_months,
        "residents_may_submit": "on",
        "members_may_submit": "on",
        "coordinators_may_submit": "on",
        "support_threshold": charter.support_threshold,
        "members_per_settlement": charter.members_per_settlement,
        "youth_age_min": charter.youth_age_min,
        "youth_age_max": charter.youth_age_max,
    }
    for rule in CharterSeatRule.objects.filter(charter=charter):
        data[f"seats-{rule.group}-min"] = rule.min_seats
        data[f"seats-{rule.group}-max"] = "" if rule.max_seats is None else rule.max_seats
    bands = list(CharterSizeBand.objects.filter(charter=charter).order_by("population_from"))
    for index, band in enumerate(bands):
        data[f"bands-{index}-population_from"] = band.population_from
        data[f"bands-{index}-population_to"] = "" if band.population_to is None else band.population_to
        data[f"bands-{index}-min_members"] = band.min_members
        data[f"bands-{index}-max_members"] = band.max_members
    data.update({"bands-TOTAL_FORMS": len(bands) + 1, "bands-INITIAL_FORMS": len(bands)})
    data.update(changes)
    return data


def test_an_oblast_administrator_edits_every_parameter_seat_rule_and_size_band(en: Client, world: World) -> None:
    en.force_login(persona("own_oblast_admin", world))
    url = reverse("councils:charter_edit", args=[world.charter.pk])
    form_html = page(en.get(url))
    assert 'name="seats-youth-min"' in form_html
    assert 'name="bands-3-population_from"' in form_html

    response = en.post(
        url,
        charter_post(
            world.charter,
            quorum_percent=60,
            secret_ballot_allowed="on",
            **{
                "seats-youth-min": 2,
                "seats-business-max": 3,
                "bands-3-DELETE": "on",
                "bands-2-population_to": "",
            },
        ),
        follow=True,
    )

    html = page(response)
    assert "The charter is saved." in html
    world.charter.refresh_from_db()
    assert (world.charter.quorum_percent, world.charter.secret_ballot_allowed) == (60, True)
    youth = CharterSeatRule.objects.get(charter=world.charter, group=SeatGroup.YOUTH)
    business = CharterSeatRule.objects.get(charter=world.charter, group=SeatGroup.BUSINESS)
    assert (youth.min_seats, business.max_seats) == (2, 3)
    bands = CharterSizeBand.objects.filter(charter=world.charter).order_by("population_from")
    assert [(b.population_from, b.population_to) for b in bands] == [(0, 10000), (10001, 15000), (15001, None)]


def test_a_new_size_band_is_added_in_the_spare_row(en: Client, world: World) -> None:
    en.force_login(persona("own_oblast_admin", world))
    data = charter_post(
        world.charter,
        **{
            "bands-3-population_to": "30000",
            "bands-4-population_from": "30001",
            "bands-4-min_members": "26",
            "bands-4-max_members": "30",
        },
    )

    response = en.post(reverse("councils:charter_edit", args=[world.charter.pk]), data)

    assert response.status_code == 302
    assert CharterSizeBand.objects.filter(charter=world.charter).count() == 5


def test_overlapping_size_bands_are_refused_with_the_reason(en: Client, world: World) -> None:
    en.force_login(persona("own_oblast_admin", world))
    data = charter_post(world.charter, **{"bands-1-population_from": "9000"})

    html = page(en.post(reverse("councils:charter_edit", args=[world.charter.pk]), data))

    assert "Council size bands must not overlap." in html
    assert CharterSizeBand.objects.filter(charter=world.charter, population_from=9000).count() == 0


def test_a_seat_rule_with_fewer_most_than_least_seats_is_refused(en: Client, world: World) -> None:
    en.force_login(persona("own_oblast_admin", world))
    data = charter_post(world.charter, **{"seats-youth-min": "3", "seats-youth-max": "1"})

    html = page(en.post(reverse("councils:charter_edit", args=[world.charter.pk]), data))

    assert "Youth: the most seats cannot be fewer than the least." in html


def test_a_locked_charter_says_why_it_cannot_be_edited_and_offers_a_new_version(en: Client, world: World) -> None:
    en.force_login(persona("own_oblast_admin", world))
    Charter.objects.filter(pk=world.charter.pk).update(locked_at=timezone.now())
    url = reverse("councils:charter_edit", args=[world.charter.pk])

    html = page(en.get(url))
    posted = en.post(url, charter_post(world.charter, quorum_percent=70))

    assert "is in use by a council and cannot be changed: create a new version." in html
    assert reverse("councils:charter_new_version", args=[world.charter.pk]) in html
    assert posted.status_code == 200
    world.charter.refresh_from_db()
    assert world.charter.quorum_percent == 50


def test_a_new_version_is_created_and_opened_for_editing(en: Client, world: World) -> None:
    Charter.objects.filter(pk=world.charter.pk).update(locked_at=timezone.now())
    en.force_login(persona("own_oblast_admin", world))

    response = en.post(reverse("councils:charter_new_version", args=[world.charter.pk]), follow=True)

    successor = Charter.objects.get(previous=world.charter)
    assert response.redirect_chain[-1][0] == reverse("councils:charter_edit", args=[successor.pk])
    html = page(response)
    assert "Version 2 is created" in html
    again = en.post(reverse("councils:charter_new_version", args=[world.charter.pk]), follow=True)
    assert "This charter already has a newer version" in page(again)


def test_the_new_version_button_accepts_only_posts(en: Client, world: World) -> None:
    en.force_login(persona("own_oblast_admin", world))

    assert en.get(reverse("councils:charter_new_version", args=[world.charter.pk])).status_code == 405
