"""The addressee answers (accepted, partially accepted, declined), forwards within three working days
or extends the deadline once; progress is reported until done; the council may find an answer
unsatisfactory. Every act keeps the recommendation's state, both timelines and the audit log.

Dates are in March–May 2026: Nauryz makes Saturday 21 to Wednesday 25 March days off."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.formats import date_format
from PIL import Image

from kenes.accountability import selectors, services
from kenes.accountability.models import Answer, ProgressPhoto, ProgressReport, RecommendationEvent
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
from kenes.accounts.models import Role
from kenes.accounts.tests.factories import UserFactory
from kenes.core.calendar import add_months
from kenes.core.errors import DomainError
from kenes.core.models import AuditEntry
from kenes.meetings.models import Recommendation
from kenes.proposals.models import Status, TimelineEvent
from kenes.proposals.tests.factories import resident_of
from kenes.territory.tests.factories import OkrugFactory

pytestmark = pytest.mark.django_db


def facts(entry: AuditEntry, side: str) -> dict:
    """The audit row's before or after facts (present on these rows)."""
    value = getattr(entry, side)
    assert value is not None
    return value


D = datetime.date
THU_19_MARCH = D(2026, 3, 19)
MEASURES = "Келесі жылы Орталық көшеге 12 шам орнатылады <script>alert(1)</script>"
REASON = "Бюджетте қаражат қарастырылмаған <script>alert(2)</script>"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    return tmp_path / "media"


@pytest.fixture
def recommendation() -> Recommendation:
    """Sent on Thursday 19 March 2026, due in 15 working days: Tuesday 14 April (Nauryz skipped)."""
    return sent_recommendation(sent_on=THU_19_MARCH, proposals=2, charter={"answer_working_days": 15})


@pytest.fixture
def staff(recommendation):
    return akimat_user(recommendation.council.okrug)


def refusal(call, **kwargs) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call(**kwargs)
    return caught.value


def small_jpeg(*, size=(640, 480), with_gps: bool = True) -> SimpleUploadedFile:
    image = Image.new("RGB", size, (30, 140, 60))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker <script>"
    if with_gps:
        exif.get_ifd(0x8825).update({1: "N", 2: (51.0, 22.0, 30.0), 3: "E", 4: (71.0, 21.0, 0.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes(), quality=85)
    return SimpleUploadedFile("site.jpg", out.getvalue(), content_type="image/jpeg")


def proposal_steps(recommendation: Recommendation, kind: str) -> list[TimelineEvent]:
    return list(TimelineEvent.objects.filter(proposal__in=recommendation.proposals.all(), kind=kind))


# Answers ------------------------------------------------------------------------------------------


def test_the_recommendation_is_due_fifteen_working_days_after_sending_skipping_nauryz(recommendation):
    assert recommendation.received_on == THU_19_MARCH
    assert recommendation.due_on == D(2026, 4, 14)


def test_an_accepted_answer_records_measures_budget_year_and_amount(recommendation, staff):
    answer = services.answer_recommendation(
        actor=staff,
        recommendation=recommendation,
        kind="accepted",
        text=MEASURES,
        budget_year=2027,
        amount_tenge=Decimal("4500000.50"),
        on=D(2026, 4, 1),
    )

    assert (answer.kind, answer.text, answer.budget_year, answer.amount_tenge) == (
        "accepted",
        MEASURES,
        2027,
        Decimal("4500000.50"),
    )
    assert answer.answered_by == staff
    assert answer.on_behalf_of == recommendation.addressee_name
    recommendation.refresh_from_db()
    assert recommendation.status == Recommendation.Status.ANSWERED
    assert recommendation.answered_on == D(2026, 4, 1)
    assert recommendation.answer_kind == "accepted"
    assert not recommendation.answered_late


def test_an_answer_is_on_the_recommendations_and_every_proposals_timeline_and_audited(recommendation, staff):
    answer = services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES, on=D(2026, 4, 1)
    )

    entries = selectors.timeline_of(recommendation)
    assert [entry.kind for entry in entries] == ["adopted", "sent", "answered"]
    assert entries[-1].answer == answer
    assert entries[-1].on == D(2026, 4, 1)
    assert entries[-1].actor_name == staff.full_name
    steps = proposal_steps(recommendation, TimelineEvent.Kind.ANSWERED)
    assert len(steps) == 2
    assert all(step.actor == staff and MEASURES in step.note for step in steps)
    assert {proposal.status for proposal in recommendation.proposals.all()} == {Status.RECOMMENDED}
    audit = AuditEntry.objects.get(action="recommendation.answered")
    assert audit.actor == staff
    assert audit.target_id == str(recommendation.pk)
    assert facts(audit, "before")["status"] == "sent"
    assert facts(audit, "after")["status"] == "answered"


def test_a_partially_accepted_answer_needs_the_measures_and_the_reason(recommendation, staff):
    answer = {"actor": staff, "recommendation": recommendation, "kind": "partially_accepted", "on": D(2026, 4, 1)}
    assert refusal(services.answer_recommendation, **answer, reason=REASON).code == "measures_required"
    assert refusal(services.answer_recommendation, **answer, text=MEASURES).code == "reason_required"

    made = services.answer_recommendation(**answer, text=MEASURES, reason=REASON, budget_year=2026)

    assert (made.kind, made.text, made.reason, made.budget_year) == ("partially_accepted", MEASURES, REASON, 2026)
    recommendation.refresh_from_db()
    assert recommendation.answer_kind == "partially_accepted"


def test_a_declined_answer_needs_a_reason_and_takes_no_budget(recommendation, staff):
    error = refusal(
        services.answer_recommendation, actor=staff, recommendation=recommendation, kind="declined", reason="  "
    )
    assert (error.code, error.status) == ("reason_required", 422)

    made = services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="declined", reason=REASON, budget_year=2027, on=D(2026, 4, 2)
    )

    assert (made.kind, made.reason, made.budget_year, made.amount_tenge) == ("declined", REASON, None, None)
    recommendation.refresh_from_db()
    assert (recommendation.status, recommendation.answer_kind) == ("answered", "declined")


def test_an_accepted_answer_needs_the_planned_measures(recommendation, staff):
    error = refusal(services.answer_recommendation, actor=staff, recommendation=recommendation, kind="accepted")
    assert (error.code, error.status) == ("measures_required", 422)
    assert not Answer.objects.exists()


@pytest.mark.parametrize("kind", ["forwarded", "extended", "maybe", ""])
def test_only_a_final_kind_is_an_answer(recommendation, staff, kind):
    error = refusal(
        services.answer_recommendation,
        actor=staff,
        recommendation=recommendation,
        kind=kind,
        text=MEASURES,
        reason=REASON,
    )
    assert (error.code, error.status) == ("invalid_answer_kind", 422)


@pytest.mark.parametrize("year", [1999, 2101, 0])
def test_the_budget_year_must_be_between_2000_and_2100(recommendation, staff, year):
    error = refusal(
        services.answer_recommendation,
        actor=staff,
        recommendation=recommendation,
        kind="accepted",
        text=MEASURES,
        budget_year=year,
    )
    assert error.code == "invalid_budget_year"


@pytest.mark.parametrize("amount", [Decimal("-0.01"), Decimal("NaN"), "many", Decimal("1e13")])
def test_the_amount_must_be_a_sum_of_tenge_not_below_zero(recommendation, staff, amount):
    error = refusal(
        services.answer_recommendation,
        actor=staff,
        recommendation=recommendation,
        kind="accepted",
        text=MEASURES,
        amount_tenge=amount,
    )
    assert error.code == "invalid_amount"


def test_an_amount_of_zero_is_taken(recommendation, staff):
    made = services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES, amount_tenge=Decimal(0)
    )
    assert made.amount_tenge == Decimal("0.00")


def test_a_second_answer_is_refused_as_already_answered(recommendation, staff):
    services.answer_recommendation(actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES)

    error = refusal(
        services.answer_recommendation, actor=staff, recommendation=recommendation, kind="declined", reason=REASON
    )

    assert (error.code, error.status) == ("already_answered", 409)
    assert Answer.objects.filter(recommendation=recommendation).count() == 1


def test_a_late_answer_is_taken_and_counts_as_late(recommendation, staff):
    services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES, on=D(2026, 4, 20)
    )
    recommendation.refresh_from_db()
    assert recommendation.status == "answered"
    assert recommendation.answered_late
    assert facts(AuditEntry.objects.get(action="recommendation.answered"), "after")["late"] is True


def test_an_answer_cannot_be_dated_before_the_addressee_received_it(recommendation, staff):
    error = refusal(
        services.answer_recommendation,
        actor=staff,
        recommendation=recommendation,
        kind="accepted",
        text=MEASURES,
        on=D(2026, 3, 18),
    )
    assert error.code == "date_before_received"


def test_a_recommendation_not_sent_cannot_be_answered():
    recommendation = adopted_recommendation()
    staff = akimat_user(recommendation.council.okrug)
    error = refusal(
        services.answer_recommendation, actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES
    )
    assert (error.code, error.status) == ("not_sent", 409)


def test_people_outside_the_addressed_office_may_not_answer(recommendation):
    okrug = recommendation.council.okrug
    outsiders = [
        resident_of(okrug),
        akimat_user(OkrugFactory.create(district=okrug.district)),
        district_user(okrug.district, role=Role.DISTRICT_ADMIN),  # the okrug akim answers, not the district
        council_officer(recommendation.council),
    ]
    for person in outsiders:
        error = refusal(
            services.answer_recommendation, actor=person, recommendation=recommendation, kind="accepted", text=MEASURES
        )
        assert (error.code, error.status) == ("forbidden", 403)
    assert not Answer.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="recommendation.").exists()


def test_district_administrators_answer_for_a_district_department():
    recommendation = sent_recommendation(sent_on=THU_19_MARCH, addressee_kind="district_department")
    admin = district_user(recommendation.council.okrug.district, role=Role.DISTRICT_ADMIN)
    made = services.answer_recommendation(
        actor=admin, recommendation=recommendation, kind="declined", reason=REASON, on=D(2026, 3, 30)
    )
    assert made.answered_by == admin


# Forwarding ---------------------------------------------------------------------------------------


DEPARTMENT = "Аудан әкімдігінің құрылыс бөлімі <script>alert(3)</script>"


def forward(recommendation, actor, on, **extra):
    return services.forward_recommendation(
        actor=actor,
        recommendation=recommendation,
        to_kind=extra.pop("to_kind", "district_department"),
        to_name=extra.pop("to_name", DEPARTMENT),
        reason=extra.pop("reason", "Құзыреті аудан деңгейінде"),
        on=on,
        **extra,
    )


def test_the_forwarding_window_runs_three_working_days_across_nauryz_and_the_weekend(recommendation):
    # Received Thursday 19 March: Friday 20 (1), 21–25 March are days off, Thursday 26 (2), Friday 27 (3).
    assert selectors.forward_deadline(recommendation) == D(2026, 3, 27)


def test_forwarding_on_the_last_day_of_the_window_restarts_the_due_date(recommendation, staff):
    answer = forward(recommendation, staff, D(2026, 3, 27))

    # Fifteen working days from Friday 27 March: 30, 31 March, 1–3, 6–10, 13–17 April.
    assert (answer.kind, answer.forwarded_to_kind, answer.forwarded_to_name) == (
        "forwarded",
        "district_department",
        DEPARTMENT,
    )
    assert (answer.previous_due_on, answer.new_due_on) == (D(2026, 4, 14), D(2026, 4, 17))
    recommendation.refresh_from_db()
    assert recommendation.addressee_kind == "district_department"
    assert recommendation.addressee_name == DEPARTMENT
    assert recommendation.received_on == D(2026, 3, 27)
    assert recommendation.due_on == D(2026, 4, 17)
    assert recommendation.status == "sent"
    assert len(proposal_steps(recommendation, TimelineEvent.Kind.ANSWER_FORWARDED)) == 2
    assert [entry.kind for entry in selectors.timeline_of(recommendation)][-1] == "forwarded"
    audit = AuditEntry.objects.get(action="recommendation.forwarded")
    assert (facts(audit, "before")["due_on"], facts(audit, "after")["due_on"]) == ("2026-04-14", "2026-04-17")


@pytest.mark.parametrize("day", [D(2026, 3, 28), D(2026, 3, 30)])
def test_forwarding_after_the_window_is_refused_naming_the_last_day(recommendation, staff, day):
    error = refusal(forward, recommendation=recommendation, actor=staff, on=day)

    assert (error.code, error.status) == ("forward_window_closed", 409)
    assert date_format(D(2026, 3, 27), "DATE_FORMAT") in str(error)
    recommendation.refresh_from_db()
    assert recommendation.addressee_kind == "okrug_akim"


def test_a_day_off_entered_in_the_calendar_widens_the_forwarding_window(staff, recommendation):
    from kenes.core.models import CalendarOverride

    CalendarOverride.objects.create(day=D(2026, 3, 26), is_working_day=False, note="Government transfer")

    assert selectors.forward_deadline(recommendation) == D(2026, 3, 30)
    forward(recommendation, staff, D(2026, 3, 30))


def test_after_forwarding_the_old_office_loses_it_from_its_inbox_and_the_new_one_gains_it(recommendation, staff):
    district_admin = district_user(recommendation.council.okrug.district, role=Role.DISTRICT_ADMIN)
    assert list(selectors.inbox_for(staff)) == [recommendation]
    assert list(selectors.inbox_for(district_admin)) == []

    forward(recommendation, staff, D(2026, 3, 20))

    assert list(selectors.inbox_for(staff)) == []
    assert list(selectors.inbox_for(district_admin)) == [recommendation]
    assert refusal(forward, recommendation=recommendation, actor=staff, on=D(2026, 3, 20), to_name="Басқа").code == (
        "forbidden"
    )


def test_the_new_office_has_its_own_window_to_forward_again(recommendation, staff):
    forward(recommendation, staff, D(2026, 3, 27))
    district_admin = district_user(recommendation.council.okrug.district, role=Role.DISTRICT_ADMIN)
    recommendation.refresh_from_db()
    # Received Friday 27 March: 30 March (1), 31 March (2), 1 April (3).
    assert selectors.forward_deadline(recommendation) == D(2026, 4, 1)

    forward(recommendation, district_admin, D(2026, 4, 1), to_kind="maslikhat", to_name="Аудандық мәслихат")

    recommendation.refresh_from_db()
    assert recommendation.addressee_kind == "maslikhat"
    assert Answer.objects.filter(recommendation=recommendation, kind="forwarded").count() == 2


def test_forwarding_needs_a_valid_kind_a_name_and_another_body(recommendation, staff):
    day = D(2026, 3, 20)
    assert refusal(forward, recommendation=recommendation, actor=staff, on=day, to_kind="court").code == (
        "invalid_addressee"
    )
    assert refusal(forward, recommendation=recommendation, actor=staff, on=day, to_name=" ").code == (
        "addressee_required"
    )
    same = refusal(
        forward,
        recommendation=recommendation,
        actor=staff,
        on=day,
        to_kind="okrug_akim",
        to_name=f"  {recommendation.addressee_name} ",
    )
    assert same.code == "same_addressee"
    assert not Answer.objects.exists()


def test_forwarding_clears_the_overdue_mark():
    # One working day to answer: sent Monday 2 March 2026, due Tuesday 3 March, overdue Wednesday 4.
    recommendation = sent_recommendation(sent_on=D(2026, 3, 2), charter={"answer_working_days": 1})
    staff = akimat_user(recommendation.council.okrug)
    services.check_deadlines(today=D(2026, 3, 4))
    recommendation.refresh_from_db()
    assert recommendation.overdue_since == D(2026, 3, 4)

    forward(recommendation, staff, D(2026, 3, 4))

    recommendation.refresh_from_db()
    assert recommendation.overdue_since is None
    assert recommendation.due_on == D(2026, 3, 5)


def test_an_answered_recommendation_cannot_be_forwarded(recommendation, staff):
    services.answer_recommendation(actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES)
    assert refusal(forward, recommendation=recommendation, actor=staff, on=D(2026, 3, 20)).code == "already_answered"


# Extension ----------------------------------------------------------------------------------------


def extend(recommendation, actor, new_due_on, on, reason=REASON):
    return services.extend_deadline(
        actor=actor, recommendation=recommendation, new_due_on=new_due_on, reason=reason, on=on
    )


def test_the_deadline_is_extended_once_with_a_reason_residents_are_told(recommendation, staff):
    answer = extend(recommendation, staff, D(2026, 5, 12), on=D(2026, 4, 1))

    assert (answer.kind, answer.previous_due_on, answer.new_due_on, answer.reason) == (
        "extended",
        D(2026, 4, 14),
        D(2026, 5, 12),
        REASON,
    )
    recommendation.refresh_from_db()
    assert recommendation.due_on == D(2026, 5, 12)
    event = RecommendationEvent.objects.get(recommendation=recommendation, kind="extended")
    assert "12.05.2026" in event.note
    assert REASON in event.note
    steps = proposal_steps(recommendation, TimelineEvent.Kind.EXTENDED)
    assert len(steps) == 2
    assert all("12.05.2026" in step.note and REASON in step.note for step in steps)
    assert facts(AuditEntry.objects.get(action="recommendation.extended"), "after")["due_on"] == "2026-05-12"

    again = refusal(extend, recommendation=recommendation, actor=staff, new_due_on=D(2026, 5, 15), on=D(2026, 4, 2))
    assert (again.code, again.status) == ("already_extended", 409)


def test_an_extension_needs_a_reason(recommendation, staff):
    error = refusal(
        extend, recommendation=recommendation, actor=staff, new_due_on=D(2026, 5, 1), on=D(2026, 4, 1), reason=""
    )
    assert error.code == "reason_required"


@pytest.mark.parametrize("new_due_on", [D(2026, 4, 14), D(2026, 4, 10)])
def test_an_extension_must_move_the_deadline_later(recommendation, staff, new_due_on):
    error = refusal(extend, recommendation=recommendation, actor=staff, new_due_on=new_due_on, on=D(2026, 4, 1))
    assert error.code == "extension_not_later"


def test_an_extension_reaches_at_most_the_charters_months_after_receipt(recommendation, staff):
    # Received 19 March, the charter allows two months: 19 May 2026 at the latest.
    assert recommendation.council.charter.extension_limit_months == 2
    assert selectors.extension_limit(recommendation) == D(2026, 5, 19)

    error = refusal(extend, recommendation=recommendation, actor=staff, new_due_on=D(2026, 5, 20), on=D(2026, 4, 1))

    assert error.code == "extension_too_long"
    assert date_format(D(2026, 5, 19), "DATE_FORMAT") in str(error)
    assert extend(recommendation, staff, D(2026, 5, 19), on=D(2026, 4, 1)).new_due_on == D(2026, 5, 19)


def test_the_extension_limit_follows_the_charter():
    recommendation = sent_recommendation(sent_on=THU_19_MARCH, charter={"extension_limit_months": 1})
    assert selectors.extension_limit(recommendation) == D(2026, 4, 19)


def test_an_extension_is_possible_on_the_due_day_but_not_after_it(recommendation, staff):
    late = refusal(extend, recommendation=recommendation, actor=staff, new_due_on=D(2026, 5, 1), on=D(2026, 4, 15))
    assert (late.code, late.status) == ("deadline_passed", 409)

    assert extend(recommendation, staff, D(2026, 5, 1), on=D(2026, 4, 14)).new_due_on == D(2026, 5, 1)


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (D(2025, 12, 31), 2, D(2026, 2, 28)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2026, 11, 15), 3, D(2027, 2, 15)),
        (D(2026, 3, 19), 0, D(2026, 3, 19)),
    ],
)
def test_calendar_months_are_added_with_the_day_clamped_to_the_months_end(day, months, expected):
    assert add_months(day, months) == expected


# Progress -----------------------------------------------------------------------------------------


@pytest.fixture
def accepted(recommendation, staff):
    services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES, on=D(2026, 4, 1)
    )
    recommendation.refresh_from_db()
    return recommendation


def progress(recommendation, actor, percent, text="Тіректер орнатылды <script>", **extra):
    return services.report_progress(
        actor=actor,
        recommendation=recommendation,
        percent=percent,
        text=text,
        on=extra.pop("on", D(2026, 5, 4)),
        **extra,
    )


def test_progress_is_reported_with_photos_cleaned_of_their_metadata(accepted, staff):
    report = progress(accepted, staff, 40, photos=[small_jpeg(), small_jpeg(size=(300, 200), with_gps=False)])

    assert (report.percent, report.reported_by, report.reported_on) == (40, staff, D(2026, 5, 4))
    photos = list(report.photos.all())
    assert len(photos) == 2
    with default_storage.open(photos[0].image.name) as stored:
        image = Image.open(stored)
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
    assert (photos[0].width, photos[0].height) == (640, 480)
    assert default_storage.exists(photos[0].thumbnail.name)
    accepted.refresh_from_db()
    assert (accepted.progress_percent, accepted.status) == (40, "answered")
    assert [entry.kind for entry in selectors.timeline_of(accepted)][-1] == "progress"
    assert len(proposal_steps(accepted, TimelineEvent.Kind.PROGRESS)) == 2
    assert facts(AuditEntry.objects.get(action="recommendation.progress"), "after")["photos"] == [p.pk for p in photos]


def test_a_hundred_percent_means_implemented(accepted, staff):
    progress(accepted, staff, 60, on=D(2026, 5, 4))
    report = progress(accepted, staff, 100, text="Барлық шамдар жанып тұр", on=D(2026, 6, 1))

    accepted.refresh_from_db()
    assert accepted.status == Recommendation.Status.IMPLEMENTED
    assert accepted.implemented_on == D(2026, 6, 1)
    assert accepted.progress_percent == 100
    last = selectors.timeline_of(accepted)[-1]
    assert (last.kind, last.progress) == ("implemented", report)
    assert len(proposal_steps(accepted, TimelineEvent.Kind.IMPLEMENTED)) == 2
    assert refusal(progress, recommendation=accepted, actor=staff, percent=100).code == "already_implemented"


@pytest.mark.parametrize("percent", [-1, 101, 50.5, True])
def test_progress_is_a_whole_percentage_from_0_to_100(accepted, staff, percent):
    assert refusal(progress, recommendation=accepted, actor=staff, percent=percent).code == "invalid_percent"


def test_progress_cannot_go_backwards(accepted, staff):
    progress(accepted, staff, 70)
    error = refusal(progress, recommendation=accepted, actor=staff, percent=50)
    assert error.code == "progress_backwards"
    assert "70" in str(error)
    assert progress(accepted, staff, 70).percent == 70  # the same figure again is no step back


def test_progress_needs_a_text(accepted, staff):
    assert refusal(progress, recommendation=accepted, actor=staff, percent=10, text="  ").code == "text_required"


def test_at_most_five_photos_per_report(accepted, staff):
    error = refusal(progress, recommendation=accepted, actor=staff, percent=10, photos=[small_jpeg() for _ in range(6)])
    assert error.code == "too_many_photos"
    assert not ProgressReport.objects.exists()


def test_a_file_that_is_not_a_photo_refuses_the_whole_report(accepted, staff, media):
    fake = SimpleUploadedFile("site.jpg", b"<script>not a photo</script>", content_type="image/jpeg")
    error = refusal(progress, recommendation=accepted, actor=staff, percent=10, photos=[small_jpeg(), fake])
    assert error.code == "bad_photo"
    assert not ProgressReport.objects.exists()
    assert not ProgressPhoto.objects.exists()
    assert [path for path in media.rglob("*") if path.is_file()] == []


def test_no_progress_on_a_declined_or_unanswered_recommendation(recommendation, staff):
    assert refusal(progress, recommendation=recommendation, actor=staff, percent=10).code == "not_answered"
    services.answer_recommendation(actor=staff, recommendation=recommendation, kind="declined", reason=REASON)
    assert refusal(progress, recommendation=recommendation, actor=staff, percent=10).code == "answer_declined"


def test_only_the_office_reports_progress(accepted):
    outsider = resident_of(accepted.council.okrug)
    assert refusal(progress, recommendation=accepted, actor=outsider, percent=10).code == "forbidden"


def test_the_factories_keep_progress_consistent():
    report = ProgressReportFactory.create(percent=100)
    assert report.recommendation.status == "implemented"
    extension = AnswerFactory.create(kind="extended")
    assert extension.previous_due_on is not None
    assert extension.new_due_on is not None
    assert extension.new_due_on > extension.previous_due_on
    assert extension.recommendation.status == "sent"


# Unsatisfactory -----------------------------------------------------------------------------------


def test_the_council_finds_an_answer_unsatisfactory_and_its_proposals_are_ready_again(recommendation, staff):
    answer = services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="declined", reason=REASON, on=D(2026, 4, 1)
    )
    secretary = council_officer(recommendation.council)
    why = "Жауапта нақты шаралар жоқ <script>"

    judged = services.mark_unsatisfactory(actor=secretary, recommendation=recommendation, reason=why)

    assert judged.status == Recommendation.Status.UNSATISFACTORY
    answer.refresh_from_db()
    assert (answer.unsatisfactory_by, answer.unsatisfactory_reason) == (secretary, why)
    assert answer.unsatisfactory_at is not None
    for proposal in recommendation.proposals.all():
        assert proposal.status == Status.READY
        step = proposal.timeline.get(kind=TimelineEvent.Kind.UNSATISFACTORY)
        assert (step.actor, step.note) == (secretary, why)
    last = selectors.timeline_of(recommendation)[-1]
    assert (last.kind, last.note, last.answer) == ("unsatisfactory", why, answer)
    audit = AuditEntry.objects.get(action="recommendation.unsatisfactory")
    assert audit.actor == secretary
    assert sorted(facts(audit, "after")["reopened_proposals"]) == sorted(p.pk for p in recommendation.proposals.all())


def test_only_those_who_run_the_councils_sittings_judge_an_answer(recommendation, staff):
    services.answer_recommendation(actor=staff, recommendation=recommendation, kind="declined", reason=REASON)
    for person in (staff, resident_of(recommendation.council.okrug), UserFactory.create()):
        error = refusal(services.mark_unsatisfactory, actor=person, recommendation=recommendation, reason=REASON)
        assert (error.code, error.status) == ("forbidden", 403)


def test_judging_needs_an_answer_and_a_reason(recommendation):
    secretary = council_officer(recommendation.council)
    error = refusal(services.mark_unsatisfactory, actor=secretary, recommendation=recommendation, reason=REASON)
    assert (error.code, error.status) == ("not_answered", 409)
    answered = answered_recommendation(kind="declined", council=recommendation.council)
    assert refusal(services.mark_unsatisfactory, actor=secretary, recommendation=answered, reason=" ").code == (
        "reason_required"
    )
    services.mark_unsatisfactory(actor=secretary, recommendation=answered, reason=REASON)
    again = refusal(services.mark_unsatisfactory, actor=secretary, recommendation=answered, reason=REASON)
    assert again.code == "already_unsatisfactory"


def test_a_proposal_no_longer_recommended_is_left_as_it_is(recommendation, staff):
    services.answer_recommendation(actor=staff, recommendation=recommendation, kind="declined", reason=REASON)
    first, second = recommendation.proposals.order_by("pk")
    first.status = Status.READY
    first.save(update_fields=["status"])

    services.mark_unsatisfactory(
        actor=council_officer(recommendation.council), recommendation=recommendation, reason=REASON
    )

    second.refresh_from_db()
    assert second.status == Status.READY
    assert not first.timeline.filter(kind=TimelineEvent.Kind.UNSATISFACTORY).exists()


def test_the_callers_instance_shows_what_was_written(recommendation, staff):
    services.answer_recommendation(
        actor=staff, recommendation=recommendation, kind="accepted", text=MEASURES, on=D(2026, 4, 1)
    )
    assert (recommendation.status, recommendation.answered_on) == ("answered", D(2026, 4, 1))
