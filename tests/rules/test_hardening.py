"""Hostile and careless rule files: one message each (file, line, fix), never an internal
error; variants blamed at their own lines; bands that leave part of the domain out; overrides
that target one tree."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from scoring.errors import RuleError
from scoring.paths import BUNDLED_RULES, REPO_ROOT
from scoring.rules.loader import check_rules, load_rules, load_variant

from .sample import BASE, line_of, mutate, only, write
from .test_loader import VARIANT

pytestmark = pytest.mark.usefixtures("english")


def cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "cchc.cli", *args], capture_output=True,
                          text=True, cwd=REPO_ROOT, env={"CCHC_LANG": "en", "PATH": "/usr/bin"},
                          timeout=120)


# --------------------------------------------------------------------------- numbers
@pytest.mark.parametrize(("old", "new", "needle"), [
    ("                max: 4\n", "                max: .inf\n", "max: .inf"),
    ("{min: 95, points: 4}", "{min: 95, points: .nan}", "points: .nan"),
    ("{min: 0, max: 80, points: 0}", "{min: 0, max: 1e999, points: 0}", "1e999"),
    ("expect: 4}", "expect: -.Inf}", "-.Inf"),
    ("precision: 6}", "precision: .NaN}", "precision"),
])
def test_a_non_finite_number_anywhere_is_an_error_at_its_line(tmp_path, old, new, needle):
    text = mutate(old, new)
    p = only(tmp_path, text)
    assert "not a finite number" in p.message
    assert p.line == line_of(text, needle) and p.file.endswith("ruleset.yaml") and p.fix


def test_an_integer_of_5000_digits_is_one_message(tmp_path):
    text = mutate("                max: 4\n", "                max: " + "9" * 5000 + "\n")
    p = only(tmp_path, text)
    assert "more than 15 digits" in p.message and p.line == line_of(text, "9999")


def test_yaml_nested_10000_deep_is_one_message(tmp_path):
    text = BASE + "note: " + "[" * 10_000 + "]" * 10_000 + "\n"
    p = only(tmp_path, text)
    assert "nests deeper than 64 levels" in p.message and p.line == line_of(text, "note:")
    block = BASE + "extra:\n" + "".join("  " * i + "k:\n" for i in range(1, 1000))
    p = only(tmp_path / "block", block)
    assert "nests deeper" in p.message and p.line is not None


def test_a_chain_of_1200_extends_is_one_message(tmp_path):
    write(tmp_path / "v0", mutate("id: test-rules", "id: v0"))
    for i in range(1, 1200):
        write(tmp_path / f"v{i}", f"id: v{i}\nsource: {{kind: simulation, assumptions: x}}\n"
                                  f"extends: ../v{i - 1}\n")
    (p,) = check_rules(tmp_path / "v1199")
    assert "chain of extends is longer than 16" in p.message
    assert p.field == "extends" and p.line == 3


def test_hostile_rule_files_exit_1_through_the_command_line(tmp_path):
    write(tmp_path, mutate("                max: 4\n", "                max: " + "7" * 5000 + "\n"))
    done = cli("check", "--rules", str(tmp_path))
    assert done.returncode == 1, done.stderr
    assert "internal error" not in done.stderr + done.stdout
    assert "more than 15 digits" in done.stdout + done.stderr


# --------------------------------------------------------------------------- variants
def test_an_error_caused_by_a_variant_is_reported_at_the_variant_line(tmp_path):
    write(tmp_path / "base", BASE)
    text = VARIANT.split("overrides:")[0] + 'overrides:\n  "3.2.1": {rule: {domain: [-10, 100]}}\n'
    write(tmp_path / "v", text)
    found = [p for p in check_rules(tmp_path / "v") if p.severity == "error"]
    assert len(found) == 1 and "no band covers [-10, 0)" in found[0].message
    assert found[0].file.endswith("v/ruleset.yaml")
    assert found[0].line == line_of(text, '"3.2.1"')


def test_load_variant_from_a_mapping_matches_the_variant_file(tmp_path):
    write(tmp_path / "base", BASE)
    write(tmp_path / "online3", VARIANT)
    from_file = load_rules(tmp_path / "online3")
    built = load_variant(tmp_path / "base", {"7.2.1": {
        "max": 3, "rule": {"bands": [{"min": 50, "points": 3}, {"min": 0, "max": 50,
                                                                 "points": 0}]}}})
    assert built.trees == from_file.trees and built.tests == from_file.tests
    assert built.notes == from_file.notes
    with pytest.raises(RuleError) as err:
        load_variant(tmp_path / "base", {"7.2.1": {"max": 1}}, file="web form")
    (p,) = err.value.problems
    assert "exceed the leaf max" in p.message and p.file == "web form"
    assert p.field.endswith("leaves[0].max")
    with pytest.raises(RuleError) as err:
        load_variant(tmp_path / "base", {"7.2.9": {"max": 1}})
    assert err.value.problems[0].fix.startswith("did you mean '7.2.")


def test_an_override_can_target_one_tree(tmp_path):
    variant = (VARIANT.split("extends:")[0] + f"extends: {BUNDLED_RULES}\n"
               + 'overrides:\n  "commune/1.1.2": {max: 3}\n')
    write(tmp_path / "v", variant)
    base = load_rules(BUNDLED_RULES)
    rules = load_rules(tmp_path / "v")
    assert rules.leaf("1.1.2", "commune").max == 3
    assert rules.leaf("1.1.2", "commune").rule.kind == "manual"
    assert rules.leaf("1.1.2", "department") == base.leaf("1.1.2", "department")
    assert rules.leaf("1.1.2", "district") == base.leaf("1.1.2", "district")


def test_a_kind_change_on_a_code_with_different_kinds_must_name_the_tree(tmp_path):
    variant = (VARIANT.split("extends:")[0] + f"extends: {BUNDLED_RULES}\n"
               + 'overrides:\n  "1.1.2": {rule: {kind: tasks}}\n')
    write(tmp_path / "v", variant)
    (p,) = [p for p in check_rules(tmp_path / "v") if p.severity == "error"]
    assert "a tasks leaf in department, district" in p.message
    assert "a manual leaf in commune" in p.message
    assert p.line == line_of(variant, '"1.1.2"') and '"department/1.1.2"' in p.fix


def test_an_override_of_an_unknown_tree(tmp_path):
    write(tmp_path / "base", BASE)
    text = VARIANT.split("overrides:")[0] + 'overrides:\n  "departmnt/3.2.1": {max: 5}\n'
    p = only(tmp_path / "v", text)
    assert "no tree 'departmnt'" in p.message and p.fix == "did you mean 'department/3.2.1'?"


# --------------------------------------------------------------------------- bands
def test_hit_first_bands_that_leave_part_of_the_domain_uncovered_warn(tmp_path):
    text = mutate("""                  domain: [0, 100]
                  bands:
                    - {min: 95, points: 4}
                    - {min: 80, max: 95, points: 2}
                    - {min: 0, max: 80, points: 0}""", """                  hit: first
                  domain: [0, 100]
                  bands:
                    - {min: 95, max: 100, points: 4}
                    - {min: 20, max: 95, points: 2}
                    - {min: 150, max: 200, points: 1}""")
    write(tmp_path, text)
    found = check_rules(tmp_path)
    assert all(p.severity == "warning" for p in found)
    messages = sorted(p.message for p in found)
    assert any("no band covers [0, 20)" in m for m in messages)
    assert any("no band covers the top of the domain, 100" in m for m in messages)
    outside = [p for p in found if "wholly outside the domain" in p.message]
    assert len(outside) == 1 and outside[0].line == line_of(text, "{min: 150")
    load_rules(tmp_path)  # warnings do not stop a load
