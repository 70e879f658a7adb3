"""A small valid rule file the loader tests mutate, and helpers to write and check it."""

from __future__ import annotations

from pathlib import Path

from scoring.errors import Problem
from scoring.rules.loader import check_rules

BASE = """\
id: test-rules
version: "1"
title: Bộ quy tắc thử
source: {kind: simulation, assumptions: a small rule set for tests}
groups:
  - {id: department, name: Sở, tree: department}
ranking: {method: competition, tie_break: [index], precision: 6}
trees:
  department:
    name: Cây cấp sở
    max: 10
    areas:
      - code: "3"
        name: Thủ tục hành chính
        max: 6
        criteria:
          - code: "3.2"
            name: Giải quyết hồ sơ
            max: 6
            leaves:
              - code: "3.2.1"
                name: Tỷ lệ đúng hạn
                max: 4
                rule:
                  kind: bands
                  indicator: on_time_rate
                  domain: [0, 100]
                  bands:
                    - {min: 95, points: 4}
                    - {min: 80, max: 95, points: 2}
                    - {min: 0, max: 80, points: 0}
              - code: "3.2.2"
                name: Hồ sơ trễ hạn
                max: 2
                rule: {kind: formula, expr: "clip(2 - late_rate * 0.4, 0, 2)"}
      - code: "7"
        name: Chính quyền số
        max: 4
        criteria:
          - code: "7.2"
            name: Dịch vụ công trực tuyến
            max: 4
            leaves:
              - code: "7.2.1"
                name: Tỷ lệ hồ sơ trực tuyến
                max: 2
                applies_if: "online_eligible > 0"
                rule:
                  kind: bands
                  indicator: online_rate
                  domain: [0, 100]
                  bands:
                    - {min: 50, points: 2}
                    - {min: 0, max: 50, points: 0}
              - code: "7.2.2"
                name: Thẩm định
                max: 2
                rule: {kind: manual}
tests:
  - {name: đúng hạn cao, leaf: "3.2.1", indicators: {on_time_rate: 96}, expect: 4}
  - {name: trễ 2.5%, leaf: "3.2.2", indicators: {late_rate: 2.5}, expect: 1}
  - {leaf: "7.2.1", indicators: {online_rate: 60, online_eligible: 10}, expect: 2}
"""


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line containing ``needle``."""
    hits = [i + 1 for i, line in enumerate(text.splitlines()) if needle in line]
    assert len(hits) >= nth, f"{needle!r} not in the text"
    return hits[nth - 1]


def write(folder: Path, text: str, name: str = "ruleset.yaml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def mutate(old: str, new: str, text: str = BASE) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def problems(folder: Path, text: str) -> list[Problem]:
    write(folder, text)
    return [p for p in check_rules(folder) if p.severity == "error"]


def only(folder: Path, text: str) -> Problem:
    found = problems(folder, text)
    assert len(found) == 1, "\n".join(map(str, found))
    return found[0]
