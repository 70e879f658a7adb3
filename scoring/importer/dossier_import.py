"""``import_dossiers``: a TTHC system export → the dataset's ``dossiers.csv``.

Reads the export (:mod:`sheets`), finds the table (:func:`export.find_header`), reads its
rows and checks them exactly as the report's Phụ lục 2 (identities, rates, subtotals →
findings), matches every unit row to an agency of the dataset, and only when every row
is matched (or skipped, or added with ``new_units``) writes ``dossiers.csv``, the
findings and the manifest — all files or none. The dossier findings of an earlier import
are replaced; the other findings are kept.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from scoring.dataset import read_table, table_file
from scoring.errors import DataError, Problem, UsageError
from scoring.files import replace_folder
from scoring.i18n import N_, _
from scoring.importer.agencies import Agency, AgencyRegistry, key, suggest_ids
from scoring.importer.core import (
    AGENCY_COLUMNS,
    DOSSIER_COLUMNS,
    TABLE_ORDER,
    read_csv_rows,
    render_csv,
)
from scoring.importer.dossiers import check_rows, check_subtotals, dossier_record
from scoring.importer.export import (
    REQUIRED,
    ExportTable,
    Header,
    UnitMatch,
    find_header,
    read_column_map,
    read_export,
    resolve_unit,
    sheet_location,
)
from scoring.importer.findings import FINDING_COLUMNS, Finding, stored_text
from scoring.importer.sheets import read_sheets
from scoring.text import fold, slug
from scoring.yamlfile import read_yaml

UNIT_KINDS = ("member", "sub", "subsub")
SKIP = "skip"
MAP_MAX_BYTES = 256 * 1024


@dataclass(frozen=True)
class ColumnMap:
    """A ``--columns`` file: header names for dataset columns, and unit names."""

    columns: dict[str, str]
    units: dict[str, str]  # key(name) -> agency id or "skip"


@dataclass(frozen=True)
class DossierImport:
    """What :func:`import_dossiers` did."""

    out: Path
    source: Path
    sheet: str
    header: Header
    rows: int
    subtotals: int
    matches: tuple[UnitMatch, ...]
    new_agencies: tuple[Agency, ...]
    findings: tuple[Finding, ...]
    missing_columns: tuple[str, ...]
    period: tuple[date, date] | None

    @property
    def skipped(self) -> list[UnitMatch]:
        """Rows left out on request."""
        return [m for m in self.matches if m.how == SKIP]


def read_map(path: Path | None) -> ColumnMap:
    """Read a ``--columns`` YAML file (``columns:`` and optional ``units:``).

    Raises
    ------
    DataError
        Not YAML, or a map :func:`export.read_column_map` refuses.
    """
    if path is None:
        return ColumnMap({}, {})
    path = Path(path)
    _text, data, _meta = read_yaml(path, str(path), DataError, MAP_MAX_BYTES)
    columns = read_column_map(data, path)
    units = data.get("units") or {}
    if not isinstance(units, dict) or not all(isinstance(k, str) and isinstance(v, str)
                                              for k, v in units.items()):
        raise DataError(Problem(_("'units:' must map a unit name of the file to an agency id "
                                  "or to 'skip'"), file=path, field="units",
                                fix=_("write e.g. '  \"Phòng Một cửa huyện X\": skip'")))
    return ColumnMap(columns, {key(k): v.strip() for k, v in units.items()})


def _parse_date(text: str) -> date:
    for sep in ("/", "-", "."):
        parts = text.strip().split(sep)
        if len(parts) == 3 and all(p.isdigit() for p in parts):
            a, b, c = (int(p) for p in parts)
            try:
                return date(a, b, c) if len(parts[0]) == 4 else date(c, b, a)
            except ValueError:
                break
    raise UsageError(Problem(_("{text!r} is not a date").format(text=text), field="--period",
                             fix=_("write dates as dd/mm/yyyy, e.g. --period 15/12/2022 "
                                   "14/12/2023")))


def parse_period(values: Iterable[str] | None) -> tuple[date, date] | None:
    """``--period START END`` → two dates (start not after end)."""
    if not values:
        return None
    start, end = (_parse_date(v) for v in values)
    if start > end:
        raise UsageError(Problem(_("the period starts after it ends"), field="--period",
                                 fix=_("give the first day, then the last day")))
    return start, end


def _choose_sheet(path: Path, sheet_name: str | None, mapped: dict[str, str]
                  ) -> tuple[object, Header]:
    sheets = read_sheets(path)
    names = [s.name for s in sheets]
    if sheet_name is not None:
        chosen = [s for s in sheets if fold(s.name) == fold(sheet_name)]
        if not chosen:
            raise UsageError(Problem(
                _("no sheet named {name!r}").format(name=sheet_name), file=path,
                field="--sheet",
                fix=_("use one of the sheets: {names}").format(names=", ".join(names))))
        sheets = chosen
    for sheet in sheets:
        header = find_header(sheet, mapped)
        if header is not None:
            return sheet, header
    raise DataError(Problem(
        _("no header row with the known column names (unit, received, resolved on time, "
          "late …) in the first rows of {sheets}").format(sheets=", ".join(
              s.name for s in sheets)),
        file=path,
        fix=_("pass --sheet if the table is on another sheet, or name the columns in a "
              "column map (--columns MAP.yaml, see docs/nam-moi.md)")))


def _registry(out: Path) -> tuple[AgencyRegistry, Path, list[dict[str, str]]]:
    path = table_file(out, "agencies")
    if path is None:
        raise UsageError(Problem(
            _("the dataset folder has no agencies.csv"), file=out, field="--out",
            fix=_("import the year's report first (cchc import-report REPORT --out {out}), "
                  "or pass the folder of an existing dataset").format(out=out)))
    frame = read_table(path)
    registry = AgencyRegistry()
    rows = []
    for _index, row in frame.iterrows():
        record = {k: str(v) for k, v in row.items()}
        rows.append(record)
        aliases = tuple(a.strip() for a in record.get("aliases", "").split(";") if a.strip())
        group = record.get("group", "") or "department"
        try:
            registry.add(Agency(record["agency_id"], record["name"], group,
                                record.get("parent_id", ""), aliases))
        except (ValueError, KeyError) as err:
            raise DataError(Problem(
                _("the agencies file cannot be read ({error})").format(error=err), file=path,
                fix=_("run cchc check on the dataset and correct agencies.csv"))) from None
    return registry, path, rows


def _parents(found: ExportTable) -> dict[int, int]:
    return {child: i for i, row in enumerate(found.table.rows) for child in row.children}


def _where(found: ExportTable, line: int) -> str:
    return sheet_location(found.header.sheet, line)


def _new_group(label: str) -> str:
    f = fold(label)
    if f.startswith(("ubnd huyen", "ubnd thanh pho", "ubnd thi xa", "ubnd quan")):
        return "district"
    if f.startswith(("ubnd xa", "ubnd phuong", "ubnd thi tran")):
        return "commune"
    return "department"


def _group_district(registry: AgencyRegistry, found: ExportTable, group: int | None
                    ) -> str | None:
    """The district agency a sub-group row (``Thuộc huyện X``) names, if any."""
    if group is None or found.table.rows[group].kind != "district_group":
        return None
    name = re.sub(r"^thuộc\s+", "", found.table.rows[group].label, flags=re.IGNORECASE)
    return registry.resolve(f"UBND {name}") or registry.resolve(name)


def match_units(path: Path, found: ExportTable, registry: AgencyRegistry,
                column_map: ColumnMap, skip: Iterable[str], new_units: bool
                ) -> tuple[list[UnitMatch], list[Agency]]:
    """Match every unit row to an agency; every unmatched or ambiguous row is reported.

    Raises
    ------
    DataError
        One problem per row that matches no agency (with a suggestion), matches several,
        or matches an agency another row already took — unless skipped or, for unmatched
        rows, ``new_units``.
    """
    skip_keys = {key(s) for s in skip}
    parents = _parents(found)
    by_row: dict[int, str] = {}
    matches: list[UnitMatch] = []
    new: list[Agency] = []
    problems: list[Problem] = []
    taken: dict[str, int] = {}
    for i, row in enumerate(found.table.rows):
        if row.kind not in UNIT_KINDS:
            continue
        where = _where(found, row.line)
        mapped = column_map.units.get(key(row.label))
        if key(row.label) in skip_keys or str(row.line) in skip or mapped == SKIP:
            matches.append(UnitMatch(i, "", SKIP))
            continue
        parent = (by_row.get(parents.get(i, -1)) if row.kind != "member"
                  else _group_district(registry, found, parents.get(i)))
        if mapped is not None:
            if mapped not in registry:
                problems.append(Problem(
                    _("the column map sends {name!r} to {id!r}, which is not an agency of the "
                      "dataset").format(name=row.label, id=mapped),
                    file=path, line=where, field="units",
                    fix=_("use an agency_id of agencies.csv, or 'skip'")))
                continue
            agency_id, candidates = mapped, []
        else:
            agency_id, candidates = resolve_unit(registry, row.label, parent)
        if agency_id is None and candidates:
            problems.append(Problem(
                _("{name!r} matches several agencies: {ids}").format(
                    name=row.label, ids=", ".join(candidates)),
                file=path, line=where, field="unit",
                fix=_("send the name to one agency in the column map ('units:'), or skip the "
                      "row with --skip")))
            continue
        if agency_id is None and new_units:
            agency_id = slug(row.label) or "don-vi"
            while agency_id in registry:
                agency_id += "-moi"
            agency = Agency(agency_id, row.label, _new_group(row.label), parent or "", (),
                            row.kind == "member", "new", row.line)
            registry.add(agency)
            new.append(agency)
            by_row[i] = agency_id
            matches.append(UnitMatch(i, agency_id, "new"))
            continue
        if agency_id is None:
            hints = suggest_ids(registry, row.label)
            hint = (_("did you mean {names}?").format(names=_(" or ").join(
                f"'{registry[h].name}' ({h})" for h in hints)) + " " if hints else "")
            problems.append(Problem(
                _("{name!r} matches no agency of the dataset").format(name=row.label),
                file=path, line=where, field="unit",
                fix=hint + _("Correct the name in the file, add it to the agency's aliases "
                             "in agencies.csv, skip the row with --skip \"{name}\", or add "
                             "it as a new agency with --new-units").format(name=row.label)))
            continue
        if agency_id in taken:
            problems.append(Problem(
                _("{name!r} is {id}, already matched by row {row}").format(
                    name=row.label, id=agency_id, row=found.table.rows[taken[agency_id]].line),
                file=path, line=where, field="unit",
                fix=_("a unit can have one row: remove the repeated row or skip it with "
                      "--skip")))
            continue
        taken[agency_id] = i
        by_row[i] = agency_id
        matches.append(UnitMatch(i, agency_id, "matched"))
    if problems:
        raise DataError(problems)
    return matches, new


def _labels(found: ExportTable, matches: list[UnitMatch]) -> dict[int, str]:
    labels: dict[int, str] = {}
    section = ""
    for i, row in enumerate(found.table.rows):
        if row.kind == "section":
            section = row.stt
            labels[i] = f"{row.stt} {row.label}".strip()
        elif row.kind == "district_group":
            labels[i] = f"{section}.{row.stt} {row.label}".strip(". ")
        else:
            labels[i] = row.label
    for m in matches:
        if m.agency_id:
            labels[m.index] = m.agency_id
    return labels


def build_files(path: Path, out: Path, found: ExportTable, matches: list[UnitMatch],
                new: list[Agency], agencies: tuple[Path, list[dict[str, str]]],
                period: tuple[date, date] | None) -> tuple[dict[str, bytes], list[Finding]]:
    """The files to write: dossiers.csv, findings.csv, manifest.json (+ agencies.csv)."""
    labels = _labels(found, matches)
    findings = check_rows(found.table, labels) + check_subtotals(found.table, labels)
    manifest_path = out / "manifest.json"
    manifest = json.loads(manifest_path.read_text("utf-8-sig")) if manifest_path.is_file() \
        else {"name": out.name}
    if period is not None and manifest.get("period") and manifest["period"] != {
            "start": period[0].isoformat(), "end": period[1].isoformat()}:
        findings.insert(0, Finding(
            "warning", "report", "", "period",
            f"{period[0].strftime('%d/%m/%Y')}–{period[1].strftime('%d/%m/%Y')}",
            f"{manifest['period'].get('start')}–{manifest['period'].get('end')}",
            stored_text(N_("the export's statistics period differs from the dataset's period")),
            None))
    findings = [f.replace(line=_where(found, f.line) if isinstance(f.line, int) else f.line)
                for f in findings]
    dossier_rows = [dossier_record(m.agency_id, found.table.rows[m.index],
                                   _where(found, found.table.rows[m.index].line))
                    for m in matches if m.agency_id]
    _fields, old = read_csv_rows(out / "findings.csv")
    kept = [Finding(r.get("severity", "info"), r.get("table", ""), r.get("agency", ""),
                    r.get("column", ""), r.get("published", ""), r.get("expected", ""),
                    r.get("message", ""), r.get("line") or None)
            for r in old if r.get("table") != "dossiers"
            and r.get("severity") in ("warning", "info")]
    all_findings = sorted(kept + findings, key=lambda f: TABLE_ORDER.get(f.table, 9))
    files = {
        "dossiers.csv": render_csv(DOSSIER_COLUMNS, dossier_rows),
        "findings.csv": render_csv(FINDING_COLUMNS, [f.as_row() for f in all_findings]),
    }
    if new:
        agencies_path, rows = agencies
        if agencies_path.suffix.lower() != ".csv":
            raise UsageError(Problem(
                _("new units can only be added to agencies.csv, not to {name}").format(
                    name=agencies_path.name), file=agencies_path, field="--new-units",
                fix=_("save the agencies as agencies.csv, or add the units by hand")))
        columns = tuple(dict.fromkeys([*(read_csv_rows(agencies_path)[0] or AGENCY_COLUMNS)]))
        rows = rows + [{"agency_id": a.agency_id, "name": a.name, "group": a.group,
                        "parent_id": a.parent_id, "aliases": "", "ranked": a.ranked,
                        "kind": a.kind, "source_line": _where(found, a.source_line)}
                       for a in new]
        files["agencies.csv"] = render_csv(columns, rows)
    hashes = dict(manifest.get("files") or {})
    hashes.update({name: hashlib.sha256(data).hexdigest() for name, data in files.items()})
    manifest["files"] = hashes
    counts = dict(manifest.get("counts") or {})
    counts["dossier_rows"] = len(dossier_rows)
    if new:
        counts["agencies"] = counts.get("agencies", 0) + len(new)
    manifest["counts"] = counts
    if period is not None and not manifest.get("period"):
        manifest["period"] = {"start": period[0].isoformat(), "end": period[1].isoformat()}
    manifest["dossiers_source"] = {
        "file": path.name,
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "format": path.suffix.lower().lstrip("."),
        "sheet": found.header.sheet,
        "header_row": found.header.row,
        "period": None if period is None else {"start": period[0].isoformat(),
                                               "end": period[1].isoformat()},
        "rows": len(dossier_rows),
        "skipped": sum(1 for m in matches if m.how == SKIP),
        "new_agencies": [a.agency_id for a in new],
    }
    files["manifest.json"] = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n"
                              ).encode("utf-8")
    return files, findings


def import_dossiers(path: Path, out: Path, *, sheet: str | None = None,
                    period: tuple[date, date] | None = None, columns: Path | None = None,
                    new_units: bool = False, skip: Iterable[str] = ()) -> DossierImport:
    """Import the dossier statistics of a TTHC system export into a dataset folder.

    Parameters
    ----------
    path : Path
        The export (``.xlsx``, ``.xls`` or ``.csv``).
    out : Path
        The dataset folder; its ``agencies.csv`` names the units.
    sheet : str, optional
        The sheet holding the table (default: the first sheet with a header).
    period : (date, date), optional
        The statistics period (default: the ``từ ngày … đến ngày …`` of the file).
    columns : Path, optional
        A YAML column map for header names the importer does not know.
    new_units : bool
        Add units that match no agency as new agencies instead of stopping.
    skip : iterable of str
        Unit names (or spreadsheet row numbers) to leave out.

    Raises
    ------
    DataError, UsageError
        Anything wrong with the file, the map or the matching; nothing is written.
    """
    path, out = Path(path), Path(out)
    if not out.is_dir():
        raise UsageError(Problem(
            _("the dataset folder does not exist"), file=out, field="--out",
            fix=_("import the year's report first (cchc import-report REPORT --out {out})"
                  ).format(out=out)))
    column_map = read_map(columns)
    sheet_obj, header = _choose_sheet(path, sheet, column_map.columns)
    missing_required = [c for c in REQUIRED if c not in header.columns]
    if missing_required:
        raise DataError(Problem(
            _("the header (row {row}) has no column for {columns}").format(
                row=header.row, columns=", ".join(missing_required)),
            file=path, line=sheet_location(header.sheet, header.row),
            fix=_("name those columns in a column map (--columns MAP.yaml, see "
                  "docs/nam-moi.md)")))
    found = read_export(path, sheet_obj, header)
    skip = tuple(skip)
    registry, agencies_path, agency_rows = _registry(out)
    matches, new = match_units(path, found, registry, column_map, skip, new_units)
    chosen_period = period or found.period
    files, findings = build_files(path, out, found, matches, new,
                                  (agencies_path, agency_rows), chosen_period)
    replace_folder(out, files)  # all files or none; review.csv, README.md … kept
    return DossierImport(out, path, header.sheet, header,
                         sum(1 for m in matches if m.agency_id),
                         sum(1 for r in found.table.rows if r.kind not in UNIT_KINDS),
                         tuple(matches), tuple(new), tuple(findings), found.missing,
                         chosen_period)
