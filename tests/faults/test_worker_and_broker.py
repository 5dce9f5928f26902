"""Faults of the task side, with real processes: a Redis of the test's own on a free port, and
a real Celery worker (with its beat) as a subprocess on this test's PostgreSQL database.

- The broker is down when the head approves: the approval commits at once, and once Redis is
  back the decision document appears without anyone acting (the beat sweep finds it).
- The worker is SIGKILLed while it renders decisions: every decision ends with exactly one
  document and one history record, and no file is left on disk that no document owns.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from documents.models import Document
from permits import actions
from permits.models import Decision
from tests.conftest import broker_at, requires_postgresql, wait_for
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance, record_government_decision
from workflow.models import TransitionRecord

pytestmark = [
    requires_postgresql,
    pytest.mark.django_db(transaction=True),
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server"),
]

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    def __init__(self, port: int, folder: Path) -> None:
        self.port, self.folder, self.process = port, folder, None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server"),
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.folder),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        assert wait_for(self.answers, timeout=10), "the test's Redis did not start"

    def answers(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None


class Worker:
    """``celery -A config worker -B`` on the test database, the test's Redis and media."""

    def __init__(self, redis: PrivateRedis, media: Path, folder: Path) -> None:
        database = connection.settings_dict
        self.env = {
            **{k: v for k, v in os.environ.items() if not k.startswith("CELERY_")},
            "DJANGO_SETTINGS_MODULE": "config.settings.dev",
            "DATABASE_URL": (
                f"postgres://{database['USER']}@{database['HOST'] or '127.0.0.1'}:"
                f"{database['PORT'] or 5432}/{database['NAME']}"
            ),
            "CELERY_BROKER_URL": redis.url,
            "MEDIA_ROOT": str(media),
            "DECISION_SIGNING_P12": "",
            "DECISION_DOCUMENT_GRACE_MINUTES": "0",
            "DECISION_DOCUMENT_SWEEP_SECONDS": "2",
            "CELERY_VISIBILITY_TIMEOUT_SECONDS": "3",
            "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
        }
        self.folder, self.process = folder, None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "config",
                "worker",
                "-B",
                "--schedule",
                str(self.folder / f"beat-{time.monotonic_ns()}"),
                "--pool",
                "prefork",
                "--concurrency",
                "1",
                "--loglevel",
                "WARNING",
            ],
            cwd=ROOT,
            env=self.env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )

    def kill(self) -> None:
        """SIGKILL to the worker and its child processes: nothing gets to clean up."""
        if self.process is not None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def media(settings, tmp_path):
    folder = tmp_path / "media"
    folder.mkdir(exist_ok=True)
    settings.MEDIA_ROOT = folder
    return folder


@pytest.fixture
def redis(tmp_path):
    server = PrivateRedis(free_port(), tmp_path)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def worker(redis, media, tmp_path):
    process = Worker(redis, media, tmp_path)
    yield process
    process.kill()


def _pending(organisation, applicant, case_manager, head, second_head, count: int):
    files = []
    for _number in range(count):
        application = advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            "pending_approval",
            applicant=applicant,
            case_manager=case_manager,
            head=head,
        )
        files.append(record_government_decision(application, second_head, "granted"))
    return files


def _stored_files(media: Path) -> set[str]:
    return {str(p.relative_to(media)) for p in media.rglob("*") if p.is_file()}


def test_an_approval_with_the_broker_down_gets_its_document_once_redis_is_back(
    redis, worker, media, organisation, applicant, case_manager, head, second_head
):
    (application,) = _pending(organisation, applicant, case_manager, head, second_head, 1)
    redis.stop()

    with broker_at(redis.url):
        approved = actions.application_approve(application=application, actor=second_head)

    assert approved.status == "issued"
    decision = Decision.objects.get(application=application)
    assert not Document.objects.filter(decision=decision).exists()

    redis.start()
    worker.start()

    assert wait_for(lambda: Document.objects.filter(decision=decision).exists(), timeout=90)
    assert Document.objects.filter(decision=decision).count() == 1


def test_a_worker_killed_while_rendering_leaves_one_document_per_decision_and_no_orphan(
    redis, worker, media, organisation, applicant, case_manager, head, second_head
):
    files = _pending(organisation, applicant, case_manager, head, second_head, 6)
    worker.start()
    with broker_at(redis.url):
        for application in files:
            actions.application_approve(application=application, actor=second_head)
    decisions = Decision.objects.filter(application__in=files)

    # Kill it as soon as it has stored a first document: the next one is being rendered.
    assert wait_for(lambda: Document.objects.filter(decision__in=decisions).exists(), timeout=90)
    worker.kill()
    worker.start()

    assert wait_for(
        lambda: Document.objects.filter(decision__in=decisions).count() == len(files),
        timeout=120,
    )
    time.sleep(4)  # a redelivered duplicate, if any, would have run by now
    for decision in decisions:
        assert Document.objects.filter(decision=decision).count() == 1
        assert (
            TransitionRecord.objects.filter(
                application=decision.application, transition="decision_document_stored"
            ).count()
            == 1
        )
    assert _stored_files(media) == {d.file.name for d in Document.objects.all()}
    assert media == settings.MEDIA_ROOT
