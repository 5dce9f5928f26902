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
        [--rounds 1]

Prints the load average; for each round both rates, their ratio, and the CPU per file (the
submitter's process and its PostgreSQL backend, from /proc) with the cores each phase kept
busy; the lock waits; then one line: both rates over all rounds, the goal (0.9 × cores × the
single rate) and the ratio of the concurrent rate to cores × the single rate.
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


def _backend_cpu(pid: int) -> float:
    """CPU seconds (user + system) of a PostgreSQL backend of this machine, from /proc."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def submit_all(s: int, count: int, start, results) -> None:
    """One submitter: the next ``count`` drafts of its organisation, one after the other, on
    its own connection. Reports its files, start, end and the CPU seconds it and its
    PostgreSQL backend used for them."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.db import connection

    from permits import actions
    from permits.models import PermitApplication

    applicant = get_user_model().objects.get(username=f"applicant{s}")
    drafts = list(
        PermitApplication.objects.filter(created_by=applicant, status="draft").order_by("pk")
    )[:count]
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    start.wait()
    began, client, server = time.perf_counter(), time.process_time(), _backend_cpu(backend)
    for draft in drafts:
        actions.application_submit(application=draft, actor=applicant)
    ended = time.perf_counter()
    cpu = time.process_time() - client, _backend_cpu(backend) - server
    results.put((s, len(drafts), began, ended, *cpu))


class Phase:
    """What one run of submitters did: files, wall seconds, client and server CPU seconds."""

    def __init__(self, files: int, seconds: float, client: float, server: float) -> None:
        self.files, self.seconds, self.client, self.server = files, seconds, client, server

    def __add__(self, other: Phase) -> Phase:
        return Phase(
            self.files + other.files,
            self.seconds + other.seconds,
            self.client + other.client,
            self.server + other.server,
        )

    @property
    def rate(self) -> float:
        return self.files / self.seconds

    def cpu(self) -> str:
        """CPU per file (client, server) and the cores the phase kept busy on average."""
        per_file = (self.client + self.server) / self.files * 1000
        return (
            f"CPU {per_file:.0f} ms per file (client {self.client / self.files * 1000:.0f}, "
            f"PostgreSQL {self.server / self.files * 1000:.0f}); "
            f"{(self.client + self.server) / self.seconds:.2f} cores busy"
        )


def run(submitters: list[int], count: int, waits: LockWaits | None = None) -> Phase:
    """Start these submitters on ``count`` drafts each, release them together."""
    context = multiprocessing.get_context("spawn")
    start, results = context.Event(), context.Queue()
    processes = [
        context.Process(target=submit_all, args=(s, count, start, results), daemon=True)
        for s in submitters
    ]
    for process in processes:
        process.start()
    time.sleep(3 + len(processes) * 0.5)  # let them import Django and load their drafts
    start.set()
    with waits or contextlib.nullcontext():
        done = [results.get(timeout=1800) for _ in processes]
    for process in processes:
        process.join()
    began = min(d[2] for d in done)
    return Phase(
        sum(d[1] for d in done),
        max(d[3] for d in done) - began,
        sum(d[4] for d in done),
        sum(d[5] for d in done),
    )


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
    parser.add_argument(
        "--rounds",
        type=int,
        default=1,
        help="alternate the lone submitter and the concurrent ones this many times (on a "
        "shared machine the load drifts: each round's ratio compares neighbours)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()
    cores = os.cpu_count() or 1

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    prepare(args.submitters, args.per_submitter * args.rounds, args.single * args.rounds)
    redis_empty()
    waits = LockWaits(f"{SERVER}/{DATABASE}")
    single, many = Phase(0, 0, 0, 0), Phase(0, 0, 0, 0)
    try:
        for round_ in range(1, args.rounds + 1):
            alone = run([args.submitters], args.single)
            load_alone = os.getloadavg()[0]
            together = run(list(range(args.submitters)), args.per_submitter, waits)
            load_together = os.getloadavg()[0]
            single, many = single + alone, many + together
            print(
                f"round {round_}: 1 submitter {alone.rate:.1f}/s (load {load_alone:.1f}), "
                f"{args.submitters} submitters {together.rate:.1f}/s (load "
                f"{load_together:.1f}); ratio to cores x single "
                f"{together.rate / (cores * alone.rate):.2f}"
            )
            print(f"  1 submitter: {alone.cpu()}")
            print(f"  {args.submitters} submitters: {together.cpu()}")
    finally:
        redis_empty()
    load = os.getloadavg()
    submitted, duplicates, missing = references_check()
    goal = 0.9 * cores * single.rate
    print(f"load average at the end (1 min): {load[0]:.2f}; cores {cores}")
    print(waits.summary())
    print(
        f"submissions: {args.submitters} submitters {many.rate:.1f}/s ({many.files} in "
        f"{many.seconds:.1f} s); 1 submitter {single.rate:.1f}/s ({single.files} in "
        f"{single.seconds:.1f} s); goal {goal:.1f}/s; ratio to cores x single "
        f"{many.rate / (cores * single.rate):.2f}; references {submitted}, "
        f"{duplicates} duplicate, {missing} missing"
    )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        server(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    if duplicates or missing or submitted != single.files + many.files:
        raise SystemExit("reference numbers: duplicates or gaps")


if __name__ == "__main__":
    main()
