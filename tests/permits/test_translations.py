"""The interface speaks French and Dutch: every string of the project catalogue is translated,
the committed catalogues are up to date with the code, and the compiled ``.mo`` files match.

To update after changing strings: ``.venv/bin/python locale/update_catalogues.py``, translate
the new entries in ``locale/{fr,nl}/LC_MESSAGES/django.po``, then run it again to compile.
"""

from __future__ import annotations

import ast
import gettext
import importlib.util
import shutil
import tempfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

ROOT = Path(settings.BASE_DIR)
LANGUAGES = ["fr", "nl"]


def catalogue(language: str, root: Path = ROOT) -> Path:
    return root / "locale" / language / "LC_MESSAGES" / "django.po"


def parse_po(path: Path) -> list[dict]:
    """Entries of a .po file: msgid, msgid_plural, msgstr (list of forms) and flags."""
    entries: list[dict] = []
    entry: dict = {}
    key = None

    def finish():
        if entry.get("msgid") is not None:
            entries.append(dict(entry))
        entry.clear()

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
            key = None
            continue
        if line.startswith("#,"):
            entry["flags"] = {f.strip() for f in line[2:].split(",")}
            continue
        if line.startswith("#"):
            continue
        if line.startswith('"'):
            value = ast.literal_eval(line)
            if key == "msgstr":
                entry["msgstr"][-1] += value
            else:
                entry[key] += value
            continue
        name, _, rest = line.partition(" ")
        value = ast.literal_eval(rest)
        if name.startswith("msgstr"):
            entry.setdefault("msgstr", []).append(value)
            key = "msgstr"
        else:
            entry[name] = value
            key = name
    finish()
    return [e for e in entries if e["msgid"]]  # without the header


def load_update_script():
    spec = importlib.util.spec_from_file_location(
        "update_catalogues", ROOT / "locale" / "update_catalogues.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_string_is_translated_and_none_is_fuzzy(language):
    entries = parse_po(catalogue(language))

    untranslated = [e["msgid"] for e in entries if not all(e.get("msgstr", [""]))]
    fuzzy = [e["msgid"] for e in entries if "fuzzy" in e.get("flags", set())]

    assert len(entries) > 300
    assert untranslated == [], f"untranslated in {language}: {untranslated}"
    assert fuzzy == [], f"fuzzy in {language}: {fuzzy}"


@pytest.mark.skipif(
    shutil.which("xgettext") is None,
    reason="needs GNU gettext (apt-get install gettext; CI has it)",
)
def test_committed_catalogues_hold_every_string_of_the_code():
    update = load_update_script()
    with tempfile.TemporaryDirectory() as tmp:
        copy = Path(tmp)
        update.copy_sources(copy)
        update.make_messages(copy, keep_existing=False)
        for language in LANGUAGES:
            in_code = {
                (e["msgid"], e.get("msgid_plural")) for e in parse_po(catalogue(language, copy))
            }
            committed = {(e["msgid"], e.get("msgid_plural")) for e in parse_po(catalogue(language))}
            missing = sorted(m for m, _plural in in_code - committed)
            assert missing == [], (
                f"strings of the code missing from locale/{language}: {missing}; run "
                ".venv/bin/python locale/update_catalogues.py and translate them"
            )


@pytest.mark.parametrize("language", LANGUAGES)
def test_compiled_catalogue_matches_the_po(language):
    po = catalogue(language)
    with po.with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)

    stale = []
    for entry in parse_po(po):
        if not all(entry.get("msgstr", [""])) or "fuzzy" in entry.get("flags", set()):
            continue  # reported by the test above; msgfmt leaves these out
        if "msgid_plural" in entry:
            got = [compiled.ngettext(entry["msgid"], entry["msgid_plural"], n) for n in (1, 5)]
            want = [entry["msgstr"][0], entry["msgstr"][-1]]
        else:
            got, want = compiled.gettext(entry["msgid"]), entry["msgstr"][0]
        if got != want:
            stale.append(entry["msgid"])
    assert stale == [], f"locale/{language} .mo is stale; recompile: {stale[:10]}"


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "heading", "status"),
    [
        ("fr", "Mes demandes", "Brouillon"),
        ("nl", "Mijn aanvragen", "Ontwerp"),
        ("en", "My applications", "Draft"),
    ],
)
def test_pages_speak_the_chosen_language(language, heading, status, organisation, applicant):
    from tests.factories import ApplicationFactory

    ApplicationFactory(organisation=organisation, created_by=applicant)
    client = Client()
    client.force_login(applicant)
    client.post(reverse("set_language"), {"language": language})

    response = client.get(reverse("permits:application_list"))

    assert response.status_code == 200
    assert f'<html lang="{language}">' in response.content.decode()
    assert heading in response.content.decode()
    assert status in response.content.decode()
