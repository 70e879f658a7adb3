"""The bundled dataset plus a small scores.csv and surveys.csv, for the annual-cycle tests.

Three departments are scored on manual leaves of the bundled rules (department tree):

* ``so-tai-chinh``: 1.1.1 self 1 appraised 1 (same); 1.2.1 self 2 appraised 1.5 ("thiếu
  hồ sơ"); 2.2.1 self 3 appraised 2 ("chậm ban hành"); survey 8.1.1 answers A 50, B 50
  → (50 × 100 + 50 × 60) ÷ 100 = 80 % of 5 → 4.
  Self total on these leaves 6, appraised 4.5; differences −0.5 and −1 (total −1.5).
* ``so-tu-phap``: 1.1.1 self 1 (not appraised); 4.1.1 self 5 (capped at 3) appraised 2
  ("vượt tối đa"). Self counts 1 + 3 = 4, appraised 1 + 2 = 3; one difference −1.
* ``so-y-te``: 1.1.3 appraised 1 with no self points ("đơn vị không tự chấm"): self
  blank, difference blank.

Every other unit has no scores row, so its self column is blank and its points are the
engine's as before.
"""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

from scoring.paths import BUNDLED_DATASET

SCORES = [
    ("so-tai-chinh", "1.1.1", "1", "1", ""),
    ("so-tai-chinh", "1.2.1", "2", "1.5", "thiếu hồ sơ"),
    ("so-tai-chinh", "2.2.1", "3", "2", "chậm ban hành"),
    ("so-tu-phap", "1.1.1", "1", "", ""),
    ("so-tu-phap", "4.1.1", "5", "2", "vượt tối đa"),
    ("so-y-te", "1.1.3", "", "1", "đơn vị không tự chấm"),
]
SURVEYS = [("so-tai-chinh", "8.1.1", "A", "50"), ("so-tai-chinh", "8.1.1", "B", "50")]


def write_annual_dataset(folder: Path) -> Path:
    """Copy the bundled dataset to ``folder`` and add :data:`SCORES` and :data:`SURVEYS`."""
    shutil.copytree(BUNDLED_DATASET, folder)
    with (folder / "scores.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["agency_id", "leaf", "self_points", "appraised_points", "note"])
        w.writerows(SCORES)
    with (folder / "surveys.csv").open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["agency_id", "leaf", "option", "count"])
        w.writerows(SURVEYS)
    return folder
