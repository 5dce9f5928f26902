"""RFC 9457 problem details for every error of the REST API.

Every error body is ``application/problem+json`` with ``type``, ``title``, ``status`` and
``detail``; validation errors add ``errors``, a map from field to messages. Domain exceptions
map as the pages do: a transition that no longer applies is 409, one the caller may not do is
403, unmet conditions are 422 with their field map.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from rest_framework import exceptions, status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from documents.integrity import StorageUnavailable
from workflow.exceptions import (
    TransitionConflict,
    TransitionError,
    TransitionForbidden,
    TransitionGuardFailed,
)

logger = logging.getLogger(__name__)

PROBLEM_CONTENT_TYPE = "application/problem+json"
TYPE_BASE = "https://permits.international.brussels/problems/"
STORAGE_RETRY_AFTER_SECONDS = 30


class ProblemJSONRenderer(JSONRenderer):
    media_type = PROBLEM_CONTENT_TYPE


class PreconditionFailed(exceptions.APIException):
    status_code = status.HTTP_412_PRECONDITION_FAILED
    default_detail = "The resource has changed since you read it: fetch it again."
    default_code = "precondition_failed"


class PreconditionRequired(exceptions.APIException):
    status_code = status.HTTP_428_PRECONDITION_REQUIRED
    default_detail = "Send If-Match with the ETag of the version you edit."
    default_code = "precondition_required"


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "The request conflicts with the resource's current state."
    default_code = "conflict"


TITLES = {
    400: "Invalid request",
    401: "Authentication required",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    406: "Not acceptable",
    409: "Conflict",
    410: "Gone",
    412: "Precondition failed",
    413: "Payload too large",
    415: "Unsupported media type",
    422: "Unprocessable content",
    503: "Service unavailable",
    428: "Precondition required",
    429: "Too many requests",
    500: "Internal server error",
}


def _messages(value: Any) -> list[str]:
    if isinstance(value, dict):
        return [f"{k}: {m}" for k, v in value.items() for m in _messages(v)]
    if isinstance(value, list | tuple):
        return [m for item in value for m in _messages(item)]
    return [str(value)]


def field_map(detail: Any, prefix: str = "") -> dict[str, list[str]]:
    """Flatten DRF's nested error detail into ``{"field.sub": [messages]}``."""
    out: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = api_settings.NON_FIELD_ERRORS_KEY if key == "__all__" else str(key)
            path = f"{prefix}.{name}" if prefix else name
            if isinstance(value, dict):
                out.update(field_map(value, path))
            elif isinstance(value, list) and any(isinstance(v, dict) for v in value):
                for index, item in enumerate(value):
                    if isinstance(item, dict) and item:
                        out.update(field_map(item, f"{path}[{index}]"))
                    elif item:
                        out.setdefault(path, []).extend(_messages(item))
            else:
                out[path] = _messages(value)
    else:
        out[prefix or api_settings.NON_FIELD_ERRORS_KEY] = _messages(detail)
    return out


def problem(
    status_code: int,
    detail: str,
    *,
    code: str = "",
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    body: dict[str, Any] = {
        "type": TYPE_BASE + (code or str(status_code)).replace("_", "-"),
        "title": TITLES.get(status_code, "Error"),
        "status": status_code,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    response = Response(body, status=status_code, headers=headers)
    response.content_type = PROBLEM_CONTENT_TYPE
    return response


def _convert(exc: Exception) -> Response | None:
    if isinstance(exc, StorageUnavailable):
        # An outage of the file storage, not a broken file: try again later (config/middleware.py
        # answers the same for pages).
        return problem(
            503,
            _("The document store cannot be reached just now. Please try again later."),
            code="storage_unavailable",
            headers={"Retry-After": str(STORAGE_RETRY_AFTER_SECONDS)},
        )
    if isinstance(exc, TransitionGuardFailed):
        return problem(
            422,
            _("The request cannot be carried out as it stands; see errors."),
            code="guard_failed",
            errors={k: [str(m) for m in v] for k, v in exc.errors.items()},
        )
    if isinstance(exc, TransitionConflict):
        return problem(409, exc.message, code="conflict")
    if isinstance(exc, TransitionForbidden):
        return problem(403, exc.message, code="forbidden")
    if isinstance(exc, TransitionError):
        return problem(400, exc.message, code=exc.code)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        return problem(
            400, _("The request is invalid; see errors."), code="invalid", errors=field_map(detail)
        )
    if isinstance(exc, Http404):
        return problem(404, _("Not found."), code="not_found")
    if isinstance(exc, PermissionDenied):
        return problem(403, _("You do not have permission to do this."), code="forbidden")
    if isinstance(exc, exceptions.ValidationError):
        return problem(
            400,
            _("The request is invalid; see errors."),
            code="invalid",
            errors=field_map(exc.detail),
        )
    if isinstance(exc, exceptions.APIException):
        headers = {}
        if getattr(exc, "auth_header", None):
            headers["WWW-Authenticate"] = exc.auth_header
        if getattr(exc, "wait", None) is not None:
            headers["Retry-After"] = str(int(exc.wait) + 1)
        detail = exc.detail
        text = " ".join(_messages(detail)) if not isinstance(detail, str) else str(detail)
        code = exc.get_codes() if isinstance(detail, str) else exc.default_code
        return problem(exc.status_code, text, code=str(code), headers=headers or None)
    return None


def problem_exception_handler(exc: Exception, context: dict[str, Any]) -> Response:
    view = context.get("view")
    request = context.get("request")
    if isinstance(exc, exceptions.NotAuthenticated | exceptions.AuthenticationFailed) and view:
        # DRF's own handler does this; ours must as well, so that 401 carries the challenge.
        auth_header = view.get_authenticate_header(request)
        if auth_header:
            exc.auth_header = auth_header
        else:
            exc.status_code = status.HTTP_403_FORBIDDEN
    response = _convert(exc)
    if response is None:
        logger.error("Unhandled API error", exc_info=exc)
        response = problem(500, _("An unexpected error occurred; it has been logged."))
    if request is not None:
        # Errors are problem+json whatever the client asked for or the view renders.
        request.accepted_renderer = ProblemJSONRenderer()
        request.accepted_media_type = PROBLEM_CONTENT_TYPE
    set_rollback()
    return response
