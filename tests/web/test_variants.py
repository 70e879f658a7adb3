"""Rule edits in the form → a variant file the loader and `cchc check` accept."""

from __future__ import annotations

import re

import pytest
from ruamel.yaml import YAML

from cchc.cli import main
from cchc.web.library import Entry
from cchc.web.variants import Edit, number, parse_form, try_variant
from cchc.web.views import shifts
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules, load_variant
from scoring.simulate.compare import compare

from .conftest import csrf_of


@pytest.fixture(scope="module")
def base():
    return Entry("khanh-hoa-2022", BUNDLED_RULES, "bundled"), load_rules(BUNDLED_RULES)


def form_321(**changes: str) -> dict[str, str]:
    form = {"leaf": "3.2.1", "max": "4", "band-0-min": "98", "band-0-max": "",
            "band-0-points": "4", "band-1-min": "95", "band-1-max": "98", "band-1-points": "3",
            "band-2-min": "90", "band-2-max": "95", "band-2-points": "2", "band-3-min": "80",
            "band-3-max": "90", "band-3-points": "1", "band-4-min": "0", "band-4-max": "80",
            "band-4-points": "0"}
    form.update(changes)
    return form


def test_numbers_as_typed() -> None:
    assert number("98,5") == 98.5 and number(" 1.5 ") == 1.5
    assert number("", blank=True) is None
    with pytest.raises(ValueError):
        number("abc")
    with pytest.raises(ValueError):
        number("")


def test_unchanged_form_is_an_empty_edit(base) -> None:
    edit, errors = parse_form(base[1], form_321())
    assert errors == {} and edit.empty


def test_threshold_edit_becomes_an_override(base) -> None:
    edit, errors = parse_form(base[1], form_321(**{"band-0-min": "99", "band-1-max": "99"}))
    assert errors == {}
    bands = edit.overrides["3.2.1"]["rule"]["bands"]
    assert bands[0] == {"min": 99, "points": 4} and bands[1]["max"] == 99
    assert "max" not in edit.overrides["3.2.1"]


def test_bad_number_stays_beside_its_field(base) -> None:
    _edit, errors = parse_form(base[1], form_321(**{"band-1-points": "ba"}))
    assert set(errors) == {"band-1-points"}


def test_loader_problems_are_placed_on_fields(base, tmp_path) -> None:
    (tmp_path / "tmp").mkdir()
    edit, _ = parse_form(base[1], form_321(**{"band-0-min": "99"}))  # gap [98, 99)
    attempt = try_variant(tmp_path, base[0], base[1], edit)
    assert not attempt.ok
    assert "bands" in attempt.field_problems
    assert "các khoảng bị hở" in attempt.field_problems["bands"][0]
    edit, _ = parse_form(base[1], form_321(max="3"))  # band points 4 > max 3
    attempt = try_variant(tmp_path, base[0], base[1], edit)
    assert not attempt.ok and "max" in attempt.field_problems
    assert list((tmp_path / "tmp").iterdir()) == []  # the temporary file is gone


def test_class_cut_offs(base, tmp_path) -> None:
    (tmp_path / "tmp").mkdir()
    edit, errors = parse_form(base[1], {"class-department-0": "85"})
    assert errors == {} and edit.groups[0]["id"] == "department"
    attempt = try_variant(tmp_path, base[0], base[1], edit)
    assert attempt.ok
    assert attempt.rules.group("department").classes[0].min == 85
    assert attempt.rules.group("district").classes[0].min == 90


TASKS_RULES = """
id: tasks-demo
version: "1"
title: Demo
source: {kind: simulation, assumptions: a one-leaf example}
groups: [{id: department, name: Sở, tree: main}]
trees:
  main:
    name: Cây
    areas:
      - code: "1"
        name: Chỉ đạo
        criteria:
          - code: "1.1"
            name: Kế hoạch
            leaves:
              - code: "1.1.2"
                name: Nhiệm vụ
                max: 3
                rule: {kind: tasks, weights: {done_on_time: 1, done_late: 0.5}}
"""


def test_tasks_weights(tmp_path) -> None:
    (tmp_path / "tmp").mkdir()
    folder = tmp_path / "demo"
    folder.mkdir()
    (folder / "ruleset.yaml").write_text(TASKS_RULES, encoding="utf-8")
    rules = load_rules(folder)
    entry = Entry("tasks-demo", folder, "given")
    form = {"leaf": "1.1.2", "max": "3", "weight-done_on_time": "1", "weight-done_late": "0,25",
            "weight-not_done": "0", "weight-in_progress": "0"}
    edit, errors = parse_form(rules, form)
    assert errors == {}
    assert edit.overrides["1.1.2"]["rule"]["weights"]["done_late"] == 0.25
    attempt = try_variant(tmp_path, entry, rules, edit)
    assert attempt.ok and attempt.rules.leaf("1.1.2").rule.weights["done_late"] == 0.25
    form["weight-done_late"] = "2"  # a share above 1: the model's message, beside weights
    attempt = try_variant(tmp_path, entry, rules, parse_form(rules, form)[0])
    assert not attempt.ok and "weights" in str(attempt.field_problems) + str(attempt.problems)


def test_a_code_scored_two_ways_is_changed_in_its_trees_only(client, base, tmp_path) -> None:
    html = client.get("/rules?leaf=1.1.2").text  # tasks in two trees, manual in communes
    assert "commune (manual)" in html and 'name="weight-done_late"' in html
    (tmp_path / "tmp").mkdir()
    form = {"leaf": "1.1.2", "max": "3", "weight-done_on_time": "1", "weight-done_late": "0",
            "weight-not_done": "0", "weight-in_progress": "0"}
    edit, errors = parse_form(base[1], form)
    assert errors == {} and set(edit.overrides) == {"department/1.1.2", "district/1.1.2"}
    attempt = try_variant(tmp_path, base[0], base[1], edit)
    assert attempt.ok, attempt
    assert attempt.rules.leaf("1.1.2", "department").rule.weights["done_late"] == 0
    assert attempt.rules.leaf("1.1.2", "commune").rule.kind == "manual"


def test_preview_shows_the_shifts_of_cchc_compare(fresh_client) -> None:
    token = csrf_of(fresh_client, "/rules")
    form = form_321(**{"band-0-min": "99", "band-1-max": "99"})
    r = fresh_client.post("/rules/preview", data={**form, "csrf_token": token,
                                                  "rules": "khanh-hoa-2022"})
    assert r.status_code == 200
    moved = dict(re.findall(r'<tr data-agency-id="([^"]+)" data-rank-a="[^"]*" '
                            r'data-rank-b="([^"]*)"', r.text))
    assert moved, r.text[:2000]
    counts = re.search(r'id="shift-summary"[^>]*>\s*(\S+) ', r.text).group(1)
    assert counts == re.search(r'data-moved="(\d+)"', r.text).group(1)   # a count: no ",00"
    api = fresh_client.post("/api/compare", json={"overrides": {"3.2.1": {"rule": {"bands": [
        {"min": 99, "points": 4}, {"min": 95, "max": 99, "points": 3},
        {"min": 90, "max": 95, "points": 2}, {"min": 80, "max": 90, "points": 1},
        {"min": 0, "max": 80, "points": 0}]}}}}).json()
    expected = {a["agency_id"]: str(a["rank_b"]) for a in api["agencies"]
                if a["rank_shift"] or abs(a["points_diff"] or 0) > 1e-9 or a["class_changed"]}
    assert moved == expected


def test_save_writes_a_file_cchc_check_accepts(fresh_client, workspace, capsys) -> None:
    token = csrf_of(fresh_client, "/rules")
    form = form_321(**{"band-0-min": "99", "band-1-max": "99"})
    r = fresh_client.post("/rules/save", data={**form, "csrf_token": token,
                                               "name": "Đúng hạn 99", "note": "thử ngưỡng 99"})
    assert r.status_code == 200, r.text
    path = workspace / "rules" / "dung-han-99.yaml"
    assert path.is_file()
    text = path.read_text(encoding="utf-8")
    assert text.startswith("#") and "extends:" in text and "overrides:" in text
    assert "- {min: 99, points: 4}" in text  # short rows stay on one line
    data = YAML().load(text)
    assert data["id"] == "dung-han-99" and data["source"]["assumptions"] == "thử ngưỡng 99"
    assert main(["check", "--rules", str(path)]) == 0
    capsys.readouterr()
    # it is offered as a rule set now, and a second save of the name is refused
    assert "dung-han-99" in {x["id"] for x in fresh_client.get("/api/rulesets").json()}
    again = fresh_client.post("/rules/save", data={**form, "csrf_token": token,
                                                   "name": "dung-han-99"})
    assert "dung-han-99" in again.text and "error-box" in again.text
    assert path.read_text(encoding="utf-8") == text


def test_save_refuses_an_empty_edit_and_bad_names(fresh_client, workspace) -> None:
    token = csrf_of(fresh_client, "/rules")
    r = fresh_client.post("/rules/save", data={**form_321(), "csrf_token": token,
                                               "name": "x"})
    assert "error-box" in r.text
    r = fresh_client.post("/rules/save", data={**form_321(**{"band-0-min": "99",
                                                             "band-1-max": "99"}),
                                               "csrf_token": token, "name": "../../etc"})
    assert not list((workspace / "rules").glob("*.yaml")) or all(
        p.parent == workspace / "rules" for p in (workspace / "rules").glob("*.yaml"))
    assert not (workspace.parent / "etc.yaml").exists()


def test_variant_workbook_download(fresh_client) -> None:
    import io

    import openpyxl
    token = csrf_of(fresh_client, "/rules")
    r = fresh_client.post("/rules/workbook", data={
        **form_321(**{"band-0-min": "99", "band-1-max": "99"}), "csrf_token": token})
    assert r.status_code == 200
    wb = openpyxl.load_workbook(io.BytesIO(r.content))
    assert wb.sheetnames


def test_edit_key_is_stable() -> None:
    a = Edit({"3.2.1": {"max": 4}})
    assert a.key() == Edit({"3.2.1": {"max": 4}}).key() != Edit({"3.2.1": {"max": 5}}).key()


def test_shift_tables_are_capped_with_class_changes_first(base) -> None:
    """Counts cover every unit; each group shows at most ``limit`` rows, class changes
    first, then the largest rank shifts; leaves read the Vietnamese way (``+0,5``)."""
    entry, rules = base
    ds = load_dataset(BUNDLED_DATASET)
    variant = load_variant(BUNDLED_RULES, {"3.2.1": {"rule": {"bands": [
        {"min": 99, "points": 4}, {"min": 95, "max": 99, "points": 3},
        {"min": 90, "max": 95, "points": 2}, {"min": 80, "max": 90, "points": 1},
        {"min": 0, "max": 80, "points": 0}]}}}, id="cap")
    cmp = compare(score(rules, ds), score(variant, ds))
    a = cmp.agencies
    full = shifts(cmp, limit=10_000)
    capped = shifts(cmp, limit=3)
    assert full.moved == int((a["rank_shift"].fillna(0) != 0).sum()) == capped.moved
    assert full.reclassed == int(a["class_changed"].sum()) == capped.reclassed
    for g_full, g in zip(full.groups, capped.groups, strict=True):
        assert g.changed == g_full.changed == len(g_full.rows)
        assert len(g.rows) == min(3, g.changed)
        assert [r["agency_id"] for r in g.rows] == [r["agency_id"] for r in g_full.rows[:3]]
        flags = [r["class_changed"] for r in g_full.rows]
        assert flags == sorted(flags, reverse=True)          # class changes first
        plain = [abs(r["rank_shift"] or 0) for r in g_full.rows if not r["class_changed"]]
        assert plain == sorted(plain, reverse=True)
    texts = [r["leaves"] for g in full.groups for r in g.rows if r["leaves"]]
    assert texts and all(re.fullmatch(r"3\.2\.1: [+-]\d+(,\d+)?", t) for t in texts)

