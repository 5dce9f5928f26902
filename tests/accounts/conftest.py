"""Fixtures of the token tests, which call the API with the tokens they create."""

from __future__ import annotations

import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _fresh_throttle_counts():
    # Throttle counts live in the cache; every test starts with none.
    cache.clear()
    yield
    cache.clear()
