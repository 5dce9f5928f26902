"""No silent edits: decided files are read-only in the admin, for superusers too; a change the
admin still allows needs a reason and is written to the file's history with each field changed."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from permits.models import ApplicantOrganisation, GoodsItem, Party, PermitApplication
from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return UserFactory(username="root", is_staff=True, is_superuser=True)


@pytest.fixture
def root(superuser):
    client = Client()
    client.force_login(superuser)
    return client


@pytest.fixture
def walk(organisation, applicant, case_manager, head):
    def to(state):
        return advance(
            ApplicationFactory(
                organisation=organisation, created_by=applicant, end_use_statement="Border patrol."
            ),
            state,
            applicant=applicant,
            case_manager=case_manager,
            head=head,
        )

    return to


def _value(bound):
    value = bound.value()
    if value is None:
        return ""
    if isinstance(value, bool):
        return "on" if value else ""
    if isinstance(value, (list, tuple)):
        return [str(v) for v in value]
    return str(value)


def _form_data(form) -> dict:
    return {
        form.add_prefix(name): _value(form[name])
        for name in form.fields
        if not (isinstance(form[name].value(), bool) and not form[name].value())
    }


def change_form_data(response) -> dict:
    """What the admin's change form would post back unchanged."""
    data = _form_data(response.context["adminform"].form)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        data.update(_form_data(formset.management_form))
        for form in formset.forms:
            data.update(_form_data(form))
    return data


def _url(application) -> str:
    return f"/admin/permits/permitapplication/{application.pk}/change/"


@pytest.mark.parametrize("state", ["issued", "refused", "withdrawn"])
def test_a_decided_file_is_read_only_for_a_superuser(state, walk, superuser, rf):
    application = walk(state)
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[PermitApplication]
    inlines = model_admin.get_inline_instances(request, application)

    assert not model_admin.has_change_permission(request, application)
    assert not model_admin.has_delete_permission(request, application)
    for inline in inlines:
        assert not inline.has_change_permission(request, application), inline
        assert not inline.has_add_permission(request, application), inline
        assert not inline.has_delete_permission(request, application), inline


def test_the_change_page_of_an_issued_file_still_shows_it(root, walk):
    application = walk("issued")

    response = root.get(_url(application))

    assert response.status_code == 200
    assert b"Border patrol." in response.content
    assert b'name="_save"' not in response.content


def test_an_admin_post_editing_an_issued_file_is_refused_and_changes_nothing(
    root, walk, organisation
):
    application = walk("issued")
    other = ApplicationFactory().organisation
    history = application.history.count()
    line = application.goods.get()

    response = root.post(
        _url(application),
        {
            "organisation": other.pk,
            "end_use_statement": "Something else.",
            "data_fix_reason": "Moving it.",
            "goods-TOTAL_FORMS": "1",
            "goods-INITIAL_FORMS": "1",
            "goods-0-id": line.pk,
            "goods-0-application": application.pk,
            "goods-0-description": "Changed",
        },
    )

    assert response.status_code == 403
    application.refresh_from_db()
    assert application.organisation == organisation
    assert application.end_use_statement == "Border patrol."
    assert GoodsItem.objects.get(pk=line.pk).description == line.description
    assert application.history.count() == history


def test_an_allowed_admin_edit_writes_the_history_record_with_the_changed_fields(
    root, walk, superuser
):
    application = walk("under_review")
    line = application.goods.get()
    data = change_form_data(root.get(_url(application)))
    data["end_use_statement"] = "Border surveillance."
    data["goods-0-description"] = "Thermal sights"
    data["data_fix_reason"] = "The applicant's typo, ticket 12."

    response = root.post(_url(application), data)

    assert response.status_code == 302, response.context and response.context["errors"]
    record = application.history.get(transition="data_fix")
    assert record.actor == superuser
    assert record.comment == "The applicant's typo, ticket 12."
    assert record.payload["changes"] == [
        {"field": "end_use_statement", "old": "Border patrol.", "new": "Border surveillance."},
        {
            "field": f"goods[{line.pk}].description",
            "old": "Thermal imaging sights",
            "new": "Thermal sights",
        },
    ]
    application.refresh_from_db()
    assert application.end_use_statement == "Border surveillance."
    assert application.status == "under_review"


def test_an_admin_edit_without_a_reason_is_refused(root, walk):
    application = walk("under_review")
    data = change_form_data(root.get(_url(application)))
    data["end_use_statement"] = "Border surveillance."

    response = root.post(_url(application), data)

    assert response.status_code == 200
    assert "data_fix_reason" in response.context["adminform"].form.errors
    application.refresh_from_db()
    assert application.end_use_statement == "Border patrol."
    assert not application.history.filter(transition="data_fix").exists()


def test_removing_a_party_in_the_admin_is_recorded(root, walk):
    application = walk("under_review")
    data = change_form_data(root.get(_url(application)))
    party = application.parties.order_by("role", "id").first()
    index = next(
        k.split("-")[1]
        for k, v in data.items()
        if k.endswith("-id") and k.startswith("parties") and v == str(party.pk)
    )
    data[f"parties-{index}-DELETE"] = "on"
    data["data_fix_reason"] = "Entered twice."

    root.post(_url(application), data)

    assert not Party.objects.filter(pk=party.pk).exists()
    changes = application.history.get(transition="data_fix").payload["changes"]
    assert {"field": f"parties[{party.pk}].name", "old": party.name, "new": None} in changes


def test_auditors_cannot_change_anything_in_the_admin(rf, walk):
    application = walk("under_review")
    request = rf.get("/")
    request.user = UserFactory(username="aud", roles=["auditor"], is_staff=True, is_superuser=True)

    assert not admin.site._registry[PermitApplication].has_change_permission(request, application)
    assert not admin.site._registry[ApplicantOrganisation].has_change_permission(request)


def test_an_organisation_change_in_the_admin_needs_a_reason(root, organisation):
    url = f"/admin/permits/applicantorganisation/{organisation.pk}/change/"
    data = change_form_data(root.get(url))
    data["legal_name"] = "Renamed SA"

    refused = root.post(url, data)
    data["data_fix_reason"] = "Name changed at the KBO (deed 2026/123)."
    accepted = root.post(url, data)

    assert refused.status_code == 200
    assert "data_fix_reason" in refused.context["adminform"].form.errors
    assert accepted.status_code == 302
    organisation.refresh_from_db()
    assert organisation.legal_name == "Renamed SA"
