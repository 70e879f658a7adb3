"""The users file: its format, --add-user/--remove-user, and signing in with it."""

from __future__ import annotations

import re
import stat
import warnings

import pytest
from click.testing import CliRunner

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cchc.cli.serve import serve
from cchc.web.app import create_app
from cchc.web.config import WebConfig
from cchc.web.users import authenticate, read_users, remove_user, set_user, sign_in
from scoring.errors import UsageError

pytestmark = pytest.mark.usefixtures("english")


def test_entries_hold_salted_hashes_never_the_password(tmp_path) -> None:
    path = tmp_path / "users.txt"
    assert set_user(path, "Lan.Nguyen", "mật khẩu dài") is True
    assert set_user(path, "hung", "mật khẩu dài") is True
    text = path.read_text(encoding="utf-8")
    assert "mật khẩu" not in text
    lines = [x for x in text.splitlines() if not x.startswith("#")]
    assert [x.split(":")[0] for x in lines] == ["Lan.Nguyen", "hung"]
    hashes = [x.split(":", 1)[1] for x in lines]
    assert all(re.fullmatch(r"scrypt\$[0-9a-f]{32}\$[0-9a-f]{128}", h) for h in hashes)
    assert hashes[0] != hashes[1]                     # same password, different salts
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert authenticate(path, "lan.nguyen", "mật khẩu dài") == "Lan.Nguyen"   # any case
    assert authenticate(path, "Lan.Nguyen", "sai rồi đấy") is None
    assert authenticate(path, "khong-co", "mật khẩu dài") is None
    assert set_user(path, "LAN.NGUYEN", "mật khẩu mới!") is False        # a new password
    assert authenticate(path, "lan.nguyen", "mật khẩu dài") is None
    assert authenticate(path, "lan.nguyen", "mật khẩu mới!") == "LAN.NGUYEN"
    remove_user(path, "hung")
    assert list(read_users(path)) == ["lan.nguyen"]
    with pytest.raises(UsageError, match="'hung'"):
        remove_user(path, "hung")


@pytest.mark.parametrize("line", ["lan", "lan:plain-password", "lan:scrypt$zz$00",
                                  "lan:md5$00$00", "có dấu cách:scrypt$00$00"])
def test_a_bad_line_is_refused_with_its_line_number(tmp_path, line) -> None:
    path = tmp_path / "users.txt"
    path.write_text(f"# users\n\n{line}\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:
        read_users(path)
    (p,) = err.value.problems
    assert p.line == 3 and "--add-user" in p.fix


def test_short_passwords_and_bad_names_are_refused(tmp_path) -> None:
    with pytest.raises(UsageError, match="too short"):
        set_user(tmp_path / "u.txt", "lan", "ngắn")
    with pytest.raises(UsageError, match="cannot be a user name"):
        set_user(tmp_path / "u.txt", "lan:admin", "đủ dài rồi đó")
    assert not (tmp_path / "u.txt").exists()


def test_add_user_asks_twice_and_remove_user(tmp_path) -> None:
    path = tmp_path / "users.txt"
    runner = CliRunner()
    r = runner.invoke(serve, ["--users", str(path), "--add-user", "lan"],
                      input="mật khẩu dài\nkhác hẳn đi\nmật khẩu dài\nmật khẩu dài\n")
    assert r.exit_code == 0, r.output
    assert "mật khẩu dài" not in r.output                # typed, never shown
    assert authenticate(path, "lan", "mật khẩu dài") == "lan"
    r = runner.invoke(serve, ["--users", str(path), "--remove-user", "lan"])
    assert r.exit_code == 0 and read_users(path) == {}
    r = runner.invoke(serve, ["--add-user", "lan"])
    assert r.exit_code != 0 and "--users" in str(r.exception)


def test_open_host_needs_a_users_file_or_the_shared_password(tmp_path, monkeypatch) -> None:
    monkeypatch.delenv("CCHC_PASSWORD", raising=False)
    with pytest.raises(UsageError, match="--users"):
        WebConfig.make(tmp_path / "ws", host="0.0.0.0")
    path = tmp_path / "users.txt"
    set_user(path, "lan", "mật khẩu dài")
    config = WebConfig.make(tmp_path / "ws", host="0.0.0.0", users=path)
    assert config.auth_required and config.password_hash is None
    path.write_text("lan:không phải hash\n", encoding="utf-8")
    with pytest.raises(UsageError) as err:                    # a bad file stops the start
        WebConfig.make(tmp_path / "ws", host="0.0.0.0", users=path)
    assert err.value.problems[0].line == 1


def test_sign_in_with_a_users_file_and_the_shared_password(tmp_path) -> None:
    path = tmp_path / "users.txt"
    set_user(path, "Lan", "mật khẩu của Lan")
    config = WebConfig.make(tmp_path / "ws", host="0.0.0.0", users=path,
                            password="mật khẩu chung")
    assert sign_in(config.users_file, config.password_hash, "x", "mật khẩu chung") == "x"
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        assert c.get("/", follow_redirects=False).status_code == 303
        page = c.get("/login").text
        assert re.search(r'<input name="user"[^>]*required', page)

        def post(user: str, password: str):
            token = re.search(r'name="csrf_token" value="([^"]+)"',
                              c.get("/login").text).group(1)
            return c.post("/login", data={"csrf_token": token, "user": user,
                                          "password": password}, follow_redirects=False)

        assert post("lan", "mật khẩu chung sai").status_code == 401
        assert post("hung", "mật khẩu của Lan").status_code == 401   # someone else's
        ok = post("lan", "mật khẩu của Lan")
        assert ok.status_code == 303
        assert '<span class="user" id="signed-in-user">Lan</span>' in c.get("/").text
        c.cookies.clear()
        assert post("khách", "mật khẩu chung").status_code == 303  # the shared one too
        assert c.get("/api/score").status_code == 200
        set_user(path, "hung", "mật khẩu của Hùng")                # no restart needed
        c.cookies.clear()
        assert post("hung", "mật khẩu của Hùng").status_code == 303
