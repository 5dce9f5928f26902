"""Fuzz the live OpenAPI schema with schemathesis, as each role: no 500, no schema violation.

The schema is fetched from /api/v1/schema/ of the running WSGI application; every operation
gets its documented examples plus a bounded number of generated positive and negative cases.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.config import SchemathesisConfig

from config.wsgi import application as wsgi_application
from permits.api.examples import EXAMPLE_ID, EXAMPLE_REFERENCE
from permits.models import PermitApplication
from tests.api.conftest import SCHEMATHESIS_CASES, client_for
from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance

EXAMPLES_PER_OPERATION = 8
# Every role's view of the API is fuzzed with a token of its own: one line per role, the role
# (workflow.roles.Role) and the username its token is issued to. The applicant is the member
# of the fuzz world's organisation (tests/conftest.py). None: no token at all.
ROLE_USERS: dict[str, str | None] = {
    "applicant": "applicant",
    "case_manager": "case_manager",
    "head_of_unit": "head",
    "auditor": "auditor",
    "customs": "customs",
    "anonymous": None,
}

CONFIG = {
    "checks": {
        # Valid data the business rules refuse (422), a stale or missing If-Match (412/428).
        "positive_data_acceptance": {
            "expected-statuses": ["2xx", "401", "403", "404", "409", "412", "422", "428", "429"]
        },
    },
}


@pytest.fixture
def wsgi_in_test_transaction():
    """Serve requests inside the test's transaction, as Django's test client does."""
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    try:
        yield wsgi_application
    finally:
        signals.request_started.connect(close_old_connections)
        signals.request_finished.connect(close_old_connections)


@pytest.fixture
def fuzz_world(settings, organisation, applicant, case_manager, head):
    """Applications in every state, one of them with the schema examples' public id, and the
    real directory (its empty and missing values are what the schema must allow)."""
    from io import StringIO

    from django.core.management import call_command

    call_command("load_directory", stdout=StringIO())
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100000/hour", "anon": "100000/hour"},
    }
    # Schemathesis also sends bad tokens (to check they are refused); every request comes from
    # one address, which the bad-token lockout would otherwise refuse (429) for the rest of
    # the run, so that a role's requests would never reach the views.
    settings.AXES_FAILURE_LIMIT = 10**9
    ApplicationFactory(organisation=organisation, created_by=applicant, public_id=EXAMPLE_ID)
    for state in ("submitted", "under_review", "information_requested", "pending_approval"):
        application = ApplicationFactory(organisation=organisation, created_by=applicant)
        advance(application, state, applicant=applicant, case_manager=case_manager, head=head)
    issued = ApplicationFactory(organisation=organisation, created_by=applicant)
    advance(issued, "issued", applicant=applicant, case_manager=case_manager, head=head)
    # The schema's examples name this reference: they then reach a real licence (suspend,
    # reinstate, revoke, renew) and a real file's casework, not only 404s.
    PermitApplication.objects.filter(pk=issued.pk).update(reference=EXAMPLE_REFERENCE)
    issued.refresh_from_db()
    from permits.decisions.generation import decision_document_generate

    decision_document_generate(decision_id=issued.decision.pk)
    # The licence the examples name, so that the customs and usage operations reach a real one.
    from permits.models import Licence

    Licence.objects.filter(application=issued).update(number=EXAMPLE_REFERENCE)


def _headers(role: str) -> dict[str, str]:
    username = ROLE_USERS[role]
    if username is None:
        return {}
    user = UserFactory(username=username, roles=[role])
    client = client_for(user)
    return {"Authorization": client._credentials["HTTP_AUTHORIZATION"]}


def _run(strategy, *, max_examples: int, call) -> None:
    @given(case=strategy)
    @settings(
        max_examples=max_examples,
        deadline=None,
        derandomize=True,
        database=None,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case):
        call(case)

    run()


# About a minute per role on the CI machine: slow (.ci/run runs it with the rest).
@pytest.mark.slow
@pytest.mark.parametrize("role", ROLE_USERS)
def test_no_server_error_and_no_schema_violation(role, fuzz_world, wsgi_in_test_transaction):
    schema = schemathesis.openapi.from_wsgi(
        "/api/v1/schema/",
        wsgi_in_test_transaction,
        config=SchemathesisConfig.from_dict(CONFIG),
    )
    headers = _headers(role)
    counted = 0
    failures: list[str] = []

    def call(case) -> None:
        nonlocal counted
        counted += 1
        case.call_and_validate(headers=headers)

    for result in schema.get_all_operations():
        operation = result.ok()
        public = operation.path.startswith("/api/v1/directory/")
        if public and ROLE_USERS[role] is not None:
            continue  # public and unauthenticated: fuzzed once, anonymously
        strategies = [(s, 1) for s in operation.get_strategies_from_examples()]
        generated = st.one_of(
            operation.as_strategy(generation_mode=GenerationMode.POSITIVE),
            operation.as_strategy(generation_mode=GenerationMode.NEGATIVE),
        )
        strategies.append((generated, EXAMPLES_PER_OPERATION))
        for strategy, max_examples in strategies:
            try:
                _run(strategy, max_examples=max_examples, call=call)
            except Exception as exc:  # a check failed: report it with the others
                failures.append(f"{operation.label}: {exc}"[:3000])
                break
    SCHEMATHESIS_CASES[role] = counted
    assert not failures, "\n\n".join(failures)
