"""API tokens moved from the workflow app to accounts: a database migrated from before the move
keeps its tokens, and they keep working."""

from __future__ import annotations

import hashlib

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from accounts.services import api_token_authenticate

# The last state with the model in the workflow app, and no accounts app yet.
WORKFLOW_WITH_TOKENS = ("workflow", "0004_apitoken")
BEFORE_THE_MOVE = [WORKFLOW_WITH_TOKENS, ("accounts", None)]

# Schema changes cannot run inside the transaction a plain database test is wrapped in.
pytestmark = pytest.mark.django_db(transaction=True)


def migrate_to_latest(executor: MigrationExecutor) -> None:
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_apps():
    """The models as they were before the move; the database goes back to the latest state
    afterwards, whatever the test did."""
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE_THE_MOVE)
    yield executor.loader.project_state(WORKFLOW_WITH_TOKENS).apps
    migrate_to_latest(MigrationExecutor(connection))
    ContentType.objects.clear_cache()


def old_token(old_apps, *, username: str, plaintext: str):
    User = old_apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    OldApiToken = old_apps.get_model("workflow", "ApiToken")
    user = User.objects.create(username=username, is_active=True)
    return OldApiToken.objects.create(
        user=user,
        name="ERP",
        prefix=plaintext.partition(".")[0],
        key_hash=hashlib.sha256(plaintext.encode()).hexdigest(),
    )


def test_a_token_created_before_the_move_still_authenticates_its_user(old_apps):
    old_token(old_apps, username="erp-owner", plaintext="0badc0de.secret")

    migrate_to_latest(MigrationExecutor(connection))

    token = api_token_authenticate("0badc0de.secret")
    assert token is not None
    assert (token.name, token.user.username) == ("ERP", "erp-owner")


def test_permissions_granted_on_tokens_before_the_move_still_apply(old_apps):
    token = old_token(old_apps, username="operator", plaintext="0badc0de.secret")
    ContentType = old_apps.get_model("contenttypes", "ContentType")
    content_type, _ = ContentType.objects.get_or_create(app_label="workflow", model="apitoken")
    OldPermission = old_apps.get_model("auth", "Permission")
    permission, _ = OldPermission.objects.get_or_create(
        content_type=content_type, codename="view_apitoken", defaults={"name": "Can view"}
    )
    token.user.user_permissions.add(permission)

    migrate_to_latest(MigrationExecutor(connection))

    assert Permission.objects.get(pk=permission.pk).content_type.app_label == "accounts"
    assert not ContentType.objects.filter(app_label="workflow", model="apitoken").exists()
