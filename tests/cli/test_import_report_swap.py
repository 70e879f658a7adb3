"""``cchc import-report --out DS`` replaces the dataset all-or-nothing, with one message."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest

import scoring.files as files
from cchc.cli import main


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "dir"
            for p in sorted(folder.iterdir())}


@pytest.fixture
def dataset(seed_report: Path, tmp_path: Path, capsys) -> Path:
    out = tmp_path / "ds"
    assert main(["import-report", str(seed_report), "--out", str(out), "-q"]) == 0
    (out / "review.csv").write_text("task_id,field,value,justification\n", encoding="utf-8")
    (out / "agencies.csv").write_text("edited by hand\n", encoding="utf-8")
    capsys.readouterr()
    return out


def test_a_failed_swap_keeps_the_old_dataset_whole(seed_report, dataset, monkeypatch,
                                                   capsys):
    before = _digest(dataset)
    real = files.os.replace

    def locked(src, dst):
        if Path(dst) == dataset and Path(src).name == "new":  # cannot be moved in
            raise PermissionError(13, "Permission denied")
        return real(src, dst)

    monkeypatch.setattr(files.os, "replace", locked)
    code = main(["import-report", str(seed_report), "--out", str(dataset), "-q"])
    err = capsys.readouterr().err
    assert code == 1 and "Traceback" not in err and err.count("\n") == 1
    assert str(dataset) in err
    assert _digest(dataset) == before
    assert sorted(p.name for p in dataset.parent.iterdir()) == ["ds"]


def test_a_successful_import_replaces_every_generated_file_and_keeps_review(
        seed_report, dataset, capsys):
    (dataset / "dossiers.csv").unlink()
    (dataset / "dossiers.csv").mkdir()  # a folder where a generated file belongs
    assert main(["import-report", str(seed_report), "--out", str(dataset), "-q"]) == 0
    assert (dataset / "dossiers.csv").is_file()
    assert (dataset / "agencies.csv").read_text(encoding="utf-8") != "edited by hand\n"
    assert (dataset / "review.csv").read_text(encoding="utf-8").startswith("task_id")
    assert sorted(p.name for p in dataset.parent.iterdir()) == ["ds"]


def test_a_read_only_parent_is_a_message(seed_report, tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(files, "writable", lambda folder: False)
    code = main(["import-report", str(seed_report), "--out", str(tmp_path / "ds"), "-q"])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and str(tmp_path) in err
    assert list(tmp_path.iterdir()) == []
