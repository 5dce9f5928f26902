"""The documents admin: read-only, and no link to a stored file."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import DocumentFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser_client() -> Client:
    client = Client()
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


def test_admin_shows_a_document_without_a_file_link(superuser_client):
    document = DocumentFactory()

    response = superuser_client.get(reverse("admin:documents_document_change", args=[document.pk]))

    assert response.status_code == 200
    assert document.sha256.encode() in response.content
    assert b'name="_save"' not in response.content
    assert f'href="{document.file.name}'.encode() not in response.content


def test_admin_cannot_add_documents(superuser_client):
    response = superuser_client.get(reverse("admin:documents_document_add"))

    assert response.status_code == 403
