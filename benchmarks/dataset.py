"""Speed of loading a large dataset, deriving indicators and resolving agency names.

Builds a synthetic dataset of 10,600 communes (plus the tiny test dataset) and 600 extra
tasks in a temporary folder, then times ``load_dataset``, ``derive_indicators`` and
``resolve_agency`` (best of three).

Run: ``python benchmarks/bench.py dataset`` (10,600 communes) or
``python benchmarks/dataset.py [N_COMMUNES]``. Prints JSON lines like the other benchmarks.
"""

from __future__ import annotations

import json
import random
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from fixtures_data import _agency, _dossier, _task, tiny_tables, write_dataset  # noqa: E402

from scoring.agencies import resolve_agency  # noqa: E402
from scoring.dataset import load_dataset  # noqa: E402
from scoring.indicators import derive_indicators  # noqa: E402


def build(folder: Path, n: int, seed: int = 1) -> Path:
    rng = random.Random(seed)
    t = tiny_tables()
    for i in range(n):
        t["agencies"].append(_agency(f"xa-{i}", f"Xã Số {i}", "commune", "huyen-dien-khanh"))
        rot, rl, pot, pl = (rng.randint(0, 500) for _ in range(4))
        total = rot + rl + pot + pl
        eligible = rng.randint(0, 800)
        online = rng.randint(0, eligible)
        t["dossiers"].append(_dossier(
            f"xa-{i}", total, rot + rl, rot, rl, pot + pl, pot, pl, rl + pl,
            round((rl + pl) / total * 100, 2) if total else None, online, eligible,
            round(online / eligible * 100, 2) if eligible else None, i))
    for j in range(600):
        leads = ";".join(f"xa-{rng.randrange(n)}" for _ in range(3))
        t["tasks"].append(_task(f"T{100 + j}", "I", "task", leads,
                                rng.choice(["done_on_time", "done_late", "not_done"])))
    return write_dataset(folder, t)


def best(fn, repeat: int = 3) -> tuple[float, object]:  # noqa: ANN001
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - t0)
    return min(times), result


def emit(metric: str, value: float, unit: str) -> None:
    print(json.dumps({"metric": metric, "value": value, "unit": unit}), flush=True)


def main(n: int = 10_600) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = build(Path(tmp) / "big", n)
        t_load, ds = best(lambda: load_dataset(folder))
        t_ind, _ = best(lambda: derive_indicators(ds))
        t0 = time.perf_counter()
        resolve_agency(ds, f"xa so {n - 1}")
        t_first = time.perf_counter() - t0
        t_again, _ = best(lambda: resolve_agency(ds, "Xã Số 5"))
    emit("dataset_agencies", len(ds.agencies), "agencies")
    emit("dataset_tasks", len(ds.tasks), "tasks")
    emit("load_dataset_s", round(t_load, 3), "s")
    emit("derive_indicators_s", round(t_ind, 4), "s")
    emit("resolve_agency_first_s", round(t_first, 4), "s")
    emit("resolve_agency_again_s", round(t_again, 4), "s")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_600)
