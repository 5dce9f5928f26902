from __future__ import annotations

import pytest
from django.http import Http404

from permits import selectors

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("key", ["BXL-\x00", "\x00", "not-a-uuid", "BXL-ML-EXP-2026-999999"])
def test_a_key_that_cannot_exist_is_404(applicant, key):
    with pytest.raises(Http404):
        selectors.application_get(user=applicant, key=key)
