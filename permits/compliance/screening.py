"""Screening an application against the current reference lists. Pure reads: the services
store what it finds."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _
from django_countries import countries as _countries
from rapidfuzz import fuzz, process

from .eligibility import seat_in_brussels_region
from .entries import control_entry_check, control_list_in_force
from .models import (
    DENIAL_LIFETIME,
    DenialNotice,
    Embargo,
    PartyType,
    ReferenceList,
    SanctionedParty,
    ScreeningFlag,
)
from .names import NameKeys, name_keys

ARMS_REGIMES = {"military", "civil_firearms", "law_enforcement"}


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


# Party types an embargo limited to non-state actors does not reach, and the types a
# "government forces exempt" embargo exempts (subject to the exemption's conditions).
STATE_PARTY_TYPES = {"government", "public_body", "international_organisation"}
EXEMPT_PARTY_TYPES = {"government", "international_organisation"}
PLACE_ROLES = {
    "consignee": "consignee_country",
    "end_user": "end_user_country",
    "intermediary": "intermediary_country",
}


def _embargo_reach(embargo: Embargo, place: str, end_users: list) -> tuple[bool, str, str]:
    """Whether the embargo reaches this operation, why, and the end-user type that decided.

    The scope is applied to the end-users in the embargoed country (or, when none is there and
    the country is the destination, to all end-users). Unknown types count as reached: the
    law wins, the case manager clears with a justification."""
    if embargo.scope == Embargo.Scope.FULL:
        return True, "full", ""
    if place == "transit_country":
        return True, "transit", ""
    concerned = [p for p in end_users if p.country.code == embargo.country.code] or (
        end_users if place == "destination" else []
    )
    types = sorted({p.party_type or "unknown" for p in concerned}) or ["unknown"]
    if embargo.scope == Embargo.Scope.NON_STATE_ACTORS:
        outside = [t for t in types if t in STATE_PARTY_TYPES]
        if len(outside) == len(types):
            return False, "state_end_user", ", ".join(types)
        return True, "non_state_end_user", ", ".join(t for t in types if t not in outside)
    exempt = [t for t in types if t in EXEMPT_PARTY_TYPES]
    if len(exempt) == len(types):
        return False, "government_exemption", ", ".join(types)
    return True, "not_exempt_end_user", ", ".join(t for t in types if t not in exempt)


def embargo_findings(application, day: date) -> list[Finding]:
    reference = _current(ReferenceList.Kind.EMBARGOES)
    if reference is None:
        return []
    parties = list(application.parties.all())
    places: dict[str, str] = {}
    if application.country_of_destination:
        places.setdefault(application.country_of_destination.code, "destination")
    for party in parties:
        if party.role in PLACE_ROLES:
            places.setdefault(party.country.code, PLACE_ROLES[party.role])
    for country in application.transit_countries:
        places.setdefault(country.code, "transit_country")
    embargoes = Embargo.objects.filter(
        reference_list=reference, country__in=list(places), starts_on__lte=day
    ).filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
    arms = application.regime in ARMS_REGIMES
    end_users = [p for p in parties if p.role == "end_user"]
    findings = []
    for embargo in embargoes:
        reached, reason, end_user_types = _embargo_reach(
            embargo, places[embargo.country.code], end_users
        )
        blocking = arms and reached
        details = {
            "country": embargo.country.code,
            "place": places[embargo.country.code],
            "screened_on": day.isoformat(),
            "scope": embargo.scope,
            "legal_act": embargo.legal_act,
            "starts_on": embargo.starts_on.isoformat(),
            "ends_on": embargo.ends_on.isoformat() if embargo.ends_on else None,
            "reason": reason if arms else "dual_use",
            "end_user_types": end_user_types,
            "list_version": reference.version,
        }
        findings.append(
            Finding(
                kind=ScreeningFlag.Kind.EMBARGO,
                severity=ScreeningFlag.Severity.BLOCKING
                if blocking
                else ScreeningFlag.Severity.WARNING,
                key=f"embargo:{embargo.country.code}:{embargo.legal_act}",
                explanation=explain(ScreeningFlag.Kind.EMBARGO, details),
                details=details,
            )
        )
    return findings


def denial_candidates(*, countries: list[str], day: date) -> list[tuple[int, NameKeys]]:
    """(id, name keys) of the consignees and end-users of the notices in force on ``day`` for
    ``countries``: one row per name."""
    reference = _current(ReferenceList.Kind.DENIALS)
    if reference is None:
        return []
    lapsed_before = day - DENIAL_LIFETIME
    rows = (
        DenialNotice.objects.filter(
            reference_list=reference,
            destination__in=countries,
            status=DenialNotice.Status.IN_FORCE,
            notified_on__lte=day,
        )
        .filter(Q(notified_on__gt=lapsed_before) | Q(renewed_on__gt=lapsed_before))
        .values_list("id", "consignee_key", "consignee_compact", "end_user_key", "end_user_compact")
    )
    candidates = []
    for notice_id, c_key, c_compact, e_key, e_compact in rows:
        for keys in {NameKeys(c_key, c_compact), NameKeys(e_key, e_compact)}:
            if keys.key or keys.compact:
                candidates.append((notice_id, keys))
    return candidates


def best_name_matches(
    names: list[tuple[Any, str]], candidates: list[tuple[Any, NameKeys]]
) -> dict[Any, tuple[Any, float]]:
    """For each candidate owner, the party (``names``: (party, name)) that resembles it best and
    the score, at or above the threshold. Two comparisons, the higher counts: the words sorted
    (word order and legal forms do not matter) and the letters with no separator (an invisible
    character inside a word does not matter)."""
    threshold = settings.SCREENING_NAME_MATCH_THRESHOLD
    keys = [c.key for _owner, c in candidates]
    compacts = [c.compact for _owner, c in candidates]
    matches: dict[Any, tuple[Any, float]] = {}
    for party, name in names:
        mine = name_keys(name)
        hits: list[tuple[int, float]] = []
        if mine.key:
            hits += [
                (index, score)
                for _k, score, index in process.extract(
                    mine.key, keys, scorer=fuzz.token_sort_ratio, score_cutoff=threshold, limit=None
                )
            ]
        if mine.compact:
            hits += [
                (index, score)
                for _k, score, index in process.extract(
                    mine.compact, compacts, scorer=fuzz.ratio, score_cutoff=threshold, limit=None
                )
            ]
        for index, score in hits:
            owner = candidates[index][0]
            if owner not in matches or matches[owner][1] < score:
                matches[owner] = (party, score)
    return matches


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
    matches = best_name_matches([(p, p.name) for p in parties], candidates)
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
                explanation="",
                details={
                    "notice": notice.number,
                    "party": party.name,
                    "notifying_state": notice.notifying_state.code,
                    "notified_on": notice.notified_on.isoformat(),
                    "destination": notice.destination.code,
                    "score": round(score, 1),
                    "control_entries_in_common": overlap,
                    "criteria": notice.criteria,
                },
                denial_notice=notice,
            )
        )
        findings[-1].explanation = explain(findings[-1].kind, findings[-1].details)
    return findings


SANCTIONS_KINDS = {
    ReferenceList.Kind.SANCTIONS_EU: "eu",
    ReferenceList.Kind.SANCTIONS_UN: "un",
}


def sanctions_findings(application, day: date) -> list[Finding]:
    """Every party against the current lists of sanctioned persons and entities (EU, UN), with
    the same normalised fuzzy matching as the denials. A hit blocks until the case manager
    clears it with a justification; the flag records the matched entry and the list version."""
    parties = list(application.parties.all())
    if not parties:
        return []
    references = {
        r.pk: r for r in ReferenceList.objects.filter(kind__in=SANCTIONS_KINDS, is_current=True)
    }
    if not references:
        return []
    candidates: list[tuple[Any, NameKeys]] = []
    for listed_id, keys in SanctionedParty.objects.filter(
        reference_list__in=list(references)
    ).values_list("id", "name_keys"):
        for key, compact in keys:
            candidates.append((listed_id, NameKeys(key, compact)))
    matches = best_name_matches([(p, p.name) for p in parties], candidates)
    findings = []
    for listed in SanctionedParty.objects.filter(pk__in=matches).order_by("reference"):
        party, score = matches[listed.pk]
        reference = references[listed.reference_list_id]
        details = {
            "party": party.name,
            "role": party.role,
            "list": SANCTIONS_KINDS[reference.kind],
            "list_version": reference.version,
            "reference": listed.reference,
            "listed_name": listed.name,
            "subject_type": listed.subject_type,
            "programme": listed.programme,
            "score": round(score, 1),
            "screened_on": day.isoformat(),
        }
        findings.append(
            Finding(
                kind=ScreeningFlag.Kind.SANCTIONS,
                severity=ScreeningFlag.Severity.BLOCKING,
                key=f"sanctions:{details['list']}:{listed.reference}:{party.pk}",
                explanation=explain(ScreeningFlag.Kind.SANCTIONS, details),
                details=details,
            )
        )
    return findings


def _same_category(entry: str, other: str) -> bool:
    return entry.split(".")[0].upper() == str(other).split(".")[0].upper()


def eligibility_findings(application, day: date) -> list[Finding]:
    findings = []
    organisation = application.organisation
    if not seat_in_brussels_region(organisation):
        findings.append(
            Finding(
                kind=ScreeningFlag.Kind.ELIGIBILITY,
                severity=ScreeningFlag.Severity.BLOCKING,
                key="eligibility:seat",
                explanation=explain(ScreeningFlag.Kind.ELIGIBILITY, {"address": ""}),
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
                    explanation="",
                    details={
                        "document": str(certificate.public_id),
                        "age_days": age,
                        "max_age_days": max_age,
                    },
                )
            )
    return findings


def control_list_findings(application, day: date) -> list[Finding]:
    """Goods lines whose sub-item the list version in force does not hold: accepted at entry,
    shown to the case manager as not verified."""
    findings = []
    in_force = None
    for item in application.goods.all():
        if not item.control_entry:
            continue
        if in_force is None:  # read once for all the lines, and only if one has an entry
            in_force = control_list_in_force(application.regime)
        check = control_entry_check(item.control_entry, application.regime, in_force)
        if check.verified or check.error or not check.version:
            continue
        details = {
            "entry": item.control_entry,
            "verified_up_to": check.ancestor,
            "version": check.version,
        }
        findings.append(
            Finding(
                kind=ScreeningFlag.Kind.CONTROL_LIST,
                severity=ScreeningFlag.Severity.WARNING,
                key=f"control_list:unverified:{item.control_entry}",
                explanation=explain(ScreeningFlag.Kind.CONTROL_LIST, details),
                details=details,
            )
        )
    return findings


def explain(kind: str, details: dict[str, Any]) -> str:
    """A finding in the reader's language, from what its flag stores (``details``): the
    stored ``explanation`` is the text of the language it was screened in."""
    if kind == ScreeningFlag.Kind.SANCTIONS:
        lists = {
            "eu": _("the EU consolidated financial sanctions list"),
            "un": _("the UN Security Council consolidated list"),
        }
        return _(
            "%(party)s resembles %(name)s (%(reference)s) on %(list)s, version %(version)s "
            "(name similarity %(score)d%%). Clear only with a justification: funds and "
            "economic resources of listed persons are frozen."
        ) % {
            "party": details.get("party", ""),
            "name": details.get("listed_name", ""),
            "reference": details.get("reference", ""),
            "list": lists.get(details.get("list", ""), details.get("list", "")),
            "version": details.get("list_version", ""),
            "score": round(details.get("score", 0)),
        }
    if kind == ScreeningFlag.Kind.CONTROL_LIST and "verified_up_to" in details:
        return _(
            "Sub-item not verified: %(entry)s is not in control list %(version)s, which does "
            "not hold all the sub-items of %(parent)s. Check the classification against the "
            "Official Journal."
        ) % {
            "entry": details.get("entry", ""),
            "version": details.get("version", ""),
            "parent": details.get("verified_up_to", ""),
        }
    if kind == ScreeningFlag.Kind.EMBARGO:
        places = {
            "destination": _("destination"),
            "end_user_country": _("end-user's country"),
            "consignee_country": _("consignee's country"),
            "intermediary_country": _("intermediary's country"),
            "transit_country": _("transit country"),
        }
        scopes = dict(Embargo.Scope.choices)
        text = _(
            "%(country)s (%(role)s) is under an EU arms embargo in force on %(day)s: "
            "%(scope)s — %(act)s."
        ) % {
            "country": _countries.name(details["country"]),
            "role": places.get(details.get("place", ""), details.get("place", "")),
            "day": details.get("screened_on", ""),
            "scope": scopes.get(details.get("scope"), details.get("scope", "")),
            "act": details.get("legal_act", ""),
        }
        reason = _embargo_reasons().get(details.get("reason", ""))
        if reason:
            types = ", ".join(
                str(_party_types().get(t, _("of a type not given")))
                for t in (details.get("end_user_types") or "").split(", ")
                if t
            )
            text += " " + reason % {"types": types}
        return text
    if kind == ScreeningFlag.Kind.DENIAL:
        overlap = details.get("control_entries_in_common") or []
        return _(
            "%(party)s resembles a party of denial notice %(number)s of %(state)s "
            "(%(date)s, destination %(destination)s; name similarity "
            "%(score)d%%%(overlap)s). "
            "Consult the notifying state before any grant."
        ) % {
            "party": details.get("party", ""),
            "number": details.get("notice", ""),
            "state": _countries.name(details.get("notifying_state", "")),
            "date": details.get("notified_on", ""),
            "destination": _countries.name(details.get("destination", "")),
            "score": round(details.get("score", 0)),
            "overlap": (_("; same control entries: %s") % ", ".join(overlap)) if overlap else "",
        }
    if "age_days" in details:
        return _("The end-user certificate is %(age)d days old (more than %(max)d).") % {
            "age": details["age_days"],
            "max": details.get("max_age_days", 0),
        }
    return _(
        "The applicant's registered office does not appear to be in the "
        "Brussels-Capital Region: its registered postcode and municipality must be those of "
        "one of the Region's nineteen municipalities."
    )


def _embargo_reasons() -> dict[str, str]:
    return {
        "full": _("Blocking: the embargo covers every end-user."),
        "transit": _("Blocking: the goods would cross the embargoed country."),
        "state_end_user": _(
            "Not blocking: the embargo covers non-state actors only, and the end-user is %(types)s."
        ),
        "non_state_end_user": _(
            "Blocking: the embargo covers non-state actors, and the end-user is %(types)s."
        ),
        "government_exemption": _(
            "Not blocking: the end-user is %(types)s, which the embargo exempts under "
            "conditions — check them before any grant."
        ),
        "not_exempt_end_user": _(
            "Blocking: only the government's forces are exempt, and the end-user is %(types)s."
        ),
        "dual_use": _("A warning for dual-use goods: weigh it in the assessment."),
    }


def _party_types() -> dict[str, str]:
    return {**dict(PartyType.choices), "unknown": _("of a type not given")}


def flag_explanation(flag: ScreeningFlag) -> str:
    """The flag's explanation in the active language (older flags keep their stored text)."""
    if flag.kind == ScreeningFlag.Kind.DENIAL and "notifying_state" not in flag.details:
        return flag.explanation
    if flag.kind == ScreeningFlag.Kind.EMBARGO and "place" not in flag.details:
        return flag.explanation
    return explain(flag.kind, flag.details)


def screen(application, day: date) -> list[Finding]:
    return (
        embargo_findings(application, day)
        + denial_findings(application, day)
        + sanctions_findings(application, day)
        + eligibility_findings(application, day)
        + control_list_findings(application, day)
    )
