"""zs report … and zs goal … at the terminal: the dashboard, JSON, the ranking and its
explanation, any period, goals set / listed / removed / imported, the report
configuration's validation, zs list --reached, and the errors people will make."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from conftest import Cli, dump

pytestmark = pytest.mark.engines

TODAY = "2025-06-30"


@pytest.fixture(autouse=True)
def _build_cli_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """Build Typer's command tree once for these tests instead of on every run."""
    import typer.testing

    from zhaoshang.cli import app

    original = typer.testing._get_command
    built = original(app)
    monkeypatch.setattr(typer.testing, "_get_command", lambda a: built if a is app else original(a))


@pytest.fixture
def city(cli: Cli) -> Cli:
    """Two projects worked in March 2025, through the commands people use (recorded
    afterwards, so the back-dated moves need --force)."""
    for args in (
        ("chain", "add", "有色金属"),
        ("unit", "add", "爱辉区"),
        ("unit", "add", "北安市"),
        ("add", "招什么", "铜箔项目", "--chain", "有色金属", "责任单位=爱辉区", "投资额=1亿"),
        ("add", "招什么", "钼深加工项目", "--chain", "有色金属", "责任单位=北安市", "投资额=2亿"),
        ("stage", "1", "在谈", "--force", "--date", "2025-02-10"),
        ("stage", "1", "已开工", "--force", "--date", "2025-03-05"),
        ("stage", "2", "在谈", "--force", "--date", "2025-02-15"),
        ("stage", "2", "已签约", "--force", "--date", "2025-03-10"),
        ("stage", "2", "退库", "--force", "--date", "2025-03-20", "--reason", "企业战略调整"),
        ("note", "1", "赴企业总部洽谈", "--type", "对接", "--date", "2025-03-02"),
        ("fund", "1", "--month", "2025-03", "--domestic", "500"),
        ("fund", "1", "--month", "2025-03", "--foreign", "50"),
    ):
        cli(*args, ok=True)
    return cli


def _cells(out: str, label: str) -> list[str]:
    line = next(ln for ln in out.splitlines() if ln.startswith(label))
    return line[len(label) :].split()


# ---------------------------------------------------------------------------------------
# The dashboard and JSON
# ---------------------------------------------------------------------------------------


def test_monthly_dashboard(city: Cli) -> None:
    r = city("report", "monthly", "--month", "2025-03", "--today", TODAY, ok=True)
    out = r.stdout
    assert "\x1b[" not in out  # no colour off a terminal
    assert out.splitlines()[0].count("招商引资月度调度 · 2025年3月") == 1
    assert "统计期 2025-03-01 至 2025-03-31　截至 2025-03-31　上期 2025年2月" in out
    # label: this month, last month, change, year to date (+ goal, completion)
    assert _cells(out, "签约项目（个）") == ["2", "0", "↑2", "0", "—", "2"]
    assert _cells(out, "签约额（万元）") == ["30,000", "0", "↑30,000", "0", "—", "30,000"]
    assert _cells(out, "开工项目（个）") == ["1", "0", "↑1", "0", "—", "1"]
    assert _cells(out, "退库项目（个）") == ["1", "0", "↑1", "0", "—", "1"]
    assert _cells(out, "对接次数（次）") == ["1", "0", "↑1", "0", "—", "1"]
    assert _cells(out, "到位资金（万元）") == ["500", "0", "↑500", "0", "—", "500"]
    assert _cells(out, "到位外资（万美元）") == ["50", "0", "↑50", "0", "—", "50"]
    for section in (
        "项目推进漏斗",
        "产业链 · 2025年3月",
        "擂台赛 · 招商主体",
        "问题台账",
        "大走访与前期手续",
        "口径说明",
    ):
        assert section in out
    assert "对接签约率 100.0%（2/2）" in out  # both reached 在谈 in February and signed by March
    assert "对接签约率：统计期内新增对接项目" in out  # the definitions are in the report itself


def test_monthly_json(city: Cli) -> None:
    data = json.loads(city("report", "monthly", "--month", "2025年3月", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert data["report"] == "monthly" and data["period"]["label"] == "2025年3月"
    assert data["previous"]["label"] == "2025年2月" and data["year_to_date"]["label"] == "2025年1—3月"
    t = data["total"]
    assert (t["period"]["signed"], t["period"]["signed_amount"], t["period"]["withdrawn"]) == (2, 30000.0, 1)
    assert (t["period"]["funds_domestic"], t["period"]["funds_foreign"]) == (500.0, 50.0)
    assert t["previous"]["talks"] == 2
    assert {c["name"] for c in data["chains"]} == {"有色金属"}
    assert {u["name"]: u["period"]["signed"] for u in data["units"]} == {"爱辉区": 1, "北安市": 1}
    keys = {d["key"] for d in data["definitions"]}
    assert {"rate_signing", "rate_registering", "rate_starting", "funds_foreign"} <= keys
    assert "details" not in data
    detailed = json.loads(
        city("report", "monthly", "--month", "2025-03", "--today", TODAY, "-f", "json", "--details", ok=True).stdout
    )
    signed = [r["id"] for r in detailed["details"]["targets"] if r["signed"] and r["signed"].startswith("2025-03")]
    assert signed == [1, 2]


def test_quarterly_half_and_any_period(city: Cli) -> None:
    def period(*args: str) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(city("report", *args, "--today", TODAY, "-f", "json", ok=True).stdout)
        return data

    q = period("quarterly", "--quarter", "2025Q1")
    assert (q["period"]["label"], q["total"]["period"]["signed"]) == ("2025年第一季度", 2)
    first = period("half", "2025-03上半月")
    second = period("half", "2025年3月下半月")
    assert (first["total"]["period"]["signed"], second["total"]["period"]["signed"]) == (2, 0)
    assert (first["total"]["period"]["funds_domestic"], second["total"]["period"]["funds_domestic"]) == (0.0, 500.0)
    assert second["previous"]["label"] == "2025年3月上半月"
    custom = period("period", "--from", "2025-03-06", "--to", "2025-03-31")
    assert custom["period"]["label"] == "2025年3月6日至3月31日"
    assert custom["total"]["period"]["signed"] == 1  # only the one signed on 10 March
    assert period("period", "2025年上半年")["total"]["period"]["signed"] == 2


def test_report_errors_are_chinese_one_liners(city: Cli) -> None:
    for args, words in (
        (("report", "monthly", "--month", "2025-13"), "月"),
        (("report", "quarterly", "--quarter", "2025Q5"), "季度"),
        (("report", "half", "2025-03"), "不是半月"),
        (("report", "period"), "请给出期间"),
        (("report", "period", "2025Q1", "--from", "2025-01-01"), "只能选一种"),
        (("report", "period", "--from", "2025-03-10", "--to", "2025-03-01"), "早于开始日期"),
        (("report", "monthly", "--today", "2月30日"), "--today"),
        (("report", "monthly", "--out", "月报.pdf"), ".xlsx"),
    ):
        r = city(*args, ok=False)
        assert r.exit_code == 1, args
        assert words in r.stderr, (args, r.stderr)
        assert r.stdout == ""


# ---------------------------------------------------------------------------------------
# Ranking
# ---------------------------------------------------------------------------------------


def test_ranking_and_its_explanation(city: Cli) -> None:
    city("goal", "set", "爱辉区", "--year", "2025", "签约额=2亿", "开工项目=2", ok=True)
    city("goal", "set", "北安市", "--year", "2025", "签约额=1亿", ok=True)
    plain = city("report", "ranking", "--year", "2025", "--today", "2025-03-31", ok=True).stdout
    assert "招商引资擂台赛 · 招商主体 · 2025年（截至 2025-03-31）" in plain
    rows = [ln.split() for ln in plain.splitlines() if re.match(r"\s+\d+\s", ln)]
    # 北安市: 签约额 2亿/1亿 capped at 120% → 36 + 对接 0, 销号率 none → 不计: 36 × 116/106
    # 爱辉区: 签约额 1亿/2亿 → 15 + 开工 1/2 → 10 + 对接 1 of 1 → 10, 销号率 不计: 35 × 116/106
    # (116 the highest score there is, 106 the highest without 销号率)
    assert [(r[0], r[2], r[3]) for r in rows] == [("1", "北安市", "39.40"), ("2", "爱辉区", "38.30")]
    explained = city("report", "ranking", "--year", "2025", "--today", "2025-03-31", "--explain", ok=True).stdout
    assert "满分 100 分" in explained and "签约额 权重 30" in explained
    assert "20,000÷10,000=200.0%" in explained  # 北安市's 签约额 (万元), shown against its goal
    assert "到位资金未设年度目标，得 0 分" in explained
    data = json.loads(
        city("report", "ranking", "--year", "2025", "--today", "2025-03-31", "--explain", "-f", "json", ok=True).stdout
    )
    assert [r["name"] for r in data["rows"]] == ["北安市", "爱辉区"]
    assert data["rows"][0]["points"]["signed_amount"] == 36.0
    assert data["rules"][0].startswith("擂台赛按年度累计数计分")
    chains = json.loads(city("report", "ranking", "--by", "chain", "--year", "2025", "-f", "json", ok=True).stdout)
    assert [r["name"] for r in chains["rows"]] == ["有色金属"]


def test_the_ranking_on_its_own_workbook(city: Cli, tmp_path: Path) -> None:
    import openpyxl

    city("goal", "set", "爱辉区", "--year", "2025", "签约额=2亿", "开工项目=2", ok=True)
    city("goal", "set", "北安市", "--year", "2025", "签约额=1亿", ok=True)
    args = ("report", "ranking", "--year", "2025", "--today", "2025-03-31")
    data = json.loads(city(*args, "-f", "json", ok=True).stdout)
    book = tmp_path / "擂台赛.xlsx"
    r = city(*args, "--out", str(book), ok=True)
    assert r.stdout == "" and "3 张工作表（排名、得分依据、评分规则）" in r.stderr
    wb = openpyxl.load_workbook(book)
    assert wb.sheetnames == ["排名", "得分依据", "评分规则"]
    ws = wb["排名"]
    assert str(ws["A1"].value).startswith("招商引资擂台赛 · 招商主体 · 2025年（截至 2025-03-31")
    heads = [c.value for c in ws[2]]
    assert heads[:4] == ["名次", "名次变化", "招商主体", "得分"] and heads[-1] == "落后于时序进度的指标"
    for i, row in enumerate(data["rows"], start=3):  # every figure is the JSON's, as a number
        cells = [c.value for c in ws[i]]
        assert cells[0] == row["rank"] and cells[2] == row["name"] and cells[3] == round(row["score"], 2)
        for j, w in enumerate(data["weights"], start=4):
            assert cells[j] == row["points"].get(w["metric"], "不计"), (heads[j], cells[j])
    basis = [[c.value for c in r] for r in wb["得分依据"].iter_rows(min_row=3)]
    first = next(b for b in basis if b[1] == "北安市" and b[2] == "签约额")
    assert first[6:] == [20000, 10000, 200.0, 36]  # 年累计, 年度目标, 完成率（%）, 得分
    assert str(wb["评分规则"]["A3"].value).startswith("擂台赛按年度累计数计分")
    r = city(*args, "--out", str(tmp_path / "x.csv"), ok=False)
    assert "应以 .xlsx 结尾" in r.stderr


# ---------------------------------------------------------------------------------------
# Goals
# ---------------------------------------------------------------------------------------


def _goals(cli: Cli, *args: str) -> dict[tuple[str, str], float]:
    rows = json.loads(cli("goal", "list", *args, "-f", "json", ok=True).stdout)
    return {(r["name"], r["metric"]): r["value"] for r in rows}


def test_goal_set_update_remove_and_undo(city: Cli) -> None:
    r = city(
        "goal",
        "set",
        "爱辉区",
        "--year",
        "2025",
        "签约额=30亿",
        "到位资金=8000万",
        "开工项目=5",
        "到位外资=1.2亿美元",
        ok=True,
    )
    assert "爱辉区 2025年签约额：300,000 万元" in r.stderr
    assert _goals(city, "--year", "2025") == {
        ("爱辉区", "signed_amount"): 300000.0,
        ("爱辉区", "funds_domestic"): 8000.0,
        ("爱辉区", "started"): 5.0,
        ("爱辉区", "funds_foreign"): 12000.0,  # 万美元, never converted
    }
    r = city("goal", "set", "爱辉区", "--year", "2025", "签約額=40亿", "开工项目=", ok=True)  # traditional label too
    assert "300,000 → 400,000 万元" in r.stderr and "已删除" in r.stderr
    city("goal", "rm", "爱辉区", "到位外资", "--year", "2025", ok=True)
    assert set(_goals(city, "爱辉区")) == {("爱辉区", "signed_amount"), ("爱辉区", "funds_domestic")}
    city("undo", "--yes", ok=True)
    assert ("爱辉区", "funds_foreign") in _goals(city)
    table = city("goal", "list", "--year", "2025", ok=True).stdout
    assert "爱辉区" in table and "400,000" in table and "万元" in table


def test_goal_errors(city: Cli) -> None:
    before = dump(city.db)
    for args, words in (
        (("goal", "set", "爱辉区", "利润=5"), "没有「利润」这个指标"),
        (("goal", "set", "爱辉区", "销号率=0.9"), "不能设年度目标"),
        (("goal", "set", "爱辉区", "签约额=-5"), "不能为负数"),
        (("goal", "set", "爱辉区", "开工项目=两个"), "开工项目目标"),
        (("goal", "set", "爱辉区", "签约额=1亿", "签约金额=2亿"), "写了两次"),
        (("goal", "set", "南岗区", "签约额=1亿"), "没有名为「南岗区」的招商主体或产业链"),
        (("goal", "rm", "爱辉区", "签约额"), "没有设置"),
        (("goal", "set", "爱辉区", "--year", "1999", "签约额=1亿"), "--year"),
    ):
        r = city(*args, ok=False)
        assert r.exit_code in (1, 2), args
        assert words in r.stderr, (args, r.stderr)
    assert dump(city.db) == before


def test_a_name_that_is_both_unit_and_chain_needs_a_flag(city: Cli) -> None:
    city("chain", "add", "北安市", ok=True)
    r = city("goal", "set", "北安市", "签约额=1亿", ok=False)
    assert "既是招商主体又是产业链" in r.stderr and "--unit" in r.stderr
    city("goal", "set", "北安市", "--chain", "--year", "2025", "签约额=1亿", ok=True)
    rows = json.loads(city("goal", "list", "-f", "json", ok=True).stdout)
    assert [(r["level"], r["name"]) for r in rows] == [("chain", "北安市")]


def test_goal_import_from_a_county_workbook(city: Cli, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.append(["2025年度招商引资目标任务分解表"])
    ws.merge_cells("A1:E1")
    ws.append(["序号", "单位", "签约额（亿元）", "到位资金（亿元）", "开工项目"])
    ws.append([1, "爱辉区", 30, 8, 5])
    ws.append([2, "北安市", 20.5, 6, 3])
    ws.append(["合计", None, 50.5, 14, 8])
    ws.append(["填报人：王芳"])
    path = tmp_path / "目标.xlsx"
    wb.save(path)
    before = dump(city.db)
    r = city("goal", "import", str(path), "--year", "2025", "--dry-run", ok=True)
    assert "将新增 6 项" in r.stderr and "试运行" in r.stderr
    assert dump(city.db) == before
    city("goal", "import", str(path), "--year", "2025", ok=True)
    assert _goals(city, "--year", "2025") == {
        ("爱辉区", "signed_amount"): 300000.0,
        ("爱辉区", "funds_domestic"): 80000.0,
        ("爱辉区", "started"): 5.0,
        ("北安市", "signed_amount"): 205000.0,
        ("北安市", "funds_domestic"): 60000.0,
        ("北安市", "started"): 3.0,
    }
    again = city("goal", "import", str(path), "--year", "2025", ok=True)
    assert "新增 0 项、修改 0 项，6 项不变" in again.stderr


def test_goal_import_long_csv_and_all_or_nothing(city: Cli, tmp_path: Path) -> None:
    good = tmp_path / "目标.csv"
    good.write_text(
        "名称,指标,目标值,年度\n有色金属,签约额,500000,2025\n爱辉区,开工项目,4,2025\n", encoding="utf-8-sig"
    )
    city("goal", "import", str(good), ok=True)
    assert _goals(city) == {("有色金属", "signed_amount"): 500000.0, ("爱辉区", "started"): 4.0}
    bad = tmp_path / "坏.csv"
    bad.write_text("名称,指标,目标值\n爱辉区,签约额,3亿\n南岗区,签约额,1亿\n北安市,开工项目,很多\n", encoding="utf-8")
    before = dump(city.db)
    r = city("goal", "import", str(bad), ok=False)
    assert r.exit_code == 1
    assert "2 处问题，没有导入任何目标" in r.stderr
    assert "第3行" in r.stderr and "南岗区" in r.stderr
    assert "第4行C列" in r.stderr and "很多" in r.stderr
    assert dump(city.db) == before


def test_goal_metrics_lists_what_can_have_a_goal(cli: Cli) -> None:
    out = cli("goal", "metrics", ok=True).stdout
    assert "signed_amount" in out and "签约额" in out and "万美元" in out
    assert "close_rate" not in out


# ---------------------------------------------------------------------------------------
# zs list --reached: the lists behind the figures
# ---------------------------------------------------------------------------------------


def test_list_reached_gives_the_projects_behind_a_figure(city: Cli) -> None:
    def ids(*args: str) -> list[int]:
        return [r["id"] for r in json.loads(city("list", *args, "-f", "json", ok=True).stdout)]

    assert ids("招什么", "--reached", "已签约", "--from", "2025-03-01", "--to", "2025-03-31") == [1, 2]
    assert ids("招什么", "--reached", "已入统", "--from", "2025-03-01", "--to", "2025-03-31") == [1]  # skipped
    assert ids("--reached", "签约", "--from", "2025-04-01") == []  # any kind, alias, open end
    assert ids("招什么", "--reached", "在谈", "--to", "2025-02-12") == [1]
    assert ids("招什么", "--reached", "退库", "--from", "2025-03-01", "--unit", "北安市") == [2]
    r = city("list", "招什么", "--reached", "签了", ok=False)
    assert r.exit_code == 1 and "已签约" in r.stderr
    r = city("list", "--from", "2025-01-01", ok=False)
    assert r.exit_code == 1 and "--reached" in r.stderr


# ---------------------------------------------------------------------------------------
# checklists/_ranking.yaml
# ---------------------------------------------------------------------------------------


def _config(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str) -> None:
    src = Path(__file__).resolve().parent.parent / "checklists"
    dst = tmp_path / "checklists"
    shutil.copytree(src, dst)
    path = dst / "_ranking.yaml"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    monkeypatch.setenv("ZHAOSHANG_CHECKLISTS", str(dst))


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("      weight: 30\n", "      wieght: 30\n", "ranking.metrics[0].wieght 是未知的键，是不是「weight」？"),
        ("    talks: 在谈", "    talks: 洽谈中", "pipeline.stages.talks 「洽谈中」不是「招什么」的阶段"),
        ("    - metric: contacts", "    - metric: contact", "「contact」不是报表指标。是不是「contacts」？"),
        ("      method: rate", "      method: goal", "「销号率」不能设年度目标，不能用 goal 计分"),
        ("  cap: 1.2", "  cap: 0.5", "ranking.cap 应在 1 到 10 之间"),
        ("  amount: investment", "  amount: company", "「company」应是以万元计的金额字段"),
        ("  kinds: [targets, contacts]", "  kinds: [targets, 联系人]", "contacts.kinds 「联系人」不是清单"),
    ],
)
def test_report_configuration_is_validated(
    city: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, old: str, new: str, message: str
) -> None:
    _config(tmp_path, monkeypatch, old, new)
    r = city("report", "monthly", ok=False)
    assert r.exit_code == 1
    assert r.stderr.startswith("报表配置「_ranking.yaml」中 "), r.stderr
    assert message in r.stderr, r.stderr
    assert len(r.stderr.strip().splitlines()) == 1
    city("list", "招什么", ok=True)  # the lists do not depend on it


def test_the_report_configuration_is_not_a_list_definition(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """_ranking.yaml is read by the reports only: it is no kind, and changing it does not
    change the definitions' fingerprint recorded in exported workbooks."""
    from zhaoshang.definitions import load

    before = load()
    _config(tmp_path, monkeypatch, "  cap: 1.2", "  cap: 1.5")
    after = load()
    assert after.source_dir != before.source_dir
    assert [k.key for k in after.kinds] == [k.key for k in before.kinds]
    assert after.fingerprint == before.fingerprint


def test_changed_weights_apply_at_once(city: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _config(
        tmp_path,
        monkeypatch,
        "      weight: 30\n      method: goal                      # goal",
        "      weight: 60\n      method: best  # ",
    )
    data = json.loads(city("report", "ranking", "--year", "2025", "--today", TODAY, "-f", "json", ok=True).stdout)
    assert data["weights"][0] == {"metric": "signed_amount", "label": "签约额", "weight": 60.0, "method": "best"}
    assert data["rows"][0]["points"]["signed_amount"] == 60.0  # 北安市 signed the most


# ---------------------------------------------------------------------------------------
# Start-up cost
# ---------------------------------------------------------------------------------------


def test_reports_do_not_load_heavy_libraries_for_other_commands(city: Cli) -> None:
    code = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from zhaoshang.cli import app\n"
        f"r = CliRunner().invoke(app, ['--db', {str(city.db)!r}, 'list', '--chain', '有色金属'])\n"
        "assert r.exit_code == 0, r.stderr\n"
        "print(sorted(m for m in ('rich', 'xlsxwriter', 'openpyxl', 'yaml', 'zhaoshang.reports.figures')"
        " if m in sys.modules))\n"
    )
    # the first run fills the definitions cache (parsing YAML once); the second is what people pay
    for _ in range(2):
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"


@pytest.mark.parametrize(
    ("today", "month", "said"),
    [
        ("2026-12-01", "2026-11-01", True),  # the 按月调度 of November, held on 1 December
        ("2026-12-10", "2026-11-01", True),
        ("2026-12-11", "2026-12-01", False),
        ("2027-01-05", "2026-12-01", True),  # across the year
    ],
)
def test_in_the_first_days_of_a_month_the_monthly_report_is_on_the_month_just_ended(
    city: Cli, today: str, month: str, said: bool
) -> None:
    r = city("report", "monthly", "--today", today, "-f", "json", ok=True)
    assert json.loads(r.stdout)["period"]["start"] == month
    assert ("默认报刚结束的" in r.stderr) is said, r.stderr
    r = city("report", "monthly", "--today", today, "--month", "本月", "-f", "json", ok=True)
    assert json.loads(r.stdout)["period"]["start"] == today[:8] + "01" and r.stderr == ""


def test_the_quarter_too_and_the_rule_is_configurable(
    city: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    r = city("report", "quarterly", "--today", "2026-10-03", "-f", "json", ok=True)
    assert json.loads(r.stdout)["period"]["start"] == "2026-07-01" and "--quarter 2026Q4" in r.stderr
    assert (
        json.loads(city("report", "quarterly", "--today", "2026-11-03", "-f", "json", ok=True).stdout)["period"][
            "start"
        ]
        == "2026-10-01"
    )
    _config(tmp_path, monkeypatch, "previous_until: 10", "previous_until: 0")
    r = city("report", "monthly", "--today", "2026-12-01", "-f", "json", ok=True)
    assert json.loads(r.stdout)["period"]["start"] == "2026-12-01" and r.stderr == ""
    _config(tmp_path / "again", monkeypatch, "previous_until: 10", "previous_until: 40")
    r = city("report", "monthly", "--today", "2026-12-01", ok=False)
    assert "schedule.previous_until 应是 0 到 28 的整数" in r.stderr


def test_the_gap_to_the_schedule_in_points(city: Cli) -> None:
    city("goal", "set", "爱辉区", "--year", "2025", "签约额=200亿", ok=True)  # far behind the schedule
    data = json.loads(
        city("report", "monthly", "--month", "2025-03", "--today", "2025-03-31", "-f", "json", ok=True).stdout
    )
    for scope in [data["total"], *data["units"], *data["chains"]]:
        expected = {k: round(c - data["time_progress"], 4) for k, c in scope["completion"].items() if c is not None}
        assert scope["schedule_gap"] == expected
    assert data["total"]["schedule_gap"]["signed_amount"] < 0
    text = city("report", "monthly", "--month", "2025-03", "--today", "2025-03-31", ok=True).stdout
    gap = -data["total"]["schedule_gap"]["signed_amount"] * 100
    assert f"落后{gap:.1f}点" in text
