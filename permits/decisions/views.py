"""The public verification page: no login, rate-limited, reveals only what a licence shows.

Both lookups answer in JSON to a client that asks for it (``Accept: application/json``).
"""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django_ratelimit.decorators import ratelimit

from . import verification

MAX_VERIFY_UPLOAD = 25 * 1024 * 1024


class LicenceLookupForm(forms.Form):
    licence = forms.CharField(label=_("Licence number"), max_length=40)
    code = forms.CharField(
        label=_("Verification code"),
        max_length=16,
        required=False,
        help_text=_("Printed on the licence beside its number, and held by its QR code."),
    )


class DocumentCheckForm(forms.Form):
    document = forms.FileField(label=_("PDF document to check"))

    def clean_document(self):
        upload = self.cleaned_data["document"]
        if upload.size > MAX_VERIFY_UPLOAD:
            raise forms.ValidationError(_("The file is too large to be a decision document."))
        return upload


def wants_json(request: HttpRequest) -> bool:
    return request.get_preferred_type(["text/html", "application/json"]) == "application/json"


def rate_limited(request: HttpRequest, exception: Exception) -> HttpResponse:
    if wants_json(request):
        return JsonResponse({"error": "rate_limited"}, status=429)
    return render(request, "decisions/verify_rate_limited.html", status=429)


def _errors(form: forms.Form) -> JsonResponse:
    return JsonResponse(
        {"errors": {field: [str(m) for m in messages] for field, messages in form.errors.items()}},
        status=400,
    )


@ratelimit(key="ip", rate=lambda group, request: settings.VERIFY_RATE_LIMIT, block=True)
def verify_view(request: HttpRequest) -> HttpResponse:
    as_json = wants_json(request)
    context: dict = {"lookup_form": LicenceLookupForm(), "check_form": DocumentCheckForm()}
    status = 200
    if request.method == "POST":
        form = DocumentCheckForm(request.POST, request.FILES)
        context["check_form"] = form
        if form.is_valid():
            upload = form.cleaned_data["document"]
            match = verification.match_document(b"".join(upload.chunks()))
            unverifiable = isinstance(match, verification.DocumentUnverifiable)
            if as_json:
                if unverifiable:
                    return JsonResponse({"match": False, "unverifiable": True, "document": None})
                return JsonResponse(
                    {"match": match is not None, "document": match.as_json() if match else None}
                )
            context["checked"] = True
            if unverifiable:
                context["unverifiable"] = match
            else:
                context["match"] = match
        elif as_json:
            return _errors(form)
        else:
            status = 400
    elif "licence" in request.GET:
        form = LicenceLookupForm(request.GET)
        context["lookup_form"] = form
        if form.is_valid():
            number = form.cleaned_data["licence"].strip().upper()
            found = verification.public_lookup(number, form.cleaned_data.get("code", ""))
            if as_json:
                return JsonResponse(
                    {"number": number, "licence": found.as_json() if found else None},
                    status=200 if found else 404,
                )
            context["looked_up"] = number
            if isinstance(found, verification.DocumentUnverifiable):
                context["unverifiable"] = found
            elif isinstance(found, verification.LicenceExists):
                context["exists"] = found
            else:
                context["licence"] = found
        elif as_json:
            return _errors(form)
        else:
            status = 400
    elif as_json:
        return JsonResponse(
            {"errors": {"licence": ["Give ?licence=<number>, or POST a PDF as 'document'."]}},
            status=400,
        )
    return render(request, "decisions/verify.html", context, status=status)
