"""Accountability pages through the HTTP client: the office's inbox, the escalations, the public
recommendation page with its five action forms, the main menu's links and the old sittings URL.
Factories put `<script>` in texts and names, so every page read here is also an escaping test."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

import pytest
from django.template.defaultfilters import floatformat
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from kenes.accountability.models import Answer, Escalation, ProgressReport
from kenes.accountability.selectors import extension_limit
from kenes.accountability.tests.factories import (
    AnswerFactory,
    ProgressReportFactory,
    adopted_recommendation,
    akimat_user,
    answered_recommendation,
    council_officer,
    district_user,
    sent_recommendation,
)
from kenes.core.calendar import add_working_days
from kenes.meetings.models import Recommendation
from kenes.proposals.models import Status
from kenes.proposals.tests.factories import resident_of
from kenes.proposals.tests.pages import assert_escaped, page, png, signed_in, speaking

pytestmark = pytest.mark.django_db


def url(name: str, recommendation: Recommendation) -> str:
    return reverse(f"accountability:{name}", args=[recommendation.pk])


def long_ago(days: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(days=days)


@pytest.fixture(autouse=True)
def _media(settings: Any, tmp_path: Any) -> None:
    settings.MEDIA_ROOT = tmp_path


# The inbox ----------------------------------------------------------------------------------------


def test_the_inbox_sends_a_visitor_to_log_in(client: Client) -> None:
    response = client.get(reverse("accountability:inbox"))

    assert response.status_code == 302
    assert reverse("accounts:login") in response["Location"]


def test_the_inbox_is_forbidden_to_a_resident_without_a_staff_role() -> None:
    recommendation = sent_recommendation()
    resident = resident_of(recommendation.council.okrug)

    response = signed_in(resident).get(reverse("accountability:inbox"))

    assert response.status_code == 403
    assert "akimat" in response.content.decode()
    assert recommendation.number not in response.content.decode()


def test_the_inbox_lists_the_offices_recommendations_with_working_days_left_and_the_overdue_badge(
    django_assert_max_num_queries: Any,
) -> None:
    fresh = sent_recommendation()
    council = fresh.council
    overdue = sent_recommendation(council=council, sent_on=long_ago(60))
    elsewhere = sent_recommendation()
    staff = akimat_user(council.okrug)
    client = signed_in(staff)

    # Session, user, the role check, the offices, the count and the page's rows, the calendar (one
    # more when the due dates reach into next year), the demo flag.
    with django_assert_max_num_queries(9) as few:
        html = page(client.get(reverse("accountability:inbox")))

    assert_escaped(html)
    assert url("recommendation", fresh) in html
    assert url("recommendation", overdue) in html
    assert url("recommendation", elsewhere) not in html
    assert escape(fresh.addressee_name) in html
    assert "working days left" in html
    overdue_row = html.split(f'id="recommendation-{overdue.pk}"')[1].split("</tr>")[0]
    assert "badge-overdue" in overdue_row
    assert "overdue by" in overdue_row
    fresh_row = html.split(f'id="recommendation-{fresh.pk}"')[1].split("</tr>")[0]
    assert "badge-overdue" not in fresh_row
    # The overdue one is due first, so it comes first.
    assert html.index(f'id="recommendation-{overdue.pk}"') < html.index(f'id="recommendation-{fresh.pk}"')

    for _ in range(4):
        sent_recommendation(council=council)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client.get(reverse("accountability:inbox")))


def test_the_inbox_shows_25_a_page_oldest_deadline_first() -> None:
    first = sent_recommendation(sent_on=long_ago(60))
    council = first.council
    for _ in range(25):
        sent_recommendation(council=council)
    client = signed_in(akimat_user(council.okrug))

    one = page(client.get(reverse("accountability:inbox")))
    two = page(client.get(reverse("accountability:inbox"), {"state": "waiting", "page": "2"}))

    assert one.count('<tr id="recommendation-') == 25
    assert two.count('<tr id="recommendation-') == 1
    assert url("recommendation", first) in one
    assert "?state=waiting&amp;page=2" in one
    assert "Page 2 of 2" in two


def test_the_inbox_tabs_show_overdue_answered_and_all() -> None:
    waiting = sent_recommendation()
    council = waiting.council
    overdue = sent_recommendation(council=council, sent_on=long_ago(60))
    answered = answered_recommendation(council=council)
    client = signed_in(akimat_user(council.okrug))
    inbox = reverse("accountability:inbox")

    overdue_html = page(client.get(inbox, {"state": "overdue"}))
    answered_html = page(client.get(inbox, {"state": "answered"}))
    all_html = page(client.get(inbox, {"state": "all"}))
    unknown_html = page(client.get(inbox, {"state": "nonsense"}))

    assert url("recommendation", overdue) in overdue_html
    assert url("recommendation", waiting) not in overdue_html
    assert url("recommendation", answered) in answered_html
    assert url("recommendation", waiting) not in answered_html
    assert "badge-answered" in answered_html
    assert all(url("recommendation", found) in all_html for found in (waiting, overdue, answered))
    # An unknown tab is the default one: waiting for the answer.
    assert url("recommendation", waiting) in unknown_html
    assert url("recommendation", answered) not in unknown_html


def test_the_inbox_tabs_swap_only_the_table_for_htmx_and_are_plain_links_without_it() -> None:
    recommendation = sent_recommendation()
    client = signed_in(akimat_user(recommendation.council.okrug))
    inbox = reverse("accountability:inbox")

    full = page(client.get(inbox))
    fragment = page(client.get(inbox, {"state": "all"}, headers={"HX-Request": "true"}))

    assert f'href="{inbox}?state=overdue"' in full
    assert f'hx-get="{inbox}?state=overdue"' in full
    assert "<html" not in fragment
    assert "HX-Request" in client.get(inbox)["Vary"]
    assert 'id="inbox"' in fragment
    assert url("recommendation", recommendation) in fragment


def test_a_district_administrator_sees_the_recommendations_addressed_to_district_bodies() -> None:
    to_district = sent_recommendation(addressee_kind=Recommendation.Addressee.DISTRICT_DEPARTMENT)
    to_akim = sent_recommendation(council=to_district.council)
    admin = district_user(to_district.council.okrug.district)

    html = page(signed_in(admin).get(reverse("accountability:inbox")))

    assert url("recommendation", to_district) in html
    assert url("recommendation", to_akim) not in html


# The escalations ----------------------------------------------------------------------------------


def escalate(recommendation: Recommendation, *recipients: Any) -> Escalation:
    assert recommendation.due_on is not None
    escalation = Escalation.objects.create(
        recommendation=recommendation, due_on=recommendation.due_on, escalated_on=timezone.localdate()
    )
    escalation.recipients.add(*recipients)
    return escalation


def test_the_escalations_page_keeps_its_query_budget(django_assert_max_num_queries: Any) -> None:
    first = sent_recommendation(sent_on=long_ago(60))
    admin = district_user(first.council.okrug.district)
    escalate(first, admin)
    client = signed_in(admin)

    # One more for the menu's unread notices count (kenes.notifications).
    with django_assert_max_num_queries(6) as few:
        page(client.get(reverse("accountability:escalations")))
    for _ in range(3):
        escalate(sent_recommendation(council=first.council, sent_on=long_ago(60)), admin)
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = page(client.get(reverse("accountability:escalations")))

    assert html.count("badge-overdue") == 4


def test_the_escalations_page_lists_what_was_raised_to_the_district_user() -> None:
    overdue = sent_recommendation(sent_on=long_ago(60))
    other = sent_recommendation(sent_on=long_ago(60))
    admin = district_user(overdue.council.okrug.district)
    escalate(overdue, admin)
    escalate(other)

    html = page(signed_in(admin).get(reverse("accountability:escalations")))

    assert_escaped(html)
    assert url("recommendation", overdue) in html
    assert url("recommendation", other) not in html
    assert "badge-overdue" in html


def test_the_escalations_page_is_for_staff_only(client: Client) -> None:
    resident = resident_of(sent_recommendation().council.okrug)

    assert client.get(reverse("accountability:escalations")).status_code == 302
    assert signed_in(resident).get(reverse("accountability:escalations")).status_code == 403


# The main menu ------------------------------------------------------------------------------------


def test_the_menu_shows_the_inbox_only_to_those_who_have_one_and_accountability_to_everyone(client: Client) -> None:
    recommendation = sent_recommendation()
    staff = akimat_user(recommendation.council.okrug)
    resident = resident_of(recommendation.council.okrug)
    inbox = f'href="{reverse("accountability:inbox")}"'
    scorecards = f'href="{reverse("accountability:scorecards")}"'

    visitor_html = page(client.get(reverse("home")))
    resident_html = page(signed_in(resident).get(reverse("home")))
    staff_html = page(signed_in(staff).get(reverse("home")))

    assert scorecards in visitor_html
    assert scorecards in resident_html
    assert inbox not in visitor_html
    assert inbox not in resident_html
    assert inbox in staff_html


# The recommendation page --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_public_page_shows_the_texts_the_addressee_the_deadline_and_the_charter_facts(
    client: Client, language: str, django_assert_max_num_queries: Any
) -> None:
    recommendation = sent_recommendation(charter={"answer_working_days": 15, "extension_limit_months": 2})
    client = speaking(client, language)

    # The recommendation, its proposals, answers, progress and events, the calendar for the days
    # left and for the forwarding window (each one more when it reaches into next year), the demo flag.
    with django_assert_max_num_queries(10):
        html = page(client.get(url("recommendation", recommendation)))

    assert f'<html lang="{language}">' in html
    assert_escaped(html)
    assert recommendation.number in html
    assert escape(recommendation.text_kk) in html
    assert escape(recommendation.text_ru) in html
    assert escape(recommendation.addressee_name) in html
    assert recommendation.due_on is not None
    assert recommendation.received_on is not None
    assert f'datetime="{recommendation.due_on:%Y-%m-%d}"' in html
    assert "15" in html.split('id="charter-title"')[1]
    # The forwarding window and the extension limit are named as dates.
    forward_until = add_working_days(recommendation.received_on, 3)
    assert str(forward_until.year) in html.split('id="charter-title"')[1]
    assert forward_until.strftime("%d").lstrip("0") in html.split('id="charter-title"')[1]
    # A visitor gets no action form.
    assert "answer-form" not in html
    assert url("answer", recommendation) not in html
    for proposal in recommendation.proposals.all():
        assert reverse("accountability:story", args=[proposal.pk]) in html


def test_the_page_of_an_overdue_recommendation_shows_the_overdue_badge(client: Client) -> None:
    recommendation = sent_recommendation(sent_on=long_ago(60))

    html = page(speaking(client, "en").get(url("recommendation", recommendation)))

    assert "badge-overdue" in html
    assert "overdue by" in html


def test_a_missing_recommendation_is_not_found(client: Client) -> None:
    assert client.get(reverse("accountability:recommendation", args=[987654])).status_code == 404


def test_the_action_forms_appear_only_for_those_the_permissions_allow() -> None:
    recommendation = sent_recommendation()
    okrug = recommendation.council.okrug
    staff = akimat_user(okrug)
    stranger = akimat_user(sent_recommendation().council.okrug)
    officer = council_officer(recommendation.council)

    staff_html = page(signed_in(staff).get(url("recommendation", recommendation)))
    stranger_html = page(signed_in(stranger).get(url("recommendation", recommendation)))
    officer_html = page(signed_in(officer).get(url("recommendation", recommendation)))

    for form in ("answer", "forward", "extend"):
        assert f'action="{url(form, recommendation)}"' in staff_html
        assert f'action="{url(form, recommendation)}"' not in stranger_html
        assert f'action="{url(form, recommendation)}"' not in officer_html
    # Nothing to judge or report on before the answer.
    assert url("unsatisfactory", recommendation) not in officer_html
    assert url("progress", recommendation) not in staff_html


def test_the_extend_form_names_the_charters_limit() -> None:
    recommendation = sent_recommendation(charter={"extension_limit_months": 2})
    staff = akimat_user(recommendation.council.okrug)

    html = page(signed_in(staff).get(url("recommendation", recommendation)))

    assert f'max="{extension_limit(recommendation).isoformat()}"' in html


# Answering ----------------------------------------------------------------------------------------


def test_the_office_answers_and_the_resident_who_proposed_it_sees_the_answer_everywhere() -> None:
    recommendation = sent_recommendation()
    staff = akimat_user(recommendation.council.okrug)
    proposal = recommendation.proposals.get()
    measures = "Келесі жылы 12 шам орнатылады <script>alert(1)</script>"

    response = signed_in(staff).post(
        url("answer", recommendation),
        {
            "answer-kind": "accepted",
            "answer-text": measures,
            "answer-reason": "",
            "answer-budget_year": "2027",
            "answer-amount_tenge": "4500000",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == url("recommendation", recommendation)
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ANSWERED
    author = signed_in(proposal.author)
    followed = author.get(url("recommendation", recommendation))
    html = page(followed)
    assert_escaped(html)
    answer_block = html.split('id="answer-title"')[1].split("</section>")[0]
    assert escape(measures) in answer_block
    assert "2027" in answer_block
    assert "badge-answered" in html
    # The proposal's own page and its whole story tell the same.
    proposal_html = page(author.get(reverse("proposals:detail", args=[proposal.pk])))
    assert_escaped(proposal_html)
    assert escape(measures) in proposal_html
    assert reverse("accountability:story", args=[proposal.pk]) in proposal_html
    story_html = page(author.get(reverse("accountability:story", args=[proposal.pk])))
    assert escape(recommendation.addressee_name) in story_html.split('id="stage-answered"')[1]


def test_the_success_message_follows_the_redirect() -> None:
    recommendation = sent_recommendation()
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff, "en").post(
        url("answer", recommendation),
        {"answer-kind": "declined", "answer-reason": "Қаражат жоқ"},
        follow=True,
    )

    assert response.status_code == 200
    assert "The answer is published" in response.content.decode()


def test_a_declined_answer_without_a_reason_is_refused_by_the_form_with_422() -> None:
    recommendation = sent_recommendation()
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff).post(url("answer", recommendation), {"answer-kind": "declined", "answer-reason": ""})

    assert response.status_code == 422
    html = response.content.decode()
    form = html.split('id="answer-form"')[1].split("</form>")[0]
    assert "errorlist" in form
    assert 'name="answer-reason"' in form
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.SENT


def test_an_invalid_form_is_shown_again_with_400() -> None:
    recommendation = answered_recommendation()
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff).post(url("progress", recommendation), {"progress-percent": "101", "progress-text": "x"})

    assert response.status_code == 400
    assert "errorlist" in response.content.decode().split('id="progress-form"')[1]


def test_a_stranger_is_refused_with_403_on_the_form() -> None:
    recommendation = sent_recommendation()
    stranger = akimat_user(sent_recommendation().council.okrug)

    response = signed_in(stranger, "en").post(
        url("answer", recommendation), {"answer-kind": "accepted", "answer-text": "Жасаймыз"}
    )

    assert response.status_code == 403
    assert "You may not do this." in response.content.decode().split('id="answer-form"')[1]
    assert not Answer.objects.filter(recommendation=recommendation).exists()


def test_the_actions_need_a_signed_in_person_and_a_post(client: Client) -> None:
    recommendation = sent_recommendation()

    for name in ("answer", "forward", "extend", "progress", "unsatisfactory"):
        response = client.post(url(name, recommendation), {})
        assert response.status_code == 302
        assert reverse("accounts:login") in response["Location"]
    staff = signed_in(akimat_user(recommendation.council.okrug))
    assert staff.get(url("answer", recommendation)).status_code == 405


# Forwarding and extension -------------------------------------------------------------------------


def test_the_office_forwards_it_to_the_competent_body() -> None:
    recommendation = sent_recommendation()
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff).post(
        url("forward", recommendation),
        {"forward-to_kind": "district_department", "forward-to_name": "Аудандық білім бөлімі", "forward-reason": ""},
    )

    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.addressee_kind == Recommendation.Addressee.DISTRICT_DEPARTMENT
    assert recommendation.addressee_name == "Аудандық білім бөлімі"
    html = page(Client().get(url("recommendation", recommendation)))
    assert "Аудандық білім бөлімі" in html.split('id="timeline-title"')[1]


def test_forwarding_after_the_window_is_refused_with_409_and_the_last_day() -> None:
    recommendation = sent_recommendation(sent_on=long_ago(14))
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff, "en").post(
        url("forward", recommendation),
        {"forward-to_kind": "district_department", "forward-to_name": "Аудандық білім бөлімі"},
    )

    assert response.status_code == 409
    assert "the last day was" in response.content.decode()
    recommendation.refresh_from_db()
    assert recommendation.addressee_kind == Recommendation.Addressee.OKRUG_AKIM


def test_the_office_extends_the_deadline_once_and_residents_see_the_reason() -> None:
    recommendation = sent_recommendation()
    staff = akimat_user(recommendation.council.okrug)
    assert recommendation.due_on is not None
    new_date = recommendation.due_on + datetime.timedelta(days=10)

    response = signed_in(staff).post(
        url("extend", recommendation),
        {"extend-new_due_on": new_date.isoformat(), "extend-reason": f"Мердігер іздестіріледі {'<b>'}"},
    )

    assert response.status_code == 302
    recommendation.refresh_from_db()
    assert recommendation.due_on == new_date
    html = page(Client().get(url("recommendation", recommendation)))
    assert escape("Мердігер іздестіріледі <b>") in html
    # Once only: the form is gone and the charter facts say so.
    assert url("extend", recommendation) not in page(signed_in(staff).get(url("recommendation", recommendation)))


def test_an_extension_past_the_charters_limit_is_refused_by_the_date_field() -> None:
    recommendation = sent_recommendation(charter={"extension_limit_months": 2})
    staff = akimat_user(recommendation.council.okrug)
    assert recommendation.received_on is not None
    too_late = recommendation.received_on + datetime.timedelta(days=120)

    response = signed_in(staff, "en").post(
        url("extend", recommendation), {"extend-new_due_on": too_late.isoformat(), "extend-reason": "Қыс"}
    )

    assert response.status_code == 422
    form = response.content.decode().split('id="extend-form"')[1].split("</form>")[0]
    assert "at the latest" in form
    assert not Answer.objects.filter(recommendation=recommendation, kind=Answer.Kind.EXTENDED).exists()


# Progress -----------------------------------------------------------------------------------------


def test_the_office_reports_progress_with_photos_and_everyone_sees_the_bar() -> None:
    recommendation = answered_recommendation()
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff).post(
        url("progress", recommendation),
        {
            "progress-percent": "60",
            "progress-text": "Тіректер орнатылды",
            "progress-photos": [png("a.png"), png("b.png")],
        },
    )

    assert response.status_code == 302
    report = ProgressReport.objects.get(recommendation=recommendation)
    assert report.percent == 60
    assert report.photos.count() == 2
    html = page(Client().get(url("recommendation", recommendation)))
    assert 'class="progress-bar"' in html
    assert 'value="60"' in html
    assert report.photos.first().thumbnail.url in html  # type: ignore[union-attr]


def test_progress_going_backwards_is_refused_with_422() -> None:
    recommendation = answered_recommendation()
    ProgressReportFactory.create(recommendation=recommendation, percent=50)
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff).post(
        url("progress", recommendation), {"progress-percent": "30", "progress-text": "Аздап"}
    )

    assert response.status_code == 422
    assert "errorlist" in response.content.decode().split('id="progress-form"')[1].split("</form>")[0]
    assert ProgressReport.objects.filter(recommendation=recommendation).count() == 1


def test_a_full_page_with_answer_and_reports_keeps_its_query_budget(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    recommendation = answered_recommendation()
    ProgressReportFactory.create(recommendation=recommendation, percent=20)

    with django_assert_max_num_queries(7) as few:
        html = page(client.get(url("recommendation", recommendation)))
    assert_escaped(html)

    for percent in (40, 60, 80):
        ProgressReportFactory.create(recommendation=recommendation, percent=percent)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page(client.get(url("recommendation", recommendation)))


# The council's judgement --------------------------------------------------------------------------


def test_the_council_marks_an_answer_unsatisfactory_and_the_proposal_is_ready_again() -> None:
    recommendation = answered_recommendation()
    officer = council_officer(recommendation.council)
    proposal = recommendation.proposals.get()

    html = page(signed_in(officer).get(url("recommendation", recommendation)))
    assert f'action="{url("unsatisfactory", recommendation)}"' in html
    response = signed_in(officer).post(
        url("unsatisfactory", recommendation), {"unsatisfactory-reason": "Шамдар саны аз"}
    )

    assert response.status_code == 302
    recommendation.refresh_from_db()
    proposal.refresh_from_db()
    assert recommendation.status == Recommendation.Status.UNSATISFACTORY
    assert proposal.status == Status.READY
    assert "Шамдар саны аз" in page(Client().get(url("recommendation", recommendation)))


def test_the_office_cannot_judge_its_own_answer() -> None:
    recommendation = answered_recommendation()
    staff = akimat_user(recommendation.council.okrug)

    response = signed_in(staff).post(url("unsatisfactory", recommendation), {"unsatisfactory-reason": "Жоқ"})

    assert response.status_code == 403
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ANSWERED


# The sitting pages --------------------------------------------------------------------------------


def test_the_old_sittings_address_redirects_to_the_recommendation_page(client: Client) -> None:
    recommendation = sent_recommendation()

    response = client.get(reverse("meetings:recommendation", args=[recommendation.pk]))

    assert response.status_code == 301
    assert response["Location"] == url("recommendation", recommendation)


def test_the_sitting_page_shows_the_overdue_badge_and_links_the_recommendation_page(client: Client) -> None:
    recommendation = sent_recommendation(sent_on=long_ago(60))
    answered = answered_recommendation()

    html = page(client.get(reverse("meetings:detail", args=[recommendation.item.meeting.pk])))
    answered_html = page(client.get(reverse("meetings:detail", args=[answered.item.meeting.pk])))

    block = html.split('id="recommendations-title"')[1]
    assert url("recommendation", recommendation) in block
    assert "badge-overdue" in block
    assert "badge-answered" in answered_html.split('id="recommendations-title"')[1]


def test_a_final_answer_shows_its_measures_budget_year_and_amount_in_tenge(client: Client) -> None:
    recommendation = sent_recommendation()
    answer = AnswerFactory.create(
        recommendation=recommendation, kind="accepted", budget_year=2027, amount_tenge=Decimal("4500000.00")
    )
    with translation.override("ru"):
        amount = floatformat(answer.amount_tenge, "-2g")

    html = page(speaking(client, "ru").get(url("recommendation", recommendation)))

    block = html.split('id="answer-title"')[1].split("</section>")[0]
    assert escape(answer.text) in block
    assert "2027" in block
    assert amount in block
    assert amount != "4500000"


def test_the_recommendations_admin_filters_by_recent_years_without_scanning_for_them(
    client: Client, django_assert_max_num_queries: Any
) -> None:
    from kenes.accounts.tests.factories import SuperuserFactory

    this_year = adopted_recommendation()
    last_year = adopted_recommendation(adopted_on=timezone.localdate() - datetime.timedelta(days=366))
    client.force_login(SuperuserFactory.create())
    url = reverse("admin:meetings_recommendation_changelist")

    with django_assert_max_num_queries(8) as listed:
        everything = client.get(url)
    filtered = client.get(url, {"year": str(last_year.year)})

    assert not [query for query in listed.captured_queries if "DISTINCT" in query["sql"]]
    assert {row.pk for row in everything.context["cl"].result_list} == {this_year.pk, last_year.pk}
    assert {row.pk for row in filtered.context["cl"].result_list} == {last_year.pk}
    assert f"?year={timezone.localdate().year - 10}" in everything.content.decode()
