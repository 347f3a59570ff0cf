"""Django admin for notifications, read-only: contacts and preferences are the person's own (changed on
their settings page or by an unsubscribe link), events, notices and the outbox are written by the
services and the worker. The one action, sending failed messages again, goes through the service
(audited), as the staff page does."""

from __future__ import annotations

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kenes.core.admin import LargeTableMixin, ReadOnlyMixin
from kenes.core.errors import DomainError
from kenes.notifications import permissions, services
from kenes.notifications.models import Contact, Notice, NotificationEvent, OutboxMessage, Preference


class ReadOnlyAdmin(ReadOnlyMixin, admin.ModelAdmin):
    pass


@admin.register(Contact)
class ContactAdmin(ReadOnlyAdmin):
    list_display = ("user", "language", "has_phone", "has_telegram", "quiet_from", "quiet_until")
    list_filter = ("language",)
    list_select_related = ("user",)
    search_fields = ("user__username", "user__full_name")
    exclude = ("telegram_code",)  # a live one-time code is the person's secret

    @admin.display(boolean=True, description=_("phone"))
    def has_phone(self, contact: Contact) -> bool:
        return bool(contact.phone)

    @admin.display(boolean=True, description=_("Telegram"))
    def has_telegram(self, contact: Contact) -> bool:
        return bool(contact.telegram_chat_id)


@admin.register(Preference)
class PreferenceAdmin(ReadOnlyAdmin):
    list_display = ("user", "event_type", "channel", "enabled", "changed_at")
    list_filter = ("event_type", "channel", "enabled")
    list_select_related = ("user",)
    search_fields = ("user__username", "user__full_name")


@admin.register(NotificationEvent)
class NotificationEventAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("kind", "event_type", "created_at")
    list_filter = ("event_type",)


@admin.register(Notice)
class NoticeAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("title", "user", "event_type", "created_at", "read_at", "is_demo")
    list_filter = ("event_type", "is_demo")
    list_select_related = ("user",)
    search_fields = ("title", "user__username")


@admin.register(OutboxMessage)
class OutboxMessageAdmin(LargeTableMixin, ReadOnlyAdmin):
    list_display = ("pk", "user", "channel", "status", "attempts", "next_attempt_at", "sent_at", "last_error")
    list_filter = ("status", "channel", "event_type", "is_demo")
    list_select_related = ("user",)
    search_fields = ("user__username", "idempotency_key", "provider_reference")
    actions = ("send_again",)

    @admin.action(description=_("Send the failed messages again"))
    def send_again(self, request: HttpRequest, queryset: QuerySet[OutboxMessage]) -> None:
        retried = 0
        for message in queryset:
            if not permissions.can_retry_message(request.user, message):
                continue
            try:
                services.retry_message(actor=request.user, message=message)
            except DomainError:
                continue
            retried += 1
        self.message_user(request, _("Messages sent again: %(count)d.") % {"count": retried}, messages.SUCCESS)
