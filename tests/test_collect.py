"""The annual cycle's round trip: forms out, filled (openpyxl), refused with one message per
bad cell and nothing written, corrected, collected, scored — the engine gives for every unit
the points computed by hand from the values filled in."""

from __future__ import annotations

import hashlib
import math
import shutil
from pathlib import Path

import pytest

from reports.forms import write_forms
from scoring.collect import collect_folder, plan_writes, write_plan
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.errors import DataError
from scoring.i18n import language
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES, REPO_ROOT
from scoring.rules.loader import load_rules
from tests.forms_fill import fill_form, fill_survey, form_meta, set_cell, set_meta

RULES = load_rules(BUNDLED_RULES)
OPTIONS = {"A": 100.0, "B": 60.0, "C": 20.0, "D": 0.0}
ANSWERS = {"A": (5, 9, 1), "B": (2, 0, 4), "C": (1, 3), "D": (0, 2)}


def _digest(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir())}


def _collect(forms: Path, data: Path) -> list[Path]:
    ds = load_dataset(data)
    got = collect_folder(forms, RULES, ds)
    return write_plan(plan_writes(data, RULES, ds, got))


@pytest.fixture
def setup(tmp_path):
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATASET, data)

    def make(group: str | None, rules=RULES) -> Path:
        out = tmp_path / "forms"
        with language("vi"):
            write_forms(score(rules, load_dataset(data)), out, group=group,
                        inputs=(BUNDLED_RULES, data))
        return out

    return data, make


def _score_forms(forms: Path) -> list[Path]:
    return sorted(p for p in forms.glob("*.xlsx") if not p.name.startswith("dieu-tra-"))


def _fill_all(forms: Path) -> dict[str, dict]:
    filled = {}
    for k, path in enumerate(_score_forms(forms)):
        filled[form_meta(path)[0]["agency_id"]] = fill_form(path, k)
    return filled


def _expected(forms: Path, filled: dict[str, dict],
              surveys: dict[tuple[str, str], dict]) -> dict[str, tuple[float, float]]:
    """By hand: (points, max) per unit from the forms' locked rows and the values filled."""
    out = {}
    for path in forms.glob("*.xlsx"):
        if path.name.startswith("dieu-tra-"):
            continue
        meta, rows = form_meta(path)
        aid = meta["agency_id"]
        pts, mx = [], []
        for r in rows:
            if r.role == "computed" and r.points is not None:
                pts.append(r.points)
                mx.append(r.max)
            elif r.role == "input":
                own, appraised = filled[aid][r.code]
                pts.append(appraised if appraised is not None else own)
                mx.append(r.max)
            elif r.role == "survey" and (aid, r.code) in surveys:
                counts = surveys[(aid, r.code)]
                n = sum(counts.values())
                if n:
                    share = sum(OPTIONS[o] * c for o, c in counts.items()) / n
                    pts.append(r.max * share / 100)
                    mx.append(r.max)
            elif r.role in ("bonus", "deduction"):
                own, appraised = filled[aid][r.code]
                value = min(appraised if appraised is not None else own, r.max)
                pts.append(value if r.role == "bonus" else -value)
        out[aid] = (max(math.fsum(pts), 0.0), math.fsum(mx))
    return out


def _first_input(path: Path, role: str = "input"):
    return next(r for r in form_meta(path)[1] if r.role == role)


def _round_trip(setup, group: str | None) -> None:
    data, make = setup
    forms = make(group)
    filled = _fill_all(forms)
    surveys = {}
    for path in sorted(forms.glob("dieu-tra-*.xlsx")):
        surveys.update(fill_survey(path, ANSWERS))
    names = _score_forms(forms)
    before = _digest(data)

    # bad cells, one of each kind
    f_range, f_text, f_lock, f_reason, f_dup = names[:5]
    r = _first_input(f_range)
    set_cell(f_range, f"E{r.row}", r.max + 1)
    r = _first_input(f_text)
    set_cell(f_text, f"E{r.row}", "hai điểm")
    r_locked = next(x for x in form_meta(f_lock)[1] if x.role == "computed")
    set_cell(f_lock, f"C{r_locked.row}", r_locked.max + 5)
    r = _first_input(f_reason)
    set_cell(f_reason, f"E{r.row}", r.max)
    set_cell(f_reason, f"G{r.row}", 0)
    set_cell(f_reason, f"H{r.row}", None)
    shutil.copy(f_dup, forms / "ban-sao.xlsx")
    with language("vi"), pytest.raises(DataError) as err:
        _collect(forms, data)
    problems = err.value.problems
    texts = [str(p) for p in problems]
    assert len(problems) == 6, "\n".join(texts)
    sheet = "Phiếu chấm điểm"
    expect = [(f_range.name, f"{sheet}!E{_first_input(f_range).row}", "ngoài phạm vi"),
              (f_text.name, f"{sheet}!E{_first_input(f_text).row}", "là chữ trong ô phải ghi số"),
              (f_lock.name, f"{sheet}!C{r_locked.row}", "ô bị khóa đã bị sửa"),
              (f_reason.name, f"{sheet}!H{_first_input(f_reason).row}", "chưa ghi lý do"),
              (f_dup.name, None, "có 2 phiếu"), ("ban-sao.xlsx", None, "có 2 phiếu")]
    for file, field, words in expect:
        hits = [p for p in problems if p.file == file and p.field == field and words in p.message]
        assert len(hits) == 1, (file, field, words, texts)
    assert all(p.fix for p in problems)
    assert _digest(data) == before  # nothing written

    # corrected: the unit fixes its cells, the copy goes
    for k, path in enumerate(names):
        if path in (f_range, f_text, f_reason):
            filled[form_meta(path)[0]["agency_id"]] = fill_form(path, k)
    set_cell(f_lock, f"C{r_locked.row}", r_locked.max)
    set_cell(f_reason, f"H{_first_input(f_reason).row}", "Thiếu tài liệu kiểm chứng")
    (forms / "ban-sao.xlsx").unlink()
    written = _collect(forms, data)
    assert {p.name for p in written} >= {"scores.csv", "surveys.csv"}

    result = score(RULES, load_dataset(data))
    want = _expected(forms, filled, surveys)
    totals = result.totals
    assert len(want) == len(names)
    for aid, (pts, mx) in want.items():
        got = totals.loc[aid]
        assert math.isclose(got["points"], pts, abs_tol=1e-9), (aid, got["points"], pts)
        assert math.isclose(got["max_points"], mx, abs_tol=1e-9), (aid, got["max_points"], mx)

    # collecting the same forms again changes nothing, byte for byte
    after = _digest(data)
    assert _collect(forms, data) == []
    assert _digest(data) == after


def test_round_trip_one_group(setup):
    _round_trip(setup, "district")


@pytest.mark.slow
def test_round_trip_every_ranked_unit(setup):
    _round_trip(setup, None)


def test_rows_the_forms_do_not_touch_are_kept(setup):
    data, make = setup
    (data / "scores.csv").write_text(
        "agency_id,leaf,self_points,appraised_points,note\n"
        "so-y-te,1.1.1,1,,\n"
        "ubnd-huyen-cam-lam,1.1.1,0.5,1,Bổ sung tài liệu\n", encoding="utf-8")
    forms = make("district")
    for path in forms.glob("dieu-tra-*.xlsx"):
        path.unlink()
    # the district form starts from the dataset's values
    cam_lam = forms / "ubnd-huyen-cam-lam.xlsx"
    row = _first_input(cam_lam)
    import openpyxl

    ws = openpyxl.load_workbook(cam_lam)["Phiếu chấm điểm"]
    assert (ws[f"E{row.row}"].value, ws[f"G{row.row}"].value) == (0.5, 1)
    set_cell(cam_lam, f"E{row.row}", 1)
    _collect(forms, data)
    lines = (data / "scores.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "agency_id,leaf,self_points,appraised_points,note"
    assert "so-y-te,1.1.1,1,," in lines         # untouched row kept
    assert "ubnd-huyen-cam-lam,1.1.1,1,1,Bổ sung tài liệu" in lines


def test_a_form_of_another_rule_version_or_unit_is_recognised(setup, tmp_path):
    data, make = setup
    variant = load_rules(REPO_ROOT / "rules" / "khanh-hoa-2022-online3")
    forms = make("district", rules=variant)
    with language("vi"), pytest.raises(DataError) as err:
        _collect(forms, data)
    assert all("bộ tiêu chí" in p.message for p in err.value.problems)
    assert len(err.value.problems) == len(list(forms.glob("*.xlsx")))
    assert not (data / "scores.csv").exists()


def test_not_a_form_and_unknown_unit(setup):
    data, make = setup
    forms = make("district")
    (forms / "notes.xlsx").write_bytes(b"not a zip")
    set_meta(forms / "ubnd-huyen-cam-lam.xlsx", "agency_id", "ubnd-huyen-khong-co")
    with language("vi"), pytest.raises(DataError) as err:
        _collect(forms, data)
    texts = [str(p) for p in err.value.problems]
    assert any(t.startswith("notes.xlsx:") and "không đọc được" in t for t in texts), texts
    assert any("ubnd-huyen-khong-co" in t and "không thuộc diện xếp hạng" in t for t in texts)
    assert len(texts) == 2, texts


def test_reading_in_parallel_gives_the_same_result(setup):
    data, make = setup
    forms = make("district")
    _fill_all(forms)
    set_cell(_score_forms(forms)[0], "E13", "sai")  # one problem travels back too
    ds = load_dataset(data)
    one = collect_folder(forms, RULES, ds, workers=1)
    two = collect_folder(forms, RULES, ds, workers=2)
    assert one == two and len(one.problems) == 1 and len(one.scores) > 100


@pytest.mark.slow
def test_forms_resaved_by_libreoffice_still_collect(setup, tmp_path):
    from reports.render import find_soffice, recalculate

    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")
    data, make = setup
    forms = make("district")
    _fill_all(forms)
    for path in sorted(forms.glob("dieu-tra-*.xlsx")):
        fill_survey(path, ANSWERS)
    keep = [*_score_forms(forms)[:3], *forms.glob("dieu-tra-*.xlsx")]
    mine = tmp_path / "mine"
    mine.mkdir()
    for p in keep:
        shutil.copy(p, mine / p.name)
    resaved = tmp_path / "resaved"
    for p in keep:
        recalculate(p, resaved)  # opened and saved again by LibreOffice, as a user would
    ds = load_dataset(data)
    ours, theirs = collect_folder(mine, RULES, ds), collect_folder(resaved, RULES, ds)
    assert not theirs.problems, [str(p) for p in theirs.problems]
    assert theirs.scores == ours.scores and len(ours.scores) > 50
    assert theirs.surveys == ours.surveys and len(ours.surveys) > 100
    # and a bad cell typed in LibreOffice's copy is still caught, at its cell
    bad = _score_forms(resaved)[0]
    row = _first_input(bad)
    set_cell(bad, f"E{row.row}", row.max + 2)
    texts = [str(p) for p in collect_folder(resaved, RULES, ds).problems]
    assert len(texts) == 1 and f"!E{row.row}:" in texts[0], texts
