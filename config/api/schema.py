"""OpenAPI generation: every operation documents its problem+json errors and the bearer scheme."""

from __future__ import annotations

from drf_spectacular import openapi
from drf_spectacular.contrib.django_filters import DjangoFilterExtension
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import serializers

from ..logs import REQUEST_ID_HEADER
from .errors import PROBLEM_CONTENT_TYPE, STORAGE_RETRY_AFTER_SECONDS, TITLES


class ProblemSerializer(serializers.Serializer):
    """RFC 9457 problem details."""

    type = serializers.CharField(help_text="URI identifying the kind of problem.")
    title = serializers.CharField(help_text="Short, human-readable summary of the kind.")
    status = serializers.IntegerField(help_text="The HTTP status code.")
    detail = serializers.CharField(help_text="What went wrong with this request.")
    errors = serializers.DictField(
        child=serializers.ListField(child=serializers.CharField()),
        required=False,
        help_text="Validation errors: field name → messages.",
    )

    class Meta:
        ref_name = "Problem"


ALWAYS = ("400", "401", "403", "404", "406", "429")
# A body over MAX_REQUEST_BODY_BYTES is refused before it is read (config/middleware.py).
UNSAFE = ("409", "413", "415", "422")
UPDATE = ("412", "428")

ERROR_DESCRIPTIONS = {
    "400": "Malformed or invalid request (field map in `errors`).",
    "401": "No, an unknown or a revoked token.",
    "403": "Authenticated but not allowed (auditors are read-only).",
    "404": "No such object, or outside the caller's organisation.",
    "406": "The requested representation cannot be produced.",
    "409": "The object's state does not allow this (or another request won a race).",
    "410": "Gone: the stored file is missing (a swapped one is 409); the auditors are alerted.",
    "412": "If-Match does not match the current ETag: someone else changed the draft.",
    "413": "The request body is over the size limit (refused before it is read).",
    "414": "The request line is too long: refused by the web server (gunicorn), as plain text, "
    "before the application sees it.",
    "415": "Unsupported request content type.",
    "422": "The action applies but its conditions are not met (field map in `errors`).",
    "428": "If-Match is required to change a draft.",
    "429": "Too many requests; retry after the Retry-After header's seconds.",
    "503": "The object store holding the files cannot be reached just now; retry after the "
    "Retry-After header's seconds.",
}

# Operations that read a stored file (a document, a decision or licence PDF) answer 503 when the
# object store is out of reach (config/api/errors.py); they say so with "503" in
# ``extra_problem_statuses``.
RETRY_AFTER = {
    "description": "Seconds to wait before trying again.",
    "schema": {"type": "integer", "example": STORAGE_RETRY_AFTER_SECONDS},
}


def decimal_pattern(field: serializers.DecimalField) -> str | None:
    """The strings a decimal field takes. drf-spectacular's own pattern admits "", "." and "-"
    (which the field refuses), and a minus sign where the field refuses negatives: clients
    (and the fuzzing) then send what the schema allows and get a 400."""
    whole, places = field.max_whole_digits, field.decimal_places
    if whole is None or field.localize:
        return None
    minimum = field.min_value
    sign = "" if minimum is not None and minimum >= 0 else "-?"
    if not places:
        return rf"^{sign}\d{{1,{max(whole, 1)}}}$"
    if whole == 0:
        return rf"^{sign}0?\.\d{{1,{places}}}$"
    return rf"^{sign}(?:\d{{1,{whole}}}(?:\.\d{{0,{places}}})?|\.\d{{1,{places}}})$"


class AutoSchema(openapi.AutoSchema):
    def _problem_codes(self) -> list[str]:
        codes = list(ALWAYS)
        if self.method in ("POST", "PUT", "PATCH", "DELETE"):
            codes += UNSAFE
        if self.method in ("PUT", "PATCH"):
            codes += UPDATE
        # A view may document more problem statuses, per HTTP method: {"POST": ("412",)}.
        codes += getattr(self.view, "extra_problem_statuses", {}).get(self.method, ())
        return codes

    def _get_response_bodies(self, direction="response"):
        responses = super()._get_response_bodies(direction=direction)
        for code in self._problem_codes():
            if code in responses:
                continue
            response = self._get_response_for_code(
                ProblemSerializer, code, media_types=[PROBLEM_CONTENT_TYPE], direction=direction
            )
            response["description"] = ERROR_DESCRIPTIONS.get(code, TITLES.get(int(code), ""))
            if code == "503":
                response.setdefault("headers", {})["Retry-After"] = RETRY_AFTER
            responses[code] = response
        responses.setdefault(
            "414",
            {
                "content": {"text/plain": {"schema": {"type": "string"}}},
                "description": ERROR_DESCRIPTIONS["414"],
            },
        )
        return dict(sorted(responses.items()))

    def _map_serializer_field(self, field, direction, bypass_extensions=False):
        schema = super()._map_serializer_field(field, direction, bypass_extensions)
        # Only drf-spectacular's own pattern (a field with an extension states its own).
        if isinstance(field, serializers.DecimalField) and schema.get("pattern", "").startswith(
            "^-?"
        ):
            pattern = decimal_pattern(field)
            if pattern:
                schema["pattern"] = pattern
        # A list that refuses to be empty (allow_empty=False) says so.
        if (
            isinstance(field, serializers.ListSerializer | serializers.ListField)
            and not field.allow_empty
            and schema.get("type") == "array"
        ):
            schema.setdefault("minItems", 1)
        return schema


REQUEST_ID_COMPONENT = "RequestId"


def postprocess_request_id(result, generator, request, public):
    """Every answer the application gives carries ``X-Request-ID`` (config/logs.py): document
    it once as a component and refer to it from each response. Not on 414, which the web
    server answers before the application sees the request."""
    components = result.setdefault("components", {})
    components.setdefault("headers", {})[REQUEST_ID_COMPONENT] = {
        "description": "The request's id, to quote when reporting a problem: the caller's own "
        "`X-Request-ID` when it is sane (letters, digits and `._:-`, at most 100 characters), "
        "else one the service makes. The logs of the request and of the tasks it started carry "
        "it.",
        "schema": {"type": "string", "example": "3f2b6c1e9a4d4f0e8b7a2c5d1e6f9a0b"},
    }
    reference = {"$ref": f"#/components/headers/{REQUEST_ID_COMPONENT}"}
    for item in result.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict):
                continue
            for code, response in operation.get("responses", {}).items():
                if code == "414" or "$ref" in response:
                    continue
                response.setdefault("headers", {})[REQUEST_ID_HEADER] = reference
    return result


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = "accounts.authentication.BearerTokenAuthentication"
    name = "bearerAuth"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token: `Authorization: Bearer TOKEN`.",
        }


class StrictDjangoFilterExtension(DjangoFilterExtension):
    """The strict filter backend refuses empty values: its string filters say ``minLength: 1``."""

    target_class = "config.api.filters.StrictDjangoFilterBackend"
    priority = 1

    def get_schema_operation_parameters(self, auto_schema, *args, **kwargs):
        parameters = super().get_schema_operation_parameters(auto_schema, *args, **kwargs)
        for parameter in parameters:
            schema = parameter.get("schema", {})
            if schema.get("type") == "string" and "enum" not in schema:
                schema.setdefault("minLength", 1)
        return parameters
