"""Issue 25, the classes behind four defects of tests/test_fresh_sheets_3.py, each tested as a
class (generated / parametrised cases), not by its one example:

* a later period's sheet that changes a signed project's amount: 增资 or 更正, asked;
* an older sheet does not put back a newer figure;
* a sheet named or titled by a stage (签约项目, 新开工项目表) gives its rows that stage, said;
* 续建 / 在建 (started before the period): never dated in the period as a new start.

Every case accepts only the right data or a refusal that names the fix, and a refusal writes
nothing."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from exchange_util import write_xlsx as book
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang import lookups
from zhaoshang.choices import Confirm, OnDuplicate
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange import sheet_rules
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file
from zhaoshang.exchange.inference import Rule
from zhaoshang.reports import periods
from zhaoshang.reports.report import build

TODAY = dt.date(2026, 12, 7)
HEADER = ["序号", "项目名称", "产业链", "招商主体", "投资额（亿元）", "外资额（万美元）", "签约日期", "阶段"]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database.open(tmp_path / "city.db", load())
    with d.command("setup", user="测试员"):
        lookups.create(d, lookups.CHAIN, "新能源", {})
        lookups.create(d, lookups.UNIT, "孙吴县", {"type": "区县"})
    try:
        yield d
    finally:
        d.close()


def title(month: int) -> str:
    return f"孙吴县2026年{month}月招商引资项目推进情况表"


def run(db: Database, path: Path, **opts: Any) -> ImportReport | ZsError:
    opts.setdefault("kind", "招什么")
    opts.setdefault("today", TODAY)
    opts.setdefault("review", False)  # a 「孙吴县…」 title waits for 认定; these tests read stored results at once
    try:
        return import_file(db, path, ImportOptions(**opts), user="测试员")
    except ZsError as exc:
        return exc


def figure(db: Database, month: int, key: str = "signed_amount") -> float:
    got = build(db, periods.month(dt.date(2026, month, 1)), today=TODAY).total.period[key]
    return float(got or 0)


def dump(db: Database) -> list[tuple[Any, ...]]:
    rows = db.query("SELECT * FROM kind_targets ORDER BY id")
    moves = db.query("SELECT item_id, to_status, date FROM status_log ORDER BY id")
    changes = db.query("SELECT item_id, field, change, date, old, new FROM invest_changes ORDER BY id")
    return [tuple(r) for r in [*rows, *moves, *changes]]


# ---------------------------------------------------------------------------------------
# 1. A later period's sheet changing a signed project's amount: 增资 or 更正, asked


AMOUNTS = [  # (column, first cell, later cell, field key, report key, first in stored unit)
    ("投资额（亿元）", 2, 2.5, "investment", "signed_amount", 20000.0),
    ("投资额（亿元）", 3, 1.2, "investment", "signed_amount", 30000.0),
    ("外资额（万美元）", 800, 1200, "foreign_investment", "signed_foreign", 800.0),
    ("外资额（万美元）", 800, 500, "foreign_investment", "signed_foreign", 800.0),
]


def _amount_row(column: str, value: float, signed: str) -> list[Any]:
    row: list[Any] = [1, "锂电隔膜项目", "新能源", "孙吴县", None, None, signed, "已签约"]
    row[HEADER.index(column)] = value
    if column != "投资额（亿元）":
        row[HEADER.index("投资额（亿元）")] = 2
    return row


@pytest.mark.parametrize("amount", AMOUNTS, ids=lambda a: f"{a[3]}-{a[1]}-{a[2]}")
@pytest.mark.parametrize("later", [11, 12])
@pytest.mark.parametrize("confirm", [None, Confirm.increase, Confirm.correction])
def test_a_later_sheets_other_amount_of_a_signed_project_is_asked_or_done_as_said(
    db: Database, tmp_path: Path, amount: tuple[Any, ...], later: int, confirm: Confirm | None
) -> None:
    column, first, then, key, metric, stored = amount
    signed = "2026-10-08"
    first_file = book(tmp_path / "a.xlsx", {"Sheet1": [[title(10)], HEADER, _amount_row(column, first, signed)]})
    later_file = book(tmp_path / "b.xlsx", {"Sheet1": [[title(later)], HEADER, _amount_row(column, then, signed)]})
    assert isinstance(run(db, first_file), ImportReport)
    before, october = dump(db), figure(db, 10, metric)
    assert october == stored
    got = run(db, later_file, on_duplicate=OnDuplicate.update, confirm=frozenset([confirm] if confirm else []))
    up = then > first
    if confirm is None or (confirm is Confirm.increase and not up):
        assert isinstance(got, ZsError), "a signed project's amount changed by a later sheet is asked about"
        text = str(got)
        assert "E列" in text or "F列" in text
        assert "2026-10-08" in text and "confirm correction" in text
        if up:
            assert "confirm increase" in text
        assert dump(db) == before  # nothing written
        return
    assert isinstance(got, ImportReport)
    said = [i for i in got.inferences if i.rule is Rule.invest_change]
    assert len(said) == 1 and said[0].rows == [3] and said[0].confirmed_by
    new = db.query(f"SELECT {key} FROM kind_targets")[0][0]
    if confirm is Confirm.increase:  # October's signing stands; the month of the sheet counts the rise
        assert figure(db, 10, metric) == october
        assert figure(db, later, metric) == pytest.approx(new - stored)
        assert "增资" in said[0].text
    else:  # a correction: the signing's own amount, in its own month
        assert figure(db, 10, metric) == pytest.approx(new)
        assert figure(db, later, metric) == 0
        assert "更正" in said[0].text


@pytest.mark.parametrize("cell", [2.5, 1.5])
def test_the_same_periods_sheet_corrects_without_asking(db: Database, tmp_path: Path, cell: float) -> None:
    """Sent again for the month of the signing, the figure is that month's either way: no question."""
    a = book(tmp_path / "a.xlsx", {"Sheet1": [[title(10)], HEADER, _amount_row("投资额（亿元）", 2, "2026-10-08")]})
    b = book(tmp_path / "b.xlsx", {"Sheet1": [[title(10)], HEADER, _amount_row("投资额（亿元）", cell, "2026-10-08")]})
    assert isinstance(run(db, a), ImportReport)
    assert isinstance(run(db, b, on_duplicate=OnDuplicate.update), ImportReport)
    assert figure(db, 10) == cell * 10000


def test_a_sheet_under_review_reports_the_change_for_its_office_to_confirm(db: Database, tmp_path: Path) -> None:
    """A sheet naming its 填报单位 waits for 认定: the change is a reported 增资 (zs review), not asked."""
    a = book(tmp_path / "a.xlsx", {"Sheet1": [[title(10)], HEADER, _amount_row("投资额（亿元）", 2, "2026-10-08")]})
    b = book(tmp_path / "b.xlsx", {"Sheet1": [
        [title(11)], ["填报单位：孙吴县商务局"], HEADER, _amount_row("投资额（亿元）", 2.5, "2026-10-08"),
    ]})  # fmt: skip
    assert isinstance(run(db, a), ImportReport)
    got = run(db, b, on_duplicate=OnDuplicate.update, review=None)  # the default: the 填报单位 line sends it
    assert isinstance(got, ImportReport) and got.pending_invests == 1
    assert figure(db, 10) == 20000


def test_increase_and_correction_together_are_refused(db: Database, tmp_path: Path) -> None:
    a = book(tmp_path / "a.xlsx", {"Sheet1": [[title(10)], HEADER, _amount_row("投资额（亿元）", 2, "2026-10-08")]})
    got = run(db, a, confirm=frozenset({Confirm.increase, Confirm.correction}))
    assert isinstance(got, ZsError) and "只能选一个" in got.message


# ---------------------------------------------------------------------------------------
# 2. An older sheet does not put back a newer figure

#: how a sheet says the day it speaks for: (rows above the header, extra options)
DATED = {
    "title": (lambda m: [[title(m)]], lambda m: {}),
    "filing_line": (lambda m: [["孙吴县招商引资项目推进情况表"], [f"填报日期：2026年{m}月28日"]], lambda m: {}),
    "as_of": (lambda m: [["孙吴县招商引资项目推进情况表"]], lambda m: {"as_of": dt.date(2026, m, 28)}),
}
#: a figure of the row: (header, value in the newer sheet, value in the older, stored key, stored newer value)
FIGURES = [
    ("投资额（亿元）", 2.5, 2, "investment", 25000.0),
    ("目标企业", "宁德时代新能源科技股份有限公司", "宁德时代", "company", "宁德时代新能源科技股份有限公司"),
    ("外资额（万美元）", 1200, 800, "foreign_investment", 1200.0),
]


def _figure_sheet(head: list[list[Any]], column: str, value: Any) -> list[list[Any]]:
    return [*head, ["序号", "项目名称", "产业链", "招商主体", column], [1, "锂电隔膜项目", "新能源", "孙吴县", value]]


@pytest.mark.parametrize("how", sorted(DATED))
@pytest.mark.parametrize("fig", FIGURES, ids=lambda f: f[3])
@pytest.mark.parametrize(("first", "then"), [(11, 10), (11, 11), (10, 11)])
def test_an_older_sheet_never_puts_back_a_newer_figure(
    db: Database, tmp_path: Path, how: str, fig: tuple[Any, ...], first: int, then: int
) -> None:
    head, opts = DATED[how]
    column, newer, older, key, stored = fig
    a_value, b_value = (newer, older) if then < first else (older, newer)
    a = book(tmp_path / "a.xlsx", {"Sheet1": _figure_sheet(head(first), column, a_value)})
    b = book(tmp_path / "b.xlsx", {"Sheet1": _figure_sheet(head(then), column, b_value)})
    assert isinstance(run(db, a, **opts(first)), ImportReport)
    before = dump(db)
    got = run(db, b, on_duplicate=OnDuplicate.update, **opts(then))
    if then < first:
        assert isinstance(got, ZsError), "an older sheet puts back an older figure"
        assert "较早的表不能把较新的数改回去" in str(got) and "force" in str(got)
        assert dump(db) == before
        forced = run(db, b, on_duplicate=OnDuplicate.update, force=True, **opts(then))
        assert isinstance(forced, ImportReport)
        assert db.query(f"SELECT {key} FROM kind_targets")[0][0] != stored
    else:
        assert isinstance(got, ImportReport)
        assert db.query(f"SELECT {key} FROM kind_targets")[0][0] == stored


def test_an_older_sheet_may_fill_what_is_empty(db: Database, tmp_path: Path) -> None:
    nov = book(tmp_path / "nov.xlsx", {"Sheet1": _figure_sheet([[title(11)]], "投资额（亿元）", 2.5)})
    oct_ = book(tmp_path / "oct.xlsx", {"Sheet1": [
        [title(10)], ["序号", "项目名称", "产业链", "招商主体", "投资额（亿元）", "目标企业"],
        [1, "锂电隔膜项目", "新能源", "孙吴县", None, "宁德时代"],
    ]})  # fmt: skip
    assert isinstance(run(db, nov), ImportReport)
    assert isinstance(run(db, oct_, on_duplicate=OnDuplicate.update), ImportReport)  # fills 目标企业 only
    row = db.query("SELECT investment, company FROM kind_targets")[0]
    assert (row[0], row[1]) == (25000, "宁德时代")


def test_once_the_newer_sheet_is_undone_the_older_is_the_newest(db: Database, tmp_path: Path) -> None:
    from zhaoshang import history

    oct_ = book(tmp_path / "oct.xlsx", {"Sheet1": _figure_sheet([[title(10)]], "投资额（亿元）", 2)})
    nov = book(tmp_path / "nov.xlsx", {"Sheet1": _figure_sheet([[title(11)]], "投资额（亿元）", 2.5)})
    fixed = book(tmp_path / "fixed.xlsx", {"Sheet1": _figure_sheet([[title(10)]], "投资额（亿元）", 2.2)})
    assert isinstance(run(db, oct_), ImportReport)
    assert isinstance(run(db, nov, on_duplicate=OnDuplicate.update), ImportReport)
    assert isinstance(run(db, fixed, on_duplicate=OnDuplicate.update), ZsError)
    with db.command("undo", user="测试员"):
        history.undo_last(db, expected=None, user="测试员")
    assert isinstance(run(db, fixed, on_duplicate=OnDuplicate.update), ImportReport)
    assert db.query("SELECT investment FROM kind_targets")[0][0] == 22000


# ---------------------------------------------------------------------------------------
# 3. A sheet named or titled by a stage gives its rows that stage, said — or asks

NO_STAGE = ["序号", "项目名称", "产业链", "招商主体", "投资额（亿元）"]
ROW = [1, "锂电隔膜项目", "新能源", "孙吴县", 2]

SHEET_STAGES = [  # (sheet name, title, the stage its rows get; None: refused)
    ("签约项目", "孙吴县2026年10月新签约项目表", "已签约"),
    ("签约项目", "孙吴县2026年10月招商引资项目推进情况表", "已签约"),
    ("Sheet1", "孙吴县2026年10月新签约项目表", "已签约"),
    ("Sheet1", "孙吴县2026年10月新签约项目清单", "已签约"),
    ("簽約項目", "孫吳縣2026年10月新簽約項目表", "已签约"),
    ("开工项目", "孙吴县2026年10月新开工项目表", "已开工"),
    ("新开工项目", "孙吴县2026年10月招商引资项目推进情况表", "已开工"),
    ("在谈项目", "孙吴县2026年10月在谈项目表", "在谈"),
    ("洽谈项目", "孙吴县2026年10月招商引资项目推进情况表", "在谈"),
    ("入统项目", "孙吴县2026年10月新入统项目表", "已入统"),
    ("储备项目", "孙吴县2026年10月谋划储备项目表", "谋划储备"),
    ("签约未开工项目", "孙吴县2026年10月招商引资项目推进情况表", None),
    ("签约项目", "孙吴县2026年10月新开工项目表", None),
    ("竣工项目", "孙吴县2026年10月招商引资项目推进情况表", None),
]


@pytest.mark.parametrize(("sheet", "caption", "stage"), SHEET_STAGES)
def test_a_sheet_named_by_a_stage_gives_its_rows_that_stage_or_asks(
    db: Database, tmp_path: Path, sheet: str, caption: str, stage: str | None
) -> None:
    f = book(tmp_path / "s.xlsx", {sheet: [[caption], NO_STAGE, ROW]})
    got = run(db, f)
    if stage is None:
        assert isinstance(got, ZsError) and "状态" in str(got)
        assert not db.query("SELECT 1 FROM items")
        return
    assert isinstance(got, ImportReport), str(got)
    assert db.query("SELECT status FROM items")[0][0] == stage
    said = [i for i in got.inferences if i.rule is Rule.sheet_stage]
    assert len(said) == 1 and said[0].rows == [3] and said[0].value == stage
    assert "表名" in said[0].evidence or "标题" in said[0].evidence


@pytest.mark.parametrize("sheet", ["签约项目", "开工项目"])
def test_a_rows_own_stage_is_kept_on_a_sheet_named_by_a_stage(db: Database, tmp_path: Path, sheet: str) -> None:
    f = book(tmp_path / "s.xlsx", {sheet: [[title(10)], [*NO_STAGE, "阶段"], [*ROW, "在谈"]]})
    got = run(db, f)
    assert isinstance(got, ImportReport)
    assert db.query("SELECT status FROM items")[0][0] == "在谈"
    assert not [i for i in got.inferences if i.rule is Rule.sheet_stage]


def test_a_sheet_that_names_no_stage_says_nothing_of_stages(db: Database, tmp_path: Path) -> None:
    f = book(tmp_path / "s.xlsx", {"Sheet1": [[title(10)], NO_STAGE, ROW]})
    got = run(db, f)
    assert isinstance(got, ImportReport)
    assert not [i for i in got.inferences if i.rule is Rule.sheet_stage]


# ---------------------------------------------------------------------------------------
# 4. 续建 / 在建 / 累计: not the period's new ones; 新签约 / 新开工: the period's

WITH_STAGE = ["序号", "项目名称", "产业链", "招商主体", "投资额（亿元）", "阶段", "开工日期"]


def _grouped(heading: str, stage: str | None, started: str | None) -> list[list[Any]]:
    return [[title(10)], WITH_STAGE, [heading], [1, "风机叶片项目", "新能源", "孙吴县", 3, stage, started]]


HEADINGS = [  # (heading, the row's 阶段, its 开工日期, the 开工日期 stored; None: refused)
    ("二、续建项目", "已开工", None, None),
    ("二、续建项目", None, None, None),
    ("（二）续建项目（3个）", "已开工", None, None),
    ("二、續建項目", "已开工", None, None),
    ("二、续建项目", "已开工", "2026-10-15", None),  # started in the period: not 续建
    ("二、续建项目", "已开工", "2025-05-10", "2025-05-10"),
    ("二、续建项目", None, "2025-05-10", "2025-05-10"),
    ("三、在建项目", "已开工", None, None),
    ("三、在建项目", "已开工", "2026-03-01", "2026-03-01"),
    ("一、新开工项目", "已开工", None, "2026-10-31"),
    ("一、新开工项目", None, None, "2026-10-31"),
    ("一、本月开工项目", "已开工", None, "2026-10-31"),
]


@pytest.mark.parametrize(("heading", "stage", "started", "stored"), HEADINGS)
def test_a_continuing_project_is_never_dated_a_new_start_of_the_period(
    db: Database, tmp_path: Path, heading: str, stage: str | None, started: str | None, stored: str | None
) -> None:
    f = book(tmp_path / "h.xlsx", {"Sheet1": _grouped(heading, stage, started)})
    got = run(db, f)
    if stored is None:
        assert isinstance(got, ZsError), "a continuing project dated a new start of the period"
        assert "开工日期" in str(got)
        assert not db.query("SELECT 1 FROM items")
        return
    assert isinstance(got, ImportReport), str(got)
    row = db.query("SELECT i.status, t.started_date FROM items i JOIN kind_targets t ON t.id = i.id")[0]
    assert (row[0], row[1]) == ("已开工", stored)
    if started is None:  # the period's date: said
        assert any(i.rule is Rule.report_period and 4 in i.rows for i in got.inferences)
    assert figure(db, 10, "started") == (1 if stored.startswith("2026-10") else 0)


@pytest.mark.parametrize("sheet", ["续建项目", "在建项目", "累计开工项目"])
def test_a_sheet_of_continuing_projects_asks_for_their_start(db: Database, tmp_path: Path, sheet: str) -> None:
    f = book(tmp_path / "s.xlsx", {sheet: [[title(10)], NO_STAGE, ROW]})
    got = run(db, f)
    assert isinstance(got, ZsError) and "开工日期" in str(got)


def test_a_continuing_project_already_started_here_is_no_question(db: Database, tmp_path: Path) -> None:
    first = book(tmp_path / "a.xlsx", {"Sheet1": _grouped("二、续建项目", "已开工", "2025-05-10")})
    again = book(tmp_path / "b.xlsx", {"Sheet1": _grouped("二、续建项目", "已开工", None)})
    assert isinstance(run(db, first), ImportReport)
    got = run(db, again, on_duplicate=OnDuplicate.update)
    assert isinstance(got, ImportReport)
    assert db.query("SELECT started_date FROM kind_targets")[0][0] == "2025-05-10"


def test_a_continuing_project_moving_on_here_needs_its_start(db: Database, tmp_path: Path) -> None:
    first = book(tmp_path / "a.xlsx", {"Sheet1": [
        [title(9)], ["序号", "项目名称", "产业链", "招商主体", "阶段", "签约日期"],
        [1, "风机叶片项目", "新能源", "孙吴县", "已签约", "2025-03-01"],
    ]})  # fmt: skip
    later = book(tmp_path / "b.xlsx", {"Sheet1": _grouped("二、续建项目", "已开工", None)})
    assert isinstance(run(db, first), ImportReport)
    before = dump(db)
    got = run(db, later, on_duplicate=OnDuplicate.update)
    assert isinstance(got, ZsError) and "开工日期" in str(got)
    assert dump(db) == before


# the rule itself, on words alone (no sheet): whatever comes before the stage words
_STAGES = {"签约": "已签约", "开工": "已开工", "在建": "已开工", "入统": "已入统", "在谈": "在谈"}
_WORDS = [  # (words, stage word, timing)
    ("新签约项目", "签约", sheet_rules.Timing.period),
    ("本月开工项目", "开工", sheet_rules.Timing.period),
    ("续建项目", "开工", sheet_rules.Timing.before),
    ("在建项目", "在建", sheet_rules.Timing.unknown),
    ("累计签约项目", "签约", sheet_rules.Timing.unknown),
    ("已入统项目", "入统", None),
    ("在谈项目", "在谈", None),
]


def _resolve(word: str) -> str:
    if word in _STAGES:
        return _STAGES[word]
    raise ZsError(word)


@given(
    st.sampled_from(["", "孙吴县", "一、", "（二）", "孙吴县2026年10月", "2026年1-10月", "黑河市"]),
    st.sampled_from(_WORDS),
    st.sampled_from(["", "表", "清单", "（3个）", "情况表"]),
)
def test_the_words_of_a_title_say_the_stage_and_when(head: str, said: tuple[Any, ...], tail: str) -> None:
    words, word, timing = said
    got = sheet_rules.stage_words(head + words + tail, _resolve)
    if tail == "（3个）":  # a heading's count: not a title's ending — said by the heading rule
        return
    assert got is not None and got.stage == _STAGES[word] and got.timing is timing


@given(
    st.sampled_from(
        ["孙吴县2026年10月招商引资项目推进情况表", "重点项目调度表", "一、新能源产业链", "招商引资项目清单"]
    )
)
def test_a_title_without_stage_words_says_nothing(text: str) -> None:
    assert sheet_rules.stage_words(text, _resolve) is None
