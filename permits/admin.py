from django.contrib import admin

from .models import (
    ApplicantOrganisation,
    Decision,
    GoodsItem,
    Licence,
    Party,
    PermitApplication,
    ReferenceCounter,
)


@admin.register(ApplicantOrganisation)
class ApplicantOrganisationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "enterprise_number", "country", "language")
    search_fields = ("legal_name", "enterprise_number")
    filter_horizontal = ("members",)


class GoodsItemInline(admin.TabularInline):
    model = GoodsItem
    extra = 0


class PartyInline(admin.TabularInline):
    model = Party
    extra = 0


@admin.register(PermitApplication)
class PermitApplicationAdmin(admin.ModelAdmin):
    """Status is protected: it moves only through the workflow services, never from here."""

    list_display = (
        "__str__",
        "organisation",
        "kind",
        "regime",
        "status",
        "assigned_case_manager",
        "updated_at",
    )
    list_filter = ("status", "kind", "regime")
    search_fields = ("reference", "organisation__legal_name")
    readonly_fields = (
        "public_id",
        "reference",
        "status",
        "assigned_case_manager",
        "recommendation",
        "recommendation_reasons",
        "refusal_grounds",
        "submitted_at",
        "decided_at",
        "created_by",
        "updated_by",
    )
    inlines = [GoodsItemInline, PartyInline]

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Licence)
class LicenceAdmin(admin.ModelAdmin):
    list_display = ("number", "holder", "valid_from", "valid_until", "status")
    list_filter = ("status",)
    search_fields = ("number", "holder__legal_name")
    readonly_fields = [f.name for f in Licence._meta.fields]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceCounter)
class ReferenceCounterAdmin(admin.ModelAdmin):
    list_display = ("year", "last_value")

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Decisions are taken through the workflow; the admin only shows them."""

    list_display = ("application", "outcome", "decided_by", "decided_at", "language")
    list_filter = ("outcome", "language")
    search_fields = ("application__reference",)
    readonly_fields = [f.name for f in Decision._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
