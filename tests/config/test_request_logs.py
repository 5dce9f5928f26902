"""Structured logs with a request id: every response says its id, a sane incoming one is kept
and anything else replaced, each request logs one JSON line with the user id (never the name),
path, status and duration, and the id follows the request into the tasks it enqueued, on a
real worker consuming from Redis."""

from __future__ import annotations

import json
import logging
import logging.config
import re

import pytest
from django.conf import settings
from django.test import Client

from config import logs
from outbox.models import OutboxMessage
from tests.api.conftest import client_for, url
from tests.conftest import wait_for
from tests.factories import ApplicationFactory

GENERATED = re.compile(r"[0-9a-f]{32}")


def json_formatter() -> logging.Formatter:
    """The formatter production logs with, built from settings.LOGGING."""
    configurator = logging.config.DictConfigurator(settings.LOGGING)
    return configurator.configure_formatter(dict(settings.LOGGING["formatters"]["json"]))


def access_lines(caplog, request_id: str) -> list[dict]:
    formatter = json_formatter()
    return [
        json.loads(formatter.format(record))
        for record in caplog.records
        if record.name == "permits.requests" and record.request_id == request_id
    ]


@pytest.mark.django_db
def test_a_response_carries_a_request_id_of_its_own():
    response = Client().get("/healthz/live/")

    assert GENERATED.fullmatch(response["X-Request-ID"])


@pytest.mark.django_db
def test_a_sane_incoming_request_id_is_kept():
    response = Client().get("/healthz/live/", HTTP_X_REQUEST_ID="lb-7f3a.2026:01")

    assert response["X-Request-ID"] == "lb-7f3a.2026:01"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "incoming",
    ["a" * 101, "abc\nlevel=ERROR forged line", "abc\r\nSet-Cookie: x=1", "", "-leading", "é"],
)
def test_an_unfit_incoming_request_id_is_replaced(incoming, caplog):
    caplog.set_level(logging.INFO)

    response = Client().get("/healthz/live/", HTTP_X_REQUEST_ID=incoming)

    assert GENERATED.fullmatch(response["X-Request-ID"])
    assert not any(record.request_id == incoming for record in caplog.records if incoming)


@pytest.mark.django_db
def test_a_request_logs_one_json_line_with_user_id_path_status_and_duration(
    caplog, applicant, organisation
):
    caplog.set_level(logging.INFO)
    client = Client()
    client.force_login(applicant)

    response = client.get("/applications/")

    (line,) = access_lines(caplog, response["X-Request-ID"])
    assert line["user_id"] == applicant.pk
    assert (line["method"], line["path"], line["status"]) == ("GET", "/applications/", 200)
    assert line["duration_ms"] >= 0
    assert {"time", "level", "logger", "message"} <= set(line)
    assert applicant.username not in json.dumps(line)


@pytest.mark.django_db
def test_an_anonymous_request_logs_no_user_id(caplog):
    caplog.set_level(logging.INFO)

    response = Client().get("/healthz/live/")

    (line,) = access_lines(caplog, response["X-Request-ID"])
    assert line["user_id"] is None
    assert line["status"] == 200


def test_a_task_published_during_a_request_carries_its_id_in_the_headers():
    token = logs.request_id_var.set("req-under-test")
    try:
        headers: dict = {}
        logs.request_id_to_task_headers(headers=headers)
    finally:
        logs.request_id_var.reset(token)

    assert headers[logs.TASK_HEADER] == "req-under-test"


def test_a_task_published_outside_any_request_carries_no_id():
    headers: dict = {}

    logs.request_id_to_task_headers(headers=headers)

    assert logs.TASK_HEADER not in headers


@pytest.mark.django_db(transaction=True)
def test_the_request_id_follows_the_request_into_the_task_on_a_real_worker(
    caplog, celery_worker_on_redis, applicant, organisation
):
    caplog.set_level(logging.INFO)
    draft = ApplicationFactory(organisation=organisation, created_by=applicant)

    response = client_for(applicant).post(
        url(draft, "transitions/submit/"), {}, format="json", HTTP_X_REQUEST_ID="submit-42"
    )

    assert response.status_code == 200, response.content
    assert response["X-Request-ID"] == "submit-42"
    assert OutboxMessage.objects.exists()  # the submission enqueued its e-mails
    assert wait_for(lambda: not OutboxMessage.objects.filter(status="pending").exists())

    def task_lines():
        return [
            record
            for record in caplog.records
            if record.name == "permits.tasks"
            and getattr(record, "task", None) == "outbox.tasks.deliver_outbox_message"
        ]

    assert wait_for(lambda: len(task_lines()) > 0)
    assert {record.request_id for record in task_lines()} == {"submit-42"}
    line = json.loads(json_formatter().format(task_lines()[0]))
    assert (line["request_id"], line["state"]) == ("submit-42", "SUCCESS")
