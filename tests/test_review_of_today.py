"""Review of issue 25's importer rules (r3): ordinary county sheets the new rules misread.

Each test shows a real defect and is a strict xfail until it is fixed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from zhaoshang import lookups
from zhaoshang.choices import OnDuplicate
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file
from zhaoshang.exchange.tables import is_total_name

TODAY = dt.date(2026, 12, 7)
TITLE = ["孙吴县2026年10月招商引资项目表"]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database.open(tmp_path / "city.db", load())
    with d.command("setup", user="测试员"):
        lookups.create(d, lookups.CHAIN, "新能源", {})
        lookups.create(d, lookups.CHAIN, "绿色矿业", {})
        lookups.create(d, lookups.UNIT, "孙吴县", {"type": "区县"})
    try:
        yield d
    finally:
        d.close()


def book(path: Path, name: str, rows: list[list[Any]]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = name
    for r in rows:
        ws.append(r)
    wb.save(path)
    return path


def run(db: Database, path: Path, **opts: Any) -> ImportReport | ZsError:
    opts.setdefault("kind", "招什么")
    opts.setdefault("today", TODAY)
    opts.setdefault("review", False)  # a 「孙吴县…」 title waits for 认定; these tests read stored results at once
    try:
        return import_file(db, path, ImportOptions(**opts), user="测试员")
    except ZsError as exc:
        return exc


def statuses(db: Database) -> list[tuple[str, str]]:
    return [(r[0], r[1]) for r in db.query("SELECT title, status FROM items ORDER BY id")]


# 1. A sheet named or titled for projects NOT yet at a stage (拟签约 / 待签约 / 计划开工 /
#    意向签约) or for two stages (洽谈签约, 在谈、签约) gives every row without a 状态 that
#    stage, dated by the report period: a list of projects to be signed is imported as signed
#    in October and counted in October's 签约额, exit 0.
@pytest.mark.parametrize(
    ("sheet", "title"),
    [
        ("拟签约项目", TITLE[0]),
        ("待签约项目", TITLE[0]),
        ("意向签约项目", TITLE[0]),
        ("计划开工项目", TITLE[0]),
        ("招什么", "孙吴县2026年10月招商引资项目洽谈签约情况表"),
        ("招什么", "孙吴县2026年10月在谈、签约项目表"),
        ("招什么", "孙吴县2026年10月新签约及新开工项目表"),
    ],
)
def test_sheet_of_projects_not_yet_at_a_stage_is_not_that_stage(
    db: Database, tmp_path: Path, sheet: str, title: str
) -> None:
    path = book(
        tmp_path / "a.xlsx",
        sheet,
        [
            [title],
            ["序号", "项目名称", "产业链", "投资额（亿元）"],
            [1, "氢能产业园项目", "新能源", 5],
            [2, "钢铁深加工项目", "绿色矿业", 3],
        ],
    )
    got = run(db, path)
    if isinstance(got, ZsError):
        return  # a refusal asking for a 状态 column is right
    assert all(s not in ("已签约", "已开工") for _, s in statuses(db)), statuses(db)


# 2. A numbered project whose name ends in a sum word (数据汇总, 总量 …) is skipped as a total,
#    silently losing a project (it has its own 序号, chain, status, date).
def test_numbered_project_named_with_sum_word_is_imported(db: Database, tmp_path: Path) -> None:
    path = book(
        tmp_path / "b.xlsx",
        "招什么",
        [
            TITLE,
            ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期"],
            [1, "氢能产业园项目", "新能源", 5, "已签约", "2026-10-08"],
            [2, "政务大数据汇总", "新能源", 1, "已签约", "2026-10-11"],
        ],
    )
    got = run(db, path)
    assert not isinstance(got, ZsError), got
    assert [t for t, _ in statuses(db)] == ["氢能产业园项目", "政务大数据汇总"]


def test_total_names_seen_in_review() -> None:
    """(What held up: ordinary names with 全/本/共/汇/总 are not totals.)"""
    for name in (
        "全市首个氢能产业园项目",
        "本溪钢铁深加工项目",
        "共享仓储物流中心",
        "总部经济大厦项目",
        "全县光伏发电项目",
    ):
        assert not is_total_name(name)


# 3. A project row without a 序号 whose one amount happens to equal the sum of the numbered rows
#    above is refused as a total, though it carries what no total row has: its own chain,
#    status and signing date.
def test_unnumbered_project_with_own_facts_is_not_a_sum_row(db: Database, tmp_path: Path) -> None:
    path = book(
        tmp_path / "c.xlsx",
        "招什么",
        [
            TITLE,
            ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期"],
            [1, "氢能产业园项目", "新能源", 1, "已签约", "2026-10-08"],
            [2, "钢铁深加工项目", "绿色矿业", 1, "已签约", "2026-10-09"],
            [None, "共享仓储物流中心", "新能源", 2, "已签约", "2026-10-10"],
        ],
    )
    got = run(db, path)
    assert not isinstance(got, ZsError), got
    assert len(statuses(db)) == 3


# 4. 「首次签约日期」 is the signing date (the first signing; 增资 come later), refused now as
#    an unknown column because 首次 before a name is taken for an earlier version.
def test_first_signing_date_column_is_the_signing_date(db: Database, tmp_path: Path) -> None:
    path = book(
        tmp_path / "d.xlsx",
        "招什么",
        [
            TITLE,
            ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "首次签约日期"],
            [1, "氢能产业园项目", "新能源", 1, "已签约", "2026-10-08"],
        ],
    )
    got = run(db, path)
    assert not isinstance(got, ZsError), got


# 5. The importer itself advises 「--map 电话=忽略」 for an unknown column; when two columns
#    share that header (联系人/电话 for two contacts), following the advice is refused by the
#    new one-column-each rule — though ignoring both is exactly what the user asked.
def test_map_header_to_ignore_over_two_columns_is_accepted(db: Database, tmp_path: Path) -> None:
    path = book(
        tmp_path / "e.xlsx",
        "招什么",
        [
            TITLE,
            ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期", "电话", "电话"],
            [1, "氢能产业园项目", "新能源", 5, "已签约", "2026-10-08", "13900000000", "13800000000"],
        ],
    )
    got = run(db, path, mapping=["电话=忽略"])
    assert not isinstance(got, ZsError), got


def merged_heading_book(path: Path, heading: str) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    for r in [
        TITLE,
        ["序号", "项目名称", "产业链", "投资额（亿元）", "状态"],
        [1, "氢能产业园项目", "新能源", 5, "在谈"],
        [heading],
        [2, "钼矿深加工项目", "绿色矿业", 3, "已开工"],
    ]:
        ws.append(r)
    ws.merge_cells("A1:E1")
    ws.merge_cells("A4:E4")  # a heading across the table: its text is in the 序号 column
    wb.save(path)
    return path


# 6. A group heading 「续建项目」 merged across the table (its text in the 序号 column, no
#    「二、」 before it) is skipped as 「空白模板行 只有序号，没有内容」: the 续建 rule never sees
#    it and the 续建 project is dated 2026-10-31 as one of October's new starts, exit 0.
#    (「二、续建项目」 in the same place is read and the row refused asking for 开工日期.)
def test_merged_continuing_heading_is_not_a_template_row(db: Database, tmp_path: Path) -> None:
    got = run(db, merged_heading_book(tmp_path / "f.xlsx", "续建项目"))
    if isinstance(got, ZsError):
        return  # asking for 开工日期 is right
    dated = db.query(
        "SELECT s.date FROM status_log s JOIN items i ON i.id = s.item_id"
        " WHERE i.title = '钼矿深加工项目' AND s.to_status = '已开工'"
    )
    assert [r[0] for r in dated] != ["2026-10-31"]


# 7. (Older than today, but the same unit line today's 填表说明 rule reads.) A unit line above
#    the header that also names the foreign unit — 「金额单位：亿元；外资额单位：万美元」 — is
#    dropped: 投资额 5 is read as 5 万元 (「表头没写单位，按万元读」), 10,000 times too small, exit 0.
@pytest.mark.parametrize("line", ["金额单位：亿元；外资额单位：万美元", "金额单位：亿元，外资：万美元"])
def test_unit_line_naming_two_units_is_not_dropped(db: Database, tmp_path: Path, line: str) -> None:
    path = book(
        tmp_path / "g.xlsx",
        "招什么",
        [
            TITLE,
            [line],
            ["序号", "项目名称", "产业链", "投资额", "外资额", "状态", "签约日期"],
            [1, "氢能产业园项目", "新能源", 5, 100, "已签约", "2026-10-08"],
        ],
    )
    got = run(db, path)
    if isinstance(got, ZsError):
        return  # a refusal asking for the unit in the header is acceptable
    inv = db.query("SELECT investment FROM kind_targets")
    assert [float(r[0]) for r in inv] == [50000.0]


# 8. A 填表说明 sheet that names both units (「金额单位：亿元；外资额单位：万美元」) is read as
#    亿元 for 外资额 too, and the refusal says 外资额 「本列没有写单位，…算作亿元」 — the sheet said
#    万美元 for it.  Right: 外资额 in 万美元 (or at least a message that does not contradict it).
def test_instructions_naming_the_foreign_unit_give_it(db: Database, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    for r in [
        TITLE,
        ["序号", "项目名称", "产业链", "投资额", "外资额", "状态", "签约日期"],
        [1, "氢能产业园项目", "新能源", 5, 100, "已签约", "2026-10-08"],
    ]:
        ws.append(r)
    notes = wb.create_sheet("填表说明")
    notes.append(["填表说明"])
    notes.append(["1. 金额单位：亿元；外资额单位：万美元"])
    wb.save(tmp_path / "h.xlsx")
    got = run(db, tmp_path / "h.xlsx", sheet="招什么")
    assert not isinstance(got, ZsError), got


# 9. A workbook with its 填表说明 sheet (the sheet today's rule reads the unit from) is refused
#    as a whole: 「「填表说明」工作表中找不到表头 … 或用 --map 指定列」 — the fix it names is wrong;
#    the sheet is instructions, known as such, and should be skipped (listed) or --sheet named.
def test_instructions_sheet_does_not_refuse_the_workbook(db: Database, tmp_path: Path) -> None:
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "招什么"
    for r in [
        TITLE,
        ["序号", "项目名称", "产业链", "投资额", "状态", "签约日期"],
        [1, "氢能产业园项目", "新能源", 5, "已签约", "2026-10-08"],
    ]:
        ws.append(r)
    notes = wb.create_sheet("填表说明")
    notes.append(["填表说明"])
    notes.append(["1. 金额单位：亿元"])
    wb.save(tmp_path / "i.xlsx")
    got = run(db, tmp_path / "i.xlsx")
    if isinstance(got, ZsError):
        assert "--sheet" in str(got) or "--sheet" in " ".join(str(p) for p in getattr(got, "problems", []))
        return
    inv = db.query("SELECT investment FROM kind_targets")
    assert [float(r[0]) for r in inv] == [50000.0]


# 10. A group heading that is a chain's bare name (「绿色矿业」, 「续建项目」) in the name column
#     under a numbered row is refused as 「上一行名称写到了第二行」 (「绿色矿业产业链」 there is a
#     heading).
@pytest.mark.parametrize(
    "heading",
    [
        "绿色矿业",
        "续建项目",
        "新开工项目（3个）",
    ],
)
def test_bare_chain_heading_in_name_column_is_a_heading(db: Database, tmp_path: Path, heading: str) -> None:
    path = book(
        tmp_path / "j.xlsx",
        "招什么",
        [
            TITLE,
            ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期"],
            [1, "氢能产业园项目", "新能源", 5, "已签约", "2026-10-08"],
            [None, heading],
            [2, "钼矿深加工项目", "绿色矿业", 3, "已签约", "2026-10-09"],
        ],
    )
    got = run(db, path)
    assert not isinstance(got, ZsError), got


# 11. (Highest harm.) Two projects of one county with the same generic name in two chains
#     (「标准化厂房项目」 under 新能源 and under 绿色矿业 — county lists are full of such names).
#     The monthly sheet lists both; under the usual --on-duplicate update the 新能源 row is
#     「不变」 and the 绿色矿业 row, now suspected across chains, updates the SAME item: its chain
#     becomes 绿色矿业, its amount and stage the other project's — two rows of one sheet on one
#     item, one project lost, exit 0.  Before today the second row was a new item of 绿色矿业.
def test_two_chains_same_name_in_one_sheet_are_two_items(db: Database, tmp_path: Path) -> None:
    header = ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期"]
    first = book(
        tmp_path / "s1.xlsx",
        "招什么",
        [["孙吴县2026年9月招商引资项目表"], header, [1, "标准化厂房项目", "新能源", 1, "在谈", None]],
    )
    assert not isinstance(run(db, first), ZsError)
    second = book(
        tmp_path / "s2.xlsx",
        "招什么",
        [
            TITLE,
            header,
            [1, "标准化厂房项目", "新能源", 1, "在谈", None],
            [2, "标准化厂房项目", "绿色矿业", 2, "已签约", "2026-10-12"],
        ],
    )
    got = run(db, second, on_duplicate=OnDuplicate.update)
    if isinstance(got, ZsError):
        return  # refusing two rows that would land on one item is right too
    chains = sorted(r[0] for r in db.query("SELECT c.name FROM items i JOIN chains c ON c.id = i.chain_id"))
    assert chains == ["新能源", "绿色矿业"], chains


# 12. A county's 「签约项目」 sheet (its list of signed projects, no 状态 column) lists a project
#     already 已开工 here: the sheet's stage is applied to it as if the row said 已签约, and under
#     --on-duplicate update the project moves BACK 已开工 → 已签约 (dated by the report period),
#     exit 0 — a started project is also a signed one; the sheet's name says no more than that.
def test_stage_sheet_never_moves_a_project_back(db: Database, tmp_path: Path) -> None:
    first = book(
        tmp_path / "v1.xlsx",
        "招什么",
        [
            ["孙吴县2026年9月招商引资项目表"],
            ["序号", "项目名称", "产业链", "投资额（亿元）", "状态", "签约日期", "开工日期"],
            [1, "孙吴光伏项目", "新能源", 3, "已开工", "2026-08-10", "2026-09-05"],
        ],
    )
    assert not isinstance(run(db, first), ZsError)
    second = book(
        tmp_path / "v2.xlsx",
        "签约项目",
        [
            ["孙吴县2026年10月签约项目表"],
            ["序号", "项目名称", "产业链", "投资额（亿元）"],
            [1, "孙吴光伏项目", "新能源", 3],
        ],
    )
    got = run(db, second, on_duplicate=OnDuplicate.update)
    if isinstance(got, ZsError):
        return
    assert statuses(db) == [("孙吴光伏项目", "已开工")]
