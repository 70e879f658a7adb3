"""The JSON API: every endpoint, the command line's results and messages, 4xx for bad ids."""

from __future__ import annotations

import io
import json

import openpyxl
import pytest

from cchc.cli import main
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES

from .conftest import csrf_of


def cli_json(capsys, *args: str) -> object:
    assert main(list(args)) == 0
    return json.loads(capsys.readouterr().out)


def test_health(client) -> None:
    assert client.get("/api/health").json() == {"status": "ok"}


def test_rulesets_and_datasets_list_the_bundled_ones(client) -> None:
    rules = client.get("/api/rulesets").json()
    ids = {r["id"] for r in rules}
    assert {"khanh-hoa-2022", "khanh-hoa-2022-online3"} <= ids
    assert [r["id"] for r in rules if r["default"]] == ["khanh-hoa-2022"]
    data = client.get("/api/datasets").json()
    assert "khanh-hoa-2022" in {d["id"] for d in data}
    assert all("path" not in d for d in data + rules)  # no file-system paths leak


def test_score_is_the_cli_json(client, capsys) -> None:
    expected = cli_json(capsys, "score", "--format", "json")
    got = client.get("/api/score?rules=khanh-hoa-2022&data=khanh-hoa-2022").json()
    assert got == expected
    assert client.get("/api/score").json() == expected  # defaults: the start-up ones


def test_score_of_the_variant_differs_where_the_cli_says(client, capsys) -> None:
    expected = cli_json(capsys, "score", "--format", "json", "--rules",
                        str(BUNDLED_RULES.parent / "khanh-hoa-2022-online3"))
    got = client.get("/api/score?rules=khanh-hoa-2022-online3").json()
    assert got == expected
    assert got != client.get("/api/score").json()


def test_explain_rows_add_up_to_the_points(client) -> None:
    body = client.get("/api/explain/so-du-lich").json()
    assert body["agency_id"] == "so-du-lich"
    assert sum(r["points"] for r in body["leaves"]) == pytest.approx(body["points"])
    assert {r["leaf"] for r in body["leaves"]} >= {"3.2.1", "7.2.1"}
    # a name, accents optional, names the same unit
    assert client.get("/api/explain/so du lich").json()["agency_id"] == "so-du-lich"


def test_compare_gives_the_shifts_of_cchc_compare(client, capsys) -> None:
    variant = BUNDLED_RULES.parent / "khanh-hoa-2022-online3"
    assert main(["compare", "--rules", str(BUNDLED_RULES), "--against", str(variant),
                 "--format", "csv"]) == 0
    import pandas as pd
    cli = pd.read_csv(io.StringIO(capsys.readouterr().out), dtype={"agency_id": str})
    body = {"rules": "khanh-hoa-2022", "data": "khanh-hoa-2022", "overrides": {
        "7.2.1": {"max": 3, "rule": {"bands": [
            {"min": 80, "points": 3}, {"min": 50, "max": 80, "points": 2.25},
            {"min": 30, "max": 50, "points": 1.5}, {"min": 10, "max": 30, "points": 0.75},
            {"min": 0, "max": 10, "points": 0}]}},
        "7.2.4": {"max": 1}}}
    r = client.post("/api/compare", json=body)
    assert r.status_code == 200, r.text
    got = pd.DataFrame(r.json()["agencies"]).set_index("agency_id")
    cli = cli.set_index("agency_id")
    assert set(got.index) == set(cli.index)
    for col in ("rank_a", "rank_b", "rank_shift", "points_diff"):
        assert got[col].astype(float).fillna(-1).to_dict() == pytest.approx(
            cli.loc[got.index, col].astype(float).fillna(-1).to_dict()), col
    assert (got["class_b"].fillna("") == cli.loc[got.index, "class_b"].fillna("")).all()


def test_compare_rejects_a_bad_override_with_the_loaders_message(client) -> None:
    r = client.post("/api/compare", json={"overrides": {"9.9.9": {"max": 2}}})
    assert r.status_code == 400
    assert "9.9.9" in r.json()["error"]
    r = client.post("/api/compare", json={"overrides": {"3.2.1": {"max": -1}}})
    assert r.status_code == 400


def test_compare_needs_json(client) -> None:
    r = client.post("/api/compare", content=b"overrides=1",
                    headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 400
    r = client.post("/api/compare", content=b"{not json", headers={
        "content-type": "application/json"})
    assert r.status_code == 400
    r = client.post("/api/compare", json={}, headers={"origin": "http://evil.example"})
    assert r.status_code == 403


def test_workbook_opens_with_openpyxl(client) -> None:
    r = client.get("/api/workbook?rules=khanh-hoa-2022&data=khanh-hoa-2022")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    assert "attachment" in r.headers["content-disposition"]
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert len(wb.sheetnames) >= 3


@pytest.mark.parametrize("bad", [
    "../khanh-hoa-2022", "..%2Fkhanh-hoa-2022", "%2E%2E%2Fetc%2Fpasswd", "/etc/passwd",
    "%2Fetc%2Fpasswd", "..\\..\\etc", "khanh-hoa-2022/../../etc", "no-such-rules",
    "%252E%252E%252F", "C:\\Windows"])
def test_rule_and_data_ids_never_reach_the_file_system(client, bad) -> None:
    for url in (f"/api/score?rules={bad}", f"/api/score?data={bad}",
                f"/api/workbook?rules={bad}", f"/api/explain/so-du-lich?data={bad}",
                f"/?rules={bad}", f"/unit/so-du-lich?rules={bad}"):
        r = client.get(url)
        assert r.status_code == 404, (url, r.status_code)
        assert "Traceback" not in r.text


def test_unknown_ids_are_404_with_a_message(client) -> None:
    r = client.get("/api/explain/khong-co-don-vi-nay")
    assert r.status_code in (400, 404)
    assert "khong-co-don-vi-nay" in r.json()["error"]
    r = client.get("/api/score?rules=nope")
    assert r.status_code == 404
    assert "khanh-hoa-2022" in r.json()["error"]  # the fix lists the ids there are
    assert client.get("/api/nothing-here").status_code == 404


def test_traversal_in_paths_is_404(client) -> None:
    for url in ("/static/../config.py", "/static/%2e%2e/config.py",
                "/static/..%2Fconfig.py", "/unit/..%2F..%2Fetc%2Fpasswd"):
        r = client.get(url)
        assert r.status_code in (400, 404), url
        assert "WebConfig" not in r.text


def test_oversize_upload_is_413(config, workspace) -> None:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from cchc.web.app import create_app

    small = config.replace(max_upload_bytes=10_000)
    with TestClient(create_app(small), raise_server_exceptions=False) as c:
        token = csrf_of(c)
        r = c.post("/data/upload", data={"csrf_token": token, "kind": "dataset"},
                   files={"file": ("big.zip", b"x" * 200_000, "application/zip")})
        assert r.status_code == 413
        assert "MB" in r.text
        assert c.get("/api/health").json() == {"status": "ok"}
    assert not any((workspace / "datasets").iterdir())


def test_bundled_dataset_is_the_default(client) -> None:
    data = client.get("/api/datasets").json()
    assert [d["id"] for d in data if d["default"]] == [BUNDLED_DATASET.name]
