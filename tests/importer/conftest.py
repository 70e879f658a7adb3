"""Fixtures of the importer tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.i18n import language
from scoring.importer import import_report


@pytest.fixture(scope="session")
def text_dataset(seed_report: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The seed imported from its text (Vietnamese locations); read it, never write it."""
    out = tmp_path_factory.mktemp("text") / "ds"
    with language("vi"):
        import_report(seed_report, out)
    return out
