"""The schema's pattern for a decimal sent as a string admits exactly what the field takes:
what a client builds from the schema is never refused for its form."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rest_framework import serializers

from config.api.schema import decimal_pattern

QUANTITY = serializers.DecimalField(max_digits=14, decimal_places=3, min_value=Decimal("0"))
SIGNED = serializers.DecimalField(max_digits=8, decimal_places=2)


@pytest.mark.parametrize("field", [QUANTITY, SIGNED], ids=["non-negative", "signed"])
@settings(max_examples=300, deadline=None)
@given(data=st.data())
def test_every_string_the_pattern_admits_is_taken_by_the_field(field, data):
    text = data.draw(st.from_regex(decimal_pattern(field), fullmatch=True))
    field.run_validation(text)


@pytest.mark.parametrize("text", ["", ".", "-", "-1", "-0.5"])
def test_a_non_negative_field_pattern_refuses_what_the_field_refuses(text):
    import re

    assert not re.fullmatch(decimal_pattern(QUANTITY), text)


def test_the_pattern_admits_the_usual_forms():
    import re

    pattern = decimal_pattern(QUANTITY)
    assert all(re.fullmatch(pattern, text) for text in ["12", "12.5", "12.", ".5", "0"])
