"""The big lists under load: gunicorn (production settings) on loopback, wrk at 16 connections.

Runs against the database ``bench/build_dataset.py`` built (``permits_bench_1m`` on ``BENCH_PG``,
default postgres://postgres@127.0.0.1:5432; ``--database`` names another; it is migrated first).
Starts gunicorn as the Dockerfile does (gthread, 4 threads) with 2 workers on 127.0.0.1,
``config.settings.production`` (DEBUG off, manifest static files collected into a temporary
folder, Redis cache on ``BENCH_REDIS``, default redis://127.0.0.1:6379/1), signs the demo users
in (a session per user, made the way ``Client.force_login`` makes it; an API token for the
auditor), then runs wrk (``--connections 16``, ``--duration 30`` s) on each page in turn:

- the login page (baseline: a trivial page through the same stack);
- the case managers' queue as opened (``casemanager``);
- the auditors' search as opened, and with a usual filter (status and submission date);
- the API's applications list (auditor's token);
- a case page (a file under review of ``casemanager``).

Prints one line per page: ``<page>: p50 <ms> ms, p95 <ms> ms, <n> req/s; baseline p95 <ms> ms;
ratio p95/baseline <x>``, then the machine's load average. Every page is fetched once before its
run and must answer 200 (a redirect to the login page would otherwise look fast).

    .venv/bin/python bench/lists_load.py [--duration 30] [--connections 16] [--database …]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from datetime import date, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")
REDIS = os.environ.get("BENCH_REDIS", "redis://127.0.0.1:6379/1")
WRK = shutil.which("wrk") or "/usr/bin/wrk"

# p50 and p95 in ms, requests per second and errors, from wrk's own histogram.
REPORT_LUA = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write
    + summary.errors.timeout
  io.write(string.format("RESULT %.3f %.3f %.2f %d %d %d\\n",
    latency:percentile(50) / 1000, latency:percentile(95) / 1000,
    summary.requests / (summary.duration / 1e6), summary.requests, errors,
    summary.errors.status))
end
"""

# Run inside the bench's settings: sessions, a token, and the URLs of the pages measured.
SIGN_IN = textwrap.dedent(
    """
    import json
    import django
    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.test import Client
    from django.urls import reverse
    from accounts.services import api_token_create
    from permits.models import PermitApplication

    users = get_user_model().objects
    cookies = {}
    for name in ("casemanager", "auditor"):
        client = Client()
        client.force_login(users.get(username=name))
        cookies[name] = client.cookies[settings.SESSION_COOKIE_NAME].value
    _token, plaintext = api_token_create(user=users.get(username="auditor"), name="bench")
    case = (
        PermitApplication.objects.filter(
            status="under_review", assigned_case_manager__username="casemanager"
        )
        .order_by("-id")
        .first()
    )
    print(json.dumps({
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "cookies": cookies,
        "token": plaintext,
        "queue": reverse("permits:queue"),
        "search": reverse("permits:search"),
        "case": reverse("permits:application_detail", args=[case.url_key]),
        "login": reverse("login"),
    }))
    """
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def environment(database: str, static_root: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.production",
        DATABASE_URL=f"{SERVER}/{database}",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="127.0.0.1,localhost",
        CACHE_URL=REDIS,
        CELERY_BROKER_URL=REDIS,
        STATIC_ROOT=static_root,
        HISTORY_CHAIN_KEYS=f"bench={secrets.token_urlsafe(40)}",
        HISTORY_CHAIN_KEY_ID="bench",
        # The token's rate limit (2,000 requests an hour by default) would answer 429 after
        # the first minute of wrk: the bench measures the list, not the limit.
        API_THROTTLE_USER="100000000/hour",
        # Never signs anything here: the lists do not render decisions.
        DECISION_SIGNING_P12=str(Path(static_root) / "none.p12"),
        DECISION_SIGNING_PASSWORD=secrets.token_urlsafe(12),
    )
    return env


def run(arguments: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(arguments, env=env, cwd=ROOT, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"{' '.join(arguments[:3])} failed:\n{done.stderr[-3000:]}")
    return done.stdout


def wait_until_up(port: int, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit("gunicorn did not start")


def fetch_ok(url: str, headers: dict[str, str]) -> None:
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=120) as response:
            status = response.status
    except urllib.error.HTTPError as exc:
        status = exc.code
    if status != 200:
        raise SystemExit(f"{url} answered {status}, not 200")


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


def wrk(url: str, headers: dict[str, str], connections: int, duration: int, lua: str) -> dict:
    command = [WRK, "-t2", f"-c{connections}", f"-d{duration}s", "--timeout", "30s", "-s", lua]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("RESULT"))
    p50, p95, rps, requests, errors, non_2xx = line.split()[1:]
    return {
        "p50": float(p50),
        "p95": float(p95),
        "rps": float(rps),
        "requests": int(requests),
        "errors": int(errors),
        "non_2xx": int(non_2xx),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", default="permits_bench_1m")
    parser.add_argument("--duration", type=int, default=30, help="seconds of wrk per page")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--only", help="comma-separated page names to measure (baseline always)")
    arguments = parser.parse_args()
    if arguments.database.startswith("test_"):
        parser.error("never a test database")

    workdir = Path(tempfile.mkdtemp(prefix="lists_load_"))
    env = environment(arguments.database, str(workdir / "static"))
    run([PYTHON, "manage.py", "migrate", "--verbosity", "0"], env)
    run([PYTHON, "manage.py", "collectstatic", "--noinput", "--verbosity", "0"], env)
    seen = json.loads(run([PYTHON, "-c", SIGN_IN], env).strip().splitlines()[-1])
    lua = workdir / "report.lua"
    lua.write_text(REPORT_LUA)

    port = free_port()
    base = f"http://127.0.0.1:{port}"
    gunicorn = subprocess.Popen(
        [
            PYTHON,
            "-m",
            "gunicorn",
            "config.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(arguments.workers),
            "--worker-class",
            "gthread",
            "--threads",
            "4",
            "--access-logfile",
            "/dev/null",
            "--error-logfile",
            str(workdir / "gunicorn.log"),
        ],
        env=env,
        cwd=ROOT,
        start_new_session=True,
    )
    try:
        wait_until_up(port)
        https = {"X-Forwarded-Proto": "https"}  # as behind the TLS proxy (no SSL redirect)

        def session(user: str) -> dict[str, str]:
            return {**https, "Cookie": f"{seen['cookie_name']}={seen['cookies'][user]}"}

        last_year = (date.today() - timedelta(days=365)).isoformat()
        pages = [
            ("login page (baseline)", seen["login"], https),
            ("case managers' queue", seen["queue"], session("casemanager")),
            ("auditors' search as opened", seen["search"], session("auditor")),
            (
                "auditors' search, issued since a year",
                f"{seen['search']}?status=issued&submitted_after={last_year}",
                session("auditor"),
            ),
            (
                "API applications list",
                "/api/v1/applications/",
                {**https, "Authorization": f"Bearer {seen['token']}"},
            ),
            ("case page", seen["case"], session("casemanager")),
        ]
        if arguments.only:
            wanted = arguments.only.split(",")
            pages = [pages[0]] + [p for p in pages[1:] if any(w in p[0] for w in wanted)]
        results = {}
        for name, path, headers in pages:
            fetch_ok(base + path, headers)
            results[name] = wrk(
                base + path, headers, arguments.connections, arguments.duration, str(lua)
            )
        baseline = results[pages[0][0]]["p95"]
        for name, result in results.items():
            problems = ""
            if result["errors"] or result["non_2xx"]:
                problems = f"; {result['errors']} socket errors, {result['non_2xx']} non-2xx"
            print(
                f"{name}: p50 {result['p50']:.1f} ms, p95 {result['p95']:.1f} ms, "
                f"{result['rps']:.1f} req/s; baseline p95 {baseline:.1f} ms; "
                f"ratio p95/baseline {result['p95'] / baseline:.1f}{problems}"
            )
        print(
            f"{arguments.connections} connections, {arguments.duration} s per page, "
            f"{arguments.workers} gunicorn workers (gthread ×4), load average "
            + " ".join(f"{n:.2f}" for n in os.getloadavg())
        )
    finally:
        os.killpg(gunicorn.pid, signal.SIGTERM)
        gunicorn.wait(timeout=30)
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
