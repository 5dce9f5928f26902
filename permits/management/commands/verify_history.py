"""Walk the history's hash chains and name the first record that breaks them."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from permits.evidence import history_check, history_check_and_alert


class Command(BaseCommand):
    help = (
        "Verify every history record against its file's hash chain. Exits with status 1 and "
        "names the first broken record when the history was altered, forged or cut."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--application", type=int, help="Only this application's chain (its database id)."
        )
        parser.add_argument(
            "--alert",
            action="store_true",
            help="Also log and e-mail the auditors on a break (what the daily check does).",
        )

    def handle(self, *args, application=None, alert=False, **options):
        if alert and application is None:
            check = history_check_and_alert()
        else:
            check = history_check(application_id=application)
        scope = f"Head: {check.head.label}" if check.head else f"Application {application}."
        if check.intact:
            self.stdout.write(self.style.SUCCESS(f"History chain intact. {scope}"))
            return
        self.stderr.write(f"FIRST BROKEN RECORD: {check.first_break}")
        for found in check.breaks[1:]:
            self.stderr.write(f"  also: {found}")
        raise CommandError(
            f"History chain broken at record #{check.first_break.record_id} "
            f"({len(check.breaks)} break(s) reported). {scope}"
        )
