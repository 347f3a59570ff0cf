from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kenes.territory.normalise import (
    clean_name,
    clean_spaces,
    clean_unit_names,
    okrug_abbreviation,
    search_key,
    short_name,
)

CYRILLIC = "абвгдеёжзийклмнопрстуфхцчшщъыьэюяәғқңөұүһіАБВГДЕЁЖЗИЙКЛМНОПРСТУФХЦЧШЩЪЫЬЭЮЯӘҒҚҢӨҰҮҺІ"
names = st.text(alphabet=CYRILLIC + " .-\u00a0\u202f\t", min_size=1, max_size=40)
words = st.text(alphabet=CYRILLIC, min_size=2, max_size=15)


@pytest.mark.parametrize(
    ("raw", "language", "expected"),
    [
        ("Чапаевский с.о.", "ru", "Чапаевский"),
        ("Чапаев а.о.", "kk", "Чапаев"),
        ("Ақжайық ауданы", "kk", "Ақжайық"),
        ("Акжаикский район", "ru", "Акжаикский"),
        ("район Бәйтерек", "ru", "Бәйтерек"),
        ("с.Чапаев", "ru", "Чапаев"),
        ("Чапаев а.", "kk", "Чапаев"),
        ("Уральск Г.А.", "ru", "Уральск"),
        ("Орал Қ.Ә.", "kk", "Орал"),
        ("Западно-Казахстанская область", "ru", "Западно-Казахстанская область"),
        ("Батыс Қазақстан облысы", "kk", "Батыс Қазақстан"),
        ("Казталовка ауданы", "kk", "Қазталов"),
    ],
)
def test_the_short_name_drops_the_type_word(raw, language, expected):
    assert short_name(raw, language=language) == expected


@pytest.mark.parametrize(
    ("raw", "language", "expected"),
    [
        ("Аксуатский с.о", "ru", "Аксуатский с.о."),
        ("Ақсуат а.о", "kk", "Ақсуат а.о."),
        ("Желаево  а.о.", "kk", "Желаево а.о."),
        ("Дария\u00a0 а.о", "kk", "Дария а.о."),
        ("Бурыл а.о .", "kk", "Бурыл а.о."),
        ("Қанай би атын.а.о.", "kk", "Қанай би атын. а.о."),
        ("с.о.Атамекен", "ru", "с.о. Атамекен"),
        ("с.а. Каменка", "ru", "с.а. Каменка"),
    ],
)
def test_an_okrug_keeps_one_spelling_of_its_abbreviation(raw, language, expected):
    assert clean_name(raw, language=language, level="okrug") == expected


def test_the_known_misspellings_are_corrected_in_the_full_name():
    assert clean_name("Казталовка ауданы", language="kk", level="district") == "Қазталов ауданы"
    assert clean_name("Ақтау Г.А.", language="kk", level="district") == "Ақтау Қ.Ә."


def test_a_russian_district_written_with_a_capital_is_spelt_in_lower_case():
    assert clean_name("Район Шал акына", language="ru", level="district") == "район Шал акына"


def test_the_level_decides_between_a_settlement_and_an_okrug_suffix():
    assert short_name("Чапаев а.", language="kk", level="settlement") == "Чапаев"
    assert short_name("Чапаев а.о.", language="kk", level="okrug") == "Чапаев"
    # The settlement rule never eats an okrug abbreviation.
    assert short_name("Чапаев а.о.", language="kk", level="settlement") == "Чапаев а.о."


def test_a_city_okrug_loses_its_city_mark():
    assert short_name("г.Уральск", language="ru", level="okrug") == "Уральск"
    assert short_name("Орал қ.", language="kk", level="okrug") == "Орал"


def test_the_okrug_abbreviation_is_found_before_or_after_the_name():
    assert okrug_abbreviation("Деркульская п.а.", language="ru") == "п.а"
    assert okrug_abbreviation("с.о. Атамекен", language="ru") == "с.о"
    assert okrug_abbreviation("Дерқұл к.ә.", language="kk") == "к.ә"
    assert okrug_abbreviation("г.Уральск", language="ru") == ""


def test_the_search_text_holds_both_languages_and_the_short_names_folded():
    names = clean_unit_names(name_kk="Бәйтерек ауданы", name_ru="район Бәйтерек", level="district")
    assert names.search_text == "бәйтерек ауданы район бәйтерек бәйтерек бәйтерек"
    assert (
        search_key("ҚАЗТАЛОВ")
        in clean_unit_names(name_kk="Казталовка ауданы", name_ru="Казталовский район", level="district").search_text
    )


def test_the_search_key_reads_yo_as_ye_and_ignores_case():
    assert search_key("  Ёлкино  ӘЛІ ") == "елкино әлі"


@given(names)
def test_clean_spaces_leaves_no_doubled_or_special_spaces(raw):
    cleaned = clean_spaces(raw)
    assert "  " not in cleaned
    assert "\u00a0" not in cleaned
    assert "\u202f" not in cleaned
    assert cleaned == cleaned.strip()


@given(names, st.sampled_from(["kk", "ru"]), st.sampled_from(["region", "district", "okrug", "settlement"]))
def test_cleaning_a_clean_name_changes_nothing(raw, language, level):
    once = clean_name(raw, language=language, level=level)
    assert clean_name(once, language=language, level=level) == once


@given(words, st.sampled_from(["с.о", "с.о.", "с.а.", "п.а."]), st.sampled_from([" ", "  ", "\u00a0"]))
def test_any_russian_okrug_name_loses_its_abbreviation_in_the_short_name(word, abbreviation, space):
    raw = f"{word}{space}{abbreviation}"
    assert short_name(raw, language="ru", level="okrug") == word
    assert clean_name(raw, language="ru", level="okrug") == f"{word} {abbreviation.rstrip('.')}."


@given(words, st.sampled_from(["а.о", "а.о.", "а.ә.", "к.ә."]))
def test_any_kazakh_okrug_name_loses_its_abbreviation_in_the_short_name(word, abbreviation):
    assert short_name(f"{word} {abbreviation}", language="kk", level="okrug") == word


@given(names)
def test_the_search_key_is_idempotent(raw):
    assert search_key(search_key(raw)) == search_key(raw)
