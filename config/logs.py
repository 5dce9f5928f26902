"""Structured logs: every line is one JSON object that carries the id of the request (or task)
it belongs to and the id of the user who made it, so that the lines of one request can be
followed across web processes, hosts and the Celery tasks it enqueued.

The ids live in context variables, set by ``RequestIdMiddleware`` for a request and by the
Celery signals below for a task (the request's id travels in the task message's headers).
A log record factory copies them onto every record, whichever logger or handler it goes to.
Only ids are logged, never a user's name.
"""

from __future__ import annotations

import logging
import re
import time
import uuid
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.http import HttpRequest, HttpResponse
from django.utils.functional import empty

REQUEST_ID_HEADER = "X-Request-ID"
# The Celery message header that carries the request id into the tasks a request enqueued.
TASK_HEADER = "x_request_id"
# What an incoming X-Request-ID may be (a proxy's or a caller's id): short, and nothing that
# could break a log line or a header. Anything else is replaced by an id of our own.
SANE_REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,99}")

request_id_var: ContextVar[str | None] = ContextVar("request_id", default=None)
_request_var: ContextVar[HttpRequest | None] = ContextVar("request", default=None)
task_name_var: ContextVar[str | None] = ContextVar("task_name", default=None)

access_logger = logging.getLogger("permits.requests")


def new_request_id() -> str:
    return uuid.uuid4().hex


def accepted_request_id(incoming: str | None) -> str:
    """The caller's id when it is sane, else a fresh one."""
    if incoming and SANE_REQUEST_ID.fullmatch(incoming):
        return incoming
    return new_request_id()


def _user_id() -> int | None:
    """The id of the signed-in user of the current request, if authentication has already run.
    Never triggers the session lookup itself: a log line must not query the database."""
    request = _request_var.get()
    if request is None:
        return None
    user = request.__dict__.get("user")
    if user is None:
        return None
    wrapped = getattr(user, "_wrapped", user)
    if wrapped is None or wrapped is empty:  # the lazy user is not loaded yet
        return None
    if not getattr(wrapped, "is_authenticated", False):
        return None
    return wrapped.pk


# --- Every record carries the ids ------------------------------------------------------------

_base_factory = logging.getLogRecordFactory()


def _record_with_context(*args: Any, **kwargs: Any) -> logging.LogRecord:
    record = _base_factory(*args, **kwargs)
    record.request_id = request_id_var.get()
    record.user_id = _user_id()
    task = task_name_var.get()
    if task is not None:
        record.task = task
    return record


if getattr(logging.getLogRecordFactory(), "__name__", "") != _record_with_context.__name__:
    logging.setLogRecordFactory(_record_with_context)


# --- Requests --------------------------------------------------------------------------------


class RequestIdMiddleware:
    """Gives each request an id (the caller's ``X-Request-ID`` when sane, else a new one),
    returns it in the response's ``X-Request-ID``, and logs one line per request with the
    user id, path, status and duration. First in MIDDLEWARE, so that every other middleware's
    lines carry the id."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = accepted_request_id(request.META.get("HTTP_X_REQUEST_ID"))
        request.request_id = request_id
        id_token = request_id_var.set(request_id)
        request_token = _request_var.set(request)
        started = time.monotonic()
        status = 500
        try:
            response = self.get_response(request)
            status = response.status_code
            response[REQUEST_ID_HEADER] = request_id
            return response
        finally:
            access_logger.info(
                "%s %s %s",
                request.method,
                request.path,
                status,
                extra={
                    "method": request.method,
                    "path": request.path,
                    "status": status,
                    "duration_ms": round((time.monotonic() - started) * 1000, 1),
                },
            )
            _request_var.reset(request_token)
            request_id_var.reset(id_token)


# --- Tasks -----------------------------------------------------------------------------------


@before_task_publish.connect
def request_id_to_task_headers(headers: dict | None = None, **kwargs: Any) -> None:
    """A task enqueued while serving a request carries the request's id in its headers."""
    request_id = request_id_var.get()
    if headers is not None and request_id and TASK_HEADER not in headers:
        headers[TASK_HEADER] = request_id


task_logger = logging.getLogger("permits.tasks")
_task_tokens: dict[str, tuple[Any, Any, float]] = {}


@task_prerun.connect
def request_id_from_task_headers(task_id: str = "", task: Any = None, **kwargs: Any) -> None:
    """The task's lines carry the id of the request that enqueued it; a task nobody's request
    enqueued (beat) gets its own task id. An eager task keeps its caller's id."""
    if task is None:
        return
    incoming = getattr(task.request, TASK_HEADER, None)
    if incoming is None:
        headers = getattr(task.request, "headers", None) or {}
        incoming = headers.get(TASK_HEADER)
    current = request_id_var.get()
    if incoming:
        value = accepted_request_id(incoming)
    elif current and getattr(task.request, "is_eager", False):
        value = current
    else:
        value = task_id or new_request_id()
    _task_tokens[task_id] = (
        request_id_var.set(value),
        task_name_var.set(task.name),
        time.monotonic(),
    )


@task_postrun.connect
def request_id_forget(
    task_id: str = "", task: Any = None, state: str | None = None, **kwargs: Any
) -> None:
    """One line per task run, like the access line of a request, then the ids are dropped."""
    tokens = _task_tokens.pop(task_id, None)
    if tokens is not None:
        id_token, name_token, started = tokens
        task_logger.info(
            "%s %s",
            getattr(task, "name", ""),
            state,
            extra={
                "task_id": task_id,
                "state": state,
                "duration_ms": round((time.monotonic() - started) * 1000, 1),
            },
        )
        try:
            task_name_var.reset(name_token)
            request_id_var.reset(id_token)
        except ValueError:  # set in another context (should not happen): leave it
            request_id_var.set(None)
            task_name_var.set(None)
