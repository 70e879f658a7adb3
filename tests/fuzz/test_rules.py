"""Fuzz: any rule file or in-memory variant ends in a rule set or a CchcError with a message."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rules.sample import BASE, write

from scoring.errors import CchcError, Problem
from scoring.rules.loader import check_rules, load_variant
from scoring.rules.model import RuleSet

SCALARS = st.one_of(
    st.none(), st.booleans(), st.integers(-10**20, 10**20),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=12),
    st.sampled_from(["3.2.1", "7.2.1", "bands", "formula", "manual", "on_time_rate", "1e999",
                     ".inf", "9" * 40, "department"]))
VALUES = st.recursive(SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.dictionaries(st.sampled_from(
        ["max", "rule", "kind", "bands", "min", "points", "name", "hit", "domain", "expr",
         "indicator", "applies_if", "code", "x"]), inner, max_size=4)), max_leaves=12)
YAML_BITS = ["", "x", "5", "-1", "[]", "{}", "~", ".inf", ".nan", "1e999", "9" * 5000,
             "&a [1]", "*a", "!!python/object:os.system", "'unterminated", "- - -", "\t",
             "<<: *a", "[" * 200, "{a: [b, {c: d}]}", "điểm", "\x00", "\ufeff"]


@settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(st.integers(0, 10_000), st.sampled_from(YAML_BITS),
                          st.booleans()), min_size=1, max_size=4))
def test_any_mangled_rule_file_gives_problems_not_exceptions(edits):
    text = BASE
    for at, bit, replace_line in edits:
        lines = text.split("\n")
        j = at % len(lines)
        if replace_line and ":" in lines[j]:
            lines[j] = lines[j][:lines[j].index(":") + 1] + " " + bit
        else:
            lines.insert(j, bit)
        text = "\n".join(lines)
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "ruleset.yaml"
        path.write_bytes(text.encode("utf-8", "surrogatepass"))
        found = check_rules(Path(tmp))
    assert all(isinstance(p, Problem) and p.message and p.file for p in found)


@pytest.mark.slow
@settings(deadline=None, max_examples=40, suppress_health_check=[HealthCheck.too_slow])
@given(st.dictionaries(st.sampled_from(["3.2.1", "3.2", "7", "7.2.2", "department/3.2.2",
                                        "nope/1", "9.9", ""]), VALUES, max_size=3))
def test_any_override_mapping_gives_a_rule_set_or_a_message(overrides):
    with tempfile.TemporaryDirectory() as tmp:
        base = write(Path(tmp) / "base", BASE).parent
        try:
            rules = load_variant(base, overrides)
        except CchcError as err:
            assert err.problems and all(p.message for p in err.problems)
        else:
            assert isinstance(rules, RuleSet)
