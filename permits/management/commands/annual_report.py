"""Write an annual report to a file:

    manage.py annual_report --year 2026 --kind coarm --format pdf --language fr -o coarm.pdf

Progress goes to stderr, one line per step; the file is written only once the report is made.
"""

from __future__ import annotations

import getpass
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from permits.reports.build import annual_report
from permits.reports.texts import FORMATS, KINDS, LANGUAGES


class Command(BaseCommand):
    help = "Write the annual report (COARM, dual-use or Parliament) of a year as PDF or CSV."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, default=timezone.localdate().year - 1)
        parser.add_argument("--kind", choices=KINDS, required=True)
        parser.add_argument("--format", dest="fmt", choices=FORMATS, default="pdf")
        parser.add_argument("--language", choices=LANGUAGES, default="fr")
        parser.add_argument("-o", "--output", required=True, help="The file to write.")
        parser.add_argument(
            "--by",
            default="",
            help="Who makes the report, as it is printed on it (default: the system user).",
        )

    def handle(self, *args, year, kind, fmt, language, output, by, **options):
        if not 2000 <= year <= 2100:
            raise CommandError(f"{year} is not a year this system can report on.")
        made_by = by or f"manage.py annual_report ({getpass.getuser()})"

        def progress(step: str) -> None:
            self.stderr.write(f"annual_report {kind} {year}: {step}…")

        report = annual_report(
            year=year, kind=kind, fmt=fmt, language=language, made_by=made_by, progress=progress
        )
        Path(output).write_bytes(report.content)
        self.stderr.write(
            f"annual_report {kind} {year}: {len(report.content)} bytes written to {output} "
            f"({report.provenance.chain_head})."
        )
