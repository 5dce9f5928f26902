"""Review: a case manager takes the file, asks the applicant for information (the applicant
answers, or the request lapses), proposes a decision; the head of unit may send it back."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from documents import services as file_store
from documents.models import Document
from documents.services import CheckedFile
from workflow import services as workflow_services
from workflow.exceptions import TransitionForbidden, TransitionGuardFailed
from workflow.models import CaseTask
from workflow.roles import Role, has_role

from .. import events, rules
from ..compliance.models import ClockPause
from ..models import (
    GoodsItem,
    LineOutcome,
    PermitApplication,
    ProposedLine,
    Recommendation,
    StandardCondition,
)
from ._base import (
    User,
    applicant_notify,
    application_locked,
    done,
    guard_check,
    transition_check,
    transition_make,
    work_item_hand_over,
)
from .clocks import clock_pause, clock_resume


@transaction.atomic
def application_start_review(
    *, application: PermitApplication, actor: User, case_manager: User | None = None
) -> PermitApplication:
    """A case manager takes the file, or the head of unit assigns it to a named case manager."""
    # Without an actor (the system) nobody may be assigned: refused below, never an error.
    assigning_someone_else = case_manager is not None and case_manager.pk != getattr(
        actor, "pk", None
    )
    if assigning_someone_else and not rules.can_assign_to_others(actor):
        raise TransitionForbidden(
            _("Only the head of unit can assign a file to someone else."),
            transition="start_review",
        )
    assignee = case_manager or actor
    locked = application_locked(application)
    transition_check(locked, "start_review", actor)
    if not has_role(assignee, Role.CASE_MANAGER):
        guard_check(
            "start_review",
            {
                "case_manager": [
                    _("%(name)s is not a case manager: name the case manager who reviews it.")
                    % {"name": assignee.get_full_name() or assignee.get_username()}
                ]
            },
        )
    locked.assigned_case_manager = assignee
    source = transition_make(locked, "start_review", actor)
    workflow_services.case_task_claim(application=locked, assignee=assignee)
    events.transition_recorded(
        application=locked,
        name="start_review",
        source_state=source,
        actor=actor,
        case_manager_id=assignee.pk,
        case_manager=assignee.get_username(),
    )
    return done(application, locked)


@transaction.atomic
def application_request_information(
    *, application: PermitApplication, actor: User, message: str
) -> PermitApplication:
    locked = application_locked(application)
    transition_check(locked, "request_information", actor)
    guard_check(
        "request_information",
        rules.required_text(
            "message", message, _("Say what information the applicant must provide.")
        ),
    )
    source = transition_make(locked, "request_information", actor)
    work_item_hand_over(
        application=locked,
        actor=actor,
        kind=CaseTask.Kind.PROVIDE_INFORMATION,
        candidate_role=Role.APPLICANT,
    )
    # The clock stands still while the applicant is asked for information.
    clock_pause(
        application=locked,
        reason=ClockPause.Reason.INFORMATION_REQUESTED,
        on=timezone.localdate(),
    )
    record = events.transition_recorded(
        application=locked,
        name="request_information",
        source_state=source,
        actor=actor,
        comment=message.strip(),
    )
    applicant_notify(locked, "information_requested", occurrence=record.pk)
    return done(application, locked)


def _reply_files_checked(documents: Sequence[Any]) -> list[CheckedFile]:
    """Every attached file checked by its bytes before anything is stored; the first refused
    one refuses the whole reply, naming the file."""
    checked = []
    for uploaded in documents:
        try:
            checked.append(file_store.file_check(uploaded))
        except ValidationError as exc:
            name = getattr(uploaded, "name", "") or _("a file")
            messages = [m for msgs in exc.message_dict.values() for m in msgs]
            raise TransitionGuardFailed(
                {"documents": [f"{name}: {m}" for m in messages]},
                transition="provide_information",
            ) from exc
    return checked


def application_provide_information(
    *,
    application: PermitApplication,
    actor: User,
    reply: str,
    documents: Sequence[Any] = (),
) -> PermitApplication:
    """The applicant answers, with the documents the request asked for: all or nothing. One
    refused file, a missing reply or a lost race stores no document, no file and no history."""
    checked = _reply_files_checked(documents)  # read before the lock: PDFs take a while
    stored: list[Document] = []
    try:
        with transaction.atomic():
            locked = application_locked(application)
            transition_check(locked, "provide_information", actor)
            guard_check(
                "provide_information",
                rules.required_text("reply", reply, _("A reply is required.")),
            )
            for file in checked:
                document = file_store.document_store(
                    application=locked,
                    kind=Document.Kind.INFORMATION_REPLY,
                    file=file,
                    uploaded_by=actor,
                )
                stored.append(document)
                events.document_uploaded(application=locked, actor=actor, document=document)
            source = transition_make(locked, "provide_information", actor)
            work_item_hand_over(
                application=locked,
                actor=actor,
                kind=CaseTask.Kind.REVIEW,
                candidate_role=Role.CASE_MANAGER,
                assignee=locked.assigned_case_manager,
            )
            clock_resume(
                application=locked,
                reason=ClockPause.Reason.INFORMATION_REQUESTED,
                on=timezone.localdate(),
            )
            events.transition_recorded(
                application=locked,
                name="provide_information",
                source_state=source,
                actor=actor,
                comment=reply.strip(),
            )
    except BaseException:
        # Nothing was committed: the files stored above must not outlive their rows.
        for document in stored:
            file_store.uncommitted_file_remove(document)
        raise
    return done(application, locked)


def _proposed_line(item: GoodsItem, line: dict[str, Any] | None, refusal: bool, cited: list[str]):
    """One goods line of the proposal with its granted quantity and value worked out: as
    requested for a grant, the reduction given (a reduced quantity keeps its unit value) for a
    reduced grant, nothing for a refusal."""
    outcome = (line or {}).get("outcome") or (LineOutcome.REFUSE if refusal else LineOutcome.GRANT)
    quantity, value = item.quantity, item.line_value
    if outcome == LineOutcome.REDUCE:
        if line.get("granted_quantity") is not None:
            quantity = line["granted_quantity"]
            value = min(quantity * item.unit_value, item.line_value)
        if line.get("granted_value") is not None:
            value = line["granted_value"]
    if outcome == LineOutcome.REFUSE:
        quantity, value = Decimal("0"), Decimal("0")
    return ProposedLine(
        goods_item=item,
        outcome=outcome,
        granted_quantity=quantity,
        granted_value=value.quantize(Decimal("0.01")),
        criteria=list((line or {}).get("criteria") or (cited if outcome == "refuse" else [])),
    )


def _conditions_chosen(codes: list[str] | None) -> tuple[list[StandardCondition], list[str]]:
    """The active standard conditions named (their latest version), and the codes unknown.
    ``None`` (a proposal that names none) means the default conditions, those still active."""
    defaults = codes is None
    chosen = []
    unknown = []
    for code in dict.fromkeys(settings.LICENCE_DEFAULT_CONDITIONS if defaults else codes):
        condition = (
            StandardCondition.objects.filter(code=code, active=True).order_by("-version").first()
        )
        if condition is not None:
            chosen.append(condition)
        elif not defaults:
            unknown.append(code)
    return chosen, unknown


@transaction.atomic
def application_propose_decision(
    *,
    application: PermitApplication,
    actor: User,
    recommendation: str,
    reasons: str,
    grounds: str = "",
    lines: list[dict[str, Any]] | None = None,
    conditions: list[str] | None = None,
    conditions_text: str = "",
) -> PermitApplication:
    """The case manager's proposal: grant or refuse, and per goods line grant as requested,
    grant reduced (never more than requested) or refuse citing criteria, with the licence's
    conditions. Without ``lines`` every line follows the recommendation as requested."""
    locked = application_locked(application)
    transition_check(locked, "propose_decision", actor)
    cited = rules.refusal_criteria(locked)
    lines = [dict(line) for line in lines or []]
    if recommendation == Recommendation.REFUSE:
        # A refused line that cites nothing rests on the worksheet's grounds for refusal.
        for line in lines:
            if line.get("outcome") == LineOutcome.REFUSE and not line.get("criteria"):
                line["criteria"] = cited
    errors: dict[str, list[str]] = {}
    if recommendation not in Recommendation.values:
        errors["recommendation"] = [_("Recommend either grant or refuse.")]
    errors |= rules.required_text("reasons", reasons, _("Written reasons are required."))
    refuses_lines = any(line.get("outcome") == LineOutcome.REFUSE for line in lines)
    if recommendation == Recommendation.REFUSE or refuses_lines:
        errors |= rules.required_text(
            "grounds", grounds, _("A proposed refusal must state its grounds.")
        )
    if recommendation == Recommendation.REFUSE:
        errors |= rules.refusal_criteria_problems(locked)
    errors |= rules.proposal_line_problems(locked, recommendation=recommendation, lines=lines)
    chosen, unknown = _conditions_chosen(conditions)
    if unknown:
        errors["conditions"] = [
            _("Unknown or inactive standard conditions: %(codes)s.") % {"codes": ", ".join(unknown)}
        ]
    guard_check("propose_decision", errors)
    refusal = recommendation == Recommendation.REFUSE
    by_item = {line["goods_item"]: line for line in lines}
    proposed = [
        _proposed_line(item, by_item.get(item.pk), refusal, cited) for item in locked.goods.all()
    ]
    locked.proposed_lines.all().delete()
    for line in proposed:
        line.application = locked
    ProposedLine.objects.bulk_create(proposed)
    locked.proposed_conditions.set(chosen)
    locked.conditions_text = "" if refusal else (conditions_text or "").strip()
    locked.recommendation = recommendation
    locked.recommendation_reasons = reasons.strip()
    locked.refusal_grounds = grounds.strip() if refusal or refuses_lines else ""
    source = transition_make(locked, "propose_decision", actor)
    work_item_hand_over(
        application=locked,
        actor=actor,
        kind=CaseTask.Kind.APPROVE,
        candidate_role=Role.HEAD_OF_UNIT,
    )
    events.transition_recorded(
        application=locked,
        name="propose_decision",
        source_state=source,
        actor=actor,
        comment=reasons.strip(),
        recommendation=recommendation,
        grounds=grounds.strip(),
        lines=[
            {
                "goods_item": line.goods_item_id,
                "outcome": line.outcome,
                "granted_quantity": f"{line.granted_quantity:f}",
                "granted_value": f"{line.granted_value:f}",
                "criteria": line.criteria,
            }
            for line in proposed
        ],
        conditions=[f"{c.code}@{c.version}" for c in chosen],
    )
    return done(application, locked)


@transaction.atomic
def application_return_to_review(
    *, application: PermitApplication, actor: User, comment: str
) -> PermitApplication:
    locked = application_locked(application)
    transition_check(locked, "return_to_review", actor)
    guard_check(
        "return_to_review",
        rules.required_text("comment", comment, _("Say why the file goes back to review.")),
    )
    locked.recommendation = ""
    locked.recommendation_reasons = ""
    locked.refusal_grounds = ""
    # The head approves a proposal as it stands or returns it: the next one starts afresh.
    locked.proposed_lines.all().delete()
    locked.proposed_conditions.clear()
    locked.conditions_text = ""
    source = transition_make(locked, "return_to_review", actor)
    work_item_hand_over(
        application=locked,
        actor=actor,
        kind=CaseTask.Kind.REVIEW,
        candidate_role=Role.CASE_MANAGER,
        assignee=locked.assigned_case_manager,
    )
    events.transition_recorded(
        application=locked,
        name="return_to_review",
        source_state=source,
        actor=actor,
        comment=comment.strip(),
    )
    return done(application, locked)


@transaction.atomic
def application_lapse(
    *, application: PermitApplication, actor: None = None, today: date | None = None
) -> PermitApplication:
    """Close a file whose information request went unanswered for
    ``INFORMATION_REQUEST_LAPSE_DAYS``; the applicant is told."""
    today = today or timezone.localdate()
    locked = application_locked(application)
    transition_check(locked, "lapse", actor)
    pause = locked.clock_pauses.filter(
        reason=ClockPause.Reason.INFORMATION_REQUESTED, ended_on__isnull=True
    ).first()
    waited = (today - pause.started_on).days if pause else 0
    if waited < settings.INFORMATION_REQUEST_LAPSE_DAYS:
        guard_check(
            "lapse",
            {
                "information_request": [
                    _("The applicant still has time to answer (%(days)d of %(limit)d days).")
                    % {"days": waited, "limit": settings.INFORMATION_REQUEST_LAPSE_DAYS}
                ]
            },
        )
    source = transition_make(locked, "lapse", actor)
    work_item_hand_over(application=locked, actor=actor)
    clock_resume(application=locked, reason=ClockPause.Reason.INFORMATION_REQUESTED, on=today)
    record = events.transition_recorded(
        application=locked,
        name="lapse",
        source_state=source,
        actor=actor,
        lapsed_on=today.isoformat(),
    )
    applicant_notify(locked, "request_lapsed", occurrence=record.pk)
    return done(application, locked)
