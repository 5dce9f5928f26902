from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from workflow.models import TransitionRecord

from . import events
from .decisions import generation
from .models import (
    ApplicantOrganisation,
    CaseNote,
    ClockPause,
    Consultation,
    ControlListEntry,
    CriterionAssessment,
    DeadlineNotice,
    Decision,
    DenialNotice,
    Embargo,
    ExchangeRate,
    GoodsItem,
    GoodsReturn,
    GovernmentDecision,
    Licence,
    LicenceLine,
    MemberState,
    Party,
    PermitApplication,
    ProposedLine,
    ReferenceCounter,
    ReferenceList,
    SanctionedParty,
    ScreeningFlag,
    ScreeningRun,
    Shipment,
    ShipmentLine,
    StandardCondition,
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


@admin.register(ExchangeRate)
class ExchangeRateAdmin(admin.ModelAdmin):
    """The rate table euro values are converted with: add a rate, never rewrite one."""

    list_display = ("currency", "rate_to_eur", "valid_on", "source")
    list_filter = ("currency",)

    def get_readonly_fields(self, request, obj=None):
        # A recorded rate was used for figures already given: correct it with a new row.
        return ("currency", "rate_to_eur", "valid_on", "source") if obj else ()


@admin.register(Decision)
class DecisionAdmin(admin.ModelAdmin):
    """Decisions are taken through the workflow; the admin only shows them."""

    list_display = (
        "application",
        "outcome",
        "decided_by",
        "decided_at",
        "language",
        "document_failed_at",
    )
    list_filter = ("outcome", "language", ("document_failed_at", admin.EmptyFieldListFilter))
    search_fields = ("application__reference",)
    readonly_fields = [f.name for f in Decision._meta.fields]
    actions = ["render_again"]

    @admin.action(description=_("Render the document again (after fixing why it failed)"))
    def render_again(self, request, queryset):
        cleared = sum(
            generation.decision_document_retry(decision=decision) for decision in queryset
        )
        self.message_user(
            request,
            _("%(count)d decision(s) will be rendered again by the next sweep.")
            % {"count": cleared},
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records written by the services (screening, consultations, shipments…): shown, never
    edited here, so that every change goes through its service and its history record."""

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ReferenceList)
class ReferenceListAdmin(ReadOnlyAdmin):
    list_display = ("kind", "version", "published_on", "is_current", "loaded_at")
    list_filter = ("kind", "is_current")


@admin.register(ControlListEntry)
class ControlListEntryAdmin(ReadOnlyAdmin):
    list_display = ("code", "title", "regime", "reference_list")
    list_filter = ("regime", "reference_list")
    search_fields = ("code", "title")


@admin.register(MemberState)
class MemberStateAdmin(ReadOnlyAdmin):
    list_display = ("country", "reference_list")
    list_filter = ("reference_list",)


@admin.register(SanctionedParty)
class SanctionedPartyAdmin(ReadOnlyAdmin):
    list_display = ("reference", "name", "subject_type", "programme", "reference_list")
    list_filter = ("subject_type", "reference_list")
    search_fields = ("reference", "name")


@admin.register(Embargo)
class EmbargoAdmin(ReadOnlyAdmin):
    list_display = ("country", "scope", "legal_act", "starts_on", "ends_on", "reference_list")
    list_filter = ("scope", "reference_list")


@admin.register(DenialNotice)
class DenialNoticeAdmin(ReadOnlyAdmin):
    list_display = ("number", "notifying_state", "notified_on", "destination", "status")
    list_filter = ("status", "notifying_state")
    search_fields = ("number", "consignee_name", "end_user_name")


@admin.register(ScreeningRun)
class ScreeningRunAdmin(ReadOnlyAdmin):
    list_display = ("application", "occasion", "screened_on", "ran_at")
    list_filter = ("occasion",)


@admin.register(ScreeningFlag)
class ScreeningFlagAdmin(ReadOnlyAdmin):
    list_display = ("application", "kind", "severity", "cleared_at")
    list_filter = ("kind", "severity")


@admin.register(Consultation)
class ConsultationAdmin(ReadOnlyAdmin):
    list_display = ("application", "counterpart", "requested_on", "due_on", "answered_on")
    list_filter = ("counterpart",)


@admin.register(ClockPause)
class ClockPauseAdmin(ReadOnlyAdmin):
    list_display = ("application", "reason", "started_on", "ended_on")


@admin.register(CaseNote)
class CaseNoteAdmin(ReadOnlyAdmin):
    list_display = ("application", "author", "created_at")


@admin.register(CriterionAssessment)
class CriterionAssessmentAdmin(ReadOnlyAdmin):
    list_display = ("application", "code", "assessment", "assessed_by", "assessed_at")
    list_filter = ("framework", "assessment")


@admin.register(LicenceLine)
class LicenceLineAdmin(ReadOnlyAdmin):
    list_display = ("licence", "control_entry", "description", "authorised_quantity")


class ShipmentLineInline(admin.TabularInline):
    model = ShipmentLine
    extra = 0
    can_delete = False
    readonly_fields = ("licence_line", "quantity", "value")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Shipment)
class ShipmentAdmin(ReadOnlyAdmin):
    list_display = ("licence", "shipped_on", "customs_reference", "recorded_by")
    inlines = [ShipmentLineInline]


@admin.register(GovernmentDecision)
class GovernmentDecisionAdmin(ReadOnlyAdmin):
    list_display = ("application", "outcome", "decided_on", "reference", "recorded_by")


@admin.register(GoodsReturn)
class GoodsReturnAdmin(ReadOnlyAdmin):
    list_display = ("shipment_line", "quantity", "returned_on", "customs_reference")


@admin.register(DeadlineNotice)
class DeadlineNoticeAdmin(ReadOnlyAdmin):
    list_display = ("application", "kind", "key", "sent_on")
    list_filter = ("kind",)


class EventFilter(admin.SimpleListFilter):
    title = _("event")
    parameter_name = "transition"

    def lookups(self, request, model_admin):
        return [(name, event.label) for name, event in events.CATALOGUE.items()]

    def queryset(self, request, queryset):
        return queryset.filter(transition=self.value()) if self.value() else queryset


@admin.register(TransitionRecord)
class TransitionRecordAdmin(ReadOnlyAdmin):
    """The files' history, append-only: shown with the catalogue's labels, never changed."""

    list_display = (
        "created_at",
        "application",
        "event",
        "source_state",
        "target_state",
        "actor",
        "actor_role",
    )
    list_filter = (EventFilter, "actor_role")
    search_fields = ("application__reference", "comment")
    date_hierarchy = "created_at"

    @admin.display(description=_("event"), ordering="transition")
    def event(self, record: TransitionRecord) -> str:
        return events.label(record.transition)


@admin.register(StandardCondition)
class StandardConditionAdmin(admin.ModelAdmin):
    """Edited by the head of unit (the ``head_of_unit`` group holds its permissions). A changed
    wording is a new version: issued decisions keep the texts they printed."""

    list_display = ("code", "version", "active", "text_en")
    list_filter = ("active",)
    search_fields = ("code", "text_fr", "text_nl", "text_en")

    def has_delete_permission(self, request, obj=None) -> bool:
        # Deactivate instead: a condition once proposed stays readable.
        return False


@admin.register(ProposedLine)
class ProposedLineAdmin(ReadOnlyAdmin):
    list_display = ("application", "goods_item", "outcome", "granted_quantity", "granted_value")
