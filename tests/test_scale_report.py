"""The report's figures counted in SQL (for a province's million items) equal the
straightforward computation: 基础工作 walked record by record, 履约 judged project by project
with :func:`check`, the leads waiting for 研判 listed by :func:`waiting` — on generated
databases of both shapes, on several days, with actuals recorded at random.  (No timings
here: ``benchmarks/`` measures them.)"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from _harness import generate

from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.pipeline import assess, performance
from zhaoshang.pipeline.common import RED
from zhaoshang.reports import config as config_mod
from zhaoshang.reports import groundwork
from zhaoshang.reports.figures import Figures
from zhaoshang.reports.periods import Period, month

TODAY = date(2026, 12, 7)
DAYS = [date(2025, 6, 1), date(2026, 3, 31), date(2026, 11, 30), TODAY, date(2027, 9, 1)]


@pytest.fixture(scope="module", params=["generated", "backlog"])
def db_path(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp(request.param) / "zs.db"
    generate(path, 1500, seed=7, today=TODAY, shape=request.param)
    _record_actuals(path)
    return path


def _record_actuals(path: Path) -> None:
    """Actuals for a third of the signed projects, a year or three each, some above and some
    far below what was agreed (so every 履约 status occurs), and some agreed dates cleared."""
    db = Database.open(path, load())
    rng = random.Random(3)
    contract = performance.contract_of(db)
    kind = performance.project_kind(db)
    signed = [r[0] for r in db.conn.execute(f'SELECT id FROM "{kind.table}" WHERE signed_date IS NOT NULL')]
    rows = []
    for item_id in rng.sample(signed, len(signed) // 3):
        for t in rng.sample(contract.terms, rng.randint(1, len(contract.terms))):
            for year in rng.sample([2024, 2025, 2026], rng.randint(1, 3)):
                rows.append((item_id, year, t.key, round(rng.choice([0, 0.3, 0.7, 1.0, 2.5]) * rng.uniform(1, 9e4), 2)))
    with db.command("actuals", user="test"):
        db.conn.executemany(
            "INSERT INTO performance(item_id, year, term, value, date, user, at) "
            "VALUES (?, ?, ?, ?, '2026-06-01', 'test', '')",
            rows,
        )
        some = signed[::7]
        for d in contract.dates[:2]:
            db.conn.execute(f'UPDATE "{kind.table}" SET "{d.agreed}" = NULL WHERE id IN ({", ".join(map(str, some))})')
    db.close()


def test_contract_counts_are_what_check_finds(db_path: Path) -> None:
    db = Database.open(db_path, load())
    seen = set()
    for day in DAYS:
        checks = performance.check(db, today=day)
        seen |= {c.status for c in checks}
        expected = (
            sum(1 for c in checks if c.status == performance.FAILED),
            sum(1 for c in checks if c.status == performance.BEHIND),
        )
        late = [c for c in checks if c.light]
        red = sum(1 for c in late if c.light == RED)
        assert performance.contract_counts(db, today=day) == (*expected, len(late), red), day
        assert red and len(late) > red
    assert {performance.FAILED, performance.BEHIND, performance.MET} <= seen
    db.close()


def test_late_waiting_count_is_what_waiting_lists(db_path: Path) -> None:
    db = Database.open(db_path, load())
    for day in DAYS:
        listed = assess.waiting(db, today=day, late_only=True)
        red = sum(1 for w in listed if w.light == RED)
        assert assess.late_waiting_counts(db, today=day) == (len(listed), red), day
    db.close()


def _within(day: Any, p: Period) -> bool:
    return bool(day) and p.start.isoformat() <= str(day)[:10] <= p.end.isoformat()


def _reference_groundwork(fig: Figures, period: Period, ytd: Period) -> dict[str, Any]:
    """基础工作 as first written: every record of the two windows walked in Python."""
    cfg, conn = fig.cfg, fig.db.conn
    windows = {"period": period, "year_to_date": ytd}
    lo, hi = min(period.start, ytd.start), max(period.end, ytd.end)
    names = [n for (n,) in conn.execute("SELECT name FROM units WHERE ranked = 1 ORDER BY id")]
    empty = dict.fromkeys(groundwork.FIGURES, 0)
    per: dict[str, dict[str, dict[str, int]]] = {}

    def add(unit: str | None, key: str, day: Any) -> None:
        row = per.setdefault(unit or groundwork.UNASSIGNED, {w: dict(empty) for w in windows})
        for w, p in windows.items():
            if _within(day, p):
                row[w][key] += 1

    types = (*groundwork.TRIPS, *groundwork.VISITORS)
    for unit, kind, day in conn.execute(
        "SELECT u.name, x.type, x.date FROM activities x JOIN items i ON i.id = x.item_id "
        f"LEFT JOIN units u ON u.id = i.unit_id WHERE i.kind = ? AND x.type IN ({', '.join('?' * len(types))}) "
        "AND x.date BETWEEN ? AND ?",
        (cfg.pipeline_kind, *types, lo.isoformat(), hi.isoformat()),
    ):
        add(unit, "trips" if kind in groundwork.TRIPS else "visitors", day)
    by_size = {w: dict.fromkeys(groundwork.SIZES, 0) for w in windows}
    withdrawn = []
    for t in fig.target_rows(lo, hi):
        if t.get("created"):
            add(t.get("unit"), "leads", t["created"])
        for w, p in windows.items():
            if _within(t.get("signed"), p):
                for k, (least, _label) in groundwork.SIZES.items():
                    if (t.get("amount") or 0) >= least:
                        by_size[w][k] += 1
        if _within(t.get("withdrawn"), period):
            withdrawn.append(
                {
                    "id": t["id"],
                    "title": t["title"],
                    "unit": t.get("unit") or groundwork.UNASSIGNED,
                    "withdrawn": str(t["withdrawn"])[:10],
                    "signed": str(t["signed"])[:10] if t.get("signed") else None,
                    "signed_in_period": _within(t.get("signed"), period),
                    "amount": t.get("amount"),
                }
            )
    units = [{"name": n, **per.pop(n, {w: dict(empty) for w in windows})} for n in names]
    extra = {n: v for n, v in per.items() if any(any(c.values()) for c in v.values())}
    return {"units": units, "extra": extra, "signed_by_size": by_size, "withdrawn": withdrawn}


@pytest.mark.parametrize("first", [date(2026, 11, 1), date(2026, 1, 1), date(2025, 7, 1)])
def test_groundwork_in_sql_is_the_record_by_record_count(db_path: Path, first: date) -> None:
    db = Database.open(db_path, load())
    cfg = config_mod.load(db.defs)
    period = month(first)
    with Figures.open(db, cfg) as fig:
        ref = _reference_groundwork(fig, period, period.year_to_date())
        got = groundwork.compute(fig, period, period.year_to_date())
    ranked = len(ref["units"])
    assert got.units[:ranked] == ref["units"]
    assert {u["name"]: {k: u[k] for k in ("period", "year_to_date")} for u in got.units[ranked:]} == ref["extra"]
    assert got.signed_by_size == ref["signed_by_size"]
    assert got.withdrawn == ref["withdrawn"]
    assert sum(u["year_to_date"]["trips"] + u["year_to_date"]["leads"] for u in got.units) > 0
    db.close()
