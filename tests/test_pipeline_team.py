"""Responsibility and approvals: service teams (多对一专班), 五要件, a leader's portfolio
(`zs list --leader`), the 领导责任清单, and 前期手续 with the approval speed and the step a
project waits on."""

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
    build_city(db_path)  # 绿色矿业: 王建国（副市长）; 大豆加工: 李明华
    make(db_path, "targets", "铜箔项目", investment="3.56亿", key_project="是", leader="张伟", owner="王强")  # 1
    make(db_path, "targets", "豆油项目", chain="大豆加工", investment="4800", owner="刘洋")  # 2
    make(db_path, "assets", "九三粮油", chain="大豆加工", category="企业", butler="韩雪")  # 3
    make(db_path, "problems", "豆粕运输难", chain="大豆加工", project="2", due="2026-03-01")  # 4
    make(db_path, "targets", "钼精矿项目", investment="1亿", owner="王强")  # 5
    return cli


def test_team_add_show_remove(city: Cli, db_path: Path) -> None:
    r = city("team", "add", "1", "包保市领导", "赵副市长", "单位=市政府", ok=True)
    assert r.stdout == "1\n"
    assert r.stderr == "已将 赵副市长 作为「包保市领导」加入编号 1 的服务专班（成员号 1）\n"
    city("team", "add", "1", "项目管家", "韩雪", "电话＝13900000000", ok=True)
    city("team", "add", "1", "挂点处长", "韩雪", ok=True)
    data = json.loads(city("team", "show", "1", "-f", "json", ok=True).stdout)
    assert data["leaders"] == ["张伟", "赵副市长"]
    assert data["butlers"] == ["韩雪"]
    assert data["chain_leaders"] == ["王建国"]
    assert [(m["role"], m["name"]) for m in data["team"]] == [
        ("包保市领导", "赵副市长"),
        ("项目管家", "韩雪"),
        ("挂点处长", "韩雪"),
    ]
    r = city("team", "rm", "1", "韩雪", ok=False)
    assert r.stderr == "韩雪 在专班中有多个角色（项目管家、挂点处长）：请加 --role 指明，或用成员号\n"
    r = city("team", "rm", "1", "韩雪", "--role", "挂点处长", ok=True)
    assert r.stderr == "已将 韩雪（挂点处长）移出编号 1 的服务专班\n"
    city("team", "rm", "1", "1", ok=True)  # by member number
    assert query(db_path, "SELECT role, name FROM team_members") == [("项目管家", "韩雪")]
    shown = city("show", "1", ok=True).stdout
    assert "【服务专班】" in shown and "13900000000" in shown


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["add", "1", "  ", "张三"], "请写明角色，如 包保市领导、包保县领导、部门负责人、挂点处长、区县联络员\n"),
        (["add", "9", "项目管家", "张三"], "没有编号为 9 的条目：用 zs list 或 zs search 查找编号\n"),
        (["rm", "1", "李四"], "编号 1 的服务专班里没有「李四」。现有成员：赵副市长（包保市领导）\n"),
        (
            ["add", "1", "包保市领导", "赵副市长（常务）"],
            "赵副市长（常务） 已是编号 1 服务专班的「包保市领导」（成员号 1）\n",
        ),
    ],
)
def test_team_errors_change_nothing(city: Cli, db_path: Path, args: list[str], message: str) -> None:
    city("team", "add", "1", "包保市领导", "赵副市长", ok=True)
    before = dump(db_path)
    r = city("team", *args, ok=False)
    assert (r.exit_code, r.stderr) == (1, message)
    assert dump(db_path) == before


def test_five_essentials_of_a_key_project(city: Cli) -> None:
    data = json.loads(city("team", "show", "1", "-f", "json", ok=True).stdout)
    assert [(e["essential"], e["ok"]) for e in data["essentials"]] == [
        ("定领导", True),
        ("定举措", False),
        ("定工期", False),
        ("定标准", False),
        ("定奖惩", False),
    ]
    city("edit", "1", "定举措=每周调度", "定工期=2026年9月开工", "定标准=当年投资过半", "定奖惩=纳入考核", ok=True)
    rows = json.loads(city("team", "list", "-f", "json", ok=True).stdout)
    assert [(r["id"], r["essentials_done"], r["essentials_missing"]) for r in rows] == [(1, 5, "")]
    city("edit", "1", "定奖惩=", ok=True)
    rows = json.loads(city("team", "list", "--incomplete", "-f", "json", ok=True).stdout)
    assert [(r["id"], r["essentials_missing"]) for r in rows] == [(1, "定奖惩")]
    assert "【五要件】" in city("show", "1", ok=True).stdout
    assert "【五要件】" not in city("show", "5", ok=True).stdout  # not a key project


# ---------------------------------------------------------------------------------------
# a leader's portfolio and the 领导责任清单
# ---------------------------------------------------------------------------------------


def ids(cli: Cli, *args: str) -> list[int]:
    return [r["id"] for r in json.loads(cli("list", *args, "-f", "json", ok=True).stdout)]


def test_list_by_leader_field_team_role_or_chain(city: Cli) -> None:
    assert ids(city, "--leader", "张伟") == [1]  # the item's own leader field
    city("team", "add", "2", "包保市领导", "张伟（副市长）", ok=True)
    city("team", "add", "5", "项目管家", "张伟", ok=True)  # a butler is not a leader
    assert ids(city, "--leader", "张伟") == [1, 2]
    assert ids(city, "--leader", "李明华") == [3, 2, 4]  # every item of the chain he leads (kind order)
    assert ids(city, "--leader", "王建国（副市长）", "targets") == [1, 5]
    assert ids(city, "--leader", "王建國", "--owner", "王强") == [1, 5]


def test_unknown_leader_is_an_error_with_suggestions(city: Cli) -> None:
    r = city("list", "--leader", "王建", ok=False)
    assert r.stderr == (
        "没有名为「王建」的包保领导。是不是：王建国？已有：王建国、李明华、张伟。领导责任清单：zs leaders\n"
    )


def test_leaders_responsibility_list(city: Cli) -> None:
    data = json.loads(city("leaders", "--today", TODAY, "-f", "json", ok=True).stdout)
    by = {d["leader"]: d for d in data}
    # 豆油项目 (线索 for 180 days: red), 九三粮油 (no visit for 180 days: yellow), 豆粕运输难 (overdue: red)
    assert by["李明华"] == {
        "leader": "李明华",
        "chains": "大豆加工",
        "direct": 0,
        "projects": 1,
        "key_projects": 0,
        "investment": 4800,
        "enterprises": 1,
        "open_problems": 1,
        "overdue": 1,
        "red": 2,
        "yellow": 1,
    }
    assert (by["张伟"]["direct"], by["张伟"]["projects"], by["张伟"]["key_projects"]) == (1, 1, 1)
    assert (by["王建国"]["projects"], by["王建国"]["investment"]) == (2, 45600)
    text = city("leaders", "李明华", "--today", TODAY, ok=True).stdout
    assert "【未销号问题】" in text and "豆粕运输难" in text
    assert "【预警】" in text


def test_problems_of_a_leaders_projects_count_for_them(city: Cli) -> None:
    city("team", "add", "2", "包保市领导", "张伟", ok=True)
    by = {d["leader"]: d for d in json.loads(city("leaders", "--today", TODAY, "-f", "json", ok=True).stdout)}
    assert by["张伟"]["open_problems"] == 1  # 豆粕运输难 blocks 豆油项目


# ---------------------------------------------------------------------------------------
# 前期手续
# ---------------------------------------------------------------------------------------


def approve(cli: Cli, *args: str, ok: bool | None = None):  # type: ignore[no-untyped-def]
    return cli("approve", *args, ok=ok)


def test_approvals_speed_and_waiting_step(city: Cli, db_path: Path) -> None:
    approve(city, "1", "立项", "--date", "2026-03-01", "--note", "备案号 2026-01", ok=True)
    approve(city, "1", "土地", "--date", "2026-04-01", ok=True)  # a unique part of 土地出让合同
    r = approve(city, "1", "施工", "--date", "2026-04-10", ok=True)
    assert r.stderr == "编号 1「施工许可」办结于 2026-04-10\n从土地出让合同到施工许可用时 9 天\n"
    data = json.loads(city("approvals", "1", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert [(s["step"], s["date"], s["days"], s["state"]) for s in data] == [
        ("立项", "2026-03-01", None, "已办结"),
        ("用地预审", None, None, "卡点"),
        ("土地出让合同", "2026-04-01", 31, "已办结"),
        ("环评批复", None, None, "未办"),
        ("规划许可", None, None, "未办"),
        ("施工许可", "2026-04-10", 9, "已办结"),
    ]
    r = city("approvals", "1", "--today", TODAY, ok=True)
    assert r.stderr == "卡点：用地预审（距上一步办结已 81 天）\n审批速度（土地出让合同→施工许可）：9 天\n"
    overview = json.loads(city("approvals", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert overview == [
        {
            "id": 1,
            "title": "铜箔项目",
            "chain": "绿色矿业",
            "unit": None,
            "status": "线索",
            "done": 3,
            "total": 6,
            "waiting": "用地预审",
            "waiting_days": 81,
            "speed_days": 9,
        }
    ]
    shown = json.loads(city("show", "1", "-f", "json", ok=True).stdout)
    assert shown["approval_summary"][0]["speed_days"] == 9


def test_approval_rewrite_and_clear(city: Cli, db_path: Path) -> None:
    approve(city, "1", "立项", "--date", "2026-03-01", ok=True)
    r = approve(city, "1", "立項", "--date", "2026-03-05", ok=True)
    assert r.stderr == "编号 1「立项」办结于 2026-03-05（原 2026-03-01）\n"
    r = approve(city, "1", "立项", "--clear", ok=True)
    assert r.stderr == "编号 1「立项」的办结记录已撤销（原 2026-03-05）\n"
    assert query(db_path, "SELECT count(*) FROM approvals") == [(0,)]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "许可"], "「许可」可指多项手续：规划许可、施工许可，请写全名\n"),
        (
            ["1", "开工令"],
            "没有「开工令」这项前期手续。可选：立项、用地预审、土地出让合同、环评批复、规划许可、施工许可\n",
        ),
        (["1", "立项", "--date", FUTURE], f"办结日期 {FUTURE} 晚于今天（{_REAL_TODAY}）：只能记录已经发生的事\n"),
        (["3", "立项"], "编号 3 是「有什么」清单的条目：只有项目（招什么）有前期手续\n"),
        (["1", "立项", "--clear"], "编号 1 没有「立项」的办理记录，无需撤销\n"),
    ],
)
def test_approval_errors_change_nothing(city: Cli, db_path: Path, args: list[str], message: str) -> None:
    before = dump(db_path)
    r = approve(city, *args, ok=False)
    assert (r.exit_code, r.stderr) == (1, message)
    assert dump(db_path) == before


def test_demo_city_has_teams_leaders_and_approval_speeds(cli: Cli, demo_db: Path) -> None:
    teams = json.loads(cli("team", "list", "-f", "json", ok=True).stdout)
    assert any(t["team_size"] >= 4 for t in teams)
    assert any(t["essentials_missing"] for t in teams)
    leaders = json.loads(cli("leaders", "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    assert len(leaders) >= 6 and all(r["chains"] for r in leaders[:6])
    speeds = [r["speed_days"] for r in json.loads(cli("approvals", "-f", "json", ok=True).stdout)]
    assert any(s is not None for s in speeds)
    shown = cli("show", "14", ok=True).stdout
    assert "【前期手续】" in shown and "【服务专班】" in shown and "【五要件】" in shown


@pytest.mark.parametrize(
    "args",
    [
        ["team", "add", "1", "包保市领导", "赵副市长"],
        ["approve", "1", "立项", "--date", "2026-03-01"],
        ["fund", "1", "--month", "2026-03", "--domestic", "100"],
        ["note", "3", "走访", "--type", "走访", "-p", "用地紧张"],
        ["escalate", "4", "-r", "需市级协调"],
        ["stage", "1", "在谈"],
    ],
)
def test_every_pipeline_write_is_one_undoable_command(city: Cli, db_path: Path, args: list[str]) -> None:
    before = dump(db_path)
    city(*args, ok=True)
    assert dump(db_path) != before
    city("undo", "--yes", ok=True)
    after = dump(db_path)
    for table in ("items", "kind_targets", "kind_problems", "status_log", "activities", "funds", "approvals"):
        assert after[table] == before[table], table
    assert after["team_members"] == before["team_members"]
    assert after["escalations"] == before["escalations"]
