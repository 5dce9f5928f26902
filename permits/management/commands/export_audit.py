"""``manage.py export_audit``: the search page's audit exports from the command line, by the
same generator (``permits.exports``), to standard output or a file."""

from __future__ import annotations

import getpass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.http import QueryDict

from permits import exports, filters, rules, selectors


class Command(BaseCommand):
    help = (
        "Export the applications, decisions per goods line or history records of the files "
        "an auditor's filter selects, as CSV or JSON Lines, streamed with constant memory. "
        "Filters are the search page's: --filter kind=export --filter decided_after=2026-01-01."
    )

    def add_arguments(self, parser):
        parser.add_argument("--dataset", required=True, choices=exports.DATASETS)
        parser.add_argument("--format", required=True, choices=exports.FORMATS)
        parser.add_argument(
            "--filter",
            action="append",
            default=[],
            metavar="KEY=VALUE",
            help="a filter of the auditors' search; repeat for several",
        )
        parser.add_argument(
            "--user",
            help="export as this auditor or head of unit (named in the header); "
            "default: the operator, who reads what an auditor reads",
        )
        parser.add_argument("--out", type=Path, help="file to write (default: standard output)")

    def handle(self, *args, dataset, format, filter, user=None, out=None, **options):
        data = QueryDict(mutable=True)
        known = set(filters.AuditFilter.base_filters) - {"o"}
        for item in filter:
            key, sep, value = item.partition("=")
            if not sep or key not in known:
                raise CommandError(
                    f"--filter {item!r}: give KEY=VALUE with KEY one of {', '.join(sorted(known))}."
                )
            data.appendlist(key, value)
        if user:
            account = get_user_model().objects.filter(username=user, is_active=True).first()
            if account is None or not rules.can_export_audit(account):
                raise CommandError(
                    f"--user {user}: no active auditor or head of unit by that name."
                )
            applications = selectors.audit_list(user=account)
            exporter = account.get_username()
        else:
            applications = selectors.operator_audit_list()
            exporter = f"{getpass.getuser()} (manage.py export_audit)"
        filterset = filters.AuditFilter(data, queryset=applications)
        if not filterset.is_valid():
            problems = "; ".join(
                f"{name}: {' '.join(errors)}" for name, errors in filterset.errors.items()
            )
            raise CommandError(f"Nothing exported, the filter is not valid: {problems}")
        request = exports.ExportRequest(
            dataset=dataset,
            format=format,
            exporter=exporter,
            filter=filters.filter_record(filterset),
        )
        chunks = exports.export_chunks(request, applications=filterset.qs)
        if out:
            with out.open("w", encoding="utf-8", newline="") as handle:
                for chunk in chunks:
                    handle.write(chunk)
        else:
            for chunk in chunks:
                self.stdout.write(chunk, ending="")
            self.stdout.flush()
