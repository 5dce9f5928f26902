from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser, Group

from tests.factories import UserFactory
from workflow.roles import Role, primary_role, user_roles

pytestmark = pytest.mark.django_db


def test_the_data_migration_creates_one_group_per_role():
    assert set(Group.objects.values_list("name", flat=True)) >= {r.value for r in Role}


def test_primary_role_prefers_the_head_of_unit():
    user = UserFactory(roles=["case_manager", "head_of_unit"])

    assert primary_role(user) == "head_of_unit"


def test_anonymous_users_hold_no_role():
    assert user_roles(AnonymousUser()) == frozenset()
