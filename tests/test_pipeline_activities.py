"""对接记录 (zs note / notes) and 到位资金 (zs fund / funds): on any item, types and dates
checked, visits that find problems, domestic and foreign money kept apart and summed."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Cli, dump
from pipeline_helpers import build_city, make, query

pytestmark = pytest.mark.engines

TODAY = "2026-06-30"
_REAL_TODAY = date.today()
FUTURE = (_REAL_TODAY + timedelta(days=1)).isoformat()
NEXT_MONTH = (_REAL_TODAY.replace(day=1) + timedelta(days=32)).strftime("%Y-%m")


@pytest.fixture
def city(cli: Cli, db_path: Path) -> Cli:
    build_city(db_path)
    make(db_path, "targets", "铜箔项目", investment="3.56亿", owner="王强", created="2026-01-05")  # 1
    make(db_path, "assets", "紫金铜业有限公司", category="企业", unit="爱辉区", owner="李静")  # 2
    make(db_path, "contacts", "王振华", chain="大豆加工")  # 3
    make(db_path, "problems", "用地审批慢", project="1")  # 4
    return cli


def note(cli: Cli, *args: str, ok: bool | None = None):  # type: ignore[no-untyped-def]
    return cli("note", *args, ok=ok)


def test_note_prints_the_record_id_and_defaults_to_a_contact_today(city: Cli, db_path: Path) -> None:
    r = note(city, "1", "  与企业高层会谈，\n对方有意向  ", ok=True)
    assert r.stdout == "1\n"
    assert r.stderr == f"已记录编号 1 的对接（{date.today()}），记录号 1\n"
    assert query(db_path, "SELECT item_id, type, date, summary, next_date, user FROM activities") == [
        (1, "对接", date.today().isoformat(), "与企业高层会谈， 对方有意向", None, "测试员")
    ]


@pytest.mark.parametrize(
    ("item", "typ", "stored"),
    [("2", "走访", "走访"), ("3", "電話", "电话"), ("4", "會辦", "会办"), ("1", "来访", "来访"), ("1", "路演", "推介")],
)
def test_note_on_any_kind_with_any_type_spelling(city: Cli, db_path: Path, item: str, typ: str, stored: str) -> None:
    note(city, item, "记录", "--type", typ, "--date", "2026-06-01", "--next", "2026年7月1日", ok=True)
    assert query(db_path, "SELECT item_id, type, date, next_date FROM activities") == [
        (int(item), stored, "2026-06-01", "2026-07-01")
    ]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "谈了", "--type", "吃饭"], "对接方式「吃饭」不可用。可选：对接、走访、来访、推介、会办、电话\n"),
        (["1", "谈了", "--date", FUTURE], f"对接日期 {FUTURE} 晚于今天（{_REAL_TODAY}）：只能记录已经发生的事\n"),
        (
            ["1", "谈了", "--date", "2026-06-01", "--next", "2026-06-01"],
            "下次跟进日期 2026-06-01 应晚于对接日期 2026-06-01\n",
        ),
        (["1", "   "], "对接内容不能为空：请写明谈了什么、对方态度、下一步\n"),
        (["99", "谈了"], "没有编号为 99 的条目：用 zs list 或 zs search 查找编号\n"),
        (["2", "走访", "--problem", " "], "--problem 的问题描述不能为空\n"),
    ],
)
def test_note_errors_change_nothing(city: Cli, db_path: Path, args: list[str], message: str) -> None:
    before = dump(db_path)
    r = note(city, *args, ok=False)
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", message)
    assert dump(db_path) == before


def test_a_visit_that_finds_problems_links_them_to_the_enterprise_and_the_visit(city: Cli, db_path: Path) -> None:
    r = note(
        city,
        "2",
        "大走访：企业反映用电、用工困难",
        "--type",
        "走访",
        "-p",
        "专线接入慢",
        "-p",
        "技工缺口 50 人",
        ok=True,
    )
    assert r.stdout == "1\n"
    assert r.stderr.splitlines()[1:] == [
        "已登记问题，编号 5（关联编号 2，来源走访记录 1）",
        "已登记问题，编号 6（关联编号 2，来源走访记录 1）",
    ]
    p = json.loads(city("show", "5", "--format", "json", ok=True).stdout)
    assert (p["kind"], p["title"], p["chain"], p["unit"], p["owner"]) == (
        "problems",
        "专线接入慢",
        "绿色矿业",
        "爱辉区",
        "李静",
    )
    assert (p["project"], p["visit"], p["source"], p["level"], p["status"]) == (2, 1, "大走访", "本级", "待办")
    assert [(v["id"], v["item_id"], v["type"]) for v in p["source_visit"]] == [(1, 2, "走访")]
    a = json.loads(city("show", "2", "--format", "json", ok=True).stdout)
    assert [(x["id"], x["title"]) for x in a["linked_problems"]] == [(5, "专线接入慢"), (6, "技工缺口 50 人")]
    shown = city("show", "5", ok=True).stdout
    assert "【来源走访】" in shown and "紫金铜业有限公司" in shown
    asset = city("show", "2", ok=True).stdout
    assert "【关联问题】" in asset and "技工缺口 50 人" in asset


def test_notes_lists_newest_first_with_filters(city: Cli) -> None:
    note(city, "1", "第一次", "--date", "2026-03-01", ok=True)
    note(city, "1", "第二次", "--date", "2026-05-01", "--type", "来访", ok=True)
    note(city, "3", "电话联系", "--date", "2026-04-01", "--type", "电话", ok=True)
    data = json.loads(city("notes", "--format", "json", ok=True).stdout)
    assert [(d["id"], d["date"], d["title"]) for d in data] == [
        (2, "2026-05-01", "铜箔项目"),
        (3, "2026-04-01", "王振华"),
        (1, "2026-03-01", "铜箔项目"),
    ]
    assert [d["id"] for d in json.loads(city("notes", "1", "-f", "json", ok=True).stdout)] == [2, 1]
    assert [d["id"] for d in json.loads(city("notes", "--type", "來訪", "-f", "json", ok=True).stdout)] == [2]
    assert [d["id"] for d in json.loads(city("notes", "--chain", "大豆加工", "-f", "json", ok=True).stdout)] == [3]
    since = city("notes", "--since", "2026-04-01", "--until", "2026-04-30", "-f", "json", ok=True).stdout
    assert [d["id"] for d in json.loads(since)] == [3]
    r = city("notes", "--since", "2026-09-01", ok=True)
    assert r.stderr == "共 0 条对接记录\n"


# ---------------------------------------------------------------------------------------
# 到位资金
# ---------------------------------------------------------------------------------------


def fund(cli: Cli, *args: str, ok: bool | None = None):  # type: ignore[no-untyped-def]
    return cli("fund", *args, ok=ok)


def test_domestic_and_foreign_are_stored_apart_and_never_converted(city: Cli, db_path: Path) -> None:
    r = fund(city, "1", "--month", "2026年3月", "--domestic", "0.3亿", ok=True)
    assert (
        r.stderr == "编号 1 2026-03 到位：国内资金 3000 万元\n提示：编号 1 尚未签约，请确认是否应先 zs stage 1 已签约\n"
    )
    fund(city, "1", "--month", "2026-03", "--foreign", "500万美元", ok=True)
    fund(city, "1", "--month", "2026-04", "--domestic", "1,200.5", "--foreign", "36.5", ok=True)
    assert query(db_path, "SELECT month, domestic, foreign_usd FROM funds ORDER BY month") == [
        ("2026-03", 3000.0, 500.0),
        ("2026-04", 1200.5, 36.5),
    ]
    r = city("fund", "1", ok=True)
    assert r.stdout.splitlines() == [
        "月份     国内资金（万元）  外资（万美元）  填报人",
        "───────  ────────────────  ──────────────  ──────",
        "2026-03              3000             500  测试员",
        "2026-04            1200.5            36.5  测试员",
        "合计               4200.5           536.5",
    ]
    rec = json.loads(city("show", "1", "-f", "json", ok=True).stdout)
    assert rec["funds_total"] == [{"months": 2, "domestic": 4200.5, "foreign_usd": 536.5}]


def test_same_month_rewrites_and_add_accumulates(city: Cli, db_path: Path) -> None:
    fund(city, "1", "--month", "2026-03", "--domestic", "3000", ok=True)
    r = fund(city, "1", "--month", "2026-03", "--domestic", "2500", ok=True)
    assert r.stderr.splitlines()[0] == "编号 1 2026-03 到位：国内资金 2500 万元（国内资金原为 3000 万元）"
    fund(city, "1", "--month", "2026-03", "--domestic", "500", "--add", ok=True)
    assert query(db_path, "SELECT domestic FROM funds") == [(3000.0,)]
    r = fund(city, "1", "--month", "2026-03", "--domestic", "0", ok=True)
    assert r.stderr.splitlines()[0] == "编号 1 2026-03 的到位资金已清零，记录已删除"
    assert query(db_path, "SELECT count(*) FROM funds") == [(0,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "--month", "2026-03", "--domestic", "36.5亿美元"], "美元金额请填到外资栏"),
        (["1", "--month", "2026-03", "--foreign", "500万元"], "外资（万美元）：「500万元」是人民币金额"),
        (["1", "--month", NEXT_MONTH, "--domestic", "100"], f"月份 {NEXT_MONTH} 还没到（今天是 {_REAL_TODAY}）"),
        (["1", "--domestic", "100"], "请用 --month 指明到位月份"),
        (["1", "--month", "2026-13", "--domestic", "100"], "--month：月份「2026-13」不存在"),
        (["1", "--month", "2026-03", "--domestic", "一百万"], "国内资金（万元）：无法识别的金额「一百万」"),
        (["1", "--month", "2026-03", "--domestic", "-100"], "会变成负数"),
        (
            ["2", "--month", "2026-03", "--domestic", "100"],
            "编号 2 是「有什么」清单的条目：到位资金只能记在项目（招什么）上",
        ),
        (["1", "--month", "2026-03", "--domestic", "0"], "金额为 0：2026-03 没有到位资金记录，无需登记"),
    ],
)
def test_fund_errors_change_nothing(city: Cli, db_path: Path, args: list[str], message: str) -> None:
    before = dump(db_path)
    r = fund(city, *args, ok=False)
    assert r.exit_code == 1
    assert message in r.stderr, r.stderr
    assert len(r.stderr.splitlines()) <= 2
    assert dump(db_path) == before


def test_funds_sums_per_project_and_in_total_per_currency(city: Cli, db_path: Path) -> None:
    make(db_path, "targets", "豆油项目", chain="大豆加工")  # 5
    fund(city, "1", "--month", "2026-03", "--domestic", "3000", ok=True)
    fund(city, "1", "--month", "2026-05", "--foreign", "200", ok=True)
    fund(city, "5", "--month", "2026-04", "--domestic", "800", ok=True)
    data = json.loads(city("funds", "-f", "json", ok=True).stdout)
    assert [(d["id"], d["months"], d["domestic"], d["foreign_usd"]) for d in data] == [
        (1, 2, 3000, 200),
        (5, 1, 800, 0),
    ]
    text = city("funds", ok=True).stdout.splitlines()
    assert text[-1].split() == ["合计", "3", "3800", "200"]
    april = json.loads(city("funds", "--since", "2026-04", "--until", "2026年4月", "-f", "json", ok=True).stdout)
    assert [(d["id"], d["domestic"]) for d in april] == [(5, 800)]
    soy = json.loads(city("funds", "--chain", "大豆加工", "-f", "json", ok=True).stdout)
    assert [d["id"] for d in soy] == [5]
