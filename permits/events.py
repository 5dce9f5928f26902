"""The catalogue of a file's history events: the only place an event is named.

Every history record of an application is one of these: a workflow transition (the state
changes) or an event that leaves the state as it was (a document, a screening, a shipment…).
Each entry says how people read it (a label in their language), whether the applicant may
read it (and its comment), and what its payload carries. Actions write events only through
the functions below, one per event; the applicant's history allowlist, the timeline labels, the
API's history filters and the admin all read this module.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from config.release import current_release
from workflow import services as workflow_services
from workflow.models import TransitionRecord

from .compliance.reference import current_versions
from .snapshots import application_snapshot

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser

    from .models import PermitApplication


@dataclass(frozen=True)
class EventType:
    name: str
    label: Promise
    applicant_reads: bool
    # Whether the applicant reads the comment too (staff's own steps show without theirs).
    applicant_reads_comment: bool
    carries: tuple[str, ...]
    changes_state: bool


def _event(
    name: str,
    label: Promise,
    *,
    applicant: bool,
    comment: bool | None = None,
    carries: tuple[str, ...] = (),
    transition: bool = False,
) -> EventType:
    return EventType(
        name=name,
        label=label,
        applicant_reads=applicant,
        applicant_reads_comment=applicant if comment is None else comment,
        carries=carries,
        changes_state=transition,
    )


CATALOGUE: dict[str, EventType] = {
    e.name: e
    for e in (
        # The workflow's transitions.
        _event("submit", _("Submitted"), applicant=True, carries=("reference",), transition=True),
        _event(
            "start_review",
            _("Review started"),
            applicant=True,
            comment=False,
            carries=("case_manager_id", "case_manager"),
            transition=True,
        ),
        _event("request_information", _("Information requested"), applicant=True, transition=True),
        _event("provide_information", _("Information provided"), applicant=True, transition=True),
        _event(
            "propose_decision",
            _("Decision proposed"),
            applicant=True,
            comment=False,
            carries=("recommendation", "grounds", "lines", "conditions"),
            transition=True,
        ),
        _event(
            "return_to_review",
            _("Returned to review"),
            applicant=True,
            comment=False,
            transition=True,
        ),
        _event(
            "approve",
            _("Approved"),
            applicant=True,
            # The head's comment is for staff: the licence says what the holder must know.
            comment=False,
            carries=(
                "licence",
                "valid_from",
                "valid_until",
                "partial",
                "validity_months",
                "validity_reason",
            ),
            transition=True,
        ),
        _event("refuse", _("Refused"), applicant=True, transition=True),
        _event("withdraw", _("Withdrawn"), applicant=True, transition=True),
        _event("revoke", _("Licence revoked"), applicant=True, transition=True),
        _event(
            "expire", _("Licence expired"), applicant=True, carries=("swept_on",), transition=True
        ),
        _event(
            "lapse",
            _("Closed: information not provided in time"),
            applicant=True,
            carries=("lapsed_on",),
            transition=True,
        ),
        # Events that leave the state as it was.
        _event(
            "document_uploaded",
            _("Document added"),
            applicant=True,
            carries=("document", "kind", "name", "sha256", "supersedes"),
        ),
        # A document staff keep to themselves: not even its name reaches the applicant.
        _event(
            "staff_document_uploaded",
            _("Staff document added"),
            applicant=False,
            carries=("document", "kind", "name", "sha256", "supersedes"),
        ),
        _event(
            "decision_document_stored",
            _("Decision document ready"),
            applicant=True,
            carries=("document", "sha256", "unsigned_sha256", "signed"),
        ),
        # Staff only: a stored file that no longer has the bytes recorded when it was written
        # (swapped or gone), found when serving it or by the sweep. It is never served then.
        _event(
            "file_integrity_failed",
            _("Stored file failed its integrity check"),
            applicant=False,
            carries=(
                "document",
                "kind",
                "expected_sha256",
                "found_sha256",
                "reason",
                "detected_by",
            ),
        ),
        _event(
            "screening",
            _("Compliance screening"),
            applicant=False,
            carries=("run", "occasion", "screened_on", "versions", "flags"),
        ),
        _event(
            "flag_cleared",
            _("Screening flag cleared"),
            applicant=False,
            carries=("flag", "severity"),
        ),
        _event(
            "consultation_opened",
            _("Consultation opened"),
            applicant=False,
            carries=("consultation", "counterpart"),
        ),
        _event(
            "consultation_answered",
            _("Consultation answered"),
            applicant=False,
            carries=("consultation", "answered_on"),
        ),
        _event(
            "criterion_assessed",
            _("Criterion assessed"),
            applicant=False,
            carries=("code", "assessment"),
        ),
        _event(
            "government_decision_recorded",
            _("Government's decision recorded"),
            applicant=False,
            carries=("outcome", "decided_on", "reference"),
        ),
        _event(
            "shipment_recorded",
            _("Shipment recorded"),
            applicant=True,
            carries=(
                "shipment",
                "shipped_on",
                "customs_reference",
                "quantities",
                "holder_reference",
            ),
        ),
        # Customs cleared a declaration against a licence line: the holder and the auditors
        # read it in the licence's history.
        _event(
            "customs_decrement_recorded",
            _("Licence decremented by customs"),
            applicant=True,
            carries=(
                "shipment",
                "licence",
                "line",
                "declaration_reference",
                "declared_on",
                "customs_office",
                "quantity",
                "value",
            ),
        ),
        _event("licence_exhausted", _("Licence used up"), applicant=True),
        _event("licence_suspended", _("Licence suspended"), applicant=True),
        _event("licence_reinstated", _("Licence reinstated"), applicant=True),
        _event(
            "licence_amendment_started", _("Amendment started"), applicant=True, carries=("draft",)
        ),
        _event("licence_renewal_started", _("Renewal started"), applicant=True, carries=("draft",)),
        _event(
            "licence_replaced",
            _("Licence replaced by an amendment or renewal"),
            applicant=True,
            carries=("successor",),
        ),
        _event(
            "licence_replaces",
            _("Licence issued in place of an earlier one"),
            applicant=True,
            carries=("original",),
        ),
        # Staff only, comment included: the reason of a reassignment and internal notes.
        _event(
            "reassigned",
            _("File reassigned"),
            applicant=False,
            carries=("case_manager_id", "case_manager", "previous_case_manager_id"),
        ),
        _event("case_note_added", _("Internal note"), applicant=False, carries=("note",)),
        # An operator's correction of the data (admin or ``manage.py data_fix``): who, why and
        # every field changed, old and new. Staff only.
        _event(
            "data_fix",
            _("Data corrected by an operator"),
            applicant=False,
            carries=("operator", "reason", "changes"),
        ),
        _event(
            "goods_returned",
            _("Goods returned"),
            applicant=True,
            carries=("shipment", "quantity", "returned_on", "late", "holder_reference"),
        ),
        # A draft started as a copy of an earlier application of the organisation.
        _event(
            "draft_copied",
            _("Draft copied from an earlier application"),
            applicant=True,
            carries=("original",),
        ),
    )
}

TRANSITION_EVENTS = frozenset(name for name, e in CATALOGUE.items() if e.changes_state)
STATE_PRESERVING_EVENTS = frozenset(name for name, e in CATALOGUE.items() if not e.changes_state)
# The history an applicant reads: an allowlist, so a new internal event stays internal.
APPLICANT_HISTORY = frozenset(name for name, e in CATALOGUE.items() if e.applicant_reads)
COMMENTS_HIDDEN_FROM_APPLICANT = frozenset(
    name for name, e in CATALOGUE.items() if e.applicant_reads and not e.applicant_reads_comment
)


def label(name: str) -> str:
    event = CATALOGUE.get(name)
    return str(event.label) if event else name.replace("_", " ")


class UnknownEvent(ValueError):
    """An event the catalogue does not know: add it to the catalogue first."""


def _checked(name: str, payload: dict[str, Any]) -> EventType:
    event = CATALOGUE.get(name)
    if event is None:
        raise UnknownEvent(f"History event {name!r} is not in permits.events.CATALOGUE.")
    unexpected = set(payload) - set(event.carries)
    if unexpected:
        raise UnknownEvent(
            f"History event {name!r} does not carry {', '.join(sorted(unexpected))}."
        )
    return event


def versions_in_force(lists: dict[str, str] | None = None) -> dict[str, Any]:
    """Written on every record: the code and the reference lists a step was taken with.
    ``lists``: the lists' versions (``current_versions()``) when the step has just read them."""
    return {"release": current_release(), "lists": current_versions() if lists is None else lists}


# --- Transitions --------------------------------------------------------------------------------


def transition_recorded(
    *,
    application: PermitApplication,
    name: str,
    source_state: str,
    actor: AbstractBaseUser | None,
    comment: str = "",
    snapshot: dict[str, Any] | None = None,
    in_force: dict[str, Any] | None = None,
    batch: workflow_services.HistoryBatch | None = None,
    snapshot_encoded: bytes | None = None,
    **payload: Any,
) -> TransitionRecord:
    """The record of a state change, written by the action that made it, with the snapshot of
    the file as the step left it (what the approver saw, for an approval).

    ``snapshot`` and ``in_force`` (``versions_in_force()``), when given, were taken by the
    action earlier in the same transaction: the submission takes them before it locks the
    year's reference counter, so that the counter is held only for a few writes. With
    ``batch`` the record is written by ``batch.write()`` (``workflow.services.HistoryBatch``).
    ``snapshot_encoded``: the snapshot's canonical JSON, made earlier too (see
    ``workflow.services.transition_record_create``)."""
    event = _checked(name, payload)
    if not event.changes_state:
        raise UnknownEvent(f"{name!r} is not a transition.")
    return workflow_services.transition_record_create(
        application=application,
        transition=name,
        source_state=source_state,
        target_state=application.status,
        actor=actor,
        comment=comment,
        payload=payload,
        snapshot=snapshot
        if snapshot is not None
        else application_snapshot(application=application),
        versions=in_force if in_force is not None else versions_in_force(),
        batch=batch,
        snapshot_encoded=snapshot_encoded,
    )


def _recorded(
    event_name: str,
    /,
    *,
    application: PermitApplication,
    actor: AbstractBaseUser | None,
    comment: str = "",
    in_force: dict[str, Any] | None = None,
    batch: workflow_services.HistoryBatch | None = None,
    **payload: Any,
) -> TransitionRecord:
    _checked(event_name, payload)
    return workflow_services.history_event_record(
        application=application,
        event=event_name,
        actor=actor,
        comment=comment,
        payload=payload,
        versions=in_force if in_force is not None else versions_in_force(),
        batch=batch,
    )


# --- Documents and decisions ----------------------------------------------------------------------


def document_uploaded(
    *,
    application: PermitApplication,
    actor: AbstractBaseUser,
    document: Any,
    supersedes: Any = None,
) -> TransitionRecord:
    payload = {
        "document": str(document.public_id),
        "kind": document.kind,
        "sha256": document.sha256,
        "name": document.original_name,
    }
    if supersedes is not None:
        payload["supersedes"] = str(supersedes.public_id)
    name = "document_uploaded" if document.shared_with_applicant else "staff_document_uploaded"
    return _recorded(name, application=application, actor=actor, **payload)


def decision_document_stored(*, application: PermitApplication, document: Any) -> TransitionRecord:
    return _recorded(
        "decision_document_stored",
        application=application,
        actor=None,
        document=str(document.public_id),
        sha256=document.sha256,
        unsigned_sha256=document.unsigned_sha256,
        signed=document.signed,
    )


def file_integrity_failed(
    *, application: PermitApplication, failure: Any, detected_by: str
) -> TransitionRecord:
    """Written by the system, whoever's read found it: the record is of the file, not of a
    change anyone made."""
    document = failure.document
    return _recorded(
        "file_integrity_failed",
        application=application,
        actor=None,
        document=str(document.public_id),
        kind=document.kind,
        expected_sha256=failure.expected_sha256,
        found_sha256=failure.found_sha256,
        reason=failure.reason,
        detected_by=detected_by,
    )


# --- Compliance ---------------------------------------------------------------------------------


def screening(
    *,
    application: PermitApplication,
    actor: AbstractBaseUser | None,
    run: Any,
    flag_keys: list[str],
    in_force: dict[str, Any] | None = None,
    batch: workflow_services.HistoryBatch | None = None,
) -> TransitionRecord:
    return _recorded(
        "screening",
        application=application,
        actor=actor,
        in_force=in_force,
        batch=batch,
        run=run.pk,
        occasion=run.occasion,
        screened_on=run.screened_on.isoformat(),
        versions=run.versions,
        flags=flag_keys,
    )


def flag_cleared(
    *, application: PermitApplication, actor: AbstractBaseUser, flag: Any, justification: str
) -> TransitionRecord:
    return _recorded(
        "flag_cleared",
        application=application,
        actor=actor,
        comment=justification,
        flag=flag.key,
        severity=flag.severity,
    )


def consultation_opened(
    *, application: PermitApplication, actor: AbstractBaseUser, consultation: Any
) -> TransitionRecord:
    return _recorded(
        "consultation_opened",
        application=application,
        actor=actor,
        comment=consultation.subject,
        consultation=consultation.pk,
        counterpart=consultation.counterpart,
    )


def consultation_answered(
    *, application: PermitApplication, actor: AbstractBaseUser, consultation: Any
) -> TransitionRecord:
    return _recorded(
        "consultation_answered",
        application=application,
        actor=actor,
        comment=consultation.answer,
        consultation=consultation.pk,
        answered_on=consultation.answered_on.isoformat(),
    )


def criterion_assessed(
    *, application: PermitApplication, actor: AbstractBaseUser, line: Any
) -> TransitionRecord:
    return _recorded(
        "criterion_assessed",
        application=application,
        actor=actor,
        comment=line.note,
        code=line.code,
        assessment=line.assessment,
    )


def government_decision_recorded(
    *, application: PermitApplication, actor: AbstractBaseUser, decision: Any
) -> TransitionRecord:
    return _recorded(
        "government_decision_recorded",
        application=application,
        actor=actor,
        comment=decision.note,
        outcome=decision.outcome,
        decided_on=decision.decided_on.isoformat(),
        reference=decision.reference,
    )


# --- Licence use ------------------------------------------------------------------------------


def shipment_recorded(
    *,
    application: PermitApplication,
    actor: AbstractBaseUser,
    shipment: Any,
    quantities: dict[int, Decimal],
) -> TransitionRecord:
    return _recorded(
        "shipment_recorded",
        application=application,
        actor=actor,
        shipment=shipment.pk,
        shipped_on=shipment.shipped_on.isoformat(),
        customs_reference=shipment.customs_reference,
        quantities={str(k): f"{v:f}" for k, v in quantities.items()},
        **({"holder_reference": shipment.holder_reference} if shipment.holder_reference else {}),
    )


def customs_decrement_recorded(
    *,
    application: PermitApplication,
    actor: AbstractBaseUser,
    shipment_line: Any,
    position: int,
) -> TransitionRecord:
    shipment = shipment_line.shipment
    return _recorded(
        "customs_decrement_recorded",
        application=application,
        actor=actor,
        shipment=shipment.pk,
        licence=shipment.licence.number,
        line=position,
        declaration_reference=shipment.customs_reference,
        declared_on=shipment.shipped_on.isoformat(),
        customs_office=shipment.customs_office,
        quantity=f"{shipment_line.quantity:f}",
        value=f"{shipment_line.value:f}",
    )


def licence_exhausted(
    *, application: PermitApplication, actor: AbstractBaseUser | None
) -> TransitionRecord:
    return _recorded("licence_exhausted", application=application, actor=actor)


def licence_suspended(
    *, application: PermitApplication, actor: AbstractBaseUser, reason: str
) -> TransitionRecord:
    return _recorded("licence_suspended", application=application, actor=actor, comment=reason)


def licence_reinstated(
    *, application: PermitApplication, actor: AbstractBaseUser, reason: str
) -> TransitionRecord:
    return _recorded("licence_reinstated", application=application, actor=actor, comment=reason)


def licence_follow_up_started(
    *, application: PermitApplication, actor: AbstractBaseUser, follow_up: str, draft: Any
) -> TransitionRecord:
    name = {"amendment": "licence_amendment_started", "renewal": "licence_renewal_started"}[
        follow_up
    ]
    return _recorded(name, application=application, actor=actor, draft=str(draft.public_id))


def licence_replaced(
    *, application: PermitApplication, actor: AbstractBaseUser, successor: Any
) -> TransitionRecord:
    return _recorded(
        "licence_replaced", application=application, actor=actor, successor=successor.number
    )


def licence_replaces(
    *, application: PermitApplication, actor: AbstractBaseUser, original: Any
) -> TransitionRecord:
    return _recorded(
        "licence_replaces", application=application, actor=actor, original=original.number
    )


# --- Who works on the file (staff only) -------------------------------------------------------


def reassigned(
    *,
    application: PermitApplication,
    actor: AbstractBaseUser,
    case_manager: AbstractBaseUser,
    previous: AbstractBaseUser | None,
    reason: str,
) -> TransitionRecord:
    return _recorded(
        "reassigned",
        application=application,
        actor=actor,
        comment=reason,
        case_manager_id=case_manager.pk,
        case_manager=case_manager.get_username(),
        previous_case_manager_id=previous.pk if previous else None,
    )


def case_note_added(
    *, application: PermitApplication, actor: AbstractBaseUser, note: Any
) -> TransitionRecord:
    return _recorded(
        "case_note_added", application=application, actor=actor, comment=note.text, note=note.pk
    )


def goods_returned(
    *,
    application: PermitApplication,
    actor: AbstractBaseUser,
    goods_return: Any,
    late: bool,
) -> TransitionRecord:
    return _recorded(
        "goods_returned",
        application=application,
        actor=actor,
        shipment=goods_return.shipment_line.shipment_id,
        quantity=f"{goods_return.quantity:f}",
        returned_on=goods_return.returned_on.isoformat(),
        late=late,
        **(
            {"holder_reference": goods_return.holder_reference}
            if goods_return.holder_reference
            else {}
        ),
    )


# --- Operators' corrections (staff only) -----------------------------------------------------


def data_fix(
    *,
    application: PermitApplication,
    operator: AbstractBaseUser,
    reason: str,
    changes: list[dict[str, Any]],
) -> TransitionRecord:
    """One record per correction: ``changes`` lists each field as ``{"field", "old", "new"}``."""
    return _recorded(
        "data_fix",
        application=application,
        actor=operator,
        comment=reason,
        operator=operator.get_username(),
        reason=reason,
        changes=changes,
    )


# --- Draft copies (company self-service) -------------------------------------------------------


def draft_copied(
    *, application: PermitApplication, actor: AbstractBaseUser, original: PermitApplication
) -> TransitionRecord:
    """On the new draft: which application it was copied from (its reference, or its draft id)."""
    return _recorded(
        "draft_copied", application=application, actor=actor, original=original.url_key
    )


# --- The organisation's own history (company self-service) ---------------------------------------
# Members invited, joined, their rights changed, removed. Read by the organisation's
# administrators and by staff; kept apart from the files' history, which it does not concern.

ORGANISATION_CATALOGUE: dict[str, EventType] = {
    e.name: e
    for e in (
        _event(
            "member_invited",
            _("Member invited"),
            applicant=True,
            carries=("invitation", "email", "rights"),
        ),
        _event(
            "invitation_withdrawn",
            _("Invitation withdrawn"),
            applicant=True,
            carries=("invitation", "email"),
        ),
        _event(
            "member_joined",
            _("Member joined"),
            applicant=True,
            carries=("invitation", "user", "username", "rights", "account_created"),
        ),
        _event(
            "member_rights_changed",
            _("Member's rights changed"),
            applicant=True,
            carries=("user", "username", "before", "after"),
        ),
        _event(
            "member_removed",
            _("Member removed"),
            applicant=True,
            carries=("user", "username", "rights"),
        ),
    )
}


def organisation_label(name: str) -> str:
    event = ORGANISATION_CATALOGUE.get(name)
    return str(event.label) if event else name.replace("_", " ")


def organisation_event(
    name: str, /, *, organisation: Any, actor: AbstractBaseUser | None, **payload: Any
) -> Any:
    """Write one event of the organisation's history (an ``OrganisationEvent``)."""
    event = ORGANISATION_CATALOGUE.get(name)
    if event is None:
        raise UnknownEvent(f"Organisation event {name!r} is not in ORGANISATION_CATALOGUE.")
    unexpected = set(payload) - set(event.carries)
    if unexpected:
        raise UnknownEvent(f"Event {name!r} does not carry {', '.join(sorted(unexpected))}.")
    return organisation.events.create(event=name, actor=actor, payload=payload)
