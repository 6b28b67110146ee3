"""The rules behind the third fresh-eyes tester's fixes (tests/test_fresh_sheets_3.py), each on
generated inputs rather than the one example: total rows named without a total word, a sheet
named for a chain, the unit a title begins with, amounts of a period or of the past, townships,
two columns of one header and a name written on two rows."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from county_gen import TITLE_FORMS, WORDS
from exchange_util import write_xlsx
from hypothesis import given
from hypothesis import strategies as st

from zhaoshang import lookups
from zhaoshang.db import Database
from zhaoshang.definitions import load
from zhaoshang.errors import ZsError
from zhaoshang.exchange import decide, sheet_rules
from zhaoshang.exchange.columns import contained_match
from zhaoshang.exchange.header_area import UnitType, unit_kind
from zhaoshang.exchange.importer import ImportOptions, import_file
from zhaoshang.exchange.tables import Table, is_total_name

TODAY = dt.date(2026, 12, 7)

# ---------------------------------------------------------------------------------------
# Total rows without a total word

PLACES = ["全县", "全市", "全区", "全旗", "本县", "本市", "全州", "全縣"]
SUMS = ["汇总", "总数", "总和", "总额", "总量", "總數", "匯總", "总投资"]
COUNTS = ["", "2个项目", "（3个）", "共5个", "(12项)", "：", "（共2个项目）"]
PREFIXES = ["", "2026年", "1-10月", "2026年10月", "新能源产业链", "项目"]


@given(
    place=st.sampled_from(["", *PLACES]),
    word=st.sampled_from(["", *SUMS]),
    count=st.sampled_from(COUNTS),
    prefix=st.sampled_from(PREFIXES),
)
def test_a_place_or_sum_named_row_is_a_total(place: str, word: str, count: str, prefix: str) -> None:
    name = f"{prefix if word else ''}{place}{word}{count}" if place or word else f"共{count or '3个项目'}"
    if name in ("共：", "共（3个）", "共(12项)", "共（共2个项目）", "共共5个"):
        name = "共3个项目"
    assert is_total_name(name), name


@given(word=st.sampled_from(WORDS), form=st.sampled_from(TITLE_FORMS), place=st.sampled_from(["", *PLACES]))
def test_a_project_named_with_a_place_is_no_total(word: str, form: str, place: str) -> None:
    name = place + form.format(w=word)
    assert not is_total_name(name), name


@pytest.mark.parametrize(
    "name", ["汇总楼建设项目", "总部经济项目", "全市首个氢能项目", "共享单车项目", "本溪钢铁项目", "全县光伏项目"]
)
def test_projects_whose_names_start_like_a_total_are_projects(name: str) -> None:
    assert not is_total_name(name)


# ---------------------------------------------------------------------------------------
# A sheet named for a chain

CHAINS = {1: "新能源", 2: "绿色矿业", 3: "生物医药（北药）", 4: "新能源汽车"}


@pytest.mark.parametrize(
    ("sheet", "chain"),
    [("新能源", 1), ("绿色矿业", 2), ("绿色矿业产业链", 2), ("新能源项目", 1), ("生物医药(北药)", 3),
     ("新能源汽车", 4), ("新能源汽车产业", 4), ("Sheet1", None), ("签约项目", None), ("新能源和绿色矿业", None),
     ("项目", None), ("产业链", None)],
)  # fmt: skip
def test_a_sheet_named_for_a_chain_names_it(sheet: str, chain: int | None) -> None:
    assert decide.sheet_chain(sheet, CHAINS) == chain


# ---------------------------------------------------------------------------------------
# The unit a title begins with

UNITS = {1: "孙吴县", 2: "逊克县", 3: "孙吴县经济开发区", 4: "黑河市"}


@pytest.mark.parametrize(
    ("title", "unit"),
    [("孙吴县2026年10月招商引资项目推进情况表", "孙吴县"), ("孙吴县经济开发区10月项目表", "孙吴县经济开发区"),
     ("黑河市重点项目", "黑河市"), ("2026年孙吴县项目表", None), ("招商引资项目推进情况表", None),
     ("孫吳縣2026年10月项目表", "孙吴县")],
)  # fmt: skip
def test_the_unit_a_title_begins_with(title: str, unit: str | None) -> None:
    table = Table("Sheet1", 2, [], [], captions=[title])
    said = sheet_rules.title_unit("Sheet1", table, UNITS)
    assert (said.name if said else None) == unit
    if said is not None:
        assert said.inference.rule == "title_unit" and title in said.inference.evidence


# ---------------------------------------------------------------------------------------
# Amounts of a period or of the past are not the total


@pytest.mark.parametrize("period", ["本年", "本年度", "年度", "当年", "今年", "全年", "本月", "2026年", "2026年度",
                                    "上半年", "原", "调整前", "变更前", "初始"])  # fmt: skip
@pytest.mark.parametrize("name", ["计划投资", "投资额", "总投资"])
def test_a_period_or_a_past_before_an_amount_is_another_figure(period: str, name: str) -> None:
    defs = load()
    plain, _ = contained_match(defs, defs.kind("招什么"), f"项目{name}（亿元）")
    modified, _ = contained_match(defs, defs.kind("招什么"), f"{period}{name}（亿元）")
    if plain is not None:
        assert modified is None, (period, name)


@pytest.mark.parametrize("header", ["本月状态", "当前状态", "调整后计划投资（亿元）"])
def test_now_before_a_name_is_still_that_field(header: str) -> None:
    defs = load()
    got, _ = contained_match(defs, defs.kind("招什么"), header)
    assert got is not None, header


# ---------------------------------------------------------------------------------------
# A township is no county


@pytest.mark.parametrize("name", ["沿江乡", "沙河镇", "鄂伦春民族乡", "城东街道", "某某苏木"])
def test_a_township_is_no_ranked_county(name: str) -> None:
    kind, ranked, _ = unit_kind(name)
    assert kind is not UnitType.county and not ranked


@pytest.mark.parametrize("name", ["孙吴县", "爱辉区", "北安市", "鄂伦春自治旗"])
def test_a_county_is_ranked(name: str) -> None:
    assert unit_kind(name)[:2] == (UnitType.county, True)


# ---------------------------------------------------------------------------------------
# Through the importer


@pytest.fixture
def db(tmp_path: Path) -> Database:
    d = Database.open(tmp_path / "city.db", load())
    with d.command("setup", user="测试员"):
        for chain in ("新能源", "绿色矿业"):
            lookups.create(d, lookups.CHAIN, chain, {})
        lookups.create(d, lookups.UNIT, "孙吴县", {"type": "区县"})
    return d


HEADER = ["序号", "项目名称", "产业链", "招商主体", "投资额（亿元）", "签约日期", "阶段"]


def test_a_map_by_a_header_two_columns_share_is_refused_naming_both(db: Database, tmp_path: Path) -> None:
    f = write_xlsx(tmp_path / "two.xlsx", {"Sheet1": [
        ["孙吴县2026年10月项目表"], ["序号", "项目名称", "产业链", "招商主体", "阶段", "阶段"],
        [1, "锂电隔膜项目", "新能源", "孙吴县", "在谈", "已签约"],
    ]})  # fmt: skip
    with pytest.raises(ZsError) as refused:
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY, mapping=["阶段=忽略"]), user="测试员")
    assert "E列、F列" in refused.value.message and "E=忽略" in refused.value.message
    opts = ImportOptions(kind="招什么", today=TODAY, mapping=["E=忽略"], review=False)  # 孙吴县's title: 认定 aside
    done = import_file(db, f, opts, user="测试员")
    assert done.written
    assert db.query("SELECT status FROM items WHERE title = '锂电隔膜项目'")[0]["status"] == "已签约"


@pytest.mark.parametrize("rest", ["及配套深加工项目", "（二期）配套工程", "项目"])
def test_a_name_on_a_second_row_is_refused_saying_so(db: Database, tmp_path: Path, rest: str) -> None:
    f = write_xlsx(tmp_path / "second.xlsx", {"Sheet1": [
        ["孙吴县2026年10月项目表"], HEADER,
        [1, "年产10万吨光伏玻璃", "新能源", "孙吴县", 2, "2026-10-08", "已签约"],
        [None, rest, None, None, None, None, None],
        [2, "风机叶片项目", "新能源", "孙吴县", 3, "2026-10-09", "已签约"],
    ]})  # fmt: skip
    with pytest.raises(ZsError) as refused:
        import_file(db, f, ImportOptions(kind="招什么", today=TODAY, chain="新能源"), user="测试员")
    text = "\n".join([refused.value.message, *refused.value.details])
    assert "第4行" in text and "并到上一行的名称" in text


def test_a_sheet_per_chain_gives_each_its_chain_and_says_so(db: Database, tmp_path: Path) -> None:
    header = ["序号", "项目名称", "招商主体", "投资额（亿元）", "签约日期", "阶段"]
    f = write_xlsx(tmp_path / "by_chain.xlsx", {
        "新能源": [["孙吴县2026年10月项目表"], header, [1, "锂电隔膜项目", "孙吴县", 2, "2026-10-08", "已签约"]],
        "绿色矿业产业链": [["孙吴县2026年10月项目表"], header, [1, "钼精矿项目", "孙吴县", 3, "2026-10-08", "已签约"]],
    })  # fmt: skip
    done = import_file(db, f, ImportOptions(kind="招什么", today=TODAY, chain="新能源"), user="测试员")
    sql = "SELECT i.title, c.name FROM items i JOIN chains c ON c.id = i.chain_id"
    got = {r["title"]: r["name"] for r in db.query(sql)}
    assert got == {"锂电隔膜项目": "新能源", "钼精矿项目": "绿色矿业"}
    said = [i for i in done.inferences if i.rule == "sheet_chain"]
    assert {(i.sheet, i.value) for i in said} == {("新能源", "新能源"), ("绿色矿业产业链", "绿色矿业")}
    assert any("只用于没有说产业链的工作表" in i.text for i in said if i.sheet == "绿色矿业产业链")


@pytest.mark.parametrize(
    ("name", "amount", "refused"),
    [
        ("十月新签约", 5, True),
        ("新建项目", 5, True),
        ("光伏支架项目", 4, False),
        ("光伏支架项目", None, False),
        ("共享仓储物流中心", 5, False),
    ],  # (the last: its own stage and date, a project)
)
def test_an_unnumbered_row_summing_the_rows_above_is_refused(
    db: Database, tmp_path: Path, name: str, amount: float | None, refused: bool
) -> None:
    f = write_xlsx(tmp_path / "sum.xlsx", {"Sheet1": [
        ["孙吴县2026年10月项目表"], HEADER,
        [1, "锂电隔膜项目", "新能源", "孙吴县", 2, "2026-10-08", "已签约"],
        [2, "风机叶片项目", "新能源", "孙吴县", 3, "2026-10-09", "已签约"],
        [None, name, "新能源", "孙吴县", amount, None, None] if refused else
        [None, name, "新能源", "孙吴县", amount, "2026-10-09", "已签约"],
    ]})  # fmt: skip
    opts = ImportOptions(kind="招什么", today=TODAY)
    if not refused:
        assert import_file(db, f, opts, user="测试员").written
        return
    with pytest.raises(ZsError) as got:
        import_file(db, f, opts, user="测试员")
    text = "\n".join([got.value.message, *got.value.details])
    assert "第5行没有序号，金额等于上面第3–4行之和" in text, text


def test_an_eight_digit_date_number_is_said_as_year_month_day(db: Database, tmp_path: Path) -> None:
    f = write_xlsx(tmp_path / "ymd.xlsx", {"Sheet1": [
        ["孙吴县2026年10月项目表"], HEADER,
        [1, "锂电隔膜项目", "新能源", "孙吴县", 2, 20261008, "已签约"],
        [2, "风机叶片项目", "新能源", "孙吴县", 3, 46303, "已签约"],
    ]})  # fmt: skip
    done = import_file(db, f, ImportOptions(kind="招什么", today=TODAY, dry_run=True), user="测试员")
    said = {i.rows[0] if i.rows else 0: i.text for i in done.inferences if i.rule == "date_serial"}
    assert "按年月日（8位数字）读作 2026-10-08" in said[3]
    assert "按 Excel 日期序号读作 2026-10-08" in said[4]
