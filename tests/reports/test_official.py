"""A workbook from a changed rule set or an edited dataset is titled as a trial."""

from __future__ import annotations

import shutil
from pathlib import Path

import openpyxl
import pytest

from cchc.cli import main
from reports.workbook import changes, rules_fingerprint
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES, BUNDLED_RULES_SHA256
from scoring.rules.loader import load_rules

OFFICIAL = "KẾT QUẢ CHỈ SỐ CẢI CÁCH HÀNH CHÍNH"
TRIAL = "KẾT QUẢ THỬ NGHIỆM (KHÔNG CHÍNH THỨC)"


def test_the_recorded_fingerprint_is_the_bundled_rule_set():
    actual = rules_fingerprint(load_rules(BUNDLED_RULES))
    assert actual == BUNDLED_RULES_SHA256, (
        f"the bundled rule set changed; if on purpose, set BUNDLED_RULES_SHA256 in "
        f"scoring/paths.py to {actual!r}")


def test_comments_and_place_do_not_count_content_does(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(BUNDLED_RULES, copy)
    y = copy / "ruleset.yaml"
    y.write_text("# a comment of mine\n" + y.read_text(encoding="utf-8"), encoding="utf-8")
    assert rules_fingerprint(load_rules(copy)) == BUNDLED_RULES_SHA256
    y.write_text(y.read_text(encoding="utf-8").replace("min: 90}", "min: 89}", 1),
                 encoding="utf-8")
    assert rules_fingerprint(load_rules(copy)) != BUNDLED_RULES_SHA256


def _titles(path: Path) -> list[str]:
    wb = openpyxl.load_workbook(path, read_only=True)
    ws = wb[wb.sheetnames[0]]
    return [r[0] for r in ws.iter_rows(min_row=2, max_row=3, values_only=True)]


@pytest.mark.slow
def test_bundled_is_official_variant_and_edited_data_are_trials(tmp_path, capsys):
    out = tmp_path / "official.xlsx"
    assert main(["rank", "-o", str(out)]) == 0
    heading, attached = _titles(out)
    assert heading.startswith(OFFICIAL) and attached.startswith("(Kèm theo Quyết định")

    variant = BUNDLED_RULES.parent / "khanh-hoa-2022-online3"
    out = tmp_path / "variant.xlsx"
    assert main(["rank", "--rules", str(variant), "-o", str(out)]) == 0
    heading, attached = _titles(out)
    assert heading.startswith(TRIAL) and "khanh-hoa-2022-online3" in attached

    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATASET, data)
    d = data / "dossiers.csv"
    d.write_text(d.read_text(encoding="utf-8").replace(",5840,", ",5841,", 1), encoding="utf-8")
    out = tmp_path / "edited.xlsx"
    assert main(["rank", "--data", str(data), "-o", str(out)]) == 0
    heading, attached = _titles(out)
    assert heading.startswith(TRIAL) and "dossiers.csv" in attached
    assert "Kèm theo Quyết định" not in attached


def test_changes_of_the_bundled_result_are_none():
    result = score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))
    assert changes(result) == ()
