"""Speed of rule formulas: vectorised ``evaluate`` against per-row simpleeval, and loading.

Times one formula of the kind rule files use over N synthetic agencies (with NaN), both
ways (best of three), checks both give the same numbers, and times ``load_rules`` on the
bundled rule set and its online3 variant.

Run: ``python benchmarks/bench_expressions.py [N_AGENCIES]``
"""

from __future__ import annotations

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


def main(n: int) -> None:
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
    print(f"{n:,} agencies, {FORMULA!r}")
    print(f"  evaluate (numpy, all at once): {vector * 1e3:8.2f} ms")
    print(f"  evaluate_row (simpleeval, per row): {per_row * 1e3:8.1f} ms  "
          f"(x{per_row / vector:,.0f}); same numbers: {same}")
    for name in ("khanh-hoa-2022", "khanh-hoa-2022-online3"):
        t = best(lambda name=name: load_rules(REPO_ROOT / "rules" / name))
        print(f"  load_rules rules/{name}: {t * 1e3:.0f} ms (with its in-file tests)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
