"""Re-hash every stored file against its record and look for orphan files; exit 1 when a file
is broken (swapped or missing) or an orphan is past its grace period, naming each."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from permits.actions.integrity import stored_files_verify


class Command(BaseCommand):
    help = (
        "Check every stored document and decision PDF against its recorded SHA-256, report "
        "broken files to the auditors and remove orphan files older than "
        "DOCUMENTS_ORPHAN_GRACE_MINUTES. --dry-run reports only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Report only: record nothing, alert nobody, remove nothing.",
        )
        parser.add_argument("--batch-size", type=int, default=None)

    def handle(self, *args, dry_run: bool = False, batch_size: int | None = None, **options):
        report = stored_files_verify(dry_run=dry_run, batch_size=batch_size)
        for failure in report.broken:
            document = failure.document
            self.stdout.write(
                f"BROKEN {failure.reason}: {document.file.name} (document {document.public_id}, "
                f"{document.application.reference or document.application.url_key}) recorded "
                f"{failure.expected_sha256} found {failure.found_sha256 or '-'}"
            )
        for name in report.orphans_removed:
            self.stdout.write(f"ORPHAN removed: {name}")
        for name in report.orphans_left:
            self.stdout.write(f"ORPHAN (dry run, not removed): {name}")
        for name in report.orphans_young:
            self.stdout.write(f"ORPHAN within its grace period, left alone: {name}")
        self.stdout.write(
            f"{report.checked} stored files checked, {len(report.broken)} broken, "
            f"{len(report.orphans_removed) + len(report.orphans_left)} orphans."
        )
        if not report.clean:
            raise CommandError("Stored files failed verification; see above.")
