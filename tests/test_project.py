"""The project's promises to a newcomer: the README states every setting and the two commands."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _configuration_table() -> set[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Configuration", 1)[1].split("\n## ", 1)[0]
    return set(re.findall(r"`([A-Z][A-Z0-9_]+)`", section))


def test_every_environment_variable_of_the_settings_is_in_the_readme_table() -> None:
    settings_source = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    read = set(re.findall(r"env_(?:str|bool|int|list)\(\s*\"([A-Z0-9_]+)\"", settings_source))
    assert "DATABASE_URL" in read
    assert read - _configuration_table() == set()


def test_every_variable_the_demo_scripts_read_is_in_the_readme_table() -> None:
    script = "".join((ROOT / "scripts" / name).read_text(encoding="utf-8") for name in ("demo.sh", "serve.sh"))
    read = set(re.findall(r"\$\{([A-Z_]+):-", script))
    assert {"HOST", "PORT"} <= read
    assert read - _configuration_table() == set()


def test_ci_calls_the_readme_test_command() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "make demo" in readme
    assert "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
