"""Shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from scoring.i18n import language
from scoring.paths import REPO_ROOT, SEED_REPORT_NAME

settings.register_profile("ci", max_examples=60, deadline=None)
settings.register_profile("dev", max_examples=30, deadline=None)
settings.load_profile("ci" if os.environ.get("CI") else "dev")


def _find_seed() -> Path | None:
    for candidate in (REPO_ROOT / "datasets" / "sources" / SEED_REPORT_NAME,
                      REPO_ROOT.parent / "shared" / "seed" / SEED_REPORT_NAME):
        if candidate.exists():
            return candidate
    return None


@pytest.fixture(scope="session")
def seed_report() -> Path:
    """The province's 2022 report (the seed), as shipped in datasets/sources."""
    path = _find_seed()
    assert path is not None, "the seed report is missing from datasets/sources"
    return path


@pytest.fixture(scope="session")
def annual_data(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled dataset plus the scores.csv / surveys.csv of tests/annual_data.py."""
    from tests.annual_data import write_annual_dataset

    return write_annual_dataset(tmp_path_factory.mktemp("annual") / "ds")


@pytest.fixture(scope="session")
def annual_result(annual_data: Path):  # noqa: ANN201 - a ScoreResult
    """The bundled rules scored on :func:`annual_data`."""
    from scoring.dataset import load_dataset
    from scoring.engine import score
    from scoring.paths import BUNDLED_RULES
    from scoring.rules.loader import load_rules

    return score(load_rules(BUNDLED_RULES), load_dataset(annual_data))


@pytest.fixture
def english():
    """Run the test in English (messages as written in the code); Vietnamese is the default."""
    with language("en"):
        yield
