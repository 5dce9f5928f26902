from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from permits.compliance.models import ReferenceList
from permits.compliance.reference import ReferenceDataError, loaded_counts, reference_list_load


class Command(BaseCommand):
    help = (
        "Load the control lists, embargoes and denial notices from permits/data/ (or the files "
        "given) as new current versions. Loading the same version again changes nothing."
    )

    def add_arguments(self, parser):
        parser.add_argument("--kind", choices=ReferenceList.Kind.values, action="append")
        parser.add_argument("--file", type=Path, help="data file (with a single --kind)")

    def handle(self, *args, kind=None, file=None, **options):
        kinds = kind or ReferenceList.Kind.values
        if file and len(kinds) != 1:
            raise CommandError("--file needs exactly one --kind.")
        for name in kinds:
            try:
                reference_list, created = reference_list_load(kind=name, path=file)
            except ReferenceDataError as exc:
                raise CommandError(str(exc)) from exc
            state = "loaded" if created else "already loaded"
            counts = ", ".join(
                f"{key}: {n} entries" for key, n in loaded_counts(reference_list).items()
            )
            self.stdout.write(f"{reference_list}: {state}, current ({counts}).")
