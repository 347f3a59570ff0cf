"""Notification pages: a person's notices (newest first, unread marked, "Mark all read"; opening an
unread one marks it read), their settings (language, phone for SMS, quiet hours and the matrix of
event types × channels), linking Telegram by a one-time code, the bot's webhook, unsubscribing by a
link without signing in, and the staff page of the outbox (counts, queue, failures and retry).

GET never changes anything: marking read, getting a code, unlinking, unsubscribing and retrying are
POST forms, so every page works without JavaScript and a link prefetcher changes nothing.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseForbidden, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from kenes.core.errors import DomainError
from kenes.notifications import permissions, selectors, services
from kenes.notifications.forms import ContactForm, OutboxFilterForm, PreferencesForm
from kenes.notifications.models import EXTERNAL_CHANNELS, Channel, EventType, OutboxMessage
from kenes.notifications.templatetags.notifications import local_url

PER_PAGE = 20
CONTACT_FIELDS = {"language": "language", "quiet_hours": "quiet_from"}


def _page(request: HttpRequest, rows: Any) -> Any:
    return Paginator(rows, PER_PAGE).get_page(request.GET.get("page"))


def _local(url: str) -> bool:
    """A path on this site (never another host), so a redirect to it cannot leave the site."""
    return bool(local_url(url))


# Notices ---------------------------------------------------------------------------------------------


@login_required
@require_safe
def notices(request: HttpRequest) -> HttpResponse:
    page = _page(request, selectors.notices_of(request.user))
    context = {"page": page, "unread": selectors.unread_count(request.user), "section": "notices"}
    return render(request, "notifications/notices.html", context)


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    marked = services.mark_notices_read(actor=request.user)
    if marked:
        messages.success(request, _("Every notice is marked read."))
    return redirect("notifications:notices")


@login_required
@require_POST
def open_notice(request: HttpRequest, pk: int) -> HttpResponse:
    """Marks the notice read and goes to the page it is about (back to the list when it has none)."""
    notice = selectors.access_notice(user=request.user, pk=pk)
    services.mark_notices_read(actor=request.user, ids=[notice.pk])
    if _local(notice.url):
        return redirect(notice.url)
    return redirect("notifications:notices")


# Settings -------------------------------------------------------------------------------------------


def _settings_page(
    request: HttpRequest, contact_form: ContactForm, preferences_form: PreferencesForm, status: int = 200
) -> HttpResponse:
    contact = selectors.contact_for(request.user)
    reachable = selectors.reachable_channels(request.user, contact)
    context = {
        "section": "settings",
        "contact_form": contact_form,
        "preferences_form": preferences_form,
        "channels": [(value, label, reachable[value]) for value, label in Channel.choices],
        "missing": {channel: not reachable[channel] for channel in EXTERNAL_CHANNELS},
    }
    return render(request, "notifications/settings.html", context, status=status)


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def notification_settings(request: HttpRequest) -> HttpResponse:
    user = request.user
    contact = selectors.contact_for(user)
    matrix = selectors.preference_matrix(user, contact)
    if request.method != "POST":
        contact_form = ContactForm(initial=ContactForm.initial_for(contact))
        return _settings_page(request, contact_form, PreferencesForm(matrix=matrix))
    contact_form = ContactForm(request.POST)
    preferences_form = PreferencesForm(request.POST, matrix=matrix)
    if not all([contact_form.is_valid(), preferences_form.is_valid()]):  # both, so both show their errors
        return _settings_page(request, contact_form, preferences_form, status=400)
    try:
        with transaction.atomic():
            services.update_contact(actor=user, **contact_form.cleaned_data)
            for event_type, channel, enabled in preferences_form.changes():
                services.set_preference(actor=user, event_type=event_type, channel=channel, enabled=enabled)
    except DomainError as error:
        contact_form.add_error(CONTACT_FIELDS.get(error.code), ValidationError(str(error.message), code=error.code))
        return _settings_page(request, contact_form, preferences_form, status=error.status)
    messages.success(request, _("Your notification settings are saved."))
    return redirect("notifications:settings")


# Telegram -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def telegram(request: HttpRequest) -> HttpResponse:
    """GET shows whether Telegram is linked and the code while it is valid; POST makes a new code."""
    if request.method == "POST":
        services.start_telegram_link(actor=request.user)
        return redirect("notifications:telegram")
    contact = selectors.contact_for(request.user)
    code = selectors.telegram_code_of(contact)
    bot = settings.KENES_TELEGRAM_BOT_NAME
    context = {
        "section": "telegram",
        "linked": bool(contact.telegram_chat_id),
        "code": code,
        "bot": bot,
        "bot_link": f"https://t.me/{bot}?start={code.code}" if code else f"https://t.me/{bot}",
    }
    return render(request, "notifications/telegram.html", context)


@login_required
@require_POST
def unlink_telegram(request: HttpRequest) -> HttpResponse:
    services.unlink_telegram(actor=request.user)
    messages.success(request, _("Telegram is unlinked: no more messages go there."))
    return redirect("notifications:telegram")


def _start_code(update: dict[str, Any]) -> tuple[str, str] | None:
    """(code, chat id) of a "/start CODE" sent in a private chat with the bot, else None."""
    message = update.get("message")
    if not isinstance(message, dict):
        return None
    text, chat = message.get("text"), message.get("chat")
    if not isinstance(text, str) or not isinstance(chat, dict) or chat.get("type") != "private":
        return None
    command, _space, code = text.strip().partition(" ")
    if command.split("@", 1)[0] != "/start":
        return None
    code, chat_id = code.strip(), chat.get("id")
    if not code or len(code) > 16 or isinstance(chat_id, bool) or not isinstance(chat_id, int):
        return None
    return code, str(chat_id)


@csrf_exempt
@require_POST
def telegram_webhook(request: HttpRequest) -> HttpResponse:
    """Updates from the Telegram Bot API. Accepted only with the secret header set when the webhook
    was registered; well-formed updates always get 200 (Telegram retries anything else), and the
    answer is the same whether a code existed or not."""
    secret = settings.KENES_TELEGRAM_WEBHOOK_SECRET
    given = request.headers.get("X-Telegram-Bot-Api-Secret-Token", "")
    if not secret or not hmac.compare_digest(given.encode(), secret.encode()):
        return HttpResponseForbidden()
    try:
        update = json.loads(request.body)
    except (UnicodeDecodeError, ValueError):
        return HttpResponseBadRequest()
    if not isinstance(update, dict):
        return HttpResponseBadRequest()
    start = _start_code(update)
    if start is not None:
        services.link_telegram(code=start[0], chat_id=start[1])
    return JsonResponse({"ok": True})


# Unsubscribe (no sign-in) ----------------------------------------------------------------------------


@require_http_methods(["GET", "HEAD", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    target = selectors.unsubscribe_target(token)
    context = {
        "event_type": EventType(target.event_type).label,
        "channel": Channel(target.channel).label,
        "done": False,
    }
    if request.method == "POST":
        services.unsubscribe(token=token)
        context["done"] = True
    return render(request, "notifications/unsubscribe.html", context)


# Outbox (staff) --------------------------------------------------------------------------------------


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "notifications/forbidden.html", status=403)


@login_required
@require_safe
def outbox(request: HttpRequest) -> HttpResponse:
    regions = permissions.outbox_regions(request.user)
    if regions == []:
        return _forbidden(request)
    form = OutboxFilterForm(request.GET or None)
    filters = form.filters()
    counts = selectors.outbox_counts(regions=regions)
    statuses = OutboxMessage.Status.choices
    context = {
        "form": form,
        "filters": filters,
        "page": _page(request, selectors.outbox_messages(**filters, regions=regions)),
        "channels": [(channel.value, channel.label) for channel in EXTERNAL_CHANNELS],
        "count_rows": [
            (value, label, [counts.get((value, channel), 0) for channel in EXTERNAL_CHANNELS])
            for value, label in statuses
        ],
        "dead": OutboxMessage.Status.DEAD,
    }
    return render(request, "notifications/outbox.html", context)


@login_required
@require_POST
def retry(request: HttpRequest, pk: int) -> HttpResponse:
    regions = permissions.outbox_regions(request.user)
    if regions == []:
        return _forbidden(request)
    message = selectors.get_outbox_message(pk, regions=regions)
    back = request.POST.get("next", "")
    back = back if _local(back) and back.startswith(reverse("notifications:outbox")) else ""
    if not permissions.can_retry_message(request.user, message):
        messages.error(request, _("Only a message that failed can be sent again."))
    else:
        try:
            services.retry_message(actor=request.user, message=message)
        except DomainError as error:
            messages.error(request, str(error.message))
        else:
            messages.success(request, _("The message is back in the queue: it goes out with the next run."))
    return redirect(back or "notifications:outbox")
