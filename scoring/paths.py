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
# the bundled rule set as shipped: a workbook from any other content is titled as a trial
# (reports.workbook.changes). Change the bundled rules deliberately? Put the new
# content_hash here (tests/reports/test_official.py prints it).
BUNDLED_RULES_ID = "khanh-hoa-2022"
BUNDLED_RULES_SHA256 = "8ce7ac0ed9592a2cdba6f9cced23084972252e069543061ea1e1621d9ef808bb"
