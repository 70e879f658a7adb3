"""Every command the documentation shows is run, so the docs cannot drift.

A ```console block holds ``$ cchc ...`` lines, each followed by the output it shows (maybe
none). The command must exit 0 and every shown output line must appear in what it prints
(spaces compared loosely); a line ``…`` stands for output left out. The blocks of one
document run in order in one fresh folder that links ``rules/`` and ``datasets/`` of the
repository, so a later block may use what an earlier one wrote (``--out du-lieu-2022``).
Commands that do not end by themselves (``cchc serve``) or need an environment prefix are
shown in ```text or ```bash blocks instead.
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCS = sorted([ROOT / "README.md", *(ROOT / "docs").glob("*.md"),
               ROOT / "datasets" / "khanh-hoa-2022" / "README.md",
               ROOT / "benchmarks" / "README.md"])
BLOCK = re.compile(r"^```console\n(.*?)^```", re.S | re.M)
ELLIPSIS = {"…", "..."}


def console_blocks(text: str) -> list[list[tuple[str, list[str]]]]:
    """The (command, shown output lines) of each console block of ``text``."""
    blocks = []
    for match in BLOCK.finditer(text):
        steps: list[tuple[str, list[str]]] = []
        for line in match.group(1).splitlines():
            if line.startswith("$ "):
                steps.append((line[2:].strip(), []))
            elif steps and line.strip():
                steps[-1][1].append(line)
        blocks.append(steps)
    return blocks


def _loose(text: str) -> str:
    return " ".join(text.split())


def _documents_with_commands() -> list[Path]:
    return [p for p in DOCS if p.exists() and any(console_blocks(p.read_text("utf-8")))]


def test_the_extractor_reads_commands_and_their_output():
    text = "x\n```console\n$ cchc score\nBộ tiêu chí: a\n…\n$ cchc check\n```\n"
    assert console_blocks(text) == [[("cchc score", ["Bộ tiêu chí: a", "…"]),
                                      ("cchc check", [])]]


def test_the_user_guide_and_readme_show_commands():
    names = {p.name for p in _documents_with_commands()}
    assert {"README.md", "huong-dan.md"} <= names


@pytest.mark.slow
@pytest.mark.parametrize("doc", _documents_with_commands(),
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_console_examples_run_as_shown(doc: Path, tmp_path: Path) -> None:
    for name in ("rules", "datasets"):
        (tmp_path / name).symlink_to(ROOT / name, target_is_directory=True)
    env = {**os.environ, "PYTHONPATH": str(ROOT), "COLUMNS": "100"}
    env.pop("CCHC_LANG", None)
    for block in console_blocks(doc.read_text("utf-8")):
        for command, shown in block:
            words = shlex.split(command, comments=True)
            assert words[0] == "cchc", f"{doc.name}: console commands start with cchc: {command}"
            run = subprocess.run([sys.executable, "-m", "cchc.cli", *words[1:]], cwd=tmp_path,
                                 env=env, capture_output=True, text=True, timeout=600)
            printed = _loose(run.stdout + "\n" + run.stderr)
            assert run.returncode == 0, (
                f"{doc.name}: `{command}` exited {run.returncode}:\n{run.stderr[-2000:]}")
            for line in shown:
                if line.strip() in ELLIPSIS:
                    continue
                expected = _loose(line.replace("…", ""))
                assert expected in printed, (
                    f"{doc.name}: `{command}` no longer prints:\n{line}\n--- it printed:\n"
                    f"{(run.stdout + run.stderr)[:3000]}")
