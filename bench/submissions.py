"""Submissions: 20 concurrent submitters against one, on PostgreSQL (issue 14).

Builds its own database ``permits_bench_submissions`` (``BENCH_SUBMISSIONS_DB`` names another)
on PostgreSQL (``BENCH_PG``, default postgres://postgres@127.0.0.1:5432; never a test
database) with production settings; tasks the submissions enqueue go to this bench's own
Redis database (``BENCH_REDIS``, default redis://127.0.0.1:6379/2, emptied before and after),
where no worker takes them, as a web process hands them over. Complete drafts (goods, parties,
required documents) are prepared in advance, one organisation and applicant per submitter.
Then, in separate processes, each with its own database connection:

1. one submitter submits its drafts one after the other (the baseline);
2. 20 submitters do the same at once, released together.

Afterwards it checks the year's reference numbers: no duplicate, no gap, and the counter
equal to the number of files submitted.

    .venv/bin/python bench/submissions.py [--submitters 20] [--per-submitter 10] [--single 40]

Prints the load average, then one line: both rates, the goal (0.9 × cores × the single rate)
and the ratio of the concurrent rate to cores × the single rate.
"""

from __future__ import annotations

import argparse
import contextlib
import multiprocessing
import os
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from lock_waits import LockWaits  # noqa: E402

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
# BENCH_SUBMISSIONS_DB names another database (a helper's own, on a shared server).
DATABASE = os.environ.get("BENCH_SUBMISSIONS_DB", "permits_bench_submissions")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/2")
WORK = Path(os.environ.get("BENCH_WORK", tempfile.gettempdir())) / "permits_bench_submissions"

os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings.production",
    DATABASE_URL=f"{SERVER}/{DATABASE}",
    CELERY_BROKER_URL=REDIS,
    SECRET_KEY="bench-" + "k" * 50,
    ALLOWED_HOSTS="127.0.0.1",
    HISTORY_CHAIN_KEYS="bench=" + "h" * 48,
    HISTORY_CHAIN_KEY_ID="bench",
    DECISION_SIGNING_P12="",
    DECISION_SIGNING_PASSWORD="",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    MEDIA_ROOT=str(WORK / "media"),
    SECURE_SSL_REDIRECT="false",
)


def server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def redis_empty() -> None:
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # this bench's own Redis database only


def prepare(submitters: int, per_submitter: int, single: int) -> None:
    import shutil

    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "media").mkdir(parents=True)
    server(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    server(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command

    from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory

    call_command("migrate", verbosity=0)
    for s in range(submitters + 1):  # submitter number `submitters` is the lone one
        applicant = UserFactory(username=f"applicant{s}", roles=["applicant"])
        organisation = OrganisationFactory(members=[applicant])
        for _ in range(single if s == submitters else per_submitter):
            ApplicationFactory(organisation=organisation, created_by=applicant)


def submit_all(s: int, start, results) -> None:
    """One submitter: its organisation's drafts, one after the other, on its own connection."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from permits import actions
    from permits.models import PermitApplication

    applicant = get_user_model().objects.get(username=f"applicant{s}")
    drafts = list(PermitApplication.objects.filter(created_by=applicant, status="draft"))
    start.wait()
    began = time.perf_counter()
    for draft in drafts:
        actions.application_submit(application=draft, actor=applicant)
    results.put((s, len(drafts), began, time.perf_counter()))


def run(submitters: list[int], waits: LockWaits | None = None) -> tuple[int, float]:
    """Start these submitters, release them together: (files submitted, seconds)."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [context.Process(target=submit_all, args=(s, start, results)) for s in submitters]
    for process in processes:
        process.start()
    time.sleep(3 + len(processes) * 0.5)  # let them import Django and load their drafts
    start.set()
    with waits or contextlib.nullcontext():
        done = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    began = min(d[2] for d in done)
    return sum(d[1] for d in done), max(d[3] for d in done) - began


def references_check() -> tuple[int, int, int]:
    """(files submitted, duplicate numbers, missing numbers) of this year's sequence."""
    from django.utils import timezone

    from permits.models import PermitApplication, ReferenceCounter

    references = list(
        PermitApplication.objects.exclude(reference__isnull=True).values_list(
            "reference", flat=True
        )
    )
    numbers = [int(reference.rsplit("-", 1)[1]) for reference in references]
    duplicates = len(numbers) - len(set(numbers))
    last = ReferenceCounter.objects.get(year=timezone.localdate().year).last_value
    missing = len(set(range(1, last + 1)) - set(numbers))
    return len(references), duplicates, missing


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--submitters", type=int, default=20)
    parser.add_argument("--per-submitter", type=int, default=10)
    parser.add_argument("--single", type=int, default=40)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    cores = os.cpu_count() or 1

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    prepare(args.submitters, args.per_submitter, args.single)
    redis_empty()
    try:
        single_files, single_seconds = run([args.submitters])
        waits = LockWaits(f"{SERVER}/{DATABASE}")
        many_files, many_seconds = run(list(range(args.submitters)), waits)
    finally:
        redis_empty()
    load = os.getloadavg()
    submitted, duplicates, missing = references_check()
    single_rate, many_rate = single_files / single_seconds, many_files / many_seconds
    goal = 0.9 * cores * single_rate
    print(f"load average at the end (1 min): {load[0]:.2f}; cores {cores}")
    print(waits.summary())
    print(
        f"submissions: {args.submitters} submitters {many_rate:.1f}/s ({many_files} in "
        f"{many_seconds:.1f} s); 1 submitter {single_rate:.1f}/s ({single_files} in "
        f"{single_seconds:.1f} s); goal {goal:.1f}/s; ratio to cores x single "
        f"{many_rate / (cores * single_rate):.2f}; references {submitted}, "
        f"{duplicates} duplicate, {missing} missing"
    )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        server(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    if duplicates or missing or submitted != single_files + many_files:
        raise SystemExit("reference numbers: duplicates or gaps")


if __name__ == "__main__":
    main()
