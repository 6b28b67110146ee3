"""报送 → 认定 through a real roll-up: a county's export imported by the city, its moves and
funds marked 待认定 by the hook the import calls (review.mark_submission, here on the import's
command afterwards), returned, resubmitted in the next month's export and confirmed."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from conftest import Cli
from exchange_util import make_city, open_db

from zhaoshang import items, review
from zhaoshang.reports import periods
from zhaoshang.reports.report import build

MARCH = periods.month(date(2026, 3, 1))
TODAY = date(2026, 6, 30)


def _signed(db_path: Path, *, include_pending: bool = False) -> tuple[float | None, float | None]:
    with open_db(db_path) as db:
        r = build(db, MARCH, today=TODAY, include_pending=include_pending)
    return r.total.period["signed"], r.total.period["funds_domestic"]


def _import(cli: Cli, path: Path, db_path: Path) -> int:
    cli("import", str(path), ok=True)
    with open_db(db_path) as db:
        cid = int(db.conn.execute("SELECT max(id) FROM commands WHERE name = 'import'").fetchone()[0])
        with db.command("review mark", user="市招商局"):
            marked = review.mark_submission(db, command_id=cid, source=path.name)
    assert marked.moves > 0
    return cid


def test_a_rolled_up_county_counts_once_the_city_confirms(cli: Cli, tmp_path: Path, db_path: Path) -> None:
    county_db = tmp_path / "county.db"
    ids = make_city(county_db, user="县招商局")
    with open_db(county_db) as cdb, cdb.command("stage", user="县招商局"):
        items.set_status(cdb, ids["铜箔"], "已签约", on="2026-03-15", force=True)
    march = tmp_path / "县3月.xlsx"
    Cli(county_db)("export", str(march), ok=True)
    cli("init", ok=True)
    s1 = _import(cli, march, db_path)
    assert _signed(db_path) == (0, 0)
    would = _signed(db_path, include_pending=True)
    assert would[0] == 2 and would[1] == 500  # 铜箔 and 蛋白 signed in March; 蛋白's funds

    with open_db(db_path) as db:
        copper = int(db.conn.execute("SELECT id FROM items WHERE origin_id = ?", (ids["铜箔"],)).fetchone()[0])
        assert {e.submission for e in review.queue(db)} == {s1}
        signing = [e.ref for e in review.queue(db) if e.item_id == copper and e.to_status == "已签约"]
        with db.command("review return", user="审核员"):
            review.return_rows(db, refs=signing, reason="缺少合同编号")
        with db.command("review confirm", user="审核员"):
            review.confirm(db, submission=s1)
        assert db.conn.execute("SELECT status FROM items WHERE id = ?", (copper,)).fetchone()[0] == "在谈"
    assert _signed(db_path) == (1, 500)

    # the county resubmits (next month's export): the returned move comes again, pending
    april = tmp_path / "县4月.xlsx"
    with open_db(county_db) as cdb, cdb.command("edit", user="县招商局"):
        cdb.conn.execute("UPDATE items SET notes = '合同编号 HT-2026-031' WHERE id = ?", (ids["铜箔"],))
    Cli(county_db)("export", str(april), ok=True)
    s2 = _import(cli, april, db_path)
    with open_db(db_path) as db:
        waiting = review.queue(db, submission=s2)
        assert [(e.item_id, e.to_status, e.date) for e in waiting if e.table == "status_log"] == [
            (copper, "已签约", "2026-03-15")
        ]
        with db.command("review confirm", user="审核员"):
            review.confirm(db, submission=s2)
        assert db.conn.execute("SELECT status FROM items WHERE id = ?", (copper,)).fetchone()[0] == "已签约"
    assert _signed(db_path) == (2, 500)
