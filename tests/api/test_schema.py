"""The OpenAPI contract: served live, equal to the committed openapi.yaml, docs self-hosted."""

from __future__ import annotations

import re
from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db

COMMITTED = Path(__file__).resolve().parents[2] / "openapi.yaml"


# Integer bounds that Django derives from the database backend for model fields without
# explicit ones: openapi.yaml is generated on PostgreSQL, the production database.
BACKEND_BOUNDS = re.compile(
    r"^( *)(maximum: (32767|2147483647|9223372036854775807)|format: int64)\n", re.MULTILINE
)


def generated() -> str:
    out = StringIO()
    call_command("spectacular", stdout=out)
    return out.getvalue()


def comparable(text: str) -> str:
    return text if connection.vendor == "postgresql" else BACKEND_BOUNDS.sub("", text)


def test_committed_openapi_yaml_equals_the_generated_schema():
    assert comparable(generated()) == comparable(COMMITTED.read_text(encoding="utf-8")), (
        "openapi.yaml is out of date: regenerate it on PostgreSQL with DATABASE_URL=... "
        ".venv/bin/python manage.py spectacular --file openapi.yaml, and commit it"
    )


def test_schema_endpoint_serves_openapi_3_1(anon_client):
    response = anon_client.get("/api/v1/schema/?format=json")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"] == "3.1.0"
    assert "/api/v1/applications/{id}/transitions/submit/" in schema["paths"]


def test_every_operation_documents_problem_errors_and_has_an_example():
    schema = yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))
    for path, item in schema["paths"].items():
        if path.startswith("/api/v1/directory/"):
            continue  # the directory's API is documented by its own app
        for method, operation in item.items():
            responses = operation["responses"]
            assert "application/problem+json" in responses["404"]["content"], (path, method)
            success = next(code for code in responses if code.startswith("2"))
            content = responses[success].get("content", {})
            has_example = any(
                "examples" in media or "example" in media for media in content.values()
            )
            binary = all(media["schema"].get("format") == "binary" for media in content.values())
            assert has_example or binary, (path, method)


@pytest.mark.parametrize("page", ["/api/v1/docs/", "/api/v1/redoc/"])
def test_documentation_pages_use_the_apps_own_static_files(anon_client, page):
    response = anon_client.get(page)
    assert response.status_code == 200
    html = response.content.decode()
    assert "/static/drf_spectacular_sidecar/" in html
    assert "cdn" not in html.lower()


def test_every_write_that_honours_if_match_documents_412():
    import yaml

    from config.settings.base import BASE_DIR

    schema = yaml.safe_load((BASE_DIR / "openapi.yaml").read_text())
    for path, operations in schema["paths"].items():
        for method, operation in operations.items():
            names = {p.get("name") for p in operation.get("parameters", []) if isinstance(p, dict)}
            if "If-Match" in names:
                assert "412" in operation["responses"], (method, path)


def _committed() -> dict:
    return yaml.safe_load(COMMITTED.read_text(encoding="utf-8"))


def test_every_answer_of_the_application_documents_its_request_id():
    schema = _committed()
    assert "X-Request-ID" in schema["components"]["headers"]["RequestId"]["description"]
    for path, item in schema["paths"].items():
        for method, operation in item.items():
            for code, response in operation["responses"].items():
                headers = response.get("headers", {})
                if code == "414":  # the web server's answer, before the application
                    assert "X-Request-ID" not in headers, (path, method)
                    continue
                assert headers["X-Request-ID"] == {"$ref": "#/components/headers/RequestId"}, (
                    path,
                    method,
                    code,
                )


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/applications/{id}/documents/{document_id}/download/",
        "/api/v1/applications/{id}/decision/pdf/",
        "/api/v1/applications/{id}/licence/pdf/",
    ],
)
def test_reads_of_stored_files_document_503_when_the_object_store_is_out_of_reach(path):
    response = _committed()["paths"][path]["get"]["responses"]["503"]

    assert "application/problem+json" in response["content"]
    assert response["headers"]["Retry-After"]["schema"]["type"] == "integer"


def test_operations_that_read_no_stored_file_do_not_document_503():
    operation = _committed()["paths"]["/api/v1/applications/{id}/"]["get"]

    assert "503" not in operation["responses"]
