from __future__ import annotations

import re
from typing import Any

from django import forms
from django.contrib.auth.password_validation import password_validators_help_text_html, validate_password
from django.contrib.auth.validators import UnicodeUsernameValidator
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kenes.accounts.iin import validate_iin
from kenes.accounts.models import User
from kenes.core.errors import DomainError
from kenes.territory.models import Settlement

_KATO_RE = re.compile(r"[0-9]{9}")


class NoEchoTextInput(forms.TextInput):
    """A text box that never writes its value back into the page: a full IIN is not echoed, even
    when the form comes back with an error."""

    def format_value(self, value: Any) -> str | None:
        return None


class SignUpForm(forms.Form):
    username = forms.CharField(
        label=_("Username"),
        max_length=150,
        validators=[UnicodeUsernameValidator()],
        help_text=_("Letters, digits and the signs @ . + - _ only; you log in with it."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none", "spellcheck": "false"}),
    )
    full_name = forms.CharField(
        label=_("Full name"),
        max_length=200,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("Email address"),
        help_text=_("A link to reset your password is sent here if you forget it."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        help_text=password_validators_help_text_html(),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        help_text=_("Type the same password again, to be sure."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise ValidationError(_("This username is taken: please choose another."), code="username_taken")
        return username

    def clean_email(self) -> str:
        email: str = self.cleaned_data["email"]
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError(
                _("An account with this email address already exists. If it is yours, reset its password."),
                code="email_taken",
            )
        return email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        password1 = cleaned.get("password1")
        password2 = cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", ValidationError(_("The two passwords differ."), code="password_mismatch"))
        elif password1:
            candidate = User(
                username=cleaned.get("username", ""),
                email=cleaned.get("email", ""),
                full_name=cleaned.get("full_name", ""),
            )
            try:
                validate_password(password1, candidate)
            except ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ResidencyForm(forms.Form):
    iin = forms.CharField(
        label=_("IIN"),
        max_length=20,
        help_text=_(
            "Your 12-digit individual identification number. Kenes keeps only a sealed fingerprint of it "
            "and shows just its first four digits."
        ),
        widget=NoEchoTextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "spellcheck": "false"}),
    )
    settlement = forms.CharField(
        label=_("Settlement KATO code"),
        max_length=20,
        help_text=_(
            "The 9-digit KATO code of the settlement you live in, for example 274033100. "
            "Find it on your settlement's page in the Territory section."
        ),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )

    def clean_iin(self) -> str:
        iin = "".join(self.cleaned_data["iin"].split())
        try:
            validate_iin(iin)
        except DomainError as error:
            raise ValidationError(str(error.message), code=error.code) from error
        return iin

    def clean_settlement(self) -> Settlement:
        code = "".join(self.cleaned_data["settlement"].split())
        if not _KATO_RE.fullmatch(code):
            raise ValidationError(_("A KATO code is exactly 9 digits."), code="invalid_kato")
        settlement = (
            Settlement.objects.filter(kato=code, retired_at__isnull=True).select_related("okrug", "district").first()
        )
        if settlement is None:
            raise ValidationError(_("No settlement has this KATO code."), code="unknown_settlement")
        return settlement


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=100,
        help_text=_("What will use it, for example “my spreadsheet” or “the district's reports”."),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
