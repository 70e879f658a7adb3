"""Web application: server time of the ranking page and of a rule edit → shifts.

Requests go through the whole application in-process (FastAPI's test client: routing,
middleware, sessions, templates; no network), on warm caches as a running server has
them. Each rule edit is a new one (another threshold), so it is loaded, checked, scored
and compared every time. Yardstick, same process, interleaved: the same work done
directly with the engine (score for the page; load the variant + score + compare for the
edit), so the ratio shows what the web layer adds. Medians of interleaved runs.

    python benchmarks/bench.py web      # CCHC_BENCH_WEB=bundled or national: one of them

On the bundled data and on the synthetic national dataset (benchmarks/synthetic.py:
12,565 units; its rule set written as YAML so the loader reads it like any other).
"""

from __future__ import annotations

import json
import os
import re
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

from synthetic import make_dataset, make_rules  # noqa: E402

from cchc.web.app import create_app  # noqa: E402
from cchc.web.config import WebConfig  # noqa: E402
from cchc.web.library import Library  # noqa: E402
from scoring.dataset import load_dataset  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES  # noqa: E402
from scoring.rules.loader import load_rules  # noqa: E402
from scoring.simulate.compare import compare  # noqa: E402

RUNS = 7


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": round(value, 4), "unit": unit}), flush=True)


def timed(fn: Any) -> float:
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def csrf(client: TestClient) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', client.get("/rules").text).group(1)


def moved(bands: list[tuple[float | None, float | None, float]], old: float, new: float
          ) -> list[tuple[float | None, float | None, float]]:
    """The bands with the boundary ``old`` (a band's min and the next one's max) at ``new``."""
    return [(new if lo == old else lo, new if hi == old else hi, pts) for lo, hi, pts in bands]


def bands_form(code: str, bands: list[tuple[float | None, float | None, float]],
               max_points: float) -> dict[str, str]:
    form = {"leaf": code, "max": str(max_points)}
    for i, (lo, hi, pts) in enumerate(bands):
        form[f"band-{i}-min"] = "" if lo is None else str(lo)
        form[f"band-{i}-max"] = "" if hi is None else str(hi)
        form[f"band-{i}-points"] = str(pts)
    return form


def measure(label: str, client: TestClient, rules_id: str, data_id: str, code: str,
            rules: Any, ds: Any) -> None:
    leaf = rules.leaf(code)
    bands = [(b.min, b.max, b.points) for b in leaf.rule.bands]
    inner = sorted({b.min for b in leaf.rule.bands if b.min is not None}
                   & {b.max for b in leaf.rule.bands if b.max is not None})
    old = inner[-1]  # the boundary below the top band
    below = max([b.min for b in leaf.rule.bands if b.max == old and b.min is not None],
                default=old - 10)
    tops = [below + (old - below) * k / (RUNS * 2 + 2) for k in range(1, RUNS * 2 + 1)]
    token = csrf(client)
    base = load_rules(Library(client.app.state.ctx.config).rules_entry(rules_id).path)
    base_result = score(base, ds)
    page, edit, page_y, edit_y = [], [], [], []
    client.get(f"/?rules={rules_id}&data={data_id}")  # warm: the result is cached
    folder = Path(tempfile.mkdtemp())
    for i in range(RUNS):
        page.append(timed(lambda: client.get(f"/?rules={rules_id}&data={data_id}")))
        page_y.append(timed(lambda: score(base, ds).totals))
        form = {**bands_form(code, moved(bands, old, tops[2 * i]), leaf.max), "csrf_token": token,
                "rules": rules_id, "data": data_id}

        def post(form: dict[str, str] = form) -> None:
            r = client.post("/rules/preview", data=form)
            assert 'id="shift-summary"' in r.text, re.sub(r'<div class="field-error" id="[^"]+" '
                                                          r'hx-swap-oob="true"></div>\n', "",
                                                          r.text)[:2000]

        edit.append(timed(post))
        variant = moved(bands, old, tops[2 * i + 1])
        text = yaml.safe_dump({"extends": str(Library(client.app.state.ctx.config)
                                              .rules_entry(rules_id).path),
                               "id": "yardstick", "source": {"kind": "simulation",
                                                             "assumptions": "benchmark"},
                               "overrides": {code: {"rule": {"bands": [
                                   {k: v for k, v in zip(("min", "max", "points"), b,
                                                         strict=True) if v is not None}
                                   for b in variant]}}}})
        path = folder / f"v{i}.yaml"
        path.write_text(text, encoding="utf-8")
        edit_y.append(timed(lambda path=path: compare(base_result, score(load_rules(path), ds))))
    p, e = statistics.median(page), statistics.median(edit)
    emit(f"web_ranking_page_{label}_ms", p * 1000, "ms")
    emit(f"web_rule_edit_{label}_ms", e * 1000, "ms")
    emit(f"web_ranking_page_{label}_vs_engine", p / statistics.median(page_y), "x")
    emit(f"web_rule_edit_{label}_vs_engine", e / statistics.median(edit_y), "x")


def main() -> None:
    which = os.environ.get("CCHC_BENCH_WEB", "bundled,national").split(",")
    with tempfile.TemporaryDirectory() as tmp:
        app = create_app(WebConfig.make(Path(tmp) / "ws", password=""))
        if "bundled" in which:
            with TestClient(app) as client:
                measure("bundled", client, "khanh-hoa-2022", "khanh-hoa-2022", "3.2.1",
                        load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))
        if "national" not in which:
            return

        # national: the synthetic rule set as a YAML folder, its dataset given in memory
        rules = make_rules()
        folder = Path(tmp) / "rules" / "synthetic-national"
        folder.mkdir(parents=True)
        data = rules.model_dump(mode="json", exclude={"content_hash", "notes"},
                                exclude_none=True)
        (folder / "ruleset.yaml").write_text(yaml.safe_dump(data, allow_unicode=True),
                                             encoding="utf-8")
        ds = make_dataset(rules=rules)
        config = WebConfig.make(Path(tmp) / "ws2", rules=folder, password="")
        app = create_app(config)
        lib = app.state.ctx.library
        real = lib.load_data
        lib.load_data = lambda data_id: ds if data_id == "synthetic" else real(data_id)
        code = next(leaf.code for _a, _c, leaf in rules.trees["national"].leaves()
                    if leaf.rule.kind == "bands")
        with TestClient(app) as client:
            measure("national", client, "synthetic-national", "synthetic", code,
                    load_rules(folder), ds)


if __name__ == "__main__":
    main()
