"""Issue 25 (h25h): a sheet's own date of a closure dates it.  On a sheet from outside, the
办结时间 (销号时间) column is the row's own date of its move into a closed status — never
dropped as 「由系统记录」 with the 销号 dated by the title's period.  A date with a status that
is not closed, or a date to come, is refused; our own export's 办结时间 stays the system's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from exchange_util import write_xlsx

HEADER = ["序号", "问题", "产业链", "责任单位", "办结时限", "状态", "{closed}", "原因"]


@pytest.fixture
def city(cli: Any) -> Any:
    cli("init", ok=True)
    cli("chain", "add", "对俄跨境物流", ok=True)
    cli("unit", "add", "爱辉区", "类型=区县", ok=True)
    return cli


def closed_in(cli: Any, month: str) -> int:
    data = json.loads(cli("report", "monthly", "-m", month, "-f", "json", ok=True).stdout)
    return int(next(u for u in data["units"] if u["name"] == "爱辉区")["period"]["problems_closed"] or 0)


def sheet(tmp_path: Path, status: str, day: Any, closed: str = "办结时间") -> Path:
    header = [h.format(closed=closed) for h in HEADER]
    row = [1, "冷链物流园用地指标不足", "对俄跨境物流", "爱辉区", "2026-12-31", status, day, "已调整用地指标"]
    return write_xlsx(
        tmp_path / "p.xlsx",
        {
            "解决什么": [
                ["爱辉区2026年11月项目问题清单"],
                ["填报单位：爱辉区商务局　填报日期：2026年12月3日"],
                header,
                row,
            ]
        },
    )


@pytest.mark.parametrize("closed", ["办结时间", "销号时间"])
@pytest.mark.parametrize("known", [False, True], ids=["new", "known"])
def test_the_rows_closing_date_dates_the_closure(city: Any, tmp_path: Path, closed: str, known: bool) -> None:
    if known:
        city("add", "解决什么", "冷链物流园用地指标不足", "--chain", "对俄跨境物流", "责任单位=爱辉区",
             "--date", "2026-09-01", ok=True)  # fmt: skip
    args = ["--on-duplicate", "update"] if known else []
    result = city("import", str(sheet(tmp_path, "已销号", "2026-10-20", closed)), "--no-review", *args, ok=True)
    assert "由系统记录" not in result.stdout + result.stderr
    assert (closed_in(city, "2026-10"), closed_in(city, "2026-11")) == (1, 0)
    (got,) = json.loads(city("list", "解决什么", "-f", "json", ok=True).stdout)
    assert got["status"] == "已销号"


@pytest.mark.parametrize(
    ("status", "day", "says"),
    [("办理中", "2026-10-20", "没有办结"), ("已销号", "2099-10-20", "晚于"), ("已销号", "2026-12-20", "晚于")],
)
def test_a_closing_date_that_cannot_be_is_refused(city: Any, tmp_path: Path, status: str, day: str, says: str) -> None:
    result = city("import", str(sheet(tmp_path, status, day)), "--no-review")
    assert result.exit_code == 1, result.stdout
    assert says in result.stderr and "办结时间" in result.stderr, result.stderr
    assert json.loads(city("list", "解决什么", "-f", "json", ok=True).stdout) == []


def test_our_own_exports_closing_time_stays_the_systems(city: Any, tmp_path: Path) -> None:
    city(
        "add", "解决什么", "用地指标不足", "--chain", "对俄跨境物流", "责任单位=爱辉区", "--date", "2026-09-01", ok=True
    )
    city("stage", "1", "已销号", "--date", "2026-10-20", "--reason", "已解决", ok=True)
    path = tmp_path / "own.xlsx"
    city("export", str(path), "--kind", "解决什么", ok=True)
    result = city("import", str(path), ok=True)
    assert "不变 1" in result.stdout or "不变" in result.stdout, result.stdout
    assert closed_in(city, "2026-10") == 1


@pytest.mark.parametrize("ext", ["csv", "json"])
def test_our_text_exports_closing_time_stays_the_systems(city: Any, tmp_path: Path, ext: str) -> None:
    city(
        "add", "解决什么", "用地指标不足", "--chain", "对俄跨境物流", "责任单位=爱辉区", "--date", "2026-09-01", ok=True
    )
    city("stage", "1", "已销号", "--date", "2026-10-20", "--reason", "已解决", ok=True)
    path = tmp_path / f"own.{ext}"
    city("export", str(path), "--kind", "解决什么", ok=True)
    city("import", str(path), ok=True)
    assert closed_in(city, "2026-10") == 1
