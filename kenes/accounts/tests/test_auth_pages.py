from __future__ import annotations

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kenes.accounts.models import User
from kenes.accounts.tests.factories import PASSWORD, SCRIPT, UserFactory
from kenes.core.models import AuditEntry

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Another-kenes-password-77"


def _signup_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "aigul",
        "full_name": f"Айгүл {SCRIPT}",
        "email": "aigul@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    data.update(overrides)
    return data


def test_the_signup_page_renders_in_kazakh_by_default(client: Client) -> None:
    response = client.get(reverse("accounts:signup"))
    assert response.status_code == 200
    assert '<html lang="kk">' in response.content.decode()
    assert 'name="password2"' in response.content.decode()


def test_signing_up_creates_an_argon2_hashed_account_and_logs_it_in(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), _signup_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:profile")
    user = User.objects.get(username="aigul")
    assert user.full_name == f"Айгүл {SCRIPT}"
    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)
    assert client.session[SESSION_KEY] == str(user.pk)
    assert AuditEntry.objects.filter(action="account.registered", target_id=str(user.pk)).exists()


def test_the_profile_after_signup_escapes_the_full_name(client: Client) -> None:
    client.post(reverse("accounts:signup"), _signup_data())
    page = client.get(reverse("accounts:profile")).content.decode()
    assert SCRIPT not in page
    assert "&lt;script&gt;" in page


def test_signup_refuses_two_different_passwords(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), _signup_data(password2="Something-else-entirely-9"))
    assert response.status_code == 200
    assert response.context["form"].has_error("password2", code="password_mismatch")
    assert not User.objects.filter(username="aigul").exists()


def test_signup_refuses_a_weak_password(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), _signup_data(password1="12345678", password2="12345678"))
    assert "password1" in response.context["form"].errors
    assert not User.objects.filter(username="aigul").exists()


def test_signup_refuses_a_username_taken_in_another_letter_case(client: Client) -> None:
    UserFactory.create(username="Aigul")
    response = client.post(reverse("accounts:signup"), _signup_data())
    assert "username" in response.context["form"].errors
    assert User.objects.filter(username__iexact="aigul").count() == 1


def test_signup_refuses_an_email_address_already_in_use(client: Client) -> None:
    UserFactory.create(email="AIGUL@example.org")
    response = client.post(reverse("accounts:signup"), _signup_data())
    assert "email" in response.context["form"].errors
    assert not User.objects.filter(username="aigul").exists()


def test_signup_never_echoes_the_password(client: Client) -> None:
    response = client.post(reverse("accounts:signup"), _signup_data(password2="Mismatch-password-1"))
    assert PASSWORD not in response.content.decode()


def test_a_person_logs_in_and_out(client: Client) -> None:
    user = UserFactory.create()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert client.session[SESSION_KEY] == str(user.pk)

    assert client.get(reverse("accounts:logout")).status_code == 405  # log out is POST only
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert SESSION_KEY not in client.session


def test_the_login_page_uses_our_template_and_links_to_reset_and_signup(client: Client) -> None:
    response = client.get(reverse("accounts:login"))
    assert "accounts/login.html" in [t.name for t in response.templates]
    page = response.content.decode()
    assert reverse("accounts:password_reset") in page
    assert reverse("accounts:signup") in page


def test_a_wrong_password_is_refused(client: Client) -> None:
    user = UserFactory.create()
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-password"})
    assert response.status_code == 200
    assert SESSION_KEY not in client.session


def test_the_sixth_attempt_after_five_failures_is_locked_out_even_with_the_right_password(client: Client) -> None:
    user = UserFactory.create()
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-password"})

    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})

    assert response.status_code == 429
    assert "accounts/locked_out.html" in [t.name for t in response.templates]
    assert reverse("accounts:password_reset") in response.content.decode()
    assert SESSION_KEY not in client.session


def _request_reset_link(client: Client, email: str) -> str:
    response = client.post(reverse("accounts:password_reset"), {"email": email})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    match = re.search(r"https?://testserver(/\S+)", str(mail.outbox[0].body))
    assert match is not None
    return match.group(1)


def test_password_reset_sends_a_working_link_and_the_new_password_works(client: Client) -> None:
    user = UserFactory.create(email="reset@example.org")

    link = _request_reset_link(client, "reset@example.org")
    assert mail.outbox[0].to == ["reset@example.org"]
    assert user.username in str(mail.outbox[0].body)

    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    assert form_page.context["validlink"] is True
    response = client.post(
        form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_complete")

    user.refresh_from_db()
    assert user.check_password(NEW_PASSWORD)
    assert user.password.startswith("argon2")
    assert (
        client.post(reverse("accounts:login"), {"username": user.username, "password": NEW_PASSWORD}).status_code == 302
    )


def test_the_reset_email_is_written_in_the_language_of_the_page(client: Client) -> None:
    UserFactory.create(email="reset@example.org")
    client.cookies["kenes_language"] = "ru"
    client.post(reverse("accounts:password_reset"), {"email": "reset@example.org"})
    with translation.override("ru"):
        expected_subject = translation.gettext("Reset your Kenes password")
        expected_line = translation.gettext(
            "If you did not ask for this, ignore this email: your password stays as it is."
        )
    assert mail.outbox[0].subject == expected_subject
    assert expected_line in str(mail.outbox[0].body)


def test_password_reset_for_an_unknown_address_sends_nothing_and_reveals_nothing(client: Client) -> None:
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_a_used_reset_link_does_not_work_twice(client: Client) -> None:
    UserFactory.create(email="reset@example.org")
    link = _request_reset_link(client, "reset@example.org")
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    again = client.get(link, follow=True)
    assert again.context["validlink"] is False


def test_resetting_the_password_lifts_a_lockout(client: Client) -> None:
    user = UserFactory.create(email="locked@example.org")
    for _ in range(5):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong-password"})
    link = _request_reset_link(client, "locked@example.org")
    form_page = client.get(link, follow=True)
    client.post(form_page.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    response = client.post(reverse("accounts:login"), {"username": user.username, "password": NEW_PASSWORD})
    assert response.status_code == 302
