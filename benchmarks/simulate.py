"""Simulation benchmarks: ``python benchmarks/bench.py simulate``.

Prints one JSON object per line (``{"metric", "value", "unit"}``):

* ``simulate_1000_bundled_s`` — 1,000 Monte Carlo runs with sensitivity (the default of
  ``cchc simulate``) on the bundled 2022 rule set, dataset and uncertainty file, including
  the one nominal ``score()`` (goal: under 2 s);
* ``simulate_1000_national_s`` — the same on the 10,600-commune synthetic set of
  ``benchmarks/synthetic.py`` (12,565 agencies, 96 leaves) with a declared uncertainty that
  uses every kind of source (goal: under 60 s), and ``..._nosens_s`` without sensitivity;
* ``simulate_national_peak_mib`` — peak memory the national simulation allocates
  (tracemalloc), and ``peak_rss_mib`` for the whole process;
* ``simulate_run_ms`` / ``rescore_ms`` / ``rescore_over_run`` — the cost of one simulated
  run (national, without sensitivity, divided by the runs) against one full ``score()``
  (best of 3, indicators given).
"""

from __future__ import annotations

import json
import resource
import time
import tracemalloc

from benchmarks.synthetic import make_dataset, make_rules
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.indicators import derive_indicators
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules
from scoring.simulate import Uncertainty, default_uncertainty_path, load_uncertainty, simulate

RUNS = 1000
SEED = 2022
NATIONAL_UNCERTAINTY = Uncertainty.model_validate({
    "leaf_max": [{"leaf": "1.1.1", "range": [1, 3]}, {"leaf": "3.1.1", "range": [1, 3]},
                 {"leaf": "5.1.1", "range": [1, 3]}],
    "band_shift": [{"leaf": "1.1.2", "by": 3}, {"leaf": "2.1.1", "by": 3}],
    "leave_one_out": {"leaves": "all", "probability": 0.5},
    "perturb": [{"kinds": ["manual", "survey"], "sd": 0.05}]})


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit}), flush=True)


def main() -> int:
    rules = load_rules(BUNDLED_RULES)
    ds = load_dataset(BUNDLED_DATASET)
    unc = load_uncertainty(default_uncertainty_path(BUNDLED_RULES))
    simulate(score(rules, ds), unc, runs=10, seed=SEED)          # warm-up (imports)
    times = []
    for _ in range(3):
        t = time.perf_counter()
        simulate(score(rules, ds), unc, runs=RUNS, seed=SEED)
        times.append(time.perf_counter() - t)
    emit("simulate_1000_bundled_s", round(min(times), 3), "s")

    nat_rules = make_rules()
    nat = make_dataset(seed=SEED, rules=nat_rules)
    indicators = derive_indicators(nat)
    rescores = []
    for _ in range(3):
        t = time.perf_counter()
        result = score(nat_rules, nat, indicators=indicators)
        rescores.append(time.perf_counter() - t)
    rescore = min(rescores)
    t = time.perf_counter()
    simulate(result, NATIONAL_UNCERTAINTY, runs=RUNS, seed=SEED, sensitivity=False)
    nosens = time.perf_counter() - t
    tracemalloc.start()
    t = time.perf_counter()
    simulate(score(nat_rules, nat, indicators=indicators), NATIONAL_UNCERTAINTY, runs=RUNS,
             seed=SEED)
    full = time.perf_counter() - t
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    emit("simulate_1000_national_s", round(full, 2), "s")
    emit("simulate_1000_national_nosens_s", round(nosens, 2), "s")
    emit("simulate_national_agencies", int(len(result.totals)), "agencies")
    emit("simulate_national_peak_mib", round(peak / 2**20, 1), "MiB")
    emit("simulate_run_ms", round(nosens / RUNS * 1000, 2), "ms")
    emit("rescore_ms", round(rescore * 1000, 1), "ms")
    emit("rescore_over_run", round(rescore / (nosens / RUNS), 1), "x")
    emit("peak_rss_mib", round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
         "MiB")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
