from __future__ import annotations

import pytest
from django.contrib import admin
from django.db import transaction
from django.test import Client
from django.urls import reverse

from outbox.models import OutboxMessage
from outbox.services import outbox_email_enqueue
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser():
    return UserFactory(username="root", is_staff=True, is_superuser=True)


def test_outbox_messages_cannot_be_added_changed_or_deleted_in_the_admin(rf, superuser):
    request = rf.get("/")
    request.user = superuser
    model_admin = admin.site._registry[OutboxMessage]

    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_admin_lists_messages_and_shows_one(superuser):
    with transaction.atomic():
        message = outbox_email_enqueue(
            key_prefix="event:1:7",
            recipients=["ana@example.test"],
            subject="Application received",
            body="We have received your application.",
            concerns="BXL-ML-EXP-2026-000001",
        )[0]
    client = Client()
    client.force_login(superuser)

    listing = client.get(reverse("admin:outbox_outboxmessage_changelist"), {"q": "BXL-ML"})
    detail = client.get(reverse("admin:outbox_outboxmessage_change", args=[message.pk]))

    assert listing.status_code == 200
    assert "ana@example.test" in listing.content.decode()
    assert detail.status_code == 200
    assert "We have received your application." in detail.content.decode()
