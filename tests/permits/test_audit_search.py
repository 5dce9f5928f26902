"""The auditors' search (issue 13): dates in Brussels, outcomes with partial grants, control-list
entries and categories, declared value, criterion cited, organisation, case manager, approver;
bad values are form errors; each result links to its timeline; the query count is constant."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from permits import actions
from permits.models import PermitApplication
from tests.factories import (
    ApplicationFactory,
    GoodsItemFactory,
    OrganisationFactory,
    PartyFactory,
    UserFactory,
)
from tests.workflow_helpers import advance, assess_all_criteria

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def partial_grant(organisation, people, *, refused_criteria=("6",), **fields):
    """An import of two lines (ML15.a granted, ML15.b refused citing ``refused_criteria``)."""
    application = ApplicationFactory(
        organisation=organisation,
        created_by=people["applicant"],
        kind="import",
        complete=False,
        **fields,
    )
    GoodsItemFactory(application=application, control_entry="ML15.a")
    cameras = GoodsItemFactory(application=application, control_entry="ML15.b")
    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")
    application = advance(application, "under_review", **people)
    assess_all_criteria(application, people["case_manager"])
    actions.application_propose_decision(
        application=application,
        actor=people["case_manager"],
        recommendation="grant",
        reasons="The cameras' end user is not verified.",
        grounds="The end user of the cameras could not be verified.",
        lines=[{"goods_item": cameras.pk, "outcome": "refuse", "criteria": list(refused_criteria)}],
    )
    return actions.application_approve(application=application, actor=people["head"])


def dual_use(organisation, people, state="submitted", entry="5A002.a", **fields):
    application = ApplicationFactory(
        organisation=organisation,
        created_by=people["applicant"],
        complete=False,
        **{"regime": "dual_use", **fields},
    )
    GoodsItemFactory(application=application, control_entry=entry)
    PartyFactory(application=application, role="consignee")
    PartyFactory(application=application, role="end_user")
    return advance(application, state, **people)


def make(organisation, people, state, **fields):
    application = ApplicationFactory(
        organisation=organisation, created_by=people["applicant"], **fields
    )
    return advance(application, state, **people)


@pytest.fixture
def files(organisation, people):
    """Four files: a grant in full (ML15.a, 250 000 €), a refusal (criterion 7, 90 000 €), a
    partial grant (criterion 6 on its refused line) and a dual-use file (5A002.a)."""
    return {
        "full": make(organisation, people, "issued"),
        "refused": make(
            organisation,
            people,
            "refused",
            total_value=Decimal("90000"),
            country_of_destination="CH",
        ),
        "partial": partial_grant(organisation, people, total_value=Decimal("1200000")),
        "dual": dual_use(organisation, people, total_value=Decimal("5000")),
    }


def found(user, **params) -> set[PermitApplication]:
    response = client_for(user).get(reverse("permits:search"), params)
    assert response.status_code == 200
    return set(response.context["filter"].qs)


def test_outcomes_tell_partial_grants_apart(files, auditor):
    assert found(auditor, outcome="partial") == {files["partial"]}
    assert found(auditor, outcome="granted_in_full") == {files["full"]}
    assert found(auditor, outcome="granted") == {files["full"], files["partial"]}
    assert found(auditor, outcome="refused") == {files["refused"]}


def test_control_list_entry_is_exact_and_category_a_prefix(files, auditor):
    assert found(auditor, entry="ml15.b") == {files["partial"]}
    assert found(auditor, entry="ML15") == set()
    assert found(auditor, category="ML15") == {files["full"], files["refused"], files["partial"]}
    assert found(auditor, category="5A") == {files["dual"]}
    assert found(auditor, category="5A002") == {files["dual"]}


def test_a_category_ending_in_a_digit_does_not_match_a_longer_number(organisation, people, auditor):
    ml1 = dual_use(organisation, people, regime="military", entry="ML1.a")
    ml10 = dual_use(organisation, people, regime="military", entry="ML10.b")

    assert found(auditor, category="ML1") == {ml1}
    assert found(auditor, category="ML10") == {ml10}
    assert found(auditor, category="ML") == {ml1, ml10}


def test_value_range_is_the_declared_total_in_euro(files, auditor):
    assert found(auditor, value_min="100000", value_max="300000") == {files["full"]}
    assert found(auditor, value_max="90000") == {files["refused"], files["dual"]}
    assert found(auditor, value_min="1000000") == {files["partial"]}


def test_criterion_cited_on_a_refusal_or_a_refused_line(files, auditor):
    assert found(auditor, criterion="7") == {files["refused"]}
    assert found(auditor, criterion="6") == {files["partial"]}
    assert found(auditor, criterion="1") == set()


def test_organisation_case_manager_and_approver(files, organisation, people, auditor):
    other = OrganisationFactory(members=[people["applicant"]])
    elsewhere = make(other, people, "submitted")
    second_head = UserFactory(username="head_2", roles=["head_of_unit"])

    assert found(auditor, organisation=str(other.pk)) == {elsewhere}
    assert found(auditor, case_manager=str(people["case_manager"].pk)) == {
        files["full"],
        files["refused"],
        files["partial"],
    }
    assert found(auditor, approver=str(people["head"].pk)) == {
        files["full"],
        files["refused"],
        files["partial"],
    }
    assert found(auditor, approver=str(second_head.pk)) == set()


def test_dates_are_calendar_days_in_brussels(files, auditor):
    # 23:30 UTC on 1 March is 00:30 on 2 March in Brussels.
    late = datetime(2026, 3, 1, 23, 30, tzinfo=UTC)
    PermitApplication.objects.filter(pk=files["dual"].pk).update(submitted_at=late)
    PermitApplication.objects.filter(pk=files["refused"].pk).update(decided_at=late)

    assert found(auditor, submitted_after="2026-03-02", submitted_before="2026-03-02") == {
        files["dual"]
    }
    assert files["dual"] not in found(auditor, submitted_before="2026-03-01")
    assert found(auditor, decided_after="2026-03-02", decided_before="2026-03-02") == {
        files["refused"]
    }


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("value_min", "-1"),
        ("value_max", "lots"),
        ("entry", "ML1';DROP"),
        ("category", "x" * 41),
        ("criterion", "99"),
        ("outcome", "maybe"),
        ("case_manager", "abc"),
        ("approver", "999999"),
        ("organisation", "-3"),
        ("submitted_after", "yesterday"),
        ("decided_before", "2026-02-30"),
    ],
)
def test_a_bad_value_is_a_form_error_not_a_failure(field, value, auditor):
    response = client_for(auditor).get(reverse("permits:search"), {field: value})

    assert response.status_code == 200
    assert field in response.context["filter"].errors


def test_each_result_links_to_its_timeline(files, auditor):
    response = client_for(auditor).get(reverse("permits:search"), {"outcome": "partial"})

    detail = reverse("permits:application_detail", args=[files["partial"].url_key])
    assert f'href="{detail}#history"'.encode() in response.content
    timeline = client_for(auditor).get(detail)
    assert b'<section id="history"' in timeline.content
    compare = reverse("permits:history_compare", args=[files["partial"].url_key])
    assert f'href="{compare}"'.encode() in response.content
    assert client_for(auditor).get(compare).status_code == 200


def test_the_search_shows_partial_grants_approver_and_case_manager(files, auditor, people):
    response = client_for(auditor).get(reverse("permits:search"), {"outcome": "partial"})

    html = response.content.decode()
    assert "Granted in part" in html
    head_name = people["head"].get_full_name() or people["head"].username
    assert head_name in html


ALL_FILTERS = {
    "category": "ML",
    "value_min": "0",
    "value_max": "99999999",
    "submitted_after": "2000-01-01",
    "decided_before": "2100-01-01",
    "o": "-value",
}


def test_the_search_keeps_a_constant_number_of_queries(
    organisation, people, auditor, django_assert_max_num_queries
):
    client = client_for(auditor)
    make(organisation, people, "issued")
    partial_grant(organisation, people)
    client.get(reverse("permits:search"), ALL_FILTERS)  # warm caches (content types, roles)
    with django_assert_max_num_queries(20) as few:
        client.get(reverse("permits:search"), ALL_FILTERS)
    for _ in range(3):
        make(organisation, people, "issued")
        partial_grant(organisation, people)
        make(organisation, people, "refused")

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(reverse("permits:search"), ALL_FILTERS)

    assert len(response.context["page"].object_list) == 11


# --- The same filters on the API's application list ------------------------------------------


def api_ids(user, **params) -> set[str]:
    from tests.api.conftest import client_for as api_client

    response = api_client(user).get("/api/v1/applications/", params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_the_api_list_has_the_auditors_filters(files, auditor, people):
    def key(*names):
        return {str(files[name].public_id) for name in names}

    assert api_ids(auditor, outcome="partial") == key("partial")
    assert api_ids(auditor, category="ML15", criterion="7") == key("refused")
    assert api_ids(auditor, entry="5A002.a") == key("dual")
    assert api_ids(auditor, value_max="90000") == key("refused", "dual")
    assert api_ids(auditor, approver=people["head"].username, destination="CH") == key("refused")
    assert api_ids(auditor, case_manager=people["case_manager"].username) == key(
        "full", "refused", "partial"
    )


@pytest.mark.parametrize(
    "params", [{"value_min": "-1"}, {"entry": "ML1;"}, {"criterion": "99"}, {"outcome": "x"}]
)
def test_the_api_refuses_a_bad_auditor_filter(params, auditor):
    from tests.api.conftest import client_for as api_client

    response = api_client(auditor).get("/api/v1/applications/", params)

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")
