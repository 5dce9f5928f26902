"""A property-based model of the workflow (hypothesis ``RuleBasedStateMachine``).

Random people of every role — applicants of two organisations, two case managers, two heads of
unit, an auditor, and the system — take random actions with random payloads, good and bad, on
random files. After every step the invariants hold:

- every file is in one of the state machine's states;
- every change of state has exactly one history record, and the records chain from the draft
  to the state the file is in;
- no licence was approved by someone who reviewed the file (four-eyes);
- nobody ever reads another organisation's file;
- no licence line has shipped more than it authorises;
- no action fails with anything but a domain refusal (no unhandled exception).

CI runs a bounded number of examples (``HYPOTHESIS_WORKFLOW_EXAMPLES``, default 10) without
shrinking; a long run: ``HYPOTHESIS_WORKFLOW_EXAMPLES=500 HYPOTHESIS_WORKFLOW_SHRINK=1
.venv/bin/pytest tests/permits/test_workflow_model.py``.
"""

from __future__ import annotations

import os
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import Http404
from hypothesis import HealthCheck, Phase, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    rule,
    run_state_machine_as_test,
)

from permits import actions, rules, selectors
from permits.compliance.criteria import CRITERIA
from permits.models import Licence, PermitApplication, Status
from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory
from workflow.exceptions import TransitionError

EXAMPLES = int(os.environ.get("HYPOTHESIS_WORKFLOW_EXAMPLES", "10"))
# Shrinking a failure to its shortest form can take minutes: on for a long run, off in CI (the
# failing sequence is printed either way).
SHRINK = os.environ.get("HYPOTHESIS_WORKFLOW_SHRINK", "") == "1"

PEOPLE = [
    "applicant_a",
    "applicant_b",
    "case_manager_1",
    "case_manager_2",
    "head_1",
    "head_2",
    "auditor",
    "system",
]
TEXT = st.sampled_from(
    ["Checked against the end-user certificate.", "<b>x</b>", "Criterion 7.", "", "   "]
)


def payload_for(name: str, draw_text: str, recommendation: str, people: dict) -> dict:
    """The keyword arguments of a transition's action, built from drawn values (often bad)."""
    return {
        "submit": {},
        "start_review": {},
        "request_information": {"message": draw_text},
        "provide_information": {"reply": draw_text},
        "propose_decision": {
            "recommendation": recommendation,
            "reasons": draw_text,
            "grounds": draw_text,
        },
        "return_to_review": {"comment": draw_text},
        "approve": {},
        "refuse": {"grounds": draw_text},
        "withdraw": {"reason": draw_text},
        "revoke": {"reason": draw_text},
        "expire": {},
        "lapse": {},
    }[name]


class WorkflowModel(RuleBasedStateMachine):
    files = Bundle("files")

    def __init__(self) -> None:
        super().__init__()
        # Each example runs in a savepoint rolled back at its end: examples never see each other.
        self._example = transaction.atomic()
        self._example.__enter__()
        roles = {
            "applicant_a": ["applicant"],
            "applicant_b": ["applicant"],
            "case_manager_1": ["case_manager"],
            "case_manager_2": ["case_manager"],
            "head_1": ["head_of_unit"],
            "head_2": ["head_of_unit"],
            "auditor": ["auditor"],
        }
        self.people = {name: UserFactory(username=name, roles=r) for name, r in roles.items()}
        self.people["system"] = None
        self.organisations = {
            "applicant_a": OrganisationFactory(members=[self.people["applicant_a"]]),
            "applicant_b": OrganisationFactory(members=[self.people["applicant_b"]]),
        }

    def teardown(self) -> None:
        transaction.set_rollback(True)
        self._example.__exit__(None, None, None)

    def _act(self, call) -> None:
        """Run an action; a domain refusal is a legitimate outcome, anything else is a bug."""
        try:
            with transaction.atomic():
                call()
        except (TransitionError, ValidationError):
            pass

    # --- Rules --------------------------------------------------------------------------------

    FAMILIES = st.sampled_from(
        [("export", "military"), ("import", "military"), ("export", "dual_use")]
    )

    @initialize(
        target=files, owner=st.sampled_from(["applicant_a", "applicant_b"]), family=FAMILIES
    )
    def first_draft(self, owner: str, family):
        return self._draft(owner, family)

    @rule(target=files, owner=st.sampled_from(["applicant_a", "applicant_b"]), family=FAMILIES)
    def new_draft(self, owner: str, family):
        return self._draft(owner, family)

    def _draft(self, owner: str, family: tuple[str, str]) -> int:
        kind, regime = family
        application = ApplicationFactory(
            organisation=self.organisations[owner],
            created_by=self.people[owner],
            kind=kind,
            regime=regime,
        )
        return application.pk

    def _plausible_actor(self, application: PermitApplication, name: str, pick: int):
        """Someone who might be allowed to make ``name`` now (the rules still decide)."""
        owner = next(k for k, org in self.organisations.items() if org == application.organisation)
        candidates = {
            "submit": [owner],
            "provide_information": [owner],
            "withdraw": [owner],
            "start_review": ["case_manager_1", "case_manager_2", "head_1"],
            "request_information": ["case_manager_1", "case_manager_2"],
            "propose_decision": ["case_manager_1", "case_manager_2"],
            "return_to_review": ["head_1", "head_2"],
            "approve": ["head_1", "head_2"],
            "refuse": ["head_1", "head_2"],
            "revoke": ["head_1", "head_2"],
            "expire": ["system"],
            "lapse": ["system"],
        }[name]
        manager = application.assigned_case_manager
        if manager is not None and name in ("request_information", "propose_decision"):
            return manager
        return self.people[candidates[pick % len(candidates)]]

    @rule(
        file=files,
        name=st.sampled_from([*sorted(actions.TRANSITION_ACTIONS), *["next"] * 24]),
        who=st.sampled_from([*PEOPLE, *["plausible"] * 12]),
        pick=st.integers(min_value=0, max_value=5),
        text=TEXT,
        recommendation=st.sampled_from(["grant", "grant", "refuse", "maybe"]),
        assignee=st.sampled_from([None, None, "case_manager_1", "case_manager_2", "head_1"]),
    )
    def transition(self, file, name, who, pick, text, recommendation, assignee):
        self._transition(file, name, who, pick, text, recommendation, assignee)

    # The same rule twice more: transitions are most of what people do to a file.
    transition_again = transition
    transition_once_more = transition

    def _transition(self, file, name, who, pick, text, recommendation, assignee):
        application = PermitApplication.objects.get(pk=file)
        if name == "next":
            # Mostly a step forward from where the file is (withdrawal stays possible, rarer).
            available = sorted(t.name for t in application.get_available_status_transitions()) or [
                "submit"
            ]
            forward = [n for n in available if n != "withdraw"] or available
            name = forward[pick % len(forward)] if pick else available[0]
        actor = (
            self._plausible_actor(application, name, pick)
            if who == "plausible"
            else self.people[who]
        )
        kwargs = payload_for(name, text, recommendation, self.people)
        if name == "start_review" and assignee is not None:
            kwargs["case_manager"] = self.people[assignee]
        if name == "expire" and hasattr(application, "licence"):
            kwargs["today"] = application.licence.valid_until + timedelta(days=1)
        if name == "lapse":
            kwargs["today"] = application.created_at.date() + timedelta(days=400)
        action = actions.TRANSITION_ACTIONS[name]
        self._act(lambda: action(application=application, actor=actor, **kwargs))

    @rule(
        file=files,
        who=st.sampled_from(PEOPLE),
        code=st.sampled_from(["1", "2", "7", "DU3", "99"]),
        assessment=st.sampled_from(["not_engaged", "weighed", "refusal_ground", "bad"]),
        note=TEXT,
    )
    def assess(self, file, who, code, assessment, note):
        application = PermitApplication.objects.get(pk=file)
        self._act(
            lambda: actions.criterion_assess(
                application=application,
                actor=self.people[who],
                code=code,
                assessment=assessment,
                note=note,
            )
        )

    @rule(
        file=files,
        who=st.sampled_from([*PEOPLE, "head_1", "head_2", "head_1", "head_2"]),
        outcome=st.sampled_from(["granted", "granted", "refused"]),
    )
    def government_decides(self, file, who, outcome):
        application = PermitApplication.objects.get(pk=file)
        self._act(
            lambda: actions.government_decision_record(
                application=application,
                actor=self.people[who],
                outcome=outcome,
                decided_on=application.created_at.date(),
                reference="GOV-1",
            )
        )

    @rule(file=files, head=st.sampled_from(["head_1", "head_2"]))
    def assess_everything(self, file, head):
        """A worksheet filled in one go by whoever may (so that grants are reachable often)."""
        application = PermitApplication.objects.get(pk=file)
        actor = application.assigned_case_manager or self.people[head]
        if not rules.can_assess_criteria(application, actor):
            return
        for code in CRITERIA[rules.criteria_framework(application)]:
            self._act(
                lambda code=code: actions.criterion_assess(
                    application=application,
                    actor=actor,
                    code=code,
                    assessment="weighed",
                    note="",
                )
            )

    @rule(
        file=files,
        who=st.sampled_from(PEOPLE),
        quantity=st.decimals(min_value=-2, max_value=30, places=0, allow_nan=False),
    )
    def ship(self, file, who, quantity):
        licence = Licence.objects.filter(application_id=file).first()
        if licence is None:
            return
        line = licence.lines.first()
        self._act(
            lambda: actions.shipment_record(
                licence=licence,
                actor=self.people[who],
                shipped_on=licence.valid_from,
                customs_reference="EX-1",
                quantities={line.pk: Decimal(quantity)},
            )
        )

    # --- Invariants ---------------------------------------------------------------------------

    @invariant()
    def every_file_is_in_a_state_of_the_machine(self):
        assert set(PermitApplication.objects.values_list("status", flat=True)) <= set(Status.values)

    @invariant()
    def every_change_of_state_has_exactly_one_record_chaining_to_the_state(self):
        for application in PermitApplication.objects.all():
            state = Status.DRAFT
            for source, target in application.history.state_changes().values_list(
                "source_state", "target_state"
            ):
                assert source == state, (application.pk, source, state)
                state = target
            assert state == application.status

    @invariant()
    def no_licence_was_approved_by_a_reviewer(self):
        for application in PermitApplication.objects.filter(history__transition="approve"):
            reviewers: set[int] = set()
            for record in application.history.order_by("created_at", "id"):
                if record.transition == "start_review":
                    reviewers.add(record.payload.get("case_manager_id"))
                if record.transition in rules.REVIEW_TRANSITIONS:
                    reviewers.add(record.actor_id)
                if record.transition == "approve":
                    assert record.actor_id not in reviewers

    @invariant()
    def nobody_reads_another_organisations_file(self):
        for owner, other in (("applicant_a", "applicant_b"), ("applicant_b", "applicant_a")):
            organisation = self.organisations[owner]
            for application in organisation.applications.all():
                with pytest.raises(Http404):
                    selectors.application_get(user=self.people[other], key=application.url_key)

    @invariant()
    def no_line_ships_more_than_it_authorises(self):
        for licence in Licence.objects.all():
            for balance in selectors.licence_balances(licence=licence):
                assert balance["shipped_quantity"] <= balance["line"].authorised_quantity
                assert balance["remaining_quantity"] >= 0


@pytest.mark.django_db
def test_the_workflow_model_holds_its_invariants():
    run_state_machine_as_test(
        WorkflowModel,
        settings=settings(
            max_examples=EXAMPLES,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
            database=None,
            phases=[Phase.explicit, Phase.reuse, Phase.generate]
            + ([Phase.shrink] if SHRINK else []),
        ),
    )
