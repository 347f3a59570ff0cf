"""Forms of the recommendation page: the addressee's answer, forwarding and extension, a progress
report, and the council's "unsatisfactory". They check the shape of the input; the rules (who may,
until when, what each kind of answer needs) are the services' and come back as form errors."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from kenes.accountability.models import Answer
from kenes.meetings.models import Recommendation
from kenes.proposals.forms import MultiplePhotoField

MAX_PROGRESS_PHOTOS = 5
FINAL_ANSWER_CHOICES = [
    (Answer.Kind.ACCEPTED, Answer.Kind.ACCEPTED.label),
    (Answer.Kind.PARTIALLY_ACCEPTED, Answer.Kind.PARTIALLY_ACCEPTED.label),
    (Answer.Kind.DECLINED, Answer.Kind.DECLINED.label),
]


def _text(label: Any, *, required: bool = False, rows: int = 4, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


class AnswerForm(forms.Form):
    kind = forms.ChoiceField(label=_("The answer"), choices=FINAL_ANSWER_CHOICES, widget=forms.RadioSelect)
    text = _text(
        _("Planned measures"),
        help_text=_("What will be done, by whom and when. Needed when the recommendation is accepted, even partly."),
    )
    reason = _text(
        _("Reason"), rows=3, help_text=_("Why it is declined, or what is not done and why. Needed unless accepted.")
    )
    budget_year = forms.IntegerField(label=_("Budget year"), required=False, min_value=2000, max_value=2100)
    amount_tenge = forms.DecimalField(
        label=_("Amount, tenge"), required=False, min_value=Decimal(0), max_digits=15, decimal_places=2
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "answer")
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "text": data["text"].strip(),
            "reason": data["reason"].strip(),
            "budget_year": data["budget_year"],
            "amount_tenge": data["amount_tenge"],
        }


class ForwardForm(forms.Form):
    to_kind = forms.ChoiceField(label=_("Competent body"), choices=Recommendation.Addressee.choices)
    to_name = forms.CharField(label=_("Name of the body"), max_length=300)
    reason = _text(_("Why it is forwarded"), rows=3)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "forward")
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"to_kind": data["to_kind"], "to_name": data["to_name"].strip(), "reason": data["reason"].strip()}


class ExtendForm(forms.Form):
    new_due_on = forms.DateField(
        label=_("New due date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )
    reason = _text(_("Reason for the extension"), required=True, rows=3, help_text=_("Residents see it."))

    def __init__(self, *args: Any, limit: datetime.date | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "extend")
        super().__init__(*args, **kwargs)
        if limit is not None:
            field = self.fields["new_due_on"]
            field.widget.attrs["max"] = limit.isoformat()
            field.help_text = gettext("At the latest %(date)s: the charter's limit.") % {
                "date": date_format(limit, "DATE_FORMAT")
            }

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"new_due_on": data["new_due_on"], "reason": data["reason"].strip()}


class ProgressForm(forms.Form):
    percent = forms.IntegerField(label=_("Done, %"), min_value=0, max_value=100)
    text = _text(_("What was done"), required=True)
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=ngettext_lazy("Up to %(limit)d photo.", "Up to %(limit)d photos.", "limit")
        % {"limit": MAX_PROGRESS_PHOTOS},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "progress")
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {"percent": data["percent"], "text": data["text"].strip(), "photos": data.get("photos") or []}


class UnsatisfactoryForm(forms.Form):
    reason = _text(
        _("Why the answer is unsatisfactory"),
        required=True,
        rows=3,
        help_text=_("The proposals behind it go back on the list for a sitting's agenda."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "unsatisfactory")
        super().__init__(*args, **kwargs)

    def values(self) -> dict[str, Any]:
        return {"reason": self.cleaned_data["reason"].strip()}
