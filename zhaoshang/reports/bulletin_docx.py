"""The 通报 as a Word document laid out per GB/T 9704-2012 (党政机关公文格式): A4; margins
top 37, bottom 35, left 28, right 26 mm; 22 lines of 28 characters (3号 text on a fixed
28.95-point line); title 2号 方正小标宋简体 (falling back to 宋体), text 3号 仿宋_GB2312 (falling back to 仿宋),
first-level headings 黑体;
page numbers "— 1 —" in 4号 宋体 at the foot.  Fonts are set for East Asian text
(``w:eastAsia``), not only the Latin slots, or Word shows Chinese in its default font.

An office's own 红头 template (``--template``) is filled by docxtpl with these tags::

    {{ office }} {{ title }} {{ period }} {{ asof }}
    {%p for s in sections %}{{ s.heading }}{%p for para in s.paragraphs %}{{ para }}{%p endfor %}{%p endfor %}

python-docx writes the default layout; docxtpl (Jinja in Word) fills templates, in a sandbox
(:mod:`.bulletin_template`: the template is data from outside, never code).  Both writers drop the
characters XML cannot hold (:func:`xml_safe`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..files import writing
from .bulletin import Bulletin, Section
from .bulletin_template import Limits, render

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
PAGE_FONT = "宋体"
SIZE_2, SIZE_3, SIZE_4 = 22, 16, 14  # 号 in points
LINE_PT = 28.95  # 22 lines in the 225 mm text block


def _fonts(run: Any, east_asia: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    run.font.bold = bold
    run.font.name = "Times New Roman"  # the Latin slots; Chinese text uses eastAsia
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph(doc: Any, text: str, font: str, size: float, *, center: bool = False, indent: bool = True) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    elif indent:
        fmt.first_line_indent = Pt(size * 2)  # two characters
    _fonts(para.add_run(text), font, size)
    return para


def _page_numbers(section: Any) -> None:
    """ "— 1 —" centred in the footer: a PAGE field between two dashes."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn

    para = section.footer.paragraphs[0]
    para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _fonts(para.add_run("— "), PAGE_FONT, SIZE_4)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        run = para.add_run()
        _fonts(run, PAGE_FONT, SIZE_4)
        if kind == "instr":
            el = run._element.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            el.text = text
        elif kind == "text":
            run.text = text or ""
            continue
        else:
            el = run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
        run._element.append(el)
    _fonts(para.add_run(" —"), PAGE_FONT, SIZE_4)


#: what Word / WPS shows when the 公文 fonts are not installed (w:altName in the font table)
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "黑体", PAGE_FONT: "宋体"}


def _font_table(doc: Any) -> None:
    """Declare the fonts with their fallbacks in ``word/fontTable.xml``: a machine without
    方正小标宋简体 shows the title in 宋体, without 仿宋_GB2312 the text in 仿宋."""
    from lxml import etree

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    part = next(r.target_part for r in doc.part.rels.values() if r.reltype.endswith("/fontTable"))
    root = etree.fromstring(part.blob)
    for name, alt in FALLBACKS.items():
        font = etree.SubElement(root, f"{{{w}}}font", {f"{{{w}}}name": name})
        etree.SubElement(font, f"{{{w}}}altName", {f"{{{w}}}val": alt})
        etree.SubElement(font, f"{{{w}}}charset", {f"{{{w}}}val": "86"})  # GB2312
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


#: characters XML 1.0 does not allow (C0 controls but tab and newlines, lone surrogates, U+FFFE/F)
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_text(text: str) -> str:
    """``text`` without the characters a Word document cannot hold: a vertical tab or form feed
    (Word's own line / page break when pasted) becomes a space, the other controls are dropped."""
    if not _NOT_XML.search(text):
        return text
    return _NOT_XML.sub(lambda m: " " if m.group() in "\x0b\x0c" else "", text)


def xml_safe(bulletin: Bulletin) -> Bulletin:
    """The bulletin with every text fit for XML: a control character in a unit name or in
    ``office`` must not stop the 通报 (lxml refuses it: "All strings must be XML compatible")."""
    return replace(
        bulletin,
        title=_xml_text(bulletin.title),
        office=_xml_text(bulletin.office or ""),
        period=_xml_text(bulletin.period),
        asof=_xml_text(bulletin.asof),
        sections=[Section(_xml_text(s.heading), [_xml_text(p) for p in s.paragraphs]) for s in bulletin.sections],
    )


def write_default(bulletin: Bulletin, path: Path) -> None:
    """The bulletin in the GB/T 9704 layout (atomically)."""
    bulletin = xml_safe(bulletin)
    from docx import Document
    from docx.shared import Mm

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.footer_distance = Mm(28)
    _paragraph(doc, bulletin.title, TITLE_FONT, SIZE_2, center=True)
    _paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    for s in bulletin.sections:
        _paragraph(doc, s.heading, HEADING_FONT, SIZE_3)
        for text in s.paragraphs:
            _paragraph(doc, text, BODY_FONT, SIZE_3)
    _paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    signature = _paragraph(doc, bulletin.office or "", BODY_FONT, SIZE_3, indent=False)
    date_line = _paragraph(doc, bulletin.asof, BODY_FONT, SIZE_3, indent=False)
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    for para in (signature, date_line):
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _page_numbers(sec)
    _font_table(doc)
    with writing(path) as tmp:
        doc.save(str(tmp))


def write_template(bulletin: Bulletin, template: Path, path: Path, limits: Limits | None = None) -> None:
    """The bulletin in an office's own template (docxtpl tags, see the module docstring),
    filled in a sandbox within ``limits`` (see :mod:`.bulletin_template`)."""
    with writing(path) as tmp:
        render(xml_safe(bulletin).as_dict(), template, tmp, limits or Limits())


def check_target(path: Path) -> Path:
    """Refuse, before any work, a file name the 通报 cannot be written to."""
    from ..files import check_target as check

    return check(path, suffix=".docx", what="通报文件", example="通报.docx")
