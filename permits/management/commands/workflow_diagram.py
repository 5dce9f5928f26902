import shutil
import subprocess
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand

from permits.models import PermitApplication
from workflow import diagram


class Command(BaseCommand):
    help = (
        "Print the permit state machine as Mermaid (default) or DOT; with --write, also refresh "
        "docs/state-diagram.dot and, when Graphviz is installed, docs/state-diagram.svg."
    )

    def add_arguments(self, parser):
        parser.add_argument("--format", choices=["mermaid", "dot"], default="mermaid")
        parser.add_argument("--write", action="store_true")

    def handle(self, *args, format, write, **options):
        text = (
            diagram.mermaid(PermitApplication)
            if format == "mermaid"
            else diagram.dot(PermitApplication)
        )
        self.stdout.write(text, ending="")
        if write:
            docs = Path(settings.BASE_DIR) / "docs"
            docs.mkdir(exist_ok=True)
            dot_path = docs / "state-diagram.dot"
            dot_path.write_text(diagram.dot(PermitApplication))
            if shutil.which("dot"):
                subprocess.run(  # noqa: S603 - fixed arguments, no user input
                    ["dot", "-Tsvg", str(dot_path), "-o", str(docs / "state-diagram.svg")],  # noqa: S607
                    check=True,
                )
