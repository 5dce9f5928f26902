"""The auditor's view of a file's past: the file as it was after any step, and what changed
between two steps, with the file's hash chain checked on every page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from . import rules, selectors
from .evidence import history_check
from .snapshot_presenters import shown_changes, snapshot_sections
from .snapshots import snapshot_diff


def _file_for_snapshots(request: HttpRequest, key: str):
    application = selectors.application_get(user=request.user, key=key)
    if not rules.can_read_snapshots(request.user):
        raise Http404("No such page.")
    return application


@login_required
@require_safe
def application_as_it_was(request: HttpRequest, key: str, record_id: int) -> HttpResponse:
    application = _file_for_snapshots(request, key)
    record = selectors.history_step(application=application, record_id=record_id)
    steps = list(selectors.history_steps(application=application))
    previous = next((s for s in reversed(steps) if s.seq < record.seq), None)
    return render(
        request,
        "permits/history_snapshot.html",
        {
            "application": application,
            "record": record,
            "steps": steps,
            "previous": previous,
            "sections": snapshot_sections(record.snapshot),
            "check": history_check(application_id=application.pk),
        },
    )


@login_required
@require_safe
def application_history_compare(request: HttpRequest, key: str) -> HttpResponse:
    application = _file_for_snapshots(request, key)
    steps = list(selectors.history_steps(application=application))
    if not steps:
        raise Http404("This file has no steps to compare.")
    after_id = request.GET.get("to") or steps[-1].pk
    after = selectors.history_step(application=application, record_id=after_id)
    before_id = request.GET.get("from")
    if before_id:
        before = selectors.history_step(application=application, record_id=before_id)
    else:
        before = next((s for s in reversed(steps) if s.seq < after.seq), None)
        if before is not None:
            before = selectors.history_step(application=application, record_id=before.pk)
    changes = snapshot_diff(before.snapshot if before else None, after.snapshot)
    return render(
        request,
        "permits/history_compare.html",
        {
            "application": application,
            "steps": steps,
            "before": before,
            "after": after,
            "changes": shown_changes(changes),
            "check": history_check(application_id=application.pk),
        },
    )
