"""Council pages: the public directory, council, charter and pilot pages, and the management pages
for district and oblast administrators and the okrug's coordinator deputies.

Views parse the input, fetch through the access-checked selectors (404 for both missing and
forbidden), call one service and redirect; a refused service call shows its message by the form.
"""

from __future__ import annotations

import datetime
from collections import OrderedDict
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST, require_safe

from kenes.core.errors import DomainError
from kenes.core.page_cache import public_page
from kenes.councils import permissions, selectors, services
from kenes.councils.forms import (
    AppointMemberForm,
    CharterForm,
    CoordinatorForm,
    EndCoordinationForm,
    EndSeatForm,
    EstablishCouncilForm,
    PopulationForm,
    ReplaceMemberForm,
    SeatRulesForm,
    SizeBandFormSet,
)
from kenes.councils.models import Council, Member
from kenes.territory import selectors as territory_selectors


def _refuse(form: forms.BaseForm, error: DomainError) -> None:
    """Shows a refused service call at the top of the form that asked for it."""
    form.add_error(None, ValidationError(str(error.message), code=error.code))


# Public pages


ALL_COUNCILS_UP_TO = 300
MANAGE_PAGE = 50  # councils, and okrugs without one, per page of the management list
MAX_QUERY = 100


@public_page
@require_safe
def directory(request: HttpRequest) -> HttpResponse:
    """Every council with its composition, grouped by district. Past ALL_COUNCILS_UP_TO councils (a
    national installation has about 2,200) the page lists the districts with their number of councils
    instead, and a district's councils once it is chosen: one page of 2,000 rows helps nobody on a phone."""
    districts = list(selectors.districts_with_councils())
    chosen = request.GET.get("district", "")
    chosen_district = next((district for district in districts if district.kato == chosen), None)
    summary: list[dict[str, Any]] = []
    councils: list[Council] = []
    if chosen_district is not None:
        councils = list(selectors.list_councils(district=chosen_district))
    elif not chosen and selectors.council_count() <= ALL_COUNCILS_UP_TO:
        councils = list(selectors.list_councils())
    elif not chosen:
        summary = selectors.councils_by_region()
    problems = selectors.compositions_of(councils)
    groups: OrderedDict[str, dict[str, Any]] = OrderedDict()
    for council in councils:
        district = council.okrug.district
        group = groups.setdefault(district.kato, {"district": district, "rows": []})
        group["rows"].append({"council": council, "problems": problems.get(council.pk, [])})
    context = {"groups": list(groups.values()), "districts": districts, "chosen": chosen, "summary": summary}
    return render(request, "councils/directory.html", context)


@public_page
@require_safe
def detail(request: HttpRequest, kato: str) -> HttpResponse:
    council = selectors.find_council(kato)
    if council is None:
        raise Http404("No council in this okrug.")
    context = {
        "council": council,
        "okrug": council.okrug,
        "ancestors": [council.okrug.district.region, council.okrug.district, council.okrug],
        "groups": selectors.active_members_by_group(council),
        "coordinators": selectors.active_coordinators(council),
        "problems": selectors.composition_of(council),
        "history": selectors.membership_history(council),
        "can_manage": permissions.can_manage_council(request.user, council),
    }
    return render(request, "councils/detail.html", context)


@require_safe
def charter(request: HttpRequest, charter_id: int) -> HttpResponse:
    found = selectors.get_charter(charter_id)
    next_version = selectors.next_version_of(found)
    may_edit = permissions.can_edit_charter(request.user, found)
    context = {
        "charter": found,
        "seat_rules": selectors.charter_seat_rules(found),
        "size_bands": selectors.charter_size_bands(found),
        "next_version": next_version,
        "may_edit": may_edit and not found.is_locked,
        "may_create_version": may_edit and next_version is None,
    }
    return render(request, "councils/charter.html", context)


@require_safe
def charter_pdf(request: HttpRequest, charter_id: str, language: str) -> HttpResponse:
    found = selectors.get_charter(int(charter_id))
    # Imported here: the PDF engine is heavy and only this view needs it.
    from kenes.councils.documents import render_regulation_pdf

    pdf = render_regulation_pdf(charter=found, language=language)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="regulation-{found.pk}-{language}.pdf"'
    return response


@require_safe
def pilot(request: HttpRequest, pilot_id: int) -> HttpResponse:
    found = selectors.get_pilot(pilot_id)
    councils = list(selectors.list_councils(pilot=found))
    problems = selectors.compositions_of(councils)
    context = {
        "pilot": found,
        "okrugs": sorted(found.okrugs.all(), key=lambda okrug: okrug.kato),
        "comparison_districts": sorted(found.comparison_districts.all(), key=lambda district: district.kato),
        "rows": [{"council": council, "problems": problems.get(council.pk, [])} for council in councils],
    }
    return render(request, "councils/pilot.html", context)


# Charters


@login_required
def charter_edit(request: HttpRequest, charter_id: int) -> HttpResponse:
    found = selectors.access_charter_for_editing(user=request.user, charter_id=charter_id)
    data = request.POST if request.method == "POST" else None
    form = CharterForm(data, instance=found)
    seats = SeatRulesForm(data, rules=list(selectors.charter_seat_rules(found)))
    bands = SizeBandFormSet(
        data,
        prefix="bands",
        initial=[
            {
                "population_from": band.population_from,
                "population_to": band.population_to,
                "min_members": band.min_members,
                "max_members": band.max_members,
            }
            for band in selectors.charter_size_bands(found)
        ],
    )
    if data is not None and not found.is_locked and form.is_valid() & seats.is_valid() & bands.is_valid():
        try:
            services.update_charter(
                actor=request.user,
                charter=found,
                values=form.values(),
                seat_rules=seats.seat_rules(),
                size_bands=bands.size_bands(),
            )
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The charter is saved."))
            return redirect("councils:charter", charter_id=found.pk)
    context = {
        "charter": found,
        "next_version": selectors.next_version_of(found) if found.is_locked else None,
        "form": form,
        "seats": seats,
        "bands": bands,
    }
    return render(request, "councils/charter_edit.html", context)


@login_required
@require_POST
def charter_new_version(request: HttpRequest, charter_id: int) -> HttpResponse:
    found = selectors.access_charter_for_editing(user=request.user, charter_id=charter_id)
    try:
        created = services.create_charter_version(actor=request.user, charter=found)
    except DomainError as error:
        messages.error(request, str(error.message))
        return redirect("councils:charter", charter_id=found.pk)
    messages.success(
        request,
        _("Version %(version)s is created: change it, then councils can adopt it.") % {"version": created.version},
    )
    return redirect("councils:charter_edit", charter_id=created.pk)


# Management


@login_required
@require_safe
def manage_index(request: HttpRequest) -> HttpResponse:
    """The councils a person manages and the okrugs where they may establish one, a page of each at a
    time, with a search by okrug, district or KATO code: a superuser has every okrug of the country."""
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    managed = selectors.managed_councils(request.user, query=query).values_list("pk", flat=True)
    paginator = Paginator(managed, MANAGE_PAGE)
    councils_page = paginator.get_page(request.GET.get("page"))
    councils = selectors.councils_with_counts(councils_page.object_list)
    problems = selectors.compositions_of(councils)
    okrugs_page = Paginator(selectors.okrugs_without_council(request.user, query=query), MANAGE_PAGE).get_page(
        request.GET.get("free")
    )
    context = {
        "query": query,
        "rows": [{"council": council, "problems": problems.get(council.pk, [])} for council in councils],
        "page": councils_page,
        "okrugs": okrugs_page,
        "searchable": bool(query) or paginator.count > MANAGE_PAGE or okrugs_page.paginator.count > MANAGE_PAGE,
    }
    return render(request, "councils/manage_index.html", context)


@login_required
def establish(request: HttpRequest, kato: str) -> HttpResponse:
    okrug = selectors.access_okrug_for_establishing(user=request.user, okrug_kato=kato)
    # Offer only what the service accepts here: charters of this oblast or national ones, and the
    # pilots that cover the okrug.
    form = EstablishCouncilForm(
        request.POST or None,
        pilots=selectors.list_pilots(covering=okrug),
        charters=selectors.list_charters(for_okrug=okrug),
        initial={"established_on": timezone.localdate()},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.establish_council(
                actor=request.user,
                okrug=okrug,
                established_on=data["established_on"],
                charter=data["charter"],
                pilot=data["pilot"],
                population=data["population"],
                population_year=data["population_year"],
                population_source=data["population_source"],
            )
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("The council is established: now appoint its members."))
            return redirect("councils:manage", kato=okrug.kato)
    context = {"okrug": okrug, "ancestors": territory_selectors.ancestors(okrug), "form": form}
    return render(request, "councils/establish.html", context)


@login_required
def manage(request: HttpRequest, kato: str) -> HttpResponse:
    council = selectors.access_council_for_management(user=request.user, okrug_kato=kato)
    settlements = territory_selectors.list_settlements(okrug=council.okrug)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    today = timezone.localdate()
    appoint = AppointMemberForm(
        request.POST if action == "appoint" else None,
        settlements=settlements,
        initial={"term_start": today},
        prefix="appoint",
    )
    population = PopulationForm(
        request.POST if action == "population" else None,
        initial={
            "population": council.population,
            "year": council.population_year or today.year,
            "source": council.population_source,
        },
        prefix="population",
    )
    coordinator = CoordinatorForm(
        request.POST if action == "coordinator" else None, initial={"started_on": today}, prefix="coordinator"
    )
    if action == "activate":
        services.activate_council(actor=request.user, council=council)
        messages.success(request, _("The council is now active."))
        return redirect("councils:manage", kato=council.okrug.kato)
    if action == "end_terms":
        ended = services.end_expired_terms(actor=request.user, council=council, today=today)
        messages.success(
            request,
            ngettext("%(count)s term is recorded as ended.", "%(count)s terms are recorded as ended.", ended)
            % {"count": ended},
        )
        return redirect("councils:manage", kato=council.okrug.kato)
    if action:
        saved = _manage_action(
            request, council, action, appoint=appoint, population=population, coordinator=coordinator
        )
        if saved:
            return redirect("councils:manage", kato=council.okrug.kato)
    problems = selectors.composition_of(council)
    context = {
        "council": council,
        "okrug": council.okrug,
        "problems": problems,
        "terms_over": any(problem.code == "term_expired" for problem in problems),
        # Each row gets its own small form, with ids of its own, so every label points at its field.
        "groups": [
            (group, [(member, EndSeatForm(initial={"on": today}, auto_id=f"end-{member.pk}-%s")) for member in members])
            for group, members in selectors.active_members_by_group(council)
        ],
        "coordinators": [
            (deputy, EndCoordinationForm(initial={"on": today}, auto_id=f"end-coordination-{deputy.pk}-%s"))
            for deputy in selectors.active_coordinators(council)
        ],
        "appoint": appoint,
        "population": population,
        "coordinator": coordinator,
    }
    return render(request, "councils/manage.html", context)


def _manage_action(
    request: HttpRequest,
    council: Council,
    action: str,
    *,
    appoint: AppointMemberForm,
    population: PopulationForm,
    coordinator: CoordinatorForm,
) -> bool:
    """Runs the one action the management page posted; True when it was saved."""
    form: forms.Form = {"appoint": appoint, "population": population, "coordinator": coordinator}.get(action, appoint)
    if action not in {"appoint", "population", "coordinator"} or not form.is_valid():
        return False
    data = form.cleaned_data
    try:
        if action == "appoint":
            member = services.appoint_member(
                actor=request.user,
                council=council,
                full_name=data["full_name"],
                seat_group=data["seat_group"],
                role=data["role"],
                settlement=data["settlement"],
                organisation=data["organisation"],
                birth_date=data["birth_date"],
                term_start=data["term_start"],
                term_end=data["term_end"],
            )
            messages.success(request, _("%(name)s is appointed to the council.") % {"name": member.full_name})
        elif action == "population":
            services.set_council_population(
                actor=request.user,
                council=council,
                population=data["population"],
                year=data["year"],
                source=data["source"],
            )
            messages.success(request, _("The population is saved."))
        else:
            deputy = services.assign_coordinator(
                actor=request.user,
                council=council,
                full_name=data["full_name"],
                maslikhat=data["maslikhat"],
                constituency=data["constituency"],
                started_on=data["started_on"],
            )
            messages.success(request, _("%(name)s coordinates the council.") % {"name": deputy.full_name})
    except DomainError as error:
        _refuse(form, error)
        return False
    return True


def _member_in_council(request: HttpRequest, kato: str, member_id: str) -> Member:
    member = selectors.access_member_for_management(user=request.user, member_id=int(member_id))
    if member.council.okrug.kato != kato or not member.is_active:
        raise Http404("No such serving member in this council.")
    return member


@login_required
def member_end(request: HttpRequest, kato: str, member_id: str) -> HttpResponse:
    member = _member_in_council(request, kato, member_id)
    form = EndSeatForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["kind"] == EndSeatForm.Kind.TERM_ENDED:
                _end_term(request, member, on=data["on"])
            else:
                services.resign_member(actor=request.user, member=member, on=data["on"], reason=data["reason"])
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("%(name)s no longer holds a seat.") % {"name": member.full_name})
            return redirect("councils:manage", kato=kato)
    return render(request, "councils/member_end.html", {"member": member, "council": member.council, "form": form})


def _end_term(request: HttpRequest, member: Member, *, on: datetime.date) -> None:
    """A term ends on its own end date, for every seat whose term is over: the service ends them
    together, so a seat ends early only by resignation or replacement."""
    if member.term_end > on:
        raise DomainError(
            _("The term of %(name)s runs until %(date)s: record a resignation to end it earlier.")
            % {"name": member.full_name, "date": date_format(member.term_end, "DATE_FORMAT")},
            code="term_not_over",
        )
    services.end_expired_terms(actor=request.user, council=member.council, today=on)


@login_required
def member_replace(request: HttpRequest, kato: str, member_id: str) -> HttpResponse:
    member = _member_in_council(request, kato, member_id)
    form = ReplaceMemberForm(
        request.POST or None,
        settlements=territory_selectors.list_settlements(okrug=member.council.okrug),
        initial={"on": timezone.localdate(), "seat_group": member.seat_group, "settlement": member.settlement_id},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            successor = services.replace_member(
                actor=request.user,
                member=member,
                on=data["on"],
                reason=data["reason"],
                full_name=data["full_name"],
                seat_group=data["seat_group"],
                settlement=data["settlement"],
                birth_date=data["birth_date"],
                organisation=data["organisation"],
                role=data["role"] or None,
            )
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(
                request,
                _("%(new)s replaces %(old)s on the council.") % {"new": successor.full_name, "old": member.full_name},
            )
            return redirect("councils:manage", kato=kato)
    return render(request, "councils/member_replace.html", {"member": member, "council": member.council, "form": form})


@login_required
def coordinator_end(request: HttpRequest, kato: str, coordinator_id: str) -> HttpResponse:
    deputy = selectors.access_coordinator_for_management(user=request.user, coordinator_id=int(coordinator_id))
    if deputy.council.okrug.kato != kato or not deputy.is_active:
        raise Http404("No such coordinator in this council.")
    form = EndCoordinationForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_coordination(actor=request.user, coordinator=deputy, on=form.cleaned_data["on"])
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, _("%(name)s no longer coordinates the council.") % {"name": deputy.full_name})
            return redirect("councils:manage", kato=kato)
    context = {"coordinator": deputy, "council": deputy.council, "form": form}
    return render(request, "councils/coordinator_end.html", context)
