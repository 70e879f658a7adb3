"""Filled score forms uploaded on the Dữ liệu page: collected as `cchc collect` does into a
workspace copy of the dataset, all or nothing, with the same per-cell messages."""

from __future__ import annotations

import io
import re
import shutil
import warnings
import zipfile
from html import unescape
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from cchc.cli import main
from cchc.web.app import create_app
from cchc.web.config import WebConfig
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules
from tests.forms_fill import form_meta, set_cell

from .conftest import csrf_of


def cli_collect(forms: Path, tmp: Path, capsys) -> tuple[Path, list[str]]:
    """`cchc collect` of the same forms into a copy of the bundled dataset."""
    data = tmp / "cli-copy"
    shutil.copytree(BUNDLED_DATASET, data)
    assert main(["collect", str(forms), "--data", str(data)]) == 0
    return data, capsys.readouterr().out.splitlines()


def post_forms(client, files: list[tuple[str, bytes]], **fields: str):
    token = csrf_of(client)
    return client.post("/data/upload", data={"csrf_token": token, "kind": "forms", **fields},
                       files=[("file", (n, b, "application/octet-stream")) for n, b in files])


def summary(html: str) -> list[str]:
    m = re.search(r'<pre class="collected" id="collect-summary">(.*?)</pre>', html, re.S)
    assert m, html[-2000:]
    return unescape(m.group(1)).splitlines()


def test_forms_become_a_workspace_copy_like_cchc_collect(fresh_client, workspace, forms,
                                                         tmp_path, capsys) -> None:
    cli_data, cli_lines = cli_collect(forms, tmp_path, capsys)
    before = {p.name: p.read_bytes() for p in BUNDLED_DATASET.iterdir()}
    files = [(p.name, p.read_bytes()) for p in sorted(forms.glob("*.xlsx"))]
    r = post_forms(fresh_client, files)
    assert r.status_code == 200, r.text[-2000:]
    assert 'data-dataset="khanh-hoa-2022-phieu"' in r.text
    copy = workspace / "datasets" / "khanh-hoa-2022-phieu"
    assert (copy / "scores.csv").read_bytes() == (cli_data / "scores.csv").read_bytes()
    # the same report as the command line, but for the source of the files
    lines = summary(r.text)
    assert lines[0].startswith(f"Đã đọc {len(files)} ") and lines[1:] == cli_lines[1:-1]
    assert {p.name: p.read_bytes() for p in BUNDLED_DATASET.iterdir()} == before
    assert list((workspace / "tmp").iterdir()) == []
    # scored like the CLI's copy
    mine = fresh_client.get("/api/score?data=khanh-hoa-2022-phieu").json()
    cli = score(load_rules(BUNDLED_RULES), load_dataset(cli_data)).totals
    assert {row["agency_id"]: row["points"] for row in mine} == pytest.approx(
        cli["points"].to_dict())
    # a second upload under the same name needs "replace"
    again = post_forms(fresh_client, files)
    assert again.status_code == 400 and "khanh-hoa-2022-phieu" in unescape(again.text)
    assert post_forms(fresh_client, files, replace="on").status_code == 200


def test_a_zip_of_forms_works_too(fresh_client, workspace, forms) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for p in sorted(forms.glob("*.xlsx")):
            zf.write(p, f"phieu/{p.name}")
        zf.writestr("__MACOSX/._x", b"")
    r = post_forms(fresh_client, [("Phiếu huyện.zip", buf.getvalue())], name="huyen 2023")
    assert r.status_code == 200, r.text[-2000:]
    assert (workspace / "datasets" / "huyen-2023" / "scores.csv").is_file()


def test_a_bad_cell_is_refused_with_the_cli_message_and_nothing_is_kept(
        fresh_client, workspace, forms, tmp_path, capsys) -> None:
    bad = tmp_path / "bad"
    shutil.copytree(forms, bad)
    path = sorted(bad.glob("*.xlsx"))[0]
    row = next(r for r in form_meta(path)[1] if r.role == "input")
    set_cell(path, f"E{row.row}", "hai điểm")
    data = tmp_path / "cli-copy"
    shutil.copytree(BUNDLED_DATASET, data)
    assert main(["collect", str(bad), "--data", str(data)]) != 0
    said = capsys.readouterr().err
    message = next(line for line in said.splitlines() if "hai điểm" in line or "chữ" in line)
    r = post_forms(fresh_client, [(p.name, p.read_bytes()) for p in sorted(bad.glob("*.xlsx"))])
    assert r.status_code == 400
    text = unescape(r.text)
    assert f"{path.name}" in text and f"E{row.row}" in text
    assert message.split(": ", 2)[-1] in text                 # the same words as the CLI
    assert not (workspace / "datasets" / "khanh-hoa-2022-phieu").exists()
    assert list((workspace / "tmp").iterdir()) == []


@pytest.mark.parametrize("files", [
    [("phieu.pdf", b"%PDF-1.4")],
    [("../../x.xlsx", b"PK")],                               # read as its plain name: not a form
])
def test_only_xlsx_forms(fresh_client, workspace, files) -> None:
    r = post_forms(fresh_client, files)
    assert r.status_code == 400
    assert not (workspace / "datasets" / "khanh-hoa-2022-phieu").exists()
    assert not list(workspace.parent.glob("x.xlsx"))


@pytest.mark.parametrize("member", ["../x.xlsx", "/abs/x.xlsx", "phieu/ghi-chu.txt"])
def test_a_zip_with_a_path_out_or_another_file_is_refused(fresh_client, workspace,
                                                          member) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr(member, b"data")
    r = post_forms(fresh_client, [("phieu.zip", buf.getvalue())])
    assert r.status_code == 400 and "phieu.zip" in unescape(r.text)
    assert list((workspace / "datasets").iterdir()) == []
    assert list((workspace / "tmp").iterdir()) == []


def test_oversize_forms_are_refused(tmp_path, forms) -> None:
    config = WebConfig.make(tmp_path / "ws", password="", max_upload_mb=0.05)
    with TestClient(create_app(config), raise_server_exceptions=False) as c:
        files = [(p.name, p.read_bytes()) for p in sorted(forms.glob("*.xlsx"))]
        r = post_forms(c, files)
        assert r.status_code in (400, 413)
        assert "MB" in unescape(r.text)
    assert list((config.workspace / "datasets").iterdir()) == []
