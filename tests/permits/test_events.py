"""The catalogue of history events is the only place an event is named: the code writes no event
it does not know, and it knows no event the code never writes."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from django.conf import settings
from django.utils import translation

from permits import events, transitions
from permits.models import PermitApplication
from tests.factories import ApplicationFactory
from tests.workflow_helpers import advance
from workflow.models import TransitionRecord

ROOT = Path(settings.BASE_DIR)
SOURCE_PACKAGES = ["accounts", "config", "directory", "documents", "outbox", "permits", "workflow"]
WRITERS = {"history_event_record", "transition_record_create"}


def _source_files():
    for package in SOURCE_PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                yield path


def _calls(path: Path):
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            yield name, node


def test_only_the_catalogue_writes_history_records():
    writers = {
        str(path.relative_to(ROOT))
        for path in _source_files()
        for name, _call in _calls(path)
        if name in WRITERS
    }
    # workflow.services defines the writer (and one calls the other); permits.events uses it.
    assert writers == {"permits/events.py", "workflow/services.py"}


def _event_constructors() -> dict[str, set[str]]:
    """Each function of permits.events that writes an event: the names it writes."""
    tree = ast.parse((ROOT / "permits" / "events.py").read_text(encoding="utf-8"))
    constructors: dict[str, set[str]] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
            names = {
                const.value
                for const in ast.walk(node)
                if isinstance(const, ast.Constant) and const.value in events.CATALOGUE
            }
            if names:
                constructors[node.name] = names
    return constructors


def test_every_event_of_the_catalogue_is_written_by_the_code():
    called = {
        name
        for path in _source_files()
        if path != ROOT / "permits" / "events.py"
        for name, _call in _calls(path)
    }
    written = set(events.TRANSITION_EVENTS)  # through events.transition_recorded
    for function, names in _event_constructors().items():
        if function in called:
            written |= names
    assert written == set(events.CATALOGUE)


def test_every_transition_of_the_state_machine_is_a_catalogued_event():
    declared = {
        t.name
        for t in PermitApplication._meta.get_field("status").get_all_transitions(PermitApplication)
    }
    assert declared == set(events.TRANSITION_EVENTS) == set(transitions.TRANSITIONS)


@pytest.mark.django_db
def test_an_event_the_catalogue_does_not_know_is_refused(applicant, organisation):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)

    with pytest.raises(events.UnknownEvent):
        events._recorded("tea_served", application=application, actor=applicant)

    assert not TransitionRecord.objects.exists()


@pytest.mark.django_db
def test_an_event_carrying_data_it_does_not_declare_is_refused(applicant, organisation):
    application = ApplicationFactory(organisation=organisation, created_by=applicant)

    with pytest.raises(events.UnknownEvent, match="does not carry"):
        events._recorded("licence_exhausted", application=application, actor=applicant, secret="x")


@pytest.mark.django_db
def test_every_record_written_along_the_workflow_is_catalogued(
    organisation, applicant, people, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        application = advance(
            ApplicationFactory(organisation=organisation, created_by=applicant),
            "revoked",
            **people,
        )

    names = set(application.history.values_list("transition", flat=True))
    assert names <= set(events.CATALOGUE)
    assert {"submit", "screening", "approve", "decision_document_stored", "revoke"} <= names


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_event_label_is_translated(language):
    untranslated = []
    for name, event in events.CATALOGUE.items():
        english = str(event.label)
        with translation.override(language):
            if str(event.label) == english:
                untranslated.append(name)
    assert untranslated == []


@pytest.fixture
def people(applicant, case_manager, head):
    return {"applicant": applicant, "case_manager": case_manager, "head": head}
