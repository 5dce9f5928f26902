"""Control lists as versioned trees: strict codes, sub-items not verified, the importer of the
official text layout, and what loading reports."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import pytest
import yaml
from django.core.management import call_command

from permits import actions
from permits.compliance.importer import parse_official_text
from permits.compliance.models import ControlListEntry
from permits.compliance.reference import reference_list_load
from permits.control_lists import control_entry_check, control_entry_error
from tests.factories import ApplicationFactory, GoodsItemFactory

pytestmark = pytest.mark.django_db

EXCERPT = Path(__file__).parent / "data" / "official_layout_excerpt.txt"


@pytest.fixture
def shipped_lists(db):
    return reference_list_load(kind="control_list")[0]


@pytest.mark.parametrize(
    ("entry", "regime"),
    [
        ("1C011", "dual_use"),
        ("1C450.a.4", "dual_use"),
        ("0C001", "dual_use"),
        ("1A008", "dual_use"),
        ("6A008", "dual_use"),
        ("9E103", "dual_use"),
        ("ML8.a.1", "military"),
        ("ML10.c", "military"),
    ],
)
def test_real_entries_are_accepted_as_listed(shipped_lists, entry, regime):
    check = control_entry_check(entry, regime)

    assert control_entry_error(entry, regime) is None
    assert check.verified


def test_an_invented_sub_item_under_a_fully_listed_entry_is_refused_with_suggestions(
    shipped_lists,
):
    error = control_entry_error("ML1.z", "military")

    assert "ML1.z" in error
    assert "ML1.a" in error and "ML1.b" in error


def test_a_deeper_sub_item_the_version_does_not_hold_is_accepted_as_not_verified(shipped_lists):
    check = control_entry_check("ML8.a.30", "military")

    assert control_entry_error("ML8.a.30", "military") is None
    assert (check.verified, check.ancestor) == (False, "ML8.a")


def test_a_sub_item_not_verified_is_shown_to_the_case_manager(
    shipped_lists, organisation, applicant
):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)
    application.goods.all().delete()
    GoodsItemFactory(application=application, control_entry="ML8.a.30")

    run = actions.application_screen(application=application, occasion="manual")

    flag = run.flags.get(kind="control_list")
    assert flag.severity == "warning"
    assert flag.details["verified_up_to"] == "ML8.a"
    assert "not verified" in flag.explanation


def test_entries_know_their_parent_title_and_source(shipped_lists):
    entry = ControlListEntry.objects.get(reference_list=shipped_lists, code="ML8.a.1")

    assert entry.parent.code == "ML8.a"
    assert entry.parent.parent.code == "ML8"
    assert entry.title_fr and entry.title
    assert "Common Military List" in entry.source


def test_the_importer_reads_the_official_layout_and_skips_notes():
    codes = [e.code for e in parse_official_text(EXCERPT.read_text(encoding="utf-8"))]

    assert codes[:9] == [
        "ML1",
        "ML1.a",
        "ML1.b",
        "ML1.b.1",
        "ML1.b.2",
        "ML1.b.2.a",
        "ML1.b.2.b",
        "ML1.c",
        "ML1.d",
    ]
    assert "ML8.b" in codes and "ML8.a.3" not in codes
    assert "1C450.a.4" in codes and "1C450.b.1" in codes


def test_an_imported_list_loads_and_validates(tmp_path, capsys):
    out = tmp_path / "imported.yaml"
    call_command(
        "import_control_list",
        str(EXCERPT),
        regime="dual_use",
        source="excerpt",
        out=out,
        stderr=StringIO(),
    )
    data = yaml.safe_load(out.read_text(encoding="utf-8"))
    data.update(version="IMPORTED", published_on="2026-01-01", source="excerpt")
    out.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")

    reference_list_load(kind="control_list", path=out)

    assert control_entry_check("1C450.a.4", "dual_use").verified
    assert control_entry_error("1C450.a.9", "dual_use")


def test_loading_reports_how_many_entries_each_list_holds(db):
    output = StringIO()

    call_command("load_reference_data", kind=["control_list"], stdout=output)

    text = output.getvalue()
    assert "military: 170 entries" in text
    assert "dual_use: 394 entries" in text
    assert "annex_iv: " in text
