"""The pages: Xếp hạng, Đơn vị, Thử quy tắc, Mô phỏng, Dữ liệu (and sign-in).

Each handler reads the request, asks :mod:`cchc.web.services` / :mod:`cchc.web.views`
and renders a template; htmx requests get the part of the page they replace.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from scoring.dataset import check_dataset
from scoring.errors import CchcError, Problem, UsageError
from scoring.i18n import _, normalize_language
from scoring.text import fold
from scoring.vocabulary import indicator_label

from . import services, views
from .app import Context, context
from .charts import interval_chart
from .security import checked_form
from .users import sign_in
from .variants import (
    WEIGHT_STATUSES,
    class_form,
    editable_leaves,
    leaf_form,
    parse_form,
    save_variant,
)

router = APIRouter()
WHATIF_INDICATORS = ("on_time_rate", "late_rate", "online_rate", "task_completion_rate",
                     "received", "resolved", "resolved_on_time", "late", "online",
                     "online_eligible")


def _partial(request: Request, target: str) -> bool:
    return request.headers.get("hx-request") == "true" and \
        request.headers.get("hx-target") == target


def _ids(request: Request, form: Any = None) -> tuple[str | None, str | None]:
    src = form if form is not None else request.query_params
    return (str(src.get("rules") or "") or None, str(src.get("data") or "") or None)


Handler = Callable[[Context, Request, Any], Response]


def _form_post(path: str, name: str) -> Callable[[Handler], Handler]:
    """Make ``handler(ctx, request, form)`` the POST route ``path``: the form is read and
    checked, then the handler runs in a worker thread (scoring is CPU work that must not
    hold up the event loop)."""
    def register(handler: Handler) -> Handler:
        async def route(request: Request) -> Response:
            ctx = context(request)
            form = await checked_form(request)
            return await run_in_threadpool(handler, ctx, request, form)
        router.post(path, name=name)(route)
        return handler
    return register


def _form_error(errors: dict[str, str]) -> UsageError:
    return UsageError([Problem(v, field=k) for k, v in errors.items()])


# --------------------------------------------------------------------------- ranking
@router.get("/")
def ranking(request: Request, q: str = "", klass: str = "", district: str = "",
            sort: str = "rank", desc: bool = False, all: bool = False) -> Response:  # noqa: A002
    ctx = context(request)
    rules_id, data_id = _ids(request)
    result = ctx.library.score(rules_id, data_id)
    pivots = ctx.library.memo(
        ("pivots", result.rules.content_hash, result.dataset.content_hash),
        lambda: {g.id: views.area_pivot(result, g.id) for g in result.rules.groups})
    groups = views.group_tables(result, q=q, klass=klass, district=district, sort=sort,
                                desc=desc, show_all=all, pivots=pivots)
    all_classes = list(dict.fromkeys(c for g in result.rules.groups
                                     for c in (*(k.label for k in g.classes), g.unclassified)))
    all_districts = sorted({d for g in groups for d in g.districts}, key=lambda d: fold(d[1]))
    values = {"groups": groups, "all_classes": all_classes, "all_districts": all_districts,
              "q": q, "klass": klass, "district": district, "sort": sort,
              "desc": desc, "show_all": all, "result": result,
              "warnings": [str(w) for w in ctx.library.fit(result.rules, result.dataset)],
              "rules_id": result.rules.id if rules_id is None else rules_id}
    name = "_groups.html" if _partial(request, "groups") else "ranking.html"
    return ctx.page(request, name, **values)


# --------------------------------------------------------------------------- one unit
@router.get("/unit/{agency_id}")
def unit(request: Request, agency_id: str) -> Response:
    ctx = context(request)
    rules_id, data_id = _ids(request)
    result = ctx.library.score(rules_id, data_id)
    aid, ledger = services.agency_ledger(result, agency_id)
    view = views.unit_view(result, aid, ledger)
    return ctx.page(request, "unit.html", unit=view, result=result,
                    history=services.rank_history(ctx, result, aid),
                    areas={a.code: a.name for a in result.rules.tree_of(view.group).areas})


# --------------------------------------------------------------------------- rules
def _rules_values(ctx: Context, request: Request, rules_id: str | None, leaf: str | None
                  ) -> dict[str, Any]:
    entry = ctx.library.rules_entry(rules_id)
    rules = ctx.library.load_rules(entry.id)
    leaves = editable_leaves(rules)
    code = leaf or ("3.2.1" if any(x["code"] == "3.2.1" for x in leaves) else
                    (leaves[0]["code"] if leaves else ""))
    return {"rules": rules, "entry": entry, "leaves": leaves, "leaf": leaf_form(rules, code)
            if code else None, "classes": class_form(rules), "statuses": WEIGHT_STATUSES,
            "rules_id": entry.id}


@router.get("/rules")
def rules_page(request: Request, leaf: str | None = None) -> Response:
    ctx = context(request)
    rules_id, _data = _ids(request)
    values = _rules_values(ctx, request, rules_id, leaf)
    name = "_leaf_fields.html" if _partial(request, "leaf-fields") else "rules.html"
    return ctx.page(request, name, **values)


def _try_form(ctx: Context, request: Request, form: Any) -> tuple[Any, Any, dict[str, str], Any]:
    """The rule edit of ``form``, tried when it reads: the rules, the edit, the form's field
    errors and the outcome (None when there are field errors)."""
    rules_id, data_id = _ids(request, form)
    rules = ctx.library.load_rules(rules_id)
    edit, errors = parse_form(rules, form)
    outcome = None if errors else services.try_edit(ctx, rules_id, data_id, edit)
    return rules, edit, errors, outcome


@_form_post("/rules/preview", "rules_preview")
def _preview(ctx: Context, request: Request, form: Any) -> Response:
    rules, edit, errors, outcome = _try_form(ctx, request, form)
    slots = _slots(rules, form)
    if errors:
        return ctx.page(request, "_preview.html", outcome=None, field_errors={
            _slot(k): [v] for k, v in errors.items()}, slots=slots, general=[])
    if not outcome.attempt.ok:
        return ctx.page(request, "_preview.html", outcome=None,
                        field_errors=dict(outcome.attempt.field_problems), slots=slots,
                        general=list(outcome.attempt.problems))
    return ctx.page(request, "_preview.html", outcome=outcome,
                    shifts=views.shifts(outcome.comparison), field_errors={}, slots=slots,
                    general=[], edit=edit)


def _slot(name: str) -> str:
    """The error slot of a form field (``band-2-min`` → ``band-2``)."""
    if name.startswith("band-"):
        return "-".join(name.split("-")[:2])
    return name


def _slots(rules: Any, form: Any) -> list[str]:
    out = ["leaf", "max", "bands", "weights", *(f"weight-{s}" for s in WEIGHT_STATUSES)]
    i = 0
    while f"band-{i}-points" in form:
        out.append(f"band-{i}")
        i += 1
    for g in rules.groups:
        out.append(f"class-{g.id}")
        out += [f"class-{g.id}-{i}" for i in range(len(g.classes))]
    return out


@_form_post("/rules/save", "rules_save")
def _save(ctx: Context, request: Request, form: Any) -> Response:
    rules_id, _data = _ids(request, form)
    entry = ctx.library.rules_entry(rules_id)
    rules = ctx.library.load_rules(entry.id)
    edit, errors = parse_form(rules, form)
    if errors:
        raise _form_error(errors)
    path = save_variant(ctx.config.workspace, entry, rules, edit, str(form.get("name") or ""),
                        {e.id for e in ctx.library.rulesets()}, str(form.get("note") or ""))
    return ctx.page(request, "_saved.html", saved_id=path.stem, saved_name=path.name,
                    text=path.read_text(encoding="utf-8"))


@_form_post("/rules/workbook", "rules_workbook")
def _variant_workbook(ctx: Context, request: Request, form: Any) -> Response:
    _rules, _edit, errors, outcome = _try_form(ctx, request, form)
    if errors:
        raise _form_error(errors)
    if not outcome.attempt.ok:
        raise UsageError([Problem(m, field=k) for k, ms in
                          outcome.attempt.field_problems.items() for m in ms]
                         + [Problem(m) for m in outcome.attempt.problems])
    return services.workbook_response(ctx, outcome.result)


# --------------------------------------------------------------------------- simulate
@router.get("/simulate")
def simulate_page(request: Request) -> Response:
    ctx = context(request)
    rules_id, data_id = _ids(request)
    result = ctx.library.score(rules_id, data_id)
    units = [(str(i), str(r["agency"]), str(r["group"]))
             for i, r in result.totals[result.totals["rank"].notna()].iterrows()]
    indicators = [(name, indicator_label(name)) for name in WHATIF_INDICATORS]
    return ctx.page(request, "simulate.html", units=units, indicators=indicators,
                    result=result)


def _int(form: Any, name: str, default: int) -> int:
    raw = str(form.get(name) or "").strip()
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise UsageError(Problem(_("{value!r} is not a whole number").format(value=raw),
                                 field=name, fix=_("write a whole number, e.g. 500"))) from None


@_form_post("/simulate/run", "simulate_run")
def _simulate(ctx: Context, request: Request, form: Any) -> Response:
    rules_id, data_id = _ids(request, form)
    runs, seed = _int(form, "runs", 500), _int(form, "seed", 0)
    sim = services.simulation(ctx, rules_id, data_id, runs, seed)
    tables = []
    a = sim.agencies
    for g, name in sim.group_names.items():
        part = a[a["group"] == g].sort_values(["nominal_rank", "agency"])
        if part.empty:
            continue
        chart = interval_chart(part["agency"].astype(str).tolist(),
                               part["nominal_rank"].astype(float).tolist(),
                               part["p05_rank"].astype(float).tolist(),
                               part["p95_rank"].astype(float).tolist(),
                               title=_("{group}: rank intervals (5th–95th percentile)")
                               .format(group=name))
        tables.append({"id": g, "name": name, "rows": part.reset_index().to_dict("records"),
                       "chart": chart})
    return ctx.page(request, "_simulation.html", sim=sim, tables=tables)


@_form_post("/simulate/whatif", "simulate_whatif")
def _whatif(ctx: Context, request: Request, form: Any) -> Response:
    rules_id, data_id = _ids(request, form)
    sets = {k: str(form.get(f"set-{k}") or "") for k in WHATIF_INDICATORS}
    out = services.what_if(ctx, rules_id, data_id, str(form.get("agency") or ""), sets,
                           str(form.get("goal") or ""), str(form.get("vary") or ""))
    return ctx.page(request, "_whatif.html", **out)


# --------------------------------------------------------------------------- data
@router.get("/data")
def data_page(request: Request) -> Response:
    return _data(context(request), request)


def _data(ctx: Context, request: Request, status: int = 200, **values: Any) -> Response:
    _rules, data_id = _ids(request)
    entry = ctx.library.data_entry(data_id)
    findings = None
    problems: list[Problem] = []
    try:
        ds = ctx.library.load_data(entry.id)
        findings = ds.findings
        problems = [p for p in check_dataset(entry.path) if p.severity != "error"]
    except CchcError as err:
        problems = list(err.problems)
    return ctx.page(request, "data.html", status=status, entry=entry, findings=findings,
                    checks=[str(p) for p in problems], data_id=entry.id,
                    max_mb=ctx.config.max_upload_bytes / 1024 / 1024, **values)


@router.post("/data/upload")
async def data_upload(request: Request) -> Response:
    ctx = context(request)
    form = await checked_form(request)
    if form.get("kind") == "forms":
        return await _forms_upload(ctx, request, form)
    upload = form.get("file")
    if upload is None or isinstance(upload, str) or not upload.filename:
        raise UsageError(Problem(_("no file was chosen"), field="file",
                                 fix=_("choose a file to upload")))
    try:
        vid, warnings = await run_in_threadpool(
            services.take_upload, ctx, str(form.get("kind") or "dataset"), upload.file,
            upload.filename, str(form.get("name") or ""), form.get("replace") == "on")
    except CchcError as err:
        return _data(ctx, request, status=400 if err.exit_code != 404 else 404,
                     upload_errors=[str(p) for p in err.problems])
    return _data(ctx, request, uploaded=vid, upload_warnings=[str(p) for p in warnings])


async def _forms_upload(ctx: Context, request: Request, form: Any) -> Response:
    """Filled score forms → a workspace copy of the chosen dataset (``cchc collect``)."""
    rules_id, data_id = _ids(request, form)
    files = [(f.file, f.filename) for f in form.getlist("file")
             if not isinstance(f, str) and f.filename]
    try:
        done = await run_in_threadpool(
            services.take_forms, ctx, rules_id, data_id, files, str(form.get("name") or ""),
            form.get("replace") == "on")
    except CchcError as err:
        return _data(ctx, request, status=400 if err.exit_code != 404 else 404,
                     upload_errors=[str(p) for p in err.problems])
    return _data(ctx, request, uploaded=done.dataset_id, collected=list(done.lines),
                 upload_warnings=[str(p) for p in done.warnings])


# --------------------------------------------------------------------------- sign-in
@router.get("/login")
def login_page(request: Request, next: str = "/") -> Response:  # noqa: A002
    ctx = context(request)
    return ctx.page(request, "login.html", next=_local(next), failed=False,
                    named=ctx.config.users_file is not None)


def _local(target: str) -> str:
    """Only a path of this site (no scheme, no host) may follow the sign-in."""
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return "/"
    return target


@router.post("/login")
async def login(request: Request) -> Response:
    ctx = context(request)
    form = await checked_form(request)
    target = _local(str(form.get("next") or "/"))
    config = ctx.config
    who = await run_in_threadpool(sign_in, config.users_file, config.password_hash,
                                  str(form.get("user") or ""), str(form.get("password") or ""))
    if who is None:
        return ctx.page(request, "login.html", status=401, next=target, failed=True,
                        named=config.users_file is not None)
    request.session["user"] = who
    return RedirectResponse(target, status_code=303)


@router.post("/logout")
async def logout(request: Request) -> Response:
    await checked_form(request)
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.get("/lang/{code}")
def switch_language(request: Request, code: str, next: str = "/") -> Response:  # noqa: A002
    response = RedirectResponse(_local(next), status_code=303)
    response.set_cookie("lang", normalize_language(code), max_age=365 * 24 * 3600,
                        httponly=True, samesite="strict")
    return response
