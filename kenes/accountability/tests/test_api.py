"""The accountability API through the HTTP client: public lists (status, overdue, okrug, district,
pages) and details of recommendations, the office's answers (accepted, partially accepted,
declined, forwarded, extended) and progress reports by API token, and the scorecards."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client
from django.utils import timezone
from PIL import Image

from kenes.accountability import services
from kenes.accountability.models import Answer, ProgressPhoto, ProgressReport
from kenes.accountability.tests.factories import (
    SCRIPT,
    adopted_recommendation,
    akimat_user,
    answered_recommendation,
    district_user,
    sent_recommendation,
)
from kenes.accounts.services import issue_api_token
from kenes.accounts.tests.factories import UserFactory
from kenes.core.calendar import add_working_days
from kenes.councils.tests.factories import PilotFactory
from kenes.meetings.models import Recommendation
from kenes.proposals.tests.factories import resident_of

pytestmark = pytest.mark.django_db

API = "/api/v1/accountability/"


def bearer(user: Any) -> dict[str, str]:
    _token, secret = issue_api_token(actor=user, user=user, name="tests")
    return {"Authorization": f"Bearer {secret}"}


def post(client: Client, path: str, user: Any | None, body: dict[str, Any]) -> Any:
    headers = bearer(user) if user is not None else {}
    return client.post(API + path, body, content_type="application/json", headers=headers)


def weeks_ago(weeks: int) -> datetime.date:
    return timezone.localdate() - datetime.timedelta(weeks=weeks)


@pytest.fixture
def waiting() -> Recommendation:
    return sent_recommendation()


@pytest.fixture
def akimat(waiting: Recommendation) -> Any:
    return akimat_user(waiting.council.okrug)


def _photo() -> ContentFile[bytes]:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 6), "green").save(buffer, format="PNG")
    return ContentFile(buffer.getvalue(), name="work.png")


# Lists ----------------------------------------------------------------------------------------


def test_the_list_shows_each_recommendation_with_its_fate_and_pages_like_the_other_routers(
    client, django_assert_max_num_queries
):
    first = sent_recommendation(proposals=2)
    council = first.council
    for _ in range(4):
        sent_recommendation(council=council)
    answered_recommendation(council=council, kind="declined")

    with django_assert_max_num_queries(3):
        response = client.get(API + "recommendations", {"limit": 4, "offset": 0})

    body = response.json()
    assert response.status_code == 200
    assert (body["count"], body["limit"], body["offset"], len(body["items"])) == (6, 4, 0, 4)
    second = client.get(API + "recommendations", {"limit": 4, "offset": 4}).json()
    assert len(second["items"]) == 2
    shown = {item["id"]: item for item in body["items"] + second["items"]}
    assert set(shown) == set(Recommendation.objects.values_list("pk", flat=True))
    item = shown[first.pk]
    assert item["number"] == first.number
    assert item["council"] == council.okrug.kato
    assert item["district"] == council.okrug.district.kato
    assert item["status"] == "sent"
    assert item["due_on"] == str(first.due_on)
    assert item["is_overdue"] is False
    assert item["answer_kind"] is None
    assert sorted(item["proposals"]) == sorted(first.proposals.values_list("pk", flat=True))
    assert item["url"] == f"/accountability/recommendations/{first.pk}/"
    assert item["text_kk"].endswith(SCRIPT)  # JSON carries the text as it is; pages escape it


def test_status_overdue_lists_only_recommendations_still_waiting_past_their_due_date(client):
    overdue = sent_recommendation(sent_on=weeks_ago(8))
    council = overdue.council
    sent_recommendation(council=council)  # waiting, not due yet
    answered_recommendation(council=council, sent_on=weeks_ago(8), answered_on=timezone.localdate())  # answered late
    adopted_recommendation(council=council)

    body = client.get(API + "recommendations", {"status": "overdue"}).json()

    assert [item["id"] for item in body["items"]] == [overdue.pk]
    assert body["items"][0]["is_overdue"] is True
    assert body["items"][0]["status"] == "sent"
    assert body["count"] == 1
    # Still simply "sent" for the plain status filter, alongside the one not due yet.
    assert client.get(API + "recommendations", {"status": "sent"}).json()["count"] == 2
    assert client.get(API + "recommendations", {"status": "adopted"}).json()["count"] == 1


def test_the_list_filters_by_okrug_and_district_and_refuses_unknown_codes(client):
    here = sent_recommendation()
    elsewhere = sent_recommendation()
    okrug = here.council.okrug

    by_okrug = client.get(API + "recommendations", {"okrug": okrug.kato}).json()
    by_district = client.get(API + "recommendations", {"district": okrug.district.kato}).json()
    unknown = client.get(API + "recommendations", {"okrug": "999999999"})
    malformed = client.get(API + "recommendations", {"status": "lost"})

    assert [item["id"] for item in by_okrug["items"]] == [here.pk]
    assert elsewhere.pk not in [item["id"] for item in by_district["items"]]
    assert here.pk in [item["id"] for item in by_district["items"]]
    assert (unknown.status_code, unknown.json()["code"]) == (404, "not_found")
    assert (malformed.status_code, malformed.json()["code"]) == (422, "invalid")
    assert client.get(API + "recommendations", {"district": "999999999"}).status_code == 404


# One recommendation ---------------------------------------------------------------------------


def test_the_detail_shows_the_answer_progress_with_photo_urls_and_the_timeline(client, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    recommendation = sent_recommendation(sent_on=weeks_ago(3))
    staff = akimat_user(recommendation.council.okrug)
    services.answer_recommendation(
        actor=staff,
        recommendation=recommendation,
        kind="accepted",
        text="Жол салынады",
        budget_year=2027,
        amount_tenge=Decimal("12400000"),
    )
    report = services.report_progress(actor=staff, recommendation=recommendation, percent=40, text="320 метр")
    ProgressPhoto.objects.create(report=report, image=_photo(), thumbnail=_photo())

    body = client.get(f"{API}recommendations/{recommendation.pk}").json()

    assert body["status"] == "answered"
    assert body["answer_kind"] == "accepted"
    assert body["progress_percent"] == 40
    assert body["working_days_left"] is None
    (answer,) = body["answers"]
    assert (answer["kind"], answer["text"], answer["budget_year"], answer["amount_tenge"]) == (
        "accepted",
        "Жол салынады",
        2027,
        "12400000.00",
    )
    assert answer["answered_by"] == staff.full_name
    (progress,) = body["progress"]
    assert (progress["percent"], progress["text"]) == (40, "320 метр")
    (photo,) = progress["photos"]
    assert photo["url"].startswith("/media/progress/")
    assert (photo["width"], photo["height"]) == (8, 6)
    assert [entry["kind"] for entry in body["timeline"]] == ["adopted", "sent", "answered", "progress"]
    assert body["timeline"][2]["answer"] == answer["id"]
    assert body["timeline"][3]["progress"] == progress["id"]
    assert body["timeline"][2]["actor_name"] == staff.full_name


def test_the_detail_of_a_waiting_recommendation_counts_the_working_days_left(client, waiting):
    body = client.get(f"{API}recommendations/{waiting.pk}").json()

    assert body["working_days_left"] == 15  # the charter's default, from today
    assert body["is_overdue"] is False
    assert body["answers"] == []
    assert body["progress"] == []


def test_an_overdue_recommendation_says_so_with_negative_days_left(client):
    recommendation = sent_recommendation(sent_on=weeks_ago(8))
    services.check_deadlines()
    assert recommendation.due_on is not None

    body = client.get(f"{API}recommendations/{recommendation.pk}").json()

    assert body["is_overdue"] is True
    assert body["overdue_since"] == (recommendation.due_on + datetime.timedelta(days=1)).isoformat()
    assert body["working_days_left"] < 0
    assert [entry["kind"] for entry in body["timeline"]] == ["adopted", "sent", "overdue", "escalated"]
    assert body["timeline"][2]["actor_name"] == ""


def test_answers_and_progress_have_their_own_lists(client):
    recommendation = answered_recommendation(kind="accepted")
    staff = akimat_user(recommendation.council.okrug)
    services.report_progress(actor=staff, recommendation=recommendation, percent=30, text="Басталды")
    services.report_progress(actor=staff, recommendation=recommendation, percent=60, text="Жарты жол")

    answers = client.get(f"{API}recommendations/{recommendation.pk}/answers").json()
    progress = client.get(f"{API}recommendations/{recommendation.pk}/progress").json()

    assert [answer["kind"] for answer in answers] == ["accepted"]
    assert [report["percent"] for report in progress] == [30, 60]


@pytest.mark.parametrize("suffix", ["", "/answers", "/progress"])
def test_an_unknown_recommendation_is_a_404(client, suffix):
    response = client.get(f"{API}recommendations/999999{suffix}")

    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


# Answers --------------------------------------------------------------------------------------


def test_the_akimat_accepts_with_measures_budget_year_and_amount_by_token(client, waiting, akimat):
    response = post(
        client,
        f"recommendations/{waiting.pk}/answers",
        akimat,
        {"kind": "accepted", "text": "12 шам орнатылады", "budget_year": 2027, "amount_tenge": "4500000.50"},
    )

    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["text"], body["budget_year"], body["amount_tenge"]) == (
        "accepted",
        "12 шам орнатылады",
        2027,
        "4500000.50",
    )
    waiting.refresh_from_db()
    assert (waiting.status, waiting.answer_kind, waiting.answered_on) == ("answered", "accepted", timezone.localdate())
    assert Answer.objects.get(pk=body["id"]).amount_tenge == Decimal("4500000.50")


def test_a_partial_acceptance_and_a_decline_carry_their_reasons(client, akimat, waiting):
    other = sent_recommendation(council=waiting.council)

    partial = post(
        client,
        f"recommendations/{waiting.pk}/answers",
        akimat,
        {"kind": "partially_accepted", "text": "Жартысы", "reason": "Қаражат жетпейді"},
    )
    declined = post(client, f"recommendations/{other.pk}/answers", akimat, {"kind": "declined", "reason": "Құзырет"})

    assert partial.status_code == declined.status_code == 201
    assert partial.json()["reason"] == "Қаражат жетпейді"
    assert declined.json()["reason"] == "Құзырет"
    assert declined.json()["budget_year"] is None
    other.refresh_from_db()
    assert other.answer_kind == "declined"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"kind": "accepted"}, "measures_required"),
        ({"kind": "declined"}, "reason_required"),
        ({"kind": "partially_accepted", "text": "Жартысы"}, "reason_required"),
        ({"kind": "extended", "reason": "Сараптама"}, "new_due_on_required"),
        ({"kind": "forwarded", "to_kind": "district_department"}, "addressee_required"),
    ],
)
def test_an_answer_missing_what_its_kind_needs_is_a_422_with_the_rules_code(client, waiting, akimat, body, code):
    response = post(client, f"recommendations/{waiting.pk}/answers", akimat, body)

    assert response.status_code == 422
    assert response.json()["code"] == code
    assert not Answer.objects.exists()


def test_a_bad_budget_year_or_a_negative_amount_is_refused_before_the_service(client, waiting, akimat):
    year = post(
        client, f"recommendations/{waiting.pk}/answers", akimat, {"kind": "accepted", "text": "a", "budget_year": 1999}
    )
    amount = post(
        client, f"recommendations/{waiting.pk}/answers", akimat, {"kind": "accepted", "text": "a", "amount_tenge": -1}
    )

    assert (year.status_code, year.json()["code"]) == (422, "invalid")
    assert (amount.status_code, amount.json()["code"]) == (422, "invalid")


def test_a_second_final_answer_is_a_409(client, waiting, akimat):
    first = post(client, f"recommendations/{waiting.pk}/answers", akimat, {"kind": "declined", "reason": "Жоқ"})
    assert first.status_code == 201

    again = post(client, f"recommendations/{waiting.pk}/answers", akimat, {"kind": "accepted", "text": "Иә"})

    assert (again.status_code, again.json()["code"]) == (409, "already_answered")
    assert Answer.objects.count() == 1


def test_without_a_caller_it_is_a_401_and_for_anyone_outside_the_office_a_403(client, waiting):
    answer = {"kind": "declined", "reason": "Жоқ"}
    anonymous = post(client, f"recommendations/{waiting.pk}/answers", None, answer)
    resident = post(client, f"recommendations/{waiting.pk}/answers", resident_of(waiting.council.okrug), answer)
    elsewhere = akimat_user(sent_recommendation().council.okrug)
    other_okrug = post(client, f"recommendations/{waiting.pk}/answers", elsewhere, answer)
    stranger = post(client, f"recommendations/{waiting.pk}/progress", UserFactory.create(), {"percent": 5, "text": "a"})

    assert anonymous.status_code == 401
    assert (resident.status_code, resident.json()["code"]) == (403, "forbidden")
    assert (other_okrug.status_code, other_okrug.json()["code"]) == (403, "forbidden")
    assert (stranger.status_code, stranger.json()["code"]) == (403, "forbidden")
    assert set(anonymous.json()) == {"detail", "code"}
    assert not Answer.objects.exists()


def test_a_write_to_an_unknown_recommendation_is_a_404(client, akimat):
    answer = post(client, "recommendations/999999/answers", akimat, {"kind": "declined", "reason": "Жоқ"})
    progress = post(client, "recommendations/999999/progress", akimat, {"percent": 5, "text": "a"})

    assert (answer.status_code, answer.json()["code"]) == (404, "not_found")
    assert (progress.status_code, progress.json()["code"]) == (404, "not_found")


def test_the_signed_in_session_answers_too(client, waiting, akimat):
    client.force_login(akimat)

    response = client.post(
        f"{API}recommendations/{waiting.pk}/answers",
        {"kind": "declined", "reason": "Жоқ"},
        content_type="application/json",
    )

    assert response.status_code == 201


def test_forwarding_hands_it_to_the_district_body_whose_staff_then_answer(client, waiting, akimat):
    response = post(
        client,
        f"recommendations/{waiting.pk}/answers",
        akimat,
        {"kind": "forwarded", "to_kind": "district_department", "to_name": "Аудандық ТКШ бөлімі", "reason": "Құзырет"},
    )

    assert response.status_code == 201
    body = response.json()
    today = timezone.localdate()
    assert (body["kind"], body["forwarded_to_kind"], body["forwarded_to_name"]) == (
        "forwarded",
        "district_department",
        "Аудандық ТКШ бөлімі",
    )
    assert body["new_due_on"] == add_working_days(today, 15).isoformat()
    detail = client.get(f"{API}recommendations/{waiting.pk}").json()
    assert (detail["addressee_kind"], detail["addressee_name"]) == ("district_department", "Аудандық ТКШ бөлімі")
    # The okrug's office no longer holds it; the district's does.
    refused = post(client, f"recommendations/{waiting.pk}/answers", akimat, {"kind": "declined", "reason": "Жоқ"})
    district = district_user(waiting.council.okrug.district)
    answered = post(client, f"recommendations/{waiting.pk}/answers", district, {"kind": "declined", "reason": "Жоқ"})
    assert refused.status_code == 403
    assert answered.status_code == 201


def test_forwarding_after_three_working_days_is_a_409(client, akimat):
    late = sent_recommendation(sent_on=weeks_ago(2))
    staff = akimat_user(late.council.okrug)

    response = post(
        client,
        f"recommendations/{late.pk}/answers",
        staff,
        {"kind": "forwarded", "to_kind": "maslikhat", "to_name": "Аудандық мәслихат"},
    )

    assert (response.status_code, response.json()["code"]) == (409, "forward_window_closed")


def test_the_deadline_is_extended_once_within_the_charters_limit(client, waiting, akimat):
    assert waiting.due_on is not None
    later = waiting.due_on + datetime.timedelta(days=14)

    first = post(
        client,
        f"recommendations/{waiting.pk}/answers",
        akimat,
        {"kind": "extended", "new_due_on": later.isoformat(), "reason": "Сараптама күтілуде"},
    )
    second = post(
        client,
        f"recommendations/{waiting.pk}/answers",
        akimat,
        {"kind": "extended", "new_due_on": (later + datetime.timedelta(days=1)).isoformat(), "reason": "Тағы"},
    )

    assert first.status_code == 201
    assert (first.json()["previous_due_on"], first.json()["new_due_on"]) == (
        waiting.due_on.isoformat(),
        later.isoformat(),
    )
    assert (second.status_code, second.json()["code"]) == (409, "already_extended")
    assert client.get(f"{API}recommendations/{waiting.pk}").json()["due_on"] == later.isoformat()


def test_an_extension_past_the_charters_months_is_a_422(client, waiting, akimat):
    too_far = timezone.localdate() + datetime.timedelta(days=100)

    response = post(
        client,
        f"recommendations/{waiting.pk}/answers",
        akimat,
        {"kind": "extended", "new_due_on": too_far.isoformat(), "reason": "Ұзақ"},
    )

    assert (response.status_code, response.json()["code"]) == (422, "extension_too_long")


# Progress -------------------------------------------------------------------------------------


def test_the_office_reports_progress_and_100_percent_makes_it_implemented(client):
    recommendation = answered_recommendation(kind="accepted")
    staff = akimat_user(recommendation.council.okrug)

    half = post(client, f"recommendations/{recommendation.pk}/progress", staff, {"percent": 50, "text": "Жартысы"})
    done = post(client, f"recommendations/{recommendation.pk}/progress", staff, {"percent": 100, "text": "Бітті"})

    assert half.status_code == done.status_code == 201
    assert (done.json()["percent"], done.json()["photos"]) == (100, [])
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.progress_percent) == ("implemented", 100)
    assert recommendation.implemented_on == timezone.localdate()
    assert ProgressReport.objects.filter(recommendation=recommendation).count() == 2


def test_progress_cannot_go_back_nor_be_reported_on_a_declined_answer(client):
    accepted = answered_recommendation(kind="accepted")
    declined = answered_recommendation(kind="declined", council=accepted.council)
    staff = akimat_user(accepted.council.okrug)
    post(client, f"recommendations/{accepted.pk}/progress", staff, {"percent": 70, "text": "Көбі"})

    backwards = post(client, f"recommendations/{accepted.pk}/progress", staff, {"percent": 20, "text": "Аз"})
    on_declined = post(client, f"recommendations/{declined.pk}/progress", staff, {"percent": 20, "text": "Аз"})
    out_of_range = post(client, f"recommendations/{accepted.pk}/progress", staff, {"percent": 101, "text": "Көп"})

    assert (backwards.status_code, backwards.json()["code"]) == (422, "progress_backwards")
    assert (on_declined.status_code, on_declined.json()["code"]) == (409, "answer_declined")
    assert (out_of_range.status_code, out_of_range.json()["code"]) == (422, "invalid")


# Scorecards -----------------------------------------------------------------------------------


def test_the_okrug_scorecard_counts_sent_answered_and_overdue(client):
    overdue = sent_recommendation(sent_on=weeks_ago(8))
    council = overdue.council
    answered_recommendation(council=council, kind="accepted")
    sent_recommendation(council=council)

    response = client.get(f"{API}scorecards/okrug/{council.okrug.kato}")

    assert response.status_code == 200
    card = response.json()
    assert card["kato"] == council.okrug.kato
    assert (card["councils"], card["sent"], card["answered"], card["accepted"], card["overdue"]) == (1, 3, 1, 1, 1)
    assert card["is_demo"] is False


def test_the_district_and_pilot_scorecards_add_up_their_okrugs(client):
    recommendation = answered_recommendation(kind="declined")
    district = recommendation.council.okrug.district
    pilot = PilotFactory.create(district=district)

    by_district = client.get(f"{API}scorecards/district/{district.kato}").json()
    by_pilot = client.get(f"{API}scorecards/pilot/{pilot.pk}", {"year": timezone.localdate().year}).json()

    assert by_district["total"]["declined"] == 1
    assert [row["kato"] for row in by_district["okrugs"]] == [recommendation.council.okrug.kato]
    assert by_pilot["pilot_district"]["kato"] == district.kato
    assert by_pilot["pilot_district"]["declined"] == 1
    assert isinstance(by_pilot["comparison"], list)


@pytest.mark.parametrize(
    "path", ["scorecards/okrug/999999999", "scorecards/district/999999999", "scorecards/pilot/999999"]
)
def test_a_scorecard_of_an_unknown_place_is_a_404(client, path):
    response = client.get(API + path)

    assert (response.status_code, response.json()["code"]) == (404, "not_found")
