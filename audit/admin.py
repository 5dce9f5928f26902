from django.contrib import admin

from .models import StaffRead


@admin.register(StaffRead)
class StaffReadAdmin(admin.ModelAdmin):
    """The read log, as written: never added to, changed or deleted by hand."""

    list_display = ("read_at", "user", "reference", "application_id", "what", "path")
    list_filter = ("what",)
    search_fields = ("reference", "user__username")
    date_hierarchy = "read_at"

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in StaffRead._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
