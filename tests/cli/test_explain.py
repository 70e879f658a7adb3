"""``cchc explain`` on the tiny dataset: rows add up to ``cchc score``."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner

from cchc.cli import cli, main
from tests.fixtures_data import write_dataset


@pytest.fixture(scope="module")
def tiny(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_dataset(tmp_path_factory.mktemp("explain") / "ds")


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args), catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return result.output


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.parametrize("agency", ["so-du-lich", "so-tu-phap", "huyen-dien-khanh",
                                    "xa-dien-dien", "xa-dien-lac"])
def test_points_add_up_to_cchc_score(tiny: Path, agency: str) -> None:
    rows = _csv(run("explain", agency, "--data", str(tiny), "--format", "csv"))
    assert {"leaf", "name", "inputs", "value", "rule", "points", "max_points",
            "status"} <= set(rows[0])
    totals = {r["agency_id"]: r for r in _csv(run("score", "--data", str(tiny), "--format",
                                                  "csv"))}
    assert sum(float(r["points"]) for r in rows) == pytest.approx(
        float(totals[agency]["points"]), abs=1e-9)
    assert sum(float(r["max_points"]) for r in rows) == pytest.approx(
        float(totals[agency]["max_points"]), abs=1e-9)


def test_rows_say_why(tiny: Path) -> None:
    rows = {r["leaf"]: r for r in _csv(run("explain", "Sở Du Lịch", "--data", str(tiny),
                                           "--format", "csv"))}
    assert rows["3.2.1"]["rule"] == "[90, 95) → 2" and rows["3.2.1"]["points"] == "2.0"
    assert rows["3.2.1"]["inputs"].startswith("on_time_rate=90.92")
    assert rows["7.2.1"]["rule"] == "[30, 50) → 1"
    assert rows["1.1.2"]["kind"] == "tasks" and float(rows["1.1.2"]["points"]) == 0.75
    assert "tasks_done_late=1" in rows["1.1.2"]["inputs"]
    assert rows["2.1.1"]["status"] == "missing" and rows["2.1.1"]["max_points"] == "0.0"


def test_not_applicable_rows(tiny: Path) -> None:
    rows = {r["leaf"]: r for r in _csv(run("explain", "xa dien lac", "--data", str(tiny),
                                           "--format", "csv"))}
    assert rows["3.2.1"]["status"] == "not_applicable"
    assert rows["3.2.1"]["max_points"] == "0.0"
    assert "1.1.2" in rows and rows["1.1.2"]["kind"] == "manual"   # commune tree


def test_table_vietnamese(tiny: Path) -> None:
    out = run("explain", "so-du-lich", "--data", str(tiny))
    assert "Sở Du lịch" in out and "Chỉ số CCHC: 34,09 %" in out and "Hạng: 2/2" in out
    assert "Quy tắc áp dụng" in out and "TỔNG" in out
    # leaves without appraised points are summarised in one line unless --all
    assert "2.1.1  " not in out and "Chưa có điểm" in out and "2.1.1" in out
    assert "2.1.1  " in run("explain", "so-du-lich", "--data", str(tiny), "--all")


def test_unknown_and_unranked_agency(tiny: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "so du lich xyz", "--data", str(tiny)]) == 2
    err = capsys.readouterr().err
    assert "unknown agency" in err and "Traceback" not in err
    assert main(["explain", "vpdkdd", "--data", str(tiny)]) == 2
    assert "not scored" in capsys.readouterr().err


def test_a_total_floored_at_zero_shows_the_floor_as_a_row(tmp_path: Path) -> None:
    from tests.fixtures_data import tiny_tables

    tables = tiny_tables()
    agencies = [r["agency_id"] for r in tables["agencies"]]
    tables["scores"] = [{"agency_id": a, "leaf": "D", "self_points": "",
                         "appraised_points": "5", "note": ""} for a in agencies]
    data = write_dataset(tmp_path / "ds", tables)
    totals = _csv(run("score", "--data", str(data), "--format", "csv"))
    floored = [t for t in totals if t["points"] and float(t["points"]) == 0.0]
    assert floored, "no unit of the fixture has fewer points than the deduction"
    agency = floored[0]["agency_id"]
    rows = _csv(run("explain", agency, "--data", str(data), "--format", "csv"))
    assert sum(float(r["points"]) for r in rows) < 0  # the rows alone go below zero
    out = run("explain", agency, "--data", str(data))
    lines = out.splitlines()
    floor = [line for line in lines if "SÀN 0 ĐIỂM" in line]
    total = [line for line in lines if "TỔNG" in line]
    assert len(floor) == 1 and len(total) == 1
    assert total[0].split()[1] == "0,00" or " 0,00 " in total[0]
    assert "Điểm: 0,00" in out
