"""Every figure counted in the month it happened: one stage model for stage, add, edit, close
and reopen -- backfill without --force, no holes in the rules, date fields and the log one fact,
no write dated after the real today, 新增 by the day an item came in."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import pytest
from conftest import Cli, dump
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pipeline_helpers import build_city, open_db, query

from zhaoshang import items, stages
from zhaoshang.errors import ZsError

TODAY = date.today()
TOMORROW = (TODAY + timedelta(days=1)).isoformat()


@pytest.fixture
def city(cli: Cli, db_path: Path) -> Cli:
    build_city(db_path)
    return cli


def add(cli: Cli, *args: str, ok: bool | None = True):  # type: ignore[no-untyped-def]
    return cli("add", "招什么", *args, "--chain", "绿色矿业", ok=ok)


def log(db_path: Path, item_id: int) -> list[tuple[str | None, str, str, str | None]]:
    return query(
        db_path,
        "SELECT from_status, to_status, date, flag FROM status_log WHERE item_id = ? "
        "ORDER BY date, from_status IS NOT NULL, id",
        (item_id,),
    )


def test_backfill_is_normal_not_forced(city: Cli, db_path: Path) -> None:
    """数据补录: a project in talks since October, typed in today."""
    add(city, "铜箔项目")
    r = city("stage", "1", "在谈", "--date", "2026-10-15", ok=True)
    assert "登记日期随之提前" in r.stderr
    assert log(db_path, 1) == [(None, "线索", "2026-10-15", None), ("线索", "在谈", "2026-10-15", None)]
    # show lists the log in date order: the entry first
    text = city("show", "1", ok=True).stdout
    assert text.index("2026-10-15          线索") < text.index("2026-10-15  线索    在谈")
    # a later move dated before the last one still needs --force, and is flagged
    city("stage", "1", "已签约", "--date", "2026-11-01", ok=True)
    r = city("stage", "1", "已入统", "--date", "2026-10-20", ok=False)
    assert "早于上一次阶段变更（2026-11-01）" in r.stderr
    city("stage", "1", "已入统", "--date", "2026-10-20", "--force", ok=True)
    assert query(db_path, "SELECT flag FROM status_log ORDER BY id DESC LIMIT 1") == [("out_of_order",)]


def test_add_with_a_date_records_when_the_item_came_in(city: Cli, db_path: Path) -> None:
    add(city, "补录项目", "--date", "2026-03-02")
    assert log(db_path, 1) == [(None, "线索", "2026-03-02", None)]
    march = json.loads(city("report", "monthly", "--month", "2026-03", "-f", "json", ok=True).stdout)
    assert march["total"]["period"]["new_targets"] == 1  # counted in March, not in the month it was typed in
    if TODAY.strftime("%Y-%m") != "2026-03":
        month = json.loads(city("report", "monthly", "--month", TODAY.strftime("%Y-%m"), "-f", "json").stdout)
        assert month["total"]["period"]["new_targets"] == 0


def test_add_with_a_status_follows_the_stage_rules(city: Cli, db_path: Path) -> None:
    before = dump(db_path)
    r = add(city, "X", "状态=已签约", ok=False)
    assert r.stderr == "新条目从「线索」到「已签约」是跨阶段推进：确需如此请加 --force（将被标记）\n"
    assert dump(db_path) == before
    r = add(city, "X", "签约日期=2026-10-15", ok=False)
    assert "状态是「线索」，却填了签约日期" in r.stderr
    assert dump(db_path) == before
    # the same move with --force: dated by its own date field, flagged, 签约日期 filled from the log
    add(city, "X", "状态=已签约", "签约日期=2026-10-15", "--date", "2026-09-01", "--force")
    assert log(db_path, 1) == [(None, "线索", "2026-09-01", None), ("线索", "已签约", "2026-10-15", "skip")]
    assert query(db_path, "SELECT signed_date FROM kind_targets WHERE id = 1") == [("2026-10-15",)]
    # the next stage needs nothing: 在谈 on --date
    add(city, "Y", "状态=在谈", "--date", "2026-08-01")
    assert log(db_path, 2) == [(None, "线索", "2026-08-01", None), ("线索", "在谈", "2026-08-01", None)]
    # stage dates out of order, or for a stage not reached, are refused with the fields named
    r = add(city, "Z", "状态=已开工", "签约日期=2026-10-15", "开工日期=2026-09-01", "--force", ok=False)
    assert "开工日期 2026-09-01 早于签约日期 2026-10-15" in r.stderr
    r = add(city, "Z", "状态=已签约", "开工日期=2026-09-01", "--force", ok=False)
    assert "还没有到「已开工」阶段，不能填开工日期" in r.stderr


def test_leaving_a_terminal_status_needs_reopen_or_force(city: Cli, db_path: Path) -> None:
    add(city, "X", "状态=在谈", "--date", "2026-10-01")
    city("stage", "1", "退库", "-r", "企业放弃", "--date", "2026-10-20", ok=True)
    before = dump(db_path)
    r = city("stage", "1", "已投产", ok=False)
    assert "已是「退库」（终止状态）" in r.stderr and "zs reopen 1" in r.stderr
    assert dump(db_path) == before
    r = city("reopen", "1", ok=True)
    assert log(db_path, 1)[-1][:2] == ("退库", "在谈") and log(db_path, 1)[-1][3] is None
    city("stage", "1", "退库", "-r", "又放弃", ok=True)
    city("stage", "1", "已签约", "--force", ok=True)
    assert query(db_path, "SELECT flag FROM status_log ORDER BY id DESC LIMIT 1") == [("left_terminal",)]


@pytest.mark.parametrize(
    "args",
    [
        ["stage", "1", "在谈", "--date", TOMORROW],
        ["close", "1", "--reason", "放弃", "--date", TOMORROW],
        ["add", "招什么", "Y", "--chain", "绿色矿业", "--date", TOMORROW],
        ["note", "1", "谈了", "--date", TOMORROW],
        ["fund", "1", "--month", (TODAY.replace(day=1) + timedelta(days=32)).strftime("%Y-%m"), "--domestic", "1"],
    ],
)
def test_no_write_is_dated_after_the_real_today(city: Cli, db_path: Path, args: list[str]) -> None:
    add(city, "X")
    before = dump(db_path)
    r = city(*args, ok=False)
    assert r.exit_code == 1 and ("晚于今天" in r.stderr or "还没到" in r.stderr), r.stderr
    assert dump(db_path) == before


@pytest.mark.parametrize("command", ["stage", "note", "fund", "approve", "escalate"])
def test_today_is_a_way_of_looking_not_of_writing(city: Cli, command: str) -> None:
    r = city(command, "--help", ok=True)
    assert "--today" not in r.stdout


def test_a_stage_date_field_and_the_log_are_one_fact(city: Cli, db_path: Path) -> None:
    add(city, "X", "状态=在谈", "--date", "2026-09-01")
    city("stage", "1", "已签约", "--date", "2026-10-15", ok=True)
    city("edit", "1", "签约日期=2026-10-10", ok=True)
    assert ("在谈", "已签约", "2026-10-10", None) in log(db_path, 1)
    signed = json.loads(
        city(
            "list", "招什么", "--reached", "已签约", "--from", "2026-10-01", "--to", "2026-10-31", "-f", "json", ok=True
        ).stdout
    )
    assert [r["id"] for r in signed] == [1]
    city("undo", "--yes", ok=True)
    assert ("在谈", "已签约", "2026-10-15", None) in log(db_path, 1)
    before = dump(db_path)
    assert "早于此前的「在谈」" in city("edit", "1", "签约日期=2026-08-01", ok=False).stderr
    assert "还没有到「已开工」阶段" in city("edit", "1", "开工日期=2026-11-01", ok=False).stderr
    assert "不能清空" in city("edit", "1", "签约日期=", ok=False).stderr
    assert dump(db_path) == before


# ---------------------------------------------------------------------------------------
# property: for any sequence of dated moves, the counts are the log's
# ---------------------------------------------------------------------------------------

STAGES = ["线索", "在谈", "已签约", "已入统", "已开工", "已投产", "退库"]
BASE = date(2025, 1, 1)

moves_strategy = st.lists(
    st.tuples(
        st.integers(0, 2),  # which item
        st.sampled_from([*STAGES[1:], "reopen"]),
        st.integers(0, 600),  # day offset from BASE
        st.booleans(),  # force
    ),
    max_size=25,
)


def _brute_first(log_rows: list[tuple[int, str | None, str, str]], order: list[str], stage: str) -> dict[int, str]:
    later = set(order[order.index(stage) :]) if stage in order else {stage}
    out: dict[int, str] = {}
    for item_id, _f, to, day in log_rows:
        if to in later and (item_id not in out or day < out[item_id]):
            out[item_id] = day
    return out


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(moves=moves_strategy, entries=st.lists(st.integers(0, 600), min_size=3, max_size=3))
def test_any_sequence_of_dated_moves_counts_by_the_log(
    tmp_path_factory: pytest.TempPathFactory, moves: list[tuple[int, str, int, bool]], entries: list[int]
) -> None:
    path = tmp_path_factory.mktemp("prop") / "zs.db"
    build_city(path)
    db = open_db(path)
    try:
        ids = []
        for n, offset in enumerate(entries):
            with db.command("add", user="测试员"):
                ids.append(items.add(db, "招什么", f"项目{n}", chain="绿色矿业", on=BASE + timedelta(days=offset)))
        for which, target, offset, force in moves:
            item_id = ids[which]
            on = BASE + timedelta(days=offset)
            try:
                with db.command("stage", user="测试员"):
                    if target == "reopen":
                        items.reopen(db, item_id)
                    else:
                        items.set_status(db, item_id, target, on=on, force=force, reason="测试")
            except ZsError:
                pass  # refused: nothing written (the command rolls back)
        kind = db.defs.kind("targets")
        order = stages.stages_of(kind)
        rows = [
            (int(a), b, str(c), str(d))
            for a, b, c, d in db.conn.execute("SELECT item_id, from_status, to_status, date FROM status_log")
        ]
        for item_id in ids:
            mine = [r for r in rows if r[0] == item_id]
            entry = [r for r in mine if r[1] is None]
            assert len(entry) == 1
            # the item came in no later than anything that happened to it
            assert all(entry[0][3] <= r[3] for r in mine)
            # nothing after the real today
            assert all(r[3] <= TODAY.isoformat() for r in mine)
            # every stage date field is the first day the log reached that stage
            for stage, key in stages.date_fields(kind).items():
                field = db.conn.execute(f"SELECT {key} FROM kind_targets WHERE id = ?", (item_id,)).fetchone()[0]
                assert field == _brute_first(mine, order, stage).get(item_id)
            # the current status is where the log ends (the last move by id)
            last = max(
                (r for r in db.conn.execute("SELECT id, to_status FROM status_log WHERE item_id = ?", (item_id,))),
                key=lambda r: r[0],
            )
            assert db.conn.execute("SELECT status FROM items WHERE id = ?", (item_id,)).fetchone()[0] == last[1]
        # every period's count of "reached" is a count of the log by date (months of 2025-2026)
        for stage in ("在谈", "已签约", "已开工", "退库"):
            brute = _brute_first(rows, order, stage)
            for year, month in ((2025, 3), (2025, 9), (2026, 1), (2026, 6)):
                start = date(year, month, 1)
                end = (start + timedelta(days=32)).replace(day=1) - timedelta(days=1)
                got = stages.first_reached(db, stage, start, end)
                want = {i: d for i, d in brute.items() if start.isoformat() <= d <= end.isoformat()}
                assert got == want
                sql, params = stages.reached_clause(db, kind, stage, start, end)
                listed = {int(i) for (i,) in db.conn.execute(f"SELECT i.id FROM items i WHERE {sql}", params)}
                assert listed == set(want)
    finally:
        db.close()


def test_an_imported_signing_counts_in_the_month_it_happened(city: Cli, db_path: Path, tmp_path: Path) -> None:
    """A county sheet with 状态=已签约 and 签约日期=2026-10-15: the signing is October's, not the
    month of the import."""
    sheet = tmp_path / "县.csv"
    sheet.write_text(
        "项目名称,产业链,状态,签约日期,投资额\n铜箔项目,绿色矿业,已签约,2026-10-15,5000\n钼项目,绿色矿业,在谈,,3000\n",
        encoding="utf-8",
    )
    # 在谈 has no date on the sheet: dating it the day of import is refused, with the fix
    r = city("import", str(sheet), "--kind", "招什么", ok=False)
    assert "第3行" in r.stderr and "改为「在谈」没有日期" in r.stderr and "--as-of" in r.stderr
    city("import", str(sheet), "--kind", "招什么", "--as-of", "2026-10-20", ok=True)
    r = city("import", str(sheet), "--kind", "招什么", "--as-of", "2026-10-20", ok=True)  # again: nothing changes
    assert "没有变化" in r.stderr
    assert log(db_path, 1) == [(None, "线索", "2026-10-15", None), ("线索", "已签约", "2026-10-15", "skip")]
    assert log(db_path, 2) == [(None, "线索", "2026-10-20", None), ("线索", "在谈", "2026-10-20", None)]
    october = json.loads(city("report", "monthly", "--month", "2026-10", "-f", "json", ok=True).stdout)
    assert october["total"]["period"]["signed"] == 1
    if TODAY.strftime("%Y-%m") != "2026-10":
        now = json.loads(city("report", "monthly", "--month", TODAY.strftime("%Y-%m"), "-f", "json").stdout)
        assert now["total"]["period"]["signed"] == 0


ADDITIVE_SKIP = ("rate", "close_rate", "permit_days")  # ratios and averages do not add up


@pytest.mark.slow
def test_a_city_report_is_the_sum_of_its_counties(tmp_path: Path) -> None:
    """Roll-up keeps every date of the county -- creation, stage moves, activities, funds,
    problems -- so the city's report for any past month equals the sum of its counties' reports,
    figure by figure (two generated counties, a year of months)."""
    from _harness import generate

    counties = []
    for seed in (11, 12):
        db = tmp_path / f"county{seed}.db"
        generate(db, 300, seed=seed)
        book = tmp_path / f"county{seed}.xlsx"
        Cli(db)("export", str(book), ok=True)
        counties.append(db)
    city = Cli(tmp_path / "city.db")
    city("init", ok=True)
    for seed in (11, 12):
        # generated names repeat across counties: they are different projects of different offices
        city("import", str(tmp_path / f"county{seed}.xlsx"), "--on-duplicate", "new", ok=True)
    # a roll-up waits for 认定 by itself: the city counts the counties' figures once it confirms them
    city("review", "confirm", "--all", ok=True)
    month = TODAY.replace(day=1)
    checked = 0
    seen: dict[str, float] = {}
    for _ in range(12):
        m = month.strftime("%Y-%m")
        reports = [
            json.loads(Cli(db)("report", "monthly", "--month", m, "-f", "json", ok=True).stdout) for db in counties
        ]
        mine = json.loads(city("report", "monthly", "--month", m, "-f", "json", ok=True).stdout)
        for part in ("period", "year_to_date"):
            for key, value in mine["total"][part].items():
                if not isinstance(value, int | float) or key.startswith(ADDITIVE_SKIP):
                    continue
                total = sum(r["total"][part][key] for r in reports)
                assert value == pytest.approx(total), (m, part, key, value, total)
                checked += 1
                if part == "period":
                    seen[key] = seen.get(key, 0) + value
        month = (month - timedelta(days=1)).replace(day=1)
    assert checked > 300
    # the months are not empty: new projects, signings, funds and problems in them
    for key in ("new_targets", "signed", "signed_amount", "funds_domestic", "problems_new", "contacts"):
        assert seen[key] > 0, key


FIELD_OF = {"已签约": "签约日期", "已入统": "入统日期", "已开工": "开工日期", "已投产": "投产日期", "退库": "退库日期"}
KEY_OF = {"已签约": "signed_date", "已入统": "registered_date", "已开工": "started_date", "已投产": "produced_date",
          "退库": "exit_date"}  # fmt: skip

rows_strategy = st.lists(
    st.tuples(
        st.sampled_from(STAGES),  # the row's status
        st.dictionaries(st.sampled_from(list(FIELD_OF)), st.integers(0, 700), max_size=4),  # stage date offsets
    ),
    min_size=1,
    max_size=6,
)


def _check_history(db: object, kind: object, item_id: int) -> list[tuple[str | None, str, str]]:
    rows = [
        (f, str(t), str(d))
        for f, t, d in db.conn.execute(  # type: ignore[attr-defined]
            "SELECT from_status, to_status, date FROM status_log WHERE item_id = ? ORDER BY id", (item_id,)
        )
    ]
    assert rows[0][0] is None and all(r[0] is not None for r in rows[1:])
    assert [r[2] for r in rows] == sorted(r[2] for r in rows)  # in time order
    assert all(r[2] <= TODAY.isoformat() for r in rows)
    order = stages.stages_of(kind)  # type: ignore[arg-type]
    for stage, key in KEY_OF.items():
        field = db.conn.execute(f"SELECT {key} FROM kind_targets WHERE id = ?", (item_id,)).fetchone()[0]  # type: ignore[attr-defined]
        want = _brute_first([(item_id, f, t, d) for f, t, d in rows], order, stage).get(item_id)
        assert field == want, (stage, rows)
    return rows


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=rows_strategy, as_of=st.integers(0, 700))
def test_any_sheet_or_add_of_dated_rows_follows_the_same_rules(
    tmp_path_factory: pytest.TempPathFactory, rows: list[tuple[str, dict[str, int]]], as_of: int
) -> None:
    """A county sheet and `zs add --force` give the same history for the same row: each dated
    stage on its date, the rest on the sheet's date, the log in time order, every date field
    the log's -- or the same refusal."""
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    base = tmp_path_factory.mktemp("sheet")
    sheet_db, add_db = base / "sheet.db", base / "add.db"
    build_city(sheet_db)
    build_city(add_db)
    fallback = (BASE + timedelta(days=as_of)).isoformat()
    header = ["项目名称", "产业链", "状态", "退库原因", *FIELD_OF.values()]
    lines = [",".join(header)]
    wanted: list[tuple[str, dict[str, str]]] = []
    for n, (status, offsets) in enumerate(rows):
        dates = {s: (BASE + timedelta(days=o)).isoformat() for s, o in offsets.items()}
        wanted.append((status, dates))
        why = "测试" if status == "退库" else ""  # a move to 退库 carries its reason, on a sheet as with add
        lines.append(",".join([f"项目{n}", "绿色矿业", status, why, *(dates.get(s, "") for s in FIELD_OF)]))
    csv_path = base / "县.csv"
    csv_path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    runner = CliRunner()
    r = runner.invoke(app, ["--db", str(sheet_db), "import", str(csv_path), "--kind", "招什么", "--as-of", fallback])
    added = []
    for n, (status, dates) in enumerate(wanted):
        args = ["--db", str(add_db), "add", "招什么", f"项目{n}", "--chain", "绿色矿业", "--date", fallback, "--force",
                f"状态={status}", *(f"{FIELD_OF[s]}={d}" for s, d in dates.items())]  # fmt: skip
        if status == "退库":
            args += ["--reason", "测试"]
        added.append(runner.invoke(app, args).exit_code == 0)
    sheet = open_db(sheet_db)
    mine = open_db(add_db)
    try:
        kind = sheet.defs.kind("targets")
        if r.exit_code != 0:
            assert not all(added)  # the sheet was refused because some row is: add refuses that row too
            assert sheet.conn.execute("SELECT count(*) FROM items").fetchone()[0] == 0
            return
        assert all(added)
        for n, (status, dates) in enumerate(wanted):
            sid = sheet.conn.execute("SELECT id FROM items WHERE title = ?", (f"项目{n}",)).fetchone()[0]
            aid = mine.conn.execute("SELECT id FROM items WHERE title = ?", (f"项目{n}",)).fetchone()[0]
            a, b = _check_history(sheet, kind, sid), _check_history(mine, kind, aid)
            assert a == b
            assert a[-1][1] == status
            # each stage the row dates is reached on that date (a row's own dates are kept)
            for stage, day in dates.items():
                assert stages.first_reached_item(sheet, kind, sid, stage) == day
    finally:
        sheet.close()
        mine.close()
