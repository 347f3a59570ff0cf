"""Cleaning classifier names, and the key the name search matches against.

The official classifier (KATO) carries some dirt: non-breaking and doubled spaces, okrug
abbreviations written with and without their final dot ("с.о." / "с.о", "а.о." / "а.о"), a space
before that dot ("а.о ."), the Russian "Г.А." in one Kazakh name, and a misspelt Kazakh district name.
Every name is cleaned here, once, on import; pages never show the raw text.

Two names come out of each raw name:
- the full name (stored in `name_kk` / `name_ru`): cleaned, abbreviation spelt one way, kept;
- the short display name (`short_name_kk` / `short_name_ru`): the same without the type word
  ("а.о.", "ауданы", "район", "с.", "облысы"...), for lists, breadcrumbs and maps.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

Language = Literal["kk", "ru"]
Level = Literal["region", "district", "okrug", "settlement"]

# Known misspellings in the classifier, corrected after spaces are cleaned (raw → right).
# Keep this table small and cite the reason for every line.
CORRECTIONS: dict[Language, dict[str, str]] = {
    "kk": {
        # НК РК 11-2025 gives the Kazakh name of Казталовский район as "Казталовка ауданы";
        # the district is Қазталов ауданы (Kazakh spelling, as on the akimat's own site).
        "Казталовка ауданы": "Қазталов ауданы",
        # The Kazakh name of Aktau city administration uses the Russian abbreviation.
        "Ақтау Г.А.": "Ақтау Қ.Ә.",
    },
    "ru": {},
}

# Okrug-level abbreviations, spelt canonically without their final dot (added back on output):
# ru: сельский округ, сельская администрация, поселковая / городская / районная администрация;
# kk: ауылдық округ, ауылдық әкімшілік, кенттік / қалалық әкімшілік.
OKRUG_ABBREVIATIONS: dict[Language, tuple[str, ...]] = {
    "ru": ("с.о", "с.а", "п.а", "г.а", "р.а", "а.о"),
    "kk": ("а.о", "а.ә", "к.ә", "қ.ә"),
}
SETTLEMENT_ADMINISTRATION = ("п.а", "к.ә")
TOWN_ADMINISTRATION = ("г.а", "қ.ә")

_SPACES = re.compile(r"\s+")
_SPACE_BEFORE_FINAL_DOT = re.compile(r"\s+\.$")


def search_key(text: str) -> str:
    """Case-insensitive for Kazakh and Russian Cyrillic (ә ғ қ ң ө ұ ү һ і), ё read as е.

    Python's casefold knows every Cyrillic letter, unlike SQLite's LOWER(), so names are
    folded once on import and queries are folded the same way.
    """
    return " ".join(text.casefold().replace("ё", "е").split())


def clean_spaces(text: str) -> str:
    """Non-breaking, thin and repeated spaces become one ordinary space; ends are trimmed."""
    return _SPACES.sub(" ", text.replace("\u00a0", " ").replace("\u202f", " ").replace("\u2007", " ")).strip()


def _alternatives(abbreviations: tuple[str, ...]) -> str:
    return "|".join(re.escape(a) for a in sorted(abbreviations, key=len, reverse=True))


def _okrug_suffix_re(language: Language) -> re.Pattern[str]:
    # The abbreviation follows a space or a dot ("атын.а.о."), never a letter.
    return re.compile(rf"^(?P<body>.+?)(?:\s+|(?<=\.))(?P<abbr>{_alternatives(OKRUG_ABBREVIATIONS[language])})\.?$")


def _okrug_prefix_re(language: Language) -> re.Pattern[str]:
    return re.compile(rf"^(?P<abbr>{_alternatives(OKRUG_ABBREVIATIONS[language])})(?:\.\s*|\s+)(?P<body>.+)$")


_OKRUG_SUFFIX = {language: _okrug_suffix_re(language) for language in ("kk", "ru")}
_OKRUG_PREFIX = {language: _okrug_prefix_re(language) for language in ("kk", "ru")}
_RU_CITY = re.compile(r"^г\.\s*(?P<body>.+)$")
_KK_CITY = re.compile(r"^(?P<body>.+?)\s+қ\.$")
_RU_DISTRICT_SUFFIX = re.compile(r"^(?P<body>.+?)\s+(?:район|Г\.А\.)$")
_RU_DISTRICT_PREFIX = re.compile(r"^[Рр]айон\s+(?P<body>.+)$")
_KK_DISTRICT_SUFFIX = re.compile(r"^(?P<body>.+?)(?:\s+|(?<=\.))(?:ауданы|Қ\.Ә\.)$")
_RU_REGION_PREFIX = re.compile(r"^область\s+(?P<body>.+)$")
_KK_REGION_SUFFIX = re.compile(r"^(?P<body>.+?)\s+облысы$")
_RU_SETTLEMENT_PREFIX = re.compile(r"^(?:с|п|г|пгт)\.\s*(?P<body>.+)$")
_KK_SETTLEMENT_SUFFIX = re.compile(r"^(?P<body>.+?)(?:\s+|(?<=\.))(?:а|к|қ)\.$")


@dataclass(frozen=True)
class UnitNames:
    name_kk: str
    name_ru: str
    short_name_kk: str
    short_name_ru: str

    @property
    def search_text(self) -> str:
        text = search_key(f"{self.name_kk} {self.name_ru} {self.short_name_kk} {self.short_name_ru}")
        return text[:500]


def okrug_abbreviation(name: str, *, language: Language) -> str:
    """The okrug abbreviation a cleaned name carries ("с.о", "а.о", "п.а"...), or ""."""
    for pattern in (_OKRUG_SUFFIX[language], _OKRUG_PREFIX[language]):
        match = pattern.match(name)
        if match:
            return match.group("abbr")
    return ""


def clean_name(raw: str, *, language: Language, level: Level) -> str:
    """The full name to store: spaces cleaned, known misspellings corrected, one spelling of the
    okrug abbreviation ("Аксуатский с.о" → "Аксуатский с.о.", "с.о.Атамекен" → "с.о. Атамекен")."""
    name = _SPACE_BEFORE_FINAL_DOT.sub(".", clean_spaces(raw))
    name = CORRECTIONS[language].get(name, name)
    if level == "okrug":
        suffix = _OKRUG_SUFFIX[language].match(name)
        if suffix:
            return f"{suffix.group('body')} {suffix.group('abbr')}."
        prefix = _OKRUG_PREFIX[language].match(name)
        if prefix:
            return f"{prefix.group('abbr')}. {prefix.group('body')}"
    if level == "district" and language == "ru":
        prefix = _RU_DISTRICT_PREFIX.match(name)
        if prefix:
            return f"район {prefix.group('body')}"
    if level == "district" and language == "kk":
        # "Ғабит Мүсірепов атын.ауданы" → "Ғабит Мүсірепов атын. ауданы"
        return re.sub(r"(?<=\.)(ауданы)$", r" \1", name)
    return name


def _strip(name: str, patterns: tuple[re.Pattern[str], ...]) -> str:
    for pattern in patterns:
        match = pattern.match(name)
        if match:
            return match.group("body").strip()
    return name


_SHORT_PATTERNS: dict[tuple[Level, Language], tuple[re.Pattern[str], ...]] = {
    ("region", "ru"): (_RU_REGION_PREFIX, _RU_CITY),
    ("region", "kk"): (_KK_REGION_SUFFIX, _KK_CITY),
    ("district", "ru"): (_RU_DISTRICT_SUFFIX, _RU_DISTRICT_PREFIX),
    ("district", "kk"): (_KK_DISTRICT_SUFFIX,),
    ("okrug", "ru"): (_OKRUG_SUFFIX["ru"], _OKRUG_PREFIX["ru"], _RU_CITY, _RU_DISTRICT_SUFFIX, _RU_DISTRICT_PREFIX),
    ("okrug", "kk"): (_OKRUG_SUFFIX["kk"], _KK_CITY, _KK_DISTRICT_SUFFIX),
    ("settlement", "ru"): (_RU_SETTLEMENT_PREFIX,),
    ("settlement", "kk"): (_KK_SETTLEMENT_SUFFIX,),
}
_LEVELS: tuple[Level, ...] = ("okrug", "district", "region", "settlement")


def short_name(raw: str, *, language: Language, level: Level | None = None) -> str:
    """The display name without the type word: "Чапаевский с.о." → "Чапаевский",
    "Ақжайық ауданы" → "Ақжайық", "с.Чапаев" → "Чапаев". A Russian oblast keeps its full name
    ("Западно-Казахстанская область"): the bare adjective would not read as a place.

    Without a level, the rules of every level are tried, most specific (okrug) first.
    """
    name = clean_name(raw, language=language, level=level or "okrug")
    levels = (level,) if level is not None else _LEVELS
    for each in levels:
        shorter = _strip(name, _SHORT_PATTERNS[(each, language)])
        if shorter != name:
            return shorter
    return name


def clean_unit_names(*, name_kk: str, name_ru: str, level: Level) -> UnitNames:
    full_kk = clean_name(name_kk, language="kk", level=level)
    full_ru = clean_name(name_ru, language="ru", level=level)
    return UnitNames(
        name_kk=full_kk,
        name_ru=full_ru,
        short_name_kk=short_name(full_kk, language="kk", level=level),
        short_name_ru=short_name(full_ru, language="ru", level=level),
    )
