"""报送 → 认定 of a fact already confirmed (issue 25): a unit's change of a month of 到位资金, a
stage date or a stage that already counts never takes the confirmed fact out of the figures
before 认定; a return leaves it as it was; 认定 replaces it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import test_fresh_sheets_5 as fresh
from exchange_util import write_xlsx
from test_fresh_sheets_5 import MONTH, unit_figure

city = fresh.city  # the fixture: two counties, 编号 1 signed with 1000 万元 counted in October

HEADER = ["条目编号", "项目名称", "月份", "国内资金（万元）", "外资（万美元）"]


def figures(cli: Any, *extra: str) -> tuple[float, float]:
    return (
        unit_figure(cli, "爱辉区", "funds_domestic", *extra),
        unit_figure(cli, "爱辉区", "funds_foreign", *extra),
    )


def submit(cli: Any, tmp_path: Path, name: str, cells: list[Any]) -> str:
    path = write_xlsx(tmp_path / name, {"到位资金": [HEADER, [1, "黑河跨境冷链物流园项目", MONTH, *cells]]})
    cli("import", str(path), "--review", ok=True)
    return str(json.loads(cli("review", "-f", "json", ok=True).stdout)[0]["ref"])


# (cells as the county's sheet gives them, the figures (国内, 外资) once confirmed)
CHANGES = [
    ([500, None], (500.0, 0.0)),
    ([None, 50], (1000.0, 50.0)),
    ([1200, 30], (1200.0, 30.0)),
    ([1000, 20], (1000.0, 20.0)),
]


@pytest.mark.parametrize(("cells", "confirmed"), CHANGES, ids=["domestic", "foreign_only", "both", "same_domestic"])
def test_a_pending_funds_change_counts_the_confirmed_figure_until_confirmed(
    city: Any, tmp_path: Path, cells: list[Any], confirmed: tuple[float, float]
) -> None:
    ref = submit(city, tmp_path, "a.xlsx", cells)
    assert figures(city) == (1000, 0)  # waiting: the confirmed month counts as it was
    assert figures(city, "--include-pending") == confirmed
    entry = json.loads(city("review", "-f", "json", ok=True).stdout)[0]
    assert entry["change"] == "到位资金更改" and "替换已认定的 国内 1000 万元" in entry["figure"]
    city("review", "confirm", ref, ok=True)
    assert figures(city) == confirmed


@pytest.mark.parametrize(("cells", "confirmed"), CHANGES, ids=["domestic", "foreign_only", "both", "same_domestic"])
def test_a_returned_funds_change_leaves_the_confirmed_figure_and_a_resubmission_replaces_it(
    city: Any, tmp_path: Path, cells: list[Any], confirmed: tuple[float, float]
) -> None:
    ref = submit(city, tmp_path, "a.xlsx", cells)
    city("review", "return", ref, "--reason", "金额不对", ok=True)
    assert figures(city) == (1000, 0)
    assert figures(city, "--include-pending") == (1000, 0)  # a returned change never counts
    ref = submit(city, tmp_path, "b.xlsx", [c + 1 if c is not None else None for c in cells])
    assert figures(city) == (1000, 0)  # resubmitted: still the confirmed figure while it waits
    city("review", "confirm", ref, ok=True)
    assert figures(city) == tuple(v + 1 if c is not None else v for v, c in zip(confirmed, cells, strict=True))


def test_undoing_a_confirmation_of_a_funds_change_brings_the_confirmed_figure_back(city: Any, tmp_path: Path) -> None:
    ref = submit(city, tmp_path, "a.xlsx", [500, None])
    city("review", "confirm", ref, ok=True)
    assert figures(city) == (500, 0)
    city("undo", "--yes", ok=True)
    assert figures(city) == (1000, 0)
    city("undo", "--yes", ok=True)  # the import itself
    assert figures(city) == (1000, 0)
    assert json.loads(city("review", "-f", "json", ok=True).stdout) == []


def test_a_new_month_of_funds_has_no_confirmed_figure_to_keep(city: Any, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "n.xlsx", {"到位资金": [HEADER, [1, "黑河跨境冷链物流园项目", "2026-09", 300, None]]})
    city("import", str(path), "--review", ok=True)
    assert unit_figure(city, "爱辉区", "funds_domestic", month="2026-09") == 0
    assert unit_figure(city, "爱辉区", "funds_domestic", "--include-pending", month="2026-09") == 300


def test_the_offices_own_change_under_review_keeps_the_confirmed_figure(city: Any) -> None:
    city("review", "own", "开", ok=True)
    city("fund", "1", "--month", MONTH, "--domestic", "700", ok=True)
    assert figures(city) == (1000, 0)
    ref = json.loads(city("review", "-f", "json", ok=True).stdout)[0]["ref"]
    city("review", "return", str(ref), "--reason", "核对", ok=True)
    assert figures(city) == (1000, 0)
    city("review", "confirm", str(ref), ok=True)
    assert figures(city) == (700, 0)
