"""Control-list entries checked against the list version in force: listed, accepted as a
sub-item the version does not hold ("not verified"), or refused with the closest codes."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import takewhile

from django.utils.translation import gettext as _
from rapidfuzz import fuzz

from .models import ControlListEntry, ReferenceList


def normalise_entry(entry: str) -> str:
    entry = entry.strip().replace(" ", "")
    if entry[:2].lower() == "ml":
        return "ML" + entry[2:].lower()
    if len(entry) >= 2 and entry[0].isdigit():
        return entry[0] + entry[1].upper() + entry[2:].lower()
    return entry


def _common_prefix(a: str, b: str) -> int:
    return sum(1 for _ in takewhile(lambda pair: pair[0] == pair[1], zip(a, b, strict=False)))


@dataclass(frozen=True)
class EntryCheck:
    """What the list version in force says of an entry: ``verified`` (listed), or accepted
    under ``ancestor`` whose sub-items the version does not hold, or refused (``error``)."""

    verified: bool
    ancestor: str = ""
    version: str = ""
    error: str | None = None


def _lists_for(regime: str) -> list[str]:
    return ["dual_use"] if regime == "dual_use" else ["military", "national"]


@dataclass(frozen=True)
class ControlListInForce:
    """The codes of the control list version in force for one regime's lists, read once for
    all the goods lines of a file (``reference`` is None while no list is loaded)."""

    reference: ReferenceList | None
    codes: tuple[str, ...] = ()
    partial: frozenset[str] = frozenset()


def control_list_in_force(regime: str) -> ControlListInForce:
    reference = ReferenceList.objects.filter(
        kind=ReferenceList.Kind.CONTROL_LIST, is_current=True
    ).first()
    if reference is None:
        return ControlListInForce(reference=None)
    rows = list(
        ControlListEntry.objects.filter(
            reference_list=reference, regime__in=_lists_for(regime)
        ).values_list("code", "subitems_complete")
    )
    return ControlListInForce(
        reference=reference,
        codes=tuple(code for code, _complete in rows),
        partial=frozenset(code for code, complete in rows if not complete),
    )


def control_entry_check(
    entry: str, regime: str, in_force: ControlListInForce | None = None
) -> EntryCheck:
    """``in_force``: ``control_list_in_force(regime)`` when the caller checks several entries."""
    entry = normalise_entry(entry or "")
    in_force = in_force if in_force is not None else control_list_in_force(regime)
    reference = in_force.reference
    if reference is None:
        return EntryCheck(verified=False)  # no list loaded yet: syntax is all that is checked
    codes = in_force.codes
    partial = in_force.partial
    known = set(codes)
    if entry in known:
        return EntryCheck(verified=True, ancestor=entry, version=reference.version)
    ancestor = entry.rpartition(".")[0]
    while ancestor and ancestor not in known:
        ancestor = ancestor.rpartition(".")[0]
    holds_subitems = (
        bool(ancestor)
        and ancestor not in partial
        and any(c.startswith(ancestor + ".") for c in known)
    )
    if ancestor and not holds_subitems:
        return EntryCheck(verified=False, ancestor=ancestor, version=reference.version)
    # Suggest first among the sub-items of the nearest listed entry, then among all: the codes
    # sharing the longest beginning with what was typed, then the most alike.
    pool = [c for c in codes if ancestor and c.startswith(ancestor + ".")] or codes
    closest = sorted(pool, key=lambda c: (-_common_prefix(c, entry), -fuzz.ratio(c, entry), c))[:3]
    return EntryCheck(
        verified=False,
        version=reference.version,
        error=_("“%(entry)s” is not in the control list %(version)s. Closest entries: %(closest)s.")
        % {"entry": entry, "version": reference.version, "closest": ", ".join(closest)},
    )


def annex_iv_holds(entry: str) -> bool:
    """Whether the current Annex IV lists ``entry`` or an entry above it: only those dual-use
    items need a licence to be transferred inside the Union (Reg. 2021/821, Art. 11)."""
    entry = normalise_entry(entry or "")
    codes = set(
        ControlListEntry.objects.filter(
            reference_list__kind=ReferenceList.Kind.CONTROL_LIST,
            reference_list__is_current=True,
            regime=ControlListEntry.Regime.ANNEX_IV,
        ).values_list("code", flat=True)
    )
    while entry:
        if entry in codes:
            return True
        entry = entry.rpartition(".")[0]
    return False
