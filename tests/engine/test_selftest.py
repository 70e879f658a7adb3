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
