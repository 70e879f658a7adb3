"""``cchc forms`` and ``cchc collect`` as a user runs them: messages, exit codes, files."""

from __future__ import annotations

import shutil

from cchc.cli import main
from scoring.paths import BUNDLED_DATASET
from tests.forms_fill import fill_form, form_meta, set_cell


def test_forms_then_collect(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CCHC_LANG", "vi")
    from scoring.i18n import set_language

    set_language("vi")
    data = tmp_path / "data"
    shutil.copytree(BUNDLED_DATASET, data)
    out = tmp_path / "phieu"
    assert main(["forms", "--out", str(out), "--group", "district", "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert "district: 8 phiếu" in text and "cchc collect" in text
    form = out / "ubnd-huyen-cam-lam.xlsx"
    fill_form(form, 1)
    row = next(r for r in form_meta(form)[1] if r.role == "input")
    set_cell(form, f"E{row.row}", "một")
    assert main(["collect", str(out), "--data", str(data)]) == 1
    err = capsys.readouterr().err
    assert f"ubnd-huyen-cam-lam.xlsx: Phiếu chấm điểm!E{row.row}: 'một' là chữ" in err
    assert not (data / "scores.csv").exists()
    set_cell(form, f"E{row.row}", 1)
    assert main(["collect", str(out), "--data", str(data)]) == 0
    text = capsys.readouterr().out
    assert "district: 8 phiếu, " in text and "scores.csv: thêm " in text
    assert "district: kết quả điều tra xã hội học của 0 đơn vị" in text
    assert (data / "scores.csv").exists()
    assert main(["collect", str(out), "--data", str(data)]) == 0
    assert "scores.csv: không thay đổi" in capsys.readouterr().out


def test_collect_an_empty_or_missing_folder(tmp_path, capsys):
    assert main(["collect", str(tmp_path / "none")]) == 2
    assert main(["collect", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "DIR" in err
