"""The classes behind the fresh-eyes tester's defects (tests/test_fresh_sheets.py), generated
rather than one example each (issue 25: right or refused, never silently wrong).

* a known project's name with its company, 生产 / 建设 / 工程 words or traditional script added
  is suspected as a duplicate — and genuinely different projects (一期 / 二期, 5万吨 / 10万吨,
  another product, another company) are not;
* a known project under another chain (same name, same company or unit) is suspected;
* the same project on two sheets of one workbook under two chains is refused naming both rows;
* a row of units under the header is the header's second row (or refused), never 「请填写数字」;
* the money unit stated on the workbook's 填表说明 sheet is used (an inference) or refused.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang import items, lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange import matching
from zhaoshang.exchange.importer import ImportOptions, ImportReport, import_file
from zhaoshang.parse import normalize_name

TODAY = dt.date(2026, 12, 7)
TITLE = "孙吴县2026年10月招商引资项目推进情况表"
HEADER = ["序号", "项目名称", "目标企业", "产业链", "招商主体", "投资额（亿元）", "签约日期", "阶段"]

#: (project name, its company, its chain, its unit) already in the database
KNOWN = [
    ("年产5万吨高纯铜箔项目", "江西铜业集团", "绿色矿业", "孙吴县"),
    ("大豆分离蛋白项目", "山东禹王集团", "大豆精深加工", "逊克县"),
    ("锂电池隔膜一期项目", "星源材质股份有限公司", "新能源", "孙吴县"),
    ("五味子饮片加工项目", "", "生物医药（北药）", "逊克县"),
]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    d = Database.open(tmp_path / "city.db", load())
    with d.command("setup", user="测试员"):
        for chain in ("新能源", "生物医药（北药）", "大豆精深加工", "绿色矿业"):
            lookups.create(d, lookups.CHAIN, chain, {})
        for unit in ("孙吴县", "逊克县"):
            lookups.create(d, lookups.UNIT, unit, {"type": "区县"})
        for title, company, chain, unit in KNOWN:
            values = {"投资额": "6亿", "责任单位": unit, "状态": "在谈"}
            if company:
                values["目标企业"] = company
            items.add(d, "招什么", title, chain=chain, values=values, on="2026-03-01")
    try:
        yield d
    finally:
        d.close()


def sheet(path: Path, rows: list[list[Any]], header: list[str] = HEADER, title: str = TITLE) -> Path:
    """A one-sheet workbook: the title, ``header``, ``rows``."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r in [[title], header, *rows]:
        ws.append(r)
    wb.save(path)
    return path


def dry(db: Database, path: Path, **opts: Any) -> ImportReport:
    opts.setdefault("kind", "招什么")
    return import_file(db, path, ImportOptions(dry_run=True, today=TODAY, **opts), user="测试员")


def row(title: str, company: str, chain: str, unit: str = "孙吴县") -> list[Any]:
    return [1, title, company, chain, unit, 6, "2026-10-08", "已签约"]


def count(db: Database) -> int:
    return int(db.query("SELECT count(*) AS n FROM items")[0]["n"])


# ---------------------------------------------------------------------------------------
# 1. words added: the company's name, 生产 / 建设 / 工程, traditional script


#: the ways a county writes 「大豆分离蛋白项目」 of 山东禹王集团 (company column given or not)
SOY_FORMS = [
    ("山东禹王集团大豆分离蛋白项目", "山东禹王集团"),
    ("山东禹王集团大豆分离蛋白项目", ""),
    ("禹王集团大豆分离蛋白项目", "禹王集团有限公司"),
    ("禹王大豆分离蛋白项目", ""),
    ("大豆分离蛋白生产项目", "山东禹王集团"),
    ("大豆分离蛋白生产项目", ""),
    ("大豆分离蛋白建设工程", "山东禹王集团"),
    ("大豆分离蛋白建设项目", ""),
    ("大豆分离蛋白生产建设项目", "山东禹王集团股份有限公司"),
    ("大豆分离蛋白項目（禹王）", "山东禹王集团"),
    ("大豆分離蛋白生產項目", ""),
    ("山東禹王集團大豆分離蛋白項目", ""),
    ("大豆分离蛋白项目（山东禹王）", ""),
]
COPPER_FORMS = [
    ("江西铜业集团年产5万吨高纯铜箔项目", "江西铜业集团股份有限公司"),
    ("江西铜业年产5万吨高纯铜箔项目", ""),
    ("年产5万吨高纯铜箔生产项目", "江西铜业集团"),
    ("年产5万吨高纯铜箔建设工程", ""),
    ("年產5萬噸高純銅箔項目", "江西銅業集團"),
]


@pytest.mark.parametrize(
    ("title", "company", "chain"),
    [(t, c, "大豆精深加工") for t, c in SOY_FORMS] + [(t, c, "绿色矿业") for t, c in COPPER_FORMS],
)
def test_a_known_project_written_with_words_added_is_suspected(
    db: Database, tmp_path: Path, title: str, company: str, chain: str
) -> None:
    f = sheet(tmp_path / "dup.xlsx", [row(title, company, chain)])
    before = count(db)
    with pytest.raises(ZsError, match="疑似重复"):
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert count(db) == before
    text = "\n".join(d.text() for d in dry(db, f).duplicates)
    assert "≈ 编号" in text, text


def test_the_suspicion_says_why(db: Database, tmp_path: Path) -> None:
    f = sheet(tmp_path / "why.xlsx", [row("大豆分离蛋白生产项目", "山东禹王集团", "大豆精深加工")])
    (dup,) = dry(db, f).duplicates
    assert dup.text() == (
        "「Sheet1」第3行「大豆分离蛋白生产项目」≈ 编号 2「大豆分离蛋白项目」（待定）："
        "去掉企业名称和「项目」「工程」「生产」「建设」等字后名称相同；"
        "单位却不同：已有的是「逊克县」的项目，本行是「孙吴县」的（E列「招商主体」）"
    )
    assert dup.as_dict()["why"].startswith("去掉企业名称")


def test_the_suspected_duplicate_is_updated_when_told(db: Database, tmp_path: Path) -> None:
    name = "山东禹王集团大豆分离蛋白生产项目"
    # 孙吴县's sheet: 逊克县's project is not updated (issue 25: never another unit's)
    f = sheet(tmp_path / "other.xlsx", [row(name, "山东禹王集团", "大豆精深加工")])
    with pytest.raises(ZsError, match="单位却不同"):
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY, on_duplicate="update"), user="测试员")
    title = "逊克县2026年10月招商引资项目推进情况表"
    f = sheet(tmp_path / "update.xlsx", [row(name, "山东禹王集团", "大豆精深加工", "逊克县")], title=title)
    before = count(db)
    opts = ImportOptions(kind="招什么", today=TODAY, on_duplicate="update", review=False)  # 逊克县's title: 认定 aside
    import_file(db, f, opts, user="测试员")
    assert count(db) == before
    (got,) = db.query("SELECT title, status FROM items WHERE id = 2")
    assert (got["title"], got["status"]) == ("大豆分离蛋白项目", "已签约")


#: genuinely other projects beside the known ones: each imports as a new item, unsuspected
OTHERS = [
    ("年产10万吨高纯铜箔项目", "江西铜业集团", "绿色矿业"),  # another capacity
    ("江西铜业年产5万吨电解铜项目", "江西铜业集团", "绿色矿业"),  # another product of the company
    ("年产5万吨高纯铜箔二期项目", "江西铜业集团", "绿色矿业"),  # a second phase
    ("锂电池隔膜二期项目", "星源材质股份有限公司", "新能源"),  # 二期 beside 一期
    ("星源材质锂电池隔膜三期项目", "", "新能源"),
    ("九三粮油大豆分离蛋白生产项目", "九三粮油集团", "大豆精深加工"),  # the same product, another company
    ("大豆组织蛋白项目", "山东禹王集团", "大豆精深加工"),  # another product of the company
    ("五味子饮片加工二期项目", "", "生物医药（北药）"),
]


@pytest.mark.parametrize(("title", "company", "chain"), OTHERS)
def test_other_projects_are_not_suspected(db: Database, tmp_path: Path, title: str, company: str, chain: str) -> None:
    f = sheet(tmp_path / "other.xlsx", [row(title, company, chain)])
    before = count(db)
    report = import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert not report.duplicates, [d.text() for d in report.duplicates]
    assert count(db) == before + 1


def test_other_projects_of_one_sheet_are_all_imported(db: Database, tmp_path: Path) -> None:
    f = sheet(tmp_path / "others.xlsx", [row(t, c, ch) for t, c, ch in OTHERS])
    before = count(db)
    report = import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert not report.duplicates, [d.text() for d in report.duplicates]
    assert count(db) == before + len(OTHERS)


PRODUCTS = st.sampled_from(["高纯铜箔", "大豆分离蛋白", "锂电池隔膜", "中药饮片", "光伏组件", "风机叶片", "有机肥"])
COMPANIES = st.sampled_from(["山东禹王集团", "江西铜业集团股份有限公司", "黑龙江九三粮油集团", "星源材质有限公司"])
ADDED = st.sampled_from(["", "生产", "建设", "生产建设"])
ENDINGS = st.sampled_from(["项目", "工程", "項目", "建设项目"])


def _short(company: str) -> str:
    return matching.loosen(normalize_name(company))


@settings(max_examples=300, deadline=None)
@given(PRODUCTS, st.integers(1, 50), COMPANIES, ADDED, ENDINGS, st.sampled_from(["before", "after", "none"]))
def test_the_core_of_a_name_drops_the_company_and_the_words(
    product: str, tons: int, company: str, added: str, ending: str, where: str
) -> None:
    plain = f"年产{tons}万吨{product}项目"
    name = f"年产{tons}万吨{product}{added}{ending}"
    if where == "before":
        name = _short(company) + name
    elif where == "after":
        name = f"{name}（{_short(company)}）"
    assert matching.core_name(normalize_name(name), company) == matching.core_name(normalize_name(plain), company)
    assert matching.core_name(normalize_name(name), company) == matching.core_name(normalize_name(plain), None)


@settings(max_examples=300, deadline=None)
@given(PRODUCTS, PRODUCTS, st.integers(1, 50), st.integers(1, 50), COMPANIES, st.sampled_from(["一期", "二期", ""]))
def test_other_figures_products_or_phases_keep_cores_apart(
    p1: str, p2: str, t1: int, t2: int, company: str, phase: str
) -> None:
    a = normalize_name(f"年产{t1}万吨{p1}项目")
    b = normalize_name(f"{_short(company)}年产{t2}万吨{p2}{phase}生产项目")
    same = (p1, t1, phase) == (p2, t2, "")
    assert (matching.core_name(a, None) == matching.core_name(b, company)) is same


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        ("江西铜业集团股份有限公司", "江西铜业集团", True),
        ("山东禹王集团", "禹王集团有限公司", True),
        ("山東禹王集團", "山东禹王", True),
        ("江西铜业", "云南铜业", False),
        ("山东禹王集团", "黑龙江九三粮油集团", False),
        ("", "山东禹王集团", None),
    ],
)
def test_companies_are_one_when_they_differ_by_endings_or_province(a: str, b: str, same: bool | None) -> None:
    assert matching.same_company(a or None, b) is same
    assert matching.same_company(b, a or None) is same


# ---------------------------------------------------------------------------------------
# 2. a known project under another chain


@pytest.mark.parametrize(
    ("title", "company", "unit", "why"),
    [
        ("大豆分离蛋白项目", "山东禹王集团", "孙吴县", "目标企业相同"),
        ("大豆分离蛋白项目", "禹王集团有限公司", "孙吴县", "目标企业相同"),
        ("大豆分離蛋白項目", "山东禹王集团", "逊克县", "目标企业相同"),
        ("大豆分离蛋白项目", "", "逊克县", "责任单位相同"),
        ("五味子饮片加工项目", "", "逊克县", "责任单位相同"),
    ],
)
@pytest.mark.parametrize("searched", [200, 0], ids=["search-index", "every-title"])
def test_a_known_project_under_another_chain_is_suspected(
    db: Database,
    tmp_path: Path,
    title: str,
    company: str,
    unit: str,
    why: str,
    searched: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Looked up in the search index (a county's few rows) or among every title of the kind
    filed (a large file): the same suspicion."""
    from zhaoshang.exchange.matching import NameIndex

    monkeypatch.setattr(NameIndex, "SEARCHED", searched)
    f = sheet(tmp_path / "chain.xlsx", [row(title, company, "新能源", unit)])
    before = count(db)
    with pytest.raises(ZsError, match="疑似重复"):
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert count(db) == before
    (dup,) = dry(db, f).duplicates
    assert f"名称相同（{why}），产业链却不同" in dup.text(), dup.text()
    assert "本行是「新能源」" in dup.text()


@pytest.mark.parametrize(
    ("title", "company", "unit"),
    [
        ("大豆分离蛋白项目", "黑龙江九三粮油集团", "逊克县"),  # another company's project of that name
        ("五味子饮片加工项目", "", "孙吴县"),  # no company, another unit
    ],
)
@pytest.mark.parametrize("searched", [200, 0], ids=["search-index", "every-title"])
def test_the_same_name_under_another_chain_of_another_project_is_new(
    db: Database,
    tmp_path: Path,
    title: str,
    company: str,
    unit: str,
    searched: int,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from zhaoshang.exchange.matching import NameIndex

    monkeypatch.setattr(NameIndex, "SEARCHED", searched)
    f = sheet(tmp_path / "chain_new.xlsx", [row(title, company, "新能源", unit)])
    before = count(db)
    report = import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert not report.duplicates
    assert count(db) == before + 1


# ---------------------------------------------------------------------------------------
# 3. one project on two sheets of one workbook, under two chains


def two_sheets(path: Path, first: list[Any], second: list[Any]) -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for name, r, day in (("签约项目", first, "签约日期"), ("开工项目", second, "开工日期")):
        ws = wb.create_sheet(name)
        for line in ([TITLE], ["序号", "项目名称", "产业链", "招商主体", "投资额（亿元）", day, "阶段"], r):
            ws.append(line)
    wb.save(path)
    return path


@pytest.mark.parametrize(
    ("chain", "unit"), [("绿色矿业", "逊克县"), ("绿色矿业", "孙吴县"), ("生物医药（北药）", "孙吴县")]
)
def test_one_project_on_two_sheets_under_two_chains_is_refused_naming_both(
    db: Database, tmp_path: Path, chain: str, unit: str
) -> None:
    f = two_sheets(
        tmp_path / "two.xlsx",
        [1, "锂电隔膜项目", "新能源", "孙吴县", 3.5, "2026-10-08", "已签约"],
        [1, "锂电隔膜項目", chain, unit, 3.5, "2026-10-20", "已开工"],
    )
    before = count(db)
    with pytest.raises(ZsError) as refused:
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert count(db) == before
    (dup,) = dry(db, f).duplicates
    expected = "「开工项目」第3行「锂电隔膜項目」≈ 本文件「签约项目」第3行「锂电隔膜项目」"
    assert dup.text().startswith(expected), dup.text()
    assert "疑似重复" in str(refused.value)
    # told they are one (--on-duplicate update): refused, naming the first row and its chain
    with pytest.raises(ZsError) as merged:
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY, on_duplicate="update"), user="测试员")
    said = str(merged.value)
    assert "与「签约项目」第3行（新能源）是同一项目「锂电隔膜項目」，产业链却不同" in said, said
    assert count(db) == before
    # told they are two (--on-duplicate new): two items, as said
    import_file(db, f, ImportOptions(kind="招什么", today=TODAY, on_duplicate="new"), user="测试员")
    assert count(db) == before + 2


def test_one_project_on_two_sheets_under_one_chain_is_still_one_item(db: Database, tmp_path: Path) -> None:
    f = two_sheets(
        tmp_path / "one.xlsx",
        [1, "锂电隔膜项目", "新能源", "孙吴县", 3.5, "2026-10-08", "已签约"],
        [1, "锂电隔膜项目", "新能源", "孙吴县", 3.5, "2026-10-20", "已开工"],
    )
    before = count(db)
    opts = ImportOptions(kind="招什么", today=TODAY, on_duplicate="update", review=False)  # 孙吴县's title: 认定 aside
    import_file(db, f, opts, user="测试员")
    assert count(db) == before + 1
    (got,) = db.query("SELECT status FROM items WHERE title = '锂电隔膜项目'")
    assert got["status"] == "已开工"


# ---------------------------------------------------------------------------------------
# 4. a row of units under the header: the header's second row


def unit_row_sheet(path: Path, units: list[Any], header: list[str] | None = None, *, merged: bool = True) -> Path:
    """A header, under it a row with only units (the other header cells merged down over it), a project."""
    import openpyxl

    header = header or ["序号", "项目名称", "产业链", "招商主体", "投资额", "外资额", "签约日期", "阶段"]
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    for r in ([TITLE], header, units, [1, "锂电隔膜项目", "新能源", "孙吴县", 3.5, 120, "2026-10-08", "已签约"]):
        ws.append(r)
    if merged:
        for c, u in enumerate(units):
            if u is None:
                letter = "ABCDEFGH"[c]
                ws.merge_cells(f"{letter}2:{letter}3")
    wb.save(path)
    return path


def investment(db: Database) -> tuple[Any, Any]:
    (got,) = db.query(
        "SELECT t.investment, t.foreign_investment FROM items i JOIN kind_targets t ON t.id = i.id "
        "WHERE i.title = '锂电隔膜项目'"
    )
    return got["investment"], got["foreign_investment"]


@pytest.mark.parametrize(
    ("invest", "foreign", "right"),
    [
        ("亿元", None, (35000, 120)),
        ("（亿元）", None, (35000, 120)),
        ("億元", None, (35000, 120)),
        ("万元", None, (3.5, 120)),
        ("亿元", "万美元", (35000, 120)),
        (None, "（万美元）", (3.5, 120)),
        ("亿", "万美元", (35000, 120)),
    ],
)
@pytest.mark.parametrize("merged", [True, False])
def test_a_unit_row_under_the_header_gives_its_columns_their_unit(
    db: Database, tmp_path: Path, invest: str | None, foreign: str | None, right: tuple[Any, Any], merged: bool
) -> None:
    units = [None, None, None, None, invest, foreign, None, None]
    f = unit_row_sheet(tmp_path / "units.xlsx", units, merged=merged)
    report = dry(db, f)
    notes = report.sheets[0].notes
    if invest is not None:
        assert f"E列「投资额」的单位取自表头下一行（第3行）的「{invest.strip('（）')}」" in notes, notes
    assert "第2–3行为两行表头，已合并" in notes, notes
    import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert investment(db) == right


def test_a_unit_row_that_contradicts_the_header_is_refused(db: Database, tmp_path: Path) -> None:
    header = ["序号", "项目名称", "产业链", "招商主体", "投资额（万元）", "外资额", "签约日期", "阶段"]
    f = unit_row_sheet(tmp_path / "both.xlsx", [None, None, None, None, "亿元", None, None, None], header)
    with pytest.raises(ZsError) as refused:
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    said = str(refused.value)
    assert "「Sheet1」第3行 E列「亿元」在表头「投资额（万元）」下面" in said, said
    assert "请填写数字" not in said


def test_a_unit_row_agreeing_with_the_header_is_read(db: Database, tmp_path: Path) -> None:
    header = ["序号", "项目名称", "产业链", "招商主体", "投资额（亿元）", "外资额", "签约日期", "阶段"]
    f = unit_row_sheet(tmp_path / "same.xlsx", [None, None, None, None, "亿元", None, None, None], header)
    import_file(db, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
    assert investment(db)[0] == 35000


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(["千万元", "百万元", "万港元", "亿港元", "欧元"]), st.booleans())
def test_a_unit_no_column_reads_is_never_read_as_wan(unit: str, in_header: bool) -> None:
    """A unit the money column cannot be read in is refused, never 3.5 万元."""
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        d = Database.open(Path(tmp) / "c.db", load())
        try:
            with d.command("setup", user="测试员"):
                lookups.create(d, lookups.CHAIN, "新能源", {})
                lookups.create(d, lookups.UNIT, "孙吴县", {"type": "区县"})
            if in_header:  # 「投资额（千万元）」 was read in 万元
                header = ["序号", "项目名称", "产业链", "招商主体", f"投资额（{unit}）", "外资额", "签约日期", "阶段"]
                f = unit_row_sheet(Path(tmp) / "u.xlsx", [None] * 8, header)
            else:
                f = unit_row_sheet(Path(tmp) / "u.xlsx", [None, None, None, None, unit, None, None, None])
            with pytest.raises(ZsError, match=f"单位「{unit}」无法换算"):
                import_file(d, f, ImportOptions(kind="招什么", today=TODAY), user="测试员")
        finally:
            d.close()


# ---------------------------------------------------------------------------------------
# 5. the money unit stated on the workbook's sheet of instructions


def with_instructions(path: Path, name: str, lines: list[str], header_unit: str = "") -> Path:
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    notes = wb.create_sheet(name)
    for line in [name, *lines]:
        notes.append([line])
    data = wb.create_sheet("招什么")
    for r in (
        [TITLE],
        ["序号", "项目名称", "产业链", "招商主体", f"投资额{header_unit}", "签约日期", "阶段"],
        [1, "锂电隔膜项目", "新能源", "孙吴县", 3.5, "2026-10-08", "已签约"],
    ):
        data.append(r)
    wb.save(path)
    return path


@pytest.mark.parametrize("name", ["填表说明", "填报说明", "填表說明", "注意事项"])
@pytest.mark.parametrize(
    ("line", "wan"),
    [
        ("1. 金额单位：亿元。", 35000),
        ("二、投资额均为亿元", 35000),
        ("金额单位：万元", 3.5),
        ("3、投资额单位为亿元", 35000),
    ],
)
def test_the_unit_on_the_instructions_sheet_is_the_data_sheets(
    db: Database, tmp_path: Path, name: str, line: str, wan: float
) -> None:
    f = with_instructions(tmp_path / "notes.xlsx", name, [line, "2. 日期格式：年-月-日。"])
    report = dry(db, f, sheet="招什么")
    shown = [i.text for i in report.inferences]
    assert f"工作表「{name}」第2行的「{line}」用作E列「投资额」的金额单位" in "\n".join(shown), shown
    import_file(db, f, ImportOptions(kind="招什么", today=TODAY, sheet="招什么"), user="测试员")
    assert investment(db)[0] == pytest.approx(wan)


def test_several_units_on_the_instructions_sheet_are_refused(db: Database, tmp_path: Path) -> None:
    # (「外资单位：万美元」 names its money: the 外资 column's unit — tests/test_instruction_units.py)
    f = with_instructions(tmp_path / "two.xlsx", "填表说明", ["1. 金额单位：亿元。", "2. 单位：万元、万美元。"])
    with pytest.raises(ZsError, match="填表说明里写了不止一个金额单位") as refused:
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY, sheet="招什么"), user="测试员")
    assert "请在各金额列的表头写明单位" in str(refused.value)


def test_the_instructions_unit_against_the_headers_own_is_refused(db: Database, tmp_path: Path) -> None:
    f = with_instructions(tmp_path / "clash.xlsx", "填表说明", ["1. 金额单位：亿元。"], header_unit="（万元）")
    with pytest.raises(ZsError, match="矛盾"):
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY, sheet="招什么"), user="测试员")


def test_the_instructions_agreeing_with_the_header_change_nothing(db: Database, tmp_path: Path) -> None:
    f = with_instructions(tmp_path / "agree.xlsx", "填表说明", ["1. 金额单位：亿元。"], header_unit="（亿元）")
    import_file(db, f, ImportOptions(kind="招什么", today=TODAY, sheet="招什么"), user="测试员")
    assert investment(db)[0] == 35000


def test_another_sheets_words_are_not_instructions(db: Database, tmp_path: Path) -> None:
    """Only a sheet named for instructions speaks for the workbook: a 备注 sheet's 「单位：亿元」 does not."""
    f = with_instructions(tmp_path / "other.xlsx", "备注", ["金额单位：亿元"])
    report = dry(db, f, sheet="招什么")
    assert not any("备注" in i.text for i in report.inferences)
    (col,) = [c for c in report.sheets[0].columns if c.header == "投资额"]
    assert col.unit_assumed  # said in the dry run: 表头没写单位，按万元读
