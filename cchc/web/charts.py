"""Charts drawn on the server as inline SVG (no JavaScript, no chart library).

Each function returns SVG markup, safe to embed: every text it writes is escaped. Bars
carry a ``<title>`` so hovering shows the unit and the value.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from markupsafe import Markup

from scoring.number_format import format_number

WIDTH = 920
PALETTE = ("#1b7f3b", "#4f9d2d", "#c9a227", "#e07b24", "#c0392b", "#7f8c8d")


def class_colour(i: int | None) -> str:
    """The colour of the ``i``-th class of a group (best first); grey when unclassified."""
    if i is None or i < 0:
        return PALETTE[-1]
    return PALETTE[min(i, len(PALETTE) - 2)]


def _nice_max(x: float) -> float:
    if not math.isfinite(x) or x <= 0:
        return 100.0
    return min(100.0, math.ceil(x / 10) * 10) if x <= 100 else math.ceil(x / 10) * 10


def ranking_chart(labels: Sequence[str], values: Sequence[float], colours: Sequence[str],
                  mean: float | None, *, title: str, mean_label: str) -> Markup:
    """Index of each unit in rank order (bars) with the group mean (dashed line)."""
    n = len(values)
    left, right, top, bottom = 48, 12, 30, 28 if n > 40 else 110
    height = 300 + (0 if n > 40 else 60)
    plot_w, plot_h = WIDTH - left - right, height - top - bottom
    finite = [v for v in values if v is not None and math.isfinite(v)]
    top_v = _nice_max(max(finite, default=100.0))
    step = plot_w / max(n, 1)
    bar = max(1.0, step * 0.75)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>']
    for k in range(0, 11, 2):
        v = top_v * k / 10
        y = top + plot_h - plot_h * k / 10
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'class="grid"/><text x="{left - 6}" y="{y + 4:.1f}" class="tick" '
                     f'text-anchor="end">{escape(format_number(v, 0))}</text>')
    for i, (label, v, colour) in enumerate(zip(labels, values, colours, strict=True)):
        if v is None or not math.isfinite(v):
            continue
        h = plot_h * max(v, 0) / top_v
        x = left + i * step + (step - bar) / 2
        y = top + plot_h - h
        parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{bar:.1f}" height="{h:.1f}" '
                     f'fill="{colour}"><title>{escape(label)}: {escape(format_number(v, 2))}'
                     f'</title></rect>')
        if n <= 40:
            cx, cy = x + bar / 2, top + plot_h + 8
            short = label if len(label) <= 22 else label[:21] + "…"
            parts.append(f'<text x="{cx:.1f}" y="{cy:.1f}" class="label" text-anchor="end" '
                         f'transform="rotate(-50 {cx:.1f} {cy:.1f})">{escape(short)}</text>')
    if mean is not None and math.isfinite(mean):
        y = top + plot_h - plot_h * mean / top_v
        parts.append(f'<line x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}" '
                     f'class="mean"/><text x="{WIDTH - right - 4}" y="{y - 5:.1f}" '
                     f'class="mean-label" text-anchor="end">{escape(mean_label)} '
                     f'{escape(format_number(mean, 2))}</text>')
    parts.append(f'<line x1="{left}" x2="{left}" y1="{top}" y2="{top + plot_h}" class="axis"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def area_chart(names: Sequence[str], unit: Sequence[float | None],
               mean: Sequence[float | None], *, title: str, unit_label: str,
               mean_label: str) -> Markup:
    """Each area's index for one unit beside the group mean (horizontal bar pairs)."""
    row, left, right, top = 34, 260, 60, 34
    height = top + row * len(names) + 10
    plot_w = WIDTH - left - right
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>',
             f'<rect x="{left}" y="8" width="12" height="12" class="unit-bar"/>'
             f'<text x="{left + 18}" y="19" class="tick">{escape(unit_label)}</text>'
             f'<rect x="{left + 200}" y="8" width="12" height="12" class="mean-bar"/>'
             f'<text x="{left + 218}" y="19" class="tick">{escape(mean_label)}</text>']
    for i, name in enumerate(names):
        y = top + i * row
        short = name if len(name) <= 40 else name[:39] + "…"
        parts.append(f'<text x="{left - 8}" y="{y + 17}" class="label" text-anchor="end">'
                     f'{escape(short)}<title>{escape(name)}</title></text>')
        for j, (vals, cls) in enumerate(((unit, "unit-bar"), (mean, "mean-bar"))):
            v = vals[i]
            if v is None or not math.isfinite(v):
                parts.append(f'<text x="{left + 4}" y="{y + 11 + j * 12}" class="tick">—'
                             f'</text>')
                continue
            w = plot_w * max(0.0, min(v, 100.0)) / 100
            parts.append(f'<rect x="{left}" y="{y + 2 + j * 12}" width="{w:.1f}" '
                         f'height="11" class="{cls}"><title>{escape(format_number(v, 2))}</title>'
                         f'</rect><text x="{left + w + 4:.1f}" y="{y + 12 + j * 12}" '
                         f'class="tick">{escape(format_number(v, 2))}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def interval_chart(labels: Sequence[str], nominal: Sequence[float], low: Sequence[float],
                   high: Sequence[float], *, title: str) -> Markup:
    """Rank intervals (5th–95th percentile) with the nominal rank, one row per unit."""
    n = len(labels)
    row, left, right, top = (14 if n > 40 else 22), 230, 20, 26
    height = top + row * n + 24
    worst = max([*high, *nominal, 1])
    plot_w = WIDTH - left - right

    def x(rank: float) -> float:
        return left + plot_w * (rank - 1) / max(worst - 1, 1)

    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
             f'viewBox="0 0 {WIDTH} {height}" aria-label="{escape(title)}">',
             f'<title>{escape(title)}</title>']
    for k in range(1, int(worst) + 1, max(1, int(worst) // 10)):
        parts.append(f'<line x1="{x(k):.1f}" x2="{x(k):.1f}" y1="{top - 4}" '
                     f'y2="{top + row * n}" class="grid"/><text x="{x(k):.1f}" y="{top - 8}" '
                     f'class="tick" text-anchor="middle">{k}</text>')
    for i, label in enumerate(labels):
        y = top + i * row + row / 2
        short = label if len(label) <= 34 else label[:33] + "…"
        tip = f"{label}: {int(low[i])}–{int(high[i])} ({int(nominal[i])})"
        parts.append(f'<text x="{left - 8}" y="{y + 4:.1f}" class="label" text-anchor="end">'
                     f'{escape(short)}</text><g><title>{escape(tip)}</title>'
                     f'<line x1="{x(low[i]):.1f}" x2="{x(high[i]):.1f}" y1="{y:.1f}" '
                     f'y2="{y:.1f}" class="interval"/><circle cx="{x(nominal[i]):.1f}" '
                     f'cy="{y:.1f}" r="3.5" class="nominal"/></g>')
    parts.append("</svg>")
    return Markup("".join(parts))
