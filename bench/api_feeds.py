"""Bulk reading through the API: the applications feed and the history feed, paged through to
the end with their cursor at the largest page size, against a raw server-side cursor reading
the same rows in the same run.

Builds ``permits_bench_feeds`` (created and migrated here; never a test database): the demo's
users and organisations (``seed_demo``), then N applications (default 20,000) copied from a
demo file with one INSERT … SELECT generate_series (each with the demo file's goods and
parties), and R history records per application (default 5) the same way (chain fields get
placeholder values, not real hashes). Then, in one process, as the demo auditor through DRF's
test client (the whole view: authentication, filters, pagination, serializers, JSON):

- ``GET /api/v1/applications/?page_size=200`` and every ``next`` link to the end;
- ``GET /api/v1/history/?page_size=200`` and every ``next`` link to the end;
- the baseline: a psycopg server-side cursor (2,000 rows a fetch) reading the same rows of the
  same tables in the feed's order (applications with their organisation; records without
  their snapshot), discarding them.

    .venv/bin/python bench/api_feeds.py [--applications 20000] [--records 5] [--keep]
    .venv/bin/python bench/api_feeds.py --profile history   # cProfile of one feed instead

Prints one line per feed: ``<feed>: <rows> rows in <s> s, <rows/s> rows/s; raw cursor
<rows/s> rows/s; ratio <x>; <q> queries per page; client CPU`` (this process's CPU seconds,
the feed's against the raw cursor's: on a shared, busy machine a steadier figure than the
wall time). The throttle is lifted for the run (a
bulk client would be given a higher rate). Needs PostgreSQL at BENCH_PG (default
postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import contextlib
import cProfile
import gc
import io
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# BENCH_FEEDS_DB: another name, so that two people can measure on one server at once.
DATABASE = os.environ.get("BENCH_FEEDS_DB", "permits_bench_feeds")
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
os.environ["API_THROTTLE_USER"] = "100000000/hour"
os.environ.pop("CELERY_BROKER_URL", None)  # the demo runs its tasks in-process

PAGE = 1000  # the feeds' largest page (config.api.pagination.FeedCursorPagination)
FETCH = 2000

COPY_FILES = """
INSERT INTO permits_permitapplication (
    public_id, reference, kind, regime, licence_type, country_of_origin, country_of_destination,
    transit_countries, end_use_statement, requested_validity_months, total_value, status,
    recommendation, recommendation_reasons, refusal_grounds, submitted_at, created_at,
    updated_at, assigned_case_manager_id, created_by_id, organisation_id, updated_by_id,
    follow_up, temporary_purpose, contract_reference, customs_office_of_export, conditions_text)
SELECT gen_random_uuid(), 'BXL-ML-EXP-2025-' || lpad(g::text, 7, '0'), t.kind, t.regime,
    t.licence_type, t.country_of_origin, t.country_of_destination, t.transit_countries,
    t.end_use_statement, t.requested_validity_months, t.total_value,
    (ARRAY['submitted','under_review','pending_approval','issued','refused',
           'information_requested'])[1 + (g %% 6)],
    t.recommendation, t.recommendation_reasons, t.refusal_grounds,
    now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval,
    now() - (g || ' minutes')::interval, %(case_manager)s, t.created_by_id,
    t.organisation_id, t.updated_by_id, t.follow_up, t.temporary_purpose,
    t.contract_reference, t.customs_office_of_export, t.conditions_text
FROM permits_permitapplication t, generate_series(1, %(n)s) g
WHERE t.id = %(template)s
"""

RAW_APPLICATIONS = """
SELECT a.*, o.enterprise_number, o.legal_name, u.username
FROM permits_permitapplication a
JOIN permits_applicantorganisation o ON o.id = a.organisation_id
LEFT JOIN auth_user u ON u.id = a.assigned_case_manager_id
WHERE a.status <> 'draft'
ORDER BY a.created_at DESC, a.id DESC
"""

RAW_HISTORY = """
SELECT {columns}, a.reference, a.public_id, u.username
FROM workflow_transitionrecord r
JOIN permits_permitapplication a ON a.id = r.application_id
LEFT JOIN auth_user u ON u.id = r.actor_id
WHERE a.status <> 'draft'
ORDER BY r.created_at, r.id
"""


def server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def _placeholder(field) -> str:
    """A required history column the generator does not fill (the chain's): a value of its
    type, not a real hash."""
    from django.db import models

    if isinstance(field, models.JSONField):
        return "'{}'::jsonb"
    if isinstance(field, models.IntegerField | models.BigIntegerField):
        return "s"
    if isinstance(field, models.DateTimeField):
        return "now()"
    if isinstance(field, models.BooleanField):
        return "false"
    return "repeat('0', 64)" if "hash" in field.name else "''"


def _copy_children(cursor, model, template: int, first_new: int) -> None:
    columns = [
        f.column
        for f in model._meta.concrete_fields
        if not f.primary_key and f.column != "application_id"
    ]
    names = ", ".join(columns)
    picked = ", ".join(f"c.{c}" for c in columns)
    cursor.execute(
        f"""
        INSERT INTO {model._meta.db_table} (application_id, {names})
        SELECT a.id, {picked}
        FROM permits_permitapplication a JOIN {model._meta.db_table} c
          ON c.application_id = %s
        WHERE a.id >= %s
        """,
        [template, first_new],
    )


def build(applications: int, records: int) -> None:
    import django
    from django.core.management import call_command

    server(f"DROP DATABASE IF EXISTS {DATABASE}")
    server(f"CREATE DATABASE {DATABASE}")
    django.setup()
    quiet = io.StringIO()
    call_command("migrate", verbosity=0)
    call_command("load_reference_data", stdout=quiet)
    call_command("seed_demo", stdout=quiet, stderr=quiet)
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.db.models import Count, Max

    from permits.models import GoodsItem, Party, PermitApplication
    from workflow import chain
    from workflow.models import TransitionRecord

    started = time.perf_counter()
    case_manager = get_user_model().objects.get(username="casemanager")
    # A submitted demo file with goods and parties is the template of every copy.
    template = (
        PermitApplication.objects.exclude(status="draft")
        .annotate(n_goods=Count("goods", distinct=True), n_parties=Count("parties", distinct=True))
        .filter(n_goods__gt=0, n_parties__gt=0)
        .order_by("id")
        .values_list("pk", flat=True)
        .first()
    )
    first_new = PermitApplication.objects.aggregate(m=Max("id"))["m"] + 1
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
        "snapshot",
    }
    extra = [
        f
        for f in TransitionRecord._meta.concrete_fields
        if f.name not in known and not f.null and not f.primary_key
    ]
    with connection.cursor() as cursor:
        cursor.execute(
            COPY_FILES, {"case_manager": case_manager.pk, "n": applications, "template": template}
        )
        _copy_children(cursor, GoodsItem, template, first_new)
        _copy_children(cursor, Party, template, first_new)
        columns = "".join(f", {f.column}" for f in extra)
        values = "".join(f", {_placeholder(f)}" for f in extra)
        cursor.execute(
            f"""
            INSERT INTO workflow_transitionrecord
                (application_id, transition, source_state, target_state, actor_id, actor_role,
                 created_at, comment, payload{columns})
            SELECT a.id, 'document_uploaded', a.status, a.status, {case_manager.pk},
                   'case_manager', a.created_at + s * interval '1 second',
                   'Bench record ' || s || ': end-user certificate, page ' || (s %% 7),
                   jsonb_build_object('document_id', a.id * 10 + s, 'kind', 'end_user_certificate')
                   {values}
            FROM permits_permitapplication a, generate_series(1, %s) AS s
            WHERE a.id >= %s
            """,
            [records, first_new],
        )
        cursor.execute(chain.HEADS_FROM_HISTORY_SQL)  # the files' chain heads
        cursor.execute("ANALYZE")
    print(
        f"{applications:,} applications, {applications * records:,} history records built in "
        f"{time.perf_counter() - started:.1f} s",
        file=sys.__stdout__,
    )


def server_cpu() -> float:
    """CPU seconds of this connection's PostgreSQL backend so far (from /proc: the server runs
    on this machine in these benchmarks; NaN where it cannot be read)."""
    from django.db import connection

    connection.ensure_connection()
    try:
        with open(f"/proc/{connection.connection.info.backend_pid}/stat") as stat:
            fields = stat.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return float("nan")


def page_through(client, url: str) -> tuple[int, float, float, int, float]:
    """Rows, seconds, this process's CPU seconds, the queries of the second page and the
    server's CPU seconds."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = pages = 0
    second_page_queries = 0
    server = server_cpu()
    started = time.perf_counter()
    cpu = time.process_time()
    while url:
        if pages == 1:
            with CaptureQueriesContext(connection) as queries:
                response = client.get(url)
            second_page_queries = len(queries)
        else:
            response = client.get(url)
        assert response.status_code == 200, response.content[:500]
        body = response.json()
        rows += len(body["results"])
        pages += 1
        url = body["next"]
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return rows, seconds, cpu, second_page_queries, server_cpu() - server


def raw_cursor(sql: str) -> tuple[int, float, float, float]:
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection
    rows = 0
    server = server_cpu()
    started = time.perf_counter()
    cpu = time.process_time()
    with raw.transaction(), raw.cursor(name="bench_raw") as cursor:
        cursor.itersize = FETCH
        cursor.execute(sql)
        for _row in cursor:
            rows += 1
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    return rows, seconds, cpu, server_cpu() - server


def feeds():
    from workflow.models import TransitionRecord

    record_columns = ", ".join(
        f"r.{f.column}" for f in TransitionRecord._meta.concrete_fields if f.name != "snapshot"
    )
    return {
        "applications": (f"/api/v1/applications/?page_size={PAGE}", RAW_APPLICATIONS),
        "history": (
            f"/api/v1/history/?page_size={PAGE}",
            RAW_HISTORY.format(columns=record_columns),
        ),
    }


def client():
    from django.contrib.auth import get_user_model
    from rest_framework.test import APIClient

    api = APIClient(HTTP_HOST="localhost")
    api.force_authenticate(get_user_model().objects.get(username="auditor"))
    return api


def warm(api) -> None:
    """One page of each feed (imports, URL resolvers, translations), then what config/wsgi.py
    does once the application is loaded: everything loaded so far out of the collector's sight."""
    for url, _sql in feeds().values():
        api.get(url)
    gc.freeze()


def measure(only: str | None = None) -> None:
    import django

    django.setup()
    api = client()
    warm(api)
    for name, (url, sql) in feeds().items():
        if only and name != only:
            continue
        rows, seconds, cpu, queries, server = page_through(api, url)
        raw_rows, raw_seconds, raw_cpu, raw_server = raw_cursor(sql)
        assert raw_rows == rows, (name, raw_rows, rows)
        ratio = (rows / seconds) / (raw_rows / raw_seconds)
        cpu_ratio = (raw_cpu + raw_server) / (cpu + server)
        print(
            f"API {name} feed: {rows:,} rows in {seconds:.1f} s, {rows / seconds:,.0f} rows/s; "
            f"raw cursor {raw_rows / raw_seconds:,.0f} rows/s; ratio {ratio:.3f}; "
            f"{queries} queries per page of {PAGE}; client CPU {cpu:.1f} s "
            f"(raw cursor {raw_cpu:.1f} s); server CPU {server:.1f} s (raw cursor "
            f"{raw_server:.1f} s); ratio of CPU per row {cpu_ratio:.3f}"
        )


def profile(name: str) -> None:
    import django

    django.setup()
    api = client()
    warm(api)
    url, _sql = feeds()[name]
    profiler = cProfile.Profile()
    profiler.runcall(page_through, api, url)
    pstats.Stats(profiler).sort_stats("tottime").print_stats(30)


def main() -> None:
    global PAGE
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=20_000)
    parser.add_argument("--records", type=int, default=5)
    parser.add_argument("--page-size", type=int, default=1000, help="rows per page (max 1000)")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--reuse", action="store_true", help="use the database kept by --keep")
    parser.add_argument("--profile", choices=["applications", "history"])
    parser.add_argument("--feed", choices=["applications", "history"], help="measure only this one")
    arguments = parser.parse_args()
    PAGE = arguments.page_size
    if not arguments.reuse:
        # The demo's e-mails go to the console backend: not into the benchmark's output.
        with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
            build(arguments.applications, arguments.records)
    try:
        if arguments.profile:
            profile(arguments.profile)
        else:
            measure(arguments.feed)
    finally:
        if not arguments.keep:
            from django.db import connections

            connections.close_all()
            server(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
