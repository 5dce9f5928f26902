"""The decision tasks as Celery sees them: their names, the beat sweep, and discovery."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from django.conf import settings

from config.celery import app as celery_app
from permits.decisions import tasks

ROOT = Path(__file__).resolve().parents[3]


def test_the_missing_documents_sweep_is_scheduled_by_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["generate-missing-decision-documents"]

    assert entry["task"] == tasks.generate_missing_decision_documents.name
    assert tasks.generate_missing_decision_documents.name in celery_app.tasks


def test_the_generation_task_is_acknowledged_late_and_retried():
    task = tasks.generate_decision_document

    assert task.acks_late is True
    assert task.max_retries == 8


def test_a_worker_discovers_both_tasks_on_its_own():
    # A worker imports only what autodiscovery finds; this package sits below the app's top
    # level, where autodiscover_tasks() does not look unless told to.
    script = (
        "import django; django.setup(); from config.celery import app; "
        "app.loader.import_default_modules(); print('\\n'.join(app.tasks))"
    )
    registered = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
        capture_output=True,
        text=True,
        check=True,
        timeout=120,
    ).stdout.split()

    assert tasks.generate_decision_document.name in registered
    assert tasks.generate_missing_decision_documents.name in registered
