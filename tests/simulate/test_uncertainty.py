"""The uncertainty file: format, line-numbered errors, checks against the rule set."""

from __future__ import annotations

from pathlib import Path

import pytest

from scoring.errors import UsageError
from scoring.paths import BUNDLED_RULES
from scoring.rules.loader import load_rules
from scoring.simulate.uncertainty import (
    Uncertainty,
    check_against,
    default_uncertainty_path,
    load_uncertainty,
)
from tests.simulate.helpers import make_rules

pytestmark = pytest.mark.usefixtures("english")

GOOD = """\
version: 1
leaf_max:
  - {leaf: "1.1.2", range: [1, 5], why: "trọng số giả định"}
band_shift:
  - leaf: "1.1.1"
    by: 2
leave_one_out: {leaves: all, probability: 0.5}
perturb:
  - {kinds: [manual], sd: 0.1}
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "uncertainty.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_good_file_loads_with_every_source(tmp_path: Path) -> None:
    unc = load_uncertainty(_write(tmp_path, GOOD))
    assert [s.name for s in unc.sources()] == [
        "leaf_max 1.1.2", "band_shift 1.1.1", "leave_one_out", "perturb manual"]
    assert unc.leaf_max[0].why == "trọng số giả định"
    check_against(unc, make_rules())


def test_an_empty_file_declares_nothing(tmp_path: Path) -> None:
    assert load_uncertainty(_write(tmp_path, "")).is_empty
    assert Uncertainty().replace(perturb=[{"sd": 0.1}]).is_empty is False


@pytest.mark.parametrize(("text", "line", "field", "words"), [
    ("leaf_max:\n  - leaf: '1'\n    range: [5, 1]\n", 2, "leaf_max[0]", "0 < low <= high"),
    ("band_shift:\n  - leaf: '1'\n    by: -2\n", 3, "band_shift[0].by", "greater than 0"),
    ("leave_one_out:\n  probability: 2\n", 2, "leave_one_out.probability", "1 or less"),
    ("perturb:\n  - kinds: [appraisal]\n    sd: 0.1\n", 2, "perturb[0].kinds[0]",
     "'appraisal' is not allowed"),
    ("band_shift:\n  - leaf: '1'\n    by: 1\n    shift: 2\n", 4, "band_shift[0].shift",
     "unknown key 'shift'"),
])
def test_bad_entries_name_line_and_field(tmp_path: Path, text: str, line: int, field: str,
                                         words: str) -> None:
    path = _write(tmp_path, text)
    with pytest.raises(UsageError) as err:
        load_uncertainty(path)
    problem = err.value.problems[0]
    assert problem.line == line and problem.field == field and words in problem.message
    assert str(path) in str(problem)


@pytest.mark.parametrize(("raw", "line", "words"), [
    ("why: caf\xe9\n".encode("latin-1"), 1, "not UTF-8"),
    (("a: " + "[" * 10_000 + "]" * 10_000 + "\n").encode(), 1, "nests deeper"),
    (b"band_shift:\n  - leaf: '1'\n    by: 1\n    by: 2\n", 4, "appears twice"),
    (b"band_shift:\n  - leaf: '1'\n    by: .nan\n", 3, "not a finite number"),
    (b"a: &a [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\n"
     b"c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]\n"
     b"e: [*d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d, *d]\n", 1, "expands to more than"),
])
def test_the_rule_file_reader_guards_the_uncertainty_file_too(tmp_path: Path, raw: bytes,
                                                              line: int, words: str) -> None:
    path = tmp_path / "u.yaml"
    path.write_bytes(raw)
    with pytest.raises(UsageError) as err:
        load_uncertainty(path)
    (problem,) = err.value.problems
    assert words in problem.message and problem.line == line and str(path) in str(problem)


def test_bad_yaml_and_missing_file(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="not valid YAML"):
        load_uncertainty(_write(tmp_path, "leaf_max: [\n"))
    with pytest.raises(UsageError, match="not found"):
        load_uncertainty(tmp_path / "nope.yaml")
    with pytest.raises(UsageError, match="must be a mapping"):
        load_uncertainty(_write(tmp_path, "- 1\n"))


def test_duplicate_leaf_is_refused() -> None:
    with pytest.raises(ValueError, match="twice"):
        Uncertainty.model_validate({"leaf_max": [{"leaf": "1", "range": [1, 2]},
                                                 {"leaf": "1", "range": [1, 3]}]})


def test_unknown_leaf_and_group_get_suggestions() -> None:
    unc = Uncertainty.model_validate({"band_shift": [{"leaf": "1.1.3", "by": 1}],
                                      "perturb": [{"sd": 0.1, "group": "dept"}]})
    with pytest.raises(UsageError) as err:
        check_against(unc, make_rules())
    text = err.value.render()
    assert "leaf '1.1.3' is not in the rule set" in text and "did you mean" in text
    assert "unknown group 'dept'" in text


def test_default_path_is_beside_the_rule_set(tmp_path: Path) -> None:
    assert default_uncertainty_path(tmp_path) == tmp_path / "uncertainty.yaml"
    assert default_uncertainty_path(tmp_path / "v.yaml") == tmp_path / "uncertainty.yaml"


def test_the_bundled_file_fits_the_bundled_rules() -> None:
    unc = load_uncertainty(default_uncertainty_path(BUNDLED_RULES))
    check_against(unc, load_rules(BUNDLED_RULES))
    assert unc.leaf_max and unc.band_shift and unc.leave_one_out and unc.perturb
    assert all(s.why for s in unc.sources())


def test_a_variant_without_its_own_file_uses_its_base(tmp_path: Path) -> None:
    from scoring.simulate.uncertainty import find_uncertainty
    base, variant = tmp_path / "base", tmp_path / "variant"
    base.mkdir()
    variant.mkdir()
    assert find_uncertainty(variant, "../base") == variant / "uncertainty.yaml"
    (base / "uncertainty.yaml").write_text("version: 1\n", encoding="utf-8")
    assert find_uncertainty(variant / "ruleset.yaml", "../base") == \
        variant / "../base" / "uncertainty.yaml"
    (variant / "uncertainty.yaml").write_text("version: 1\n", encoding="utf-8")
    assert find_uncertainty(variant, "../base") == variant / "uncertainty.yaml"
