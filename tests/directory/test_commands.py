"""``manage.py load_directory``."""

from __future__ import annotations

from io import StringIO

import pytest
import yaml
from django.core.management import CommandError, call_command

from directory.models import DirectoryChange, DirectoryLoad, Person

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = StringIO()
    call_command("load_directory", *args, stdout=out)
    return out.getvalue()


def test_load_directory_loads_the_repository_data_file():
    output = _run()
    assert "Directory loaded:" in output
    assert Person.objects.filter(full_name="Aldo Alu", phone="02/800 37 27").exists()
    assert DirectoryLoad.objects.get().sha256


def test_running_load_directory_twice_says_nothing_changed():
    _run()
    assert _run().startswith("Directory unchanged.")
    assert DirectoryLoad.objects.count() == 1


def test_load_directory_reports_each_update_of_a_changed_file(tmp_path, document):
    _run()
    document["units"]["permits"]["name_fr"] = "Cellule Licences"
    changed = tmp_path / "directory.yaml"
    changed.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    output = _run(str(changed))

    assert "0 created, 1 updated, 0 deleted" in output
    assert "updated unit permits" in output
    assert DirectoryChange.objects.filter(action="updated").get().changes == {
        "name_fr": ["Licences", "Cellule Licences"]
    }


def test_load_directory_lists_the_errors_of_a_bad_file_and_loads_nothing(tmp_path, document):
    document["people"]["aldo-alu"]["positions"][0]["unit"] = "nowhere"
    bad = tmp_path / "bad.yaml"
    bad.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")

    with pytest.raises(CommandError, match="unknown unit 'nowhere'"):
        _run(str(bad))
    assert not Person.objects.exists()


def test_load_directory_refuses_a_missing_file(tmp_path):
    with pytest.raises(CommandError, match="No such file"):
        _run(str(tmp_path / "missing.yaml"))
