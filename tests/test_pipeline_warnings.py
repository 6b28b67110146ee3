"""项目保预警: overdue, stalled in a stage, no contact, follow-up passed — with the traffic
light boundaries exact on frozen dates (yellow over the limit, red over twice the limit),
grouping by owner and by leader, JSON for scripts, exit 0."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Cli
from pipeline_helpers import build_city, make, open_db

from zhaoshang.pipeline import warnings
from zhaoshang.pipeline.common import light

pytestmark = pytest.mark.engines

D = date.fromisoformat


def lights(path: Path, today: str, wtype: str) -> dict[int, str]:
    db = open_db(path)
    try:
        found = warnings.compute(db, today=D(today), types={wtype})
        return {w.id: w.light for w in found}
    finally:
        db.close()


def test_light_boundaries() -> None:
    assert [light(d, 30) for d in (0, 30, 31, 60, 61, 500)] == [None, None, "yellow", "yellow", "red", "red"]
    assert [light(d, 1) for d in (1, 2, 3)] == [None, "yellow", "red"]


@pytest.fixture
def city(db_path: Path) -> Path:
    build_city(db_path)
    return db_path


def test_overdue_light_by_days_over_the_allotted_time(city: Path) -> None:
    # given 30 days (2026-01-01 → 01-31): yellow from 02-01, red once over by more than 30 days
    make(city, "problems", "用地审批慢", created="2026-01-01", due="2026-01-31")
    expect = {"2026-01-31": None, "2026-02-01": "yellow", "2026-03-02": "yellow", "2026-03-03": "red"}
    for today, want in expect.items():
        assert lights(city, today, "overdue").get(1) == want, today


def test_overdue_when_created_after_its_due_date(city: Path) -> None:
    make(city, "problems", "补录的老问题", created="2026-03-01", due="2026-02-01")
    assert lights(city, "2026-03-01", "overdue") == {1: "red"}


def test_stalled_in_a_stage_against_its_limit(city: Path) -> None:
    make(city, "targets", "线索项目", created="2026-01-01")  # 线索: limit_days 60
    expect = {"2026-03-02": None, "2026-03-03": "yellow", "2026-05-01": "yellow", "2026-05-02": "red"}
    for today, want in expect.items():
        assert lights(city, today, "stalled").get(1) == want, today


def test_a_stage_move_restarts_the_clock(city: Path, cli: Cli) -> None:
    make(city, "targets", "项目", created="2026-01-01")
    cli("stage", "1", "在谈", "--date", "2026-03-01", ok=True)  # 在谈: limit 180, contact 30
    assert lights(city, "2026-03-31", "stalled") == {}
    assert lights(city, "2026-08-28", "stalled") == {}
    assert lights(city, "2026-08-29", "stalled") == {1: "yellow"}


def test_no_contact_in_talks_and_activities_reset_it(city: Path, cli: Cli) -> None:
    make(city, "targets", "在谈项目", created="2026-01-01", status="在谈")  # contact_days 30
    assert lights(city, "2026-01-31", "no_contact") == {}
    assert lights(city, "2026-02-01", "no_contact") == {1: "yellow"}
    assert lights(city, "2026-03-03", "no_contact") == {1: "red"}
    cli("note", "1", "电话沟通", "--date", "2026-03-01", ok=True)
    assert lights(city, "2026-03-03", "no_contact") == {}
    assert lights(city, "2026-04-01", "no_contact") == {1: "yellow"}


def test_kind_level_contact_interval_for_enterprises(city: Path) -> None:
    make(city, "assets", "紫金铜业", category="企业", created="2026-01-01")  # assets: limit_days 90
    assert lights(city, "2026-04-01", "no_contact") == {}
    assert lights(city, "2026-04-02", "no_contact") == {1: "yellow"}
    assert lights(city, "2026-07-01", "no_contact") == {1: "red"}


def test_follow_up_uses_the_latest_activity_only(city: Path, cli: Cli) -> None:
    make(city, "contacts", "王振华", created="2026-01-01")
    cli("note", "1", "约好下次", "--date", "2026-01-01", "--next", "2026-01-11", ok=True)
    expect = {"2026-01-11": None, "2026-01-12": "yellow", "2026-01-21": "yellow", "2026-01-22": "red"}
    for today, want in expect.items():
        assert lights(city, today, "follow_up").get(1) == want, today
    cli("note", "1", "跟进了", "--date", "2026-01-20", ok=True)
    assert lights(city, "2026-01-22", "follow_up") == {}


def test_closed_items_are_never_warned(city: Path, cli: Cli) -> None:
    make(city, "problems", "已解决的问题", created="2026-01-01", due="2026-01-31")
    cli("close", "1", "--reason", "已协调解决", ok=True)
    db = open_db(city)
    assert warnings.compute(db, today=D("2027-01-01")) == []
    db.close()


# ---------------------------------------------------------------------------------------
# zs warn
# ---------------------------------------------------------------------------------------


@pytest.fixture
def late(city: Path, cli: Cli) -> Cli:
    make(city, "targets", "铜箔项目", created="2026-01-01", owner="王强", leader="张副市长")  # 1 线索 stalled
    make(city, "problems", "用地审批慢", created="2026-05-01", due="2026-05-31", owner="王强")  # 2
    make(city, "problems", "豆粕运输", chain="大豆加工", created="2026-06-20", due="2026-07-30", owner="刘洋")  # 3
    return cli


def test_warn_groups_by_owner_then_sums_up_by_leader(late: Cli) -> None:
    r = late("warn", "--today", "2026-06-10", ok=True)
    assert r.stderr == "准入与履约：待研判超过时限 1 个（红灯 1，zs assess --waiting）\n"  # (the lead has no 准入研判)
    assert r.stdout.splitlines() == [
        "预警 3 条（2 个条目）：红灯 1，黄灯 2",
        "",
        "■ 责任人：王强（红 1，黄 2）",
        "  灯  编号  名称        产业链    状态  类型      说明                             包保领导",
        "  ──  ────  ──────────  ────────  ────  ────────  ───────────────────────────────  ────────",
        "  红     1  铜箔项目    绿色矿业  线索  阶段停滞  「线索」已 160 天（限 60 天）    张副市长",
        "  黄     2  用地审批慢  绿色矿业  待办  超期      超时限 10 天（时限 2026-05-31）  王建国",
        "  黄     2  用地审批慢  绿色矿业  待办  久未对接  40 天未对接（限 30 天）          王建国",
        "",
        "【按包保领导汇总】",
        "包保领导  红灯  黄灯  合计  条目数",
        "────────  ────  ────  ────  ──────",
        "张副市长     1     0     1       1",
        "王建国       0     2     2       1",
    ]


@pytest.mark.parametrize("odd", [False, True])
def test_overview_is_compute_grouped_with_the_worst_listed(
    late: Cli, db_path: Path, monkeypatch: pytest.MonkeyPatch, odd: bool
) -> None:
    """``overview`` (what the table uses: only the listed warnings are built) agrees with
    ``compute`` + ``group_by`` + ``counts``, also when it sorts on tuples instead of int keys."""
    if odd:
        monkeypatch.setattr(warnings, "_OVER_BITS", 1)  # no key can hold its days over
    db = open_db(db_path)
    try:
        for today in ("2026-06-10", "2026-09-01", "2027-06-01"):
            found = warnings.compute(db, today=D(today))
            for by, other in (("owner", "leader"), ("leader", "owner")):
                for per_group in (None, 1, 2, 5):
                    view = warnings.overview(db, today=D(today), by=by, per_group=per_group)
                    assert view.counts == warnings.counts(found)
                    want = warnings.group_by(found, by)
                    assert [(g.name, g.red, g.yellow, g.items, g.total) for g in view.groups] == [
                        (g.name, g.red, g.yellow, g.items, len(g.warnings)) for g in want
                    ]
                    assert [g.warnings for g in view.groups] == [g.warnings[:per_group] for g in want]
                    assert [(g.name, g.red, g.yellow, g.items) for g in view.others] == [
                        (g.name, g.red, g.yellow, g.items) for g in warnings.group_by(found, other)
                    ]
    finally:
        db.close()


def test_warn_by_leader_and_filters(late: Cli) -> None:
    out = late("warn", "--today", "2026-06-10", "--by", "leader", ok=True).stdout
    assert "■ 包保领导：张副市长（红 1，黄 0）" in out
    assert "【按责任人汇总】" in out
    red = json.loads(late("warn", "--today", "2026-06-10", "--light", "红", "-f", "json", ok=True).stdout)
    assert [(w["id"], w["type"]) for w in red] == [(1, "stalled")]
    mine = json.loads(late("warn", "--today", "2026-06-10", "--leader", "王建国", "-f", "json", ok=True).stdout)
    assert {w["id"] for w in mine} == {1, 2}  # the chain leader's portfolio is the whole chain
    only = json.loads(late("warn", "--today", "2026-06-10", "-t", "超期", "-f", "json", ok=True).stdout)
    assert [(w["id"], w["type"]) for w in only] == [(2, "overdue")]
    kind = json.loads(late("warn", "--today", "2026-06-10", "-k", "招什麼", "-f", "json", ok=True).stdout)
    assert [w["id"] for w in kind] == [1]


def test_warn_json_is_flat_and_complete_for_reminder_scripts(late: Cli) -> None:
    data = json.loads(late("warn", "--today", "2026-06-10", "--format", "json", ok=True).stdout)
    assert data[0] == {
        "id": 1,
        "kind": "targets",
        "chain": "绿色矿业",
        "title": "铜箔项目",
        "status": "线索",
        "owner": "王强",
        "unit": None,
        "leader": "张副市长",
        "chain_leader": "王建国",
        "type": "stalled",
        "type_name": "阶段停滞",
        "light": "red",
        "light_name": "红",
        "elapsed": 160,
        "limit": 60,
        "over": 100,
        "since": "2026-01-01",
        "deadline": "2026-03-02",
        "message": "「线索」已 160 天（限 60 天）",
    }


def test_warn_with_nothing_late_exits_zero(late: Cli) -> None:
    r = late("warn", "--today", "2026-01-02", ok=True)
    assert (r.stdout, r.stderr) == ("", "没有预警：所有条目都在时限内\n")
    assert late("warn", "--today", "2026-01-02", "-f", "json", ok=True).stdout == "[]\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--light", "绿"], "信号灯「绿」不可用：red（红灯）或 yellow（黄灯，含红灯以上）\n"),
        (
            ["--type", "迟到"],
            "预警类型「迟到」不可用。可选：overdue（超期）、stalled（阶段停滞）、no_contact（久未对接）、follow_up（跟进逾期）\n",
        ),
        (
            ["--today", "某天"],
            "--today：无法识别的日期「某天」：请按 年-月-日 书写，如 2026-03-15、2026/3/15、2026年3月15日\n",
        ),
    ],
)
def test_warn_option_errors(late: Cli, args: list[str], message: str) -> None:
    r = late("warn", *args, ok=False)
    assert (r.exit_code, r.stderr) == (1, message)


def test_warn_by_offers_its_choices(late: Cli) -> None:
    r = late("warn", "--by", "unit", ok=False)
    assert r.exit_code == 2 and "错误：--by 的值无效：「unit」不可用，可选：「owner」、「leader」" in r.stderr


def test_warn_on_the_demo_city_shows_both_lights(cli: Cli, demo_db: Path) -> None:
    from conftest import DEMO_TODAY

    data = json.loads(cli("warn", "--today", DEMO_TODAY.isoformat(), "-f", "json", ok=True).stdout)
    assert {w["light"] for w in data} == {"red", "yellow"}
    assert {w["type"] for w in data} == {"overdue", "stalled", "no_contact", "follow_up"}
    tomorrow = (DEMO_TODAY + timedelta(days=1)).isoformat()
    assert len(json.loads(cli("warn", "--today", tomorrow, "-f", "json", ok=True).stdout)) >= len(data) - 3


def test_warn_table_lists_the_worst_per_group_and_says_what_it_left_out(late: Cli) -> None:
    r = late("warn", "--today", "2026-06-10", "--limit", "1", ok=True)
    lines = r.stdout.splitlines()
    assert lines[5].startswith("  红     1  铜箔项目")
    assert lines[6] == "  ……另有 2 条（最重的已列在前面）"
    assert r.stderr == (
        "每组只列最重的 1 条，省略 2 条：加 --all 全部列出，或用 --owner/--leader 只看一人\n"
        "准入与履约：待研判超过时限 1 个（红灯 1，zs assess --waiting）\n"
    )
    full = late("warn", "--today", "2026-06-10", "--limit", "1", "--all", ok=True)
    assert "另有" not in full.stdout
    assert full.stderr == "准入与履约：待研判超过时限 1 个（红灯 1，zs assess --waiting）\n"


def test_a_note_without_next_keeps_the_follow_up_agreed_earlier(city: Path, cli: Cli) -> None:
    """A phone call on the 5th does not cancel the visit agreed for the 11th; a note on or
    after the 11th is that follow-up; --no-next cancels it on purpose."""
    make(city, "contacts", "王振华", created="2026-01-01")
    cli("note", "1", "约好下次", "--date", "2026-01-01", "--next", "2026-01-11", ok=True)
    r = cli("note", "1", "电话确认时间", "--date", "2026-01-05", ok=True)
    assert "下次跟进 2026-01-11（沿用之前约定的日期；--no-next 可取消）" in r.stderr
    assert lights(city, "2026-01-12", "follow_up") == {1: "yellow"}
    cli("note", "1", "如期走访", "--date", "2026-01-11", ok=True)  # the follow-up itself
    assert lights(city, "2026-01-30", "follow_up") == {}
    cli("note", "1", "再约", "--date", "2026-01-12", "--next", "2026-01-20", ok=True)
    r = cli("note", "1", "对方项目暂停", "--date", "2026-01-13", "--no-next", ok=True)
    assert "已取消原定 2026-01-20 的下次跟进" in r.stderr
    assert lights(city, "2026-01-30", "follow_up") == {}
    r = cli("note", "1", "矛盾", "--next", "2026-12-31", "--no-next", ok=False)
    assert "不能同时写" in r.stderr
