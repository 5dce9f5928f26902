from pathlib import Path

import yaml
from django.core.management.base import BaseCommand

from permits.compliance.importer import parse_official_text


class Command(BaseCommand):
    help = (
        "Read a control list in the layout of its official text (entries such as 1A001 or ML8, "
        "sub-items a., b., 1., 2.) and write its entries as a block for permits/data/ "
        "(lists: {REGIME: …}). Review the result, then load it with load_reference_data."
    )

    def add_arguments(self, parser):
        parser.add_argument("text", type=Path, help="the official text, as plain text")
        parser.add_argument("--regime", required=True, help="military, dual_use, annex_iv…")
        parser.add_argument("--language", default="en", choices=["en", "fr", "nl"])
        parser.add_argument("--source", required=True, help="where the text comes from")
        parser.add_argument("--out", type=Path, help="YAML file to write (default: stdout)")

    def handle(self, *args, text, regime, language, source, out=None, **options):
        entries = parse_official_text(text.read_text(encoding="utf-8"))
        block = {
            "lists": {
                regime: {
                    "source": source,
                    "entries": {e.code: {language: e.title} for e in entries},
                }
            }
        }
        dumped = yaml.safe_dump(block, allow_unicode=True, sort_keys=False, width=100)
        if out:
            out.write_text(dumped, encoding="utf-8")
        else:
            self.stdout.write(dumped)
        self.stderr.write(f"{len(entries)} entries read for {regime}.")
