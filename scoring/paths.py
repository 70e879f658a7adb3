"""Where the bundled rule set and dataset live (the defaults of every command).

In a checkout (or an editable install) they are the repository's ``rules/`` and
``datasets/``; an installed wheel carries a copy in ``scoring/bundled/`` (see setup.py).
"""

from __future__ import annotations

from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
PACKAGED_DATA = Path(__file__).resolve().parent / "bundled"
DATA_ROOT = (REPO_ROOT if (REPO_ROOT / "rules" / "khanh-hoa-2022").is_dir()
             else PACKAGED_DATA)
BUNDLED_RULES = DATA_ROOT / "rules" / "khanh-hoa-2022"
BUNDLED_DATASET = DATA_ROOT / "datasets" / "khanh-hoa-2022"
SEED_REPORT_NAME = "000_aa68a87f1e8bdfdf.txt"
SEED_REPORT = DATA_ROOT / "datasets" / "sources" / SEED_REPORT_NAME
# the bundled rule set as shipped: a workbook from any other rule set is titled as a trial
# (reports.workbook.changes; comments do not count). Changed the bundled rules on purpose?
# Put the new fingerprint here (tests/reports/test_official.py prints it).
BUNDLED_RULES_ID = "khanh-hoa-2022"
BUNDLED_RULES_SHA256 = "57ef3f757866c710449274d7dbac97749fd81df84a3722a78b400367a825a3bf"
