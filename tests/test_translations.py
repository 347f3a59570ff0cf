"""Kazakh and Russian catalogues are complete: an untranslated or fuzzy entry fails the suite."""

from __future__ import annotations

from pathlib import Path
from types import ModuleType

import polib
import pytest

from tests.scripts import load_script

ROOT = Path(__file__).resolve().parent.parent


def _i18n() -> ModuleType:
    return load_script("i18n")


@pytest.mark.parametrize("language", ["kk", "ru"])
def test_the_catalogue_has_no_untranslated_or_fuzzy_entry(language: str) -> None:
    i18n = _i18n()
    path = i18n.po_files()[language]
    assert len(polib.pofile(str(path))) > 100
    assert i18n.problems_in(language, path) == []


def test_the_check_catches_a_fuzzy_and_an_untranslated_entry(tmp_path: Path) -> None:
    catalogue = polib.POFile()
    catalogue.append(polib.POEntry(msgid="Settled", msgstr="Қоныстанды"))
    catalogue.append(polib.POEntry(msgid="Guessed", msgstr="Болжам", flags=["fuzzy"]))
    catalogue.append(polib.POEntry(msgid="Forgotten", msgstr=""))
    path = tmp_path / "django.po"
    catalogue.save(str(path))

    problems = _i18n().problems_in("kk", path)

    assert problems == ["kk: fuzzy: 'Guessed'", "kk: untranslated: 'Forgotten'"]


def test_the_compiled_catalogues_match_their_sources() -> None:
    assert _i18n().stale_mo_files() == []


def test_the_check_catches_a_fuzzy_catalogue_header(tmp_path: Path) -> None:
    catalogue = polib.POFile()
    catalogue.metadata_is_fuzzy = True
    catalogue.append(polib.POEntry(msgid="Settled", msgstr="Қоныстанды"))
    path = tmp_path / "django.po"
    catalogue.save(str(path))

    assert _i18n().problems_in("kk", path) == ["kk: the catalogue header is marked fuzzy"]
