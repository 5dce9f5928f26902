"""Loading the data file, recording changes, linking accounts and syncing workflow roles."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError

from directory.models import (
    DirectoryChange,
    DirectoryLoad,
    Partner,
    PartnerStatement,
    Person,
    Portfolio,
    Position,
    RoleGrant,
    Unit,
)
from directory.services import person_link_user, workflow_roles_sync
from tests.directory.factories import PermitsUnitFactory, PersonFactory, PositionFactory
from tests.factories import UserFactory
from workflow.roles import Role, has_role

pytestmark = pytest.mark.django_db


def _roles(user) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


# --- loading -----------------------------------------------------------------------------


def test_first_load_creates_every_row_and_records_each_creation(loaded_directory):
    load = loaded_directory.load
    assert Person.objects.count() == 32
    assert Unit.objects.count() == 5
    assert Partner.objects.count() == 30
    assert load.created == DirectoryChange.objects.filter(action="created").count() > 300
    assert (load.updated, load.deleted) == (0, 0)


def test_loading_the_same_file_twice_changes_nothing(loaded_directory, document, load_document):
    before = list(Person.objects.values())

    result = load_document(document)

    assert result.load is None
    assert DirectoryLoad.objects.count() == 1
    assert list(Person.objects.values()) == before


def test_a_changed_phone_updates_only_that_person_and_records_before_and_after(
    loaded_directory, document, load_document
):
    document["people"]["aldo-alu"]["phone"] = "02/800 37 99"

    result = load_document(document)

    assert (result.load.created, result.load.updated, result.load.deleted) == (0, 1, 0)
    change = result.load.changes.get()
    assert (change.model, change.key, change.action) == ("person", "aldo-alu", "updated")
    assert change.changes == {
        "phone": ["02/800 37 27", "02/800 37 99"],
        "phone_e164": ["+3228003727", "+3228003799"],
    }
    assert Person.objects.get(key="aldo-alu").phone_e164 == "+3228003799"


def test_a_changed_reference_is_recorded_by_key(loaded_directory, document, load_document):
    document["people"]["guillaume-ligot"]["positions"][0]["unit"] = "finance-travel"

    result = load_document(document)

    created = result.load.changes.get(action="created")
    deleted = result.load.changes.get(action="deleted")
    assert created.key == "guillaume-ligot:bi-en:finance-travel"
    assert created.changes["unit"] == [None, "finance-travel"]
    assert deleted.key == "guillaume-ligot:bi-en:permits"


def test_a_person_removed_from_the_file_is_deleted_with_their_facts(
    loaded_directory, document, load_document
):
    del document["people"]["rudi-arron"]

    result = load_document(document)

    assert not Person.objects.filter(key="rudi-arron").exists()
    assert not Position.objects.filter(person__key="rudi-arron").exists()
    assert set(result.load.changes.values_list("model", "key", "action")) == {
        ("person", "rudi-arron", "deleted"),
        ("position", "rudi-arron:bi-en:eu-delegation", "deleted"),
    }


def test_a_load_leaves_user_links_alone(loaded_directory, document, load_document):
    user = UserFactory()
    person_link_user(person=Person.objects.get(key="olivia-rodriguez"), user=user)
    document["people"]["olivia-rodriguez"]["phone"] = "02/800 37 62"

    load_document(document)

    assert Person.objects.get(key="olivia-rodriguez").user == user


def test_contradicting_pages_are_both_kept_with_their_sources_and_one_is_current(
    loaded_directory,
):
    quebec = Portfolio.objects.filter(partner__key="quebec").select_related("person", "source")
    assert {(p.person.full_name, p.source.file_name, p.is_current) for p in quebec} == {
        ("Sophie Willaumez", "001_53f4a64cb60c9a57.txt", False),
        ("Florence Vandernoot", "003_cd82713dc7645c5c.txt", True),
    }
    moscow = PartnerStatement.objects.filter(partner__key="moscow")
    assert {(s.source.key, s.status, s.is_current) for s in moscow} == {
        ("bi-partnerships", "suspended", True),
        ("bi-fr-bilateral", "in_force", False),
        ("bi-en", "in_force", False),
    }


def test_changing_which_statement_is_current_updates_the_partner(
    loaded_directory, document, load_document
):
    statements = document["partners"]["moscow"]["statements"]
    statements[0]["current"] = False
    statements[1]["current"] = True

    result = load_document(document)

    assert Partner.objects.get(key="moscow").status == Partner.Status.IN_FORCE
    assert {(c.model, c.key) for c in result.load.changes.all()} == {
        ("partner", "moscow"),
        ("partnerstatement", "moscow:bi-partnerships"),
        ("partnerstatement", "moscow:bi-fr-bilateral"),
    }


# --- workflow roles ----------------------------------------------------------------------


def test_a_linked_case_manager_of_the_permits_unit_gets_the_case_manager_group(loaded_directory):
    user = UserFactory()

    person_link_user(person=Person.objects.get(key="melanie-behets"), user=user)

    assert has_role(user, Role.CASE_MANAGER)
    assert RoleGrant.objects.get(user=user, revoked_at__isnull=True).role == "case_manager"


def test_the_head_of_the_permits_unit_gets_the_head_of_unit_group(loaded_directory):
    user = UserFactory()

    person_link_user(person=Person.objects.get(key="aldo-alu"), user=user)

    assert _roles(user) == {"head_of_unit"}


def test_a_permits_unit_member_without_a_workflow_role_gets_no_group(loaded_directory):
    user = UserFactory()

    person_link_user(person=Person.objects.get(key="guillaume-ligot"), user=user)

    assert _roles(user) == set()


def test_someone_outside_the_permits_unit_gets_no_group(loaded_directory):
    user = UserFactory()

    person_link_user(person=Person.objects.get(key="anne-claes"), user=user)

    assert _roles(user) == set()


def test_losing_the_permits_position_removes_the_group_the_directory_gave(
    loaded_directory, document, load_document
):
    user = UserFactory()
    person_link_user(person=Person.objects.get(key="melanie-behets"), user=user)
    document["people"]["melanie-behets"]["positions"][0]["current"] = False

    result = load_document(document)

    assert _roles(user) == set()
    assert result.roles.revoked == ((user.username, "case_manager"),)
    assert RoleGrant.objects.get(user=user).revoked_at is not None


def test_a_group_given_by_hand_is_never_removed_by_the_sync(db):
    user = UserFactory(roles=[Role.CASE_MANAGER])
    position = PositionFactory(
        unit=PermitsUnitFactory(), workflow_role="case_manager", person__user=user
    )
    workflow_roles_sync()
    assert not RoleGrant.objects.exists()

    position.delete()
    workflow_roles_sync()

    assert _roles(user) == {"case_manager"}


def test_unlinking_the_account_removes_the_group_the_directory_gave(db):
    user = UserFactory()
    person = PersonFactory()
    PositionFactory(unit=PermitsUnitFactory(), workflow_role="case_manager", person=person)
    person_link_user(person=person, user=user)
    assert _roles(user) == {"case_manager"}

    person_link_user(person=person, user=None)

    assert _roles(user) == set()


def test_a_group_the_directory_gave_comes_back_while_the_position_exists(db):
    user = UserFactory()
    person = PersonFactory()
    PositionFactory(unit=PermitsUnitFactory(), workflow_role="case_manager", person=person)
    person_link_user(person=person, user=user)
    user.groups.remove(Group.objects.get(name="case_manager"))

    result = workflow_roles_sync()

    assert _roles(user) == {"case_manager"}
    assert result.granted == ()
    assert RoleGrant.objects.filter(user=user).count() == 1


def test_syncing_twice_grants_nothing_the_second_time(db):
    person = PersonFactory(user=UserFactory())
    PositionFactory(unit=PermitsUnitFactory(), workflow_role="head_of_unit", person=person)

    first = workflow_roles_sync()
    second = workflow_roles_sync()

    assert len(first.granted) == 1
    assert second == type(second)()


def test_a_position_in_another_unit_named_like_a_role_grants_nothing(db):
    person = PersonFactory(user=UserFactory())
    PositionFactory(workflow_role="case_manager", person=person)

    workflow_roles_sync()

    assert _roles(person.user) == set()


def test_an_account_cannot_be_linked_to_two_people(db):
    user = UserFactory()
    person_link_user(person=PersonFactory(), user=user)

    with pytest.raises(ValidationError):
        person_link_user(person=PersonFactory(), user=user)
