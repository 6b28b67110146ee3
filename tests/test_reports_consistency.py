"""Every figure of a report equals what the lists say: ``zs list`` with the matching filter
(``--reached`` for stages, 创建时间 for new items, ``--open`` / ``--overdue`` / ``--status``
for the problem ledger) and, for activities and funds, what ``zs show`` lists per item.
Checked on the demo city and on a generated province (benchmarks/generate.py)."""

from __future__ import annotations

import importlib.util
import json
from collections import Counter, defaultdict
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import DEMO_TODAY, Cli

from zhaoshang import items
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.reports import config, periods
from zhaoshang.reports.figures import funds_months

STAGES = {
    "talks": "在谈",
    "signed": "已签约",
    "registered": "已入统",
    "started": "已开工",
    "producing": "已投产",
    "withdrawn": "退库",
}
UNASSIGNED = "（未指定责任单位）"


@pytest.fixture(autouse=True)
def _build_cli_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests run ~100 commands: build Typer's command tree once instead of per run."""
    import typer.testing

    from zhaoshang.cli import app

    original = typer.testing._get_command
    built = original(app)
    monkeypatch.setattr(typer.testing, "_get_command", lambda a: built if a is app else original(a))


def _json(cli: Cli, *args: str) -> Any:
    return json.loads(cli(*args, "--format", "json", ok=True).stdout)


def _report(cli: Cli, today: date, *args: str) -> dict[str, Any]:
    data: dict[str, Any] = _json(cli, "report", *args, "--today", today.isoformat())
    return data


def _scopes(report: dict[str, Any], window: str) -> dict[tuple[str, str], dict[str, Any]]:
    """(level, name) -> figures of ``window`` ('period' / 'year_to_date')."""
    out = {("total", ""): report["total"][window]}
    for c in report["chains"]:
        out[("chain", c["name"])] = c[window]
    for u in report["units"]:
        out[("unit", u["name"])] = u[window]
    return out


def _group(rows: list[dict[str, Any]], value: str | None = None) -> dict[tuple[str, str], float]:
    """Count (or sum ``value`` of) list rows per scope, as report scopes are keyed."""
    out: dict[tuple[str, str], float] = defaultdict(float)
    for r in rows:
        v = 1.0 if value is None else float(r.get(value) or 0)
        for key in (("total", ""), ("chain", r["chain"]), ("unit", r["unit"] or UNASSIGNED)):
            out[key] += v
    return out


def _assert_same(report: dict[tuple[str, str], dict[str, Any]], key: str, listed: dict[tuple[str, str], float]) -> None:
    for scope, figures in report.items():
        got = figures[key] or 0
        assert got == pytest.approx(listed.get(scope, 0.0), abs=0.006), (key, scope)
    assert set(listed) <= set(report), (key, set(listed) - set(report))


def check(cli: Cli, db_path: Path, p: periods.Period, today: date, *report_args: str) -> dict[str, Any]:
    report = _report(cli, today, *report_args)
    assert report["period"]["start"] == p.start.isoformat() and report["period"]["end"] == p.end.isoformat()
    ytd = p.year_to_date()
    for window, w in (("period", p), ("year_to_date", ytd)):
        scopes = _scopes(report, window)
        a, b = w.start.isoformat(), w.end.isoformat()
        for key, stage in STAGES.items():
            rows = _json(cli, "list", "招什么", "--reached", stage, "--from", a, "--to", b)
            _assert_same(scopes, key, _group(rows))
            if key == "signed":
                _assert_same(scopes, "signed_amount", _group(rows, "investment"))
                _assert_same(scopes, "signed_foreign", _group(rows, "foreign_investment"))
        after = (w.end + timedelta(days=1)).isoformat()
        new = _json(cli, "list", "招什么", f"创建时间>={a}", f"创建时间<{after}")
        _assert_same(scopes, "new_targets", _group(new))
        new_problems = _json(cli, "list", "问题", f"创建时间>={a}", f"创建时间<{after}")
        _assert_same(scopes, "problems_new", _group(new_problems))
        closed = _json(cli, "list", "问题", "--reached", "已销号", "--from", a, "--to", b)
        _assert_same(scopes, "problems_closed", _group(closed))
        _check_activities_and_funds(db_path, scopes, w)
    # the ledger on the report day, which is today: what zs list shows now
    assert report["asof"] == today.isoformat()
    scopes = _scopes(report, "period")
    _assert_same(scopes, "problems_open", _group(_json(cli, "list", "问题", "--open")))
    _assert_same(scopes, "problems_overdue", _group(_json(cli, "list", "问题", "--overdue")))
    _assert_same(scopes, "problems_closed_total", _group(_json(cli, "list", "问题", "--status", "已销号")))
    _assert_same(scopes, "problems_total", _group(_json(cli, "list", "问题", "--status", "待办,办理中,已销号")))
    # the same through the --chain / --unit filters themselves, for one chain and one unit
    chain, unit = report["chains"][0]["name"], report["units"][0]["name"]
    a, b = p.start.isoformat(), p.end.isoformat()
    for flag, name, scope in (("--chain", chain, ("chain", chain)), ("--unit", unit, ("unit", unit))):
        signed = _json(cli, "list", "招什么", "--reached", "已签约", "--from", a, "--to", b, flag, name)
        assert len(signed) == _scopes(report, "period")[scope]["signed"]
        opened = _json(cli, "list", "问题", "--open", flag, name)
        assert len(opened) == _scopes(report, "period")[scope]["problems_open"]
    return report


_SHOWN: dict[Path, list[tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]]] = {}


def _shown(db_path: Path) -> list[tuple[dict[str, Any], dict[str, list[dict[str, Any]]]]]:
    """Every item with the records ``zs show`` lists for it (read once per database)."""
    if db_path not in _SHOWN:
        db = Database.open(db_path, load())
        try:
            ids = [
                r[0]
                for r in db.conn.execute(
                    "SELECT id FROM items WHERE id IN (SELECT item_id FROM activities UNION SELECT item_id FROM funds)"
                )
            ]
            _SHOWN[db_path] = [(items.get(db, i), items.details(db, i)) for i in ids]
        finally:
            db.close()
    return _SHOWN[db_path]


def _check_activities_and_funds(
    db_path: Path, scopes: dict[tuple[str, str], dict[str, Any]], w: periods.Period
) -> None:
    """对接次数, 走访 and 到位资金 from each item's own records (what zs show lists)."""
    cfg = config.load(load())
    contacts: Counter[tuple[str, str]] = Counter()
    visits: Counter[tuple[str, str]] = Counter()
    domestic: dict[tuple[str, str], float] = defaultdict(float)
    foreign: dict[tuple[str, str], float] = defaultdict(float)
    months = funds_months(w)
    a, b = w.start.isoformat(), w.end.isoformat()
    for rec, shown in _shown(db_path):
        keys = (("total", ""), ("chain", rec["chain"]), ("unit", rec["unit"] or UNASSIGNED))
        for act in shown["activities"]:
            if not a <= act["date"] <= b:
                continue
            for k in keys:
                contacts[k] += act["type"] in cfg.contact_types and rec["kind"] in cfg.contact_kinds
                visits[k] += act["type"] in cfg.visit_types and rec["kind"] in cfg.visit_kinds
        for f in shown["funds"]:
            if months is not None and months[0] <= f["month"] <= months[1]:
                for k in keys:
                    domestic[k] += f["domestic"] or 0
                    foreign[k] += f["foreign_usd"] or 0
    _assert_same(scopes, "contacts", dict(contacts))
    _assert_same(scopes, "visits", dict(visits))
    _assert_same(scopes, "funds_domestic", domestic)
    _assert_same(scopes, "funds_foreign", foreign)


def test_demo_month_matches_the_lists(demo_db: Path) -> None:
    today = date.today()
    if today < DEMO_TODAY:
        pytest.skip("the clock is before the demo's day")
    cli = Cli(demo_db)
    month = periods.month(today.replace(day=1))  # this month, as of today (not the default of a month's first days)
    report = check(cli, demo_db, month, today, "monthly", "--month", "本月")
    assert report["total"]["year_to_date"]["signed"] > 0  # the demo has signings this year


def test_demo_quarter_and_any_period_match_the_lists(demo_db: Path) -> None:
    today = date.today()
    if today < DEMO_TODAY:
        pytest.skip("the clock is before the demo's day")
    cli = Cli(demo_db)
    q = periods.quarter_of(None, today)
    check(cli, demo_db, q, today, "quarterly", "--quarter", f"{today.year}Q{(today.month - 1) // 3 + 1}")
    start = today - timedelta(days=100)
    custom = periods.between(start, today)
    check(cli, demo_db, custom, today, "period", "--from", start.isoformat(), "--to", today.isoformat())


def _generator() -> Any:
    path = Path(__file__).resolve().parent.parent / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("zs_generate", path)
    assert spec is not None and spec.loader is not None, path
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_generated_province_matches_the_lists(tmp_path: Path) -> None:
    today = date.today()
    db_path = tmp_path / "province.db"
    _generator().generate(db_path, 1500, seed=3, today=today, fts=False)
    cli = Cli(db_path)
    report = check(cli, db_path, periods.month(today.replace(day=1)), today, "monthly", "--month", "本月")
    assert report["total"]["year_to_date"]["signed"] > 10
    assert report["total"]["year_to_date"]["contacts"] > 10


@pytest.mark.parametrize(("period", "ago"), [("--month", ("2026-11", "2025-11")), ("--quarter", ("2026Q4", "2025Q4"))])
def test_year_on_year_is_the_same_period_a_year_earlier(tmp_path: Path, period: str, ago: tuple[str, str]) -> None:
    """同比 figures are exactly that period's own figures, for every scope."""
    db_path = tmp_path / "province.db"
    _generator().generate(db_path, 1500, seed=5, today=date(2026, 11, 15), fts=False)
    cli = Cli(db_path)
    kind = "monthly" if period == "--month" else "quarterly"
    now = json.loads(cli("report", kind, period, ago[0], "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    then = json.loads(cli("report", kind, period, ago[1], "--today", "2026-11-15", "-f", "json", ok=True).stdout)
    assert now["last_year"] == then["period"] and now["last_year_asof"] == then["asof"]
    assert now["total"]["last_year"] == then["total"]["period"]
    for level in ("chains", "units"):
        assert {r["name"]: r["last_year"] for r in now[level]} == {r["name"]: r["period"] for r in then[level]}
    assert then["total"]["period"]["contacts"] > 0  # there was something to compare with
