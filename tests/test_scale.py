"""The optimisations made for a province's million items give the same answers as the
straightforward way: streamed output is the text the whole list gives, the early-stopping
search finds what the full sorted query finds, the listing that reads fewer columns holds
the same values.  (No timings here: ``benchmarks/`` measures them.)"""

from __future__ import annotations

import copy
import io
import random
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from _harness import generate
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from zhaoshang import items, render
from zhaoshang.definitions import load
from zhaoshang.render import BATCH, Column, Plan
from zhaoshang.search import matching_ids

COLS = [Column("id", "编号", "right"), Column("title", "名称"), Column("n", "数", "right"), Column("tags", "标签")]

cell_text = st.text(
    alphabet=st.sampled_from([*"铜箔光伏ab ,\"'\n\r\t=+-@é─…😀\x1b\x00", "\u0301", "ｱ", "한"]), max_size=30
)
row = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**7),
        "title": cell_text,
        "n": st.one_of(st.none(), st.integers(-(10**9), 10**9), st.floats(allow_nan=False, allow_infinity=False)),
        "tags": st.one_of(st.none(), st.lists(cell_text, max_size=3)),
    }
)


@settings(max_examples=60, deadline=None)
@given(st.lists(row, max_size=5), st.sampled_from([0, 1, BATCH - 1, BATCH, BATCH + 1, 2 * BATCH + 7]))
def test_streamed_machine_formats_are_the_whole_text(sample: list[dict[str, Any]], n: int) -> None:
    # each row its own objects, as rows read from the database are (YAML would alias shared ones)
    rows = [dict(copy.deepcopy(sample[i % len(sample)]), id=i) for i in range(n)] if sample else []
    for fmt in ("json", "csv", "tsv", "yaml"):
        whole = io.StringIO()
        render.render(rows, COLS, fmt, whole)
        assert "".join(render.stream(iter(rows), COLS, fmt)) == whole.getvalue(), fmt
        if fmt in ("csv", "tsv"):
            whole = io.StringIO()
            render.render(rows, COLS, fmt, whole, header=False)
            assert "".join(render.stream(iter(rows), COLS, fmt, header=False)) == whole.getvalue()


@settings(max_examples=60, deadline=None)
@given(st.lists(row, min_size=1, max_size=40))
def test_a_table_of_one_batch_is_laid_out_as_before(rows: list[dict[str, Any]]) -> None:
    """Within one batch the plan is exact: every line as wide as the widest cell needs."""
    plan = Plan.of(rows, COLS)
    text = plan.head() + plan.body(rows)
    lines = text.splitlines()
    assert len(lines) == len(rows) + 2
    assert render.layout(rows, COLS).text == text
    for line in lines:  # nothing wider than the plan (trailing spaces are stripped)
        assert render.width(line) <= sum(plan.sizes) + 2 * (len(plan.sizes) - 1)


def _reference_line(plan: Plan, r: dict[str, Any]) -> str:
    """A table line as the plain definition gives it: each cell made inert, put on one
    line (never cut: a table without a window's width is piped), measured and padded to
    its column."""
    cells = []
    for c, size in zip(plan.columns, plan.sizes, strict=True):
        v = r.get(c.key)
        text = "" if v is None else "、".join(v) if isinstance(v, list) else str(v)
        t = render.inert(text)
        t = " ".join(t.split()) if "\n" in t or "\t" in t else t
        w = render.width(t)
        cells.append(" " * (size - w) + t if c.align == "right" else t + " " * (size - w))
    return "  ".join(cells).rstrip()


whole_row = st.fixed_dictionaries(
    {
        "id": st.integers(1, 10**7),
        "title": st.one_of(cell_text, st.text(alphabet="铜箔光伏ab", min_size=15, max_size=45)),
        "n": st.one_of(st.none(), st.integers(-(10**9), 10**9)),
        "tags": st.one_of(st.none(), st.lists(cell_text, max_size=3)),
    }
)


@settings(max_examples=80, deadline=None)
@given(st.lists(whole_row, min_size=1, max_size=30), st.lists(whole_row, max_size=30))
def test_every_batch_is_padded_as_the_plain_definition_says(
    first: list[dict[str, Any]], later: list[dict[str, Any]]
) -> None:
    """The plan keeps padded cells from batch to batch: a later batch (and the same batch
    again, from the kept cells) is laid out exactly as cell-by-cell padding would."""
    plan = Plan.of(first, COLS)
    for batch in (first, later, first, later + first):
        assert plan.body(batch) == "".join(_reference_line(plan, r) + "\n" for r in batch)


def test_later_batches_keep_the_widths_and_are_never_cut() -> None:
    first = [{"id": i, "title": "铜箔", "n": 1, "tags": None} for i in range(1, 4)]
    later = [{"id": 123456, "title": "年产5万吨高纯铜箔生产线", "n": 10**9, "tags": ["甲"]}]
    plan = Plan.of(first, COLS, min_sizes={"id": 6})
    assert plan.sizes[0] == 6
    line = plan.body(later).rstrip("\n")
    assert line.startswith("123456  年产5万吨高纯铜箔生产线")  # pushed right, not clipped
    assert "1000000000" in line
    short = plan.body(first).splitlines()
    assert [x[:6] for x in short] == ["     1", "     2", "     3"]  # the id column is 6 wide from the start


# ---------------------------------------------------------------------------------------
# list: streamed, reading only the columns shown
# ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("scale") / "g.db"
    generate(path, 3000, seed=7)
    return path


def _db(path: Path) -> Any:
    from zhaoshang.db import Database

    return Database.open(path, load(), create=False)


@pytest.mark.parametrize(
    "flt",
    [
        items.Filter(),
        items.Filter(chain="新能源"),
        items.Filter(kind="招什么", chain="新能源"),
        items.Filter(kind="解决什么", open_only=True, sort="时限", descending=True),
        items.Filter(kind="招什么", where=["投资额>=10000"], limit=7),
    ],
)
def test_iter_items_with_fewer_columns_holds_the_same_values(generated: Path, flt: items.Filter) -> None:
    db = _db(generated)
    try:
        full = items.list_items(db, flt).rows
        assert full, "the generated data should match every filter here"
        keys = ["chain", "title", "unit", "status"]
        if flt.kind:
            keys.append(db.defs.kind(flt.kind).fields[0].key)
        part = list(items.iter_items(db, flt, keys=keys).rows)
        assert [{k: r[k] for k in ("id", "kind", *keys)} for r in full] == part
        assert any(r["unit"] is None for r in full) or all(r["unit"] for r in part)
        stream = items.iter_items(db, flt)
        assert list(stream.rows) == full
        assert stream.max_id == db.conn.execute("SELECT max(id) FROM items").fetchone()[0]
    finally:
        db.close()


def test_zs_list_streams_what_the_whole_list_shows(generated: Path, tmp_path: Path) -> None:
    """More rows than one batch: same records in JSON, same lines in the table (the id
    column as wide as the widest id in the database)."""
    import json

    from typer.testing import CliRunner

    from zhaoshang.cli import app

    db = tmp_path / "copy.db"
    src = sqlite3.connect(generated)
    dst = sqlite3.connect(db)
    src.backup(dst)
    src.close()
    dst.close()
    runner = CliRunner()
    r = runner.invoke(app, ["--db", str(db), "list", "-f", "json"])
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    handle = _db(db)
    try:
        assert data == json.loads(json.dumps(items.list_items(handle, items.Filter()).rows, default=str))
    finally:
        handle.close()
    assert len(data) == 3000 > BATCH
    r = runner.invoke(app, ["--db", str(db), "list"])
    assert r.exit_code == 0
    lines = r.stdout.splitlines()
    assert len(lines) == 3002 and "共 3000 条" in r.stderr
    widest = len(str(max(d["id"] for d in data)))
    assert all(line[:widest].strip().isdigit() for line in lines[2:])
    assert [int(line[:widest]) for line in lines[2:]] == [d["id"] for d in data]


def test_notes_and_funds_stream_what_their_lists_hold(generated: Path, tmp_path: Path) -> None:
    """zs notes and zs funds write their rows as they read them: the same records as the
    core's lists (more than one batch of them), and the funds table's 合计 is the lists'."""
    import json

    from typer.testing import CliRunner

    from zhaoshang.cli import app
    from zhaoshang.pipeline import activities, funds

    runner = CliRunner()
    handle = _db(generated)
    try:
        notes = activities.list_notes(handle)
        per_project = funds.by_project(handle)
        total = funds.totals(per_project)
    finally:
        handle.close()
    assert len(notes) > BATCH and per_project
    r = runner.invoke(app, ["--db", str(generated), "notes", "-f", "json"])
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    keys = list(shown[0])  # the columns the listing shows
    assert shown == json.loads(json.dumps([{k: n[k] for k in keys} for n in notes], default=str))
    r = runner.invoke(app, ["--db", str(generated), "notes"])
    assert r.exit_code == 0 and f"共 {len(notes)} 条对接记录" in r.stderr
    assert len(r.stdout.splitlines()) == len(notes) + 2
    r = runner.invoke(app, ["--db", str(generated), "funds", "-f", "json"])
    shown = json.loads(r.stdout)
    keys = list(shown[0])
    assert shown == json.loads(json.dumps([{k: p[k] for k in keys} for p in per_project], default=str))
    r = runner.invoke(app, ["--db", str(generated), "funds", "--columns", "title,months,domestic,foreign_usd"])
    assert r.exit_code == 0 and f"共 {len(per_project)} 个项目" in r.stderr
    last = r.stdout.splitlines()[-1].split()
    months = sum(p["months"] for p in per_project)
    assert last[:2] == ["合计", str(months)]
    assert [float(x.replace(",", "")) for x in last[2:4]] == pytest.approx([total["domestic"], total["foreign_usd"]])


def test_approvals_in_one_pass_are_each_projects_own_status(generated: Path) -> None:
    """The overview reads every project's steps in one pass: each row is what the one
    project's status says, every project with a step is there, longest wait first."""
    from datetime import date

    from zhaoshang.pipeline import approvals

    today = date(2026, 12, 1)
    db = _db(generated)
    try:
        found = approvals.overview(db, today=today)
        kinds = [k.key for k in approvals.approval_kinds(db)]
        marks = ", ".join("?" * len(kinds))
        ids = [
            r[0]
            for r in db.conn.execute(
                "SELECT DISTINCT a.item_id FROM approvals a JOIN items i ON i.id = a.item_id "
                f"WHERE i.kind IN ({marks})",
                kinds,
            )
        ]
        assert len(found) == len(ids) > 50
        for row in found:
            st = approvals.status(db, row["id"], today=today)
            assert (row["done"], row["waiting"], row["waiting_days"], row["speed_days"]) == (
                st.done,
                st.waiting,
                st.waiting_days,
                st.speed_days,
            )
        waits = [(r["waiting_days"] is None, -(r["waiting_days"] or 0), r["id"]) for r in found]
        assert waits == sorted(waits)
        waiting = approvals.overview(db, today=today, waiting_only=True)
        assert waiting == [r for r in found if r["waiting"]]
    finally:
        db.close()


def test_ledger_list_streams_every_problem(generated: Path) -> None:
    import json
    from datetime import date

    from typer.testing import CliRunner

    from zhaoshang.cli import app
    from zhaoshang.pipeline import ledger

    handle = _db(generated)
    try:
        problems = ledger.ledger(handle, today=date(2026, 12, 1), open_only=True)
    finally:
        handle.close()
    runner = CliRunner()
    r = runner.invoke(app, ["--db", str(generated), "ledger", "--open", "--today", "2026-12-01", "-f", "json"])
    assert r.exit_code == 0, r.output
    shown = json.loads(r.stdout)
    assert [p["id"] for p in shown] == [p["id"] for p in problems] and problems
    r = runner.invoke(app, ["--db", str(generated), "ledger", "--open", "--today", "2026-12-01"])
    assert f"共 {len(problems)} 个问题" in r.stderr and len(r.stdout.splitlines()) == len(problems) + 2


# ---------------------------------------------------------------------------------------
# search: one pass, stopped early
# ---------------------------------------------------------------------------------------


def _straight(conn: sqlite3.Connection, words: list[str], kind: str | None, limit: int | None) -> list[int]:
    """The query search ran before it stopped early: everything matching, sorted."""
    from zhaoshang.parse import to_halfwidth, to_simplified

    words = to_simplified(to_halfwidth(" ".join(words))).split()
    clauses, params = [], []
    for w in words:
        if 3 <= len(w) <= 64:
            clauses.append("items_fts MATCH ?")
            params.append('"' + w.replace('"', '""') + '"')
        else:
            clauses.append("(instr(lower(f.title), lower(?)) > 0 OR instr(lower(f.body), lower(?)) > 0)")
            params += [w, w]
    sql = "SELECT f.rowid FROM items_fts f JOIN items i ON i.id = f.rowid WHERE " + " AND ".join(clauses)
    if kind:
        sql += " AND i.kind = ?"
        params.append(kind)
    sql += " ORDER BY (instr(lower(f.title), lower(?)) > 0) DESC, f.rowid DESC"
    params.append(words[0])
    ids = [r[0] for r in conn.execute(sql, params)]
    return ids[:limit] if limit else ids


WORDS = [
    "铜",
    "光伏",
    "铜箔",
    "项目",
    "有限公司",
    "a",
    "A",
    "风电 项目",
    "光伏 有限",
    "哈尔滨 铜",
    "不存在",
    "储能电站",
]


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.sampled_from(WORDS),
    st.sampled_from([None, "targets", "problems", "assets"]),
    st.sampled_from([None, 1, 5, 200, 5000]),
)
def test_search_finds_what_the_sorted_query_finds(
    generated: Path, text: str, kind: str | None, limit: int | None
) -> None:
    db = _db(generated)
    try:
        got = matching_ids(db, text, limit=limit, kind=kind)
        assert got == _straight(db.conn, text.split(), kind, limit)
    finally:
        db.close()


def test_search_title_hits_come_first_even_when_older(cli: Any) -> None:
    """The newest items mention the word only in their notes; an old one has it in its
    title: the old one is still first, and a limit of one gives it."""
    import json

    cli("chain", "add", "新能源", ok=True)
    cli("add", "招什么", "铜箔项目", "--chain", "新能源", ok=True)
    for i in range(5):
        cli("add", "招什么", f"光伏项目{i}", "--chain", "新能源", "备注=配套铜箔", ok=True)
    r = cli("search", "铜", "-f", "json", "--limit", "1", ok=True)
    assert [d["title"] for d in json.loads(r.stdout)] == ["铜箔项目"]
    r = cli("search", "铜", "-f", "json", ok=True)
    titles = [d["title"] for d in json.loads(r.stdout)]
    assert titles == ["铜箔项目", *(f"光伏项目{i}" for i in reversed(range(5)))]


def test_search_random_words_match_the_sorted_query(generated: Path) -> None:
    db = _db(generated)
    try:
        titles = [r[0] for r in db.conn.execute("SELECT title FROM items_fts ORDER BY rowid LIMIT 400")]
        rnd = random.Random(3)
        for _ in range(60):
            t = rnd.choice(titles)
            i = rnd.randrange(len(t))
            word = t[i : i + rnd.choice([1, 2, 3, 5])]
            for limit in (None, 3, 200):
                assert matching_ids(db, word, limit=limit) == _straight(db.conn, word.split(), None, limit), word
    finally:
        db.close()


# ---------------------------------------------------------------------------------------
# history: the new rows of an import as ranges
# ---------------------------------------------------------------------------------------


def _sheet(path: Path, n: int, note: str = "说明") -> Path:
    import csv

    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["项目名称", "产业链", "投资额", "备注"])
        w.writerows([f"区间项目{i}", "新能源", 100 + i, f"{note}{i}"] for i in range(n))
    return path


def test_an_import_is_a_few_change_rows_and_history_still_shows_every_row(cli: Any, tmp_path: Path) -> None:
    import json

    from conftest import dump

    from zhaoshang.history import changes_of, commands

    cli("chain", "add", "新能源", ok=True)
    before = {t: r for t, r in dump(cli.db).items() if t not in ("changes", "commands")}
    cli("import", str(_sheet(tmp_path / "a.csv", 700)), "--kind", "招什么", ok=True)
    conn = sqlite3.connect(cli.db)
    cmd = conn.execute("SELECT max(id) FROM commands").fetchone()[0]
    rows, size = conn.execute(
        "SELECT count(*), sum(length(coalesce(old, '')) + length(coalesce(new, ''))) FROM changes WHERE command_id = ?",
        (cmd,),
    ).fetchone()
    first = conn.execute("SELECT min(id) FROM items WHERE title LIKE '区间项目%'").fetchone()[0]
    conn.close()
    assert rows <= 4 and not size  # items, kind rows, status log: one range each, no JSON
    # a later edit: the import's history still shows the value as imported
    cli("edit", str(first), "备注=后来改的", ok=True)
    db = _db(cli.db)
    try:
        shown = [c for c in changes_of(db, cmd) if c.table == "items"]
        assert len(shown) == 700 and shown[0].row_id == first
        assert shown[0].new is not None and shown[0].new["notes"] == "说明0"
        entry = next(e for e in commands(db, limit=5) if e.id == cmd)
        assert entry.counts[("items", "insert")] == 700 and entry.total >= 1400
        mine = commands(db, item_id=first + 5, limit=5)
        assert [e.id for e in mine] == [cmd]
        assert {c.table for c in mine[0].changes} >= {"items"}
        assert all(c.row_id == first + 5 for c in mine[0].changes if c.table == "items")
    finally:
        db.close()
    text = cli("history", str(first + 5), ok=True).stdout
    assert f"新增 编号 {first + 5}「区间项目5」" in text
    data = json.loads(cli("history", "-n", "2", "-f", "json", ok=True).stdout)
    assert data[1]["id"] == cmd and data[1]["changes_total"] >= 1400
    # rm and restore of an imported item work as for any item
    cli("rm", str(first + 1), ok=True)
    cli("restore", str(first + 1), ok=True)
    cli("undo", "--yes", ok=True)  # the restore
    cli("undo", "--yes", ok=True)  # the rm
    cli("undo", "--yes", ok=True)  # the edit
    cli("undo", "--yes", ok=True)  # the import: one range delete per table
    after = {t: r for t, r in dump(cli.db).items() if t not in ("changes", "commands")}
    assert after == before
    conn = sqlite3.connect(cli.db)
    undo_rows = conn.execute(
        "SELECT tbl, action, n_rows FROM changes WHERE command_id = (SELECT max(id) FROM commands) ORDER BY id"
    ).fetchall()
    fts = conn.execute("SELECT count(*) FROM items_fts WHERE title LIKE '区间项目%'").fetchone()[0]
    conn.close()
    assert ("items", "delete", 700) in undo_rows and fts == 0


def test_a_range_never_covers_rows_that_were_there_before(cli: Any, tmp_path: Path) -> None:
    """A second import adds stage-log rows to items of the first (a status changes): the
    ranges of each import hold its own new rows only, so undoing the second keeps the first."""
    from conftest import dump

    cli("chain", "add", "新能源", ok=True)
    cli("import", str(_sheet(tmp_path / "a.csv", 30)), "--kind", "招什么", ok=True)
    middle = {t: r for t, r in dump(cli.db).items() if t not in ("changes", "commands")}
    with (tmp_path / "b.csv").open("w", encoding="utf-8") as fh:
        fh.write("项目名称,产业链,状态,签约日期\n")
        fh.writelines(f"区间项目{i},新能源,已签约,2026-10-{i % 28 + 1:02d}\n" for i in range(30))
        fh.writelines(f"新项目{i},新能源,在谈,\n" for i in range(40))
    cli(
        "import",
        str(tmp_path / "b.csv"),
        "--kind",
        "招什么",
        "--on-duplicate",
        "update",
        "--as-of",
        "2026-11-30",
        ok=True,
    )
    signed = cli("list", "招什么", "--status", "已签约", "-f", "json", ok=True).stdout
    assert signed.count("区间项目") == 30
    cli("undo", "--yes", ok=True)
    assert {t: r for t, r in dump(cli.db).items() if t not in ("changes", "commands")} == middle


# ---------------------------------------------------------------------------------------
# warn: each group keeps only its worst few
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("per_group", [1, 3, 30])
@pytest.mark.parametrize("by", ["owner", "leader"])
def test_warn_overview_keeps_the_worst_of_each_group(generated: Path, per_group: int, by: str) -> None:
    """The heap per group and the text read at the end give what building every warning,
    sorting and grouping gives — on generated data, where groups hold hundreds."""
    from datetime import date

    from zhaoshang.pipeline import warnings

    db = _db(generated)
    try:
        for today in (date(2026, 6, 30), date(2026, 12, 1)):
            found = warnings.compute(db, today=today)
            assert len(found) > 500
            view = warnings.overview(db, today=today, by=by, per_group=per_group)
            want = warnings.group_by(found, by)
            assert view.counts == warnings.counts(found)
            assert [(g.name, g.red, g.yellow, g.items, g.total) for g in view.groups] == [
                (g.name, g.red, g.yellow, g.items, len(g.warnings)) for g in want
            ]
            assert [g.warnings for g in view.groups] == [g.warnings[:per_group] for g in want]
            assert view.widest_id == max((w.id for g in want for w in g.warnings[:per_group]), default=0)
            other = "leader" if by == "owner" else "owner"
            assert [(g.name, g.red, g.yellow, g.items) for g in view.others] == [
                (g.name, g.red, g.yellow, g.items) for g in warnings.group_by(found, other)
            ]
    finally:
        db.close()


@pytest.mark.parametrize("batch", [1, 7, 5000])
def test_warn_groups_read_their_text_in_batches_in_any_order(
    generated: Path, batch: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The listed items' text is read a batch of groups at a time: any batch size, and the
    groups read in any order (last first, twice, one warning alone), give the same warnings;
    an item deleted before its group is read is shown as deleted, not a crash."""
    import sqlite3
    from datetime import date

    from zhaoshang.pipeline import warnings

    monkeypatch.setattr(warnings, "FACTS_BATCH", batch)
    today = date(2026, 12, 1)
    db = _db(generated)
    try:
        want = warnings.group_by(warnings.compute(db, today=today), "owner")
        view = warnings.overview(db, today=today, per_group=5)
        for g, w in reversed(list(zip(view.groups, want, strict=True))):
            assert list(g.warnings) == w.warnings[:5] == list(g.warnings)
            assert g.warnings[-1] == w.warnings[min(5, len(w.warnings)) - 1]
        last = view.groups[-1].warnings[0]
    finally:
        db.close()
    copy = generated.parent / f"gone-{batch}.db"
    src, dst = sqlite3.connect(generated), sqlite3.connect(copy)
    src.backup(dst)
    src.close()
    dst.close()
    db = _db(copy)
    try:
        view = warnings.overview(db, today=today, per_group=5)
        with db.command("rm", user="另一位同事"):  # between the scan and the table
            db.conn.execute("DELETE FROM items WHERE id = ?", (last.id,))
        gone = [w for g in view.groups for w in g.warnings if w.id == last.id]
        assert gone and all(w.title == "（条目已删除）" for w in gone)
    finally:
        db.close()


def test_worst_lights_are_those_of_the_warnings(generated: Path) -> None:
    """zs leaders counts each item by its worst light without building the warnings: the
    same lights as building them all (red wins over yellow), on several days."""
    from datetime import date

    from zhaoshang.pipeline import warnings

    db = _db(generated)
    try:
        for today in (date(2025, 1, 1), date(2026, 6, 30), date(2026, 12, 1)):
            want: dict[int, str] = {}
            for w in warnings.compute(db, today=today):
                if want.get(w.id) != warnings.RED:
                    want[w.id] = w.light
            assert warnings.worst_lights(db, today=today) == want
            assert warnings.RED in want.values() and warnings.YELLOW in want.values()
    finally:
        db.close()


def test_warn_json_and_csv_stream_every_warning_in_order(generated: Path, tmp_path: Path) -> None:
    """``warn -f json`` / ``-f csv`` are written as the warnings are built: the same records,
    in the same order, as :func:`compute` gives (more than one batch of them)."""
    import csv
    import io
    import json
    from datetime import date

    from typer.testing import CliRunner

    from zhaoshang.cli import app
    from zhaoshang.pipeline import warnings

    db = _db(generated)
    try:
        want = [w.as_dict() for w in warnings.compute(db, today=date(2026, 12, 1))]
    finally:
        db.close()
    assert len(want) > BATCH
    runner = CliRunner()
    base = ["--db", str(generated), "warn", "--today", "2026-12-01"]
    r = runner.invoke(app, [*base, "-f", "json"])
    assert r.exit_code == 0, r.output
    got = json.loads(r.stdout)
    assert [(g["id"], g["type"], g["light"], g["message"]) for g in got] == [
        (w["id"], w["type"], w["light"], w["message"]) for w in want
    ]
    r = runner.invoke(app, [*base, "-f", "csv", "--keys"])
    rows = list(csv.DictReader(io.StringIO(r.stdout)))
    assert [(int(x["id"]), x["type"]) for x in rows] == [(w["id"], w["type"]) for w in want]
    r = runner.invoke(app, [*base, "-f", "json", "--owner", "没有这个人"])
    assert r.exit_code == 0 and r.stdout == "[]\n"


def _statuses_by_replay(db: Any, cfg: Any, days: list[Any]) -> dict[int, list[str | None]]:
    """Each problem's status on ``days`` the plain way: its current one when nothing moved
    after the earliest day, otherwise that of its last log row (by date, then id) dated on
    or before the day; None before its first."""
    kind = db.defs.kind_by_key(cfg.problem_kind)
    lo = min(days).isoformat()
    logs: dict[int, list[tuple[str, int, str]]] = {}
    for item_id, day, log_id, status in db.conn.execute("SELECT item_id, date, id, to_status FROM status_log"):
        logs.setdefault(item_id, []).append((day, log_id, status))
    out: dict[int, list[str | None]] = {}
    for item_id, current in db.conn.execute("SELECT id, status FROM items WHERE kind = ?", (kind.key,)):
        moves = sorted(logs.get(item_id, []))
        moved = any(day > lo for day, _, _ in moves)
        out[item_id] = []
        for d in days:
            on = [status for day, _, status in moves if day <= d.isoformat()]
            out[item_id].append((on[-1] if on else None) if moved else current)
    return out


def _ledger_by_replay(db: Any, cfg: Any, days: list[Any]) -> list[dict[tuple[Any, Any], dict[str, float]]]:
    """The problem ledger on ``days`` from the replayed statuses (none yet: not counted)."""
    kind = db.defs.kind_by_key(cfg.problem_kind)
    terminal, cancelled = set(kind.terminal_statuses()), set(cfg.cancelled)
    statuses = _statuses_by_replay(db, cfg, days)
    out: list[dict[tuple[Any, Any], dict[str, float]]] = [{} for _ in days]
    for item_id, chain_id, unit_id, due in db.conn.execute(
        "SELECT id, chain_id, unit_id, due FROM items WHERE kind = ?", (kind.key,)
    ):
        for i, d in enumerate(days):
            st = statuses[item_id][i]
            if st is None:
                continue
            is_open = st not in terminal
            cell = out[i].setdefault((chain_id, unit_id), dict.fromkeys(LEDGER_KEYS, 0.0))
            cell["problems_open"] += is_open
            cell["problems_overdue"] += is_open and due is not None and due < d.isoformat()
            cell["problems_closed_total"] += st == cfg.closed_status
            cell["problems_total"] += st not in cancelled
    return out


LEDGER_KEYS = ("problems_open", "problems_overdue", "problems_closed_total", "problems_total")


@pytest.mark.parametrize("cancelled", ["configured", "none"])
def test_the_problem_ledger_on_past_days_is_the_replayed_log(generated: Path, cancelled: str) -> None:
    """The ledger counts in SQL (the moved problems' status on each day by one index lookup
    each): the same cells and figures as replaying every problem's log, on days before,
    inside and after the data, with and without cancelled statuses configured."""
    import dataclasses
    from datetime import date

    from zhaoshang.reports.config import load as load_cfg
    from zhaoshang.reports.figures import Figures

    db = _db(generated)
    try:
        cfg = load_cfg(db.defs)
        if cancelled == "none":
            cfg = dataclasses.replace(cfg, cancelled=())
        lo, hi = db.conn.execute("SELECT min(date), max(date) FROM status_log").fetchone()
        first, last = date.fromisoformat(lo), date.fromisoformat(hi)
        middle = first + (last - first) / 2
        for days in (
            [last, middle, first],
            [middle],
            [first.replace(year=first.year - 1), middle, last.replace(year=last.year + 1)],
        ):
            want = _ledger_by_replay(db, cfg, days)
            with Figures.open(db, cfg) as fig:
                got = [cells.data for cells in fig.ledgers(days)]
            assert got == want, days
        # the rows behind the figures carry the same status the ledger counts
        kind = db.defs.kind_by_key(cfg.problem_kind)
        terminal = set(kind.terminal_statuses())
        for day in (first, middle, last):
            on = {k: v[0] for k, v in _statuses_by_replay(db, cfg, [day]).items()}
            with Figures.open(db, cfg) as fig:
                rows = fig.problem_rows(middle, last, day)
            assert rows and all(r["status"] == on[r["id"]] for r in rows)
            listed = {r["id"] for r in rows}
            assert all(i in listed for i, st in on.items() if st is not None and st not in terminal)
            assert any(v["problems_closed_total"] for cells in want for v in cells.values())
            assert any(v["problems_overdue"] for cells in want for v in cells.values())
    finally:
        db.close()
