"""From City to Village pages: offers by district (read on a phone, so the list is light), an offer
with its apply button, the applicant's profile, matches and applications; for employers and staff
the offer form, their offers, each offer's applications and candidates; for staff the moves and
their retention checks.

Views parse the input, fetch through the selectors (which answer 404 for "missing" and
"forbidden" alike, so nobody learns an applicant exists), call one service and redirect with a
message; a refused service call shows its message by the form with the error's status. Every form
works without JavaScript.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kenes.core.errors import DomainError
from kenes.relocation import money, permissions, selectors, services
from kenes.relocation.forms import (
    AdvanceForm,
    ApplicantForm,
    ApplyForm,
    CloseForm,
    EmployerForm,
    MemberFormSet,
    MoveForm,
    OfferFilterForm,
    OfferForm,
    RetentionForm,
    member_initial,
    publishable_settlements,
    verified_employers,
)
from kenes.relocation.models import Applicant, Application, Move, Offer, Profession
from kenes.territory.models import District

PER_PAGE = 20

# Which field a refused service call is about, by its error code: the first of the candidates that
# the form has (the rest go above the form).
ERROR_FIELDS: dict[str, tuple[str, ...]] = {
    "title_required": ("title",),
    "expires_in_past": ("expires_on",),
    "employer_not_verified": ("employer",),
    "position_required": ("position",),
    "profession_required": ("profession",),
    "positions_required": ("positions",),
    "invalid_salary": ("salary_tenge",),
    "housing_type_required": ("housing_type",),
    "rooms_required": ("rooms",),
    "tenure_required": ("tenure",),
    "area_required": ("area_hectares",),
    "land_purpose_required": ("land_purpose",),
    "measure_required": ("measure",),
    "amount_required": ("amount_mci",),
    "city_required": ("current_city",),
    "consent_required": ("consent",),
    "invalid_distance": ("max_distance_km",),
    "invalid_rooms": ("rooms_needed",),
    "reason_required": ("reason",),
    "illegal_transition": ("status",),
    "invalid_household_size": ("household_size",),
    "invalid_children": ("children",),
    "invalid_employed": ("employed",),
    "date_in_future": ("moved_on", "checked_on"),
    "too_early": ("checked_on",),
    "invalid_months": ("months",),
    "already_checked": ("months",),
    "name_required": ("name",),
    "invalid_bin": ("bin",),
    "employer_exists": ("bin",),
}


def _refuse(form: forms.BaseForm, error: DomainError) -> None:
    field = next((name for name in ERROR_FIELDS.get(error.code, ()) if name in form.fields), None)
    form.add_error(field, ValidationError(str(error.message), code=error.code))


def _forbidden(request: HttpRequest, *, for_staff: bool = False, verifying: bool = False) -> HttpResponse:
    context = {
        "for_staff": for_staff or verifying,
        "verifying": verifying,
        "may_register": _may_register(request.user),
    }
    return render(request, "relocation/forbidden.html", context, status=403)


def _may_register(user: Any) -> bool:
    """Signed-in people who are not staff may register their organisation (staff publish anyway)."""
    return bool(user.is_authenticated) and not permissions.is_staff_anywhere(user)


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


# Offers ------------------------------------------------------------------------------------------


@require_safe
def offers(request: HttpRequest, kato: str | None = None) -> HttpResponse:
    districts = list(District.objects.filter(offers__status=Offer.Status.PUBLISHED).distinct().order_by("kato"))
    district = None
    if kato is not None:
        district = next((unit for unit in districts if unit.kato == kato), None)
        district = district or District.objects.filter(kato=kato).first()
        if district is None:
            raise Http404("No such district.")
    form = OfferFilterForm(request.GET or None, districts=districts, professions=list(Profession.objects.all()))
    filters = form.filters()
    filters["district"] = district or filters["district"]
    rows = selectors.published_offers(**filters)
    context = {"form": form, "page": _page(request, rows), "district": filters["district"], "filters": filters}
    return render(request, "relocation/offers.html", context)


def _offer_page(
    request: HttpRequest,
    offer: Offer,
    *,
    status: int = 200,
    apply_form: ApplyForm | None = None,
    close_form: CloseForm | None = None,
) -> HttpResponse:
    user = request.user
    applicant = selectors.applicant_of(user) if user.is_authenticated else None
    application = None
    if applicant is not None:
        application = selectors.applications_of(applicant).filter(offer=offer).first()
    try:
        amount_tenge = money.offer_amount_tenge(offer)
    except DomainError:  # no MCI rate for that year yet: the amount stays in MCI
        amount_tenge = None
    context = {
        "offer": offer,
        "amount_tenge": amount_tenge,
        "amount_year": money.offer_year(offer),
        "applicant": applicant,
        "application": application,
        "may_apply": application is None and permissions.can_apply(user, offer),
        "may_manage": user.is_authenticated and permissions.can_manage_offer(user, offer),
        "expired": offer.expires_on is not None and offer.expires_on < timezone.localdate(),
        "apply_form": apply_form or ApplyForm(),
        "close_form": close_form or CloseForm(),
    }
    return render(request, "relocation/offer.html", context, status=status)


def _visible_offer(request: HttpRequest, pk: int) -> Offer:
    """A published or closed offer for everyone; a draft only for those who manage it."""
    try:
        return selectors.get_public_offer(pk)
    except Http404:
        if not request.user.is_authenticated:
            raise
        return selectors.access_offer(user=request.user, pk=pk)


@require_safe
def offer(request: HttpRequest, pk: int) -> HttpResponse:
    return _offer_page(request, _visible_offer(request, pk))


@require_http_methods(["GET", "HEAD", "POST"])
def apply(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_public_offer(pk)
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if request.method != "POST":
        return _offer_page(request, found)
    form = ApplyForm(request.POST)
    if not form.is_valid():
        return _offer_page(request, found, status=400, apply_form=form)
    try:
        services.apply_to_offer(actor=request.user, offer=found, message=form.cleaned_data["message"].strip())
    except DomainError as error:
        _refuse(form, error)
        return _offer_page(request, found, status=error.status, apply_form=form)
    messages.success(request, _("You applied: the offer's owner now sees your household's details."))
    return redirect("relocation:my_applications")


@login_required
@require_POST
def close(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_offer(user=request.user, pk=pk)
    form = CloseForm(request.POST)
    if not form.is_valid():
        return _offer_page(request, found, status=400, close_form=form)
    try:
        services.close_offer(actor=request.user, offer=found, reason=form.cleaned_data["reason"].strip())
    except DomainError as error:
        _refuse(form, error)
        return _offer_page(request, found, status=error.status, close_form=form)
    messages.success(request, _("The offer is closed: it no longer takes applications."))
    return redirect("relocation:offer", pk=found.pk)


def _offer_data(values: dict[str, Any]) -> Any:
    names = {field.name for field in dataclasses.fields(services.OfferData)}
    return services.OfferData(**{name: value for name, value in values.items() if name in names})


def _offer_form_page(
    request: HttpRequest, form: OfferForm, offer: Offer | None = None, status: int = 200
) -> HttpResponse:
    return render(request, "relocation/offer_form.html", {"form": form, "offer": offer}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def new_offer(request: HttpRequest) -> HttpResponse:
    settlements = publishable_settlements(request.user)
    employers = verified_employers(request.user)
    if not settlements.exists():
        return _forbidden(request)
    if request.method != "POST":
        kind = request.GET.get("kind", Offer.Kind.VACANCY)
        form = OfferForm(initial={"kind": kind}, settlements=settlements, employers=employers)
        return _offer_form_page(request, form)
    form = OfferForm(request.POST, settlements=settlements, employers=employers)
    if not form.is_valid():
        return _offer_form_page(request, form, status=400)
    try:
        created = services.create_offer(
            actor=request.user,
            settlement=form.cleaned_data["settlement"],
            data=_offer_data(form.values()),
            employer=form.cleaned_data.get("employer"),
            publish="draft" not in request.POST,
        )
    except DomainError as error:
        _refuse(form, error)
        return _offer_form_page(request, form, status=error.status)
    if created.status == Offer.Status.DRAFT:
        messages.success(request, _("The offer is saved as a draft: only you see it until it is published."))
    else:
        messages.success(request, _("The offer is published: applicants see it now."))
    return redirect("relocation:offer", pk=created.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def edit_offer(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_offer(user=request.user, pk=pk)
    if request.method != "POST":
        return _offer_form_page(request, OfferForm(initial=OfferForm.initial_of(found)), found)
    form = OfferForm(request.POST)
    if not form.is_valid():
        return _offer_form_page(request, form, found, status=400)
    try:
        services.update_offer(actor=request.user, offer=found, data=_offer_data(form.values()))
        if "publish" in request.POST and found.status == Offer.Status.DRAFT:
            services.publish_offer(actor=request.user, offer=found)
    except DomainError as error:
        _refuse(form, error)
        return _offer_form_page(request, form, found, status=error.status)
    messages.success(request, _("The offer is saved."))
    return redirect("relocation:offer", pk=found.pk)


@login_required
@require_safe
def my_offers(request: HttpRequest) -> HttpResponse:
    rows = selectors.offers_managed_by(request.user)
    context = {
        "page": _page(request, rows),
        "may_publish": publishable_settlements(request.user).exists(),
        "may_register": _may_register(request.user),
    }
    return render(request, "relocation/my_offers.html", context)


# Employers ---------------------------------------------------------------------------------------


def _register_page(request: HttpRequest, form: EmployerForm, status: int = 200) -> HttpResponse:
    return render(request, "relocation/employer_form.html", {"form": form}, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def register_employer(request: HttpRequest) -> HttpResponse:
    districts = selectors.employer_districts(request.user)
    if request.method != "POST":
        return _register_page(request, EmployerForm(districts=districts))
    form = EmployerForm(request.POST, districts=districts)
    if not form.is_valid():
        return _register_page(request, form, status=400)
    try:
        services.register_employer(actor=request.user, **form.cleaned_data)
    except DomainError as error:
        _refuse(form, error)
        return _register_page(request, form, status=error.status)
    messages.success(
        request,
        _(
            "Your organisation is registered and is waiting for the programme's check. "
            "Once it is verified, you publish its vacancies and housing."
        ),
    )
    return redirect("relocation:employers")


def _employers_page(request: HttpRequest, *, status: int = 200, error: DomainError | None = None) -> HttpResponse:
    user = request.user
    context = {
        "mine": list(selectors.employers_of(user)),
        "is_programme_staff": permissions.is_programme_staff(user),
        "awaiting": list(selectors.employers_awaiting_verification(user)),
        "page": _page(request, selectors.verified_employers_seen_by(user)),
        "may_register": _may_register(user),
        "error": error,
    }
    return render(request, "relocation/employers.html", context, status=status)


@login_required
@require_safe
def employers(request: HttpRequest) -> HttpResponse:
    return _employers_page(request)


@login_required
@require_POST
def verify_employer(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.is_programme_staff(request.user):
        return _forbidden(request, verifying=True)
    found = selectors.access_employer(user=request.user, pk=pk)
    try:
        services.verify_employer(actor=request.user, employer=found)
    except DomainError as error:
        return _employers_page(request, status=error.status, error=error)
    messages.success(
        request, _("%(name)s is verified: its people now publish vacancies and housing.") % {"name": found.name}
    )
    return redirect("relocation:employers")


# An offer's applications and candidates ------------------------------------------------------------


def _move_form(application: Application) -> MoveForm:
    members = list(application.applicant.members.all())
    this_year = timezone.localdate().year
    children = sum(1 for member in members if this_year - member.birth_year < 18)
    return MoveForm(initial={"household_size": len(members) or 1, "children": children})


@login_required
@require_safe
def offer_applications(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_offer(user=request.user, pk=pk)
    rows = [
        {
            "application": row,
            "advance_form": AdvanceForm(statuses=services.allowed_steps(request.user, row)),
            "move_form": _move_form(row) if row.status == Application.Status.ACCEPTED else None,
        }
        for row in selectors.applications_for(found)
    ]
    return render(request, "relocation/offer_applications.html", {"offer": found, "rows": rows})


@login_required
@require_safe
def candidates(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_offer(user=request.user, pk=pk)
    context = {"offer": found, "candidates": selectors.candidates_for(found)}
    return render(request, "relocation/candidates.html", context)


def _application_page(
    request: HttpRequest,
    found: Application,
    *,
    status: int = 200,
    advance_form: AdvanceForm | None = None,
    move_form: MoveForm | None = None,
) -> HttpResponse:
    user = request.user
    is_applicant = found.applicant.user_id == user.pk
    manages = permissions.can_manage_offer(user, found.offer)
    steps = services.allowed_steps(user, found)
    may_move = manages and found.status == Application.Status.ACCEPTED
    context = {
        "application": found,
        "offer": found.offer,
        "applicant": found.applicant,
        "members": list(found.applicant.members.all()),
        "events": list(found.events.select_related("actor").all()),
        "is_applicant": is_applicant,
        "manages": manages,
        "advance_form": advance_form or (AdvanceForm(statuses=steps) if steps else None),
        "move_form": move_form or (_move_form(found) if may_move else None),
    }
    return render(request, "relocation/application.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def application(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_application(user=request.user, pk=pk)
    if request.method != "POST":
        return _application_page(request, found)
    form = AdvanceForm(request.POST, statuses=services.allowed_steps(request.user, found))
    if not form.is_valid():
        return _application_page(request, found, status=400, advance_form=form)
    try:
        services.advance_application(
            actor=request.user,
            application=found,
            status=form.cleaned_data["status"],
            reason=form.cleaned_data["reason"].strip(),
        )
    except DomainError as error:
        _refuse(form, error)
        return _application_page(request, found, status=error.status, advance_form=form)
    messages.success(request, _("The application's status is changed."))
    return redirect("relocation:application", pk=found.pk)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def record_move(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_application(user=request.user, pk=pk)
    if not permissions.can_manage_offer(request.user, found.offer):
        raise Http404("No such application.")
    if request.method != "POST":
        return _application_page(request, found)
    form = MoveForm(request.POST)
    if not form.is_valid():
        return _application_page(request, found, status=400, move_form=form)
    try:
        services.record_move(actor=request.user, application=found, **form.cleaned_data)
    except DomainError as error:
        _refuse(form, error)
        return _application_page(request, found, status=error.status, move_form=form)
    messages.success(
        request, _("The move is recorded: the programme checks at 6 and 12 months whether the household stays.")
    )
    return redirect("relocation:application", pk=found.pk)


# The applicant -----------------------------------------------------------------------------------


def _wishable_districts(applicant: Applicant | None) -> Any:
    """Districts with programme villages or published offers, and those already chosen."""
    where = Q(settlements__programme_entry__isnull=False) | Q(offers__status=Offer.Status.PUBLISHED)
    if applicant is not None:
        where |= Q(pk__in=applicant.wished_districts.values("pk"))
    return District.objects.filter(where).distinct().order_by("kato")


def _profile_page(
    request: HttpRequest,
    applicant: Applicant | None,
    *,
    form: ApplicantForm | None = None,
    members: Any = None,
    status: int = 200,
) -> HttpResponse:
    districts = _wishable_districts(applicant)
    if form is None:
        initial: dict[str, Any] = {}
        if applicant is not None:
            initial = {
                "current_city": applicant.current_city,
                "phone": applicant.phone,
                "wished_districts": list(applicant.wished_districts.all()),
                "max_distance_km": applicant.max_distance_km,
                "rooms_needed": applicant.rooms_needed,
                "wants_land": applicant.wants_land,
                "notes": applicant.notes,
                "open_to_offers": applicant.open_to_offers,
                "consent": applicant.consent_withdrawn_at is None,
            }
        form = ApplicantForm(initial=initial, districts=districts)
    if members is None:
        rows = member_initial(applicant.members.all()) if applicant is not None else [{"relation": "self"}]
        members = MemberFormSet(initial=rows, prefix="members")
    context = {"applicant": applicant, "form": form, "members": members}
    return render(request, "relocation/profile.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    applicant = selectors.applicant_of(request.user)
    if request.method != "POST":
        return _profile_page(request, applicant)
    if "withdraw_consent" in request.POST:
        if applicant is None:
            raise Http404("No applicant profile.")
        services.withdraw_consent(actor=request.user, applicant=applicant)
        messages.success(
            request,
            _("Your consent is withdrawn: offer owners no longer find you and your open applications are withdrawn."),
        )
        return redirect("relocation:profile")
    form = ApplicantForm(request.POST, districts=_wishable_districts(applicant))
    members = MemberFormSet(request.POST, prefix="members")
    if not (form.is_valid() and members.is_valid()):
        return _profile_page(request, applicant, form=form, members=members, status=400)
    values = {
        **form.values(),
        "members": [services.MemberData(**row) for row in members.members()],
        "consent": form.cleaned_data["consent"],
    }
    try:
        if applicant is None:
            services.register_applicant(actor=request.user, **values)
        else:
            services.update_applicant(actor=request.user, applicant=applicant, **values)
    except DomainError as error:
        _refuse(form, error)
        return _profile_page(request, applicant, form=form, members=members, status=error.status)
    messages.success(request, _("Your profile is saved."))
    return redirect("relocation:matches")


@login_required
@require_safe
def matches(request: HttpRequest) -> HttpResponse:
    applicant = selectors.applicant_of(request.user)
    found = selectors.matches_for(applicant) if applicant is not None else []
    return render(request, "relocation/matches.html", {"applicant": applicant, "matches": found})


@login_required
@require_safe
def my_applications(request: HttpRequest) -> HttpResponse:
    applicant = selectors.applicant_of(request.user)
    rows = list(selectors.applications_of(applicant)) if applicant is not None else []
    return render(request, "relocation/my_applications.html", {"applicant": applicant, "applications": rows})


# Moves and retention (staff) -----------------------------------------------------------------------


def _moves_page(
    request: HttpRequest, *, status: int = 200, bound: RetentionForm | None = None, bound_move: int | None = None
) -> HttpResponse:
    rows = [
        {
            "move": move,
            "checks": {check.months: check for check in move.checks.all()},
            "form": bound if bound is not None and move.pk == bound_move else RetentionForm(move_id=move.pk),
        }
        for move in selectors.moves_for(request.user)
    ]
    return render(request, "relocation/moves.html", {"rows": rows}, status=status)


@login_required
@require_safe
def moves(request: HttpRequest) -> HttpResponse:
    if not permissions.is_staff_anywhere(request.user):
        return _forbidden(request, for_staff=True)
    return _moves_page(request)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def retention(request: HttpRequest, pk: int) -> HttpResponse:
    if not permissions.is_staff_anywhere(request.user):
        return _forbidden(request, for_staff=True)
    found: Move | None = selectors.moves_for(request.user).filter(pk=pk).first()
    if found is None:
        raise Http404("No such move.")
    if request.method != "POST":
        return redirect(f"{redirect('relocation:moves').url}#move-{found.pk}")
    form = RetentionForm(request.POST, move_id=found.pk)
    if not form.is_valid():
        return _moves_page(request, status=400, bound=form, bound_move=found.pk)
    try:
        services.record_retention(actor=request.user, move=found, **form.values())
    except DomainError as error:
        _refuse(form, error)
        return _moves_page(request, status=error.status, bound=form, bound_move=found.pk)
    messages.success(request, _("The retention check is recorded."))
    return redirect("relocation:moves")
