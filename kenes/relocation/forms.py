"""Forms of the From City to Village pages: the offers' filters, an offer (every kind's fields on one
form), the applicant's profile with the household, applying, and the owner's and staff's steps.
They check the shape of the input; the rules (what each kind of offer needs, who may publish where,
which step may follow which) are the services' and come back as form errors."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any, cast

from django import forms
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kenes.accounts.selectors import roles_of
from kenes.relocation.models import Application, Employer, HouseholdMember, Offer, Profession
from kenes.relocation.permissions import STAFF_ROLES
from kenes.territory.models import District, Settlement

# Each kind's own fields, in the order the offer form shows them.
KIND_FIELDS: dict[str, tuple[str, ...]] = {
    Offer.Kind.VACANCY: ("position", "profession", "salary_tenge", "positions", "requirements"),
    Offer.Kind.HOUSING: ("housing_type", "rooms", "condition", "tenure", "available_from"),
    Offer.Kind.LAND: ("area_hectares", "land_purpose"),
    Offer.Kind.SUPPORT: ("measure", "amount_mci"),
}
KIND_LEGENDS: dict[str, Any] = {
    Offer.Kind.VACANCY: _("For a job vacancy"),
    Offer.Kind.HOUSING: _("For housing"),
    Offer.Kind.LAND: _("For land"),
    Offer.Kind.SUPPORT: _("For a support measure"),
}


def _blank(choices: Iterable[tuple[str, Any]], label: Any = "—") -> list[tuple[str, Any]]:
    return [("", label), *choices]


def _date(label: Any, *, required: bool = False, help_text: Any = "") -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        help_text=help_text,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d.%m.%Y"],
    )


def _text(label: Any, *, required: bool = False, rows: int = 3, help_text: Any = "") -> forms.CharField:
    return forms.CharField(
        label=label, required=required, widget=forms.Textarea(attrs={"rows": rows}), help_text=help_text
    )


class SettlementChoiceField(forms.ModelChoiceField[Settlement]):
    def label_from_instance(self, obj: Settlement) -> str:
        return f"{obj.short_name} · {obj.district.short_name}"


class DistrictChoiceField(forms.ModelMultipleChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.short_name


class OneDistrictField(forms.ModelChoiceField[District]):
    def label_from_instance(self, obj: District) -> str:
        return obj.short_name


def publishable_settlements(user: Any) -> QuerySet[Settlement]:
    """The settlements a user may offer something in: those their staff roles cover, and those of
    the districts of the verified employers they belong to (the services decide each kind)."""
    if not getattr(user, "is_authenticated", False):
        return Settlement.objects.none()
    rural = Settlement.objects.filter(area=Settlement.Area.RURAL, retired_at__isnull=True)
    rural = rural.select_related("district").order_by("district__kato", "kato")
    if user.is_superuser:
        return rural
    scopes = Q(pk__in=[])
    for assignment in roles_of(user).filter(role__code__in=STAFF_ROLES):
        if assignment.region_id:
            scopes |= Q(district__region_id=assignment.region_id)
        elif assignment.district_id:
            scopes |= Q(district_id=assignment.district_id)
        elif assignment.okrug_id:
            scopes |= Q(okrug_id=assignment.okrug_id)
    districts = Employer.objects.filter(users=user, verified_at__isnull=False).values("district_id")
    return rural.filter(scopes | Q(district_id__in=districts))


def verified_employers(user: Any) -> QuerySet[Employer]:
    return Employer.objects.filter(users=user, verified_at__isnull=False).order_by("name")


class EmployerForm(forms.Form):
    """An organisation registering itself; the service checks the BIN (12 digits, not registered yet)."""

    name = forms.CharField(label=_("Organisation's name"), max_length=300)
    bin = forms.CharField(
        label=_("BIN"),
        max_length=20,
        help_text=_("The business identification number: 12 digits."),
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    district = OneDistrictField(queryset=District.objects.none(), label=_("District"), empty_label="—")

    def __init__(self, *args: Any, districts: QuerySet[District], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].queryset = districts  # type: ignore[attr-defined]


# The offers list


class OfferFilterForm(forms.Form):
    """The list's filters. Every field is optional and an unknown value is simply ignored, so an old
    or hand-edited address still shows a list."""

    district = forms.ChoiceField(label=_("District"), required=False)
    kind = forms.ChoiceField(label=_("What"), required=False, choices=_blank(Offer.Kind.choices, _("Everything")))
    profession = forms.ChoiceField(label=_("Profession"), required=False)

    def __init__(
        self, *args: Any, districts: Sequence[District] = (), professions: Sequence[Profession] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["district"].choices = _blank(  # type: ignore[attr-defined]
            ((district.kato, district.short_name) for district in districts), _("All districts")
        )
        self.fields["profession"].choices = _blank(  # type: ignore[attr-defined]
            ((profession.code, str(profession)) for profession in professions), _("Any profession")
        )
        self._districts = {district.kato: district for district in districts}
        self._professions = {profession.code: profession for profession in professions}

    def _value(self, name: str) -> str:
        value = self.data.get(name, "") if self.is_bound else ""
        return value if value in dict(self.fields[name].choices) else ""  # type: ignore[attr-defined]

    def filters(self) -> dict[str, Any]:
        return {
            "district": self._districts.get(self._value("district")),
            "kind": self._value("kind") or None,
            "profession": self._professions.get(self._value("profession")),
        }


# An offer


class OfferForm(forms.Form):
    """Every kind's fields on one form (a kind's own fields are checked by the service, which says
    which one is missing). `settlements` is None when editing: an offer stays where it is."""

    settlement = SettlementChoiceField(queryset=Settlement.objects.none(), label=_("Settlement"))
    employer = forms.ModelChoiceField(
        queryset=Employer.objects.none(),
        label=_("Employer"),
        required=False,
        help_text=_("Vacancies and housing of an employer are published in its name."),
    )
    kind = forms.ChoiceField(label=_("What is offered"), choices=Offer.Kind.choices, widget=forms.RadioSelect)
    title = forms.CharField(label=_("Title"), max_length=200)
    description = _text(_("Description"), rows=4)
    expires_on = _date(_("Open until"), help_text=_("Leave empty if open until closed."))
    # Vacancy
    position = forms.CharField(label=_("Position"), max_length=200, required=False)
    profession = forms.ModelChoiceField(
        queryset=Profession.objects.all(), label=_("Profession"), required=False, empty_label="—"
    )
    salary_tenge = forms.IntegerField(label=_("Monthly salary, tenge"), required=False, min_value=0)
    positions = forms.IntegerField(label=_("Number of positions"), required=False, min_value=1, max_value=1000)
    requirements = _text(_("Requirements"))
    # Housing
    housing_type = forms.ChoiceField(
        label=_("Type of housing"), required=False, choices=_blank(Offer.HousingType.choices)
    )
    rooms = forms.IntegerField(label=_("Rooms"), required=False, min_value=1, max_value=50)
    condition = forms.ChoiceField(label=_("Condition"), required=False, choices=_blank(Offer.HousingCondition.choices))
    tenure = forms.ChoiceField(label=_("On what terms"), required=False, choices=_blank(Offer.Tenure.choices))
    available_from = _date(_("Available from"))
    # Land
    area_hectares = forms.DecimalField(
        label=_("Area, hectares"), required=False, min_value=Decimal("0"), max_digits=9, decimal_places=2
    )
    land_purpose = forms.ChoiceField(label=_("Purpose"), required=False, choices=_blank(Offer.LandPurpose.choices))
    # Support
    measure = forms.ChoiceField(label=_("Support measure"), required=False, choices=_blank(Offer.Measure.choices))
    amount_mci = forms.DecimalField(
        label=_("Amount, MCI"),
        required=False,
        min_value=Decimal("0"),
        max_digits=9,
        decimal_places=2,
        help_text=_("In monthly calculation indices: the page shows it in tenge at the rate of the year."),
    )

    def __init__(
        self,
        *args: Any,
        settlements: QuerySet[Settlement] | None = None,
        employers: QuerySet[Employer] | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if settlements is None:
            del self.fields["settlement"]
        else:
            self.fields["settlement"].queryset = settlements  # type: ignore[attr-defined]
        if employers is None or not employers.exists():
            del self.fields["employer"]
        else:
            self.fields["employer"].queryset = employers  # type: ignore[attr-defined]

    def common_fields(self) -> list[forms.BoundField]:
        names = ("settlement", "employer", "kind", "title", "description", "expires_on")
        return [self[name] for name in names if name in self.fields]

    def kind_groups(self) -> list[dict[str, Any]]:
        return [
            {"kind": kind, "legend": KIND_LEGENDS[kind], "fields": [self[name] for name in names]}
            for kind, names in KIND_FIELDS.items()
        ]

    def values(self) -> dict[str, Any]:
        """The offer's editable fields, the empty ones of other kinds as the model stores them."""
        data = self.cleaned_data
        values: dict[str, Any] = {name: data[name] for name in ("kind", "expires_on")}
        values["title"] = data["title"].strip()
        values["description"] = data["description"].strip()
        for names in KIND_FIELDS.values():
            for name in names:
                value = data.get(name)
                values[name] = value.strip() if isinstance(value, str) else value
        return values

    @classmethod
    def initial_of(cls, offer: Offer) -> dict[str, Any]:
        names = ["kind", "title", "description", "expires_on", *(n for names in KIND_FIELDS.values() for n in names)]
        return {name: getattr(offer, name) for name in names}


class CloseForm(forms.Form):
    reason = forms.CharField(label=_("Why it is closed"), max_length=300, help_text=_("Applicants see it."))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "close")
        super().__init__(*args, **kwargs)


# The applicant


class ApplicantForm(forms.Form):
    current_city = forms.CharField(label=_("Where you live now"), max_length=200)
    phone = forms.CharField(
        label=_("Phone"),
        max_length=32,
        required=False,
        help_text=_("Seen only by programme staff and the owners of offers you apply to."),
    )
    wished_districts = DistrictChoiceField(
        queryset=District.objects.none(),
        label=_("Districts you would move to"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    max_distance_km = forms.IntegerField(
        label=_("How far from the district centre, km"), required=False, min_value=0, max_value=1000
    )
    rooms_needed = forms.IntegerField(
        label=_("Rooms needed"),
        required=False,
        min_value=1,
        max_value=20,
        help_text=_("Leave empty to count one room for every two people."),
    )
    wants_land = forms.BooleanField(label=_("We want land for household farming"), required=False)
    notes = _text(_("About us"), rows=4)
    open_to_offers = forms.BooleanField(
        label=_("Employers and akimats may find us"),
        required=False,
        help_text=_(
            "They see only professions, the size of the household, the number of children, your city "
            "and the districts you chose: no names, no phone, no years of birth, until you apply."
        ),
    )
    consent = forms.BooleanField(
        label=_("I consent to the processing of my household's personal data"),
        required=False,
        help_text=_(
            "The programme's staff process the data given here to find offers for you, and show it to "
            "the owner of an offer only after you apply to it. You may withdraw your consent at any time."
        ),
    )

    def __init__(self, *args: Any, districts: QuerySet[District] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["wished_districts"].queryset = (  # type: ignore[attr-defined]
            districts if districts is not None else District.objects.none()
        )

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "current_city": data["current_city"].strip(),
            "phone": data["phone"].strip(),
            "wished_districts": list(data["wished_districts"]),
            "max_distance_km": data["max_distance_km"],
            "rooms_needed": data["rooms_needed"],
            "wants_land": data["wants_land"],
            "notes": data["notes"].strip(),
            "open_to_offers": data["open_to_offers"],
        }


class MemberForm(forms.Form):
    # A blank first choice, so an untouched spare row is left out rather than refused.
    relation = forms.ChoiceField(label=_("Who"), choices=_blank(HouseholdMember.Relation.choices))
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    birth_year = forms.IntegerField(label=_("Year of birth"), min_value=1900, max_value=2100)
    profession = forms.ModelChoiceField(
        queryset=Profession.objects.all(), label=_("Profession"), required=False, empty_label="—"
    )
    skills = forms.CharField(label=_("Skills"), max_length=500, required=False)
    seeks_work = forms.BooleanField(label=_("Looking for work"), required=False)


class BaseMemberFormSet(forms.BaseFormSet[MemberForm]):
    def members(self) -> list[dict[str, Any]]:
        """The filled rows not marked for removal (blank spare rows are left out)."""
        rows = []
        for form in self.forms:
            if not form.has_changed() or form.cleaned_data.get("DELETE"):
                continue
            data = dict(form.cleaned_data)
            data.pop("DELETE", None)
            data["full_name"] = data["full_name"].strip()
            data["skills"] = data["skills"].strip()
            rows.append(data)
        return rows


# Two spare rows: a household grows without JavaScript, one save at a time.
MemberFormSet = cast(
    type[BaseMemberFormSet],
    forms.formset_factory(MemberForm, formset=BaseMemberFormSet, extra=2, can_delete=True, max_num=20),
)


def member_initial(members: Iterable[HouseholdMember]) -> list[dict[str, Any]]:
    return [
        {
            "relation": member.relation,
            "full_name": member.full_name,
            "birth_year": member.birth_year,
            "profession": member.profession_id,
            "skills": member.skills,
            "seeks_work": member.seeks_work,
        }
        for member in members
    ]


# Applications and moves


class ApplyForm(forms.Form):
    message = _text(
        _("Message to the offer's owner"),
        rows=4,
        help_text=_("Applying shows the owner your household's details, your phone included."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "apply")
        super().__init__(*args, **kwargs)


class AdvanceForm(forms.Form):
    status = forms.ChoiceField(label=_("Next step"), choices=(), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Reason or note"), max_length=500, required=False, help_text=_("Needed when declining.")
    )

    def __init__(self, *args: Any, statuses: Sequence[str] = (), **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "advance")
        super().__init__(*args, **kwargs)
        labels = dict(Application.Status.choices)
        self.fields["status"].choices = [(status, labels[status]) for status in statuses]  # type: ignore[attr-defined]


class MoveForm(forms.Form):
    moved_on = _date(_("Moved on"), required=True)
    household_size = forms.IntegerField(label=_("People in the household"), min_value=1, max_value=50)
    children = forms.IntegerField(label=_("Children under 18"), min_value=0, max_value=50, initial=0)
    employed = forms.IntegerField(label=_("People employed"), min_value=0, max_value=50, initial=0)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "move")
        super().__init__(*args, **kwargs)
        self.fields["moved_on"].initial = timezone.localdate


class RetentionForm(forms.Form):
    months = forms.TypedChoiceField(
        label=_("Check at"),
        coerce=int,
        choices=[(6, _("6 months")), (12, _("12 months"))],
        widget=forms.RadioSelect,
    )
    still_there = forms.TypedChoiceField(
        label=_("Does the household still live there?"),
        coerce=lambda value: value == "yes",
        choices=[("yes", _("Yes, still there")), ("no", _("No, they left"))],
        widget=forms.RadioSelect,
    )
    checked_on = _date(_("Checked on"))
    reason = forms.CharField(
        label=_("Why they left"), max_length=500, required=False, help_text=_("Needed when they left.")
    )

    def __init__(self, *args: Any, move_id: int | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"retention-{move_id}" if move_id else "retention")
        super().__init__(*args, **kwargs)
        self.fields["checked_on"].initial = timezone.localdate

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        checked_on: datetime.date | None = data["checked_on"]
        return {
            "months": data["months"],
            "still_there": data["still_there"],
            "checked_on": checked_on,
            "reason": data["reason"].strip(),
        }
