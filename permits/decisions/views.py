"""The public verification page: no login, rate-limited, reveals only what a licence shows."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit

from . import verification

MAX_VERIFY_UPLOAD = 25 * 1024 * 1024


class LicenceLookupForm(forms.Form):
    licence = forms.CharField(label=_("Licence number"), max_length=40)


class DocumentCheckForm(forms.Form):
    document = forms.FileField(label=_("PDF document to check"))

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_VERIFY_UPLOAD:
            raise forms.ValidationError(_("The file is too large to be a decision document."))
        return upload


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    return render(request, "decisions/verify_rate_limited.html", status=429)


@ratelimit(key="ip", rate=lambda group, request: settings.VERIFY_RATE_LIMIT, block=True)
def verify_view(request: HttpRequest) -> HttpResponse:
    context: dict = {"lookup_form": LicenceLookupForm(), "check_form": DocumentCheckForm()}
    status = 200
    if request.method == "POST":
        form = DocumentCheckForm(request.POST, request.FILES)
        context["check_form"] = form
        if form.is_valid():
            upload = form.cleaned_data["document"]
            context["checked"] = True
            context["match"] = verification.match_document(b"".join(upload.chunks()))
        else:
            status = 400
    elif "licence" in request.GET:
        form = LicenceLookupForm(request.GET)
        context["lookup_form"] = form
        if form.is_valid():
            context["looked_up"] = form.cleaned_data["licence"].strip().upper()
            context["licence"] = verification.licence_status(form.cleaned_data["licence"])
        else:
            status = 400
    return render(request, "decisions/verify.html", context, status=status)
