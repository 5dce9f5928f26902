"""The customs interface: a customs account looks licences up and decrements them, and reaches
nothing else; nobody else reaches it."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.test import Client
from django.utils import timezone

from audit.models import StaffRead
from outbox.models import OutboxMessage
from permits import actions
from permits.decisions.generation import decision_document_generate
from permits.models import Decision, Licence, OrganisationInvitation, Shipment
from tests.api.conftest import client_for
from tests.factories import ApplicationFactory, GoodsItemFactory, UserFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db

API = "/api/v1/customs/licences"


@pytest.fixture
def customs(db):
    return UserFactory(username="customs_system", roles=["customs"])


@pytest.fixture
def customs_client(customs):
    return client_for(customs)


@pytest.fixture
def licence(organisation, applicant, case_manager, head) -> Licence:
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    GoodsItemFactory(
        application=application,
        description="Spare batteries",
        control_entry="ML15.e",
        quantity=Decimal("100"),
        unit_value=Decimal("45"),
    )
    application = advance(
        application, "issued", applicant=applicant, case_manager=case_manager, head=head
    )
    return application.licence


def position_of(licence: Licence, description: str) -> int:
    ids = list(licence.lines.order_by("id").values_list("description", flat=True))
    return ids.index(description) + 1


def decrement_url(licence: Licence, position: int) -> str:
    return f"{API}/{licence.number}/lines/{position}/decrements/"


def declaration(licence: Licence, **overrides) -> dict:
    return {
        "declaration_reference": "26BE212000EX0004711",
        "declared_on": licence.valid_from.isoformat(),
        "customs_office": "BE212000",
        "quantity": "40",
        **overrides,
    }


def batteries(licence: Licence) -> str:
    return decrement_url(licence, position_of(licence, "Spare batteries"))


# --- Lookup ------------------------------------------------------------------------------------


def test_customs_look_a_licence_up_with_its_lines_and_balances(customs_client, licence):
    response = customs_client.get(f"{API}/{licence.number}/")

    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "valid"
    assert body["holder"]["name"] == licence.holder.legal_name
    assert body["valid_until"] == licence.valid_until.isoformat()
    line = body["lines"][position_of(licence, "Spare batteries") - 1]
    assert (line["unit"], line["currency"]) == ("pieces", "EUR")
    assert (line["remaining_quantity"], line["remaining_value"]) == ("100.000", "4500.00")


def test_the_lookup_shows_what_decrements_left(customs_client, licence):
    customs_client.post(batteries(licence), declaration(licence), format="json")

    body = customs_client.get(f"{API}/{licence.number}/").json()

    line = body["lines"][position_of(licence, "Spare batteries") - 1]
    assert (line["used_quantity"], line["remaining_quantity"]) == ("40.000", "60.000")


def test_the_lookup_gives_the_conditions_in_the_requested_language(customs_client, licence):
    Decision.objects.filter(application=licence.application).update(
        conditions=[
            {
                "code": "reexport",
                "fr": "Pas de réexportation.",
                "nl": "Geen wederuitvoer.",
                "en": "No re-export.",
            }
        ]
    )

    response = customs_client.get(f"{API}/{licence.number}/", HTTP_ACCEPT_LANGUAGE="nl")

    assert response.json()["conditions"] == ["Geen wederuitvoer."]
    assert response.json()["language"] == "nl"


def test_the_lookup_gives_the_decision_documents_hash(customs_client, licence):
    document = decision_document_generate(decision_id=licence.application.decision.pk)

    body = customs_client.get(f"{API}/{licence.number}/").json()

    assert body["document_sha256"] == document.sha256


def test_the_lookup_shows_a_suspended_licence_as_suspended(customs_client, licence, head):
    actions.licence_suspend(licence=licence, actor=head, reason="End-use check pending.")

    body = customs_client.get(f"{API}/{licence.number}/").json()

    assert body["status"] == "suspended"
    assert "End-use check" not in str(body)


def test_the_lookup_carries_no_staff_data(customs_client, licence):
    body = customs_client.get(f"{API}/{licence.number}/").json()

    assert set(body) == {
        "number", "status", "status_label", "replaced_by", "holder", "licence_type", "kind",
        "country_of_destination", "valid_from", "valid_until", "issued_at", "lines",
        "conditions", "language", "document_sha256",
    }  # fmt: skip


def test_an_unknown_licence_number_is_a_problem_404(customs_client, db):
    response = customs_client.get(f"{API}/BXL-ML-EXP-2026-999999/")

    assert response.status_code == 404
    assert response["Content-Type"] == "application/problem+json"


@pytest.mark.parametrize(
    "who", ["applicant_client", "case_manager_client", "head_client", "auditor_client"]
)
def test_no_one_else_reaches_the_customs_interface(who, request, licence):
    client = request.getfixturevalue(who)

    assert client.get(f"{API}/{licence.number}/").status_code == 403
    assert client.post(batteries(licence), declaration(licence), format="json").status_code == 403
    assert not Shipment.objects.exists()


def test_anonymous_callers_are_asked_to_authenticate(anon_client, licence):
    assert anon_client.get(f"{API}/{licence.number}/").status_code == 401


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/applications/",
        "/api/v1/history/",
        "/api/v1/no-such-thing/",
    ],
)
def test_a_customs_token_reaches_nothing_but_the_customs_interface(customs_client, path):
    # (The public directory, open to anonymous readers, stays open to it too.)
    assert customs_client.get(path).status_code in (403, 404)


def test_a_customs_token_cannot_read_the_licence_through_its_application(customs_client, licence):
    key = licence.application.reference
    for suffix in ("", "licence/", "history/", "decision/"):
        response = customs_client.get(f"/api/v1/applications/{key}/{suffix}")
        assert response.status_code == 403


def test_a_customs_token_cannot_report_usage_as_a_holder(customs_client, licence):
    response = customs_client.post(
        f"/api/v1/licences/{licence.number}/usage-reports/", {"lines": []}, format="json"
    )
    assert response.status_code == 403


# --- Decrement ---------------------------------------------------------------------------------


def test_a_decrement_draws_on_the_line_and_answers_with_what_is_left(customs_client, licence):
    response = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert response.status_code == 201
    body = response.json()
    assert (body["quantity"], body["value"]) == ("40.000", "1800.00")
    assert (body["remaining_quantity"], body["remaining_value"]) == ("60.000", "2700.00")
    shipment = Shipment.objects.get()
    assert (shipment.source, shipment.customs_office) == ("customs", "BE212000")


def test_a_decrement_by_value_only_draws_no_quantity(customs_client, licence):
    response = customs_client.post(
        batteries(licence), declaration(licence, quantity=None, value="450.00"), format="json"
    )
    assert response.status_code == 400  # null is not an amount: leave the field out

    data = declaration(licence, value="450.00")
    del data["quantity"]
    body = customs_client.post(batteries(licence), data, format="json").json()

    assert (body["quantity"], body["remaining_quantity"]) == ("0.000", "100.000")
    assert body["remaining_value"] == "4050.00"


def test_the_same_declaration_twice_decrements_once(customs_client, licence):
    first = customs_client.post(batteries(licence), declaration(licence), format="json")
    again = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert again.status_code == 200
    assert again["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert Shipment.objects.get().lines.get().quantity == Decimal("40")


def test_a_repeated_declaration_gets_its_first_answer_after_later_decrements(
    customs_client, licence
):
    first = customs_client.post(batteries(licence), declaration(licence), format="json")
    customs_client.post(
        batteries(licence), declaration(licence, declaration_reference="OTHER-1"), format="json"
    )

    again = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert again.json()["remaining_quantity"] == first.json()["remaining_quantity"] == "60.000"


def test_a_declaration_sent_again_in_lower_case_is_the_same_declaration(customs_client, licence):
    customs_client.post(batteries(licence), declaration(licence), format="json")

    again = customs_client.post(
        batteries(licence),
        declaration(licence, declaration_reference=" 26be212000ex0004711 "),
        format="json",
    )

    assert again.status_code == 200
    assert Shipment.objects.get().lines.count() == 1


def test_the_same_declaration_with_other_figures_is_a_conflict(customs_client, licence):
    customs_client.post(batteries(licence), declaration(licence), format="json")

    response = customs_client.post(
        batteries(licence), declaration(licence, quantity="41"), format="json"
    )

    assert response.status_code == 409
    assert Shipment.objects.get().lines.get().quantity == Decimal("40")


def test_one_declaration_can_decrement_two_lines_of_a_licence(customs_client, licence):
    sights = decrement_url(licence, position_of(licence, "Thermal imaging sights"))
    customs_client.post(batteries(licence), declaration(licence), format="json")

    response = customs_client.post(sights, declaration(licence, quantity="1"), format="json")

    assert response.status_code == 201
    assert Shipment.objects.get().lines.count() == 2


def test_a_decrement_beyond_the_balance_is_refused_with_the_balance(customs_client, licence):
    customs_client.post(batteries(licence), declaration(licence, quantity="90"), format="json")

    response = customs_client.post(
        batteries(licence),
        declaration(licence, declaration_reference="26BE212000EX0004712", quantity="11"),
        format="json",
    )

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert (body["remaining_quantity"], body["unit"]) == ("10.000", "pieces")
    assert "10" in body["errors"]["quantity"][0]
    assert Shipment.objects.count() == 1


def replace(licence: Licence, successor_number: str) -> None:
    successor = Licence.objects.create(
        number=successor_number,
        application=ApplicationFactory(organisation=licence.holder),
        holder=licence.holder,
        licence_type=licence.licence_type,
        valid_from=licence.valid_from,
        valid_until=licence.valid_until,
        issued_at=licence.issued_at,
        issued_by=licence.issued_by,
    )
    Licence.objects.filter(pk=licence.pk).update(status="replaced", replaced_by=successor)


def test_the_lookup_of_a_replaced_licence_names_its_successor(customs_client, licence):
    replace(licence, "BXL-ML-EXP-2026-777777")

    body = customs_client.get(f"{API}/{licence.number}/").json()

    assert (body["status"], body["replaced_by"]) == ("replaced", "BXL-ML-EXP-2026-777777")


def test_a_decrement_on_a_replaced_licence_names_its_successor(customs_client, licence):
    successor_number = "BXL-ML-EXP-2026-777777"
    replace(licence, successor_number)

    response = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert response.status_code == 409
    body = response.json()
    assert (body["reason"], body["replaced_by"]) == ("replaced", successor_number)
    assert successor_number in body["detail"]
    assert not Shipment.objects.exists()


def test_a_decrement_on_a_suspended_licence_is_refused_naming_the_reason(
    customs_client, licence, head
):
    actions.licence_suspend(licence=licence, actor=head, reason="Checks.")

    response = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert response.status_code == 409
    assert response.json()["reason"] == "suspended"
    assert "suspended" in response.json()["detail"]


def test_a_decrement_on_a_revoked_licence_is_refused_naming_the_reason(
    customs_client, licence, head
):
    actions.application_revoke(application=licence.application, actor=head, reason="Embargo.")

    response = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert (response.status_code, response.json()["reason"]) == (409, "revoked")


def test_a_licence_past_its_validity_is_refused_as_expired_before_the_sweep(
    customs_client, licence
):
    Licence.objects.filter(pk=licence.pk).update(
        valid_from=licence.valid_from - timedelta(days=400),
        valid_until=licence.valid_from - timedelta(days=1),
    )

    response = customs_client.post(
        batteries(licence),
        declaration(licence, declared_on=(licence.valid_from - timedelta(days=2)).isoformat()),
        format="json",
    )

    assert (response.status_code, response.json()["reason"]) == (409, "expired")


def test_a_repeated_declaration_still_answers_after_the_licence_was_suspended(
    customs_client, licence, head
):
    first = customs_client.post(batteries(licence), declaration(licence), format="json")
    actions.licence_suspend(licence=licence, actor=head, reason="Checks.")

    again = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert (again.status_code, again.json()) == (200, first.json())


def test_a_declaration_outside_the_validity_is_refused_naming_the_date(customs_client, licence):
    before = (licence.valid_from - timedelta(days=1)).isoformat()

    response = customs_client.post(
        batteries(licence), declaration(licence, declared_on=before), format="json"
    )

    assert response.status_code == 422
    assert "declared_on" in response.json()["errors"]


def test_a_decrement_without_figures_is_refused_naming_the_field(customs_client, licence):
    data = declaration(licence)
    del data["quantity"]

    response = customs_client.post(batteries(licence), data, format="json")

    assert response.status_code == 422
    assert "quantity" in response.json()["errors"]


def test_a_malformed_decrement_names_the_field(customs_client, licence):
    response = customs_client.post(
        batteries(licence), declaration(licence, quantity="-3"), format="json"
    )

    assert response.status_code == 400
    assert "quantity" in response.json()["errors"]


def test_a_line_the_licence_does_not_have_is_404(customs_client, licence):
    response = customs_client.post(decrement_url(licence, 9), declaration(licence), format="json")

    assert response.status_code == 404


def test_a_decrement_is_in_the_history_the_holder_and_auditors_read(
    customs_client, applicant_client, auditor_client, licence
):
    customs_client.post(batteries(licence), declaration(licence), format="json")
    record = TransitionRecord.objects.get(transition="customs_decrement_recorded")
    assert record.payload["declaration_reference"] == "26BE212000EX0004711"
    assert record.actor_role == "customs"
    key = licence.application.reference

    for client in (applicant_client, auditor_client):
        history = client.get(f"/api/v1/applications/{key}/history/").json()["results"]
        assert "customs_decrement_recorded" in [r["transition"] for r in history]


def test_using_up_the_last_balance_exhausts_the_licence(customs_client, licence):
    for number, position in enumerate(range(1, licence.lines.count() + 1)):
        line = licence.lines.order_by("id")[position - 1]
        customs_client.post(
            decrement_url(licence, position),
            declaration(
                licence,
                declaration_reference=f"DECL-{number}",
                quantity=f"{line.authorised_quantity:f}",
            ),
            format="json",
        )

    licence.refresh_from_db()
    assert licence.status == "exhausted"


def test_the_holder_sees_the_decrement_on_its_licence_page(
    customs_client, client, applicant, licence
):
    customs_client.post(batteries(licence), declaration(licence), format="json")
    client.force_login(applicant)

    page = client.get(f"/applications/{licence.application.reference}/licence/")

    assert page.status_code == 200
    assert "26BE212000EX0004711" in page.content.decode()
    assert "(BE212000)" in page.content.decode()


# --- The holder is told of each decrement ---------------------------------------------------


def decrement_notices() -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(key__startswith="customs_decrement:").order_by("pk"))


def test_a_decrement_is_told_to_the_holder_once_with_the_declaration_and_balance(
    customs_client, licence, applicant
):
    response = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert response.status_code == 201
    [notice] = decrement_notices()
    assert notice.recipient == applicant.email
    assert licence.number in notice.subject
    for text in ("26BE212000EX0004711", "BE212000", "40 pieces", "60 pieces", "2700.00 EUR"):
        assert text in notice.body


def test_a_replayed_declaration_tells_nobody_again(customs_client, licence):
    customs_client.post(batteries(licence), declaration(licence), format="json")

    replay = customs_client.post(batteries(licence), declaration(licence), format="json")

    assert replay.status_code == 200
    assert len(decrement_notices()) == 1


def test_a_refused_decrement_tells_nobody(customs_client, licence):
    response = customs_client.post(
        batteries(licence), declaration(licence, quantity="101"), format="json"
    )

    assert response.status_code == 422
    assert decrement_notices() == []


def test_only_members_who_read_decisions_are_told(customs_client, licence, organisation, applicant):
    drafter = UserFactory(username="drafter", roles=["applicant"])
    organisation.members.add(drafter, through_defaults={"see_decisions": False})

    customs_client.post(batteries(licence), declaration(licence), format="json")

    assert [n.recipient for n in decrement_notices()] == [applicant.email]


def test_each_member_is_told_in_the_language_they_were_invited_in(
    customs_client, licence, organisation, applicant
):
    reader = UserFactory(username="reader", roles=["applicant"])
    organisation.members.add(reader, through_defaults={"see_decisions": True})
    OrganisationInvitation.objects.create(
        organisation=organisation,
        email=reader.email,
        language="nl",
        see_decisions=True,
        invited_by=applicant,
        expires_at=timezone.now() + timedelta(days=7),
        accepted_at=timezone.now(),
        accepted_by=reader,
    )

    customs_client.post(batteries(licence), declaration(licence), format="json")

    by_recipient = {n.recipient: n for n in decrement_notices()}
    # The organisation corresponds in French; the member invited in Dutch reads Dutch.
    assert "Solde restant" in by_recipient[applicant.email].body
    assert "Resterend saldo" in by_recipient[reader.email].body


# --- Customs lookups in the read log ---------------------------------------------------------


def _web(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_customs_lookup_writes_one_row_in_the_read_log(customs_client, customs, licence):
    customs_client.get(f"{API}/{licence.number}/")

    read = StaffRead.objects.get()
    assert (read.user, read.application_id, read.what) == (
        customs,
        licence.application_id,
        StaffRead.What.CUSTOMS_LOOKUP,
    )
    assert read.reference == licence.application.reference
    assert read.path == f"{API}/{licence.number}/"


def test_a_lookup_of_an_unknown_number_writes_no_row(customs_client, db):
    customs_client.get(f"{API}/BI-1999-00000/")

    assert not StaffRead.objects.exists()


def test_auditors_see_which_customs_account_read_which_licence(customs_client, licence, auditor):
    customs_client.get(f"{API}/{licence.number}/")

    page = _web(auditor).get("/audit/reads/")

    assert page.status_code == 200
    content = page.content.decode()
    assert "customs_system" in content
    assert f"{API}/{licence.number}/" in content


def test_the_holder_never_sees_the_read_log(customs_client, licence, applicant):
    customs_client.get(f"{API}/{licence.number}/")

    response = _web(applicant).get("/audit/reads/")

    assert response.status_code == 403
    assert "customs_system" not in response.content.decode()
