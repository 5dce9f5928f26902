"""The acting user and page of every change a request makes, for the field-level history."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from pghistory import config as pghistory_config
from pghistory.middleware import HistoryMiddleware

from .field_history import recorded


class FieldHistoryMiddleware(HistoryMiddleware):
    """django-pghistory's middleware (user and URL of each writing request), entered only where
    the history is recorded: its context is a PostgreSQL ``set_config`` SQLite would refuse."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        super().__init__(get_response)
        self._plain = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method in pghistory_config.middleware_methods() and recorded():
            return super().__call__(request)
        return self._plain(request)
