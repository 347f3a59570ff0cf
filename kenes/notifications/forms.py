"""Forms of the notifications pages: a person's contact (language, phone for SMS, quiet hours), the
matrix of event types × channels, and the outbox's filters. They check the shape of the input and
normalise the phone number; the rules are the services' and come back as form errors."""

from __future__ import annotations

import unicodedata
from typing import Any

import phonenumbers
from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from kenes.notifications.models import EXTERNAL_CHANNELS, Channel, Contact, OutboxMessage
from kenes.notifications.selectors import QUEUE, Cell, Row

PHONE_HELP = _("Like +7 701 123 45 67 or 8 701 123 45 67. Leave it empty for no SMS.")
PHONE_ERROR = _("Write the phone number with its country code, like +7 701 123 45 67 (or 8 701 123 45 67).")
LANDLINE_ERROR = _("This is a landline number: SMS cannot reach it. Give a mobile number.")
EXTENSION_ERROR = _("An SMS cannot reach an extension: give the mobile number alone.")
# A number written without its country code is read as a Kazakh one (8 701 …, 701 …).
DEFAULT_REGION = "KZ"
NOT_FOR_SMS = {phonenumbers.PhoneNumberType.FIXED_LINE}


def normalise_phone(raw: str) -> str:
    """The mobile number in E.164 (+77011234567), or "" for none. The `phonenumbers` library reads what
    people write (8 701 123 45 67, +7 (701) 123-45-67, 00 49 …, full-width digits) and knows each
    country's valid ranges; a landline or an extension is refused because no SMS reaches it."""
    text = unicodedata.normalize("NFKC", raw).strip()  # full-width digits and spaces become plain ones
    if not text:
        return ""
    if text.startswith("00"):
        text = "+" + text[2:]
    try:
        number = phonenumbers.parse(text, DEFAULT_REGION)
    except phonenumbers.NumberParseException:
        raise ValidationError(PHONE_ERROR, code="invalid_phone") from None
    if not phonenumbers.is_valid_number(number):
        raise ValidationError(PHONE_ERROR, code="invalid_phone")
    if number.extension:
        raise ValidationError(EXTENSION_ERROR, code="phone_extension")
    if phonenumbers.number_type(number) in NOT_FOR_SMS:
        raise ValidationError(LANDLINE_ERROR, code="landline_phone")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def _time(label: Any) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=False,
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
        input_formats=["%H:%M", "%H.%M", "%H:%M:%S"],
    )


class ContactForm(forms.Form):
    language = forms.ChoiceField(
        label=_("Language of the messages"), choices=Contact.Language.choices, widget=forms.RadioSelect
    )
    phone = forms.CharField(
        label=_("Phone for SMS"),
        required=False,
        max_length=32,
        help_text=PHONE_HELP,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
    )
    quiet_from = _time(_("Quiet from"))
    quiet_until = _time(_("Quiet until"))

    def clean_phone(self) -> str:
        return normalise_phone(self.cleaned_data.get("phone") or "")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("quiet_from"), cleaned.get("quiet_until")
        if "quiet_from" in cleaned and "quiet_until" in cleaned and (start is None) != (end is None):
            missing = "quiet_until" if end is None else "quiet_from"
            self.add_error(
                missing,
                ValidationError(
                    _("Give both the start and the end of the quiet hours, or neither."), code="quiet_hours"
                ),
            )
        return cleaned

    @classmethod
    def initial_for(cls, contact: Contact) -> dict[str, Any]:
        return {
            "language": contact.language,
            "phone": contact.phone,
            "quiet_from": contact.quiet_from,
            "quiet_until": contact.quiet_until,
        }


def preference_field_name(event_type: str, channel: str) -> str:
    return f"{event_type}__{channel}"


CHANNEL_NAMES = dict(Channel.choices)


class PreferencesForm(forms.Form):
    """A checkbox for every event type on every channel, ticked where it applies now."""

    def __init__(self, *args: Any, matrix: list[Row], **kwargs: Any) -> None:
        applies = {
            preference_field_name(cell.event_type, cell.channel): cell.enabled for row in matrix for cell in row.cells
        }
        kwargs.setdefault("initial", applies)
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        for row in matrix:
            for cell in row.cells:
                # The label names the channel; the fieldset's legend names the event type.
                self.fields[preference_field_name(cell.event_type, cell.channel)] = forms.BooleanField(
                    label=CHANNEL_NAMES[cell.channel], required=False
                )

    def rows(self) -> list[tuple[Row, list[tuple[Cell, forms.BoundField]]]]:
        """The matrix with each cell's checkbox, for the table."""
        return [
            (row, [(cell, self[preference_field_name(cell.event_type, cell.channel)]) for cell in row.cells])
            for row in self.matrix
        ]

    def changes(self) -> list[tuple[str, str, bool]]:
        """(event type, channel, enabled) for every cell whose value differs from what applies now."""
        return [
            (cell.event_type, cell.channel, value)
            for row in self.matrix
            for cell in row.cells
            if (value := bool(self.cleaned_data.get(preference_field_name(cell.event_type, cell.channel))))
            != cell.enabled
        ]


STATUS_FILTERS: list[tuple[str, Any]] = [
    ("", _("Every status")),
    (QUEUE, _("Still to go (waiting or being sent)")),
    *OutboxMessage.Status.choices,
]
CHANNEL_FILTERS: list[tuple[str, Any]] = [("", _("Every channel")), *((c.value, c.label) for c in EXTERNAL_CHANNELS)]


class OutboxFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=STATUS_FILTERS, required=False)
    channel = forms.ChoiceField(label=_("Channel"), choices=CHANNEL_FILTERS, required=False)

    def filters(self) -> dict[str, str]:
        """The valid filters; a value that is not one of the choices is ignored."""
        self.is_valid()
        cleaned = getattr(self, "cleaned_data", {})
        return {"status": cleaned.get("status") or "", "channel": cleaned.get("channel") or ""}
