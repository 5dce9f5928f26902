"""The registry of the workflow's transitions: one entry per transition.

Each entry names the transition, its label on a button, who may make it (the predicate of
``rules`` that django-fsm's ``permission=`` calls), who sees its button on the case page, and
whether the API exposes it. The model's ``@transition`` methods, the case page's actions, the
API's transition endpoints and the history feed's filters all read this registry; the action
that carries each transition out is in ``permits.actions`` (``TRANSITION_ACTIONS``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from . import rules


class Audience(StrEnum):
    APPLICANT = "applicant"
    STAFF = "staff"
    SYSTEM = "system"


@dataclass(frozen=True)
class Transition:
    name: str
    label: Promise
    permission: Callable[[Any, Any], bool]
    audience: Audience
    api: bool
    # What the API's documentation says of it (English: the API contract is in English).
    api_description: str = ""
    # A decision on a licence: with OTP_REQUIRED_FOR_DECISIONS, only after a second factor.
    decides: bool = False

    @property
    def on_case_page(self) -> bool:
        return self.audience != Audience.SYSTEM


_ALL = (
    Transition(
        "submit",
        _("Submit"),
        rules.can_submit,
        Audience.APPLICANT,
        api=True,
        api_description="Applicant: draft → submitted. Assigns the reference number.",
    ),
    Transition(
        "start_review",
        _("Start review"),
        rules.can_start_review,
        Audience.STAFF,
        api=True,
        api_description="Case manager takes the file, or the head of unit assigns it.",
    ),
    Transition(
        "request_information",
        _("Request information"),
        rules.is_assigned_case_manager,
        Audience.STAFF,
        api=True,
        api_description="Assigned case manager: under review → information requested.",
    ),
    Transition(
        "provide_information",
        _("Provide information"),
        rules.is_applicant_member,
        Audience.APPLICANT,
        api=True,
        api_description="Applicant: information requested → under review. To attach the "
        "documents asked for, send multipart/form-data with `reply` and `documents` (repeated): "
        "the reply and its files are stored together or not at all.",
    ),
    Transition(
        "propose_decision",
        _("Propose decision"),
        rules.is_assigned_case_manager,
        Audience.STAFF,
        api=True,
        api_description="Assigned case manager: under review → pending approval.",
    ),
    Transition(
        "return_to_review",
        _("Return to review"),
        rules.is_head_of_unit,
        Audience.STAFF,
        api=True,
        api_description="Head of unit: pending approval → under review.",
    ),
    Transition(
        "approve",
        _("Approve"),
        rules.can_decide,
        Audience.STAFF,
        api=True,
        api_description=(
            "Head of unit who did not review the file: pending approval → issued. "
            "Needs a second factor when OTP_REQUIRED_FOR_DECISIONS is on: a session confirmed "
            "by a code, or a token created in such a session (else 403)."
        ),
        decides=True,
    ),
    Transition(
        "refuse",
        _("Refuse"),
        rules.can_decide,
        Audience.STAFF,
        api=True,
        api_description=(
            "Head of unit who did not review the file: pending approval → refused. "
            "Needs a second factor when OTP_REQUIRED_FOR_DECISIONS is on: a session confirmed "
            "by a code, or a token created in such a session (else 403)."
        ),
        decides=True,
    ),
    Transition(
        "withdraw",
        _("Withdraw"),
        rules.is_applicant_member,
        Audience.APPLICANT,
        api=True,
        api_description="Applicant: withdraws a draft or an application under way.",
    ),
    Transition(
        "revoke",
        _("Revoke"),
        rules.is_head_of_unit,
        Audience.STAFF,
        api=True,
        api_description=(
            "Head of unit: issued → revoked. "
            "Needs a second factor when OTP_REQUIRED_FOR_DECISIONS is on: a session confirmed "
            "by a code, or a token created in such a session (else 403)."
        ),
        decides=True,
    ),
    Transition("expire", _("Expire"), rules.is_system, Audience.SYSTEM, api=False),
    Transition("lapse", _("Close for lack of answer"), rules.is_system, Audience.SYSTEM, api=False),
)

TRANSITIONS: dict[str, Transition] = {t.name: t for t in _ALL}
API_TRANSITIONS = tuple(t.name for t in _ALL if t.api)
CASE_PAGE_TRANSITIONS = tuple(t.name for t in _ALL if t.on_case_page)
DECIDING_TRANSITIONS = frozenset(t.name for t in _ALL if t.decides)


def permission(name: str) -> Callable[[Any, Any], bool]:
    """For the model's ``@transition(permission=…)``."""
    return TRANSITIONS[name].permission


def label(name: str) -> str:
    return str(TRANSITIONS[name].label)
