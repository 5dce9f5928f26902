"""Approval to signed PDF stored, end to end, with a real Celery worker (issue 14).

Builds its own database ``permits_bench_decisions`` (``BENCH_DATABASE``) on PostgreSQL
(``BENCH_PG``, default postgres://postgres@127.0.0.1:5432; never a test database), empties its
own Redis database (``BENCH_REDIS``, default redis://127.0.0.1:6379/2) and starts a real worker
on them the way compose does (``celery -A config worker``, prefork, 2 processes, production
settings with bench secrets, a demo signing certificate in a temporary folder, database
connections reused across tasks). N draft files (the factories' military exports: the
Government's decision is recorded, the head of unit approves) are prepared in advance; then D
driver processes, each with its own applicant, case manager and head, walk their share through
the actions: submit, start review, assess the criteria, propose. When every file waits for its
approval, the heads approve theirs back to back. Two clocks: end to end, from the drivers'
start until every decision's signed PDF is stored; approval to stored PDF, from the heads'
start until then.

The floor, measured in the same run once the worker has stopped: one process rendering and
signing the same kind of licence from its render inputs, back to back (wall clock).

    .venv/bin/python bench/decision_pipeline.py [--files 200] [--drivers 4] [--keep]

Prints the load average, then one line: decisions/s end to end and from approval, the floor,
the ratios.
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
from lock_waits import LockWaits  # noqa: E402

SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
DATABASE = os.environ.get("BENCH_DATABASE", "permits_bench_decisions")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/2")
WORK = Path(os.environ.get("BENCH_WORK", tempfile.gettempdir())) / "permits_bench_decisions"

# Production settings (what compose runs), with throw-away secrets for the bench.
os.environ.update(
    DJANGO_SETTINGS_MODULE="config.settings.production",
    DATABASE_URL=f"{SERVER}/{DATABASE}",
    CELERY_BROKER_URL=REDIS,
    SECRET_KEY=os.environ.get("BENCH_SECRET_KEY") or "bench-" + "k" * 50,
    ALLOWED_HOSTS="127.0.0.1",
    HISTORY_CHAIN_KEYS="bench=" + "h" * 48,
    HISTORY_CHAIN_KEY_ID="bench",
    DECISION_SIGNING_P12=str(WORK / "authority.p12"),
    DECISION_SIGNING_PASSWORD="bench-signing-password",
    DECISION_TIMESTAMP_URL="",
    EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend",
    MEDIA_ROOT=str(WORK / "media"),
    SECURE_SSL_REDIRECT="false",
)


def server(sql: str) -> None:
    import psycopg

    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as connection:
        connection.execute(sql)


def prepare(files: int, drivers: int) -> None:
    """A fresh database with the people and N draft files, a signing certificate."""
    import shutil

    shutil.rmtree(WORK, ignore_errors=True)
    (WORK / "media").mkdir(parents=True)
    server(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
    server(f"CREATE DATABASE {DATABASE}")
    import django

    django.setup()
    from django.core.management import call_command

    from permits.decisions.signing import create_self_signed_p12
    from tests.factories import ApplicationFactory, OrganisationFactory, UserFactory

    call_command("migrate", verbosity=0)
    create_self_signed_p12(
        WORK / "authority.p12", "bench-signing-password", common_name="Bench authority"
    )
    for d in range(drivers):
        applicant = UserFactory(username=f"applicant{d}", roles=["applicant"])
        organisation = OrganisationFactory(members=[applicant])
        UserFactory(username=f"case_manager{d}", roles=["case_manager"])
        UserFactory(username=f"head{d}", roles=["head_of_unit"])
        for _ in range(d, files, drivers):
            ApplicationFactory(organisation=organisation, created_by=applicant)


def drive(d: int, start, approve, results) -> None:
    """One driver: this head's files from submission to the proposal, one after the other;
    then, when told, the head approves them one after the other."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model

    from permits import actions
    from permits.models import PermitApplication
    from tests.workflow_helpers import advance, record_government_decision

    users = get_user_model().objects
    people = {
        "applicant": users.get(username=f"applicant{d}"),
        "case_manager": users.get(username=f"case_manager{d}"),
        "head": users.get(username=f"head{d}"),
    }
    files = list(PermitApplication.objects.filter(created_by=people["applicant"], status="draft"))
    start.wait()
    began = time.perf_counter()
    files = [advance(application, "pending_approval", **people) for application in files]
    results.put((d, len(files), time.perf_counter() - began))
    approve.wait()
    began = time.perf_counter()
    for application in files:
        actions.application_approve(
            application=record_government_decision(application, people["head"], "granted"),
            actor=people["head"],
        )
    results.put((d, len(files), time.perf_counter() - began))


def stored_documents() -> tuple[int, int]:
    from documents.models import Document
    from permits.models import Decision

    return (
        Document.objects.filter(kind=Document.Kind.DECISION, signed=True).count(),
        Decision.objects.filter(document_failed_at__isnull=False).count(),
    )


def worker_start() -> subprocess.Popen:
    import redis

    redis.Redis.from_url(REDIS).flushdb()  # this bench's own Redis database only
    log = open(WORK / "worker.log", "w")  # noqa: SIM115 - closed with the process
    return subprocess.Popen(
        [
            str(Path(sys.executable).parent / "celery"),
            "-A",
            "config",
            "worker",
            "--pool",
            "prefork",
            "--concurrency",
            "2",
            "--loglevel",
            "WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            f"bench-decisions-{os.getpid()}@%h",
        ],
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )


def worker_ready(timeout: float = 60) -> None:
    from config.celery import app

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if app.control.ping(timeout=1):
            return
    raise SystemExit(f"the Celery worker did not answer; see {WORK / 'worker.log'}")


def floor(n: int) -> tuple[float, float]:
    """Render + sign alone, one process, back to back: (documents/s wall, ms CPU each)."""
    from documents.models import Document
    from permits.decisions.rendering import render_from_inputs
    from permits.decisions.signing import sign_pdf

    document = Document.objects.filter(kind=Document.Kind.DECISION).first()
    inputs = document.render_inputs
    sign_pdf(render_from_inputs(inputs), reason="warm-up")
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in range(n):
        sign_pdf(render_from_inputs(inputs), reason=f"Decision {document.original_name}")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return n / wall, cpu / n * 1000


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=200)
    parser.add_argument("--drivers", type=int, default=4)
    parser.add_argument("--floor-documents", type=int, default=100)
    parser.add_argument("--timeout", type=float, default=900)
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    args = parser.parse_args()

    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    prepare(args.files, args.drivers)
    worker = worker_start()
    try:
        worker_ready()
        context = multiprocessing.get_context("spawn")
        start, approve, results = context.Event(), context.Event(), context.Queue()
        drivers = [
            context.Process(target=drive, args=(d, start, approve, results))
            for d in range(args.drivers)
        ]
        for process in drivers:
            process.start()
        time.sleep(8)  # let the drivers import Django and load their files
        began = time.perf_counter()
        start.set()
        proposed = [results.get(timeout=args.timeout) for _ in drivers]
        approving = time.perf_counter()
        waits = LockWaits(f"{SERVER}/{DATABASE}")
        with waits:
            approve.set()
            approved = [results.get(timeout=args.timeout) for _ in drivers]
            approvals_done = time.perf_counter() - approving
        for process in drivers:
            process.join()
        while True:
            stored, failed = stored_documents()
            if stored + failed >= args.files:
                break
            if time.perf_counter() - began > args.timeout:
                raise SystemExit(f"timed out: {stored} of {args.files} documents stored")
            time.sleep(0.05)
        done = time.perf_counter()
        elapsed, after_approval = done - began, done - approving
        load = os.getloadavg()
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        worker.wait(timeout=60)
    if failed:
        raise SystemExit(f"{failed} documents failed; see {WORK / 'worker.log'}")
    floor_rate, floor_cpu = floor(args.floor_documents)
    rate, approval_rate = args.files / elapsed, args.files / after_approval

    def each(phase) -> str:
        return ", ".join(f"{n} in {seconds:.1f} s" for _, n, seconds in sorted(phase))

    print(f"drivers ({args.drivers}) submit to proposal: {each(proposed)}")
    print(f"heads approving: {each(approved)}; all approved after {approvals_done:.1f} s")
    print(f"load average at the end (1 min): {load[0]:.2f}")
    print(f"while the heads approved, {waits.summary()}")
    print(
        f"decision pipeline, {args.files} files, {args.drivers} drivers, worker x2: "
        f"{rate:.1f} decisions/s end to end ({elapsed:.1f} s); approval to signed PDF stored "
        f"{approval_rate:.1f} decisions/s ({after_approval:.1f} s); floor (render+sign, one "
        f"process) {floor_rate:.1f} documents/s ({floor_cpu:.1f} ms CPU each); ratio end to "
        f"end {rate / floor_rate:.2f}, approval to stored {approval_rate / floor_rate:.2f}"
    )
    if not args.keep:
        from django.db import connections

        connections.close_all()
        server(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
