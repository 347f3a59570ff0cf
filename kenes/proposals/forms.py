"""Proposal forms: they check the shape of the input; every rule of the domain is a service's."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext_lazy

from kenes.proposals import services
from kenes.proposals.models import Area, EntryChannel, Language, Photo, Proposal, Status
from kenes.territory.models import District, Okrug, Settlement

MAX_PHOTOS = services.MAX_PHOTOS

# What the public lists show: a draft is its author's alone.
PUBLIC_STATUSES = [(value, label) for value, label in Status.choices if value != Status.DRAFT]


class SettlementChoiceField(forms.ModelChoiceField[Settlement]):
    def label_from_instance(self, obj: Settlement) -> str:
        return obj.short_name


class ProposalChoiceField(forms.ModelChoiceField[Proposal]):
    def label_from_instance(self, obj: Proposal) -> str:
        return f"№ {obj.pk}: {obj.title}"


# Filters of the lists


class FilterForm(forms.Form):
    """The list filters. Every field is optional and an unknown value is simply ignored, so an old
    or hand-edited address still shows a list."""

    q = forms.CharField(label=_("Search"), max_length=200, required=False)
    district = forms.ChoiceField(label=_("District"), required=False)
    okrug = forms.ChoiceField(label=_("Okrug"), required=False)
    settlement = forms.ChoiceField(label=_("Settlement"), required=False)
    area = forms.ChoiceField(label=_("Area"), required=False, choices=[("", _("All areas")), *Area.choices])
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", _("All statuses")), *PUBLIC_STATUSES])
    sort = forms.ChoiceField(
        label=_("Sort"),
        required=False,
        choices=[("new", _("Newest first")), ("supported", _("Most supported first"))],
    )

    def __init__(
        self,
        data: Any,
        *,
        districts: Sequence[District] = (),
        okrugs: Sequence[Okrug] = (),
        settlements: Sequence[Settlement] = (),
    ) -> None:
        super().__init__(data)
        self.districts = {district.kato: district for district in districts}
        self.okrugs = {okrug.kato: okrug for okrug in okrugs}
        self.settlements = {settlement.kato: settlement for settlement in settlements}
        self._choices("district", _("All districts"), self.districts.values())
        self._choices("okrug", _("All okrugs"), self.okrugs.values())
        self._choices("settlement", _("All settlements"), self.settlements.values())
        if not self.districts:
            del self.fields["district"]
        if not self.okrugs:
            del self.fields["okrug"]
        if not self.settlements:
            del self.fields["settlement"]

    def _choices(self, name: str, everything: Any, units: Iterable[District | Okrug | Settlement]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", everything), *((unit.kato, unit.short_name) for unit in units)]

    def value(self, name: str) -> str:
        """The cleaned value of a field, or "" when it is absent or not one of its choices."""
        if name not in self.fields:
            return ""
        field = self.fields[name]
        raw = str(self.data.get(name, "") or "").strip()
        try:
            return str(field.clean(raw) or "")
        except ValidationError:
            return ""

    def filters(self) -> dict[str, Any]:
        """Keyword arguments for `selectors.list_proposals`."""
        return {
            "district": self.districts.get(self.value("district")),
            "okrug": self.okrugs.get(self.value("okrug")),
            "settlement": self.settlements.get(self.value("settlement")),
            "area": self.value("area") or None,
            "status": self.value("status") or None,
            "sort": self.value("sort") or "new",
            "query": self.value("q"),
        }


# Drafts


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultiplePhotoField(forms.FileField):
    """Several photos from one file input; the service checks what each file really is."""

    widget = MultipleFileInput

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        files = data if isinstance(data, list | tuple) else [data]
        return [super(MultiplePhotoField, self).clean(upload, initial) for upload in files if upload]


class ProposalForm(forms.Form):
    title = forms.CharField(
        label=_("Title"),
        max_length=services.TITLE_MAX,
        help_text=_("In a few words: what should change, and where."),
    )
    body = forms.CharField(
        label=_("Text"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=services.BODY_MAX,
        help_text=_("What is the problem, whom it affects, and what you propose."),
    )
    language = forms.ChoiceField(label=_("Language of the text"), choices=Language.choices, widget=forms.RadioSelect)
    area = forms.ChoiceField(label=_("Area"), choices=Area.choices)
    settlement = SettlementChoiceField(queryset=Settlement.objects.none(), label=_("Settlement"), empty_label=None)
    estimated_cost = forms.IntegerField(
        label=_("Estimated cost, tenge"),
        required=False,
        min_value=0,
        max_value=10**15,
        help_text=_("Optional: leave empty if you do not know."),
    )
    photos = MultiplePhotoField(
        label=_("Photos"),
        required=False,
        help_text=format_lazy(
            "{} {}",
            ngettext_lazy("Up to %(limit)d photo.", "Up to %(limit)d photos.", "limit") % {"limit": MAX_PHOTOS},
            _("JPEG, PNG or WebP, at most 8 MB each. Location and camera data are removed."),
        ),
    )
    remove_photos = forms.ModelMultipleChoiceField(
        queryset=Photo.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=_("Remove photos"),
    )

    # The fields a service receives; photos go through their own services.
    FIELDS = ("title", "body", "language", "area", "settlement", "estimated_cost")

    def __init__(
        self,
        data: Any = None,
        files: Any = None,
        *,
        settlements: QuerySet[Settlement],
        photos: Sequence[Photo] = (),
        initial: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(data, files, initial=initial)
        settlement_field = self.fields["settlement"]
        assert isinstance(settlement_field, forms.ModelChoiceField)
        settlement_field.queryset = settlements
        self.existing_photos = list(photos)
        if self.existing_photos:
            remove_field = self.fields["remove_photos"]
            assert isinstance(remove_field, forms.ModelMultipleChoiceField)
            remove_field.queryset = Photo.objects.filter(pk__in=[photo.pk for photo in self.existing_photos])
        else:
            del self.fields["remove_photos"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        removed = len(cleaned.get("remove_photos") or [])
        total = len(self.existing_photos) - removed + len(cleaned.get("photos") or [])
        if total > MAX_PHOTOS:
            self.add_error(
                "photos",
                ValidationError(
                    ngettext_lazy(
                        "A proposal has at most %(limit)d photo.", "A proposal has at most %(limit)d photos.", "limit"
                    )
                    % {"limit": MAX_PHOTOS},
                    code="too_many_photos",
                ),
            )
        return cleaned

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.FIELDS}


class FindResidentForm(forms.Form):
    """Assisted entry, first step: the staff member finds the resident who came or called."""

    iin = forms.CharField(
        label=_("IIN"),
        required=False,
        max_length=12,
        min_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "pattern": "[0-9]{12}"}),
        help_text=_("12 digits. It is checked and not stored."),
    )
    username = forms.CharField(label=_("Or the username on Kenes"), required=False, max_length=150)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("iin") and not cleaned.get("username") and not self.errors:
            raise ValidationError(_("Enter the resident's IIN or username."), code="nothing_to_find")
        return cleaned


class ChannelForm(forms.Form):
    channel = forms.ChoiceField(
        label=_("How the resident came to us"),
        choices=[
            (EntryChannel.IN_PERSON, EntryChannel.IN_PERSON.label),
            (EntryChannel.PHONE, EntryChannel.PHONE.label),
        ],
        widget=forms.RadioSelect,
        initial=EntryChannel.IN_PERSON,
    )


# Screening


class ReturnForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, shown to the author"),
        max_length=services.REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Say what to change so the proposal can be accepted."),
    )


class MergeForm(forms.Form):
    into = ProposalChoiceField(
        queryset=Proposal.objects.none(),
        label=_("Merge into"),
        empty_label=None,
        help_text=_("Its supports move to the chosen proposal; nobody is counted twice."),
    )
    reason = forms.CharField(label=_("Note"), max_length=services.REASON_MAX, required=False)

    def __init__(self, *args: Any, targets: Sequence[Proposal], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["into"]
        assert isinstance(field, ProposalChoiceField)
        self.targets = list(targets)
        field.queryset = Proposal.objects.filter(pk__in=[target.pk for target in self.targets])
        # Similar proposals first, in the order given, without a query per render.
        field.choices = [(target.pk, field.label_from_instance(target)) for target in self.targets]


class ForwardForm(forms.Form):
    addressee = forms.CharField(
        label=_("Addressee"),
        max_length=300,
        help_text=_("The body competent to answer, for example the district akimat's department of education."),
    )
    reason = forms.CharField(
        label=_("Why it is outside the council's competence"),
        max_length=services.REASON_MAX,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


# Discussion


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Your comment"),
        max_length=services.COMMENT_MAX,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Be polite and stay on the subject. At most 5 comments in 10 minutes and 30 a day."),
    )
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)


class EditCommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"), max_length=services.COMMENT_MAX, widget=forms.Textarea(attrs={"rows": 4})
    )


class ReportCommentForm(forms.Form):
    reason = forms.CharField(
        label=_("What is wrong with this comment?"),
        max_length=services.REPORT_REASON_MAX,
        help_text=_("The coordinator reads your report."),
    )


class HideCommentForm(forms.Form):
    reason = forms.CharField(label=_("Public reason for hiding"), max_length=300)
