"""The rule-file loader: every load error names file, line, YAML path and a fix."""

from __future__ import annotations

import hashlib
import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from scoring.errors import Problem, RuleError
from scoring.i18n import language
from scoring.paths import REPO_ROOT
from scoring.rules.loader import MAX_FILE_BYTES, check_rules, load_rules
from scoring.rules.model import RuleSet

from .sample import BASE, line_of, mutate, only, problems, write

pytestmark = pytest.mark.usefixtures("english")

LEAF_321 = "trees.department.areas[0].criteria[0].leaves[0]"
LEAF_322 = "trees.department.areas[0].criteria[0].leaves[1]"


# --------------------------------------------------------------------------- valid files
def test_the_sample_loads_with_its_hash(tmp_path):
    write(tmp_path, BASE)
    rules = load_rules(tmp_path)
    assert isinstance(rules, RuleSet)
    assert rules.trees["department"].total_max == 10
    assert rules.leaf("3.2.1").rule.indicator == "on_time_rate"
    assert rules.content_hash == hashlib.sha256(BASE.encode() + b"\0").hexdigest()
    assert rules.notes == ()
    assert check_rules(tmp_path) == []


def test_a_single_file_loads_too(tmp_path):
    path = write(tmp_path, BASE, name="mine.yaml")
    assert load_rules(path).id == "test-rules"


def test_line_endings_bom_and_nfc_do_not_change_the_hash(tmp_path):
    a = load_rules(write(tmp_path / "a", BASE)).content_hash
    decomposed = BASE.replace("Thủ tục", "Thu\u0309 tu\u0323c")  # NFD spelling
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "ruleset.yaml").write_bytes(
        b"\xef\xbb\xbf" + decomposed.replace("\n", "\r\n").encode())
    assert load_rules(tmp_path / "b").content_hash == a


def test_numbers_written_where_text_is_expected_keep_their_spelling(tmp_path):
    text = mutate('version: "1"', "version: 1.10")
    text = mutate('- code: "7"', "- code: 7", text)
    write(tmp_path, text)
    rules = load_rules(tmp_path)
    assert rules.version == "1.10"
    assert rules.trees["department"].areas[1].code == "7"


def test_anchors_and_merge_keys_are_expanded(tmp_path):
    text = mutate("  - {id: department, name: Sở, tree: department}",
                  "  - &g {id: department, name: Sở, tree: department}\n"
                  "  - {<<: *g, id: other, name: Khác}")
    write(tmp_path, text)
    rules = load_rules(tmp_path)
    assert [(g.id, g.tree) for g in rules.groups] == [("department", "department"),
                                                     ("other", "department")]


# --------------------------------------------------------------------------- model errors
def test_overlapping_bands(tmp_path):
    text = mutate("{min: 80, max: 95, points: 2}", "{min: 80, max: 96, points: 2}")
    p = only(tmp_path, text)
    assert p.field == f"{LEAF_321}.rule.bands"
    assert p.line == line_of(text, "bands:")
    assert p.message.startswith("bands overlap: [80, 96) and [95, +∞)")
    assert "start where the previous one ends" in p.fix
    assert str(p).startswith(f"{tmp_path / 'ruleset.yaml'}:{p.line}: {LEAF_321}.rule.bands: ")


def test_gapped_bands(tmp_path):
    text = mutate("{min: 80, max: 95, points: 2}", "{min: 80, max: 90, points: 2}")
    p = only(tmp_path, text)
    assert p.field == f"{LEAF_321}.rule.bands"
    assert "no band covers [90, 95)" in p.message


def test_parent_max_differs_from_the_sum_of_its_leaves(tmp_path):
    text = mutate('            name: Giải quyết hồ sơ\n            max: 6',
                  '            name: Giải quyết hồ sơ\n            max: 7')
    p = only(tmp_path, text)
    assert p.field == "trees.department.areas[0].criteria[0].max"
    assert p.line == line_of(text, "max: 7")
    assert "max of 3.2 is 7 but its parts add up to 6" in p.message


def test_band_points_above_the_leaf_max_point_at_the_max(tmp_path):
    text = mutate('                name: Tỷ lệ đúng hạn\n                max: 4',
                  '                name: Tỷ lệ đúng hạn\n                max: 1')
    found = problems(tmp_path, text)
    assert any(p.field == f"{LEAF_321}.max" and "exceed the leaf max" in p.message
               and p.line == line_of(text, "                max: 1") for p in found), found


def test_group_referencing_a_missing_tree(tmp_path):
    text = mutate("tree: department}", "tree: departmnt}")
    p = only(tmp_path, text)
    assert p.field == "groups[0].tree"
    assert p.line == line_of(text, "departmnt")
    assert "uses tree 'departmnt', which is not defined" in p.message
    assert p.fix == "did you mean 'department'?"


def test_unknown_keys_get_suggestions(tmp_path):
    text = mutate("tie_break: [index]", "tie_brek: [index]")
    p = only(tmp_path, text)
    assert (p.field, p.message, p.fix) == ("ranking.tie_brek", "unknown key 'tie_brek'",
                                           "did you mean 'tie_break'?")
    text = mutate("name: Thẩm định", "name: Thẩm định\n                colour: red")
    p = only(tmp_path, text)
    assert p.field == "trees.department.areas[1].criteria[0].leaves[1].colour"
    assert p.line == line_of(text, "colour: red")
    assert "allowed keys: applies_if, code, max" in p.fix


def test_missing_key_and_wrong_kind(tmp_path):
    p = only(tmp_path, mutate("title: Bộ quy tắc thử\n", ""))
    assert (p.field, p.message, p.fix) == (None, "'title' is required here", "add title: <value>")
    text = mutate("kind: bands\n                  indicator: online_rate",
                  "kind: bandz\n                  indicator: online_rate")
    p = only(tmp_path, text)
    assert p.field == "trees.department.areas[1].criteria[0].leaves[0].rule.kind"
    assert p.line == line_of(text, "bandz")
    assert "'formula'" in p.fix


def test_wrong_choice_and_not_a_number(tmp_path):
    p = only(tmp_path, mutate("rule: {kind: manual}", "rule: {kind: manual, missing: maybe}"))
    assert p.message == "'maybe' is not allowed here" and p.fix == "use one of: 'exclude', 'zero'"
    text = mutate("{min: 95, points: 4}", "{min: 95, points: bốn}")
    p = only(tmp_path, text)
    assert p.field == f"{LEAF_321}.rule.bands[0].points"
    assert p.line == line_of(text, "bốn")
    assert "expected a number" in p.message


# --------------------------------------------------------------------------- checks after
def test_unknown_indicator_with_suggestion(tmp_path):
    text = mutate("indicator: on_time_rate", "indicator: on_time_rat")
    p = only(tmp_path, text)
    assert p.field == f"{LEAF_321}.rule.indicator"
    assert p.line == line_of(text, "on_time_rat")
    assert p.message == "'on_time_rat' is not a known indicator"
    assert p.fix == "did you mean 'on_time_rate'?"


def test_unknown_name_in_a_formula(tmp_path):
    text = mutate("late_rate * 0.4", "late_rat * 0.4")
    p = only(tmp_path, text)
    assert p.field == f"{LEAF_322}.rule.expr"
    assert p.line == line_of(text, "late_rat")
    assert "'late_rat' is not a known name" in p.message
    assert p.fix == "did you mean 'late_rate'?"


@pytest.mark.parametrize(("expr", "expected"), [
    ("late_rate.__class__", "attribute access"),
    ("__import__(\"os\").system(\"ls\")", "not allowed"),
    ("_late + 1", "names starting with '_'"),
    ("9**9**9", "exponent"),
    ("(lambda: 1)()", "only the listed functions"),
    ("max([x for x in (1, 2)], 1)", "comprehensions"),
    ("\"abc\".upper()", "calling methods"),
])
def test_unsafe_formulas_are_refused_at_load(tmp_path, expr, expected):
    text = mutate('expr: "clip(2 - late_rate * 0.4, 0, 2)"', f"expr: '{expr}'")
    p = only(tmp_path, text)
    assert p.field == f"{LEAF_322}.rule.expr"
    assert p.line == line_of(text, "expr:")
    assert expected in p.message


def test_applies_if_is_checked_too(tmp_path):
    text = mutate('applies_if: "online_eligible > 0"', 'applies_if: "online_eligble > 0"')
    p = only(tmp_path, text)
    assert p.field == "trees.department.areas[1].criteria[0].leaves[0].applies_if"
    assert p.fix == "did you mean 'online_eligible'?"


def test_unknown_tie_break_key(tmp_path):
    p = only(tmp_path, mutate("tie_break: [index]", "tie_break: [index, -late_rat]"))
    assert p.field == "ranking.tie_break[1]"
    assert p.fix == "did you mean 'late_rate'?"
    write(tmp_path, mutate("tie_break: [index]", "tie_break: [index, '7', -late_rate]"))
    assert load_rules(tmp_path).ranking.tie_break == ("index", "7", "-late_rate")


def test_in_file_test_naming_a_missing_leaf(tmp_path):
    text = mutate('leaf: "3.2.2"', 'leaf: "3.2.3"')
    p = only(tmp_path, text)
    assert p.field == "tests[1].leaf"
    assert p.line == line_of(text, "3.2.3")
    assert p.fix == "did you mean '3.2.2'?"


def test_failing_in_file_test_names_its_line(tmp_path):
    text = mutate("expect: 4}", "expect: 3}")
    p = only(tmp_path, text)
    assert p.field.startswith("tests[0]")
    assert p.line == line_of(text, "expect: 3}")
    assert "expects 3" in p.message and "gives 4" in p.message


# --------------------------------------------------------------------------- YAML safety
def test_duplicate_keys(tmp_path):
    text = mutate("title: Bộ quy tắc thử", "title: Bộ quy tắc thử\ntitle: lần hai")
    p = only(tmp_path, text)
    assert p.field == "title"
    assert p.line == line_of(text, "lần hai")
    assert f"first on line {line_of(text, 'title:')}" in p.message


def test_yaml_alias_bomb_is_refused_quickly(tmp_path):
    bomb = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for i in range(1, 10):
        bomb.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    p = only(tmp_path, "\n".join(bomb) + "\n")
    assert "expands to more than 100,000 values" in p.message


def test_recursive_alias_is_refused(tmp_path):
    p = only(tmp_path, "id: &x [1, *x]\n")
    assert "recursive alias" in p.message and p.line == 1


def test_python_tags_are_refused(tmp_path):
    p = only(tmp_path, mutate("title: Bộ quy tắc thử",
                              "title: !!python/object/apply:os.system ['echo hi']"))
    assert "tag" in p.message and "python" in p.message


def test_oversized_file(tmp_path):
    padding = "# " + "x" * 1000 + "\n"
    text = BASE + padding * (MAX_FILE_BYTES // len(padding) + 1)
    p = only(tmp_path, text)
    assert "limited to 2 MB" in p.message and p.file.endswith("ruleset.yaml")
    assert "the file is 2.0 MB" in p.message                   # the size, as English writes it


def test_oversized_file_size_in_vietnamese_numbers(tmp_path):
    padding = "# " + "x" * 1000 + "\n"
    text = BASE + padding * (MAX_FILE_BYTES // len(padding) + 1)
    with language("vi"):
        p = only(tmp_path, text)
    assert "2,0 MB" in p.message and "2.0" not in p.message


def test_yaml_syntax_error_names_the_line(tmp_path):
    text = mutate("{min: 95, points: 4}", "{min: 95, points: 4")
    p = only(tmp_path, text)
    assert p.message.startswith("not valid YAML")
    assert line_of(text, "{min: 95, points: 4") <= p.line <= line_of(text, "{min: 80")


def test_not_utf8(tmp_path):
    (tmp_path / "ruleset.yaml").write_bytes(b"id: x\ntitle: Th\xe1\n")
    (p,) = check_rules(tmp_path)
    assert p.message == "the file is not UTF-8 text" and p.line == 2


def test_missing_file_and_folder_without_ruleset(tmp_path):
    (p,) = check_rules(tmp_path / "nope")
    assert "does not exist" in p.message
    write(tmp_path / "f", BASE, name="other.yaml")
    (p,) = check_rules(tmp_path / "f")
    assert "has no ruleset.yaml (it has other.yaml)" in p.message
    with pytest.raises(RuleError):
        load_rules(tmp_path / "nope")


def test_loader_keys_cannot_be_set_in_the_file(tmp_path):
    p = only(tmp_path, BASE + "content_hash: abc\n")
    assert p.field == "content_hash" and "set by the loader" in p.message


# --------------------------------------------------------------------------- variants
VARIANT = """\
id: test-rules-online3
version: "1"
title: Trực tuyến 3 điểm
source: {kind: simulation, assumptions: what if online dossiers were worth 3 points}
extends: ../base
overrides:
  "7.2.1": {max: 3, rule: {bands: [{min: 50, points: 3}, {min: 0, max: 50, points: 0}]}}
"""


def test_variant_overriding_a_leaf_max(tmp_path):
    base = write(tmp_path / "base", BASE)
    variant = write(tmp_path / "online3", VARIANT)
    rules = load_rules(tmp_path / "online3")
    leaf = rules.leaf("7.2.1")
    assert leaf.max == 3
    assert [b.points for b in leaf.rule.bands] == [3, 0]
    assert leaf.rule.indicator == "online_rate"        # kept from the base
    assert leaf.applies_if == "online_eligible > 0"    # kept from the base
    tree = rules.trees["department"]
    assert tree.areas[1].criteria[0].max is None       # 2 + 2 in the base, now 3 + 2
    assert tree.areas[1].max is None and tree.max is None
    assert tree.total_max == 11
    assert (rules.id, rules.extends) == ("test-rules-online3", "../base")
    notes = "\n".join(rules.notes)
    assert "criterion 7.2 of tree department: max re-derived as 5 (the base declared 4)" in notes
    assert "area 7 of tree department: max re-derived as 5" in notes
    assert "tree department: max re-derived as 11 (the base declared 10)" in notes
    assert "1 test of the base left out" in notes
    assert [t.leaf for t in rules.tests] == ["3.2.1", "3.2.2"]
    expected = hashlib.sha256(base.read_text().encode() + b"\0"
                              + variant.read_text().encode() + b"\0").hexdigest()
    assert rules.content_hash == expected
    warnings = check_rules(tmp_path / "online3")
    assert warnings and all(w.severity == "warning" for w in warnings)


def test_variant_can_change_a_leaf_kind_and_add_tests(tmp_path):
    write(tmp_path / "base", BASE)
    write(tmp_path / "v", mutate(
        'overrides:\n  "7.2.1": {max: 3, rule: {bands: [{min: 50, points: 3}, '
        '{min: 0, max: 50, points: 0}]}}\n',
        'overrides:\n  "3.2.2": {rule: {kind: formula, expr: "where(late_rate < 1, 2, 0)"}}\n'
        'tests:\n  - {leaf: "3.2.2", indicators: {late_rate: 0.5}, expect: 2}\n',
        VARIANT))
    rules = load_rules(tmp_path / "v")
    assert rules.leaf("3.2.2").rule.expr == "where(late_rate < 1, 2, 0)"
    assert rules.trees["department"].max == 10           # maxima unchanged: nothing dropped
    assert [t.leaf for t in rules.tests] == ["3.2.1", "7.2.1", "3.2.2"]


def test_variant_top_level_keys_merge_by_id(tmp_path):
    write(tmp_path / "base", BASE)
    write(tmp_path / "v", VARIANT.split("overrides:")[0]
          + "groups:\n  - {id: department, name: 'Sở, ban, ngành'}\n"
          + "ranking: {precision: 2}\n")
    rules = load_rules(tmp_path / "v")
    assert rules.groups[0].name == "Sở, ban, ngành" and rules.groups[0].tree == "department"
    assert (rules.ranking.precision, rules.ranking.tie_break) == (2, ("index",))


def test_variant_errors_point_at_the_variant_line(tmp_path):
    write(tmp_path / "base", BASE)
    text = mutate('"7.2.1": {max: 3, rule', '"7.2.1": {max: 1, rule', VARIANT)
    text = text.replace("{min: 50, points: 3}", "{min: 50, points: 2}")
    found = problems(tmp_path / "v", text)
    hit = [p for p in found if "exceed the leaf max" in p.message]
    assert hit and hit[0].file.endswith("v/ruleset.yaml")
    assert hit[0].line == line_of(text, '"7.2.1"')


def test_variant_override_of_a_missing_code(tmp_path):
    write(tmp_path / "base", BASE)
    text = mutate('"7.2.1"', '"7.21"', VARIANT)
    p = only(tmp_path / "v", text)
    assert p.field == 'overrides["7.21"]'
    assert p.line == line_of(text, "7.21")
    assert "no area, criterion or leaf with code '7.21'" in p.message
    assert p.fix == "did you mean '7.2.1'?"


def test_variant_needs_its_own_id_and_source(tmp_path):
    write(tmp_path / "base", BASE)
    text = mutate("id: test-rules-online3\n", "", VARIANT)
    p = only(tmp_path / "v", text)
    assert p.field == "id" and "variant needs its own id" in p.message


def test_extends_cycle(tmp_path):
    write(tmp_path / "a", "id: a\nsource: {kind: simulation, assumptions: x}\nextends: ../b\n")
    write(tmp_path / "b", "id: b\nsource: {kind: simulation, assumptions: x}\nextends: ../a\n")
    (p,) = check_rules(tmp_path / "a")
    assert "extends goes round in a circle" in p.message
    assert p.field == "extends" and p.line == 3


def test_extends_missing_base(tmp_path):
    text = mutate("extends: ../base", "extends: ../bse", VARIANT)
    (p,) = check_rules(write(tmp_path / "v", text).parent)
    assert p.field == "extends" and p.line == line_of(text, "extends") and "does not exist" in \
        p.message


# --------------------------------------------------------------------------- bundled
BUNDLED = REPO_ROOT / "rules" / "khanh-hoa-2022"


def test_bundled_rule_set_loads():
    rules = load_rules(BUNDLED)
    assert [g.id for g in rules.groups] == ["department", "district", "commune"]
    for group in rules.groups:
        assert rules.tree_of(group.id).total_max == pytest.approx(100)
    assert rules.tests, "the bundled rule set carries in-file tests"
    assert rules.leaf("3.2.1").rule.kind == "bands"
    assert check_rules(BUNDLED) == []


def test_bundled_online3_variant_loads():
    base = load_rules(BUNDLED)
    rules = load_rules(REPO_ROOT / "rules" / "khanh-hoa-2022-online3")
    assert (rules.id, rules.extends) == ("khanh-hoa-2022-online3", "../khanh-hoa-2022")
    assert (base.leaf("7.2.1").max, rules.leaf("7.2.1").max) == (2, 3)
    assert rules.leaf("7.2.1").rule.indicator == base.leaf("7.2.1").rule.indicator
    for group in rules.groups:
        assert rules.tree_of(group.id).total_max == pytest.approx(100)
    assert rules.content_hash != base.content_hash


def test_base_and_variant_texts_are_different_files(tmp_path: Path):
    write(tmp_path / "base", BASE)
    write(tmp_path / "v", VARIANT)
    assert load_rules(tmp_path / "v").content_hash != load_rules(tmp_path / "base").content_hash


# --------------------------------------------------------------------------- robustness
_TOKENS = ["x", "5", "-1", "[]", "{}", "~", "[1, 2]", "{a: 1}", "'9**9**9'", "yes", "&a 1",
           "*a", "!!str 3", "- 1", "kind: formula", "1e400", '"7.2.1": 3', "[unclosed"]


@given(edits=st.lists(st.tuples(st.integers(0, 200), st.integers(0, 3),
                                st.sampled_from(_TOKENS)), min_size=1, max_size=3),
       variant=st.booleans())
def test_check_rules_never_raises_on_mangled_files(edits, variant):
    lines = (VARIANT if variant else BASE).splitlines()
    for at, op, token in edits:
        j = at % len(lines)
        if op == 0:
            del lines[j]
        elif op == 1 and ":" in lines[j]:
            lines[j] = lines[j][:lines[j].index(":") + 1] + " " + token
        elif op == 2:
            lines.insert(j, lines[(at * 7) % len(lines)])
        else:
            lines[j] = lines[j].replace("  ", " ", 1)
    with tempfile.TemporaryDirectory() as tmp:
        write(Path(tmp) / "base", BASE)
        folder = write(Path(tmp) / "v", "\n".join(lines) + "\n").parent
        found = check_rules(folder)
        assert all(isinstance(p, Problem) and p.file and p.message for p in found)


def test_two_documents_in_one_file(tmp_path):
    p = only(tmp_path, BASE + "---\nid: again\n")
    assert "more than one YAML document" in p.message and "'---'" in p.fix


def test_a_node_reused_through_an_alias_is_reported_once(tmp_path):
    text = mutate("  department:\n    name: Cây cấp sở",
                  "  department: &dept\n    name: Cây cấp sở")
    text = mutate("tests:\n", "  district: *dept\ntests:\n", text)
    text = mutate("{min: 80, max: 95, points: 2}", "{min: 80, max: 96, points: 2}", text)
    p = only(tmp_path, text)
    assert p.field == f"{LEAF_321}.rule.bands"
    assert p.line == line_of(text, "bands:")
    assert "also at trees.district.areas[0].criteria[0].leaves[0].rule.bands" in p.message


def test_component_naming_a_missing_area(tmp_path):
    text = mutate("tests:\n", "components:\n"
                  '  - {id: appraisal, name: Thẩm định, areas: ["3", "9"]}\ntests:\n')
    p = only(tmp_path, text)
    assert p.field == "components[0].areas" and p.line == line_of(text, "appraisal")
    assert "unknown areas '9'" in p.message and p.fix.endswith("trees: 3, 7")
