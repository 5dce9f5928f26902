from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Document


@admin.register(Document)
class DocumentAdmin(admin.ModelAdmin):
    """Read-only: documents are added by the upload service and the decision tasks, never
    changed or deleted. The stored file is not linked (there is no public media URL)."""

    list_display = ("original_name", "kind", "application", "content_type", "size", "uploaded_at")
    list_filter = ("kind", "content_type", "signed")
    search_fields = ("original_name", "sha256", "public_id", "application__reference")
    list_select_related = ("application",)
    fields = (
        "public_id",
        "application",
        "kind",
        "original_name",
        "stored_as",
        "content_type",
        "size",
        "sha256",
        "uploaded_by",
        "uploaded_at",
        "supersedes",
        "decision",
        "unsigned_sha256",
        "signed",
        "layout_version",
    )
    readonly_fields = fields

    @admin.display(description=_("stored as"))
    def stored_as(self, obj: Document) -> str:
        return obj.file.name

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
