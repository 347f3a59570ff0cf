"""Accountability pages: the office's inbox, the district's escalations, the public page of a
recommendation with the addressee's and the council's actions, and the whole story of a proposal.

Views parse the input, fetch through the selectors, call one service and redirect to the
recommendation page with a message; a refused service call shows its message by the form with the
error's status (403, 409, 422). The recommendation page is public; its action forms appear only for
those the permissions allow. The inbox tabs swap their table with htmx and are plain links without
JavaScript.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from kenes.accountability import permissions, selectors, services
from kenes.accountability.forms import AnswerForm, ExtendForm, ForwardForm, ProgressForm, UnsatisfactoryForm
from kenes.accountability.models import Answer
from kenes.accountability.story import story_of
from kenes.accountability.templatetags.accountability import may_use_inbox
from kenes.core.errors import DomainError
from kenes.meetings.models import Recommendation
from kenes.proposals import selectors as proposal_selectors

# Which field a refused service call is about, by its error code (the rest go above the form).
ERROR_FIELDS = {
    "invalid_answer_kind": "kind",
    "measures_required": "text",
    "reason_required": "reason",
    "invalid_budget_year": "budget_year",
    "invalid_amount": "amount_tenge",
    "invalid_addressee": "to_kind",
    "addressee_required": "to_name",
    "same_addressee": "to_name",
    "extension_not_later": "new_due_on",
    "extension_too_long": "new_due_on",
    "invalid_percent": "percent",
    "progress_backwards": "percent",
    "text_required": "text",
    "too_many_photos": "photos",
    "bad_photo": "photos",
}


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _refuse(form: forms.BaseForm, error: DomainError) -> None:
    field = ERROR_FIELDS.get(error.code)
    form.add_error(field if field in form.fields else None, ValidationError(str(error.message), code=error.code))


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "accountability/forbidden.html", status=403)


# The inbox and the escalations


def _tabs(state: str) -> list[dict[str, Any]]:
    labels = {
        "waiting": _("Waiting for the answer"),
        "overdue": _("Overdue"),
        "answered": _("Answered"),
        "all": _("All"),
    }
    return [{"state": key, "label": labels[key], "current": key == state} for key in selectors.INBOX_STATES]


INBOX_PAGE = 25


@login_required
@require_safe
def inbox(request: HttpRequest) -> HttpResponse:
    if not may_use_inbox(request.user):  # remembered for the menu's link
        return _forbidden(request)
    state = request.GET.get("state", "waiting")
    if state not in selectors.INBOX_STATES:
        state = "waiting"
    # Oldest deadline first, 25 a page: a district's office can have hundreds waiting.
    page = Paginator(selectors.inbox_for(request.user, state=state), INBOX_PAGE).get_page(request.GET.get("page"))
    rows = selectors.with_days_left(page.object_list)
    context = {"rows": rows, "page": page, "state": state, "tabs": _tabs(state)}
    template = "accountability/_inbox.html" if _is_htmx(request) else "accountability/inbox.html"
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])  # the fragment and the page share one address
    return response


@login_required
@require_safe
def escalations(request: HttpRequest) -> HttpResponse:
    if not may_use_inbox(request.user):  # remembered for the menu's link
        return _forbidden(request)
    rows = list(selectors.escalations_for(request.user))
    return render(request, "accountability/escalations.html", {"rows": rows})


# The recommendation page


def _recommendation_page(
    request: HttpRequest, found: Recommendation, *, status: int = 200, bound: forms.Form | None = None
) -> HttpResponse:
    user = request.user
    today = timezone.localdate()
    answers = selectors.answers_of(found)
    waiting = found.status == Recommendation.Status.SENT
    forward_until = selectors.forward_deadline(found) if waiting else None
    limit = selectors.extension_limit(found) if waiting else None
    extended = any(answer.kind == Answer.Kind.EXTENDED for answer in answers)
    days_left = selectors.working_days_left(found, today=today)
    action_forms: dict[str, forms.Form] = {
        "answer": AnswerForm(),
        "forward": ForwardForm(),
        "extend": ExtendForm(limit=limit),
        "progress": ProgressForm(),
        "unsatisfactory": UnsatisfactoryForm(),
    }
    bound_name = bound.prefix if bound is not None and bound.prefix else ""
    if bound is not None and bound_name:
        action_forms[bound_name] = bound
    may_answer = permissions.can_answer(user, found)
    may_report = permissions.can_report_progress(user, found)
    may_judge = permissions.can_judge_answer(user, found)
    progress = selectors.progress_of(found)
    context = {
        "recommendation": found,
        "council": found.council,
        "meeting": found.item.meeting,
        "charter": found.council.charter,
        "proposals": list(found.proposals.all()),
        "answers": answers,
        "final_answer": next((answer for answer in answers if answer.is_final), None),
        "progress": progress,
        "latest_progress": progress[-1] if progress else None,
        "timeline": selectors.timeline_of(found),
        "days_left": days_left,
        "overdue_by": -days_left if days_left is not None else None,
        "forward_until": forward_until,
        "forward_open": forward_until is not None and today <= forward_until,
        "extension_limit": limit,
        "extended": extended,
        "extend_open": waiting and not extended and found.due_on is not None and today <= found.due_on,
        "forms": action_forms,
        # A refused or invalid form is shown again with its errors, whatever the permissions say now.
        "show_answer": may_answer or bound_name in ("answer", "forward", "extend"),
        "show_progress": may_report or bound_name == "progress",
        "show_judge": may_judge or bound_name == "unsatisfactory",
        "may_answer": may_answer,
    }
    return render(request, "accountability/recommendation.html", context, status=status)


@require_safe
def recommendation(request: HttpRequest, pk: int) -> HttpResponse:
    return _recommendation_page(request, selectors.get_public_recommendation(pk))


Perform = Callable[[Recommendation, dict[str, Any]], object]


def _act(request: HttpRequest, pk: int, form: forms.Form, perform: Perform, done: str) -> HttpResponse:
    """Validates the form, calls the service and redirects; else the page again with the errors."""
    found = selectors.get_public_recommendation(pk)
    if not form.is_valid():
        return _recommendation_page(request, found, status=400, bound=form)
    try:
        perform(found, form.values())  # type: ignore[attr-defined]
    except DomainError as error:
        _refuse(form, error)
        return _recommendation_page(request, found, status=error.status, bound=form)
    messages.success(request, done)
    return redirect("accountability:recommendation", pk=found.pk)


@login_required
@require_POST
def answer(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        AnswerForm(request.POST),
        lambda found, values: services.answer_recommendation(actor=request.user, recommendation=found, **values),
        _("The answer is published: residents see it now."),
    )


@login_required
@require_POST
def forward(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ForwardForm(request.POST),
        lambda found, values: services.forward_recommendation(actor=request.user, recommendation=found, **values),
        _("The recommendation is forwarded to the competent body: its deadline starts again there."),
    )


@login_required
@require_POST
def extend(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ExtendForm(request.POST),
        lambda found, values: services.extend_deadline(actor=request.user, recommendation=found, **values),
        _("The deadline is extended: residents see the new date and the reason."),
    )


@login_required
@require_POST
def progress(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        ProgressForm(request.POST, request.FILES),
        lambda found, values: services.report_progress(actor=request.user, recommendation=found, **values),
        _("The progress report is published."),
    )


@login_required
@require_POST
def unsatisfactory(request: HttpRequest, pk: int) -> HttpResponse:
    return _act(
        request,
        pk,
        UnsatisfactoryForm(request.POST),
        lambda found, values: services.mark_unsatisfactory(actor=request.user, recommendation=found, **values),
        _("The answer is marked unsatisfactory: the proposals behind it are ready for a sitting's agenda again."),
    )


# The whole story of a proposal


@require_safe
def story(request: HttpRequest, pk: int) -> HttpResponse:
    proposal = proposal_selectors.get_public_proposal(pk)
    context = {"proposal": proposal, "okrug": proposal.okrug, "story": story_of(proposal)}
    return render(request, "accountability/story.html", context)
