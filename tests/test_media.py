"""Uploaded files are served from MEDIA_ROOT, and nothing outside it."""

from __future__ import annotations

from pathlib import Path

import pytest

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(settings, tmp_path: Path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.MEDIA_ROOT.mkdir()
    return settings.MEDIA_ROOT


def test_an_uploaded_file_is_served(client, media: Path) -> None:
    (media / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\nfake")

    response = client.get("/media/photo.png")

    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"\x89PNG")


def test_a_path_outside_the_media_folder_is_not_served(client, media: Path) -> None:
    (media.parent / "secret.txt").write_text("not for the web")

    for path in ("/media/../secret.txt", "/media/%2e%2e/secret.txt", "/media/..%2fsecret.txt"):
        assert client.get(path).status_code in {400, 404}, path
