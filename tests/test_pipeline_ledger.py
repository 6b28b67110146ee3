"""问题台账: escalation 本级 → 市级 → 省级 → 国家 with a reason, 销号 needs a resolution
note, counts and 销号率 per chain and unit, and the 会办清单 (exportable to xlsx and csv)."""

from __future__ import annotations

import csv
import io
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
    make(db_path, "targets", "铜箔项目", created="2026-01-05")  # 1
    make(db_path, "problems", "环评批复需省厅审批", project="1", unit="爱辉区", created="2026-03-01", due="2026-04-30")
    make(db_path, "problems", "用工缺口", chain="大豆加工", unit="北安市", created="2026-03-01", due="2026-12-31")
    make(db_path, "problems", "变电站容量不足", level="市级", unit="爱辉区", created="2026-04-01", due="2026-06-01")
    make(db_path, "problems", "设备补贴未兑现", unit="北安市", created="2026-02-01", due="2026-03-01")  # 5
    return cli


def esc(cli: Cli, *args: str, ok: bool | None = None):  # type: ignore[no-untyped-def]
    return cli("escalate", *args, ok=ok)


def test_escalate_one_level_at_a_time_with_reasons_recorded(city: Cli, db_path: Path) -> None:
    r = esc(city, "2", "--reason", "县级协调未果", "--date", "2026-05-01", ok=True)
    assert r.stderr == "编号 2：本级 → 市级（2026-05-01），已列入会办清单\n"
    r = esc(city, "2", "-r", "审批权限在省厅", ok=True)
    assert r.stderr == f"编号 2：市级 → 省级（{date.today()}），已列入会办清单\n"
    assert query(db_path, "SELECT level FROM kind_problems WHERE id = 2") == [("省级",)]
    assert query(db_path, "SELECT from_level, to_level, reason, date, user FROM escalations ORDER BY id") == [
        ("本级", "市级", "县级协调未果", "2026-05-01", "测试员"),
        ("市级", "省级", "审批权限在省厅", date.today().isoformat(), "测试员"),
    ]
    shown = json.loads(city("show", "2", "-f", "json", ok=True).stdout)
    assert [e["to_level"] for e in shown["escalations"]] == ["市级", "省级"]
    assert "【升级记录】" in city("show", "2", ok=True).stdout


def test_escalate_straight_to_the_state_then_no_further(city: Cli) -> None:
    esc(city, "3", "--to", "國家", "-r", "需国家部委批复", ok=True)
    r = esc(city, "3", "-r", "再升", ok=False)
    assert r.stderr == "编号 3 已在最高层级「国家」，无法再升级\n"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["2"], '升级需要说明原因：请加 --reason "原因"，如 --reason "涉及省级审批权限，需提请省厅协调"\n'),
        (["2", "-r", "  "], '升级需要说明原因：请加 --reason "原因"，如 --reason "涉及省级审批权限，需提请省厅协调"\n'),
        (
            ["4", "--to", "本级", "-r", "降级"],
            "「本级」不高于当前层级「市级」：升级只能向上（本级 → 市级 → 省级 → 国家）；"
            "确需调整请用 zs edit 4 层级=本级\n",
        ),
        (
            ["2", "--to", "联合国", "-r", "x"],
            "层级：「联合国」不是可选值。是不是「国家」？可选：本级、市级、省级、国家。"
            "若是本地的叫法，可用 zs synonym add 清单 层级 国家 联合国 教给系统\n",
        ),
        (["1", "-r", "x"], "编号 1 是「招什么」清单的条目：只有问题（解决什么）可以升级\n"),
        (
            ["2", "-r", "x", "--date", FUTURE],
            f"升级日期 {FUTURE} 晚于今天（{_REAL_TODAY}）：只能记录已经发生的事\n",
        ),
        (["9", "-r", "x"], "没有编号为 9 的条目：用 zs list 或 zs search 查找编号\n"),
    ],
)
def test_escalate_errors_change_nothing(city: Cli, db_path: Path, args: list[str], message: str) -> None:
    before = dump(db_path)
    r = esc(city, *args, ok=False)
    assert (r.exit_code, r.stdout, r.stderr) == (1, "", message)
    assert dump(db_path) == before


def test_closing_a_problem_needs_a_resolution_and_closed_ones_cannot_escalate(city: Cli, db_path: Path) -> None:
    before = dump(db_path)
    r = city("close", "2", ok=False)
    assert (r.exit_code, r.stderr) == (1, '改为「已销号」需要说明原因：请加 --reason "原因"\n')
    assert dump(db_path) == before
    city("close", "2", "--reason", "省厅已批复", "--date", "2026-05-20", ok=True)
    assert query(
        db_path, "SELECT to_status, reason, date FROM status_log WHERE item_id = 2 ORDER BY id DESC LIMIT 1"
    ) == [("已销号", "省厅已批复", "2026-05-20")]
    r = esc(city, "2", "-r", "x", ok=False)
    assert r.stderr == "编号 2 已「已销号」，不能升级；要重新办理请先 zs reopen 2\n"


@pytest.fixture
def worked(city: Cli) -> Cli:
    city("close", "2", "--reason", "省厅已批复", "--date", "2026-05-20", ok=True)  # late: due 04-30
    city("close", "5", "--reason", "已兑现", "--date", "2026-02-20", ok=True)  # on time
    city("edit", "3", "状态=已取消", ok=True)
    esc(city, "4", "-r", "容量需省电网公司调整", ok=True)
    return city


def test_ledger_counts_and_close_rate_per_chain_and_unit(worked: Cli) -> None:
    data = json.loads(worked("ledger", "--today", TODAY, "-f", "json", ok=True).stdout)
    rows = {(d["group"], d["name"]): d for d in data}
    assert rows["chain", "绿色矿业"] == {
        "group": "chain",
        "name": "绿色矿业",
        "total": 3,
        "open": 1,
        "closed": 2,
        "cancelled": 0,
        "overdue": 1,
        "closed_late": 1,
        "escalated": 1,
        "close_rate": 66.7,
    }
    assert rows["chain", "大豆加工"]["close_rate"] is None  # one problem, cancelled: nothing to close
    assert (rows["unit", "北安市"]["total"], rows["unit", "北安市"]["close_rate"]) == (2, 100.0)
    assert rows["chain", "合计"]["close_rate"] == 66.7
    text = worked("ledger", "--today", TODAY, "--by", "chain", ok=True).stdout.splitlines()
    assert text == [
        "【按产业链】",
        "产业链    问题数  已销号  未销号  超期未销号  已升级待办  逾期销号  已取消  销号率",
        "────────  ──────  ──────  ──────  ──────────  ──────────  ────────  ──────  ──────",
        "绿色矿业       3       2       1           1           1         1       0   66.7%",
        "大豆加工       1       0       0           0           0         0       1       —",
        "合计           4       2       1           1           1         1       1   66.7%",
    ]


def test_ledger_list_with_filters(worked: Cli) -> None:
    data = json.loads(worked("ledger", "--list", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert [d["id"] for d in data] == [2, 3, 4, 5]
    assert data[0]["project_title"] == "铜箔项目"
    open_ = json.loads(worked("ledger", "--open", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert [(d["id"], d["overdue_days"], d["escalations"]) for d in open_] == [(4, 29, 1)]
    level = json.loads(worked("ledger", "--level", "省级", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert [d["id"] for d in level] == [4]


def test_meeting_agenda_is_open_escalated_problems_highest_level_first(worked: Cli) -> None:
    worked("add", "解决什么", "铁路通道需国家批复", "--chain", "绿色矿业", "层级=国家", "时限=2026-09-30", ok=True)  # 6
    data = json.loads(worked("ledger", "--meeting", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert [(d["no"], d["id"], d["level"]) for d in data] == [(1, 6, "国家"), (2, 4, "省级")]
    assert data[1]["escalation_reason"] == "容量需省电网公司调整"
    assert data[1]["escalated_on"] == date.today().isoformat()  # escalations are dated today
    agenda = worked("ledger", "--meeting", "--today", TODAY, "-f", "csv", "--keys", ok=True).stdout
    rows = list(csv.DictReader(io.StringIO(agenda)))
    assert [r["id"] for r in rows] == ["6", "4"]
    assert rows[1]["escalation_reason"] == "容量需省电网公司调整"


def test_meeting_agenda_exports_to_xlsx(worked: Cli, tmp_path: Path) -> None:
    import openpyxl

    worked("add", "解决什么", '=HYPERLINK("x")', "--chain", "绿色矿业", "层级=省级", ok=True)  # formula-like text
    target = tmp_path / "会办清单.xlsx"
    r = worked("ledger", "--meeting", "--today", TODAY, "--out", str(target), ok=True)
    assert r.stdout == ""
    assert r.stderr == f"已导出到 {target}\n会办清单共 2 项\n"
    ws = openpyxl.load_workbook(target)["会办清单"]
    assert ws["A1"].value == "会办清单（2026年6月，截至 2026-06-30）"
    assert [c.value for c in ws[2]][:4] == ["序号", "编号", "问题", "产业链"]
    titles = [ws.cell(row=r, column=3).value for r in (3, 4)]
    assert titles == ["变电站容量不足", '=HYPERLINK("x")']  # same level: the overdue one first
    assert ws.cell(row=4, column=3).data_type == "s"
    assert ws.freeze_panes == "A3"


def test_ledger_export_summary_and_bad_extension(worked: Cli, tmp_path: Path) -> None:
    import openpyxl

    target = tmp_path / "台账.xlsx"
    worked("ledger", "--today", TODAY, "--out", str(target), ok=True)
    book = openpyxl.load_workbook(target)
    assert book.sheetnames == ["按产业链", "按责任单位"]
    assert [c.value for c in book["按产业链"][3]][:3] == ["绿色矿业", 3, 2]
    r = worked("ledger", "--meeting", "--out", str(tmp_path / "x.csv"), ok=False)
    assert r.stderr == "--out 只支持 .xlsx 文件（「x.csv」）；要 CSV 请用 --format csv > 文件.csv\n"


def test_demo_city_has_a_meeting_agenda_and_escalation_history(cli: Cli, demo_db: Path) -> None:
    data = json.loads(cli("ledger", "--meeting", "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    assert {d["level"] for d in data} >= {"省级", "国家"}
    assert all(d["escalation_reason"] for d in data)
    summary = json.loads(cli("ledger", "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    total = next(d for d in summary if d["name"] == "合计")
    assert 0 < total["close_rate"] < 100
