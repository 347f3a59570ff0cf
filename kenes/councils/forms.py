"""Forms of the council pages. They only parse and check the input; every write is a service."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from kenes.councils.models import Charter, CharterSeatRule, Member, Pilot, SeatGroup
from kenes.territory.models import Settlement


class DateInput(forms.DateInput):
    """The browser's date picker; it always sends ISO dates, which every language accepts."""

    input_type = "date"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        super().__init__(attrs=attrs, format="%Y-%m-%d")


class SettlementChoiceField(forms.ModelChoiceField[Settlement]):
    def label_from_instance(self, obj: Settlement) -> str:
        return obj.short_name


def _settlement_field(settlements: QuerySet[Settlement], *, required: bool = False) -> SettlementChoiceField:
    return SettlementChoiceField(
        queryset=settlements,
        required=required,
        label=_("Settlement represented"),
        help_text=_("Required for a residents' seat."),
    )


def _full_name_field() -> forms.CharField:
    return forms.CharField(label=_("Full name"), max_length=200)


def _seat_group_field() -> forms.ChoiceField:
    return forms.ChoiceField(label=_("Seat group"), choices=SeatGroup.choices)


def _check_resident_seat(form: forms.Form, cleaned: dict[str, Any]) -> None:
    if cleaned.get("seat_group") == SeatGroup.RESIDENTS and not cleaned.get("settlement"):
        form.add_error(
            "settlement",
            ValidationError(_("A residents' seat represents a settlement: choose one."), code="settlement_required"),
        )


class CharterForm(forms.ModelForm[Charter]):
    """Every parameter of a charter. The form works on a copy of the charter, so the copy a service
    receives (and audits as "before") is never changed by validation."""

    class Meta:
        model = Charter
        fields = [
            "name",
            "term_years",
            "quorum_percent",
            "majority_rule",
            "notice_days",
            "answer_working_days",
            "extension_limit_months",
            "secret_ballot_allowed",
            "residents_may_submit",
            "members_may_submit",
            "coordinators_may_submit",
            "support_threshold",
            "members_per_settlement",
            "youth_age_min",
            "youth_age_max",
        ]

    def __init__(self, data: Mapping[str, Any] | None = None, *, instance: Charter) -> None:
        super().__init__(data, instance=copy.copy(instance))

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in self.Meta.fields}


class SeatRulesForm(forms.Form):
    """A fixed table: for each seat group, at least `min` and at most `max` seats (empty: no limit)."""

    def __init__(self, data: Mapping[str, Any] | None = None, *, rules: list[CharterSeatRule]) -> None:
        initial: dict[str, int | None] = {}
        for rule in rules:
            initial[f"{rule.group}-min"] = rule.min_seats
            initial[f"{rule.group}-max"] = rule.max_seats
        super().__init__(data, initial=initial, prefix="seats")
        self.rows: list[tuple[str, forms.BoundField, forms.BoundField]] = []
        for group, label in SeatGroup.choices:
            self.fields[f"{group}-min"] = forms.IntegerField(
                label=_("%(group)s: at least") % {"group": label}, min_value=0, max_value=100
            )
            self.fields[f"{group}-max"] = forms.IntegerField(
                label=_("%(group)s: at most") % {"group": label}, min_value=0, max_value=100, required=False
            )
        for group, label in SeatGroup.choices:
            self.rows.append((str(label), self[f"{group}-min"], self[f"{group}-max"]))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        for group, label in SeatGroup.choices:
            low, high = cleaned.get(f"{group}-min"), cleaned.get(f"{group}-max")
            if low is not None and high is not None and high < low:
                self.add_error(
                    f"{group}-max",
                    ValidationError(
                        _("%(group)s: the most seats cannot be fewer than the least.") % {"group": label},
                        code="seat_rule_order",
                    ),
                )
        return cleaned

    def seat_rules(self) -> list[dict[str, Any]]:
        return [
            {
                "group": group,
                "min_seats": self.cleaned_data[f"{group}-min"],
                "max_seats": self.cleaned_data[f"{group}-max"],
            }
            for group in SeatGroup.values
        ]


class SizeBandForm(forms.Form):
    population_from = forms.IntegerField(label=_("Population from"), min_value=0)
    population_to = forms.IntegerField(label=_("Population up to"), min_value=0, required=False)
    min_members = forms.IntegerField(label=_("Members, at least"), min_value=1, max_value=200)
    max_members = forms.IntegerField(label=_("Members, at most"), min_value=1, max_value=200)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        low, high = cleaned.get("min_members"), cleaned.get("max_members")
        if low is not None and high is not None and high < low:
            self.add_error(
                "max_members",
                ValidationError(_("The most members cannot be fewer than the least."), code="size_band_order"),
            )
        start, end = cleaned.get("population_from"), cleaned.get("population_to")
        if start is not None and end is not None and end < start:
            self.add_error(
                "population_to",
                ValidationError(_("The band cannot end before it starts."), code="size_band_range"),
            )
        return cleaned


class BaseSizeBandFormSet(forms.BaseFormSet[SizeBandForm]):
    def clean(self) -> None:
        if any(self.errors):
            return
        starts = [band["population_from"] for band in self.size_bands()]
        if not starts:
            raise ValidationError(_("Keep at least one size band."), code="no_size_band")
        if len(set(starts)) != len(starts):
            raise ValidationError(_("Two size bands start at the same population."), code="size_band_duplicate")

    def size_bands(self) -> list[dict[str, Any]]:
        # An untouched spare row has no cleaned data; a row ticked for deletion is left out.
        bands = [
            {key: form.cleaned_data.get(key) for key in SizeBandForm.base_fields}
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE")
        ]
        return sorted(bands, key=lambda band: band["population_from"])


SizeBandFormSet: type[BaseSizeBandFormSet] = forms.formset_factory(  # type: ignore[assignment]
    SizeBandForm, formset=BaseSizeBandFormSet, extra=1, can_delete=True, max_num=20, validate_max=True
)


class EstablishCouncilForm(forms.Form):
    established_on = forms.DateField(label=_("Established on"), widget=DateInput())
    pilot = forms.ModelChoiceField(
        queryset=Pilot.objects.none(), required=False, label=_("Pilot"), empty_label=_("No pilot")
    )
    charter = forms.ModelChoiceField(
        queryset=Charter.objects.none(),
        required=False,
        label=_("Charter"),
        empty_label=_("The pilot's charter"),
        help_text=_("Leave empty to use the pilot's charter."),
    )
    population = forms.IntegerField(label=_("Population of the okrug"), min_value=0, required=False)
    population_year = forms.IntegerField(label=_("Population year"), min_value=1990, max_value=2100, required=False)
    population_source = forms.CharField(label=_("Population source"), max_length=200, required=False)

    def __init__(self, *args: Any, pilots: QuerySet[Pilot], charters: QuerySet[Charter], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        pilot_field = self.fields["pilot"]
        charter_field = self.fields["charter"]
        assert isinstance(pilot_field, forms.ModelChoiceField)
        assert isinstance(charter_field, forms.ModelChoiceField)
        pilot_field.queryset = pilots
        charter_field.queryset = charters

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if not cleaned.get("pilot") and not cleaned.get("charter") and not self.has_error("charter"):
            self.add_error("charter", ValidationError(_("Choose a charter or a pilot."), code="charter_required"))
        if cleaned.get("population") is not None and cleaned.get("population_year") is None:
            self.add_error(
                "population_year",
                ValidationError(_("Say which year the population figure is for."), code="population_year_required"),
            )
        return cleaned


class PopulationForm(forms.Form):
    population = forms.IntegerField(label=_("Population of the okrug"), min_value=0)
    year = forms.IntegerField(label=_("Population year"), min_value=1990, max_value=2100)
    source = forms.CharField(label=_("Population source"), max_length=200, required=False)


class AppointMemberForm(forms.Form):
    full_name = _full_name_field()
    seat_group = _seat_group_field()
    role = forms.ChoiceField(label=_("Role"), choices=Member.Role.choices, initial=Member.Role.MEMBER)
    settlement = forms.ModelChoiceField(queryset=Settlement.objects.none())
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=DateInput(), help_text=_("Needed for a youth seat.")
    )
    term_start = forms.DateField(label=_("Term starts"), widget=DateInput())
    term_end = forms.DateField(
        label=_("Term ends"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty for the charter's full term."),
    )

    def __init__(self, *args: Any, settlements: QuerySet[Settlement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["settlement"] = _settlement_field(settlements)
        self.order_fields(list(type(self).base_fields))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_resident_seat(self, cleaned)
        start, end = cleaned.get("term_start"), cleaned.get("term_end")
        if start and end and end <= start:
            self.add_error("term_end", ValidationError(_("The term must end after it starts."), code="term_order"))
        return cleaned


class EndSeatForm(forms.Form):
    class Kind:
        RESIGNED = "resigned"
        TERM_ENDED = "term_ended"

    kind = forms.ChoiceField(
        label=_("Why the seat ends"),
        choices=[(Kind.RESIGNED, _("Resigned")), (Kind.TERM_ENDED, _("Term ended"))],
        initial=Kind.RESIGNED,
    )
    on = forms.DateField(label=_("On"), widget=DateInput())
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)


class ReplaceMemberForm(forms.Form):
    on = forms.DateField(label=_("Replaced on"), widget=DateInput())
    reason = forms.CharField(label=_("Reason for the replacement"), max_length=300)
    full_name = _full_name_field()
    seat_group = _seat_group_field()
    settlement = forms.ModelChoiceField(queryset=Settlement.objects.none())
    role = forms.ChoiceField(
        label=_("Role"),
        choices=[("", _("The same role as the member replaced")), *Member.Role.choices],
        required=False,
    )
    organisation = forms.CharField(label=_("Organisation"), max_length=200, required=False)
    birth_date = forms.DateField(
        label=_("Birth date"), required=False, widget=DateInput(), help_text=_("Needed for a youth seat.")
    )

    def __init__(self, *args: Any, settlements: QuerySet[Settlement], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["settlement"] = _settlement_field(settlements)
        self.order_fields(list(type(self).base_fields))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_resident_seat(self, cleaned)
        return cleaned


class CoordinatorForm(forms.Form):
    full_name = _full_name_field()
    maslikhat = forms.CharField(
        label=_("Maslikhat"), max_length=200, help_text=_("For example: the district maslikhat.")
    )
    constituency = forms.CharField(label=_("Constituency"), max_length=200, required=False)
    started_on = forms.DateField(label=_("Coordinates since"), widget=DateInput())


class EndCoordinationForm(forms.Form):
    on = forms.DateField(label=_("Coordinates until"), widget=DateInput())
