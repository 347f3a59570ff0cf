"""The committed OpenAPI document (docs/openapi.json) and the code must agree.

When this fails after an intended API change, run `python scripts/export_openapi.py` and commit
the document with the change.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import pytest

from tests.scripts import load_script

ROOT = Path(__file__).resolve().parents[2]


def _exporter() -> ModuleType:
    return load_script("export_openapi")


def test_the_committed_openapi_document_matches_the_code():
    exporter = _exporter()

    committed = (ROOT / "docs" / "openapi.json").read_text(encoding="utf-8")
    current = exporter.render_schema()

    assert committed == current, (
        "docs/openapi.json is out of date; run `python scripts/export_openapi.py`.\n"
        + exporter.summarise(committed, current)
    )


def test_the_served_document_is_the_committed_one(client):
    response = client.get("/api/v1/openapi.json")

    assert response.status_code == 200
    assert response.json() == json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))


def test_the_document_is_openapi_3_1_and_documents_the_error_shape():
    document = json.loads((ROOT / "docs" / "openapi.json").read_text(encoding="utf-8"))

    assert document["openapi"].startswith("3.1")
    assert document["paths"]
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            assert {"200", "201"} & set(operation["responses"]), f"{method.upper()} {path}"
            assert "422" in operation["responses"], f"{method.upper()} {path} does not document malformed input"


def test_the_check_mode_fails_with_a_summary_when_the_document_is_stale(tmp_path, monkeypatch, capsys):
    exporter = _exporter()
    stale = tmp_path / "openapi.json"
    stale.write_text('{"openapi": "3.1.0"}\n', encoding="utf-8")
    monkeypatch.setattr(exporter, "DOCUMENT", stale)

    assert exporter.main(["--check"]) == 1
    assert "differs from the code" in capsys.readouterr().out

    assert exporter.main([]) == 0
    assert exporter.main(["--check"]) == 0


@pytest.fixture(autouse=True)
def _keep_the_committed_document(monkeypatch):
    """No test here may rewrite the real docs/openapi.json."""
    before = (ROOT / "docs" / "openapi.json").read_bytes()
    yield
    assert (ROOT / "docs" / "openapi.json").read_bytes() == before
