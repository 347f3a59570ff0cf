"""Helpers every app's page tests share: clients that speak a language and are signed in, and the
checks every page makes (status, escaping). Factories put `SCRIPT` into generated text, so every
page test is an escaping test."""

from __future__ import annotations

import io
from typing import Any

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

SCRIPT = "<script>alert(1)</script>"


def speaking(client: Client, language: str) -> Client:
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    return client


def signed_in(user: Any, language: str = "en") -> Client:
    client = Client()
    client.force_login(user)
    return speaking(client, language)


def page(response: Any) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def assert_escaped(html: str) -> None:
    assert SCRIPT not in html
    assert "<script>alert(" not in html


def png(name: str = "photo.png", size: tuple[int, int] = (640, 480)) -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, (40, 120, 200)).save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")
