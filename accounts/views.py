"""A user's own API tokens: create (the plaintext is shown once), list with last use, revoke."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from workflow.exceptions import TransitionError
from workflow.roles import is_staff_member

from . import lockouts, services
from .oidc import oidc_enabled
from .second_factor import session_verified


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
    _token, plaintext = services.api_token_create(
        user=request.user,
        name=form.cleaned_data["name"],
        second_factor=session_verified(request.user),
    )
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


@login_required
@require_http_methods(["GET", "POST"])
def lockouts_page(request: HttpRequest) -> HttpResponse:
    """The head of unit sees who is locked out of signing in and lifts a lock."""
    if not lockouts.can_lift_lockouts(request.user):
        raise Http404("No such page.")
    if request.method == "POST":
        try:
            lockouts.login_lockout_lift(
                actor=request.user,
                username=request.POST.get("username", "")[:150],
                ip_address=request.POST.get("ip_address", "")[:45],
            )
        except TransitionError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("The lockout is lifted."))
        return redirect("accounts:lockouts")
    return render(
        request, "accounts/lockouts.html", {"lockouts": lockouts.login_lockouts_current()}
    )


class SignInView(auth_views.LoginView):
    """Django's sign-in, with the shorter idle timeout for staff sessions."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["federal_sign_in"] = oidc_enabled()
        return context

    def form_valid(self, form):
        response = super().form_valid(form)
        if is_staff_member(form.get_user()):
            self.request.session.set_expiry(settings.SESSION_IDLE_SECONDS_STAFF)
        return response
