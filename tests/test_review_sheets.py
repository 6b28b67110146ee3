"""报送 → 认定 in the workbooks: every sheet that lists stage moves or funds says each row's
review state (认定状态), and a county sheet that raises a signed project's 投资额 reports a
增资 that waits for 认定 (the import's review hook), counted by its increment once confirmed."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from conftest import Cli
from exchange_util import make_city, records, write_xlsx
from pipeline_helpers import query

pytestmark = pytest.mark.engines

COPPER = "年产5万吨铜箔项目"


def _county(path: Path, rows: list[list[object]], head: list[str]) -> Path:
    return write_xlsx(
        path,
        {
            "招什么": [
                ["爱辉区2026年10月重点招商项目推进情况表", *([None] * (len(head) - 1))],
                ["填报单位：爱辉区商务局", *([None] * (len(head) - 1))],
                head,
                *rows,
            ]
        },
    )


def _states(sheet: Path, name: str, title: str) -> list[str]:
    return [r["认定状态"] for r in records(sheet, name) if r["名称"] == title]


def test_the_stage_change_and_funds_sheets_say_each_rows_review_state(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    make_city(db_path)
    head = ["项目名称", "产业链", "状态", "签约日期"]
    cli("import", str(_county(tmp_path / "爱辉区10月.xlsx", [[COPPER, "有色金属", "已签约", "2026-10-15"]], head)),
        "--on-duplicate", "update", ok=True)  # fmt: skip
    out = tmp_path / "全市.xlsx"
    cli("export", str(out), ok=True)
    assert "认定状态" in records(out, "阶段变更")[0]
    states = _states(out, "阶段变更", COPPER)  # the city's own moves, then the signing reported
    assert states[-1] == "待认定" and set(states[:-1]) == {"已认定"}
    assert {r["认定状态"] for r in records(out, "到位资金")} == {"已认定"}
    ref = query(db_path, "SELECT id FROM status_log WHERE review = 'pending'")[0][0]
    cli("review", "return", str(ref), "--reason", "缺少合同编号", ok=True)
    cli("export", str(out), ok=True)
    assert _states(out, "阶段变更", COPPER) == [*states[:-1], "已退回"]
    # the column is for reading: the workbook imports back as before
    r = cli("import", str(out), "--dry-run", ok=True)
    assert "认定状态" not in r.stderr or "忽略" in r.stderr


def test_a_county_sheet_raising_a_signed_projects_investment_reports_an_increase(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    ids = make_city(db_path)
    copper = ids["铜箔"]
    cli("stage", str(copper), "已签约", "--date", "2026-09-10", ok=True)  # the city's own: 3.56亿 in September
    head = ["项目名称", "产业链", "状态", "签约日期", "投资额"]
    sheet = _county(tmp_path / "爱辉区11月.xlsx", [[COPPER, "有色金属", "已签约", "2026-09-10", "4亿"]], head)
    cli("import", str(sheet), "--on-duplicate", "update", ok=True)
    data = json.loads(cli("review", "-f", "json", ok=True).stdout)
    (entry,) = data
    today = date.today().isoformat()
    assert entry["ref"].startswith("Z") and entry["change"] == "增资" and entry["date"] == today
    assert entry["figure"] == f"计入 {today[:7]}：签约额增加 4400 万元（投资额 35600 → 40000 万元）"
    shown = json.loads(cli("show", str(copper), "-f", "json", ok=True).stdout)
    assert shown["investment"] == 35600  # the amount waits with the figure
    cli("review", "confirm", entry["ref"], "--note", "补充协议已核", ok=True)
    shown = json.loads(cli("show", str(copper), "-f", "json", ok=True).stdout)
    assert shown["investment"] == 40000
    sept = json.loads(cli("report", "monthly", "--month", "2026-09", "-f", "json", ok=True).stdout)
    now = json.loads(cli("report", "monthly", "--month", today[:7], "-f", "json", ok=True).stdout)
    assert sept["total"]["period"]["signed_amount"] == 35600  # the first signing, not the latest total
    assert now["total"]["period"]["signed_amount"] == 4400  # the increment, in its month
    assert now["total"]["period"]["signed"] == 0
    # importing the same sheet again reports nothing new
    cli("import", str(sheet), "--on-duplicate", "update", ok=True)
    assert json.loads(cli("review", "-f", "json", ok=True).stdout) == []


def test_a_reported_increase_is_dated_by_as_of_and_counted_in_the_import_report(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    ids = make_city(db_path)
    cli("stage", str(ids["铜箔"]), "已签约", "--date", "2026-09-10", ok=True)
    head = ["项目名称", "产业链", "状态", "签约日期", "投资额"]
    sheet = _county(tmp_path / "爱辉区11月.xlsx", [[COPPER, "有色金属", "已签约", "2026-09-10", "4亿"]], head)
    r = cli("import", str(sheet), "--on-duplicate", "update", "--as-of", "2026-11-20", "-f", "json", ok=True)
    assert json.loads(r.stdout)["review"]["invests"] == 1
    (entry,) = json.loads(cli("review", "-f", "json", ok=True).stdout)
    assert entry["date"] == "2026-11-20" and entry["change"] == "增资"


def test_a_county_sheets_note_is_the_evidence_the_reviewer_sees(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    """The 备注 a county writes on the row (合同编号 …) is each reported row's evidence (依据)."""
    make_city(db_path)
    head = ["项目名称", "产业链", "状态", "签约日期", "备注"]
    rows = [
        [COPPER, "有色金属", "已签约", "2026-10-15", "合同编号 HT-2026-031"],
        ["年产1万吨铜杆项目", "有色金属", "在谈", None, None],
    ]
    cli("import", str(_county(tmp_path / "爱辉区10月.xlsx", rows, head)), "--on-duplicate", "update",
        "--as-of", "2026-10-31", ok=True)  # fmt: skip
    data = json.loads(cli("review", "-f", "json", ok=True).stdout)
    evidence = {(e["title"], e["change"]): e["evidence"] for e in data}
    assert evidence[(COPPER, "在谈 → 已签约")] == "合同编号 HT-2026-031"
    assert all(v is None for (title, _), v in evidence.items() if title != COPPER)


def _period(cli: Cli, month: str) -> dict[str, float]:
    data = json.loads(cli("report", "monthly", "--month", month, "-f", "json", ok=True).stdout)
    return data["total"]["period"]


def test_two_counties_report_the_city_confirms_returns_and_confirms_the_resubmission(
    cli: Cli, db_path: Path, tmp_path: Path
) -> None:
    """The whole cycle on the command line, as the README tells it: 爱辉区 reports a signing,
    北安市 a 增资 of a project signed before; the city confirms one, returns the other with a
    reason; it goes back in 北安市's next sheet; 北安市 sends it again; the city confirms it.
    The month's figures at each step."""
    make_city(db_path)
    today = date.today().isoformat()
    head = ["项目名称", "产业链", "状态", "签约日期", "投资额", "备注"]
    aihui = _county(
        tmp_path / "爱辉区10月.xlsx", [[COPPER, "有色金属", "已签约", "2026-10-15", "3.56亿", "合同编号 HT-1"]], head
    )
    cli("import", str(aihui), "--on-duplicate", "update", ok=True)
    bean = [["大豆分离蛋白项目", "大豆加工", "已签约", None, "1500", "补充协议 BC-7"]]
    beian = write_xlsx(
        tmp_path / "北安市.xlsx",
        {"招什么": [["填报单位：北安市商务局", *([None] * 5)], head, *bean]},
    )
    cli("import", str(beian), "--on-duplicate", "update", ok=True)
    status = json.loads(cli("review", "status", "-f", "json", ok=True).stdout)
    assert {r["unit"]: r["sent"] for r in status} == {"爱辉区": True, "北安市": True}
    queue = {e["title"]: e for e in json.loads(cli("review", "-f", "json", ok=True).stdout)}
    assert set(queue) == {COPPER, "大豆分离蛋白项目"}
    signing, grew = queue[COPPER], queue["大豆分离蛋白项目"]
    assert signing["evidence"] == "合同编号 HT-1" and grew["evidence"] == "补充协议 BC-7"
    assert grew["change"] == "增资" and "签约额增加 299.5 万元" in grew["figure"]
    assert _period(cli, "2026-10")["signed"] == 0  # nothing confirmed yet
    cli("review", "confirm", signing["ref"], "--note", "合同已核", ok=True)
    cli("review", "return", grew["ref"], "--reason", "缺补充协议原件", ok=True)
    october = _period(cli, "2026-10")
    assert (october["signed"], october["signed_amount"]) == (1, 35600)
    assert _period(cli, today[:7])["signed_amount"] == 0
    # the return goes back to 北安市 in its next sheet, with the reason
    sheet = tmp_path / "北安市填报.xlsx"
    cli("export", str(sheet), "--unit", "北安市", ok=True)
    (back,) = records(sheet, "退回")
    assert back["退回原因"] == "缺补充协议原件" and back["退回的报送"].startswith("增资（")
    # 北安市 sends it again; the city confirms it: counted in the month it happened, by its increment
    cli("import", str(beian), "--on-duplicate", "update", ok=True)
    (again,) = json.loads(cli("review", "-f", "json", ok=True).stdout)
    cli("review", "confirm", again["ref"], ok=True)
    assert _period(cli, today[:7])["signed_amount"] == 299.5
    assert _period(cli, "2026-10")["signed_amount"] == 35600
