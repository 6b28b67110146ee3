"""The 通报 printed through LibreOffice never breaks a line inside a number or between a number
and its unit (issue 27): 「年累计签约项目 1」 over 「6 个」, 「97.5」 over 「%」, 「8.5」 over 「0亿元」 were
on paper.  The cause: the digits' language was zh-CN, and LibreOffice breaks Chinese text before
any character but its 禁则 lists; between a number and a Chinese unit it breaks even with the
digits in a Latin language.  The writer now gives Latin text a Latin language, puts U+2060 WORD
JOINER between a number and its unit and hands the unit's line breaking to the Unicode rules
(see ``bulletin_docx._number_tail``) — still 28 characters a line."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _harness import broken_numbers, libreoffice, printed_lines, read_docx, to_pdf
from conftest import Cli
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang.reports.bulletin import Bulletin, Section
from zhaoshang.reports.bulletin_docx import NO_BREAK, write_default

pytest.importorskip("docx")

TODAY = ("--today", "2026-11-15")  # the demo city's day (conftest.DEMO_TODAY)
PERIODS = {
    "month": ("--month", "2026-11"),
    "quarter": ("--quarter", "2026Q3"),
    "empty": ("--month", "2026-02"),
    "halfyear": ("--from", "2026-01-01", "--to", "2026-06-30"),
}
#: a sentence with every kind of number the 通报 writes
FIGURES = (
    "签约项目24个，签约额103.90亿元，完成率97.5%（逊克县31.78分）、到位外资404.1万美元；"
    "年累计1,718.6万美元，截至2026年11月15日，落后47.4个百分点，2026年1—11月累计，"
)
PLAIN = "招商引资" * 40  # Chinese text alone: 28 characters a line


def _bulletin(paragraphs: list[str]) -> Bulletin:
    return Bulletin(
        title="关于2026年11月招商引资工作情况的通报",
        office="",
        period="2026年11月",
        asof="2026年11月15日",
        sections=[Section("一、总体情况", paragraphs)],
        placeholder=False,
        date="2026年11月16日",
    )


def _everywhere() -> Bulletin:
    """FIGURES shifted by half a character at a time: every number meets the end of a line."""
    return _bulletin([PLAIN, *("招" * (k // 2) + "a" * (k % 2) + FIGURES * 2 for k in range(56))])


# ------------------------------------------------------------------------------ the .docx


def _body(doc: Any) -> Any:
    """The paragraph under the heading 「一、总体情况」."""
    paragraphs = list(doc.paragraphs)
    return paragraphs[[p.text for p in paragraphs].index("一、总体情况") + 1]


def _runs(path: Path, *, body_only: bool = False) -> list[tuple[str, str | None]]:
    """Each run's text and East Asian language (None: the document's, zh-CN); ``body_only``:
    the section's text alone."""
    import docx
    from docx.oxml.ns import qn

    doc = docx.Document(str(path))
    out = []
    for p in [_body(doc)] if body_only else doc.paragraphs:
        for r in p.runs:
            lang = r._element.rPr.find(qn("w:lang")) if r._element.rPr is not None else None
            out.append((r.text, None if lang is None else lang.get(qn("w:eastAsia"))))
    return out


def test_a_number_and_its_unit_are_joined(tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    write_default(_bulletin([FIGURES]), out)
    text = "".join(t for t, _ in _runs(out))
    whole = ["24\u2060个", "103.90\u2060亿\u2060元", "31.78\u2060分）", "404.1\u2060万\u2060美\u2060元；"]
    for joined in [*whole, "2026\u2060年"]:
        assert joined in text, joined
    assert "1\u2060—\u206011\u2060月" in text  # 「1—11月」 whole
    assert "97.5%（" in text  # the percent sign is Latin: the Unicode rules keep it with its number
    assert NO_BREAK == "\u2060"
    # what follows a number is line-broken by the Unicode rules (East Asian language zxx), the
    # rest of the text stays Chinese (the document default, zh-CN)
    tails = [t for t, lang in _runs(out) if lang == "zxx"]
    assert "个，" in tails and "%" in tails and "分）、" in tails and "亿\u2060元，" in tails
    assert all(len(t.replace(NO_BREAK, "")) <= 4 for t in tails), tails
    assert _body(read_docx(out)).text == FIGURES  # nothing else changes


def test_latin_text_is_not_in_a_chinese_language(tmp_path: Path) -> None:
    """LibreOffice breaks a line by the language of the text where it falls: digits marked zh-CN
    were broken anywhere (「404.」 over 「1万美元」).  The Chinese text is zh-CN, as are the
    document's properties; Latin letters and digits are en-US, as Word writes a Chinese document."""
    import zipfile

    out = tmp_path / "通报.docx"
    write_default(_bulletin([FIGURES]), out)
    with zipfile.ZipFile(out) as z:
        styles = z.read("word/styles.xml").decode()
        settings_xml = z.read("word/settings.xml").decode()
        core = z.read("docProps/core.xml").decode()
    assert re.search(r'<w:lang w:val="en-US" w:eastAsia="zh-CN"', styles), styles[:2000]
    assert 'w:eastAsia="zh-CN"' in settings_xml and "ja-JP" not in settings_xml  # the theme's language
    assert "<dc:language>zh-CN</dc:language>" in core


def test_the_joiners_take_no_room(tmp_path: Path) -> None:
    """The 署名 is centred over the date line by their widths: the joiners in 「2026年11月16日」
    are nothing (they counted as half a character each: the 署名 sat 0.75 character off)."""
    from dataclasses import replace

    from zhaoshang.reports.bulletin_docx import CHARS_PER_LINE, TEXT_WIDTH_PT

    out = tmp_path / "通报.docx"
    write_default(replace(_bulletin([FIGURES]), signature="黑河市商务局"), out)
    doc = read_docx(out)
    signature, date_line = doc.paragraphs[-2], doc.paragraphs[-1]
    assert (signature.text, date_line.text) == ("黑河市商务局", "2026年11月16日")
    pitch = TEXT_WIDTH_PT / CHARS_PER_LINE
    assert date_line.paragraph_format.right_indent.pt == pytest.approx(pitch * 4, abs=0.1)  # 右空四字
    # 「2026年11月16日」 is 7 characters wide, 「黑河市商务局」 6: half a character further in
    assert signature.paragraph_format.right_indent.pt == pytest.approx(pitch * 4.5, abs=0.1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(
        st.one_of(
            st.sampled_from(["个", "亿元", "万美元", "%", "）", "，", "—", "年", "分）；", "招商", "（", "a", " "]),
            st.integers(min_value=0, max_value=10**7).map(str),
            st.floats(min_value=0, max_value=1e6, allow_nan=False).map(lambda v: f"{v:,.2f}"),
        ),
        max_size=12,
    ).map("".join)
)
def test_the_text_is_the_text(tmp_path: Path, text: str) -> None:
    """Whatever the sentence, the .docx says it as it was (the joiners aside), a Chinese
    character right after a digit is joined to it, and only what follows a number leaves zh-CN."""
    out = tmp_path / "t.docx"
    write_default(_bulletin([text or "无"]), out)
    runs = _runs(out, body_only=True)
    assert _body(read_docx(out)).text == (text or "无")
    assert not re.search(r"\d[\u3400-\u9fff]", "".join(t for t, _ in runs))
    for i, (t, lang) in enumerate(runs):
        if lang == "zxx":
            assert i > 0 and re.search(r"\d\u2060?$", runs[i - 1][0]), (runs[i - 1 : i + 1], t)


# ------------------------------------------------------------------------------ on paper


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The demo city's 通报 for a month, a quarter, an empty month and a half-year, and one with a
    number at every place along the line, converted to PDF by ONE LibreOffice run."""
    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.demo import load_demo

    tmp = tmp_path_factory.mktemp("lines")
    files = []
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ZHAOSHANG_CACHE", str(tmp / "_cache"))
        mp.setenv("ZHAOSHANG_USER", "测试员")
        mp.setenv("ZHAOSHANG_CONFIG", str(tmp / "_config.toml"))
        for name in ("ZHAOSHANG_DB", "ZHAOSHANG_CHECKLISTS", "ZHAOSHANG_OFFICE"):
            mp.delenv(name, raising=False)
        db_path = tmp / "demo.db"
        db = Database.open(db_path, load())
        with db.command("init --demo", user="测试员"):
            load_demo(db, today=date(2026, 11, 15))
        db.close()
        cli = Cli(db_path)
        for which, period in PERIODS.items():
            out = tmp / f"通报-{which}.docx"
            cli("report", "bulletin", *period, *TODAY, "--date", "2026-11-16", "--out", str(out), ok=True)
            files.append(out)
    write_default(_everywhere(), tmp / "通报-everywhere.docx")
    files.append(tmp / "通报-everywhere.docx")
    return to_pdf(files, tmp / "pdf")


@pytest.mark.parametrize("which", [*PERIODS, "everywhere"])
@libreoffice
def test_no_line_ends_inside_a_number(printed: dict[str, Path], which: str) -> None:
    lines = printed_lines(printed[f"通报-{which}"])
    assert len(lines) > 20
    assert broken_numbers(lines) == []


@libreoffice
def test_still_28_characters_a_line(printed: dict[str, Path]) -> None:
    lines = printed_lines(printed["通报-everywhere"])
    start = next(i for i, line in enumerate(lines) if line.startswith("招商引资"))
    plain = [line.replace(" ", "") for line in lines[start : start + 5]]
    assert len(plain[0]) == 26 and all(len(line) == 28 for line in plain[1:5]), plain  # 2 of indent
