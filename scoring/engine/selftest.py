"""Run the tests a rule file carries (input → expected points of one leaf).

The rule loader calls :func:`run_rule_tests` when it loads a file, so a rule set whose
own examples fail never scores anything.

Examples
--------
>>> from scoring.rules.model import (Band, BandsRule, Group, Leaf, Criterion, Area, Tree,
...     RuleSet, RuleTest, Source)
>>> leaf = Leaf(code="1", name="x", max=2, rule=BandsRule(indicator="on_time_rate",
...     bands=[Band(min=95, points=2), Band(max=95, points=0)]))
>>> rs = RuleSet(id="t", version="1", title="t",
...     source=Source(kind="simulation", assumptions="example"),
...     groups=[Group(id="g", name="G", tree="t")],
...     trees={"t": Tree(name="t", areas=[Area(code="A", name="A", criteria=[
...         Criterion(code="A.1", name="c", leaves=[leaf])])])},
...     tests=[RuleTest(leaf="1", indicators={"on_time_rate": 96}, expect=2),
...            RuleTest(leaf="1", indicators={"on_time_rate": 90}, expect=2)])
>>> [p.message for p in run_rule_tests(rs)]   # doctest: +ELLIPSIS
['test 2 of leaf 1 expects 2 points but the rule gives 0 (value 90; rule [−∞, 95) → 0)']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.dataset import TASK_STATUSES
from scoring.engine.leaves import NOT_APPLICABLE, TASK_COLUMNS, evaluate_leaf, fmt
from scoring.errors import CchcError, Problem
from scoring.rules.model import RuleSet


def run_rule_tests(ruleset: RuleSet) -> list[Problem]:
    """Check every in-file test of ``ruleset``; one :class:`Problem` per failing test.

    Parameters
    ----------
    ruleset : RuleSet

    Returns
    -------
    list of Problem
        Empty when every test passes. ``field`` is ``tests[i]`` (0-based position in the
        file's ``tests`` list); the loader adds the file and line.
    """
    problems: list[Problem] = []
    for i, test in enumerate(ruleset.tests):
        where = f"tests[{i}]"
        label = f"test {test.name!r}" if test.name else f"test {i + 1}"
        try:
            leaf = ruleset.leaf(test.leaf, test.tree)
        except KeyError:
            problems.append(Problem(f"{label} names leaf {test.leaf!r}, which no tree has"
                                    + (f" (tree {test.tree})" if test.tree else ""),
                                    field=f"{where}.leaf", fix="use a leaf code of the tree"))
            continue
        kind = leaf.rule.kind
        if kind in ("manual", "survey"):
            problems.append(Problem(
                f"{label}: leaf {leaf.code} is {kind}; in-file tests check data-driven "
                "leaves (bands, formula, tasks) only", field=f"{where}.leaf",
                fix="remove the test or point it at a data-driven leaf"))
            continue
        row: dict[str, float] = {k: (np.nan if v is None else float(v))
                                 for k, v in test.indicators.items()}
        if kind == "tasks" or test.tasks:
            for status, col in zip(TASK_STATUSES, TASK_COLUMNS, strict=True):
                row.setdefault(col, float(test.tasks.get(status, 0)))
        if kind == "bands" and leaf.rule.indicator not in row:
            problems.append(Problem(
                f"{label} does not give indicator {leaf.rule.indicator!r} that leaf "
                f"{leaf.code} reads", field=f"{where}.indicators",
                fix=f"add {leaf.rule.indicator}: <value> (or null for not applicable)"))
            continue
        frame = pd.DataFrame([row], index=["test"], dtype=float)
        try:
            out = evaluate_leaf(leaf, frame, not_applicable=ruleset.not_applicable,
                                where=f"{where}: ")
        except CchcError as err:
            problems.extend(p.replace(field=f"{where}" + (f".{p.field}" if p.field else ""),
                                      message=f"{label}: {p.message}") for p in err.problems)
            continue
        points = float(out.points[0])
        is_na = int(out.status[0]) == NOT_APPLICABLE
        value = float(out.value[0])
        detail = f"value {fmt(value) if np.isfinite(value) else 'NaN'}; " \
                 f"rule {out.rule_labels[int(out.rule[0])]}"
        if test.expect == "not_applicable":
            if not is_na:
                problems.append(Problem(
                    f"{label} of leaf {leaf.code} expects not applicable but the rule gives "
                    f"{fmt(points)} points ({detail})", field=f"{where}.expect",
                    fix="correct the rule or the expected value"))
        elif abs(points - float(test.expect)) > 1e-6:
            problems.append(Problem(
                f"{label} of leaf {leaf.code} expects {fmt(float(test.expect))} points but "
                f"the rule gives {fmt(points)} ({detail})", field=f"{where}.expect",
                fix="correct the rule or the expected value"))
    return problems
