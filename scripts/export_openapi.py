"""Writes the committed OpenAPI document, docs/openapi.json, from the code (config.api).

python scripts/export_openapi.py          # rewrite docs/openapi.json
python scripts/export_openapi.py --check  # exit 1, with a summary, when it is out of date
"""

from __future__ import annotations

import argparse
import difflib
import json
import os
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "openapi.json"


def render_schema() -> str:
    """The document as committed: sorted keys, two-space indent, a trailing newline."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()
    from config.api import api

    schema: dict[str, Any] = api.get_openapi_schema()
    return json.dumps(schema, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def summarise(committed: str, current: str, limit: int = 40) -> str:
    diff = list(
        difflib.unified_diff(
            committed.splitlines(), current.splitlines(), "docs/openapi.json (committed)", "code", lineterm="", n=1
        )
    )
    shown = "\n".join(diff[:limit])
    more = f"\n… and {len(diff) - limit} more diff lines" if len(diff) > limit else ""
    return shown + more


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    args = parser.parse_args(argv)
    current = render_schema()
    if args.check:
        committed = DOCUMENT.read_text(encoding="utf-8") if DOCUMENT.exists() else ""
        if committed == current:
            print("docs/openapi.json is up to date.")
            return 0
        print("docs/openapi.json differs from the code; run `python scripts/export_openapi.py`.")
        print(summarise(committed, current))
        return 1
    DOCUMENT.parent.mkdir(parents=True, exist_ok=True)
    DOCUMENT.write_text(current, encoding="utf-8")
    print(f"Wrote {DOCUMENT}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
