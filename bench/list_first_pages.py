"""First pages of the big lists over many applications, against a trivial lookup in the same run.

Builds ``permits_bench_lists`` (created and migrated here; never a test database): the demo's
users and organisations (``seed_demo``), then N applications (default 300,000) copied from a
demo file with one INSERT … SELECT generate_series — statuses spread over the workflow, one in
three assigned to the demo case manager, all in one other organisation so that the applicant's
own six files are a needle in the table. Then, in one process, each list's first page of 50
(the queryset the page or the API reads, evaluated) is timed, median of 15 runs, beside the
baseline: one application fetched by primary key.

    .venv/bin/python bench/list_first_pages.py [--applications 300000] [--keep]

Prints one line per list: ``<list>: <ms> ms; baseline <ms> ms; ratio <x>``.
Needs PostgreSQL at BENCH_PG (default postgres://postgres@127.0.0.1:5432).
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = "permits_bench_lists"
os.environ["DATABASE_URL"] = f"{SERVER}/{DATABASE}"
os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings.dev"
os.environ.pop("CELERY_BROKER_URL", None)  # the demo runs its tasks in-process

COPY_FILES = """
INSERT INTO permits_permitapplication (
    public_id, kind, regime, licence_type, country_of_origin, country_of_destination,
    transit_countries, end_use_statement, requested_validity_months, total_value, status,
    recommendation, recommendation_reasons, refusal_grounds, submitted_at, created_at,
    updated_at, assigned_case_manager_id, created_by_id, organisation_id, updated_by_id,
    follow_up, temporary_purpose, contract_reference, customs_office_of_export, conditions_text)
SELECT gen_random_uuid(), t.kind, t.regime, t.licence_type, t.country_of_origin,
    t.country_of_destination, t.transit_countries, t.end_use_statement,
    t.requested_validity_months, t.total_value,
    (ARRAY['submitted','under_review','pending_approval','issued','refused','withdrawn',
           'information_requested','draft'])[1 + (g %% 8)],
    t.recommendation, t.recommendation_reasons, t.refusal_grounds,
    now() - (g || ' minutes')::interval, now() - (g || ' minutes')::interval,
    now() - ((g * 7 %% 500000) || ' minutes')::interval,
    CASE WHEN g %% 3 = 0 THEN %(case_manager)s END, t.created_by_id, %(organisation)s,
    t.updated_by_id, t.follow_up, t.temporary_purpose, t.contract_reference,
    t.customs_office_of_export, t.conditions_text
FROM (SELECT * FROM permits_permitapplication ORDER BY id LIMIT 1) t, generate_series(1, %(n)s) g
"""


def server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def build(applications: int) -> None:
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

    from permits.models import ApplicantOrganisation

    case_manager = get_user_model().objects.get(username="casemanager")
    other = ApplicantOrganisation.objects.exclude(members__username="applicant").first()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            COPY_FILES,
            {"case_manager": case_manager.pk, "organisation": other.pk, "n": applications},
        )
        cursor.execute("ANALYZE permits_permitapplication")
    print(f"{applications:,} applications built in {time.perf_counter() - started:.1f} s")


def median_ms(call, runs: int = 15) -> float:
    call()
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        call()
        times.append((time.perf_counter() - started) * 1000)
    return statistics.median(times)


def measure() -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from permits import selectors
    from permits.models import PermitApplication, Status

    users = get_user_model().objects
    auditor, case_manager, applicant = (
        users.get(username=name) for name in ("auditor", "casemanager", "applicant")
    )
    some = PermitApplication.objects.order_by("id").values_list("pk", flat=True)[1000]
    baseline = median_ms(lambda: PermitApplication.objects.get(pk=some))
    lists = {
        "API list (newest first)": lambda: selectors.application_list(user=auditor).order_by(
            "-created_at", "-id"
        ),
        "auditors' search as opened": lambda: selectors.audit_list(user=auditor),
        "applicant's own files": lambda: selectors.applicant_application_list(user=applicant),
        "new-files queue": lambda: selectors.workbench_queue(
            user=case_manager, queue="new"
        ).order_by("submitted_at", "id"),
        "case manager's own files": lambda: selectors.workbench_queue(
            user=case_manager, queue="mine"
        ).order_by("submitted_at", "id"),
        "approvals": lambda: PermitApplication.objects.filter(
            status=Status.PENDING_APPROVAL
        ).order_by("updated_at", "id"),
    }
    for name, queryset in lists.items():
        ms = median_ms(lambda queryset=queryset: list(queryset()[:50]))
        print(f"{name}: {ms:.1f} ms; baseline {baseline:.1f} ms; ratio {ms / baseline:.1f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--applications", type=int, default=300_000)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    arguments = parser.parse_args()
    build(arguments.applications)
    try:
        measure()
    finally:
        if not arguments.keep:
            from django.db import connections

            connections.close_all()
            server(f"DROP DATABASE IF EXISTS {DATABASE}")


if __name__ == "__main__":
    main()
