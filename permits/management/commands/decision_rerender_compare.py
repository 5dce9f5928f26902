"""Re-render decision documents from their stored render inputs and compare the unsigned bytes'
SHA-256 with the one stored when they were issued; exit 1 when one differs."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from documents.models import Document
from permits.decisions.generation import decision_rerender_compare


class Command(BaseCommand):
    help = (
        "Render decision documents again from their stored inputs and layout version and say "
        "whether the unsigned bytes hash to the stored SHA-256. Reads only."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "references",
            nargs="*",
            help="Reference numbers of the files (default: every decision document).",
        )

    def handle(self, *args, references: list[str], **options):
        documents = Document.objects.filter(kind=Document.Kind.DECISION).select_related(
            "application"
        )
        if references:
            documents = documents.filter(
                application__reference__in=[r.strip().upper() for r in references]
            )
        differing = 0
        for document in documents.order_by("pk").iterator(chunk_size=100):
            result = decision_rerender_compare(document=document)
            reference = document.application.reference
            if not result.rendered_sha256:
                self.stdout.write(f"NO INPUTS {reference}: issued before render inputs were kept")
            elif result.matches:
                self.stdout.write(f"SAME      {reference}: {result.stored_sha256}")
            else:
                differing += 1
                note = " (stored with another layout version)" if result.layout_changed else ""
                self.stdout.write(
                    f"DIFFERENT {reference}: stored {result.stored_sha256}, "
                    f"re-rendered {result.rendered_sha256}{note}"
                )
        if differing:
            raise CommandError(f"{differing} decision document(s) render differently.")
