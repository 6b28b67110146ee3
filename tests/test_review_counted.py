"""报送 → 认定: the figures outside the monthly flows count confirmed moves only too — the
reserve turned into projects (储备转入洽谈, the lifecycle figures)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zhaoshang import items, lookups, review
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.pipeline.performance import lifecycle_figures

pytestmark = pytest.mark.engines


def test_a_reserve_project_moved_by_a_county_counts_as_converted_once_confirmed(db_path: Path) -> None:
    db = Database.open(db_path, load())
    with db.command("setup", user="市招商局"):
        lookups.create(db, lookups.CHAIN, "有色金属", {})
        lookups.create(db, lookups.UNIT, "爱辉区", {})
        pid = items.add(
            db, "招什么", "铜箔储备项目", chain="有色金属", values={"状态": "谋划储备", "责任单位": "爱辉区"},
            on="2025-06-01",
        )  # fmt: skip
    with db.command("import", user="市招商局", args="爱辉区.xlsx"):
        items.set_status(db, pid, "在谈", on="2025-10-09")
        review.mark_submission(db, source="爱辉区.xlsx")
    oct_ = (date(2025, 10, 1), date(2025, 10, 31))
    assert lifecycle_figures(db, *oct_).reserve_converted == 0  # pending: not yet converted
    with db.command("review confirm", user="科长"):
        review.confirm(db, everything=True)
    assert lifecycle_figures(db, *oct_).reserve_converted == 1
    db.close()
