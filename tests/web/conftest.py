"""Fixtures of the web application's tests: a fresh workspace and a client per test."""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cchc.web.app import create_app
from cchc.web.config import WebConfig
from reports.forms import write_forms
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.i18n import language
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules
from tests.forms_fill import fill_form


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return tmp_path / "ws"


@pytest.fixture
def config(workspace: Path) -> WebConfig:
    return WebConfig.make(workspace, password="")


@pytest.fixture
def fresh_client(config: WebConfig) -> Iterator[TestClient]:
    """A client of an application with its own empty workspace (for tests that write)."""
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture(scope="session")
def client(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestClient]:
    """One application shared by the tests that only read (its caches stay warm)."""
    config = WebConfig.make(tmp_path_factory.mktemp("shared-ws"), password="")
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        yield c


def csrf_of(client: TestClient, url: str = "/data") -> str:
    """The CSRF token a page gives this client's session."""
    page = client.get(url)
    assert page.status_code == 200, page.text[:500]
    m = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert m, "the page has no CSRF field"
    return m.group(1)


@pytest.fixture(scope="session")
def forms(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The district score forms of the bundled data (``cchc forms``), filled in; the
    survey workbook left out."""
    out = tmp_path_factory.mktemp("forms") / "phieu"
    with language("vi"):
        write_forms(score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET)), out,
                    group="district", inputs=(BUNDLED_RULES, BUNDLED_DATASET))
    for p in out.glob("dieu-tra-*.xlsx"):
        p.unlink()
    for k, path in enumerate(sorted(out.glob("*.xlsx"))):
        fill_form(path, k)
    return out
