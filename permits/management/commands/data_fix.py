"""``manage.py data_fix REFERENCE --set field=value … --reason "…" --operator USERNAME [--commit]``

An operator's correction of a file, through the audited path (``permits.actions.data_fixes``):
a dry run that prints the diff unless ``--commit`` is given; committed, one ``data_fix`` history
event records the operator, the reason and each field changed.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from permits.actions.data_fixes import application_data_fix, data_fix_set
from permits.models import PermitApplication
from workflow.exceptions import TransitionError


class Command(BaseCommand):
    help = (
        "Correct an application's fields, goods lines (goods.<id>.<field>) or parties "
        "(parties.<id>.<field>) with a reason, recorded in its history. A dry run that prints "
        "the changes unless --commit is given."
    )

    def add_arguments(self, parser):
        parser.add_argument("reference", help="the application's reference number")
        parser.add_argument(
            "--set",
            dest="assignments",
            action="append",
            default=[],
            metavar="FIELD=VALUE",
            help="a field to set, e.g. end_use_statement=… or goods.12.quantity=40 (repeatable)",
        )
        parser.add_argument("--reason", default="", help="why the data is corrected (required)")
        parser.add_argument("--operator", default="", help="username of the operator (required)")
        parser.add_argument(
            "--commit", action="store_true", help="store the correction (default: dry run)"
        )

    def handle(self, *args, reference, assignments, reason, operator, commit, **options):
        assigned = {}
        for item in assignments:
            name, sep, value = item.partition("=")
            if not sep or not name.strip():
                raise CommandError(f"--set takes FIELD=VALUE, not {item!r}.")
            assigned[name.strip()] = value
        if not assigned:
            raise CommandError("Nothing to set: give at least one --set FIELD=VALUE.")
        user = get_user_model().objects.filter(username=operator).first() if operator else None
        if operator and user is None:
            raise CommandError(f"No user {operator!r}.")
        try:
            application = PermitApplication.objects.get(reference=reference)
        except PermitApplication.DoesNotExist as exc:
            raise CommandError(f"No application {reference!r}.") from exc
        try:
            with application_data_fix(
                application=application, operator=user, reason=reason, commit=commit
            ) as fix:
                data_fix_set(fix=fix, assignments=assigned, operator=user)
        except TransitionError as exc:
            raise CommandError(str(exc.message)) from exc
        for change in fix.changes:
            self.stdout.write(f"{change['field']}: {change['old']!r} → {change['new']!r}")
        if not fix.changes:
            self.stdout.write("Nothing changed.")
        elif commit:
            self.stdout.write(
                self.style.SUCCESS(f"Stored: history record #{fix.record.pk} of {reference}.")
            )
        else:
            self.stdout.write("Dry run: nothing was stored. Run again with --commit to store.")
