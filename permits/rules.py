"""Every "may" and "must" of a permit application: the one place these rules live.

- *May*: who may make each transition (django-fsm's ``permission=``, through the transition
  registry), four-eyes, who reads which file and which history, who works on the compliance
  file and the licence.
- *Must*: what a file needs before it is submitted (the submission guard, with the
  required-documents table), what blocks a decision (open blocking flags, open consultations),
  who decides a licence family and what a refusal must cite.

Views, the API, actions and selectors ask this module; none decides access on its own. It reads
model instances but imports no model of this app, so that the models can import it.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from documents import selectors as document_selectors
from documents.models import Document
from workflow.models import TransitionRecord
from workflow.roles import Role, has_role, is_staff_member

from . import events
from .compliance import criteria
from .compliance.screening import flag_explanation
from .control_lists import destination_error, goods_line_errors, transfer_line_error

if TYPE_CHECKING:
    from .models import PermitApplication

Errors = dict[str, list[str]]

# Transitions whose actor reviewed the file: that person may not also decide it (four-eyes).
REVIEW_TRANSITIONS = ("request_information", "propose_decision")
# History events that make someone the file's case manager (their payload names them).
ASSIGNING_EVENTS = ("start_review", "reassigned")
# States in which a file can be handed to another case manager.
REASSIGNABLE_STATES = frozenset({"under_review", "information_requested"})
# States in which the compliance file (worksheet, consultations) is worked on.
WORKSHEET_STATES = frozenset({"under_review", "pending_approval"})
# The federal prior authorisation (honourability check) is needed to export or transit arms.
ARMS_AUTHORISATION_KINDS = frozenset({"export", "transit"})
ARMS_REGIMES = frozenset({"military", "civil_firearms"})


# --- Who is who on a file -------------------------------------------------------------------


def is_system(application: PermitApplication, user: Any) -> bool:
    return user is None


def is_applicant_member(application: PermitApplication, user: Any) -> bool:
    if not has_role(user, Role.APPLICANT):
        return False
    return application.organisation.members.filter(pk=user.pk).exists()


# --- A member's rights in their organisation (company self-service) ---------------------------

# What each right lets a member do: prepare drafts (create, edit, upload to them), submit them,
# read the decisions and licence documents, administer the members.
MEMBER_RIGHTS = ("draft", "submit", "see_decisions", "administrator")


def has_organisation_right(organisation: Any, user: Any, right: str) -> bool:
    """Whether ``user`` is an applicant member of ``organisation`` holding ``right``."""
    if right not in MEMBER_RIGHTS:
        raise ValueError(f"Unknown right {right!r}.")
    if user is None or not has_role(user, Role.APPLICANT):
        return False
    return organisation.memberships.filter(user_id=user.pk, **{right: True}).exists()


def organisations_with_right(user: Any, right: str) -> QuerySet:
    """The organisations in which ``user`` holds ``right`` (none for a non-applicant)."""
    if right not in MEMBER_RIGHTS:
        raise ValueError(f"Unknown right {right!r}.")
    if not has_role(user, Role.APPLICANT):
        return user.applicant_organisations.none()
    held = user.organisation_memberships.filter(**{right: True}).values("organisation_id")
    return user.applicant_organisations.filter(pk__in=held)


def can_administer_organisation(organisation: Any, user: Any) -> bool:
    return has_organisation_right(organisation, user, "administrator")


def can_manage_catalogue(organisation: Any, user: Any) -> bool:
    """Saved parties and the product catalogue are kept by the members who prepare drafts."""
    return has_organisation_right(organisation, user, "draft")


def can_see_decisions(application: PermitApplication, user: Any) -> bool:
    """The decision (its lines, grounds and PDF, the licence PDF): staff who read the file, and
    the members holding the right to read decisions."""
    if user is None or not user.is_authenticated:
        return False
    if is_staff_member(user):
        return application.status != "draft"
    return has_organisation_right(application.organisation, user, "see_decisions")


def is_assigned_case_manager(application: PermitApplication, user: Any) -> bool:
    return (
        has_role(user, Role.CASE_MANAGER)
        and application.assigned_case_manager_id is not None
        and application.assigned_case_manager_id == user.pk
    )


def is_head_of_unit(application: PermitApplication | None, user: Any) -> bool:
    return has_role(user, Role.HEAD_OF_UNIT)


def reviewer_ids(application: PermitApplication) -> set[int]:
    """Everyone who has been this file's case manager or acted on it as reviewer."""
    ids: set[int] = set()
    if application.assigned_case_manager_id:
        ids.add(application.assigned_case_manager_id)
    records = TransitionRecord.objects.filter(application=application).filter(
        Q(transition__in=ASSIGNING_EVENTS) | Q(transition__in=REVIEW_TRANSITIONS)
    )
    for transition, actor_id, payload in records.values_list("transition", "actor_id", "payload"):
        if transition in ASSIGNING_EVENTS:
            # Whoever the file was ever assigned to: a reassignment does not wash anyone clean.
            if payload.get("case_manager_id"):
                ids.add(payload["case_manager_id"])
        elif actor_id:
            ids.add(actor_id)
    return ids


def violates_four_eyes(application: PermitApplication, user: Any) -> bool:
    return user is not None and user.pk in reviewer_ids(application)


# --- Transitions (django-fsm's permission=) ----------------------------------------------------


def can_submit(application: PermitApplication, user: Any) -> bool:
    return has_organisation_right(application.organisation, user, "submit")


def can_start_review(application: PermitApplication, user: Any) -> bool:
    return has_role(user, Role.CASE_MANAGER) or has_role(user, Role.HEAD_OF_UNIT)


def can_assign_to_others(user: Any) -> bool:
    """Only the head of unit hands a file to a named case manager."""
    return has_role(user, Role.HEAD_OF_UNIT)


def can_reassign(application: PermitApplication, user: Any) -> bool:
    """The head of unit hands a file under review (or waiting on the applicant) to another
    case manager; case managers too where ``REASSIGNMENT_BY_CASE_MANAGERS`` allows it."""
    return application.status in REASSIGNABLE_STATES and may_reassign_files(user)


def may_reassign_files(user: Any) -> bool:
    if has_role(user, Role.HEAD_OF_UNIT):
        return True
    return settings.REASSIGNMENT_BY_CASE_MANAGERS and has_role(user, Role.CASE_MANAGER)


def can_write_case_note(application: PermitApplication, user: Any) -> bool:
    """Case managers and the head of unit keep internal notes on a submitted file; auditors
    read them and write none; applicants never see them."""
    if application.status == "draft" or user is None or not user.is_authenticated:
        return False
    return has_role(user, Role.CASE_MANAGER) or has_role(user, Role.HEAD_OF_UNIT)


def can_decide(application: PermitApplication, user: Any) -> bool:
    return is_head_of_unit(application, user) and not violates_four_eyes(application, user)


def shows_four_eyes_notice(application: PermitApplication, user: Any) -> bool:
    """A head of unit looking at a file they may not decide because they reviewed it."""
    return (
        application.status == "pending_approval"
        and is_head_of_unit(application, user)
        and violates_four_eyes(application, user)
    )


# --- Drafts and reading -----------------------------------------------------------------------


def can_edit_draft(application: PermitApplication, user: Any) -> bool:
    return application.status == "draft" and has_organisation_right(
        application.organisation, user, "draft"
    )


def can_create_application(user: Any) -> bool:
    return (
        has_role(user, Role.APPLICANT) and user.organisation_memberships.filter(draft=True).exists()
    )


def can_create_application_for(organisation: Any, user: Any) -> bool:
    return has_organisation_right(organisation, user, "draft")


def submitted_applications(queryset: QuerySet) -> QuerySet:
    """What staff read: every file but drafts, which are the company's own working copies
    until submitted. Also what the operator's ``export_audit`` command reads."""
    return queryset.exclude(status="draft")


def visible_applications(user: Any, queryset: QuerySet) -> QuerySet:
    """The part of ``queryset`` (applications) that ``user`` may read: their organisations'
    own, or (staff) every submitted one. Anything else does not exist for them (404)."""
    if user is None or not user.is_authenticated:
        return queryset.none()
    if is_staff_member(user):
        return submitted_applications(queryset)
    if has_role(user, Role.APPLICANT):
        # The organisations as values, not a join: the list's index led by the organisation then
        # serves "its files, newest first" without walking every file of the Region.
        return queryset.filter(organisation_id__in=list(user_organisation_ids(user)))
    return queryset.none()


def user_organisation_ids(user: Any) -> list[int]:
    return list(user.applicant_organisations.values_list("pk", flat=True))


def can_view_application(user: Any, application: PermitApplication) -> bool:
    if user is None or not user.is_authenticated:
        return False
    if is_staff_member(user):
        return application.status != "draft"
    return is_applicant_member(application, user)


def history_visible_to(user: Any, queryset: QuerySet) -> QuerySet:
    """The part of a history queryset ``user`` may read (the catalogue's applicant allowlist
    for anyone but staff)."""
    if user is not None and is_staff_member(user):
        return queryset
    return queryset.filter(transition__in=events.APPLICANT_HISTORY)


def applicant_reads_comment(user: Any, event_name: str) -> bool:
    if user is not None and is_staff_member(user):
        return True
    return event_name not in events.COMMENTS_HIDDEN_FROM_APPLICANT


# --- Documents --------------------------------------------------------------------------------

# States in which each side may add supporting documents to a file.
APPLICANT_DOCUMENT_STATES = frozenset(
    {"draft", "submitted", "under_review", "information_requested"}
)
STAFF_DOCUMENT_STATES = frozenset({"under_review", "information_requested", "pending_approval"})


def can_upload_document(application: PermitApplication, user: Any) -> bool:
    """Applicant members until the review ends; the file's case manager and the head of unit
    during review and approval; auditors never. Decisions are generated, never uploaded."""
    if user is None or not user.is_authenticated or has_role(user, Role.AUDITOR):
        return False
    if application.status == "draft":
        # Adding to a draft is preparing it.
        if can_edit_draft(application, user):
            return True
    elif application.status in APPLICANT_DOCUMENT_STATES and is_applicant_member(application, user):
        return True
    return application.status in STAFF_DOCUMENT_STATES and (
        is_assigned_case_manager(application, user) or is_head_of_unit(application, user)
    )


def can_download_document(document: Any, user: Any) -> bool:
    """Whoever may see the document's application, and nobody else; a staff-only document
    (uploaded by staff and not shared) only staff."""
    if not document.shared_with_applicant and not is_staff_member(user):
        return False
    if document.kind == Document.Kind.DECISION and not can_see_decisions(
        document.application, user
    ):
        return False
    return can_view_application(user, document.application)


def can_supersede_document(document: Any, user: Any) -> bool:
    """Staff replace any supporting document; an applicant only one their organisation
    uploaded, never a staff document."""
    if is_staff_member(user):
        return True
    return (
        document.uploaded_by_id is not None
        and document.application.organisation.members.filter(pk=document.uploaded_by_id).exists()
    )


# Supporting documents a file must carry before it is submitted, by (kind, regime); the
# ``DOCUMENTS_REQUIRED`` setting replaces the whole table.
REQUIRED_DOCUMENTS: dict[tuple[str, str], list[str]] = {
    ("export", "military"): ["end_user_certificate"],
    ("transit", "military"): ["end_user_certificate"],
    ("transfer", "military"): ["end_user_certificate"],
    ("export", "dual_use"): ["end_user_certificate"],
    ("export", "law_enforcement"): ["end_user_certificate"],
    # Regulation (EU) No 258/2012, Art. 4 and 7: the importing third country's authorisation.
    ("export", "civil_firearms"): ["import_certificate"],
}


def required_documents(application: PermitApplication) -> list[str]:
    """Kinds of document the file must carry, by the required-documents table."""
    table = getattr(settings, "DOCUMENTS_REQUIRED", REQUIRED_DOCUMENTS)
    return list(table.get((application.kind, application.regime), []))


def missing_required_documents(application: PermitApplication) -> list[str]:
    """Kinds of required document the file lacks; only current (not superseded) ones count."""
    required = required_documents(application)
    if not required:
        return []
    present = document_selectors.current_document_kinds(
        application_id=application.pk, kinds=required
    )
    return [kind for kind in required if kind not in present]


# --- Compliance file and licence ----------------------------------------------------------------


def can_clear_flag(application: PermitApplication, user: Any) -> bool:
    return is_assigned_case_manager(application, user)


def can_answer_consultation(application: PermitApplication, user: Any) -> bool:
    return is_assigned_case_manager(application, user)


def can_open_consultation(application: PermitApplication, user: Any) -> bool:
    return is_assigned_case_manager(application, user)


def can_assess_criteria(application: PermitApplication, user: Any) -> bool:
    """The assigned case manager while reviewing, the head of unit while the file waits for
    the decision."""
    return is_assigned_case_manager(application, user) or (
        application.status == "pending_approval" and is_head_of_unit(application, user)
    )


def can_screen(application: PermitApplication, user: Any) -> bool:
    return is_assigned_case_manager(application, user) or is_head_of_unit(application, user)


def can_record_government_decision(application: PermitApplication, user: Any) -> bool:
    return is_head_of_unit(application, user)


def can_use_licence(application: PermitApplication, user: Any) -> bool:
    """Shipments, returns, amendments and renewals are the holder's."""
    return is_applicant_member(application, user)


def can_suspend_licence(application: PermitApplication, user: Any) -> bool:
    return is_head_of_unit(application, user)


def can_read_snapshots(user: Any) -> bool:
    """The file as it was at each step holds screening and the criteria worksheet: staff only."""
    return is_staff_member(user)


def can_view_compliance(user: Any) -> bool:
    return is_staff_member(user)


def can_export_audit(user: Any) -> bool:
    """The audit exports (every file's data and history, in bulk) are for the auditors and
    the head of unit; case managers search but do not export."""
    return has_role(user, Role.AUDITOR) or has_role(user, Role.HEAD_OF_UNIT)


# --- What a file must satisfy -------------------------------------------------------------------


def required_text(field: str, value: str, message: str) -> Errors:
    return {} if (value or "").strip() else {field: [message]}


def information_request_due_on(application: PermitApplication) -> date | None:
    """The day the open information request lapses (the file is then closed): its pause's
    start plus ``INFORMATION_REQUEST_LAPSE_DAYS``; None when no request is open."""
    pause = (
        application.clock_pauses.filter(reason="information_requested", ended_on__isnull=True)
        .order_by("-started_on", "-id")
        .first()
    )
    if pause is None:
        return None
    return pause.started_on + timedelta(days=settings.INFORMATION_REQUEST_LAPSE_DAYS)


def follow_up_problems(application: PermitApplication, *, original: Any = None) -> Errors:
    """Why an amendment or renewal cannot be issued now: the licence it continues
    (``original``, pass it locked when deciding) must still be valid (not revoked, expired,
    suspended, used up or already replaced)."""
    if application.follows_id is None:
        return {}
    if original is None:
        original = getattr(application.follows, "licence", None)
    if original is None or original.status == "valid":
        return {}
    if original.status == "replaced":
        message = _(
            "Licence %(number)s was already replaced by %(successor)s: this %(kind)s can no "
            "longer be issued; start it again from %(successor)s."
        ) % {
            "number": original.number,
            "successor": original.replaced_by.number if original.replaced_by else "?",
            "kind": application.get_follow_up_display().lower(),
        }
    else:
        message = _(
            "Licence %(number)s is %(status)s: an amendment or renewal of it cannot be issued."
        ) % {"number": original.number, "status": original.get_status_display().lower()}
    return {"follows": [message]}


def submission_problems(application: PermitApplication) -> Errors:
    """What is missing or wrong before ``application`` can be submitted, field by field."""
    errors: Errors = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if application.kind == "import":
        if not application.country_of_origin:
            add("country_of_origin", _("The country of origin is required for an import."))
    elif not application.country_of_destination:
        add("country_of_destination", _("The country of destination is required."))
    if not application.end_use_statement.strip():
        add("end_use_statement", _("The end-use statement is required."))
    if application.total_value is None:
        add("total_value", _("The total value is required."))
    for message in validity_problems(application.regime, application.requested_validity_months).get(
        "requested_validity_months", []
    ):
        add("requested_validity_months", message)

    goods = list(application.goods.all())
    if not goods:
        add("goods", _("Add at least one goods item."))
    dual_use_transfer = application.kind == "transfer" and application.regime == "dual_use"
    for position, item in enumerate(goods, start=1):
        line_errors = goods_line_errors(
            control_entry=item.control_entry,
            catch_all_ground=item.catch_all_ground,
            regime=application.regime,
        )
        for field, messages in line_errors.items():
            for message in messages:
                add(f"goods[{position}].{field}", message)
        if dual_use_transfer and not line_errors:
            no_licence = transfer_line_error(
                control_entry=item.control_entry, catch_all_ground=item.catch_all_ground
            )
            if no_licence:
                add(f"goods[{position}].control_entry", no_licence)
    if application.country_of_destination:
        wrong_place = destination_error(
            kind=application.kind, destination=application.country_of_destination.code
        )
        if wrong_place:
            add("country_of_destination", wrong_place)

    organisation = application.organisation
    if application.kind in ARMS_AUTHORISATION_KINDS and application.regime in ARMS_REGIMES:
        valid_until = organisation.federal_authorisation_valid_until
        if not organisation.federal_authorisation_reference or valid_until is None:
            add(
                "organisation",
                _(
                    "Exporting or transiting arms needs the federal Justice service's prior "
                    "authorisation: record its reference and validity on your organisation."
                ),
            )
        elif valid_until < timezone.localdate():
            add(
                "organisation",
                _("Your federal prior authorisation expired on %(date)s.")
                % {"date": valid_until.isoformat()},
            )

    for kind in missing_required_documents(application):
        add(
            "documents",
            _("Upload the %(document)s.") % {"document": Document.Kind(kind).label.lower()},
        )

    roles = {party.role for party in application.parties.all()}
    if "consignee" not in roles:
        add("parties", _("A consignee is required."))
    if "end_user" not in roles:
        add("parties", _("An end-user is required."))
    for field, message in model_form_problems(application, goods).items():
        add(field, message)
    return errors


# The model licence's data (EORI, CN code, customs office, contract) is optional on a draft:
# the public record does not say which of it a Brussels licence requires. Each field named in
# ``SUBMISSION_REQUIRES`` (kind → list; "default" for every kind) becomes required at
# submission, e.g. {"export": ["eori_number", "commodity_code", "customs_office_of_export"]}.
MODEL_FORM_FIELDS = {
    "eori_number": gettext_lazy(
        "The exporter's EORI number is required: record it on your organisation."
    ),
    "customs_office_of_export": gettext_lazy("The customs office of export is required."),
    "contract_reference": gettext_lazy("The contract reference is required."),
    "contract_date": gettext_lazy("The contract date is required."),
    "commodity_code": gettext_lazy("Each goods item needs its CN commodity code."),
}


def model_form_problems(application: PermitApplication, goods: list) -> dict[str, str]:
    configured = getattr(settings, "SUBMISSION_REQUIRES", {}) or {}
    required = configured.get(application.kind, configured.get("default", []))
    problems: dict[str, str] = {}
    for field in required:
        if field == "eori_number":
            missing = not application.organisation.eori_number
        elif field == "commodity_code":
            missing = any(not item.commodity_code for item in goods)
        else:
            missing = not getattr(application, field)
        if missing:
            problems[field] = str(MODEL_FORM_FIELDS[field])
    return problems


def decision_blockers(
    application: PermitApplication, *, latest_flags: list[Any] | None = None
) -> Errors:
    """Why the file cannot be granted now: uncleared blocking flags of its latest screening,
    and consultations still waiting for an answer. ``latest_flags``: every flag of the latest
    run, when the caller has just written that run in its transaction (not read again)."""
    errors: Errors = {}
    if latest_flags is None:
        latest = application.screenings.order_by("-ran_at", "-id").first()
        blocking = (
            latest.flags.filter(severity="blocking", cleared_at__isnull=True) if latest else []
        )
    else:
        # In the flags' own order (``ScreeningFlag.Meta.ordering``: severity, then id).
        blocking = sorted(
            (f for f in latest_flags if f.severity == "blocking" and f.cleared_at is None),
            key=lambda f: f.pk,
        )
    for flag in blocking:
        errors.setdefault("screening", []).append(flag_explanation(flag))
    for consultation in application.consultations.filter(answered_on__isnull=True):
        errors.setdefault("consultations", []).append(
            _("Consultation open: %(subject)s (due %(due)s).")
            % {"subject": consultation.subject, "due": consultation.due_on.isoformat()}
        )
    return errors


def refusal_criteria(application: PermitApplication) -> list[str]:
    """Codes of the worksheet's criteria marked as a ground for refusal."""
    return list(
        application.criteria_worksheet.filter(assessment="refusal_ground").values_list(
            "code", flat=True
        )
    )


def refusal_criteria_problems(application: PermitApplication) -> Errors:
    if refusal_criteria(application):
        return {}
    return {
        "criteria": [
            _(
                "Mark at least one criterion of the worksheet as a ground for refusal: a "
                "refusal must cite the criteria it rests on."
            )
        ]
    }


def criteria_framework(application: PermitApplication) -> str:
    return criteria.framework_for(application.regime)


def decision_authority(application: PermitApplication) -> str:
    """``government`` where the Brussels Government decides this licence family (the head of
    unit carries out its decision), ``head_of_unit`` elsewhere (``DECISION_AUTHORITY``)."""
    table = settings.DECISION_AUTHORITY
    return (
        table.get(f"{application.kind}:{application.regime}")
        or table.get(application.regime)
        or table["default"]
    )


def authority_problems(application: PermitApplication, *, outcome: str) -> Errors:
    """Where the Government decides, the head can only carry out its recorded decision."""
    if decision_authority(application) != "government":
        return {}
    recorded = getattr(application, "government_decision", None)
    if recorded is None:
        return {
            "government_decision": [
                _(
                    "The Brussels Government decides this licence: record its decision (date "
                    "and reference) before issuing it."
                )
            ]
        }
    if recorded.outcome != outcome:
        return {
            "government_decision": [
                _("The Government's decision (%(reference)s) was: %(outcome)s.")
                % {"reference": recorded.reference, "outcome": recorded.get_outcome_display()}
            ]
        }
    return {}


# --- What a grant must satisfy (criteria, validity, lines) ------------------------------------


def criteria_required(application: PermitApplication) -> bool:
    """Whether a grant needs every criterion of the framework assessed
    (``DECISION_CRITERIA_REQUIRED``, per regime)."""
    return bool(settings.DECISION_CRITERIA_REQUIRED.get(application.regime, False))


def criteria_grant_problems(
    application: PermitApplication, assessed: dict[str, str] | None = None
) -> Errors:
    """Why the law forbids granting this file on its worksheet: a criterion that obliges refusal
    marked as a ground for refusal, or (where the regime requires it) a criterion not
    assessed. Each message names the criterion."""
    framework = criteria_framework(application)
    if assessed is None:
        assessed = dict(application.criteria_worksheet.values_list("code", "assessment"))
    messages: list[str] = []
    for code in criteria.CRITERIA[framework]:
        if assessed.get(code) == "refusal_ground" and code in criteria.MANDATORY_REFUSAL.get(
            framework, ()
        ):
            messages.append(
                _(
                    "Criterion %(code)s (%(title)s) is marked as a ground for refusal: the law "
                    "obliges refusal, the licence cannot be granted."
                )
                % {"code": code, "title": criteria.title(code)}
            )
    if criteria_required(application):
        for code in criteria.CRITERIA[framework]:
            if code not in assessed:
                messages.append(
                    _("Criterion %(code)s (%(title)s) has not been assessed.")
                    % {"code": code, "title": criteria.title(code)}
                )
    return {"criteria": messages} if messages else {}


def max_validity_months(regime: str) -> int | None:
    return settings.LICENCE_MAX_VALIDITY_MONTHS.get(regime)


def validity_problems(regime: str, months: int | None) -> Errors:
    """A requested validity beyond the maximum for the licence family is refused, naming it."""
    maximum = max_validity_months(regime)
    if months is None or maximum is None or months <= maximum:
        return {}
    return {
        "requested_validity_months": [
            _(
                "A licence of this family is valid for at most %(maximum)d months; "
                "%(months)d months were requested."
            )
            % {"maximum": maximum, "months": months}
        ]
    }


def granted_validity_problems(*, requested: int, granted: int | None, reason: str) -> Errors:
    """The head may shorten the validity at approval, with a reason; never lengthen it."""
    if granted is None or granted == requested:
        return {}
    if granted < 1 or granted > requested:
        return {
            "validity_months": [
                _("The validity granted must be between 1 and %(months)d months (requested).")
                % {"months": requested}
            ]
        }
    return required_text(
        "validity_reason", reason, _("Say why the validity is shorter than requested.")
    )


def proposal_line_problems(
    application: PermitApplication, *, recommendation: str, lines: list[dict[str, Any]]
) -> Errors:
    """What is wrong with a proposal's decisions per goods line: a line of another file or
    named twice, a reduction that is no reduction (never more than requested), a refused line
    citing no criterion of the file's framework, a grant that grants nothing or a refusal that
    grants something. Each message names the goods line."""
    errors: Errors = {}
    goods = {item.pk: item for item in application.goods.all()}
    codes = criteria.CRITERIA[criteria_framework(application)]
    seen: set[int] = set()

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    for position, line in enumerate(lines, start=1):
        field = f"lines[{position}]"
        item = goods.get(line.get("goods_item"))
        if item is None or item.pk in seen:
            add(
                f"{field}.goods_item",
                _("Line %(position)d: name each goods line of this file once.")
                % {"position": position},
            )
            continue
        seen.add(item.pk)
        named = {"description": item.description}
        outcome = line.get("outcome")
        if outcome not in ("grant", "reduce", "refuse"):
            add(f"{field}.outcome", _("%(description)s: grant, reduce or refuse.") % named)
        if outcome == "reduce":
            quantity, value = line.get("granted_quantity"), line.get("granted_value")
            if quantity is None and value is None:
                add(
                    f"{field}.granted_quantity",
                    _("%(description)s: give the reduced quantity or value.") % named,
                )
            if quantity is not None and not 0 < quantity <= item.quantity:
                add(
                    f"{field}.granted_quantity",
                    _(
                        "%(description)s: the quantity granted must be more than 0 and at most "
                        "the %(requested)s requested."
                    )
                    % {**named, "requested": f"{item.quantity.normalize():f}"},
                )
            if value is not None and not 0 < value <= item.line_value:
                add(
                    f"{field}.granted_value",
                    _(
                        "%(description)s: the value granted must be more than 0 and at most "
                        "the %(requested)s requested."
                    )
                    % {**named, "requested": f"{item.line_value:.2f}"},
                )
        if outcome == "refuse":
            cited = line.get("criteria") or []
            if not cited:
                add(
                    f"{field}.criteria",
                    _("%(description)s: a refused line cites the criteria it rests on.") % named,
                )
            unknown = [code for code in cited if code not in codes]
            if unknown:
                add(
                    f"{field}.criteria",
                    _("%(description)s: unknown criteria %(unknown)s; choose among %(codes)s.")
                    % {**named, "unknown": ", ".join(unknown), "codes": ", ".join(codes)},
                )
    refused = {line.get("goods_item") for line in lines if line.get("outcome") == "refuse"}
    granted_some = bool(set(goods) - refused)
    if recommendation == "grant" and not granted_some:
        add("lines", _("Every goods line is refused: recommend a refusal."))
    if recommendation == "refuse" and any(line.get("outcome") != "refuse" for line in lines):
        add(
            "lines",
            _("A refusal refuses every goods line: to grant some of them, recommend a grant."),
        )
    return errors


def can_decrement_licence(user: Any) -> bool:
    """Customs decrement licences for the declarations they clear; nobody else does."""
    return has_role(user, Role.CUSTOMS)
