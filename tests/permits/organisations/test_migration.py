"""The members table became the membership: a database migrated from before keeps every member,
each with every right (administering the organisation included)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from permits.models import OrganisationMembership

BEFORE_RIGHTS = ("permits", "0017_list_indexes")

pytestmark = pytest.mark.django_db(transaction=True)


def _migrate_to_latest() -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.fixture
def old_apps():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE_RIGHTS])
    yield executor.loader.project_state(BEFORE_RIGHTS).apps
    _migrate_to_latest()
    ContentType.objects.clear_cache()


def test_every_member_of_before_keeps_every_right(old_apps):
    User = old_apps.get_model(*settings.AUTH_USER_MODEL.split("."))
    Organisation = old_apps.get_model("permits", "ApplicantOrganisation")
    member = User.objects.create(username="long-standing-member")
    organisation = Organisation.objects.create(
        legal_name="FN Herstal", enterprise_number="0403019261", address="Voie de Liège 33"
    )
    organisation.members.add(member)

    _migrate_to_latest()

    membership = OrganisationMembership.objects.get(user_id=member.pk)
    assert membership.organisation_id == organisation.pk
    assert membership.rights == ["draft", "submit", "see_decisions", "administrator"]
