"""Every command that writes: outputs never inside inputs, no overwrite without --force,
unwritable targets are one message (exit 1 or 2, never 3)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import scoring.files as files
from cchc.cli import main
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES


@pytest.fixture
def data(tmp_path: Path) -> Path:
    folder = tmp_path / "data"
    shutil.copytree(BUNDLED_DATASET, folder)
    return folder


def _listing(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


@pytest.mark.slow
@pytest.mark.parametrize("command", [
    ["simulate", "--runs", "5", "--format", "csv"],
    ["compare", "--against", str(BUNDLED_RULES), "--format", "csv"],
    ["rank"],
])
def test_no_output_inside_the_dataset(command, data, capsys):
    before = _listing(data)
    for target in (data / "agencies.xlsx", data / "x.xlsx"):
        code = main([*command, "--data", str(data), "-o", str(target)])
        err = capsys.readouterr().err
        assert code == 2 and "thư mục đầu vào" in err and err.count("\n") == 1
    assert _listing(data) == before


@pytest.mark.slow
@pytest.mark.parametrize("command", [
    ["simulate", "--runs", "5", "--format", "csv"],
    ["compare", "--against", str(BUNDLED_RULES), "--format", "csv"],
])
def test_existing_workbook_needs_force(command, tmp_path, capsys):
    target = tmp_path / "old.xlsx"
    target.write_bytes(b"earlier")
    assert main([*command, "-o", str(target)]) == 2
    assert "--force" in capsys.readouterr().err and target.read_bytes() == b"earlier"
    assert main([*command, "-o", str(target), "--force"]) == 0
    assert target.read_bytes()[:2] == b"PK"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["old.xlsx"]


def test_a_folder_as_target_and_a_read_only_folder(tmp_path, monkeypatch, capsys):
    (tmp_path / "x.xlsx").mkdir()
    assert main(["rank", "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "là một thư mục" in capsys.readouterr().err
    monkeypatch.setattr(files, "writable", lambda folder: False)
    assert main(["rank", "-o", str(tmp_path / "y.xlsx")]) == 2
    err = capsys.readouterr().err
    assert "không có quyền ghi" in err and "Traceback" not in err


def test_an_unreplaceable_file_is_one_message(tmp_path, monkeypatch, capsys):
    target = tmp_path / "cchc.xlsx"
    target.write_bytes(b"open in Excel")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", locked)
    code = main(["rank", "-o", str(target), "--force"])
    err = capsys.readouterr().err
    assert code == 1 and err.startswith("cchc: lỗi:") and "Excel" in err
    assert target.read_bytes() == b"open in Excel"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["cchc.xlsx"]
