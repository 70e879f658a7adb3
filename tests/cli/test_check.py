"""``cchc check`` (cchc/cli/check.py): messages, summary and exit codes."""

from __future__ import annotations

import sys
import types
from pathlib import Path

import pytest
from fixtures_data import tiny_tables, write_dataset

from cchc.cli import main
from cchc.cli.check import cross_check
from scoring.dataset import load_dataset
from scoring.errors import Problem, RuleError
from scoring.i18n import language
from scoring.rules.model import RuleSet

pytestmark = pytest.mark.usefixtures("english")  # asserts the messages as written

RULES = "rules-under-test"


def tiny_rules(groups: tuple[str, ...] = ("department", "district", "commune"),
               leaves: tuple[str, ...] = ("1.1",)) -> RuleSet:
    """A real rule set: the groups given, one tree of manual leaves (max 2 each)."""
    return RuleSet.model_validate({
        "id": "test-rules", "version": "1", "title": "t",
        "source": {"kind": "simulation", "assumptions": "tests"},
        "groups": [{"id": g, "name": g, "tree": "t"} for g in groups],
        "trees": {"t": {"name": "t", "areas": [{"code": "1", "name": "a", "criteria": [
            {"code": "1.0", "name": "c", "leaves": [
                {"code": c, "name": c, "max": 2, "rule": {"kind": "manual"}}
                for c in leaves]}]}]}},
        "adjustments": [{"code": "T", "name": "Điểm thưởng", "kind": "bonus",
                         "rule": {"kind": "manual"}, "cap": 2}]})


def fake_loader(monkeypatch: pytest.MonkeyPatch, problems: list[Problem] | None = None,
                groups: tuple[str, ...] = ("department", "district", "commune"),
                leaves: tuple[str, ...] = ("1.1",)) -> list[Path]:
    """Install a stand-in rule loader; return the list of paths it was asked to check."""
    calls: list[Path] = []
    rules = tiny_rules(groups, leaves)

    def check_rules(path: Path) -> list[Problem]:
        calls.append(Path(path))
        return list(problems or [])

    def load_rules(path: Path) -> object:
        if any(p.severity == "error" for p in problems or []):
            raise RuleError(problems)
        return rules

    module = types.ModuleType("scoring.rules.loader")
    module.check_rules = check_rules  # type: ignore[attr-defined]
    module.load_rules = load_rules  # type: ignore[attr-defined]
    monkeypatch.setitem(sys.modules, "scoring.rules.loader", module)
    return calls


def run(capsys: pytest.CaptureFixture[str], data: Path) -> tuple[int, str, str]:
    code = main(["check", "--rules", RULES, "--data", str(data)])
    out, err = capsys.readouterr()
    return code, out, err


def test_valid_data_and_rules_exit_0(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    calls = fake_loader(monkeypatch)
    code, out, err = run(capsys, write_dataset(tmp_path / "ds"))
    assert code == 0, out + err
    assert calls == [Path(RULES)]
    assert out.strip().splitlines()[-1] == "0 errors, 0 warnings"
    assert "tiny-2022: 6 agencies" in out
    assert (f"rules: {RULES} (test-rules 1; groups: Departments, boards and sectors; "
            "District People's Committees; Commune People's Committees)") in out
    assert "note: 1 task status overridden by review.csv: T4 (not completed → in progress)" in out
    assert "note: findings.csv records 1 data-quality finding" in out
    assert err == ""


def test_framing_in_vietnamese(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                               capsys: pytest.CaptureFixture[str]) -> None:
    fake_loader(monkeypatch, [Problem("x", file="r.yaml", line=3, severity="warning")])
    with language("vi"):
        code, out, err = run(capsys, write_dataset(tmp_path / "ds"))
    assert code == 0, out + err
    lines = out.strip().splitlines()
    assert lines[-1] == "0 lỗi, 1 cảnh báo"
    # in Vietnamese a group is named as its rule file names it (here: its id)
    assert f"Bộ tiêu chí: {RULES} (test-rules 1; nhóm: department; district; commune)" in out
    assert "(tiny-2022: 6 đơn vị, " in out
    assert ("ghi chú: 1 trạng thái nhiệm vụ được điều chỉnh theo review.csv: "
            "T4 (chưa hoàn thành → đang thực hiện)") in out
    assert "cảnh báo: r.yaml:3: x." in out


def test_data_errors_exit_1_with_file_row_field_and_fix(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    fake_loader(monkeypatch)
    t = tiny_tables()
    t["dossiers"][1]["received"] = "-3"
    t["tasks"][0]["lead_agency_ids"] = "so-tu-phapp"
    folder = write_dataset(tmp_path / "ds", t)
    code, out, err = run(capsys, folder)
    assert code == 1
    assert (f"error: {folder}/dossiers.csv:3: received: count -3 is negative. Fix: "
            in out)
    assert (f"error: {folder}/tasks.csv:2: lead_agency_ids: unknown agency id 'so-tu-phapp'. "
            "Fix: did you mean 'so-tu-phap'?" in out)
    assert out.strip().splitlines()[-1] == "2 errors, 0 warnings"
    assert "check failed with 2 errors" in err
    assert "Traceback" not in out + err


def test_warnings_do_not_fail(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    fake_loader(monkeypatch)
    t = tiny_tables()
    t["tasks"][4]["proposal_certain"] = "false"
    code, out, _ = run(capsys, write_dataset(tmp_path / "ds", t))
    assert code == 0
    assert "warning: " in out and "tasks.csv:6: status: task 'T5'" in out
    assert out.strip().splitlines()[-1] == "0 errors, 1 warning"


def test_rule_problems_are_printed_and_counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    fake_loader(monkeypatch, [
        Problem("band gap at 95", file="rules/x.yaml", line=12, field="bands", fix="close it"),
        Problem("leaf 3.1 has no note", file="rules/x.yaml", line=30, severity="warning")])
    code, out, err = run(capsys, write_dataset(tmp_path / "ds"))
    assert code == 1
    assert "error: rules/x.yaml:12: bands: band gap at 95. Fix: close it" in out
    assert "warning: rules/x.yaml:30: leaf 3.1 has no note." in out
    assert out.strip().splitlines()[-1] == "1 error, 1 warning"
    assert "check failed with 1 error" in err


def test_without_a_rule_loader_the_rules_are_skipped_with_a_note(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        capsys: pytest.CaptureFixture[str]) -> None:
    monkeypatch.setitem(sys.modules, "scoring.rules.loader", None)  # import fails
    code, out, _ = run(capsys, write_dataset(tmp_path / "ds"))
    assert code == 0
    assert "note: rules not checked" in out


def test_missing_data_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                             capsys: pytest.CaptureFixture[str]) -> None:
    fake_loader(monkeypatch)
    code, out, err = run(capsys, tmp_path / "nowhere")
    assert code == 1
    assert f"error: {tmp_path / 'nowhere'}: dataset folder not found" in out
    assert "check failed" in err


def test_groups_unknown_to_the_rules_are_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    fake_loader(monkeypatch, groups=("department", "district"))
    code, out, _ = run(capsys, write_dataset(tmp_path / "ds"))
    assert code == 1
    assert ("agencies.csv: group: group 'commune' of 2 ranked agencies (xa-dien-dien, "
            "xa-dien-lac) is not a group of rule set test-rules" in out)


def test_cross_check_a_leaf_code_outside_the_tree_is_an_error_with_its_row(
        tmp_path: Path) -> None:
    t = tiny_tables()
    t["scores"] = [dict(agency_id="so-du-lich", leaf="1.1", self_points="1",
                        appraised_points="1", note=""),
                   dict(agency_id="so-du-lich", leaf="1.2", self_points="1",
                        appraised_points="1", note="")]
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    [p] = [p for p in cross_check(tiny_rules(), ds) if p.severity == "error"]
    assert p.file == "scores.csv" and p.line == 3
    assert "'1.2' is not a leaf of the tree t" in p.message
    assert p.fix.startswith("did you mean '1.1'? If not, scores.csv takes the codes 1.1, T")


def test_bundled_rules_and_data_pass(capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["check"])
    out, err = capsys.readouterr()
    assert code == 0, out + err
    assert "(khanh-hoa-2022: " in out and " 60 tasks;" in out
    assert out.strip().splitlines()[-1].startswith("0 errors")
    assert "rules not checked" not in out
