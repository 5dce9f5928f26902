from django.contrib import admin

from .models import CaseTask, TransitionRecord


@admin.register(TransitionRecord)
class TransitionRecordAdmin(admin.ModelAdmin):
    list_display = (
        "created_at",
        "application",
        "transition",
        "source_state",
        "target_state",
        "actor",
        "actor_role",
    )
    list_filter = ("transition", "actor_role")
    search_fields = ("application__reference", "comment")
    date_hierarchy = "created_at"

    # History is append-only: the admin shows it and changes nothing.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CaseTask)
class CaseTaskAdmin(admin.ModelAdmin):
    list_display = ("application", "kind", "candidate_role", "assignee", "due_at", "completed_at")
    list_filter = ("kind", "candidate_role")
    readonly_fields = [f.name for f in CaseTask._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
