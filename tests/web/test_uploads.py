"""Uploads: only dataset files, never outside the workspace, a bad one changes nothing."""

from __future__ import annotations

import io
import shutil
import stat
import zipfile
from pathlib import Path

import pytest

from cchc.web.uploads import member_name
from scoring.errors import UsageError
from scoring.paths import BUNDLED_DATASET, SEED_REPORT

from .conftest import csrf_of

FILES = ("agencies.csv", "dossiers.csv", "tasks.csv", "review.csv", "findings.csv",
         "manifest.json")


def dataset_zip(prefix: str = "ds/", extra: dict[str, bytes] | None = None,
                change: dict[str, bytes] | None = None) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for name in FILES:
            data = (change or {}).get(name, (BUNDLED_DATASET / name).read_bytes())
            zf.writestr(prefix + name, data)
        for name, data in (extra or {}).items():
            zf.writestr(name, data)
    return buf.getvalue()


def upload(client, data: bytes, filename: str = "ds.zip", kind: str = "dataset",
           **fields: str):
    token = csrf_of(client)
    return client.post("/data/upload", data={"csrf_token": token, "kind": kind, **fields},
                       files={"file": (filename, data, "application/octet-stream")})


def test_a_good_zip_becomes_a_dataset(fresh_client, workspace) -> None:
    r = upload(fresh_client, dataset_zip(), name="Khánh Hòa thử")
    assert r.status_code == 200, r.text[-1500:]
    assert 'id="upload-ok"' in r.text
    assert (workspace / "datasets" / "khanh-hoa-thu" / "agencies.csv").is_file()
    score = fresh_client.get("/api/score?data=khanh-hoa-thu").json()
    assert score == fresh_client.get("/api/score").json()
    assert list((workspace / "tmp").iterdir()) == []


def test_flat_zip_works_too(fresh_client, workspace) -> None:
    r = upload(fresh_client, dataset_zip(prefix=""), filename="Năm 2023.zip")
    assert r.status_code == 200
    assert (workspace / "datasets" / "nam-2023" / "tasks.csv").is_file()


@pytest.mark.parametrize("name", ["../evil.csv", "/etc/evil.csv", "ds/../../evil.csv",
                                  "ds\\..\\evil.csv", "C:/evil.csv", "ds/sub/agencies.csv",
                                  "ds/run.sh"])
def test_unsafe_or_unexpected_members_are_refused(fresh_client, workspace, name) -> None:
    r = upload(fresh_client, dataset_zip(extra={name: b"x"}))
    assert r.status_code == 400
    assert 'id="upload-errors"' in r.text
    assert not (workspace.parent / "evil.csv").exists()
    assert not any((workspace / "datasets").iterdir())
    assert list((workspace / "tmp").iterdir()) == []


def test_links_are_refused() -> None:
    info = zipfile.ZipInfo("ds/agencies.csv")
    info.external_attr = (stat.S_IFLNK | 0o777) << 16
    with pytest.raises(UsageError, match="liên kết"):
        member_name(info, "x.zip")


def test_not_a_zip_and_wrong_suffix(fresh_client) -> None:
    r = upload(fresh_client, b"hello", filename="ds.zip")
    assert r.status_code == 400 and "zip" in r.text
    r = upload(fresh_client, dataset_zip(), filename="ds.exe")
    assert r.status_code == 400


def test_a_bad_dataset_never_changes_the_existing_one(fresh_client, workspace) -> None:
    assert upload(fresh_client, dataset_zip(), name="nam").status_code == 200
    before = {p.name: p.read_bytes() for p in (workspace / "datasets" / "nam").iterdir()}
    broken = (BUNDLED_DATASET / "dossiers.csv").read_bytes().replace(b"\n", b"\nxx,", 3)
    r = upload(fresh_client, dataset_zip(change={"dossiers.csv": broken}), name="nam",
               replace="on")
    assert r.status_code == 400 and "dossiers.csv" in r.text
    after = {p.name: p.read_bytes() for p in (workspace / "datasets" / "nam").iterdir()}
    assert after == before
    # without "replace" a good upload of the same name is refused, with it it replaces
    r = upload(fresh_client, dataset_zip(), name="nam")
    assert r.status_code == 400
    assert upload(fresh_client, dataset_zip(), name="nam", replace="on").status_code == 200


def test_bundled_dataset_cannot_be_replaced(fresh_client) -> None:
    r = upload(fresh_client, dataset_zip(), name="khanh-hoa-2022", replace="on")
    assert r.status_code == 400


def test_missing_tables_are_named(fresh_client) -> None:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("agencies.csv", (BUNDLED_DATASET / "agencies.csv").read_bytes())
    r = upload(fresh_client, buf.getvalue())
    assert r.status_code == 400 and "dossiers.csv" in r.text


def test_zip_bomb_is_refused(config, workspace) -> None:
    import warnings
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from fastapi.testclient import TestClient
    from cchc.web.app import create_app

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("agencies.csv", b"0" * 5_000_000)
    small = config.replace(max_upload_bytes=1_000_000)
    with TestClient(create_app(small), raise_server_exceptions=False) as c:
        r = upload(c, buf.getvalue())
        assert r.status_code == 400 and "giới hạn" in r.text
    assert not any((workspace / "datasets").iterdir())


def test_a_report_is_imported(fresh_client, workspace, tmp_path) -> None:
    report = tmp_path / "bao-cao.txt"
    shutil.copy(SEED_REPORT, report)
    r = upload(fresh_client, report.read_bytes(), filename="Báo cáo 2022.txt", kind="report")
    assert r.status_code == 200, r.text[-2000:]
    folder = workspace / "datasets" / "bao-cao-2022"
    assert (folder / "agencies.csv").is_file() and (folder / "tasks.csv").is_file()


def test_no_file_and_no_token(fresh_client, workspace) -> None:
    token = csrf_of(fresh_client)
    r = fresh_client.post("/data/upload", data={"csrf_token": token, "kind": "dataset"})
    assert r.status_code == 400
    r = fresh_client.post("/data/upload", data={"kind": "dataset"},
                          files={"file": ("ds.zip", dataset_zip(), "application/zip")})
    assert r.status_code == 403
    assert not any(Path(workspace, "datasets").iterdir())
