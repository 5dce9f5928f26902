"""Memory and speed of the streamed history export, at 100,000 and 1,000,000 records.

Builds the records in a dedicated PostgreSQL database (``permits_bench_export``, created and
migrated here; never a test database) with one INSERT … SELECT generate_series, bypassing the
actions. Then, each in a fresh process so that peaks do not mix, it measures:

- the export: ``permits.exports.export_chunks`` (what the page and ``export_audit`` stream),
  written to /dev/null;
- the baseline: a raw server-side cursor (psycopg named cursor, 2,000 rows a fetch) reading the
  same rows and columns and discarding them.

For each: wall time, rows/s and the peak resident memory above the process's memory before it
started (``ru_maxrss`` − RSS at start). The ratio is the export's rows/s over the cursor's.

    .venv/bin/python bench/export_memory.py            # builds, measures, drops the database
    .venv/bin/python bench/export_memory.py --keep     # keeps it for the next run (faster)

Needs PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# BENCH_EXPORT_DB: another name, so that two people can measure on one server at once.
DATABASE = os.environ.get("BENCH_EXPORT_DB", "permits_bench_export")
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.test"

SMALL, LARGE = 100_000, 1_000_000
RECORDS_PER_FILE = 1_000
# Files of the 100k slice are imports, the others exports: the 100k export is ``kind=import``.
SMALL_FILES, LARGE_FILES = SMALL // RECORDS_PER_FILE, LARGE // RECORDS_PER_FILE

RAW_SQL = """
SELECT r.id, r.application_id, a.reference, r.created_at, r.transition, r.source_state,
       r.target_state, u.username, r.actor_role, r.comment, r.payload {chain}
FROM workflow_transitionrecord r
JOIN permits_permitapplication a ON a.id = r.application_id
LEFT JOIN auth_user u ON u.id = r.actor_id
WHERE a.status <> 'draft' {where}
ORDER BY r.id
"""


def rss_kb() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def server_connection():
    import psycopg

    return psycopg.connect(f"{SERVER}/postgres", autocommit=True)


def create_database() -> bool:
    with server_connection() as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [DATABASE]).fetchone()
        if not exists:
            conn.execute(f'CREATE DATABASE "{DATABASE}"')
    return not exists


def drop_database() -> None:
    from django.db import connections

    connections.close_all()
    with server_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')


def _placeholder(field) -> str:
    """SQL for a required history column this script does not know (the chain's fields, when
    they exist): a placeholder of the right type, not a real hash."""
    from django.db import models

    if isinstance(field, models.JSONField):
        return "'{}'::jsonb"
    if isinstance(field, models.IntegerField | models.BigIntegerField):
        return "g"
    if isinstance(field, models.DateTimeField):
        return "now()"
    if isinstance(field, models.BooleanField):
        return "false"
    return "repeat('0', 64)" if "hash" in field.name else "''"


def populate() -> None:
    from django.contrib.auth import get_user_model
    from django.db import connection

    from permits.models import ApplicantOrganisation, PermitApplication
    from workflow import chain
    from workflow.models import TransitionRecord

    if TransitionRecord.objects.count() >= LARGE:
        return
    started = time.perf_counter()
    user = get_user_model().objects.create_user("bench_officer", first_name="Bench")
    organisation = ApplicantOrganisation.objects.create(
        legal_name="Bench Optronics SA", enterprise_number="0403019261", address="Bruxelles"
    )
    PermitApplication.objects.bulk_create(
        [
            PermitApplication(
                organisation=organisation,
                reference=f"BXL-ML-{'IMP' if i < SMALL_FILES else 'EXP'}-2026-{i + 1:06d}",
                kind="import" if i < SMALL_FILES else "export",
                regime="military",
                country_of_destination="NO",
                total_value=1000 + i,
                status="issued",
                created_by=user,
                updated_by=user,
            )
            for i in range(LARGE_FILES)
        ],
        batch_size=1000,
    )
    first = PermitApplication.objects.order_by("id").values_list("id", flat=True).first()
    known = {
        "id",
        "application",
        "transition",
        "source_state",
        "target_state",
        "actor",
        "actor_role",
        "created_at",
        "comment",
        "payload",
    }
    # Required columns this script does not know (the chain's): a Python-side default is no
    # database default, so each gets a placeholder of its type.
    extra = [
        f
        for f in TransitionRecord._meta.concrete_fields
        if f.name not in known and not f.null and not f.primary_key
    ]
    columns = ", ".join(f.column for f in extra)
    values = ", ".join(_placeholder(f) for f in extra)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO workflow_transitionrecord
                (application_id, transition, source_state, target_state, actor_id, actor_role,
                 created_at, comment, payload{", " + columns if columns else ""})
            SELECT {first} + (g - 1) / {RECORDS_PER_FILE}, 'document_uploaded', 'issued',
                   'issued', {user.pk}, 'case_manager',
                   timestamptz '2026-01-01 08:00+01' + g * interval '1 second',
                   'Bench record ' || g || ': end-user certificate, page ' || (g % 7),
                   jsonb_build_object('document_id', g, 'kind', 'end_user_certificate')
                   {", " + values if values else ""}
            FROM generate_series(1, {LARGE}) AS g
            """
        )
        cursor.execute(chain.HEADS_FROM_HISTORY_SQL)  # the files' chain heads
        cursor.execute("ANALYZE")
    print(f"{LARGE:,} history records built in {time.perf_counter() - started:.1f} s")


def measure(kind: str, size: int, fmt: str) -> dict:
    """One measurement, in this (fresh) process."""
    import django

    django.setup()
    from django.db import connection

    from permits import exports, selectors
    from permits.filters import AuditFilter

    data = {"kind": "import"} if size == SMALL else {}
    applications = AuditFilter(data, queryset=selectors.operator_audit_list()).qs
    connection.ensure_connection()
    chain_columns = [c.name for c in exports.history_columns()][len(exports.HISTORY_COLUMNS) :]
    before = rss_kb()
    started = time.perf_counter()
    rows = 0
    if kind == "export":
        request = exports.ExportRequest(
            dataset="history",
            format=fmt,
            exporter="bench",
            filter={k: [v] for k, v in data.items()},
        )
        with open(os.devnull, "w", encoding="utf-8") as sink:
            for chunk in exports.export_chunks(request, applications=applications):
                sink.write(chunk)
                rows += chunk.count("\n")
        rows -= 6 if fmt == "csv" else 1
    else:
        sql = RAW_SQL.format(
            chain="".join(f", r.{c}" for c in chain_columns),
            where="AND a.kind = 'import'" if size == SMALL else "",
        )
        raw = connection.connection
        with raw.transaction(), raw.cursor(name="bench_raw") as cursor:
            cursor.itersize = exports.CHUNK_SIZE
            cursor.execute(sql)
            for _row in cursor:
                rows += 1
    elapsed = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {"rows": rows, "seconds": elapsed, "peak_mb": (peak - before) / 1024}


def run_child(kind: str, size: int, fmt: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--child", kind, str(size), fmt],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def label(size: int) -> str:
    return "1M" if size == LARGE else f"{size // 1000}k"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--keep", action="store_true", help="keep the benchmark database")
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        kind, size, fmt = args.child
        print(json.dumps(measure(kind, int(size), fmt)))
        return

    import django

    create_database()
    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    populate()
    try:
        for size in (SMALL, LARGE):
            raw = run_child("raw", size, "-")
            for fmt in ("csv", "jsonl"):
                exp = run_child("export", size, fmt)
                assert exp["rows"] == raw["rows"] == size, (exp, raw)
                ratio = (exp["rows"] / exp["seconds"]) / (raw["rows"] / raw["seconds"])
                print(
                    f"export history {label(size)} {fmt}: {exp['seconds']:.1f} s "
                    f"peak +{exp['peak_mb']:.0f} MB; raw cursor {raw['seconds']:.1f} s "
                    f"peak +{raw['peak_mb']:.0f} MB; ratio rows/s {ratio:.2f}"
                )
    finally:
        if not args.keep:
            drop_database()
            print(f"database {DATABASE} dropped")


if __name__ == "__main__":
    main()
