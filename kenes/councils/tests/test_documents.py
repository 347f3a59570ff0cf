"""The council regulation printed from its charter, in Kazakh and in Russian."""

from __future__ import annotations

import re

import pytest
from django.utils import translation

from kenes.core.tests.test_pdf import embedded_font_families, pdf_text
from kenes.councils.composition import SeatRuleFacts, SizeBandFacts
from kenes.councils.documents import regulation_html, render_regulation_pdf
from kenes.councils.models import MajorityRule, SeatGroup
from kenes.councils.tests.factories import CharterFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def charter():
    return CharterFactory.create(
        name="Шаһар мен ауыл <script>alert(1)</script>",
        version=3,
        term_years=5,
        quorum_percent=60,
        notice_days=7,
        answer_working_days=10,
        extension_limit_months=1,
        support_threshold=30,
        youth_age_max=30,
    )


def test_the_kazakh_regulation_prints_the_charter_in_kazakh_letters_with_the_bundled_font(charter):
    pdf = render_regulation_pdf(charter=charter, language="kk")

    text = pdf_text(pdf)
    assert "Ауылдық округтің жергілікті өзін-өзі басқару кеңесі туралы ереже" in text
    assert "Шаһар мен ауыл <script>alert(1)</script>" in text  # the name is printed as text
    assert "3-нұсқа" in text
    assert "Жалпы ережелер" in text
    assert "кемінде 7 күн бұрын хабарланады" in text
    assert "кеңес мүшелерінің кемінде 60 пайызы қатысса" in text
    assert "14–30 аралығындағы" in text
    assert "өкілеттік мерзімі – 5 жыл" in text
    assert "кемінде 30 тұрғыны қолдағанда" in text
    assert "10 жұмыс күні ішінде жауап береді" in text
    assert "барлығы 1 айға дейін" in text
    assert "20 001 және одан көп" in text
    assert set("әғқңөұүһі") <= set(text)
    assert embedded_font_families(pdf) == {"DejaVu Sans"}


def test_the_russian_regulation_prints_the_charter_in_russian(charter):
    text = pdf_text(render_regulation_pdf(charter=charter, language="ru"))

    assert "Положение о совете местного самоуправления сельского округа" in text
    assert "Редакция 3" in text
    assert "не позднее чем за 7 дней до его проведения" in text
    assert "присутствует не менее 60% членов совета" in text
    assert "в возрасте от 14 до 30 лет" in text
    assert "Срок полномочий членов совета – 5 лет" in text
    assert "в течение 10 рабочих дней" in text
    assert "не более чем до 1 месяца" in text
    assert "Молодёжь" in text


def test_the_regulation_follows_the_charters_choices():
    charter = CharterFactory.create(
        majority_rule=MajorityRule.OF_ALL_MEMBERS,
        secret_ballot_allowed=True,
        residents_may_submit=False,
        members_may_submit=False,
        coordinators_may_submit=False,
        seat_rules=[
            SeatRuleFacts(SeatGroup.OTHER, 0, None),
            SeatRuleFacts(SeatGroup.YOUTH, 2, 2),
            SeatRuleFacts(SeatGroup.BUSINESS, 0, 3),
            SeatRuleFacts(SeatGroup.RESIDENTS, 1, 4),
        ],
        size_bands=[SizeBandFacts(0, None, 7, 9)],
    )

    with translation.override("ru"):
        html = regulation_html(charter=charter)
        labels = [
            str(group.label) for group in (SeatGroup.RESIDENTS, SeatGroup.BUSINESS, SeatGroup.YOUTH, SeatGroup.OTHER)
        ]

    assert "большинством голосов от общего числа членов совета" in html
    assert "совет вправе принять решение о проведении тайного голосования" in html
    assert "не предусмотрены лица вне совета" in html
    assert "поддержали" not in html  # no support threshold when residents may not submit
    rows = re.findall(r"<tr><td>(.*?)</td><td>(.*?)</td></tr>", html)
    # In the seat groups' own order, whatever order the charter lists them in.
    assert rows[:4] == list(zip(labels, ["1–4", "не более 3", "2", "не ограничено"], strict=True))
    assert rows[4] == ("0 и более", "7–9")
    assert "Проект:" in html  # no council uses the charter yet


def test_the_regulation_is_printed_only_in_kazakh_or_russian(charter):
    with pytest.raises(ValueError, match="kk, ru"):
        render_regulation_pdf(charter=charter, language="en")
