"""Before 线索 and after 已投产: 谋划储备 (a status of its own before the stages), 履约 (agreed
figures against actuals, by year, `zs contract`), 达产 and 入规 (dated fields), and their figures
in the monthly report."""

from __future__ import annotations

import copy
import json
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import Cli, dump
from pipeline_helpers import build_city, make, open_db, query

from zhaoshang.definitions import default_dir, load
from zhaoshang.errors import ZsError
from zhaoshang.pipeline import performance as core
from zhaoshang.stages import pipeline_flag, reached_stages, stages_of

pytestmark = pytest.mark.engines

TODAY = date.today()
YEAR = TODAY.year


def _ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


# ---------------------------------------------------------------------------------------
# 谋划储备
# ---------------------------------------------------------------------------------------


def test_reserve_is_a_status_before_the_stages() -> None:
    kind = load().kind_by_key("targets")
    assert kind.status_names()[0] == "谋划储备" and kind.status("谋划储备").reserve
    assert stages_of(kind)[:2] == ["线索", "在谈"]
    assert "谋划储备" not in reached_stages(kind, "线索")
    assert pipeline_flag(kind, "谋划储备", "线索") is None
    assert pipeline_flag(kind, "谋划储备", "在谈") is None
    assert pipeline_flag(kind, "谋划储备", "已签约") == "skip"
    assert pipeline_flag(kind, "在谈", "谋划储备") == "backward"


def test_a_packaged_project_comes_in_at_the_reserve_and_moves_on(cli: Cli, db_path: Path) -> None:
    build_city(db_path)
    r = cli("add", "招什么", "寒地生物医药产业园", "产业链=绿色矿业", "状态=储备", "投资额=5亿", ok=True)
    assert r.stdout == "1\n"
    assert query(db_path, "SELECT from_status, to_status, flag FROM status_log") == [(None, "谋划储备", None)]
    r = cli("stage", "1", "在谈", ok=True)
    assert r.stderr == f"编号 1：谋划储备 → 在谈（{TODAY.isoformat()}）\n"
    cli("add", "招什么", "包装项目二", "产业链=绿色矿业", "状态=谋划", ok=True)
    r = cli("stage", "2", "已签约", ok=False)
    assert "从「谋划储备」到「已签约」是跨阶段推进：确需如此请加 --force" in r.stderr
    r = cli("stage", "1", "谋划储备", ok=False)
    assert "从「在谈」到「谋划储备」是回退" in r.stderr


def test_reserve_figures_in_the_monthly_report(cli: Cli, db_path: Path) -> None:
    build_city(db_path)
    cli("add", "招什么", "包装项目一", "产业链=绿色矿业", "状态=谋划储备", "投资额=3亿", ok=True)
    cli("add", "招什么", "包装项目二", "产业链=绿色矿业", "状态=谋划储备", "投资额=2亿", ok=True)
    cli("add", "招什么", "线索项目", "产业链=绿色矿业", ok=True)
    cli("stage", "2", "线索", ok=True)
    data = json.loads(cli("report", "monthly", "--month", "本月", "-f", "json", ok=True).stdout)
    life = data["lifecycle"]["period"]
    assert (life["reserve"], life["reserve_amount"], life["reserve_converted"]) == (1, 30000.0, 1)
    text = cli("report", "monthly", "--month", "本月", ok=True).stdout
    assert "谋划储备、准入研判与履约达产" in text


# ---------------------------------------------------------------------------------------
# 履约: the terms file, the judging rules
# ---------------------------------------------------------------------------------------


def _terms() -> Any:
    return yaml.safe_load((default_dir() / core.FILE).read_text(encoding="utf-8"))


def _broken(change: Any) -> str:
    data = copy.deepcopy(_terms())
    change(data)
    with pytest.raises(ZsError) as exc:
        core.parse_contract(data, load().kind_by_key("targets"))
    return exc.value.message


def test_contract_terms_are_checked_against_the_fields() -> None:
    c = core.parse_contract(_terms(), load().kind_by_key("targets"))
    assert [t.label for t in c.terms] == ["投资额", "用地", "投资强度", "亩均税收", "年产值"]
    assert [t.label for t in c.dates] == ["开工", "投产", "达产"]
    assert _broken(lambda d: d["terms"][2].update(agreed="no_such")) == (
        "履约指标文件「_contract.yaml」中 terms[2].agreed：「no_such」应是「招什么」清单的数字或金额字段"
    )
    assert "dates[0].actual：「investment」应是「招什么」清单的日期字段" in _broken(
        lambda d: d["dates"][0].update(actual="investment")
    )
    assert "terms[0].after：「later」应是 dates 中一项的 key" in _broken(lambda d: d["terms"][0].update(after="later"))
    assert "failed_below：「2」应是 0 到 1 之间的比例" in _broken(lambda d: d.update(failed_below=2))
    assert "terms[1].lowerbetter：是未知的键，是不是「lower_better」？" in _broken(
        lambda d: d["terms"][1].update(lowerbetter=True)
    )


def test_judging_numbers_and_dates() -> None:
    tax = core.Term("tax_per_mu", "亩均税收", "agreed_tax_per_mu", unit="万元/亩")
    assert core.judge_number(tax, 10, [(YEAR, 12)], 0.6).status == core.MET
    behind = core.judge_number(tax, 10, [(YEAR - 1, 2), (YEAR, 7.5)], 0.6)
    assert (behind.status, behind.gap, behind.year) == (core.BEHIND, "差 2.5万元/亩（完成 75%）", YEAR)
    assert core.judge_number(tax, 10, [(YEAR, 5)], 0.6).status == core.FAILED
    early = core.judge_number(tax, 10, [(YEAR, 5)], 0.6, due=False)
    assert (early.status, early.gap) == (core.PENDING, "进行中：差 5万元/亩（完成 50%）")
    invest = core.Term("investment", "投资额", "investment", unit="万元", cumulative=True)
    assert core.judge_number(invest, 10000, [(YEAR - 1, 6000), (YEAR, 4000)], 0.6).status == core.MET
    land = core.Term("land", "用地", "agreed_land", unit="亩", lower_better=True)
    over = core.judge_number(land, 100, [(YEAR, 110)], 0.6)
    assert (over.status, over.gap) == (core.BEHIND, "超出 10亩（110%）")
    start = core.DateTerm("start", "开工", "planned_start_date", "started_date")
    today = date(2026, 6, 30)
    assert core.judge_date(start, "2026-06-01", "2026-05-20", today).gap == "提前 12 天"
    assert core.judge_date(start, "2026-06-01", "2026-06-11", today).gap == "延期 10 天"
    late = core.judge_date(start, "2026-06-01", None, today)
    assert (late.status, late.gap, late.overdue_days) == (core.FAILED, "逾期 29 天", 29)
    assert core.judge_date(start, "2026-07-10", None, today).status == core.PENDING


# ---------------------------------------------------------------------------------------
# 履约: recording and checking
# ---------------------------------------------------------------------------------------


@pytest.fixture
def signed(cli: Cli, db_path: Path) -> Cli:
    build_city(db_path)
    make(db_path, "targets", "铜箔项目", investment="3亿", created=_ago(400))  # 1
    make(db_path, "targets", "豆油项目", chain="大豆加工", created=_ago(30))  # 2: not signed
    make(db_path, "assets", "九三粮油", chain="大豆加工", category="企业")  # 3
    cli("stage", "1", "已签约", "--force", "--date", _ago(300), ok=True)
    cli(
        "edit",
        "1",
        "约定用地=100",
        "约定投资强度=300",
        "约定亩均税收=10",
        f"计划投产日期={_ago(100)}",
        f"约定达产日期={_ago(-200)}",
        ok=True,
    )
    return cli


def test_contract_records_actuals_by_year_and_judges_each_term(signed: Cli, db_path: Path) -> None:
    r = signed("contract", "1", "--year", str(YEAR), "--set", "亩均税收=7.5", "--set", "用地=110亩", ok=True)
    assert r.stderr == f"已记录编号 1 {YEAR} 年实绩：亩均税收 7.5万元/亩；用地 110亩\n"
    r = signed("contract", "1", "--year", str(YEAR), "--set", "用地=95", ok=True)
    assert r.stderr == f"已记录编号 1 {YEAR} 年实绩：用地 95亩（原为 110亩）\n"
    data = json.loads(signed("contract", "1", "-f", "json", ok=True).stdout)
    terms = {t["label"]: (t["status_name"], t["gap"]) for t in data["terms"]}
    assert terms == {
        "投资额": ("待考核", "待报实绩"),
        "用地": ("达标", "未超出约定"),
        "投资强度": ("待考核", "待报实绩"),
        "亩均税收": ("待考核", "进行中：差 2.5万元/亩（完成 75%）"),
        "投产": ("未履约", "逾期 100 天"),
        "达产": ("待考核", "距约定还有 200 天"),
    }
    assert (data["status"], data["light"]) == ("failed", "red")
    table = signed("contract", ok=True)
    assert "投产 逾期 100 天" in table.stdout
    assert table.stderr == "履约监管 1 个项目：达标 0、滞后 0、未履约 1、待考核 0\n"
    shown = signed("show", "1", ok=True).stdout
    assert "【履约情况】" in shown and "【历年实绩】" in shown
    warn = signed("warn", ok=True)
    assert "准入与履约：" in warn.stderr
    assert "约定日期已过仍未做到 1 个（红灯 1，zs contract --status failed）" in warn.stderr
    signed("edit", "1", f"投产日期={_ago(90)}", "状态=已投产", "--force", ok=True)
    data = json.loads(signed("contract", "1", "-f", "json", ok=True).stdout)
    assert {t["label"]: t["gap"] for t in data["terms"]}["投产"] == "延期 10 天"
    assert data["status"] == "behind"


def test_contract_refusals_change_nothing(signed: Cli, db_path: Path) -> None:
    before = dump(db_path)
    y = str(YEAR)
    cases = [
        (("contract", "1", "--set", "亩均税收=8"), "记实绩要写年度：--year 2026"),
        (("contract", "--year", y, "--set", "亩均税收=8"), "记实绩要写项目编号"),
        (("contract", "1", "--year", y, "--set", "利润=8"), "履约指标没有「利润」"),
        (("contract", "1", "--year", y, "--set", "亩均税收=很多"), "「亩均税收」的值「很多」不是数字（单位 万元/亩）"),
        (("contract", "1", "--year", str(YEAR + 1), "--set", "亩均税收=8"), f"年度 {YEAR + 1} 不对"),
        (("contract", "3", "--year", y, "--set", "亩均税收=8"), "编号 3 是「有什么」清单的条目：履约实绩只记在项目上"),
        (("contract", "--status", "差"), "履约状态「差」不可用"),
    ]
    for args, says in cases:
        r = signed(*args, ok=False)
        assert r.exit_code == 1 and says in r.stderr, (args, r.stderr)
    assert dump(db_path) == before
    r = signed("contract", "2", ok=True)
    assert "编号 2 不在履约监管中：须已签约、未退库，且填了约定指标" in r.stderr


def test_undo_removes_an_actual(signed: Cli, db_path: Path) -> None:
    signed("contract", "1", "--year", str(YEAR), "--set", "亩均税收=7.5", ok=True)
    signed("undo", "--yes", ok=True)
    assert query(db_path, "SELECT count(*) FROM performance") == [(0,)]


def test_full_production_and_above_scale_are_dated_and_counted(signed: Cli, db_path: Path) -> None:
    signed("edit", "1", f"达产日期={_ago(0)}", f"入规日期={_ago(0)}", ok=True)
    db = open_db(db_path)
    try:
        figures = core.lifecycle_figures(db, TODAY.replace(day=1), TODAY)
        earlier = core.lifecycle_figures(db, date(YEAR - 1, 1, 1), date(YEAR - 1, 12, 31))
    finally:
        db.close()
    assert (figures.full_production, figures.above_scale, figures.contracts_failed) == (1, 1, 1)
    assert (earlier.full_production, earlier.above_scale) == (0, 0)


def test_the_demo_city_shows_each(cli: Cli) -> None:
    cli("init", "--demo", ok=True)
    assert len(json.loads(cli("list", "招什么", "--status", "谋划储备", "-f", "json", ok=True).stdout)) == 2
    verdicts = {a["verdict"] for a in json.loads(cli("assess", "-f", "json", ok=True).stdout)}
    assert {"优先准入", "一票否决"} <= verdicts
    statuses = {c["status"] for c in json.loads(cli("contract", "-f", "json", ok=True).stdout)}
    assert {"failed", "met"} <= statuses


def test_agreed_figures_and_scores_travel_through_export_and_import(signed: Cli, tmp_path: Path) -> None:
    import csv

    signed("assess", "1", "--set", "产业类别=鼓励类", ok=True)
    out = tmp_path / "项目.csv"
    signed("export", str(out), "--kind", "招什么", ok=True)
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    head = rows[0]
    for label in ("约定用地", "约定投资强度", "约定亩均税收", "约定达产日期", "达产日期", "入规日期", "研判得分"):
        assert label in head, label
    first = next(r for r in rows[1:] if r[head.index("编号")] == "1")
    assert first[head.index("约定投资强度")] == "300"
    assert first[head.index("研判得分")] == "44"  # 5 + the 投资额, 约定投资强度 and 约定亩均税收 taken
    first[head.index("约定投资强度")] = "320"
    with out.open("w", encoding="utf-8-sig", newline="") as f:
        csv.writer(f).writerows(rows)
    r = signed("import", str(out), ok=True)
    assert "修改 1" in r.stderr
    data = json.loads(signed("contract", "1", "-f", "json", ok=True).stdout)
    assert {t["label"]: t["agreed"] for t in data["terms"]}["投资强度"] == "320万元/亩"
