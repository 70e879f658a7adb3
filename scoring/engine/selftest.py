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
from scoring.engine.leaves import (
    NOT_APPLICABLE,
    STATUSES,
    TASK_COLUMNS,
    LeafContext,
    LeafTables,
    Rows,
    evaluate_leaf,
    evaluate_leaves,
    table_rows,
)
from scoring.errors import CchcError, Problem
from scoring.i18n import _
from scoring.number_format import format_number
from scoring.rules.model import Leaf, RuleSet
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
    found: list[list[Problem]] = []                 # each test's problems, in file order
    runs: list[tuple[int, str, str, Leaf, dict[str, float]]] = []
    for i, test in enumerate(ruleset.tests):
        problems: list[Problem] = []
        found.append(problems)
        where = f"tests[{i}]"
        label = (_("test {name}").format(name=repr(test.name)) if test.name
                 else _("test {n}").format(n=i + 1))
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
        runs.append((i, where, label, leaf, row))
    outcomes = _outcomes(runs, ruleset.not_applicable)
    for (i, where, label, leaf, _row), out in zip(runs, outcomes, strict=True):
        test, problems = ruleset.tests[i], found[i]
        fix = _("correct the rule or the expected value")
        if isinstance(out, CchcError):
            err = out
            problems.extend(p.replace(field=f"{where}" + (f".{p.field}" if p.field else ""),
                                      message=_("{test}: {message}").format(
                                          test=label, message=p.message))
                            for p in err.problems)
            continue
        points, status, value, rule = out
        is_na = status == NOT_APPLICABLE
        detail = _("value {value}; rule applied: {rule}").format(
            value=format_number(value) if np.isfinite(value) else _("none"),
            rule=rule_text(leaf, STATUSES[status], rule, value, ruleset.not_applicable))
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
    return [p for problems in found for p in problems]


Outcome = tuple[float, int, float, str]
"""(points, status code, value, rule label) of one test's leaf."""


def _outcomes(runs: list[tuple[int, str, str, Leaf, dict[str, float]]], not_applicable: str
              ) -> list[Outcome | CchcError]:
    """Each test's leaf evaluated on the test's inputs, in the order of ``runs``.

    Tests giving the same inputs (the same indicator names, in the same order) are one
    table, one row per test, and every leaf they test is evaluated over all of it at once
    (leaf kinds are element-wise, so a test's row gives what it gives alone): a rule file's
    tests cost a few evaluations, not one each. When such a batch raises an error, its
    tests are evaluated one by one, so each error names its own test.
    """
    batches: dict[tuple[str, ...], list[int]] = {}
    for k, run in enumerate(runs):
        batches.setdefault(tuple(run[4]), []).append(k)
    found: dict[int, Outcome | CchcError] = {}
    for members in batches.values():
        leaves = list({id(runs[k][3]): runs[k][3] for k in members}.values())
        at = {id(leaf): j for j, leaf in enumerate(leaves)}
        ids = pd.Index([f"test-{k}" for k in members])
        frame = pd.DataFrame([runs[k][4] for k in members], index=ids, dtype=float)
        ctx = LeafContext.of(ids, frame, table_rows(LeafTables(), ids))
        out = Rows(n=len(ids), n_rows=len(leaves))
        try:
            evaluate_leaves(leaves, ctx, out, not_applicable)
        except CchcError:
            found.update((k, _alone(runs[k], not_applicable)) for k in members)
            continue
        for col, k in enumerate(members):
            j = at[id(runs[k][3])]
            found[k] = (float(out.points[j, col]), int(out.status[j, col]),
                        float(out.value[j, col]), out.labels[j][int(out.rule[j, col])])
    return [found[k] for k in range(len(runs))]


def _alone(run: tuple[int, str, str, Leaf, dict[str, float]], not_applicable: str
           ) -> Outcome | CchcError:
    """One test evaluated by itself (its errors prefixed with where it is)."""
    _i, where, _label, leaf, row = run
    try:
        out = evaluate_leaf(leaf, pd.DataFrame([row], index=["test"], dtype=float),
                            not_applicable=not_applicable, where=f"{where}: ")
    except CchcError as err:
        return err
    return (float(out.points[0]), int(out.status[0]), float(out.value[0]),
            out.rule_labels[int(out.rule[0])])
