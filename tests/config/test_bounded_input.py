"""Bounded input: an oversize body is refused before it is read, and JSON nested deeper than can
be parsed is a 400, never a 500."""

from __future__ import annotations

import io
import json

import pytest
from django.core.handlers.wsgi import WSGIHandler
from django.test import Client

from accounts.services import api_token_create

pytestmark = pytest.mark.django_db

HUNDREDS_OF_MEGABYTES = 300 * 1024 * 1024


class BodyThatMustNotBeRead(io.RawIOBase):
    """A request body of which nothing may be read: reading it fails the test."""

    def __init__(self) -> None:
        self.read_bytes = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:
        self.read_bytes += len(buffer)
        raise AssertionError("the body of an oversize request was read")


def wsgi_post(path: str, length: int, content_type: str) -> tuple[str, dict, bytes, object]:
    body = BodyThatMustNotBeRead()
    environ = {
        "REQUEST_METHOD": "POST",
        "PATH_INFO": path,
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "80",
        "REMOTE_ADDR": "192.0.2.1",
        "CONTENT_TYPE": content_type,
        "CONTENT_LENGTH": str(length),
        "wsgi.input": body,
        "wsgi.url_scheme": "http",
        "wsgi.errors": io.StringIO(),
    }
    captured: dict = {}

    def start_response(status, headers, exc_info=None):
        captured["status"], captured["headers"] = status, dict(headers)

    content = b"".join(WSGIHandler()(environ, start_response))
    return captured["status"], captured["headers"], content, body


def test_a_300_mb_post_to_verify_is_refused_before_its_body_is_read():
    status, headers, _content, body = wsgi_post(
        "/verify/", HUNDREDS_OF_MEGABYTES, "multipart/form-data; boundary=x"
    )

    assert status.startswith("413")
    assert body.read_bytes == 0
    assert headers["Connection"] == "close"


def test_an_oversize_api_upload_is_a_413_problem():
    status, headers, content, body = wsgi_post(
        "/api/v1/applications/x/documents/",
        HUNDREDS_OF_MEGABYTES,
        "multipart/form-data; boundary=x",
    )

    assert status.startswith("413")
    assert headers["Content-Type"] == "application/problem+json"
    assert json.loads(content)["status"] == 413
    assert body.read_bytes == 0


def test_a_body_within_the_limit_goes_through(client):
    response = client.post("/verify/", {"licence": "BXL-ML-EXP-2026-000001"})

    assert response.status_code != 413


@pytest.mark.parametrize("depth", [1000, 100_000])
def test_json_nested_too_deep_is_a_400(applicant, depth):
    _token, plaintext = api_token_create(user=applicant, name="ERP")
    body = "[" * depth + "]" * depth

    response = Client().post(
        "/api/v1/applications/",
        body,
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {plaintext}",
    )

    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
