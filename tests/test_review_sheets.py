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
