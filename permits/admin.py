from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.http import HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from audit.field_history import field_history_context
from workflow.exceptions import TransitionError
from workflow.models import HistoryHead, TransitionRecord
from workflow.roles import Role, has_role

from . import events
from .actions.data_fixes import application_data_fix
from .decisions import generation
from .models import (
    DECIDED_STATES,
    ApplicantOrganisation,
    CaseNote,
    CatalogueProduct,
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
    OrganisationEvent,
    OrganisationInvitation,
    OrganisationMembership,
    Party,
    PermitApplication,
    ProposedLine,
    ReferenceCounter,
    ReferenceList,
    SanctionedParty,
    SavedParty,
    ScreeningFlag,
    ScreeningRun,
    Shipment,
    ShipmentLine,
    StandardCondition,
)

# --- No silent edits -------------------------------------------------------------------------
# A file once decided or closed is read-only here for everyone, superusers included. A change
# still allowed to a file, its goods or its parties goes through the audited data-fix path
# (``permits.actions.data_fixes``): it needs a reason and writes one ``data_fix`` history event
# with the operator and every field changed. A change to an organisation needs a reason too,
# kept with its field-level history (django-pghistory). Auditors change nothing.

REASON_FIELD = "data_fix_reason"


def _reason_field() -> forms.CharField:
    return forms.CharField(
        label=_("Reason for this change"),
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Recorded in the history with your name and every field you change."),
        required=True,
    )


class AuditedChangeForm(forms.ModelForm):
    """A change form that asks why: the reason is required to change an existing row."""

    data_fix_reason = _reason_field()

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields[REASON_FIELD].required = self.instance.pk is not None


def _decided(obj) -> bool:
    return obj is not None and obj.status in DECIDED_STATES


def _operator_may_change(request) -> bool:
    return not has_role(request.user, Role.AUDITOR)


class OrganisationMembershipInline(admin.TabularInline):
    """Members and their rights; organisation administrators manage them on their own pages."""

    model = OrganisationMembership
    extra = 0
    raw_id_fields = ("user",)

    def has_change_permission(self, request, obj=None) -> bool:
        return _operator_may_change(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request, obj=None) -> bool:
        return _operator_may_change(request) and super().has_add_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        return _operator_may_change(request) and super().has_delete_permission(request, obj)


@admin.register(ApplicantOrganisation)
class ApplicantOrganisationAdmin(admin.ModelAdmin):
    list_display = ("legal_name", "enterprise_number", "country", "language")
    search_fields = ("legal_name", "enterprise_number")
    inlines = [OrganisationMembershipInline]
    form = AuditedChangeForm

    def has_change_permission(self, request, obj=None) -> bool:
        return _operator_may_change(request) and super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        return _operator_may_change(request) and super().has_add_permission(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        # An organisation with files is protected anyway; one without is closed, not erased.
        return False

    def save_model(self, request, obj, form, change) -> None:
        # The field-level history (PostgreSQL) keeps who changed what; the reason goes with it.
        reason = form.cleaned_data.get(REASON_FIELD, "")
        with field_history_context(user=request.user.pk, reason=reason):
            super().save_model(request, obj, form, change)


class _FileInline:
    """A line of a file: read-only once the file is decided, like the file itself."""

    def has_change_permission(self, request, obj=None) -> bool:
        return not _decided(obj) and _operator_may_change(request)

    def has_add_permission(self, request, obj=None) -> bool:
        return not _decided(obj) and _operator_may_change(request)

    def has_delete_permission(self, request, obj=None) -> bool:
        return not _decided(obj) and _operator_may_change(request)


class GoodsItemInline(_FileInline, admin.TabularInline):
    model = GoodsItem
    extra = 0


class PartyInline(_FileInline, admin.TabularInline):
    model = Party
    extra = 0


class _ShownInline(admin.StackedInline):
    """The decision and the licence of a file: shown beside it, never edited here."""

    extra = 0
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in self.model._meta.fields]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class DecisionInline(_ShownInline):
    model = Decision


class LicenceInline(_ShownInline):
    model = Licence
    fk_name = "application"


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
    inlines = [GoodsItemInline, PartyInline, DecisionInline, LicenceInline]
    form = AuditedChangeForm

    def has_change_permission(self, request, obj=None) -> bool:
        if _decided(obj) or not _operator_may_change(request):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request) -> bool:
        # A file is created by its applicant (or the demo data), with its history from the start.
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        """A change with a reason runs inside the audited data-fix path: one ``data_fix``
        history event records the operator, the reason and each field changed (the file's own
        and its goods' and parties'). Without a reason the form is refused and nothing saved."""
        reason = request.POST.get(REASON_FIELD, "").strip() if request.method == "POST" else ""
        obj = self.get_object(request, unquote(object_id)) if object_id and reason else None
        if obj is None or not self.has_change_permission(request, obj):
            return super().changeform_view(request, object_id, form_url, extra_context)
        try:
            with application_data_fix(
                application=obj, operator=request.user, reason=reason, commit=True
            ):
                return super().changeform_view(request, object_id, form_url, extra_context)
        except TransitionError as exc:
            self.message_user(request, exc.message, level=messages.ERROR)
            return HttpResponseRedirect(request.get_full_path())


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
    list_display = (
        "licence",
        "shipped_on",
        "customs_reference",
        "source",
        "customs_office",
        "holder_reference",
        "recorded_by",
    )
    list_filter = ("source",)
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


@admin.register(HistoryHead)
class HistoryHeadAdmin(ReadOnlyAdmin):
    """Each file's last history record, kept for the exports' chain head: shown, never changed
    (the history records are the evidence; this is their summary)."""

    list_display = ("application", "seq", "record_id", "record_hash")
    search_fields = ("application__reference",)


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


class FieldHistoryAdmin(ReadOnlyAdmin):
    """The field-level history of organisations and licences (django-pghistory, PostgreSQL):
    one row per insert, update or delete, with its context (user, reason, page)."""

    list_display = ("pgh_created_at", "pgh_label", "pgh_obj", "pgh_context")
    list_filter = ("pgh_label",)
    date_hierarchy = "pgh_created_at"


for _tracked in (ApplicantOrganisation, Licence, LicenceLine):
    admin.site.register(_tracked.field_history.rel.related_model, FieldHistoryAdmin)


# --- Company self-service: kept by the companies themselves; operators read them here (members
# are also set on the organisation's page). ------------------------------------------------------


@admin.register(OrganisationMembership)
class OrganisationMembershipAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "user", "draft", "submit", "see_decisions", "administrator")
    list_filter = ("administrator",)


@admin.register(OrganisationInvitation)
class OrganisationInvitationAdmin(ReadOnlyAdmin):
    list_display = (
        "organisation",
        "email",
        "invited_by",
        "created_at",
        "accepted_at",
        "withdrawn_at",
    )
    exclude = ("nonce",)


@admin.register(OrganisationEvent)
class OrganisationEventAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "event", "actor", "at")
    list_filter = ("event",)


@admin.register(SavedParty)
class SavedPartyAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "role", "name", "country")


@admin.register(CatalogueProduct)
class CatalogueProductAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "description", "control_entry", "commodity_code")
