"""Build the illustrative dataset ``datasets/khanh-hoa-2022-demo`` (a developer's tool).

The bundled 2022 dataset feeds only four leaves from the province's report; the rest of
the index — the self-assessment, the council's appraisal and the sociological survey —
comes from forms the report does not contain. This script shows the whole cycle on made-up
numbers, with a fixed seed, exactly as a Sở Nội vụ would run it:

1. copy the bundled dataset's tables (agencies, dossiers, tasks, review, findings) into a
   new folder whose manifest says ``"illustrative": true`` (every title made from it is
   stamped ``SỐ LIỆU MINH HỌA``);
2. ``cchc forms``: write every ranked unit's score form and each group's survey workbook;
3. fill them with openpyxl as units and the council would: self-assessed points near the
   top, about a third of them lowered on appraisal with a reason, bonus and deduction for a
   few units, survey answer counts per option;
4. ``cchc collect``: read them back into ``scores.csv`` and ``surveys.csv``.

The real dataset is not touched. Run from the repository root::

    python tools/make_demo.py            # rewrites datasets/khanh-hoa-2022-demo
    python tools/make_demo.py --out DIR  # anywhere else (tests compare the two)

The numbers are invented: do not quote them as Khánh Hòa's results.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import shutil
import sys
import tempfile
from datetime import datetime
from pathlib import Path

import openpyxl

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from reports.forms import write_forms  # noqa: E402
from scoring.collect import collect_folder, plan_writes, write_plan  # noqa: E402
from scoring.dataset import load_dataset  # noqa: E402
from scoring.engine import score  # noqa: E402
from scoring.forms import (  # noqa: E402
    APPRAISED_COL,
    EVIDENCE_COL,
    INPUT_ROLES,
    KIND_SCORE,
    META_SHEET,
    REASON_COL,
    SELF_COL,
    decode_records,
)
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES  # noqa: E402
from scoring.rules.loader import load_rules  # noqa: E402

SEED = 2022
DEMO = ROOT / "datasets" / "khanh-hoa-2022-demo"
COPIED = ("agencies.csv", "dossiers.csv", "tasks.csv", "review.csv", "findings.csv")
WHEN = datetime(2023, 1, 15)
REASONS = ("Tài liệu kiểm chứng chưa đầy đủ", "Ban hành chậm so với kế hoạch",
           "Chưa có báo cáo kết quả thực hiện", "Không đạt chỉ tiêu đề ra")
EVIDENCE = ("Kế hoạch số {n}/KH-{u}", "Báo cáo số {n}/BC-{u}", "Quyết định số {n}/QĐ-{u}")
NOTE = ("Số liệu minh họa: điểm tự chấm, điểm thẩm định và kết quả điều tra xã hội học "
        "(scores.csv, surveys.csv) là số bịa đặt, sinh bởi tools/make_demo.py với seed 2022, "
        "để trình bày trọn chu trình chấm điểm; không phải kết quả của tỉnh Khánh Hòa. "
        "Các bảng còn lại sao từ datasets/khanh-hoa-2022.")


def _meta(wb: openpyxl.Workbook) -> tuple[dict, list[tuple]]:
    meta, recs = {}, []
    cells = (r[0] for r in wb[META_SHEET].iter_rows(max_col=1, values_only=True))
    for rec in decode_records(cells):
        if rec[0] == "meta":
            meta[rec[1]] = rec[2]
        else:
            recs.append(rec)
    return meta, recs


def _quarter(x: float) -> float:
    return round(x * 4) / 4


def fill_score_form(path: Path, rng: random.Random) -> None:
    """Self-assessed points near the top; a third appraised lower, with a reason."""
    wb = openpyxl.load_workbook(path)
    meta, recs = _meta(wb)
    ws = wb[meta["sheet"]]
    strength = rng.uniform(0.55, 1.0)  # how good the unit is
    initials = "".join(w[0] for w in str(meta["agency_id"]).split("-")[:3]).upper()
    for rec in recs:
        if rec[0] != "row" or rec[3] not in INPUT_ROLES:
            continue
        row, hi, role = int(rec[1]), float(rec[4]), rec[3]
        if role == "bonus":
            own = _quarter(rng.uniform(0, hi)) if rng.random() < 0.15 else None
        elif role == "deduction":
            own = _quarter(rng.uniform(0, 2)) if rng.random() < 0.1 else None
        else:
            own = min(hi, _quarter(hi * min(1.0, strength + rng.uniform(0, 0.35))))
        if own is None:
            continue
        ws.cell(row, SELF_COL).value = own
        ws.cell(row, EVIDENCE_COL).value = rng.choice(EVIDENCE).format(
            n=rng.randint(10, 480), u=initials)
        if role != "deduction" and own > 0 and rng.random() < 0.33:
            ws.cell(row, APPRAISED_COL).value = max(0.0, own - _quarter(rng.uniform(0.25, own)))
            ws.cell(row, REASON_COL).value = rng.choice(REASONS)
        elif role == "deduction" or rng.random() < 0.5:
            ws.cell(row, APPRAISED_COL).value = own
    wb.save(path)


def fill_survey(path: Path, rng: random.Random) -> None:
    """Answer counts per option for every unit (30–120 answers, mostly A and B)."""
    wb = openpyxl.load_workbook(path)
    meta, recs = _meta(wb)
    ws = wb[meta["sheet"]]
    cols = [(int(r[1]), r[2], r[3] or "") for r in recs if r[0] == "col"]
    for rec in recs:
        if rec[0] != "unit":
            continue
        row = int(rec[1])
        mood = rng.uniform(0.4, 0.9)
        for col, _leaf, opt in cols:
            n = rng.randint(30, 120)
            weights = {"A": mood, "B": (1 - mood) * 0.6, "C": (1 - mood) * 0.3,
                       "D": (1 - mood) * 0.1}
            ws.cell(row, col).value = (round(n * weights.get(opt, 0.25)) if opt
                                       else round(100 * mood, 1))
    wb.save(path)


def build(out: Path) -> None:
    """Write the demo dataset into ``out`` (replaced as a whole at the end)."""
    rules = load_rules(BUNDLED_RULES)
    rng = random.Random(SEED)
    out = out.resolve()
    out.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".demo-", dir=out.parent) as tmp:
        data = Path(tmp) / "data"
        data.mkdir()
        for name in COPIED:
            shutil.copy(BUNDLED_DATASET / name, data / name)
        manifest = json.loads((BUNDLED_DATASET / "manifest.json").read_text(encoding="utf-8"))
        manifest["name"] = "khanh-hoa-2022-demo"
        manifest["illustrative"] = True
        manifest["note"] = NOTE
        manifest["files"] = {k: v for k, v in manifest.get("files", {}).items()
                             if k in COPIED}
        (data / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2)
                                            + "\n", encoding="utf-8")
        forms = Path(tmp) / "forms"
        write_forms(score(rules, load_dataset(data)), forms, created=WHEN)
        for path in sorted(forms.glob("*.xlsx")):
            wb = openpyxl.load_workbook(path, read_only=True)
            kind = _meta(wb)[0]["kind"]
            wb.close()
            (fill_score_form if kind == KIND_SCORE else fill_survey)(path, rng)
        ds = load_dataset(data)
        got = collect_folder(forms, rules, ds)
        write_plan(plan_writes(data, rules, ds, got))
        # the manifest lists the collected tables too, with their checksums
        for n in ("scores.csv", "surveys.csv"):
            manifest["files"][n] = hashlib.sha256((data / n).read_bytes()).hexdigest()
        (data / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2)
                                            + "\n", encoding="utf-8")
        (data / "README.md").write_text(_readme(), encoding="utf-8")
        old = Path(tmp) / "old"
        if out.exists():
            out.rename(old)
        data.rename(out)


def _readme() -> str:
    return (
        "# khanh-hoa-2022-demo — SỐ LIỆU MINH HỌA\n\n"
        + NOTE + "\n\n"
        "Tạo lại (từ thư mục gốc của kho mã):\n\n"
        "```\npython tools/make_demo.py\n```\n\n"
        "Cách làm: `cchc forms` ghi phiếu chấm điểm cho mọi đơn vị được xếp hạng, kịch bản "
        "điền phiếu bằng số ngẫu nhiên (seed cố định) như đơn vị tự chấm và Hội đồng thẩm "
        "định, rồi `cchc collect` đọc phiếu vào `scores.csv` và `surveys.csv`. Mọi kết quả "
        "tính từ bộ dữ liệu này đều ghi `SỐ LIỆU MINH HỌA` trong tiêu đề.\n")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", type=Path, default=DEMO, help="target folder (replaced)")
    args = ap.parse_args(argv)
    build(args.out)
    print(f"demo dataset written to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
