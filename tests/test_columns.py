"""Tables at the terminal (issue 29, round 2): what a command is for stays visible at 80
columns, columns named in --columns are never hidden (wrapped, not cut), piped output is
never cut, and whatever is hidden is said."""

from __future__ import annotations

import itertools
import os
import re
from pathlib import Path

import pytest
from conftest import Cli
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang import render
from zhaoshang.render import Column, Plan


@pytest.fixture
def at(monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """``at(80)``: the CLI's stdout is an 80-column terminal (no pager)."""
    from zhaoshang.cli import output, pipeline_people

    monkeypatch.setenv("ZHAOSHANG_PAGER", "cat")

    def set_width(columns: int) -> None:
        size = os.terminal_size((columns, 500))
        monkeypatch.setattr(output, "terminal_size", lambda: size)
        monkeypatch.setattr(pipeline_people, "terminal_size", lambda: size)

    return set_width


def _headers(text: str) -> list[str]:
    """The header cells of every table in ``text`` (the line above each ─── rule)."""
    lines = text.splitlines()
    found: list[str] = []
    for above, line in itertools.pairwise(lines):
        if line.strip().startswith("─"):
            found += re.split(r"\s{2,}", above.strip())
    return found


#: command → the columns that say what it is for
KEY_COLUMNS = {
    ("funds",): ["项目名称", "国内资金（万元）", "外资（万美元）"],
    ("notes",): ["日期", "名称", "内容"],
    ("ledger",): ["问题数", "未销号", "超期未销号", "销号率"],
    ("ledger", "--list"): ["问题", "时限", "状态"],
    ("ledger", "--meeting"): ["问题", "提请会办事由"],
    ("list", "--overdue"): ["名称", "状态", "时限"],
    ("list", "招什么"): ["项目名称", "状态"],
    ("approvals",): ["项目名称", "卡点", "已等（天）"],
    ("leaders",): ["领导", "在库项目", "未销号问题", "超期", "红灯", "黄灯"],
    ("team", "list", "--incomplete"): ["名称", "五要件", "缺"],
    ("team", "list"): ["名称", "包保领导"],
    ("warn",): ["灯", "名称", "说明"],
    ("goal", "list"): ["名称", "指标", "目标值"],
}


@pytest.mark.parametrize("args", list(KEY_COLUMNS), ids=" ".join)
def test_at_80_columns_what_the_command_is_for_stays(cli: Cli, demo_db: Path, at, args: tuple[str, ...]) -> None:  # type: ignore[no-untyped-def]
    at(80)
    r = cli(*args, ok=True)
    shown = _headers(r.stdout)
    for header in KEY_COLUMNS[args]:
        assert header in shown, (args, header, r.stdout[:600])
    assert max(render.width(line) for line in r.stdout.splitlines() if "隐藏了" not in line) <= 80
    if len(set(shown)) < len(set(_headers(cli(*args, ok=True).stdout))) or "隐藏了" in r.stdout:
        assert "隐藏了" in r.stdout  # whatever is left out is said


def test_columns_asked_for_are_never_hidden_and_are_wrapped(cli: Cli, demo_db: Path, at) -> None:  # type: ignore[no-untyped-def]
    at(80)
    asked = "记录号,日期,方式,编号,名称,产业链,内容,下次跟进,记录人"
    r = cli("notes", "--columns", asked, ok=True)
    assert _headers(r.stdout) == asked.split(",")
    assert "隐藏了" not in r.stdout and "…" not in r.stdout
    piped = cli("notes", "--columns", "内容", ok=True)  # every word of every note is there, wrapped
    at(10_000)
    whole = cli("notes", "--columns", "内容", ok=True).stdout
    assert "".join(r.stdout.split()).count("沟通") == "".join(whole.split()).count("沟通") > 0
    assert piped.exit_code == 0


def test_a_table_piped_is_never_cut(cli: Cli, demo_db: Path) -> None:
    long = "企业来访考察园区，提出用地和电价诉求，" * 4
    cli("note", "1", long, ok=True)
    for args in (("notes",), ("notes", "--columns", "日期,内容")):
        out = cli(*args, ok=True).stdout
        assert long in out and "…" not in out


def test_at_120_columns_a_note_uses_the_room_there_is(cli: Cli, demo_db: Path, at) -> None:  # type: ignore[no-untyped-def]
    long = "企业来访考察园区提出用地和电价诉求" * 2  # 34 characters: 68 columns
    cli("note", "1", long, ok=True)
    at(120)
    out = cli("notes", "--columns", "日期,内容", ok=True).stdout
    assert long in out


def test_kinds_lists_every_choice() -> None:
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    out = CliRunner().invoke(app, ["kinds", "招什么"]).stdout
    assert "…" not in out


def test_a_number_is_never_cut() -> None:
    rows = [{"name": "甲" * 30, "text": "乙" * 40, "n": 123456789012}]
    cols = [Column("name", "名称"), Column("text", "内容", priority=1), Column("n", "金额", "right", priority=1)]
    plan = Plan.of(rows, cols, max_width=50)
    body = plan.body(rows)
    assert "123456789012" in body
    assert max(render.width(line) for line in body.splitlines()) <= 50


def test_priority_decides_what_goes_first() -> None:
    rows = [{"a": "x" * 10, "b": "y" * 30, "c": "z" * 30, "d": "w" * 30}]
    cols = [Column("a", "A", priority=1), Column("b", "B", priority=2), Column("c", "C", priority=9), Column("d", "D")]
    plan = Plan.of(rows, cols, max_width=80)
    assert [c.key for c in plan.columns] == ["a", "b", "d"]
    assert [c.key for c in plan.hidden] == ["c"]
    asked = Plan.of(rows, cols, max_width=80, asked=("c",))
    assert "c" in [c.key for c in asked.columns]


# ---------------------------------------------------------------------------------------
# reports: re-flowed at narrow width, never cropped; no trailing blanks when piped
# ---------------------------------------------------------------------------------------


def _report(db: Path, args: list[str], width: int | None) -> str:
    import io

    from conftest import DEMO_TODAY

    from zhaoshang.db import Database
    from zhaoshang.definitions import load
    from zhaoshang.reports import config
    from zhaoshang.reports.dashboard import render, render_ranking
    from zhaoshang.reports.periods import month_of
    from zhaoshang.reports.report import build, build_ranking

    buf = io.StringIO()
    database = Database.open(db, load())
    try:
        if args[0] == "ranking":
            cfg = config.load(database.defs)
            result = build_ranking(database, year_=None, level="unit", today=DEMO_TODAY, cfg=cfg)
            render_ranking(result, cfg, buf, explain_rules="--explain" in args, width=width)
        else:
            report = build(database, month_of("2026-11", DEMO_TODAY), kind="monthly", today=DEMO_TODAY)
            render(report, buf, width=width)
    finally:
        database.close()
    return buf.getvalue()


@pytest.mark.parametrize("args", [["ranking"], ["ranking", "--explain"], ["monthly"]], ids=" ".join)
def test_a_report_at_80_columns_is_reflowed_not_cropped(demo_db: Path, args: list[str]) -> None:
    narrow = _report(demo_db, args, 80)
    assert "…" not in narrow
    assert max(render.width(line) for line in narrow.splitlines()) <= 80
    wide = _report(demo_db, args, 200)
    numbers = set(re.findall(r"\d[\d,.]*%?", wide)) - {"30", "20", "10"}
    missing = {n for n in numbers if n not in narrow}
    assert not missing  # every figure of the wide table is in the narrow one
    if args[0] == "monthly":
        for word in ("环比", "同比", "年度目标", "包保领导", "落后指标"):
            assert word in narrow


def test_a_piped_report_has_no_trailing_blanks(demo_db: Path) -> None:
    for args in (["ranking", "--explain"], ["monthly"]):
        text = _report(demo_db, args, None)
        assert not [line for line in text.splitlines() if line != line.rstrip(" \u3000")]


def test_the_ranking_rules_are_said_in_chinese(demo_db: Path) -> None:
    text = _report(demo_db, ["ranking", "--explain"], None)
    said = re.sub(r"zs\s+report\s+ranking|--explain|checklists/_ranking\.yaml", "", text)
    assert not re.search(r"[A-Za-z_]{3,}", said), said


def test_kinds_at_80_columns_wraps_its_choices(cli: Cli, at) -> None:  # type: ignore[no-untyped-def]
    at(80)
    out = cli("kinds", "招什么", ok=True).stdout
    table = [line for line in out.splitlines() if line.startswith("  ") and not line.startswith("  状态")]
    assert max(render.width(line) for line in table) <= 80
    flat = "".join(out.split())
    for choice in ("产业链招商", "以商招商", "委托招商", "中介招商", "乡情招商", "基金招商", "驻点招商", "网络招商"):
        assert choice in flat
    assert "…" not in out and "--columns" not in out  # kinds has no --columns to suggest


# --- width: the patterns (compiled once a command has measured enough) and the character-by-
# character measure used before that agree on every text


_EDGES = "中文，。（）【】「」—…·“”‘’①Ⅱ가ｱＡ\u0301\u200b\u2060\ufe0f🙂𠀀\u115f\u1160\u303e\u303f\uffe6\uffe7"
# (a list of one_of, joined: inside st.text, hypothesis merges the two alphabets into one set of
# code points and the edge characters are then almost never drawn)
_TEXT = st.lists(
    st.one_of(st.characters(codec="utf-8", exclude_categories=("Cs",)), st.sampled_from(_EDGES)), max_size=40
).map("".join)


def test_width_by_character_agrees_with_the_patterns_on_every_character() -> None:
    render.width("中" * (render.BY_CHARACTER + 1))  # measured enough: the patterns from here on
    differ = [
        hex(c)
        for c in range(0x80, 0x40000)
        if not 0xD800 <= c <= 0xDFFF and render.width(chr(c)) != render.width_by_character(chr(c))
    ]
    assert differ == []


@given(texts=st.lists(_TEXT, min_size=1, max_size=20))
@settings(max_examples=400, deadline=None)
def test_width_by_character_agrees_with_the_patterns(texts: list[str]) -> None:
    render.width("中" * (render.BY_CHARACTER + 1))
    for text in texts:
        assert render.width(text) == render.width_by_character(text), ascii(text)
