"""The 通报's title on paper (issue 27; GB/T 9704: 2号小标宋, centred, one line or more, broken where
the sense breaks): 「关于2026年第三季度招商引资工作情况的通」 over a lone 「报」 was printed, and a
period given with --from/--to was written twice, 「2026年8月1日至10月31日（2026年8月1日至2026年10月31日）」."""

from __future__ import annotations

from pathlib import Path

import pytest
from _harness import libreoffice, printed_lines, read_docx, to_pdf
from conftest import Cli
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.reports.bulletin import TOPIC, Bulletin, Section
from zhaoshang.reports.bulletin_docx import TITLE_CHARS, title_lines, write_default

pytest.importorskip("docx")

TITLES = {
    "月": "关于2026年11月招商引资工作情况的通报",
    "季": "关于2026年第三季度招商引资工作情况的通报",
    "期间": "关于2026年9月1日至11月30日招商引资工作情况的通报",
    "局": "黑河市商务局关于2026年11月招商引资工作情况的通报",
    "长": "黑河市招商引资工作领导小组办公室关于2026年9月1日至11月30日招商引资工作情况的通报",
}


def test_a_title_too_long_for_a_line_breaks_before_its_topic() -> None:
    assert title_lines(TITLES["月"]) == [TITLES["月"]]
    assert title_lines(TITLES["季"]) == ["关于2026年第三季度", TOPIC]
    assert title_lines(TITLES["期间"]) == ["关于2026年9月1日至11月30日", TOPIC]
    assert title_lines(TITLES["局"]) == ["黑河市商务局关于2026年11月", TOPIC]
    assert title_lines(TITLES["长"]) == ["黑河市招商引资工作领导小组办公室", "关于2026年9月1日至11月30日", TOPIC]


@given(
    office=st.text(alphabet="黑河市区县局委办公室领导小组", max_size=30),
    label=st.sampled_from(["2026年11月", "2026年第三季度", "2026年1月1日至2026年6月30日"]),
)
def test_the_lines_are_the_title_and_none_is_a_lone_character(office: str, label: str) -> None:
    title = f"{office}关于{label}{TOPIC}"
    lines = title_lines(title)
    assert "".join(lines) == title
    assert all(len(line) >= 2 for line in lines)
    assert len(lines) == 1 or lines[-1] == TOPIC


def _bulletin(title: str) -> Bulletin:
    return Bulletin(
        title=title,
        office="",
        period="2026年11月",
        asof="2026年11月30日",
        sections=[Section("一、总体情况", ["正文。"])],
        placeholder=False,
        date="2026年12月5日",
    )


@libreoffice
def test_every_title_prints_on_the_lines_it_was_given(tmp_path: Path) -> None:
    """Printed through LibreOffice, each line of the title is one printed line: none runs over
    and leaves a character or two alone on the next."""
    files = []
    for name, title in TITLES.items():
        files.append(tmp_path / f"{name}.docx")
        write_default(_bulletin(title), files[-1])
    pdfs = to_pdf(files, tmp_path / "pdf")
    for name, title in TITLES.items():
        expected = title_lines(title)
        printed = [line.replace(" ", "") for line in printed_lines(pdfs[name])[: len(expected) + 1]]
        assert printed[: len(expected)] == expected, (name, printed)
        assert printed[len(expected)] == _bulletin(title).recipients, (name, printed)  # nothing of the title left
        assert len(expected) == 1 or sum(len(x) for x in expected) > TITLE_CHARS


def test_a_period_given_by_its_dates_is_not_said_twice(demo_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "通报.docx"
    cli = Cli(demo_db)
    args = ("--from", "2026-08-01", "--to", "2026-10-31", "--today", "2026-11-15", "--date", "2026-11-16")
    cli("report", "bulletin", *args, "--out", str(out), ok=True)
    text = "\n".join(p.text for p in read_docx(out).paragraphs)
    assert "2026年8月1日至10月31日，时序进度为" in text
    assert "（2026年8月1日至2026年10月31日）" not in text
    # a period still running is counted to the day of the report: that is said
    cli("report", "bulletin", "--from", "2026-11-01", "--to", "2026-11-20", *args[4:], "--out", str(out), ok=True)
    text = "\n".join(p.text for p in read_docx(out).paragraphs)
    assert "2026年11月1日至11月20日（2026年11月1日至2026年11月15日），时序进度为" in text
