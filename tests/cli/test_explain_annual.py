"""``cchc explain`` shows the self-assessed and the appraised points of each manual leaf."""

from __future__ import annotations

import csv
import io

from cchc.cli import main


def test_csv_has_both_points_per_manual_leaf(annual_data, capsys) -> None:
    assert main(["explain", "so-tu-phap", "--data", str(annual_data), "--format", "csv"]) == 0
    rows = {r["leaf"]: r for r in csv.DictReader(io.StringIO(capsys.readouterr().out))}
    assert (rows["1.1.1"]["self_points"], rows["1.1.1"]["appraised_points"]) == ("1.0", "")
    # self 5 counts 3 (the leaf's max); the council gave 2, which is what counts
    assert (rows["4.1.1"]["self_points"], rows["4.1.1"]["appraised_points"]) == ("3.0", "2.0")
    assert rows["4.1.1"]["points"] == "2.0"
    assert (rows["3.2.1"]["self_points"], rows["3.2.1"]["appraised_points"]) == ("", "")


def test_table_has_self_and_appraised_columns(annual_data, capsys) -> None:
    assert main(["explain", "Sở Tư pháp", "--data", str(annual_data)]) == 0
    lines = capsys.readouterr().out.splitlines()
    head = next(line for line in lines if line.startswith("Mã "))
    assert "Tự chấm" in head and "Thẩm định" in head
    row = next(line for line in lines if line.startswith("4.1.1"))
    cells = row.split()
    at = head.index("Tự chấm")
    assert row[at:at + 7].strip() == "3"
    assert "2" in cells and "2,00" in cells


def test_no_scores_no_extra_columns(capsys) -> None:
    assert main(["explain", "so-tu-phap"]) == 0
    assert "Tự chấm" not in capsys.readouterr().out
