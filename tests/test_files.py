"""scoring.files: the output-path guard, the atomic writer, the temp place, folder swaps."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

import scoring.files as files
from scoring.errors import UsageError
from scoring.files import (
    TEMP_PREFIX,
    atomic_output,
    check_output,
    check_output_folder,
    clean_stale,
    replace_folder,
    scratch_folder,
    write_bytes,
)


def test_guard_refuses_each_bad_target_with_one_message(tmp_path, english):
    data = tmp_path / "data"
    data.mkdir()
    (data / "agencies.csv").write_text("x\n", encoding="utf-8")
    rules = tmp_path / "rules.yaml"
    rules.write_text("id: x\n", encoding="utf-8")
    (tmp_path / "dir.xlsx").mkdir()
    (tmp_path / "old.xlsx").write_bytes(b"old")
    cases = [
        (tmp_path / "out.csv", "does not end in .xlsx"),
        (tmp_path / "dir.xlsx", "is a folder"),
        (tmp_path / "no" / "x.xlsx", "does not exist"),
        (data / "x.xlsx", "is inside an input folder"),
        (tmp_path / "old.xlsx", "already exists"),
    ]
    for path, words in cases:
        with pytest.raises(UsageError) as err:
            check_output(path, inputs=[rules, data])
        assert words in str(err.value) and len(err.value.problems) == 1, path
        assert err.value.exit_code == 2
    with pytest.raises(UsageError, match="is an input"):
        check_output(rules, inputs=[rules], suffix=".yaml", force=True)
    assert check_output(tmp_path / "old.xlsx", force=True) == tmp_path / "old.xlsx"
    assert (tmp_path / "old.xlsx").read_bytes() == b"old"


def test_guard_reports_a_read_only_folder(tmp_path, monkeypatch, english):
    monkeypatch.setattr(files, "writable", lambda folder: False)
    with pytest.raises(UsageError, match="read-only"):
        check_output(tmp_path / "x.xlsx")
    with pytest.raises(UsageError, match="read-only"):
        check_output_folder(tmp_path / "ds")


def test_folder_guard(tmp_path, english):
    report = tmp_path / "report.txt"
    report.write_text("x", encoding="utf-8")
    with pytest.raises(UsageError, match="is an input"):
        check_output_folder(report, inputs=[report])
    with pytest.raises(UsageError, match="is a file, not a folder"):
        check_output_folder(report)
    assert check_output_folder(tmp_path / "new" / "ds") == tmp_path / "new" / "ds"


def test_atomic_output_replaces_in_one_step_and_keeps_the_old_file_on_failure(tmp_path):
    target = tmp_path / "a.txt"
    write_bytes(target, b"one")
    with pytest.raises(RuntimeError), atomic_output(target) as tmp:
        tmp.write_bytes(b"half")
        raise RuntimeError("killed")
    assert target.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]
    write_bytes(target, b"two")
    assert target.read_bytes() == b"two"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_an_unreplaceable_file_is_a_message_not_a_traceback(tmp_path, monkeypatch, english):
    target = tmp_path / "a.txt"
    write_bytes(target, b"one")

    def locked(src, dst):
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(files.os, "replace", locked)
    with pytest.raises(UsageError) as err:
        write_bytes(target, b"two")
    assert "cannot write" in str(err.value) and "Excel" in str(err.value)
    assert err.value.exit_code == 1
    assert target.read_bytes() == b"one"
    assert [p.name for p in tmp_path.iterdir()] == ["a.txt"]


def test_stale_temp_folders_of_killed_runs_are_removed_by_the_next_run(tmp_path):
    # a real process that made a temp folder and was killed before cleaning up
    code = ("import sys, scoring.files as f, os\n"
            "cm = f.scratch_folder(sys.argv[1]); d = cm.__enter__()\n"
            "(d / 'rows.bin').write_bytes(b'x' * 1000)\n"
            "os._exit(9)\n")
    subprocess.run([sys.executable, "-c", code, str(tmp_path)], check=False,
                   cwd=os.getcwd(), env={**os.environ, "PYTHONPATH": os.getcwd()})
    left = [p for p in tmp_path.iterdir() if p.name.startswith(TEMP_PREFIX)]
    assert len(left) == 1 and (left[0] / "rows.bin").exists()
    # another machine's folder (shared drive) is kept until it is a day old
    other = tmp_path / f"{TEMP_PREFIX}otherhost-1-abcd"
    other.mkdir()
    legacy = tmp_path / ".cchc-rows-abc"
    legacy.mkdir()
    old = 3 * 24 * 3600
    os.utime(legacy, (os.path.getmtime(legacy) - old,) * 2)
    with scratch_folder(tmp_path) as mine:
        assert mine.exists()
        names = sorted(p.name for p in tmp_path.iterdir())
        assert left[0].name not in names and legacy.name not in names
        assert other.name in names
    assert not mine.exists()
    assert clean_stale(tmp_path) == []


def test_replace_folder_is_all_or_nothing(tmp_path, monkeypatch, english):
    out = tmp_path / "ds"
    replace_folder(out, {"a.csv": b"a1", "b.csv": b"b1"})
    (out / "review.csv").write_bytes(b"kept")
    replace_folder(out, {"a.csv": b"a2", "b.csv": b"b2"})
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "a.csv": b"a2", "b.csv": b"b2", "review.csv": b"kept"}
    # a failure while writing the new files: nothing changes
    real_open = open

    def failing_open(path, mode="r", *a, **k):
        if str(path).endswith("b.csv") and "w" in mode:
            raise OSError(28, "No space left on device")
        return real_open(path, mode, *a, **k)

    monkeypatch.setattr("builtins.open", failing_open)
    with pytest.raises(UsageError, match="No space left"):
        replace_folder(out, {"a.csv": b"a3", "b.csv": b"b3"})
    monkeypatch.undo()
    assert {p.name: p.read_bytes() for p in out.iterdir()} == {
        "a.csv": b"a2", "b.csv": b"b2", "review.csv": b"kept"}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ds"]
    # a directory where a generated file should be is replaced with the folder
    (out / "a.csv").unlink()
    (out / "a.csv").mkdir()
    replace_folder(out, {"a.csv": b"a4", "b.csv": b"b4"})
    assert (out / "a.csv").read_bytes() == b"a4"
