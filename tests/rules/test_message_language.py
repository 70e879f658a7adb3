"""A wrong rule file is explained in Vietnamese by default and in English with --lang en:
the same file, line and YAML path; what is wrong and how to fix it in the user's language."""

from __future__ import annotations

from pathlib import Path

import pytest

from cchc.cli import main
from scoring.i18n import language
from tests.english_words import english_in

from .sample import line_of, mutate, only

LEAF_322 = "trees.department.areas[0].criteria[0].leaves[1]"
LEAF_321 = "trees.department.areas[0].criteria[0].leaves[0]"

# (mutation, YAML path, Vietnamese message, Vietnamese fix, English message, English fix)
CASES = [
    (("clip(2 - late_rate", "clip(2 - late_ratez"), LEAF_322 + ".rule.expr",
     "'late_ratez' không phải là tên đã biết (cột 10)", "có phải là 'late_rate'?",
     "'late_ratez' is not a known name (column 10)", "did you mean 'late_rate'?"),
    (("                max: 4\n                rule:", "                max: abc\n"
      "                rule:"), LEAF_321 + ".max",
     "cần một số, nhưng lại là 'abc'",
     "ghi một số thuần như 2 hoặc 0.5 (không kèm đơn vị, không có %, dùng dấu '.' cho phần "
     "thập phân)",
     "expected a number, got 'abc'",
     "write a plain number such as 2 or 0.5 (no units, no %, '.' for decimals)"),
    (("rule: {kind: manual}", "rule: {kind: manul}"), "trees.department.areas[1].criteria[0]"
     ".leaves[1].rule.kind", "không có loại (kind) 'manul'",
     "dùng một trong các loại 'bands', 'formula', 'tasks', 'manual', 'survey'",
     "kind 'manul' is not known", "use one of 'bands', 'formula', 'tasks', 'manual', 'survey'"),
    (("                name: Hồ sơ trễ hạn\n", ""), LEAF_322,
     "thiếu khóa bắt buộc 'name'", "thêm name: <giá trị>",
     "'name' is required here", "add name: <value>"),
    (("{min: 80, max: 95, points: 2}", "{min: 81, max: 95, points: 2}"),
     LEAF_321 + ".rule.bands", "các khoảng bị hở: không khoảng nào chứa [80, 81)",
     "cho mỗi khoảng bắt đầu đúng nơi khoảng trước kết thúc (min của khoảng này = max của "
     "khoảng trước); để trống min của khoảng thấp nhất hoặc max của khoảng cao nhất để bao "
     "phủ phần còn lại",
     "gap between bands: no band covers [80, 81)",
     "make each band start where the previous one ends (its min = the previous band's max); "
     "leave the lowest min or the highest max empty to cover the rest"),
    (("expect: 1}", "expect: 1.5}"), "tests[1].expect",
     "phép thử 'trễ 2.5%' của tiêu chí thành phần 3.2.2 kỳ vọng 1,5 điểm nhưng quy tắc cho "
     "1 điểm (giá trị 1; quy tắc áp dụng: 2 − (tỷ lệ hồ sơ trễ hạn × 0,4), giới hạn trong "
     "khoảng từ 0 đến 2)",
     "sửa quy tắc hoặc giá trị kỳ vọng",
     "test 'trễ 2.5%' of leaf 3.2.2 expects 1.5 points but the rule gives 1 (value 1; rule "
     "applied: 2 − (share of late dossiers × 0.4), kept between 0 and 2)", "correct the rule or the expected value"),
    (("precision: 6}", "precision: -1}"), "ranking.precision",
     "-1 nằm ngoài phạm vi cho phép: giá trị phải lớn hơn hoặc bằng 0", "sửa giá trị",
     "-1 is out of range: the value must be 0 or more", "change the value"),
    (("method: competition", "method: olympic"), "ranking.method",
     "không được dùng 'olympic' ở đây",
     "dùng một trong các giá trị: 'competition', 'dense', 'ordinal'",
     "'olympic' is not allowed here", "use one of: 'competition', 'dense', 'ordinal'"),
]


# where the message points when it is not the changed line
NEEDLES = {LEAF_321 + ".rule.bands": "bands:"}


@pytest.mark.parametrize(("change", "field", "vi", "vi_fix", "en", "en_fix"), CASES)
def test_a_wrong_rule_file_is_explained_in_both_languages(
        tmp_path: Path, change: tuple[str, str], field: str, vi: str, vi_fix: str, en: str,
        en_fix: str) -> None:
    text = mutate(*change)
    needle = NEEDLES.get(field, change[1].splitlines()[0] if change[1] else "code: \"3.2.2\"")
    line = line_of(text, needle)
    with language("vi"):
        p = only(tmp_path / "vi", text)
        assert str(p).startswith(f"{p.file}:{line}: {field}: ")
        assert str(p).endswith(f". Cách sửa: {vi_fix}")
    assert (p.line, p.field, p.message, p.fix) == (line, field, vi, vi_fix)
    with language("en"):
        p = only(tmp_path / "en", text)
        assert str(p).endswith(f". Fix: {en_fix}")
    assert (p.line, p.field, p.message, p.fix) == (line, field, en, en_fix)


def test_duplicate_key_is_explained_in_vietnamese(tmp_path: Path) -> None:
    text = mutate("                max: 2\n                rule: {kind: formula",
                  "                max: 2\n                max: 2\n"
                  "                rule: {kind: formula")
    p = only(tmp_path, text)
    first = line_of(text, "                max: 2", 1)
    assert p.line == first + 1 and p.field == LEAF_322 + ".max"
    assert p.message == f"khóa 'max' xuất hiện hai lần trong cùng một mục (lần đầu ở dòng {first})"


def test_cchc_check_on_a_wrong_rule_file_speaks_vietnamese_and_english(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "ruleset.yaml").write_text(
        mutate("clip(2 - late_rate", "clip(2 - late_ratez"), encoding="utf-8")
    rules = str(tmp_path / "r")
    assert main(["check", "--rules", rules]) == 1
    out, err = capsys.readouterr()
    assert (f"lỗi: {rules}/ruleset.yaml:35: {LEAF_322}.rule.expr: 'late_ratez' không phải là "
            "tên đã biết (cột 10). Cách sửa: có phải là 'late_rate'?") in out
    assert out.strip().splitlines()[-1] == "1 lỗi, 0 cảnh báo"
    assert "cchc: lỗi: kiểm tra không đạt: có 1 lỗi." in err
    assert not english_in(out + err, codes=True), english_in(out + err, codes=True)
    assert main(["--lang", "en", "check", "--rules", rules]) == 1
    out, err = capsys.readouterr()
    assert (f"error: {rules}/ruleset.yaml:35: {LEAF_322}.rule.expr: 'late_ratez' is not a "
            "known name (column 10). Fix: did you mean 'late_rate'?") in out
    assert out.strip().splitlines()[-1] == "1 error, 0 warnings"


def test_a_missing_rule_folder_on_the_command_line(tmp_path: Path,
                                                   capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", "--rules", str(tmp_path / "none")]) == 2
    err = capsys.readouterr().err
    assert f"--rules: không tìm thấy bộ tiêu chí {tmp_path / 'none'}." in err
    assert "Cách sửa: chỉ ra một thư mục bộ tiêu chí hoặc tệp YAML" in err
    assert main(["score", "--data", str(tmp_path / "none")]) == 2
    assert f"--data: không tìm thấy thư mục dữ liệu {tmp_path / 'none'}." in capsys.readouterr().err
