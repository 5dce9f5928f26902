"""Names that cannot hide: invisible characters, look-alikes and legal forms do not defeat the
denial screening, and bidi controls are refused at entry."""

from __future__ import annotations

from datetime import date

import pytest
import yaml

from permits import actions
from permits.compliance.models import Consultation
from permits.compliance.names import name_keys, normalise_name
from permits.compliance.reference import reference_list_load
from tests.factories import ApplicationFactory, PartyFactory
from workflow.exceptions import TransitionGuardFailed

pytestmark = pytest.mark.django_db

DENIED = "Gulf Tactical Logistics LLC"


@pytest.fixture
def denials(tmp_path):
    data = {
        "version": "D-NAMES",
        "published_on": date(2026, 1, 1),
        "source": "test",
        "denials": [
            {
                "number": "FR-2025-001",
                "notifying_state": "FR",
                "notified_on": date(2025, 3, 12),
                "destination": "AE",
                "consignee_name": "Société Générale d'Armement S.A.",
                "end_user_name": DENIED,
                "control_entries": ["ML1.a"],
                "criteria": ["7"],
                "status": "in_force",
            }
        ],
    }
    path = tmp_path / "denials.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True))
    return reference_list_load(kind="denials", path=path)[0]


@pytest.mark.parametrize(
    "disguised",
    [
        "Gulf\u2060Tactical Logistics LLC",  # word joiner between two words
        "Gulf Ta\u0441ti\u0441al Logisti\u0441s LLC",  # Cyrillic es for Latin c
        "G\u0443lf T\u0430ctical L\u043egistics \u041e\u041e\u041e",  # Cyrillic u/a/o, OOO
        "Gulf Tac\u00adti\u00adcal Lo\u00adgis\u00adtics LLC",  # soft hyphens inside words
        "Gulf\u200bTactical\u200bLogistics LLC",  # zero-width spaces between words
        "Gulf Tac\u200btical Logistics L.L.C.",  # zero-width space inside a word
        "\uff27\uff55\uff4c\uff46 Tactical Logistics",  # full-width letters
    ],
)
def test_a_disguised_denied_name_is_flagged_and_opens_a_consultation(
    denials, organisation, applicant, disguised
):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, country_of_destination="AE"
    )
    PartyFactory(application=application, role="intermediary", name=disguised, country="AE")

    run = actions.application_screen(
        application=application, occasion="manual", today=date(2026, 3, 2)
    )

    flag = run.flags.get(kind="denial")
    assert flag.details["notice"] == "FR-2025-001"
    assert flag.details["party"] == disguised
    assert Consultation.objects.filter(application=application).count() == 1


def test_legal_forms_are_set_aside_whatever_their_spelling():
    plain = normalise_name("Orion Optronics")
    for name in (
        "Orion Optronics L.L.C.",
        "Orion Optronics Sp. z o.o.",
        "ООО Orion Optronics",
        "Orion Optronics GmbH",
        "Orion Optronics S.A.",
    ):
        assert normalise_name(name) == plain, name


def test_an_invisible_separator_inside_a_word_keeps_the_compact_key():
    assert (
        name_keys("Tac\u00adtical Lo\u200bgistics").compact
        == name_keys("Tactical Logistics").compact
    )


def test_a_party_name_with_a_bidi_override_is_refused_naming_the_field(organisation, applicant):
    application = ApplicationFactory(
        organisation=organisation, created_by=applicant, complete=False, documents=False
    )

    with pytest.raises(TransitionGuardFailed) as refused:
        actions.party_add(
            application=application,
            actor=applicant,
            role="consignee",
            name="Gulf \u202eLLC scitsigoL\u202c Tactical",
            address="Abu Dhabi",
            country="AE",
        )

    assert "U+202E" in refused.value.errors["name"][0]
    assert not application.parties.filter(name__contains="Gulf").exists()
