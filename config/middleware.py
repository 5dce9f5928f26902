"""Middleware of the whole site."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.template import loader
from django.utils.translation import gettext as _

from config.api.errors import (
    PROBLEM_CONTENT_TYPE,
    STORAGE_RETRY_AFTER_SECONDS,
    TITLES,
    TYPE_BASE,
)
from documents.integrity import StorageUnavailable

logger = logging.getLogger(__name__)


class RequestBodyLimitMiddleware:
    """Refuse a request whose declared body is larger than ``MAX_REQUEST_BODY_BYTES`` before
    anything reads it (413), so that an oversize upload is never received and spooled.

    Django reads at most ``Content-Length`` bytes of a body, so the declared length is what
    counts; gunicorn's ``--limit-request-*`` bound the request line and headers.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        declared = request.META.get("CONTENT_LENGTH") or "0"
        try:
            length = int(declared)
        except ValueError:
            length = -1
        if length < 0:
            return self._refuse(request, 400, _("The Content-Length header is not a number."))
        if length > settings.MAX_REQUEST_BODY_BYTES:
            return self._refuse(
                request,
                413,
                _("The request is too large: at most %(size)d MB is accepted.")
                % {"size": settings.MAX_REQUEST_BODY_BYTES // (1024 * 1024)},
            )
        return self.get_response(request)

    def _refuse(self, request: HttpRequest, status: int, detail: str) -> HttpResponse:
        # The unread body must not be taken for the next request on a kept-alive connection.
        headers = {"Connection": "close"}
        if request.path.startswith("/api/"):
            body = {
                "type": f"{TYPE_BASE}{status}",
                "title": TITLES[status],
                "status": status,
                "detail": detail,
            }
            return HttpResponse(
                json.dumps(body),
                status=status,
                content_type=PROBLEM_CONTENT_TYPE,
                headers=headers,
            )
        page = loader.get_template("413.html").render({"detail": detail}, request)
        return HttpResponse(page, status=status, headers=headers)


class StorageUnavailableMiddleware:
    """A download while the file storage (the S3 bucket) cannot be reached is a 503 with
    ``Retry-After``, not a server error: the file is not known to be broken, only unreadable
    for now (documents.integrity.StorageUnavailable)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, StorageUnavailable):
            return None
        logger.error("File storage unavailable while serving document %s", exception)
        detail = _("The document store cannot be reached just now. Please try again later.")
        headers = {"Retry-After": str(STORAGE_RETRY_AFTER_SECONDS)}
        if request.path.startswith("/api/"):
            body = {
                "type": f"{TYPE_BASE}storage-unavailable",
                "title": TITLES[503],
                "status": 503,
            }
            body["detail"] = detail
            return HttpResponse(
                json.dumps(body), status=503, content_type=PROBLEM_CONTENT_TYPE, headers=headers
            )
        page = loader.get_template("503.html").render({"detail": detail}, request)
        return HttpResponse(page, status=503, headers=headers)


class SessionTouchMiddleware:
    """Restart a signed-in session's idle count at most once a minute, instead of writing the
    session row on every request (``SESSION_SAVE_EVERY_REQUEST``: a BEGIN, an UPDATE and a
    COMMIT on every page view).

    Idle sessions still end: each touch saves the session, which moves its expiry to now plus
    its idle time (``SESSION_COOKIE_AGE``, or the staff's shorter ``set_expiry``). A session
    therefore ends at most ``SESSION_TOUCH_SECONDS`` earlier than a write on every request
    would have made it end, never later. Right after ``SessionMiddleware``, which saves the
    session on the way out when it is modified.
    """

    KEY = "_touched_at"

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        session = getattr(request, "session", None)
        # No cookie (anonymous, API tokens): nothing to keep alive and nothing to load.
        if session is None or session.session_key is None:
            return response
        now = int(time.time())
        touched = session.get(self.KEY, 0)
        # An unknown or expired key loads as an empty session: never saved, as before.
        if session.is_empty():
            return response
        # A session saved anyway (signing in, a message) counts as touched.
        if (
            session.modified
            or not isinstance(touched, int)
            or not 0 <= now - touched < settings.SESSION_TOUCH_SECONDS
        ):
            session[self.KEY] = now
        return response
