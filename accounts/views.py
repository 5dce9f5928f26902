"""A user's own API tokens: create (the plaintext is shown once), list with last use, revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from . import services


class TokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name"),
        max_length=100,
        help_text=gettext_lazy("What the token is for, e.g. the name of your compliance system."),
    )


def _render(request: HttpRequest, form: TokenForm, plaintext: str = "", status: int = 200):
    return render(
        request,
        "accounts/tokens.html",
        {
            "form": form,
            "tokens": services.api_token_list(user=request.user),
            "plaintext": plaintext,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        return _render(request, TokenForm())
    form = TokenForm(request.POST)
    if not form.is_valid():
        return _render(request, form, status=400)
    _token, plaintext = services.api_token_create(user=request.user, name=form.cleaned_data["name"])
    # Shown in this response only: it is stored hashed and cannot be displayed again.
    response = _render(request, TokenForm(), plaintext=plaintext, status=201)
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_POST
def token_revoke(request: HttpRequest, prefix: str) -> HttpResponse:
    token = services.api_token_list(user=request.user).filter(prefix=prefix).first()
    if token is None:
        raise Http404("No such token.")
    services.api_token_revoke(token=token, actor=request.user)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("accounts:tokens")
