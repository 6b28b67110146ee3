"""The import's shape: the run's settings (:class:`~zhaoshang.exchange.run.RunSettings`), the
"decide" step of an item row as plain functions (:func:`~zhaoshang.exchange.decide.update`,
:func:`~zhaoshang.exchange.decide.new_row`, :func:`~zhaoshang.exchange.decide.new_item`) on
in-memory rows and items — no file, no database — and the detail sheets' own context."""

from __future__ import annotations

import dataclasses
from typing import Any, NoReturn

import pytest
from _harness import packaged_definitions
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang.choices import Blank
from zhaoshang.exchange import decide
from zhaoshang.exchange.decide import Decision
from zhaoshang.exchange.details import DetailContext
from zhaoshang.exchange.inference import DateSource, Inference, Inferences, Rule
from zhaoshang.exchange.outcome import ImportOptions, Mode, SheetReport
from zhaoshang.exchange.readers import RawSheet
from zhaoshang.exchange.rows import Current, ItemRow, NewItem, SheetContext, diff_row
from zhaoshang.exchange.run import RunSettings

DEFS = packaged_definitions()
TARGETS = DEFS.kind("招什么")
ASSETS = DEFS.kind("有什么")
FIELDS = {f.key: f for f in DEFS.fields_of(TARGETS)}
CHAINS = {1: "新能源", 2: "生物医药"}
UNITS = {7: "爱辉区", 8: "北安市"}


def _settings(mode: Mode = Mode.plain, **kw: Any) -> RunSettings:
    base: dict[str, Any] = {
        "file_name": "爱辉区10月.xlsx",
        "suffix": ".xlsx",
        "opts": ImportOptions(),
        "mode": mode,
        "origin": None,
        "user": "张三",
        "today": "2026-11-04",
        "ts": "2026-11-04 09:00:00",
        "ours": False,
        "masked": False,
        "only_kind": None,
        "default_chain": None,
        "map_all": {},
    }
    return RunSettings(**{**base, **kw})


def _sheet(kind: Any = TARGETS, **kw: Any) -> SheetContext:
    return SheetContext(RawSheet("表", []), SheetReport("表", kind.name), [], kind=kind, maps={kind.key: {}}, **kw)


def _row(values: dict[str, Any], *, sheet: SheetContext | None = None, kind: Any = TARGETS, **kw: Any) -> ItemRow:
    return ItemRow(sheet or _sheet(kind), 5, {}, kind, dict(values), **kw)


def _item(status: str = "在谈", *, own: dict[str, Any] | None = None, waiting: bool = False) -> Current:
    common = {"title": "甲项目", "chain_id": 1, "unit_id": 7, "owner": "李四", "due": None, "notes": None}
    common["status"] = status
    return Current(42, TARGETS.key, common, dict(own or {}), None, waiting)


def _never(*_args: Any) -> NoReturn:
    raise AssertionError("the database was asked, and need not be")


def _update(r: ItemRow, cur: Current, *, has_moves: bool = False, mode: Mode = Mode.plain, **kw: Any) -> Any:
    diff = diff_row(r, cur, fields=FIELDS, chain_names=CHAINS, unit_names=UNITS, blank=Blank.keep)
    return decide.update(
        r,
        cur,
        diff,
        settings=_settings(mode),
        defs=DEFS,
        has_moves=has_moves,
        newer=kw.get("newer", _never),
        last_move=kw.get("last_move", _never),
    )


# -- the run's settings ------------------------------------------------------------------------


def test_the_runs_settings_never_change_during_the_run() -> None:
    s = _settings()
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.mode = Mode.rollup  # type: ignore[misc]
    assert not s.text_source and not s.values_only
    assert _settings(suffix=".csv").text_source and _settings(suffix=".csv").values_only
    assert _settings(suffix=".json").values_only and not _settings(suffix=".json").text_source


def test_the_detail_sheets_context_reads_the_settings_and_asks_the_ids() -> None:
    class _Ids:
        def __init__(self) -> None:
            self.skipped_refs = {9}

        def item_id(self, ref: int) -> int | None:
            return {3: 42}.get(ref)

        def kind_key(self, item_id: int) -> str:
            return TARGETS.key

    class _Db:
        defs = DEFS

    settings = _settings(Mode.own, suffix=".csv")
    ctx = DetailContext(_Db(), settings, None, None, None, None, _Ids(), None, {}, Inferences())  # type: ignore[arg-type]
    assert (ctx.mode, ctx.user, ctx.today, ctx.ts, ctx.text_source) == (
        Mode.own, "张三", "2026-11-04", "2026-11-04 09:00:00", True,
    )  # fmt: skip
    assert ctx.item_id(3) == 42 and ctx.item_id(4) is None and ctx.skipped_refs == {9}
    assert ctx.item_kind(42) is TARGETS


# -- a row that names an item ------------------------------------------------------------------

_VALUES = st.fixed_dictionaries(
    {},
    optional={
        "title": st.sampled_from(["甲项目", "乙项目"]),
        "owner": st.sampled_from(["李四", "王五", None]),
        "investment": st.one_of(st.none(), st.integers(0, 10**6).map(float)),
        "company": st.sampled_from(["华能集团", "比亚迪"]),
        "priority": st.sampled_from(["A", "B"]),
        "status": st.sampled_from([s.name for s in TARGETS.statuses]),
        "unit": st.sampled_from([7, 8]),
        "chain": st.sampled_from([1, 2]),
    },
)


@given(values=_VALUES, waiting=st.booleans(), has_moves=st.booleans(), ref=st.sampled_from([None, 42]))
def test_a_row_that_says_what_is_stored_is_unchanged_and_writes_nothing(
    values: dict[str, Any], waiting: bool, has_moves: bool, ref: int | None
) -> None:
    common_keys = ("title", "owner")
    common = {k: values[k] for k in common_keys if k in values}
    own = {k: v for k, v in values.items() if k in ("investment", "company", "priority")}
    cur = _item(values.get("status", "在谈"), own=own, waiting=waiting)
    cur.common.update(common)
    cur.common["unit_id"] = values.get("unit", 7)
    cur.common["chain_id"] = values.get("chain", 1)
    plan = _update(_row(values, ref=ref), cur, has_moves=has_moves)  # (the database is never asked)
    assert plan.decision is Decision.unchanged
    assert plan.refusal is None and not plan.log_moves and not plan.sources and not plan.sheet_date
    assert not plan.stand_as_reported and plan.status_date is None and not plan.diff.shown


def test_a_changed_field_is_an_update_of_that_field_only() -> None:
    plan = _update(_row({"title": "甲项目", "investment": 5000.0}), _item(own={"investment": 3000.0}))
    assert plan.decision is Decision.update and plan.refusal is None
    assert plan.diff.parsed.own == {"investment": 5000.0} and plan.diff.parsed.status is None
    assert plan.reason == "导入「爱辉区10月.xlsx」第5行" and not plan.sources and plan.status_date is None


def test_a_move_without_its_date_column_is_dated_by_the_sheet() -> None:
    inf = Inference(Rule.report_period, "表", "2026-10-31", "标题", text="按报告期")
    sh = _sheet(move_date="2026-10-31", move_source=DateSource.report_period, move_inference=inf)
    plan = _update(_row({"status": "已签约"}, sheet=sh), _item("在谈"))
    assert plan.decision is Decision.update and plan.status_date == "2026-10-31"
    assert plan.sources == [DateSource.report_period] and plan.sheet_date


def test_a_move_with_its_date_column_is_dated_by_the_row() -> None:
    plan = _update(_row({"status": "已签约", "signed_date": "2026-10-12"}), _item("在谈"))
    assert plan.decision is Decision.update and plan.status_date is None
    assert plan.sources == [DateSource.row] and not plan.sheet_date


def test_a_move_that_needs_a_reason_is_refused_without_one() -> None:
    plan = _update(_row({"status": "退库", "exit_date": "2026-10-12"}), _item("在谈"))
    assert plan.decision is Decision.reject and plan.refusal is not None
    assert (plan.refusal.column, plan.refusal.value) == ("状态", "退库")
    assert plan.refusal.reason.startswith("改为「退库」要写原因（清单定义要求）")
    with_reason = _update(_row({"status": "退库", "exit_date": "2026-10-12"}, reason="企业撤资"), _item("在谈"))
    assert with_reason.decision is Decision.update and with_reason.reason == "企业撤资"


def test_a_move_a_county_sheet_cannot_date_is_refused_not_dated_today() -> None:
    plan = _update(_row({"status": "已开工"}), _item("已签约"))  # the sheet's date is the import day
    assert plan.decision is Decision.reject and plan.refusal is not None
    assert plan.refusal.reason.startswith("改为「已开工」没有日期：本行没有「开工日期」列")
    own = _update(_row({"status": "已开工"}), _item("已签约"), mode=Mode.own)  # our own export: today
    assert own.decision is Decision.update and own.sheet_date


def test_an_older_sheet_cannot_move_a_project_back() -> None:
    asked: list[int] = []

    def last() -> str:
        asked.append(1)
        return "2026-10-20"

    sh = _sheet(move_date="2026-09-30", move_source=DateSource.report_period)
    plan = _update(_row({"status": "在谈"}, sheet=sh), _item("已开工"), last_move=last)
    assert plan.decision is Decision.reject and plan.refusal is not None and asked == [1]
    assert plan.refusal.reason.startswith("本行说 2026-09-30 时是「在谈」，但本库这个项目 2026-10-20 已到「已开工」")
    assert plan.sources == [DateSource.report_period]  # worked out before the refusal: still counted
    # moving on is never asked about the last move
    onward = _update(_row({"status": "已开工"}, sheet=sh), _item("已签约"), last_move=_never)
    assert onward.decision is Decision.update


def test_a_rollups_stage_log_brings_the_offices_moves() -> None:
    todo = [("2026-09-01", "在谈", "已签约"), ("2026-10-01", "已签约", "已开工")]
    plan = _update(
        _row({"status": "已开工"}, ref=42), _item("在谈"), has_moves=True, newer=lambda stage: (todo, "2026-10-01")
    )
    assert plan.decision is Decision.update and plan.log_moves == todo and plan.status_date == "2026-10-01"
    assert plan.sources == [DateSource.rollup_log, DateSource.rollup_log]
    had = _update(_row({"status": "已开工"}, ref=42), _item("在谈"), has_moves=True, newer=lambda s: ([], "2026-10-01"))
    assert had.status_date == "2026-10-01" and had.sources == [DateSource.rollup_log] and not had.log_moves


def test_a_stage_said_again_while_waiting_for_review_stands_as_reported() -> None:
    plan = _update(_row({"status": "已签约", "signed_date": "2026-10-12"}), _item("在谈", waiting=True))
    assert plan.stand_as_reported
    assert not _update(_row({"investment": 1.0}), _item("在谈", waiting=True)).stand_as_reported


# -- a row for a new item ----------------------------------------------------------------------


def test_a_new_row_without_a_name_or_a_chain_is_refused() -> None:
    place = decide.new_row(_row({"investment": 1.0}), headed=None, default_chain=1, chain_names=CHAINS)
    assert place.refusal is not None and place.refusal.column == "项目名称" and place.chain is None
    place = decide.new_row(_row({"title": "甲"}), headed=None, default_chain=None, chain_names=CHAINS)
    assert place.refusal is not None and place.refusal.reason.startswith("缺少产业链：请在表中加「产业链」列，或用 ")
    r = _row({"title": "甲", "chain": 2}, heading="一、新能源")
    place = decide.new_row(r, headed=1, default_chain=None, chain_names=CHAINS)
    assert place.refusal == decide.Refusal(
        "产业链", "生物医药", "与本行所在的分组标题「一、新能源」说的产业链「新能源」不一致：请改正其一"
    )


def test_a_new_rows_chain_from_its_heading_is_said() -> None:
    place = decide.new_row(_row({"title": "甲"}, heading="一、新能源"), headed=1, default_chain=2, chain_names=CHAINS)
    assert (place.chain, place.from_heading, place.refusal) == (1, True, None)
    place = decide.new_row(_row({"title": "甲"}), headed=None, default_chain=2, chain_names=CHAINS)
    assert (place.chain, place.from_heading) == (2, False)


def _own_fields(kind: Any) -> list[tuple[str, Any, bool, str]]:
    return [(f.key, f.default, f.required, f.label) for f in kind.fields]


def _new(r: ItemRow, *, from_log: bool = False, mode: Mode = Mode.own, **kw: Any) -> decide.AddPlan:
    return decide.new_item(
        r,
        r.values.get("title"),
        1,
        own_fields=kw.get("own_fields", _own_fields(r.kind)),
        settings=_settings(mode),
        defs=DEFS,
        from_log=from_log,
    )


def test_a_new_item_has_its_values_defaults_unit_and_history() -> None:
    sh = _sheet(default_unit=8, move_date="2026-10-31", move_source=DateSource.report_period)
    sh.unit_inference = Inference(Rule.reporting_unit, "表", "北安市", "填报单位")
    plan = _new(_row({"title": "甲项目", "status": "已签约", "signed_date": "2026-10-12"}, sheet=sh))
    assert plan.decision is Decision.add and plan.refusal is None
    assert plan.common == {
        "title": "甲项目", "chain_id": 1, "unit_id": 8, "owner": None, "due": None, "notes": None,
    }  # fmt: skip
    assert plan.own["priority"] == "B" and plan.own["signed_date"] == "2026-10-12" and plan.unit_inferred
    assert plan.status == "已签约" and plan.log is not None
    assert [(t, d) for _f, t, d, _x in plan.log] == [("线索", "2026-10-12"), ("已签约", "2026-10-12")]


@given(status=st.sampled_from([s.name for s in TARGETS.statuses]), reason=st.sampled_from([None, "撤资"]))
def test_a_new_item_in_a_rollup_with_its_stage_log_takes_the_log(status: str, reason: str | None) -> None:
    plan = _new(_row({"title": "甲项目", "status": status}, reason=reason), from_log=True)
    assert plan.decision is Decision.add and plan.log is None and not plan.sources and plan.status == status


def test_a_new_item_missing_a_required_field_or_a_reason_is_refused() -> None:
    no_default = [(k, None, required, label) for k, _d, required, label in _own_fields(ASSETS)]
    plan = _new(_row({"title": "厂房"}, kind=ASSETS), own_fields=no_default)
    assert plan.refusal == decide.Refusal("类别", None, "「类别」必填") and not plan.unit_inferred
    plan = _new(_row({"title": "甲项目", "status": "退库", "exit_date": "2026-10-12"}))
    assert plan.decision is Decision.reject and plan.refusal is not None and plan.refusal.column == "状态"
    assert plan.log is None


def test_a_new_items_stage_date_after_the_filing_day_is_refused_on_that_column() -> None:
    sh = _sheet(move_date="2026-10-31", filed="2026-11-04", filed_key="填报日期")
    plan = _new(_row({"title": "甲项目", "status": "已签约", "signed_date": "2026-11-20"}, sheet=sh))
    assert plan.decision is Decision.reject and plan.refusal is not None
    assert plan.refusal.value == "2026-11-20" and "晚于本表的填报日期 2026-11-04" in plan.refusal.reason


@given(values=_VALUES)
def test_a_later_row_of_the_same_project_adds_what_it_says_but_never_its_chain(values: dict[str, Any]) -> None:
    first = _row({"title": "甲项目"})
    common = {"title": "甲项目", "chain_id": 1, "unit_id": 7, "owner": None, "due": None, "notes": None}
    pending = NewItem(100, TARGETS, common, {"investment": 5000.0}, "在谈", None, None, first, None)
    got = decide.merged(pending, values)
    unit = {"unit_id": values["unit"]} if "unit" in values else {}
    assert got.common == {k: v for k, v in values.items() if k in ("title", "owner")} | unit
    assert got.own == {k: v for k, v in values.items() if k in ("investment", "company", "priority")}
    assert got.status == values.get("status", "在谈")
    assert pending.common["unit_id"] == 7 and pending.status == "在谈"  # deciding changes nothing
