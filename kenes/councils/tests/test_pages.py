"""Public council pages: the directory, a council, a charter and its regulation PDF, a pilot."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.tests.factories import SuperuserFactory, UserFactory, grant
from kenes.core.errors import DomainError
from kenes.councils.models import Charter, Member, SeatGroup
from kenes.councils.tests.factories import (
    CharterFactory,
    CoordinatorFactory,
    CouncilFactory,
    MemberFactory,
    PilotFactory,
    complete_council,
)
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

SCRIPT = "<script>alert(1)</script>"


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


@pytest.fixture
def en(client: Client) -> Client:
    return speaking(client, "en")


def page(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<script>alert(" not in html


# Directory


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_directory_renders_in_kazakh_and_russian(client: Client, language: str) -> None:
    complete_council()

    html = page(speaking(client, language).get(reverse("councils:directory")))

    assert f'<html lang="{language}">' in html
    assert_escaped(html)


def test_the_directory_groups_councils_by_district_with_their_composition_status(en: Client) -> None:
    complete = complete_council()
    gaps = CouncilFactory.create(okrug=OkrugFactory.create(district=complete.okrug.district))
    elsewhere = CouncilFactory.create()

    html = page(en.get(reverse("councils:directory")))

    assert html.count('<section aria-labelledby="district-') == 2
    assert reverse("councils:detail", args=[complete.okrug.kato]) in html
    assert reverse("councils:detail", args=[gaps.okrug.kato]) in html
    assert reverse("councils:detail", args=[elsewhere.okrug.kato]) in html
    assert '<span class="status status-ok">Complete</span>' in html
    # An empty council misses its population and has no chair, secretary or coordinator, at least.
    assert "gaps</span>" in html
    assert_escaped(html)


def test_the_directory_shows_the_number_of_serving_members(en: Client) -> None:
    council = CouncilFactory.create()
    MemberFactory.create_batch(3, council=council)
    MemberFactory.create(council=council, status=Member.Status.RESIGNED, ended_on=timezone.localdate())

    html = page(en.get(reverse("councils:directory")))

    assert '<td class="num">3</td>' in html


def test_the_directory_filters_by_district(en: Client) -> None:
    shown = CouncilFactory.create()
    hidden = CouncilFactory.create()

    html = page(en.get(reverse("councils:directory"), {"district": shown.okrug.district.kato}))

    assert reverse("councils:detail", args=[shown.okrug.kato]) in html
    assert reverse("councils:detail", args=[hidden.okrug.kato]) not in html
    assert f'<option value="{shown.okrug.district.kato}" selected>' in html
    assert f'<option value="{hidden.okrug.district.kato}">' in html


def test_the_directory_says_when_there_is_no_council(en: Client) -> None:
    html = page(en.get(reverse("councils:directory")))

    assert "No councils are established yet." in html


def test_the_directory_runs_a_fixed_number_of_queries(en: Client, django_assert_max_num_queries) -> None:
    district = DistrictFactory.create()
    complete_council(OkrugFactory.create(district=district))
    # (9: the district choices and the number of councils come before the councils themselves.)
    with django_assert_max_num_queries(9) as few:
        page(en.get(reverse("councils:directory")))
    for _ in range(4):
        complete_council(OkrugFactory.create(district=district))
    CouncilFactory.create()

    with django_assert_max_num_queries(len(few.captured_queries)):
        page(en.get(reverse("councils:directory")))


# A council


def test_an_okrug_without_a_council_has_no_council_page(en: Client) -> None:
    okrug = OkrugFactory.create()

    assert en.get(reverse("councils:detail", args=[okrug.kato])).status_code == 404


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_council_page_renders_in_kazakh_and_russian(client: Client, language: str) -> None:
    council = complete_council()

    html = page(speaking(client, language).get(reverse("councils:detail", args=[council.okrug.kato])))

    assert f'<html lang="{language}">' in html
    assert_escaped(html)


def test_the_council_page_shows_members_by_group_coordinators_and_a_passing_check(en: Client) -> None:
    council = complete_council()
    chair = council.members.get(role=Member.Role.CHAIR)
    deputy = council.coordinators.get()

    html = page(en.get(reverse("councils:detail", args=[council.okrug.kato])))

    for label in ["Residents", "Public associations", "Business", "Youth", "Veterans", "Other social groups"]:
        assert f"<h3>{label}</h3>" in html
    assert "No members in this group." in html  # "Other social groups" is empty
    assert "Chair" in html
    assert "&lt;script&gt;" in html  # the names are shown, escaped
    assert chair.settlement is not None
    assert escape(chair.settlement.short_name_kk) in html
    assert "The composition meets the charter." in html
    assert deputy.constituency in html
    assert reverse("meetings:council", args=[council.okrug.kato]) in html
    assert reverse("meetings:ical", args=[council.okrug.kato]) in html
    assert reverse("councils:charter", args=[council.charter_id]) in html
    assert reverse("councils:charter_pdf", args=[council.charter_id, "kk"]) in html
    assert reverse("councils:charter_pdf", args=[council.charter_id, "ru"]) in html
    assert reverse("territory:unit", args=[council.okrug.kato]) in html
    assert reverse("territory:unit", args=[council.okrug.district.kato]) in html
    assert_escaped(html)


def test_the_council_page_lists_the_problems_in_plain_words(en: Client) -> None:
    council = CouncilFactory.create(population=8400, population_year=2025)
    SettlementFactory.create(okrug=council.okrug, short_name_kk="Дария", short_name_ru="Дария")
    MemberFactory.create(council=council, seat_group=SeatGroup.BUSINESS, role=Member.Role.CHAIR)

    html = page(en.get(reverse("councils:detail", args=[council.okrug.kato])))

    assert "The composition meets the charter." not in html
    assert "Youth: 0 of at least 1 seat" in html
    assert "Settlement Дария has no member" in html
    assert "No secretary" in html
    assert "No coordinator deputy" in html
    assert "1 member, the charter allows 5–10 for 8,400 residents" in html


def test_the_council_page_shows_the_public_membership_history(en: Client) -> None:
    council = complete_council()
    today = timezone.localdate()
    left = MemberFactory.create(
        council=council,
        seat_group=SeatGroup.OTHER,
        status=Member.Status.RESIGNED,
        ended_on=today - datetime.timedelta(days=3),
        end_reason=f"Moved to Oral {SCRIPT}",
    )
    successor = MemberFactory.create(council=council, seat_group=SeatGroup.OTHER, full_name="Жаңа мүше")
    replaced = MemberFactory.create(
        council=council,
        seat_group=SeatGroup.OTHER,
        full_name="Ескі мүше",
        status=Member.Status.REPLACED,
        ended_on=today - datetime.timedelta(days=1),
        end_reason="Health",
        replaced_by=successor,
    )

    html = page(en.get(reverse("councils:detail", args=[council.okrug.kato])))

    history = html[html.index('id="history-title"') :]
    assert "Resigned" in history
    assert "Moved to Oral &lt;script&gt;" in history
    assert "Replaced" in history
    assert "by Жаңа мүше" in history
    assert "Health" in history
    assert escape(left.full_name) in history
    assert replaced.full_name in history
    assert_escaped(html)


def test_the_council_page_marks_demo_councils_and_members(en: Client) -> None:
    council = CouncilFactory.create(is_demo=True)
    MemberFactory.create(council=council, is_demo=True)

    html = page(en.get(reverse("councils:detail", args=[council.okrug.kato])))

    assert html.count('<span class="badge badge-demo">demo</span>') >= 3  # title, member, history


def test_the_manage_link_appears_only_for_those_who_may_manage(client: Client) -> None:
    council = CouncilFactory.create()
    url = reverse("councils:detail", args=[council.okrug.kato])
    manage_url = reverse("councils:manage", args=[council.okrug.kato])
    assert manage_url not in page(client.get(url))

    client.force_login(UserFactory.create())
    assert manage_url not in page(client.get(url))

    admin = UserFactory.create()
    grant(admin, "district_admin", council.okrug.district)
    client.force_login(admin)
    assert manage_url in page(client.get(url))


def test_the_council_page_runs_a_fixed_number_of_queries(en: Client, django_assert_max_num_queries) -> None:
    council = complete_council()
    url = reverse("councils:detail", args=[council.okrug.kato])
    with django_assert_max_num_queries(12) as few:
        page(en.get(url))
    for _ in range(6):
        MemberFactory.create(council=council, seat_group=SeatGroup.RESIDENTS)
        MemberFactory.create(council=council, status=Member.Status.TERM_ENDED, ended_on=timezone.localdate())
    CoordinatorFactory.create_batch(3, council=council)

    with django_assert_max_num_queries(len(few.captured_queries)):
        page(en.get(url))


# A charter


def test_the_charter_page_states_every_parameter_in_plain_words(en: Client) -> None:
    charter = CharterFactory.create(
        term_years=4,
        quorum_percent=50,
        notice_days=5,
        answer_working_days=15,
        extension_limit_months=2,
        secret_ballot_allowed=True,
        members_may_submit=False,
        support_threshold=25,
        members_per_settlement=1,
    )

    html = page(en.get(reverse("councils:charter", args=[charter.pk])))

    for text in [
        "4 years",
        "at least 50% of members present",
        "Majority of members present",
        "5 days before",
        "within 15 working days",
        "2 months",
        "allowed",
        "residents of the okrug",
        "coordinator deputies",
        "a resident's proposal reaches the agenda with 25 supports",
        "at least 1 member from each settlement",
        "members aged 14 to 35",
        "national model charter",
        "Public associations",
        "no limit",
        "0 – 10,000",
        "20,001 and more",
        "21 – 25",
    ]:
        assert text in html, text
    assert "<li>council members</li>" not in html
    assert reverse("councils:charter_pdf", args=[charter.pk, "kk"]) in html
    assert reverse("councils:charter_pdf", args=[charter.pk, "ru"]) in html
    assert reverse("councils:charter_edit", args=[charter.pk]) not in html
    assert reverse("councils:charter_new_version", args=[charter.pk]) not in html
    assert_escaped(html)


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_charter_page_renders_in_kazakh_and_russian(client: Client, language: str) -> None:
    charter = CharterFactory.create()

    html = page(speaking(client, language).get(reverse("councils:charter", args=[charter.pk])))

    assert f'<html lang="{language}">' in html
    assert_escaped(html)


def test_the_charter_page_links_the_previous_and_next_versions(en: Client) -> None:
    first = CharterFactory.create(name="Ереже", version=1)
    second = CharterFactory.create(name="Ереже", version=2, previous=first)

    first_html = page(en.get(reverse("councils:charter", args=[first.pk])))
    second_html = page(en.get(reverse("councils:charter", args=[second.pk])))

    assert reverse("councils:charter", args=[second.pk]) in first_html
    assert "Next:" in first_html
    assert reverse("councils:charter", args=[first.pk]) in second_html
    assert "Previous:" in second_html


def test_an_oblast_administrator_sees_the_edit_link_and_the_new_version_button(en: Client) -> None:
    region = DistrictFactory.create().region
    charter = CharterFactory.create(region=region)
    admin = UserFactory.create()
    grant(admin, "oblast_admin", region)
    en.force_login(admin)

    html = page(en.get(reverse("councils:charter", args=[charter.pk])))

    assert reverse("councils:charter_edit", args=[charter.pk]) in html
    assert reverse("councils:charter_new_version", args=[charter.pk]) in html


def test_a_locked_charter_offers_a_new_version_but_no_edit_link(en: Client) -> None:
    charter = CharterFactory.create(locked_at=timezone.now())
    en.force_login(SuperuserFactory.create())

    html = page(en.get(reverse("councils:charter", args=[charter.pk])))

    assert reverse("councils:charter_edit", args=[charter.pk]) not in html
    assert reverse("councils:charter_new_version", args=[charter.pk]) in html
    assert "in use by councils" in html


def test_a_missing_charter_is_not_found(en: Client) -> None:
    assert en.get(reverse("councils:charter", args=[999999])).status_code == 404


def test_the_regulation_pdf_is_served_with_a_file_name(en: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    charter = CharterFactory.create()
    calls: list[tuple[Charter, str]] = []

    def fake_render(*, charter: Charter, language: str) -> bytes:
        calls.append((charter, language))
        return b"%PDF-1.7 fake"

    monkeypatch.setattr("kenes.councils.documents.render_regulation_pdf", fake_render)

    response = en.get(reverse("councils:charter_pdf", args=[charter.pk, "ru"]))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert f'filename="regulation-{charter.pk}-ru.pdf"' in response["Content-Disposition"]
    assert response.content == b"%PDF-1.7 fake"
    assert calls == [(charter, "ru")]


def test_the_regulation_pdf_shows_the_message_when_it_cannot_be_made(
    en: Client, monkeypatch: pytest.MonkeyPatch
) -> None:
    charter = CharterFactory.create()

    def unavailable(*, charter: Charter, language: str) -> bytes:
        raise DomainError("PDF documents cannot be made on this server.", code="pdf_unavailable", status=503)

    monkeypatch.setattr("kenes.councils.documents.render_regulation_pdf", unavailable)

    response = en.get(reverse("councils:charter_pdf", args=[charter.pk, "kk"]))

    assert response.status_code == 503
    assert "PDF documents cannot be made on this server." in response.content.decode()


def test_the_regulation_pdf_exists_only_in_kazakh_and_russian(en: Client) -> None:
    charter = CharterFactory.create()

    assert en.get(f"/councils/charters/{charter.pk}/regulation-en.pdf").status_code == 404


# A pilot


@pytest.mark.parametrize("language", ["kk", "ru", "en"])
def test_the_pilot_page_shows_its_district_charter_comparison_districts_and_councils(
    client: Client, language: str
) -> None:
    pilot = PilotFactory.create()
    assert pilot.district is not None
    comparison = DistrictFactory.create(region=pilot.district.region)
    pilot.comparison_districts.add(comparison)
    council = complete_council(OkrugFactory.create(district=pilot.district), pilot=pilot, charter=pilot.charter)

    html = page(speaking(client, language).get(reverse("councils:pilot", args=[pilot.pk])))

    assert f'<html lang="{language}">' in html
    assert reverse("territory:unit", args=[pilot.district.kato]) in html
    assert reverse("territory:unit", args=[comparison.kato]) in html
    assert reverse("councils:charter", args=[pilot.charter_id]) in html
    assert reverse("councils:detail", args=[council.okrug.kato]) in html
    assert 'class="status status-ok"' in html
    assert_escaped(html)


def test_a_missing_pilot_is_not_found(en: Client) -> None:
    assert en.get(reverse("councils:pilot", args=[999999])).status_code == 404


def test_the_council_links_its_pilot(en: Client) -> None:
    pilot = PilotFactory.create()
    council = CouncilFactory.create(okrug=OkrugFactory.create(district=pilot.district), pilot=pilot)
    assert pilot.district is not None

    html = page(en.get(reverse("councils:detail", args=[council.okrug.kato])))

    assert reverse("councils:pilot", args=[pilot.pk]) in html


def test_past_the_limit_the_directory_lists_districts_by_region_then_a_districts_councils(
    en: Client, django_assert_max_num_queries: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from kenes.councils import views

    monkeypatch.setattr(views, "ALL_COUNCILS_UP_TO", 2)
    district = DistrictFactory.create()
    here = [CouncilFactory.create(okrug=OkrugFactory.create(district=district)) for _ in range(2)]
    there = CouncilFactory.create()

    with django_assert_max_num_queries(6):
        overview = page(en.get(reverse("councils:directory")))
    chosen = page(en.get(reverse("councils:directory"), {"district": district.kato}))

    assert reverse("councils:detail", args=[there.okrug.kato]) not in overview
    assert f'href="?district={district.kato}"' in overview
    assert "2 councils" in overview
    assert f'id="region-{district.region.kato}"' in overview
    assert all(reverse("councils:detail", args=[council.okrug.kato]) in chosen for council in here)
    assert reverse("councils:detail", args=[there.okrug.kato]) not in chosen
