"""增资只计增加的金额 (issue 26, the 三明 rule): a signed project's investment going up counts
only the increment, in the month it happened, and goes through 认定 like any reported figure;
a correction of the amount (zs edit) puts the first signing right; a county sheet that
changes a signed project's amount reports an investment change waiting for 认定.  Property:
a month's 签约额 equals first signings' amounts plus the confirmed increments in the month."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from zhaoshang import increments, items, lookups, review
from zhaoshang.cli import app
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.history import undo_last
from zhaoshang.reports import periods
from zhaoshang.reports.report import build

pytestmark = pytest.mark.engines

TODAY = date(2025, 12, 31)
OCT, NOV, DEC = (periods.month(date(2025, m, 1)) for m in (10, 11, 12))


def _city(path: Path) -> tuple[Database, dict[str, int]]:
    """铜箔 signed in October for 3亿 (the city's own, confirmed); 铜杆 in talks."""
    db = Database.open(path, load())
    ids: dict[str, int] = {}
    with db.command("setup", user="市招商局"):
        lookups.create(db, lookups.CHAIN, "有色金属", {})
        lookups.create(db, lookups.UNIT, "爱辉区", {})
        lookups.create(db, lookups.UNIT, "北安市", {})
        for name, unit, amount in (("铜箔", "爱辉区", "3亿"), ("铜杆", "北安市", "1亿")):
            ids[name] = items.add(
                db,
                "招什么",
                f"{name}项目",
                chain="有色金属",
                values={"状态": "在谈", "责任单位": unit, "投资额": amount, "目标企业": f"{name}公司"},
                on="2025-06-01",
            )
        items.set_status(db, ids["铜箔"], "已签约", on="2025-10-08")
    return db, ids


def _signed_amount(db: Database, period: periods.Period, *, include_pending: bool = False) -> float:
    r = build(db, period, today=TODAY, include_pending=include_pending)
    return float(r.total.period["signed_amount"] or 0)


def _undo(db: Database, user: str) -> None:
    with db.command("undo", user=user):
        undo_last(db, expected=None, user=user)


def _amount(db: Database, item_id: int) -> float:
    return float(items.get(db, item_id)["investment"])


def test_an_increase_counts_only_its_increment_in_its_own_month(db_path: Path) -> None:
    db, ids = _city(db_path)
    with db.command("invest add", user="市招商局"):
        res = increments.add(db, ids["铜箔"], "5000", on="2025-11-03", note="补充协议")
    assert not res.pending and not res.unsigned
    assert (res.change.old, res.change.new, res.change.delta) == (30000, 35000, 5000)
    assert _amount(db, ids["铜箔"]) == 35000  # the amount now
    # October keeps what was signed; November counts the increment only — not 35000 in October
    assert _signed_amount(db, OCT) == 30000
    assert _signed_amount(db, NOV) == 5000
    assert _signed_amount(db, DEC) == 0
    r = build(db, NOV, today=TODAY)
    assert r.total.period["signed"] == 0  # an increase is no second signing
    # a correction (zs edit) puts the first signing right, in the month of the signing
    with db.command("edit", user="市招商局"):
        items.edit(db, ids["铜箔"], {"投资额": "33000"})
    assert _signed_amount(db, OCT) == 28000
    assert _signed_amount(db, NOV) == 5000
    # undo takes the increase back: the amount and the figure
    _undo(db, "市招商局")
    _undo(db, "市招商局")
    assert _amount(db, ids["铜箔"]) == 30000
    assert _signed_amount(db, NOV) == 0 and _signed_amount(db, OCT) == 30000


def test_an_increase_before_the_signing_counts_with_it_and_unsigned_is_said(db_path: Path) -> None:
    db, ids = _city(db_path)
    with db.command("invest add", user="市招商局"):
        res = increments.add(db, ids["铜杆"], 2000, on="2025-09-10")
    assert res.unsigned  # 铜杆 is in talks: the increase counts with its first signing
    with db.command("stage", user="市招商局"):
        items.set_status(db, ids["铜杆"], "已签约", on="2025-11-20")
    assert _signed_amount(db, NOV) == 12000  # 铜杆 signed with 1亿 + 2000
    assert _signed_amount(db, OCT) == 30000


def test_an_increase_is_refused_when_not_positive_or_without_an_amount_field(db_path: Path) -> None:
    db, ids = _city(db_path)
    with pytest.raises(ZsError, match=r"应大于 0.*zs edit"), db.command("invest add", user="x"):
        increments.add(db, ids["铜箔"], "-100", on="2025-11-03")
    with pytest.raises(ZsError, match="晚于今天"), db.command("invest add", user="x"):
        increments.add(db, ids["铜箔"], "100", on="2099-01-01")
    assert increments.changes(db, ids["铜箔"]) == []
    with db.command("setup", user="x"):
        problem = items.add(db, "问题", "用地指标不足", chain="有色金属", values={}, on="2025-06-01")
    with pytest.raises(ZsError, match="没有投资额（万元）字段"), db.command("invest add", user="x"):
        increments.add(db, problem, "100", on="2025-11-03")


def test_own_review_makes_the_increase_wait_and_confirmation_moves_the_amount(db_path: Path) -> None:
    db, ids = _city(db_path)
    with db.command("review own", user="市招商局"):
        review.set_own_review(db, True)
    with db.command("invest add", user="爱辉区"):
        res = increments.add(db, ids["铜箔"], "5000", on="2025-11-03")
    assert res.pending
    assert _amount(db, ids["铜箔"]) == 30000  # the amount waits with the figure
    assert _signed_amount(db, NOV) == 0
    assert _signed_amount(db, NOV, include_pending=True) == 5000
    assert _signed_amount(db, OCT, include_pending=True) == 30000
    (entry,) = review.queue(db)
    assert entry.ref == f"Z{res.change.id}" and entry.what == "增资"
    assert entry.figure.startswith("计入 2025-11：签约额增加 5000 万元")
    with db.command("review confirm", user="科长"):
        decision = review.confirm(db, refs=[entry.ref], note="补充协议已核")
    assert [e.ref for e in decision.entries] == [entry.ref]
    assert _amount(db, ids["铜箔"]) == 35000
    assert _signed_amount(db, NOV) == 5000 and _signed_amount(db, OCT) == 30000
    # confirmed long after November closed: the November report lists it as 补认定
    late = build(db, NOV, today=TODAY).review
    assert late is not None and [x["ref"] for x in late.late] == [entry.ref]
    _undo(db, "科长")  # the confirmation undone: waits again, the amount back
    assert _amount(db, ids["铜箔"]) == 30000 and _signed_amount(db, NOV) == 0


def _sheet(db: Database, unit: str, changes: dict[int, str], *, on: str | None = "2025-11-10") -> int:
    """A county's sheet that changed amounts, as the import writes it, then the review hook."""
    with db.command("import", user="市招商局", args=f"{unit}.xlsx") as info:
        for item_id, amount in changes.items():
            items.edit(db, item_id, {"投资额": amount})
        marked = review.mark_submission(db, source={i: f"{unit}.xlsx 第{i}行" for i in changes}, on=on)
        assert marked.invests == len([i for i in changes if increments.signed_on(db, items.kind_of(db, i), i)])
    return info.id


def test_a_county_sheet_raising_a_signed_projects_amount_reports_an_increase(db_path: Path) -> None:
    db, ids = _city(db_path)
    sub = _sheet(db, "爱辉区", {ids["铜箔"]: "4亿", ids["铜杆"]: "1.5亿"})
    # the signed project's change waits; the amount field keeps its counted value
    assert _amount(db, ids["铜箔"]) == 30000
    # the project in talks: its amount is only data until it signs
    assert _amount(db, ids["铜杆"]) == 15000
    (entry,) = review.queue(db, submission=sub)
    assert entry.table == "invest_changes" and entry.source == f"爱辉区.xlsx 第{ids['铜箔']}行"
    assert "签约额增加 10000 万元" in entry.figure and entry.month == "2025-11"
    assert _signed_amount(db, NOV) == 0
    # returned: goes back to the county with the reason
    with db.command("review return", user="科长"):
        review.return_rows(db, refs=[entry.ref], reason="缺补充协议")
    (back,) = review.outstanding_returns(db, item_ids=[ids["铜箔"]])
    assert review.returned_text(back).startswith(
        "已退回：增资（2025-11-10，投资额 30000 → 40000 万元），原因：缺补充协议"
    )
    # the county resubmits the sheet: a new pending change, the returned one no longer outstanding
    _sheet(db, "爱辉区", {ids["铜箔"]: "4亿"})
    assert review.outstanding_returns(db, item_ids=[ids["铜箔"]]) == []
    with db.command("review confirm", user="科长"):
        review.confirm(db, submission=None, where=["责任单位=爱辉区"])
    assert _amount(db, ids["铜箔"]) == 40000
    assert _signed_amount(db, NOV) == 10000 and _signed_amount(db, OCT) == 30000


def test_undoing_the_import_takes_the_reported_change_and_the_amount_back(db_path: Path) -> None:
    db, ids = _city(db_path)
    _sheet(db, "爱辉区", {ids["铜箔"]: "4亿"})
    assert len(increments.changes(db, ids["铜箔"])) == 1
    _undo(db, "市招商局")
    assert increments.changes(db, ids["铜箔"]) == [] and _amount(db, ids["铜箔"]) == 30000
    assert review.queue(db) == []


def test_a_county_sheet_lowering_the_amount_is_a_correction_of_the_signing(db_path: Path) -> None:
    db, ids = _city(db_path)
    _sheet(db, "爱辉区", {ids["铜箔"]: "2.5亿"})
    (entry,) = review.queue(db)
    assert entry.what == "投资额更正" and entry.month == "2025-10"
    assert "不是新增的签约额" in entry.figure
    assert any("按更正处理" in w for w in entry.warnings)
    with db.command("review confirm", user="科长"):
        review.confirm(db, refs=[entry.ref])
    assert _amount(db, ids["铜箔"]) == 25000
    assert _signed_amount(db, OCT) == 25000 and _signed_amount(db, NOV) == 0


def test_the_reviewer_is_told_which_no_double_count_rule_a_row_touches(db_path: Path) -> None:
    db, ids = _city(db_path)
    with db.command("import", user="市招商局", args="爱辉区.xlsx"):
        items.set_status(db, ids["铜箔"], "已入统", on="2025-11-02")
        items.set_status(db, ids["铜箔"], "已签约", on="2025-11-05", force=True)
        second = items.add(db, "招什么", "铜箔二期项目", chain="有色金属", values={"状态": "在谈"}, on="2025-11-03")
        owner = items.add(
            db,
            "招什么",
            "铜箔项目",
            chain="有色金属",
            values={"状态": "在谈", "目标企业": "新东家公司"},
            on="2025-11-03",
        )
        same = items.add(db, "招什么", "铜杆 项目", chain="有色金属", values={"状态": "在谈"}, on="2025-11-03")
        review.mark_submission(db, source="爱辉区.xlsx")
    by_item: dict[int, list[str]] = {}
    for e in review.queue(db):
        by_item.setdefault(e.item_id, []).extend(e.warnings)
    phase = " ".join(by_item[second])
    assert "二期作为新项目计数，不算重复" in phase and f"关联编号 {ids['铜箔']}" in phase
    assert "投资方变更仍是同一项目" in " ".join(by_item[owner])
    assert "同一项目请退回" in " ".join(by_item[same])
    signing = " ".join(by_item[ids["铜箔"]])
    assert "再次签约不重复计数" in signing and f"zs invest add {ids['铜箔']}" in signing


# ---------------------------------------------------------------------------------------
# Property: a month's 签约额 is first signings plus confirmed increments in it
# ---------------------------------------------------------------------------------------

_days = st.sampled_from(["2025-09-15", "2025-10-08", "2025-10-20", "2025-11-03", "2025-11-28", "2025-12-05"])
_events = st.lists(
    st.tuples(st.sampled_from(["increase", "edit"]), st.integers(1, 50).map(lambda n: n * 100.0), _days,
              st.sampled_from(["confirmed", "pending", "returned"])),
    max_size=6,
)  # fmt: skip


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(signed_on=st.sampled_from(["2025-10-08", "2025-11-10", None]), events=_events)
def test_signed_amount_equals_signings_plus_confirmed_increments(
    tmp_path_factory: pytest.TempPathFactory, signed_on: str | None, events: list[tuple[str, float, str, str]]
) -> None:
    db = Database.open(tmp_path_factory.mktemp("p") / "zs.db", load())
    with db.command("setup", user="市"):
        lookups.create(db, lookups.CHAIN, "有色金属", {})
        pid = items.add(
            db, "招什么", "项目", chain="有色金属", values={"状态": "在谈", "投资额": 1000}, on="2025-06-01"
        )
        if signed_on:
            items.set_status(db, pid, "已签约", on=signed_on)
    amount = 1000.0  # the model: the amount field, the confirmed increases (day, +), the pending ones
    confirmed: list[tuple[str, float]] = []
    pending: list[tuple[str, float]] = []
    for what, value, day, state in events:
        if what == "edit":  # a correction by the office
            with db.command("review own", user="市"):
                review.set_own_review(db, False)
            with db.command("edit", user="市"):
                items.edit(db, pid, {"投资额": value})
            amount = value
            continue
        with db.command("review own", user="市"):
            review.set_own_review(db, state != "confirmed")
        with db.command("invest add", user="县"):
            res = increments.add(db, pid, value, on=day)
        if state == "returned":
            with db.command("review return", user="市"):
                review.return_rows(db, refs=[f"Z{res.change.id}"], reason="不符")
        if state == "confirmed":
            amount += value
            confirmed.append((day, value))
        if state == "pending":
            pending.append((day, value))
    assert _amount(db, pid) == amount
    base = amount - sum(v for _, v in confirmed)
    for p in (OCT, NOV, DEC):
        a, b = p.start.isoformat(), p.end.isoformat()
        want = would = 0.0
        if signed_on:
            want += base if a <= signed_on <= b else 0.0
            want += sum(v for d, v in confirmed if a <= max(d, signed_on) <= b)
            would = want + sum(v for d, v in pending if a <= max(d, signed_on) <= b)
        assert _signed_amount(db, p) == pytest.approx(want), (p.label, events)
        # --include-pending: as if every waiting increase were confirmed; returned ones never count
        assert _signed_amount(db, p, include_pending=True) == pytest.approx(would), (p.label, events)
    db.close()


# ---------------------------------------------------------------------------------------
# The command line
# ---------------------------------------------------------------------------------------


def test_cli_invest_add_list_and_review(db_path: Path) -> None:
    path = db_path
    db, ids = _city(path)
    db.close()
    runner = CliRunner()
    pid = ids["铜箔"]
    res = runner.invoke(app, ["--db", str(path), "invest", "add", str(pid), "5000", "--date", "2025-11-03"])
    assert res.exit_code == 0, res.output
    assert f"编号 {pid} 增资 5000 万元（2025-11-03）：投资额 30000 → 35000 万元，计入 2025-11 的签约额" in res.output
    res = runner.invoke(app, ["--db", str(path), "invest", "add", str(pid), "0"])
    assert res.exit_code == 1 and "应大于 0" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["--db", str(path), "invest", "list", "999"])
    assert res.exit_code == 1 and "999" in res.output and "Traceback" not in res.output
    res = runner.invoke(app, ["--db", str(path), "invest", "list", str(pid), "-f", "json"])
    assert res.exit_code == 0, res.output
    assert '"change_name": "增资"' in res.output and '"review_name": "已认定"' in res.output
    runner.invoke(app, ["--db", str(path), "review", "own", "开"])
    res = runner.invoke(app, ["--db", str(path), "invest", "add", str(pid), "1000", "--date", "2025-12-01"])
    assert res.exit_code == 0 and "待认定（编号 Z2）" in res.output
    res = runner.invoke(app, ["--db", str(path), "review"])
    assert "Z2" in res.output and "增资" in res.output and "签约额增加 1000 万元" in res.output
    res = runner.invoke(app, ["--db", str(path), "review", "confirm", "Z2"])
    assert res.exit_code == 0 and "已认定 1 条（编号 Z2），计入 2025-12" in res.output


def test_the_signing_detail_sheet_says_the_increase_beside_the_signings(db_path: Path, tmp_path: Path) -> None:
    """明细-签约 lists the projects first signed (their amount at signing); the 增资 of the period
    that the headline 签约额 also holds is said in its summary."""
    import openpyxl

    db, ids = _city(db_path)
    with db.command("invest add", user="市招商局"):
        increments.add(db, ids["铜箔"], "5000", on="2025-10-20")
    db.close()
    out = tmp_path / "月报.xlsx"
    args = ["report", "monthly", "--month", "2025-10", "--today", "2025-12-31", "--out", str(out)]
    r = CliRunner().invoke(app, ["--db", str(db_path), *args])
    assert r.exit_code == 0, r.output
    ws = openpyxl.load_workbook(out.with_name("月报明细.xlsx"))["明细-签约"]
    text = " ".join(str(c.value) for row in ws.iter_rows(max_row=3) for c in row if c.value)
    assert "本期 1 个、签约额 3.00亿元，另有增资 5,000万元" in text


def test_an_edit_of_a_signed_projects_amount_waits_when_entries_need_review(db_path: Path) -> None:
    """zs review own 开 (and a server's 填报 account): a counted amount is not changed by zs edit
    behind the office's back — the change waits like a reported one; a project not yet signed
    is edited as before."""
    db, ids = _city(db_path)
    db.close()
    runner = CliRunner()

    def zs(*args: str) -> str:
        res = runner.invoke(app, ["--db", str(db_path), *args])
        assert res.exit_code == 0, res.output
        return res.output

    zs("review", "own", "开")
    out = zs("edit", str(ids["铜箔"]), "投资额=3.2亿")
    assert "投资额 30000 → 32000 万元待认定（编号 Z1）" in out
    out = zs("edit", str(ids["铜杆"]), "投资额=1.1亿")
    assert "待认定" not in out
    db = Database.open(db_path, load())
    assert _amount(db, ids["铜箔"]) == 30000 and _amount(db, ids["铜杆"]) == 11000
    (entry,) = review.queue(db)
    assert (entry.ref, entry.what) == ("Z1", "增资") and (entry.source or "").endswith(" 录入")
    db.close()
    zs("review", "confirm", "Z1")
    db = Database.open(db_path, load())
    assert _amount(db, ids["铜箔"]) == 32000
    assert _signed_amount(db, OCT) == 30000
    db.close()
