"""Speed of rule formulas: simpleeval over whole columns, and loading rule files.

Times one formula of the kind rule files use (25 syntax nodes) over N synthetic agencies
(with NaN) and over one agency (the fixed cost of walking the formula with simpleeval:
``expression_one_agency_us``), best of three, and times ``load_rules`` on the bundled rule
set and its online3 variant.

Run: ``python benchmarks/bench.py expressions`` (100,000 agencies) or
``python benchmarks/expressions.py [N_AGENCIES]``. Prints JSON lines like the other benchmarks.
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

from scoring.expressions import compile_expression
from scoring.paths import REPO_ROOT
from scoring.rules.loader import load_rules

FORMULA = ("where(isna(late_rate), max_points, "
           "clip(max_points - round(late_rate, 2) * max_points / 5, 0, max_points)) "
           "+ min(online_rate / 50, 1) * (on_time_rate >= 95 and received > 0)")


def best(fn, repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit}), flush=True)


def main(n: int = 100_000) -> None:
    rng = np.random.default_rng(1)
    cols = {name: rng.uniform(0, 100, n) for name in
            ("late_rate", "online_rate", "on_time_rate", "received")}
    cols["late_rate"][rng.random(n) < 0.1] = np.nan
    cols["max_points"] = np.full(n, 2.0)
    expr = compile_expression(FORMULA, list(cols))
    one = {k: v[:1] for k, v in cols.items()}
    vector = best(lambda: expr.evaluate(cols))
    single = best(lambda: [expr.evaluate(one) for _ in range(1000)]) / 1000
    emit("expression_agencies", n, "agencies")
    emit("expression_evaluate_ms", round(vector * 1e3, 3), "ms")
    emit("expression_one_agency_us", round(single * 1e6, 1), "us")
    for name in ("khanh-hoa-2022", "khanh-hoa-2022-online3"):
        t = best(lambda name=name: load_rules(REPO_ROOT / "rules" / name))
        emit(f"load_rules_{name.replace('-', '_')}_ms", round(t * 1e3, 1), "ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
