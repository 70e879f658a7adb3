"""The annual ranking workbook: what the province attaches to its decision.

:func:`write_workbook` turns an engine result (``scoring.engine.ScoreResult``) into an
``.xlsx`` file. It presents, it does not compute: every point, index, rank and class is
the engine's. The only numbers made here are descriptive (group means, class counts);
every formula in the file carries the engine's value (or that descriptive value) as its
stored result, so a spreadsheet that recalculates shows the same numbers.

Sheets, in order:

* one ranking sheet per group (``PL I - Sở, ban, ngành`` ...): appendix title block,
  ranking table, mean row, counts per class, ranked bar chart; to the right, the index
  per area with its chart;
* ``Chi tiết điểm``: the ledger, every agency × leaf, with the rule that fired (continued
  on ``Chi tiết điểm (2)``... past a million rows, a sheet's limit);
* ``Số liệu đầu vào``: dossier counts and derived rates for every agency;
* ``Kiểm tra số liệu``: the data-quality findings;
* ``Bộ tiêu chí``: the rule set as written, each leaf's rule in words;
* ``Nguồn gốc``: rule-set and dataset ids and hashes, engine version, time made.

Safety: text is always written as text (never as a formula, whatever it starts with);
the file is written to a temporary file in the target folder and moved into place, so a
failure leaves no partial file and never replaces an earlier good workbook. With
``SOURCE_DATE_EPOCH`` set, two runs give byte-identical files.

Examples
--------
>>> from pathlib import Path
>>> summary = write_workbook(result, Path("cchc-khanh-hoa-2022.xlsx"))  # doctest: +SKIP
>>> summary.groups[0].top[0]  # doctest: +SKIP
(1, 'Sở Tư pháp', 97.5)
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

import pandas as pd
import xlsxwriter
from xlsxwriter.utility import xl_col_to_name as _col
from xlsxwriter.utility import xl_rowcol_to_cell

from reports import annual as A
from reports.stamp import dataset_stamp, stamp_titles
from reports.xlsx import column_values, write_rows, write_xlsx
from reports.xlsx import is_missing as _is_missing
from reports.xlsx import number as _num
from reports.xlsx import put as _put
from reports.xlsx import text as _text
from scoring import __version__
from scoring import vocabulary as V
from scoring.appraisal import compare_self
from scoring.errors import Problem, UsageError
from scoring.files import atomic_output, check_output
from scoring.i18n import _
from scoring.importer.numbers import NumberFormatError, parse_number
from scoring.number_format import format_number
from scoring.paths import BUNDLED_RULES_ID, BUNDLED_RULES_SHA256
from scoring.previous import PreviousYear, year_over_year
from scoring.vocabulary import data_table_label, field_label

FONT = "Times New Roman"
_TOL = 1e-9
# a sheet holds at most 1,048,576 rows: longer ledgers continue on "Chi tiết điểm (2)", ...
LEDGER_ROWS_PER_SHEET = 1_000_000
# the ledger's published columns (group, criterion, component and the declared max are
# in the rule-set sheet) and which of them are numbers
LEDGER_COLUMNS = ("agency_id", "agency", "area", "leaf", "name", "kind", "inputs", "value",
                  "rule", "points", "max_points", "status")
FINDING_COLUMNS = ("severity", "table", "agency", "column", "published", "expected",
                   "message", "line")
LEDGER_NUMERIC = frozenset({"value", "points", "max_points"})
LEDGER_MODES = ("auto", "sheet", "csv", "none")
# "auto": the ledger goes in the workbook up to this many rows (a province: ~60,000), as a
# CSV beside it above (a national dataset: 1.2 million rows would take minutes)
LEDGER_AUTO_MAX_ROWS = 300_000
LEDGER_CHUNK = 100_000  # ledger rows prepared at a time (bounds the memory of the cells)
# up to this many ledger rows (a province: ~60,000) the workbook is built in memory, text in
# one shared-string table: some 30 % less CPU than streaming rows to disk, for ~200 MB at
# most; above (national data) rows are streamed (xlsxwriter's constant_memory), text inline
IN_MEMORY_MAX_LEDGER_ROWS = 100_000
# fills for classes, best first (green → red); the unclassified get grey
_CLASS_FILLS = ("#C6EFCE", "#DDEBF7", "#FFF2CC", "#FCE4D6", "#FFC7CE", "#E4DFEC")
_UNCLASSIFIED_FILL = "#EDEDED"


class ScoreResultLike(Protocol):
    """What the writer reads: the engine's ``ScoreResult`` (see docs/ARCHITECTURE.md)."""

    rules: Any
    dataset: Any
    indicators: pd.DataFrame
    ledger: pd.DataFrame
    areas: pd.DataFrame
    totals: pd.DataFrame


@dataclass(frozen=True)
class GroupSummary:
    """Headline of one group: agencies ranked, the top three, counts per class."""

    group_id: str
    name: str
    sheet: str
    count: int
    top: tuple[tuple[int, str, float], ...]
    classes: tuple[tuple[str, int], ...]


@dataclass(frozen=True)
class WorkbookSummary:
    """What :func:`write_workbook` wrote."""

    path: Path
    sheets: tuple[str, ...]
    groups: tuple[GroupSummary, ...]


# --------------------------------------------------------------------------- helpers
def creation_time() -> datetime:
    """When the workbook is made: ``SOURCE_DATE_EPOCH`` if set, else now (UTC, whole seconds).

    Examples
    --------
    >>> import os
    >>> os.environ["SOURCE_DATE_EPOCH"] = "1672531200"
    >>> creation_time().isoformat()
    '2023-01-01T00:00:00'
    >>> del os.environ["SOURCE_DATE_EPOCH"]
    """
    raw = os.environ.get("SOURCE_DATE_EPOCH")
    if raw is not None and raw.strip() != "":
        try:
            stamp = int(raw.strip())
        except ValueError:
            raise UsageError(Problem(f"SOURCE_DATE_EPOCH is {raw!r}, not a whole number of "
                                     "seconds", field="SOURCE_DATE_EPOCH",
                                     fix="set it to seconds since 1970-01-01 UTC, e.g. "
                                         "1672531200, or unset it")) from None
        return datetime.fromtimestamp(stamp, UTC).replace(tzinfo=None)
    return datetime.now(UTC).replace(tzinfo=None, microsecond=0)


def default_filename(result: ScoreResultLike) -> str:
    """Default workbook name: ``cchc-<dataset>.xlsx``, plus the rule-set id when it differs.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> default_filename(NS(dataset=NS(name="khanh-hoa-2022"), rules=NS(id="khanh-hoa-2022")))
    'cchc-khanh-hoa-2022.xlsx'
    >>> default_filename(NS(dataset=NS(name="khanh-hoa-2022"), rules=NS(id="online-3pt")))
    'cchc-khanh-hoa-2022-online-3pt.xlsx'
    """
    data = result.dataset.name or "dataset"
    rules = result.rules.id
    stem = f"cchc-{data}" if rules in ("", data) else f"cchc-{data}-{rules}"
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in stem) + ".xlsx"


def _class_text(v: Any) -> str:
    return _text(v) or V.no_class_label()


def _mean(values: Sequence[float | None]) -> float | None:
    xs = [x for x in values if x is not None]
    return math.fsum(xs) / len(xs) if xs else None


def _q(label: str) -> str:
    """A string literal for a formula."""
    return '"' + label.replace('"', '""') + '"'


def _sheet_name(text: str, taken: set[str]) -> str:
    bad = set('[]:*?/\\')
    name = "".join("-" if ch in bad else ch for ch in text).strip("' ")[:31] or "Sheet"
    base, n = name, 2
    while name.lower() in {t.lower() for t in taken}:
        suffix = f" ({n})"
        name = base[: 31 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


def _width(texts: Iterable[Any], lo: float, hi: float) -> float:
    longest = 0
    for t in texts:
        for line in _text(t).split("\n"):
            longest = max(longest, len(line))
    return max(lo, min(hi, longest * 1.1 + 2))


# --------------------------------------------------------------------------- summary
def summarise(result: ScoreResultLike) -> tuple[GroupSummary, ...]:
    """Top three and class counts per group, read from the engine's totals.

    Groups are in the rule set's order; a group without ranked agencies is left out.
    """
    out = []
    totals = result.totals
    taken: set[str] = set()
    for i, group in enumerate(_groups_with_agencies(result), start=1):
        rows = totals[totals["group"] == group.id]
        ranked = rows[rows["rank"].notna()]
        top = tuple((int(r["rank"]), _text(r["agency"]), float(r["index"]))
                    for r in ranked.head(3).to_dict("records"))
        counts = rows["class"].map(_class_text).value_counts()
        order = [c.label for c in group.classes] + [group.unclassified]
        order += [c for c in counts.index if c not in order]
        classes = tuple((c, int(counts.get(c, 0))) for c in order
                        if c in counts.index or c != group.unclassified)
        out.append(GroupSummary(group.id, V.group_label(group.id, group.name),
                                _group_sheet_name(i, group, taken), len(rows), top, classes))
    return tuple(out)


def _groups_with_agencies(result: ScoreResultLike) -> list[Any]:
    present = set(result.totals["group"])
    return [g for g in result.rules.groups if g.id in present]


def _group_sheet_name(i: int, group: Any, taken: set[str]) -> str:
    return _sheet_name(_("Appendix {n} - {group}").format(
        n=V.roman(i), group=V.group_label(group.id, group.name, tab=True)), taken)


# --------------------------------------------------------------------------- writing
def ledger_csv_path(path: str | Path) -> Path:
    """Where ``--ledger csv`` puts the ledger: ``<workbook>-chi-tiet-diem.csv`` beside it.

    Examples
    --------
    >>> ledger_csv_path("out/cchc-khanh-hoa-2022.xlsx").name
    'cchc-khanh-hoa-2022-chi-tiet-diem.csv'
    """
    path = Path(os.path.abspath(path))
    return path.with_name(f"{path.stem}-chi-tiet-diem.csv")


def index_digits(rules: Any) -> int:
    """Decimals the index is shown with: the rule set's ``ranking.precision`` (the digits
    ranks and classes compare), 2 when the rule set does not say, 6 for exact comparison.

    Examples
    --------
    >>> from types import SimpleNamespace as NS
    >>> index_digits(NS(ranking=NS(precision=4))), index_digits(NS(ranking=NS()))
    (4, 2)
    """
    precision = getattr(getattr(rules, "ranking", None), "precision", 2)
    return 6 if precision is None else max(0, int(precision))


def rules_fingerprint(rules: Any) -> str:
    """sha256 of what a rule set says (its model, without comments, layout, file paths or
    its own tests): two copies of a rule set in different folders or with different
    comments have the same fingerprint; any change to a point, band, class or name does
    not."""
    dump = rules.model_dump(mode="json", exclude={"content_hash", "notes", "tests"})
    text = json.dumps(dump, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def changes(result: ScoreResultLike) -> tuple[str, ...]:
    """Why ``result`` is not an official ranking (empty when it is).

    The rule set is changed when it is not the bundled one as shipped (its
    :func:`rules_fingerprint` differs from :data:`scoring.paths.BUNDLED_RULES_SHA256`) —
    unless it is a rule set of its own that follows a decision (``source.kind: decision``,
    not a variant). The
    dataset is edited when a file its manifest lists no longer has the recorded sha256.
    A workbook with changes is titled as a trial, never under the official title.
    """
    out = []
    rs = result.rules
    own_decision = (getattr(rs.source, "kind", "") == "decision" and not rs.extends
                    and rs.id != BUNDLED_RULES_ID)
    if rules_fingerprint(rs) != BUNDLED_RULES_SHA256 and not own_decision:
        out.append(_("rule set {id} differs from the bundled rule set {bundled}").format(
            id=rs.id, bundled=BUNDLED_RULES_ID) if rs.id == BUNDLED_RULES_ID else
            _("rule set {id} is a variant or a simulation, not a decision").format(id=rs.id))
    edited = getattr(result.dataset, "edited", ())
    if edited:
        out.append(_("dataset files changed since import: {files}").format(
            files=", ".join(edited)))
    return tuple(out)


def ledger_mode(requested: str, rows: int) -> str:
    """The ledger mode in force: ``auto`` becomes ``sheet`` or ``csv`` by size.

    Examples
    --------
    >>> ledger_mode("auto", 60_000), ledger_mode("auto", 1_200_000), ledger_mode("sheet", 1)
    ('sheet', 'csv', 'sheet')
    """
    if requested == "auto":
        return "sheet" if rows <= LEDGER_AUTO_MAX_ROWS else "csv"
    return requested


def write_workbook(result: ScoreResultLike, path: Path, *, inputs: Iterable[Path] = (),
                   created: datetime | None = None, force: bool = False,
                   ledger: str = "auto",
                   progress: Callable[[int], None] | None = None,
                   previous: PreviousYear | None = None) -> WorkbookSummary:
    """Write the ranking workbook for ``result`` to ``path``, atomically.

    Parameters
    ----------
    result : ScoreResult
        The engine's result; only read.
    path : Path
        Target ``.xlsx`` file; its folder must exist.
    inputs : iterable of Path
        Rule and dataset paths the workbook must never overwrite or be written into.
    created : datetime, optional
        Time stamp of the file (default :func:`creation_time`, which honours
        ``SOURCE_DATE_EPOCH``).
    force : bool
        Replace an existing file at ``path`` (otherwise refused).
    ledger : {"auto", "sheet", "csv", "none"}
        Where the ledger (every unit × leaf) goes: sheets of the workbook, a UTF-8 CSV
        beside it (:func:`ledger_csv_path`; much faster at national size), or nowhere;
        ``auto`` (default) is ``sheet`` up to :data:`LEDGER_AUTO_MAX_ROWS` rows and
        ``csv`` above (see :func:`ledger_mode`). The workbook says which.
    progress : callable, optional
        Called with the number of ledger rows written so far, now and then.
    previous : PreviousYear, optional
        Last year's ranks (:func:`scoring.previous.read_previous`): the group sheets
        gain the columns "Xếp hạng năm trước" and "Tăng/giảm".

    Returns
    -------
    WorkbookSummary
        Where it wrote, the sheets, and the headline of each group.

    Raises
    ------
    UsageError
        Bad target (see :func:`scoring.files.check_output`) or the file cannot be
        written; the target is then untouched.

    Examples
    --------
    >>> s = write_workbook(result, Path("out/cchc.xlsx"))  # doctest: +SKIP
    >>> s.sheets[-1]  # doctest: +SKIP
    'Nguồn gốc'
    """
    if ledger not in LEDGER_MODES:
        raise UsageError(Problem(_("unknown ledger mode {mode!r}").format(mode=ledger),
                                 field="--ledger", fix=_("use one of: {modes}").format(
                                     modes=", ".join(LEDGER_MODES))))
    ledger = ledger_mode(ledger, len(result.ledger))
    stamp = created or creation_time()
    csv_path = None
    if ledger == "csv":
        check_output(path, inputs=inputs, force=force)  # both targets before either is written
        csv_path = check_output(ledger_csv_path(path), inputs=inputs, suffix=".csv",
                                force=force)
    builder = _Builder(result, stamp, previous, ledger=ledger, ledger_csv=csv_path,
                       progress=progress)
    if csv_path is not None:
        with atomic_output(csv_path) as tmp:
            builder.write_ledger_csv(tmp)
    sheets = write_xlsx(path, builder.build, inputs=inputs, force=force,
                        constant_memory=len(result.ledger) > IN_MEMORY_MAX_LEDGER_ROWS,
                        default_format_properties={"font_name": FONT, "font_size": 11})
    return WorkbookSummary(Path(os.path.abspath(path)), sheets, summarise(result))


class _Builder:
    """Builds one workbook; one instance per file."""

    def __init__(self, result: ScoreResultLike, created: datetime,
                 previous: PreviousYear | None = None, *, ledger: str = "sheet",
                 ledger_csv: Path | None = None,
                 progress: Callable[[int], None] | None = None):
        self.ledger_mode = ledger
        self.ledger_csv = ledger_csv
        self.progress = progress
        self.progress_offset = 0  # ledger rows written on earlier sheets
        self.r = result
        self.view = compare_self(result)
        self.yoy = None if previous is None else year_over_year(result.totals, previous)
        self.rules = result.rules
        self.ds = result.dataset
        self.created = created
        manifest = getattr(self.ds, "manifest", {}) or {}
        self.manifest = manifest
        self.province = _text(manifest.get("province"))
        self.year = _text(manifest.get("year"))
        self.period = A.period_text(manifest)
        self.names = self._agency_names()
        self.group_names = {g.id: V.group_label(g.id, g.name) for g in self.rules.groups}
        self.changes = changes(result)
        source = self.rules.source  # what the rule set rests on, in words
        self.basis = source.decision if source.kind == "decision" else _(
            "Simulated: {assumptions}").format(assumptions=source.assumptions)

    # ----------------------------------------------------------------- setup
    def _agency_names(self) -> dict[str, str]:
        names: dict[str, str] = {}
        agencies = getattr(self.ds, "agencies", None)
        if agencies is not None and "name" in agencies:
            names.update({str(k): _text(v) for k, v in agencies["name"].items()})
        totals = self.r.totals
        if "agency" in totals:
            names.update({str(k): _text(v) for k, v in totals["agency"].items()})
        return names

    def _formats(self, wb: xlsxwriter.Workbook) -> None:
        base = {"font_name": FONT, "font_size": 11, "valign": "vcenter"}

        def f(**kw: Any) -> Any:
            return wb.add_format({**base, **kw})

        cell = {"border": 1}
        self.f_title = f(bold=True, font_size=13, align="center", text_wrap=True)
        self.f_appendix = f(bold=True, font_size=13, align="center")
        self.f_italic = f(italic=True, align="center", text_wrap=True)
        self.f_note = f(italic=True, font_size=10)
        self.f_note_wrap = f(italic=True, font_size=10, text_wrap=True, valign="top")
        self.f_cell = f(**cell)  # text without wrapping: long tables keep one line a row
        self.f_bold = f(bold=True)
        self.f_section = f(bold=True, font_size=12)
        self.f_head = f(bold=True, align="center", text_wrap=True, bg_color="#F2F2F2", **cell)
        self.f_head_top = f(bold=True, align="center", text_wrap=True, bg_color="#F2F2F2",
                            top=1, left=1, right=1)
        self.f_head_bottom = f(bold=True, align="center", text_wrap=True, bg_color="#F2F2F2",
                               bottom=1, left=1, right=1)
        self.f_text = f(text_wrap=True, **cell)
        self.f_text_c = f(align="center", text_wrap=True, **cell)
        self.f_int = f(num_format="#,##0", align="center", **cell)
        self.f_count = f(num_format="#,##0", **cell)
        self.f_pts = f(num_format="#,##0.00", **cell)
        # the index with the digits ranks compare (ranking.precision): a reader can tell
        # apart two units of different rank
        index_format = "0." + "0" * index_digits(self.rules) if index_digits(self.rules) \
            else "0"
        self.f_idx = f(num_format=index_format, bold=True, **cell)
        self.f_rate = f(num_format="0.00", **cell)
        self.f_num = f(num_format="#,##0.######", **cell)
        self.f_mean_text = f(bold=True, italic=True, align="center", **cell)
        self.f_mean_pts = f(bold=True, italic=True, num_format="#,##0.00", **cell)
        self.f_mean_idx = f(bold=True, italic=True, num_format=index_format, **cell)
        self.f_mean_blank = f(**cell)
        self.f_area = f(bold=True, text_wrap=True, bg_color="#F2F2F2", **cell)
        self.f_area_pts = f(bold=True, num_format="#,##0.##", align="center",
                            bg_color="#F2F2F2", **cell)
        self.f_crit = f(bold=True, italic=True, text_wrap=True, **cell)
        self.f_crit_pts = f(bold=True, italic=True, num_format="#,##0.##", align="center",
                            **cell)
        self.f_leaf_pts = f(num_format="#,##0.##", align="center", **cell)
        self.f_key = f(bold=True, text_wrap=True, **cell)
        self.f_class = [wb.add_format({"bg_color": c, "bold": True}) for c in _CLASS_FILLS]
        self.f_unclassified = wb.add_format({"bg_color": _UNCLASSIFIED_FILL})

    # ----------------------------------------------------------------- primitives
    def put(self, ws: Any, row: int, col: int, value: Any, fmt: Any = None) -> None:
        """Write one value with its type: numbers as numbers, text always as text."""
        _put(ws, row, col, value, fmt)

    def merge(self, ws: Any, r1: int, c1: int, r2: int, c2: int, value: Any, fmt: Any) -> None:
        """Merge a range (or write one cell) and put ``value`` in it as typed data."""
        if (r1, c1) != (r2, c2):
            ws.merge_range(r1, c1, r2, c2, "", fmt)
        self.put(ws, r1, c1, value, fmt)

    def formula(self, ws: Any, row: int, col: int, text: str, value: float | None,
                fmt: Any) -> None:
        """A formula stored with the engine's (or descriptive) value as its result."""
        if value is None:
            ws.write_blank(row, col, None, fmt)
        else:
            ws.write_formula(row, col, text, fmt, value)

    def note(self, ws: Any, row: int, last_col: int, text: str, width: float) -> None:
        """A wrapped note over columns ``0..last_col`` (``width`` characters), tall enough."""
        self.merge(ws, row, 0, row, last_col, text, self.f_note_wrap)
        lines = sum(max(1, math.ceil(len(part) * 1.05 / max(width, 1)))
                    for part in text.split("\n"))
        ws.set_row(row, 14 * lines + 2)

    def print_setup(self, ws: Any, repeat: tuple[int, int] | None, header: str) -> None:
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.5, right=0.4, top=0.6, bottom=0.6)
        ws.center_horizontally()
        ws.fit_to_pages(1, 0)
        if repeat is not None:
            ws.repeat_rows(*repeat)
        ws.set_header(f'&R&"{FONT},Italic"&9{header.replace("&", "&&")}')
        ws.set_footer(f'&C&"{FONT},Regular"&9' + _("Page &P/&N"))

    # ----------------------------------------------------------------- build
    def build(self, wb: xlsxwriter.Workbook) -> tuple[str, ...]:
        """Fill ``wb`` (opened by :func:`reports.xlsx.write_xlsx`); return the sheet names."""
        self._formats(wb)
        prov = self._provenance_items()
        wb.set_properties({
            "title": self._main_title(), "subject": _("PAR Index"),
            "author": "cchc", "company": self.province,
            "comments": "; ".join(f"{k}: {v}" for k, v in prov[:6]),
            "created": self.created,
        })
        taken: set[str] = set()
        for i, group in enumerate(_groups_with_agencies(self.r), start=1):
            self._group_sheet(wb, i, group, _group_sheet_name(i, group, taken))
        self._appraisal_sheet(wb, _sheet_name(V.sheet_label("appraisal"), taken))
        ledger = self.r.ledger
        per = LEDGER_ROWS_PER_SHEET
        starts = range(0, max(len(ledger), 1), per) if self.ledger_mode == "sheet" else [0]
        for k, start in enumerate(starts):
            ledger_sheet = V.sheet_label("ledger")
            title = ledger_sheet if k == 0 else f"{ledger_sheet} ({k + 1})"
            if self.ledger_mode == "sheet":
                self._ledger_sheet(wb, _sheet_name(title, taken),
                                   ledger.iloc[start:start + per])
            else:
                self._ledger_note_sheet(wb, _sheet_name(title, taken))
        self._inputs_sheet(wb, _sheet_name(V.sheet_label("inputs"), taken))
        self._findings_sheet(wb, _sheet_name(V.sheet_label("findings"), taken))
        self._rules_sheet(wb, _sheet_name(V.sheet_label("rules"), taken))
        self._provenance_sheet(wb, _sheet_name(V.sheet_label("provenance"), taken), prov)
        names = tuple(ws.get_name() for ws in wb.worksheets())
        return names

    def _main_title(self) -> str:
        title = _("PAR Index results, year {year} {province}").format(
            year=self.year, province=self.province).strip()
        if self.changes:
            title = _("Trial result, not the official one: {title}").format(title=title)
        return dataset_stamp(self.ds) + title

    # ----------------------------------------------------------------- group sheet
    def _group_sheet(self, wb: Any, number: int, group: Any, name: str) -> None:
        ws = wb.add_worksheet(name)
        tree = self.rules.tree_of(group.id)
        areas = list(tree.areas)
        totals = self.r.totals[self.r.totals["group"] == group.id]
        ids = [str(a) for a in totals.index]
        n = len(ids)
        ar = self.r.areas
        ar = ar[ar["group"] == group.id]
        pts, idx = ({(str(a), str(c)): _num(v) for a, c, v in zip(
            ar["agency_id"], ar["area"], ar[col], strict=True)} for col in ("points", "index"))
        # an area where nothing counted for the unit (not applicable, or not yet
        # appraised) is left blank, not shown as 0 points, and the mean skips it
        counted = {(str(a), str(c)) for a, c, m in zip(ar["agency_id"], ar["area"],
                                                      ar["max_points"], strict=True)
                   if (_num(m) or 0.0) > 0}
        has_adj = bool(getattr(self.rules, "adjustments", ())) and {
            "bonus", "deduction"} <= set(totals.columns)

        # columns of the ranking table
        c_stt, c_name = 0, 1
        # communes share names across districts: show the unit above when the data has it
        parents = {aid: self.names.get(_text(self.ds.agencies["parent_id"].get(aid)), "")
                   if "parent_id" in self.ds.agencies else "" for aid in ids}
        c_parent = 2 if any(parents.values()) else None
        c_area0 = 3 if c_parent is not None else 2
        c_cnt = c_name + 1
        col = c_area0 + len(areas)
        c_bonus = c_ded = None
        if has_adj:
            c_bonus, c_ded = col, col + 1
            col += 2
        decision = ("self_points", "appraised_points", "survey_points")
        c_decision = dict(zip(decision, range(col, col + 3), strict=True))
        col += 3
        c_total, c_max, c_index, c_rank, c_class = col, col + 1, col + 2, col + 3, col + 4
        last = c_class
        c_year = {}
        if self.yoy is not None:
            c_year = {"previous_rank": last + 1, "change": last + 2}
            last += 2
        # side block: index per area (same rows), and the group mean for the chart
        s_area0 = last + 2
        s_mean = s_area0 + len(areas)

        # row heights first: a streamed sheet writes a row out once a later one is written
        h1, h2 = 5, 6
        ws.set_row(1, 36)
        ws.set_row(3, 30)
        ws.set_row(h1, 30)
        longest = max([len(f"{a.code}. {a.name}") for a in areas] + [10])
        ws.set_row(h2, min(15 * (math.ceil(longest / 11) + 1) + 4, 150))

        # title block
        label = V.group_label(group.id, group.name)
        fmts = (self.f_appendix, self.f_title, self.f_italic, self.f_italic)
        titles = list(A.title_block(group, number, self.year, self.province, self.rules,
                                    self.period))
        if self.changes:  # never under the official title
            titles[1] = _("TRIAL RESULT (NOT OFFICIAL): {heading}").format(heading=titles[1])
            titles[2] = "(" + "; ".join(self.changes) + ")"
        titles = list(stamp_titles(tuple(titles), self.ds))
        for r, (text, fmt) in enumerate(zip(titles, fmts, strict=True)):
            self.merge(ws, r, 0, r, last, text, fmt)

        first = h2 + 1
        last_row = first + n - 1
        mean_row = last_row + 1

        # two heading rows, written row by row; a column heading that spans both rows is
        # drawn as one box (open bottom above, open top below) instead of a merged cell
        heads = [(c_stt, _("No.")), (c_name, V.column_label("unit")),
                 (c_parent, V.column_label("under"))]
        heads = [(c, t) for c, t in heads if c is not None]
        if has_adj:
            heads += [(c_bonus, _("Bonus points")), (c_ded, _("Deducted points"))]
        words = A.headings()
        heads += [(c, words[k]) for k, c in c_decision.items()]
        heads += [(c, words[k]) for k, c in c_year.items()]
        heads += [(c_total, _("Total points earned")), (c_max, _("Maximum points")),
                  (c_index, V.column_label("par_index")), (c_rank, V.column_label("rank")),
                  (c_class, _("Class")),
                  (s_mean, _("Group mean PAR Index (%)"))]
        for c, _label in heads:
            ws.write_blank(h1, c, None, self.f_head_top)
        if areas:
            self.merge(ws, h1, c_area0, h1, c_area0 + len(areas) - 1,
                       _("Points earned by area"), self.f_head)
            self.merge(ws, h1, s_area0, h1, s_area0 + len(areas) - 1,
                       _("Component index by area (%)"), self.f_head)
        for c, text in heads:
            self.put(ws, h2, c, text, self.f_head_bottom)
        for j, a in enumerate(areas):
            self.put(ws, h2, c_area0 + j,
                     _("{code}. {name}\n(max {points})").format(
                         code=a.code, name=a.name, points=format_number(a.total_max)),
                     self.f_head)
            self.put(ws, h2, s_area0 + j, f"{a.code}. {a.name}", self.f_head)

        # decide which columns can be formulas that reproduce the engine exactly
        area_cols = [_col(c_area0 + j) for j in range(len(areas))]
        rows_pts: list[list[float | None]] = []
        total_ok = True
        index_ok = True
        records = totals.to_dict("records")
        for aid, t in zip(ids, records, strict=True):
            row_pts = [pts.get((aid, a.code)) if (aid, a.code) in counted else None
                       for a in areas]
            rows_pts.append(row_pts)
            s = math.fsum(p for p in row_pts if p is not None)
            if has_adj:
                s = max(0.0, s + (_num(t["bonus"]) or 0.0) - (_num(t["deduction"]) or 0.0))
            p, m, x = _num(t["points"]), _num(t["max_points"]), _num(t["index"])
            if p is None or abs(s - p) > _TOL * max(1.0, abs(p)):
                total_ok = False
            if m is not None and m > 0 and (p is None or x is None or abs(
                    min(100.0, max(0.0, p / m * 100)) - x) > _TOL * max(1.0, abs(x))):
                index_ok = False
        first_area = area_cols[0] if area_cols else None
        last_area = area_cols[-1] if area_cols else None

        mean_cell = xl_rowcol_to_cell(mean_row, c_index, row_abs=True, col_abs=True)
        index_values = [_num(v) for v in totals["index"]]
        mean_index = _mean(index_values)
        for i, (aid, t) in enumerate(zip(ids, records, strict=True)):
            r = first + i
            x = r + 1  # 1-based row in formulas
            self.put(ws, r, c_stt, i + 1, self.f_int)
            self.put(ws, r, c_name, _text(t.get("agency", self.names.get(aid, aid))),
                     self.f_text)
            if c_parent is not None:
                self.put(ws, r, c_parent, parents[aid], self.f_text)
            for j, p in enumerate(rows_pts[i]):
                self.put(ws, r, c_area0 + j, p, self.f_pts)
            if has_adj:
                self.put(ws, r, c_bonus, _num(t["bonus"]), self.f_pts)
                self.put(ws, r, c_ded, _num(t["deduction"]), self.f_pts)
            p = _num(t["points"])
            if total_ok and first_area:
                expr = f"SUM({first_area}{x}:{last_area}{x})"
                if has_adj:
                    b = xl_rowcol_to_cell(r, c_bonus)
                    d = xl_rowcol_to_cell(r, c_ded)
                    expr = f"MAX(0,{expr}+{b}-{d})"
                self.formula(ws, r, c_total, f"={expr}", p, self.f_pts)
            else:
                self.put(ws, r, c_total, p, self.f_pts)
            self.put(ws, r, c_max, _num(t["max_points"]), self.f_pts)
            xv = _num(t["index"])
            m = _num(t["max_points"])
            if index_ok and m is not None and m > 0 and xv is not None:
                tc, mc = xl_rowcol_to_cell(r, c_total), xl_rowcol_to_cell(r, c_max)
                self.formula(ws, r, c_index, f"=MIN(100,MAX(0,{tc}/{mc}*100))", xv,
                             self.f_idx)
            else:
                self.put(ws, r, c_index, xv, self.f_idx)
            self.put(ws, r, c_rank, _num(t["rank"]), self.f_int)
            self.put(ws, r, c_class, _class_text(t["class"]), self.f_text_c)
            self._decision_cells(ws, r, aid, c_decision, c_year, not _is_missing(t["rank"]))
            for j, a in enumerate(areas):
                self.put(ws, r, s_area0 + j, idx.get((aid, a.code)), self.f_rate)
            self.formula(ws, r, s_mean, f"={mean_cell}", mean_index, self.f_rate)

        # mean row
        self.merge(ws, mean_row, c_stt, mean_row, c_area0 - 1, _("Mean"), self.f_mean_text)
        mean_cols: list[tuple[int, list[float | None], Any]] = [
            (c_area0 + j, [rp[j] for rp in rows_pts], self.f_mean_pts)
            for j in range(len(areas))]
        if has_adj:
            mean_cols += [(c_bonus, [_num(v) for v in totals["bonus"]], self.f_mean_pts),
                          (c_ded, [_num(v) for v in totals["deduction"]], self.f_mean_pts)]
        mean_cols += [(c, [_num(v) for v in self.view.totals.loc[ids, k]], self.f_mean_pts)
                      for k, c in c_decision.items()]
        mean_cols += [(c_total, [_num(v) for v in totals["points"]], self.f_mean_pts),
                      (c_max, [_num(v) for v in totals["max_points"]], self.f_mean_pts),
                      (c_index, index_values, self.f_mean_idx)]
        mean_cols += [(s_area0 + j, [idx.get((aid, a.code)) for aid in ids], self.f_mean_idx)
                      for j, a in enumerate(areas)]
        for c, values, fmt in mean_cols:
            rng = f"{xl_rowcol_to_cell(first, c)}:{xl_rowcol_to_cell(last_row, c)}"
            self.formula(ws, mean_row, c, f"=AVERAGE({rng})", _mean(values) if n else None, fmt)
        for c in (c_rank, c_class, s_mean, *c_year.values()):
            ws.write_blank(mean_row, c, None, self.f_mean_blank)

        # class counts
        labels_seen = [_class_text(v) for v in totals["class"]]
        classes = A.class_labels(group, labels_seen, V.no_class_label())
        if any((aid, a.code) not in counted for aid in ids for a in areas):
            self.put(ws, mean_row + 1, 0, _(
                "A blank area cell: no criterion of that area counts for the unit (not "
                "applicable, or no appraised points yet); the unit's maximum leaves that "
                "area out."), self.f_note)
        self._decision_note(ws, mean_row + 2, ids)
        t0 = mean_row + 3
        self.put(ws, t0, 0, _("Units by class"), self.f_section)
        hc = t0 + 1
        for c, text in ((c_stt, _("No.")), (c_name, _("Class (PAR Index threshold)")),
                        (c_cnt, _("Units")), (c_cnt + 1, _("Share (%)"))):
            self.put(ws, hc, c, text, self.f_head)
        class_rng = (f"{xl_rowcol_to_cell(first, c_class, row_abs=True, col_abs=True)}:"
                     f"{xl_rowcol_to_cell(last_row, c_class, row_abs=True, col_abs=True)}")
        for k, (lab, cond) in enumerate(classes):
            r = hc + 1 + k
            count = sum(1 for v in labels_seen if v == lab)
            self.put(ws, r, c_stt, k + 1, self.f_int)
            self.put(ws, r, c_name, f"{lab} ({cond})" if cond else lab, self.f_text)
            self.formula(ws, r, c_cnt, f"=SUMPRODUCT(--({class_rng}={_q(lab)}))",
                         float(count), self.f_count)
            cc = xl_rowcol_to_cell(r, c_cnt)
            self.formula(ws, r, c_cnt + 1, f"=IF({n}>0,{cc}/{n}*100,0)",
                         count / n * 100 if n else 0.0, self.f_rate)
        tr = hc + 1 + len(classes)
        self.merge(ws, tr, c_stt, tr, c_name, _("Grand total"), self.f_mean_text)
        crng = f"{xl_rowcol_to_cell(hc + 1, c_cnt)}:{xl_rowcol_to_cell(tr - 1, c_cnt)}"
        self.formula(ws, tr, c_cnt, f"=SUM({crng})", float(n), self.f_count)
        prng = (f"{xl_rowcol_to_cell(hc + 1, c_cnt + 1)}:"
                f"{xl_rowcol_to_cell(tr - 1, c_cnt + 1)}")
        self.formula(ws, tr, c_cnt + 1, f"=SUM({prng})", 100.0 if n else 0.0, self.f_rate)

        # conditional formatting by class on the class column
        if n:
            for k, c in enumerate(group.classes):
                fmt = self.f_class[min(k, len(self.f_class) - 1)]
                ws.conditional_format(first, c_class, last_row, c_class, {
                    "type": "cell", "criteria": "==", "value": _q(c.label), "format": fmt})
            for lab in (group.unclassified, V.no_class_label()):
                ws.conditional_format(first, c_class, last_row, c_class, {
                    "type": "cell", "criteria": "==", "value": _q(lab),
                    "format": self.f_unclassified})

        # column widths and row heights
        class_texts = [f"{lab} ({cond})" if cond else lab for lab, cond in classes]
        widths = {c_stt: 5, c_name: _width([self.names.get(a, a) for a in ids]
                                           + [_("Agency or unit"), *class_texts], 24, 48)}
        if c_parent is not None:
            widths[c_parent] = _width(list(parents.values()) + [_("Units")], 12, 30)
        for j in range(len(areas)):
            widths[c_area0 + j] = 12
            widths[s_area0 + j] = 12
        for c in (c_bonus, c_ded):
            if c is not None:
                widths[c] = 9
        widths.update({c: 10 for c in (*c_decision.values(), *c_year.values())})
        widths.update({c_total: 10, c_max: 10, c_index: 10, c_rank: 8,
                       c_class: _width(labels_seen + [_("Class")], 10, 18),
                       last + 1: 3, s_mean: 13})
        for c, w in widths.items():
            ws.set_column(c, c, w)

        # charts: the ranked chart prints on a chart sheet of its own (a chart below the
        # table would print under the table's repeated heading rows); the per-area chart
        # stays on screen beside its table
        if n:
            self._rank_chart(wb, name, group, first, last_row, c_name, c_index, s_mean,
                             V.sheet_label("chart", n=V.roman(number)))
            if areas:
                self._area_chart(wb, ws, name, h2, mean_row, s_area0, len(areas), t0,
                                 sum(widths.get(c, 9) for c in range(s_area0, s_mean + 1)))

        # screen and print set-up
        ws.freeze_panes(first, 2)
        if n:
            ws.autofilter(h2, 0, last_row, last)
        self.print_setup(ws, (h1, h2), _("Appendix {number} - {label}").format(
            number=V.roman(number), label=label))
        ws.print_area(0, 0, tr, last)
        ws.hide_gridlines(2)
        # the appendix sheets open selected as a group, so that the default print
        # ("active sheets" in Excel, "selected sheets" in LibreOffice) prints them only
        ws.select()
        if number == 1:
            ws.activate()

    def _chart_fonts(self) -> dict[str, Any]:
        return {"name": FONT, "size": 9}

    def _rank_chart(self, wb: Any, sheet: str, group: Any, first: int, last_row: int,
                    c_name: int, c_index: int, c_mean: int, chart_sheet: str) -> None:
        """The ranked column chart with the group mean, on chart sheet ``chart_sheet``
        (one printed A4 landscape page, placed right after the group's sheet)."""
        n = last_row - first + 1
        col = wb.add_chart({"type": "column"})
        q = "'" + sheet.replace("'", "''") + "'"
        series: dict[str, Any] = {
            "name": _("PAR Index (%)"),
            "categories": f"={q}!${_col(c_name)}${first + 1}:${_col(c_name)}${last_row + 1}",
            "values": f"={q}!${_col(c_index)}${first + 1}:${_col(c_index)}${last_row + 1}",
            "fill": {"color": "#4472C4"}, "gap": 40,
        }
        if n <= 40:
            series["data_labels"] = {"value": True, "num_format": "0.00", "font": {
                **self._chart_fonts(), "size": 8, "rotation": 0 if n <= 12 else -90}}
        col.add_series(series)
        line = wb.add_chart({"type": "line"})
        line.add_series({
            "name": _("Group mean"),
            "categories": f"={q}!${_col(c_name)}${first + 1}:${_col(c_name)}${last_row + 1}",
            "values": f"={q}!${_col(c_mean)}${first + 1}:${_col(c_mean)}${last_row + 1}",
            "line": {"color": "#C00000", "width": 1.5, "dash_type": "dash"},
            "marker": {"type": "none"},
        })
        col.combine(line)
        name = V.group_label(group.id, group.name)
        title = (_("PAR Index {year} (%) — {group}, by rank").format(year=self.year, group=name)
                 if self.year else _("PAR Index (%) — {group}, by rank").format(group=name))
        col.set_title({"name": title,
                       "name_font": {**self._chart_fonts(), "size": 11, "bold": True}})
        x_axis: dict[str, Any] = {"num_font": {**self._chart_fonts(), "size": 8,
                                               "rotation": -60}}
        if n > 120:
            x_axis = {"label_position": "none", "major_tick_mark": "none"}
        col.set_x_axis(x_axis)
        col.set_y_axis({"min": 0, "max": 100, "major_gridlines": {
            "visible": True, "line": {"color": "#D9D9D9"}}, "num_font": self._chart_fonts()})
        col.set_legend({"position": "bottom", "font": self._chart_fonts()})
        cs = wb.add_chartsheet(chart_sheet)
        cs.set_chart(col)
        cs.set_landscape()
        cs.set_paper(9)  # A4
        cs.set_header(f'&R&"{FONT},Italic"&9{sheet.replace("&", "&&")}')
        cs.set_footer(f'&C&"{FONT},Regular"&9' + _("Page &P/&N"))

    def _area_chart(self, wb: Any, ws: Any, sheet: str, head_row: int, mean_row: int,
                    c0: int, k: int, at_row: int, width_chars: float) -> None:
        q = "'" + sheet.replace("'", "''") + "'"
        chart = wb.add_chart({"type": "bar"})
        chart.add_series({
            "name": _("Mean component index (%)"),
            "categories": f"={q}!${_col(c0)}${head_row + 1}:${_col(c0 + k - 1)}${head_row + 1}",
            "values": f"={q}!${_col(c0)}${mean_row + 1}:${_col(c0 + k - 1)}${mean_row + 1}",
            "fill": {"color": "#70AD47"}, "gap": 50,
            "data_labels": {"value": True, "num_format": "0.00",
                            "font": self._chart_fonts()},
        })
        chart.set_title({"name": _("Component index by area — group mean"),
                         "name_font": {**self._chart_fonts(), "size": 11, "bold": True}})
        chart.set_x_axis({"min": 0, "max": 100, "num_font": self._chart_fonts(),
                          "major_gridlines": {"visible": True,
                                              "line": {"color": "#D9D9D9"}}})
        chart.set_y_axis({"reverse": True, "num_font": self._chart_fonts()})
        chart.set_legend({"none": True})
        chart.set_size({"width": max(480, int(width_chars * 7.2)),
                        "height": max(260, 60 + 34 * k)})
        ws.insert_chart(at_row, c0, chart, {"x_offset": 4, "y_offset": 4})

    # ----------------------------------------------------------------- decision columns
    def _decision_cells(self, ws: Any, r: int, aid: str, cols: dict[str, int],
                        year: dict[str, int], ranked: bool) -> None:
        """Self-assessed, appraised and survey points of one unit; last year's rank and
        the change when PREV was given."""
        v = self.view.totals.loc[aid]
        for key, c in cols.items():
            self.put(ws, r, c, _num(v[key]), self.f_pts)
        if year:
            y = self.yoy.loc[aid]
            self.put(ws, r, year["previous_rank"], _num(y["previous_rank"]), self.f_int)
            self.put(ws, r, year["change"],
                     A.change_text(y["rank_change"], bool(y["is_new"]), ranked),
                     self.f_text_c)

    def _decision_note(self, ws: Any, row: int, ids: list[str]) -> None:
        """Say why a self-assessed or survey cell is blank, when one is."""
        t = self.view.totals.loc[ids]
        notes = []
        if not t["has_self"].all():
            notes.append(_("A blank self-assessed cell: the unit gave no self-assessed points."))
        if not t["has_survey"].all():
            notes.append(_("A blank survey cell: no survey result counts for the unit."))
        if notes:
            self.put(ws, row, 0, " ".join(notes), self.f_note)

    def _appraisal_sheet(self, wb: Any, name: str) -> None:
        """Every appraised leaf whose points differ from the unit's own, with the reason,
        and the totals per unit."""
        ws = wb.add_worksheet(name)
        d = self.view.differences
        words = {"agency": _("Agency or unit"), "group": _("Group"), "leaf": _("Code"),
                 "name": _("Criterion"), "self_points": _("Self-assessed points"),
                 "appraised_points": _("Appraised points"), "difference": _("Difference"),
                 "note": _("Reason (appraisal council)")}
        cols = list(words)
        self.put(ws, 0, 0, _("APPRAISAL: LEAVES WHERE THE APPRAISED POINTS DIFFER FROM THE "
                             "SELF-ASSESSED POINTS"), self.f_section)
        self.put(ws, 1, 0, _("Points as counted (capped at the leaf's maximum); difference = "
                             "appraised − self-assessed; the reason is the note column of "
                             "scores.csv. A blank self-assessed cell: the unit gave no points "
                             "for that leaf."), self.f_note)
        head = 3
        ws.set_row(head, 32)
        for c, key in enumerate(cols):
            self.put(ws, head, c, words[key], self.f_head)
        r = head + 1
        if not len(d):
            self.merge(ws, r, 0, r, len(cols) - 1,
                       _("No appraised points differ from the self-assessed points."), self.f_text)
            r += 1
        leaf_names, notes = d["name"].map(_text), d["note"].map(_text)
        for k, (leaf_name, note) in enumerate(zip(leaf_names, notes, strict=True)):
            ws.set_row(r + k, 15 * max(1, math.ceil(len(leaf_name) / 50),  # heights first
                                       math.ceil(len(note) / 50)) + 3)
        numeric = [key in ("self_points", "appraised_points", "difference") for key in cols]
        values = {"agency": d["agency_id"].map(lambda a: self.names.get(a, a)),
                  "group": d["group"].map(lambda g: self.group_names.get(g, g)),
                  "name": leaf_names, "note": notes}
        r += write_rows(ws, r, 0, [column_values(values.get(key, d.get(key)), is_num)
                                   for key, is_num in zip(cols, numeric, strict=True)],
                        numeric=numeric,
                        formats=[self.f_pts if is_num else self.f_text for is_num in numeric])
        last = r - 1
        units = self.view.unit_differences()
        if len(units):
            r += 1
            self.put(ws, r, 0, _("Totals per unit"), self.f_section)
            r += 1
            # in the columns of the table above: the number of leaves under "Mã", the
            # points under their own headings
            at = {"agency": 0, "group": 1, "leaves": 2, "self_points": 4,
                  "appraised_points": 5, "difference": 6}
            ws.set_row(r, 32)
            for key in at:
                self.put(ws, r, at[key], words.get(key, _("Leaves")), self.f_head)
            for row in units.itertuples(index=False):
                r += 1
                values = {"agency": self.names.get(row.agency_id, row.agency_id),
                          "group": self.group_names.get(row.group, row.group),
                          "leaves": float(row.leaves), "self_points": _num(row.self_points),
                          "appraised_points": _num(row.appraised_points),
                          "difference": _num(row.difference)}
                for key, v in values.items():
                    fmt = (self.f_int if key == "leaves" else
                           self.f_text if key in ("agency", "group") else self.f_pts)
                    self.put(ws, r, at[key], v, fmt)
        for c, w in enumerate((30, 16, 9, 52, 11, 11, 11, 52)):
            ws.set_column(c, c, w)
        ws.freeze_panes(head + 1, 1)
        if len(d):
            ws.autofilter(head, 0, last, len(cols) - 1)
        self.print_setup(ws, (head, head), name)
        ws.print_area(0, 0, r, len(cols) - 1)

    # ----------------------------------------------------------------- ledger
    def ledger_columns(self, led: pd.DataFrame) -> tuple[list[Any], list[bool]]:
        """The ledger's published columns of ``led``: values (str/None or float/None)
        per column of :data:`LEDGER_COLUMNS`, and which are numbers. Whole columns are
        mapped at once (no per-cell work beyond building the lists)."""
        n = len(led)
        words = {"kind": V.kind_label, "status": V.status_label, "inputs": V.inputs_words}
        data, numeric = [], []
        for key in LEDGER_COLUMNS:
            is_num = key in LEDGER_NUMERIC
            if key == "agency":
                ids = led["agency_id"].astype(str)
                s = ids.map(self.names).fillna(ids)
            elif key == "rule" and key in led:
                s = pd.Series(V.rule_texts(self.rules, led), index=led.index, dtype=object)
            elif key not in led:
                s = pd.Series([None] * n, dtype=object)
            elif key in words:  # each distinct value said once
                s = _by_value(led[key], words[key])
            else:
                s = led[key]
            data.append(column_values(s, is_num))
            numeric.append(is_num)
        return data, numeric

    def _ledger_sheet(self, wb: Any, name: str, led: pd.DataFrame) -> None:
        ws = wb.add_worksheet(name)
        cols = LEDGER_COLUMNS
        self.put(ws, 0, 0, _("SCORE LEDGER: EVERY UNIT × EVERY LEAF CRITERION"),
                 self.f_section)
        self.put(ws, 1, 0, _("Each row gives the input data, the level or threshold applied "
                             "and the points earned; filter on the heading row to see why a "
                             "unit got its points."),
                 self.f_note)
        head = 3
        ws.set_row(head, 32)
        for c, key in enumerate(cols):
            self.put(ws, head, c, V.column_label(key), self.f_head)
        n = len(led)
        numeric = {"value": self.f_num, "points": self.f_pts, "max_points": self.f_pts}
        fmts = [numeric.get(k, self.f_cell) for k in cols]
        # (lower, upper) width in characters; text longer than the upper bound is cut on
        # screen and print but whole in the cell
        widths = {"agency_id": (10, 28), "agency": (20, 45), "area": (7, 8), "leaf": (9, 10),
                  "name": (24, 55), "kind": (10, 18), "inputs": (20, 60), "value": (10, 12),
                  "rule": (16, 45), "points": (8, 9), "max_points": (9, 10),
                  "status": (12, 18)}
        # in chunks, so memory holds one chunk's cells, not the whole ledger's
        for start in range(0, n, LEDGER_CHUNK):
            data, is_num = self.ledger_columns(led.iloc[start:start + LEDGER_CHUNK])
            if start == 0:  # widths from the first rows (set before rows are streamed)
                for c, key in enumerate(cols):
                    lo, hi = widths[key]
                    sample = [v for v in data[c][:3000] if isinstance(v, str)]
                    ws.set_column(c, c, _width(sample, lo, hi) if sample else lo)
            done = self.progress_offset + start
            write_rows(ws, head + 1 + start, 0, data, numeric=is_num, formats=fmts,
                       progress=None if self.progress is None else
                       (lambda k, done=done: self.progress(done + k)))
        if n == 0:
            for c, key in enumerate(cols):
                ws.set_column(c, c, widths[key][0])
        self.progress_offset += n
        ws.freeze_panes(head + 1, 2)
        ws.autofilter(head, 0, head + max(n, 1), len(cols) - 1)
        self.print_setup(ws, (head, head), _("Score ledger"))

    def write_ledger_csv(self, path: Path) -> None:
        """The ledger as UTF-8 CSV (with a byte-order mark, so Excel reads the accents);
        Vietnamese headings, numbers plain."""
        led = self.r.ledger
        with open(path, "w", encoding="utf-8-sig", newline="") as fh:
            for start in range(0, max(len(led), 1), LEDGER_CHUNK):
                data, _numeric = self.ledger_columns(led.iloc[start:start + LEDGER_CHUNK])
                frame = pd.DataFrame({V.column_label(k): col
                                      for k, col in zip(LEDGER_COLUMNS, data, strict=True)})
                frame.to_csv(fh, index=False, header=start == 0, lineterminator="\n",
                             float_format="%.10g")
                if self.progress is not None:
                    self.progress(start + len(frame))

    def _ledger_note_sheet(self, wb: Any, name: str) -> None:
        """In place of the ledger: where it is (a CSV beside the workbook) or that it was
        left out."""
        ws = wb.add_worksheet(name)
        self.put(ws, 0, 0, _("SCORE LEDGER: EVERY UNIT × EVERY LEAF CRITERION"),
                 self.f_section)
        rows = len(self.r.ledger)
        if self.ledger_csv is not None:
            text = _("The ledger ({rows} rows) is in the file {file}, beside this workbook "
                     "(UTF-8 CSV; open it in Excel).").format(
                rows=format_number(rows), file=self.ledger_csv.name)
        else:
            text = _("The ledger ({rows} rows) was left out of this workbook (--ledger "
                     "none); run cchc rank again with --ledger sheet or --ledger csv to "
                     "have it.").format(rows=format_number(rows))
        self.put(ws, 2, 0, text, self.f_note)
        ws.set_column(0, 0, 120)

    # ----------------------------------------------------------------- input data
    def _inputs_sheet(self, wb: Any, name: str) -> None:
        ws = wb.add_worksheet(name)
        ag = self.ds.agencies
        dossiers = getattr(self.ds, "dossiers", pd.DataFrame())
        ind = self.r.indicators
        raw_cols = [c for c in V.INDICATORS if c in dossiers.columns]
        raw_cols += [c for c in dossiers.columns if c not in raw_cols and c != "source_line"
                     and pd.api.types.is_numeric_dtype(dossiers[c])]
        ind_cols = [c for c in V.INDICATORS if c in ind.columns and c not in raw_cols]
        ind_cols += [c for c in ind.columns if c not in raw_cols and c not in ind_cols]

        self.put(ws, 0, 0, _("INPUT DATA AND COMPUTED RATES"), self.f_section)
        note = (_("Administrative procedure dossiers from {period}").format(period=self.period)
                if self.period else _("Administrative procedure dossiers"))
        note += "; " + _("blank cell: the source has no figure or the rate is undefined "
                         "(denominator 0). The “(published)” columns are the report's figures; "
                         "the other rate columns are computed by the software.")
        self.put(ws, 1, 0, note, self.f_note)
        head = 3
        fixed = [("agency_id", _("Agency id")), ("name", _("Agency or unit")),
                 ("group", _("Group")), ("parent", _("Parent unit")), ("ranked", _("Ranked"))]
        cols = fixed + [(c, V.indicator_label(c)) for c in raw_cols + ind_cols]
        ws.set_row(head, 60)
        for c, (_key, text) in enumerate(cols):
            self.put(ws, head, c, text, self.f_head)
        names = {str(k): _text(v) for k, v in ag["name"].items()} if "name" in ag else {}
        ids = pd.Series([str(a) for a in ag.index], dtype=object)
        n = len(ids)

        def field(key: str) -> pd.Series:
            col = ag[key] if key in ag else pd.Series([None] * n, index=ag.index)
            return pd.Series(col.to_numpy(), dtype=object)

        def label(col: pd.Series, mapping: dict[str, str]) -> pd.Series:
            return col.map(lambda v: None if _is_missing(v) else mapping.get(str(v), str(v)))

        yes, no = _("Yes"), _("No")
        ranked = field("ranked").map(
            lambda v: None if _is_missing(v) else (yes if bool(v) else no))
        columns = [column_values(ids, False), column_values(ids.map(names).fillna(ids), False),
                   column_values(label(field("group"), self.group_names), False),
                   column_values(label(field("parent_id"), names), False),
                   column_values(ranked, False)]
        fmts = [self.f_cell] * 4 + [self.f_text_c]
        for table, keys in ((dossiers, raw_cols), (ind, ind_cols)):
            aligned = table.reindex(ids.tolist()) if len(table) else None
            for c in keys:
                values = aligned[c] if aligned is not None else [None] * n
                columns.append(column_values(values, True))
                fmts.append(self.f_rate if V.indicator_unit(c) else self.f_count)
        rows = write_rows(ws, head + 1, 0, columns, numeric=[False] * 5 + [True] * (
            len(columns) - 5), formats=fmts)
        ws.set_column(0, 0, _width(ag.index[:3000], 10, 30))
        ws.set_column(1, 1, _width(list(names.values())[:5000], 24, 48))
        ws.set_column(2, 3, _width([*self.group_names.values(), *list(names.values())[:200]],
                                   14, 28))
        ws.set_column(4, 4, 10)
        ws.set_column(5, len(cols) - 1, 12)
        ws.freeze_panes(head + 1, 2)
        ws.autofilter(head, 0, head + max(rows, 1), len(cols) - 1)
        self.print_setup(ws, (head, head), _("Input data"))

    # ----------------------------------------------------------------- findings
    def _findings_sheet(self, wb: Any, name: str) -> None:
        ws = wb.add_worksheet(name)
        fd = getattr(self.ds, "findings", pd.DataFrame())
        cols = FINDING_COLUMNS
        self.put(ws, 0, 0, _("SOURCE DATA CHECKS"), self.f_section)
        self.put(ws, 1, 0, _("Where the figures in the source report disagree (for example a "
                             "total row that differs from the sum of its rows). This is a fact "
                             "about the source, recorded, not corrected."), self.f_note)
        head = 3
        for c, key in enumerate(cols):
            self.put(ws, head, c, V.column_label(key), self.f_head)
        n = 0 if fd is None else len(fd)
        if n == 0:
            self.merge(ws, head + 1, 0, head + 1, len(cols) - 1,
                       _("No findings."), self.f_text)
        widths = dict(zip(cols, (10, 12, 32, 18, 12, 12, 60, 10), strict=True))
        for i, row in enumerate(fd.to_dict("records") if n else []):
            r = head + 1 + i
            lines = 1
            for c, key in enumerate(cols):
                v = row.get(key)
                if key == "severity":
                    value, fmt = V.severity_label(_text(v)), self.f_text_c
                elif key == "agency":
                    value, fmt = self.names.get(_text(v), _text(v)), self.f_text
                elif key == "table":
                    value, fmt = data_table_label(_text(v)), self.f_text
                elif key == "column":
                    value, fmt = field_label(_text(v)), self.f_text
                elif key in ("published", "expected"):
                    value, fmt = self._source_number(v)
                elif key == "line":
                    value, fmt = (_num(v) if _num(v) is not None else _text(v)), self.f_int
                else:
                    value, fmt = _text(v), self.f_text
                self.put(ws, r, c, value, fmt)
                if isinstance(value, str):  # wrapped text: the row grows to hold it
                    lines = max(lines, sum(math.ceil(len(part) * 1.1 / widths[key]) or 1
                                           for part in value.split("\n")))
            ws.set_row(r, 15 * lines + 3)
        for c, key in enumerate(cols):
            ws.set_column(c, c, widths[key])
        ws.freeze_panes(head + 1, 0)
        ws.autofilter(head, 0, head + max(n, 1), len(cols) - 1)
        self.print_setup(ws, (head, head), _("Data checks"))

    def _source_number(self, value: Any) -> tuple[Any, Any]:
        """A number quoted from the source, as a number when it is one.

        The source writes numbers the Vietnamese way (``5.840`` is five thousand eight
        hundred and forty, ``0,44`` a decimal): such text becomes that number, shown with
        a thousands separator, so 5.840 stays 5.840; percentages, dates and other text
        stay text as written.
        """
        if not isinstance(value, str):
            num = _num(value)
            if num is None:
                return _text(value), self.f_text_c
            return num, self.f_count if float(num).is_integer() else self.f_num
        try:
            parsed = parse_number(value)
        except NumberFormatError:
            return value, self.f_text_c
        if parsed is None or parsed.percent or value.strip() in ("-", "–", "—"):
            return value.strip(), self.f_text_c
        return float(parsed.value), self.f_count if parsed.decimals == 0 else self.f_num

    # ----------------------------------------------------------------- rule set
    def _rules_sheet(self, wb: Any, name: str) -> None:
        ws = wb.add_worksheet(name)
        rs = self.rules
        self.put(ws, 0, 0, _("RULE SET: {title}").format(title=rs.title), self.f_section)
        self.note(ws, 1, 3, _("Id: {id}; version {version}; basis: {basis}").format(
            id=rs.id, version=rs.version, basis=self.basis), 185)
        r = 3
        tree_groups: dict[str, list[str]] = {}
        for g in rs.groups:
            tree_groups.setdefault(g.tree, []).append(V.group_label(g.id, g.name))
        for tree_id, tree in rs.trees.items():
            used = ", ".join(tree_groups.get(tree_id, [])) or _("no group uses it")
            self.merge(ws, r, 0, r, 3, _("{tree} (applies to: {groups}) — total maximum "
                                         "points {points}").format(
                tree=tree.name, groups=used, points=format_number(tree.total_max)), self.f_bold)
            r += 1
            for c, text in enumerate((_("Code"), _("Area / criterion / leaf criterion"),
                                      _("Maximum points"), _("How the points are given"))):
                self.put(ws, r, c, text, self.f_head)
            r += 1
            for area in tree.areas:
                self.put(ws, r, 0, area.code, self.f_area)
                comp = (" " + _("[component: {component}]").format(component=area.component)
                        if area.component else "")
                self.put(ws, r, 1, f"{area.name}{comp}", self.f_area)
                self.put(ws, r, 2, area.total_max, self.f_area_pts)
                ws.write_blank(r, 3, None, self.f_area)
                r += 1
                for crit in area.criteria:
                    self.put(ws, r, 0, crit.code, self.f_crit)
                    self.put(ws, r, 1, f"   {crit.name}", self.f_crit)
                    self.put(ws, r, 2, crit.total_max, self.f_crit_pts)
                    ws.write_blank(r, 3, None, self.f_crit)
                    r += 1
                    for leaf in crit.leaves:
                        words = V.rule_words(leaf, rs.not_applicable)
                        if leaf.note:
                            words += "\n" + _("Remark: {note}").format(note=leaf.note)
                        self.put(ws, r, 0, leaf.code, self.f_text)
                        self.put(ws, r, 1, f"      {leaf.name}", self.f_text)
                        self.put(ws, r, 2, leaf.max, self.f_leaf_pts)
                        self.put(ws, r, 3, words, self.f_text)
                        lines = sum(max(1, math.ceil(len(part) / 85))
                                    for part in words.split("\n"))
                        ws.set_row(r, 15 * max(lines, math.ceil(len(leaf.name) / 50)) + 3)
                        r += 1
            r += 1
        # groups and classes
        self.put(ws, r, 0, _("Ranking groups and class thresholds"), self.f_bold)
        r += 1
        for c, text in enumerate((_("Group id"), _("Group"), _("Criteria tree"), _("Class"))):
            self.put(ws, r, c, text, self.f_head)
        r += 1
        for g in rs.groups:
            cls = "\n".join(f"{c.label}: {V.class_condition(g.classes, k)}"
                            for k, c in enumerate(g.classes))
            cls = (cls + "\n" if cls else "") + _("{label}: the rest").format(label=g.unclassified)
            for c, v in enumerate((g.id, V.group_label(g.id, g.name), rs.trees[g.tree].name, cls)):
                self.put(ws, r, c, v, self.f_text)
            ws.set_row(r, 15 * (cls.count("\n") + 1) + 3)
            r += 1
        r += 1
        items: list[tuple[str, str]] = [
            (_("Criteria not applicable"), _("left out of the maximum points")
             if rs.not_applicable == "drop" else _("earn the maximum points")),
            (_("Rank"), f"{V.rank_method_label(rs.ranking.method)}; "
             + _("Index compared at {digits} decimal places").format(
                 digits=rs.ranking.precision)
             + ("; " + _("ties broken by: {keys}").format(keys=", ".join(rs.ranking.tie_break))
                if rs.ranking.tie_break else "")),
        ]
        for comp in rs.components:
            items.append((_("Component: {name}").format(name=comp.name),
                          _("areas {areas}; when missing: {how}").format(
                              areas=", ".join(comp.areas),
                              how=_("rescaled over the rest") if comp.when_missing == "rescale"
                              else _("scored 0"))))
        for adj in rs.adjustments:
            kind = _("Bonus points") if adj.kind == "bonus" else _("Deducted points")
            how = (_("formula {expr}").format(expr=adj.rule.expr) if adj.rule.kind == "formula"
                   else _("appraised points (table {table})").format(table=adj.rule.table))
            items.append((f"{kind}: {adj.name}", _("{how}; at most {points} points").format(
                how=how, points=format_number(adj.cap))))
        for k, v in items:
            self.put(ws, r, 0, k, self.f_key)
            self.merge(ws, r, 1, r, 3, v, self.f_text)
            ws.set_row(r, 15 * max(1, math.ceil(len(v) / 130)) + 3)
            r += 1
        ws.set_column(0, 0, 12)
        ws.set_column(1, 1, 58)
        ws.set_column(2, 2, 11)
        ws.set_column(3, 3, 70)
        self.print_setup(ws, None, _("Rule set"))
        ws.print_area(0, 0, r, 3)

    # ----------------------------------------------------------------- provenance
    def _provenance_items(self) -> list[tuple[str, str]]:
        rs, ds, m = self.rules, self.ds, self.manifest
        src = m.get("source") or {}
        engine = getattr(self.r, "engine_version", None) or __version__
        items = [
            (_("Rule set (id)"), rs.id),
            (_("Rule set version"), rs.version),
            (_("Rule set hash (sha256)"), rs.content_hash or _("none")),
            (_("Dataset"), _text(getattr(ds, "name", ""))),
            (_("Dataset hash (sha256)"), _text(getattr(ds, "content_hash", "")) or _("none")),
            (_("Software version (cchc)"), str(engine)),
            (_("Made at (UTC)"), self.created.strftime("%Y-%m-%d %H:%M:%S")),
            (_("Rule set title"), rs.title),
            (_("Basis"), self.basis),
            (_("Extends"), rs.extends or _("extends no other rule set")),
            (_("Province"), self.province),
            (_("Year"), self.year),
            (_("Data period"), self.period),
            (_("Source file"), _text(src.get("file"))),
            (_("Source document title"), _text(src.get("title"))),
            (_("Source file hash (sha256)"), _text(src.get("sha256"))),
            (_("Data folder"), _text(getattr(ds, "path", "")) and Path(ds.path).name),
        ]
        return [(k, v) for k, v in items if v not in ("", None)]

    def _provenance_sheet(self, wb: Any, name: str, items: list[tuple[str, str]]) -> None:
        ws = wb.add_worksheet(name)
        self.put(ws, 0, 0, _("WORKBOOK PROVENANCE"), self.f_section)
        self.put(ws, 1, 0, _("The same rule set and dataset (the same hashes) give the same "
                             "result; to run again: cchc rank --rules <rule set> --data "
                             "<dataset>."), self.f_note)
        for c, text in enumerate((_("Item"), _("Content"))):
            self.put(ws, 3, c, text, self.f_head)
        for i, (k, v) in enumerate(items):
            self.put(ws, 4 + i, 0, k, self.f_key)
            self.put(ws, 4 + i, 1, v, self.f_text)
            ws.set_row(4 + i, 15 * max(1, math.ceil(len(str(v)) / 85)) + 3)
        files = (self.manifest.get("files") or {})
        r = 4 + len(items) + 1
        if files:
            self.put(ws, r, 0, _("Data file"), self.f_head)
            self.put(ws, r, 1, _("Hash (sha256)"), self.f_head)
            for i, (fname, digest) in enumerate(sorted(files.items())):
                self.put(ws, r + 1 + i, 0, str(fname), self.f_text)
                self.put(ws, r + 1 + i, 1, _text(digest), self.f_text)
        ws.set_column(0, 0, 32)
        ws.set_column(1, 1, 80)
        self.print_setup(ws, None, _("Provenance"))
        ws.print_area(0, 0, r + len(files), 1)


def _by_value(column: pd.Series, words: Callable[[str], str]) -> pd.Series:
    """``words`` of each distinct value of ``column`` (None stays None)."""
    known = {v: words(str(v)) for v in column.dropna().unique()}
    return column.astype(object).map(known).where(column.notna(), None)
