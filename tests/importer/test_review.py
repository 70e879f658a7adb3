"""review.csv (scoring/importer/review.py): validation and how it applies to tasks.csv."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from scoring.errors import DataError
from scoring.importer import build_dataset
from scoring.importer.agencies import Agency, AgencyRegistry
from scoring.importer.review import read_review, validate_review

pytestmark = pytest.mark.usefixtures("english")

TASKS = ["I.1", "I.2", "VII.12"]


@pytest.fixture()
def reg() -> AgencyRegistry:
    r = AgencyRegistry()
    r.add(Agency("so-noi-vu", "Sở Nội vụ", "department"))
    r.add(Agency("van-phong-ubnd-tinh", "Văn phòng UBND tỉnh", "department", ranked=False))
    return r


def _row(task_id: str = "I.1", field: str = "status", value: str = "not_done",
         why: str = "chưa ban hành") -> dict[str, str]:
    return {"task_id": task_id, "field": field, "value": value, "justification": why}


def test_valid_rows(reg: AgencyRegistry) -> None:
    ds = validate_review([_row(), _row("I.2", "lead_agency_ids",
                                       "Van phong UBND tinh; so-noi-vu; Các sở, ngành")],
                         TASKS, reg, "review.csv")
    assert [(d.task_id, d.field, d.value, d.collective_text) for d in ds] == [
        ("I.1", "status", "not_done", ""),
        ("I.2", "lead_agency_ids", "van-phong-ubnd-tinh;so-noi-vu", "Các sở, ngành")]


@pytest.mark.parametrize(("row", "message", "fix"), [
    (_row(task_id="I.13"), "unknown task id 'I.13'", "I.1"),
    (_row(task_id="VII.120"), "unknown task id", "VII.12"),
    (_row(value="done"), "bad status 'done'", "done_on_time"),
    (_row(field="deadline"), "unknown field 'deadline'", "status, lead_agency_ids"),
    (_row(field="lead_agency_ids", value="Sở Nội vu;Sở Du lịch"), "unknown agency 'Sở Du lịch'",
     "agencies.csv"),
    (_row(field="lead_agency_ids", value="So Noi vi"), "unknown agency", "so-noi-vu"),
    (_row(why=""), "blank justification", "evidence"),
])
def test_each_bad_row_is_one_clear_problem(reg: AgencyRegistry, row: dict, message: str,
                                           fix: str) -> None:
    with pytest.raises(DataError) as err:
        validate_review([row], TASKS, reg, "review.csv")
    [problem] = err.value.problems
    assert message in problem.message
    assert fix in (problem.fix or "")
    assert str(problem).startswith("review.csv:2:")


def test_duplicates_and_all_problems_reported_together(reg: AgencyRegistry) -> None:
    with pytest.raises(DataError) as err:
        validate_review([_row(), _row(value="done_late"), _row(task_id="X.1")], TASKS, reg,
                        "review.csv")
    assert len(err.value.problems) == 2
    assert "reviewed twice" in err.value.problems[0].message


def test_read_review_checks_columns_and_encoding(tmp_path: Path) -> None:
    p = tmp_path / "review.csv"
    p.write_text("task_id,field,value\nI.1,status,not_done\n", encoding="utf-8")
    with pytest.raises(DataError, match="missing column"):
        read_review(p)
    p.write_bytes("task_id,field,value,justification\nI.1,status,not_done,Hòa\n"
                  .encode("cp1252"))
    with pytest.raises(DataError, match="not UTF-8"):
        read_review(p)
    p.write_bytes(b"\xef\xbb\xbftask_id,field,value,justification\n\nI.1,status,not_done,x\n")
    rows, _ = read_review(p)
    assert [(r["task_id"], r["_line"]) for r in rows] == [("I.1", "3")]


def _tasks(built) -> dict[str, dict[str, str]]:
    return {r["task_id"]: r for r in csv.DictReader(io.StringIO(
        built.files["tasks.csv"].decode()))}


def test_review_applies_to_tasks(seed_report: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    review.write_text(
        "task_id,field,value,justification\n"
        "I.2,status,done_late,QĐ 2286 ngày 17/8/2022 sau Quý I\n"       # confirms
        "I.7,status,done_on_time,QĐ 562 ngày 22/02/2022 là kế hoạch\n"  # overrides
        'II.2,lead_agency_ids,"Văn phòng UBND tỉnh;Các sở, ban, ngành",tổng hợp\n',
        encoding="utf-8")
    built = build_dataset(seed_report, tmp_path / "out", review)
    tasks = _tasks(built)
    assert (tasks["I.2"]["status"], tasks["I.2"]["status_source"]) == \
        ("done_late", "review_confirmed")
    assert (tasks["I.7"]["proposed_status"], tasks["I.7"]["status"],
            tasks["I.7"]["status_source"]) == ("done_late", "done_on_time", "review_override")
    assert tasks["I.7"]["review_note"] == "status: QĐ 562 ngày 22/02/2022 là kế hoạch"
    assert (tasks["II.2"]["lead_agency_ids"], tasks["II.2"]["lead_source"],
            tasks["II.2"]["collective"], tasks["II.2"]["collective_text"]) == \
        ("van-phong-ubnd-tinh", "review", "true", "Các sở, ban, ngành")
    assert tasks["I.1"]["status_source"] == "proposal"
    s = built.summary
    assert s.overridden == ["I.7"] and s.confirmed == ["I.2"]
    assert "I.7" not in s.uncertain_unreviewed
    assert set(s.uncertain_unreviewed) == {
        t for t, r in tasks.items() if r["proposal_certain"] == "false"
        and r["status_source"] == "proposal"}


def test_bad_review_stops_the_import(seed_report: Path, tmp_path: Path) -> None:
    review = tmp_path / "review.csv"
    review.write_text("task_id,field,value,justification\nI.99,status,done_late,x\n",
                      encoding="utf-8")
    with pytest.raises(DataError, match="unknown task id 'I.99'"):
        build_dataset(seed_report, tmp_path / "out", review)
