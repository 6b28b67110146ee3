"""报送 → 认定 (issue 26): figures another unit reported count only once the office confirmed
them.  The whole county → city cycle driven through the core the import calls
(review.mark_submission) and the review commands, with the month's figures at each step;
the items' status and stage dates following confirmed moves; history and undo; the 补认定
rule; and zs review on the command line."""

from __future__ import annotations

import json
import sqlite3
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from zhaoshang import counted, items, lookups, review
from zhaoshang.cli import app
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.history import undo_last
from zhaoshang.integrity import check
from zhaoshang.pipeline import funds
from zhaoshang.reports import periods
from zhaoshang.reports.report import build

pytestmark = pytest.mark.engines

OCTOBER = periods.month(date(2025, 10, 1))
TODAY = date(2025, 12, 31)


def _city(path: Path) -> tuple[Database, dict[str, int]]:
    """Two counties with projects in talks since the summer (the city's own, confirmed)."""
    db = Database.open(path, load())
    ids: dict[str, int] = {}
    with db.command("setup", user="市招商局"):
        lookups.create(db, lookups.CHAIN, "有色金属", {})
        lookups.create(db, lookups.UNIT, "爱辉区", {})
        lookups.create(db, lookups.UNIT, "北安市", {})
        lookups.create(db, lookups.UNIT, "逊克县", {})
        for name, unit, amount in (("铜箔", "爱辉区", "3亿"), ("铜杆", "爱辉区", "1亿"), ("大豆", "北安市", "2亿")):
            ids[name] = items.add(
                db,
                "招什么",
                f"{name}项目",
                chain="有色金属",
                values={"状态": "在谈", "责任单位": unit, "投资额": amount},
                on="2025-06-01",
            )
    return db, ids


def _submit(db: Database, unit: str, moves: list[tuple[int, str, str]], fund: tuple[int, str, float] | None = None,
            new: str | None = None) -> tuple[int, int | None]:  # fmt: skip
    """A county's sheet as the import writes it, then marked 待认定 by the hook the import
    calls.  Returns (the submission's command id, the new item's id)."""
    new_id = None
    with db.command("import", user="市招商局", args=f"{unit}.xlsx") as info:
        for item_id, status, on in moves:
            items.set_status(db, item_id, status, on=on)
        if fund is not None:
            funds.record(db, fund[0], fund[1], today=TODAY, domestic=fund[2])
        if new is not None:
            new_id = items.add(
                db, "招什么", new, chain="有色金属", values={"状态": "在谈", "责任单位": unit}, on="2025-10-03"
            )
        marked = review.mark_submission(
            db, source=f"{unit}.xlsx 招什么", evidence={i: f"合同编号 HT-{i}" for i, _, _ in moves}
        )
        assert marked.moves >= len(moves)
    return info.id, new_id


def _october(db: Database, *, include_pending: bool = False) -> dict[str, float | None]:
    r = build(db, OCTOBER, today=TODAY, include_pending=include_pending)
    return {**r.total.period, "pending_rows": r.review.pending_rows if r.review else 0}


def _status(db: Database, item_id: int) -> tuple[str, str | None]:
    row = db.conn.execute(
        "SELECT i.status, k.signed_date FROM items i JOIN kind_targets k ON k.id = i.id WHERE i.id = ?", (item_id,)
    ).fetchone()
    return str(row[0]), row[1]


def test_the_county_to_city_cycle(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    # 1. 爱辉区 reports two signings and a fund; 北安市 a signing and a new project
    s1, _ = _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08"), (ids["铜杆"], "已签约", "2025-10-12")],
                    fund=(ids["铜箔"], "2025-10", 500.0))  # fmt: skip
    s2, new = _submit(db, "北安市", [(ids["大豆"], "已签约", "2025-10-20")], new="豆粕项目")
    assert new is not None
    fig = _october(db)
    assert (fig["signed"], fig["funds_domestic"], fig["new_targets"]) == (0, 0, 0)
    assert fig["pending_rows"] == 6  # three signings, the fund, the new project's entry and move
    would = _october(db, include_pending=True)
    assert (would["signed"], would["signed_amount"], would["funds_domestic"], would["new_targets"]) == (
        3,
        60000,
        500,
        1,
    )
    # nothing is lost while pending: the item is there, at the status of its confirmed moves
    assert _status(db, ids["铜箔"]) == ("在谈", None)
    queue = review.queue(db)
    assert [e.unit for e in queue] == ["爱辉区"] * 3 + ["北安市"] * 3  # by unit, oldest first
    signing = next(e for e in queue if e.item_id == ids["铜箔"] and e.table == "status_log")
    assert signing.figure == "计入 2025-10：首次达到「已签约」"
    assert signing.evidence == f"合同编号 HT-{ids['铜箔']}" and signing.submission == s1
    assert any(e.ref.startswith("F") and "到位资金 国内 500 万元" in e.figure for e in queue)

    # 2. the city confirms 爱辉区's submission as a whole
    with db.command("review confirm", user="审核员"):
        done = review.confirm(db, submission=s1, note="合同已核")
    assert len(done.entries) == 3 and all(e.reviewed_by == "审核员" for e in done.entries)
    fig = _october(db)
    assert (fig["signed"], fig["signed_amount"], fig["funds_domestic"]) == (2, 40000, 500)
    assert _status(db, ids["铜箔"]) == ("已签约", "2025-10-08")

    # 3. returns 北安市's signing (no contract number), confirms the new project
    with db.command("review return", user="审核员"):
        back = review.return_rows(db, refs=[e.ref for e in review.queue(db, submission=s2) if e.item_id == ids["大豆"]],
                                  reason="缺少合同编号")  # fmt: skip
    assert [e.review for e in back.entries] == ["returned"] and back.entries[0].review_note == "缺少合同编号"
    with db.command("review confirm", user="审核员"):
        review.confirm(db, submission=s2)
    fig = _october(db)
    assert (fig["signed"], fig["new_targets"], fig["pending_rows"]) == (2, 1, 0)
    assert _status(db, ids["大豆"]) == ("在谈", None)

    # 4. 北安市 resubmits with the contract; the city confirms it: October has three signings
    s3, _ = _submit(db, "北安市", [(ids["大豆"], "已签约", "2025-10-21")])
    assert _october(db)["signed"] == 2 and _october(db, include_pending=True)["signed"] == 3
    with db.command("review confirm", user="审核员"):
        review.confirm(db, submission=s3)
    fig = _october(db)
    assert (fig["signed"], fig["signed_amount"]) == (3, 60000)
    assert _status(db, ids["大豆"]) == ("已签约", "2025-10-21")

    # 5. undo takes the last confirmation back, as every command
    with db.command("undo", user="审核员"):
        undo_last(db, expected=None, user="审核员")
    assert _october(db)["signed"] == 2 and _status(db, ids["大豆"]) == ("在谈", None)
    # the derived tables agree with the logs all along
    assert check(db).problems == []

    # 6. who reported this month (the submissions were made today)
    month = date.today().strftime("%Y-%m")
    status = {r.unit: r for r in review.submission_status(db, month)}
    assert (status["爱辉区"].rows, status["爱辉区"].confirmed, status["爱辉区"].submissions) == (3, 3, 1)
    assert (status["北安市"].returned, status["北安市"].pending, status["北安市"].submissions) == (1, 1, 2)
    assert not status["逊克县"].sent


def test_a_figure_counts_in_the_month_of_its_own_date_and_late_ones_are_补认定(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    (move,) = [e.row_id for e in review.queue(db)]
    with db.command("review confirm", user="审核员"):
        review.confirm(db, refs=[str(move)])
    # confirmed on time: 3 November (October's report is made in the first days of November)
    with db.command("setup", user="测试员"):
        db.conn.execute("UPDATE status_log SET reviewed_at = '2025-11-03T10:00:00' WHERE id = ?", (move,))
    r = build(db, OCTOBER, today=TODAY)
    assert r.total.period["signed"] == 1 and r.review is not None and r.review.late == []
    # confirmed on 20 November: October's report counts it and says it was 补认定;
    # November's report lists it among the late confirmations it made for earlier months
    with db.command("setup", user="测试员"):
        db.conn.execute("UPDATE status_log SET reviewed_at = '2025-11-20T10:00:00' WHERE id = ?", (move,))
    r = build(db, OCTOBER, today=TODAY)
    assert r.total.period["signed"] == 1
    assert r.review is not None and [(x["month"], x["confirmed"]) for x in r.review.late] == [("2025-10", "2025-11-20")]
    assert any("补认定" in line for line in r.review.lines())
    nov = build(db, periods.month(date(2025, 11, 1)), today=TODAY)
    assert nov.total.period["signed"] == 0
    assert nov.review is not None and [x["item_id"] for x in nov.review.late_for_earlier] == [ids["铜箔"]]
    assert nov.review.late == []


def test_a_report_says_how_many_were_pending_beside_the_figure(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    r = build(db, OCTOBER, today=TODAY)
    assert r.review is not None
    assert r.review.beside("signed", r.total.period["signed"]) == "签约 0 个，另有 1 个待认定"
    data = r.as_dict()["review"]
    assert data["pending"]["period"]["signed"] == 1 and data["pending_rows"] == 1
    assert data["units"] == [{"id": 1, "period": {"signed": 1, "signed_amount": 30000, "talks_signed": 1}}] or (
        data["units"][0]["period"]["signed"] == 1
    )
    with_pending = build(db, OCTOBER, today=TODAY, include_pending=True)
    assert with_pending.total.period["signed"] == 1
    assert with_pending.review is not None
    assert with_pending.review.beside("signed", 1) == "签约 1 个，其中 1 个待认定"


def test_an_office_with_nothing_pending_reads_as_before(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    with db.command("stage", user="市招商局"):
        items.set_status(db, ids["铜箔"], "已签约", on="2025-10-08")
    r = build(db, OCTOBER, today=TODAY)
    assert r.total.period["signed"] == 1
    assert r.review is not None and r.review.lines() == [] and r.review.pending == {"period": {}, "year_to_date": {}}
    assert review.queue(db) == []
    # every row an office writes itself is confirmed
    assert {r[0] for r in db.conn.execute("SELECT review FROM status_log")} == {"confirmed"}


def test_item_dates_and_the_stage_sql_follow_confirmed_moves(tmp_path: Path) -> None:
    from zhaoshang import stages

    db, ids = _city(tmp_path / "city.db")
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    iid = ids["铜箔"]
    entered = db.conn.execute("SELECT entered FROM item_dates WHERE item_id = ?", (iid,)).fetchone()[0]
    assert entered == "2025-06-01"
    assert stages.first_reached(db, "已签约") == {}
    assert stages.first_reached(db, "已签约", include_pending=True) == {iid: "2025-10-08"}
    assert stages.stage_entered(db, iid) == "2025-06-01"
    clause, params = stages.reached_clause(db, db.defs.kind("招什么"), "已签约", None, None)
    assert db.conn.execute(f"SELECT count(*) FROM items i WHERE {clause}", params).fetchone()[0] == 0
    with db.command("review confirm", user="审核员"):
        review.confirm(db, everything=True)
    assert db.conn.execute("SELECT entered FROM item_dates WHERE item_id = ?", (iid,)).fetchone()[0] == "2025-10-08"
    assert stages.first_reached(db, "已签约") == {iid: "2025-10-08"}
    assert check(db).problems == []


def test_a_new_project_reported_pending_is_not_counted_new_until_confirmed(tmp_path: Path) -> None:
    db, _ids = _city(tmp_path / "city.db")
    _s, new = _submit(db, "北安市", [], new="豆粕项目")
    assert new is not None
    row = db.conn.execute(f"SELECT {counted.came_in('i')} FROM items i WHERE id = ?", (new,)).fetchone()
    assert row[0] is None
    assert _status(db, new)[0] == "线索"  # the status it came in with: nothing is lost
    assert _october(db)["new_targets"] == 0
    with db.command("review confirm", user="审核员"):
        review.confirm(db, where=["责任单位=北安市"])
    assert _october(db)["new_targets"] == 1


def test_review_refuses_what_it_cannot_do(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    with pytest.raises(ZsError, match="需要说明原因"), db.command("review return", user="审核员"):
        review.return_rows(db, reason="  ", everything=True)
    with pytest.raises(ZsError, match="请指明"), db.command("review confirm", user="审核员"):
        review.confirm(db)
    with pytest.raises(ZsError, match="没有编号为 999 的报送记录"), db.command("review confirm", user="审核员"):
        review.confirm(db, refs=["999"])
    with pytest.raises(ZsError, match="不是待认定记录的编号"):
        review.parse_refs(["abc"])
    assert review.parse_refs(["12-14,F3", "资金5", "Z2"]) == ([12, 13, 14], [3, 5], [2])
    # nothing was written by the refused commands
    assert len(review.queue(db)) == 1


def test_schema_8_keeps_rows_confirmed_and_refuses_an_unknown_state(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    db, ids = _city(path)
    db.close()
    conn = sqlite3.connect(path)
    assert {r[1] for r in conn.execute("PRAGMA table_info(status_log)")} >= {"review", "evidence", "source"}
    conn.close()
    db = Database.open(path, load())
    assert db.version >= 8  # (review columns came with version 8)
    assert db.conn.execute("SELECT count(*) FROM status_log WHERE review != 'confirmed'").fetchone()[0] == 0
    with pytest.raises(sqlite3.IntegrityError), db.command("bad", user="测试员"):
        db.conn.execute("UPDATE status_log SET review = 'maybe' WHERE item_id = ?", (ids["铜箔"],))


def test_the_history_records_the_review_columns(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    with db.command("review confirm", user="审核员") as info:
        review.confirm(db, everything=True, note="合同已核")
    changed = db.conn.execute(
        "SELECT new FROM changes WHERE command_id = ? AND tbl = 'status_log'", (info.id,)
    ).fetchone()[0]
    assert json.loads(changed)["review"] == "confirmed" and json.loads(changed)["review_note"] == "合同已核"


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------


def _zs(path: Path, *args: str, user: str = "审核员") -> tuple[int, str, str]:
    result = CliRunner().invoke(app, ["--db", str(path), "--user", user, *args])
    return result.exit_code, result.stdout, result.stderr


def test_zs_review_lists_confirms_and_returns(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    db, ids = _city(path)
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08"), (ids["铜杆"], "已签约", "2025-10-12")])
    s2, _ = _submit(db, "北安市", [(ids["大豆"], "已签约", "2025-10-20")])
    moves = [e.ref for e in review.queue(db)]
    db.close()
    code, out, err = _zs(path, "review")
    assert code == 0, err
    assert "【北安市 · 招什么】1 条" in out and "【爱辉区 · 招什么】2 条" in out
    assert out.index("爱辉区") < out.index("北安市")  # the units' order
    assert "计入 2025-10：首次达到「已签约」" in out and "合同编号 HT-" in out
    assert "共 3 条待认定" in err
    code, out, _ = _zs(path, "review", "-f", "json")
    data = json.loads(out)
    assert [r["review_name"] for r in data] == ["待认定"] * 3 and {r["unit"] for r in data} == {"北安市", "爱辉区"}

    code, _, err = _zs(path, "review", "return", moves[0])
    assert code == 1 and "退回需要说明原因" in err
    code, _, err = _zs(path, "review", "return", "--submission", str(s2), "--reason", "缺少合同编号")
    assert code == 0 and "已退回 1 条" in err
    code, _, err = _zs(path, "review", "confirm", "--where", "责任单位=爱辉区", "--note", "合同已核")
    assert code == 0 and "已认定 2 条" in err and "计入 2025-10 的统计" in err
    code, out, err = _zs(path, "review")
    assert "没有待认定的记录" in err
    code, out, err = _zs(path, "review", "--returned")
    assert "缺少合同编号" in out

    code, out, err = _zs(path, "report", "monthly", "--month", "2025-10", "--today", "2025-12-31", "-f", "json")
    assert code == 0, err
    data = json.loads(out)
    assert data["total"]["period"]["signed"] == 2 and data["review"]["pending_rows"] == 0

    code, out, err = _zs(path, "review", "status")
    assert code == 0, err
    assert "未报送的单位（1 个）：逊克县" in err
    code, out, _ = _zs(path, "review", "status", "-f", "json")
    rows = {r["unit"]: r for r in json.loads(out)}
    assert rows["北安市"]["returned"] == 1 and rows["逊克县"]["sent"] is False

    code, _, err = _zs(path, "undo", "--yes")
    assert code == 0, err
    code, out, _ = _zs(path, "review", "-f", "json")
    assert len(json.loads(out)) == 2  # the confirmation of 爱辉区's two signings taken back


def test_zs_report_include_pending_and_the_dashboard_line(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    db, ids = _city(path)
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    db.close()
    args = ("report", "monthly", "--month", "2025-10", "--today", "2025-12-31")
    code, out, err = _zs(path, *args, "-f", "json")
    assert code == 0, err
    assert json.loads(out)["total"]["period"]["signed"] == 0
    code, out, err = _zs(path, *args, "-f", "json", "--include-pending")
    data = json.loads(out)
    assert data["total"]["period"]["signed"] == 1 and data["review"]["include_pending"] is True
    code, out, err = _zs(path, *args)
    assert code == 0, err
    assert "另有待认定" in out and "本期还有 1 条报送待认定：签约 1 个" in out


def test_zs_review_own_setting(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    _city(path)[0].close()
    code, _, err = _zs(path, "review", "own")
    assert code == 0 and "不需要认定" in err
    code, _, err = _zs(path, "review", "own", "开")
    assert code == 0 and "需要认定" in err
    code, _, err = _zs(path, "review", "own", "也许")
    assert code == 1 and "不是 开 或 关" in err


def test_with_own_review_on_the_offices_own_moves_wait_too(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    db, ids = _city(path)
    db.close()
    assert _zs(path, "review", "own", "开")[0] == 0
    code, _, err = _zs(path, "stage", str(ids["铜箔"]), "已签约", "--date", "2025-10-08", user="市招商局")
    assert code == 0, err
    assert "这次变更待认定" in err
    code, out, _ = _zs(path, "review", "-f", "json")
    (row,) = json.loads(out)
    assert row["source"] == "市招商局 录入" and row["figure"] == "计入 2025-10：首次达到「已签约」"
    code, _, err = _zs(path, "fund", str(ids["铜箔"]), "--month", "2025-10", "--domestic", "300", user="市招商局")
    assert code == 0 and "这笔到位资金待认定" in err, err
    db = Database.open(path, load())
    assert _status(db, ids["铜箔"]) == ("在谈", None)
    assert _october(db)["funds_domestic"] == 0
    with db.command("review confirm", user="审核员"):
        review.confirm(db, everything=True)
    fig = _october(db)
    assert (fig["signed"], fig["funds_domestic"]) == (1, 300)
    assert _status(db, ids["铜箔"]) == ("已签约", "2025-10-08")
    db.close()


def test_the_workbook_and_the_bulletin_say_what_was_pending(tmp_path: Path) -> None:
    from openpyxl import load_workbook

    from zhaoshang.reports.bulletin import compose
    from zhaoshang.reports.workbook import write

    db, ids = _city(tmp_path / "city.db")
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    r = build(db, OCTOBER, today=TODAY, details=True)
    book = tmp_path / "月报.xlsx"
    write(r, book)
    cover = load_workbook(book, read_only=True)["封面"]
    texts = [str(c) for row in cover.iter_rows(values_only=True) for c in row if c]
    assert any("本期还有 1 条报送待认定：签约 1 个" in t for t in texts)
    overall = compose(r).sections[0].paragraphs
    assert overall[-1] == "截至出表，本期还有 1 条报送待认定（签约 1 个、签约额 30,000 万元），未计入以上数字。"
    # nothing pending: the 通报 reads as before
    with db.command("review confirm", user="审核员"):
        review.confirm(db, everything=True)
    with db.command("setup", user="测试员"):
        db.conn.execute("UPDATE status_log SET reviewed_at = '2025-11-02T09:00:00' WHERE review_note IS NULL "
                        "AND reviewed_by IS NOT NULL")  # fmt: skip
    assert not any(
        "待认定" in p or "补认定" in p for p in compose(build(db, OCTOBER, today=TODAY)).sections[0].paragraphs
    )


def test_the_reviewer_sees_what_would_be_counted_twice(tmp_path: Path) -> None:
    """三明's rules as warnings: a 二期 (or the same project again) reported as new, and a
    second signing of a project already signed."""
    db, ids = _city(tmp_path / "city.db")
    with db.command("stage", user="市招商局"):
        items.set_status(db, ids["铜杆"], "已签约", on="2025-09-01")
    with db.command("stage", user="市招商局"):
        items.set_status(db, ids["铜杆"], "在谈", on="2025-09-20", force=True)
    _submit(db, "爱辉区", [(ids["铜杆"], "已签约", "2025-10-12")], new="铜箔项目（二期）")
    queue = review.queue(db)
    again = next(e for e in queue if e.item_id == ids["铜杆"])
    assert again.figure.startswith("不新增计数") and "不重复计数" in again.warnings[0]
    phase = next(e for e in queue if e.what == "新增")
    assert phase.warnings == (
        f"与编号 {ids['铜箔']}「铜箔项目」是同一项目的不同期（二期 / 首期）：二期作为新项目计数，不算重复；"
        f"请在备注写明关联编号 {ids['铜箔']}",
    )
    assert not any(e.warnings for e in queue if e not in (again, phase))
    # confirmed, the second signing still counts once: in September
    with db.command("review confirm", user="审核员"):
        review.confirm(db, everything=True)
    assert _october(db)["signed"] == 0
    assert build(db, periods.month(date(2025, 9, 1)), today=TODAY).total.period["signed"] == 1


def test_a_report_says_who_reported_for_its_period(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    r = build(db, OCTOBER, today=TODAY)
    assert r.review is not None and r.review.reported == []  # nobody submits: nothing said
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    _submit(db, "北安市", [(ids["大豆"], "已签约", "2025-09-20")])  # for September
    r = build(db, OCTOBER, today=TODAY)
    assert r.review is not None
    rows = {x["unit"]: x for x in r.review.reported}
    assert (rows["爱辉区"]["rows"], rows["爱辉区"]["pending"]) == (1, 1)
    assert not rows["北安市"]["sent"] and not rows["逊克县"]["sent"]
    assert "报送本期数字的单位 1 个；未报送：北安市、逊克县" in r.review.lines()


def test_a_department_outside_the_ranking_is_not_listed_as_silent(tmp_path: Path) -> None:
    db, ids = _city(tmp_path / "city.db")
    with db.command("setup", user="市招商局"):
        lookups.create(db, lookups.UNIT, "市发改委", {"type": "部门", "ranked": "否"})
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    units = [r.unit for r in review.submission_status(db, date.today().strftime("%Y-%m"))]
    assert units == ["爱辉区", "北安市", "逊克县"]


def test_a_returned_move_is_as_if_never_reported(tmp_path: Path) -> None:
    """The office moves the project itself after returning the county's later-dated move: no
    --force needed, nothing flagged 日期早于上次变更."""
    db, ids = _city(tmp_path / "city.db")
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-11-20")])
    with db.command("review return", user="审核员"):
        review.return_rows(db, everything=True, reason="日期不对")
    with db.command("stage", user="市招商局"):
        move = items.set_status(db, ids["铜箔"], "已签约", on="2025-10-08")
    assert move.flag is None
    assert _status(db, ids["铜箔"]) == ("已签约", "2025-10-08")
    assert _october(db)["signed"] == 1


def test_zs_info_says_how_many_wait_only_when_some_do(tmp_path: Path) -> None:
    path = tmp_path / "city.db"
    db, ids = _city(path)
    db.close()
    code, out, err = _zs(path, "info")
    assert code == 0 and "待认定" not in out + err
    db = Database.open(path, load())
    _submit(db, "爱辉区", [(ids["铜箔"], "已签约", "2025-10-08")])
    db.close()
    code, out, err = _zs(path, "info")
    assert "待认定（zs review）" in out + err


def test_a_submission_of_hundreds_of_moves_is_confirmed_at_once(db_path: Path) -> None:
    """More than 200 moves confirmed in one command (the item dates recomputed once, on either
    engine): every item's stage and latest date follow its confirmed move."""
    db = Database.open(db_path, load())
    try:
        with db.command("setup", user="市招商局"):
            lookups.create(db, lookups.CHAIN, "有色金属", {})
            lookups.create(db, lookups.UNIT, "爱辉区", {})
            ids = [
                items.add(db, "招什么", f"项目{n}", chain="有色金属", values={"状态": "在谈", "责任单位": "爱辉区"},
                          on="2025-06-01")
                for n in range(230)
            ]  # fmt: skip
        _submit(db, "爱辉区", [(i, "已签约", "2025-10-08") for i in ids])
        assert {_status(db, i)[0] for i in ids} == {"在谈"}
        with db.command("review confirm", user="审核员"):
            decided = review.confirm(db, everything=True)
        assert len(decided.entries) >= 230
        assert {_status(db, i) for i in ids} == {("已签约", "2025-10-08")}
        assert check(db).ok
    finally:
        db.close()
