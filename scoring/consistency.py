"""How a rule set and a dataset fit together: what ``cchc check`` reports about the pair,
and what every scoring command refuses before it scores.

:func:`cross_check` lists the problems (errors and warnings); :func:`require_fit` raises
the errors and returns the warnings, so that ``score``, ``rank``, ``compare``,
``simulate``, ``whatif`` and ``explain`` stop on exactly what ``check`` calls an error.

What is checked
---------------
* every ranked agency's group is a group of the rule set (else the whole group would be
  left out of the ranking: an error);
* ``scores.csv``: every row names a manual leaf of its unit's tree, or a manual bonus /
  deduction code of the rule set (an error with the row and a did-you-mean otherwise —
  including a leaf that a variant turned into a computed kind); points above the leaf's
  maximum or the adjustment's cap are warnings (they are capped); a *basis* warning when
  some ranked units of a group have appraised points on a leaf and others do not;
* ``surveys.csv``: every row names a survey leaf of its unit's tree; with ``options`` in
  the rule, every row's option is one of them (and without, the row gives a share).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scoring.dataset import Dataset, reviewed_tasks
from scoring.errors import DataError, Problem
from scoring.i18n import _, ngettext
from scoring.number_format import format_number
from scoring.rules.model import Leaf, RuleSet
from scoring.text import did_you_mean, suggest
from scoring.vocabulary import group_label, kind_label, task_status_label

MAX_LISTED = 20
"""Problems of one kind listed row by row before the rest are summed up in one line."""


@dataclass(frozen=True)
class _Target:
    """What a code in a data table means for units of one tree."""

    kind: str          # the leaf kind, or "bonus" / "deduction"
    table: str | None  # the table a manual/survey rule reads
    max: float         # leaf max or adjustment cap
    options: tuple[str, ...] | None = None


def _targets(rules: RuleSet) -> dict[str, dict[str, _Target]]:
    """tree id → code → what the code is in that tree (leaves and adjustments)."""
    out: dict[str, dict[str, _Target]] = {}
    for tid, tree in rules.trees.items():
        codes: dict[str, _Target] = {}
        for adj in rules.adjustments:
            codes[adj.code] = _Target(adj.kind, getattr(adj.rule, "table", None), adj.cap)
        for _area, _crit, leaf in tree.leaves():
            codes[leaf.code] = _leaf_target(leaf)
        out[tid] = codes
    return out


def _leaf_target(leaf: Leaf) -> _Target:
    rule = leaf.rule
    options = getattr(rule, "options", None)
    return _Target(rule.kind, getattr(rule, "table", None), leaf.max,
                   None if options is None else tuple(options))


def _rows(frame: pd.DataFrame) -> pd.Series:
    if "row" in frame:
        return frame["row"]
    return pd.Series(np.arange(len(frame)) + 2, index=frame.index)


class _Report:
    """Problems of one kind, listed up to :data:`MAX_LISTED` and summed up after."""

    def __init__(self, out: list[Problem]):
        self.out = out
        self.counts: dict[tuple[str, str], list[Problem]] = {}

    def add(self, kind: str, problem: Problem) -> None:
        seen = self.counts.setdefault((kind, problem.severity), [])
        seen.append(problem)
        if len(seen) <= MAX_LISTED:
            self.out.append(problem)

    def full(self, kind: str, severity: str) -> bool:
        """Whether ``kind`` already lists all it will show (further rows only count)."""
        return len(self.counts.get((kind, severity), ())) > MAX_LISTED

    def count(self, kind: str, severity: str) -> None:
        """One more row like those listed (its Problem is not built: only the number and
        the first one are shown)."""
        seen = self.counts[(kind, severity)]
        seen.append(seen[0])

    def close(self) -> None:
        for (_kind, severity), found in self.counts.items():
            if len(found) > MAX_LISTED:
                first = found[0]
                more = len(found) - MAX_LISTED
                self.out.append(Problem(
                    ngettext("... and {n} more row like the ones above",
                             "... and {n} more rows like the ones above", more).format(n=more),
                    file=first.file, field=first.field, fix=first.fix, severity=severity))


def _unit_trees(rules: RuleSet, ds: Dataset, frame: pd.DataFrame) -> pd.Series:
    """The tree id of each row's agency (NaN for agencies whose group the rules lack)."""
    tree_of_group = {g.id: g.tree for g in rules.groups}
    group = frame["agency_id"].map(ds.agencies["group"])
    return group.map(tree_of_group)


def _fine_targets(rules: RuleSet, table: str) -> dict[str, _Target]:
    """``tree + SEP + code`` → target, for the codes ``table`` may carry in that tree."""
    wanted = "manual" if table == "scores" else "survey"
    return {f"{tid}{_SEP}{code}": t for tid, codes in _targets(rules).items()
            for code, t in codes.items()
            if t.table == table and (t.kind == wanted or (
                table == "scores" and t.kind in ("bonus", "deduction")))}


_SEP = "\x1f"
"""Joins a tree id and a code into one look-up key (a character no id or code holds)."""


def _check_codes(rules: RuleSet, ds: Dataset, table: str, file: str,
                 report: _Report) -> pd.DataFrame:
    """Rows whose code is not a leaf of the right kind in the unit's tree → errors.

    Returns the usable rows with their tree, target, look-up key and line. The rows are
    matched to their targets column-wise; only the rows in error are visited one by one."""
    frame = getattr(ds, table)
    wanted = "manual" if table == "scores" else "survey"
    targets = _targets(rules)
    names = {g.id: g.name for g in rules.groups}
    trees = _unit_trees(rules, ds, frame)
    lines = _rows(frame).to_numpy()
    codes = frame["leaf"]
    # the group error, or the blank-leaf error, is reported elsewhere
    checked = trees.notna().to_numpy() & codes.to_numpy(dtype=object).astype(bool)
    keys = trees.where(checked, "").astype(str) + _SEP + codes.astype(str)
    found = keys.map(_fine_targets(rules, table))
    ok = checked & found.notna().to_numpy()
    for i in np.flatnonzero(checked & ~ok):
        aid, code, tid = frame["agency_id"].iat[i], codes.iat[i], trees.iat[i]
        target = targets[tid].get(code)
        usable = sorted(c for c, t in targets[tid].items() if t.table == table and (
            t.kind == wanted or t.kind in ("bonus", "deduction")))
        group = ds.agencies.at[aid, "group"]
        group_name = group_label(group, names.get(group))
        if target is None:
            hint = suggest(code, usable)
            message = _("{code} is not a leaf of the tree {tree} used by {agency} (group "
                        "{group})").format(code=repr(code), tree=tid, agency=aid, group=group_name)
        elif target.kind in ("manual", "survey", "bonus", "deduction"):
            hint = []
            message = _("the points of {code} ({kind}, group {group}) are not read from "
                        "{file}, so this row would be discarded").format(
                            code=code, group=group_name, kind=kind_label(target.kind).lower(),
                            file=f"{table}.csv")
        else:
            hint = []
            message = _("leaf {code} is computed by the rule set for group {group} (scoring "
                        "method: {kind}), not read from {file}: these points would be discarded"
                        ).format(code=code, group=group_name,
                                 kind=kind_label(target.kind).lower(), file=f"{table}.csv")
        fix = did_you_mean(hint[:1]) + (
            _("{file} takes the codes {codes}").format(file=f"{table}.csv",
                                                        codes=", ".join(usable))
            if usable else _("the tree {tree} has no {kind} leaf").format(
                tree=tid, kind=kind_label(wanted).lower()))
        report.add("code", Problem(message, file=file, line=int(lines[i]), field="leaf",
                                   fix=fix))
    idx = np.flatnonzero(ok)
    used = frame.iloc[idx].copy()
    used["tree"] = trees.iloc[idx].to_numpy()
    used["target"] = found.iloc[idx].to_numpy()
    used["key"] = keys.iloc[idx].to_numpy()
    used["row"] = lines[idx]
    return used


def _attribute(used: pd.DataFrame, rules: RuleSet, table: str, name: str) -> np.ndarray:
    """``name`` of each used row's target, looked up once per distinct key."""
    per_key = {k: getattr(t, name) for k, t in _fine_targets(rules, table).items()}
    return used["key"].map(per_key).to_numpy()


def _check_points(rules: RuleSet, used: pd.DataFrame, file: str, report: _Report) -> None:
    """Points above the leaf's max (or the adjustment's cap): a warning, they are capped."""
    maxima = _attribute(used, rules, "scores", "max").astype(float)
    for col in ("self_points", "appraised_points"):
        if col not in used:
            continue
        values = pd.to_numeric(used[col], errors="coerce").to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            over = values > maxima + 1e-9
        for i in np.flatnonzero(over):
            if report.full("cap", "warning"):
                report.count("cap", "warning")
                continue
            target, code = used["target"].iat[i], used["leaf"].iat[i]
            what = (_("the cap of {code}").format(code=code)
                    if target.kind in ("bonus", "deduction")
                    else _("the maximum of leaf {code}").format(code=code))
            report.add("cap", Problem(
                _("{points} points are above {what} ({max}): {max} are counted").format(
                    points=format_number(float(values[i])), what=what,
                    max=format_number(target.max)), file=file, line=int(used["row"].iat[i]),
                field=col, fix=_("correct the points, or leave them: they are capped"),
                severity="warning"))


def _check_options(rules: RuleSet, used: pd.DataFrame, file: str, report: _Report) -> None:
    """Survey rows: an option the rule maps (with options), a share (without)."""
    option = (used["option"] if "option" in used else pd.Series([""] * len(used),
                                                                index=used.index))
    has_options = pd.notna(_attribute(used, rules, "surveys", "options"))
    answers = {f"{k}{_SEP}{o}" for k, t in _fine_targets(rules, "surveys").items()
               if t.options is not None for o in t.options}
    known = (used["key"] + _SEP + option.astype(str)).isin(answers).to_numpy()
    given = option.to_numpy(dtype=object).astype(bool)
    wrong = np.where(has_options, ~known, given | used["share"].isna().to_numpy())
    for i in np.flatnonzero(wrong):
        opt, target, line, code = (option.iat[i], used["target"].iat[i], used["row"].iat[i],
                                   used["leaf"].iat[i])
        if target.options is not None:
            report.add("option", Problem(
                (_("option {option} is not an answer option of leaf {code}").format(
                    option=repr(opt), code=code) if opt else
                 _("leaf {code} counts answers per option, but the row gives no option"
                   ).format(code=code)), file=file, line=int(line), field="option",
                fix=_("use one of {options}, or add the option to the rule's options").format(
                    options=", ".join(target.options))))
        else:
            report.add("option", Problem(
                _("leaf {code} takes the share of satisfied answers in percent, not answer "
                  "counts").format(code=code), file=file, line=int(line), field="share",
                fix=_("write the share (0-100) in the share column and leave option and "
                      "count blank, or give the rule options")))


def _basis(rules: RuleSet, ds: Dataset, used: pd.DataFrame, file: str,
           out: list[Problem]) -> None:
    """Warn when some ranked units of a group have appraised points on a leaf and others
    do not: they are then ranked on different bases (and maxima)."""
    if "appraised_points" not in used or not len(used):
        return
    ranked = ds.ranked_agencies()
    appraised = used[used["appraised_points"].notna()
                     & (_attribute(used, rules, "scores", "kind") == "manual")]
    for group in rules.groups:
        members = ranked.index[ranked["group"] == group.id]
        if len(members) < 2:
            continue
        mine = appraised[appraised["agency_id"].isin(members)]
        for code, part in mine.groupby("leaf", sort=True):
            have = set(part["agency_id"])
            if len(have) >= len(members):
                continue
            missing = [a for a in members if a not in have]
            sample = ", ".join(missing[:3]) + (" …" if len(missing) > 3 else "")
            out.append(Problem(
                _("leaf {code}: {n} of {total} ranked units of group {group} have appraised "
                  "points and {m} do not ({sample}); they are ranked on different bases "
                  "(appraised points, self-assessed points, or no points and a smaller "
                  "maximum)").format(code=code, n=len(have), total=len(members),
                                     group=group_label(group.id, group.name), m=len(missing),
                                     sample=sample),
                file=file, line=int(part["row"].iloc[0]), field="appraised_points",
                fix=_("appraise every unit of the group on this leaf before ranking, or none "
                      "yet"), severity="warning"))


def _groups(rules: RuleSet, ds: Dataset, file: str) -> Iterator[Problem]:
    groups = [g.id for g in rules.groups]
    ranked = ds.ranked_agencies()
    for group, members in ranked.groupby("group", sort=False):
        if group not in groups:
            sample = ", ".join(list(members.index[:3]))
            yield Problem(
                _("group {group} of {n} ranked agencies ({sample}) is not a group of rule set "
                  "{rules}: they would be left out of the ranking").format(
                      group=repr(group), n=len(members), sample=sample, rules=rules.id),
                file=file, field="group",
                fix=_("use one of {groups}, or add the group to the rule set").format(
                    groups=", ".join(groups)))


def cross_check(rules: RuleSet, ds: Dataset, data_name: str = "") -> list[Problem]:
    """Problems in how a valid rule set and a valid dataset fit together.

    Parameters
    ----------
    rules : RuleSet
        A loaded rule set.
    ds : Dataset
        A loaded dataset.
    data_name : str
        Prefix for file names in the problems (the dataset folder and ``/``).

    Returns
    -------
    list of Problem
        Errors and warnings (see the module's docstring).
    """
    out = list(_groups(rules, ds, f"{data_name}agencies.csv"))
    report = _Report(out)
    for table in ("scores", "surveys"):
        frame = getattr(ds, table)
        if len(frame) == 0 or "leaf" not in frame:
            continue
        file = f"{data_name}{table}.csv"
        used = _check_codes(rules, ds, table, file, report)
        if table == "scores":
            _check_points(rules, used, file, report)
            _basis(rules, ds, used, file, out)
        else:
            _check_options(rules, used, file, report)
    report.close()
    return out


def dataset_notes(ds: Dataset) -> list[str]:
    """What ``cchc check`` says about a dataset beyond its problems: the task statuses the
    review changed or confirmed (statuses in words) and the source findings it records."""
    notes = []
    reviewed = reviewed_tasks(ds)
    changed = reviewed[reviewed["overridden"]]
    if len(changed):
        parts = [_("{task} ({proposed} → {status})").format(
                     task=tid, proposed=task_status_label(row.get("proposed_status") or "?"),
                     status=task_status_label(row["status"]))
                 for tid, row in changed.iterrows()]
        notes.append(ngettext("{n} task status overridden by review.csv: {tasks}",
                              "{n} task statuses overridden by review.csv: {tasks}",
                              len(changed)).format(n=len(changed), tasks=", ".join(parts)))
    confirmed = len(reviewed) - len(changed)
    if confirmed:
        notes.append(ngettext("{n} proposed task status confirmed by review.csv",
                              "{n} proposed task statuses confirmed by review.csv",
                              confirmed).format(n=confirmed))
    if len(ds.findings):
        notes.append(ngettext(
            "findings.csv records {n} data-quality finding about the source (a fact about the "
            "source, not an error in the data)",
            "findings.csv records {n} data-quality findings about the source (facts about the "
            "source, not errors in the data)", len(ds.findings)).format(n=len(ds.findings)))
    return notes


def adjustment_notes(rules: RuleSet, ds: Dataset) -> list[str]:
    """One line per bonus/deduction code used in scores.csv: what the engine does with it."""
    notes = []
    scores = ds.scores
    if not len(scores) or "leaf" not in scores:
        return notes
    for adj in rules.adjustments:
        n = int((scores["leaf"] == adj.code).sum())
        if n:
            what = _("bonus points, added") if adj.kind == "bonus" else _(
                "deduction points, subtracted")
            notes.append(ngettext(
                "scores.csv: {n} row for {code} ({name}): {what} after the leaves, capped at "
                "{cap} points; the total never goes below 0",
                "scores.csv: {n} rows for {code} ({name}): {what} after the leaves, capped at "
                "{cap} points; the total never goes below 0", n).format(
                    n=n, code=adj.code, name=adj.name, what=what, cap=format_number(adj.cap)))
    return notes


def fit_fingerprint(rules: RuleSet) -> tuple:
    """All that :func:`cross_check` reads from ``rules``, as one hashable value.

    Two rule sets with the same fingerprint get the same problems with any dataset, so a
    cache of the check may be keyed on it: an edit of thresholds, band points, weights or
    class cut-offs keeps it, a change of a leaf's kind, max, table or options, of the
    groups or of the adjustments does not.
    """
    return (rules.id, tuple((g.id, g.tree, g.name) for g in rules.groups),
            tuple((tid, tuple(sorted(codes.items())))
                  for tid, codes in sorted(_targets(rules).items())))


def require_fit(rules: RuleSet, ds: Dataset, data_name: str = "") -> list[Problem]:
    """Raise :class:`DataError` on any error :func:`cross_check` finds; return the warnings.

    The gate every scoring command passes: what ``cchc check`` calls an error stops it.
    """
    problems = cross_check(rules, ds, data_name)
    errors = [p for p in problems if p.severity == "error"]
    if errors:
        raise DataError(errors)
    return [p for p in problems if p.severity == "warning"]
