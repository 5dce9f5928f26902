"""CPU per step of a decision, one process, on the decision pipeline's world (issue 14).

Builds the same database as ``decision_pipeline.py`` (``BENCH_DATABASE``, default
``permits_bench_steps``; production settings, a demo certificate), then walks N draft files
through each step in turn, all files step by step: submit, start review, the criteria
worksheet (eight assessments), propose, the Government's decision, approve, and the document
task the approval sends (render, sign, store; run here, in this process). Tasks sent after
commit go to ``BENCH_REDIS`` (emptied before and after; no worker reads them), as from a web
process. Prints the load average and one line per step: ms of CPU (this process; PostgreSQL's
own CPU is not counted) and ms wall per file, and the SQL queries per file.
``--profile STEP`` prints cProfile's top 30 (cumulative and own time) of that step too;
``--queries STEP`` the SQL of that step's first file.

    .venv/bin/python bench/decision_steps.py [--files 30] [--reference-data] [--profile approve]
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("BENCH_DATABASE", "permits_bench_steps")
os.environ.setdefault("BENCH_WORK", "/tmp/permits_bench_steps")

import decision_pipeline as world  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--files", type=int, default=30)
    parser.add_argument("--profile", default="")
    parser.add_argument("--queries", default="", help="print the SQL of one file at STEP")
    parser.add_argument(
        "--reference-data",
        action="store_true",
        help="load the shipped reference lists first (control list, embargoes, sanctions…)",
    )
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
    world.prepare(args.files, 1)
    if args.reference_data:
        from django.core.management import call_command

        call_command("load_reference_data", verbosity=0)
    import redis
    from django.db import connection, reset_queries
    from django.test.utils import CaptureQueriesContext

    from config.celery import app
    from permits import actions
    from permits.decisions import generation
    from permits.models import Decision, PermitApplication
    from tests.workflow_helpers import assess_all_criteria, record_government_decision

    redis.Redis.from_url(world.REDIS).flushdb()
    app.conf.task_always_eager = False
    users = __import__("django.contrib.auth", fromlist=["get_user_model"]).get_user_model()
    applicant = users.objects.get(username="applicant0")
    case_manager = users.objects.get(username="case_manager0")
    head = users.objects.get(username="head0")
    files = list(PermitApplication.objects.filter(status="draft").order_by("pk"))

    steps = [
        ("submit", lambda a: actions.application_submit(application=a, actor=applicant)),
        (
            "start_review",
            lambda a: actions.application_start_review(application=a, actor=case_manager),
        ),
        ("criteria", lambda a: assess_all_criteria(a, case_manager)),
        (
            "propose",
            lambda a: actions.application_propose_decision(
                application=a, actor=case_manager, recommendation="grant", reasons="In order."
            ),
        ),
        (
            "government",
            lambda a: record_government_decision(a, head, "granted"),
        ),
        ("approve", lambda a: actions.application_approve(application=a, actor=head)),
        # The worker's task, in this process: render, sign, store, history record, e-mail.
        ("document", lambda a: document_produce(a)),
    ]
    decision_ids: dict[int, int] = {}

    def document_produce(application):
        generation.decision_document_produce(decision_id=decision_ids[application.pk])
        return application

    # One warm-up file through every step, not counted.
    warm, files = files[0], files[1:]
    for name, step in steps:
        if name != "document":
            warm = step(warm)
    decision_ids.update(Decision.objects.filter(application=warm).values_list("application", "pk"))
    warm = document_produce(warm)
    for name, step in steps:
        if name == "document":  # read before the clock: the task is handed the id
            decision_ids.update(
                Decision.objects.filter(application__in=files).values_list("application", "pk")
            )
        profile = cProfile.Profile() if name == args.profile else None
        reset_queries()
        with CaptureQueriesContext(connection) as queries:
            wall, cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            files = [step(a) for a in files]
            if profile:
                profile.disable()
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        n = len(files)
        print(
            f"{name}: {cpu / n * 1000:.1f} ms CPU, {wall / n * 1000:.1f} ms wall, "
            f"{len(queries) / n:.1f} queries per file"
        )
        if name == args.queries:
            per_file = len(queries) // n
            for query in queries.captured_queries[:per_file]:
                print("   ", query["sql"][:160])
        if profile:
            pstats.Stats(profile).sort_stats("cumulative").print_stats(30)
            pstats.Stats(profile).sort_stats("tottime").print_stats(20)
    redis.Redis.from_url(world.REDIS).flushdb()
    if not args.keep:
        connection.close()
        world.server(f"DROP DATABASE IF EXISTS {world.DATABASE} WITH (FORCE)")


if __name__ == "__main__":
    main()
