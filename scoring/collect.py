"""Filled score forms and survey workbooks back into the dataset: ``cchc collect``.

Reads every ``.xlsx`` of a folder (as written by :mod:`reports.forms`, then filled and
saved by Excel or LibreOffice) with openpyxl, checks every cell against the layout the
form's hidden sheet records (:mod:`scoring.forms`), and merges the values into the
dataset's ``scores.csv`` and ``surveys.csv``.

All or nothing: every problem of every file is collected first (file, sheet!cell, what is
wrong, how to fix it); if there is any, nothing is written. A form is authoritative for
its unit's input rows (a row left blank in the form removes that unit's row from
``scores.csv``); rows of units and leaves no form covers are kept as they are. The output
is sorted (agencies in file order, leaves in tree order) and numbers are written plainly,
so collecting the same forms twice gives byte-identical files.

Examples
--------
>>> got = collect_folder(Path("forms"), rules, ds)      # doctest: +SKIP
>>> plan = plan_writes(ds.path, rules, ds, got)         # doctest: +SKIP
>>> write_plan(plan)                                    # doctest: +SKIP
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import zipfile
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from scoring.errors import DataError, Problem, UsageError
from scoring.files import replace_folder
from scoring.forms import (
    APPRAISED_COL,
    EVIDENCE_COL,
    FORM_VERSION,
    INPUT_ROLES,
    KIND_SCORE,
    KIND_SURVEY,
    META_SHEET,
    REASON_COL,
    SELF_COL,
    decode_records,
)
from scoring.i18n import _, ngettext
from scoring.importer.core import read_csv_rows, render_csv
from scoring.rules.model import RuleSet
from scoring.text import nfc, vi_number
from scoring.vocabulary import group_label

SCORE_COLUMNS: tuple[str, ...] = ("agency_id", "leaf", "self_points", "appraised_points",
                                  "note", "evidence")
SURVEY_COLUMNS: tuple[str, ...] = ("agency_id", "leaf", "option", "count", "share")
_TOL = 1e-9


# --------------------------------------------------------------------------- values
@dataclass(frozen=True)
class ScoreEntry:
    """One unit × input leaf as filled in a form (None = blank)."""

    agency_id: str
    leaf: str
    self_points: float | None
    appraised_points: float | None
    note: str
    evidence: str

    @property
    def empty(self) -> bool:
        return (self.self_points is None and self.appraised_points is None
                and not self.note and not self.evidence)


@dataclass(frozen=True)
class SurveyEntry:
    """One unit × survey leaf × option (``""`` for a share) with its number."""

    agency_id: str
    leaf: str
    option: str
    value: float


@dataclass(frozen=True)
class FormRead:
    """What one workbook gave: its kind, unit or group, entries, what it covers, problems."""

    file: str
    kind: str = ""
    agency_id: str = ""
    group: str = ""
    scores: tuple[ScoreEntry, ...] = ()
    surveys: tuple[SurveyEntry, ...] = ()
    covered: tuple[tuple[str, str], ...] = ()
    problems: tuple[Problem, ...] = ()


@dataclass(frozen=True)
class Collected:
    """Every form of a folder, read; ``problems`` empty means it can be written."""

    forms: tuple[FormRead, ...]
    problems: tuple[Problem, ...]
    skipped: tuple[str, ...] = ()

    @property
    def scores(self) -> list[ScoreEntry]:
        return [e for f in self.forms if f.kind == KIND_SCORE for e in f.scores]

    @property
    def surveys(self) -> list[SurveyEntry]:
        return [e for f in self.forms if f.kind == KIND_SURVEY for e in f.surveys]


# --------------------------------------------------------------------------- reading
class _Sheet:
    """A sheet's values as a grid (1-based access), read once in read-only mode."""

    def __init__(self, ws: Any):
        self.title = ws.title
        self.rows = [list(r) for r in ws.iter_rows(values_only=True)]

    def get(self, row: int, col: int) -> Any:
        if 1 <= row <= len(self.rows) and 1 <= col <= len(self.rows[row - 1]):
            return self.rows[row - 1][col - 1]
        return None


def _blank(v: Any) -> bool:
    return v is None or (isinstance(v, str) and v.strip() == "")


def _is_number(v: Any) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v)


def _text(v: Any) -> str:
    if _blank(v):
        return ""
    if _is_number(v):
        return number_text(float(v))
    return nfc(str(v)).strip()


def number_text(x: float) -> str:
    """A number as plain CSV text: ``2.0`` → ``'2'``, ``1.25`` → ``'1.25'``.

    Examples
    --------
    >>> number_text(2.0), number_text(1.25), number_text(0.1 + 0.2)
    ('2', '1.25', '0.3')
    """
    if float(x).is_integer():
        return str(int(x))
    return format(float(x), ".12g")


class _Reader:
    """Reads one workbook; collects problems instead of raising."""

    def __init__(self, path: Path, label: str, rules: RuleSet, agencies: dict[str, str]):
        self.path = path
        self.label = label
        self.rules = rules
        self.agencies = agencies  # ranked agency id -> group
        self.problems: list[Problem] = []

    def problem(self, message: str, fix: str, where: str | None = None) -> None:
        self.problems.append(Problem(message, file=self.label, field=where, fix=fix))

    def read(self) -> FormRead:
        try:
            wb = openpyxl.load_workbook(self.path, read_only=True, data_only=True)
        except (zipfile.BadZipFile, OSError, KeyError, ValueError) as err:
            self.problem(_("cannot be read as an .xlsx workbook ({error})").format(
                error=type(err).__name__), _("save it again as .xlsx (Excel workbook) or "
                                             "remove it from the folder"))
            return FormRead(self.label, problems=tuple(self.problems))
        try:
            if META_SHEET not in wb.sheetnames:
                self.problem(_("is not a form written by cchc forms (it has no hidden sheet "
                               "'{sheet}')").format(sheet=META_SHEET),
                             _("collect only the forms cchc forms wrote, or move this file out "
                               "of the folder"))
                return FormRead(self.label, problems=tuple(self.problems))
            try:
                meta, records = self._meta(wb[META_SHEET])
            except ValueError:
                meta, records = {}, []
            if not self._check_meta(meta):
                return FormRead(self.label, problems=tuple(self.problems))
            sheet = meta.get("sheet", "")
            if sheet not in wb.sheetnames:
                self.problem(_("the sheet '{sheet}' is missing (renamed or deleted)").format(
                    sheet=sheet), _("give the sheet its name back, or fill in a fresh form"))
                return FormRead(self.label, problems=tuple(self.problems))
            ws = _Sheet(wb[sheet])
        finally:
            wb.close()
        self._headers(ws, meta, records)
        if meta["kind"] == KIND_SCORE:
            return self._score_form(ws, meta, records)
        return self._survey(ws, meta, records)

    # ------------------------------------------------------------- meta
    @staticmethod
    def _meta(ws: Any) -> tuple[dict[str, str], list[list[Any]]]:
        cells = [row[0] for row in ws.iter_rows(max_col=1, values_only=True) if row]
        meta: dict[str, str] = {}
        records = []
        for rec in decode_records(cells):
            if rec[0] == "meta" and len(rec) >= 3:
                meta[str(rec[1])] = _text(rec[2])
            elif len(rec) >= 3:
                records.append(rec)
        return meta, records

    def _check_meta(self, meta: dict[str, str]) -> bool:
        kind = meta.get("kind")
        if kind not in (KIND_SCORE, KIND_SURVEY):
            self.problem(_("the hidden sheet of the form is damaged (no form kind)"),
                         _("fill in a fresh form from cchc forms"))
            return False
        if meta.get("form_version") != FORM_VERSION:
            self.problem(_("the form has layout version {got}; this cchc reads version "
                           "{want}").format(got=meta.get("form_version") or "?",
                                            want=FORM_VERSION),
                         _("write the forms again with this cchc (cchc forms) and copy the "
                           "points over"))
            return False
        rs = self.rules
        if meta.get("rules_hash") != rs.content_hash:
            self.problem(
                _("the form was made for rule set {id} version {version} (content {hash}), "
                  "not for the rules in use, {cur_id} version {cur_version} (content "
                  "{cur_hash})").format(
                    id=meta.get("rules_id") or "?", version=meta.get("rules_version") or "?",
                    hash=(meta.get("rules_hash") or "?")[:12], cur_id=rs.id,
                    cur_version=rs.version, cur_hash=rs.content_hash[:12]),
                _("collect with --rules of the rule set the forms were made with, or write "
                  "new forms (cchc forms) and copy the points over"))
            return False
        if kind == KIND_SCORE:
            aid = meta.get("agency_id", "")
            if aid not in self.agencies:
                self.problem(_("the form is for unit '{id}', which is not a ranked unit of "
                               "the dataset").format(id=aid),
                             _("collect with --data of the dataset the forms were made for, "
                               "or remove this form"))
                return False
            if self.agencies[aid] != meta.get("group"):
                self.problem(_("the form is for unit '{id}' in group {group}, but the dataset "
                               "has it in group {now}").format(
                                   id=aid, group=meta.get("group"), now=self.agencies[aid]),
                             _("write a new form for it (cchc forms --group {now})").format(
                                 now=self.agencies[aid]))
                return False
        return True

    def _cell(self, sheet: _Sheet, row: int, col: int) -> str:
        return f"{sheet.title}!{get_column_letter(col)}{row}"

    def _headers(self, ws: _Sheet, meta: dict[str, str], records: list[list[Any]]) -> None:
        row = int(float(meta.get("header_row") or 0))
        for rec in records:
            if rec[0] == "header":
                col, want = int(rec[1]), _text(rec[2])
                got = _text(ws.get(row, col))
                if got != want:
                    self._locked(ws, row, col, want, got)

    def _locked(self, ws: _Sheet, row: int, col: int, want: Any, got: Any) -> None:
        self.problem(_("a locked cell was changed: it should be {want} but is {got}").format(
            want=_shown(want), got=_shown(got)),
            _("undo the change (the form protects this cell; it comes from the rules or the "
              "data)"), self._cell(ws, row, col))

    # ------------------------------------------------------------- score form
    def _number(self, ws: _Sheet, row: int, col: int, hi: float, what: str) -> float | None:
        v = ws.get(row, col)
        if _blank(v):
            return None
        if not _is_number(v):
            self.problem(_("'{value}' is text in a number cell ({what})").format(
                value=_text(v), what=what),
                _("type the points as a number from 0 to {max} (e.g. 1,5), or leave the cell "
                  "blank").format(max=vi_number(hi)), self._cell(ws, row, col))
            return None
        x = float(v)
        if x < -_TOL or x > hi + _TOL:
            self.problem(_("{value} is out of range: {what} go from 0 to {max}").format(
                value=vi_number(x), what=what, max=vi_number(hi)),
                _("type a number from 0 to {max}").format(max=vi_number(hi)),
                self._cell(ws, row, col))
            return None
        return x

    def _score_form(self, ws: _Sheet, meta: dict[str, str],
                    records: list[list[Any]]) -> FormRead:
        aid = meta["agency_id"]
        entries: list[ScoreEntry] = []
        covered: list[tuple[str, str]] = []
        for rec in records:
            if rec[0] != "row":
                continue
            row, code, role = int(rec[1]), _text(rec[2]), _text(rec[3])
            hi = float(rec[4]) if _is_number(rec[4]) else 0.0
            if role == "adjustments":  # a heading across the table, no code
                continue
            got_code = _text(ws.get(row, 1))
            if got_code != code:
                self._locked(ws, row, 1, code, got_code)
                continue
            if role in ("area", "criterion", "total", "final", "adjustments"):
                continue
            got_max = ws.get(row, 3)
            if not (_is_number(got_max) and abs(float(got_max) - hi) <= _TOL):
                self._locked(ws, row, 3, hi, got_max)
            if role in ("computed", "survey"):
                want = float(rec[5]) if _is_number(rec[5]) else None
                for col in (SELF_COL, APPRAISED_COL):
                    got = ws.get(row, col)
                    same = (_blank(got) and want is None) or (
                        want is not None and _is_number(got) and abs(float(got) - want) <= 1e-6)
                    if not same:
                        self._locked(ws, row, col, want, got)
                continue
            if role not in INPUT_ROLES:
                continue
            before = len(self.problems)
            own = self._number(ws, row, SELF_COL, hi, _("self-assessed points"))
            judged = self._number(ws, row, APPRAISED_COL, hi, _("appraised points"))
            reason = _text(ws.get(row, REASON_COL))
            evidence = _text(ws.get(row, EVIDENCE_COL))
            valid = len(self.problems) == before  # one message per bad cell, no knock-on
            if valid and judged is not None and not reason and (
                    own is None or abs(judged - own) > _TOL):
                self.problem(
                    _("the appraised points {appraised} differ from the self-assessed points "
                      "{own} of {code}, but no reason is given").format(
                        appraised=vi_number(judged), own=vi_number(own) if own is not None else "—",
                        code=code),
                    _("write the council's reason in this cell"),
                    self._cell(ws, row, REASON_COL))
            covered.append((aid, code))
            entries.append(ScoreEntry(aid, code, own, judged, reason, evidence))
        return FormRead(self.label, KIND_SCORE, aid, meta.get("group", ""),
                        scores=tuple(e for e in entries if not e.empty),
                        covered=tuple(covered), problems=tuple(self.problems))

    # ------------------------------------------------------------- survey workbook
    def _survey(self, ws: _Sheet, meta: dict[str, str], records: list[list[Any]]) -> FormRead:
        group = meta.get("group", "")
        cols = [(int(r[1]), _text(r[2]), _text(r[3])) for r in records if r[0] == "col"]
        leaves = sorted({leaf for _c, leaf, _o in cols})
        entries: list[SurveyEntry] = []
        covered: list[tuple[str, str]] = []
        for rec in records:
            if rec[0] != "unit":
                continue
            row, aid = int(rec[1]), _text(rec[2])
            got = _text(ws.get(row, 2))
            if got != aid:
                self._locked(ws, row, 2, aid, got)
                continue
            if self.agencies.get(aid) != group:
                self.problem(_("unit '{id}' is not a ranked unit of group {group} in the "
                               "dataset").format(id=aid, group=group),
                             _("collect with --data of the dataset the workbook was made for, "
                               "or clear the row"), self._cell(ws, row, 2))
                continue
            covered.extend((aid, leaf) for leaf in leaves)
            for col, leaf, opt in cols:
                v = ws.get(row, col)
                if _blank(v):
                    continue
                where = self._cell(ws, row, col)
                if not _is_number(v):
                    self.problem(_("'{value}' is text in a number cell").format(value=_text(v)),
                                 _("type a number, or leave the cell blank"), where)
                elif opt and (float(v) < 0 or not float(v).is_integer()):
                    self.problem(_("{value} is not a count of answers").format(value=vi_number(v)),
                                 _("type a whole number, 0 or more"), where)
                elif not opt and not 0 <= float(v) <= 100:
                    self.problem(_("{value} is out of range: a share goes from 0 to 100 "
                                   "(percent)").format(value=vi_number(v)),
                                 _("type the share in percent, from 0 to 100"), where)
                else:
                    entries.append(SurveyEntry(aid, leaf, opt, float(v)))
        return FormRead(self.label, KIND_SURVEY, group=group, surveys=tuple(entries),
                        covered=tuple(covered), problems=tuple(self.problems))


def _shown(v: Any) -> str:
    if _blank(v):
        return _("blank")
    if _is_number(v):
        return vi_number(v)
    return f"'{v}'"


def ranked_groups(ds: Any) -> dict[str, str]:
    """Ranked agency id → group id."""
    a = ds.ranked_agencies()
    return {str(k): str(v) for k, v in a["group"].items()}


_WORKER: dict[str, Any] = {}


def _init_worker(rules: RuleSet, agencies: dict[str, str]) -> None:
    _WORKER.update(rules=rules, agencies=agencies)


def _read_in_worker(path: Path) -> FormRead:
    return _Reader(path, path.name, _WORKER["rules"], _WORKER["agencies"]).read()


def collect_folder(folder: Path, rules: RuleSet, ds: Any, *,
                   workers: int | None = None) -> Collected:
    """Read every form of ``folder``; problems of every file, none raised.

    Parameters
    ----------
    folder : Path
        Holds the filled ``.xlsx`` forms (sub-folders and other files are ignored;
        Excel's lock files ``~$*.xlsx`` are skipped).
    rules, ds
        The rule set and dataset the forms are checked against.
    workers : int, optional
        Processes reading forms in parallel (each form is read on its own); default one
        per CPU for large folders, 1 for small ones.

    Raises
    ------
    UsageError
        The folder does not exist or holds no ``.xlsx`` file.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise UsageError(Problem(_("the folder {path} does not exist").format(path=folder),
                                 field="DIR", fix=_("give the folder that holds the filled "
                                                    "forms")))
    files = sorted(p for p in folder.iterdir() if p.suffix.lower() == ".xlsx" and p.is_file())
    skipped = tuple(p.name for p in files if p.name.startswith("~$"))
    files = [p for p in files if not p.name.startswith("~$")]
    if not files:
        raise UsageError(Problem(_("there is no .xlsx file in {path}").format(path=folder),
                                 field="DIR", fix=_("put the filled forms (.xlsx) in the "
                                                    "folder")))
    agencies = ranked_groups(ds)
    jobs = workers if workers is not None else min(os.cpu_count() or 1, len(files) // 40 + 1)
    if jobs > 1:
        with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker,
                                 initargs=(rules, agencies)) as pool:
            forms = tuple(pool.map(_read_in_worker, files, chunksize=16))
    else:
        forms = tuple(_Reader(p, p.name, rules, agencies).read() for p in files)
    problems = [p for f in forms for p in f.problems]
    problems += _duplicates(forms)
    return Collected(forms, tuple(problems), skipped)


def _duplicates(forms: Iterable[FormRead]) -> list[Problem]:
    seen: dict[tuple[str, str], list[str]] = {}
    for f in forms:
        if f.kind == KIND_SCORE and f.agency_id:
            seen.setdefault((KIND_SCORE, f.agency_id), []).append(f.file)
        elif f.kind == KIND_SURVEY and f.group:
            seen.setdefault((KIND_SURVEY, f.group), []).append(f.file)
    out = []
    for (kind, key), files in seen.items():
        if len(files) < 2:
            continue
        what = (_("unit '{id}' has {n} forms: {files}") if kind == KIND_SCORE
                else _("group {id} has {n} survey workbooks: {files}"))
        for name in files:
            out.append(Problem(what.format(id=key if kind == KIND_SCORE else group_label(key),
                                           n=len(files), files=", ".join(files)),
                               file=name, fix=_("keep one (the final one) and move the others "
                                                "out of the folder")))
    return out


# --------------------------------------------------------------------------- merging
@dataclass(frozen=True)
class TableWrite:
    """A CSV the collect writes: where, the new text, what it had, the row changes."""

    path: Path
    text: str
    old_text: str | None
    added: int = 0
    changed: int = 0
    removed: int = 0

    @property
    def differs(self) -> bool:
        return self.text != self.old_text


@dataclass(frozen=True)
class Plan:
    """Everything a collect writes (nothing when ``writes`` is empty)."""

    writes: tuple[TableWrite, ...]
    stats: tuple[tuple[str, int, int, int, int], ...] = field(default=())
    """Per group: (group, forms, leaves filled, self only, appraised)."""
    survey_stats: tuple[tuple[str, int, int], ...] = field(default=())
    """Per survey workbook's group: (group, units with answers, numbers entered)."""


def _orders(rules: RuleSet, ds: Any) -> tuple[dict[str, int], dict[tuple[str, str], int]]:
    agency_pos = {str(a): i for i, a in enumerate(ds.agencies.index)}
    leaf_pos: dict[tuple[str, str], int] = {}
    for g in rules.groups:
        tree = rules.trees[g.tree]
        codes = [leaf.code for _a, _c, leaf in tree.leaves()] + [a.code for a in
                                                                 rules.adjustments]
        for i, code in enumerate(codes):
            leaf_pos[(g.id, code)] = i
    return agency_pos, leaf_pos


def _sorted(rows: list[dict[str, str]], rules: RuleSet, ds: Any,
            extra: tuple[str, ...] = ()) -> list[dict[str, str]]:
    agency_pos, leaf_pos = _orders(rules, ds)
    groups = {str(k): str(v) for k, v in ds.agencies["group"].items()}
    big = 10 ** 9

    def key(item: tuple[int, dict[str, str]]) -> tuple:
        k, r = item
        aid, leaf = r.get("agency_id", ""), r.get("leaf", "")
        return (agency_pos.get(aid, big), leaf_pos.get((groups.get(aid, ""), leaf), big),
                *(r.get(e, "") for e in extra), k)

    return [r for _k, r in sorted(enumerate(rows), key=key)]


def _diff(old: list[dict[str, str]], new: list[dict[str, str]],
          key: tuple[str, ...]) -> tuple[int, int, int]:
    def index(rows: list[dict[str, str]]) -> dict[tuple[str, ...], dict[str, str]]:
        return {tuple(r.get(k, "") for k in key): r for r in rows}

    a, b = index(old), index(new)
    added = sum(1 for k in b if k not in a)
    removed = sum(1 for k in a if k not in b)
    changed = sum(1 for k in b if k in a and a[k] != b[k])
    return added, changed, removed


def _score_rows(got: Collected) -> tuple[set[tuple[str, str]], list[dict[str, str]]]:
    covered = {c for f in got.forms if f.kind == KIND_SCORE for c in f.covered}
    rows = []
    for e in got.scores:
        rows.append({"agency_id": e.agency_id, "leaf": e.leaf,
                     "self_points": "" if e.self_points is None else number_text(e.self_points),
                     "appraised_points": "" if e.appraised_points is None
                     else number_text(e.appraised_points),
                     "note": e.note, "evidence": e.evidence})
    return covered, rows


def _survey_rows(got: Collected) -> tuple[set[tuple[str, str]], list[dict[str, str]]]:
    covered = {c for f in got.forms if f.kind == KIND_SURVEY for c in f.covered}
    rows = []
    for e in got.surveys:
        rows.append({"agency_id": e.agency_id, "leaf": e.leaf, "option": e.option,
                     "count": number_text(e.value) if e.option else "",
                     "share": "" if e.option else number_text(e.value)})
    return covered, rows


def _merge(path: Path, base_cols: tuple[str, ...], covered: set[tuple[str, str]],
           new_rows: list[dict[str, str]], rules: RuleSet, ds: Any,
           key: tuple[str, ...], needed: tuple[str, ...]) -> TableWrite | None:
    columns, old = read_csv_rows(path)
    old_text = path.read_bytes().decode("utf-8") if path.is_file() else None
    if old_text is None and not new_rows:
        return None
    kept = [r for r in old if (r.get("agency_id", ""), r.get("leaf", "")) not in covered]
    rows = _sorted(kept + new_rows, rules, ds, key[2:])
    present = {c for r in rows for c in base_cols if r.get(c, "")}
    cols = [c for c in base_cols if c in needed or c in columns or c in present]
    cols += [c for c in columns if c not in cols]
    def norm(rs: list[dict[str, str]]) -> list[dict[str, str]]:
        return [{c: r.get(c, "") for c in cols} for r in rs]

    added, changed, removed = _diff(norm(old), norm(rows), key)
    text = render_csv(tuple(cols), rows).decode("utf-8")
    return TableWrite(path, text, old_text, added, changed, removed)


def plan_writes(folder: Path, rules: RuleSet, ds: Any, got: Collected) -> Plan:
    """What the collect will write into dataset ``folder`` (nothing is written here).

    Raises
    ------
    DataError
        ``got`` has problems (all of them, one per line), or the dataset keeps its scores
        or surveys as ``.xlsx`` (the collect writes ``.csv``).
    """
    if got.problems:
        raise DataError(list(got.problems))
    folder = Path(folder)
    for stem in ("scores", "surveys"):
        if (folder / f"{stem}.xlsx").exists():
            raise DataError(Problem(
                _("the dataset keeps {stem} as {stem}.xlsx; collect writes {stem}.csv").format(
                    stem=stem), file=str(folder / f"{stem}.xlsx"),
                fix=_("save it as {stem}.csv (UTF-8) in the dataset folder and remove the "
                      ".xlsx, then collect again").format(stem=stem)))
    writes = []
    covered, rows = _score_rows(got)
    if covered or rows:
        w = _merge(folder / "scores.csv", SCORE_COLUMNS, covered, rows, rules, ds,
                   ("agency_id", "leaf"), SCORE_COLUMNS[:5])
        if w is not None:
            writes.append(w)
    covered, rows = _survey_rows(got)
    if covered or rows:
        needed = ("agency_id", "leaf") + (("option", "count") if any(r["option"] for r in rows)
                                          else ()) + (("share",) if any(r["share"] for r in rows)
                                                      else ())
        w = _merge(folder / "surveys.csv", SURVEY_COLUMNS, covered, rows, rules, ds,
                   ("agency_id", "leaf", "option"), needed)
        if w is not None:
            writes.append(w)
    manifest = _manifest_update(folder, [w for w in writes if w.differs])
    if manifest is not None:
        writes.append(manifest)
    return Plan(tuple(writes), _stats(got, rules), _survey_stats(got))


def _manifest_update(folder: Path, writes: list[TableWrite]) -> TableWrite | None:
    """The manifest with new checksums for the files it lists that the collect changes."""
    path = folder / "manifest.json"
    if not writes or not path.is_file():
        return None
    old_text = path.read_text(encoding="utf-8")
    try:
        manifest = json.loads(old_text)
    except json.JSONDecodeError:
        return None
    files = manifest.get("files") if isinstance(manifest, dict) else None
    if not isinstance(files, dict):
        return None
    changed = False
    for w in writes:
        if w.path.name in files:
            files[w.path.name] = hashlib.sha256(w.text.encode("utf-8")).hexdigest()
            changed = True
    if not changed:
        return None
    return TableWrite(path, json.dumps(manifest, ensure_ascii=False, indent=2) + "\n", old_text)


def _stats(got: Collected, rules: RuleSet) -> tuple[tuple[str, int, int, int, int], ...]:
    per: dict[str, list[int]] = {g.id: [0, 0, 0, 0] for g in rules.groups}
    for f in got.forms:
        if f.kind != KIND_SCORE:
            continue
        s = per.setdefault(f.group, [0, 0, 0, 0])
        s[0] += 1
        for e in f.scores:
            if e.self_points is None and e.appraised_points is None:
                continue
            s[1] += 1
            s[2] += e.appraised_points is None
            s[3] += e.appraised_points is not None
    return tuple((g, *v) for g, v in per.items() if v[0])


def _survey_stats(got: Collected) -> tuple[tuple[str, int, int], ...]:
    return tuple((f.group, len({e.agency_id for e in f.surveys}), len(f.surveys))
                 for f in got.forms if f.kind == KIND_SURVEY)


def report_lines(got: Collected, plan: Plan, source: str) -> list[str]:
    """What a collect read and changes, for a person (``cchc collect`` prints these lines,
    the web application shows them): workbooks read from ``source``, per group the forms
    and leaves filled, survey results, skipped lock files, per file the rows changed."""
    n_forms = sum(1 for f in got.forms if f.kind)
    lines = [ngettext("Read {n} workbook from {folder}", "Read {n} workbooks from {folder}",
                      n_forms).format(n=n_forms, folder=source)]
    for group, forms, filled, own, judged in plan.stats:
        lines.append("  " + _("{group}: {forms} forms, {filled} leaves filled ({own} "
                              "self-assessed only, {judged} appraised)").format(
            group=group, forms=forms, filled=filled, own=own, judged=judged))
    for group, units, values in plan.survey_stats:
        lines.append("  " + _("{group}: survey results for {units} units ({values} figures)")
                     .format(group=group, units=units, values=values))
    for name in got.skipped:
        lines.append("  " + _("skipped {name} (a lock file of an open workbook)").format(
            name=name))
    for w in plan.writes:
        if w.path.name == "manifest.json":
            continue
        if not w.differs:
            lines.append(_("{file}: unchanged").format(file=w.path.name))
        else:
            lines.append(_("{file}: {added} rows added, {changed} changed, {removed} removed")
                         .format(file=w.path.name, added=w.added, changed=w.changed,
                                 removed=w.removed))
    return lines


def write_plan(plan: Plan) -> list[Path]:
    """Write the files whose text changes into the dataset folder, all or nothing.

    Uses the shared folder writer (:func:`scoring.files.replace_folder`): the dataset's
    other files are kept, and a failure leaves the folder as it was. Nothing is touched
    when no text changes. Returns the paths written.
    """
    todo = [w for w in plan.writes if w.differs]
    if not todo:
        return []
    replace_folder(todo[0].path.parent, {w.path.name: w.text.encode("utf-8") for w in todo})
    return [w.path for w in todo]
