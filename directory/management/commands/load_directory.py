"""``manage.py load_directory [FILE]``: load the directory's data file (idempotent)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from directory.datafile import (
    DEFAULT_DATA_FILE,
    DirectoryDataError,
    parse_directory_data,
    read_data_file,
)
from directory.services import directory_load


class Command(BaseCommand):
    help = "Load the directory of Brussels International from its data file; record changes."

    def add_arguments(self, parser):
        parser.add_argument("file", nargs="?", default=str(DEFAULT_DATA_FILE))

    def handle(self, *args, file: str, **options):
        try:
            document, sha256 = read_data_file(file)
            data = parse_directory_data(document)
        except FileNotFoundError as exc:
            raise CommandError(f"No such file: {file}") from exc
        except DirectoryDataError as exc:
            raise CommandError("\n".join(["The data file has errors:", *exc.errors])) from exc
        result = directory_load(data=data, file_name=file, sha256=sha256)
        if result.load is None:
            self.stdout.write("Directory unchanged.")
        else:
            load = result.load
            self.stdout.write(
                self.style.SUCCESS(
                    f"Directory loaded: {load.created} created, {load.updated} updated, "
                    f"{load.deleted} deleted."
                )
            )
            for change in load.changes.exclude(action="created"):
                self.stdout.write(f"  {change.action} {change.model} {change.key} {change.changes}")
        for username, role in result.roles.granted:
            self.stdout.write(f"  granted {role} to {username}")
        for username, role in result.roles.revoked:
            self.stdout.write(f"  revoked {role} from {username}")
