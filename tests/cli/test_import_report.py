"""``cchc import-report`` (cchc/cli/import_report.py): output, bad inputs, exit codes."""

from __future__ import annotations

import csv
import io
import shutil
from pathlib import Path

import pytest

from cchc.cli import main

pytestmark = pytest.mark.usefixtures("english")  # asserts the messages as written


def _run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["import-report", *args])
    out, err = capsys.readouterr()
    return code, out, err


def test_import_prints_counts_and_findings(seed_report: Path, tmp_path: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    code, stdout, stderr = _run(capsys, str(seed_report), "--out", str(out))
    assert code == 0, stderr
    assert "174 agencies, 173 dossier rows, 60 tasks" in stdout
    assert "Data-quality findings (findings.csv)" in stdout
    assert "Thuộc thành phố Cam Ranh" in stdout and "16.163" in stdout
    assert "Uncertain proposals not yet reviewed: I.1, I.7" in stdout
    rows = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text("utf-8"))))
    assert f"{len(rows)} findings" in stdout
    assert all(r["published"] in stdout for r in rows if len(r["published"]) <= 12)


def test_review_overrides_are_listed(seed_report: Path, tmp_path: Path,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    review = tmp_path / "decisions.csv"
    review.write_text("task_id,field,value,justification\nI.7,status,done_on_time,QĐ 562\n",
                      encoding="utf-8")
    code, stdout, _ = _run(capsys, str(seed_report), "--out", str(tmp_path / "ds"),
                           "--review", str(review))
    assert code == 0
    assert "I.7 (completed late → completed on time)" in stdout
    assert not (tmp_path / "ds" / "review.csv").exists()  # the review is read, not copied


def _assert_clean_failure(code: int, stderr: str, tmp_path: Path, out: Path,
                          *needles: str) -> None:
    assert code != 0
    assert "Traceback" not in stderr
    assert stderr.startswith("cchc: error:") or stderr.startswith("cchc: ")
    assert len(stderr.strip().splitlines()) <= 3
    for n in needles:
        assert n in stderr
    assert not out.exists()
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_truncated_report(seed_report: Path, tmp_path: Path,
                          capsys: pytest.CaptureFixture[str]) -> None:
    lines = seed_report.read_text(encoding="utf-8").split("\n")
    bad = tmp_path / "cut.txt"
    bad.write_text("\n".join(lines[:250]), encoding="utf-8")
    out = tmp_path / "ds"
    code, _, err = _run(capsys, str(bad), "--out", str(out))
    _assert_clean_failure(code, err, tmp_path, out, "cut.txt", "TỔNG", "truncated")
    bad.write_text("\n".join(lines[:100]), encoding="utf-8")
    code, _, err = _run(capsys, str(bad), "--out", str(out))
    _assert_clean_failure(code, err, tmp_path, out, "Phụ lục 2", "truncated")


def test_missing_column(seed_report: Path, tmp_path: Path,
                        capsys: pytest.CaptureFixture[str]) -> None:
    # drop the last column (online rate) from every row of Phụ lục 2
    lines = seed_report.read_text(encoding="utf-8").split("\n")
    start = next(i for i, t in enumerate(lines) if t.startswith("Phụ lục 2"))
    cut = lines[:start] + ["\t".join(t.split("\t")[:13]) for t in lines[start:]]
    bad = tmp_path / "cols.txt"
    bad.write_text("\n".join(cut), encoding="utf-8")
    out = tmp_path / "ds"
    code, _, err = _run(capsys, str(bad), "--out", str(out))
    _assert_clean_failure(code, err, tmp_path, out, "cols.txt:164", "13 columns, expected 14")


def test_missing_column_in_one_row(seed_report: Path, tmp_path: Path,
                                   capsys: pytest.CaptureFixture[str]) -> None:
    text = seed_report.read_text(encoding="utf-8")
    bad = tmp_path / "row.txt"
    bad.write_text(text.replace("Sở Du lịch\t586\t", "Sở Du lịch\t"), encoding="utf-8")
    out = tmp_path / "ds"
    code, _, err = _run(capsys, str(bad), "--out", str(out))
    _assert_clean_failure(code, err, tmp_path, out, "row.txt:169", "13 cells, expected 14")


def test_missing_task_column(seed_report: Path, tmp_path: Path,
                             capsys: pytest.CaptureFixture[str]) -> None:
    lines = seed_report.read_text(encoding="utf-8").split("\n")
    lines[7] = "\t".join(lines[7].split("\t")[:5])  # the first Phụ lục 1 header
    bad = tmp_path / "t.txt"
    bad.write_text("\n".join(lines), encoding="utf-8")
    out = tmp_path / "ds"
    code, _, err = _run(capsys, str(bad), "--out", str(out))
    _assert_clean_failure(code, err, tmp_path, out, "t.txt:8", "5 columns")


def test_non_utf8(seed_report: Path, tmp_path: Path,
                  capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "latin.txt"
    bad.write_bytes("Phụ lục 1\n".encode() + "Khánh Hòa\n".encode("cp1252"))
    out = tmp_path / "ds"
    code, _, err = _run(capsys, str(bad), "--out", str(out))
    _assert_clean_failure(code, err, tmp_path, out, "latin.txt:2", "not UTF-8", "Fix:")


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    code, _, err = _run(capsys, str(tmp_path / "missing.txt"), "--out", str(out))
    _assert_clean_failure(code, err, tmp_path, out, "missing.txt", "does not exist")


@pytest.mark.usefixtures("english")
def test_bad_review_in_output_folder_keeps_folder_as_is(
        seed_report: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "ds"
    assert main(["import-report", str(seed_report), "--out", str(out), "-q"]) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (out / "review.csv").write_text("task_id,field,value,justification\n"
                                    "I.1,status,finished,x\n", encoding="utf-8")
    capsys.readouterr()
    code, _, err = _run(capsys, str(seed_report), "--out", str(out))
    assert code == 1
    assert "review.csv:2: value: bad status 'finished'" in err
    after = {p.name: p.read_bytes() for p in out.iterdir() if p.name != "review.csv"}
    assert after == before


def test_out_is_a_file(seed_report: Path, tmp_path: Path,
                       capsys: pytest.CaptureFixture[str]) -> None:
    f = tmp_path / "f"
    f.write_text("x")
    code, _, err = _run(capsys, str(seed_report), "--out", str(f))
    assert code == 2 and "is a file, not a folder" in err  # the module runs in English


def test_copy_of_seed_into_fresh_folder(seed_report: Path, tmp_path: Path,
                                        capsys: pytest.CaptureFixture[str]) -> None:
    shutil.copy(seed_report, tmp_path / "r.txt")
    code, stdout, _ = _run(capsys, str(tmp_path / "r.txt"), "--out",
                           str(tmp_path / "a" / "b"), "-q")
    assert code == 0 and stdout.startswith("wrote ")
    assert sorted(p.name for p in (tmp_path / "a" / "b").iterdir()) == [
        "agencies.csv", "dossiers.csv", "findings.csv", "manifest.json", "tasks.csv"]
