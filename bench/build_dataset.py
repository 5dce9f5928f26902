"""Build a database of a million applications and five million history records, with COPY.

Creates ``permits_bench_1m`` (on ``BENCH_PG``, default postgres://postgres@127.0.0.1:5432; never
a test database; ``--database`` names another), migrates it, loads the reference data and the
demo users (``seed_demo``), then writes with PostgreSQL's COPY (psycopg ``cursor.copy``):

- 30 more case managers and 2 more heads of unit, and 2,000 applicant organisations;
- N applications (``--applications``, default 1,000,000) created over ten years: files of the
  last 90 days are in flight (drafts, submitted, under review, information requested, pending
  approval), older ones are closed (issued, refused, withdrawn, expired, revoked); organisations
  drawn with a long tail (a few large exporters, many occasional ones); every file past
  "submitted" has a case manager (the demo ``casemanager`` among 32);
- a decision for each decided file (by one of the three heads), an open work item for each file
  in flight (a fifth of them overdue);
- K history records per file (``--history-per-app``, default 5: created, submitted, review
  started, proposed, decided — then repeated steps for K > 5). The history is append-only
  (pgtrigger refuses UPDATE, DELETE and TRUNCATE; INSERT is allowed). Its hash chain is NOT
  computed: ``prev_hash``, ``record_hash`` and ``snapshot_hash`` hold placeholder values and
  ``snapshot`` is empty, so the chain check fails on these files — they are for list speed only.
  Licences are not generated (the lists join them with LEFT JOIN, which then finds none).

Then ANALYZE. One summary line: rows and seconds per table.

    .venv/bin/python bench/build_dataset.py [--applications 1000000] [--history-per-app 5]
"""

from __future__ import annotations

import argparse
import io
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DEFAULT_DATABASE = "permits_bench_1m"
EXTRA_CASE_MANAGERS = 30
EXTRA_HEADS = 2
ORGANISATIONS = 2_000
YEARS = 10
IN_FLIGHT_DAYS = 90
IN_FLIGHT = [
    ("draft", 15),
    ("submitted", 30),
    ("under_review", 35),
    ("information_requested", 10),
    ("pending_approval", 10),
]
CLOSED = [("issued", 70), ("refused", 6), ("withdrawn", 6), ("expired", 15), ("revoked", 3)]
DECIDED = {"issued": "granted", "expired": "granted", "revoked": "granted", "refused": "refused"}
TASK_OF = {
    "submitted": ("review", "case_manager"),
    "under_review": ("review", "case_manager"),
    "information_requested": ("provide_information", "applicant"),
    "pending_approval": ("approve", "head_of_unit"),
}
KINDS = [("export", 60), ("import", 25), ("transit", 5), ("transfer", 10)]
REGIMES = [("military", 55), ("dual_use", 35), ("civil_firearms", 10)]
LICENCE_TYPES = [("individual", 85), ("global", 15)]
DESTINATIONS = ["NO", "US", "CH", "GB", "CA", "AU", "JP", "KR", "IN", "BR", "SA", "AE", "TR", "IL"]
DESTINATIONS += ["DE", "FR", "NL", "LU", "IT", "ES", "PL", "SE", "FI", "DK", "CZ", "AT", "EG", "ZA"]
STEPS = [
    ("create", "", "draft", "applicant"),
    ("submit", "draft", "submitted", "applicant"),
    ("start_review", "submitted", "under_review", "case_manager"),
    ("propose_decision", "under_review", "pending_approval", "case_manager"),
    ("approve", "pending_approval", "issued", "head_of_unit"),
]
PLACEHOLDER_HASH = "0" * 64


def server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def weighted(rng: random.Random, table):
    values, weights = zip(*table, strict=True)
    return lambda: rng.choices(values, weights)[0]


def setup(database: str) -> None:
    os.environ["DATABASE_URL"] = f"{SERVER}/{database}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
    os.environ.pop("CELERY_BROKER_URL", None)  # the demo runs its tasks in-process
    server(f"DROP DATABASE IF EXISTS {database}")
    server(f"CREATE DATABASE {database}")
    import django
    from django.core.management import call_command

    django.setup()
    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=quiet)
    call_command("seed_demo", stdout=quiet, stderr=quiet)


def staff() -> tuple[list[int], list[int], int]:
    """Case managers (the demo's first), heads (the demo's first) and the demo applicant."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    users = get_user_model()
    extra = []
    for n in range(EXTRA_CASE_MANAGERS):
        extra.append((f"bench_cm{n}", "case_manager"))
    for n in range(EXTRA_HEADS):
        extra.append((f"bench_head{n}", "head_of_unit"))
    for username, role in extra:
        user = users.objects.create_user(username=username, first_name="Bench", last_name=username)
        user.groups.add(Group.objects.get(name=role))
    bench_managers = users.objects.filter(username__startswith="bench_cm")
    managers = [users.objects.get(username="casemanager").pk]
    managers += bench_managers.values_list("pk", flat=True)
    bench_heads = users.objects.filter(username__startswith="bench_head")
    heads = [users.objects.get(username="head").pk]
    heads += bench_heads.values_list("pk", flat=True)
    return managers, heads, users.objects.get(username="applicant").pk


def copy_rows(cursor, table: str, columns: list[str], rows) -> int:
    count = 0
    with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)
            count += 1
    return count


def next_id(cursor, table: str) -> int:
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")
    return cursor.fetchone()[0]


def reset_sequence(cursor, table: str) -> None:
    cursor.execute(
        f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT max(id) FROM {table}))"
    )


def build(applications: int, history_per_app: int, seed: int) -> None:
    from django.db import connection

    from workflow import chain

    rng = random.Random(seed)
    managers, heads, applicant = staff()
    timings = []
    now = datetime.now(UTC)
    with connection.cursor() as django_cursor:
        cursor = django_cursor.cursor  # the psycopg cursor, for COPY

        started = time.perf_counter()
        first_org = next_id(cursor, "permits_applicantorganisation")
        org_rows = (
            (
                first_org + n,
                f"Bench Exporter {n:04d} SA",
                f"{900_000_000 + n:010d}",
                "Rue de la Loi 16\n1000 Bruxelles",
                "BE",
                "fr" if n % 3 else "nl",
                "",
                "",
                "Bruxelles",
                "1000",
                "Rue de la Loi 16",
            )
            for n in range(ORGANISATIONS)
        )
        copy_rows(
            cursor,
            "permits_applicantorganisation",
            [
                "id",
                "legal_name",
                "enterprise_number",
                "address",
                "country",
                "language",
                "federal_authorisation_reference",
                "eori_number",
                "registered_municipality",
                "registered_postcode",
                "registered_street",
            ],
            org_rows,
        )
        reset_sequence(cursor, "permits_applicantorganisation")
        timings.append(f"{ORGANISATIONS:,} organisations {time.perf_counter() - started:.1f} s")

        kind, regime, licence_type = (
            weighted(rng, KINDS),
            weighted(rng, REGIMES),
            weighted(rng, LICENCE_TYPES),
        )
        in_flight, closed = weighted(rng, IN_FLIGHT), weighted(rng, CLOSED)
        first_app = next_id(cursor, "permits_permitapplication")
        # What the history, decisions and work items need of each file, kept in memory.
        files: list[tuple[str, datetime, datetime | None, datetime | None, int | None]] = []
        per_year: dict[int, int] = {}

        def application_rows():
            for n in range(applications):
                age = timedelta(seconds=rng.randrange(YEARS * 365 * 86400))
                created = now - age
                status = in_flight() if age.days < IN_FLIGHT_DAYS else closed()
                submitted = (
                    None if status == "draft" else created + timedelta(hours=rng.randrange(1, 72))
                )
                decided = (
                    submitted + timedelta(days=rng.randrange(10, 90)) if status in DECIDED else None
                )
                if decided is not None and decided > now:
                    decided = now - timedelta(minutes=rng.randrange(1, 600))
                manager = (
                    None
                    if status in ("draft", "submitted") or (status == "withdrawn" and n % 2)
                    else managers[rng.randrange(len(managers))]
                )
                updated = max(t for t in (created, submitted, decided) if t is not None)
                if status not in DECIDED and status != "draft" and submitted is not None:
                    updated = min(now, submitted + timedelta(days=rng.randrange(0, 30)))
                reference = None
                if submitted is not None:
                    per_year[submitted.year] = per_year.get(submitted.year, 0) + 1
                    reference = f"BXL-{submitted.year}-{per_year[submitted.year]:06d}"
                # A long tail: organisation k is drawn with weight about 1/k.
                organisation = first_org + min(int(rng.paretovariate(1.1)) - 1, ORGANISATIONS - 1)
                files.append((status, created, submitted, decided, manager))
                yield (
                    first_app + n,
                    uuid.UUID(int=rng.getrandbits(128), version=4),
                    reference,
                    organisation,
                    kind(),
                    regime(),
                    licence_type(),
                    "BE",
                    DESTINATIONS[min(int(rng.expovariate(0.15)), len(DESTINATIONS) - 1)],
                    "",
                    "Armed forces, for training use only (bench data).",
                    12,
                    f"{rng.randrange(1_000, 5_000_000)}.00",
                    status,
                    "",
                    "",
                    "",
                    submitted,
                    decided,
                    created,
                    updated,
                    manager,
                    applicant,
                    applicant,
                    "",
                    "",
                    "",
                    "",
                    "",
                )

        started = time.perf_counter()
        copy_rows(
            cursor,
            "permits_permitapplication",
            [
                "id",
                "public_id",
                "reference",
                "organisation_id",
                "kind",
                "regime",
                "licence_type",
                "country_of_origin",
                "country_of_destination",
                "transit_countries",
                "end_use_statement",
                "requested_validity_months",
                "total_value",
                "status",
                "recommendation",
                "recommendation_reasons",
                "refusal_grounds",
                "submitted_at",
                "decided_at",
                "created_at",
                "updated_at",
                "assigned_case_manager_id",
                "created_by_id",
                "updated_by_id",
                "follow_up",
                "temporary_purpose",
                "contract_reference",
                "customs_office_of_export",
                "conditions_text",
            ],
            application_rows(),
        )
        reset_sequence(cursor, "permits_permitapplication")
        timings.append(f"{applications:,} applications {time.perf_counter() - started:.1f} s")

        started = time.perf_counter()
        decisions = copy_rows(
            cursor,
            "permits_decision",
            [
                "application_id",
                "outcome",
                "decided_at",
                "decided_by_id",
                "grounds",
                "language",
                "criteria",
                "authority",
                "authority_reference",
                "document_failure",
                "conditions",
                "lines",
                "partial",
                "validity_reason",
            ],
            (
                (
                    first_app + n,
                    DECIDED[status],
                    decided,
                    heads[n % len(heads)],
                    "" if status != "refused" else "Criterion 7: risk of diversion.",
                    "fr",
                    "[]" if status != "refused" else '["7"]',
                    "head_of_unit",
                    "",
                    "",
                    "[]",
                    "[]",
                    n % 11 == 0 and status != "refused",
                    "",
                )
                for n, (status, _created, _submitted, decided, _manager) in enumerate(files)
                if status in DECIDED
            ),
        )
        tasks = copy_rows(
            cursor,
            "workflow_casetask",
            ["application_id", "kind", "candidate_role", "created_at", "due_at", "assignee_id"],
            (
                (
                    first_app + n,
                    *TASK_OF[status],
                    submitted,
                    # A fifth of the open work is overdue.
                    now - timedelta(days=rng.randrange(1, 20))
                    if n % 5 == 0
                    else now + timedelta(days=rng.randrange(1, 40)),
                    manager,
                )
                for n, (status, _created, submitted, _decided, manager) in enumerate(files)
                if status in TASK_OF
            ),
        )
        timings.append(
            f"{decisions:,} decisions, {tasks:,} work items {time.perf_counter() - started:.1f} s"
        )

        def history_rows():
            for n, (_status, created, submitted, decided, manager) in enumerate(files):
                moments = [created]
                end = decided or submitted or created
                for k in range(1, history_per_app):
                    moments.append(created + (end - created) * k / max(history_per_app - 1, 1))
                for seq, at in enumerate(moments):
                    transition, source, target, role = STEPS[seq % len(STEPS)]
                    actor = applicant if role == "applicant" else (manager or managers[0])
                    if role == "head_of_unit":
                        actor = heads[n % len(heads)]
                    yield (
                        first_app + n,
                        seq,
                        transition,
                        source,
                        target,
                        role,
                        actor,
                        at,
                        "",
                        "{}",
                        PLACEHOLDER_HASH,
                        PLACEHOLDER_HASH,
                        "bench",
                        "",
                        "{}",
                    )

        started = time.perf_counter()
        records = copy_rows(
            cursor,
            "workflow_transitionrecord",
            [
                "application_id",
                "seq",
                "transition",
                "source_state",
                "target_state",
                "actor_role",
                "actor_id",
                "created_at",
                "comment",
                "payload",
                "prev_hash",
                "record_hash",
                "chain_key",
                "snapshot_hash",
                "versions",
            ],
            history_rows(),
        )
        timings.append(f"{records:,} history records {time.perf_counter() - started:.1f} s")
        cursor.execute(chain.HEADS_FROM_HISTORY_SQL)  # the files' chain heads

    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    timings.append(f"ANALYZE {time.perf_counter() - started:.1f} s")
    print("; ".join(timings))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=1_000_000)
    parser.add_argument("--history-per-app", type=int, default=5)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--seed", type=int, default=14)
    arguments = parser.parse_args()
    if arguments.database.startswith("test_"):
        parser.error("never a test database")
    started = time.perf_counter()
    setup(arguments.database)
    print(
        f"database {arguments.database} created, migrated and seeded in "
        f"{time.perf_counter() - started:.1f} s"
    )
    started = time.perf_counter()
    build(arguments.applications, arguments.history_per_app, arguments.seed)
    print(f"built in {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
