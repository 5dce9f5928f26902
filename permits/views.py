"""Pages of the web application, per role. Thin: they read through selectors (always within
``rules.visible_applications``: another organisation's file is 404) and act through actions;
the acting user is the session's."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts.second_factor import decision_second_factor_redirect
from audit.services import What as ReadWhat
from audit.services import staff_read_log
from documents.forms import DocumentUploadForm
from documents.models import Document
from workflow.exceptions import TransitionError, TransitionGuardFailed
from workflow.roles import Role, has_role, is_staff_member, user_roles

from . import events, exports, filters, keyset, rules, selectors, transitions
from . import organisation_selectors as org_selectors
from .actions import TRANSITION_ACTIONS
from .actions import drafts as draft_actions
from .actions.submission import application_submit
from .document_views import upload_from_form
from .forms import (
    TRANSITION_FORMS,
    CaseNoteForm,
    ConsultationForm,
    DraftRequestForm,
    ExportForm,
    GoodsItemForm,
    GovernmentDecisionForm,
    PartyForm,
    ReassignForm,
)

PAGE_SIZE = 25

# Steps of the history whose comments are internal to Brussels International.
STAFF_ONLY_TRANSITIONS = events.COMMENTS_HIDDEN_FROM_APPLICANT

# The steps of a draft, in order: (slug, title).
DRAFT_STEPS = (
    ("request", gettext_lazy("Kind and regime")),
    ("parties", gettext_lazy("Parties")),
    ("goods", gettext_lazy("Goods")),
    ("documents", gettext_lazy("Documents")),
    ("review", gettext_lazy("Review and submit")),
)
STEP_SLUGS = [slug for slug, _title in DRAFT_STEPS]
# Which step fixes each problem the submission guard can report.
PROBLEM_STEPS = {
    "goods": "goods",
    "parties": "parties",
    "documents": "documents",
}


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _keyset_page(request: HttpRequest, queryset) -> keyset.KeysetPage:
    """A page of a big list by cursor (permits/keyset.py): no OFFSET, no COUNT of the list."""
    return keyset.keyset_page(queryset, request.GET.get(keyset.CURSOR_PARAMETER), PAGE_SIZE)


def _invalid_cursor_notice(request: HttpRequest, page: keyset.KeysetPage) -> int:
    """A page link altered by hand: say so and show the first page (status 400), never a 500."""
    if page.invalid_cursor:
        messages.error(request, _("This page link is not valid; here is the first page."))
        return 400
    return 200


# --- Landing and lists ------------------------------------------------------------------------


@login_required
def home(request: HttpRequest) -> HttpResponse:
    roles = user_roles(request.user)
    if Role.HEAD_OF_UNIT in roles:
        return redirect("permits:approvals")
    if Role.CASE_MANAGER in roles:
        return redirect("permits:queue")
    if Role.AUDITOR in roles:
        return redirect("permits:search")
    return redirect("permits:application_list")


@login_required
@require_safe
def application_list(request: HttpRequest) -> HttpResponse:
    """The applicant's portal: their organisations' applications and what each expects."""
    if is_staff_member(request.user):
        return redirect("permits:search")
    filterset = filters.filtered(
        filters.ApplicantFilter,
        request.GET,
        selectors.applicant_application_list(user=request.user),
    )
    return render(
        request,
        "permits/application_list.html",
        {
            "page": _page(request, filterset.qs),
            "filter": filterset,
            "can_create": rules.can_create_application(request.user),
        },
    )


@login_required
@require_safe
def queue(request: HttpRequest) -> HttpResponse:
    """The case managers' workbench: four queues, filtered, sorted and paginated."""
    if not (has_role(request.user, Role.CASE_MANAGER) or has_role(request.user, Role.HEAD_OF_UNIT)):
        return _forbidden(request)
    name = request.GET.get("queue", "unassigned")
    if name not in selectors.QUEUES:
        name = "unassigned"
    filterset = filters.filtered(
        filters.QueueFilter,
        request.GET,
        selectors.workbench_queue(user=request.user, queue=name).order_by("submitted_at", "id"),
    )
    page = _keyset_page(request, filterset.qs)
    return render(
        request,
        "permits/queue.html",
        {
            "queue": name,
            "keep": [("queue", name)],
            "counts": selectors.workbench_counts(user=request.user),
            "filter": filterset,
            "filters_html": filters.opened_form(filterset, keep=[("queue", name)]),
            "page": page,
        },
        status=_invalid_cursor_notice(request, page),
    )


@login_required
@require_safe
def approvals(request: HttpRequest) -> HttpResponse:
    if not has_role(request.user, Role.HEAD_OF_UNIT):
        return _forbidden(request)
    page = _page(request, selectors.approval_list(user=request.user))
    for application in page.object_list:
        application.worksheet = selectors.worksheet_summary(application=application)
    return render(request, "permits/approvals.html", {"page": page})


@login_required
@require_safe
def search(request: HttpRequest) -> HttpResponse:
    """Read-only search over every application and decision (staff: auditors above all)."""
    if not is_staff_member(request.user):
        return _forbidden(request)
    filterset = filters.filtered(
        filters.AuditFilter, request.GET, selectors.audit_list(user=request.user)
    )
    return _render_search(request, filterset)


def _render_search(request, filterset, export_form=None, status=200) -> HttpResponse:
    can_export = rules.can_export_audit(request.user)
    export_errors = []
    if export_form is not None:
        # Each refused parameter by its name in the URL, its label and why.
        for form in (export_form, filterset.form):
            for name, errors in form.errors.items():
                label = form.fields[name].label if name in form.fields else name
                export_errors.append({"name": name, "label": label, "errors": errors})
    query = request.GET.copy()
    for name in ("page", keyset.CURSOR_PARAMETER, "dataset", "format"):
        query.pop(name, None)
    page = _keyset_page(request, filters.page_queryset(filterset))
    if status == 200:
        status = _invalid_cursor_notice(request, page)
    return render(
        request,
        "permits/search.html",
        {
            "filter": filterset,
            "filters_html": filters.opened_form(filterset),
            "page": page,
            "found": keyset.bounded_count(filterset.qs),
            "can_export": can_export,
            "can_read_snapshots": rules.can_read_snapshots(request.user),
            "export_errors": export_errors,
            "export_query": query.urlencode(),
            "export_choices": [
                (dataset, label, fmt, fmt_label)
                for dataset, label in ExportForm.base_fields["dataset"].choices
                for fmt, fmt_label in ExportForm.base_fields["format"].choices
            ],
        },
        status=status,
    )


@login_required
@require_safe
def search_export(request: HttpRequest) -> HttpResponse:
    """The search's files as CSV or JSON Lines (applications, decisions per goods line or
    history records), streamed. Auditors and the head of unit only. A filter or parameter
    that does not validate is a 400 naming it: an export never silently drops a filter."""
    if not rules.can_export_audit(request.user):
        return _forbidden(request)
    export_form = ExportForm(request.GET)
    filterset = filters.AuditFilter(request.GET, queryset=selectors.audit_list(user=request.user))
    filter_ok = filterset.is_valid()
    if not (export_form.is_valid() and filter_ok):
        return _render_search(request, filterset, export_form=export_form, status=400)
    export = exports.ExportRequest(
        dataset=export_form.cleaned_data["dataset"],
        format=export_form.cleaned_data["format"],
        exporter=request.user.get_username(),
        filter=filters.filter_record(filterset),
    )
    response = StreamingHttpResponse(
        exports.export_chunks(export, applications=filterset.qs),
        content_type=exports.CONTENT_TYPES[export.format],
    )
    response["Content-Disposition"] = f'attachment; filename="{export.filename(timezone.now())}"'
    response["Cache-Control"] = "no-store"
    # Rows reach the browser as they are read (its download shows the bytes arriving).
    response["X-Accel-Buffering"] = "no"
    return response


# --- The case page -----------------------------------------------------------------------------


def _form(request: HttpRequest, name: str, data=None, files=None, application=None):
    form_class = TRANSITION_FORMS[name]
    if name == "start_review":
        return form_class(data, can_assign_others=rules.can_assign_to_others(request.user))
    if name == "propose_decision":
        return form_class(data, files, application=application)
    return form_class(data, files)


def _available_actions(request: HttpRequest, application) -> list[dict]:
    actions = []
    for fsm_transition in application.get_available_user_status_transitions(request.user):
        name = fsm_transition.name
        if name not in transitions.CASE_PAGE_TRANSITIONS:
            continue
        actions.append(
            {
                "name": name,
                "label": transitions.label(name),
                "form": _form(request, name, application=application),
            }
        )
    return actions


def _decision_context(application, user) -> dict:
    if not rules.can_see_decisions(application, user):
        # The member sees the file's status, not the decision itself.
        return {"application": application, "decision": None, "decision_document": None}
    decision = selectors.application_decision(application=application)
    return {
        "application": application,
        "decision": decision,
        "decision_document": getattr(decision, "document", None) if decision else None,
    }


def _render_detail(request, application, failed_action=None, status=200) -> HttpResponse:
    staff = is_staff_member(request.user)
    actions = _available_actions(request, application)
    if failed_action is not None:
        actions = [failed_action if a["name"] == failed_action["name"] else a for a in actions]
    context = {
        "application": application,
        "goods": application.goods.all(),
        "parties": application.parties.all(),
        "history": selectors.application_timeline(application=application, staff=staff),
        "staff_only_transitions": STAFF_ONLY_TRANSITIONS,
        "actions": actions,
        "licence": getattr(application, "licence", None),
        **_decision_context(application, request.user),
    }
    if staff:
        context["compliance"] = {
            **selectors.compliance_overview(application=application, user=request.user),
            "government_form": GovernmentDecisionForm(prefix="government"),
            "consultation_form": ConsultationForm(prefix="consultation"),
        }
        context["task"] = selectors.open_task(application=application)
        context["four_eyes"] = rules.shows_four_eyes_notice(application, request.user)
        if application.status == "pending_approval":
            # The head reads the proposal and the worksheet beside the approve button.
            context["proposal"] = selectors.proposal_overview(application=application)
            # An amendment or renewal whose licence was closed meanwhile cannot be issued.
            context["follow_up_problems"] = rules.follow_up_problems(application).get("follows")
        context["work"] = {
            "notes": selectors.case_notes(application=application, user=request.user),
            "reassign_form": ReassignForm(prefix="reassign")
            if rules.can_reassign(application, request.user)
            else None,
            "note_form": CaseNoteForm(prefix="note")
            if rules.can_write_case_note(application, request.user)
            else None,
        }
        template = "permits/detail_staff.html"
    else:
        context["information_request"] = (
            selectors.latest_information_request(application=application)
            if application.status == "information_requested"
            else None
        )
        context["information_due_on"] = (
            rules.information_request_due_on(application)
            if application.status == "information_requested"
            else None
        )
        context["can_edit"] = rules.can_edit_draft(application, request.user)
        context["can_copy"] = rules.can_create_application_for(
            application.organisation, request.user
        )
        context["can_see_decisions"] = rules.can_see_decisions(application, request.user)
        template = "permits/detail_applicant.html"
    return render(request, template, context, status=status)


@login_required
@require_safe
def application_detail(request: HttpRequest, key: str) -> HttpResponse:
    application = selectors.application_case_get(user=request.user, key=key)
    staff_read_log(request, application, ReadWhat.PAGE)
    return _render_detail(request, application)


@login_required
@require_safe
def decision_status(request: HttpRequest, key: str) -> HttpResponse:
    """The decision section alone: the case page polls it while the PDF is being prepared."""
    application = selectors.application_get(user=request.user, key=key)
    if not rules.can_see_decisions(application, request.user):
        return _forbidden(request)
    return render(request, "permits/_decision.html", _decision_context(application, request.user))


@login_required
@require_POST
def application_transition(request: HttpRequest, key: str, name: str) -> HttpResponse:
    application = selectors.application_get(user=request.user, key=key)
    if name not in transitions.CASE_PAGE_TRANSITIONS:
        raise Http404("No such action.")
    if name in transitions.DECIDING_TRANSITIONS:
        second_factor = decision_second_factor_redirect(
            request, reverse("permits:application_detail", args=[application.url_key])
        )
        if second_factor is not None:
            return second_factor
    form = _form(request, name, request.POST, request.FILES, application=application)
    if not form.is_valid():
        action = {"name": name, "label": transitions.label(name), "form": form}
        return _render_detail(request, application, failed_action=action, status=400)
    cleaned = dict(form.cleaned_data)
    uploads = cleaned.pop("documents", None) or []
    payload = {k: v for k, v in cleaned.items() if v not in (None, "")}
    action = TRANSITION_ACTIONS[name]
    if name == "provide_information":
        # The reply and its files are one action: all stored, or nothing.
        payload["documents"] = uploads
    try:
        application = action(application=application, actor=request.user, **payload)
    except ValidationError as exc:
        form.apply_service_errors(
            {"documents": [m for msgs in exc.message_dict.values() for m in msgs]}
        )
        action = {"name": name, "label": transitions.label(name), "form": form}
        return _render_detail(request, application, failed_action=action, status=400)
    except TransitionGuardFailed as exc:
        form.apply_service_errors(_labelled_errors(form, exc.errors))
        action = {"name": name, "label": transitions.label(name), "form": form}
        return _render_detail(request, application, failed_action=action, status=400)
    except TransitionError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", key=application.url_key)
    messages.success(
        request,
        _("%(action)s: done. The application is now %(status)s.")
        % {"action": transitions.label(name), "status": application.get_status_display()},
    )
    if selectors.application_list(user=request.user).filter(pk=application.pk).exists():
        return redirect("permits:application_detail", key=application.url_key)
    return redirect("home")


def _labelled_errors(form, errors: dict[str, list[str]]) -> dict[str, list[str]]:
    """Errors on fields the form lacks become general ones, still saying what they concern."""
    labelled: dict[str, list[str]] = {}
    for field, messages_ in errors.items():
        if field in form.fields:
            labelled.setdefault(field, []).extend(messages_)
        else:
            labelled.setdefault("__all__", []).extend(messages_)
    return labelled


# --- Drafts: the new-application form in steps --------------------------------------------------


def _organisations(user):
    return rules.organisations_with_right(user, "draft").order_by("legal_name")


@login_required
@require_http_methods(["GET", "POST"])
def application_create(request: HttpRequest) -> HttpResponse:
    """Step 1 of a new application; saving it creates the draft."""
    if not rules.can_create_application(request.user):
        return _forbidden(request)
    organisations = _organisations(request.user)
    form = DraftRequestForm(request.POST or None, organisations=organisations)
    if request.method == "POST" and form.is_valid():
        organisation = form.cleaned_data.get("organisation") or organisations.first()
        try:
            application = draft_actions.application_create_draft(
                organisation=organisation, actor=request.user, **form.draft_fields
            )
        except TransitionGuardFailed as exc:
            form.apply_service_errors(exc.errors)
        except TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Draft saved. Next: the parties."))
            return redirect("permits:draft_step", key=application.url_key, step="parties")
    return _render_step(
        request, None, "request", {"form": form}, status=400 if form.errors else 200
    )


def _draft_or_redirect(request: HttpRequest, key: str):
    application = selectors.application_get(user=request.user, key=key)
    if application.status != "draft":
        messages.info(request, _("This application has been submitted; it can no longer change."))
        return application, redirect("permits:application_detail", key=application.url_key)
    if not rules.can_edit_draft(application, request.user):
        return application, _forbidden(request)
    return application, None


def _render_step(request, application, step: str, context: dict, status=200) -> HttpResponse:
    index = STEP_SLUGS.index(step)
    return render(
        request,
        f"permits/draft/{step}.html",
        {
            "application": application,
            "steps": DRAFT_STEPS,
            "step": step,
            "step_number": index + 1,
            "step_title": DRAFT_STEPS[index][1],
            "previous_step": STEP_SLUGS[index - 1] if index else None,
            "next_step": STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else None,
            **context,
        },
        status=status,
    )


def _next(application, step: str, request: HttpRequest) -> HttpResponse:
    """After a save: stay on the step ("save") or go on to the next one."""
    index = STEP_SLUGS.index(step)
    if request.POST.get("then") == "stay" or index + 1 == len(STEP_SLUGS):
        target = step
    else:
        target = STEP_SLUGS[index + 1]
    return redirect("permits:draft_step", key=application.url_key, step=target)


@login_required
@require_http_methods(["GET", "POST"])
def draft_step(request: HttpRequest, key: str, step: str) -> HttpResponse:
    if step not in STEP_SLUGS:
        raise Http404("No such step.")
    application, refusal = _draft_or_redirect(request, key)
    if refusal is not None:
        return refusal
    handler = {
        "request": _step_request,
        "parties": _step_parties,
        "goods": _step_goods,
        "documents": _step_documents,
        "review": _step_review,
    }[step]
    try:
        return handler(request, application)
    except TransitionError as exc:
        # Someone submitted or withdrew it meanwhile, or the line is gone: say so, reload.
        messages.error(request, exc.message)
        return redirect("permits:draft_step", key=application.url_key, step=step)


def _step_request(request, application) -> HttpResponse:
    form = DraftRequestForm(request.POST or None, instance=application)
    if request.method == "POST" and form.is_valid():
        try:
            draft_actions.application_update_draft(
                application=application, actor=request.user, **form.draft_fields
            )
        except TransitionGuardFailed as exc:
            form.apply_service_errors(exc.errors)
        else:
            messages.success(request, _("Draft saved."))
            return _next(application, "request", request)
    return _render_step(
        request, application, "request", {"form": form}, status=400 if form.errors else 200
    )


def _remove(request, application, remover, field: str) -> bool:
    """Handle a "remove" button; True when it was one."""
    line = request.POST.get("remove")
    if request.method != "POST" or line is None:
        return False
    try:
        line_id = int(line)
    except ValueError:
        line_id = -1
    remover(application=application, actor=request.user, **{field: line_id})
    messages.success(request, _("Removed."))
    return True


def _step_lines(
    request, application, step, form_class, adder, remover, field, context, initial=None
):
    if _remove(request, application, remover, field):
        return redirect("permits:draft_step", key=application.url_key, step=step)
    adding = request.method == "POST" and request.POST.get("then") != "next"
    # A saved party or catalogue product picked above the form pre-fills it; the line added is
    # the draft's own copy.
    form = form_class(request.POST if adding else None, initial=initial)
    if adding and form.is_valid():
        try:
            adder(application=application, actor=request.user, **form.cleaned_data)
        except TransitionGuardFailed as exc:
            form.apply_service_errors(exc.errors)
        else:
            messages.success(request, _("Added to the draft."))
            return redirect("permits:draft_step", key=application.url_key, step=step)
    elif request.method == "POST" and not adding:
        return _next(application, step, request)
    # An invalid line (a currency outside the list, a bad quantity) is shown with its errors,
    # not skipped over to the next step.
    return _render_step(
        request,
        application,
        step,
        {"form": form, **context},
        status=400 if form.errors else 200,
    )


def _picked(request, entries, fields: tuple[str, ...]) -> dict | None:
    """The form's initial values from the entry picked (``?pick=<id>``) among ``entries``."""
    picked = request.GET.get("pick", "")
    if request.method != "GET" or not picked.isdigit():
        return None
    entry = entries.filter(pk=int(picked)).first()
    return {name: getattr(entry, name) for name in fields} if entry is not None else None


def _step_parties(request, application) -> HttpResponse:
    parties = application.parties.all()
    roles = {party.role for party in parties}
    saved = org_selectors.saved_parties(organisation=application.organisation)
    return _step_lines(
        request,
        application,
        "parties",
        PartyForm,
        draft_actions.party_add,
        draft_actions.party_remove,
        "party_id",
        {
            "parties": parties,
            "missing_roles": [
                label
                for role, label in (("consignee", _("a consignee")), ("end_user", _("an end-user")))
                if role not in roles
            ],
            "saved_entries": saved,
        },
        initial=_picked(request, saved, ("role", "name", "party_type", "address", "country")),
    )


def _step_goods(request, application) -> HttpResponse:
    products = org_selectors.catalogue_products(
        organisation=application.organisation, regime=application.regime
    )
    return _step_lines(
        request,
        application,
        "goods",
        GoodsItemForm,
        draft_actions.goods_item_add,
        draft_actions.goods_item_remove,
        "item_id",
        {
            "goods": application.goods.all(),
            "entries": selectors.control_list_entries(regime=application.regime),
            "saved_entries": products,
        },
        initial=_picked(
            request,
            products,
            ("description", "control_entry", "commodity_code", "catch_all_ground"),
        ),
    )


def _step_documents(request, application) -> HttpResponse:
    uploading = request.method == "POST" and request.POST.get("then") != "next"
    form = DocumentUploadForm(
        request.POST if uploading else None,
        request.FILES if uploading else None,
        application=application,
    )
    if uploading and form.is_valid():
        if upload_from_form(request, application, form) is not None:
            return redirect("permits:draft_step", key=application.url_key, step="documents")
    elif request.method == "POST":
        return _next(application, "documents", request)
    missing = [Document.Kind(kind).label for kind in rules.missing_required_documents(application)]
    return _render_step(
        request,
        application,
        "documents",
        {"form": form, "missing_documents": missing},
        status=400 if form.errors else 200,
    )


def _problems_by_step(errors: dict[str, list[str]]) -> list[dict]:
    problems = []
    for field, messages_ in errors.items():
        base = field.split("[", 1)[0]
        step = PROBLEM_STEPS.get(base, "request")
        for message in messages_:
            problems.append({"step": step, "message": message})
    return problems


def _step_review(request, application) -> HttpResponse:
    if request.method == "POST":
        try:
            application = application_submit(application=application, actor=request.user)
        except TransitionGuardFailed as exc:
            return _render_review(request, application, exc.errors, status=400)
        messages.success(
            request,
            _("Submitted. Your reference number is %(reference)s.")
            % {"reference": application.reference},
        )
        return redirect("permits:application_detail", key=application.url_key)
    return _render_review(request, application, rules.submission_problems(application))


def _render_review(request, application, errors, status=200) -> HttpResponse:
    return _render_step(
        request,
        application,
        "review",
        {
            "problems": _problems_by_step(errors),
            "goods": application.goods.all(),
            "parties": application.parties.all(),
            "licence": None,
            "can_submit": rules.can_submit(application, request.user),
        },
        status=status,
    )


@login_required
@require_safe
def draft_start(request: HttpRequest, key: str) -> HttpResponse:
    application, refusal = _draft_or_redirect(request, key)
    if refusal is not None:
        return refusal
    return redirect(reverse("permits:draft_step", args=[application.url_key, "request"]))
