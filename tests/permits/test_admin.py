from __future__ import annotations

import pytest
from django.contrib import admin
from django.test import Client

from permits.models import Decision, Licence, PermitApplication
from tests.factories import ApplicationFactory, UserFactory
from tests.workflow_helpers import advance
from workflow.models import HistoryHead, TransitionRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client():
    user = UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("model", [TransitionRecord, HistoryHead, Licence, Decision])
def test_decisions_and_history_cannot_be_changed_in_the_admin(model, rf):
    request = rf.get("/")
    request.user = UserFactory(is_staff=True, is_superuser=True)
    model_admin = admin.site._registry[model]

    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert not model_admin.has_add_permission(request)


def test_admin_pages_render(superuser_client, organisation, applicant, case_manager, head):
    application = advance(
        ApplicationFactory(organisation=organisation, created_by=applicant),
        "refused",
        applicant=applicant,
        case_manager=case_manager,
        head=head,
    )
    record = application.history.first()

    for url in (
        "/admin/permits/permitapplication/",
        f"/admin/permits/permitapplication/{application.pk}/change/",
        "/admin/workflow/transitionrecord/",
        f"/admin/workflow/transitionrecord/{record.pk}/change/",
        "/admin/permits/decision/",
        "/admin/permits/licence/",
        "/admin/permits/screeningrun/",
        "/admin/permits/screeningflag/",
        "/admin/permits/criterionassessment/",
        "/admin/permits/referencelist/",
        "/admin/permits/denialnotice/",
        "/admin/permits/embargo/",
        "/admin/permits/consultation/",
        "/admin/permits/clockpause/",
        "/admin/permits/licenceline/",
        "/admin/permits/shipment/",
        "/admin/workflow/casetask/",
    ):
        assert superuser_client.get(url).status_code == 200, url
    assert PermitApplication.objects.filter(pk=application.pk, status="refused").exists()


def test_every_model_of_the_project_is_in_the_admin():
    from django.apps import apps

    missing = [
        f"{m._meta.app_label}.{m.__name__}"
        for app in ("permits", "workflow", "accounts", "documents", "directory")
        for m in apps.get_app_config(app).get_models()
        if m not in admin.site._registry
        # Shown as inlines of their parent (the application, the shipment).
        and m.__name__ not in {"GoodsItem", "Party", "ShipmentLine"}
    ]

    assert missing == []
