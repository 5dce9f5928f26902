"""Setting up an authenticator app (TOTP, django-otp) and entering its code after sign-in."""

from __future__ import annotations

import base64
from urllib.parse import urlencode

import segno
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_otp import login as otp_login
from django_otp import user_has_device
from django_otp.plugins.otp_totp.models import TOTPDevice

from workflow.exceptions import TransitionGuardFailed

from .second_factor import session_verified
from .services import authenticator_remove


class CodeForm(forms.Form):
    code = forms.RegexField(
        label=gettext_lazy("Code from your authenticator app"),
        regex=r"^\s*\d{6}\s*$",
        error_messages={"invalid": gettext_lazy("Enter the six digits the app shows.")},
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "maxlength": 8}
        ),
    )


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(settings.LOGIN_REDIRECT_URL)


def _wrong_code(form: CodeForm) -> None:
    form.add_error(
        "code",
        _("This code is wrong or has expired (or too many tries: wait a little and try again)."),
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_setup(request: HttpRequest) -> HttpResponse:
    """A QR code for the authenticator app (and its key for typing), confirmed by a first
    code. A user with a confirmed authenticator replaces it on the manage page, which asks a
    code of the current one (a lost one is removed by an operator in the admin)."""
    if user_has_device(request.user, confirmed=True):
        messages.info(request, _("Your authenticator app is already set up."))
        return HttpResponseRedirect(_next_url(request))
    device = TOTPDevice.objects.filter(user=request.user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(
            user=request.user, name=_("Authenticator app"), confirmed=False
        )
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid() and device.verify_token(form.cleaned_data["code"].strip()):
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            otp_login(request, device)
            messages.success(request, _("Your authenticator app is set up and confirmed."))
            return HttpResponseRedirect(_next_url(request))
        if form.is_valid():
            _wrong_code(form)
        status = 400
    uri = device.config_url
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_code": segno.make(uri, error="m").svg_data_uri(scale=4),
            "secret": base64.b32encode(device.bin_key).decode(),
            "next": _next_url(request),
        },
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_verify(request: HttpRequest) -> HttpResponse:
    """The second step of signing in, or of a decision: the code of the confirmed device."""
    if not user_has_device(request.user, confirmed=True):
        query = urlencode({"next": _next_url(request)})
        return HttpResponseRedirect(f"{reverse('accounts:two_factor_setup')}?{query}")
    if session_verified(request.user):
        return HttpResponseRedirect(_next_url(request))
    form = CodeForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            code = form.cleaned_data["code"].strip()
            for device in TOTPDevice.objects.filter(user=request.user, confirmed=True):
                if device.verify_token(code):
                    otp_login(request, device)
                    return HttpResponseRedirect(_next_url(request))
            _wrong_code(form)
        status = 400
    return render(
        request,
        "accounts/two_factor_verify.html",
        {"form": form, "next": _next_url(request)},
        status=status,
    )


@never_cache
@login_required
@require_http_methods(["GET", "POST"])
def two_factor_manage(request: HttpRequest) -> HttpResponse:
    """The user's own authenticator: remove it, or replace it (remove, then set up the new
    one), each proven by a current code of it, so that a stolen session alone cannot."""
    if not user_has_device(request.user, confirmed=True):
        return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
    form = CodeForm(request.POST or None)
    replacing = request.POST.get("op") == "replace"
    if request.method == "POST" and form.is_valid():
        try:
            revoked = authenticator_remove(
                user=request.user, code=form.cleaned_data["code"], replacing=replacing
            )
        except TransitionGuardFailed as exc:
            for problem in exc.errors.get("code", []):
                form.add_error("code", problem)
        else:
            if revoked:
                messages.info(
                    request,
                    ngettext(
                        "%(count)d API token made with it was revoked.",
                        "%(count)d API tokens made with it were revoked.",
                        revoked,
                    )
                    % {"count": revoked},
                )
            if replacing:
                messages.success(
                    request, _("Your authenticator was removed: set up the new one now.")
                )
                return HttpResponseRedirect(reverse("accounts:two_factor_setup"))
            messages.success(request, _("Your authenticator was removed."))
            return HttpResponseRedirect(reverse(settings.LOGIN_REDIRECT_URL))
    return render(
        request,
        "accounts/two_factor_manage.html",
        {
            "form": form,
            "devices": TOTPDevice.objects.filter(user=request.user, confirmed=True),
        },
        status=400 if form.errors else 200,
    )
