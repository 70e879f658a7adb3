"""``cchc whatif`` on the bundled rule set and dataset."""

from __future__ import annotations

import io

import pandas as pd
import pytest

from cchc.cli import main


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_set_a_rate_by_agency_name(capsys) -> None:
    # Sở Du lịch: online 49.74 % earns 1 of 2 points; 85 % earns 2
    code, out, _ = run(capsys, "whatif", "Sở du lịch", "--set", "online_rate=85",
                       "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out)).set_index("scenario")
    assert df.loc["whatif", "points"] - df.loc["nominal", "points"] == pytest.approx(1.0)
    assert df.loc["whatif", "changes"] == "online_rate=85"
    code, out, _ = run(capsys, "whatif", "so-du-lich", "--set", "online_rate=85")
    assert code == 0 and "Giả định" in out and "7.2.1" in out


def test_goal_seek_answer_reaches_the_goal_and_less_does_not(capsys) -> None:
    code, out, _ = run(capsys, "whatif", "so-du-lich", "--goal", "class:trung binh", "--vary",
                       "resolved_on_time", "--format", "csv")
    assert code == 0
    df = pd.read_csv(io.StringIO(out)).set_index("scenario")
    assert bool(df.loc["whatif", "reached"]) and df.loc["whatif", "goal"] == "class:Trung bình"
    value = int(df.loc["whatif", "changes"].split("=")[1])
    assert df.loc["whatif", "class"] == "Trung bình"
    _, less, _ = run(capsys, "whatif", "so-du-lich", "--set", f"resolved_on_time={value - 1}",
                     "--format", "csv")
    below = pd.read_csv(io.StringIO(less)).set_index("scenario").loc["whatif", "class"]
    assert below not in ("Trung bình", "Khá", "Tốt", "Xuất sắc")


def test_unreachable_goal_is_an_answer_not_an_error(capsys) -> None:
    _, best, _ = run(capsys, "whatif", "so-du-lich", "--set", "online_rate=100", "--format",
                     "csv")
    assert pd.read_csv(io.StringIO(best)).set_index("scenario").loc["whatif", "rank"] > 1
    code, out, _ = run(capsys, "whatif", "so-du-lich", "--goal", "rank:1", "--vary",
                       "online_rate")
    assert code == 0 and "không thể đạt hạng 1 trở lên" in out


@pytest.mark.parametrize(("args", "words"), [
    (["so-du-lich"], "nothing to change"),
    (["so-du-lich", "--goal", "rank:2"], "go together"),
    (["so-du-lich", "--set", "online_rate"], "NAME=VALUE"),
    (["so-du-lich", "--set", "online_rate=abc"], "not a number"),
    (["so-du-lich", "--task", "I.1=finished"], "unknown task status"),
    (["so-du-lich", "--task", "Z.9=done_late"], "unknown task"),
    (["so du lick", "--set", "online_rate=1"], "so du lick"),
])
@pytest.mark.usefixtures("english")
def test_bad_usage_is_one_clear_line(capsys, args: list[str], words: str) -> None:
    code, out, err = run(capsys, "whatif", *args)
    assert code == 2 and words in err and "Traceback" not in err
