"""The import's steps as functions, on in-memory sheets — no file, no LibreOffice, no database:
which sheet is what (:mod:`~zhaoshang.exchange.sheetplan`), an item sheet's context
(:mod:`~zhaoshang.exchange.itemsheet`), group headings (:mod:`~zhaoshang.exchange.headings`),
merged areas (:func:`~zhaoshang.exchange.merged.said`), a new row's history
(:mod:`~zhaoshang.exchange.history`) and the decisions (:mod:`~zhaoshang.exchange.decide`)."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from zhaoshang import stages
from zhaoshang.choices import Confirm, OnDuplicate
from zhaoshang.definitions import load
from zhaoshang.exchange import columns, decide, headings, history, itemsheet, layout, merged, sheetplan
from zhaoshang.exchange.decide import Decision
from zhaoshang.exchange.inference import DateSource, Inference, Inferences, Rule
from zhaoshang.exchange.outcome import DuplicateAction, ImportOptions, ImportReport, Mode, SheetReport
from zhaoshang.exchange.readers import RawSheet
from zhaoshang.exchange.resolve import CellParsers
from zhaoshang.exchange.rows import ItemRow, NewItem, SheetContext, month_day, month_part
from zhaoshang.exchange.sheetfacts import SheetFacts
from zhaoshang.exchange.submission import review_because
from zhaoshang.exchange.tables import find_table

DEFS = load()
SPECS = {s.key: s for s in layout.detail_sheets(DEFS)}
KNOWN = columns.known_labels(DEFS, list(DEFS.kinds), list(SPECS.values()), {})
TARGETS = DEFS.kind("招什么")


def _opt(name: str) -> str:
    return "--" + name.replace("_", "-")


def _plan(name: str, *, ours: bool = False, rollup: bool = False, only: str | None = None) -> sheetplan.SheetPlan:
    only_kind = DEFS.kind(only) if only else None
    return sheetplan.plan(
        RawSheet(name, []), defs=DEFS, specs=SPECS, ours=ours, rollup=rollup, only_kind=only_kind, option=_opt
    )


# -- which sheet is what -------------------------------------------------------------------


def test_a_sheet_named_for_a_kind_holds_its_items() -> None:
    p = _plan("招什么")
    assert (p.role, p.kind, p.note) == (sheetplan.Role.items, TARGETS, None)
    assert _plan("神木市10月项目").role is sheetplan.Role.items  # kind from --kind or the headers
    assert _plan("神木市10月项目").kind is None


def test_detail_sheets_and_their_order() -> None:
    p = _plan("对接记录")
    assert p.role is sheetplan.Role.detail and p.spec is SPECS["activities"]
    planned = sorted([_plan("对接记录"), _plan("招什么"), _plan("产业链")], key=lambda p: p.order)
    assert [p.raw.name for p in planned] == ["产业链", "招什么", "对接记录"]


def test_summary_sheets_are_items_only_from_outside() -> None:
    assert _plan("汇总").role is sheetplan.Role.summary
    assert _plan("汇总", ours=True).role is sheetplan.Role.skip  # our own export's summary


def test_the_stage_log_is_read_only_in_a_rollup() -> None:
    assert _plan("阶段变更", rollup=True).role is sheetplan.Role.moves
    p = _plan("阶段变更")
    assert p.role is sheetplan.Role.skip and p.note == "「阶段变更」是历史记录，仅供查看，不导入"


def test_a_sheet_of_another_kind_than_kind_option_is_skipped_with_a_note() -> None:
    p = _plan("去哪招", only="招什么")
    assert p.role is sheetplan.Role.skip
    assert p.note == "「去哪招」不是 --kind 指定的「招什么」，已跳过"


# -- an item sheet's context -----------------------------------------------------------------


class _NoNames:
    """Names are resolved only when rows are parsed: the sheet's context needs none."""

    def __init__(self) -> None:
        self.names: dict[int, str] = {}

    def resolve(self, raw: object) -> int:
        raise AssertionError(raw)


def _prepare(grid: list[list[Any]], kind: str | None = "招什么") -> tuple[itemsheet.Prepared, Inferences]:
    raw = RawSheet("表", grid)
    inferred = Inferences()
    cells = CellParsers(DEFS, _NoNames(), _NoNames(), text_source=False)  # type: ignore[arg-type]
    got = itemsheet.prepare(
        raw,
        find_table(raw, KNOWN),
        DEFS.kind(kind) if kind else None,
        defs=DEFS,
        explicit={},
        only_kind=None,
        masked=False,
        mode=Mode.plain,
        cells=cells,
        inferred=inferred,
        facts=SheetFacts,
        option=_opt,
    )
    return got, inferred


def test_a_sheet_maps_its_columns_and_lists_their_fates() -> None:
    got, _inferred = _prepare([["项目名称", "产业链", "状态"], ["甲项目", "新能源", "在谈"]])
    assert got.usable and not got.problems and not got.early
    assert got.sheet is not None and got.sheet.kind is TARGETS
    assert [c.letter for c in got.sheet.report.columns] == ["A", "B", "C"]


def test_the_kind_is_guessed_from_the_headers_and_said() -> None:
    got, inferred = _prepare([["项目名称", "产业链", "签约日期"], ["甲项目", "新能源", "2026-10-01"]], kind=None)
    assert got.sheet is not None and got.sheet.kind is TARGETS
    assert [i.rule for i in inferred.all()] == [Rule.kind_by_headers]


def test_a_unit_line_above_the_table_is_the_money_unit_and_said() -> None:
    grid = [["单位：亿元"], ["项目名称", "产业链", "投资额"], ["甲项目", "新能源", 5]]
    got, inferred = _prepare(grid)
    money = [i for i in inferred.all() if i.rule is Rule.sheet_money_unit]
    assert len(money) == 1 and money[0].value == "亿元"
    assert got.sheet is not None
    parse = next(p for t, p in got.sheet.maps[TARGETS.key].values() if t.key == "investment")
    assert float(parse(5)) == 50000.0  # 5 亿元 is 50,000 万元


def test_a_sheet_without_a_name_column_is_refused_with_its_reason() -> None:
    got, _ = _prepare([["产业链", "状态"], ["新能源", "在谈"]])
    assert not got.usable
    assert got.problems[-1].reason.startswith("找不到名称列（或编号列）")


# -- group headings ------------------------------------------------------------------------


def _headings() -> tuple[headings.Headings, Inferences]:
    inferred = Inferences()
    return headings.Headings(chains={1: "新能源", 2: "绿色食品"}, units={7: "逊克县"}, inferred=inferred), inferred


def test_a_heading_gives_its_rows_their_stage_unit_and_chain() -> None:
    h, inferred = _headings()
    values: dict[str, Any] = {}
    assert h.fill("表", 5, "一、已开工项目（2个）", TARGETS, values) is None
    assert values == {"status": "已开工"}
    assert h.fill("表", 9, "二、逊克县", TARGETS, values := {}) is None
    assert values == {"unit": 7}
    assert h.chain("表", "三、绿色食品产业链（3个）") == 2
    assert [(i.rule, i.rows) for i in inferred.all()] == [(Rule.group_heading, [5]), (Rule.group_heading, [9])]


def test_a_rows_own_stage_beats_its_heading() -> None:
    h, inferred = _headings()
    values: dict[str, Any] = {"status": "在谈"}
    h.fill("表", 5, "一、已开工项目", TARGETS, values)
    assert values == {"status": "在谈"} and not inferred.all()


def test_a_heading_speaking_of_an_unknown_stage_refuses_the_row() -> None:
    h, _ = _headings()
    problem = h.fill("表", 5, "一、签约未开工项目", TARGETS, {})
    assert problem is not None and problem.row == 5 and "zs synonym add 招什么 状态 <阶段> 签约未开工" in problem.reason


# -- merged areas --------------------------------------------------------------------------


def test_merged_fills_are_inferences_and_merged_amounts_problems() -> None:
    raw = RawSheet("表", [["项目名称", "产业链", "投资额"]])
    header = find_table(raw, KNOWN).header
    fills = merged.MergeFills()
    fills.fills.append(merged.Fill("B2:B4", 1, "新能源", (3, 4)))
    fills.refusals.append(merged.Refusal("C2:C3", 2, 2, 5000, 2))
    inferred = Inferences()
    problems = merged.said(fills, "表", header, inferred)
    (fill,) = inferred.all()
    assert (fill.rule, fill.rows, fill.column) == (Rule.merged_cell, [3, 4], "B列「产业链」")
    assert [(p.row, p.column, p.value) for p in problems] == [(2, "C列「投资额」", 5000)]


# -- a new row's history ----------------------------------------------------------------------


def _sheet(**kw: Any) -> SheetContext:
    return SheetContext(RawSheet("表", []), SheetReport("表", "招什么"), [], kind=TARGETS, **kw)


def _never(status: str) -> str | None:
    return None


def test_a_row_just_in_enters_on_the_sheets_date() -> None:
    sh = _sheet(move_date="2026-10-31", move_source=DateSource.report_period)
    got = history.plan(TARGETS, "线索", {}, sh, today="2026-11-04", undated=_never)
    assert got.log == [(None, "线索", "2026-10-31", None)] and not got.sources and not got.sheet_date


def test_a_dated_stage_moves_on_its_own_date_and_the_rest_on_the_sheets() -> None:
    inf = Inference(Rule.report_period, "表", "2026-10-31", "标题", text="按报告期")
    sh = _sheet(move_date="2026-10-31", move_source=DateSource.report_period, move_inference=inf)
    got = history.plan(TARGETS, "已开工", {"signed_date": "2026-09-10"}, sh, today="2026-11-04", undated=_never)
    assert [(t, d) for _f, t, d, _x in got.log] == [
        ("线索", "2026-09-10"), ("已签约", "2026-09-10"), ("已开工", "2026-10-31"),
    ]  # fmt: skip
    assert got.sources[-1] is DateSource.report_period and got.sheet_date
    assert got.stage_dates["signed_date"] == "2026-09-10" and got.stage_dates["started_date"] == "2026-10-31"


def test_a_stage_after_the_filing_day_is_refused() -> None:
    sh = _sheet(move_date="2026-10-31", filed="2026-11-04", filed_key="填报日期")
    with pytest.raises(stages.StageDateError, match="晚于本表的填报日期 2026-11-04") as err:
        history.plan(TARGETS, "已签约", {"signed_date": "2026-11-20"}, sh, today="2026-11-30", undated=_never)
    assert err.value.keys == ["signed_date"]


def test_a_move_that_cannot_be_dated_is_refused_not_dated_today() -> None:
    sh = _sheet()  # no date column, no period, no filing day: the import day
    why = history.undated(DEFS, TARGETS, "已开工", sh, mode=Mode.plain, today="2026-11-04", option=_opt)
    assert why is not None and "--as-of" in why and "开工日期" in why
    assert history.undated(DEFS, TARGETS, "已开工", sh, mode=Mode.own, today="2026-11-04", option=_opt) is None
    with pytest.raises(stages.StageDateError, match="没有日期"):
        history.plan(TARGETS, "已开工", {}, sh, today="2026-11-04", undated=lambda s: why)


# -- the decisions -------------------------------------------------------------------------


@given(
    exact=st.booleans(),
    choice=st.sampled_from([None, *OnDuplicate]),
    earlier=st.booleans(),
    same=st.sampled_from([None, False, True]),
)
def test_a_suspected_duplicate_is_never_silently_doubled(
    exact: bool, choice: OnDuplicate | None, earlier: bool, same: bool | None
) -> None:
    d = decide.for_duplicate(exact=exact, choice=choice, earlier_row=earlier, same=same)
    if d is Decision.unchanged:  # only the same name with the same values, and not --on-duplicate new
        assert exact and same and choice is not OnDuplicate.new
    elif choice is None:
        assert d is Decision.ask  # no decision given: asked, nothing written
    else:
        expected = {OnDuplicate.skip: Decision.skip, OnDuplicate.new: Decision.add}.get(choice)
        assert d is (expected or (Decision.merge if earlier else Decision.update))
    assert decide.duplicate_action(choice) is {
        None: DuplicateAction.pending, OnDuplicate.update: DuplicateAction.updated,
        OnDuplicate.skip: DuplicateAction.skipped, OnDuplicate.new: DuplicateAction.added,
    }[choice]  # fmt: skip


@given(own=st.sampled_from([None, 1, 2]), heading=st.sampled_from([None, 1, 2]), default=st.sampled_from([None, 3]))
def test_a_new_rows_chain(own: int | None, heading: int | None, default: int | None) -> None:
    got = decide.chain_of(own, heading, default)
    if heading is not None and own is not None and own != heading:
        assert got.conflict  # refused: never one of the two chosen
    elif heading is not None:
        assert (got.chain, got.from_heading) == (heading, own is None)
    else:
        assert (got.chain, got.from_heading, got.conflict) == (own if own is not None else default, False, False)


def test_the_same_row_twice_is_unchanged_a_row_moving_it_on_is_not() -> None:
    sh = _sheet()
    row = ItemRow(sh, 3, {}, TARGETS, {"title": "甲项目"})
    common = {"title": "甲项目", "chain_id": 1, "unit_id": 7, "owner": None, "due": None, "notes": None}
    pending = NewItem(100, TARGETS, common, {"investment": 5000.0}, "在谈", None, None, row, None)
    assert decide.same_row(pending, {"title": "甲项目", "investment": 5000, "status": "在谈", "unit": 7})
    assert not decide.same_row(pending, {"title": "甲项目", "status": "已签约"})
    assert not decide.same_row(pending, {"title": "甲项目", "unit": 8})
    assert not decide.same_row(pending, {"title": "甲项目", "investment": 6000})


def test_why_an_import_waits_for_review() -> None:
    report = ImportReport(file="x.xlsx")
    assert review_because(report, ImportOptions(), [], False) == ""
    assert review_because(report, ImportOptions(), ["逊克县", "逊克县"], False) == "逊克县填报的表，要经认定"
    assert review_because(report, ImportOptions(review=False), ["逊克县"], True) == ""
    assert review_because(report, ImportOptions(), [], True) == "录入的数据都要认定（zs review own 开）"


# -- a part of a month in a date cell ---------------------------------------------------------


@given(
    year=st.sampled_from(["2026年", "2025年", "", "2026.", "2026-", "2026/"]),
    month=st.integers(1, 12),
    word=st.sampled_from(["月", "月份", "", " 月"]),
    part=st.sampled_from(["底", "末", "初", "上旬", "中旬", "下旬"]),
)
def test_a_part_of_a_month_names_no_day_unless_confirmed(year: str, month: int, word: str, part: str) -> None:
    """Written any way a clerk writes a month: 「2026年10月底」, 「2026.10月底」, 「2026-10下旬」 …"""
    assume(word.strip() in ("月", "月份") or year[-1:] in (".", "-", "/"))  # (「10底」 alone names no month)
    text = f"{year}{month}{word}{part}"
    got = month_part(text)
    assert got is not None and got[1:] == (month, part)
    assert month_day(text, frozenset()) is None
    dated = month_day(text, frozenset(Confirm))
    if not year or part in ("上旬", "中旬", "下旬"):
        assert dated is None  # no year, or ten days no rule dates: refused
    else:
        assert dated is not None
        assert dated[1] is (Confirm.month_start if part == "初" else Confirm.month_end)
        assert dated[0].startswith(f"{year[:4]}-{month:02d}-")
    assert month_part(f"{year}{month}月") is None and month_part(f"2026年{month}月3日") is None
