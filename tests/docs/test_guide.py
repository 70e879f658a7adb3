"""What issue #10 asks of the documents: a short README, a Vietnamese user guide with the six
tasks and their exact commands, and a developer example that runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.docs.test_console_blocks import console_blocks

ROOT = Path(__file__).resolve().parents[2]
GUIDE = ROOT / "docs" / "huong-dan.md"
# the six tasks, as the guide's numbered chapters name them
TASKS = ("Chuẩn bị số liệu", "Thiết lập bộ tiêu chí", "Thử một phương án",
         "Nhập điểm thẩm định", "Công bố bảng xếp hạng", "Kiểm tra độ vững của thứ hạng")
# a command each task cannot do without
TASK_COMMANDS = ("cchc import-report", "cchc check", "cchc compare", "cchc collect",
                 "cchc rank", "cchc simulate")


def sections(text: str) -> dict[str, str]:
    """Level-two heading → its text."""
    parts = re.split(r"^## (.+)$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2], strict=True))


def test_the_readme_is_under_20_kb() -> None:
    assert (ROOT / "README.md").stat().st_size < 20_000


@pytest.mark.parametrize(("number", "task", "command"),
                         [(i + 1, t, c) for i, (t, c) in enumerate(zip(TASKS, TASK_COMMANDS,
                                                                        strict=True))])
def test_the_guide_covers_each_task_with_its_commands(number: int, task: str,
                                                      command: str) -> None:
    found = {h: body for h, body in sections(GUIDE.read_text("utf-8")).items()
             if h.startswith(f"{number}. {task}")}
    assert len(found) == 1, f"huong-dan.md has no chapter '{number}. {task}'"
    (body,) = found.values()
    commands = [c for block in console_blocks(body) for c, _out in block]
    assert any(c.startswith(command) for c in commands), (task, commands)


def test_the_developer_example_runs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The Python block of docs/development.md, run as written from the repository."""
    text = (ROOT / "docs" / "development.md").read_text("utf-8")
    blocks = re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)
    assert blocks, "docs/development.md has no python example"
    monkeypatch.chdir(ROOT)
    for code in blocks:
        exec(compile(code, "docs/development.md", "exec"), {})  # noqa: S102 - our own docs
