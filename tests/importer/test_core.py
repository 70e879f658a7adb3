"""Writing the dataset folder (scoring/importer/core.py): determinism, atomicity, review."""

from __future__ import annotations

import hashlib
import json
import shutil
from pathlib import Path

import pytest

from scoring.errors import DataError, UsageError
from scoring.importer import import_report
from scoring.importer.core import GENERATED_FILES, write_atomically
from scoring.paths import BUNDLED_DATASET


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.iterdir())}


def test_bundled_dataset_is_what_the_importer_writes(seed_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "khanh-hoa-2022"
    out.mkdir()
    review = BUNDLED_DATASET / "review.csv"
    if review.exists():
        shutil.copy(review, out / "review.csv")
    import_report(seed_report, out)
    committed = {n: (BUNDLED_DATASET / n).read_bytes() for n in GENERATED_FILES}
    for name in GENERATED_FILES:
        assert (out / name).read_bytes() == committed[name], (
            f"{name} differs: re-run cchc import-report {seed_report.name} --out "
            "datasets/khanh-hoa-2022")


def test_reimport_is_byte_identical_and_keeps_review(seed_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    import_report(seed_report, out)
    first = _digest(out)
    review = out / "review.csv"
    review.write_text("task_id,field,value,justification\nI.1,status,not_done,chưa ban hành\n",
                      encoding="utf-8")
    before = review.read_bytes()
    import_report(seed_report, out)
    assert review.read_bytes() == before
    import_report(seed_report, out)
    second = _digest(out)
    assert second.pop("review.csv")
    assert second["agencies.csv"] == first["agencies.csv"]
    assert second["tasks.csv"] != first["tasks.csv"]  # the review changed I.1's source
    review.unlink()
    import_report(seed_report, out)
    assert _digest(out) == first
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]


def test_manifest(seed_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "khanh-hoa-2022"
    import_report(seed_report, out)
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["name"] == "khanh-hoa-2022" and m["province"] == "Khánh Hòa" and m["year"] == 2022
    assert m["period"] == {"start": "2021-12-15", "end": "2022-12-14"}
    assert m["source"]["sha256"] == hashlib.sha256(seed_report.read_bytes()).hexdigest()
    assert m["source"]["report_date"] == "2023-02-24"
    for name, digest in m["files"].items():
        assert hashlib.sha256((out / name).read_bytes()).hexdigest() == digest
    assert m["counts"]["tasks"] == 60 and m["counts"]["communes"] == 136
    assert "T" not in json.dumps(m["period"])  # dates, no timestamps


def test_report_is_never_modified(seed_report: Path, tmp_path: Path) -> None:
    report = tmp_path / "report.txt"
    shutil.copy(seed_report, report)
    before = report.read_bytes()
    import_report(report, tmp_path)
    assert report.read_bytes() == before


def test_failure_leaves_existing_folder_untouched(seed_report: Path, tmp_path: Path) -> None:
    out = tmp_path / "ds"
    import_report(seed_report, out)
    before = _digest(out)
    bad = tmp_path / "bad.txt"
    bad.write_text(seed_report.read_text(encoding="utf-8").split("Phụ lục 2")[0],
                   encoding="utf-8")
    with pytest.raises(DataError):
        import_report(bad, out)
    assert _digest(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.txt", "ds"]


def test_write_failure_cleans_up(tmp_path: Path) -> None:
    files = {"a.csv": b"x", "b.csv": None}  # writing None fails half-way
    with pytest.raises(TypeError):
        write_atomically(tmp_path / "new", files)  # type: ignore[arg-type]
    assert list(tmp_path.iterdir()) == []


def test_out_must_be_a_folder(seed_report: Path, tmp_path: Path) -> None:
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(UsageError, match="không phải là thư mục. Cách sửa: truyền một thư mục"):
        import_report(seed_report, f)
