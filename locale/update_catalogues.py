"""Bring the project's French and Dutch catalogues up to date with the code, and compile them.

    .venv/bin/python locale/update_catalogues.py

Sources: the project's apps, config and templates (the directory app and its
templates have their own catalogue in ``directory/locale``). ``makemessages`` runs on a copy of
those sources so that no other app's catalogue is touched; new strings arrive with an empty
``msgstr`` (translate them, then run this again to compile). ``tests/permits/test_translations``
fails while a string is missing, empty or fuzzy.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SOURCES = [
    "config",
    "permits",
    "workflow",
    "accounts",
    "documents",
    "outbox",
    "audit",
    "templates",
    "manage.py",
]
IGNORED = ["templates/directory", "__pycache__"]
LANGUAGES = ["fr", "nl"]
MAKEMESSAGES = ["makemessages", "--no-location", "--no-obsolete", "--no-wrap"]


def language_options() -> list[str]:
    return [option for language in LANGUAGES for option in ("-l", language)]


def copy_sources(target: Path) -> None:
    for name in SOURCES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(
                source,
                target / name,
                ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "locale"),
            )
        else:
            shutil.copy2(source, target / name)
    for ignored in IGNORED:
        shutil.rmtree(target / ignored, ignore_errors=True)


def make_messages(target: Path, *, keep_existing: bool = True) -> None:
    """Run makemessages in ``target`` (a copy made by ``copy_sources``)."""
    locale = target / "locale"
    if keep_existing:
        for language in LANGUAGES:
            po = ROOT / "locale" / language / "LC_MESSAGES" / "django.po"
            if po.exists():
                (locale / language / "LC_MESSAGES").mkdir(parents=True, exist_ok=True)
                shutil.copy2(po, locale / language / "LC_MESSAGES" / "django.po")
    locale.mkdir(exist_ok=True)
    args = [sys.executable, "manage.py", *MAKEMESSAGES, *language_options()]
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        args,
        cwd=target,
        check=True,
        capture_output=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        target = Path(tmp)
        copy_sources(target)
        make_messages(target)
        for language in LANGUAGES:
            destination = ROOT / "locale" / language / "LC_MESSAGES"
            destination.mkdir(parents=True, exist_ok=True)
            shutil.copy2(target / "locale" / language / "LC_MESSAGES" / "django.po", destination)
    # Run from inside locale/, compilemessages compiles only this folder (LOCALE_PATHS).
    subprocess.run(  # noqa: S603 - our own interpreter and manage.py
        [sys.executable, str(ROOT / "manage.py"), "compilemessages", *language_options()],
        cwd=ROOT / "locale",
        check=True,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings.test"},
    )
    print("Catalogues updated and compiled:", ", ".join(LANGUAGES))


if __name__ == "__main__":
    main()
