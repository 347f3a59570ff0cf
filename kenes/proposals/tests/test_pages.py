"""Proposal pages: the lists, a proposal's page, drafting (also for a resident), similar proposals
and "my proposals", through the HTTP client in Kazakh and Russian."""

from __future__ import annotations

import datetime
import re
from html import unescape
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from kenes.accounts.tests.factories import UserFactory, make_iin, make_resident
from kenes.councils.tests.factories import CouncilFactory, complete_council
from kenes.proposals.models import Area, EntryChannel, Photo, Proposal, Status, TimelineEvent
from kenes.proposals.tests.factories import (
    SCRIPT,
    ProposalFactory,
    SupportFactory,
    coordinator_of,
    resident_of,
    settlement_of,
    staff_of,
)
from kenes.proposals.tests.pages import assert_escaped, page, png, signed_in, speaking
from kenes.territory.tests.factories import DistrictFactory, OkrugFactory, SettlementFactory

pytestmark = pytest.mark.django_db

HTMX = "vendor/htmx/htmx.min.js"


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def council() -> Any:
    return CouncilFactory.create()


@pytest.fixture
def en(client: Client) -> Client:
    return speaking(client, "en")


def collecting(council: Any, **fields: Any) -> Proposal:
    return ProposalFactory.create(council=council, **{"status": Status.COLLECTING, **fields})


def draft_data(council: Any, **overrides: Any) -> dict[str, Any]:
    data = {
        "title": f"Ауылға жаңа су құбыры {SCRIPT}",
        "body": f"Құдықтағы су жетпейді.\nЖазда кезек бар. {SCRIPT}",
        "language": "kk",
        "area": Area.HOUSING_UTILITIES,
        "settlement": settlement_of(council.okrug).pk,
        "estimated_cost": "1500000",
        "action": "save",
    }
    data.update(overrides)
    return data


# Lists


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_list_renders_in_kazakh_and_russian_with_every_title_escaped(client: Client, language: str) -> None:
    proposal = collecting(CouncilFactory.create())

    html = page(speaking(client, language).get(reverse("proposals:list")))

    assert f'<html lang="{language}">' in html
    assert escape(proposal.title) in html
    assert reverse("proposals:detail", args=[proposal.pk]) in html
    assert_escaped(html)
    assert HTMX not in html


def test_the_list_shows_area_status_settlement_supports_photos_and_the_demo_badge(en: Client, council: Any) -> None:
    proposal = collecting(council, is_demo=True, support_count=7, area=Area.SOCIAL)
    Photo.objects.create(proposal=proposal, image="a.png", thumbnail="a-t.png", width=1, height=1, size_bytes=1)

    html = page(en.get(reverse("proposals:list")))

    assert "Social sphere" in html
    assert "Collecting support" in html
    assert escape(proposal.settlement.short_name) in html
    assert "7 supports" in html
    assert "1 photo" in html
    assert "badge-demo" in html


def test_the_list_leaves_drafts_out(en: Client, council: Any) -> None:
    draft = ProposalFactory.create(council=council, title="Жасырын жоба")

    html = page(en.get(reverse("proposals:list")))

    assert draft.title not in html
    assert "No proposals yet" in html


def test_the_list_filters_by_district_okrug_area_status_and_settlement(en: Client) -> None:
    here = CouncilFactory.create()
    there = CouncilFactory.create(okrug=OkrugFactory.create(district=DistrictFactory.create()))
    road = collecting(here, title="Жол жөндеу", area=Area.INFRASTRUCTURE)
    village = SettlementFactory.create(okrug=here.okrug)
    school = collecting(here, title="Мектеп спортзалы", area=Area.SOCIAL, status=Status.READY, settlement=village)
    far = collecting(there, title="Алыс ауылдың көпірі")

    def titles(**query: str) -> set[str]:
        html = page(en.get(reverse("proposals:list"), query))
        return {p.title for p in (road, school, far) if escape(p.title) in html}

    assert titles() == {road.title, school.title, far.title}
    assert titles(district=there.okrug.district.kato) == {far.title}
    assert titles(okrug=here.okrug.kato) == {road.title, school.title}
    assert titles(area=Area.SOCIAL) == {school.title}
    assert titles(status=Status.READY) == {school.title}
    assert titles(okrug=here.okrug.kato, settlement=village.kato) == {school.title}
    # A value that is not one of the choices is ignored rather than an error.
    assert titles(area="nonsense", district="123") == {road.title, school.title, far.title}


def test_the_list_sorts_by_new_or_by_most_supported(en: Client, council: Any) -> None:
    now = timezone.now()
    older = collecting(council, title="Ескі ұсыныс", support_count=9, submitted_at=now - datetime.timedelta(days=3))
    newer = collecting(council, title="Жаңа ұсыныс", support_count=2, submitted_at=now)

    by_new = page(en.get(reverse("proposals:list")))
    by_support = page(en.get(reverse("proposals:list"), {"sort": "supported"}))

    assert by_new.index(newer.title) < by_new.index(older.title)
    assert by_support.index(older.title) < by_support.index(newer.title)


def test_the_search_finds_a_proposal_by_a_lower_case_kazakh_word(en: Client, council: Any) -> None:
    found = collecting(council, title="ҚҰДЫҚ пен Өзен жағасы", body="Ғимарат жөндеуі")
    other = collecting(council, title="Мектеп ауласы", body="Спорт алаңы")

    html = page(en.get(reverse("proposals:list"), {"q": "құдық өзен"}))

    assert escape(found.title) in html
    assert escape(other.title) not in html
    assert 'value="құдық өзен"' in html


def test_an_empty_search_says_so_and_offers_the_whole_list(en: Client, council: Any) -> None:
    collecting(council)

    html = page(en.get(reverse("proposals:list"), {"q": "жоқсөз"}))

    assert "No proposal matches these filters." in html
    assert f'href="{reverse("proposals:list")}"' in html


def _link(html: str, rel: str) -> str:
    found = re.search(rf'<a rel="{rel}" href="([^"]+)"', html)
    assert found is not None, rel
    return unescape(found.group(1))


def test_the_list_pages_by_25_older_and_newer_and_keeps_the_filters(en: Client, council: Any) -> None:
    ProposalFactory.create_batch(26, council=council, status=Status.COLLECTING, area=Area.SOCIAL)
    ProposalFactory.create(council=council, status=Status.COLLECTING, area=Area.OTHER)

    first = page(en.get(reverse("proposals:list"), {"area": Area.SOCIAL}))
    older = _link(first, "next")
    second = page(en.get(reverse("proposals:list") + older))
    back = page(en.get(reverse("proposals:list") + _link(second, "prev")))

    assert first.count('class="proposal-row"') == 25
    assert 'rel="prev"' not in first
    assert older.startswith("?area=social&after=")
    assert second.count('class="proposal-row"') == 1
    assert 'rel="next"' not in second
    assert back.count('class="proposal-row"') == 25
    # Within a district the total is counted.
    district = page(en.get(reverse("proposals:list"), {"area": Area.SOCIAL, "district": council.okrug.district.kato}))
    assert "26 proposals" in district


def test_a_bad_cursor_shows_the_first_page(en: Client, council: Any) -> None:
    ProposalFactory.create_batch(2, council=council, status=Status.COLLECTING)

    html = page(en.get(reverse("proposals:list"), {"after": "not-a-cursor"}))

    assert html.count('class="proposal-row"') == 2


@pytest.mark.parametrize("count", [1, 30])
def test_the_list_runs_in_a_fixed_number_of_queries(
    en: Client, council: Any, count: int, django_assert_max_num_queries: Any
) -> None:
    for proposal in ProposalFactory.create_batch(count, council=council, status=Status.COLLECTING):
        Photo.objects.create(proposal=proposal, image="a.png", thumbnail="a-t.png", width=1, height=1, size_bytes=1)

    # The national list: the demo flag, the district choices and the page (no total, no okrug list).
    with django_assert_max_num_queries(3):
        page(en.get(reverse("proposals:list"), {"sort": "supported"}))
    # A link to one okrug's proposals: plus its council (for its district), the district's okrugs,
    # the okrug's settlements and the total within it.
    with django_assert_max_num_queries(7):
        page(en.get(reverse("proposals:list"), {"okrug": council.okrug.kato, "sort": "supported"}))


@pytest.mark.parametrize("count", [1, 30])
def test_the_okrug_list_runs_in_a_fixed_number_of_queries(
    council: Any, count: int, django_assert_max_num_queries: Any
) -> None:
    ProposalFactory.create_batch(count, council=council, status=Status.COLLECTING)
    client = signed_in(resident_of(council.okrug))

    # Signed in: one query more for the menu's inbox link (kenes.accountability).
    # One more for the menu's unread notices count (kenes.notifications).
    with django_assert_max_num_queries(11):
        page(client.get(reverse("proposals:okrug", args=[council.okrug.kato])))


# The okrug's list and the "New proposal" button


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_verified_resident_sees_the_new_proposal_button(council: Any, language: str) -> None:
    client = signed_in(resident_of(council.okrug), language)

    html = page(client.get(reverse("proposals:okrug", args=[council.okrug.kato])))

    assert f'<html lang="{language}">' in html
    assert reverse("proposals:new", args=[council.okrug.kato]) in html
    assert_escaped(html)


def test_a_visitor_is_told_who_may_submit_and_how(en: Client, council: Any) -> None:
    html = page(en.get(reverse("proposals:okrug", args=[council.okrug.kato])))

    assert reverse("proposals:new", args=[council.okrug.kato]) not in html
    assert "once their residency is verified" in html
    assert "Log in to submit a proposal" in html
    assert "No proposals in this okrug yet." in html


def test_a_resident_not_yet_verified_is_sent_to_the_profile(council: Any) -> None:
    client = signed_in(resident_of(council.okrug, verified=False))

    html = page(client.get(reverse("proposals:okrug", args=[council.okrug.kato])))

    assert reverse("proposals:new", args=[council.okrug.kato]) not in html
    assert reverse("accounts:profile") in html


def test_akimat_staff_see_the_assisted_entry_link(council: Any) -> None:
    client = signed_in(staff_of(council.okrug))

    html = page(client.get(reverse("proposals:okrug", args=[council.okrug.kato])))

    assert reverse("proposals:assisted", args=[council.okrug.kato]) in html


def test_an_okrug_without_a_council_has_no_proposal_pages(en: Client) -> None:
    okrug = OkrugFactory.create()

    assert en.get(reverse("proposals:okrug", args=[okrug.kato])).status_code == 404
    assert en.get(reverse("proposals:okrug", args=["000000000"])).status_code == 404


# A proposal's page


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_a_proposal_page_renders_in_kazakh_and_russian_with_everything_escaped(client: Client, language: str) -> None:
    council = complete_council()
    proposal = collecting(council, estimated_cost=2500000)
    TimelineEvent.objects.create(proposal=proposal, kind=TimelineEvent.Kind.SUBMITTED, actor=proposal.author)
    TimelineEvent.objects.create(
        proposal=proposal, kind=TimelineEvent.Kind.ACCEPTED, actor=coordinator_of(council), note=f"Жарайды {SCRIPT}"
    )

    html = page(speaking(client, language).get(reverse("proposals:detail", args=[proposal.pk])))

    assert f'<html lang="{language}">' in html
    assert escape(proposal.title) in html
    assert escape(proposal.author.full_name) in html
    assert escape(f"Жарайды {SCRIPT}") in html
    assert HTMX in html
    assert "htmx-config" in html
    assert_escaped(html)


def test_a_proposal_page_shows_its_facts_photos_and_timeline(en: Client, council: Any) -> None:
    proposal = collecting(council, estimated_cost=2500000, area=Area.HOUSEHOLD_FARMING)
    Photo.objects.create(
        proposal=proposal, image="proposals/x.jpg", thumbnail="proposals/thumbs/x.jpg", width=1, height=1, size_bytes=1
    )
    TimelineEvent.objects.create(proposal=proposal, kind=TimelineEvent.Kind.SUBMITTED, actor=proposal.author)

    html = page(en.get(reverse("proposals:detail", args=[proposal.pk])))

    assert "Private household farming" in html
    assert "2,500,000 tenge" in html
    assert "Kazakh" in html
    assert 'href="/media/proposals/x.jpg"' in html
    assert 'src="/media/proposals/thumbs/x.jpg"' in html
    assert "Submitted" in html
    assert '<article class="proposal-text" lang="kk">' in html


def test_a_proposal_entered_by_the_akimat_says_so(en: Client, council: Any) -> None:
    staff = staff_of(council.okrug)
    proposal = collecting(council, entered_by=staff, channel=EntryChannel.PHONE)

    html = page(en.get(reverse("proposals:detail", args=[proposal.pk])))

    assert "entered by the akimat on behalf of the resident" in html
    assert "By phone" in html


def test_a_merged_proposal_points_to_the_one_it_joined(en: Client, council: Any) -> None:
    target = collecting(council, title="Негізгі ұсыныс")
    merged = ProposalFactory.create(council=council, status=Status.MERGED, merged_into=target)

    html = page(en.get(reverse("proposals:detail", args=[merged.pk])))

    assert "merged into another one" in html
    assert reverse("proposals:detail", args=[target.pk]) in html


def test_a_forwarded_proposal_names_its_addressee(en: Client, council: Any) -> None:
    proposal = ProposalFactory.create(council=council, status=Status.FORWARDED, forwarded_to=f"Білім бөлімі {SCRIPT}")

    html = page(en.get(reverse("proposals:detail", args=[proposal.pk])))

    assert "forwarded to Білім бөлімі" in html
    assert_escaped(html)


def test_a_draft_or_missing_proposal_has_no_public_page(en: Client, council: Any) -> None:
    draft = ProposalFactory.create(council=council)

    assert en.get(reverse("proposals:detail", args=[draft.pk])).status_code == 404
    assert en.get(reverse("proposals:detail", args=[draft.pk + 1000])).status_code == 404


def test_the_coordinator_sees_the_screening_link_and_others_do_not(council: Any) -> None:
    proposal = ProposalFactory.create(council=council, status=Status.SUBMITTED)
    screen = reverse("proposals:screen", args=[proposal.pk])

    assert screen in page(signed_in(coordinator_of(council)).get(reverse("proposals:detail", args=[proposal.pk])))
    assert screen not in page(
        signed_in(resident_of(council.okrug)).get(reverse("proposals:detail", args=[proposal.pk]))
    )


# New drafts


def test_the_new_proposal_form_starts_from_the_residents_settlement_and_the_page_language(council: Any) -> None:
    SettlementFactory.create(okrug=council.okrug)
    home = SettlementFactory.create(okrug=council.okrug)
    resident = resident_of(council.okrug, settlement=home)

    html = page(signed_in(resident, "ru").get(reverse("proposals:new", args=[council.okrug.kato])))

    assert f'<option value="{home.pk}" selected>' in html
    assert 'value="ru" required id="id_language_1" checked' in html
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file" name="photos" accept="image/jpeg,image/png,image/webp" multiple' in html
    assert f'hx-get="{reverse("proposals:similar", args=[council.okrug.kato])}"' in html
    assert 'hx-trigger="input changed delay:400ms"' in html
    assert HTMX in html
    assert_escaped(html)


def test_saving_a_draft_keeps_it_private_and_opens_it_for_editing(council: Any) -> None:
    resident = resident_of(council.okrug)
    client = signed_in(resident)

    response = client.post(reverse("proposals:new", args=[council.okrug.kato]), draft_data(council))

    proposal = Proposal.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("proposals:edit", args=[proposal.pk])
    assert proposal.status == Status.DRAFT
    assert proposal.author == resident
    assert proposal.estimated_cost == 1500000
    assert proposal.channel == EntryChannel.ONLINE
    assert escape(proposal.title) in page(client.get(reverse("proposals:mine")))
    assert Client().get(reverse("proposals:detail", args=[proposal.pk])).status_code == 404


def test_submitting_a_new_proposal_with_photos_sends_it_for_screening(council: Any) -> None:
    client = signed_in(resident_of(council.okrug))
    data = draft_data(council, action="submit", photos=[png("a.png"), png("b.png")])

    response = client.post(reverse("proposals:new", args=[council.okrug.kato]), data)

    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.status == Status.SUBMITTED
    assert proposal.photos.count() == 2
    html = page(client.get(response["Location"]))
    assert proposal.photos.first().thumbnail.url in html  # type: ignore[union-attr]
    assert "screens it within 3 working days" in html


def test_a_file_that_is_not_a_photo_is_refused_and_nothing_is_saved(council: Any) -> None:
    client = signed_in(resident_of(council.okrug))
    data = draft_data(council, photos=[SimpleUploadedFile("virus.png", b"MZ not an image", content_type="image/png")])

    response = client.post(reverse("proposals:new", args=[council.okrug.kato]), data)

    assert response.status_code == 400
    assert not Proposal.objects.exists()
    assert 'class="form-errors"' in response.content.decode()


def test_an_empty_title_is_shown_by_its_field(council: Any) -> None:
    client = signed_in(resident_of(council.okrug))

    response = client.post(reverse("proposals:new", args=[council.okrug.kato]), draft_data(council, title=""))

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    assert not Proposal.objects.exists()


def test_someone_who_may_not_submit_is_sent_back_with_the_explanation(council: Any) -> None:
    outsider = signed_in(resident_of(OkrugFactory.create()))

    response = outsider.post(reverse("proposals:new", args=[council.okrug.kato]), draft_data(council), follow=True)

    assert response.redirect_chain[-1][0] == reverse("proposals:okrug", args=[council.okrug.kato])
    assert "You cannot submit proposals in this okrug yet" in response.content.decode()
    assert not Proposal.objects.exists()


def test_drafting_needs_signing_in(en: Client, council: Any) -> None:
    response = en.get(reverse("proposals:new", args=[council.okrug.kato]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


# Editing drafts


def test_the_author_edits_a_draft_removes_a_photo_and_submits_it(council: Any) -> None:
    resident = resident_of(council.okrug)
    client = signed_in(resident)
    client.post(reverse("proposals:new", args=[council.okrug.kato]), draft_data(council, photos=[png()]))
    proposal = Proposal.objects.get()
    photo = proposal.photos.get()
    edit = reverse("proposals:edit", args=[proposal.pk])

    html = page(client.get(edit))
    assert photo.thumbnail.url in html
    assert "only you can see it" in html

    response = client.post(
        edit, draft_data(council, title="Жаңартылған тақырып", action="submit", remove_photos=[photo.pk])
    )

    proposal.refresh_from_db()
    assert response["Location"] == reverse("proposals:detail", args=[proposal.pk])
    assert proposal.title == "Жаңартылған тақырып"
    assert proposal.status == Status.SUBMITTED
    assert not proposal.photos.exists()


def test_a_returned_proposal_shows_the_reason_on_its_edit_page(council: Any) -> None:
    proposal = ProposalFactory.create(council=council, status=Status.RETURNED)
    TimelineEvent.objects.create(proposal=proposal, kind=TimelineEvent.Kind.RETURNED, note=f"Нақтылаңыз {SCRIPT}")

    html = page(signed_in(proposal.author).get(reverse("proposals:edit", args=[proposal.pk])))

    assert escape(f"Нақтылаңыз {SCRIPT}") in html
    assert_escaped(html)


@pytest.mark.parametrize("status", [Status.DRAFT, Status.SUBMITTED])
def test_nobody_but_the_author_edits_and_nobody_edits_after_submission(council: Any, status: str) -> None:
    proposal = ProposalFactory.create(council=council, status=status)
    edit = reverse("proposals:edit", args=[proposal.pk])

    assert signed_in(resident_of(council.okrug)).get(edit).status_code == 404
    assert signed_in(coordinator_of(council)).get(edit).status_code == 404
    expected = 200 if status == Status.DRAFT else 404
    assert signed_in(proposal.author).get(edit).status_code == expected


# Similar proposals


def test_similar_proposals_of_the_okrug_are_shown_while_typing(en: Client, council: Any) -> None:
    alike = collecting(council, title=f"Көше шамдарын орнату {SCRIPT}")
    collecting(council, title="Мектеп спортзалы")
    elsewhere = collecting(CouncilFactory.create(), title="Көше шамдарын орнату")

    response = en.get(
        reverse("proposals:similar", args=[council.okrug.kato]),
        {"title": "көше шамдары"},
        headers={"HX-Request": "true"},
    )

    html = page(response)
    assert html.startswith('<section id="similar"')
    assert reverse("proposals:detail", args=[alike.pk]) in html
    assert reverse("proposals:detail", args=[elsewhere.pk]) not in html
    assert "Мектеп" not in html
    assert_escaped(html)


def test_an_empty_title_finds_no_similar_proposals(en: Client, council: Any) -> None:
    collecting(council, title="Көше шамдары")

    html = page(en.get(reverse("proposals:similar", args=[council.okrug.kato]), {"title": "  "}))

    assert "/proposals/" not in html


def test_the_draft_page_lists_similar_proposals_without_javascript(council: Any) -> None:
    alike = collecting(council, title="Көше шамдарын орнату")
    client = signed_in(resident_of(council.okrug))

    response = client.post(
        reverse("proposals:new", args=[council.okrug.kato]), draft_data(council, title="Көше шамдары керек")
    )
    html = page(client.get(response["Location"]))

    assert "Similar proposals already filed" in html
    assert reverse("proposals:detail", args=[alike.pk]) in html


# Assisted entry


def test_akimat_staff_find_a_resident_by_iin_and_enter_a_proposal_for_them(council: Any) -> None:
    staff = staff_of(council.okrug)
    resident = UserFactory.create()
    iin = make_iin(datetime.date(1971, 3, 8), female=True)
    make_resident(user=resident, settlement=settlement_of(council.okrug), iin=iin)
    client = signed_in(staff)
    url = reverse("proposals:assisted", args=[council.okrug.kato])

    html = page(client.get(url))
    assert "Assisted entry" in html

    found = page(client.post(url, {"step": "find", "iin": iin}))
    assert "you are entering this proposal on behalf of" in found
    assert escape(resident.full_name) in found
    assert iin not in found
    assert_escaped(found)

    response = client.post(
        url, {**draft_data(council), "step": "save", "resident": resident.username, "channel": "phone"}
    )

    proposal = Proposal.objects.get()
    assert response["Location"] == reverse("proposals:edit", args=[proposal.pk])
    assert proposal.author == resident
    assert proposal.entered_by == staff
    assert proposal.channel == EntryChannel.PHONE
    assert "you are entering this proposal on behalf of" in page(client.get(response["Location"]))
    assert "on behalf of" not in page(signed_in(resident).get(response["Location"]))


def test_assisted_entry_finds_by_username_and_says_when_nobody_or_an_outsider_is_found(council: Any) -> None:
    client = signed_in(staff_of(council.okrug))
    url = reverse("proposals:assisted", args=[council.okrug.kato])
    neighbour = resident_of(council.okrug, verified=False)
    outsider = resident_of(OkrugFactory.create(district=council.okrug.district))

    assert "on behalf of" in page(client.post(url, {"step": "find", "username": neighbour.username}))
    assert "No resident with this IIN or username" in page(client.post(url, {"step": "find", "username": "nobody"}))
    assert "in another okrug" in page(client.post(url, {"step": "find", "username": outsider.username}))
    assert "Enter the resident" in page(client.post(url, {"step": "find"}))


def test_assisted_entry_needs_the_channel(council: Any) -> None:
    client = signed_in(staff_of(council.okrug))
    resident = resident_of(council.okrug)
    url = reverse("proposals:assisted", args=[council.okrug.kato])

    response = client.post(url, {**draft_data(council), "step": "save", "resident": resident.username})

    assert response.status_code == 400
    assert not Proposal.objects.exists()


def test_only_akimat_staff_of_the_okrug_reach_assisted_entry(council: Any) -> None:
    url = reverse("proposals:assisted", args=[council.okrug.kato])

    assert signed_in(resident_of(council.okrug)).get(url).status_code == 404
    assert signed_in(staff_of(OkrugFactory.create())).get(url).status_code == 404
    assert Client().get(url).status_code == 302


# My proposals


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_my_proposals_lists_drafts_returned_with_the_reason_submitted_and_supported(
    council: Any, language: str
) -> None:
    resident = resident_of(council.okrug)
    draft = ProposalFactory.create(council=council, author=resident, title="Менің жобам")
    returned = ProposalFactory.create(council=council, author=resident, status=Status.RETURNED, title="Қайтарылған")
    TimelineEvent.objects.create(proposal=returned, kind=TimelineEvent.Kind.RETURNED, note="Мәтінді толықтырыңыз")
    submitted = ProposalFactory.create(council=council, author=resident, status=Status.SUBMITTED, title="Жіберілген")
    supported = SupportFactory.create(
        proposal=collecting(council, title="Көршінің ұсынысы"), resident=resident
    ).proposal
    someone_elses = collecting(council, title="Бөтен ұсыныс")

    html = page(signed_in(resident, language).get(reverse("proposals:mine")))

    assert reverse("proposals:edit", args=[draft.pk]) in html
    assert reverse("proposals:edit", args=[returned.pk]) in html
    assert "Мәтінді толықтырыңыз" in html
    assert reverse("proposals:detail", args=[submitted.pk]) in html
    assert reverse("proposals:detail", args=[supported.pk]) in html
    assert someone_elses.title not in html
    assert_escaped(html)


def test_my_proposals_needs_signing_in(en: Client) -> None:
    response = en.get(reverse("proposals:mine"))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize("count", [1, 30])
def test_my_proposals_runs_in_a_fixed_number_of_queries(
    council: Any, count: int, django_assert_max_num_queries: Any
) -> None:
    resident = resident_of(council.okrug)
    ProposalFactory.create_batch(count, council=council, author=resident, status=Status.RETURNED)
    for proposal in ProposalFactory.create_batch(count, council=council, status=Status.COLLECTING):
        SupportFactory.create(proposal=proposal, resident=resident)
    client = signed_in(resident)

    # Signed in: one query more for the menu's inbox link (kenes.accountability).
    # One more for the menu's unread notices count (kenes.notifications).
    with django_assert_max_num_queries(8):
        page(client.get(reverse("proposals:mine")))
