"""Fixtures of the directory tests: the real data file, parsed and loaded."""

from __future__ import annotations

import copy
import functools

import pytest

from directory.datafile import DEFAULT_DATA_FILE, parse_directory_data, read_data_file
from directory.services import directory_load


@functools.cache
def _document() -> tuple[dict, str]:
    return read_data_file(DEFAULT_DATA_FILE)


@pytest.fixture
def document() -> dict:
    """A fresh copy of the real data file's document, free to change."""
    return copy.deepcopy(_document()[0])


def _load(document: dict, *, file_name: str = "directory.yaml", sha256: str = "test"):
    return directory_load(data=parse_directory_data(document), file_name=file_name, sha256=sha256)


@pytest.fixture
def load_document(db):
    """``load_document(document)`` loads a (changed) document as load_directory would."""
    return _load


@pytest.fixture
def loaded_directory(db, document):
    """The database as ``load_directory`` leaves it with the real data file."""
    return _load(document)
