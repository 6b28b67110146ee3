"""The 通报 as a Word document laid out per GB/T 9704-2012 (党政机关公文格式): A4; margins
top 37, bottom 35, left 28, right 26 mm; 22 lines of 28 characters (3号 text on a fixed
28.95-point line); title 2号 方正小标宋简体 (falling back to 宋体), text 3号 仿宋_GB2312 (falling back to 仿宋),
first-level headings 黑体 (kept with their text), second-level run-in headings （一）… 楷体_GB2312;
主送 under the title, the 署名 and the date line (右空四字) under the text; page numbers
"— 1 —" in 4号 宋体, odd pages right and even pages left; document properties zh-CN, created
now.  Fonts are set for East Asian text (``w:eastAsia``), not only the Latin slots, or Word
shows Chinese in its default font.  No line ends inside a number or between a number and its
unit or percent sign (「97.5」 over 「%」): the digits are in a Latin language, and an invisible
WORD JOINER ties a number to its unit (:func:`_pieces`, :func:`_number_tail`).

An office's own 红头 template (``--template``) is filled by docxtpl with these tags::

    {{ office }} {{ title }} {{ recipients }} {{ opening }} {{ period }} {{ asof }}
    {{ signature }} {{ date }}
    {%p for s in sections %}{{ s.heading }}{%p for para in s.paragraphs %}{{ para }}{%p endfor %}{%p endfor %}

python-docx writes the default layout; docxtpl (Jinja in Word) fills templates, in a sandbox
(:mod:`.bulletin_template`: the template is data from outside, never code).  Both writers drop the
characters XML cannot hold (:func:`xml_safe`).
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC
from pathlib import Path
from typing import Any

from ..files import writing
from .bulletin import RUN_IN, SIGNATURE, TOPIC, Bulletin, Section
from .bulletin_template import Limits, render

TITLE_FONT = "方正小标宋简体"
BODY_FONT = "仿宋_GB2312"
HEADING_FONT = "黑体"
KAITI_FONT = "楷体_GB2312"  # second-level headings (（一）…)
PAGE_FONT = "宋体"
SIZE_2, SIZE_3, SIZE_4 = 22, 16, 14  # 号 in points
LINE_PT = 28.95  # 22 lines in the 225 mm text block
CHARS_PER_LINE = 28
TEXT_WIDTH_PT = (210 - 28 - 26) / 25.4 * 72  # the 156 mm line
#: the widest title printed on one line, in 2号 characters (the line holds 20; a digit is about
#: half a character, and LibreOffice spaces Chinese from digits: 「关于2026年第三季度招商引资工作
#: 情况的通报」, 20 by that count, runs over and leaves 「报」 alone on a second line)
TITLE_CHARS = 19
#: character spacing of the 3号 text, in twentieths of a point: a pitch of 15.75 pt, 28 a line
CONDENSE = -5
FOOTER_MM = 23  # the page number about 7 mm under the text block
#: the language of the Latin letters and digits in the text (``w:lang w:val``; the Chinese text is
#: zh-CN).  Not zh-CN: LibreOffice breaks a line by the language of the text where it falls, and
#: by its Chinese rule — anywhere but before 「，。」 — inside 「404.1」, 「97.5%」 or 「2026」.
LATIN_LANGUAGE = "en-US"
#: the program named in the document's properties
APPLICATION = "zhaoshang 招商引资清单化管理"


#: the children of ``w:rPr`` and ``w:pPr`` in the order the schema (and Word) wants them
_RPR_ORDER = [
    "w:rStyle",
    "w:rFonts",
    "w:b",
    "w:bCs",
    "w:i",
    "w:iCs",
    "w:caps",
    "w:smallCaps",
    "w:strike",
    "w:dstrike",
    "w:outline",
    "w:shadow",
    "w:emboss",
    "w:imprint",
    "w:noProof",
    "w:snapToGrid",
    "w:vanish",
    "w:webHidden",
    "w:color",
    "w:spacing",
    "w:w",
    "w:kern",
    "w:position",
    "w:sz",
    "w:szCs",
    "w:highlight",
    "w:u",
    "w:effect",
    "w:bdr",
    "w:shd",
    "w:fitText",
    "w:vertAlign",
    "w:rtl",
    "w:cs",
    "w:em",
    "w:lang",
    "w:eastAsianLayout",
    "w:specVanish",
    "w:oMath",
]
_PPR_ORDER = [
    "w:pStyle",
    "w:keepNext",
    "w:keepLines",
    "w:pageBreakBefore",
    "w:framePr",
    "w:widowControl",
    "w:numPr",
    "w:suppressLineNumbers",
    "w:pBdr",
    "w:shd",
    "w:tabs",
    "w:suppressAutoHyphens",
    "w:kinsoku",
    "w:wordWrap",
    "w:overflowPunct",
    "w:topLinePunct",
    "w:autoSpaceDE",
    "w:autoSpaceDN",
    "w:bidi",
    "w:adjustRightInd",
    "w:snapToGrid",
    "w:spacing",
    "w:ind",
    "w:contextualSpacing",
    "w:mirrorIndents",
    "w:suppressOverlap",
    "w:jc",
    "w:textDirection",
    "w:textAlignment",
    "w:textboxTightWrap",
    "w:outlineLvl",
    "w:divId",
    "w:cnfStyle",
    "w:rPr",
    "w:sectPr",
    "w:pPrChange",
]


def _in_order(parent: Any, tag: str, attrs: dict[str, str]) -> Any:
    """A new ``tag`` child of a ``w:rPr`` / ``w:pPr`` at its place in the schema's sequence
    (Word refuses a document whose run properties are out of order)."""
    from docx.oxml.ns import qn

    order = _RPR_ORDER if parent.tag == qn("w:rPr") else _PPR_ORDER
    el = parent.makeelement(qn(tag), attrs)
    parent.insert_element_before(el, *order[order.index(tag) + 1 :])
    return el


def _fonts(run: Any, east_asia: str, size: float, *, bold: bool = False) -> None:
    from docx.oxml.ns import qn
    from docx.shared import Pt

    run.font.size = Pt(size)
    if size == SIZE_3:  # 28 characters a line (GB/T 9704), not the 27 a 16 pt pitch gives
        _in_order(run._element.get_or_add_rPr(), "w:spacing", {qn("w:val"): str(CONDENSE)})
    run.font.bold = bold
    run.font.name = "Times New Roman"  # the Latin slots; Chinese text uses eastAsia
    r_pr = run._element.get_or_add_rPr()
    fonts = r_pr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = r_pr.makeelement(qn("w:rFonts"), {})
        r_pr.insert(0, fonts)
    fonts.set(qn("w:eastAsia"), east_asia)


def _paragraph(
    doc: Any,
    text: str,
    font: str,
    size: float,
    *,
    center: bool = False,
    indent: bool = True,
    keep_next: bool = False,
) -> Any:
    from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
    from docx.shared import Pt

    para = doc.add_paragraph()
    fmt = para.paragraph_format
    fmt.line_spacing_rule = WD_LINE_SPACING.EXACTLY
    fmt.line_spacing = Pt(LINE_PT)
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.widow_control = True
    if keep_next:
        fmt.keep_with_next = True  # a heading never ends a page without its text
    if center:
        para.alignment = WD_ALIGN_PARAGRAPH.CENTER
    else:
        para.alignment = WD_ALIGN_PARAGRAPH.JUSTIFY
        if indent:
            fmt.first_line_indent = Pt(size * 2)  # two characters
    run_in = RUN_IN.match(text) if font == BODY_FONT else None
    if run_in:  # 「（一）项目签约。」 in 楷体, the rest in 仿宋
        _fonts(para.add_run(run_in.group()), KAITI_FONT, size)
        text = text[run_in.end() :]
    for piece, glued in _pieces(text):
        run = para.add_run(piece)
        _fonts(run, font, size)
        if glued:
            _number_tail(run)
    return para


#: U+2060 WORD JOINER: no line break on either side (UAX #14 rule LB11), nothing printed
NO_BREAK = "\u2060"
#: units of more than one character, kept whole on their line (「8.60亿」 over 「元。」 reads badly)
UNIT_WORDS = ("万美元", "亿美元", "亿元", "万元")
_CLOSING = "、。，．：；？！）］｝〕〉》」』】〗’”"
#: what follows a number: a unit word, a percent sign, a dash (「1—11月」) or one Chinese character
#: (个, 年, 月 …), and the closing punctuation after it (「分）；」「%）」「个，」)
_AFTER_NUMBER = re.compile(
    rf"(?<=\d)(?:{''.join(w + '|' for w in UNIT_WORDS)}[%‰％—–～~]|[\u3400-\u9fff\uf900-\ufaff]|[{_CLOSING}])"
    rf"[{_CLOSING}]*"
)


def _ideograph(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff"


def _pieces(text: str) -> list[tuple[str, bool]]:
    """``text`` as runs, each marked whether it is what follows a number (see :func:`_number_tail`),
    with :data:`NO_BREAK` where a line could otherwise break: before a unit (「24\u2060个」), inside a
    unit word (「亿\u2060元」), around a dash between numbers.  Nothing else changes."""
    out: list[tuple[str, bool]] = []
    start = 0
    for m in _AFTER_NUMBER.finditer(text):
        head, tail = text[start : m.start()], m.group()
        if _ideograph(tail[0]) or tail[0] in "—–～~":
            head += NO_BREAK
        word = next((w for w in UNIT_WORDS if tail.startswith(w)), "")
        if word:
            tail = NO_BREAK.join(word) + tail[len(word) :]
        elif tail[0] in "—–～~" and m.end() < len(text) and text[m.end()].isdigit():
            tail += NO_BREAK
        out += [(head, False), (tail, True)]
        start = m.end()
    out.append((text[start:], False))
    return [(t, glued) for t, glued in out if t]


def _number_tail(run: Any) -> None:
    """Have LibreOffice break the line around what follows a number by the Unicode rules (UAX #14,
    ICU), which honour :data:`NO_BREAK` and never break before 「%」「，」「）」, instead of its
    Chinese rule.  LibreOffice (7.x) breaks zh-CN text before any character but those of its
    禁则 lists — which a .docx cannot extend — and ignores a joiner there; it asks ICU for text
    whose language is not Chinese.  So this run (a unit and its punctuation: a few characters;
    the rest of the text stays zh-CN) has the East Asian language 「zxx」, no linguistic content:
    nothing to spell-check either."""
    from docx.oxml.ns import qn

    _in_order(run._element.get_or_add_rPr(), "w:lang", {qn("w:eastAsia"): "zxx"})


def _field_run(para: Any, kind: str, text: str | None = None) -> None:
    from docx.oxml.ns import qn

    run = para.add_run()
    _fonts(run, PAGE_FONT, SIZE_4)
    if kind == "text":
        run.text = text or ""
        return
    if kind == "instr":
        el = run._element.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
        el.text = text
    else:
        el = run._element.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind})
    run._element.append(el)


def _page_number(para: Any, align: Any) -> None:
    """「— 1 —」: a PAGE field between two dashes, one character in from ``align``'s side."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    para.alignment = align
    fmt = para.paragraph_format
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        fmt.right_indent = Pt(SIZE_4)
    else:
        fmt.left_indent = Pt(SIZE_4)
    fmt.space_before = fmt.space_after = Pt(0)
    _fonts(para.add_run("— "), PAGE_FONT, SIZE_4)
    for kind, text in (("begin", None), ("instr", " PAGE "), ("separate", None), ("text", "1"), ("end", None)):
        _field_run(para, kind, text)
    _fonts(para.add_run(" —"), PAGE_FONT, SIZE_4)


def _page_numbers(doc: Any, section: Any) -> None:
    """GB/T 9704 7.5: odd pages' numbers on the right, even pages' on the left, each one
    character in; 4号 宋体, about 7 mm below the text block."""
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    doc.settings.odd_and_even_pages_header_footer = True
    _page_number(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
    _page_number(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)


def _grid(section: Any) -> None:
    """The document grid of GB/T 9704: 22 lines (``w:docGrid`` of type ``lines``, pitch 28.95 pt).
    The 28 characters a line come from the text itself (:data:`CONDENSE`): 3号 (16 pt) in the
    156 mm line gives 27, and a grid of characters (``linesAndChars`` with a negative
    ``w:charSpace``) is drawn by LibreOffice / WPS as two cells a character (14 a line)."""
    from docx.oxml.ns import qn

    sect = section._sectPr
    for old in sect.findall(qn("w:docGrid")):
        sect.remove(old)
    sect.append(sect.makeelement(qn("w:docGrid"), {qn("w:type"): "lines", qn("w:linePitch"): str(round(LINE_PT * 20))}))


def _off_grid(para: Any) -> None:
    from docx.oxml.ns import qn

    _in_order(para._element.get_or_add_pPr(), "w:snapToGrid", {qn("w:val"): "0"})


def _properties(doc: Any, bulletin: Bulletin) -> None:
    """Document properties of this 通报, in Chinese: not python-docx's template (en-US, a 2013
    creation date, 「Microsoft Macintosh Word」).  The text's language is zh-CN (``w:eastAsia``,
    and Word's theme language); Latin letters and digits are :data:`LATIN_LANGUAGE`, as Word
    writes a Chinese document."""
    from datetime import datetime

    from docx.oxml.ns import qn
    from lxml import etree

    now = datetime.now(UTC).replace(microsecond=0)
    props = doc.core_properties
    props.title = bulletin.title
    props.author = props.last_modified_by = bulletin.signature or bulletin.office or SIGNATURE
    props.language = "zh-CN"
    props.created = props.modified = now
    props.revision = 1
    props.comments = props.keywords = props.subject = props.category = ""
    defaults = doc.styles.element.find(qn("w:docDefaults"))
    if defaults is not None:
        for lang in defaults.iter(qn("w:lang")):
            lang.set(qn("w:val"), LATIN_LANGUAGE)
            lang.set(qn("w:eastAsia"), "zh-CN")
    theme = doc.settings.element.find(qn("w:themeFontLang"))
    if theme is not None:
        theme.set(qn("w:val"), LATIN_LANGUAGE)
        theme.set(qn("w:eastAsia"), "zh-CN")  # python-docx's template says ja-JP

    for part in doc.part.package.iter_parts():
        if str(part.partname) == "/docProps/app.xml":
            root = etree.fromstring(part.blob)
            ns = root.nsmap.get(None, "")
            for el in root.iter(f"{{{ns}}}Application"):
                el.text = APPLICATION
            for el in root.iter(f"{{{ns}}}AppVersion", f"{{{ns}}}Template", f"{{{ns}}}Company"):
                el.text = "" if not el.tag.endswith("AppVersion") else el.text
            part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


#: what Word / WPS shows when the 公文 fonts are not installed (w:altName in the font table)
FALLBACKS = {TITLE_FONT: "宋体", BODY_FONT: "仿宋", HEADING_FONT: "黑体", KAITI_FONT: "楷体", PAGE_FONT: "宋体"}


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
        date=_xml_text(bulletin.date),
        recipients=_xml_text(bulletin.recipients),
        opening=_xml_text(bulletin.opening),
        signature=_xml_text(bulletin.signature),
        sections=[Section(_xml_text(s.heading), [_xml_text(p) for p in s.paragraphs]) for s in bulletin.sections],
    )


def _width(text: str) -> float:
    """``text``'s width in characters of the 3号 grid (digits and Latin letters are half, the
    joiner :data:`NO_BREAK` nothing)."""
    return sum(0.5 if ord(ch) < 0x2E80 else 1.0 for ch in text if ch != NO_BREAK)


def title_lines(title: str) -> list[str]:
    """The lines of the title (GB/T 9704: 2号, centred, on one line or more, each broken where the
    sense breaks — never one character left alone): one line when it fits; else the period
    (「……关于2026年第三季度」) over the topic (「招商引资工作情况的通报」), and a long 发文机关 on a line
    of its own above them."""
    head, topic, rest = title.rpartition(TOPIC)
    if _width(title) <= TITLE_CHARS or not topic or not head or rest:
        return [title]
    about = head.rfind("关于")
    if _width(head) > TITLE_CHARS and about > 0:
        return [head[:about], head[about:], topic]
    return [head, topic]


def write_default(bulletin: Bulletin, path: Path) -> None:
    """The bulletin in the GB/T 9704 layout (atomically)."""
    bulletin = xml_safe(bulletin)
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Mm, Pt

    doc = Document()
    sec = doc.sections[0]
    sec.page_width, sec.page_height = Mm(210), Mm(297)
    sec.top_margin, sec.bottom_margin = Mm(37), Mm(35)
    sec.left_margin, sec.right_margin = Mm(28), Mm(26)
    sec.footer_distance = Mm(FOOTER_MM)
    _grid(sec)
    title = _paragraph(doc, "\n".join(title_lines(bulletin.title)), TITLE_FONT, SIZE_2, center=True)
    _off_grid(title)  # 2号 on the 3号 character grid would spread the title out
    _paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    if bulletin.recipients:
        _paragraph(doc, bulletin.recipients, BODY_FONT, SIZE_3, indent=False)
    if bulletin.opening:
        _paragraph(doc, bulletin.opening, BODY_FONT, SIZE_3)
    for s in bulletin.sections:
        _paragraph(doc, s.heading, HEADING_FONT, SIZE_3, keep_next=True)
        for text in s.paragraphs:
            _paragraph(doc, text, BODY_FONT, SIZE_3)
    # 署名 and 成文日期: one blank line under the text, the date 右空四字, the signature centred on it
    _paragraph(doc, "", BODY_FONT, SIZE_3, indent=False)
    signature = _paragraph(doc, bulletin.signature or bulletin.office or SIGNATURE, BODY_FONT, SIZE_3, indent=False)
    date_line = _paragraph(doc, bulletin.date or bulletin.asof, BODY_FONT, SIZE_3, indent=False)
    pitch = TEXT_WIDTH_PT / CHARS_PER_LINE
    shift = max(0.0, (_width(date_line.text) - _width(signature.text)) / 2)
    for para, chars in ((signature, 4 + shift), (date_line, 4)):
        para.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        para.paragraph_format.right_indent = Pt(pitch * chars)
        para.paragraph_format.keep_together = True
    signature.paragraph_format.keep_with_next = True
    _page_numbers(doc, sec)
    _font_table(doc)
    _properties(doc, bulletin)
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
