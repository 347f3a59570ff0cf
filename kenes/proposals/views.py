"""Proposal pages: the public lists and a proposal's page with its supports, timeline and
discussion; drafting (also on a resident's behalf); "my proposals"; the coordinator's screening.

Views parse the input, fetch through the access-checked selectors (404 for both missing and
forbidden), call the services and redirect; a refused service call shows its message by the form.
The two htmx endpoints (the support button, similar proposals) answer with the same fragment the
full page includes, and every form works without JavaScript as a plain POST and redirect.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kenes.accounts import selectors as account_selectors
from kenes.accounts.models import ResidentProfile
from kenes.core.calendar import working_days_between
from kenes.core.errors import DomainError
from kenes.core.page_cache import public_page
from kenes.core.pagination import keyset_page
from kenes.councils import selectors as council_selectors
from kenes.councils.models import Council
from kenes.proposals import lifecycle, permissions, selectors, services
from kenes.proposals.forms import (
    ChannelForm,
    CommentForm,
    EditCommentForm,
    FilterForm,
    FindResidentForm,
    ForwardForm,
    HideCommentForm,
    MergeForm,
    ProposalForm,
    ReportCommentForm,
    ReturnForm,
)
from kenes.proposals.models import Language, Proposal, Status, TimelineEvent
from kenes.territory import selectors as territory_selectors

PER_PAGE = 25
MERGE_TARGET_LIMIT = 200


def _refuse(form: forms.BaseForm, error: DomainError, field: str | None = None) -> None:
    """Shows a refused service call by the form that asked for it."""
    form.add_error(field, ValidationError(str(error.message), code=error.code))


def _council_or_404(kato: str) -> Council:
    council = council_selectors.find_council(kato)
    if council is None:
        raise Http404("No council in this okrug.")
    return council


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


# Lists


def _page(request: HttpRequest, proposals: Any) -> Any:
    return Paginator(proposals, PER_PAGE).get_page(request.GET.get("page"))


@public_page
@require_safe
def proposal_list(request: HttpRequest) -> HttpResponse:
    """Every council's proposals. The okrug choices appear once a district is chosen (a national list
    of 2,000 okrugs would weigh more than the page); the pages are keyset pages ("older", "newer"),
    each one index range scan however deep, and the total is counted only within a district or okrug."""
    districts = list(council_selectors.districts_with_councils())
    chosen_district = next((d for d in districts if d.kato == request.GET.get("district", "")), None)
    if chosen_district is None and request.GET.get("okrug"):  # a link to one okrug's proposals
        council = council_selectors.find_council(request.GET["okrug"])
        chosen_district = next((d for d in districts if council and d.pk == council.okrug.district_id), None)
    okrugs = list(council_selectors.okrugs_with_councils(chosen_district)) if chosen_district else []
    chosen_okrug = next((okrug for okrug in okrugs if okrug.kato == request.GET.get("okrug", "")), None)
    settlements = list(territory_selectors.list_settlements(okrug=chosen_okrug)) if chosen_okrug else []
    form = FilterForm(request.GET, districts=districts, okrugs=okrugs, settlements=settlements)
    filters = form.filters()
    found = selectors.list_proposals(**filters)
    page = keyset_page(
        found,
        keys=selectors.SORT_KEYS.get(filters.get("sort") or "new", selectors.SORT_KEYS["new"]),
        per_page=PER_PAGE,
        after=request.GET.get("after", ""),
        before=request.GET.get("before", ""),
    )
    context = {
        "form": form,
        "page": page,
        "total": found.count() if chosen_district else None,
        "sort": filters.get("sort") or "new",
        "filtered": any(value for key, value in filters.items() if key != "sort"),
    }
    return render(request, "proposals/list.html", context)


@public_page
@require_safe
def okrug_list(request: HttpRequest, kato: str) -> HttpResponse:
    council = _council_or_404(kato)
    okrug = council.okrug
    settlements = list(territory_selectors.list_settlements(okrug=okrug))
    form = FilterForm(request.GET, settlements=settlements)
    filters = form.filters()
    page = _page(request, selectors.list_proposals(council=council, **filters))
    context = {
        "council": council,
        "okrug": okrug,
        "charter": council.charter,
        "ancestors": [okrug.district.region, okrug.district],
        "form": form,
        "page": page,
        "filtered": any(value for key, value in filters.items() if key != "sort"),
        "may_submit": permissions.can_submit(request.user, council),
        "may_enter_on_behalf": permissions.can_enter_on_behalf(request.user, council),
    }
    return render(request, "proposals/okrug.html", context)


# One proposal


def _support_context(request: HttpRequest, proposal: Proposal, error: str = "") -> dict[str, Any]:
    supported = request.user.is_authenticated and selectors.has_supported(request.user, proposal)
    return {
        "proposal": proposal,
        "supported": supported,
        "may_support": not supported and permissions.can_support(request.user, proposal),
        "may_withdraw": supported and permissions.can_withdraw_support(request.user, proposal),
        "open_for_support": proposal.status in lifecycle.SUPPORTABLE_STATUSES,
        "support_error": error,
    }


def _detail(request: HttpRequest, proposal: Proposal, **extra: Any) -> HttpResponse:
    user = request.user
    may_moderate = permissions.can_moderate(user, proposal)
    comments = list(selectors.comments_of(proposal, user))
    for top in comments:
        for item in [top, *top.replies.all()]:
            # Pure predicates over loaded rows: no query per comment.
            item.may_edit = permissions.can_edit_comment(user, item)  # type: ignore[attr-defined]
            reported = getattr(item, "reported_by_viewer", False)
            item.may_report = permissions.can_report_comment(user, item) and not reported  # type: ignore[attr-defined]
    context = {
        **_support_context(request, proposal),
        "okrug": proposal.okrug,
        "ancestors": [proposal.okrug.district.region, proposal.okrug.district, proposal.okrug],
        "photos": selectors.photos_of(proposal),
        "timeline": selectors.timeline_of(proposal),
        "comments": comments,
        "comment_form": CommentForm(),
        "may_screen": permissions.can_screen(user, proposal) and proposal.status in _SCREENABLE,
        "may_moderate": may_moderate,
        "may_edit": permissions.can_edit_draft(user, proposal),
        "may_comment": permissions.can_comment(user, proposal),
        "return_reason": _return_reason(proposal),
        "edit_window_minutes": int(permissions.COMMENT_EDIT_WINDOW.total_seconds() // 60),
        **extra,
    }
    return render(request, "proposals/detail.html", context, status=400 if extra.get("failed") else 200)


_SCREENABLE = frozenset({Status.SUBMITTED, Status.COLLECTING, Status.READY})


def _return_reasons(proposals: list[Proposal]) -> dict[int, str]:
    """The coordinator's latest reason for returning each of these proposals, in one query."""
    if not proposals:
        return {}
    events = TimelineEvent.objects.filter(
        proposal_id__in=[proposal.pk for proposal in proposals], kind=TimelineEvent.Kind.RETURNED
    ).order_by("created_at", "id")
    return {event.proposal_id: event.note for event in events}


def _return_reason(proposal: Proposal) -> str:
    if proposal.status != Status.RETURNED:
        return ""
    return _return_reasons([proposal]).get(proposal.pk, "")


@public_page
@require_safe
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.get_public_proposal(pk))


def _support_response(request: HttpRequest, proposal: Proposal, error: str = "") -> HttpResponse:
    if _is_htmx(request):
        proposal.refresh_from_db(fields=["support_count", "status"])
        return render(request, "proposals/_support.html", _support_context(request, proposal, error))
    if error:
        messages.error(request, error)
    return redirect(reverse("proposals:detail", args=[proposal.pk]) + "#support")


@login_required
@require_POST
def support(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_public_proposal(pk)
    try:
        services.submit_support(proposal_id=proposal.pk, actor=request.user)
    except DomainError as error:
        return _support_response(request, proposal, str(error.message))
    if not _is_htmx(request):
        messages.success(request, _("Your support is counted."))
    return _support_response(request, proposal)


@login_required
@require_POST
def withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_public_proposal(pk)
    try:
        services.withdraw_support(actor=request.user, proposal=proposal)
    except DomainError as error:
        return _support_response(request, proposal, str(error.message))
    if not _is_htmx(request):
        messages.success(request, _("Your support is withdrawn."))
    return _support_response(request, proposal)


@require_safe
def similar(request: HttpRequest, kato: str) -> HttpResponse:
    council = _council_or_404(kato)
    title = request.GET.get("title", "")[:200]
    found = selectors.similar_proposals(council=council, title=title) if title.strip() else []
    return render(request, "proposals/_similar.html", {"similar": found, "title": title})


# Drafts


def _default_language() -> str:
    language = (get_language() or "").split("-")[0]
    return language if language in Language.values else Language.KAZAKH


def _save_draft(
    request: HttpRequest, form: ProposalForm, *, council: Council, proposal: Proposal | None, **create: Any
) -> Proposal:
    """Creates or updates the draft with its photos as one step, so a refused photo leaves nothing
    half-saved; submits it when the "Submit" button was pressed."""
    with transaction.atomic():
        if proposal is None:
            proposal = services.create_draft(actor=request.user, council=council, **form.values(), **create)
        else:
            proposal = services.update_draft(actor=request.user, proposal=proposal, **form.values())
        for photo in form.cleaned_data.get("remove_photos") or []:
            services.remove_photo(actor=request.user, photo=photo)
        for upload in form.cleaned_data.get("photos") or []:
            services.add_photo(actor=request.user, proposal=proposal, upload=upload)
        if request.POST.get("action") == "submit":
            proposal = services.submit_proposal(actor=request.user, proposal=proposal)
    return proposal


def _after_save(request: HttpRequest, proposal: Proposal) -> HttpResponse:
    if proposal.status == Status.SUBMITTED:
        messages.success(request, _("The proposal is submitted: the coordinator screens it within 3 working days."))
        return redirect("proposals:detail", pk=proposal.pk)
    messages.success(request, _("The draft is saved. Only you can see it until you submit it."))
    return redirect("proposals:edit", pk=proposal.pk)


@login_required
def new(request: HttpRequest, kato: str) -> HttpResponse:
    council = _council_or_404(kato)
    if not permissions.can_submit(request.user, council):
        messages.error(request, _("You cannot submit proposals in this okrug yet: see who can, below."))
        return redirect("proposals:okrug", kato=council.okrug.kato)
    profile = account_selectors.resident_profile_of(request.user)  # type: ignore[arg-type]
    settlements = territory_selectors.list_settlements(okrug=council.okrug)
    initial: dict[str, Any] = {"language": _default_language()}
    if profile is not None and profile.settlement.okrug_id == council.okrug_id:
        initial["settlement"] = profile.settlement
    form = ProposalForm(request.POST or None, request.FILES or None, settlements=settlements, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = _save_draft(request, form, council=council, proposal=None)
        except DomainError as error:
            _refuse(form, error)
        else:
            return _after_save(request, proposal)
    return _form_page(request, council=council, form=form, proposal=None)


def _form_page(
    request: HttpRequest,
    *,
    council: Council,
    form: ProposalForm,
    proposal: Proposal | None,
    resident: Any = None,
    channel: ChannelForm | None = None,
) -> HttpResponse:
    title = form["title"].value() or ""
    context = {
        "council": council,
        "okrug": council.okrug,
        "form": form,
        "proposal": proposal,
        "resident": resident,
        "channel": channel,
        "similar": selectors.similar_proposals(council=council, title=title, exclude=proposal) if title else [],
        "return_reason": _return_reason(proposal) if proposal else "",
    }
    failed = form.errors or (channel is not None and channel.errors)
    return render(request, "proposals/form.html", context, status=400 if failed else 200)


@login_required
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.access_draft_for_editing(user=request.user, pk=pk)
    council = proposal.council
    settlements = territory_selectors.list_settlements(okrug=proposal.okrug)
    initial = {name: getattr(proposal, name) for name in ProposalForm.FIELDS}
    photos = list(proposal.photos.all())
    form = ProposalForm(
        request.POST or None, request.FILES or None, settlements=settlements, photos=photos, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            proposal = _save_draft(request, form, council=council, proposal=proposal)
        except DomainError as error:
            _refuse(form, error)
        else:
            return _after_save(request, proposal)
    # Staff reworking a draft they typed in see, as when they entered it, whose proposal it is.
    resident = proposal.author if proposal.entered_by_id == request.user.pk else None
    return _form_page(request, council=council, form=form, proposal=proposal, resident=resident)


@login_required
def assisted(request: HttpRequest, kato: str) -> HttpResponse:
    council = _council_or_404(kato)
    if not permissions.can_enter_on_behalf(request.user, council):
        raise Http404("Not akimat staff of this okrug.")
    finder = FindResidentForm(request.POST if request.POST.get("step") == "find" else None)
    profile = None
    if finder.is_bound and finder.is_valid():
        profile = _find_resident(finder, council)
    elif request.POST.get("step") == "save":
        profile = _find_resident(FindResidentForm({"username": request.POST.get("resident", "")}), council)
    if profile is None:
        return render(
            request, "proposals/assisted_find.html", {"council": council, "okrug": council.okrug, "finder": finder}
        )
    saving = request.POST.get("step") == "save"
    settlements = territory_selectors.list_settlements(okrug=council.okrug)
    initial = {"language": _default_language(), "settlement": profile.settlement}
    form = ProposalForm(
        request.POST if saving else None, request.FILES or None, settlements=settlements, initial=initial
    )
    channel = ChannelForm(request.POST if saving else None)
    if saving and form.is_valid() & channel.is_valid():
        try:
            proposal = _save_draft(
                request,
                form,
                council=council,
                proposal=None,
                on_behalf_of=profile.user,
                channel=channel.cleaned_data["channel"],
            )
        except DomainError as error:
            _refuse(form, error)
        else:
            return _after_save(request, proposal)
    return _form_page(request, council=council, form=form, proposal=None, resident=profile.user, channel=channel)


def _find_resident(finder: FindResidentForm, council: Council) -> ResidentProfile | None:
    """The resident's profile when they live in the council's okrug; otherwise the finder says why."""
    if not finder.is_valid():
        return None
    iin, username = finder.cleaned_data.get("iin", ""), finder.cleaned_data.get("username", "")
    if iin:
        profile = account_selectors.find_resident_by_iin(iin)
    else:
        profile = ResidentProfile.objects.select_related("user", "settlement").filter(user__username=username).first()
    if profile is None:
        finder.add_error(
            None, ValidationError(_("No resident with this IIN or username is registered."), code="not_found")
        )
        return None
    if profile.settlement.okrug_id != council.okrug_id:
        finder.add_error(
            None, ValidationError(_("This person's declared residency is in another okrug."), code="other_okrug")
        )
        return None
    return profile


# My proposals and screening


@login_required
@require_safe
def mine(request: HttpRequest) -> HttpResponse:
    own = list(selectors.my_proposals(request.user))
    reasons = _return_reasons([proposal for proposal in own if proposal.status == Status.RETURNED])
    for proposal in own:
        proposal.return_reason = reasons.get(proposal.pk, "")  # type: ignore[attr-defined]
    supported = selectors.list_proposals().filter(supports__resident_id=request.user.pk)
    context = {
        "drafts": [proposal for proposal in own if proposal.status == Status.DRAFT],
        "returned": [proposal for proposal in own if proposal.status == Status.RETURNED],
        "submitted": [proposal for proposal in own if proposal.status not in lifecycle.EDITABLE_STATUSES],
        "supported": list(supported[:100]),
    }
    return render(request, "proposals/mine.html", context)


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    rows = [
        {"proposal": proposal, "days_left": days_left, "overdue_by": -days_left}
        for proposal, days_left in selectors.screening_queue(user=request.user)
    ]
    return render(request, "proposals/queue.html", {"rows": rows})


def _merge_targets(proposal: Proposal, similar: list[Proposal]) -> list[Proposal]:
    """Accepted proposals of the same council that a duplicate may join: similar ones first."""
    first = [target for target in similar if target.status in lifecycle.MERGE_TARGET_STATUSES]
    rest = (
        selectors.list_proposals(council=proposal.council)
        .filter(status__in=lifecycle.MERGE_TARGET_STATUSES)
        .exclude(pk__in=[proposal.pk, *(target.pk for target in first)])
        .order_by("-id")[:MERGE_TARGET_LIMIT]
    )
    return [*first, *rest]


@login_required
def screen(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.access_proposal_for_screening(user=request.user, pk=pk)
    action = request.POST.get("action", "") if request.method == "POST" else ""
    returning = ReturnForm(request.POST if action == "return" else None, prefix="return")
    similar = selectors.similar_proposals(council=proposal.council, title=proposal.title, exclude=proposal)
    targets = _merge_targets(proposal, similar)
    merging = MergeForm(request.POST if action == "merge" else None, targets=targets, prefix="merge")
    forwarding = ForwardForm(request.POST if action == "forward" else None, prefix="forward")
    simple = forms.Form(request.POST if action in {"accept", "ready"} else None)
    form: forms.Form = {"return": returning, "merge": merging, "forward": forwarding}.get(action, simple)
    days_left = _days_left(proposal)
    if action and form.is_valid():
        try:
            message = _screen_action(request, proposal, action, form.cleaned_data)
        except DomainError as error:
            _refuse(form, error)
        else:
            messages.success(request, message)
            return redirect("proposals:detail", pk=proposal.pk)
    context = {
        "proposal": proposal,
        "okrug": proposal.okrug,
        "returning": returning,
        "merging": merging,
        "forwarding": forwarding,
        "simple": simple,
        "action": action,
        "may_merge": lifecycle.can_transition(proposal.status, Status.MERGED),
        "days_left": days_left,
        "overdue_by": -days_left if days_left is not None else None,
        "similar": similar,
    }
    return render(request, "proposals/screen.html", context, status=400 if form.errors else 200)


def _days_left(proposal: Proposal) -> int | None:
    if proposal.status != Status.SUBMITTED or proposal.screening_due_on is None:
        return None
    return working_days_between(timezone.localdate(), proposal.screening_due_on)


def _screen_action(request: HttpRequest, proposal: Proposal, action: str, data: dict[str, Any]) -> str:
    actor = request.user
    if action == "accept":
        services.accept_proposal(actor=actor, proposal=proposal)
        return _("The proposal is accepted: residents can support it now.")
    if action == "return":
        services.return_proposal(actor=actor, proposal=proposal, reason=data["reason"])
        return _("The proposal is returned to its author with your reason.")
    if action == "merge":
        services.merge_proposal(actor=actor, proposal=proposal, into=data["into"], reason=data["reason"])
        return _("The proposal is merged; its supports moved over.")
    if action == "forward":
        services.forward_proposal(actor=actor, proposal=proposal, addressee=data["addressee"], reason=data["reason"])
        return _("The proposal is forwarded to %(addressee)s.") % {"addressee": data["addressee"]}
    if action == "ready":
        services.mark_ready(actor=actor, proposal=proposal)
        return _("The proposal is ready for the agenda.")
    raise Http404("No such screening action.")


# Discussion


def _back_to_discussion(proposal: Proposal, anchor: str = "discussion") -> HttpResponse:
    return redirect(reverse("proposals:detail", args=[proposal.pk]) + f"#{anchor}")


@login_required
@require_POST
def comment(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = selectors.get_public_proposal(pk)
    form = CommentForm(request.POST)
    parent = None
    if form.is_valid():
        if form.cleaned_data["parent"]:
            parent = selectors.get_public_comment(pk=form.cleaned_data["parent"])
        try:
            added = services.add_comment(
                actor=request.user, proposal=proposal, body=form.cleaned_data["body"], parent=parent
            )
        except DomainError as error:
            _refuse(form, error, "body")
        else:
            messages.success(request, _("Your comment is published."))
            return _back_to_discussion(proposal, f"comment-{added.pk}")
    if parent is not None:
        # The reply form sits under the thread's first comment: show the error there.
        thread = parent.parent_id or parent.pk
        return _detail(request, proposal, reply_form=form, reply_to=thread, failed=True)
    return _detail(request, proposal, comment_form=form, failed=True)


@login_required
def comment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_comment_for_editing(user=request.user, pk=pk)
    form = EditCommentForm(request.POST or None, initial={"body": found.body})
    if request.method == "POST" and form.is_valid():
        try:
            services.edit_comment(actor=request.user, comment=found, body=form.cleaned_data["body"])
        except DomainError as error:
            _refuse(form, error, "body")
        else:
            messages.success(request, _("Your comment is changed."))
            return _back_to_discussion(found.proposal, f"comment-{found.pk}")
    context = {"comment": found, "proposal": found.proposal, "form": form}
    return render(request, "proposals/comment_edit.html", context, status=400 if form.errors else 200)


@login_required
@require_POST
def comment_report(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.get_public_comment(pk=pk)
    form = ReportCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Say what is wrong with the comment."))
        return _back_to_discussion(found.proposal, f"comment-{found.pk}")
    try:
        services.report_comment(actor=request.user, comment=found, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("Thank you: the coordinator will look at the comment."))
    return _back_to_discussion(found.proposal, f"comment-{found.pk}")


@login_required
@require_POST
def comment_hide(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_comment_for_moderation(user=request.user, pk=pk)
    form = HideCommentForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Give the public reason for hiding the comment."))
        return _back_to_discussion(found.proposal, f"comment-{found.pk}")
    try:
        services.hide_comment(actor=request.user, comment=found, reason=form.cleaned_data["reason"])
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The comment is hidden; the reason is shown in its place."))
    return _back_to_discussion(found.proposal, f"comment-{found.pk}")


@login_required
@require_POST
def comment_unhide(request: HttpRequest, pk: int) -> HttpResponse:
    found = selectors.access_comment_for_moderation(user=request.user, pk=pk)
    try:
        services.unhide_comment(actor=request.user, comment=found)
    except DomainError as error:
        messages.error(request, str(error.message))
    else:
        messages.success(request, _("The comment is shown again."))
    return _back_to_discussion(found.proposal, f"comment-{found.pk}")
