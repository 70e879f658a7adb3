"""Build the wheel, check the bundled data is in it, install it and run it elsewhere.

A developer's and CI's tool (not shipped)::

    python tools/wheel_check.py            # build + check contents + install + run
    python tools/wheel_check.py --contents # build + check the contents only

The repository is copied to a temporary folder first, so the checkout gets no ``build/``
or ``*.egg-info``. The wheel is built as ``pip install .`` builds it (isolated, with the
build requirements of pyproject.toml) and installed with ``--no-deps`` into a fresh
virtual environment that sees the system's packages (pandas, numpy... are not downloaded
again); then ``cchc rank -o`` runs from an empty folder and the script
checks that the code came from the wheel, not from this checkout.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIRED = ("scoring/bundled/rules/khanh-hoa-2022/ruleset.yaml",
            "scoring/bundled/rules/khanh-hoa-2022/uncertainty.yaml",
            "scoring/bundled/rules/khanh-hoa-2022-online3/ruleset.yaml",
            "scoring/bundled/datasets/khanh-hoa-2022/agencies.csv",
            "scoring/bundled/datasets/khanh-hoa-2022/manifest.json",
            "scoring/bundled/datasets/sources/000_aa68a87f1e8bdfdf.txt")
SKIP = shutil.ignore_patterns(".git", "build", "dist", "*.egg-info", "__pycache__",
                              ".pytest_cache", ".hypothesis", ".ruff_cache", "*.xlsx", ".venv",
                              "bundled")


def build_wheel(work: Path) -> Path:
    """Copy the repository into ``work/src`` and build its wheel into ``work/dist``."""
    src = work / "src"
    shutil.copytree(ROOT, src, ignore=SKIP)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps",
                    "-w", str(work / "dist"), str(src)], check=True, cwd=work)
    wheels = sorted((work / "dist").glob("cchc-*.whl"))
    if len(wheels) != 1:
        raise SystemExit(f"wheel_check: expected one wheel, found {wheels}")
    return wheels[0]


def missing_data(wheel: Path) -> list[str]:
    """Bundled files that are not in ``wheel``."""
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    return [name for name in REQUIRED if name not in names]


def install_and_run(wheel: Path, work: Path) -> None:
    """Install ``wheel`` into a fresh venv and run ``cchc rank -o`` from an empty folder."""
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--system-site-packages", str(venv)],
                   check=True)
    py = venv / "bin" / "python"
    subprocess.run([str(py), "-m", "pip", "install", "-q", "--no-deps", "--force-reinstall",
                    str(wheel)], check=True)
    elsewhere = work / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH",)}
    where = subprocess.run([str(py), "-c", "import scoring, scoring.paths as p; "
                            "print(scoring.__file__); print(p.BUNDLED_RULES)"],
                           check=True, cwd=elsewhere, env=env, capture_output=True, text=True)
    module, rules = where.stdout.split("\n")[:2]
    if not module.startswith(str(venv)) or not rules.startswith(str(venv)):
        raise SystemExit(f"wheel_check: the code or data did not come from the wheel "
                         f"({module}, {rules})")
    out = work / "out" / "cchc.xlsx"
    out.parent.mkdir()
    subprocess.run([str(venv / "bin" / "cchc"), "rank", "-o", str(out)], check=True,
                   cwd=elsewhere, env=env, stdout=subprocess.DEVNULL)
    if not out.is_file() or out.read_bytes()[:2] != b"PK":
        raise SystemExit("wheel_check: cchc rank wrote no workbook")
    print(f"wheel_check: {wheel.name} installed and ran: {out.stat().st_size} bytes written")


def main(argv: list[str]) -> int:
    with tempfile.TemporaryDirectory(prefix="cchc-wheel-") as tmp:
        work = Path(tmp)
        wheel = build_wheel(work)
        missing = missing_data(wheel)
        if missing:
            print("wheel_check: bundled data missing from the wheel: " + ", ".join(missing),
                  file=sys.stderr)
            return 1
        print(f"wheel_check: {wheel.name} carries the bundled rules and datasets")
        if "--contents" not in argv:
            install_and_run(wheel, work)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
