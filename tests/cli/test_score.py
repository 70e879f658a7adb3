"""``cchc score`` on the tiny dataset with the bundled rule set (values worked by hand)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc.cli import cli, main
from cchc.cli.score import FIELDS
from tests.fixtures_data import tiny_tables, write_dataset


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("score") / "ds")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


# Hand computation with rules/khanh-hoa-2022 (only data-driven leaves have data; manual and
# survey leaves are missing → excluded from the max):
#   Sở Tư pháp: on time 12535/12544 = 99.93 % → 4; late 16/(12544+597) = 0.1218 % →
#     2 × (1 − 0.1218/5) = 1.95130; online 4894/12596 = 38.85 % → 1; tasks T1 on time,
#     T2 late → 3 × 1.5/2 = 2.25. Points 9.20130 of 11 → 83.648 % → Tốt, rank 1.
#   Sở Du lịch: on time 521/573 = 90.92 % → 2; late 52/583 = 8.92 % → 0; online 283/569 =
#     49.74 % → 1; tasks T2 late, T5 not done (T3 not arising) → 3 × 0.5/2 = 0.75.
#     Points 3.75 of 11 → 34.09 % → Yếu, rank 2.
#   Huyện Diên Khánh: 940/950 = 98.95 % → 4; 12/990 = 1.212 % → 1.51515; 300/800 = 37.5 % → 1;
#     T4 in progress → 0 of 3. 6.51515 of 11 → 59.23 % → Trung bình.
#   Xã Diên Điền (commune tree, no task leaf): 100 % → 4; 0 % late → 2; 50 % online → 1.5.
#     7.5 of 8 → 93.75 % → Xuất sắc. Xã Diên Lạc: no dossiers → every leaf not applicable,
#     max 0 → no index, no rank.
EXPECTED = {
    "so-tu-phap": (4 + 2 * (1 - 16 / (12544 + 597) * 100 / 5) + 1 + 2.25, 11, 1, "Tốt"),
    "so-du-lich": (3.75, 11, 2, "Yếu"),
    "huyen-dien-khanh": (4 + 2 * (1 - 12 / 990 * 100 / 5) + 1 + 0, 11, 1, "Trung bình"),
    "xa-dien-dien": (7.5, 8, 1, "Xuất sắc"),
}


def test_csv_fields_values_and_order(tiny: Path) -> None:
    rows = list(csv.DictReader(io.StringIO(run("score", "--data", str(tiny), "--format",
                                               "csv"))))
    assert list(rows[0]) == list(FIELDS)
    assert [r["agency_id"] for r in rows] == ["so-tu-phap", "so-du-lich", "huyen-dien-khanh",
                                              "xa-dien-dien", "xa-dien-lac"]
    by_id = {r["agency_id"]: r for r in rows}
    for aid, (points, max_points, rank, klass) in EXPECTED.items():
        r = by_id[aid]
        assert float(r["points"]) == pytest.approx(points, abs=1e-9)
        assert float(r["max_points"]) == max_points
        assert float(r["index"]) == pytest.approx(points / max_points * 100, abs=1e-9)
        assert (int(r["rank"]), r["class"]) == (rank, klass)
    assert by_id["xa-dien-lac"]["index"] == "" and by_id["xa-dien-lac"]["rank"] == ""
    assert "vpdkdd" not in by_id                      # not ranked in its group


def test_json_matches_csv(tiny: Path) -> None:
    data = json.loads(run("score", "--data", str(tiny), "--format", "json"))
    assert list(data[0]) == list(FIELDS)
    assert data[1]["agency"] == "Sở Du lịch" and data[1]["rank"] == 2
    assert data[1]["index"] == pytest.approx(3.75 / 11 * 100)
    assert data[-1]["index"] is None and data[-1]["class"] is None


def test_table_has_vietnamese_headings_groups_and_two_decimals(tiny: Path) -> None:
    out = run("score", "--data", str(tiny))
    assert "Xếp hạng" in out and "Chỉ số CCHC (%)" in out and "Xếp loại" in out
    assert out.index("Sở, ban, ngành") < out.index("UBND cấp huyện") < out.index("UBND cấp xã")
    assert "34,09" in out and "83,65" in out and "93,75" in out


def test_equal_indexes_share_a_rank(tmp_path: Path) -> None:
    tables = tiny_tables()
    # make Sở Tư pháp's counts and tasks identical in outcome to Sở Du lịch's
    tu_phap = tables["dossiers"][1]
    tu_phap.update({k: v for k, v in tables["dossiers"][0].items()
                    if k not in ("agency_id", "source_line")})
    for task in tables["tasks"]:
        if task["task_id"] == "T1":
            task["lead_agency_ids"] = "so-du-lich"
            task["status"] = task["proposed_status"] = "not_arising"
        if task["task_id"] == "T5":
            task["lead_agency_ids"] = "so-du-lich;so-tu-phap"
    data = write_dataset(tmp_path / "ds", tables)
    rows = list(csv.DictReader(io.StringIO(run("score", "--data", str(data), "--format",
                                               "csv"))))
    ranks = {r["agency_id"]: r["rank"] for r in rows if r["group"] == "department"}
    assert ranks == {"so-du-lich": "1", "so-tu-phap": "1"}


def test_bad_rules_path_is_one_clear_error(tiny: Path, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["score", "--rules", str(tmp_path / "nope"), "--data", str(tiny)])
    err = capsys.readouterr().err
    assert code != 0
    assert err.startswith("cchc:") and "Traceback" not in err
