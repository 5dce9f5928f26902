"""The staff case page's compliance actions: screen again, clear a flag, record a
consultation's answer, fill the criteria worksheet. Thin: each calls one action."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.second_factor import decision_second_factor_redirect

from . import rules
from .action_messages import (
    case_page_back,
    form_errors_report,
    run_and_report,
    staff_application,
)
from .actions import consultations, criteria, decide, screening
from .compliance.criteria import CRITERIA
from .compliance.models import (
    Consultation,
    CriterionAssessment,
    ScreeningFlag,
    ScreeningRun,
)
from .forms import ConsultationForm, GovernmentDecisionForm


class JustificationForm(forms.Form):
    justification = forms.CharField(label=gettext_lazy("Justification"), max_length=4000)


class AnswerForm(forms.Form):
    answer = forms.CharField(label=gettext_lazy("Answer received"), max_length=8000)
    answered_on = forms.DateField(label=gettext_lazy("Answered on"), required=False)


class AssessmentForm(forms.Form):
    assessment = forms.ChoiceField(
        label=gettext_lazy("Assessment"), choices=CriterionAssessment.Assessment.choices
    )
    note = forms.CharField(label=gettext_lazy("Note"), max_length=8000, required=False)


def _back(application) -> HttpResponse:
    return case_page_back(application, "screening-heading")


@login_required
@require_POST
def screen_again(request: HttpRequest, key: str) -> HttpResponse:
    application = staff_application(request, key)
    if not rules.can_screen(application, request.user):
        messages.error(
            request, _("Only the file's case manager or the head of unit can screen it.")
        )
        return _back(application)
    run_and_report(
        request,
        lambda: screening.application_screen(
            application=application, occasion=ScreeningRun.Occasion.MANUAL, actor=request.user
        ),
        _("The file was screened again."),
    )
    return _back(application)


@login_required
@require_POST
def flag_clear(request: HttpRequest, key: str, flag_id: int) -> HttpResponse:
    application = staff_application(request, key)
    flag = get_object_or_404(ScreeningFlag, pk=flag_id, application=application)
    form = JustificationForm(request.POST)
    if not form.is_valid():
        form_errors_report(request, form)
        return _back(application)
    run_and_report(
        request,
        lambda: screening.screening_flag_clear(
            flag=flag, actor=request.user, justification=form.cleaned_data["justification"]
        ),
        _("The flag is cleared; your justification is in the history."),
    )
    return _back(application)


@login_required
@require_POST
def consultation_answer(request: HttpRequest, key: str, consultation_id: int) -> HttpResponse:
    application = staff_application(request, key)
    consultation = get_object_or_404(Consultation, pk=consultation_id, application=application)
    form = AnswerForm(request.POST)
    if not form.is_valid():
        form_errors_report(request, form)
        return _back(application)
    run_and_report(
        request,
        lambda: consultations.consultation_record_answer(
            consultation=consultation,
            actor=request.user,
            answer=form.cleaned_data["answer"],
            answered_on=form.cleaned_data["answered_on"],
        ),
        _("The answer is recorded."),
    )
    return _back(application)


@login_required
@require_POST
def criterion_assess(request: HttpRequest, key: str, code: str) -> HttpResponse:
    application = staff_application(request, key)
    if code not in CRITERIA[rules.criteria_framework(application)]:
        raise Http404("No such criterion.")
    form = AssessmentForm(request.POST)
    if not form.is_valid():
        form_errors_report(request, form)
        return _back(application)
    run_and_report(
        request,
        lambda: criteria.criterion_assess(
            application=application,
            actor=request.user,
            code=code,
            assessment=form.cleaned_data["assessment"],
            note=form.cleaned_data["note"],
        ),
        _("Criterion %(code)s assessed.") % {"code": code},
    )
    return _back(application)


@login_required
@require_POST
def government_decision(request: HttpRequest, key: str) -> HttpResponse:
    application = staff_application(request, key)
    second_factor = decision_second_factor_redirect(request, _back(application).url)
    if second_factor is not None:
        return second_factor
    form = GovernmentDecisionForm(request.POST, prefix="government")
    if not form.is_valid():
        form_errors_report(request, form)
        return _back(application)
    run_and_report(
        request,
        lambda: decide.government_decision_record(
            application=application, actor=request.user, **form.cleaned_data
        ),
        _("The Government's decision is recorded."),
    )
    return _back(application)


@login_required
@require_POST
def consultation_open(request: HttpRequest, key: str) -> HttpResponse:
    application = staff_application(request, key)
    form = ConsultationForm(request.POST, prefix="consultation")
    if not form.is_valid():
        form_errors_report(request, form)
        return _back(application)
    run_and_report(
        request,
        lambda: consultations.consultation_open(
            application=application, actor=request.user, **form.cleaned_data
        ),
        _("The consultation is open; the decision clock is paused until it answers."),
    )
    return _back(application)
