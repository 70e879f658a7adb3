"""Score forms as a unit receives them: headers, locked and input cells, validation, live
subtotals that LibreOffice recalculates to the stored results, the hidden identity sheet,
and a page that renders like an official form."""

from __future__ import annotations

import shutil
from datetime import datetime

import openpyxl
import pytest

from reports.forms import write_forms
from reports.render import find_soffice, recalculate, render_png
from scoring.dataset import load_dataset
from scoring.engine import score
from scoring.errors import UsageError
from scoring.i18n import language
from scoring.paths import BUNDLED_DATASET, BUNDLED_RULES
from scoring.rules.loader import load_rules
from tests.forms_fill import form_meta

HEADERS = ["Mã", "Tiêu chí", "Điểm tối đa", "Cách chấm", "Điểm tự chấm",
           "Tài liệu kiểm chứng", "Điểm thẩm định", "Ý kiến thẩm định"]
WHEN = datetime(2023, 1, 1)


@pytest.fixture(scope="module")
def result():
    return score(load_rules(BUNDLED_RULES), load_dataset(BUNDLED_DATASET))


@pytest.fixture(scope="module")
def district_forms(result, tmp_path_factory):
    out = tmp_path_factory.mktemp("forms") / "out"
    with language("vi"):
        summary = write_forms(result, out, group="UBND cấp huyện", created=WHEN)
    return out, summary


def _need_soffice():
    if find_soffice() is None:
        pytest.skip("LibreOffice is not installed")


def test_one_form_per_ranked_unit_of_the_group_and_a_survey_workbook(district_forms, result):
    out, summary = district_forms
    ids = set(result.totals.index[result.totals["group"] == "district"])
    assert {p.stem for p in out.glob("*.xlsx")} == ids | {"dieu-tra-district"}
    assert summary.per_group == (("district", len(ids)),)
    assert summary.surveys == ("dieu-tra-district.xlsx",)


def test_headers_title_and_rows_follow_the_unit_tree(district_forms, result):
    out, _ = district_forms
    path = out / "ubnd-huyen-cam-lam.xlsx"
    meta, rows = form_meta(path)
    ws = openpyxl.load_workbook(path)["Phiếu chấm điểm"]
    head = int(meta["header_row"])
    assert [ws.cell(head, c).value for c in range(1, 9)] == HEADERS
    titles = [ws.cell(r, 1).value for r in range(1, head)]
    assert "PHIẾU CHẤM ĐIỂM CHỈ SỐ CẢI CÁCH HÀNH CHÍNH NĂM 2022" in titles
    assert any("UBND huyện Cam Lâm" in str(t) and "UBND cấp huyện" in str(t) for t in titles)
    assert any("phiên bản 2022.1" in str(t) for t in titles)
    tree = result.rules.tree_of("district")
    leaf_codes = [leaf.code for _a, _c, leaf in tree.leaves()]
    assert [r.code for r in rows if r.role in ("input", "computed", "survey")] == leaf_codes
    assert meta["agency_id"] == "ubnd-huyen-cam-lam"
    assert meta["rules_hash"] == result.rules.content_hash
    # computed leaves carry the engine's points
    ledger = result.agency_ledger("ubnd-huyen-cam-lam").set_index("leaf")
    for r in rows:
        if r.role == "computed" and r.points is not None:
            assert ws.cell(r.row, 5).value == pytest.approx(ledger.loc[r.code, "points"])
            assert ws.cell(r.row, 7).value == pytest.approx(ledger.loc[r.code, "points"])


def test_locked_input_validation_and_protection(district_forms):
    out, _ = district_forms
    path = out / "ubnd-huyen-cam-lam.xlsx"
    _meta, rows = form_meta(path)
    wb = openpyxl.load_workbook(path)
    ws = wb["Phiếu chấm điểm"]
    assert ws.protection.sheet and not ws.protection.password
    assert wb["cchc"].sheet_state == "veryHidden"
    validations = {str(c): dv for dv in ws.data_validations.dataValidation
                   for c in dv.sqref.ranges}
    for r in rows:
        if r.role == "input":
            for col in "EFGH":
                assert ws[f"{col}{r.row}"].protection.locked is False
            dv = validations[f"E{r.row}"]
            assert (dv.type, float(dv.formula1), float(dv.formula2)) == ("decimal", 0, r.max)
            assert dv.showErrorMessage and "từ 0 đến" in dv.error
        elif r.role == "computed":
            assert ws[f"E{r.row}"].protection.locked is not False
            assert f"E{r.row}" not in validations


def test_subtotals_are_formulas_over_the_form_own_cells(district_forms):
    out, _ = district_forms
    ws = openpyxl.load_workbook(out / "ubnd-huyen-cam-lam.xlsx")["Phiếu chấm điểm"]
    formulas = [c.value for row in ws.iter_rows() for c in row if c.data_type == "f"]
    assert len(formulas) > 30
    assert all(f.startswith("=") and "!" not in f and '"' not in f.replace('=""', "")
               for f in formulas), formulas[:5]


def test_text_like_a_formula_stays_text(tmp_path, result):
    ds = result.dataset
    name = ds.agencies.loc["ubnd-huyen-cam-lam", "name"]
    agencies = ds.agencies.copy()
    agencies.loc["ubnd-huyen-cam-lam", "name"] = '=HYPERLINK("http://x","y")'
    res = score(result.rules, ds.replace(agencies=agencies))
    write_forms(res, tmp_path / "f", group="district", created=WHEN)
    wb = openpyxl.load_workbook(tmp_path / "f" / "ubnd-huyen-cam-lam.xlsx")
    cells = [c for row in wb["Phiếu chấm điểm"].iter_rows() for c in row
             if isinstance(c.value, str) and "HYPERLINK" in c.value]
    assert cells and all(c.data_type == "s" for c in cells)
    assert name != agencies.loc["ubnd-huyen-cam-lam", "name"]


def test_existing_forms_are_not_overwritten_without_force(district_forms, result, tmp_path):
    out = tmp_path / "again"
    write_forms(result, out, group="district", created=WHEN)
    with language("vi"), pytest.raises(UsageError) as err:
        write_forms(result, out, group="district", created=WHEN)
    assert "--force" in str(err.value)
    write_forms(result, out, group="district", created=WHEN, force=True)


def test_output_inside_the_dataset_is_refused(result):
    with pytest.raises(UsageError):
        write_forms(result, BUNDLED_DATASET / "forms", inputs=(BUNDLED_DATASET,))
    assert not (BUNDLED_DATASET / "forms").exists()


def test_unknown_group_suggests(result, tmp_path):
    with language("vi"), pytest.raises(UsageError) as err:
        write_forms(result, tmp_path / "x", group="distric")
    assert "district" in str(err.value)


@pytest.mark.slow
def test_libreoffice_recalculates_every_form_to_its_stored_subtotals(tmp_path, result):
    _need_soffice()
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATASET, data)
    # prefilled values from an existing score table make the subtotals non-trivial
    lines = ["agency_id,leaf,self_points,appraised_points,note"]
    for k, aid in enumerate(result.totals.index[result.totals["group"] == "district"]):
        lines += [f"{aid},1.1.1,1,{0.5 if k % 2 else ''},{'Thiếu' if k % 2 else ''}",
                  f"{aid},2.1.1,{k % 3},,", f"{aid},T,1,2,Sáng kiến", f"{aid},D,0.5,,"]
    (data / "scores.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    res = score(result.rules, load_dataset(data))
    out = tmp_path / "forms"
    write_forms(res, out, group="district", created=WHEN)
    checked = 0
    for path in sorted(out.glob("*.xlsx")):
        stored = openpyxl.load_workbook(path, data_only=True)
        formulas = openpyxl.load_workbook(path)
        again = openpyxl.load_workbook(recalculate(path, tmp_path / "lo"), data_only=True)
        for ws in formulas.worksheets:
            for row in ws.iter_rows():
                for c in row:
                    if c.data_type == "f":
                        want = stored[ws.title][c.coordinate].value
                        got = again[ws.title][c.coordinate].value
                        assert got == pytest.approx(want, abs=1e-9), (path.name, c.coordinate)
                        checked += 1
    assert checked > 8 * 30


@pytest.mark.slow
def test_form_renders_to_png(district_forms, tmp_path):
    _need_soffice()
    if shutil.which("pdftoppm") is None:
        pytest.skip("pdftoppm is not installed")
    out, _ = district_forms
    pngs = render_png(out / "ubnd-huyen-cam-lam.xlsx", tmp_path / "img", pages=(1, 1), dpi=40)
    assert pngs and pngs[0].stat().st_size > 5_000
