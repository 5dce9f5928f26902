"""Stale reference data: a list past its review date, or an embargo past its recorded end
with no newer list loaded, raises a warning for staff and a daily e-mail to the heads."""

from __future__ import annotations

from datetime import date

import pytest
import yaml
from django.core import mail
from django.urls import reverse

from permits import actions
from permits.compliance.freshness import stale_reference_warnings
from permits.compliance.reference import reference_list_load

pytestmark = pytest.mark.django_db


def load_embargoes(tmp_path, version, published_on, rows, **extra):
    data = {"version": version, "published_on": published_on, "source": "test", **extra}
    path = tmp_path / f"embargoes-{version}.yaml"
    path.write_text(yaml.safe_dump({**data, "embargoes": rows}))
    return reference_list_load(kind="embargoes", path=path)[0]


VENEZUELA = {
    "country": "VE",
    "scope": "full",
    "legal_act": "Decision 2017/2074",
    "starts_on": date(2017, 11, 13),
    "ends_on": date(2026, 1, 10),
}


def test_a_list_past_its_review_date_raises_the_warning(tmp_path):
    load_embargoes(tmp_path, "E1", date(2025, 6, 1), [], review_on=date(2026, 1, 1))

    warnings = stale_reference_warnings(today=date(2026, 1, 2))

    assert [(w.kind, w.version) for w in warnings] == [("list_review", "E1")]
    assert "due for review" in warnings[0].text


def test_a_list_not_yet_due_raises_nothing(tmp_path):
    load_embargoes(tmp_path, "E1", date(2025, 6, 1), [], review_on=date(2026, 1, 1))

    assert stale_reference_warnings(today=date(2026, 1, 1)) == []


def test_an_embargo_past_its_end_with_no_newer_list_raises_the_warning(tmp_path):
    load_embargoes(tmp_path, "E1", date(2025, 6, 1), [VENEZUELA])

    warnings = stale_reference_warnings(today=date(2026, 1, 11))

    assert [(w.kind, w.country) for w in warnings] == [("embargo_ended", "VE")]


def test_a_newer_list_loaded_after_the_end_silences_the_embargo_warning(tmp_path):
    load_embargoes(tmp_path, "E2", date(2026, 1, 15), [VENEZUELA])

    assert stale_reference_warnings(today=date(2026, 1, 20)) == []


def test_the_heads_get_one_e_mail_a_day_and_staff_see_the_warning(
    tmp_path, head, client, django_capture_on_commit_callbacks
):
    load_embargoes(tmp_path, "E1", date(2025, 6, 1), [], review_on=date(2020, 1, 1))

    with django_capture_on_commit_callbacks(execute=True):
        assert actions.reference_freshness_notify(today=date(2026, 3, 2)) == 1
        actions.reference_freshness_notify(today=date(2026, 3, 2))

    assert [m.to for m in mail.outbox] == [[head.email]]
    client.force_login(head)
    page = client.get(reverse("permits:approvals"))
    assert "data-reference-warnings" in page.content.decode()
