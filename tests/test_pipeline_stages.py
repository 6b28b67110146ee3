"""Pipeline stages: recorded moves, the rules (backward/skip only with --force, flagged; 退库
needs a reason; no future or out-of-order dates), the 签约日期 filled once, and counting a
project once per stage whatever happens after (first_reached / reached_sql)."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Cli, dump
from pipeline_helpers import build_city, make, open_db, query

from zhaoshang.pipeline import stages

pytestmark = pytest.mark.engines

TODAY = "2026-06-30"
TOMORROW = (date.today() + timedelta(days=1)).isoformat()


@pytest.fixture
def city(cli: Cli, db_path: Path) -> Cli:
    build_city(db_path)
    make(db_path, "targets", "铜箔项目", investment="3.56亿", owner="王强", created="2026-01-05")
    return cli


def stage(cli: Cli, *args: str, ok: bool | None = None):  # type: ignore[no-untyped-def]
    return cli("stage", *args, ok=ok)


def test_forward_moves_are_recorded_with_date_user_and_time(city: Cli, db_path: Path) -> None:
    r = stage(city, "1", "在谈", "--date", "2026年2月3日", ok=True)
    assert r.stderr == "编号 1：线索 → 在谈（2026-02-03）\n"
    r = stage(city, "1", "簽約", "--date", "2026/3/1", ok=True)  # traditional alias
    assert r.stderr == "编号 1：在谈 → 已签约（2026-03-01）\n已记签约日期：2026-03-01\n"
    rows = query(
        db_path, "SELECT from_status, to_status, date, flag, user FROM status_log WHERE item_id = 1 ORDER BY id"
    )
    assert rows == [
        (None, "线索", "2026-01-05", None, "测试员"),
        ("线索", "在谈", "2026-02-03", None, "测试员"),
        ("在谈", "已签约", "2026-03-01", None, "测试员"),
    ]
    at = query(db_path, "SELECT at FROM status_log WHERE item_id = 1 ORDER BY id DESC LIMIT 1")[0][0]
    assert at[:4] == str(date.today().year)
    rec = json.loads(city("show", "1", "--format", "json", ok=True).stdout)
    assert rec["status"] == "已签约"
    assert rec["signed_date"] == "2026-03-01"
    assert [s["to_status"] for s in rec["status_log"]] == ["线索", "在谈", "已签约"]
    text = city("show", "1", ok=True).stdout
    assert "【状态变更】" in text
    assert "2026-03-01  在谈    已签约" in text


def test_stage_defaults_to_today(city: Cli, db_path: Path) -> None:
    stage(city, "1", "在谈", ok=True)
    assert query(db_path, "SELECT max(date) FROM status_log WHERE item_id = 1")[0][0] == date.today().isoformat()


def test_stage_has_no_today_option(city: Cli) -> None:
    """--today is a way of looking (warn, report, ledger); a write is dated by --date only."""
    r = stage(city, "1", "在谈", "--today", "2026-01-10", ok=False)
    assert r.exit_code == 2


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["已签约"], "编号 1 从「线索」到「已签约」是跨阶段推进：确需如此请加 --force（将被标记）\n"),
        (["退库"], '改为「退库」需要说明原因：请加 --reason "原因"\n'),
        (
            ["在谈", "--date", TOMORROW],
            f"生效日期 {TOMORROW} 晚于今天（{date.today().isoformat()}）：只能记录已经发生的事\n",
        ),
        (["线索"], "编号 1 已经是「线索」状态\n"),
        (
            ["开张"],
            "「招什么」清单没有「开张」这个状态。是不是「已开工」？可用：谋划储备、线索、在谈、已签约、已入统、已开工、已投产、退库。"
            "若是本地的叫法，可用 zs synonym add 招什么 状态 已开工 开张 教给系统\n",
        ),
        (["在谈", "--date", "2026-02-30"], "--date：日期「2026-02-30」不存在：2026年2月没有30日\n"),
    ],
)
def test_refused_moves_say_why_and_change_nothing(city: Cli, db_path: Path, args: list[str], message: str) -> None:
    before = dump(db_path)
    r = stage(city, "1", *args, ok=False)
    assert r.exit_code == 1
    assert r.stdout == ""
    assert r.stderr == message
    assert dump(db_path) == before


def test_unknown_id_is_a_user_error(city: Cli) -> None:
    r = stage(city, "99", "在谈", ok=False)
    assert r.exit_code == 1
    assert r.stderr == "没有编号为 99 的条目：用 zs list 或 zs search 查找编号\n"


def test_backward_and_skip_only_with_force_and_then_flagged(city: Cli, db_path: Path) -> None:
    r = stage(city, "1", "已签约", "--date", "2026-02-01", "--force", ok=True)
    assert r.stderr.startswith("编号 1：线索 → 已签约（2026-02-01）（已标记：跨阶段）\n")
    stage(city, "1", "在谈", "--date", "2026-03-01", ok=False)
    r = stage(city, "1", "在谈", "--date", "2026-03-01", "--force", "--reason", "企业重新谈判", ok=True)
    assert r.stderr == "编号 1：已签约 → 在谈（2026-03-01）（已标记：回退）\n"
    flags = query(db_path, "SELECT to_status, flag, reason FROM status_log WHERE item_id = 1 ORDER BY id")
    assert flags[1:] == [("已签约", "skip", None), ("在谈", "backward", "企业重新谈判")]
    text = city("show", "1", ok=True).stdout
    assert "跨阶段" in text
    assert "回退" in text


def test_exit_with_reason_then_the_project_is_closed(city: Cli, db_path: Path) -> None:
    stage(city, "1", "在谈", "--date", "2026-02-01", ok=True)
    r = stage(city, "1", "退库", "--reason", "企业投资计划调整", "--date", TODAY, ok=True)
    assert r.stderr == "编号 1：在谈 → 退库（2026-06-30）\n已记退库日期：2026-06-30\n"
    assert query(db_path, "SELECT status, closed_at IS NOT NULL FROM items WHERE id = 1") == [("退库", 1)]


def test_resigning_keeps_the_first_signing_date_and_says_it_counts_once(city: Cli, db_path: Path) -> None:
    stage(city, "1", "在谈", "--date", "2026-02-01", ok=True)
    stage(city, "1", "已签约", "--date", "2026-03-01", ok=True)
    stage(city, "1", "在谈", "--date", "2026-04-01", "--force", "-r", "重新谈判", ok=True)
    r = stage(city, "1", "已签约", "--date", "2026-05-01", "-r", "增资后重新签约", ok=True)
    assert r.stderr == (
        "编号 1：在谈 → 已签约（2026-05-01）\n该项目已于 2026-03-01 首次达到「已签约」，统计按首次计，不重复计数\n"
    )
    assert query(db_path, "SELECT signed_date FROM kind_targets WHERE id = 1") == [("2026-03-01",)]


# ---------------------------------------------------------------------------------------
# counting once: first_reached / reached_sql
# ---------------------------------------------------------------------------------------


def _moves(path: Path, item_id: int, *moves: tuple[str, str]) -> None:
    db = open_db(path)
    try:
        for name, day in moves:
            with db.command("stage", user="测试员"):
                stages.move(db, item_id, name, on=day, force=True, reason="测试")
    finally:
        db.close()


@pytest.fixture
def pipeline(db_path: Path) -> Path:
    build_city(db_path)
    a = make(db_path, "targets", "甲：签约后回退再签约", created="2026-01-05")
    b = make(db_path, "targets", "乙：跳过签约直接入统", created="2026-01-05")
    c = make(db_path, "targets", "丙：签约后退库", created="2026-01-05")
    d = make(db_path, "targets", "丁：只在谈", created="2026-01-05")
    e = make(db_path, "targets", "戊：导入时已开工", created="2026-02-10", status="已开工")
    _moves(
        db_path, a, ("在谈", "2026-01-20"), ("已签约", "2026-02-15"), ("在谈", "2026-03-10"), ("已签约", "2026-04-20")
    )
    _moves(db_path, b, ("已入统", "2026-03-05"))
    _moves(db_path, c, ("在谈", "2026-01-10"), ("已签约", "2026-01-31"), ("退库", "2026-02-20"))
    _moves(db_path, d, ("在谈", "2026-03-01"))
    assert (a, b, c, d, e) == (1, 2, 3, 4, 5)
    return db_path


def test_first_reached_counts_each_project_once_on_its_first_date(pipeline: Path) -> None:
    db = open_db(pipeline)
    try:
        assert stages.first_reached(db, "已签约") == {
            3: "2026-01-31",
            5: "2026-02-10",
            1: "2026-02-15",
            2: "2026-03-05",
        }
        # the re-signing in April is not a second signing
        assert stages.first_reached(db, "已签约", "2026-04-01", "2026-04-30") == {}
        assert stages.first_reached(db, "签约", date(2026, 2, 1), date(2026, 2, 28)) == {
            5: "2026-02-10",
            1: "2026-02-15",
        }
        assert stages.first_reached(db, "在谈", "2026-01-01", "2026-01-31") == {3: "2026-01-10", 1: "2026-01-20"}
        assert stages.first_reached(db, "已开工") == {5: "2026-02-10"}
        assert stages.first_reached(db, "退库") == {3: "2026-02-20"}
    finally:
        db.close()


def test_reached_sql_joins_for_sums_without_double_counting(pipeline: Path) -> None:
    db = open_db(pipeline)
    try:
        with db.command("x", user="测试员"):
            db.conn.execute("UPDATE kind_targets SET investment = id * 1000")
        sql, params = stages.reached_sql(db.defs, "已签约")
        total = db.conn.execute(
            f"SELECT count(*), sum(k.investment) FROM ({sql}) r JOIN kind_targets k ON k.id = r.item_id "
            "WHERE r.date BETWEEN ? AND ?",
            [*params, "2026-01-01", "2026-12-31"],
        ).fetchone()
        assert total == (4, (1 + 2 + 3 + 5) * 1000)
    finally:
        db.close()


def test_other_kinds_with_the_same_status_name_are_not_counted(pipeline: Path) -> None:
    db = open_db(pipeline)
    try:
        with db.command("x", user="测试员"):
            db.conn.execute(
                "INSERT INTO status_log(item_id, from_status, to_status, date, user, at) "
                "SELECT id, NULL, '已签约', '2026-02-01', 'x', 'x' FROM items WHERE id = 4"
            )
            db.conn.execute("UPDATE items SET kind = 'problems' WHERE id = 4")
        assert 4 not in stages.first_reached(db, "已签约")
    finally:
        db.close()


def test_undo_of_a_signing_uncounts_it(cli: Cli, pipeline: Path) -> None:
    cli("stage", "4", "已签约", "--date", "2026-05-01", ok=True)
    db = open_db(pipeline)
    assert 4 in stages.first_reached(db, "已签约")
    db.close()
    cli("undo", "--yes", ok=True)
    db = open_db(pipeline)
    assert 4 not in stages.first_reached(db, "已签约")
    db.close()


def test_edit_status_fills_the_signing_date_too(city: Cli, db_path: Path) -> None:
    city("edit", "1", "状态=在谈", ok=True)
    city("edit", "1", "状态=已签约", ok=True)
    today = date.today().isoformat()
    assert query(db_path, "SELECT signed_date FROM kind_targets WHERE id = 1") == [(today,)]
    # the field and the log are one fact: a signing date before the talks began is refused
    r = city("edit", "1", "签约日期=2026-02-02", ok=False)
    assert r.stderr == f"签约日期 2026-02-02 早于此前的「在谈」（{today}）：阶段要按时间先后\n"
    city("stage", "1", "在谈", "--force", "-r", "重谈", ok=True)
    city("stage", "1", "已签约", ok=True)
    assert query(db_path, "SELECT signed_date FROM kind_targets WHERE id = 1") == [(today,)]
