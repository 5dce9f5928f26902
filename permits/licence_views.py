"""The licence page: balances, shipments and returns for the holder; suspension and
reinstatement for the head of unit; amendment and renewal. Thin: each action is one service."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from accounts.second_factor import decision_second_factor_redirect
from audit.services import What as ReadWhat
from audit.services import staff_read_log

from . import rules, selectors
from .action_messages import run_and_report
from .actions import licences as licence_actions
from .actions.temporary import goods_return_record
from .models import Licence, ShipmentLine


def _licence(request: HttpRequest, key: str) -> Licence:
    application = selectors.application_get(user=request.user, key=key)
    try:
        return application.licence
    except Licence.DoesNotExist as exc:
        raise Http404("This file has no licence.") from exc


def _back(licence: Licence) -> HttpResponse:
    return redirect(reverse("permits:licence", args=[licence.application.url_key]))


@login_required
@require_safe
def licence_detail(request: HttpRequest, key: str) -> HttpResponse:
    licence = _licence(request, key)
    application = licence.application
    # The licence page is a page of the file: staff reading it are logged like the case page.
    staff_read_log(request, application, ReadWhat.PAGE)
    holder = rules.can_use_licence(application, request.user)
    shipments = licence.shipments.prefetch_related("lines__licence_line", "lines__returns")
    return render(
        request,
        "permits/licence.html",
        {
            "licence": licence,
            "application": application,
            "balances": selectors.licence_balances(licence=licence),
            "shipments": shipments,
            "temporary": bool(application.temporary_purpose),
            "can_ship": holder and licence.status == Licence.Status.VALID,
            "can_return": holder and bool(application.temporary_purpose),
            "can_follow_up": holder
            and licence.status not in (Licence.Status.REVOKED, Licence.Status.REPLACED),
            "can_suspend": rules.can_suspend_licence(application, request.user)
            and licence.status == Licence.Status.VALID,
            "can_reinstate": rules.can_suspend_licence(application, request.user)
            and licence.status == Licence.Status.SUSPENDED,
        },
    )


def _decimal(value: str) -> Decimal | None:
    try:
        return Decimal(value) if value.strip() else None
    except (InvalidOperation, ValueError):
        return None


@login_required
@require_POST
def shipment_record(request: HttpRequest, key: str) -> HttpResponse:
    licence = _licence(request, key)
    quantities, bad = {}, []
    for line in licence.lines.all():
        raw = request.POST.get(f"line-{line.pk}", "")
        quantity = _decimal(raw)
        if raw.strip() and quantity is None:
            bad.append(line.description)
        elif quantity:
            quantities[line.pk] = quantity
    shipped_on = parse_date(request.POST.get("shipped_on", "") or "")
    if bad or shipped_on is None:
        for name in bad:
            messages.error(request, _("%(line)s: enter a number.") % {"line": name})
        if shipped_on is None:
            messages.error(request, _("Shipment date: enter a valid date."))
        return _back(licence)
    run_and_report(
        request,
        lambda: licence_actions.shipment_record(
            licence=licence,
            actor=request.user,
            shipped_on=shipped_on,
            customs_reference=request.POST.get("customs_reference", ""),
            quantities=quantities,
        ),
        _("The shipment is recorded."),
    )
    return _back(licence)


@login_required
@require_POST
def goods_return(request: HttpRequest, key: str, line_id: int) -> HttpResponse:
    licence = _licence(request, key)
    line = get_object_or_404(ShipmentLine, pk=line_id, shipment__licence=licence)
    quantity = _decimal(request.POST.get("quantity", ""))
    returned_on = parse_date(request.POST.get("returned_on", "") or "")
    if quantity is None or returned_on is None:
        messages.error(request, _("Enter the quantity and the date of the return."))
        return _back(licence)
    run_and_report(
        request,
        lambda: goods_return_record(
            shipment_line=line,
            actor=request.user,
            quantity=quantity,
            returned_on=returned_on,
            customs_reference=request.POST.get("customs_reference", ""),
        ),
        _("The return is recorded."),
    )
    return _back(licence)


@login_required
@require_POST
def licence_status(request: HttpRequest, key: str, action: str) -> HttpResponse:
    licence = _licence(request, key)
    service = {
        "suspend": licence_actions.licence_suspend,
        "reinstate": licence_actions.licence_reinstate,
    }.get(action)
    if service is None:
        raise Http404("No such action.")
    second_factor = decision_second_factor_redirect(request, _back(licence).url)
    if second_factor is not None:
        return second_factor
    run_and_report(
        request,
        lambda: service(licence=licence, actor=request.user, reason=request.POST.get("reason", "")),
        _("Done: the holder is told by e-mail."),
    )
    return _back(licence)


@login_required
@require_POST
def licence_follow_up(request: HttpRequest, key: str, follow_up: str) -> HttpResponse:
    licence = _licence(request, key)
    draft = run_and_report(
        request,
        lambda: licence_actions.licence_follow_up_create(
            licence=licence, actor=request.user, follow_up=follow_up
        ),
        _("A new draft starts from this licence: check it, then submit it."),
    )
    if draft is None:
        return _back(licence)
    return redirect(reverse("permits:application_detail", args=[draft.url_key]))
