"""The agenda and the minutes of a sitting printed in Kazakh and in Russian, read back from the PDF."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

import pytest
from django.utils import timezone

from kenes.core.tests.test_pdf import pdf_text
from kenes.councils.models import Member
from kenes.councils.tests.factories import CouncilFactory, MemberFactory
from kenes.meetings.documents import render_agenda_pdf, render_minutes_pdf
from kenes.meetings.models import (
    AgendaItem,
    Attendance,
    BallotCast,
    Choice,
    Guest,
    Meeting,
    Recommendation,
    SecretTally,
    Vote,
)

pytestmark = pytest.mark.django_db

CHAIR = "Әлия Сәрсенқызы"
SECRETARY = "Ғалым Құрманов"
VOTER = "Нұрлан Өтегенов"
ABSTAINER = "Үміт Һадиева"
ABSENT = "Іңкәр Жүсіпова"
PRESENT = (CHAIR, SECRETARY, VOTER, ABSTAINER)


@dataclass
class Sitting:
    meeting: Meeting
    open_item: AgendaItem
    secret_item: AgendaItem
    paper_item: AgendaItem
    recommendation: Recommendation


def _closed(item: AgendaItem, votes: tuple[int, int, int], outcome: str, reason: str = "") -> None:
    item.vote_state = AgendaItem.VoteState.CLOSED
    item.votes_for, item.votes_against, item.votes_abstain = votes
    item.present_at_close = 4
    item.members_at_close = 5
    item.outcome = outcome
    item.decision_reason = reason
    item.closed_at = timezone.now()
    item.save()


@pytest.fixture
def sitting() -> Sitting:
    council = CouncilFactory.create(charter__quorum_percent=60, charter__secret_ballot_allowed=True)
    members = {
        name: MemberFactory.create(council=council, full_name=name, role=role, term_start=datetime.date(2024, 1, 10))
        for name, role in [
            (CHAIR, Member.Role.CHAIR),
            (SECRETARY, Member.Role.SECRETARY),
            (VOTER, Member.Role.MEMBER),
            (ABSTAINER, Member.Role.MEMBER),
            (ABSENT, Member.Role.MEMBER),
        ]
    }
    starts_at = timezone.make_aware(datetime.datetime(2025, 6, 12, 15, 0))
    meeting = Meeting.objects.create(
        council=council,
        starts_at=starts_at,
        place="Ауыл клубы <script>alert(1)</script>",
        status=Meeting.Status.CLOSED,
        published_at=starts_at - datetime.timedelta(days=2),
        late_notice_reason="Су құбыры апатқа ұшырады",
        opened_at=starts_at,
        closed_at=starts_at + datetime.timedelta(hours=2),
        chair=members[CHAIR],
        secretary=members[SECRETARY],
    )
    for name in PRESENT:
        Attendance.objects.create(meeting=meeting, member=members[name], present=True, arrived_at=starts_at)
    Attendance.objects.create(meeting=meeting, member=members[ABSENT], present=False)
    Guest.objects.create(meeting=meeting, full_name="Серік Ақимов", affiliation="Округ әкімі")

    open_item = AgendaItem.objects.create(meeting=meeting, position=1, title="Көшені жарықтандыру")
    secret_item = AgendaItem.objects.create(
        meeting=meeting, position=2, title="Кеңес хатшысын сайлау", vote_method=AgendaItem.VoteMethod.SECRET
    )
    paper_item = AgendaItem.objects.create(
        meeting=meeting, position=3, title="Стадион салу", vote_method=AgendaItem.VoteMethod.PAPER
    )
    for name, choice in [
        (CHAIR, Choice.FOR),
        (SECRETARY, Choice.FOR),
        (VOTER, Choice.FOR),
        (ABSTAINER, Choice.ABSTAIN),
    ]:
        Vote.objects.create(item=open_item, member=members[name], choice=choice)
    _closed(open_item, (3, 0, 1), AgendaItem.Outcome.ADOPTED)
    for name in PRESENT:
        BallotCast.objects.create(item=secret_item, member=members[name])
    SecretTally.objects.create(item=secret_item, choice=Choice.FOR, count=3)
    SecretTally.objects.create(item=secret_item, choice=Choice.AGAINST, count=1)
    _closed(secret_item, (3, 1, 0), AgendaItem.Outcome.ADOPTED)
    _closed(paper_item, (2, 2, 0), AgendaItem.Outcome.REJECTED, reason="Қаражат жоқ")
    recommendation = Recommendation.objects.create(
        council=council,
        item=open_item,
        year=2025,
        sequence=7,
        text_kk="Орталық көшеге шам орнатуды ұсынамыз",
        text_ru="Рекомендуем установить фонари на центральной улице",
        addressee_kind=Recommendation.Addressee.OKRUG_AKIM,
        addressee_name="Округ әкімі <script>",
        adopted_on=datetime.date(2025, 6, 12),
        sent_at=starts_at + datetime.timedelta(days=1),
        due_on=datetime.date(2025, 7, 3),
        received_on=datetime.date(2025, 6, 13),
        status=Recommendation.Status.SENT,
    )
    return Sitting(meeting, open_item, secret_item, paper_item, recommendation)


def _between(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end, text.index(start))]


def test_the_kazakh_minutes_name_the_open_voters_and_only_count_the_secret_ballot(sitting):
    text = pdf_text(render_minutes_pdf(meeting=sitting.meeting, language="kk"))

    assert "Отырыс хаттамасы" in text
    assert set("әғқңөұүһі") <= set(text.lower())
    assert "Ауыл клубы <script>alert(1)</script>" in text  # printed as text, not markup
    assert "Серік Ақимов" in text
    assert "Кворум: 5 мүшенің 4 қатысты, 3 қажет." in text
    open_part = _between(text, "1. Көшені жарықтандыру", "2. Кеңес хатшысын сайлау")
    voted_for = _between(open_part.split("мүшелер: 4.")[1], "Жақтап:", "Қарсы:")
    assert all(name in voted_for for name in (CHAIR, SECRETARY, VOTER))
    assert ABSTAINER not in voted_for
    assert f"Қалыс қалды: {ABSTAINER}" in open_part
    secret_part = _between(text, "2. Кеңес хатшысын сайлау", "3. Стадион салу")
    assert "Жақтап: 3, қарсы: 1, қалыс қалды: 0." in secret_part
    assert not any(name in secret_part for name in (*PRESENT, ABSENT))
    paper_part = _between(text, "3. Стадион салу", "Қабылданған ұсынымдар")
    assert "Жақтап: 2, қарсы: 2, қалыс қалды: 0." in paper_part
    assert "Қаражат жоқ" in paper_part
    assert not any(name in paper_part for name in PRESENT)
    number = sitting.recommendation.number
    assert f"№ {number}" in text
    assert "Орталық көшеге шам орнатуды ұсынамыз" in text
    assert "Рекомендуем" not in text
    assert "Жауап беру мерзімі: 2025 ж. 3 шілде." in text
    assert CHAIR in _between(text, "Отырыс төрағасы", "Отырыс хатшысы")
    assert SECRETARY in text[text.index("Отырыс хатшысы") :]


def test_the_russian_minutes_print_the_same_sitting_in_russian(sitting):
    text = pdf_text(render_minutes_pdf(meeting=sitting.meeting, language="ru"))

    assert "Протокол заседания" in text
    assert "Кворум: присутствуют 4 из 5 членов, необходимо 3." in text
    open_part = _between(text, "1. Көшені жарықтандыру", "2. Кеңес хатшысын сайлау")
    voted_for = _between(open_part.split("голосовании: 4.")[1], "За:", "Против:")
    assert all(name in voted_for for name in (CHAIR, SECRETARY, VOTER))
    secret_part = _between(text, "2. Кеңес хатшысын сайлау", "3. Стадион салу")
    assert "За: 3, против: 1, воздержались: 0." in secret_part
    assert not any(name in secret_part for name in (*PRESENT, ABSENT))
    assert f"№ {sitting.recommendation.number}" in text
    assert "Рекомендуем установить фонари на центральной улице" in text
    assert "Отсутствовали (1)" in text
    assert ABSENT in text


def test_the_agenda_lists_the_items_and_the_reason_for_the_late_notice(sitting):
    kk = pdf_text(render_agenda_pdf(meeting=sitting.meeting, language="kk"))
    ru = pdf_text(render_agenda_pdf(meeting=sitting.meeting, language="ru"))

    assert "Отырыстың күн тәртібі" in kk
    assert "Кеш хабарлау: Су құбыры апатқа ұшырады" in kk
    assert "2. Кеңес хатшысын сайлау" in kk
    assert "Жасырын дауыс беру" in kk
    assert "Повестка заседания" in ru
    assert "Позднее уведомление: Су құбыры апатқа ұшырады" in ru
    assert "3. Стадион салу" in ru


def test_it_refuses_a_language_other_than_kazakh_or_russian(sitting):
    with pytest.raises(ValueError, match="kk, ru"):
        render_minutes_pdf(meeting=sitting.meeting, language="en")
