"""How rules and data fit (scoring/consistency.py) and the gate every scoring command passes:
what ``cchc check`` calls an error stops score, rank, compare, simulate, whatif and explain."""

from __future__ import annotations

from pathlib import Path

import pytest
from fixtures_data import tiny_tables, write_dataset

from cchc.cli import main
from cchc.cli.simulate import check_memory
from scoring import consistency
from scoring.consistency import adjustment_notes, cross_check
from scoring.dataset import load_dataset, validate_dataset
from scoring.errors import UsageError
from scoring.paths import BUNDLED_RULES
from scoring.rules.model import RuleSet

pytestmark = pytest.mark.usefixtures("english")


def rules() -> RuleSet:
    """Manual 1.1 (max 2), formula 1.2, survey 2.1 (options A-D), survey 2.2 (a share);
    bonus T (cap 2) and deduction D (cap 5)."""
    leaf = {"name": "x", "max": 2}
    return RuleSet.model_validate({
        "id": "fit", "version": "1", "title": "t",
        "source": {"kind": "simulation", "assumptions": "tests"},
        "groups": [{"id": g, "name": g, "tree": "t"} for g in ("department", "district",
                                                                 "commune")],
        "trees": {"t": {"name": "t", "areas": [
            {"code": "1", "name": "a", "criteria": [{"code": "1.0", "name": "c", "leaves": [
                {"code": "1.1", **leaf, "rule": {"kind": "manual"}},
                {"code": "1.2", **leaf, "rule": {"kind": "formula", "expr": "1"}}]}]},
            {"code": "2", "name": "b", "criteria": [{"code": "2.0", "name": "c", "leaves": [
                {"code": "2.1", **leaf, "rule": {"kind": "survey",
                                                 "options": {"A": 100, "B": 60, "C": 20,
                                                             "D": 0}}},
                {"code": "2.2", **leaf, "rule": {"kind": "survey"}}]}]}]}},
        "adjustments": [
            {"code": "T", "name": "Điểm thưởng", "kind": "bonus", "rule": {"kind": "manual"},
             "cap": 2},
            {"code": "D", "name": "Điểm trừ", "kind": "deduction", "rule": {"kind": "manual"},
             "cap": 5}]})


def score_row(aid: str, leaf: str, self_points: str = "", appraised: str = "") -> dict:
    return dict(agency_id=aid, leaf=leaf, self_points=self_points,
                appraised_points=appraised, note="")


def survey_row(aid: str, leaf: str, option: str = "", count: str = "", share: str = "") -> dict:
    return dict(agency_id=aid, leaf=leaf, option=option, count=count, share=share)


def fit(tmp_path: Path, scores=(), surveys=()) -> list:
    t = tiny_tables()
    t["scores"], t["surveys"] = list(scores), list(surveys)
    return cross_check(rules(), load_dataset(write_dataset(tmp_path / "ds", t)))


def errors(found: list) -> list:
    return [p for p in found if p.severity == "error"]


# --------------------------------------------------------------------------- scores.csv
def test_an_unknown_column_is_an_error_with_a_did_you_mean(tmp_path):
    t = tiny_tables()
    t["scores"] = [dict(agency_id="so-du-lich", leaf="1.1", points="2")]
    folder = write_dataset(tmp_path / "ds", t)
    (scores_csv := folder / "scores.csv").write_text(
        "agency_id,leaf,points\nso-du-lich,1.1,2\n", encoding="utf-8")
    ds, problems = validate_dataset(folder)
    assert ds is None
    (p,) = errors(problems)
    assert p.file == scores_csv.name and p.line == 1 and p.field == "points"
    assert "unknown column 'points'" in p.message
    assert p.fix.startswith("did you mean 'self_points' or 'appraised_points'?")


def test_a_computed_leaf_in_scores_csv_is_an_error_at_its_row(tmp_path):
    (p,) = errors(fit(tmp_path, [score_row("so-du-lich", "1.1", "1"),
                                 score_row("so-tu-phap", "1.2", "2")]))
    assert (p.file, p.line, p.field) == ("scores.csv", 3, "leaf")
    assert "leaf 1.2 is computed by the rule set for group Departments, boards and sectors "\
           "(scoring method: formula)" in \
        p.message
    assert "scores.csv takes the codes 1.1, D, T" in p.fix


def test_a_code_that_is_no_leaf_gets_a_did_you_mean(tmp_path):
    (p,) = errors(fit(tmp_path, [score_row("xa-dien-lac", "1.11", "1")]))
    assert p.line == 2 and "'1.11' is not a leaf of the tree t" in p.message
    assert p.fix.startswith("did you mean '1.1'?")


def test_points_above_the_max_are_a_warning_they_are_capped(tmp_path):
    found = fit(tmp_path, [score_row("so-du-lich", "1.1", "3", "2.5"),
                           score_row("so-tu-phap", "T", "4")])
    assert not errors(found)
    capped = sorted((p.line, p.field) for p in found if "are counted" in p.message)
    assert capped == [(2, "appraised_points"), (2, "self_points"), (3, "self_points")]
    assert any("above the cap of T (2): 2 are counted" in p.message for p in found)


def test_bonus_and_deduction_codes_are_explained_not_called_ignored(tmp_path):
    t = tiny_tables()
    t["scores"] = [score_row("so-du-lich", "T", "1"), score_row("so-tu-phap", "D", "2"),
                   score_row("vpdkdd", "D", "1")]
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    found = cross_check(rules(), ds)
    assert not found and not any("ignored" in str(p) for p in found)
    notes = adjustment_notes(rules(), ds)
    assert notes[0].startswith("scores.csv: 1 row for T (Điểm thưởng): bonus points, added")
    assert notes[1].startswith("scores.csv: 2 rows for D (Điểm trừ): deduction points, "
                               "subtracted after the leaves, capped at 5 points")


def test_a_basis_warning_when_part_of_a_group_is_appraised(tmp_path):
    found = fit(tmp_path, [score_row("so-du-lich", "1.1", "2", "1"),
                           score_row("so-tu-phap", "1.1", "2", ""),
                           score_row("xa-dien-dien", "1.1", "1", "1"),
                           score_row("xa-dien-lac", "1.1", "1", "2")])
    (p,) = [p for p in found if "different bases" in p.message]
    assert p.severity == "warning" and p.line == 2
    assert "leaf 1.1: 1 of 2 ranked units of group Departments, boards and sectors have " \
           "appraised points and 1 do not (so-tu-phap)" in p.message


# --------------------------------------------------------------------------- surveys.csv
def test_a_survey_option_the_rule_does_not_map_is_an_error_with_its_row(tmp_path):
    found = fit(tmp_path, surveys=[survey_row("so-du-lich", "2.1", "A", "10"),
                                   survey_row("so-du-lich", "2.1", "E", "3"),
                                   survey_row("so-tu-phap", "2.2", share="80"),
                                   survey_row("so-tu-phap", "2.2", "A", "4")])
    assert [(p.line, p.field) for p in errors(found)] == [(3, "option"), (5, "share")]
    assert "option 'E' is not an answer option of leaf 2.1" in errors(found)[0].message
    assert errors(found)[0].fix.startswith("use one of A, B, C, D")


def test_a_survey_row_on_a_manual_leaf_is_an_error(tmp_path):
    (p,) = errors(fit(tmp_path, surveys=[survey_row("so-du-lich", "1.1", share="80")]))
    assert p.file == "surveys.csv" and p.line == 2
    assert "the points of 1.1 (appraisal, group Departments, boards and sectors) are not " \
           "read from surveys.csv" in p.message and "2.1, 2.2" in p.fix


# --------------------------------------------------------------------------- the gate
def run(capsys, *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def unknown_group(tmp_path: Path) -> Path:
    """A dataset whose districts are spelled 'distric': the rules do not know the group."""
    t = tiny_tables()
    for row in t["agencies"]:
        if row["group"] == "district":
            row["group"] = "distric"
    return write_dataset(tmp_path / "ds", t)


@pytest.mark.slow
@pytest.mark.parametrize("command", [
    ["score"], ["rank", "-o", "{out}/x.xlsx"], ["explain", "so-du-lich"],
    ["compare", "--against", str(BUNDLED_RULES)], ["simulate", "--runs", "5"],
    ["whatif", "so-du-lich", "--set", "online_rate=100"],
])
def test_what_check_calls_an_error_stops_every_command(capsys, tmp_path, unknown_group,
                                                        command):
    args = [a.replace("{out}", str(tmp_path)) for a in command]
    code, out, err = run(capsys, *args[:1], "--data", str(unknown_group), *args[1:])
    assert code == 1 and out == "", err
    assert "group 'distric' of 1 ranked agencies (huyen-dien-khanh) is not a group" in err
    assert "left out of the ranking" in err
    assert not list(tmp_path.glob("*.xlsx"))


def test_check_reports_the_same_error(capsys, unknown_group):
    code, out, _err = run(capsys, "check", "--data", str(unknown_group))
    assert code == 1 and "group 'distric' of 1 ranked agencies" in out


def test_simulate_runs_are_bounded(capsys):
    code, _out, err = run(capsys, "simulate", "--runs", "10000000")
    assert code == 2 and "10000000 is not in the range 1<=x<=100000" in err
    with pytest.raises(UsageError) as err:
        check_memory(100_000, 12_565)
    (p,) = err.value.problems
    assert p.field == "--runs" and "12.565 ranked units need about 28,1 GiB" in p.message
    assert p.fix.startswith("use at most 7.121 runs")
    check_memory(100_000, 170)


def test_a_variant_that_makes_a_leaf_with_appraised_points_computed_is_stopped(tmp_path):
    from scoring.rules.loader import load_variant

    t = tiny_tables()
    t["scores"] = [score_row("xa-dien-dien", "1.1.2", "1", "1")]
    ds = load_dataset(write_dataset(tmp_path / "ds", t))
    base = load_variant(BUNDLED_RULES, {"commune/1.1.2": {"name": "unchanged"}})
    assert not errors(cross_check(base, ds))
    variant = load_variant(BUNDLED_RULES, {"commune/1.1.2": {"rule": {"kind": "tasks"}}},
                           run_tests=False)
    (p,) = errors(cross_check(variant, ds))
    assert (p.file, p.line, p.field) == ("scores.csv", 2, "leaf")
    assert "leaf 1.1.2 is computed by the rule set for group Commune People's Committees " \
           "(scoring method: assigned tasks)" in p.message


def test_many_capped_rows_list_the_first_then_count_the_rest(tmp_path, monkeypatch):
    """Past MAX_LISTED rows of a kind only the count is kept: 10 rows, 3 listed → '7 more'."""
    monkeypatch.setattr(consistency, "MAX_LISTED", 3)
    ids = [r["agency_id"] for r in tiny_tables()["agencies"] if r["group"] != "district"]
    rows = [score_row(aid, leaf, "9") for aid in ids for leaf in ("1.1", "T")]
    assert len(rows) == 10
    found = fit(tmp_path, rows)
    capped = [p for p in found if p.severity == "warning" and "points are above" in p.message]
    assert len(capped) == 3 and len({p.line for p in capped}) == 3
    (more,) = [p for p in found if "more rows like the ones above" in p.message]
    assert "7 more rows" in more.message


def _edited(change) -> RuleSet:
    data = rules().model_dump(mode="json", exclude_none=True)
    change(data["trees"]["t"]["areas"][0]["criteria"][0]["leaves"],
           data["trees"]["t"]["areas"][1]["criteria"][0]["leaves"])
    return RuleSet.model_validate(data)


def test_the_fit_fingerprint_keeps_for_a_rule_edit_and_changes_with_what_the_check_reads():
    base = consistency.fit_fingerprint(rules())
    assert consistency.fit_fingerprint(_edited(lambda a, b: None)) == base
    same = _edited(lambda a, b: a[1]["rule"].update(expr="2"))          # formula edit
    assert consistency.fit_fingerprint(same) == base
    assert consistency.fit_fingerprint(_edited(lambda a, b: a[0].update(max=3))) != base
    assert consistency.fit_fingerprint(_edited(
        lambda a, b: b[0]["rule"]["options"].update(E=10))) != base
    assert consistency.fit_fingerprint(_edited(
        lambda a, b: a[1].update(rule={"kind": "manual"}))) != base
