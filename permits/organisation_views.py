"""Company self-service pages: an organisation's members and invitations (its
administrators), its saved parties and product catalogue (members who prepare drafts), and
copying an application into a new draft. Thin: selectors read, actions act; another
organisation is a 404, a member without the right a 403."""

from __future__ import annotations

import re

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from workflow.exceptions import TransitionError, TransitionGuardFailed

from . import events, rules, selectors
from . import organisation_selectors as org_selectors
from .actions import organisations as org_actions
from .organisation_forms import (
    AcceptForm,
    CatalogueProductForm,
    InvitationForm,
    MembershipRightsForm,
    SavedPartyForm,
)


def _forbidden(request: HttpRequest) -> HttpResponse:
    return render(request, "403.html", status=403)


@login_required
@require_safe
def organisation_list(request: HttpRequest) -> HttpResponse:
    organisations = [
        {
            "organisation": organisation,
            "membership": org_selectors.membership_of(organisation=organisation, user=request.user),
        }
        for organisation in org_selectors.user_organisations(user=request.user)
    ]
    return render(request, "permits/organisation/list.html", {"organisations": organisations})


# --- Members (administrators) ---------------------------------------------------------------------


def _render_members(request, organisation, form, status=200) -> HttpResponse:
    history = [
        {"event": event, "label": events.organisation_label(event.event)}
        for event in org_selectors.organisation_history(organisation=organisation)
    ]
    members = [
        {
            "membership": membership,
            "form": MembershipRightsForm(
                initial={r: getattr(membership, r) for r in rules.MEMBER_RIGHTS},
                prefix=f"m{membership.user_id}",
            ),
        }
        for membership in org_selectors.organisation_members(organisation=organisation)
    ]
    return render(
        request,
        "permits/organisation/members.html",
        {
            "organisation": organisation,
            "members": members,
            "invitations": org_selectors.open_invitations(organisation=organisation),
            "history": history,
            "form": form,
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def members(request: HttpRequest, organisation_id: int) -> HttpResponse:
    organisation = org_selectors.organisation_get(
        user=request.user, organisation_id=organisation_id
    )
    if not rules.can_administer_organisation(organisation, request.user):
        return _forbidden(request)
    form = InvitationForm(request.POST or None, initial={"language": organisation.language})
    if request.method == "POST" and form.is_valid():
        try:
            invitation, _token = org_actions.membership_invite(
                organisation=organisation,
                actor=request.user,
                email=form.cleaned_data["email"],
                language=form.cleaned_data["language"],
                **form.rights,
            )
        except TransitionGuardFailed as exc:
            form.apply_service_errors(exc.errors)
        except TransitionError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("organisations:members", organisation_id=organisation.pk)
    return _render_members(request, organisation, form, status=400 if form.errors else 200)


@login_required
@require_POST
def member(request: HttpRequest, organisation_id: int, user_id: int) -> HttpResponse:
    """Change a member's rights (``op=change``) or remove them (``op=remove``)."""
    organisation = org_selectors.organisation_get(
        user=request.user, organisation_id=organisation_id
    )
    if not rules.can_administer_organisation(organisation, request.user):
        return _forbidden(request)
    try:
        if request.POST.get("op") == "remove":
            org_actions.membership_remove(
                organisation=organisation, user_id=user_id, actor=request.user
            )
            messages.success(request, _("Member removed."))
        else:
            form = MembershipRightsForm(request.POST, prefix=f"m{user_id}")
            form.is_valid()
            org_actions.membership_change(
                organisation=organisation, user_id=user_id, actor=request.user, **form.rights
            )
            messages.success(request, _("Rights changed."))
    except TransitionGuardFailed as exc:
        for problems in exc.errors.values():
            for problem in problems:
                messages.error(request, problem)
    except TransitionError as exc:
        messages.error(request, exc.message)
    return redirect("organisations:members", organisation_id=organisation.pk)


@login_required
@require_POST
def invitation_withdraw(
    request: HttpRequest, organisation_id: int, invitation_id: int
) -> HttpResponse:
    organisation = org_selectors.organisation_get(
        user=request.user, organisation_id=organisation_id
    )
    if not rules.can_administer_organisation(organisation, request.user):
        return _forbidden(request)
    invitation = org_selectors.invitation_get(
        organisation=organisation, invitation_id=invitation_id
    )
    try:
        org_actions.membership_invitation_withdraw(invitation=invitation, actor=request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Invitation to %(email)s withdrawn.") % {"email": invitation.email}
        )
    return redirect("organisations:members", organisation_id=organisation.pk)


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """The invitee's page: signed in, join with a click; signed out, create the account (or,
    if one has the invited address, sign in first)."""
    try:
        invitation = org_actions.invitation_from_token(token)
        problems = org_actions.invitation_problems(invitation)
    except TransitionGuardFailed as exc:
        invitation, problems = None, exc.errors
    signed_in = request.user.is_authenticated
    form = None if signed_in else AcceptForm(request.POST or None)
    context = {"invitation": invitation, "problems": problems, "form": form, "token": token}
    if problems:
        return render(request, "permits/organisation/accept.html", context, status=400)
    if request.method == "POST" and (signed_in or form.is_valid()):
        try:
            membership = org_actions.membership_accept(
                token=token,
                actor=request.user if signed_in else None,
                username="" if signed_in else form.cleaned_data["username"],
                password="" if signed_in else form.cleaned_data["password"],
            )
        except TransitionGuardFailed as exc:
            if form is not None:
                form.apply_service_errors(exc.errors)
            context["problems"] = {
                k: v for k, v in exc.errors.items() if form is None or k not in form.fields
            }
        except TransitionError as exc:
            context["problems"] = {"token": [exc.message]}
        else:
            if not signed_in:
                login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("You are now a member of %(organisation)s.")
                % {"organisation": membership.organisation},
            )
            return redirect("permits:application_list")
        return render(request, "permits/organisation/accept.html", context, status=400)
    return render(request, "permits/organisation/accept.html", context)


# --- Saved parties and product catalogue (members who prepare drafts) --------------------------

CATALOGUES = {
    "parties": (
        SavedPartyForm,
        org_actions.saved_party_add,
        org_actions.saved_party_remove,
        "party_id",
        org_actions.saved_party_update,
    ),
    "products": (
        CatalogueProductForm,
        org_actions.catalogue_product_add,
        org_actions.catalogue_product_remove,
        "product_id",
        org_actions.catalogue_product_update,
    ),
}


def _catalogue(request: HttpRequest, organisation_id: int, kind: str) -> HttpResponse:
    """List, add, change (``?edit=<id>``, then a POST naming ``entry``) and remove entries."""
    organisation = org_selectors.organisation_get(
        user=request.user, organisation_id=organisation_id
    )
    if not rules.can_manage_catalogue(organisation, request.user):
        return _forbidden(request)
    form_class, adder, remover, id_field, updater = CATALOGUES[kind]
    entries = (
        org_selectors.saved_parties(organisation=organisation)
        if kind == "parties"
        else org_selectors.catalogue_products(organisation=organisation)
    )
    editing = None
    editing_id = request.POST.get("entry") or request.GET.get("edit")
    if editing_id:
        editing = entries.filter(
            pk=editing_id if re.fullmatch(r"[0-9]{1,9}", editing_id) else None
        ).first()
        if editing is None:
            raise Http404("No such entry.")
    removing = request.POST.get("remove")
    if request.method == "POST" and not removing:
        form = form_class(request.POST)
    else:
        form = form_class(instance=editing)
    if request.method == "POST":
        try:
            if removing:
                remover(organisation=organisation, actor=request.user, **{id_field: removing})
                messages.success(request, _("Removed."))
                return redirect(f"organisations:{kind}", organisation_id=organisation.pk)
            if form.is_valid():
                if editing is not None:
                    updater(
                        organisation=organisation,
                        actor=request.user,
                        **{id_field: editing.pk},
                        **form.cleaned_data,
                    )
                else:
                    adder(organisation=organisation, actor=request.user, **form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(f"organisations:{kind}", organisation_id=organisation.pk)
        except TransitionGuardFailed as exc:
            form.apply_service_errors(exc.errors)
        except TransitionError as exc:
            messages.error(request, exc.message)
            return redirect(f"organisations:{kind}", organisation_id=organisation.pk)
    return render(
        request,
        f"permits/organisation/{kind}.html",
        {"organisation": organisation, "entries": entries, "form": form, "editing": editing},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def saved_parties(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _catalogue(request, organisation_id, "parties")


@login_required
@require_http_methods(["GET", "POST"])
def catalogue_products(request: HttpRequest, organisation_id: int) -> HttpResponse:
    return _catalogue(request, organisation_id, "products")


# --- Copying an application -----------------------------------------------------------------------


@login_required
@require_POST
def application_copy(request: HttpRequest, key: str) -> HttpResponse:
    application = selectors.application_get(user=request.user, key=key)
    try:
        copy = org_actions.application_copy(application=application, actor=request.user)
    except TransitionError as exc:
        messages.error(request, exc.message)
        return redirect("permits:application_detail", key=application.url_key)
    messages.success(
        request,
        _("A new draft was made from %(original)s: check it, add its documents, submit it.")
        % {"original": application},
    )
    return redirect("permits:draft_step", key=copy.url_key, step="request")
