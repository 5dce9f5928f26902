"""Running an action from a page and telling the user how it went; finding the file a staff
page action works on."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse

from workflow.exceptions import TransitionError, TransitionGuardFailed

from . import rules, selectors


def staff_application(request: HttpRequest, key: str):
    """The file of a staff page action, if the user may read it and is staff; else 404."""
    application = selectors.application_get(user=request.user, key=key)
    if not rules.can_view_compliance(request.user):
        raise Http404("No such page.")
    return application


def case_page_back(application, section: str) -> HttpResponse:
    """Back to the case page, at the section (its heading's id) the action was taken in."""
    url = reverse("permits:application_detail", args=[application.url_key])
    return redirect(f"{url}#{section}")


def form_errors_report(request: HttpRequest, form: forms.Form) -> None:
    """A refused form's errors as messages, each naming its field."""
    for field, errors in form.errors.items():
        label = form.fields[field].label if field in form.fields else field
        for error in errors:
            messages.error(request, f"{label}: {error}")


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
