"""County sheets: what the lines above the header say for every row — who filled it in, when,
what the money is in, which period it reports on — read in any writing, used for the rows that
have no value of their own, and always said with where it came from; and the values that used
to land silently wrong (a 「单位：亿元」 line, 2026.10 typed in a date column, the filing day
instead of the reported month) now land right or are refused."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from conftest import Cli, dump
from exchange_util import make_city, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st
from pipeline_helpers import query

from zhaoshang.exchange import header_area
from zhaoshang.exchange.tables import HeaderCell

D = dt.date


# ------------------------------------------------------------------------ the rules, in memory


@pytest.mark.parametrize(
    ("captions", "expected"),
    [
        (["神木市2026年10月招商引资项目推进情况表"], ("2026年10月", D(2026, 10, 1), D(2026, 10, 31))),
        (["2026年1—10月重点项目进展"], ("2026年1—10月", D(2026, 1, 1), D(2026, 10, 31))),
        (["2026年1-6月"], ("2026年1-6月", D(2026, 1, 1), D(2026, 6, 30))),
        (["2026年第三季度签约项目"], ("2026年第三季度", D(2026, 7, 1), D(2026, 9, 30))),
        (["2026年一季度"], ("2026年一季度", D(2026, 1, 1), D(2026, 3, 31))),
        (["2026年上半年招商情况"], ("2026年上半年", D(2026, 1, 1), D(2026, 6, 30))),
        (["２０２６年十一月份項目表"], ("2026年十一月份", D(2026, 11, 1), D(2026, 11, 30))),
        (["2026年2月"], ("2026年2月", D(2026, 2, 1), D(2026, 2, 28))),
        (["招商引资项目表", "2026年9月"], ("2026年9月", D(2026, 9, 1), D(2026, 9, 30))),
    ],
)
def test_the_report_period_is_read_from_the_title(captions: list[str], expected: tuple[str, D, D]) -> None:
    period = header_area.report_period(captions)
    assert period is not None
    assert (period.text, period.start, period.end) == expected


@pytest.mark.parametrize(
    "caption",
    ["招商引资项目推进情况表", "截至2026年10月15日项目情况", "2026年13月", "2026年10—3月", "第1季度"],
)
def test_a_title_without_a_period_gives_none(caption: str) -> None:
    assert header_area.report_period([caption]) is None


@settings(max_examples=300, deadline=None)
@given(
    year=st.integers(2000, 2099),
    month=st.integers(1, 12),
    before=st.sampled_from(["", "神木市", "某某县（区）"]),
    after=st.sampled_from(["", "招商引资项目推进情况表", "重点项目调度表"]),
    writing=st.sampled_from(["{y}年{m}月", "{y}年{m:02d}月", "{y}年{m}月份"]),
)
def test_any_month_in_any_title_is_that_month(year: int, month: int, before: str, after: str, writing: str) -> None:
    period = header_area.report_period([before + writing.format(y=year, m=month) + after])
    assert period is not None
    assert period.start == D(year, month, 1)
    assert (period.end + dt.timedelta(days=1)).day == 1 and period.end.month == month


@pytest.mark.parametrize(
    ("meta", "expected"),
    [
        ({"填报单位": "爱辉区招商局"}, "爱辉区招商局"),
        ({"報送單位": "爱辉区招商局"}, "爱辉区招商局"),
        ({"填報單位": "北安市（蓋章）"}, "北安市"),
        ({"报送单位": "府谷县发展和改革局（盖章）"}, "府谷县发展和改革局"),
        ({"制表单位": "府谷县发展和改革局(公章)"}, "府谷县发展和改革局"),
        ({"单位": "爱辉区"}, "爱辉区"),
        ({"单位": "亿元"}, None),
        ({"单位": "万元"}, None),
        ({"金额单位": "亿元"}, None),
        ({}, None),
    ],
)
def test_the_reporting_unit_in_any_writing_without_its_seal(meta: dict[str, str], expected: str | None) -> None:
    said = header_area.reporting_unit(meta)
    assert (said.value if said else None) == expected


def test_the_filing_date_in_any_writing() -> None:
    for key in ("填报日期", "填報日期", "报送时间", "報送時間", "制表日期"):
        said = header_area.filing_date({key: "2026年11月4日"})
        assert said is not None and said.key == key and said.value == "2026年11月4日"


@pytest.mark.parametrize(
    ("meta", "unit"),
    [
        ({"单位": "亿元"}, "亿元"),
        ({"（单位": "万元）"}, "万元"),
        ({"金额单位": "亿元"}, "亿元"),
        ({"單位": "億元"}, "亿元"),
        ({"单位": "爱辉区"}, None),
        ({"填报单位": "亿元"}, None),
    ],
)
def test_the_money_unit_of_the_sheet(meta: dict[str, str], unit: str | None) -> None:
    found = header_area.money_unit(meta)
    assert (found[1] if found else None) == unit


def test_the_sheets_money_unit_goes_to_columns_without_one_and_a_contradiction_is_found() -> None:
    header = [
        HeaderCell(0, "A", "项目名称", "项目名称", None),
        HeaderCell(1, "B", "投资额", "投资额", None),
        HeaderCell(2, "C", "到位资金（万元）", "到位资金", "万元"),
        HeaderCell(3, "D", "外资（万美元）", "外资", "万美元"),
        HeaderCell(4, "E", "用地（亩）", "用地", "亩"),
    ]
    out, given, clash = header_area.with_money_unit(header, "亿元")
    assert [h.unit for h in out] == ["亿元", "亿元", "万元", "万美元", "亩"]
    assert given == {0, 1}
    assert [h.letter for h in clash] == ["C"]  # 万元 against 亿元: which is right is unknown
    _out, _given, clash = header_area.with_money_unit(header, "万元")
    assert clash == []


# ------------------------------------------------------------------------ through the import


@pytest.fixture
def city(db_path: Path) -> dict[str, int]:
    return make_city(db_path)


def test_a_unit_line_above_the_header_is_the_money_unit_not_a_reporting_unit(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["重点招商项目表", None, None],
        ["单位：亿元", None, None],
        ["项目名称", "产业链", "投资额"],
        ["亿元项目", "有色金属", 5],
    ]
    path = write_xlsx(tmp_path / "亿元.xlsx", {"招什么": rows})
    dry = cli("import", str(path), "--dry-run", ok=True)
    assert "「单位：亿元」用作C列「投资额」的金额单位" in dry.stdout + dry.stderr
    assert "填报单位「亿元」" not in dry.stdout + dry.stderr
    cli("import", str(path), ok=True)
    sql = "SELECT t.investment FROM items i JOIN kind_targets t ON t.id = i.id WHERE i.title = '亿元项目'"
    got = query(db_path, sql)
    assert got == [(50000,)]  # 5 亿元, not 5 万元


def test_a_unit_line_that_contradicts_a_columns_unit_is_refused(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["单位：亿元", None, None], ["项目名称", "产业链", "投资额（万元）"], ["矛盾项目", "有色金属", 5]]
    before = dump(db_path)
    r = cli("import", str(write_xlsx(tmp_path / "矛盾.xlsx", {"招什么": rows})), ok=False)
    assert "C列「投资额（万元）」" in r.stderr and "矛盾" in r.stderr
    assert dump(db_path) == before


def _moves(db_path: Path, title: str) -> list[tuple[str, str]]:
    return query(
        db_path,
        "SELECT to_status, date FROM status_log WHERE item_id = (SELECT id FROM items WHERE title = ?) ORDER BY id",
        (title,),
    )


def test_moves_without_a_date_count_in_the_month_the_title_reports_on(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["某县2026年10月招商引资项目推进情况表", None, None, None],
        ["报送单位：爱辉区招商局（盖章）", None, "报送时间：2026年11月4日", None],
        ["项目名称", "产业链", "状态", "签约日期"],
        ["十月签约项目", "有色金属", "已签约", None],
        ["自带日期项目", "有色金属", "已签约", "2026-10-08"],
    ]
    path = write_xlsx(tmp_path / "十月.xlsx", {"招什么": rows})
    dry = cli("import", str(path), "--dry-run", ok=True)
    said = dry.stdout + dry.stderr
    assert "报告期「2026年10月」记为 2026-10-31" in said
    assert "填报单位「爱辉区」" in said or "「爱辉区」" in said
    cli("import", str(path), "--force", ok=True)
    assert _moves(db_path, "十月签约项目")[-1] == ("已签约", "2026-10-31")  # not 11-04, the filing day
    assert _moves(db_path, "自带日期项目")[-1] == ("已签约", "2026-10-08")
    unit = query(db_path, "SELECT u.name FROM items i JOIN units u ON u.id = i.unit_id WHERE i.title = '十月签约项目'")
    assert unit == [("爱辉区",)]


def test_a_filing_day_inside_the_period_is_the_date(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["2026年10月项目表", None, None],
        ["填報日期：2026年10月20日", None, None],
        ["项目名称", "产业链", "状态"],
        ["月中项目", "有色金属", "已签约"],
    ]
    cli("import", str(write_xlsx(tmp_path / "月中.xlsx", {"招什么": rows})), "--force", ok=True)
    assert _moves(db_path, "月中项目")[-1] == ("已签约", "2026-10-20")


def test_a_number_in_a_date_column_that_is_no_date_is_refused(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["项目名称", "产业链", "状态", "签约日期"], ["一九零五项目", "有色金属", "已签约", 2026.1]]
    before = dump(db_path)
    r = cli("import", str(write_xlsx(tmp_path / "数字.xlsx", {"招什么": rows})), "--force", ok=False)
    assert "第2行" in r.stderr and "D列「签约日期」" in r.stderr and "2026.1" in r.stderr
    assert "年.月" in r.stderr and "1905" not in r.stderr
    assert dump(db_path) == before


def test_an_unknown_stage_word_is_refused_with_the_synonym_hint(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["项目名称", "产业链", "状态"], ["建设中项目", "有色金属", "已开工建设"]]
    r = cli("import", str(write_xlsx(tmp_path / "状态.xlsx", {"招什么": rows})), ok=False)
    assert "是不是「已开工」" in r.stderr
    assert "zs synonym add 招什么 状态 已开工 已开工建设" in r.stderr


def test_a_stage_date_after_the_filing_day_is_refused(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [
        ["填报日期：2026年11月4日", None, None, None],
        ["项目名称", "产业链", "状态", "签约日期"],
        ["未来签约项目", "有色金属", "已签约", "2026-11-20"],
    ]
    before = dump(db_path)
    r = cli("import", str(write_xlsx(tmp_path / "晚于.xlsx", {"招什么": rows})), "--force", ok=False)
    assert "第3行" in r.stderr and "D列「签约日期」" in r.stderr and "晚于本表的填报日期 2026-11-04" in r.stderr
    assert dump(db_path) == before


def test_a_project_on_two_sheets_is_one_item_with_each_sheets_dates(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    signed = [["项目名称", "产业链", "状态", "签约日期"], ["双表项目", "有色金属", "已签约", "2026-10-05"]]
    started = [["项目名称", "产业链", "状态", "开工日期"], ["双表项目", "有色金属", "已开工", "2026-10-20"]]
    path = write_xlsx(tmp_path / "两张表.xlsx", {"签约项目": signed, "开工项目": started})
    r = cli("import", str(path), "--kind", "招什么", "--force", "--on-duplicate", "update", ok=True)
    assert "阶段变更 2 次" in r.stdout + r.stderr
    moves = [("线索", "2026-10-05"), ("已签约", "2026-10-05"), ("已开工", "2026-10-20")]
    assert _moves(db_path, "双表项目") == moves
    sql = "SELECT t.signed_date, t.started_date FROM items i JOIN kind_targets t ON t.id = i.id"
    sql += " WHERE i.title = '双表项目'"
    assert query(db_path, sql) == [("2026-10-05", "2026-10-20")]  # the fields and the log: one fact


def test_a_move_into_a_status_that_needs_a_reason_needs_one_from_the_sheet(
    cli: Cli, city: dict[str, int], tmp_path: Path, db_path: Path
) -> None:
    rows = [["项目名称", "产业链", "状态"], ["无因退库项目", "有色金属", "退库"]]
    before = dump(db_path)
    r = cli("import", str(write_xlsx(tmp_path / "退库.xlsx", {"招什么": rows})), "--force", ok=False)
    assert "第2行" in r.stderr and "改为「退库」要写原因" in r.stderr
    assert dump(db_path) == before
    rows = [["项目名称", "产业链", "状态", "退库原因"], ["有因退库项目", "有色金属", "退库", "企业转投他地"]]
    before = dump(db_path)
    r = cli("import", str(write_xlsx(tmp_path / "退库2.xlsx", {"招什么": rows})), "--force", ok=False)
    # a move with no date anywhere on the sheet would be dated the day of import: refused
    assert "改为「退库」没有日期" in r.stderr and "--as-of" in r.stderr
    assert dump(db_path) == before
    cli("import", str(tmp_path / "退库2.xlsx"), "--force", "--as-of", "2026-11-20", ok=True)
    sql = "SELECT to_status, reason FROM status_log WHERE item_id = (SELECT id FROM items WHERE title = '有因退库项目')"
    assert query(db_path, sql + " ORDER BY id")[-1] == ("退库", "企业转投他地")  # the sheet's reason is kept
