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
