"""Open a workbook in headless LibreOffice: recalculate it, or render its pages to PNG.

LibreOffice does not recalculate ``.xlsx`` formulas on load by default (it trusts the
stored results). :func:`recalculate` runs it with a throw-away user profile whose
``OOXMLRecalcMode`` is 0 ("always recalculate"), converts to ``.xlsx`` and so gives the
values a spreadsheet computes from the formulas. :func:`render_png` converts to PDF (the
print set-up: A4 landscape, fit to width, repeated header rows) and rasterises pages with
``pdftoppm``.

Command line::

    python -m reports.render cchc-khanh-hoa-2022.xlsx --out docs/img --pages 1

Examples
--------
>>> out = recalculate(Path("cchc.xlsx"), Path("/tmp/recalc"))  # doctest: +SKIP
>>> render_png(Path("cchc.xlsx"), Path("docs/img"), pages=(1, 1))  # doctest: +SKIP
[PosixPath('docs/img/cchc-1.png')]
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

_PROFILE = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry"
 xmlns:xs="http://www.w3.org/2001/XMLSchema"
 xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="OOXMLRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Formula/Load">
 <prop oor:name="ODFRecalcMode" oor:op="fuse"><value>0</value></prop></item>
<item oor:path="/org.openoffice.Setup/L10N">
 <prop oor:name="ooSetupSystemLocale" oor:op="fuse"><value>{locale}</value></prop></item>
</oor:items>
"""


def find_soffice() -> str | None:
    """Path of ``soffice``/``libreoffice``, or None when LibreOffice is not installed."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def _convert(src: Path, out_dir: Path, target: str, locale: str, timeout: float) -> Path:
    exe = find_soffice()
    if exe is None:
        raise RuntimeError("LibreOffice is not installed (apt-get install libreoffice-calc)")
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-lo-") as profile:
        user = Path(profile) / "user"
        user.mkdir()
        (user / "registrymodifications.xcu").write_text(_PROFILE.format(locale=locale),
                                                        encoding="utf-8")
        cmd = [exe, f"-env:UserInstallation={Path(profile).as_uri()}", "--headless",
               "--norestore", "--convert-to", target, "--outdir", str(out_dir), str(src)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                              check=False)
    ext = target.split(":")[0]
    out = out_dir / f"{src.stem}.{ext}"
    if proc.returncode != 0 or not out.exists():
        raise RuntimeError(f"LibreOffice could not convert {src}: {proc.stderr.strip()}")
    return out


def recalculate(xlsx: Path, out_dir: Path, *, timeout: float = 300) -> Path:
    """Open ``xlsx`` in LibreOffice with recalculation forced and save it as ``.xlsx``.

    The saved file's cached formula results are LibreOffice's own; read them with
    ``openpyxl.load_workbook(path, data_only=True)``.
    """
    return _convert(Path(xlsx), Path(out_dir), "xlsx:Calc MS Excel 2007 XML", "en-US",
                    timeout)


def render_pdf(xlsx: Path, out_dir: Path, *, locale: str = "vi-VN",
               timeout: float = 600) -> Path:
    """The workbook as LibreOffice prints it (every sheet's print area), as PDF."""
    return _convert(Path(xlsx), Path(out_dir), "pdf", locale, timeout)


def render_png(xlsx: Path, out_dir: Path, *, pages: tuple[int, int] = (1, 1),
               dpi: int = 110, locale: str = "vi-VN") -> list[Path]:
    """Render printed pages ``pages`` (first, last; 1-based) of ``xlsx`` to PNG files.

    Returns the PNG paths (``<stem>-<page>.png``, as ``pdftoppm`` names them).
    """
    if shutil.which("pdftoppm") is None:
        raise RuntimeError("pdftoppm is not installed (apt-get install poppler-utils)")
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="cchc-pdf-") as tmp:
        pdf = render_pdf(Path(xlsx), Path(tmp), locale=locale)
        before = set(out_dir.glob(f"{Path(xlsx).stem}-*.png"))
        subprocess.run(["pdftoppm", "-png", "-r", str(dpi), "-f", str(pages[0]), "-l",
                        str(pages[1]), str(pdf), str(out_dir / Path(xlsx).stem)], check=True)
    return sorted(set(out_dir.glob(f"{Path(xlsx).stem}-*.png")) - before) or sorted(
        out_dir.glob(f"{Path(xlsx).stem}-*.png"))


def main(argv: list[str] | None = None) -> int:
    """``python -m reports.render WORKBOOK [--out DIR] [--pages 1-2] [--dpi 110]``."""
    ap = argparse.ArgumentParser(prog="python -m reports.render",
                                 description="Render printed pages of a workbook to PNG.")
    ap.add_argument("workbook", type=Path)
    ap.add_argument("--out", type=Path, default=Path("."))
    ap.add_argument("--pages", default="1", help="page or range, e.g. 1 or 1-3")
    ap.add_argument("--dpi", type=int, default=110)
    args = ap.parse_args(argv)
    first, _, last = args.pages.partition("-")
    try:
        paths = render_png(args.workbook, args.out, pages=(int(first), int(last or first)),
                           dpi=args.dpi)
    except (RuntimeError, ValueError, subprocess.CalledProcessError) as err:
        print(f"render: error: {err}", file=sys.stderr)
        return 1
    for p in paths:
        print(p)
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
