"""What the pages and the API do, once: score, explain, compare a variant, simulate,
what-if, write a workbook, take an upload. Handlers only read requests and render."""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi.responses import Response

from reports.workbook import default_filename, write_workbook
from scoring.agencies import resolve_agency
from scoring.collect import collect_folder, plan_writes, report_lines, write_plan
from scoring.engine import explain
from scoring.errors import CchcError, Problem, UsageError
from scoring.i18n import _, ngettext
from scoring.previous import read_previous, year_over_year
from scoring.simulate import check_against, load_uncertainty, simulate
from scoring.simulate.cli_support import parse_assignments
from scoring.simulate.compare import Comparison
from scoring.simulate.compare import compare as run_compare
from scoring.simulate.uncertainty import find_uncertainty
from scoring.simulate.whatif import Goal, goal_seek, whatif
from scoring.text import slug
from scoring.vocabulary import rule_texts

from . import uploads
from .library import Entry, Library, NotFound
from .variants import Attempt, Edit, edit_from_json, try_variant

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_RUNS = 5000


def agency_ledger(result: Any, query: str) -> tuple[str, pd.DataFrame]:
    """The id that ``query`` names (id or name) and its ledger rows, with the rule in words
    (``rule_text``)."""
    aid = resolve_agency(result.dataset, query)
    if aid not in result.totals.index:
        raise NotFound(Problem(_("{id!r} is not ranked by this rule set").format(id=aid),
                               field="agency", fix=_("pick a unit the ranking lists")))
    rows = explain(result, aid)
    rows["rule_text"] = rule_texts(result.rules, rows)
    return aid, rows


def rank_history(ctx: Any, result: Any, agency_id: str) -> dict[str, Any] | None:
    """Last year's rank and index of one unit (``--previous``), or None when not given.

    A previous file that cannot be read gives ``{"problems": [...]}`` (the page says why).
    """
    path = ctx.config.previous
    if path is None:
        return None
    ds = result.dataset
    try:
        stat = path.stat()
        prev = ctx.library.memo(("previous", str(path), stat.st_mtime_ns, stat.st_size,
                                 ds.content_hash), lambda: read_previous(path, ds))
    except (CchcError, OSError) as err:
        problems = [str(p) for p in err.problems] if isinstance(err, CchcError) else [str(err)]
        return {"problems": problems}
    yoy = year_over_year(result.totals, prev).loc[agency_id]
    return {"file": path.name, "rank": None if pd.isna(yoy["previous_rank"]) else
            int(yoy["previous_rank"]), "index": yoy["previous_index"],
            "change": None if pd.isna(yoy["rank_change"]) else int(yoy["rank_change"]),
            "new": bool(yoy["is_new"])}


# --------------------------------------------------------------------------- variants
@dataclass(frozen=True)
class Outcome:
    """A tried edit: the variant (or its problems) and, when it loads, the comparison."""

    base_id: str
    attempt: Attempt
    comparison: Comparison | None = None
    result: Any = None


def try_edit(ctx: Any, rules_id: str | None, data_id: str | None, edit: Edit) -> Outcome:
    """Load ``edit`` on a rule set, score it and compare with the base (cached)."""
    lib: Library = ctx.library
    base: Entry = lib.rules_entry(rules_id)
    base_rules = lib.load_rules(base.id)
    ds = lib.load_data(data_id)
    key = ("variant", base.id, base_rules.content_hash, edit.key())
    attempt = lib.memo(key, lambda: try_variant(ctx.config.workspace, base, base_rules, edit))
    if not attempt.ok:
        return Outcome(base.id, attempt)
    base_result = lib.result(base_rules, ds)
    new = lib.result(attempt.rules, ds)
    cmp = lib.memo(("compare", base_rules.content_hash, attempt.rules.content_hash,
                    ds.content_hash),
                   lambda: run_compare(base_result, new, label_a=base.id,
                                       label_b=attempt.rules.id))
    return Outcome(base.id, attempt, cmp, new)


def compare_json(ctx: Any, body: Mapping[str, Any]) -> Outcome:
    return try_edit(ctx, body.get("rules"), body.get("data"), edit_from_json(body))


# --------------------------------------------------------------------------- workbook
def workbook_response(ctx: Any, result: Any) -> Response:
    """The workbook of ``result`` as a download (written to the workspace, then removed)."""
    folder = Path(tempfile.mkdtemp(prefix="workbook-", dir=ctx.config.workspace / "tmp"))
    try:
        name = default_filename(result)
        path = write_workbook(result, folder / name).path
        content = Path(path).read_bytes()
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return Response(content, media_type=XLSX,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


# --------------------------------------------------------------------------- simulate
def simulation(ctx: Any, rules_id: str | None, data_id: str | None, runs: int,
               seed: int) -> Any:
    """Monte Carlo rank intervals over the rule set's declared uncertainties (cached)."""
    if not 1 <= runs <= MAX_RUNS:
        raise UsageError(Problem(_("runs must be between 1 and {n}").format(n=MAX_RUNS),
                                 field="runs", fix=_("e.g. 500")))
    if seed < 0:
        raise UsageError(Problem(_("the seed must be 0 or more"), field="seed",
                                 fix=_("e.g. 0")))
    lib: Library = ctx.library
    entry = lib.rules_entry(rules_id)
    rules = lib.load_rules(entry.id)
    ds = lib.load_data(data_id)
    upath = find_uncertainty(entry.path, rules.extends)
    unc = load_uncertainty(upath)
    check_against(unc, rules, file=upath)
    result = lib.result(rules, ds)
    return lib.memo(("simulate", rules.content_hash, ds.content_hash, str(upath), runs, seed),
                    lambda: simulate(result, unc, runs=runs, seed=seed, sensitivity=False))


def what_if(ctx: Any, rules_id: str | None, data_id: str | None, agency: str,
            sets: Mapping[str, str], goal: str, vary: str) -> dict[str, Any]:
    """What-if (``sets``) and, with ``goal`` and ``vary``, goal-seek for one unit."""
    lib: Library = ctx.library
    rules = lib.load_rules(rules_id)
    ds = lib.load_data(data_id)
    nominal = lib.result(rules, ds)
    aid = resolve_agency(ds, agency)
    items = [f"{k}={v}" for k, v in sets.items() if str(v).strip()]
    values = parse_assignments(items, "--set", numeric=True)
    if goal.strip() or vary.strip():
        if not (goal.strip() and vary.strip()):
            raise UsageError(Problem(_("a goal and the indicator to vary go together"),
                                     field="goal", fix=_("give both, e.g. rank:3 and "
                                                         "online_rate")))
        answer = goal_seek(rules, ds, aid, Goal.parse(goal), vary.strip(), set_values=values,
                           nominal=nominal)
        return {"agency_id": aid, "goal": answer, "whatif": answer.whatif}
    if not values:
        raise UsageError(Problem(_("nothing to change"), field="set",
                                 fix=_("give a new value for an indicator, or a goal")))
    return {"agency_id": aid, "goal": None,
            "whatif": whatif(rules, ds, aid, set_values=values, nominal=nominal)}


# --------------------------------------------------------------------------- uploads
def take_upload(ctx: Any, kind: str, stream: Any, filename: str, name: str,
                replace: bool) -> tuple[str, list[Problem]]:
    """Check an uploaded dataset zip or report and install it as a workspace dataset."""
    lib: Library = ctx.library
    limit = ctx.config.max_upload_bytes
    shown = Path(filename or "upload").name
    if kind not in ("dataset", "report"):
        raise UsageError(Problem(_("unknown kind of upload {kind!r}").format(kind=kind),
                                 field="kind", fix=_("choose a dataset zip or a report")))
    vid = uploads.dataset_id(name, shown)
    taken = {e.id for e in lib.datasets()}
    with uploads.staging(ctx.config.workspace) as folder:
        suffix = Path(shown).suffix.lower()
        if kind == "dataset" and suffix != ".zip":
            raise UsageError(Problem(_("a dataset must be uploaded as a .zip file"), file=shown,
                                     fix=_("compress the dataset folder as .zip")))
        safe = suffix if suffix in (".zip", *uploads.REPORT_SUFFIXES) else ".bin"
        saved = folder / f"{slug(Path(shown).stem) or 'upload'}{safe}"
        uploads.save_stream(stream, saved, limit, shown)
        built = folder / "dataset"
        if kind == "dataset":
            built.mkdir()
            uploads.unpack(saved, shown, built, limit)
        else:
            uploads.import_uploaded_report(saved, built, shown)
        warnings = uploads.check_built(built, shown)
        uploads.install(built, ctx.config.workspace, vid, replace=replace, taken=taken)
    return vid, warnings


@dataclass(frozen=True)
class Collected:
    """Filled forms collected into a workspace copy of a dataset."""

    dataset_id: str
    lines: tuple[str, ...]
    warnings: tuple[Problem, ...]


def take_forms(ctx: Any, rules_id: str | None, data_id: str | None,
               files: list[tuple[Any, str]], name: str, replace: bool) -> Collected:
    """Collect uploaded score forms (``.xlsx`` files, or zips of them) into a copy of
    dataset ``data_id``, installed as ``<workspace>/datasets/<name>``: all or nothing.

    The forms are checked cell by cell against ``rules_id`` by the code of ``cchc
    collect`` (the same messages, naming the uploaded files and cells); the copy is then
    checked as ``cchc check`` does and only then moved into place in one rename. The
    source dataset is never changed.
    """
    lib: Library = ctx.library
    limit = ctx.config.max_upload_bytes
    base = lib.data_entry(data_id)
    rules = lib.load_rules(rules_id)
    ds = lib.load_data(base.id)
    if not files:
        raise UsageError(Problem(_("no file was chosen"), field="file",
                                 fix=_("choose the filled forms (.xlsx) or a .zip of them")))
    vid = uploads.dataset_id(name or f"{base.id}-phieu", "")
    taken = {e.id for e in lib.datasets()}
    with uploads.staging(ctx.config.workspace) as folder:
        forms = folder / "forms"
        forms.mkdir()
        total = 0
        for stream, filename in files:
            shown = Path(filename or "upload").name
            if shown.lower().endswith(".zip"):
                saved = folder / f"upload-{total}.zip"
                total += uploads.save_stream(stream, saved, limit - total, shown)
                uploads.unpack_forms(saved, shown, forms, limit)
                saved.unlink()
                continue
            plain = uploads.form_name(filename or "", shown)
            if (forms / plain).exists():
                raise UsageError(Problem(_("two forms are named {name!r}").format(name=plain),
                                         file=plain, fix=_("keep one form per unit")))
            total += uploads.save_stream(stream, forms / plain, limit - total, shown)
        got = collect_folder(forms, rules, ds, workers=1)
        copy = folder / "dataset"
        shutil.copytree(base.path, copy, symlinks=False)
        plan = plan_writes(copy, rules, ds, got)
        write_plan(plan)
        lines = report_lines(got, plan, ngettext("{n} uploaded file", "{n} uploaded files",
                                                 len(files)).format(n=len(files)))
        warnings = uploads.check_built(copy, vid)
        uploads.install(copy, ctx.config.workspace, vid, replace=replace, taken=taken)
    return Collected(vid, tuple(lines), tuple(warnings))
