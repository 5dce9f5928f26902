"""Work items in the admin. The history's admin is the permits app's: it reads the catalogue
of history events (``permits.events``) for the labels."""

from django.contrib import admin

from .models import CaseTask


@admin.register(CaseTask)
class CaseTaskAdmin(admin.ModelAdmin):
    list_display = ("application", "kind", "candidate_role", "assignee", "due_at", "completed_at")
    list_filter = ("kind", "candidate_role")
    readonly_fields = [f.name for f in CaseTask._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
