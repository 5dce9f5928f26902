"""Checks of the evidence auditors rely on, and who is told when one fails."""

from __future__ import annotations

from dataclasses import dataclass, field
from itertools import islice

from django.utils.translation import gettext as _

from workflow.chain import ChainBreak, ChainHead, chain_head, history_breaks

from .alerts import auditors_alert

# How many breaks a check reports in full (the first one is what an auditor starts from).
REPORTED_BREAKS = 50


@dataclass
class HistoryCheck:
    # The system's chain head, stated by the whole check only (one file's check needs none).
    head: ChainHead | None
    breaks: list[ChainBreak] = field(default_factory=list)

    @property
    def intact(self) -> bool:
        return not self.breaks

    @property
    def first_break(self) -> ChainBreak | None:
        return self.breaks[0] if self.breaks else None


def history_check(*, application_id: int | None = None) -> HistoryCheck:
    """Walk the chains (one file's, or all) and collect the first breaks found. The head over
    every file is taken only for the whole check: a file's page must not scan the Region's."""
    head = chain_head() if application_id is None else None
    breaks = list(islice(history_breaks(application_id=application_id), REPORTED_BREAKS))
    return HistoryCheck(head=head, breaks=breaks)


def history_check_and_alert() -> HistoryCheck:
    """The daily check: a break is logged and e-mailed to the auditors, once per first break."""
    check = history_check()
    first = check.first_break
    if first is not None:
        subject = _("The history's hash chain is broken at record #%(id)s") % {
            "id": first.record_id
        }
        body = "\n".join(
            [
                "verify_history found a history record that no longer matches the chain:",
                "",
                *(str(found) for found in check.breaks),
                "",
                f"Chain head when checked: {check.head.label}",
                "Run `manage.py verify_history` to see it again.",
            ]
        )
        auditors_alert(subject=subject, body=body, key=f"history_chain:{first.record_id}")
    return check
