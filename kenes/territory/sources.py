"""Where the territory comes from: a file named in settings, else the shared national classifier,
else the small sample bundled with the app (two West Kazakhstan districts)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from django.conf import settings

SourceKind = Literal["file", "shared", "sample"]

SAMPLE_KATO_PATH = Path(__file__).resolve().parent / "data" / "sample_kato.csv"
ATTRIBUTION = "Serzhan Akhmetov (MIT)"


@dataclass(frozen=True)
class KatoSource:
    kind: SourceKind
    path: Path
    # Names the file for the pages; no translated words, the kind carries the meaning.
    label: str


def shared_kato_path() -> Path:
    return Path(settings.KENES_SHARED_DATA) / "kato" / "kato.csv"


def describe_kato_source(path: Path) -> KatoSource:
    """The kind and label of a given file: the shared classifier and the sample are recognised."""
    resolved = path.resolve()
    if resolved == SAMPLE_KATO_PATH:
        return KatoSource(kind="sample", path=resolved, label=f"{resolved.name} · {ATTRIBUTION}")
    if resolved == shared_kato_path().resolve():
        return KatoSource(kind="shared", path=resolved, label=f"{resolved.name} · {ATTRIBUTION}")
    return KatoSource(kind="file", path=resolved, label=resolved.name)


def resolve_kato_source() -> KatoSource:
    """KENES_KATO_FILE if set; else the shared classifier if present; else the bundled sample."""
    configured = str(getattr(settings, "KENES_KATO_FILE", "") or "")
    if configured:
        path = Path(configured).expanduser().resolve()
        described = describe_kato_source(path)
        return KatoSource(kind="file", path=path, label=described.label)
    shared = shared_kato_path()
    if shared.is_file():
        return describe_kato_source(shared)
    return describe_kato_source(SAMPLE_KATO_PATH)
