"""Kenes catalogues: `update` extracts strings and fills translations from .i18n/*.json,
`compile` writes .mo files with polib (no GNU gettext needed to run the site), and `check`
fails on an untranslated or fuzzy kk/ru entry, on strings missing from the catalogues,
and on a stale .mo file."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
LOCALE = ROOT / "kenes" / "locale"
LANGUAGES = ["kk", "ru", "en"]
REQUIRED = ["kk", "ru"]
PLURAL_FORMS = {
    "kk": "nplurals=2; plural=(n != 1);",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "en": "nplurals=2; plural=(n != 1);",
}
IGNORE = [".venv", "var", "node_modules", "tests", "bench", "scripts", "*/tests/*", "docs"]


def makemessages() -> None:
    env = dict(os.environ, DJANGO_SETTINGS_MODULE="config.settings")
    args = [sys.executable, "manage.py", "makemessages", "--no-location", "--no-obsolete"]
    for language in LANGUAGES:
        args += ["-l", language]
    for pattern in IGNORE:
        args += ["--ignore", pattern]
    subprocess.run(args, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)  # noqa: S603


def po_files() -> dict[str, Path]:
    return {language: LOCALE / language / "LC_MESSAGES" / "django.po" for language in LANGUAGES}


def fill_from_json() -> int:
    """Fills empty msgstr entries from the translators' JSON files in .i18n/."""
    table: dict[str, dict[str, object]] = {}
    for path in sorted((ROOT / ".i18n").glob("*.json")):
        table.update(json.loads(path.read_text(encoding="utf-8")))
    filled = 0
    for language, path in po_files().items():
        catalogue = polib.pofile(str(path))
        catalogue.metadata_is_fuzzy = False  # makemessages marks a new header fuzzy
        catalogue.metadata["Language"] = language
        catalogue.metadata["Plural-Forms"] = PLURAL_FORMS[language]
        for entry in catalogue:
            key = f"{entry.msgid}||{entry.msgid_plural}" if entry.msgid_plural else entry.msgid
            if language == "en":
                if entry.msgid_plural:
                    continue
                if not entry.msgstr:
                    continue
            row = table.get(key) or {}
            if not row and entry.msgid_plural:
                # Also accepted: {"msgid": {"kk": [...], "ru": [...], "plural": "msgid_plural"}}.
                candidate = table.get(entry.msgid) or {}
                row = candidate if candidate.get("plural") == entry.msgid_plural else {}
            found = row.get(language)
            if not found:
                continue
            if entry.msgid_plural and isinstance(found, list):
                if not any(entry.msgstr_plural.values()) or "fuzzy" in entry.flags:
                    entry.msgstr_plural = dict(enumerate(found))
                    filled += 1
            elif isinstance(found, str) and (not entry.msgstr or "fuzzy" in entry.flags):
                entry.msgstr = found
                filled += 1
            if "fuzzy" in entry.flags and (entry.msgstr or any(entry.msgstr_plural.values())):
                entry.flags.remove("fuzzy")
                entry.previous_msgid = None
                entry.previous_msgid_plural = None
                entry.previous_msgctxt = None
        catalogue.save(str(path))
    return filled


def compile_all() -> None:
    for path in po_files().values():
        polib.pofile(str(path)).save_as_mofile(str(path.with_suffix(".mo")))


def problems_in(language: str, path: Path) -> list[str]:
    catalogue = polib.pofile(str(path))
    found = [f"{language}: the catalogue header is marked fuzzy"] if catalogue.metadata_is_fuzzy else []
    for entry in catalogue:
        if entry.obsolete:
            continue
        if "fuzzy" in entry.flags:
            found.append(f"{language}: fuzzy: {entry.msgid!r}")
        elif entry.msgid_plural:
            if not all(entry.msgstr_plural.values()):
                found.append(f"{language}: untranslated: {entry.msgid!r}")
        elif not entry.msgstr:
            found.append(f"{language}: untranslated: {entry.msgid!r}")
    return found


def stale_mo_files() -> list[str]:
    stale = []
    for language, path in po_files().items():
        with tempfile.NamedTemporaryFile(suffix=".mo") as compiled:
            polib.pofile(str(path)).save_as_mofile(compiled.name)
            committed = path.with_suffix(".mo")
            if not committed.exists() or committed.read_bytes() != Path(compiled.name).read_bytes():
                stale.append(f"{language}: {committed.relative_to(ROOT)} is stale: run `make messages`")
    return stale


def check(extract: bool) -> int:
    problems: list[str] = []
    with tempfile.TemporaryDirectory() as backup:
        saved = Path(backup) / "locale"
        shutil.copytree(LOCALE, saved)
        try:
            if extract:
                # Strings in the code but not yet in the catalogues show up as untranslated.
                makemessages()
            for language in REQUIRED:
                problems += problems_in(language, po_files()[language])
        finally:
            shutil.rmtree(LOCALE)
            shutil.copytree(saved, LOCALE)
    problems += stale_mo_files()
    for problem in problems:
        print(problem)
    if problems:
        print(f"{len(problems)} translation problem(s): fill kenes/locale/*/LC_MESSAGES/django.po, run `make messages`")
        return 1
    counts = {language: len(polib.pofile(str(path))) for language, path in po_files().items()}
    print(f"Catalogues complete: {counts}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["update", "compile", "check"])
    parser.add_argument("--no-extract", action="store_true", help="check without running makemessages")
    options = parser.parse_args()
    if options.command == "update":
        makemessages()
        print(f"Filled {fill_from_json()} entries from .i18n/*.json")
        return 0
    if options.command == "compile":
        compile_all()
        return 0
    return check(extract=not options.no_extract)


if __name__ == "__main__":
    sys.exit(main())
