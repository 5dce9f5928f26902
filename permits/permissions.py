"""Who may do what with a permit application: the one place these rules live.

Transitions (through django-fsm's ``permission=``), views and the API all ask this module.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from workflow.roles import Role, has_role, is_staff_member

if TYPE_CHECKING:
    from .models import PermitApplication

# The history an applicant reads: the workflow's steps and what concerns them directly. An
# allowlist, so that a new internal event (screening, flags, criteria…) stays internal.
APPLICANT_HISTORY = frozenset(
    {
        "submit",
        "start_review",
        "request_information",
        "provide_information",
        "propose_decision",
        "return_to_review",
        "approve",
        "refuse",
        "withdraw",
        "revoke",
        "expire",
        "lapse",
        "document_uploaded",
        "decision_document_stored",
        "shipment_recorded",
        "licence_exhausted",
        "licence_suspended",
        "licence_reinstated",
        "licence_amendment_started",
        "licence_renewal_started",
        "goods_returned",
    }
)
# Of those, the staff's own steps show without their comments.
STAFF_ONLY_COMMENTS = frozenset({"propose_decision", "return_to_review", "start_review"})

# Transitions whose actor reviewed the file: that person may not also decide it (four-eyes).
REVIEW_TRANSITIONS = ("request_information", "propose_decision")


def is_system(application: PermitApplication, user: Any) -> bool:
    return user is None


def is_applicant_member(application: PermitApplication, user: Any) -> bool:
    if not has_role(user, Role.APPLICANT):
        return False
    return application.organisation.members.filter(pk=user.pk).exists()


def can_submit(application: PermitApplication, user: Any) -> bool:
    return is_applicant_member(application, user)


def can_start_review(application: PermitApplication, user: Any) -> bool:
    return has_role(user, Role.CASE_MANAGER) or has_role(user, Role.HEAD_OF_UNIT)


def is_assigned_case_manager(application: PermitApplication, user: Any) -> bool:
    return (
        has_role(user, Role.CASE_MANAGER)
        and application.assigned_case_manager_id is not None
        and application.assigned_case_manager_id == user.pk
    )


def is_head_of_unit(application: PermitApplication, user: Any) -> bool:
    return has_role(user, Role.HEAD_OF_UNIT)


def reviewer_ids(application: PermitApplication) -> set[int]:
    """Everyone who has been this file's case manager or acted on it as reviewer."""
    from workflow.models import TransitionRecord

    ids: set[int] = set()
    if application.assigned_case_manager_id:
        ids.add(application.assigned_case_manager_id)
    records = TransitionRecord.objects.filter(application=application).filter(
        Q(transition="start_review") | Q(transition__in=REVIEW_TRANSITIONS)
    )
    for transition, actor_id, payload in records.values_list("transition", "actor_id", "payload"):
        if transition == "start_review":
            if payload.get("case_manager_id"):
                ids.add(payload["case_manager_id"])
        elif actor_id:
            ids.add(actor_id)
    return ids


def violates_four_eyes(application: PermitApplication, user: Any) -> bool:
    return user is not None and user.pk in reviewer_ids(application)


def can_decide(application: PermitApplication, user: Any) -> bool:
    return is_head_of_unit(application, user) and not violates_four_eyes(application, user)


def can_edit_draft(application: PermitApplication, user: Any) -> bool:
    return application.status == "draft" and is_applicant_member(application, user)


def can_create_application(user: Any) -> bool:
    return has_role(user, Role.APPLICANT) and user.applicant_organisations.exists()


def visible_applications(user: Any, queryset: QuerySet | None = None) -> QuerySet:
    """Applications ``user`` may read: their organisations' own, or (staff) all submitted ones.

    Anything else does not exist for them (views answer 404, not 403).
    """
    from .models import PermitApplication

    qs = queryset if queryset is not None else PermitApplication.objects.all()
    if user is None or not user.is_authenticated:
        return qs.none()
    if is_staff_member(user):
        # Drafts are the company's own working copies until submitted.
        return qs.exclude(status="draft")
    if has_role(user, Role.APPLICANT):
        return qs.filter(organisation__members=user)
    return qs.none()


def can_view_application(user: Any, application: PermitApplication) -> bool:
    return visible_applications(user).filter(pk=application.pk).exists()


# --- Documents ---

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
    if application.status in APPLICANT_DOCUMENT_STATES and is_applicant_member(application, user):
        return True
    return application.status in STAFF_DOCUMENT_STATES and (
        is_assigned_case_manager(application, user) or is_head_of_unit(application, user)
    )


def can_download_document(document: Any, user: Any) -> bool:
    """Whoever may see the document's application, and nobody else."""
    return can_view_application(user, document.application)


def history_visible_to(user: Any, queryset: QuerySet) -> QuerySet:
    """The part of a history queryset ``user`` may read."""
    if is_staff_member(user):
        return queryset
    return queryset.filter(transition__in=APPLICANT_HISTORY)
