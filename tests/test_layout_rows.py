"""County sheets whose layout used to import silently wrong, on in-memory tables:

* a subtotal or total written with a chain or place before it and a count after it
  (「大豆精深加工产业链小计」「新能源小计（1个）」「共计3个项目」「累计完成」) is a total row, never a
  project — while 「小计算机产业园项目」 is one;
* a group heading written across cells (「一 | 新能源产业链 | 9000」) is a heading whose text the
  rows below carry, not a project;
* the money unit said in a note (「注：金额均为亿元。」) or in the title (「（单位：亿元）」);
* the reporting unit said with a seal mark (「填报单位（盖章）：…」, 「孙吴县商务局（盖章）」) and the
  filing date said in the title (「（填报日期：2026-10-29）」).
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from zhaoshang.errors import ZsError
from zhaoshang.exchange import header_area
from zhaoshang.exchange.readers import RawSheet
from zhaoshang.exchange.tables import RowClass, Table, find_table

LABELS = {"项目名称", "产业链", "投资额", "状态", "备注"}
HEADER = ["序号", "项目名称", "产业链", "投资额", "状态"]
ROW = [1, "甲铜箔项目", "有色金属", 500, "在谈"]


def _known(label: str) -> bool:
    return label in LABELS


def _table(grid: list[list[Any]]) -> Table:
    return find_table(RawSheet("招什么", grid), _known)


def _read(grid: list[list[Any]]) -> tuple[dict[int, Any], dict[int, RowClass], Table]:
    """(data rows by number, fates by row number, the table) — the rows read to the end."""
    table = _table(grid)
    data = {r.number: r for r in table.rows}
    fates = {n: f.cls for f in table.fates for n in range(f.first, f.last + 1)}
    return data, fates, table


# ------------------------------------------------------------------------ 1. total rows

TOTALS = [
    "大豆精深加工产业链小计",
    "新能源小计（1个）",
    "共计3个项目",
    "全市合计",
    "累计完成",
    "总 计",
    "合  计",
    "本月合计：",
    "小计(3个)",
    "合计：共5个项目",
    "1—10月累计完成情况",
    "一、续建项目小计",
    "總計",
]
PROJECTS = ["小计算机产业园项目", "合计量表厂项目", "统计局办公楼", "公共计算中心项目", "总计划投资项目"]


@pytest.mark.parametrize("name", TOTALS)
@pytest.mark.parametrize("with_index", [False, True])
def test_a_total_with_a_prefix_and_a_count_is_a_total_row(name: str, with_index: bool) -> None:
    total = [None, name, None, 15000, None]
    grid = [HEADER, ROW, total, [2, "乙光伏项目", "新能源", 300, "线索"]]
    data, fates, table = _read(grid)
    assert sorted(data) == [2, 4]
    assert fates[3] is RowClass.total
    assert any(f"「{name}」是合计行" in f.reason for f in table.fates)


def test_a_total_word_in_the_index_cell_with_a_count_beside_it() -> None:
    data, fates, _ = _read([HEADER, ROW, ["合  计", "3个", None, 15000, None]])
    assert sorted(data) == [2] and fates[3] is RowClass.total


@pytest.mark.parametrize("name", PROJECTS)
def test_a_project_whose_name_holds_a_total_word_is_a_project(name: str) -> None:
    data, _fates, _ = _read([HEADER, [1, name, "有色金属", 500, "在谈"]])
    assert [r.cells[1] for r in data.values()] == [name]


_PREFIXES = st.sampled_from(
    ["", "全市", "全县", "本月", "本年", "新能源", "大豆精深加工产业链", "绿色矿业", "孙吴县", "在谈项目",
     "生物医药（北药）", "（一）", "二、", "1-10月", "2026年"]
)  # fmt: skip
_WORDS = st.sampled_from(["合计", "小计", "总计", "共计", "累计", "合 计", "總計", "小計"])
_COUNTS = st.sampled_from(
    ["", "（1个）", "(12个)", "3个项目", "共5个", "（三个）", "：", ":", "。", "（共2个项目）", "5项", "3家"]
)
_ENDS = st.sampled_from(["", "完成", "情况", "完成情况"])


@settings(max_examples=300, deadline=None)
@given(_PREFIXES, _WORDS, _COUNTS, _ENDS, st.booleans())
@example("", "合计", "", "", False)
def test_any_prefix_total_word_and_count_is_a_total(prefix: str, word: str, count: str, end: str, flip: bool) -> None:
    name = prefix + word + (end + count if flip else count + end)
    data, fates, _ = _read([HEADER, ROW, [None, name, None, 100, None]])
    assert sorted(data) == [2], name
    assert fates[3] is RowClass.total, name


# a total word followed by more words is a name: 小计算机… 合计量表厂… 累计划…
_GOES_ON = st.text(alphabet="算机量表厂划园区产业材料新城", min_size=1, max_size=6)


@settings(max_examples=300, deadline=None)
@given(_PREFIXES, _WORDS, _GOES_ON, st.sampled_from(["项目", "厂", "基地", ""]))
def test_a_total_word_that_goes_on_is_a_project(prefix: str, word: str, more: str, end: str) -> None:
    name = prefix + word + more + end
    data, _fates, _ = _read([HEADER, [1, name, "有色金属", 100, "在谈"]])
    assert [r.cells[1] for r in data.values()] == [name]


# ------------------------------------------------------------------------ 2. group headings across cells


def test_a_group_heading_across_cells_is_a_heading_the_rows_below_carry() -> None:
    grid = [
        ["北安市2026年10月招商引资项目推进情况表"],
        ["序号", "项目名称", "投资额（万元）", "状态", "备注"],
        ["一", "新能源产业链", 9000, None, None],
        [1, "北安市光伏扶贫项目", 5000, "在谈", None],
        [2, "北安市储能项目", 4000, "线索", None],
        ["二", "绿色矿业", "3000", None, None],
        [3, "北安市石墨提纯项目", 3000, "线索", None],
        ["（一）", "生物医药（北药）", None, None, None],
        [4, "北安市板蓝根项目", 800, "线索", None],
        ["(二)", "寒地龙药", 1.5, 2, None],
        [5, "北安市五味子项目", 100, "线索", None],
    ]
    data, fates, table = _read(grid)
    assert {n: r.heading for n, r in data.items()} == {
        4: "一、新能源产业链",
        5: "一、新能源产业链",
        7: "二、绿色矿业",
        9: "（一）生物医药（北药）",
        11: "(二)寒地龙药",
    }
    assert [fates[n] for n in (3, 6, 8, 10)] == [RowClass.section] * 4
    assert "「一、新能源产业链」是分组标题" in [f.reason for f in table.fates]


@pytest.mark.parametrize(
    "row",
    [
        [1, "新能源产业链", 9000, None, None],  # an arabic 序号: a project
        ["一", "北安市光伏项目", 9000, "在谈", None],  # a status after it: a project numbered 一
        ["一", 9000, None, None, None],  # no heading text
    ],
)
def test_a_row_that_is_no_heading_across_cells_stays_data(row: list[Any]) -> None:
    data, _fates, _ = _read([["序号", "项目名称", "投资额", "状态", "备注"], row])
    assert list(data) == [2]


_NUMERALS = st.sampled_from(["一", "二", "九", "十", "十一", "一、", "（一）", "(二)", "（十二）"])
_HEADINGS = st.sampled_from(["新能源产业链", "绿色矿业", "生物医药（北药）", "续建项目", "在谈项目（3个）"])
_SUBTOTALS = st.lists(
    st.one_of(st.integers(0, 10**6), st.floats(0, 1e6, allow_nan=False), st.just("9,000")), max_size=3
)


@settings(max_examples=200, deadline=None)
@given(_NUMERALS, _HEADINGS, _SUBTOTALS, st.integers(1, 99))
def test_any_numeral_and_heading_across_cells_is_a_heading(
    numeral: str, heading: str, subtotal: list[Any], index: int
) -> None:
    row = [numeral, heading, *subtotal]
    data, fates, _ = _read([["序号", "项目名称", "投资额", "状态", "备注"], row, [index, "甲项目", 5, "在谈"]])
    assert fates[2] is RowClass.section
    joined = numeral + heading if numeral[-1] in "、)）" else f"{numeral}、{heading}"
    assert [(n, r.heading) for n, r in data.items()] == [(3, joined)]


# ------------------------------------------------------------------------ 3. money unit in a note or the title

NOTES = [
    "注：金额均为亿元。",
    "说明：投资额为亿元",
    "备注：以上金额均为亿元",
    "注：本表金额单位为亿元",
    "注：金额单位：亿元",
    "注：金额均以亿元计",
    "註：金額均為億元。",
]


@pytest.mark.parametrize("note", NOTES)
def test_a_note_under_the_data_that_gives_the_money_unit_is_refused_unless_the_header_says_it(note: str) -> None:
    rows = [["项目名称", "产业链", "投资额"], ["甲项目", "有色金属", 0.5], [note]]
    with pytest.raises(ZsError, match="说金额单位是亿元，表头和表头上方都没有写金额单位"):
        _read(rows)
    _read([["项目名称", "产业链", "投资额（亿元）"], *rows[1:]])  # the header says it: read
    _read([["单位：亿元"], *rows])  # a 单位 line says it: read
    _read([["孙吴县项目表（单位：亿元）"], *rows])  # so does the title


@pytest.mark.parametrize(
    "note", ["注：金额为5亿元以上的项目为重点项目", "说明：投资额10亿元以上单列", "注：单位负责人签字"]
)
def test_a_note_that_names_a_sum_not_a_unit_is_a_note(note: str) -> None:
    data, fates, _ = _read([["项目名称", "产业链", "投资额"], ["甲项目", "有色金属", 0.5], [note]])
    assert list(data) == [2] and fates[3] is RowClass.note


@pytest.mark.parametrize(
    ("above", "unit", "source"),
    [
        ([["北安市2026年10月招商引资项目推进情况表（单位：亿元）"]], "亿元", "表头上方的「单位：亿元」"),
        ([["北安市推进情况表"], ["（金额：万元）"]], "万元", "表头上方的「（金额：万元）」"),
        ([["北安市推进情况表（金额：万元）"]], "万元", "表头上方的「（金额：万元）」"),
        ([["北安市推进情况表 （单位：亿元）"]], "亿元", "表头上方的「（单位：亿元）」"),
        ([["注：金额均为亿元"]], "亿元", "表头上方的「注：金额均为亿元」"),
        ([["北安市推进情况表（2026年10月）"]], None, None),
    ],
)
def test_the_money_unit_in_the_title_or_a_note_above_the_header(
    above: list[list[Any]], unit: str | None, source: str | None
) -> None:
    _data, _fates, table = _read([*above, ["项目名称", "产业链", "投资额"], ["甲项目", "有色金属", 0.5]])
    found = header_area.money_unit(table.meta)
    assert (found[1] if found else None) == unit
    assert (found[0].source if found else None) == source


def test_a_title_with_a_unit_in_brackets_still_names_the_period() -> None:
    _data, _fates, table = _read([["北安市2026年10月推进情况表 （单位：亿元）"], ["项目名称", "产业链"], ["甲", "乙"]])
    period = header_area.report_period(table.captions)
    assert period is not None and period.text == "2026年10月"


# ------------------------------------------------------------------------ 4. seal marks, dates in titles


SEAL_KEYS = (
    "填报单位（盖章）",
    "填报单位(公章)",
    "填报单位（章）",
    "填报单位（加盖公章）",
    "填報單位（蓋章）",
    "报送单位（印章）",
)


@pytest.mark.parametrize("key", SEAL_KEYS)
def test_a_reporting_unit_key_with_a_seal_mark(key: str) -> None:
    said = header_area.reporting_unit({key: "孙吴县发展和改革局", "单位": "亿元"})
    assert said is not None and said.value == "孙吴县发展和改革局"
    assert said.source == f"表头上方的「{key}：孙吴县发展和改革局」"


@pytest.mark.parametrize(
    ("line", "written"),
    [
        (["孙吴县商务局（盖章）"], "孙吴县商务局（盖章）"),
        (["孙吴县商务局(公章)", None, "单位：亿元"], "孙吴县商务局(公章)"),
        (["孙吴县商务局（盖章）\u3000\u3000单位：亿元\u3000\u3000填报时间：2026年10月30日"], "孙吴县商务局（盖章）"),
        (["填报单位（盖章）：孙吴县商务局", None, "填报日期：2026-10-30"], "填报单位（盖章）：孙吴县商务局"),
        (["填报单位（盖章）：", "孙吴县商务局"], "填报单位（盖章）：孙吴县商务局"),
    ],
)
def test_the_reporting_unit_said_by_its_seal_above_the_header(line: list[Any], written: str) -> None:
    grid = [["孙吴县2026年10月招商引资项目推进情况表"], line, HEADER, ROW]
    data, fates, table = _read(grid)
    assert list(data) == [4] and fates[2] is RowClass.meta
    said = header_area.reporting_unit(table.meta)
    assert said is not None and said.value == "孙吴县商务局"
    assert said.source == f"表头上方的「{written}」"
    assert table.captions == ["孙吴县2026年10月招商引资项目推进情况表"]


def test_a_bare_seal_line_is_said_as_written() -> None:
    _data, _fates, table = _read([["孙吴县商务局（盖章）"], HEADER, ROW])
    said = header_area.reporting_unit(table.meta)
    assert said is not None and said.source == "表头上方的「孙吴县商务局（盖章）」"
    assert "表头上方的「孙吴县商务局（盖章）」" in [f.reason for f in table.fates]


@pytest.mark.parametrize(
    "line",
    [["（盖章）"], ["某某县2026年10月项目表"], ["孙吴县商务局"], ["孙吴县2026年10月项目表（填报日期：2026-10-29）"]],
)
def test_a_line_without_a_name_and_seal_names_no_unit(line: list[Any]) -> None:
    _data, _fates, table = _read([line, HEADER, ROW])
    assert header_area.reporting_unit(table.meta) is None


@pytest.mark.parametrize(
    "footer",
    [
        ["填报单位（盖章）：孙吴县商务局"],
        ["孙吴县商务局（盖章）"],
        ["填报人（签字）：张三", None, "审核人（签字）：李四"],
    ],
)
def test_a_seal_or_signature_footer_is_a_footer_not_a_project(footer: list[Any]) -> None:
    data, fates, _ = _read([HEADER, ROW, footer])
    assert list(data) == [2] and fates[3] is RowClass.footer


@pytest.mark.parametrize(
    "title",
    ["孙吴县2026年10月招商引资项目推进情况表（填报日期：2026-10-29）", "孙吴县推进情况表(填报日期:2026-10-29)"],
)
def test_the_filing_date_inside_the_title(title: str) -> None:
    _data, fates, table = _read([[title], HEADER, ROW])
    said = header_area.filing_date(table.meta)
    assert said is not None and said.value == "2026-10-29"
    assert fates[1] is RowClass.caption and table.captions == [title]


def test_a_bracketed_line_above_the_header_gives_its_value_without_the_bracket() -> None:
    grid = [["孙吴县项目表"], ["（填报日期：2026-10-29）"], ["(填报单位：孙吴县商务局)"], HEADER, ROW]
    _data, _fates, table = _read(grid)
    filed, unit = header_area.filing_date(table.meta), header_area.reporting_unit(table.meta)
    assert filed is not None and filed.value == "2026-10-29"
    assert filed.source == "表头上方的「（填报日期：2026-10-29）」"
    assert unit is not None and unit.value == "孙吴县商务局"
