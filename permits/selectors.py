"""Reads of permit applications, always through the visibility rule of ``permits.rules``."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from dateutil.relativedelta import relativedelta
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import DataError, connection, models
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone, translation
from moneyed import Money

from workflow.models import CaseTask, TransitionRecord
from workflow.roles import Role, is_staff_member

from . import rules
from .compliance.criteria import CRITERIA, title
from .compliance.models import ControlListEntry, CriterionAssessment, ReferenceList
from .models import (
    CaseNote,
    Decision,
    ExchangeRate,
    Licence,
    LicenceLine,
    PermitApplication,
    Shipment,
    ShipmentLine,
    Status,
)
from .money import totals
from .rules import history_visible_to


def applications_visible_to(user: Any) -> QuerySet[PermitApplication]:
    return rules.visible_applications(user, PermitApplication.objects.all())


def application_list(*, user: Any) -> QuerySet[PermitApplication]:
    return applications_visible_to(user).select_related("organisation", "assigned_case_manager")


def application_get(*, user: Any, key: str, related: tuple[str, ...] = ()) -> PermitApplication:
    """The application with reference number or public id ``key``, if ``user`` may see it
    (``related``: relations to join, for a page that reads them).

    Anything the user may not see raises Http404, exactly as if it did not exist.
    """
    qs = application_list(user=user)
    if related:
        qs = qs.select_related(*related)
    lookup = {"reference": key} if key.startswith("BXL-") else {"public_id": key}
    try:
        return qs.get(**lookup)
    except (PermitApplication.DoesNotExist, ValidationError, ValueError, DataError) as exc:
        raise Http404("No such application.") from exc


# What the case page reads of the file besides its own row, one to one: joined to it in the one
# query that finds it (each was a query of its own on every case page).
CASE_PAGE_RELATED = (
    "licence",
    "decision__decided_by",
    "decision__document",
    "government_decision",
)
# Its lines, one query per kind, shared by the page's sections and forms (the proposal form and
# the summary each read the goods; they were read twice).
CASE_PAGE_LINES = ("goods", "parties")


def application_case_get(*, user: Any, key: str) -> PermitApplication:
    """``application_get`` for the case page: the file with its decision, licence and
    Government decision joined, its goods and parties prefetched. The same visibility (404)."""
    application = application_get(user=user, key=key, related=CASE_PAGE_RELATED)
    models.prefetch_related_objects([application], *CASE_PAGE_LINES)
    return application


def application_history(
    *, application: PermitApplication, user: Any = None
) -> QuerySet[TransitionRecord]:
    """The application's history; with ``user``, only what that user may read."""
    # Snapshots are read one at a time, on the auditor's pages, never with the timeline.
    records = (
        TransitionRecord.objects.filter(application=application)
        .select_related("actor")
        .defer("snapshot")
    )
    return records if user is None else history_visible_to(user, records)


def history_steps(*, application: PermitApplication) -> QuerySet[TransitionRecord]:
    """The file's records that carry a snapshot (its transitions), oldest first."""
    return (
        TransitionRecord.objects.filter(application=application, snapshot__isnull=False)
        .select_related("actor")
        .defer("snapshot")
        .order_by("seq")
    )


def history_step(*, application: PermitApplication, record_id: Any) -> TransitionRecord:
    """One record of the file with its snapshot; Http404 for any other id."""
    try:
        return TransitionRecord.objects.select_related("actor").get(
            application=application, pk=int(record_id), snapshot__isnull=False
        )
    except (TransitionRecord.DoesNotExist, ValueError, TypeError) as exc:
        raise Http404("No such step in this file's history.") from exc


def case_notes(*, application: PermitApplication, user: Any) -> QuerySet[CaseNote]:
    """The file's internal notes, for staff; nothing at all for anyone else."""
    if not is_staff_member(user):
        return CaseNote.objects.none()
    return CaseNote.objects.filter(application=application).select_related("author")


def licences_to_expire(*, today) -> QuerySet[Licence]:
    return Licence.objects.filter(
        status__in=[Licence.Status.VALID, Licence.Status.SUSPENDED, Licence.Status.EXHAUSTED],
        valid_until__lt=today,
        application__status=Status.ISSUED,
    ).select_related("application")


# --- Web application: lists, queues and the case page ---------------------------------------

QUEUES = ("unassigned", "mine", "waiting", "overdue")


def _with_open_task(qs: QuerySet[PermitApplication]) -> QuerySet[PermitApplication]:
    """Annotate ``due_at``: when the file's open work item falls due (None without one)."""
    open_task = CaseTask.objects.open().filter(application=OuterRef("pk"))
    return qs.annotate(due_at=Subquery(open_task.values("due_at")[:1]))


def _overdue(qs: QuerySet[PermitApplication], now) -> QuerySet[PermitApplication]:
    late = CaseTask.objects.open().filter(application=OuterRef("pk"), due_at__lt=now)
    return qs.filter(Exists(late))


def applicant_application_list(*, user: Any) -> QuerySet[PermitApplication]:
    """The user's organisations' applications, newest first, with their case manager."""
    return application_list(user=user).order_by("-updated_at", "-id")


def workbench_queue(*, user: Any, queue: str, now=None) -> QuerySet[PermitApplication]:
    """One queue of the case managers' workbench; ``overdue`` = open work item past due."""
    now = now or timezone.now()
    base = _with_open_task(application_list(user=user))
    if queue == "mine":
        return base.filter(assigned_case_manager=user, status=Status.UNDER_REVIEW)
    if queue == "waiting":
        return base.filter(assigned_case_manager=user, status=Status.INFORMATION_REQUESTED)
    if queue == "overdue":
        overdue = _overdue(base, now)
        if not rules.is_head_of_unit(None, user):
            overdue = overdue.filter(
                Q(status=Status.SUBMITTED)
                | Q(
                    assigned_case_manager=user,
                    status__in=[Status.UNDER_REVIEW, Status.INFORMATION_REQUESTED],
                )
            )
        return overdue
    return base.filter(status=Status.SUBMITTED)


# The tabs' counts are four COUNT queries, on every queue page. They are kept in the cache per
# user for a short while, keyed by the newest change to any file: a submission, a transition or
# an edit (each moves ``updated_at``) gives new counts at once, found with one probe of the
# ``application_updated`` index; what changes without touching a file — a work item falling
# due — shows within QUEUE_COUNTS_SECONDS. Exact counts, never an estimate: a case manager
# reads "3 overdue" as a to-do list.
QUEUE_COUNTS_SECONDS = 30


def workbench_counts(*, user: Any, now=None) -> dict[str, int]:
    latest = (
        PermitApplication.objects.order_by("-updated_at", "-id")
        .values_list("updated_at", "id")
        .first()
    )
    stamp = f"{latest[0].timestamp()}-{latest[1]}" if latest else "none"
    key = f"permits:queue-counts:{user.pk}:{stamp}"
    counts = None if now is not None else cache.get(key)
    if counts is None:
        counts = {name: workbench_queue(user=user, queue=name, now=now).count() for name in QUEUES}
        if now is None:
            cache.set(key, counts, QUEUE_COUNTS_SECONDS)
    return counts


def distinct_values(model: type[models.Model], column: str) -> list[Any]:
    """The distinct non-null values of an indexed ``column``: on PostgreSQL by walking its index
    from one value to the next (a "loose index scan": one probe per distinct value, whatever
    the table's size); elsewhere by SELECT DISTINCT."""
    table = connection.ops.quote_name(model._meta.db_table)
    name = connection.ops.quote_name(column)
    if connection.vendor != "postgresql":
        return list(
            model.objects.filter(**{f"{column}__isnull": False})
            .order_by()
            .values_list(column, flat=True)
            .distinct()
        )
    sql = f"""
        WITH RECURSIVE walk(value) AS (
            (SELECT {name} FROM {table} WHERE {name} IS NOT NULL ORDER BY {name} LIMIT 1)
            UNION ALL
            SELECT (SELECT {name} FROM {table} WHERE {name} > walk.value ORDER BY {name} LIMIT 1)
            FROM walk WHERE walk.value IS NOT NULL
        )
        SELECT value FROM walk WHERE value IS NOT NULL
    """  # noqa: S608 - names from the model's own metadata, no input
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return [row[0] for row in cursor.fetchall()]


def approval_list(*, user: Any) -> QuerySet[PermitApplication]:
    """Files pending approval, each marked ``reviewed_by_me`` when the four-eyes rule keeps
    ``user`` from deciding it (their case manager, or they requested information or proposed
    the decision)."""
    mine = TransitionRecord.objects.filter(application=OuterRef("pk")).filter(
        Q(transition__in=rules.REVIEW_TRANSITIONS, actor=user)
        | Q(transition="start_review", payload__case_manager_id=user.pk)
    )
    return (
        _with_open_task(application_list(user=user))
        .filter(status=Status.PENDING_APPROVAL)
        .prefetch_related("criteria_worksheet")
        .annotate(reviewed_by_me=Exists(mine) | Q(assigned_case_manager=user))
        .order_by("updated_at", "id")
    )


def audit_list(*, user: Any) -> QuerySet[PermitApplication]:
    """Every application the user may read, with its decision and licence, newest first."""
    return (
        application_list(user=user)
        .select_related("decision__decided_by", "licence")
        .order_by("-updated_at", "-id")
    )


def operator_audit_list() -> QuerySet[PermitApplication]:
    """What ``manage.py export_audit`` reads without a named user: what an auditor reads."""
    return rules.submitted_applications(PermitApplication.objects.all())


def latest_information_request(*, application: PermitApplication) -> TransitionRecord | None:
    return (
        TransitionRecord.objects.filter(application=application, transition="request_information")
        .order_by("-created_at", "-id")
        .first()
    )


def application_timeline(*, application: PermitApplication, staff: bool) -> list[TransitionRecord]:
    """The file's history for a reader: everything for staff; for the applicant, the steps
    of the workflow and documents, never screening or internal comments."""
    records = application_history(application=application)
    return list(records if staff else history_visible_to(None, records))


def application_decision(*, application: PermitApplication):
    """The decision on the file, its document fetched with it (absent while it is being
    prepared), or None when there is no decision yet. Read from the file when it was fetched
    with it (``application_case_get``)."""
    if PermitApplication.decision.is_cached(application):
        return getattr(application, "decision", None)
    decision = (
        Decision.objects.filter(application=application)
        .select_related("decided_by", "document")
        .first()
    )
    return decision


def open_task(*, application: PermitApplication) -> CaseTask | None:
    return CaseTask.objects.open().filter(application=application).first()


def control_list_entries(*, regime: str) -> QuerySet:
    """Entries of the current control list that apply to ``regime``, for the lookup."""
    lists = ["dual_use"] if regime == "dual_use" else ["military", "national"]
    return ControlListEntry.objects.filter(
        reference_list__kind=ReferenceList.Kind.CONTROL_LIST,
        reference_list__is_current=True,
        regime__in=lists,
    ).order_by("code")


def compliance_overview(*, application: PermitApplication, user: Any) -> dict[str, Any]:
    """What the staff case page shows of the compliance engine, and what ``user`` may do."""
    latest = application.screenings.order_by("-ran_at", "-id").first()
    flags = list(latest.flags.select_related("cleared_by")) if latest else []
    assessed = {
        line.code: line for line in application.criteria_worksheet.select_related("assessed_by")
    }
    framework = rules.criteria_framework(application)
    authority = rules.decision_authority(application)
    return {
        "screening": latest,
        "flags": flags,
        "consultations": list(application.consultations.select_related("denial_notice")),
        "pauses": list(application.clock_pauses.all()),
        "worksheet": [
            {"code": code, "title": title, "line": assessed.get(code)}
            for code, title in CRITERIA[framework].items()
        ],
        "assessments": CriterionAssessment.Assessment.choices,
        "can_clear": rules.can_clear_flag(application, user),
        "can_answer": rules.can_answer_consultation(application, user),
        "can_assess": application.status in rules.WORKSHEET_STATES
        and rules.can_assess_criteria(application, user),
        "can_screen": rules.can_screen(application, user),
        "authority": authority,
        "government_decision": getattr(application, "government_decision", None),
        "can_record_government_decision": application.status == "pending_approval"
        and authority == "government"
        and not hasattr(application, "government_decision")
        and rules.can_record_government_decision(application, user),
        "can_consult": application.status in rules.WORKSHEET_STATES
        and rules.can_open_consultation(application, user),
    }


# --- Licence use -------------------------------------------------------------------------------

# Temporarily exported goods come back within a year of their shipment.
TEMPORARY_RETURN_PERIOD = relativedelta(years=1)


def licence_balances(*, licence: Licence) -> list[dict[str, Any]]:
    """Per licence line: what is authorised, shipped and remaining. Values are sums within
    one line, so in that line's one currency (``currency``); never across lines."""
    zero = Decimal("0")
    lines = (
        LicenceLine.objects.filter(licence=licence)
        .select_related("goods_item")
        .annotate(
            shipped_quantity=Coalesce(Sum("shipped__quantity"), zero),
            shipped_value=Coalesce(Sum("shipped__value"), zero),
        )
    )
    return [
        {
            "line": line,
            "shipped_quantity": line.shipped_quantity,
            "remaining_quantity": line.authorised_quantity - line.shipped_quantity,
            "shipped_value": line.shipped_value,
            "remaining_value": line.authorised_value - line.shipped_value,
            "currency": line.goods_item.currency,
        }
        for line in lines
    ]


def goods_outstanding(*, shipment_line: ShipmentLine) -> Decimal:
    returned = sum((r.quantity for r in shipment_line.returns.all()), Decimal("0"))
    return shipment_line.quantity - returned


def return_due_on(shipment: Shipment) -> date:
    return shipment.shipped_on + TEMPORARY_RETURN_PERIOD


def temporary_returns_outstanding(*, today: date) -> list[dict[str, Any]]:
    """Shipments of temporary licences with goods still abroad, and when they are due back."""
    lines = ShipmentLine.objects.filter(
        shipment__licence__application__temporary_purpose__gt=""
    ).select_related("shipment__licence__application", "licence_line")
    result = []
    for line in lines.prefetch_related("returns"):
        outstanding = goods_outstanding(shipment_line=line)
        if outstanding > 0:
            due = return_due_on(line.shipment)
            result.append(
                {
                    "line": line,
                    "outstanding": outstanding,
                    "due_on": due,
                    "days_left": (due - today).days,
                }
            )
    return result


# --- Money ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class EurValue:
    """A euro figure and where it comes from: the declared value, or a recorded rate."""

    amount: Decimal
    rate: Decimal | None  # None when no conversion was needed (EUR, or the declared value)
    rate_valid_on: date | None
    source: str


def eur_value(*, amount: Decimal, currency: str, on: date) -> EurValue | None:
    """``amount`` of ``currency`` in euro at the rate recorded for ``on`` (the latest rate valid
    on that day); None when the rate table has none, rather than a guess."""
    if currency == "EUR":
        return EurValue(amount=amount, rate=None, rate_valid_on=None, source="EUR")
    rate = (
        ExchangeRate.objects.filter(currency=currency, valid_on__lte=on)
        .order_by("-valid_on")
        .first()
    )
    if rate is None:
        return None
    return EurValue(
        amount=(amount * rate.rate_to_eur).quantize(Decimal("0.01")),
        rate=rate.rate_to_eur,
        rate_valid_on=rate.valid_on,
        source=rate.source,
    )


def application_eur_value(*, application: PermitApplication, on: date) -> EurValue | None:
    """The file's value in euro: the applicant's declared value wins where given; otherwise
    each goods line converted at its recorded rate. None if a line has no rate."""
    if application.total_value is not None:
        return EurValue(
            amount=application.total_value, rate=None, rate_valid_on=None, source="declared"
        )
    total = Decimal("0")
    for item in application.goods.all():
        converted = eur_value(amount=item.line_value, currency=item.currency, on=on)
        if converted is None:
            return None
        total += converted.amount
    return EurValue(amount=total, rate=None, rate_valid_on=on, source="converted")


def goods_totals(*, items: Iterable[Any]) -> list[Money]:
    """The value of goods lines, one total per currency (``line_value`` in its currency)."""
    return totals((item.line_value, item.currency) for item in items)


# --- Decisions per goods line and conditions -----------------------------------------------


def licence_conditions(*, licence: Licence, language: str) -> list[str]:
    """The conditions (provisos) the licence carries, in ``language`` (fr, nl or en), as its
    decision recorded them: the standard conditions chosen, then those written for the file."""
    decision = Decision.objects.filter(application_id=licence.application_id).first()
    if decision is None:
        return []
    return [
        condition.get(language) or condition.get("en") or ""
        for condition in decision.conditions
        if condition.get(language) or condition.get("en")
    ]


def refused_lines(*, decision: Decision) -> list[dict[str, Any]]:
    """The goods lines a decision refused, each with the criteria it cites (codes and titles
    in the active language)."""
    return [
        {**line, "criteria_cited": [(code, title(code)) for code in line.get("criteria", [])]}
        for line in decision.lines
        if line.get("outcome") == "refuse"
    ]


def proposal_overview(*, application: PermitApplication) -> dict[str, Any]:
    """What the head reads beside the approve button: the proposal per goods line, the
    conditions chosen, and whether the worksheet lets the law grant the file."""
    proposed = {line.goods_item_id: line for line in application.proposed_lines.all()}
    return {
        "lines": [
            {"item": item, "proposed": proposed.get(item.pk)} for item in application.goods.all()
        ],
        "conditions": [
            (c.code, c.text(translation.get_language() or "en"))
            for c in application.proposed_conditions.order_by("code")
        ],
        "conditions_text": [t for t in application.conditions_text.splitlines() if t.strip()],
        "criteria_problems": rules.criteria_grant_problems(application).get("criteria", []),
    }


def worksheet_summary(*, application: PermitApplication) -> dict[str, Any]:
    """The worksheet in a line of the approvals list: how many criteria are assessed, which
    are grounds for refusal, and what keeps the law from granting the file."""
    codes = CRITERIA[rules.criteria_framework(application)]
    # Read from the prefetched worksheet (approval_list): one query for the whole page.
    assessed = {line.code: line.assessment for line in application.criteria_worksheet.all()}
    return {
        "assessed": sum(1 for code in codes if code in assessed),
        "total": len(codes),
        "refusal_grounds": [code for code in codes if assessed.get(code) == "refusal_ground"],
        "problems": rules.criteria_grant_problems(application, assessed).get("criteria", []),
    }


def role_addresses(role: str) -> list[str]:
    """The e-mail addresses of the active users of ``role``, for alerts and escalations."""
    return list(
        get_user_model()
        .objects.filter(groups__name=role, is_active=True)
        .exclude(email="")
        .order_by("pk")
        .values_list("email", flat=True)
    )


def head_of_unit_addresses() -> list[str]:
    return role_addresses(Role.HEAD_OF_UNIT)


def auditor_addresses() -> list[str]:
    return role_addresses(Role.AUDITOR)
