"""Page weight on first load, as a browser measures it.

Runs the browser test tests/e2e/test_page_weight.py (the real stack: granian, whitenoise, DEBUG off,
Debian's Chromium), which asserts the 60 KB budget and leaves its figures in var/page-weight.json,
then writes them to the section "## Page weight" of docs/performance.md.

    .venv/bin/python bench/page_weight.py
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import performance_doc  # bench/ is the script folder, so its modules import by name

ROOT = Path(__file__).resolve().parents[1]
REPORT = ROOT / "var" / "page-weight.json"
SECTION = "## Page weight"


def render(report: dict) -> str:
    lines = [
        SECTION,
        "",
        f"Counted: {report['what']}. Server: {report['server']}. "
        f"Budget: {report['budget_bytes']:,} bytes (60 KB) per page. "
        "Produced by `.venv/bin/python bench/page_weight.py`.",
        "",
        f"- Measured: {report['measured_at']}",
        "",
        "| page | path | HTML | CSS | JS | total bytes | share of budget |",
        "|---|---|---|---|---|---|---|",
    ]
    for name, page in report["pages"].items():
        sums = {"document": 0, "stylesheet": 0, "script": 0}
        for response in page["responses"]:
            if response["counted"]:
                sums[response["type"]] = sums.get(response["type"], 0) + response["bytes"]
        total = page["transferred_bytes"]
        lines.append(
            f"| {name} | `{page['path']}` | {sums['document']:,} | {sums['stylesheet']:,} | {sums['script']:,} "
            f"| {total:,} | {total / report['budget_bytes']:.0%} |"
        )
    lines += [
        "",
        "Leaflet (about 43 KB gzipped) is most of the region and district pages; it loads only there.",
        "The boundaries (`boundaries.geojson`, about 16 KB gzipped) are map data and not counted.",
    ]
    return "\n".join(lines) + "\n"


def main() -> int:
    test = subprocess.run(
        [sys.executable, "-m", "pytest", "tests/e2e/test_page_weight.py", "-m", "e2e", "-q", "-p", "no:cacheprovider"],
        cwd=ROOT,
        check=False,
    )
    if test.returncode != 0 or not REPORT.exists():
        print("The page-weight browser test failed: nothing written.")
        return 1
    performance_doc.write_section(SECTION, render(json.loads(REPORT.read_text(encoding="utf-8"))))
    print("Wrote the section to docs/performance.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
