"""TEMPORARY stand-in for the integrator's ``workflow.chain`` (issue 13): the agreed signature
only, so that the exports can state a chain head before the real module lands on main. Merging
main replaces this file with the real one."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone


@dataclass(frozen=True)
class ChainHead:
    record_id: int | None
    record_hash: str
    taken_at: datetime

    @property
    def label(self) -> str:
        if self.record_id is None:
            return "empty chain"
        return f"record #{self.record_id} sha256:{self.record_hash[:12]}…"


def chain_head() -> ChainHead:
    from workflow.models import TransitionRecord

    last = TransitionRecord.objects.order_by("-id").values_list("id", flat=True).first()
    return ChainHead(record_id=last, record_hash="", taken_at=timezone.now())
