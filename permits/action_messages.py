"""Running a service from a page action and telling the user how it went."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest

from workflow.exceptions import TransitionError, TransitionGuardFailed


def run_and_report(request: HttpRequest, action: Callable[[], Any], done: str) -> Any:
    """Call ``action``; on success say ``done`` and return its result, otherwise turn the
    domain error into messages naming each field, and return None."""
    try:
        result = action()
    except TransitionGuardFailed as exc:
        for field, errors in exc.errors.items():
            for error in errors:
                messages.error(request, f"{field}: {error}")
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done)
        return result
    return None
