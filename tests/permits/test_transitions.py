"""The transition registry is the one list of transitions: the state machine, the actions, the
case page's forms and the API's endpoints all agree with it."""

from __future__ import annotations

import pytest
from django.utils import translation

from permits import transitions
from permits.actions import TRANSITION_ACTIONS
from permits.api.serializers import TRANSITION_PAYLOADS
from permits.api.views import TRANSITION_VIEWS
from permits.forms import TRANSITION_FORMS
from permits.models import PermitApplication


def _fsm_transitions():
    field = PermitApplication._meta.get_field("status")
    return {t.name: t for t in field.get_all_transitions(PermitApplication)}


def test_the_registry_holds_exactly_the_state_machines_transitions():
    assert set(transitions.TRANSITIONS) == set(_fsm_transitions()) == set(TRANSITION_ACTIONS)


def test_the_state_machine_asks_the_registry_who_may_make_each_transition():
    for name, fsm_transition in _fsm_transitions().items():
        assert fsm_transition.permission is transitions.TRANSITIONS[name].permission, name


def test_the_case_page_offers_a_form_for_each_transition_people_make():
    assert set(TRANSITION_FORMS) == set(transitions.CASE_PAGE_TRANSITIONS)


def test_the_system_alone_expires_and_lapses():
    system = {
        name
        for name, t in transitions.TRANSITIONS.items()
        if t.audience == transitions.Audience.SYSTEM
    }
    assert system == {"expire", "lapse"}
    assert system.isdisjoint(transitions.API_TRANSITIONS)
    assert system.isdisjoint(transitions.CASE_PAGE_TRANSITIONS)


def test_the_api_exposes_exactly_the_registrys_api_transitions():
    assert set(TRANSITION_VIEWS) == set(TRANSITION_PAYLOADS) == set(transitions.API_TRANSITIONS)
    assert all(transitions.TRANSITIONS[name].api_description for name in TRANSITION_VIEWS)


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_every_button_label_is_translated(language):
    untranslated = []
    for name, transition in transitions.TRANSITIONS.items():
        english = str(transition.label)
        with translation.override(language):
            if str(transition.label) == english:
                untranslated.append(name)
    assert untranslated == []
