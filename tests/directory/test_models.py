"""Model rules that the database enforces, and language fallbacks."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, transaction
from django.utils import translation

from directory.models import RoleGrant
from tests.directory.factories import (
    NetworkFactory,
    PartnerFactory,
    PortfolioFactory,
    UnitFactory,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_portfolio_cannot_follow_a_partner_and_a_network_at_once():
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioFactory(partner=PartnerFactory(), network=NetworkFactory())


def test_a_portfolio_must_follow_something():
    with pytest.raises(IntegrityError), transaction.atomic():
        PortfolioFactory(partner=None)


def test_a_portfolio_can_follow_a_topic_alone():
    portfolio = PortfolioFactory(partner=None, topic_en="Tourism", topic_fr="Tourisme")
    with translation.override("fr"):
        assert portfolio.subject == "Tourisme"


def test_names_follow_the_active_language_and_fall_back_to_english():
    unit = UnitFactory(name_en="Permits", name_fr="Licences", name_nl="")
    with translation.override("fr"):
        assert unit.name == "Licences"
    with translation.override("nl"):
        assert unit.name == "Permits"


def test_a_user_has_at_most_one_open_grant_per_role():
    user = UserFactory()
    RoleGrant.objects.create(user=user, role="case_manager")
    with pytest.raises(IntegrityError), transaction.atomic():
        RoleGrant.objects.create(user=user, role="case_manager")


def test_a_revoked_grant_does_not_block_a_new_one():
    user = UserFactory()
    RoleGrant.objects.create(user=user, role="case_manager", revoked_at="2026-01-01T00:00Z")
    RoleGrant.objects.create(user=user, role="case_manager")
    assert RoleGrant.objects.filter(user=user).count() == 2
