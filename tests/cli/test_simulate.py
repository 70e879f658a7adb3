"""``cchc simulate`` on the bundled rule set and dataset."""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cchc.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def csv_of(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), dtype={"agency_id": str}).set_index("agency_id")


def test_csv_nominal_rank_is_the_score_rank(capsys) -> None:
    code, out, err = run(capsys, "simulate", "--runs", "200", "--seed", "5", "--format", "csv")
    assert code == 0 and err == ""                    # no progress bar when not a terminal
    sim = csv_of(out)
    for col in ("group", "nominal_rank", "median_rank", "p05_rank", "p95_rank", "p_top_k"):
        assert col in sim.columns
    code, out, _ = run(capsys, "score", "--format", "csv")
    scored = csv_of(out)
    assert (sim["nominal_rank"] == scored.loc[sim.index, "rank"]).all()
    assert (sim["p05_rank"] <= sim["median_rank"]).all()
    assert (sim["median_rank"] <= sim["p95_rank"]).all()
    assert (sim["p95_rank"] > sim["p05_rank"]).any()


def test_same_seed_same_output_other_seed_other_output(capsys) -> None:
    args = ["simulate", "--runs", "150", "--format", "csv", "--no-sensitivity"]
    _, one, _ = run(capsys, *args, "--seed", "11")
    _, two, _ = run(capsys, *args, "--seed", "11")
    _, three, _ = run(capsys, *args, "--seed", "12")
    assert one == two
    assert one != three


def test_an_empty_uncertainty_file_gives_nominal_intervals(capsys, tmp_path: Path) -> None:
    empty = tmp_path / "none.yaml"
    empty.write_text("version: 1\n", encoding="utf-8")
    code, out, _ = run(capsys, "simulate", "--uncertainty", str(empty), "--runs", "20",
                       "--format", "csv")
    assert code == 0
    sim = csv_of(out)
    assert (sim["p05_rank"] == sim["nominal_rank"]).all()
    assert (sim["p95_rank"] == sim["nominal_rank"]).all()


def test_table_and_workbook(capsys, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COLUMNS", "250")  # wide enough that no heading wraps
    target = tmp_path / "khoang-hang.xlsx"
    code, out, _ = run(capsys, "simulate", "--runs", "100", "-o", str(target))
    assert code == 0
    assert "trung vị" in out and "Độ nhạy" in out and "dịch ngưỡng của 3.2.1" in out
    assert "UBND cấp xã" in out and "│ commune" not in out  # group names, not ids
    import openpyxl
    wb = openpyxl.load_workbook(target)
    assert {"Khoảng hạng", "Theo nhóm", "Độ nhạy", "Biểu đồ 1"} <= set(wb.sheetnames)
    assert wb["Khoảng hạng"].cell(1, 4).value == "Hạng (danh nghĩa)"  # the vocabulary's
    assert wb["Khoảng hạng"].cell(2, 3).value == "Sở, ban, ngành"     # group label, not id
    with zipfile.ZipFile(target) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
        assert len(charts) == 3
        titles = " ".join(z.read(n).decode() for n in charts)
        assert b"errBars" in z.read(charts[0])
    # one chart sheet per group, titled with the group's Vietnamese name, not its id
    assert [n for n in wb.sheetnames if n.startswith("Biểu đồ")] == [
        "Biểu đồ 1", "Biểu đồ 2", "Biểu đồ 3"]
    for name in ("Sở, ban, ngành", "UBND cấp huyện", "UBND cấp xã"):
        assert name in titles
    assert "nhóm commune" not in titles


def test_a_bad_uncertainty_file_names_line_and_field(capsys, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("band_shift:\n  - leaf: '3.2.1'\n    by: 0\n", encoding="utf-8")
    code, out, err = run(capsys, "simulate", "--uncertainty", str(bad), "--runs", "5")
    assert code == 2 and out == ""
    assert "bad.yaml:3: band_shift[0].by" in err
    unknown = tmp_path / "unknown.yaml"
    unknown.write_text("leaf_max:\n  - {leaf: '9.9.9', range: [1, 2]}\n", encoding="utf-8")
    code, _, err = run(capsys, "simulate", "--uncertainty", str(unknown), "--runs", "5")
    assert code == 2 and "9.9.9" in err


def test_a_variant_uses_its_base_uncertainty_file(capsys) -> None:
    from scoring.paths import BUNDLED_RULES
    variant = BUNDLED_RULES.parent / "khanh-hoa-2022-online3"
    assert not (variant / "uncertainty.yaml").exists()
    code, out, _ = run(capsys, "simulate", "--rules", str(variant), "--runs", "50")
    assert code == 0
    assert "khanh-hoa-2022/uncertainty.yaml" in out.replace("\n", "")


def test_without_output_the_workbook_writer_is_not_imported() -> None:
    code = ("import sys; from cchc.cli import main; code = main(['simulate', '--runs', '5']); "
            "print(code, 'xlsxwriter' in sys.modules, 'reports.analysis' in sys.modules, "
            "file=sys.stderr)")
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert run.stderr.split()[-3:] == ["0", "False", "False"]
