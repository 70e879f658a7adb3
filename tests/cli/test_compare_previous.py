"""``cchc compare --previous``: last year's ranks (A) against this year's (B)."""

from __future__ import annotations

import csv
import io

import pytest

from cchc.cli import main


def test_csv_compares_with_last_years_ranks(tmp_path, annual_data, annual_result,
                                            capsys) -> None:
    prev = tmp_path / "prev.csv"
    prev.write_text("agency_id,rank,index\nSở Tài chính,1,100\nso-tu-phap,10,\n",
                    encoding="utf-8")
    assert main(["compare", "--data", str(annual_data), "--previous", str(prev),
                 "--format", "csv"]) == 0
    rows = {r["agency_id"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert len(rows) == len(annual_result.totals)
    t = annual_result.totals
    tc = rows["so-tai-chinh"]
    assert float(tc["rank_a"]) == 1 and float(tc["rank_b"]) == t.at["so-tai-chinh", "rank"]
    assert float(tc["rank_shift"]) == t.at["so-tai-chinh", "rank"] - 1  # B − A
    assert float(tc["index_diff"]) == pytest.approx(float(tc["index_b"]) - 100, abs=1e-8)
    assert rows["so-tu-phap"]["index_a"] == "" and float(rows["so-tu-phap"]["rank_a"]) == 10
    assert rows["so-y-te"]["rank_a"] == ""  # not in PREV


def test_table_and_refused_combinations(tmp_path, annual_data, capsys) -> None:
    prev = tmp_path / "prev.csv"
    prev.write_text("agency_id,rank,index\nso-tai-chinh,1,100\n", encoding="utf-8")
    assert main(["compare", "--data", str(annual_data), "--previous", str(prev)]) == 0
    out = capsys.readouterr().out
    assert "So sánh với năm trước" in out and "Sở Tài chính" in out
    assert main(["compare", "--previous", str(prev), "-o", str(tmp_path / "x.xlsx")]) == 2
    assert "--previous" in capsys.readouterr().err
    assert not (tmp_path / "x.xlsx").exists()
