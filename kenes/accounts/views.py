from __future__ import annotations

from typing import Any

from axes.utils import reset as reset_failed_logins
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from kenes.accounts.forms import ApiTokenForm, ResidencyForm, SignUpForm
from kenes.accounts.selectors import (
    access_api_token,
    api_tokens_of,
    resident_profile_of,
    residents_awaiting_verification,
    roles_of,
)
from kenes.accounts.services import (
    issue_api_token,
    register_user,
    revoke_api_token,
    set_residency,
    verify_residency,
)
from kenes.core.errors import DomainError

# Signing up is not a login attempt: skip axes and use the plain model backend.
_SIGNUP_BACKEND = "django.contrib.auth.backends.ModelBackend"


@sensitive_post_parameters("password1", "password2")
def signup(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect("accounts:profile")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            user = register_user(
                username=data["username"], email=data["email"], password=data["password1"], full_name=data["full_name"]
            )
        except DomainError as error:
            form.add_error(None, ValidationError(str(error.message), code=error.code))
        else:
            login(request, user, backend=_SIGNUP_BACKEND)
            messages.success(request, _("Welcome to Kenes: your account is ready."))
            return redirect("accounts:profile")
    return render(request, "accounts/signup.html", {"form": form})


@login_required
@sensitive_post_parameters("iin")
def profile(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    resident_profile = resident_profile_of(user)
    if request.method == "POST":
        form = ResidencyForm(request.POST)
        if form.is_valid():
            try:
                set_residency(
                    actor=user, user=user, iin=form.cleaned_data["iin"], settlement=form.cleaned_data["settlement"]
                )
            except DomainError as error:
                field = "iin" if error.code in {"iin_taken", "invalid_iin"} else None
                form.add_error(field, ValidationError(str(error.message), code=error.code))
            else:
                messages.success(request, _("Your residency is saved."))
                return redirect("accounts:profile")
    else:
        initial = {"settlement": resident_profile.settlement.kato} if resident_profile else {}
        form = ResidencyForm(initial=initial)
    context = {
        "form": form,
        "resident_profile": resident_profile,
        "role_assignments": roles_of(user),
        "api_tokens": api_tokens_of(user),
        "token_form": ApiTokenForm(),
    }
    return render(request, "accounts/profile.html", context)


@login_required
@never_cache
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The person's API tokens; a POST makes one and shows its secret, this once (never cached)."""
    user: Any = request.user
    form = ApiTokenForm(request.POST or None)
    new_token, secret = None, ""
    if request.method == "POST" and form.is_valid():
        try:
            new_token, secret = issue_api_token(actor=user, user=user, name=form.cleaned_data["name"])
        except DomainError as error:
            form.add_error("name", ValidationError(str(error.message), code=error.code))
        else:
            form = ApiTokenForm()
    context = {"token_form": form, "api_tokens": api_tokens_of(user), "new_token": new_token, "secret": secret}
    return render(request, "accounts/api_tokens.html", context)


@login_required
@require_POST
def revoke_token(request: HttpRequest, pk: int) -> HttpResponse:
    token = access_api_token(user=request.user, pk=pk)
    revoke_api_token(actor=request.user, token=token)
    messages.success(request, _("The token “%(name)s” is revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:tokens")


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Setting a new password through the emailed link also lifts a lockout from failed logins:
    the lockout page sends people here."""

    def form_valid(self, form: Any) -> HttpResponse:
        response = super().form_valid(form)
        reset_failed_logins(username=form.user.get_username())
        return response


@login_required
def verification_queue(request: HttpRequest) -> HttpResponse:
    """Akimat staff confirm residencies they have checked in person; verified residents may submit."""
    staff: Any = request.user
    if request.method == "POST":
        chosen = request.POST.get("profile", "")
        profile = get_object_or_404(residents_awaiting_verification(staff), pk=int(chosen) if chosen.isdigit() else 0)
        verify_residency(actor=staff, user=profile.user)
        messages.success(request, _("%(name)s is now a verified resident.") % {"name": profile.user})
        return redirect("accounts:verification")
    waiting = residents_awaiting_verification(staff)[:200]
    return render(request, "accounts/verification.html", {"waiting": waiting})
