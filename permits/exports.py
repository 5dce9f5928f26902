"""Audit exports: the applications, the decisions per goods line and the history records of
the files an auditor's filter selects, as CSV or JSON Lines, streamed.

One generator (``export_chunks``) serves the search page's export (``StreamingHttpResponse``)
and ``manage.py export_audit``: it reads with ``values_list`` (no model instances) through a
server-side cursor (``QuerySet.iterator(chunk_size=…)``, a named cursor on PostgreSQL) and
yields text in blocks of about 64 KB, so memory stays flat whatever the size of the export.

Every export opens with a header: the dataset, the filter, the export time (Brussels), the
exporter and the head of the history chain when the export was taken. In CSV these are five
lines starting with ``#`` (``# filter: kind=export&destination=NO``), then the row of column
names: read them with ``skiprows=5`` (pandas) or skip lines starting with ``#``. In JSON Lines
the first line is ``{"export": {…}}`` and every other line one row as an object.

CSV text cells starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return get a
leading apostrophe, so that a spreadsheet shows them instead of running them as formulas
(a party called ``=HYPERLINK(…)``); numbers the export writes itself are not text cells and
are never changed. JSON Lines is for programs and keeps every value exactly as stored.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import logging
import queue
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import cache, lru_cache
from itertools import islice
from typing import Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.utils import timezone
from psycopg.adapt import Loader

from config.db_router import bulk_read_alias, stepwise_bulk_reads
from workflow import chain
from workflow.models import TransitionRecord

from .models import Decision, GoodsItem, Party, PermitApplication

logger = logging.getLogger(__name__)

DATASETS = ("applications", "decisions", "history")
FORMATS = ("csv", "jsonl")
CONTENT_TYPES = {"csv": "text/csv; charset=utf-8", "jsonl": "application/x-ndjson; charset=utf-8"}
# Rows fetched per round trip of the server-side cursor, and the size of the text blocks
# handed to the response: small enough to keep memory flat, big enough to keep it fast.
CHUNK_SIZE = 2000
BLOCK_BYTES = 64 * 1024
FORMULA_STARTS = frozenset("=+-@\t\r")


@dataclass(frozen=True)
class Column:
    name: str
    source: str  # the ``values_list`` path (or the key of a decision line)
    convert: Callable[[Any], Any] | None = None


def _text(value: Any) -> Any:
    return None if value is None else str(value)


def _decimal(value: Any) -> Any:
    return None if value in (None, "") else Decimal(str(value))


APPLICATION_COLUMNS = (
    Column("id", "id"),
    Column("public_id", "public_id", _text),
    Column("reference", "reference"),
    Column("organisation", "organisation__legal_name"),
    Column("enterprise_number", "organisation__enterprise_number"),
    Column("kind", "kind"),
    Column("regime", "regime"),
    Column("licence_type", "licence_type"),
    Column("status", "status"),
    Column("country_of_origin", "country_of_origin", _text),
    Column("country_of_destination", "country_of_destination", _text),
    Column("consignee", "first_consignee"),
    Column("end_user", "first_end_user"),
    Column("declared_value_eur", "total_value"),
    Column("submitted_at", "submitted_at"),
    Column("case_manager", "assigned_case_manager__username"),
    Column("outcome", "decision__outcome"),
    Column("partial", "decision__partial"),
    Column("decided_at", "decided_at"),
    Column("decided_by", "decision__decided_by__username"),
    Column("criteria", "decision__criteria"),
    Column("licence_number", "licence__number"),
    Column("licence_status", "licence__status"),
    Column("updated_at", "updated_at"),
)

# One row per goods line of each decision: the decision's columns, then the line's (as the
# decision recorded it), with the currency of the line's value read from its goods item.
DECISION_COLUMNS = (
    Column("decision_id", "id"),
    Column("application_id", "application_id"),
    Column("reference", "application__reference"),
    Column("decision_outcome", "outcome"),
    Column("partial", "partial"),
    Column("decided_at", "decided_at"),
    Column("decided_by", "decided_by__username"),
    Column("authority", "authority"),
)
DECISION_LINES_SOURCE = "lines"
LINE_COLUMNS = (
    Column("goods_item_id", "goods_item"),
    Column("control_entry", "control_entry"),
    Column("description", "description"),
    Column("unit", "unit"),
    Column("requested_quantity", "requested_quantity", _decimal),
    Column("requested_value", "requested_value", _decimal),
    Column("currency", "currency"),
    Column("line_outcome", "outcome"),
    Column("granted_quantity", "granted_quantity", _decimal),
    Column("granted_value", "granted_value", _decimal),
    Column("line_criteria", "criteria"),
)

HISTORY_COLUMNS = (
    Column("id", "id"),
    Column("application_id", "application_id"),
    Column("reference", "application__reference"),
    Column("created_at", "created_at"),
    Column("transition", "transition"),
    Column("source_state", "source_state"),
    Column("target_state", "target_state"),
    Column("actor", "actor__username"),
    Column("actor_role", "actor_role"),
    Column("comment", "comment"),
    Column("payload", "payload"),
)
# The chain's fields, exported as soon as the history records carry them.
HISTORY_CHAIN_FIELDS = ("seq", "prev_hash", "record_hash", "snapshot_hash", "versions")


def history_columns() -> tuple[Column, ...]:
    present = {f.name for f in TransitionRecord._meta.get_fields()}
    return HISTORY_COLUMNS + tuple(
        Column(name, name) for name in HISTORY_CHAIN_FIELDS if name in present
    )


def columns(dataset: str) -> list[str]:
    if dataset == "applications":
        return [c.name for c in APPLICATION_COLUMNS]
    if dataset == "decisions":
        return [c.name for c in DECISION_COLUMNS + LINE_COLUMNS]
    return [c.name for c in history_columns()]


@dataclass(frozen=True)
class ExportRequest:
    """What to export and for whom: the header of the file says all of it."""

    dataset: str
    format: str
    exporter: str
    filter: dict[str, list[str]] = field(default_factory=dict)

    @property
    def filter_text(self) -> str:
        return urlencode(sorted(self.filter.items()), doseq=True) or "(none)"

    def filename(self, now: datetime) -> str:
        stamp = timezone.localtime(now, _brussels()).strftime("%Y%m%d-%H%M%S")
        return f"audit-{self.dataset}-{stamp}.{self.format}"


@cache
def _brussels() -> ZoneInfo:
    return ZoneInfo(settings.TIME_ZONE)


# --- Reading: values, never model instances ------------------------------------------------


def _converted(row: tuple, cols: Iterable[Column]) -> list[Any]:
    return [c.convert(v) if c.convert else v for c, v in zip(cols, row, strict=True)]


def _plain(cols: tuple[Column, ...]) -> bool:
    return not any(c.convert for c in cols)


def _first_party(role: str) -> Subquery:
    # The first party of the role, in the same query (a file names one consignee and one
    # end-user; further ones are on its case page).
    parties = Party.objects.filter(application=OuterRef("pk"), role=role).order_by("id")
    return Subquery(parties.values("name")[:1])


def application_rows(applications: QuerySet[PermitApplication]) -> Iterator[list[Any]]:
    cols = APPLICATION_COLUMNS
    rows = (
        applications.annotate(
            first_consignee=_first_party(Party.Role.CONSIGNEE),
            first_end_user=_first_party(Party.Role.END_USER),
        )
        .order_by("id")
        .values_list(*(c.source for c in cols))
    )
    for row in rows.iterator(chunk_size=CHUNK_SIZE):
        yield _converted(row, cols)


def decision_rows(applications: QuerySet[PermitApplication]) -> Iterator[list[Any]]:
    cols = DECISION_COLUMNS
    decisions = (
        Decision.objects.filter(application__in=applications.order_by().values("pk"))
        .order_by("id")
        .values_list(*(c.source for c in cols), DECISION_LINES_SOURCE)
    )
    cursor = decisions.iterator(chunk_size=CHUNK_SIZE)
    while batch := list(islice(cursor, CHUNK_SIZE)):
        # One query per batch for the lines' currencies (the decision recorded the value,
        # its goods item the currency): constant memory, no query per line.
        item_ids = {line.get("goods_item") for *_, lines in batch for line in lines}
        currency = dict(
            GoodsItem.objects.filter(pk__in=item_ids).values_list("pk", "currency").iterator()
        )
        for *head, lines in batch:
            decision = _converted(tuple(head), cols)
            for line in lines:
                values = {**line, "currency": currency.get(line.get("goods_item"))}
                yield decision + [
                    c.convert(values.get(c.source)) if c.convert else values.get(c.source)
                    for c in LINE_COLUMNS
                ]


def history_rows(applications: QuerySet[PermitApplication]) -> Iterator[list[Any]]:
    cols = history_columns()
    records = (
        TransitionRecord.objects.filter(application__in=applications.order_by().values("pk"))
        .order_by("id")
        .values_list(*(c.source for c in cols))
    )
    rows = records.iterator(chunk_size=CHUNK_SIZE)
    yield from rows if _plain(cols) else (_converted(row, cols) for row in rows)


ROWS = {"applications": application_rows, "decisions": decision_rows, "history": history_rows}


# --- Writing -------------------------------------------------------------------------------


def neutralise(text: str) -> str:
    """A text cell a spreadsheet would run as a formula, made inert with a leading '."""
    return "'" + text if text and text[0] in FORMULA_STARTS else text


def _iso(value: datetime) -> str:
    return value.astimezone(_brussels()).isoformat()


def _csv_list(value: list) -> str:
    return neutralise(";".join(str(v) for v in value))


def _csv_json(value: Any) -> str:
    return neutralise(json.dumps(value, ensure_ascii=False, sort_keys=True))


def _unchanged(value: Any) -> Any:
    return value  # a number written by us: a negative number stays a number


# Per type, how a value becomes a CSV cell: one dictionary look-up per cell (a chain of
# isinstance tests costs more than the rest of the export).
CSV_BY_TYPE: dict[type, Callable[[Any], Any]] = {
    str: neutralise,
    type(None): lambda value: "",
    int: _unchanged,
    Decimal: _unchanged,
    bool: lambda value: "true" if value else "false",
    datetime: _iso,
    date: date.isoformat,
    list: _csv_list,
    dict: _csv_json,
}


def csv_cell(value: Any) -> Any:
    convert = CSV_BY_TYPE.get(type(value))
    if convert is not None:
        return convert(value)
    for kind, convert in CSV_BY_TYPE.items():  # a subclass (a lazy string, a UUID…)
        if kind is not type(None) and isinstance(value, kind):
            return convert(value)
    return neutralise(str(value))


def _json_default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return str(value)  # exact: a float would round amounts
    return str(value)


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, default=_json_default)


class _Line:
    """What ``csv.writer`` writes to: it hands each formatted line back."""

    def write(self, text: str) -> str:
        return text


def header(
    request: ExportRequest, *, exported_at: datetime, chain_head: chain.ChainHead
) -> dict[str, Any]:
    return {
        "dataset": request.dataset,
        "format": request.format,
        "filter": {k: v for k, v in sorted(request.filter.items())},
        "filter_query": request.filter_text,
        "exported_at": _iso(exported_at),
        "time_zone": settings.TIME_ZONE,
        "exporter": request.exporter,
        "chain_head": chain_head.label,
        "chain": chain_head.as_dict(),
        "columns": columns(request.dataset),
    }


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _header_lines(request: ExportRequest, head: dict[str, Any]) -> Iterator[str]:
    if request.format == "jsonl":
        yield _json({"export": head}) + "\n"
        return
    yield f"# dataset: {request.dataset}\n"
    yield f"# filter: {_one_line(head['filter_query'])}\n"
    yield f"# exported_at: {head['exported_at']} ({head['time_zone']})\n"
    yield f"# exporter: {_one_line(head['exporter'])}\n"
    yield f"# chain_head: {_one_line(head['chain_head'])}\n"
    yield csv.writer(_Line(), lineterminator="\n").writerow(head["columns"])


def _lines(request: ExportRequest, rows: Iterable[list[Any]], head: dict[str, Any]):
    yield from _header_lines(request, head)
    if request.format == "jsonl":
        names = head["columns"]
        for row in rows:
            yield _json(dict(zip(names, row, strict=True))) + "\n"
        return
    writer = csv.writer(_Line(), lineterminator="\n")
    for row in rows:
        yield writer.writerow(map(csv_cell, row))


# --- The history, at the speed of the cursor ------------------------------------------------
#
# The history is the big export (several records per file, millions in all). Its rows are read
# through a server-side cursor whose loaders turn each PostgreSQL value straight into the cell
# the file holds (a neutralised text, a Brussels time, a JSON text): one call per cell in
# place of the driver's own, no Django converters, no model instances, and the CSV lines of a
# whole fetch written by one ``writerows`` call. The bytes are those ``csv_cell`` and ``_json``
# write (tests/permits/test_export_format.py keeps the previous formatting as the reference).


class _NeutralisedText(Loader):
    def load(self, data: Any) -> str:
        text = str(data, "utf-8")
        return "'" + text if text and text[0] in FORMULA_STARTS else text


class _BrusselsTime(Loader):
    # PostgreSQL's ISO text of the instant, read and rewritten in Brussels time.
    def load(self, data: Any) -> str:
        return datetime.fromisoformat(str(data, "utf-8")).astimezone(_brussels()).isoformat()


class _IsoDate(Loader):
    def load(self, data: Any) -> str:
        return str(data, "utf-8")


class _CsvBoolean(Loader):
    def load(self, data: Any) -> str:
        return "true" if bytes(data) == b"t" else "false"


_decode = json.JSONDecoder().raw_decode  # PostgreSQL's JSON text has no leading space
_encode_sorted = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode


def _csv_json_text(text: str) -> Any:
    value = _decode(text)[0]
    if type(value) is dict:
        return _encode_sorted(value)  # starts with "{": never a formula
    return csv_cell(value)


# The versions in force, and many payloads, repeat from record to record; only short texts
# are kept, so that the cache stays a few hundred kilobytes whatever the export.
_csv_json_short = lru_cache(maxsize=1024)(_csv_json_text)
SHORT_JSON = 256


class _CsvJson(Loader):
    def load(self, data: Any) -> Any:
        text = str(data, "utf-8")
        return _csv_json_short(text) if len(text) < SHORT_JSON else _csv_json_text(text)


class _Json(Loader):
    def load(self, data: Any) -> Any:
        return _decode(str(data, "utf-8"))[0]


# Neutralising in the query (CASE on the first character) cost the server more than this
# costs Python: measured, 1.3 s against 0.5 s per 100,000 records.
CSV_LOADERS: dict[str, type[Loader]] = {
    "text": _NeutralisedText,
    "varchar": _NeutralisedText,
    "bpchar": _NeutralisedText,
    "timestamptz": _BrusselsTime,
    "date": _IsoDate,
    "bool": _CsvBoolean,
    "jsonb": _CsvJson,
    "json": _CsvJson,
}
JSONL_LOADERS: dict[str, type[Loader]] = {
    "timestamptz": _BrusselsTime,
    "date": _IsoDate,
    "jsonb": _Json,
    "json": _Json,
}


def _history_queryset(applications: QuerySet[PermitApplication]) -> QuerySet:
    return (
        TransitionRecord.objects.filter(application__in=applications.order_by().values("pk"))
        .order_by("id")
        .values_list(*(c.source for c in history_columns()))
    )


def _fetches(alias: str, queryset: QuerySet, loaders: dict[str, type[Loader]]):
    """The queryset's rows as tuples of cells, one list per fetch of the server-side cursor."""
    sql, params = queryset.query.get_compiler(using=alias).as_sql()
    with connections[alias].chunked_cursor() as cursor:
        adapters = cursor.cursor.adapters
        for pg_type, loader in loaders.items():
            adapters.register_loader(pg_type, loader)
        cursor.execute(sql, params)
        yield from _read_ahead(cursor.cursor)


_DONE = object()


def _read_ahead(cursor: Any) -> Iterator[list[tuple]]:
    """The cursor's fetches, the next one read by a thread while this one is written.

    The driver fetches synchronously: without this the server producing a fetch and Python
    writing the previous one take turns. Only the thread touches the cursor until the end;
    one fetch waits in the queue at most, so memory stays that of two fetches.
    """
    fetched: queue.Queue = queue.Queue(maxsize=1)
    stop = threading.Event()

    def read() -> None:
        try:
            while not stop.is_set():
                batch = cursor.fetchmany(CHUNK_SIZE)
                _put(fetched, batch or _DONE, stop)
                if not batch:
                    return
        except BaseException as error:  # handed to the reader, raised there
            _put(fetched, error, stop)

    reader = threading.Thread(target=read, name="export-read-ahead", daemon=True)
    reader.start()
    try:
        while (batch := fetched.get()) is not _DONE:
            if isinstance(batch, BaseException):
                raise batch
            yield batch
    finally:
        stop.set()
        with contextlib.suppress(queue.Empty):
            fetched.get_nowait()  # unblock a pending put
        reader.join()


def _put(fetched: queue.Queue, item: Any, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            fetched.put(item, timeout=0.1)
            return
        except queue.Full:
            continue


def _history_text(request: ExportRequest, applications, head: dict[str, Any], alias: str):
    yield from _header_lines(request, head)
    queryset = _history_queryset(applications)
    out = io.StringIO()
    if request.format == "jsonl":
        encode = json.JSONEncoder(ensure_ascii=False, default=_json_default).encode
        names = head["columns"]
        for batch in _fetches(alias, queryset, JSONL_LOADERS):
            yield "".join([encode(dict(zip(names, row, strict=True))) + "\n" for row in batch])
        return
    writer = csv.writer(out, lineterminator="\n")
    for batch in _fetches(alias, queryset, CSV_LOADERS):
        writer.writerows(batch)
        yield out.getvalue()
        out.seek(0)
        out.truncate()


def _blocks(lines: Iterable[str]) -> Iterator[str]:
    block: list[str] = []
    size = 0
    for line in lines:
        block.append(line)
        size += len(line)
        if size >= BLOCK_BYTES:
            yield "".join(block)
            block, size = [], 0
    if block:
        yield "".join(block)


def export_chunks(
    request: ExportRequest, *, applications: QuerySet[PermitApplication]
) -> Iterator[str]:
    """The whole export as text blocks, header first, read on the replica when there is one
    (``config.db_router``).

    Outside a transaction (a web request, the command line) the export runs in one read-only
    REPEATABLE READ transaction on PostgreSQL: the chain head in the header and every row come
    from the same snapshot, and the cursor streams rows instead of being materialised (a
    cursor outside a transaction is declared WITH HOLD, which copies the whole result first).
    """
    return stepwise_bulk_reads(_export_chunks(request, applications=applications))


def _export_chunks(
    request: ExportRequest, *, applications: QuerySet[PermitApplication]
) -> Iterator[str]:
    alias = bulk_read_alias()
    connection = connections[alias]
    snapshot = connection.vendor == "postgresql" and not connection.in_atomic_block
    with transaction.atomic(using=alias):
        if snapshot:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        exported_at = timezone.now()
        head = header(request, exported_at=exported_at, chain_head=chain.chain_head())
        logger.info(
            "audit export by %s: %s as %s, filter %s, chain head %s (database %s)",
            request.exporter,
            request.dataset,
            request.format,
            request.filter_text,
            head["chain_head"],
            alias,
        )
        if request.dataset == "history" and connection.vendor == "postgresql":
            yield from _blocks(_history_text(request, applications, head, alias))
        else:
            yield from _blocks(_lines(request, ROWS[request.dataset](applications), head))
