"""Binding, passwords, sessions and CSRF."""

from __future__ import annotations

import re
import warnings

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cchc.cli import main
from cchc.web.app import create_app
from cchc.web.config import WebConfig, is_loopback
from cchc.web.users import check_password, hash_password
from scoring.errors import UsageError


def test_loopback_addresses() -> None:
    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")


def test_non_loopback_needs_a_password(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CCHC_PASSWORD", raising=False)
    with pytest.raises(UsageError, match="CCHC_PASSWORD"):
        WebConfig.make(tmp_path, host="0.0.0.0")
    monkeypatch.setenv("CCHC_PASSWORD", "bí mật")
    config = WebConfig.make(tmp_path, host="0.0.0.0")
    assert config.auth_required and "bí mật" not in config.password_hash
    assert check_password("bí mật", config.password_hash)


def test_serve_refuses_an_open_host_without_password(tmp_path, monkeypatch, capsys) -> None:
    monkeypatch.delenv("CCHC_PASSWORD", raising=False)
    code = main(["serve", "--host", "0.0.0.0", "--workspace", str(tmp_path / "ws")])
    assert code != 0
    assert "CCHC_PASSWORD" in capsys.readouterr().err


def test_password_hashes_are_salted() -> None:
    a, b = hash_password("x"), hash_password("x")
    assert a != b and check_password("x", a) and not check_password("y", a)
    assert not check_password("x", "garbage")


def test_sign_in_flow(tmp_path) -> None:
    config = WebConfig.make(tmp_path, host="0.0.0.0", password="mật khẩu")
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        assert c.get("/api/health").status_code == 200
        assert c.get("/api/score").status_code == 401
        r = c.get("/unit/so-du-lich", follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith("/login")
        page = c.get("/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)
        bad = c.post("/login", data={"csrf_token": token, "password": "sai"})
        assert bad.status_code == 401
        ok = c.post("/login", data={"csrf_token": token, "password": "mật khẩu",
                                    "next": "https://evil.example/"}, follow_redirects=False)
        assert ok.status_code == 303 and ok.headers["location"] == "/"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie
        assert c.get("/api/score").status_code == 200


def test_forms_need_the_csrf_token(client) -> None:
    for url in ("/rules/preview", "/rules/save", "/simulate/run", "/data/upload"):
        r = client.post(url, data={"rules": "khanh-hoa-2022"})
        assert r.status_code == 403, url


def test_errors_never_show_a_stack_trace(client) -> None:
    r = client.get("/simulate/run")  # GET on a POST-only address
    assert r.status_code == 405 and "Traceback" not in r.text
    r = client.get("/no/such/page")
    assert r.status_code == 404 and "error-box" in r.text
