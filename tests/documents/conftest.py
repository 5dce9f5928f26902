"""Fixtures of the file store tests: stored files go to a temporary MEDIA_ROOT."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.factories import ApplicationFactory
from tests.object_store import s3_server, s3_storage  # noqa: F401 (fixtures)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = root
    return root


def stored_files(root: Path) -> list[Path]:
    return [path for path in root.rglob("*") if path.is_file()]


@pytest.fixture
def draft(organisation, applicant):
    return ApplicationFactory(organisation=organisation, created_by=applicant, documents=False)
