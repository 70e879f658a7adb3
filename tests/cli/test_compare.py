"""``cchc compare`` on the bundled rule set, its variant and the bundled dataset."""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from cchc.cli import main
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.vocabulary import column_label

VARIANT = BUNDLED_RULES.parent / "khanh-hoa-2022-online3"


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_variant_csv_shows_the_online_leaf_as_the_cause(capsys) -> None:
    code, out, _ = run(capsys, "compare", "--rules", str(BUNDLED_RULES), "--against",
                       str(VARIANT), "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out), dtype={"agency_id": str})
    for col in ("agency_id", "group", "points_a", "points_b", "rank_a", "rank_b",
                "rank_shift", "class_a", "class_b"):
        assert col in df.columns
    assert (df["rank_shift"] == df["rank_b"] - df["rank_a"]).all()
    changed = df[df["points_diff"].abs() > 1e-12]
    assert changed["leaves"].str.contains("7.2.1").all()
    # Sở Du lịch: online rate 49.74 % earns 1 point of 2, and 1.5 of 3 in the variant
    row = df.set_index("agency_id").loc["so-du-lich"]
    assert row["points_diff"] == pytest.approx(0.5)
    assert row["leaves"] == "7.2.1: +0.5"
    assert set(df["group"]) == {"department", "district", "commune"}


def test_comparing_a_dataset_with_itself_shows_no_shift(capsys) -> None:
    code, out, _ = run(capsys, "compare", "--against-data", str(BUNDLED_DATASET),
                       "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out))
    assert (df["rank_shift"] == 0).all() and (df["points_diff"] == 0).all()
    assert not df["class_changed"].any()


def test_table_has_vietnamese_headings_and_correlations(capsys) -> None:
    code, out, _ = run(capsys, "compare", "--against", str(VARIANT))
    assert code == 0
    assert "Dịch chuyển hạng" in out and "Spearman" in out and "Kendall" in out
    assert "Đơn vị đổi xếp loại" in out


def test_workbook_has_the_table_and_a_chart(capsys, tmp_path: Path) -> None:
    target = tmp_path / "so-sanh.xlsx"
    code, _, err = run(capsys, "compare", "--against", str(VARIANT), "-o", str(target),
                       "--format", "csv")
    assert code == 0 and "so-sanh.xlsx" in err
    import openpyxl
    wb = openpyxl.load_workbook(target)
    assert wb.sheetnames[:3] == ["So sánh", "Theo tiêu chí", "Theo nhóm"]
    ws = wb["So sánh"]
    _, scored, _ = run(capsys, "score", "--format", "csv")
    n_agencies = len(pd.read_csv(io.StringIO(scored)))
    assert ws.cell(1, 1).value == "Mã đơn vị" and ws.max_row == 1 + n_agencies
    with zipfile.ZipFile(target) as z:     # one rank-shift chart per group
        assert sum(n.startswith("xl/charts/chart") for n in z.namelist()) == 3


@pytest.mark.usefixtures("english")
def test_usage_errors_are_one_line(capsys, tmp_path: Path) -> None:
    code, _, err = run(capsys, "compare")
    assert code == 2 and "nothing to compare against" in err
    code, _, err = run(capsys, "compare", "--against", str(tmp_path / "nope"))
    assert code == 2 and "not found" in err and "Traceback" not in err
    code, _, err = run(capsys, "compare", "--against", str(VARIANT), "-o",
                       str(tmp_path / "x.csv"))
    assert code == 2 and ".xlsx" in err
    assert list(tmp_path.iterdir()) == []


def test_leaf_changes_are_written_for_people_in_tables_and_plain_in_csv(
        capsys, tmp_path: Path) -> None:
    """The 'leaves' column says each difference as the reader writes numbers (``+0,75``)
    in the table and the workbook, and plainly (``+0.75``) in the CSV (issue #10: one
    number style per output)."""
    _, csv_out, _ = run(capsys, "compare", "--against", str(VARIANT), "--format", "csv")
    df = pd.read_csv(io.StringIO(csv_out), dtype={"agency_id": str}).set_index("agency_id")
    fractional = df[df["leaves"].fillna("").str.contains(r"\+\d+\.\d")]
    assert len(fractional), "the variant gives some unit a fractional leaf difference"
    aid = fractional.index[0]
    plain = fractional.loc[aid, "leaves"]
    people = plain.replace(".", ",").replace("7,2,1", "7.2.1")   # the leaf code keeps its dots
    target = tmp_path / "so-sanh.xlsx"
    code, table, _ = run(capsys, "compare", "--against", str(VARIANT), "-o", str(target))
    assert code == 0
    row = next(line for line in table.splitlines() if fractional.loc[aid, "agency"] in line)
    assert row.endswith(people) and plain not in row
    import openpyxl
    ws = openpyxl.load_workbook(target)["So sánh"]
    heads = [c.value for c in ws[1]]
    cells = {r[0]: r[heads.index(column_label("leaves"))] for r in
             ws.iter_rows(min_row=2, values_only=True)}
    assert cells[aid] == people
