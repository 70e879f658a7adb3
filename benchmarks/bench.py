"""Benchmark dispatcher: ``python benchmarks/bench.py <name>`` runs ``benchmarks/<name>.py``'s
``main()``, which prints one JSON object per line: ``{"metric", "value", "unit"}``.

Examples
--------
$ python benchmarks/bench.py engine
{"metric": "score_rank_national_s", "value": 0.27, "unit": "s"}
...
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def available() -> list[str]:
    """Benchmark names (modules of this folder with a ``main``)."""
    return sorted(p.stem for p in HERE.glob("*.py")
                  if p.stem not in ("bench", "synthetic", "__init__")
                  and "def main(" in p.read_text(encoding="utf-8"))


def run(name: str) -> int:
    """Import ``benchmarks/<name>.py`` and call its ``main()``."""
    path = HERE / f"{name}.py"
    if name not in available():
        print(f"bench: unknown benchmark {name!r}; available: {', '.join(available())}",
              file=sys.stderr)
        return 2
    sys.path.insert(0, str(HERE.parent))
    spec = importlib.util.spec_from_file_location(f"benchmarks.{name}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return int(module.main() or 0)


if __name__ == "__main__":
    if len(sys.argv) != 2 or sys.argv[1] in ("-h", "--help"):
        print("usage: python benchmarks/bench.py <name>   (" + ", ".join(available()) + ")",
              file=sys.stderr)
        sys.exit(2)
    sys.exit(run(sys.argv[1]))
