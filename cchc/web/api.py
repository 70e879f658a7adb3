"""The JSON API under ``/api/``: the same results as the command line.

``GET /api/health``, ``/api/rulesets``, ``/api/datasets``, ``/api/score``,
``/api/explain/{agency_id}``, ``/api/workbook``; ``POST /api/compare``. Errors are
``{"error": "...", "problems": [...], "status": N}`` with the command line's messages.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from cchc.cli.score import FIELDS, records
from scoring.errors import Problem, UsageError
from scoring.i18n import _

from . import services
from .app import context
from .security import check_json_post
from .views import json_value
from .views import records as rows_of

router = APIRouter(prefix="/api")
EXPLAIN_COLUMNS = ["area", "criterion", "leaf", "name", "kind", "inputs", "value", "rule",
                   "rule_text", "points", "max_points", "leaf_max", "status"]
SHIFT_COLUMNS = ["agency_id", "agency", "group", "points_a", "points_b", "points_diff",
                 "index_a", "index_b", "index_diff", "rank_a", "rank_b", "rank_shift",
                 "class_a", "class_b", "class_changed", "leaves"]


@router.get("/health")
def health() -> dict[str, str]:
    return {"status": "ok"}


@router.get("/rulesets")
def rulesets(request: Request) -> list[dict[str, Any]]:
    lib = context(request).library
    return [{**e.public(), "default": e.id == lib.default_rules} for e in lib.rulesets()]


@router.get("/datasets")
def datasets(request: Request) -> list[dict[str, Any]]:
    lib = context(request).library
    return [{**e.public(), "default": e.id == lib.default_data} for e in lib.datasets()]


@router.get("/score")
def score(request: Request, rules: str | None = None, data: str | None = None
          ) -> list[dict[str, Any]]:
    """The rows of ``cchc score --format json``."""
    result = context(request).library.score(rules, data)
    table = records(result.totals)
    return [{k: json_value(v) for k, v in zip(FIELDS, row, strict=True)}
            for row in table.itertuples(index=False, name=None)]


@router.get("/explain/{agency_id}")
def explain(request: Request, agency_id: str, rules: str | None = None,
            data: str | None = None) -> dict[str, Any]:
    """One unit's totals and every ledger row (the columns of ``cchc explain --format csv``)."""
    result = context(request).library.score(rules, data)
    aid, ledger = services.agency_ledger(result, agency_id)
    t = result.totals.loc[aid]
    return {"agency_id": aid, "agency": str(t["agency"]), "group": str(t["group"]),
            "points": json_value(t["points"]), "max_points": json_value(t["max_points"]),
            "index": json_value(t["index"]), "rank": json_value(t["rank"]),
            "class": json_value(t["class"]), "leaves": rows_of(ledger, EXPLAIN_COLUMNS)}


@router.post("/compare")
async def compare(request: Request) -> Response:
    """Rank and class shifts per unit of ``overrides`` against the base rule set."""
    check_json_post(request)
    try:
        body = await request.json()
    except ValueError:
        raise UsageError(Problem(_("the request body is not valid JSON"), field="body",
                                 fix=_('send e.g. {"rules": "khanh-hoa-2022", "overrides": '
                                       '{}}'))) from None
    if not isinstance(body, dict):
        raise UsageError(Problem(_("the request body must be a JSON object"), field="body",
                                 fix=_('send e.g. {"rules": "khanh-hoa-2022", "overrides": '
                                       '{}}')))
    ctx = context(request)
    outcome = await run_in_threadpool(services.compare_json, ctx, body)
    if not outcome.attempt.ok:
        problems = [f"{k}: {m}" for k, ms in outcome.attempt.field_problems.items()
                    for m in ms] + list(outcome.attempt.problems)
        return JSONResponse({"error": "\n".join(problems), "problems": problems,
                             "status": 400}, status_code=400)
    cmp = outcome.comparison
    groups = {g: {k: json_value(v) for k, v in row.items()}
              for g, row in cmp.groups.iterrows()}
    return JSONResponse({"rules": outcome.base_id, "variant": outcome.attempt.rules.id,
                         "notes": list(outcome.attempt.rules.notes),
                         "agencies": rows_of(cmp.agencies, SHIFT_COLUMNS), "groups": groups})


@router.get("/workbook")
def workbook(request: Request, rules: str | None = None, data: str | None = None) -> Response:
    """The publication workbook (.xlsx) of a rule set and dataset."""
    ctx = context(request)
    result = ctx.library.score(rules, data)
    return services.workbook_response(ctx, result)
