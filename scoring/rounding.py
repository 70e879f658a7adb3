"""The one rounding rule: half away from zero, as Excel's ROUND does.

``round_half_away(2.675, 2)`` is ``2.68`` (Excel), not ``2.67`` (the binary value of
2.675 is a hair below it) nor Python's and numpy's round-half-to-even. The index used for
ranks and classes, the ``round()`` of the formula language and every number shown to a
reader are rounded with this function, so a reader who rounds the published index by hand
gets the same digits, and two units that show the same index share the rank.

How: scale by 10**digits, absorb the binary representation error (round the scaled value
to 9 decimals, far below any digit that is kept), then add a half and floor the magnitude.

Examples
--------
>>> round_half_away(np.array([2.675, 2.665, -2.675, 0.125, 90.915, 1.0049]), 2).tolist()
[2.68, 2.67, -2.68, 0.13, 90.92, 1.0]
>>> round_half_away(0.5, 0), round_half_away(1.5, 0), round_half_away(2.5, 0)
(1.0, 2.0, 3.0)
"""

from __future__ import annotations

from typing import Any

import numpy as np


def round_half_away(x: Any, digits: int = 0) -> Any:
    """``x`` rounded to ``digits`` decimals, halves away from zero (NaN stays NaN).

    Parameters
    ----------
    x : float or ndarray
    digits : int
        Decimals to keep (negative: tens, hundreds, ...).

    Returns
    -------
    float or ndarray
        A float for a scalar ``x``, else an array of the same shape.
    """
    arr = np.asarray(x, dtype=float)
    scale = 10.0 ** digits
    with np.errstate(invalid="ignore", over="ignore"):
        scaled = np.round(np.abs(arr) * scale, 9)
        out = np.copysign(np.floor(scaled + 0.5) / scale, arr)
    out = np.where(np.isfinite(arr), out, arr)
    return float(out) if out.ndim == 0 else out
