"""The illustrative dataset is what tools/make_demo.py makes, byte for byte, and is marked."""

from __future__ import annotations

import importlib.util
import json

import pytest

from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES, REPO_ROOT
from scoring.rules.loader import load_rules

DEMO = REPO_ROOT / "datasets" / "khanh-hoa-2022-demo"


def _tool():
    spec = importlib.util.spec_from_file_location("make_demo", REPO_ROOT / "tools" /
                                                  "make_demo.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.slow
def test_the_script_regenerates_the_committed_demo(tmp_path):
    _tool().build(tmp_path / "demo")
    made = sorted(p.name for p in (tmp_path / "demo").iterdir())
    assert made == sorted(p.name for p in DEMO.iterdir())
    for name in made:
        assert (tmp_path / "demo" / name).read_bytes() == (DEMO / name).read_bytes(), name


def test_demo_is_marked_illustrative_and_shares_the_real_tables():
    manifest = json.loads((DEMO / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["illustrative"] is True and "minh họa" in manifest["note"].lower()
    for name in ("agencies.csv", "dossiers.csv", "tasks.csv", "review.csv", "findings.csv"):
        assert (DEMO / name).read_bytes() == (BUNDLED_DATASET / name).read_bytes()
    assert not (BUNDLED_DATASET / "scores.csv").exists()


def test_demo_gives_a_full_index():
    result = score(load_rules(BUNDLED_RULES), load_dataset(DEMO))
    totals = result.totals
    # with self-assessment, appraisal and survey every unit is scored on (nearly) 100 points
    assert (totals["max_points"] >= 90).all()
    assert totals["index"].between(30, 100).all()
    statuses = set(result.ledger["status"])
    assert {"manual", "scored"} <= statuses


def test_every_title_made_from_the_demo_is_stamped(tmp_path, capsys):
    import openpyxl

    from cchc.cli import main
    from reports.forms import write_forms
    from reports.workbook import write_workbook
    from scoring.i18n import language

    result = score(load_rules(BUNDLED_RULES), load_dataset(DEMO))
    with language("vi"):
        write_workbook(result, tmp_path / "demo.xlsx")
        write_forms(result, tmp_path / "forms", group="district")
    wb = openpyxl.load_workbook(tmp_path / "demo.xlsx")
    assert wb.properties.title.startswith("SỐ LIỆU MINH HỌA — ")
    assert wb.worksheets[0]["A2"].value.startswith("SỐ LIỆU MINH HỌA — KẾT QUẢ")
    form = openpyxl.load_workbook(tmp_path / "forms" / "ubnd-huyen-cam-lam.xlsx")
    assert form.properties.title.startswith("SỐ LIỆU MINH HỌA — PHIẾU CHẤM ĐIỂM")
    with language("vi"):
        assert main(["score", "--data", str(DEMO)]) == 0
        assert capsys.readouterr().out.startswith("SỐ LIỆU MINH HỌA\n")
        assert main(["explain", "so-y-te", "--data", str(DEMO)]) == 0
        assert capsys.readouterr().out.startswith("SỐ LIỆU MINH HỌA\n")
        assert main(["score"]) == 0
        assert "MINH HỌA" not in capsys.readouterr().out
