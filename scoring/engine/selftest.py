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
>>> from scoring.i18n import language
>>> with language("en"):
...     [p.message for p in run_rule_tests(rs)]
['test 2 of leaf 1 expects 2 points but the rule gives 0 (value 90; rule [−∞, 95) → 0)']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scoring.dataset import TASK_STATUSES
from scoring.engine.leaves import NOT_APPLICABLE, STATUSES, TASK_COLUMNS, evaluate_leaf
from scoring.errors import CchcError, Problem
from scoring.i18n import _
from scoring.number_format import format_number
from scoring.rules.model import RuleSet
from scoring.vocabulary import kind_label, rule_text


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
        label = (_("test {name}").format(name=repr(test.name)) if test.name
                 else _("test {n}").format(n=i + 1))
        fix = _("correct the rule or the expected value")
        try:
            leaf = ruleset.leaf(test.leaf, test.tree)
        except KeyError:
            message = (_("{test} names leaf {leaf}, which no tree has (tree {tree})")
                       if test.tree else _("{test} names leaf {leaf}, which no tree has"))
            problems.append(Problem(message.format(test=label, leaf=repr(test.leaf),
                                                   tree=test.tree),
                                    field=f"{where}.leaf", fix=_("use a leaf code of the tree")))
            continue
        kind = leaf.rule.kind
        if kind in ("manual", "survey"):
            problems.append(Problem(
                _("{test}: leaf {leaf} is scored by {kind}; in-file tests check leaves scored "
                  "from data (bands, formula, tasks) only").format(
                      test=label, leaf=leaf.code, kind=kind_label(kind)),
                field=f"{where}.leaf",
                fix=_("remove the test or point it at a leaf scored from data")))
            continue
        row: dict[str, float] = {k: (np.nan if v is None else float(v))
                                 for k, v in test.indicators.items()}
        if kind == "tasks" or test.tasks:
            for status, col in zip(TASK_STATUSES, TASK_COLUMNS, strict=True):
                row.setdefault(col, float(test.tasks.get(status, 0)))
        if kind == "bands" and leaf.rule.indicator not in row:
            problems.append(Problem(
                _("{test} does not give indicator {indicator} that leaf {leaf} reads").format(
                    test=label, indicator=repr(leaf.rule.indicator), leaf=leaf.code),
                field=f"{where}.indicators",
                fix=_("add {indicator}: <value> (or null for not applicable)").format(
                    indicator=leaf.rule.indicator)))
            continue
        frame = pd.DataFrame([row], index=["test"], dtype=float)
        try:
            out = evaluate_leaf(leaf, frame, not_applicable=ruleset.not_applicable,
                                where=f"{where}: ")
        except CchcError as err:
            problems.extend(p.replace(field=f"{where}" + (f".{p.field}" if p.field else ""),
                                      message=_("{test}: {message}").format(
                                          test=label, message=p.message))
                            for p in err.problems)
            continue
        points = float(out.points[0])
        is_na = int(out.status[0]) == NOT_APPLICABLE
        value = float(out.value[0])
        detail = _("value {value}; rule applied: {rule}").format(
            value=format_number(value) if np.isfinite(value) else _("none"),
            rule=rule_text(leaf, STATUSES[int(out.status[0])], out.rule_labels[int(out.rule[0])],
                           value, ruleset.not_applicable))
        if test.expect == "not_applicable":
            if not is_na:
                problems.append(Problem(
                    _("{test} of leaf {leaf} expects not applicable but the rule gives "
                      "{points} points ({detail})").format(
                          test=label, leaf=leaf.code, points=format_number(points),
                          detail=detail), field=f"{where}.expect", fix=fix))
        elif abs(points - float(test.expect)) > 1e-6:
            problems.append(Problem(
                _("{test} of leaf {leaf} expects {expected} points but the rule gives "
                  "{points} ({detail})").format(
                      test=label, leaf=leaf.code, expected=format_number(float(test.expect)),
                      points=format_number(points), detail=detail),
                field=f"{where}.expect", fix=fix))
    return problems
