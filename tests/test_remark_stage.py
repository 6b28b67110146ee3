"""Issue 25: a 备注 that says a stage was reached on a day (「已于10月8日签约」「10月12日已开工」) on a
sheet without a 状态 column is refused naming sheet, row, column and value — imported, the row
came in as 线索 and the stage and day were lost — unless the sheet's name or title gives the
stage; remarks that only speak of a stage (「待签约」「拟于12月签约」) are no stage reached."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from _harness import packaged_definitions
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang import items, lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file
from zhaoshang.exchange.sheet_rules import remark_stage

TODAY = dt.date(2026, 12, 7)
KIND = packaged_definitions().kind("招什么")


def resolve(text: str) -> str:
    return items.resolve_status(KIND, text)


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


def book(path: Path, remark: str, *, name: str = "招什么", title: str = "孙吴县2026年10月招商引资项目表") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = name
    for r in (
        [title],
        ["序号", "项目名称", "产业链", "投资额（亿元）", "备注"],
        [1, "氢能产业园项目", "新能源", 5, remark],
    ):
        ws.append(r)
    wb.save(path)
    return path


def run(db: Database, path: Path, **opts: Any) -> ImportReport:
    opts.setdefault("kind", "招什么")
    opts.setdefault("review", False)  # a 「孙吴县…」 title waits for 认定; these tests read stored results at once
    return import_file(db, path, ImportOptions(today=TODAY, **opts), user="测试员")


@pytest.mark.parametrize(
    ("remark", "stage", "label"),
    [
        ("已于10月8日签约", "已签约", "签约日期"),
        ("10月12日已开工", "已开工", "开工日期"),
        ("9月签约", "已签约", "签约日期"),
    ],
)
def test_a_remark_that_says_a_stage_reached_is_refused(
    db: Database, tmp_path: Path, remark: str, stage: str, label: str
) -> None:
    before = db.query("SELECT count(*) FROM items")[0][0]
    with pytest.raises(ZsError) as refused:
        run(db, book(tmp_path / "a.xlsx", remark))
    said = str(refused.value)
    assert "「招什么」第3行" in said and "E列「备注」" in said and remark in said, said
    assert f"说本行已到「{stage}」" in said and "本表却没有状态列" in said
    assert f"请在表中加「状态」列（本行填「{stage}」）和「{label}」列" in said
    assert db.query("SELECT count(*) FROM items")[0][0] == before


def test_the_refusal_is_in_the_dry_run_too(db: Database, tmp_path: Path) -> None:
    report = run(db, book(tmp_path / "d.xlsx", "已于10月8日签约"), dry_run=True)
    (problem,) = report.problems
    assert (problem.sheet, problem.row, problem.column, problem.value) == (
        "招什么",
        3,
        "E列「备注」",
        "已于10月8日签约",
    )
    assert "本表却没有状态列" in problem.reason


@pytest.mark.parametrize(
    ("name", "title"), [("签约项目", "孙吴县2026年10月招商引资项目表"), ("招什么", "孙吴县2026年10月新签约项目表")]
)
def test_a_sheet_that_says_the_stage_reads_the_row(db: Database, tmp_path: Path, name: str, title: str) -> None:
    run(db, book(tmp_path / "b.xlsx", "已于10月8日签约", name=name, title=title))
    assert [r[0] for r in db.query("SELECT status FROM items")] == ["已签约"]


@pytest.mark.parametrize("remark", ["待签约", "拟于12月签约", "签约仪式筹备中", "力争11月开工", "增资，1200万美元外资"])
def test_a_remark_that_only_speaks_of_a_stage_imports(db: Database, tmp_path: Path, remark: str) -> None:
    run(db, book(tmp_path / "c.xlsx", remark))
    assert db.query("SELECT count(*) FROM items")[0][0] == 1


# ---------------------------------------------------------------------------------------
# the rule on generated remarks

_WORDS = {"签约": "已签约", "签订协议": "已签约", "签订投资协议": "已签约", "开工": "已开工", "动工": "已开工",
          "投产": "已投产", "建成投产": "已投产", "入统": "已入统"}  # fmt: skip
_PARTS = ["上旬", "中旬", "下旬", "初", "底", "份"]
_DATES = st.one_of(
    st.builds(lambda m, d: f"{m}月{d}日", st.integers(1, 12), st.integers(1, 31)),
    st.builds(lambda m, d: f"{m}月{d}号", st.integers(1, 12), st.integers(1, 31)),
    st.builds(lambda y, m, d: f"{y}年{m}月{d}日", st.integers(2020, 2027), st.integers(1, 12), st.integers(1, 28)),
    st.builds(lambda m: f"{m}月", st.integers(1, 12)),
    st.builds(
        lambda m, p: f"{m}月{p}", st.integers(1, 12), st.sampled_from(["上旬", "中旬", "下旬", "初", "底", "份"])
    ),
    st.builds(lambda y, m, d: f"{y}-{m:02d}-{d:02d}", st.integers(2020, 2027), st.integers(1, 12), st.integers(1, 28)),
    st.builds(lambda y, m: f"{y}.{m}", st.integers(2020, 2027), st.integers(1, 12)),
    st.sampled_from(["十月八日", "十二月", "九月十五日"]),
)
_REACHED_FORMS = [
    "已于{d}{w}", "{d}已{w}", "{d}{w}", "于{d}正式{w}", "{d}已经{w}", "已{w}（{d}）", "{d}顺利{w}", "{d}完成{w}",
]  # fmt: skip
_PLANS = ["拟于{d}{w}", "计划{d}{w}", "预计{d}{w}", "力争{d}{w}", "争取{d}{w}", "{d}{w}仪式筹备中", "将于{d}{w}",
          "定于{d}{w}", "有望{d}{w}", "待{w}", "{w}仪式筹备中", "正在推进{w}", "尚未{w}", "意向{d}{w}"]  # fmt: skip
_AROUND = st.sampled_from(["", "总投资5亿元，", "企业已完成注册，", "增资扩产，"])


@settings(max_examples=400, deadline=None)
@given(word=st.sampled_from(sorted(_WORDS)), date=_DATES, form=st.sampled_from(_REACHED_FORMS), lead=_AROUND)
def test_a_stage_with_its_day_is_read_as_reached(word: str, date: str, form: str, lead: str) -> None:
    text = lead + form.format(d=date, w=word)
    got = remark_stage(text, resolve)
    assert got is not None, text
    assert got.stage == _WORDS[word] and got.date == date, (text, got)


@settings(max_examples=400, deadline=None)
@given(word=st.sampled_from(sorted(_WORDS)), date=_DATES, form=st.sampled_from(_PLANS), lead=_AROUND)
def test_a_stage_only_spoken_of_is_never_reached(word: str, date: str, form: str, lead: str) -> None:
    text = lead + form.format(d=date, w=word)
    assert remark_stage(text, resolve) is None, text


@settings(max_examples=200, deadline=None)
@given(
    text=st.text(
        alphabet=st.sampled_from(list("项目企业厂房建设总投资亿元万元设备资金审批手续土地已于月日号年0123456789，。")),
        max_size=30,
    )
)
def test_words_without_a_stage_word_are_no_stage(text: str) -> None:
    assert remark_stage(text, resolve) is None
