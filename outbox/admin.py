from django.contrib import admin

from .models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(admin.ModelAdmin):
    """Read-only: messages are written by the services and changed only by their delivery."""

    list_display = ("created_at", "recipient", "subject", "subject_ref", "status", "attempts")
    list_filter = ("status", "channel")
    search_fields = ("key", "recipient", "subject", "subject_ref")
    date_hierarchy = "created_at"
    fields = (
        "key",
        "channel",
        "recipient",
        "subject",
        "body",
        "subject_ref",
        "status",
        "created_at",
        "next_attempt_at",
        "sent_at",
        "attempts",
        "last_error",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
