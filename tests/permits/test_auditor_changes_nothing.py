"""Auditors read everything and change nothing: every write path of the web application, the
API and the admin is tried as an auditor, with plausible data, on files in every state, and
the database and the file store must be exactly as they were."""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.test import Client
from django.urls import get_resolver
from django.urls.resolvers import URLPattern, URLResolver

from accounts.services import api_token_create
from permits.models import LicenceLine
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

pytestmark = pytest.mark.django_db

# Writes an auditor may make, and why they touch no record of the Permits unit.
OWN_ACCOUNT = {
    "login",  # signing in
    "logout",
    "set_language",  # the interface language, kept in a cookie
    "tokens",  # the auditor's own API tokens: their account, not the record
    "token_revoke",
    "password_change",
    "two_factor_setup",  # the auditor's own authenticator
    "two_factor_verify",
    "two_factor_manage",
    "oidc_start",  # signing in through the federal authentication service
    "oidc_callback",
    "verify",  # the public verification page (a lookup, rate-limited)
}
# What signing in and reading write by design (sessions, lockout counters, the read log).
NOT_THE_RECORD = {"sessions", "axes", "admin", "contenttypes", "audit"}
WRITE_DATA = {
    "comment": "Auditor was here",
    "reason": "Auditor was here",
    "reasons": "Auditor was here",
    "grounds": "Criterion 7",
    "message": "Send everything",
    "reply": "Here it is",
    "text": "A note",
    "justification": "Fine",
    "recommendation": "grant",
    "assessment": "no_concern",
    "note": "Assessed",
    "outcome": "granted",
    "decided_on": "2026-11-30",
    "reference": "GOV-1",
    "subject": "Consultation",
    "counterpart": "FR",
    "answer": "No objection",
    "case_manager": "1",
    "shipped_on": "2026-11-30",
    "returned_on": "2026-11-30",
    "quantity": "1",
    "customs_reference": "26BE000000000001",
    "kind": "other",
    "end_use_statement": "Changed by an auditor",
    "legal_name": "Changed by an auditor",
}


def _patterns(patterns, prefix=""):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _patterns(pattern.url_patterns, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern.name


def _fingerprint() -> dict[str, str]:
    """A digest of every table of the record, and the list of stored files."""
    tables = {}
    for model in apps.get_models():
        if model._meta.app_label in NOT_THE_RECORD:
            continue
        # Reading with a token notes when it was last used: the auditor's account, not the record.
        rows = [
            {k: v for k, v in row.items() if k != "last_used_at"}
            for row in model.objects.order_by("pk").values()
        ]
        tables[model._meta.label] = hashlib.sha256(
            json.dumps(rows, default=str, sort_keys=True).encode()
        ).hexdigest()
    media = Path(settings.MEDIA_ROOT)
    # Files only: the health check's storage probe leaves its (empty) folder behind.
    stored = sorted(str(p) for p in media.rglob("*") if p.is_file()) if media.exists() else []
    tables["files"] = "\n".join(stored)
    return tables


def _urls(files) -> list[str]:
    urls = []
    for path, name in _patterns(get_resolver().url_patterns):
        if name in OWN_ACCOUNT or "(?P" in path or path.startswith("^"):
            continue
        # The admin's pages do not depend on the file's state: the issued file stands for all.
        for application in files[-1:] if path.startswith("admin/") else files:
            document = application.documents.first()
            record = TransitionRecord.objects.filter(application=application).first()
            line = LicenceLine.objects.filter(licence__application=application).first()
            flag = application.screening_flags.first()
            values = {
                "key": application.url_key,
                "id": application.url_key,
                "object_id": str(application.pk),
                "content_type_id": "1",
                "public_id": str(document.public_id) if document else "0" * 32,
                "document_id": str(document.public_id) if document else "0" * 32,
                "record_id": str(record.pk),
                "line_id": str(line.pk) if line else "1",
                "flag_id": str(flag.pk) if flag else "1",
                "consultation_id": "1",
                "step": "goods",
                "action": "suspend",
                "follow_up": "amendment",
                "code": "1",
                "name": "approve",
                "prefix": "x",
                "url": "",
            }
            url = "/" + re.sub(
                r"<(?:\w+:)?(\w+)>", lambda m, values=values: values.get(m.group(1), "1"), path
            )
            urls.append(url)
            if "<" not in path:
                break
    return sorted(set(urls))


@pytest.fixture
def files(organisation, applicant, case_manager, head):
    return [
        advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            state,
            applicant=applicant,
            case_manager=case_manager,
            head=head,
        )
        for state in ("submitted", "under_review", "pending_approval", "issued")
    ]


def test_no_web_admin_or_api_write_changes_anything_for_an_auditor(files, auditor):
    web = Client()
    web.force_login(auditor)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {api_token_create(user=auditor, name='audit')[1]}")
    before = _fingerprint()
    tried = 0

    for url in _urls(files):
        if url.startswith("/api/"):
            for method in ("post", "put", "patch", "delete"):
                response = getattr(api, method)(
                    url, json.dumps(WRITE_DATA), content_type="application/json"
                )
                tried += 1
                assert response.status_code < 500, (method, url, response.status_code)
        else:
            response = web.post(url, WRITE_DATA)
            tried += 1
            assert response.status_code < 500, ("post", url, response.status_code)

    assert tried > 200
    after = _fingerprint()
    assert [table for table in before if before[table] != after[table]] == []
