"""One annual report, made: its figures computed, rendered in a language and a format, with
its provenance (when, by whom, the history chain head). The page and ``manage.py
annual_report`` both call ``annual_report``."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils import timezone, translation

from config.db_router import bulk_reads
from workflow.chain import chain_head

from .csv_rendering import render_csv
from .figures import REPORTS, Progress, quiet
from .pdf_rendering import render_pdf
from .texts import Provenance

CONTENT_TYPES = {"pdf": "application/pdf", "csv": "text/csv; charset=utf-8"}
FILE_NAMES = {"coarm": "coarm", "dual_use": "dual-use", "parliament": "parliament"}


@dataclass(frozen=True)
class MadeReport:
    content: bytes
    filename: str
    content_type: str
    provenance: Provenance


def annual_report(
    *,
    year: int,
    kind: str,
    fmt: str,
    language: str,
    made_by: str,
    progress: Progress = quiet,
) -> MadeReport:
    """The ``kind`` report (coarm, dual_use, parliament) of ``year`` as ``fmt`` (pdf, csv) in
    ``language``. The chain head is taken before the figures, so the report states the last
    history record that can have been counted."""
    # Counting a year of decisions reads a lot and writes nothing: on the replica when there
    # is one (config.db_router).
    with bulk_reads():
        head = chain_head()
        made_at = timezone.now()
        with translation.override(language):
            figures = REPORTS[kind](year=year, progress=progress)
    with translation.override(language):
        provenance = Provenance(made_at=made_at, made_by=made_by, chain_head=head.label)
        progress("rendering")
        render = render_pdf if fmt == "pdf" else render_csv
        content = render(kind, figures, language=language, provenance=provenance)
    return MadeReport(
        content=content,
        filename=f"annual-report-{FILE_NAMES[kind]}-{year}-{language}.{fmt}",
        content_type=CONTENT_TYPES[fmt],
        provenance=provenance,
    )
