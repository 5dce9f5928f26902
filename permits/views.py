"""Minimal pages per role. Thin: they read through selectors and act through services."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from workflow.exceptions import TransitionError, TransitionGuardFailed
from workflow.roles import Role, has_role, is_staff_member, user_roles

from . import selectors, services
from .forms import TRANSITION_FORMS, TRANSITION_LABELS

# Steps of the history whose comments are internal to Brussels International.
STAFF_ONLY_TRANSITIONS = frozenset({"propose_decision", "return_to_review", "start_review"})


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    if Role.HEAD_OF_UNIT in roles:
        return redirect("permits:approvals")
    if Role.CASE_MANAGER in roles:
        return redirect("permits:queue")
    return redirect("permits:application_list")


@login_required
def application_list(request: HttpRequest) -> HttpResponse:
    qs = selectors.application_list(user=request.user)
    page = Paginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "permits/application_list.html", {"page": page})


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.CASE_MANAGER) and not has_role(
        request.user, Role.HEAD_OF_UNIT
    ):
        return render(request, "403.html", status=403)
    return render(
        request, "permits/queue.html", {"queues": selectors.case_manager_queue(user=request.user)}
    )


@login_required
def approvals(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.HEAD_OF_UNIT):
        return render(request, "403.html", status=403)
    return render(
        request,
        "permits/approvals.html",
        {"applications": selectors.approval_queue(user=request.user)},
    )


def _available_actions(request: HttpRequest, application) -> list[dict]:
    actions = []
    for fsm_transition in application.get_available_user_status_transitions(request.user):
        name = fsm_transition.name
        if name not in TRANSITION_FORMS:
            continue
        actions.append(
            {"name": name, "label": TRANSITION_LABELS[name], "form": _form(request, name)}
        )
    return actions


def _form(request: HttpRequest, name: str, data=None):
    form_class = TRANSITION_FORMS[name]
    if name == "start_review":
        return form_class(data, can_assign_others=has_role(request.user, Role.HEAD_OF_UNIT))
    return form_class(data)


@login_required
def application_detail(request: HttpRequest, key: str) -> HttpResponse:
    application = selectors.application_get(user=request.user, key=key)
    return _render_detail(request, application)


def _render_detail(request, application, failed_action=None, status=200) -> HttpResponse:
    staff = is_staff_member(request.user)
    actions = _available_actions(request, application)
    if failed_action is not None:
        actions = [failed_action if a["name"] == failed_action["name"] else a for a in actions]
    template = "permits/detail_staff.html" if staff else "permits/detail_applicant.html"
    return render(
        request,
        template,
        {
            "application": application,
            "goods": application.goods.all(),
            "parties": application.parties.all(),
            "history": selectors.application_history(application=application),
            "staff_only_transitions": STAFF_ONLY_TRANSITIONS,
            "actions": actions,
            "licence": getattr(application, "licence", None),
        },
        status=status,
    )


@login_required
@require_POST
def application_transition(request: HttpRequest, key: str, name: str) -> HttpResponse:
    application = selectors.application_get(user=request.user, key=key)
    if name not in TRANSITION_FORMS:
        return render(request, "404.html", status=404)
    form = _form(request, name, request.POST)
    if not form.is_valid():
        action = {"name": name, "label": TRANSITION_LABELS[name], "form": form}
        return _render_detail(request, application, failed_action=action, status=400)
    service = services.TRANSITION_SERVICES[name]
    payload = {k: v for k, v in form.cleaned_data.items() if v not in (None, "")}
    try:
        application = service(application=application, actor=request.user, **payload)
    except TransitionGuardFailed as exc:
        for field, errors in exc.errors.items():
            if field in form.fields:
                for error in errors:
                    form.add_error(field, error)
            else:
                for error in errors:
                    form.add_error(None, f"{field}: {error}")
        action = {"name": name, "label": TRANSITION_LABELS[name], "form": form}
        return _render_detail(request, application, failed_action=action, status=400)
    except TransitionError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", key=application.url_key)
    messages.success(
        request,
        _("%(action)s: done. The application is now %(status)s.")
        % {"action": TRANSITION_LABELS[name], "status": application.get_status_display()},
    )
    if selectors.application_list(user=request.user).filter(pk=application.pk).exists():
        return redirect("permits:application_detail", key=application.url_key)
    return redirect("home")
