"""run_rule_tests: the rule file's own examples, and the problems it reports."""

from __future__ import annotations

import pytest

from scoring.engine import run_rule_tests
from scoring.rules.model import FormulaRule, Leaf, ManualRule, RuleTest, TasksRule
from tests.engine.helpers import on_time_leaf, rules_of, tree_of


def _rules(*tests: RuleTest, **kw):
    leaves = [on_time_leaf("1.1.1", 2),
              Leaf(code="1.1.2", name="trễ", max=2,
                   rule=FormulaRule(expr="clip(max_points * (1 - late_rate / 5), 0, max_points)")),
              Leaf(code="1.1.3", name="nhiệm vụ", max=3, rule=TasksRule()),
              Leaf(code="1.1.4", name="thẩm định", max=1, rule=ManualRule())]
    return rules_of({"t": tree_of({"1": leaves})}, tests=list(tests), **kw)


def test_passing_tests_give_no_problem() -> None:
    rules = _rules(
        RuleTest(leaf="1.1.1", indicators={"on_time_rate": 98}, expect=2),
        RuleTest(leaf="1.1.1", indicators={"on_time_rate": None}, expect="not_applicable"),
        RuleTest(leaf="1.1.2", indicators={"late_rate": 2.5}, expect=1),
        RuleTest(leaf="1.1.3", tasks={"done_on_time": 1, "done_late": 1}, expect=2.25),
        RuleTest(leaf="1.1.3", tasks={"not_arising": 3}, expect="not_applicable"))
    assert run_rule_tests(rules) == []


@pytest.mark.usefixtures("english")
def test_each_failure_is_one_problem_with_the_test_position() -> None:
    rules = _rules(
        RuleTest(leaf="1.1.1", indicators={"on_time_rate": 97}, expect=2),       # gives 1
        RuleTest(leaf="1.1.1", indicators={"on_time_rate": 99}, expect="not_applicable"),
        RuleTest(name="không có", leaf="9.9.9", expect=1),
        RuleTest(leaf="1.1.4", expect=1),
        RuleTest(leaf="1.1.1", indicators={"late_rate": 1}, expect=1),
        RuleTest(leaf="1.1.2", indicators={"on_time_rate": 1}, expect=1))
    problems = run_rule_tests(rules)
    assert [p.field.split(".")[0] for p in problems] == [f"tests[{i}]" for i in range(6)]
    assert "expects 2 points but the rule gives 1" in problems[0].message
    assert "rule applied: From 90 % to below 98 %: 1 point)" in problems[0].message
    assert "expects not applicable but the rule gives 2" in problems[1].message
    assert "'không có'" in problems[2].message and "9.9.9" in problems[2].message
    assert "Appraisal" in problems[3].message  # the kind's label (manual)
    assert "on_time_rate" in problems[4].message and problems[4].fix
    assert "late_rate" in problems[5].message


def test_award_policy_is_used_in_tests() -> None:
    rules = _rules(RuleTest(leaf="1.1.1", indicators={"on_time_rate": None}, expect=2),
                   not_applicable="award")
    assert run_rule_tests(rules) == []


def test_a_failing_test_is_said_in_vietnamese() -> None:
    rules = _rules(RuleTest(leaf="1.1.1", indicators={"on_time_rate": 97}, expect=2.5))
    (problem,) = run_rule_tests(rules)
    assert problem.message == ("phép thử 1 của tiêu chí thành phần 1.1.1 kỳ vọng 2,5 điểm nhưng "
                               "quy tắc cho 1 điểm (giá trị 97; quy tắc áp dụng: Từ 90 % đến "
                               "dưới 98 %: 1 điểm)")
    assert problem.fix == "sửa quy tắc hoặc giá trị kỳ vọng"


def _alone(rules, i: int) -> list[tuple[str | None, str, str | None]]:
    """Test ``i`` of ``rules`` run by itself (the same problems, its field renumbered)."""
    solo = run_rule_tests(rules.replace(tests=[rules.tests[i]]))
    return [(p.field.replace("tests[0]", f"tests[{i}]"), p.message, p.fix) for p in solo]


@pytest.mark.usefixtures("english")
def test_tests_run_together_report_what_each_reports_alone() -> None:
    """Tests with the same inputs are evaluated as one table: each still gets its own
    value, rule, not-applicable status and errors, in file order."""
    rates = [None, 0, 89.9, 90, 97, 98, 100]
    tests = [RuleTest(name=f"đúng hạn {r}", leaf=leaf, indicators={"on_time_rate": r},
                      expect=expect)
             for r in rates for leaf, expect in (("1.1.1", 1), ("1.1.2", 2))]
    tests += [RuleTest(name=f"trễ {r}", leaf="1.1.2", indicators={"late_rate": r}, expect=0)
              for r in (None, 1, 2.5, 5, 9)]
    tests += [RuleTest(name=f"nhiệm vụ {n}", leaf="1.1.3", tasks={"done_late": n}, expect=3)
              for n in (0, 1, 2)]
    tests.insert(5, RuleTest(name="thiếu", leaf="9.9.9", expect=1))
    rules = _rules(*tests)
    together = [(p.field, p.message, p.fix) for p in run_rule_tests(rules)]
    alone = [problem for i in range(len(tests)) for problem in _alone(rules, i)]
    assert together == alone
    messages = [m for _f, m, _x in together]
    assert sum("expects" in m for m in messages) >= 10              # wrong expectations
    assert sum("'late_rate' is not a known name" in m for m in messages) == len(rates)
