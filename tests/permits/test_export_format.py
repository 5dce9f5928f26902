"""The exports' bytes do not change when their writing gets faster.

``FrozenFormat`` is the exports' cell formatting as it was before the history export moved to
per-column loaders (permits/exports.py before issue 14): every row read as Django values,
every cell formatted in Python. The export of the same rows must be byte for byte what it
would have written, for tricky records: formula starts, quotes, line breaks, control
characters, non-ASCII, nested and unsorted JSON, floats, lists, nulls, microseconds, summer
and winter time.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from permits import exports, selectors
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord
from workflow.services import transition_record_create

pytestmark = pytest.mark.django_db

BRUSSELS = ZoneInfo("Europe/Brussels")
FORMULA_STARTS = frozenset("=+-@\t\r")


class FrozenFormat:
    """The previous implementation's formatting, kept verbatim as the reference."""

    @staticmethod
    def neutralise(text):
        return "'" + text if text and text[0] in FORMULA_STARTS else text

    @classmethod
    def csv_cell(cls, value):
        by_type = {
            str: cls.neutralise,
            type(None): lambda value: "",
            int: lambda value: value,
            Decimal: lambda value: value,
            bool: lambda value: "true" if value else "false",
            datetime: lambda value: value.astimezone(BRUSSELS).isoformat(),
            date: date.isoformat,
            list: lambda value: cls.neutralise(";".join(str(v) for v in value)),
            dict: lambda value: cls.neutralise(
                json.dumps(value, ensure_ascii=False, sort_keys=True)
            ),
        }
        convert = by_type.get(type(value))
        if convert is not None:
            return convert(value)
        for kind, convert in by_type.items():
            if kind is not type(None) and isinstance(value, kind):
                return convert(value)
        return cls.neutralise(str(value))

    @staticmethod
    def json_default(value):
        if isinstance(value, datetime):
            return value.astimezone(BRUSSELS).isoformat()
        if isinstance(value, date):
            return value.isoformat()
        return str(value)

    @classmethod
    def history(cls, fmt: str, records) -> str:
        cols = exports.history_columns()
        rows = records.order_by("id").values_list(*(c.source for c in cols))
        out = io.StringIO()
        if fmt == "csv":
            writer = csv.writer(out, lineterminator="\n")
            writer.writerow([c.name for c in cols])
            for row in rows:
                writer.writerow([cls.csv_cell(v) for v in row])
        else:
            names = [c.name for c in cols]
            for row in rows:
                line = json.dumps(
                    dict(zip(names, row, strict=True)),
                    ensure_ascii=False,
                    default=cls.json_default,
                )
                out.write(line + "\n")
        return out.getvalue()


# (comment, payload, versions, when): summer and winter time, microseconds or none.
TRICKY = [
    (
        "=SUM(A1:A9)",
        {"z": 1, "a": {"y": [1, 2.5, "x"], "b": None}, "é": "ünï\u0001"},
        {"release": "=1.2", "lists": {"zz": "2026-01", "aa": 3}},
        datetime(2026, 7, 1, 10, 0, 0, 123456, tzinfo=BRUSSELS),
    ),
    (
        '+32 2 "quoted", comma\nnew line\r\n',
        {"score": 0.875, "tiny": 1e-07, "big": 1e16},
        None,
        datetime(2026, 1, 15, 23, 59, 59, tzinfo=BRUSSELS),
    ),
    (
        "-5",
        {"list": ["=cmd", True, False, None], "n": -3},
        None,
        datetime(2026, 3, 29, 3, 30, 0, 500000, tzinfo=BRUSSELS),
    ),
    ("@mention\ttab", {}, {}, datetime(2026, 10, 25, 2, 30, tzinfo=BRUSSELS)),
    (
        "Zoë's café — naïve ☃ \u2028",
        {"kind": "end_user_certificate", "document_id": 7},
        None,
        datetime(2026, 12, 31, 23, 0, 0, 1, tzinfo=BRUSSELS),
    ),
    ("", {"nested": {"deeper": {"deepest": [{"b": 2, "a": 1}]}}}, None, None),
]


@pytest.fixture
def history(organisation, applicant, case_manager, head):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "issued",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    for comment, payload, versions, when in TRICKY:
        with time_machine.travel(when or datetime.now(tz=BRUSSELS), tick=False):
            transition_record_create(
                application=application,
                transition="document_uploaded",
                source_state="issued",
                target_state="issued",
                actor=case_manager if versions is None else None,
                comment=comment,
                payload=payload,
                versions=versions,
            )
    return TransitionRecord.objects.filter(application=application)


def rows_of(fmt: str) -> str:
    request = exports.ExportRequest(dataset="history", format=fmt, exporter="auditor")
    text = "".join(exports.export_chunks(request, applications=selectors.operator_audit_list()))
    skip = 5 if fmt == "csv" else 1
    return "".join(text.splitlines(keepends=True)[skip:])


@pytest.mark.parametrize("fmt", ["csv", "jsonl"])
def test_the_history_export_writes_what_the_previous_format_wrote(history, fmt):
    expected = FrozenFormat.history(fmt, history)

    assert rows_of(fmt) == expected
    assert "'=SUM(A1:A9)" in expected if fmt == "csv" else "=SUM(A1:A9)" in expected


def test_an_export_closed_early_leaves_no_reader_and_a_usable_connection(history, monkeypatch):
    import threading

    # Several fetches for these few records, every line its own block.
    monkeypatch.setattr(exports, "CHUNK_SIZE", 2)
    monkeypatch.setattr(exports, "BLOCK_BYTES", 1)
    request = exports.ExportRequest(dataset="history", format="csv", exporter="auditor")
    chunks = exports.export_chunks(request, applications=selectors.operator_audit_list())
    read = [next(chunks) for _ in range(8)]  # the header, its column names, two fetches
    chunks.close()

    assert read[0].startswith("# dataset: history")
    assert read[6][0].isdigit() and read[7][0].isdigit()  # rows of records, by their id
    assert not any(t.name == "export-read-ahead" for t in threading.enumerate())
    assert history.exists()  # the connection answers
