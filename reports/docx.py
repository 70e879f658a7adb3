"""The decision appendix as a Word document, and as PDF through LibreOffice.

:func:`build_appendix` lays out the appendices of :func:`reports.annual.appendices` (Phụ
lục I, II, … one per group): A4 landscape, Times New Roman, each appendix a section of its
own whose pages are numbered from 1 (a ``PAGE`` field in its footer, "Phụ lục I – Trang
1"), the title block, the ranking table with its heading row repeated on every page
(``w:tblHeader``) and rows that never break across pages, and the counts per class.
:func:`write_docx` saves it and :func:`write_pdf` converts it with LibreOffice headless,
both atomically through :func:`scoring.files.atomic_output` (the targets are checked by
:func:`scoring.files.check_output` before any work).

Examples
--------
>>> doc = build_appendix(appendices(result, compare_self(result)))   # doctest: +SKIP
>>> write_docx(doc, Path("phu-luc.docx"))                            # doctest: +SKIP
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence
from pathlib import Path

from docx import Document
from docx.document import Document as DocumentObject
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from reports.annual import Appendix
from reports.render import find_soffice
from scoring.errors import Problem, UsageError
from scoring.files import atomic_output
from scoring.i18n import _
from scoring.text import vi_number

FONT = "Times New Roman"
PAGE_W, PAGE_H = Mm(297), Mm(210)
MARGIN_SIDE, MARGIN_TOP = Mm(15), Mm(15)
TABLE_PT = 11
# relative column widths of the ranking table (scaled to the width of the page)
_WIDTHS = {"stt": 4.5, "agency": 26, "parent": 18, "self_points": 7, "appraised_points": 7,
           "survey_points": 7, "points": 7, "index": 7, "rank": 5, "class": 9,
           "previous_rank": 6, "change": 6}
_LEFT = frozenset({"agency", "parent"})
LIBREOFFICE_TIMEOUT_S = 600


# --------------------------------------------------------------------------- xml helpers
def _set_fonts(rpr: object, size_pt: float | None = None) -> None:
    """Times New Roman for every script (Vietnamese uses the Latin slots) on ``rPr``."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for slot in ("w:ascii", "w:hAnsi", "w:cs", "w:eastAsia"):
        fonts.set(qn(slot), FONT)
    if size_pt is not None:
        _set_size(rpr, size_pt)


def _set_size(rpr: object, size_pt: float) -> None:
    for tag in ("w:sz", "w:szCs"):
        el = OxmlElement(tag)
        el.set(qn("w:val"), str(int(round(size_pt * 2))))
        rpr.append(el)


def _run(text: str, *, bold: bool = False, italic: bool = False,
         size_pt: float = TABLE_PT) -> object:
    r = OxmlElement("w:r")
    rpr = OxmlElement("w:rPr")
    _set_fonts(rpr)
    if bold:
        rpr.append(OxmlElement("w:b"))
    if italic:
        rpr.append(OxmlElement("w:i"))
    _set_size(rpr, size_pt)
    r.append(rpr)
    t = OxmlElement("w:t")
    t.set(qn("xml:space"), "preserve")
    t.text = text
    r.append(t)
    return r


def _cell(text: str, width_twips: int, *, align: str = "center", bold: bool = False,
          shade: str | None = None, size_pt: float = TABLE_PT,
          keep_next: bool = False) -> object:
    tc = OxmlElement("w:tc")
    pr = OxmlElement("w:tcPr")
    w = OxmlElement("w:tcW")
    w.set(qn("w:w"), str(width_twips))
    w.set(qn("w:type"), "dxa")
    pr.append(w)
    if shade:
        shd = OxmlElement("w:shd")
        shd.set(qn("w:val"), "clear")
        shd.set(qn("w:color"), "auto")
        shd.set(qn("w:fill"), shade)
        pr.append(shd)
    valign = OxmlElement("w:vAlign")
    valign.set(qn("w:val"), "center")
    pr.append(valign)
    tc.append(pr)
    p = OxmlElement("w:p")
    ppr = OxmlElement("w:pPr")
    spacing = OxmlElement("w:spacing")
    spacing.set(qn("w:before"), "20")
    spacing.set(qn("w:after"), "20")
    if keep_next:
        ppr.insert(0, OxmlElement("w:keepNext"))
    ppr.append(spacing)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), align)
    ppr.append(jc)
    p.append(ppr)
    if text:
        p.append(_run(text, bold=bold, size_pt=size_pt))
    tc.append(p)
    return tc


def _row(cells: Sequence[object], *, header: bool = False) -> object:
    """A table row that never breaks across pages; ``header`` rows repeat on every page."""
    tr = OxmlElement("w:tr")
    pr = OxmlElement("w:trPr")
    pr.append(OxmlElement("w:cantSplit"))
    if header:
        pr.append(OxmlElement("w:tblHeader"))
    tr.append(pr)
    for c in cells:
        tr.append(c)
    return tr


def _table(doc: DocumentObject, widths: Sequence[int], rows: Sequence[object]) -> None:
    """Append a bordered table of fixed column ``widths`` (twips) holding ``rows``."""
    table = doc.add_table(rows=0, cols=len(widths))
    table.style = doc.styles["Table Grid"]
    tbl = table._tbl
    tbl_pr = tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tbl_pr.append(layout)
    jc = OxmlElement("w:jc")
    jc.set(qn("w:val"), "center")
    tbl_pr.append(jc)
    grid = tbl.tblGrid
    for col, w in zip(grid.findall(qn("w:gridCol")), widths, strict=True):
        col.set(qn("w:w"), str(w))
    for tr in rows:
        tbl.append(tr)


def _page_field(paragraph: object) -> None:
    """Append a ``PAGE`` field (the page number within the section) to ``paragraph``."""
    p = paragraph._p
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None),
                       ("value", "1"), ("end", None)):
        r = OxmlElement("w:r")
        rpr = OxmlElement("w:rPr")
        _set_fonts(rpr, 10)
        r.append(rpr)
        if kind in ("begin", "separate", "end"):
            fc = OxmlElement("w:fldChar")
            fc.set(qn("w:fldCharType"), kind)
            r.append(fc)
        elif kind == "instr":
            it = OxmlElement("w:instrText")
            it.set(qn("xml:space"), "preserve")
            it.text = text
            r.append(it)
        else:
            t = OxmlElement("w:t")
            t.text = text
            r.append(t)
        p.append(r)


def _restart_numbering(section: object) -> None:
    """Number this section's pages from 1."""
    sect_pr = section._sectPr
    pg = sect_pr.find(qn("w:pgNumType"))
    if pg is None:
        pg = OxmlElement("w:pgNumType")
        sect_pr.append(pg)
    pg.set(qn("w:start"), "1")


def _page_setup(section: object) -> None:
    section.orientation = WD_ORIENT.LANDSCAPE
    section.page_width, section.page_height = PAGE_W, PAGE_H
    section.left_margin = section.right_margin = MARGIN_SIDE
    section.top_margin = section.bottom_margin = MARGIN_TOP
    section.footer_distance = Mm(8)


def _paragraph(doc: DocumentObject, text: str, *, bold: bool = False, italic: bool = False,
               size_pt: float = 13, align: str = "center", after_pt: float = 2,
               keep_next: bool = False) -> None:
    p = doc.add_paragraph()
    p.paragraph_format.keep_with_next = keep_next
    p.alignment = {"center": WD_ALIGN_PARAGRAPH.CENTER, "left": WD_ALIGN_PARAGRAPH.LEFT,
                   "right": WD_ALIGN_PARAGRAPH.RIGHT}[align]
    p.paragraph_format.space_after = Pt(after_pt)
    p.paragraph_format.space_before = Pt(0)
    p._p.append(_run(text, bold=bold, italic=italic, size_pt=size_pt))


# --------------------------------------------------------------------------- document
def _widths(columns: Sequence[str], usable: int) -> list[int]:
    """Column widths (twips) of ``columns`` filling the ``usable`` width."""
    total = sum(_WIDTHS[c] for c in columns)
    return [int(usable * _WIDTHS[c] / total) for c in columns]


def build_appendix(appendices: Sequence[Appendix]) -> DocumentObject:
    """The Word document of ``appendices`` (one section per appendix).

    Parameters
    ----------
    appendices : sequence of Appendix
        From :func:`reports.annual.appendices`.

    Returns
    -------
    docx.document.Document
        Not saved; see :func:`write_docx`.
    """
    doc = Document()
    normal = doc.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(12)
    _set_fonts(normal.element.get_or_add_rPr())
    usable = int((PAGE_W - 2 * MARGIN_SIDE) / 635)  # EMU → twips
    for k, app in enumerate(appendices):
        section = doc.sections[0] if k == 0 else doc.add_section(WD_SECTION.NEW_PAGE)
        _page_setup(section)
        _restart_numbering(section)
        footer = section.footer
        footer.is_linked_to_previous = False
        fp = footer.paragraphs[0]
        fp.alignment = WD_ALIGN_PARAGRAPH.CENTER
        fp._p.append(_run(_("{appendix} – Page ").format(appendix=app.titles[0]), size_pt=10))
        _page_field(fp)
        head, title, decision, info = app.titles
        _paragraph(doc, head, bold=True, size_pt=13)
        _paragraph(doc, title, bold=True, size_pt=13)
        _paragraph(doc, decision, italic=True, size_pt=12)
        _paragraph(doc, info, italic=True, size_pt=11, after_pt=8)
        widths = _widths(app.columns, usable)
        rows = [_row([_cell(h, w, bold=True, shade="F2F2F2")
                      for h, w in zip(app.headings, widths, strict=True)], header=True)]
        for values in app.rows:
            rows.append(_row([_cell(v, w, align="left" if c in _LEFT else "center")
                              for c, v, w in zip(app.columns, values, widths, strict=True)]))
        _table(doc, widths, rows)
        _paragraph(doc, "", size_pt=6, keep_next=True)
        _paragraph(doc, _("Units per class"), bold=True, size_pt=12, align="left",
                   keep_next=True)
        # the class counts stay on one page (each row keeps with the next)
        cw = [int(usable * f) for f in (0.06, 0.42, 0.12, 0.12)]
        heads = [_("No."), _("Class (PAR Index threshold)"), _("Units"), _("Share (%)")]
        rows = [_row([_cell(h, w, bold=True, shade="F2F2F2", keep_next=True)
                      for h, w in zip(heads, cw, strict=True)], header=True)]
        total = 0
        for i, (label, count, share) in enumerate(app.classes, start=1):
            total += count
            rows.append(_row([_cell(str(i), cw[0], keep_next=True),
                              _cell(label, cw[1], align="left", keep_next=True),
                              _cell(str(count), cw[2], keep_next=True),
                              _cell(vi_number(share, 2), cw[3], keep_next=True)]))
        rows.append(_row([_cell("", cw[0]), _cell(_("Grand total"), cw[1], bold=True, align="left"),
                          _cell(str(total), cw[2], bold=True),
                          _cell(vi_number(100.0 if total else 0.0, 2), cw[3], bold=True)]))
        _table(doc, cw, rows)
    return doc


def write_docx(doc: DocumentObject, target: Path) -> Path:
    """Save ``doc`` at ``target`` atomically (:func:`scoring.files.atomic_output`); the
    caller checks ``target`` first (:func:`scoring.files.check_output`)."""
    target = Path(os.path.abspath(target))
    with atomic_output(target) as tmp:
        doc.save(str(tmp))
    return target


def write_pdf(doc: DocumentObject, target: Path) -> Path:
    """Convert ``doc`` to PDF at ``target`` with LibreOffice, atomically.

    The Word file, LibreOffice's private profile and its output all live in the private
    temporary folder of :func:`scoring.files.atomic_output`, removed afterwards.
    """
    target = Path(os.path.abspath(target))
    with atomic_output(target) as tmp:
        source = tmp.parent / "appendix" / (target.stem + ".docx")
        source.parent.mkdir()
        doc.save(str(source))
        made = _convert(source, tmp.parent / "pdf", tmp.parent / "profile")
        os.replace(made, tmp)
    return target


def libreoffice() -> str:
    """The LibreOffice program (:func:`reports.render.find_soffice`), or a clear error."""
    found = find_soffice()
    if found:
        return found
    raise UsageError(Problem(
        _("LibreOffice is not installed, so the PDF cannot be made"), field="--pdf",
        fix=_("install LibreOffice Writer (e.g. apt install libreoffice-writer), or write "
              "the Word document with --docx and save it as PDF in Word")))


def _convert(source: Path, outdir: Path, profile: Path) -> Path:
    """Run LibreOffice headless on ``source``; the PDF it made in ``outdir``.

    A private profile (``profile``) keeps an open LibreOffice window from swallowing the
    conversion.
    """
    program = libreoffice()
    try:
        done = subprocess.run(
            [program, f"-env:UserInstallation={profile.as_uri()}", "--headless",
             "--norestore", "--convert-to", "pdf", "--outdir", str(outdir), str(source)],
            capture_output=True, text=True, timeout=LIBREOFFICE_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        raise UsageError(Problem(
            _("LibreOffice did not finish the PDF within {n} seconds").format(
                n=LIBREOFFICE_TIMEOUT_S), field="--pdf",
            fix=_("close other LibreOffice windows and try again, or use --docx"))
        ) from None
    made = outdir / (source.stem + ".pdf")
    if done.returncode != 0 or not made.is_file():
        detail = (done.stderr or done.stdout or "").strip().splitlines()
        raise UsageError(Problem(
            _("LibreOffice could not convert the document to PDF ({detail})").format(
                detail=detail[-1] if detail else f"exit {done.returncode}"),
            field="--pdf", fix=_("check that LibreOffice Writer is installed, or use "
                                 "--docx and save it as PDF in Word")))
    return made
