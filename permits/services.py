"""Business actions on permit applications.

Each transition is one function that locks the application row, checks state, permission and
guard, runs the django-fsm transition, saves, and appends the history record — all in a single
``transaction.atomic()``. Views, admin actions, the API and tasks call these, never the model's
transition methods.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django_fsm import ConcurrentTransition, can_proceed

from workflow import services as workflow_services
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed
from workflow.models import CaseTask
from workflow.roles import Role, has_role

from . import permissions
from .compliance import services as compliance
from .compliance.models import ClockPause, GovernmentDecision, ScreeningRun
from .control_lists import control_entry_error, normalise_entry
from .models import (
    ApplicantOrganisation,
    Decision,
    GoodsItem,
    GoodsReturn,
    Kind,
    Licence,
    LicenceLine,
    Party,
    PermitApplication,
    Recommendation,
    ReferenceCounter,
    Shipment,
    ShipmentLine,
    Status,
)

User = AbstractBaseUser
Guard = Callable[[PermitApplication], dict[str, list[str]]]

# The federal prior authorisation (honourability check) is needed to export or transit arms.
ARMS_AUTHORISATION_KINDS = frozenset({"export", "transit"})
ARMS_REGIMES = frozenset({"military", "civil_firearms"})

DRAFT_FIELDS = (
    "kind",
    "regime",
    "licence_type",
    "country_of_origin",
    "country_of_destination",
    "transit_countries",
    "end_use_statement",
    "requested_validity_months",
    "total_value",
    "temporary_purpose",
)


# --- Drafts ---------------------------------------------------------------------------------


def _full_clean(instance: Any, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        raise TransitionGuardFailed(exc.message_dict, transition="edit") from exc


def application_create_draft(
    *, organisation: ApplicantOrganisation, actor: User, **fields: Any
) -> PermitApplication:
    if not has_role(actor, Role.APPLICANT) or not organisation.members.filter(pk=actor.pk).exists():
        raise TransitionForbidden(
            _("Only members of %(organisation)s can file applications for it.")
            % {"organisation": organisation},
            transition="create",
        )
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown draft fields: {', '.join(sorted(unknown))}")
    application = PermitApplication(
        organisation=organisation, created_by=actor, updated_by=actor, **fields
    )
    _full_clean(application, exclude=["status"])
    application.save()
    return application


def _locked_draft(application: PermitApplication, actor: User) -> PermitApplication:
    locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status != Status.DRAFT:
        raise TransitionConflict(
            _("Only a draft can be edited; this application is %(status)s.")
            % {"status": locked.get_status_display()},
            transition="edit",
        )
    if not permissions.can_edit_draft(locked, actor):
        raise TransitionForbidden(_("You cannot edit this application."), transition="edit")
    return locked


@transaction.atomic
def application_update_draft(
    *, application: PermitApplication, actor: User, **fields: Any
) -> PermitApplication:
    locked = _locked_draft(application, actor)
    unknown = set(fields) - set(DRAFT_FIELDS)
    if unknown:
        raise TypeError(f"Unknown draft fields: {', '.join(sorted(unknown))}")
    for name, value in fields.items():
        setattr(locked, name, value)
    locked.updated_by = actor
    _full_clean(locked, exclude=["status"])
    locked.save()
    return locked


@transaction.atomic
def goods_item_add(*, application: PermitApplication, actor: User, **fields: Any) -> GoodsItem:
    locked = _locked_draft(application, actor)
    if "control_entry" in fields:
        fields["control_entry"] = normalise_entry(fields["control_entry"])
    item = GoodsItem(application=locked, **fields)
    _full_clean(item, exclude=["application"])
    error = control_entry_error(item.control_entry, locked.regime)
    if error:
        raise TransitionGuardFailed({"control_entry": [error]}, transition="edit")
    item.save()
    return item


@transaction.atomic
def party_add(*, application: PermitApplication, actor: User, **fields: Any) -> Party:
    locked = _locked_draft(application, actor)
    party = Party(application=locked, **fields)
    _full_clean(party, exclude=["application"])
    party.save()
    return party


def _locked_child(model: type, pk: Any, application: PermitApplication) -> Any:
    try:
        return model.objects.select_for_update().get(pk=pk, application=application)
    except (model.DoesNotExist, ValueError, TypeError) as exc:
        raise TransitionConflict(
            _("This line is no longer part of the application; reload it."), transition="edit"
        ) from exc


@transaction.atomic
def goods_item_update(
    *, application: PermitApplication, item_id: int, actor: User, **fields: Any
) -> GoodsItem:
    locked = _locked_draft(application, actor)
    item = _locked_child(GoodsItem, item_id, locked)
    if "control_entry" in fields:
        fields["control_entry"] = normalise_entry(fields["control_entry"])
    for name, value in fields.items():
        setattr(item, name, value)
    _full_clean(item, exclude=["application"])
    error = control_entry_error(item.control_entry, locked.regime)
    if error:
        raise TransitionGuardFailed({"control_entry": [error]}, transition="edit")
    item.save()
    return item


@transaction.atomic
def goods_item_remove(*, application: PermitApplication, item_id: int, actor: User) -> None:
    locked = _locked_draft(application, actor)
    _locked_child(GoodsItem, item_id, locked).delete()


@transaction.atomic
def party_update(
    *, application: PermitApplication, party_id: int, actor: User, **fields: Any
) -> Party:
    locked = _locked_draft(application, actor)
    party = _locked_child(Party, party_id, locked)
    for name, value in fields.items():
        setattr(party, name, value)
    _full_clean(party, exclude=["application"])
    party.save()
    return party


@transaction.atomic
def party_remove(*, application: PermitApplication, party_id: int, actor: User) -> None:
    locked = _locked_draft(application, actor)
    _locked_child(Party, party_id, locked).delete()


# --- Guards ---------------------------------------------------------------------------------


def application_submission_problems(application: PermitApplication) -> dict[str, list[str]]:
    """What is missing or wrong before ``application`` can be submitted, field by field."""
    errors: dict[str, list[str]] = {}

    def add(field: str, message: str) -> None:
        errors.setdefault(field, []).append(message)

    if application.kind == Kind.IMPORT:
        if not application.country_of_origin:
            add("country_of_origin", _("The country of origin is required for an import."))
    elif not application.country_of_destination:
        add("country_of_destination", _("The country of destination is required."))
    if not application.end_use_statement.strip():
        add("end_use_statement", _("The end-use statement is required."))
    if application.total_value is None:
        add("total_value", _("The total value is required."))

    goods = list(application.goods.all())
    if not goods:
        add("goods", _("Add at least one goods item."))
    for position, item in enumerate(goods, start=1):
        error = control_entry_error(item.control_entry, application.regime)
        if error:
            add(f"goods[{position}].control_entry", error)

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

    from documents.models import Document
    from permits.document_rules import missing_required_documents

    for kind in missing_required_documents(application):
        add(
            "documents",
            _("Upload the %(document)s.") % {"document": Document.Kind(kind).label.lower()},
        )

    roles = {party.role for party in application.parties.all()}
    if Party.Role.CONSIGNEE not in roles:
        add("parties", _("A consignee is required."))
    if Party.Role.END_USER not in roles:
        add("parties", _("An end-user is required."))
    return errors


def _required_text(field: str, value: str, message: str) -> dict[str, list[str]]:
    return {} if (value or "").strip() else {field: [message]}


# --- Transition machinery -------------------------------------------------------------------


def _run_transition(
    *,
    application: PermitApplication,
    actor: User | None,
    name: str,
    guard: Guard | None = None,
    apply: Callable[[PermitApplication], None] | None = None,
    after: Callable[[PermitApplication, str], None] | None = None,
    then: Callable[[PermitApplication], None] | None = None,
    comment: str = "",
    payload: dict[str, Any] | Callable[[PermitApplication], dict[str, Any]] | None = None,
) -> PermitApplication:
    with transaction.atomic():
        # The row lock serialises concurrent actors: the loser waits, then sees the new state.
        locked = PermitApplication.objects.select_for_update().get(pk=application.pk)
        method = getattr(locked, name)
        if not can_proceed(method, check_conditions=False):
            raise TransitionConflict(
                _("Cannot %(transition)s: the application is %(status)s.")
                % {"transition": name.replace("_", " "), "status": locked.get_status_display()},
                transition=name,
            )
        fsm_transition = method._django_fsm.get_transition(locked.status)
        if not fsm_transition.has_perm(locked, actor):
            if name in ("approve", "refuse") and permissions.violates_four_eyes(locked, actor):
                raise TransitionForbidden(
                    _(
                        "Four-eyes rule: you reviewed this file, so another head of unit "
                        "must decide it."
                    ),
                    transition=name,
                )
            raise TransitionForbidden(
                _("You are not allowed to %(transition)s this application.")
                % {"transition": name.replace("_", " ")},
                transition=name,
            )
        if guard is not None:
            errors = guard(locked)
            if errors:
                raise TransitionGuardFailed(errors, transition=name)

        source = locked.status
        if apply is not None:
            apply(locked)
        method()
        if actor is not None:
            locked.updated_by = actor
        try:
            locked.save()
        except ConcurrentTransition as exc:
            raise TransitionConflict(
                _("Someone else changed this application at the same time; reload it."),
                transition=name,
            ) from exc
        if after is not None:
            after(locked, source)
        workflow_services.transition_record_create(
            application=locked,
            transition=name,
            source_state=source,
            target_state=locked.status,
            actor=actor,
            comment=comment,
            payload=payload(locked) if callable(payload) else (payload or {}),
        )
        if then is not None:
            then(locked)
    application.refresh_from_db()
    return locked


def _move_task(
    kind: str | None, candidate_role: str = "", assignee_of: str | None = None
) -> Callable[[PermitApplication, str], None]:
    """Close the file's open work item and open the one for whoever acts next."""

    def after(application: PermitApplication, source: str) -> None:
        actor = application.updated_by
        workflow_services.case_tasks_complete(application=application, actor=actor)
        if kind is not None:
            assignee = getattr(application, assignee_of) if assignee_of else None
            workflow_services.case_task_open(
                application=application,
                kind=kind,
                candidate_role=candidate_role,
                assignee=assignee,
            )

    return after


def _notify(application: PermitApplication, event: str) -> None:
    from .tasks import send_applicant_notification

    workflow_services.enqueue_after_commit(send_applicant_notification, application.pk, event)


def _screen_at_submission(application: PermitApplication) -> None:
    # The file is complete when it passes the submission guard: the decision clock starts.
    compliance.clock_start(application=application, on=timezone.localdate())
    compliance.application_screen(
        application=application, occasion=ScreeningRun.Occasion.SUBMISSION
    )


def _and_clock(
    after: Callable[[PermitApplication, str], None], *, pause: bool
) -> Callable[[PermitApplication, str], None]:
    """The clock stands still while the applicant is asked for information."""

    def both(application: PermitApplication, source: str) -> None:
        after(application, source)
        change = compliance.clock_pause if pause else compliance.clock_resume
        change(
            application=application,
            reason=ClockPause.Reason.INFORMATION_REQUESTED,
            on=timezone.localdate(),
        )

    return both


def _then_notify(
    after: Callable[[PermitApplication, str], None], event: str
) -> Callable[[PermitApplication, str], None]:
    def both(application: PermitApplication, source: str) -> None:
        after(application, source)
        _notify(application, event)

    return both


def _decide(
    application: PermitApplication,
    *,
    actor: User,
    outcome: str,
    grounds: str = "",
    criteria: list[str] | None = None,
) -> None:
    """Record the decision and, once committed, have its document rendered."""
    from permits.decisions.tasks import generate_decision_document

    government = GovernmentDecision.objects.filter(application=application).first()
    decision = Decision.objects.create(
        authority="government" if government else "head_of_unit",
        authority_reference=(
            f"{government.reference} ({government.decided_on.isoformat()})" if government else ""
        ),
        application=application,
        outcome=outcome,
        decided_by=actor,
        decided_at=application.decided_at,
        grounds=grounds,
        criteria=criteria or [],
        language=application.organisation.language,
    )
    workflow_services.enqueue_after_commit(generate_decision_document, decision.pk)


def _next_reference(application: PermitApplication) -> str:
    if application.follows_id is not None:
        # An amendment or renewal keeps its licence's number with a suffix: -A1, -A2, -R1…
        original = PermitApplication.objects.select_for_update().get(pk=application.follows_id)
        letter = "A" if application.follow_up == "amendment" else "R"
        taken = (
            PermitApplication.objects.filter(follows=original, follow_up=application.follow_up)
            .exclude(reference__isnull=True)
            .count()
        )
        return f"{original.reference}-{letter}{taken + 1}"
    year = timezone.localdate().year
    ReferenceCounter.objects.get_or_create(year=year)
    counter = ReferenceCounter.objects.select_for_update().get(year=year)
    counter.last_value += 1
    counter.save(update_fields=["last_value"])
    return f"{application.reference_prefix}-{year}-{counter.last_value:06d}"


# --- Transitions ----------------------------------------------------------------------------


def application_submit(*, application: PermitApplication, actor: User) -> PermitApplication:
    def apply(app: PermitApplication) -> None:
        app.reference = _next_reference(app)
        app.submitted_at = timezone.now()

    return _run_transition(
        application=application,
        actor=actor,
        name="submit",
        guard=application_submission_problems,
        apply=apply,
        after=_then_notify(_move_task(CaseTask.Kind.REVIEW, Role.CASE_MANAGER), "submitted"),
        then=_screen_at_submission,
        payload=lambda app: {"reference": app.reference},
    )


def application_start_review(
    *, application: PermitApplication, actor: User, case_manager: User | None = None
) -> PermitApplication:
    """A case manager takes the file, or the head of unit assigns it to a named case manager."""
    is_head = has_role(actor, Role.HEAD_OF_UNIT)
    if case_manager is not None and case_manager.pk != actor.pk and not is_head:
        raise TransitionForbidden(
            _("Only the head of unit can assign a file to someone else."),
            transition="start_review",
        )
    assignee = case_manager or actor

    def guard(app: PermitApplication) -> dict[str, list[str]]:
        if not has_role(assignee, Role.CASE_MANAGER):
            return {
                "case_manager": [
                    _("%(name)s is not a case manager: name the case manager who reviews it.")
                    % {"name": assignee.get_full_name() or assignee.get_username()}
                ]
            }
        return {}

    def apply(app: PermitApplication) -> None:
        app.assigned_case_manager = assignee

    def after(app: PermitApplication, source: str) -> None:
        workflow_services.case_task_claim(application=app, assignee=assignee)

    return _run_transition(
        application=application,
        actor=actor,
        name="start_review",
        guard=guard,
        apply=apply,
        after=after,
        payload=lambda app: {
            "case_manager_id": assignee.pk,
            "case_manager": assignee.get_username(),
        },
    )


def application_request_information(
    *, application: PermitApplication, actor: User, message: str
) -> PermitApplication:
    return _run_transition(
        application=application,
        actor=actor,
        name="request_information",
        guard=lambda app: _required_text(
            "message", message, _("Say what information the applicant must provide.")
        ),
        after=_then_notify(
            _and_clock(_move_task(CaseTask.Kind.PROVIDE_INFORMATION, Role.APPLICANT), pause=True),
            "information_requested",
        ),
        comment=message.strip(),
    )


def application_provide_information(
    *, application: PermitApplication, actor: User, reply: str
) -> PermitApplication:
    return _run_transition(
        application=application,
        actor=actor,
        name="provide_information",
        guard=lambda app: _required_text("reply", reply, _("A reply is required.")),
        after=_and_clock(
            _move_task(CaseTask.Kind.REVIEW, Role.CASE_MANAGER, "assigned_case_manager"),
            pause=False,
        ),
        comment=reply.strip(),
    )


def application_propose_decision(
    *,
    application: PermitApplication,
    actor: User,
    recommendation: str,
    reasons: str,
    grounds: str = "",
) -> PermitApplication:
    def guard(app: PermitApplication) -> dict[str, list[str]]:
        errors: dict[str, list[str]] = {}
        if recommendation not in Recommendation.values:
            errors["recommendation"] = [_("Recommend either grant or refuse.")]
        errors |= _required_text("reasons", reasons, _("Written reasons are required."))
        if recommendation == Recommendation.REFUSE:
            errors |= _required_text(
                "grounds", grounds, _("A proposed refusal must state its grounds.")
            )
            errors |= compliance.refusal_criteria_problems(app)
        return errors

    def apply(app: PermitApplication) -> None:
        app.recommendation = recommendation
        app.recommendation_reasons = reasons.strip()
        app.refusal_grounds = grounds.strip() if recommendation == Recommendation.REFUSE else ""

    return _run_transition(
        application=application,
        actor=actor,
        name="propose_decision",
        guard=guard,
        apply=apply,
        after=_move_task(CaseTask.Kind.APPROVE, Role.HEAD_OF_UNIT),
        comment=reasons.strip(),
        payload={"recommendation": recommendation, "grounds": grounds.strip()},
    )


def application_return_to_review(
    *, application: PermitApplication, actor: User, comment: str
) -> PermitApplication:
    def apply(app: PermitApplication) -> None:
        app.recommendation = ""
        app.recommendation_reasons = ""
        app.refusal_grounds = ""

    return _run_transition(
        application=application,
        actor=actor,
        name="return_to_review",
        guard=lambda app: _required_text(
            "comment", comment, _("Say why the file goes back to review.")
        ),
        apply=apply,
        after=_move_task(CaseTask.Kind.REVIEW, Role.CASE_MANAGER, "assigned_case_manager"),
        comment=comment.strip(),
    )


def licence_validity(application: PermitApplication, start: date) -> tuple[date, date]:
    months = application.requested_validity_months or settings.LICENCE_DEFAULT_VALIDITY_MONTHS
    months = min(months, settings.LICENCE_MAX_VALIDITY_MONTHS[application.regime])
    return start, start + relativedelta(months=months) - timedelta(days=1)


def application_approve(
    *, application: PermitApplication, actor: User, comment: str = ""
) -> PermitApplication:
    """Screen the file once more (committed on its own, so the findings stay even when the
    approval is then refused), and grant only without open blocking flags or consultations."""
    if application.status == Status.PENDING_APPROVAL and permissions.can_decide(application, actor):
        compliance.application_screen(
            application=application, occasion=ScreeningRun.Occasion.PRE_DECISION, actor=actor
        )
    now = timezone.now()

    def apply(app: PermitApplication) -> None:
        app.decided_at = now

    def after(app: PermitApplication, source: str) -> None:
        _move_task(None)(app, source)
        valid_from, valid_until = licence_validity(app, timezone.localdate(now))
        licence = Licence.objects.create(
            number=app.reference,
            application=app,
            holder=app.organisation,
            licence_type=app.licence_type,
            valid_from=valid_from,
            valid_until=valid_until,
            issued_at=now,
            issued_by=actor,
        )
        LicenceLine.objects.bulk_create(
            LicenceLine(
                licence=licence,
                goods_item=item,
                description=item.description,
                control_entry=item.control_entry,
                unit=item.unit,
                authorised_quantity=item.quantity,
                authorised_value=item.line_value,
            )
            for item in app.goods.all()
        )
        _decide(app, actor=actor, outcome=Decision.Outcome.GRANTED)

    return _run_transition(
        application=application,
        actor=actor,
        name="approve",
        guard=lambda app: (
            compliance.decision_blockers(app)
            | compliance.authority_problems(app, outcome="granted")
        ),
        apply=apply,
        after=after,
        comment=comment.strip(),
        payload=lambda app: {
            "licence": app.licence.number,
            "valid_from": app.licence.valid_from.isoformat(),
            "valid_until": app.licence.valid_until.isoformat(),
        },
    )


def application_refuse(
    *, application: PermitApplication, actor: User, grounds: str
) -> PermitApplication:
    def apply(app: PermitApplication) -> None:
        app.decided_at = timezone.now()
        app.refusal_grounds = grounds.strip()

    def after(app: PermitApplication, source: str) -> None:
        _move_task(None)(app, source)
        _decide(
            app,
            actor=actor,
            outcome=Decision.Outcome.REFUSED,
            grounds=grounds.strip(),
            criteria=compliance.refusal_criteria(app),
        )

    def guard(app: PermitApplication) -> dict[str, list[str]]:
        errors = _required_text("grounds", grounds, _("A refusal must state its grounds."))
        errors |= compliance.refusal_criteria_problems(app)
        return errors | compliance.authority_problems(app, outcome="refused")

    return _run_transition(
        application=application,
        actor=actor,
        name="refuse",
        guard=guard,
        apply=apply,
        after=after,
        comment=grounds.strip(),
    )


def application_withdraw(
    *, application: PermitApplication, actor: User, reason: str = ""
) -> PermitApplication:
    return _run_transition(
        application=application,
        actor=actor,
        name="withdraw",
        after=_move_task(None),
        comment=reason.strip(),
    )


def application_revoke(
    *, application: PermitApplication, actor: User, reason: str
) -> PermitApplication:
    def after(app: PermitApplication, source: str) -> None:
        Licence.objects.filter(application=app).update(status=Licence.Status.REVOKED)
        _notify(app, "licence_revoked")

    return _run_transition(
        application=application,
        actor=actor,
        name="revoke",
        guard=lambda app: _required_text(
            "reason", reason, _("A revocation must state its reason.")
        ),
        after=after,
        comment=reason.strip(),
    )


def application_expire(
    *, application: PermitApplication, actor: None = None, today: date | None = None
) -> PermitApplication:
    today = today or timezone.localdate()

    def guard(app: PermitApplication) -> dict[str, list[str]]:
        licence = Licence.objects.filter(application=app).first()
        if licence is None or licence.valid_until >= today:
            return {"licence": [_("The licence is still within its validity.")]}
        return {}

    def after(app: PermitApplication, source: str) -> None:
        Licence.objects.filter(application=app).update(status=Licence.Status.EXPIRED)

    return _run_transition(
        application=application,
        actor=actor,
        name="expire",
        guard=guard,
        after=after,
        payload={"swept_on": today.isoformat()},
    )


# Events written to an application's history besides its transitions (same state before and
# after): the history feed's filters offer exactly these and the transitions.
HISTORY_EVENTS = (
    "document_uploaded",
    "decision_document_stored",
    "screening",
    "flag_cleared",
    "consultation_answered",
    "consultation_opened",
    "criterion_assessed",
    "shipment_recorded",
    "licence_exhausted",
    "licence_suspended",
    "licence_reinstated",
    "licence_amendment_started",
    "licence_renewal_started",
    "goods_returned",
    "government_decision_recorded",
)


def application_lapse(
    *, application: PermitApplication, actor: None = None, today: date | None = None
) -> PermitApplication:
    """Close a file whose information request went unanswered for
    ``INFORMATION_REQUEST_LAPSE_DAYS``; the applicant is told."""
    today = today or timezone.localdate()

    def guard(app: PermitApplication) -> dict[str, list[str]]:
        pause = app.clock_pauses.filter(
            reason=ClockPause.Reason.INFORMATION_REQUESTED, ended_on__isnull=True
        ).first()
        waited = (today - pause.started_on).days if pause else 0
        if waited < settings.INFORMATION_REQUEST_LAPSE_DAYS:
            return {
                "information_request": [
                    _("The applicant still has time to answer (%(days)d of %(limit)d days).")
                    % {"days": waited, "limit": settings.INFORMATION_REQUEST_LAPSE_DAYS}
                ]
            }
        return {}

    def after(app: PermitApplication, source: str) -> None:
        _move_task(None)(app, source)
        compliance.clock_resume(
            application=app, reason=ClockPause.Reason.INFORMATION_REQUESTED, on=today
        )
        _notify(app, "request_lapsed")

    return _run_transition(
        application=application,
        actor=actor,
        name="lapse",
        guard=guard,
        after=after,
        payload={"lapsed_on": today.isoformat()},
    )


TRANSITION_SERVICES: dict[str, Callable[..., PermitApplication]] = {
    "submit": application_submit,
    "start_review": application_start_review,
    "request_information": application_request_information,
    "provide_information": application_provide_information,
    "propose_decision": application_propose_decision,
    "return_to_review": application_return_to_review,
    "approve": application_approve,
    "refuse": application_refuse,
    "withdraw": application_withdraw,
    "revoke": application_revoke,
    "expire": application_expire,
    "lapse": application_lapse,
}


# --- After issue: using, suspending and reinstating a licence ----------------------------------


def _locked_licence(licence: Licence) -> Licence:
    return (
        Licence.objects.select_for_update()
        .select_related("application__organisation")
        .get(pk=licence.pk)
    )


def _licence_event(licence: Licence, actor: User, event: str, **payload: Any) -> None:
    application = licence.application
    workflow_services.history_event_record(
        application=application,
        event=event,
        actor=actor,
        comment=payload.pop("comment", ""),
        payload=payload,
    )


def shipment_record(
    *,
    licence: Licence,
    actor: User,
    shipped_on: date,
    customs_reference: str,
    quantities: dict[int, Decimal],
) -> Shipment:
    """Record a shipment against the licence's balances; refuse anything beyond a balance.

    ``quantities`` maps licence line ids to shipped quantities. When every balance reaches
    zero the licence is exhausted.
    """
    with transaction.atomic():
        locked = _locked_licence(licence)
        if not permissions.is_applicant_member(locked.application, actor):
            raise TransitionForbidden(
                _("Only the licence holder records its shipments."), transition="shipment"
            )
        if locked.status != Licence.Status.VALID:
            raise TransitionConflict(
                _("Licence %(number)s is %(status)s: no shipment can be recorded against it.")
                % {"number": locked.number, "status": locked.get_status_display().lower()},
                transition="shipment",
            )
        errors: dict[str, list[str]] = {}
        if not (locked.valid_from <= shipped_on <= locked.valid_until):
            errors["shipped_on"] = [
                _("The shipment date must fall within the licence's validity (%(a)s to %(b)s).")
                % {"a": locked.valid_from.isoformat(), "b": locked.valid_until.isoformat()}
            ]
        if not customs_reference.strip():
            errors["customs_reference"] = [_("The customs declaration reference is required.")]
        balances = {b["line"].pk: b for b in licence_balances(licence=locked)}
        wanted = {int(k): Decimal(v) for k, v in quantities.items() if Decimal(v) != 0}
        if not wanted:
            errors["quantities"] = [_("Ship at least one line of the licence.")]
        for line_id, quantity in wanted.items():
            balance = balances.get(line_id)
            field = f"quantities[{line_id}]"
            if balance is None:
                errors[field] = [_("This line is not part of the licence.")]
            elif quantity < 0:
                errors[field] = [_("A quantity cannot be negative.")]
            elif quantity > balance["remaining_quantity"]:
                errors[field] = [
                    _("%(quantity)s exceeds the remaining balance of %(remaining)s %(unit)s.")
                    % {
                        "quantity": f"{quantity.normalize():f}",
                        "remaining": f"{balance['remaining_quantity'].normalize():f}",
                        "unit": balance["line"].unit,
                    }
                ]
        if errors:
            raise TransitionGuardFailed(errors, transition="shipment")
        shipment = Shipment.objects.create(
            licence=locked,
            shipped_on=shipped_on,
            customs_reference=customs_reference.strip(),
            recorded_by=actor,
        )
        for line_id, quantity in wanted.items():
            line = balances[line_id]["line"]
            unit_value = (
                line.authorised_value / line.authorised_quantity if line.authorised_quantity else 0
            )
            ShipmentLine.objects.create(
                shipment=shipment,
                licence_line=line,
                quantity=quantity,
                value=(quantity * unit_value).quantize(Decimal("0.01")),
            )
        _licence_event(
            locked,
            actor,
            "shipment_recorded",
            shipment=shipment.pk,
            shipped_on=shipped_on.isoformat(),
            customs_reference=shipment.customs_reference,
            quantities={str(k): f"{v:f}" for k, v in wanted.items()},
        )
        if all(b["remaining_quantity"] == 0 for b in licence_balances(licence=locked)):
            Licence.objects.filter(pk=locked.pk).update(status=Licence.Status.EXHAUSTED)
            _licence_event(locked, actor, "licence_exhausted")
    return shipment


def licence_balances(*, licence: Licence) -> list[dict[str, Any]]:
    """Per licence line: what is authorised, shipped and remaining."""
    from django.db.models import Sum
    from django.db.models.functions import Coalesce

    zero = Decimal("0")
    lines = LicenceLine.objects.filter(licence=licence).annotate(
        shipped_quantity=Coalesce(Sum("shipped__quantity"), zero),
        shipped_value=Coalesce(Sum("shipped__value"), zero),
    )
    return [
        {
            "line": line,
            "shipped_quantity": line.shipped_quantity,
            "remaining_quantity": line.authorised_quantity - line.shipped_quantity,
            "shipped_value": line.shipped_value,
            "remaining_value": line.authorised_value - line.shipped_value,
        }
        for line in lines
    ]


def _licence_status_change(
    *, licence: Licence, actor: User, reason: str, source: str, target: str, event: str
) -> Licence:
    with transaction.atomic():
        locked = _locked_licence(licence)
        if not permissions.is_head_of_unit(locked.application, actor):
            raise TransitionForbidden(
                _("Only the head of unit can suspend or reinstate a licence."), transition=event
            )
        if locked.status != source:
            raise TransitionConflict(
                _("Licence %(number)s is %(status)s.")
                % {"number": locked.number, "status": locked.get_status_display().lower()},
                transition=event,
            )
        if not (reason or "").strip():
            raise TransitionGuardFailed({"reason": [_("A reason is required.")]}, transition=event)
        Licence.objects.filter(pk=locked.pk).update(status=target)
        _licence_event(locked, actor, event, comment=reason.strip())
        _notify(locked.application, event)
        locked.refresh_from_db()
    return locked


def licence_suspend(*, licence: Licence, actor: User, reason: str) -> Licence:
    return _licence_status_change(
        licence=licence,
        actor=actor,
        reason=reason,
        source=Licence.Status.VALID,
        target=Licence.Status.SUSPENDED,
        event="licence_suspended",
    )


def licence_reinstate(*, licence: Licence, actor: User, reason: str) -> Licence:
    return _licence_status_change(
        licence=licence,
        actor=actor,
        reason=reason,
        source=Licence.Status.SUSPENDED,
        target=Licence.Status.VALID,
        event="licence_reinstated",
    )


def licence_follow_up_create(*, licence: Licence, actor: User, follow_up: str) -> PermitApplication:
    """Start an amendment or a renewal of ``licence``: a new draft that copies the application
    it was issued on (goods, parties, route) and points back to it."""
    if follow_up not in ("amendment", "renewal"):
        raise TransitionGuardFailed(
            {"follow_up": [_("Choose amendment or renewal.")]}, transition="follow_up"
        )
    original = licence.application
    if not permissions.is_applicant_member(original, actor):
        raise TransitionForbidden(
            _("Only the licence holder can amend or renew it."), transition="follow_up"
        )
    if licence.status in (Licence.Status.REVOKED,):
        raise TransitionConflict(
            _("A revoked licence cannot be amended or renewed."), transition="follow_up"
        )
    with transaction.atomic():
        draft = PermitApplication.objects.create(
            organisation=original.organisation,
            kind=original.kind,
            regime=original.regime,
            licence_type=original.licence_type,
            country_of_origin=original.country_of_origin,
            country_of_destination=original.country_of_destination,
            transit_countries=original.transit_countries,
            end_use_statement=original.end_use_statement,
            requested_validity_months=original.requested_validity_months,
            total_value=original.total_value,
            follows=original,
            follow_up=follow_up,
            created_by=actor,
            updated_by=actor,
        )
        # A renewal carries on what is left: each item at its remaining balance, used-up
        # items dropped. An amendment starts from the items as authorised.
        remaining = {
            b["line"].goods_item_id: b["remaining_quantity"]
            for b in licence_balances(licence=licence)
        }
        GoodsItem.objects.bulk_create(
            GoodsItem(
                application=draft,
                description=g.description,
                control_entry=g.control_entry,
                quantity=remaining.get(g.pk, g.quantity) if follow_up == "renewal" else g.quantity,
                unit=g.unit,
                unit_value=g.unit_value,
                currency=g.currency,
            )
            for g in original.goods.all()
            if follow_up != "renewal" or remaining.get(g.pk, g.quantity) > 0
        )
        Party.objects.bulk_create(
            Party(application=draft, role=p.role, name=p.name, address=p.address, country=p.country)
            for p in original.parties.all()
        )
        _licence_event(licence, actor, f"licence_{follow_up}_started", draft=str(draft.public_id))
    return draft


# --- Temporary movements: the goods come back within a year ------------------------------------

TEMPORARY_RETURN_PERIOD = relativedelta(years=1)


def goods_outstanding(*, shipment_line: ShipmentLine) -> Decimal:
    returned = sum((r.quantity for r in shipment_line.returns.all()), Decimal("0"))
    return shipment_line.quantity - returned


def return_due_on(shipment: Shipment) -> date:
    return shipment.shipped_on + TEMPORARY_RETURN_PERIOD


def goods_return_record(
    *,
    shipment_line: ShipmentLine,
    actor: User,
    quantity: Decimal,
    returned_on: date,
    customs_reference: str,
) -> GoodsReturn:
    """Record temporarily exported goods coming back; never more than went out."""
    with transaction.atomic():
        line = (
            ShipmentLine.objects.select_for_update()
            .select_related("shipment__licence__application")
            .get(pk=shipment_line.pk)
        )
        application = line.shipment.licence.application
        if not permissions.is_applicant_member(application, actor):
            raise TransitionForbidden(
                _("Only the licence holder records returns."), transition="goods_return"
            )
        if not application.temporary_purpose:
            raise TransitionConflict(
                _("This licence is for a definitive movement: nothing is to come back."),
                transition="goods_return",
            )
        errors: dict[str, list[str]] = {}
        outstanding = goods_outstanding(shipment_line=line)
        if quantity <= 0:
            errors["quantity"] = [_("Return a positive quantity.")]
        elif quantity > outstanding:
            errors["quantity"] = [
                _("Only %(outstanding)s went out and has not come back yet.")
                % {"outstanding": f"{outstanding.normalize():f}"}
            ]
        if returned_on < line.shipment.shipped_on:
            errors["returned_on"] = [_("Goods cannot come back before they left.")]
        if not customs_reference.strip():
            errors["customs_reference"] = [_("The customs declaration reference is required.")]
        if errors:
            raise TransitionGuardFailed(errors, transition="goods_return")
        goods_return = GoodsReturn.objects.create(
            shipment_line=line,
            quantity=quantity,
            returned_on=returned_on,
            customs_reference=customs_reference.strip(),
            recorded_by=actor,
        )
        workflow_services.history_event_record(
            application=application,
            event="goods_returned",
            actor=actor,
            payload={
                "shipment": line.shipment_id,
                "quantity": f"{quantity:f}",
                "returned_on": returned_on.isoformat(),
                "late": returned_on > return_due_on(line.shipment),
            },
        )
    return goods_return


def temporary_returns_outstanding(*, today: date) -> list[dict[str, Any]]:
    """Shipments of temporary licences with goods still abroad, and when they are due back."""
    lines = ShipmentLine.objects.filter(
        shipment__licence__application__temporary_purpose__gt=""
    ).select_related("shipment__licence__application", "licence_line")
    result = []
    for line in lines.prefetch_related("returns"):
        outstanding = goods_outstanding(shipment_line=line)
        if outstanding > 0:
            due = return_due_on(line.shipment)
            result.append(
                {
                    "line": line,
                    "outstanding": outstanding,
                    "due_on": due,
                    "days_left": (due - today).days,
                }
            )
    return result
