"""Each report figure's definition, on a small city built by hand (all in 2025, so that the
dates are in the past whatever the clock says), including the edge cases: a skipped stage,
退库 after signing, moving back and re-signing, funds in two currencies, half-months, a
past day's problem ledger, and a period with no data at all."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zhaoshang import items, lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.reports import config, periods
from zhaoshang.reports.figures import Figures, derive, funds_months, month_split
from zhaoshang.reports.report import build, build_ranking

MARCH = periods.month(date(2025, 3, 1))
TODAY = date(2025, 6, 30)  # "today" for every report here


def _exec(db: Database, sql: str, params: tuple[object, ...]) -> None:
    with db.command("setup", user="测试员"):
        db.conn.execute(sql, params)


class City:
    """Two chains, two ranked districts and a department, and the items of the scenario."""

    def __init__(self, path: Path) -> None:
        self.db = db = Database.open(path, load())
        with db.command("setup", user="测试员"):
            for name in ("有色金属", "大豆加工"):
                lookups.create(db, lookups.CHAIN, name, {})
            lookups.create(db, lookups.UNIT, "爱辉区", {})
            lookups.create(db, lookups.UNIT, "北安市", {})
            lookups.create(db, lookups.UNIT, "市发改委", {"type": "部门", "ranked": "否"})

    def add(self, kind: str, title: str, chain: str, created: str, **values: object) -> int:
        db = self.db
        with db.command("add", user="测试员"):
            iid = items.add(db, kind, title, chain=chain, values={k: v for k, v in values.items() if v is not None})
            db.conn.execute("UPDATE items SET created_at = ? WHERE id = ?", (f"{created}T09:00:00", iid))
            db.conn.execute("UPDATE status_log SET date = ? WHERE item_id = ?", (created, iid))
        return iid

    def move(self, iid: int, status: str, on: str, reason: str | None = None) -> None:
        with self.db.command("stage", user="测试员"):
            items.set_status(self.db, iid, status, on=on, reason=reason, force=True)

    def note(self, iid: int, kind: str, on: str) -> None:
        _exec(
            self.db,
            "INSERT INTO activities(item_id, type, date, summary, user, at) VALUES (?, ?, ?, '记录', 't', 'now')",
            (iid, kind, on),
        )

    def fund(self, iid: int, month: str, domestic: float | None, foreign: float | None) -> None:
        _exec(
            self.db,
            "INSERT INTO funds(item_id, month, domestic, foreign_usd, user, at) VALUES (?, ?, ?, ?, 't', 'now')",
            (iid, month, domestic, foreign),
        )

    def approve(self, iid: int, step: str, on: str) -> None:
        _exec(
            self.db,
            "INSERT INTO approvals(item_id, step, date, user, at) VALUES (?, ?, ?, 't', 'now')",
            (iid, step, on),
        )

    def goal(self, unit: str, metric: str, value: float) -> None:
        uid = lookups.unit_id(self.db, unit)
        _exec(self.db, "INSERT INTO goals(unit_id, year, metric, value) VALUES (?, 2025, ?, ?)", (uid, metric, value))


@pytest.fixture
def city(tmp_path: Path) -> City:
    c = City(tmp_path / "city.db")
    # T1: 在谈 in February, then straight to 已开工 (skipping 已签约 and 已入统) on 5 March
    c.t1 = c.add("招什么", "铜箔项目", "有色金属", "2025-01-05", unit="爱辉区", 投资额="1亿", 外资额="100")
    c.move(c.t1, "在谈", "2025-02-10")
    c.move(c.t1, "已开工", "2025-03-05")
    # T2: signed in March, then 退库 in March
    c.t2 = c.add("招什么", "钼深加工项目", "有色金属", "2025-01-10", unit="北安市", 投资额="2亿")
    c.move(c.t2, "在谈", "2025-02-15")
    c.move(c.t2, "已签约", "2025-03-10")
    c.move(c.t2, "退库", "2025-03-20", reason="企业战略调整")
    # T3: signed in March, moved back, signed again in April (counted once, in March)
    c.t3 = c.add("招什么", "大豆蛋白项目", "大豆加工", "2025-02-01", unit="爱辉区", 投资额="5000")
    c.move(c.t3, "在谈", "2025-02-20")
    c.move(c.t3, "已签约", "2025-03-12")
    c.move(c.t3, "在谈", "2025-03-15")
    c.move(c.t3, "已签约", "2025-04-02")
    # T4: a new lead in March; T5: no unit, 在谈 in March
    c.t4 = c.add("招什么", "豆油项目", "大豆加工", "2025-03-03", unit="北安市", 投资额="8000")
    c.t5 = c.add("招什么", "尾矿项目", "有色金属", "2024-12-20", 投资额="3000")
    c.move(c.t5, "在谈", "2025-03-25")
    # a contact person and an enterprise that is visited twice
    c.c1 = c.add("找谁招", "王振华", "有色金属", "2025-01-02", unit="爱辉区")
    c.e1 = c.add("有什么", "九三粮油", "大豆加工", "2025-01-02", unit="北安市")
    for iid, kind, on in (
        (c.t1, "对接", "2025-03-02"),
        (c.t1, "电话", "2025-03-15"),
        (c.t2, "来访", "2025-03-20"),
        (c.t5, "推介", "2025-02-28"),
        (c.t3, "备注", "2025-03-10"),  # not a contact type
        (c.c1, "电话", "2025-03-05"),
        (c.e1, "走访", "2025-03-08"),
        (c.e1, "走访", "2025-03-18"),
    ):
        c.note(iid, kind, on)
    c.fund(c.t1, "2025-02", 300, None)
    c.fund(c.t1, "2025-03", 500, 50)
    c.fund(c.t2, "2025-03", None, 20)
    # problems: P1 closed after its deadline, P2 open, P3 overdue then cancelled, P4 from a visit
    c.p1 = c.add("问题", "用地审批慢", "有色金属", "2025-03-01", unit="市发改委", 时限="2025-03-10")
    c.move(c.p1, "已销号", "2025-03-20", reason="已办结")
    c.p2 = c.add("问题", "电力接入", "大豆加工", "2025-03-05", unit="市发改委", 时限="2025-04-30")
    c.p3 = c.add("问题", "融资缺口", "有色金属", "2025-02-10", unit="爱辉区", 时限="2025-02-28")
    c.move(c.p3, "已取消", "2025-04-05", reason="企业放弃")
    c.p4 = c.add("问题", "用工缺口", "大豆加工", "2025-03-18", unit="北安市", 来源="大走访", 关联项目=str(c.e1))
    c.move(c.p4, "已销号", "2025-03-25", reason="已招聘")
    # approval speed: land contract 20 Feb, construction permit 4 March = 12 days
    c.approve(c.t1, "土地出让合同", "2025-02-20")
    c.approve(c.t1, "施工许可", "2025-03-04")
    c.goal("爱辉区", "signed_amount", 100000)
    c.goal("爱辉区", "started", 2)
    c.goal("北安市", "signed_amount", 50000)
    return c


def figures(c: City, p: periods.Period, day: date) -> dict[str, float | None]:
    cfg = config.load(c.db.defs)
    with Figures.open(c.db, cfg) as fig:
        return derive(fig.window(p).merge(fig.asof(day)).total())


# ---------------------------------------------------------------------------------------
# Stages
# ---------------------------------------------------------------------------------------


def test_stages_are_counted_once_by_the_date_first_reached(city: City) -> None:
    v = figures(city, MARCH, date(2025, 3, 31))
    assert v["new_targets"] == 1  # T4 (T3 was created in February)
    assert v["talks"] == 1  # T5 (the others reached 在谈 in February)
    assert v["signed"] == 3  # T1 by skipping, T2 before its 退库, T3 before moving back
    assert v["registered"] == 1 and v["started"] == 1  # T1: skipped stages reached the same day
    assert v["producing"] == 0
    assert v["withdrawn"] == 1  # T2
    assert v["signed_amount"] == 35000.0  # 1亿 + 2亿 + 5000 万元
    assert v["signed_foreign"] == 100.0  # 万美元, never added to 万元


def test_resigning_in_april_is_not_a_second_signing(city: City) -> None:
    april = figures(city, periods.month(date(2025, 4, 1)), date(2025, 4, 30))
    assert april["signed"] == 0
    assert april["signed_amount"] == 0.0


def test_withdrawal_after_signing_does_not_uncount_the_signing(city: City) -> None:
    q1 = figures(city, periods.quarter(2025, 1), date(2025, 3, 31))
    h1 = figures(city, periods.from_text("2025年上半年"), date(2025, 6, 30))
    assert q1["signed"] == h1["signed"] == 3
    assert h1["withdrawn"] == 1


def test_conversion_rates_follow_their_cohorts(city: City) -> None:
    ytd = figures(city, MARCH.year_to_date(), date(2025, 3, 31))
    # 在谈 reached this year: T1, T2, T3 (Feb), T5 (Mar); signed by 31 March: T1, T2, T3
    assert (ytd["talks"], ytd["talks_signed"], ytd["rate_signing"]) == (4, 3, 0.75)
    # signed this year: T1, T2, T3; registered by 31 March: T1 (by skipping)
    assert (ytd["signed"], ytd["signed_registered"], ytd["rate_registering"]) == (3, 1, 0.3333)
    assert (ytd["registered"], ytd["registered_started"], ytd["rate_starting"]) == (1, 1, 1.0)


def test_a_cohort_includes_the_next_stage_reached_on_the_last_day(city: City) -> None:
    window = periods.between(date(2025, 2, 1), date(2025, 3, 10))  # T2 signs on 10 March
    v = figures(city, window, date(2025, 3, 10))
    assert (v["talks"], v["talks_signed"]) == (3, 2)  # T1, T2 signed by the 10th; T3 only on the 12th
    assert (v["signed"], v["signed_registered"]) == (2, 1)


# ---------------------------------------------------------------------------------------
# Activities, funds, approvals
# ---------------------------------------------------------------------------------------


def test_contacts_count_contact_types_on_targets_and_contacts_only(city: City) -> None:
    march = figures(city, MARCH, date(2025, 3, 31))
    assert march["contacts"] == 4  # T1 twice, T2, the contact person; not 备注, not the visits
    assert march["visits"] == 2 and march["visited"] == 1  # one enterprise visited twice
    assert figures(city, periods.month(date(2025, 2, 1)), date(2025, 2, 28))["contacts"] == 1


def test_funds_keep_two_currencies_apart(city: City) -> None:
    march = figures(city, MARCH, date(2025, 3, 31))
    assert (march["funds_domestic"], march["funds_foreign"]) == (500.0, 70.0)
    ytd = figures(city, MARCH.year_to_date(), date(2025, 3, 31))
    assert (ytd["funds_domestic"], ytd["funds_foreign"]) == (800.0, 70.0)


def test_a_months_funds_count_in_the_half_month_holding_its_last_day(city: City) -> None:
    first = periods.half_of("2025-03上半月", TODAY)
    second = periods.half_of("2025-03下半月", TODAY)
    assert figures(city, first, date(2025, 3, 15))["funds_domestic"] == 0.0
    assert figures(city, second, date(2025, 3, 31))["funds_domestic"] == 500.0
    assert funds_months(first) is None
    assert funds_months(second) == ("2025-03", "2025-03")
    assert funds_months(periods.between(date(2025, 1, 20), date(2025, 4, 29))) == ("2025-01", "2025-03")


def test_approval_speed_is_days_from_land_contract_to_permit(city: City) -> None:
    march = figures(city, MARCH, date(2025, 3, 31))
    assert (march["permits"], march["permit_days"]) == (1, 12.0)


# ---------------------------------------------------------------------------------------
# Problems
# ---------------------------------------------------------------------------------------


def test_problem_ledger_as_of_the_end_of_march(city: City) -> None:
    v = figures(city, MARCH, date(2025, 3, 31))
    assert v["problems_new"] == 3  # P1, P2, P4
    assert v["problems_closed"] == 2  # P1, P4
    assert v["problems_open"] == 2  # P2, P3 (cancelled only in April)
    assert v["problems_overdue"] == 1  # P3; P2 is due 30 April
    assert (v["problems_closed_total"], v["problems_total"], v["close_rate"]) == (2, 4, 0.5)
    assert (v["visit_problems_found"], v["visit_problems_solved"]) == (1, 1)


def test_a_past_day_shows_the_ledger_as_it_was(city: City) -> None:
    mid = figures(city, periods.half_of("2025-03上半月", TODAY), date(2025, 3, 15))
    assert mid["problems_open"] == 3  # P1 (closed only on 20 March), P2, P3
    assert mid["problems_overdue"] == 2  # P1 (due 10 March) and P3
    april = figures(city, periods.month(date(2025, 4, 1)), date(2025, 4, 30))
    # P3 cancelled: out of the total; P2 due on 30 April is not yet overdue that day
    assert (april["problems_open"], april["problems_overdue"]) == (1, 0)
    assert (april["problems_total"], april["close_rate"]) == (3, 0.6667)


# ---------------------------------------------------------------------------------------
# Scopes, goals, ranking
# ---------------------------------------------------------------------------------------


def test_chains_and_units_add_up_to_the_total(city: City) -> None:
    r = build(city.db, MARCH, today=TODAY)
    chains = {c.name: c.period for c in r.chains}
    units = {u.name: u.period for u in r.units}
    assert (chains["有色金属"]["signed"], chains["有色金属"]["signed_amount"]) == (2, 30000.0)
    assert (chains["大豆加工"]["signed"], chains["大豆加工"]["signed_amount"]) == (1, 5000.0)
    assert units["爱辉区"]["signed"] == 2 and units["北安市"]["signed"] == 1
    assert units["（未指定责任单位）"]["talks"] == 1  # T5 has no unit
    for key in ("signed", "contacts", "funds_domestic", "problems_open", "talks"):
        assert sum(c[key] or 0 for c in chains.values()) == r.total.period[key]
        assert sum(u[key] or 0 for u in units.values()) == r.total.period[key]


def test_goal_completion_and_behind_schedule(city: City) -> None:
    r = build(city.db, MARCH, today=TODAY)
    assert r.asof == date(2025, 3, 31)
    assert r.time_progress == pytest.approx(90 / 365)
    aihui = next(u for u in r.units if u.name == "爱辉区")
    assert aihui.year_to_date["signed_amount"] == 15000.0  # T1 + T3
    assert aihui.completion == {"signed_amount": 0.15, "started": 0.5}
    assert aihui.behind == ["signed_amount"]  # 15% < 24.7% of the year; 50% started is ahead
    assert r.total.goals["signed_amount"] == 150000.0  # the units' goals added up


def test_ranking_scores_with_the_yaml_weights(city: City) -> None:
    rk = build_ranking(city.db, year_=2025, today=date(2025, 3, 31))
    rows = {r.name: r for r in rk.rows}
    assert [r.name for r in rk.rows] == ["北安市", "爱辉区"]  # the department does not compete
    aihui, beian = rows["爱辉区"], rows["北安市"]
    # 签约额 30 × 15%; 到位资金 no goal; 开工 20 × 50%; 对接 best (3 of 3); 销号率 P3 open → 0
    assert aihui.points == {
        "signed_amount": 4.5,
        "funds_domestic": 0.0,
        "started": 10.0,
        "contacts": 10.0,
        "close_rate": 0.0,
    }
    assert aihui.score == 24.5
    # 签约额 30 × 40%; 对接 1 of 3; 销号率 P4 closed → full
    assert beian.points == {
        "signed_amount": 12.0,
        "funds_domestic": 0.0,
        "started": 0.0,
        "contacts": 3.33,
        "close_rate": 10.0,
    }
    assert beian.score == 25.33
    assert "到位资金未设年度目标，得 0 分" in aihui.notes
    assert (beian.rank, aihui.rank) == (1, 2)
    # at the end of February nothing scored: 北安市 had no problem (销号率 不计, not full
    # marks), 爱辉区 an open one (0) — a tie
    assert (beian.previous_rank, aihui.previous_rank) == (1, 1)
    assert (beian.change, aihui.change) == (0, -1)


def test_january_compares_with_last_years_final_ranking_and_goals(city: City) -> None:
    # a 2026 goal that would put 北安市 first if last year's ranking were scored against it
    uid = lookups.unit_id(city.db, "北安市")
    _exec(city.db, "INSERT INTO goals(unit_id, year, metric, value) VALUES (?, 2026, 'signed_amount', 10000)", (uid,))
    r = build(city.db, periods.month(date(2026, 1, 1)), today=date(2026, 1, 31))
    rows = {row.name: row for row in r.ranking.rows}
    # 2025 as of 31 December, with the 2025 goals: 爱辉区 24.5 × 116/106 = 26.81 (P3 was
    # cancelled: no problem left, 销号率 不计) ahead of 北安市 25.33
    assert (rows["爱辉区"].previous_rank, rows["北安市"].previous_rank) == (1, 2)
    # 2026 has no goals and no contacts yet: 北安市 scores its 销号率 (P4, closed), 爱辉区
    # has no problem left (P3 cancelled): 销号率 不计, not full marks
    assert (rows["爱辉区"].score, rows["北安市"].score) == (0.0, 10.0)
    assert (rows["北安市"].rank, rows["北安市"].change) == (1, 1)
    assert r.ranking.year == 2026


def test_a_year_not_yet_begun_is_refused(city: City) -> None:
    """A report of a period still to come would be all zeros at 时序进度 0.0%: refused."""
    with pytest.raises(ZsError, match="统计期「2026年」还没开始"):
        build_ranking(city.db, year_=2026, today=date(2025, 6, 30))
    with pytest.raises(ZsError, match="统计期「2026年3月」还没开始"):
        build(city.db, periods.month(date(2026, 3, 1)), today=date(2025, 6, 30))


def test_previous_year_to_date_by_subtraction_equals_computing_it(city: City) -> None:
    """The ranking's ↑↓ uses year-to-date less this period; it must equal the direct sum."""
    cfg = config.load(city.db.defs)
    with Figures.open(city.db, cfg) as fig:
        ytd, march, feb_ytd = fig.windows([MARCH.year_to_date(), MARCH, periods.month(date(2025, 2, 1)).year_to_date()])
        by_sub = ytd.minus(march, ["visited", "talks_signed", "signed_registered", "registered_started"])
    for key in ("signed", "signed_amount", "contacts", "funds_domestic", "started", "problems_new", "permits"):
        assert by_sub.total().get(key, 0.0) == pytest.approx(feb_ytd.total().get(key, 0.0)), key


# ---------------------------------------------------------------------------------------
# Periods
# ---------------------------------------------------------------------------------------


def test_previous_periods() -> None:
    assert periods.month(date(2025, 1, 1)).previous().label == "2024年12月"
    assert periods.quarter(2025, 1).previous().label == "2024年第四季度"
    assert periods.half_of("2025-03上半月", TODAY).previous().label == "2025年2月下半月"
    assert periods.half_of("2025-03下半月", TODAY).previous().label == "2025年3月上半月"
    custom = periods.between(date(2025, 3, 10), date(2025, 3, 19))
    assert (custom.previous().start, custom.previous().end) == (date(2025, 2, 28), date(2025, 3, 9))
    assert periods.between(date(2025, 3, 1), date(2025, 3, 31)).kind == "month"
    assert periods.from_text("2025").previous().label == "2024年"


def test_year_to_date_labels() -> None:
    assert MARCH.year_to_date().label == "2025年1—3月"
    assert periods.month(date(2025, 1, 1)).year_to_date().label == "2025年1月"
    assert periods.half_of("2025-03上半月", TODAY).year_to_date().label == "2025年1月1日至3月15日"
    assert periods.quarter(2025, 4).year_to_date().kind == "year"


def test_month_split_into_whole_months_and_edges() -> None:
    assert month_split(MARCH) == (["2025-03"], [])
    assert month_split(periods.between(date(2025, 1, 20), date(2025, 4, 10))) == (
        ["2025-02", "2025-03"],
        [("2025-01-20", "2025-01-31"), ("2025-04-01", "2025-04-10")],
    )
    assert month_split(periods.half_of("2025-02下半月", TODAY)) == ([], [("2025-02-16", "2025-02-28")])


def test_half_month_activities_use_day_precise_edges(city: City) -> None:
    first = figures(city, periods.half_of("2025-03上半月", TODAY), date(2025, 3, 15))
    second = figures(city, periods.half_of("2025-03下半月", TODAY), date(2025, 3, 31))
    assert (first["contacts"], second["contacts"]) == (3, 1)  # 2, 5, 15 March | 20 March
    assert (first["visits"], second["visits"]) == (1, 1)
    assert first["signed"] + second["signed"] == 3


# ---------------------------------------------------------------------------------------
# Nothing happened
# ---------------------------------------------------------------------------------------


def test_a_period_with_no_data(city: City) -> None:
    r = build(city.db, periods.month(date(2025, 6, 1)), today=TODAY)
    p = r.total.period
    assert all(p[k] == 0 for k in ("contacts", "new_targets", "signed", "started", "problems_new", "visits"))
    assert p["signed_amount"] == 0.0 and p["funds_domestic"] == 0.0
    assert p["rate_signing"] is None and p["permit_days"] is None
    assert r.asof == TODAY  # the period ends on "today"


def test_an_empty_database_reports_zeros(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "empty.db", load())
    r = build(db, MARCH, today=TODAY)
    assert r.total.period["signed"] == 0 and r.chains == [] and r.ranking.rows == []
    assert r.total.period["close_rate"] is None
