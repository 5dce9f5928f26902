"""Drive an application to a given state through the real actions."""

from __future__ import annotations

from datetime import timedelta

from permits import actions, rules
from permits.models import PermitApplication


def advance(
    application: PermitApplication,
    target: str,
    *,
    applicant,
    case_manager,
    head,
) -> PermitApplication:
    """Walk ``application`` from draft to ``target`` along the ordinary path."""
    steps = {
        "submitted": lambda a: actions.application_submit(application=a, actor=applicant),
        "under_review": lambda a: actions.application_start_review(
            application=a, actor=case_manager
        ),
        "information_requested": lambda a: actions.application_request_information(
            application=a, actor=case_manager, message="Send the end-user certificate."
        ),
        "pending_approval": lambda a: actions.application_propose_decision(
            application=assess_all_criteria(a, case_manager),
            actor=case_manager,
            recommendation="grant",
            reasons="In order.",
        ),
        "issued": lambda a: actions.application_approve(
            application=record_government_decision(a, head, "granted"), actor=head
        ),
        "refused": lambda a: actions.application_refuse(
            application=record_government_decision(mark_refusal_ground(a, head), head, "refused"),
            actor=head,
            grounds="Criterion 7: risk of diversion.",
        ),
        "withdrawn": lambda a: actions.application_withdraw(application=a, actor=applicant),
        "revoked": lambda a: actions.application_revoke(
            application=a, actor=head, reason="Breach of the end-use condition."
        ),
        "expired": lambda a: actions.application_expire(
            application=a, today=a.licence.valid_until + timedelta(days=1)
        ),
    }
    route = {
        "draft": [],
        "submitted": ["submitted"],
        "under_review": ["submitted", "under_review"],
        "information_requested": ["submitted", "under_review", "information_requested"],
        "pending_approval": ["submitted", "under_review", "pending_approval"],
        "issued": ["submitted", "under_review", "pending_approval", "issued"],
        "refused": ["submitted", "under_review", "pending_approval", "refused"],
        "withdrawn": ["submitted", "withdrawn"],
        "revoked": ["submitted", "under_review", "pending_approval", "issued", "revoked"],
        "expired": ["submitted", "under_review", "pending_approval", "issued", "expired"],
    }[target]
    for step in route:
        application = steps[step](application)
    return application


def assess_all_criteria(
    application: PermitApplication, actor, assessment: str = "not_engaged"
) -> PermitApplication:
    """Fill every line of the worksheet the file's framework has (a military or dual-use
    grant needs all of them assessed); lines already assessed are left as they are."""
    from permits.compliance.criteria import CRITERIA

    assessed = set(application.criteria_worksheet.values_list("code", flat=True))
    for code in CRITERIA[rules.criteria_framework(application)]:
        if code not in assessed:
            actions.criterion_assess(
                application=application,
                actor=actor,
                code=code,
                assessment=assessment,
                note="" if assessment != "refusal_ground" else "Assessed for the test.",
            )
    return application


def mark_refusal_ground(application: PermitApplication, actor) -> PermitApplication:
    """Refusals cite criteria: mark criterion 7 (or DU3) on the worksheet as their ground."""
    from permits.compliance.criteria import framework_for

    code = "DU3" if framework_for(application.regime) == "du2021" else "7"
    actions.criterion_assess(
        application=application,
        actor=actor,
        code=code,
        assessment="refusal_ground",
        note="Risk of diversion to an unauthorised end user.",
    )
    return application


def record_government_decision(application: PermitApplication, head, outcome: str):
    """Where the Government decides the licence family, record its decision first."""
    from datetime import date

    if rules.decision_authority(application) == "government":
        actions.government_decision_record(
            application=application,
            actor=head,
            outcome=outcome,
            decided_on=date.today(),
            reference=f"GOV-BXL-{application.reference}",
        )
    return application
