"""Property tests of 报送 → 认定: whatever mix of confirmed, pending and returned moves and
funds a city holds, a report's figures are exactly what the confirmed rows in the period
say (and, with include_pending, the confirmed and pending ones); the items' status follows
their confirmed moves."""

from __future__ import annotations

import tempfile
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from _harness import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang import lookups, stages
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.reports import config, periods
from zhaoshang.reports.figures import Figures

DEFS = load()
KIND = DEFS.kind("招什么")
ORDER = stages.stages_of(KIND)
SIGNED = stages.reached_stages(KIND, "已签约")
STATES = ("confirmed", "pending", "returned")
START = date(2025, 1, 1)

move = st.tuples(st.sampled_from(ORDER[1:]), st.integers(0, 180), st.sampled_from(STATES))
item = st.tuples(
    st.integers(0, 180),  # the day it came in (days after 1 January 2025)
    st.sampled_from(STATES),  # its entry row
    st.lists(move, max_size=4),
    st.lists(st.tuples(st.integers(1, 6), st.integers(1, 900), st.sampled_from(STATES)), max_size=3),  # funds
)


def _day(n: int) -> str:
    return (START + timedelta(days=n)).isoformat()


def _city(path: Path, spec: list[Any]) -> Database:
    db = Database.open(path, DEFS)
    with db.command("setup", user="测试员"):
        lookups.create(db, lookups.CHAIN, "有色金属", {})
        lookups.create(db, lookups.UNIT, "爱辉区", {})
        for n, (came, entry_state, moves, funds) in enumerate(spec):
            cur = db.conn.execute(
                "INSERT INTO items(kind, chain_id, unit_id, title, status, created_at, updated_at) "
                "VALUES ('targets', 1, 1, ?, ?, ?, ?)",
                (f"项目{n}", ORDER[0], f"{_day(came)}T09:00:00", f"{_day(came)}T09:00:00"),
            )
            iid = int(cur.lastrowid or 0)
            db.conn.execute("INSERT INTO kind_targets(id) VALUES (?)", (iid,))
            db.conn.execute(
                "INSERT INTO status_log(item_id, from_status, to_status, date, user, at, review) "
                "VALUES (?, NULL, ?, ?, 't', 'now', ?)",
                (iid, ORDER[0], _day(came), entry_state),
            )
            prev = ORDER[0]
            for to, day, state in moves:
                db.conn.execute(
                    "INSERT INTO status_log(item_id, from_status, to_status, date, user, at, review) "
                    "VALUES (?, ?, ?, ?, 't', 'now', ?)",
                    (iid, prev, to, _day(max(day, came)), state),
                )
                prev = to
            for month, amount, state in {m: (m, a, s) for m, a, s in funds}.values():
                db.conn.execute(
                    "INSERT INTO funds(item_id, month, domestic, user, at, review) VALUES (?, ?, ?, 't', 'now', ?)",
                    (iid, f"2025-{month:02d}", float(amount), state),
                )
            stages.follow_confirmed(db, [iid])
    return db


def _expected(spec: list[Any], p: periods.Period, counted: set[str]) -> dict[str, float]:
    lo, hi = p.start.isoformat(), p.end.isoformat()
    out = {"signed": 0.0, "new_targets": 0.0, "funds_domestic": 0.0}
    months = {f"{m:02d}" for m in range(p.start.month, p.end.month + 1)}
    for came, entry_state, moves, funds in spec:
        if entry_state in counted and lo <= _day(came) <= hi:
            out["new_targets"] += 1
        signed = [_day(max(d, came)) for to, d, s in moves if to in SIGNED and s in counted]
        if signed and lo <= min(signed) <= hi:
            out["signed"] += 1
        for month, amount, state in {m: (m, a, s) for m, a, s in funds}.values():
            if state in counted and f"{month:02d}" in months:
                out["funds_domestic"] += amount
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(item, min_size=1, max_size=5), st.integers(1, 6), st.booleans())
def test_a_reports_figures_are_the_counted_rows_in_the_period(spec: list[Any], month: int, pending: bool) -> None:
    p = periods.month(date(2025, month, 1))
    with tempfile.TemporaryDirectory() as tmp:
        db = _city(Path(tmp) / "c.db", spec)
        try:
            with Figures.open(db, config.load(db.defs), include_pending=pending) as fig:
                got = fig.window(p).total()
        finally:
            db.close()
    want = _expected(spec, p, {"confirmed", "pending"} if pending else {"confirmed"})
    assert {k: got.get(k, 0.0) for k in want} == want


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(item, min_size=1, max_size=4))
def test_an_items_status_is_that_of_its_last_confirmed_move(spec: list[Any]) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        db = _city(Path(tmp) / "c.db", spec)
        try:
            got = [r[0] for r in db.conn.execute("SELECT status FROM items ORDER BY id")]
            # follow_confirmed again changes nothing
            with db.command("again", user="测试员"):
                assert stages.follow_confirmed(db, [r[0] for r in db.conn.execute("SELECT id FROM items")]) == []
        finally:
            db.close()
    want = []
    for _came, entry_state, moves, _funds in spec:
        rows = [(ORDER[0], entry_state), *((to, s) for to, _d, s in moves)]
        confirmed = [to for to, s in rows if s == "confirmed"]
        want.append(confirmed[-1] if confirmed else ORDER[0])
    assert got == want


def test_follow_confirmed_changes_nothing_in_a_generated_city(tmp_path: Path) -> None:
    """Every writer keeps items.status equal to the last confirmed move: on a generated city
    (every kind of write, all confirmed) following the confirmed moves is a no-op."""
    path = tmp_path / "g.db"
    generate(path, 300, seed=5)
    db = Database.open(path, DEFS)
    try:
        with db.command("again", user="测试员"):
            ids = [r[0] for r in db.conn.execute("SELECT id FROM items")]
            assert stages.follow_confirmed(db, ids) == []
    finally:
        db.close()


QKIND = DEFS.kind("解决什么")
QSTATUS = [s.name for s in QKIND.statuses]
QTERMINAL = set(QKIND.terminal_statuses())
problem = st.tuples(
    st.integers(0, 120),
    st.sampled_from(STATES),
    st.lists(st.tuples(st.sampled_from(QSTATUS[1:]), st.integers(0, 120), st.sampled_from(STATES)), max_size=4),
)


def _problems(path: Path, spec: list[Any]) -> Database:
    db = Database.open(path, DEFS)
    with db.command("setup", user="测试员"):
        lookups.create(db, lookups.CHAIN, "有色金属", {})
        for n, (came, entry_state, moves) in enumerate(spec):
            cur = db.conn.execute(
                "INSERT INTO items(kind, chain_id, title, status, created_at, updated_at) VALUES (?, 1, ?, ?, ?, ?)",
                (QKIND.key, f"问题{n}", QSTATUS[0], f"{_day(came)}T09:00:00", f"{_day(came)}T09:00:00"),
            )
            iid = int(cur.lastrowid or 0)
            db.conn.execute(f'INSERT INTO "{QKIND.table}"(id) VALUES (?)', (iid,))
            rows = [(None, QSTATUS[0], came, entry_state)]
            prev = QSTATUS[0]
            for to, day, state in sorted(moves, key=lambda m: m[1]):  # in date order, as people record them
                rows.append((prev, to, max(day, came), state))
                prev = to
            for frm, to, day, state in rows:
                db.conn.execute(
                    "INSERT INTO status_log(item_id, from_status, to_status, date, user, at, review) "
                    "VALUES (?, ?, ?, ?, 't', 'now', ?)",
                    (iid, frm, to, _day(day), state),
                )
            stages.follow_confirmed(db, [iid])
    return db


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(problem, min_size=1, max_size=5), st.integers(0, 120), st.booleans())
def test_the_problem_ledger_on_a_day_is_that_of_the_counted_moves(spec: list[Any], day: int, pending: bool) -> None:
    on = START + timedelta(days=day)
    counted_states = {"confirmed", "pending"} if pending else {"confirmed"}
    with tempfile.TemporaryDirectory() as tmp:
        db = _problems(Path(tmp) / "q.db", spec)
        try:
            with Figures.open(db, config.load(db.defs), include_pending=pending) as fig:
                got = fig.asof(on).total()
        finally:
            db.close()
    want = {"problems_open": 0.0, "problems_total": 0.0}
    for came, entry_state, moves in spec:
        rows = [(QSTATUS[0], came, entry_state)] + [
            (to, max(d, came), s) for to, d, s in sorted(moves, key=lambda m: m[1])
        ]
        seen = [(d, i, to) for i, (to, d, s) in enumerate(rows) if s in counted_states and d <= day]
        if not seen:
            continue
        status = max(seen)[2]
        want["problems_open"] += status not in QTERMINAL
        want["problems_total"] += status != "已取消"
    assert {k: got.get(k, 0.0) for k in want} == want
