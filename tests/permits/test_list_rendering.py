"""What the lists render once and keep (issue 14: CPU per request) is what they rendered before:
the filter form as opened, the status badges and the links to the case pages, byte for byte,
in the reader's language, and a change to the choices read from the database shows at once."""

from __future__ import annotations

import pytest
from django import forms
from django.contrib.auth.models import Group
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from permits import filters
from permits.models import PermitApplication, Status
from permits.templatetags.permit_tags import case_url, field_row, status_badge
from tests.factories import UserFactory
from tests.permits.test_web import client_for
from workflow.roles import Role

pytestmark = pytest.mark.django_db


def fresh(filterset_class, keep=None) -> str:
    filterset = filterset_class(None, queryset=PermitApplication.objects.all())
    return render_to_string("permits/_filters.html", {"filter": filterset, "keep": keep})


@pytest.mark.parametrize(
    ("filterset_class", "keep"),
    [(filters.AuditFilter, None), (filters.QueueFilter, [("queue", "mine")])],
)
@pytest.mark.parametrize("language", ["fr", "nl", "en"])
def test_the_opened_form_is_what_the_template_renders(filterset_class, keep, language):
    filterset = filterset_class(None, queryset=PermitApplication.objects.all())
    with translation.override(language):
        kept = filters.opened_form(filterset, keep=keep)
        again = filters.opened_form(filterset, keep=keep)
        expected = fresh(filterset_class, keep)

    assert kept == again == expected


def test_a_form_given_a_filter_is_rendered_afresh():
    given = filters.AuditFilter({"status": "issued"}, queryset=PermitApplication.objects.all())
    only_kept = filters.QueueFilter({"queue": "mine"}, queryset=PermitApplication.objects.all())

    assert filters.opened_form(given) is None
    assert filters.opened_form(only_kept, keep=[("queue", "mine")]) is not None


def test_a_new_case_manager_shows_in_the_opened_form_at_once():
    def opened():
        filterset = filters.AuditFilter(None, queryset=PermitApplication.objects.all())
        with translation.override("en"):
            return filters.opened_form(filterset)

    before = opened()
    newcomer = UserFactory(first_name="Zoë", last_name="Nieuwkomer")
    newcomer.groups.add(Group.objects.get(name=Role.CASE_MANAGER))

    assert "Nieuwkomer" not in before
    assert "Nieuwkomer" in opened()
    newcomer.last_name = "Hernoemd"
    newcomer.save()
    assert "Hernoemd" in opened()


def test_the_search_page_shows_the_same_form_opened_and_filtered(auditor):
    client = client_for(auditor)
    opened = client.get(reverse("permits:search")).content.decode()
    filtered = client.get(reverse("permits:search"), {"status": "issued"}).content.decode()

    assert 'name="case_manager"' in opened and 'name="organisation"' in opened
    assert '<option value="issued" selected>' in filtered
    assert '<option value="issued" selected>' not in opened


@pytest.mark.parametrize("language", ["fr", "nl", "en"])
@pytest.mark.parametrize("status", [*Status.values, "not-a-status", '"><b>'])
def test_the_status_badge_is_the_template_it_replaced(language, status):
    with translation.override(language):
        label = Status(status).label if status in Status.values else status
        expected = render_to_string("permits/_status.html", {"status": status, "label": label})
        assert status_badge(status) == status_badge(status) == expected


@pytest.mark.parametrize(
    "key", ["BXL-ML-EXP-2026-000001", "0b6f1c9e-3d1a-4b8e-9a51-2f0c7d1e5a10", "odd key é?"]
)
def test_case_urls_are_the_resolver_s(key):
    class File:
        url_key = key

    assert case_url(File()) == case_url(File()) == reverse("permits:application_detail", args=[key])


@pytest.mark.parametrize("name", ["case_manager", "approver"])
@pytest.mark.parametrize("value", [None, "", "1", "999999", '"><b>'])
def test_the_people_lists_are_what_django_renders(name, value, case_manager, head):
    data = {} if value is None else {name: value}
    if value == "1":
        data[name] = str(case_manager.pk if name == "case_manager" else head.pk)

    def bound():
        filterset = filters.AuditFilter(data, queryset=PermitApplication.objects.none())
        return filterset.form[name]

    with translation.override("fr"):
        kept, again = str(bound()), str(bound())
        field = bound()
        expected = str(field.as_widget(widget=forms.Select(choices=field.field.choices)))

    assert kept == again == expected
    if value == "1":
        assert " selected>" in kept


def test_a_renamed_case_manager_shows_in_a_filtered_search_at_once(case_manager):
    def rendered():
        filterset = filters.AuditFilter(
            {"status": "issued"}, queryset=PermitApplication.objects.none()
        )
        return str(filterset.form["case_manager"])

    before = rendered()
    case_manager.last_name = "Hernoemd"
    case_manager.save()

    assert "Hernoemd" not in before and "Hernoemd" in rendered()


def _forms_with_every_case():
    """Forms the lists and the case page render field by field: optional and required fields,
    help texts, choices, files; unbound, and bound with errors."""
    from permits.forms import TRANSITION_FORMS

    for name, form_class in TRANSITION_FORMS.items():
        if name == "propose_decision":
            continue  # needs a file; its fields are covered by the others' kinds
        yield name, form_class()
        yield f"{name} (errors)", form_class({"comment": "<b>x</b>", "message": ""})
    yield (
        "search",
        filters.AuditFilter(
            {"value_min": "-1", "entry": "<x>"}, queryset=PermitApplication.objects.none()
        ).form,
    )
    yield "queue", filters.QueueFilter(None, queryset=PermitApplication.objects.none()).form


@pytest.mark.parametrize("language", ["fr", "en"])
def test_field_rows_are_what_the_field_template_renders(language):
    with translation.override(language):
        for _name, form in _forms_with_every_case():
            form.is_bound and form.is_valid()
            for field in form:
                expected = render_to_string("permits/_field.html", {"field": field})
                assert field_row(field) == expected, (_name, field.name)


def test_the_queue_s_sort_order_is_its_own_after_a_search(case_manager, auditor):
    """Two fixed lists of one name (``o``) are kept apart: the queue never shows the search's
    sort orders, whichever page a process renders first."""
    client_for(auditor).get(reverse("permits:search"), {"status": "issued"})

    queue = client_for(case_manager).get(reverse("permits:queue"), {"age": "7"})

    html = queue.content.decode()
    assert '<option value="due">' in html
    assert '<option value="updated">' not in html
