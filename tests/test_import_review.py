"""A county's sheet imported with --review: its moves wait (待认定) with the sheet row they came
from, the month's figures do not count them until the office confirms the submission — then they
count in the month they happened."""

from __future__ import annotations

import json
from pathlib import Path

from conftest import Cli
from exchange_util import make_city, write_xlsx
from pipeline_helpers import query


def _signed(cli: Cli, month: str) -> int:
    data = json.loads(cli("report", "monthly", "--month", month, "-f", "json", ok=True).stdout)
    return int(data["total"]["period"]["signed"])


def test_a_county_sheet_waits_for_the_offices_confirmation(cli: Cli, db_path: Path, tmp_path: Path) -> None:
    make_city(db_path)
    rows = [
        ["爱辉区2026年10月重点招商项目推进情况表", None, None, None],
        ["填报单位：爱辉区商务局", None, None, None],
        ["项目名称", "产业链", "状态", "签约日期"],
        ["铜箔新项目", "有色金属", "已签约", "2026-10-15"],
    ]
    path = write_xlsx(tmp_path / "爱辉区10月.xlsx", {"招什么": rows})
    before = _signed(cli, "2026-10")
    r = cli("import", str(path), "--review", ok=True)
    assert "待认定" in r.stderr and "zs review confirm --submission" in r.stderr
    sources = query(db_path, "SELECT DISTINCT review, source FROM status_log WHERE source LIKE '爱辉区10月.xlsx%'")
    assert sources == [("pending", "爱辉区10月.xlsx「招什么」第4行")]
    assert _signed(cli, "2026-10") == before  # not counted while it waits
    submission = int(r.stderr.split("--submission ")[1].split("）")[0].split()[0])
    cli("review", "confirm", "--submission", str(submission), ok=True)
    assert _signed(cli, "2026-10") == before + 1  # counted in October, the month it happened
    data = json.loads(cli("import", str(path), "--review", "--dry-run", "-f", "json", ok=True).stdout)
    assert data["review"]["pending"] is False and data["review"]["would_wait"] is True  # a dry run writes nothing
    dry = cli("import", str(path), "--review", "--dry-run", ok=True)
    assert "正式导入时，阶段变更和到位资金先待认定" in dry.stderr
