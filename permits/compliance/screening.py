"""Screening an application against the current reference lists. Pure reads: the services
store what it finds."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from rapidfuzz import fuzz, process

from .models import DENIAL_LIFETIME, DenialNotice, Embargo, ReferenceList, ScreeningFlag
from .names import normalise_name

ARMS_REGIMES = {"military", "civil_firearms", "law_enforcement"}
# Postcodes of the 19 municipalities of the Brussels-Capital Region.
BRUSSELS_POSTCODES = range(1000, 1213)


@dataclass
class Finding:
    kind: str
    severity: str
    key: str
    explanation: str
    details: dict[str, Any] = field(default_factory=dict)
    denial_notice: DenialNotice | None = None


def _current(kind: str) -> ReferenceList | None:
    return ReferenceList.objects.filter(kind=kind, is_current=True).first()


def embargo_findings(application, day: date) -> list[Finding]:
    reference = _current(ReferenceList.Kind.EMBARGOES)
    if reference is None:
        return []
    places: dict[str, str] = {}
    if application.country_of_destination:
        places.setdefault(application.country_of_destination.code, _("destination"))
    for party in application.parties.all():
        if party.role == "end_user":
            places.setdefault(party.country.code, _("end-user's country"))
    for country in application.transit_countries:
        places.setdefault(country.code, _("transit country"))
    embargoes = Embargo.objects.filter(
        reference_list=reference, country__in=list(places), starts_on__lte=day
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    blocking = application.regime in ARMS_REGIMES
    findings = []
    for embargo in embargoes:
        findings.append(
            Finding(
                kind=ScreeningFlag.Kind.EMBARGO,
                severity=ScreeningFlag.Severity.BLOCKING
                if blocking
                else ScreeningFlag.Severity.WARNING,
                key=f"embargo:{embargo.country.code}:{embargo.legal_act}",
                explanation=_(
                    "%(country)s (%(role)s) is under an EU arms embargo in force on %(day)s: "
                    "%(scope)s — %(act)s."
                )
                % {
                    "country": embargo.country.name,
                    "role": places[embargo.country.code],
                    "day": day.isoformat(),
                    "scope": embargo.get_scope_display(),
                    "act": embargo.legal_act,
                },
                details={
                    "country": embargo.country.code,
                    "scope": embargo.scope,
                    "legal_act": embargo.legal_act,
                    "starts_on": embargo.starts_on.isoformat(),
                    "ends_on": embargo.ends_on.isoformat() if embargo.ends_on else None,
                },
            )
        )
    return findings


def denial_candidates(*, countries: list[str], day: date) -> list[tuple[int, str, str]]:
    """(id, consignee key, end-user key) of the notices in force on ``day`` for ``countries``."""
    reference = _current(ReferenceList.Kind.DENIALS)
    if reference is None:
        return []
    lapsed_before = day - DENIAL_LIFETIME
    return list(
        DenialNotice.objects.filter(
            reference_list=reference,
            destination__in=countries,
            status=DenialNotice.Status.IN_FORCE,
            notified_on__lte=day,
        )
        .filter(Q(notified_on__gt=lapsed_before) | Q(renewed_on__gt=lapsed_before))
        .values_list("id", "consignee_key", "end_user_key")
    )


def denial_findings(application, day: date) -> list[Finding]:
    parties = list(application.parties.all())
    countries = sorted(
        {p.country.code for p in parties}
        | (
            {application.country_of_destination.code}
            if application.country_of_destination
            else set()
        )
    )
    candidates = denial_candidates(countries=countries, day=day)
    if not candidates:
        return []
    threshold = settings.SCREENING_NAME_MATCH_THRESHOLD
    keys: list[str] = []
    owners: list[int] = []
    for notice_id, consignee_key, end_user_key in candidates:
        for key in {consignee_key, end_user_key} - {""}:
            keys.append(key)
            owners.append(notice_id)
    matches: dict[int, tuple[Any, float]] = {}
    for party in parties:
        name_key = normalise_name(party.name)
        if not name_key:
            continue
        for _key, score, index in process.extract(
            name_key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, limit=None
        ):
            notice_id = owners[index]
            if notice_id not in matches or matches[notice_id][1] < score:
                matches[notice_id] = (party, score)
    entries = {item.control_entry for item in application.goods.all()}
    findings = []
    for notice in DenialNotice.objects.filter(pk__in=matches):
        party, score = matches[notice.pk]
        if not notice.in_force_on(day):
            continue
        overlap = sorted(
            e for e in entries if any(_same_category(e, d) for d in notice.control_entries)
        )
        findings.append(
            Finding(
                kind=ScreeningFlag.Kind.DENIAL,
                severity=ScreeningFlag.Severity.BLOCKING,
                key=f"denial:{notice.number}",
                explanation=_(
                    "%(party)s resembles a party of denial notice %(number)s of %(state)s "
                    "(%(date)s, destination %(destination)s; name similarity "
                    "%(score)d%%%(overlap)s). "
                    "Consult the notifying state before any grant."
                )
                % {
                    "party": party.name,
                    "number": notice.number,
                    "state": notice.notifying_state.name,
                    "date": notice.notified_on.isoformat(),
                    "destination": notice.destination.name,
                    "score": round(score),
                    "overlap": (_("; same control entries: %s") % ", ".join(overlap))
                    if overlap
                    else "",
                },
                details={
                    "notice": notice.number,
                    "party": party.name,
                    "score": round(score, 1),
                    "control_entries_in_common": overlap,
                    "criteria": notice.criteria,
                },
                denial_notice=notice,
            )
        )
    return findings


def _same_category(entry: str, other: str) -> bool:
    return entry.split(".")[0].upper() == str(other).split(".")[0].upper()


def eligibility_findings(application, day: date) -> list[Finding]:
    findings = []
    organisation = application.organisation
    postcode = _postcode(organisation.address)
    if organisation.country.code != "BE" or postcode not in BRUSSELS_POSTCODES:
        findings.append(
            Finding(
                kind=ScreeningFlag.Kind.ELIGIBILITY,
                severity=ScreeningFlag.Severity.BLOCKING,
                key="eligibility:seat",
                explanation=_(
                    "The applicant's registered office does not appear to be in the "
                    "Brussels-Capital Region (postcodes 1000–1212)."
                ),
                details={"address": organisation.address},
            )
        )
    certificates = [
        d
        for d in application.documents.all()
        if d.kind == "end_user_certificate" and not hasattr(d, "superseded_by")
    ]
    max_age = settings.SCREENING_END_USER_CERTIFICATE_MAX_AGE_DAYS
    for certificate in certificates:
        age = (day - certificate.uploaded_at.date()).days
        if age > max_age:
            findings.append(
                Finding(
                    kind=ScreeningFlag.Kind.ELIGIBILITY,
                    severity=ScreeningFlag.Severity.WARNING,
                    key=f"eligibility:euc-age:{certificate.public_id}",
                    explanation=_(
                        "The end-user certificate is %(age)d days old (more than %(max)d)."
                    )
                    % {"age": age, "max": max_age},
                    details={"document": str(certificate.public_id), "age_days": age},
                )
            )
    return findings


def _postcode(address: str) -> int | None:
    match = re.search(r"\b(1\d{3})\b", address or "")
    return int(match.group(1)) if match else None


def screen(application, day: date) -> list[Finding]:
    return (
        embargo_findings(application, day)
        + denial_findings(application, day)
        + eligibility_findings(application, day)
    )
