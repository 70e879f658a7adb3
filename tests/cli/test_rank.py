"""``cchc rank`` on the bundled rules and data: the workbook, the summary, the failures."""

from __future__ import annotations

import shutil

import openpyxl
import pytest

from cchc.cli import main
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules
from scoring.vocabulary import sheet_label


@pytest.fixture(scope="module")
def engine_result():
    return score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))


def test_no_arguments_writes_the_default_workbook_and_a_summary(tmp_path, monkeypatch,
                                                                capsys, engine_result):
    monkeypatch.chdir(tmp_path)
    assert main(["rank"]) == 0
    out = capsys.readouterr().out
    target = tmp_path / f"cchc-{engine_result.dataset.name}.xlsx"
    assert target.exists()
    assert f"Đã ghi bảng tính: {target}" in out
    totals = engine_result.totals
    for group in engine_result.rules.groups:
        rows = totals[totals["group"] == group.id]
        if rows.empty:
            continue
        assert f"{group.name} ({len(rows)} đơn vị)" in out
        first = rows.iloc[0]
        assert f"Hạng 1: {first['agency']}" in out
        counts = rows["class"].value_counts()
        for label, n in counts.items():
            assert f"{label}: {n}" in out
    wb = openpyxl.load_workbook(target, read_only=True)
    assert wb.sheetnames[-1] == sheet_label("provenance")


def test_an_earlier_workbook_is_replaced_only_with_force(tmp_path, capsys):
    target = tmp_path / "ket-qua.xlsx"
    target.write_bytes(b"an earlier file")
    assert main(["rank", "-o", str(target)]) == 2
    err = capsys.readouterr().err
    assert "đã có" in err and "--force" in err and err.count("\n") == 1
    assert target.read_bytes() == b"an earlier file"
    assert main(["rank", "-o", str(target), "--force"]) == 0
    assert target.read_bytes()[:2] == b"PK"  # replaced by a real workbook (a zip)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ket-qua.xlsx"]  # no temp left


def test_the_default_workbook_is_not_overwritten_without_force(tmp_path, monkeypatch,
                                                               capsys):
    monkeypatch.chdir(tmp_path)
    assert main(["rank"]) == 0
    first = next(tmp_path.iterdir())
    before = first.read_bytes()
    assert main(["rank"]) == 2
    assert "--force" in capsys.readouterr().err
    assert first.read_bytes() == before


def test_missing_folder_fails_with_one_message(tmp_path, capsys):
    code = main(["rank", "-o", str(tmp_path / "missing" / "x.xlsx")])
    err = capsys.readouterr().err
    assert code == 2
    assert err.startswith("cchc: lỗi: -o: thư mục") and "không tồn tại" in err
    assert "Traceback" not in err and err.count("\n") == 1


def test_refuses_to_write_into_the_dataset(tmp_path, capsys):
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATASET, data)
    before = sorted(p.name for p in data.iterdir())
    code = main(["rank", "--data", str(data), "-o", str(data / "agencies.xlsx")])
    err = capsys.readouterr().err
    assert code == 2 and "nằm trong thư mục đầu vào" in err
    assert sorted(p.name for p in data.iterdir()) == before


def test_variant_rule_set_gets_its_own_default_name(tmp_path, monkeypatch, capsys):
    variants = sorted(p for p in BUNDLED_RULES.parent.iterdir()
                      if p.name.startswith(BUNDLED_RULES.name + "-"))
    assert variants, "the bundled variant rule set is missing"
    monkeypatch.chdir(tmp_path)
    assert main(["rank", "--rules", str(variants[0])]) == 0
    rules = load_rules(variants[0])
    names = [p.name for p in tmp_path.iterdir()]
    assert names == [f"cchc-khanh-hoa-2022-{rules.id}.xlsx"]


def test_ledger_options(tmp_path, capsys):
    assert main(["rank", "-o", str(tmp_path / "a.xlsx"), "--ledger", "csv"]) == 0
    assert (tmp_path / "a-chi-tiet-diem.csv").exists()
    assert main(["rank", "-o", str(tmp_path / "b.xlsx"), "--no-ledger"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "a-chi-tiet-diem.csv", "a.xlsx", "b.xlsx"]


def test_english_summary_names_the_classes_in_english(tmp_path, capsys, engine_result):
    """The rule file writes its classes in Vietnamese; ``--lang en`` says them as explain
    and the other commands do (``scoring.vocabulary.class_label``)."""
    assert main(["--lang", "en", "rank", "-o", str(tmp_path / "en.xlsx")]) == 0
    lines = [ln for ln in capsys.readouterr().out.splitlines() if "Classes:" in ln]
    expected = {c.label for g in engine_result.rules.groups for c in g.classes}
    assert lines and "Xuất sắc" in expected
    assert not any(label in ln for ln in lines for label in expected)
    assert all("Excellent:" in ln for ln in lines)
