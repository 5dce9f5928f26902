"""The decision: the head of unit who did not review the file approves it (the licence is
issued) or refuses it; where the Brussels Government decides, its decision is recorded first
and the head carries it out. Either way a ``Decision`` is written and its document is rendered
after commit (``permits.decisions``)."""

from __future__ import annotations

import copy
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.conf import settings
from django.db import transaction
from django.db.models import Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _

from documents.models import Document
from outbox.services import task_enqueue_after_commit
from workflow.exceptions import TransitionConflict, TransitionForbidden, TransitionGuardFailed

from .. import events, rules
from ..compliance.models import GovernmentDecision, ScreeningFlag, ScreeningRun
from ..models import (
    Decision,
    Licence,
    LicenceLine,
    LineOutcome,
    PermitApplication,
    ProposedLine,
    Status,
)
from ..snapshots import FileRows, application_snapshot
from ._base import (
    User,
    application_locked,
    done,
    guard_check,
    transition_check,
    transition_make,
    work_item_hand_over,
)
from .licences import licence_replace_original
from .screening import screening_store

# Renders, signs and stores the decision's document (idempotent; a beat sweep catches up).
DECISION_DOCUMENT_TASK = "permits.decisions.tasks.generate_decision_document"


def requested_validity(application: PermitApplication) -> int:
    """The validity asked for (or the default), within the family's maximum: the draft step
    refuses more, this only guards files filed before the maximum was lowered."""
    months = application.requested_validity_months or settings.LICENCE_DEFAULT_VALIDITY_MONTHS
    return min(months, settings.LICENCE_MAX_VALIDITY_MONTHS[application.regime])


def licence_validity(
    application: PermitApplication, start: date, months: int | None = None
) -> tuple[date, date]:
    months = months or requested_validity(application)
    return start, start + relativedelta(months=months) - timedelta(days=1)


def decided_lines(
    application: PermitApplication, *, refused: bool, cited: list[str] | None = None
) -> list[ProposedLine]:
    """The decision per goods line: the proposal as it stands; without one (a proposal made
    before decisions per line), every line as the whole file is decided, as requested.
    ``cited``: the worksheet's grounds for refusal (``rules.refusal_criteria``), when the
    caller has them."""
    proposed = {line.goods_item_id: line for line in application.proposed_lines.all()}
    if cited is None:
        cited = rules.refusal_criteria(application)
    lines = []
    for item in application.goods.all():
        line = proposed.get(item.pk)
        if line is not None:
            # A copy: the proposal's own row (the approval's snapshot shows it) stays as read.
            line = copy.copy(line)
            line.goods_item = item  # the item read here, not one query per line later
        else:
            line = ProposedLine(
                goods_item=item,
                outcome=LineOutcome.REFUSE if refused else LineOutcome.GRANT,
                granted_quantity=item.quantity,
                granted_value=item.line_value,
                criteria=[],
            )
        if refused and line.outcome != LineOutcome.REFUSE:
            # The head refuses the whole file: every line falls with the worksheet's criteria.
            line = ProposedLine(goods_item=item, outcome=LineOutcome.REFUSE, criteria=[])
        if line.outcome == LineOutcome.REFUSE:
            line.granted_quantity = line.granted_value = None
            line.criteria = line.criteria or cited
        lines.append(line)
    return lines


def _lines_record(lines: list[ProposedLine]) -> list[dict[str, Any]]:
    """What the decision says per goods line, kept with it as decided."""

    def text(number: Any) -> str | None:
        return None if number is None else f"{number:f}"

    return [
        {
            "goods_item": line.goods_item_id,
            "description": line.goods_item.description,
            "control_entry": line.goods_item.control_entry,
            "unit": line.goods_item.unit,
            "requested_quantity": text(line.goods_item.quantity),
            "requested_value": text(line.goods_item.line_value.quantize(Decimal("0.01"))),
            "outcome": line.outcome,
            "granted_quantity": text(line.granted_quantity),
            "granted_value": text(line.granted_value),
            "criteria": list(line.criteria),
        }
        for line in lines
    ]


def _conditions_record(application: PermitApplication) -> list[dict[str, Any]]:
    """The conditions the licence carries, in every language, as the decision printed them."""
    record: list[dict[str, Any]] = [
        {
            "code": c.code,
            "version": c.version,
            "fr": c.text_fr,
            "nl": c.text_nl,
            "en": c.text_en,
        }
        # Sorted here: the approval has the conditions prefetched, in their model's order.
        for c in sorted(application.proposed_conditions.all(), key=lambda c: c.code)
    ]
    for text in application.conditions_text.splitlines():
        if text.strip():
            record.append(
                {"code": "", "version": None, **dict.fromkeys(("fr", "nl", "en"), text.strip())}
            )
    return record


def _decision_record(
    application: PermitApplication,
    *,
    actor: User,
    outcome: str,
    grounds: str = "",
    criteria: list[str] | None = None,
    **details: Any,
) -> Decision:
    """The decision, and once committed, the rendering of its document."""
    government = getattr(application, "government_decision", None)
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
        **details,
    )
    task_enqueue_after_commit(DECISION_DOCUMENT_TASK, decision.pk)
    return decision


def _grant_problems(
    application: PermitApplication,
    validity_months: int | None,
    validity_reason: str,
    lines: list[ProposedLine] | None = None,
    assessed: dict[str, str] | None = None,
) -> dict[str, list[str]]:
    """Why the proposal itself cannot be granted, whatever the screening finds: the criteria
    the law binds, a proposal that grants no line, the validity given. ``lines``: the
    decided lines, and ``assessed`` the worksheet (code: assessment), when the caller has
    just read them."""
    errors = rules.criteria_grant_problems(application, assessed) | rules.granted_validity_problems(
        requested=requested_validity(application),
        granted=validity_months,
        reason=validity_reason,
    )
    if lines is None:
        lines = decided_lines(application, refused=False)
    if all(line.outcome == LineOutcome.REFUSE for line in lines):
        errors["lines"] = [
            _("The proposal refuses every goods line: refuse the file or return it.")
        ]
    return errors


def _approval_locked(application: PermitApplication) -> PermitApplication:
    """The file, its row locked, with every row the approval, its screening and its snapshot
    read, each read once: the organisation and the Government's decision joined (only the
    file's own row is locked, ``of``), the goods, parties, documents, worksheet, proposed
    lines and conditions prefetched under that lock. Nothing changes them while the file
    waits for approval without taking this lock first."""
    return (
        PermitApplication.objects.select_for_update(of=("self",))
        .select_related("organisation", "government_decision")
        .prefetch_related(
            "goods",
            "parties",
            # The snapshot names what each document supersedes; the screening skips a
            # certificate superseded since.
            Prefetch(
                "documents", queryset=Document.objects.select_related("supersedes", "superseded_by")
            ),
            "criteria_worksheet",
            "proposed_lines",
            "proposed_conditions",
        )
        .get(pk=application.pk)
    )


def application_approve(
    *,
    application: PermitApplication,
    actor: User,
    comment: str = "",
    validity_months: int | None = None,
    validity_reason: str = "",
) -> PermitApplication:
    """Grant the proposal as it stands: the licence carries only the granted lines, with the
    granted quantities and values; a decision that refuses or reduces a line is ``partial``.
    The law binds: no grant with a criterion that obliges refusal marked as a ground for
    refusal, nor (where the regime requires it) with a criterion unassessed. The head may
    shorten the validity, saying why.

    One transaction, under the file's lock: the checks that refuse the grant whatever the
    screening finds (state, four-eyes, worksheet, lines, validity) come first, so that such a
    refusal leaves no screening run behind; then the file is screened once more. When its
    findings (or the Government's decision) refuse the approval, the transaction commits the
    screening run and its flags alone, for the case manager to clear, and the refusal is
    raised after the commit; the screening's history event is written only with an approval,
    so a refused approval leaves no event behind."""
    with transaction.atomic():
        locked = _approval_locked(application)
        transition_check(locked, "approve", actor)
        worksheet = list(locked.criteria_worksheet.all())
        assessed = {line.code: line.assessment for line in worksheet}
        cited = [line.code for line in worksheet if line.assessment == "refusal_ground"]
        lines = decided_lines(locked, refused=False, cited=cited)
        guard_check(
            "approve", _grant_problems(locked, validity_months, validity_reason, lines, assessed)
        )
        run, flags = screening_store(
            application=locked, occasion=ScreeningRun.Occasion.PRE_DECISION, actor=actor
        )
        blockers = rules.decision_blockers(locked, latest_flags=flags) | rules.authority_problems(
            locked, outcome="granted"
        )
        if not blockers:
            return _approval_make(
                application,
                locked,
                actor=actor,
                comment=comment,
                lines=lines,
                run=run,
                flags=flags,
                validity_months=validity_months,
                validity_reason=validity_reason,
            )
    # Committed: the screening run and its flags, nothing else.
    raise TransitionGuardFailed(blockers, transition="approve")


def _approval_make(
    application: PermitApplication,
    locked: PermitApplication,
    *,
    actor: User,
    comment: str,
    lines: list[ProposedLine],
    run: ScreeningRun,
    flags: list[ScreeningFlag],
    validity_months: int | None,
    validity_reason: str,
) -> PermitApplication:
    """The approval's writes, in ``application_approve``'s transaction once every check passed:
    the transition, the licence and its lines, the decision, the two history records."""
    granted = [line for line in lines if line.outcome != LineOutcome.REFUSE]
    requested = requested_validity(locked)
    months = validity_months or requested
    shortened = months != requested
    partial = any(line.outcome != LineOutcome.GRANT for line in lines)
    now = timezone.now()
    locked.decided_at = now
    source = transition_make(locked, "approve", actor)
    work_item_hand_over(application=locked, actor=actor)
    valid_from, valid_until = licence_validity(locked, timezone.localdate(now), months)
    licence = Licence.objects.create(
        number=locked.reference,
        application=locked,
        holder=locked.organisation,
        licence_type=locked.licence_type,
        valid_from=valid_from,
        valid_until=valid_until,
        issued_at=now,
        issued_by=actor,
    )
    LicenceLine.objects.bulk_create(
        LicenceLine(
            licence=licence,
            goods_item=line.goods_item,
            description=line.goods_item.description,
            control_entry=line.goods_item.control_entry,
            unit=line.goods_item.unit,
            authorised_quantity=line.granted_quantity,
            authorised_value=line.granted_value,
        )
        for line in granted
    )
    # An amendment or renewal closes its original licence (permits.actions.licences).
    licence_replace_original(licence=licence, actor=actor)
    refused_lines = [line for line in lines if line.outcome == LineOutcome.REFUSE]
    decision = _decision_record(
        locked,
        actor=actor,
        outcome=Decision.Outcome.GRANTED,
        grounds=locked.refusal_grounds if refused_lines else "",
        criteria=sorted({code for line in refused_lines for code in line.criteria}),
        partial=partial,
        lines=_lines_record(lines),
        conditions=_conditions_record(locked),
        validity_months=months,
        validity_reason=validity_reason.strip() if shortened else "",
    )
    # Both records carry the lists the screening just checked (read once, by the screening).
    in_force = events.versions_in_force(lists=run.versions)
    events.screening(
        application=locked,
        actor=actor,
        run=run,
        # As ``run.flags`` lists them (``ScreeningFlag.Meta.ordering``: severity descending,
        # then id).
        flag_keys=[
            flag.key
            for flag in sorted(
                sorted(flags, key=lambda flag: flag.pk),
                key=lambda flag: flag.severity,
                reverse=True,
            )
        ],
        in_force=in_force,
    )
    events.transition_recorded(
        application=locked,
        name="approve",
        source_state=source,
        actor=actor,
        comment=comment.strip(),
        licence=licence.number,
        valid_from=valid_from.isoformat(),
        valid_until=valid_until.isoformat(),
        partial=partial,
        validity_months=months,
        validity_reason=validity_reason.strip() if shortened else "",
        in_force=in_force,
        snapshot=_approval_snapshot(
            locked, run=run, flags=flags, decision=decision, licence=licence
        ),
    )
    return done(application, locked)


def _approval_snapshot(
    locked: PermitApplication,
    *,
    run: ScreeningRun,
    flags: list[ScreeningFlag],
    decision: Decision,
    licence: Licence,
) -> dict[str, Any]:
    """The snapshot of the approved file from the rows the approval holds: read under its lock
    (``_approval_locked``) or written by it, so they are what the database has now. Two
    exceptions read afresh: the licence lines (the database rounds the values it stores, and
    a follow-up's lines are capped by ``licence_replace_original``) and, for an amendment or
    renewal, the whole file."""
    if locked.follows_id is not None:
        return application_snapshot(application=locked)
    return application_snapshot(
        application=locked,
        rows=FileRows(
            application=locked,
            proposed_conditions=[c.pk for c in locked.proposed_conditions.all()],
            goods=list(locked.goods.all()),
            parties=list(locked.parties.all()),
            documents=list(locked.documents.all()),
            criteria_worksheet=list(locked.criteria_worksheet.all()),
            proposed_lines=list(locked.proposed_lines.all()),
            screening_run=run,
            screening_flags=flags,
            decision=decision,
            licence=licence,
            licence_lines=list(licence.lines.all()),
        ),
    )


@transaction.atomic
def application_refuse(
    *, application: PermitApplication, actor: User, grounds: str
) -> PermitApplication:
    locked = application_locked(application)
    transition_check(locked, "refuse", actor)
    guard_check(
        "refuse",
        rules.required_text("grounds", grounds, _("A refusal must state its grounds."))
        | rules.refusal_criteria_problems(locked)
        | rules.authority_problems(locked, outcome="refused"),
    )
    locked.decided_at = timezone.now()
    locked.refusal_grounds = grounds.strip()
    source = transition_make(locked, "refuse", actor)
    work_item_hand_over(application=locked, actor=actor)
    lines = decided_lines(locked, refused=True)
    _decision_record(
        locked,
        actor=actor,
        outcome=Decision.Outcome.REFUSED,
        grounds=grounds.strip(),
        criteria=rules.refusal_criteria(locked),
        lines=_lines_record(lines),
    )
    events.transition_recorded(
        application=locked,
        name="refuse",
        source_state=source,
        actor=actor,
        comment=grounds.strip(),
    )
    return done(application, locked)


@transaction.atomic
def government_decision_record(
    *,
    application: PermitApplication,
    actor: Any,
    outcome: str,
    decided_on: date,
    reference: str,
    note: str = "",
) -> GovernmentDecision:
    """Record the Brussels Government's decision on a file it decides. The head of unit then
    issues the licence or the refusal that carries out that decision."""
    locked = application_locked(application)
    if not rules.can_record_government_decision(locked, actor):
        raise TransitionForbidden(
            _("Only the head of unit records the Government's decision."),
            transition="government_decision_recorded",
        )
    if rules.decision_authority(locked) != "government":
        raise TransitionConflict(
            _("The Government does not decide this kind of licence."),
            transition="government_decision_recorded",
        )
    if locked.status != Status.PENDING_APPROVAL:
        raise TransitionConflict(
            _("The Government's decision is recorded while the file awaits the decision."),
            transition="government_decision_recorded",
        )
    errors: dict[str, list[str]] = {}
    if outcome not in GovernmentDecision.Outcome.values:
        errors["outcome"] = [_("Choose granted or refused.")]
    if not (reference or "").strip():
        errors["reference"] = [_("The reference of the Government's decision is required.")]
    if decided_on is None or decided_on > timezone.localdate():
        errors["decided_on"] = [_("The date of the Government's decision cannot be in the future.")]
    if hasattr(locked, "government_decision"):
        errors["outcome"] = [_("The Government's decision is already recorded.")]
    if errors:
        raise TransitionGuardFailed(errors, transition="government_decision_recorded")
    decision = GovernmentDecision.objects.create(
        application=locked,
        outcome=outcome,
        decided_on=decided_on,
        reference=reference.strip(),
        note=note.strip(),
        recorded_by=actor,
    )
    events.government_decision_recorded(application=locked, actor=actor, decision=decision)
    return decision
