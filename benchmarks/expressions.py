"""Speed of rule formulas: vectorised ``evaluate`` against per-row simpleeval, and loading.

Times one formula of the kind rule files use over N synthetic agencies (with NaN), both
ways (best of three), checks both give the same numbers, and times ``load_rules`` on the
bundled rule set and its online3 variant.

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
from scoring.rules import load_rules

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
    rows = [{k: float(v[i]) for k, v in cols.items()} for i in range(n)]
    vector = best(lambda: expr.evaluate(cols))
    per_row = best(lambda: [expr.evaluate_row(r) for r in rows], repeat=1)
    same = np.array_equal(expr.evaluate(cols), np.array([expr.evaluate_row(r) for r in rows]),
                          equal_nan=True)
    if not same:
        raise SystemExit("evaluate and evaluate_row disagree")
    emit("expression_agencies", n, "agencies")
    emit("expression_vectorised_ms", round(vector * 1e3, 3), "ms")
    emit("expression_per_row_ms", round(per_row * 1e3, 1), "ms")
    emit("expression_speedup", round(per_row / vector, 1), "x")
    for name in ("khanh-hoa-2022", "khanh-hoa-2022-online3"):
        t = best(lambda name=name: load_rules(REPO_ROOT / "rules" / name))
        emit(f"load_rules_{name.replace('-', '_')}_ms", round(t * 1e3, 1), "ms")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
