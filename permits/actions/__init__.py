"""Business actions on permit applications, one module per area.

Every action is a keyword-only ``<entity>_<action>(*, …)`` function that reads top to bottom in
one transaction: lock, check state, permission and guard (``permits.rules``), change, save, write
the history event (``permits.events``), record the side effects to deliver after commit. Views,
the API, the admin and tasks call these; nothing else changes a file.

- ``drafts``: creating and editing a draft, its goods and parties
- ``submission``: submit (the reference number), withdraw
- ``review``: start review, request and provide information, lapse, propose, return
- ``decide``: approve, refuse, the Government's decision
- ``licences``: revoke, expire, shipments, suspension, reinstatement, amendment and renewal
- ``temporary``: returns of temporarily exported goods
- ``screening``, ``consultations``, ``criteria``, ``clocks``: the compliance file
- ``reminders``: the daily sweeps over stored deadlines
"""

from __future__ import annotations

from collections.abc import Callable

from .assignment import application_reassign, case_note_add
from .clocks import clock_pause, clock_resume, clock_start, decision_deadline_refresh
from .consultations import consultation_open, consultation_record_answer
from .criteria import criterion_assess
from .decide import (
    application_approve,
    application_refuse,
    government_decision_record,
    licence_validity,
)
from .drafts import (
    DRAFT_FIELDS,
    application_create_draft,
    application_update_draft,
    goods_item_add,
    goods_item_remove,
    goods_item_update,
    party_add,
    party_remove,
    party_update,
)
from .licences import (
    application_expire,
    application_revoke,
    licence_follow_up_create,
    licence_reinstate,
    licence_suspend,
    shipment_record,
)
from .reminders import deadline_reminders_send, denial_notices_lapse, reference_freshness_notify
from .review import (
    application_lapse,
    application_propose_decision,
    application_provide_information,
    application_request_information,
    application_return_to_review,
    application_start_review,
)
from .screening import application_screen, screening_flag_clear
from .submission import application_submit, application_withdraw
from .temporary import goods_return_record

# The action that carries out each transition of the registry (``permits.transitions``).
TRANSITION_ACTIONS: dict[str, Callable[..., object]] = {
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

__all__ = [
    "DRAFT_FIELDS",
    "TRANSITION_ACTIONS",
    "application_approve",
    "application_create_draft",
    "application_expire",
    "application_lapse",
    "application_propose_decision",
    "application_provide_information",
    "application_reassign",
    "application_refuse",
    "application_request_information",
    "application_return_to_review",
    "application_revoke",
    "application_screen",
    "application_start_review",
    "application_submit",
    "application_update_draft",
    "application_withdraw",
    "case_note_add",
    "clock_pause",
    "clock_resume",
    "clock_start",
    "consultation_open",
    "consultation_record_answer",
    "criterion_assess",
    "deadline_reminders_send",
    "decision_deadline_refresh",
    "denial_notices_lapse",
    "goods_item_add",
    "goods_item_remove",
    "goods_item_update",
    "goods_return_record",
    "government_decision_record",
    "licence_follow_up_create",
    "licence_reinstate",
    "licence_suspend",
    "licence_validity",
    "party_add",
    "party_remove",
    "party_update",
    "reference_freshness_notify",
    "screening_flag_clear",
    "shipment_record",
]
