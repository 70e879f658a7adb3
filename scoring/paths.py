"""Where the bundled rule set and dataset live (the defaults of every command)."""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
BUNDLED_RULES = REPO_ROOT / "rules" / "khanh-hoa-2022"
BUNDLED_DATASET = REPO_ROOT / "datasets" / "khanh-hoa-2022"
SEED_REPORT_NAME = "000_aa68a87f1e8bdfdf.txt"
SEED_REPORT = REPO_ROOT / "datasets" / "sources" / SEED_REPORT_NAME
