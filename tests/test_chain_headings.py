"""Issue 25: a chain's bare name alone in the name column (「绿色矿业」, 「绿色矿业类」), with no 序号
and nothing else, is a group heading giving the rows under it that chain — shown as an
inference; a text no chain has stays a row, refused as the second line of a name."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang import lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.demo import CHAINS
from zhaoshang.errors import ZsError
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file
from zhaoshang.exchange.sheet_rules import ChainHeading, bare_chain, chain_headings
from zhaoshang.exchange.tables import DataRow

TODAY = dt.date(2026, 12, 7)
DEMO = {i: c[0] for i, c in enumerate(CHAINS, start=1)}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database.open(tmp_path / "city.db", load())
    with d.command("setup", user="测试员"):
        lookups.create(d, lookups.CHAIN, "新能源", {})
        lookups.create(d, lookups.CHAIN, "绿色矿业", {})
        lookups.create(d, lookups.UNIT, "孙吴县", {"type": "区县"})
    try:
        yield d
    finally:
        d.close()


def book(path: Path, rows: list[list[Any]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def run(db: Database, path: Path, **opts: Any) -> ImportReport:
    return import_file(db, path, ImportOptions(kind="招什么", today=TODAY, **opts), user="测试员")


HEADER = ["序号", "项目名称", "投资额（亿元）", "状态", "签约日期"]


def sheet_without_chain_column(first: str, second: str) -> list[list[Any]]:
    return [
        ["孙吴县2026年10月招商引资项目表"],
        HEADER,
        [None, first],
        [1, "钼矿深加工项目", 3, "已签约", "2026-10-09"],
        [2, "石墨提纯项目", 2, "已签约", "2026-10-10"],
        [None, second],
        [3, "氢能产业园项目", 5, "已签约", "2026-10-08"],
    ]


@pytest.mark.parametrize(
    ("first", "second"), [("绿色矿业", "新能源"), ("绿色矿业类", "新能源类"), ("綠色礦業", "新能源")]
)
def test_bare_chain_names_give_the_rows_under_them_their_chain(
    db: Database, tmp_path: Path, first: str, second: str
) -> None:
    path = book(tmp_path / "a.xlsx", sheet_without_chain_column(first, second))
    report = run(db, path, dry_run=True)
    shown = "\n".join(i.text for i in report.inferences)
    (said,) = [i for i in report.inferences if f"本行只有「{first}」" in i.text]
    assert said.text.startswith(f"本行只有「{first}」（产业链「绿色矿业」的名称，没有序号和别的内容）：按分组标题读")
    assert said.runs == [[3, 3]], said
    assert f"分组标题「{first}」下没有产业链的行按标题归入产业链「绿色矿业」" in shown
    assert f"分组标题「{second}」下没有产业链的行按标题归入产业链「新能源」" in shown
    fates = {f.first: f.reason for f in report.sheets[0].rows}
    assert fates[3] == f"「{first}」是分组标题" and fates[6] == f"「{second}」是分组标题"
    run(db, path)
    got = dict(db.query("SELECT i.title, c.name FROM items i JOIN chains c ON c.id = i.chain_id"))
    assert got == {"钼矿深加工项目": "绿色矿业", "石墨提纯项目": "绿色矿业", "氢能产业园项目": "新能源"}


def test_a_row_whose_chain_contradicts_the_bare_heading_is_refused(db: Database, tmp_path: Path) -> None:
    rows = [
        ["孙吴县2026年10月招商引资项目表"],
        ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期"],
        [None, "绿色矿业"],
        [1, "氢能产业园项目", "新能源", 5, "已签约", "2026-10-08"],
    ]
    with pytest.raises(ZsError) as refused:
        run(db, book(tmp_path / "b.xlsx", rows))
    assert "与本行所在的分组标题「绿色矿业」说的产业链「绿色矿业」不一致" in str(refused.value)


@pytest.mark.parametrize("text", ["及配套深加工项目", "绿色矿业二期", "新能源汽车"])
def test_a_text_no_chain_has_is_still_the_second_line_of_a_name(db: Database, tmp_path: Path, text: str) -> None:
    rows = [
        ["孙吴县2026年10月招商引资项目表"],
        ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期"],
        [1, "氢能产业园项目", "新能源", 5, "已签约", "2026-10-08"],
        [None, text],
        [2, "钼矿深加工项目", "绿色矿业", 3, "已签约", "2026-10-09"],
    ]
    with pytest.raises(ZsError) as refused:
        run(db, book(tmp_path / "c.xlsx", rows))
    assert "是上一行名称写到了第二行" in str(refused.value)
    assert db.query("SELECT count(*) FROM items")[0][0] == 0


# ---------------------------------------------------------------------------------------
# the rule on in-memory rows


def rows_of(texts: list[tuple[object, str]], *, name: int = 1) -> list[DataRow]:
    """(序号, name) pairs as data rows; a 序号 of None with the name alone is a lone name."""
    out = []
    for n, (index, text) in enumerate(texts, start=3):
        cells: dict[int, object] = {name: text} if index is None else {name: text, 2: 5}
        out.append(DataRow(n, cells, None, index))
    return out


def test_the_rule_on_in_memory_rows() -> None:
    got = list(chain_headings(rows_of([(None, "新能源"), (1, "甲项目"), (2, "乙项目")]), DEMO, [1]))
    assert isinstance(got[0][1], ChainHeading) and got[0][1].chain == (4, "新能源")
    assert [r.chain_heading for r, h in got[1:]] == ["新能源", "新能源"]
    # in another column than the name's it is no heading
    other = list(chain_headings(rows_of([(None, "新能源"), (1, "甲项目")], name=0), DEMO, [1]))
    assert [h for _, h in other] == [None, None] and other[1][0].chain_heading is None


def test_a_heading_of_the_table_ends_a_bare_chains_group() -> None:
    rows = rows_of([(None, "新能源"), (1, "甲项目"), (2, "乙项目")])
    rows[2].heading = "二、续建项目"
    got = list(chain_headings(rows, DEMO, [1]))
    assert [r.chain_heading for r, _ in got[1:]] == ["新能源", None]


@settings(max_examples=300, deadline=None)
@given(
    chain=st.sampled_from(sorted(DEMO.values())),
    suffix=st.sampled_from(["", "类", " ", "　"]),
    other=st.text(alphabet=st.characters(min_codepoint=0x4E00, max_codepoint=0x4FFF), min_size=1, max_size=12),
)
def test_only_a_chains_own_name_is_a_heading(chain: str, suffix: str, other: str) -> None:
    """Over the demo database's chains: the name (with 类, spaces) is its heading; a random text
    that is no chain's name (nor one with 类) never is."""
    assert bare_chain(chain + suffix, DEMO) == next((i, n) for i, n in DEMO.items() if n == chain)
    named = {n for n in DEMO.values()} | {n + "类" for n in DEMO.values()}
    if other not in named:
        assert bare_chain(other, DEMO) is None
        got = list(chain_headings(rows_of([(None, other), (1, "甲项目")]), DEMO, [1]))
        assert [h for _, h in got] == [None, None]


def test_a_name_with_lei_is_read_only_when_unambiguous() -> None:
    chains = {1: "矿业", 2: "矿业类"}
    assert bare_chain("矿业类", chains) == (2, "矿业类")
    assert bare_chain("绿色矿业类", {1: "绿色矿业"}) == (1, "绿色矿业")
    assert bare_chain("绿色矿业", {1: "绿色矿业", 2: "綠色礦業"}) is None  # two chains of one name
