"""The sweep that re-verifies every stored file (beat task and ``manage.py verify_files``):
swapped and missing files reported once, orphan files removed after their grace period."""

from __future__ import annotations

import os
import time
from io import StringIO

import pytest
from django.conf import settings as django_settings
from django.core.management import CommandError, call_command

from documents.models import Document
from outbox.models import OutboxMessage
from permits import tasks
from permits.decisions.generation import decision_document_generate
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def files(organisation, applicant, case_manager, head, settings, tmp_path):
    """An issued licence with its PDF and an application under review with its certificate."""
    settings.MEDIA_ROOT = tmp_path / "media"
    people = {"applicant": applicant, "case_manager": case_manager, "head": head}
    issued = advance(ApplicationFactory(organisation=organisation), "issued", **people)
    decision_pdf = decision_document_generate(decision_id=issued.decision.pk)
    reviewed = advance(ApplicationFactory(organisation=organisation), "under_review", **people)
    certificate = reviewed.documents.get()
    return decision_pdf, certificate


def orphan_at(name: str, *, age_minutes: int) -> str:
    path = os.path.join(django_settings.MEDIA_ROOT, name)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as handle:
        handle.write(b"%PDF-1.4 left by a crashed render")
    then = time.time() - age_minutes * 60
    os.utime(path, (then, then))
    return name


def verify_files(*args) -> tuple[str, bool]:
    out = StringIO()
    try:
        call_command("verify_files", *args, stdout=out)
    except CommandError:
        return out.getvalue(), False
    return out.getvalue(), True


def integrity_records() -> int:
    return TransitionRecord.objects.filter(transition="file_integrity_failed").count()


def auditor_alerts(auditor) -> list[OutboxMessage]:
    return list(OutboxMessage.objects.filter(recipient=auditor.email, key__contains="alert"))


def test_all_files_intact_the_command_succeeds(files):
    output, ok = verify_files()

    assert ok
    assert f"{Document.objects.count()} stored files checked, 0 broken, 0 orphans" in output


def test_the_sweep_finds_a_swapped_a_missing_and_an_orphan_file(files, auditor):
    decision_pdf, certificate = files
    with open(decision_pdf.file.path, "wb") as handle:
        handle.write(b"%PDF-1.4 forged")
    os.remove(certificate.file.path)
    orphan = orphan_at(f"applications/{certificate.application.public_id}/x.pdf", age_minutes=90)

    output, ok = verify_files()

    assert not ok
    assert f"BROKEN mismatch: {decision_pdf.file.name}" in output
    assert f"BROKEN missing: {certificate.file.name}" in output
    assert f"ORPHAN removed: {orphan}" in output
    assert not os.path.exists(os.path.join(django_settings.MEDIA_ROOT, orphan))
    assert integrity_records() == 2
    subjects = sorted(message.subject for message in auditor_alerts(auditor))
    assert len(subjects) == 3  # one per broken file, one for the orphan
    assert any("Orphan" in subject for subject in subjects)


def test_a_second_run_reports_nothing_new(files, auditor):
    decision_pdf, _certificate = files
    os.remove(decision_pdf.file.path)
    tasks.verify_stored_files()
    alerts = len(auditor_alerts(auditor))

    result = tasks.verify_stored_files()

    assert result["broken"] == 1
    assert integrity_records() == 1
    assert len(auditor_alerts(auditor)) == alerts


def test_the_grace_period_spares_a_fresh_orphan(files, settings, auditor):
    settings.DOCUMENTS_ORPHAN_GRACE_MINUTES = 60
    fresh = orphan_at("applications/in-flight/decision-99.pdf", age_minutes=5)

    output, ok = verify_files()

    assert ok
    assert f"within its grace period, left alone: {fresh}" in output
    assert os.path.exists(os.path.join(django_settings.MEDIA_ROOT, fresh))
    assert auditor_alerts(auditor) == []


def test_a_dry_run_removes_records_and_sends_nothing(files, auditor):
    decision_pdf, _certificate = files
    os.remove(decision_pdf.file.path)
    orphan = orphan_at("applications/old/left.pdf", age_minutes=600)

    output, ok = verify_files("--dry-run")

    assert not ok
    assert f"ORPHAN (dry run, not removed): {orphan}" in output
    assert os.path.exists(os.path.join(django_settings.MEDIA_ROOT, orphan))
    assert integrity_records() == 0
    assert auditor_alerts(auditor) == []


def test_the_sweep_works_in_bounded_batches(files):
    output, ok = verify_files("--batch-size", "1")

    assert ok
    assert f"{Document.objects.count()} stored files checked" in output


def test_the_sweep_is_scheduled_daily_in_beat():
    entry = django_settings.CELERY_BEAT_SCHEDULE["verify-stored-files-daily"]

    assert entry["task"] == "permits.tasks.verify_stored_files"
    assert tasks.verify_stored_files.acks_late
