"""Production settings: refuse to start without secrets, and pass Django's deployment checks."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {
        key: value
        for key, value in os.environ.items()
        if key not in {"SECRET_KEY", "DATABASE_URL", "ALLOWED_HOSTS", "DJANGO_SETTINGS_MODULE"}
    }
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


PRODUCTION = {
    "DJANGO_SETTINGS_MODULE": "config.settings.production",
    "ALLOWED_HOSTS": "permits.example.test",
    "DATABASE_URL": "postgres://permits@db.example.test:5432/permits",
    "HISTORY_CHAIN_KEYS": "k2026=" + "h7Rq2" * 10,
    "HISTORY_CHAIN_KEY_ID": "k2026",
}


def test_production_refuses_to_start_without_a_secret_key():
    result = run_manage("check", **PRODUCTION)

    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_production_refuses_the_development_key():
    result = run_manage(
        "check", SECRET_KEY="dev-only-insecure-key-do-not-use-in-production", **PRODUCTION
    )

    assert result.returncode != 0
    assert "development key" in result.stderr


def test_production_refuses_the_development_history_chain_key():
    result = run_manage(
        "check",
        SECRET_KEY="a-long-random-production-secret-" + "x9Q2v" * 10,
        **{**PRODUCTION, "HISTORY_CHAIN_KEYS": "", "HISTORY_CHAIN_KEY_ID": ""},
    )

    assert result.returncode != 0
    assert "HISTORY_CHAIN_KEYS" in result.stderr


def test_production_refuses_the_demo_signing_certificate():
    result = run_manage(
        "check",
        SECRET_KEY="a-long-random-production-secret-" + "x9Q2v" * 10,
        DECISION_SIGNING_P12=str(ROOT / "run" / "demo-signing.p12"),
        DECISION_SIGNING_PASSWORD="permits-demo",
        **PRODUCTION,
    )

    assert result.returncode != 0
    assert "demo signing certificate" in result.stderr


def test_the_celery_app_defaults_to_production_settings():
    environment = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "import os, config.celery; print(os.environ['DJANGO_SETTINGS_MODULE'])",
        ],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert result.stdout.strip() == "config.settings.production", result.stderr


def test_production_settings_pass_the_deployment_checks():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        SECRET_KEY="a-long-random-production-secret-" + "x9Q2v" * 10,
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_development_settings_default_to_sqlite_and_in_process_tasks():
    result = run_manage(
        "shell",
        "-c",
        "from django.conf import settings as s; "
        "print(s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)",
        DJANGO_SETTINGS_MODULE="config.settings.dev",
        CELERY_BROKER_URL="",
        REDIS_URL="",
    )

    assert result.stdout.split()[-2:] == ["django.db.backends.sqlite3", "True"]


def test_healthcheck_answers_when_the_database_does(client, db):
    response = client.get("/healthz/")

    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_the_apps_own_static_files_are_served(client, db):
    for path in ("/static/css/site.css", "/static/js/app.js"):
        response = client.get(path)
        assert response.status_code == 200, path
        assert b"".join(response.streaming_content)


def test_production_collects_static_files_with_hashed_names(tmp_path):
    result = run_manage(
        "collectstatic",
        "--noinput",
        SECRET_KEY="collect-" + "x9Q2v" * 10,
        STATIC_ROOT=str(tmp_path / "static"),
        **PRODUCTION,
    )

    assert result.returncode == 0, result.stderr
    assert list((tmp_path / "static" / "css").glob("site.*.css"))
