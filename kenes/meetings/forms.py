"""Forms of the sitting pages: scheduling, the secretary's console and the member's ballot."""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.meetings.models import AgendaItem, Choice, Meeting, Recommendation
from kenes.proposals.models import Proposal


class ScheduleForm(forms.Form):
    starts_at = forms.DateTimeField(
        label=_("Date and time"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M:%S"],
    )
    kind = forms.ChoiceField(label=_("Kind of sitting"), choices=Meeting.Kind.choices, initial=Meeting.Kind.REGULAR)
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    online_link = forms.URLField(label=_("Online link"), required=False, assume_scheme="https")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if not data.get("place") and not data.get("online_link") and not self.errors:
            raise forms.ValidationError(_("Give a place or an online link."), code="no_place")
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        starts_at = data["starts_at"]
        if timezone.is_naive(starts_at):
            starts_at = timezone.make_aware(starts_at)
        return {
            "starts_at": starts_at,
            "kind": data["kind"],
            "place": data["place"],
            "online_link": data["online_link"],
        }


class ChangeForm(ScheduleForm):
    """The console's "change the date or place" form; the reason is asked once the sitting is announced."""

    reason = forms.CharField(
        label=_("Reason for the change"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Residents see it on the sitting's page and in the message about the change."),
    )

    def __init__(self, *args: Any, announced: bool = False, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "change")
        super().__init__(*args, **kwargs)
        if announced:
            self.fields["reason"].required = True
        else:
            del self.fields["reason"]

    def values(self) -> dict[str, Any]:
        return {**super().values(), "reason": self.cleaned_data.get("reason", "")}


class AddProposalForm(forms.Form):
    proposal = forms.ModelChoiceField(label=_("Proposal ready for the agenda"), queryset=Proposal.objects.none())
    vote_method = forms.ChoiceField(
        label=_("How the council votes"), choices=AgendaItem.VoteMethod.choices, initial=AgendaItem.VoteMethod.OPEN
    )

    def __init__(self, *args: Any, proposals: QuerySet[Proposal], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "proposal")
        super().__init__(*args, **kwargs)
        self.fields["proposal"].queryset = proposals  # type: ignore[attr-defined]


class AddQuestionForm(forms.Form):
    title = forms.CharField(label=_("Question"), max_length=300)
    text = forms.CharField(label=_("Text"), required=False, widget=forms.Textarea(attrs={"rows": 4}))
    vote_method = forms.ChoiceField(
        label=_("How the council votes"), choices=AgendaItem.VoteMethod.choices, initial=AgendaItem.VoteMethod.OPEN
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "question")
        super().__init__(*args, **kwargs)


class PublishForm(forms.Form):
    late_notice_reason = forms.CharField(
        label=_("Reason for the late notice"),
        max_length=500,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Needed when the agenda is published later than the charter's notice days allow."),
    )


class GuestForm(forms.Form):
    full_name = forms.CharField(label=_("Guest's full name"), max_length=200)
    affiliation = forms.CharField(label=_("Organisation or role"), max_length=200, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "guest")
        super().__init__(*args, **kwargs)


class PaperTallyForm(forms.Form):
    votes_for = forms.IntegerField(label=_("For"), min_value=0, max_value=1000)
    votes_against = forms.IntegerField(label=_("Against"), min_value=0, max_value=1000)
    votes_abstain = forms.IntegerField(label=_("Abstain"), min_value=0, max_value=1000)


class CloseVoteForm(forms.Form):
    decision_reason = forms.CharField(
        label=_("The council's reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RecommendationForm(forms.Form):
    text_kk = forms.CharField(label=_("Text in Kazakh"), widget=forms.Textarea(attrs={"rows": 4}))
    text_ru = forms.CharField(label=_("Text in Russian"), widget=forms.Textarea(attrs={"rows": 4}))
    addressee_kind = forms.ChoiceField(label=_("Addressed to"), choices=Recommendation.Addressee.choices)
    addressee_name = forms.CharField(label=_("Addressee"), max_length=300)


class BallotForm(forms.Form):
    item = forms.IntegerField(widget=forms.HiddenInput)
    choice = forms.ChoiceField(choices=Choice.choices)
