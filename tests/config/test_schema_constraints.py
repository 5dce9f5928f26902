"""The schema states what the fields take: a decimal sent as a string matches its pattern exactly,
and a list that refuses to be empty has minItems. What a client builds from the schema is
never refused for its form."""

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


def test_a_list_that_refuses_to_be_empty_says_so_in_the_schema():
    from config.api.schema import AutoSchema

    class Report(serializers.Serializer):
        lines = serializers.ListField(child=serializers.CharField(), allow_empty=False)
        notes = serializers.ListField(child=serializers.CharField())

    schema = AutoSchema()
    fields = Report().fields
    assert schema._map_serializer_field(fields["lines"], "request")["minItems"] == 1
    assert "minItems" not in schema._map_serializer_field(fields["notes"], "request")
