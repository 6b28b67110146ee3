"""Tests for zhaoshang.parse: table-driven examples and hypothesis properties."""

from __future__ import annotations

import contextlib
import datetime
import math
import subprocess
import sys
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from zhaoshang.errors import ParseError, ZsError
from zhaoshang.parse import (
    format_money,
    month_bounds,
    normalize_key,
    normalize_name,
    parse_bool,
    parse_date,
    parse_int,
    parse_money,
    parse_month,
    parse_period,
    parse_quarter,
    quarter_bounds,
    split_assignment,
    to_halfwidth,
    to_simplified,
)

D = datetime.date
ROOT = Path(__file__).resolve().parents[1]


def fullwidth(s: str) -> str:
    """The inverse of to_halfwidth for printable ASCII (space -> ideographic space)."""
    return "".join("\u3000" if ch == " " else chr(ord(ch) + 0xFEE0) if "!" <= ch <= "~" else ch for ch in s)


def assert_parse_error(func: Callable[..., object], value: object, *fragments: str, **kwargs: str) -> ParseError:
    with pytest.raises(ParseError) as info:
        func(value, **kwargs)
    message = str(info.value)
    for fragment in fragments:
        assert fragment in message, message
    return info.value


# ------------------------------------------------------------------------ width, script, keys


def test_to_halfwidth() -> None:
    assert to_halfwidth("０１２３４５６７８９") == "0123456789"
    assert to_halfwidth("ＡＢＣｘｙｚ") == "ABCxyz"
    assert to_halfwidth("．，：＝－／（）！～") == ".,:=-/()!~"
    assert to_halfwidth("投资额＝３．５６亿\u3000元") == "投资额=3.56亿 元"
    assert to_halfwidth("招商引资【重点】") == "招商引资【重点】"  # CJK punctuation is not ASCII


@pytest.mark.parametrize(
    ("trad", "simp"),
    [
        ("招什麼", "招什么"),
        ("會計劃項目資金額億萬", "会计划项目资金额亿万"),
        ("產業鏈關聯單位責任", "产业链关联单位责任"),
        ("簽約統計動態問題決策審批規劃許可證書", "签约统计动态问题决策审批规划许可证书"),
        ("節點預警紅燈黃燈號碼銷號數據庫撥款", "节点预警红灯黄灯号码销号数据库拨款"),
        ("聯繫電話聯絡員領導組長協調", "联系电话联络员领导组长协调"),
        ("環境保護財稅貸款標準獎懲", "环境保护财税贷款标准奖惩"),
        ("專題會議內容條款與為這們個來時東", "专题会议内容条款与为这们个来时东"),
        ("車門馬長鐵風雲氣體書讀寫樣當", "车门马长铁风云气体书读写样当"),
        ("經濟國際貿易圖譜廣東龍粵亞視頻冊稿", "经济国际贸易图谱广东龙粤亚视频册稿"),
        ("鄉賢傑歸屬資源園區臺灣", "乡贤杰归属资源园区台湾"),
        (
            "鋼銅礦煉糧農藥醫療雲網絡線車輛機器電池儲熱陽光伏風電",
            "钢铜矿炼粮农药医疗云网络线车辆机器电池储热阳光伏风电",
        ),
        ("Ａ項目 abc 123", "Ａ项目 abc 123"),
        ("著名乾坤", "著名乾坤"),  # characters that are also valid simplified ones stay
    ],
)
def test_to_simplified(trad: str, simp: str) -> None:
    assert to_simplified(trad) == simp


@pytest.mark.parametrize(
    ("raw", "key"),
    [
        (" 招什麼 ", "招什么"),
        ("Targets", "targets"),
        ("ＴＡＲＧＥＴＳ", "targets"),
        ("有色 金属\t产业\u3000链", "有色金属产业链"),
        ("投资额（亿元）", "投资额(亿元)"),
        ("\ufeff招商\u200b引资", "招商引资"),
    ],
)
def test_normalize_key(raw: str, key: str) -> None:
    assert normalize_key(raw) == key


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("黑河（中俄）跨境 物流园", "黑河中俄跨境物流园"),
        ("【重点】年产10万吨铜箔项目", "重点年产10万吨铜箔项目"),
        ("《招商手册》·2026版", "招商手册2026版"),
        ("“一带一路”物流园", "一带一路物流园"),
        ("A-B_C.D,E，F。G、H", "abcdefgh"),
        ("智慧農業產業園", "智慧农业产业园"),
        ("〔2026〕3号 <文件>", "20263号文件"),
    ],
)
def test_normalize_name(a: str, b: str) -> None:
    assert normalize_name(a) == normalize_name(b)


def test_normalize_name_keeps_distinct_titles_apart() -> None:
    assert normalize_name("铜箔项目一期") != normalize_name("铜箔项目二期")


# ------------------------------------------------------------------------------------- money


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("3.56亿", 35600.0),
        ("3.56亿元", 35600.0),
        ("35600万", 35600.0),
        ("35600万元", 35600.0),
        ("35600", 35600.0),
        ("1,200.5", 1200.5),
        ("1，200.5", 1200.5),
        ("12,345,678", 12345678.0),
        ("3170億元", 31700000.0),
        ("3170億", 31700000.0),
        ("500萬元", 500.0),
        ("５００万元", 500.0),
        ("120000元", 12.0),
        ("5千万", 5000.0),
        ("5千万元", 5000.0),
        ("2百万", 200.0),
        ("8千元", 0.8),
        (" 3.56 亿 ", 35600.0),
        ("+12", 12.0),
        ("-12", -12.0),
        ("－12万", -12.0),
        ("\u221212", -12.0),
        ("0", 0.0),
        ("-0", 0.0),
        (".5亿", 5000.0),
        ("1.5E3", 1500.0),
        ("0.0000004", 0.0),
        ("0.0000015", 0.000002),
        (35600, 35600.0),
        (3.56, 3.56),
        (Decimal("1.25"), 1.25),
    ],
)
def test_parse_money(value: object, expected: float) -> None:
    assert parse_money(value) == expected


@pytest.mark.parametrize(
    ("value", "default_unit", "expected"),
    [
        ("3.56", "亿", 35600.0),
        (3.56, "亿", 35600.0),
        (2, "亿", 20000.0),
        ("3.56", "亿元", 35600.0),
        ("120000", "元", 12.0),
        (120000, "元", 12.0),
        ("3.56亿", "元", 35600.0),  # an explicit unit beats the column's unit
        ("500万", "亿", 500.0),
        ("500", "万元", 500.0),
    ],
)
def test_parse_money_default_unit(value: object, default_unit: str, expected: float) -> None:
    assert parse_money(value, default_unit=default_unit) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("36.5亿美元", 365000.0),
        ("2000万美元", 2000.0),
        ("2000万", 2000.0),
        ("2000", 2000.0),
        ("2000万美金", 2000.0),
        ("50000美元", 5.0),
        (2000, 2000.0),
    ],
)
def test_parse_money_usd(value: object, expected: float) -> None:
    assert parse_money(value, currency="USD") == expected


@pytest.mark.parametrize("value", ["2000万元", "1亿元", "120000元"])
def test_parse_money_usd_refuses_rmb(value: str) -> None:
    assert_parse_error(parse_money, value, f"「{value}」", "人民币", "万美元", currency="USD")


@pytest.mark.parametrize("value", ["36.5亿美元", "2000万美元", "100美元"])
def test_parse_money_cny_refuses_usd(value: str) -> None:
    assert_parse_error(parse_money, value, f"「{value}」", "美元", "外资", "万美元")


@pytest.mark.parametrize(
    "value",
    [
        "abc",
        "1.2.3",
        "3亿5",
        "3亿5千万",
        "-",
        "+",
        "",
        "   ",
        "nan",
        "NaN",
        "inf",
        "-inf",
        "3,5",
        "1,20,000",
        "3.56吨",
        "亿",
        "3..5",
        "1e",
        "¥100",
        "3 5",
    ],
)
def test_parse_money_rejects_text(value: str) -> None:
    err = assert_parse_error(parse_money, value, "金额", "「")
    assert isinstance(err, ZsError)
    if value.strip():
        assert f"「{value.strip()}」" in str(err)


def test_parse_money_messages() -> None:
    assert_parse_error(parse_money, "abc", "无法识别的金额「abc」", "3.56亿")
    assert_parse_error(parse_money, "3亿5", "「3亿5」", "含义不明确")
    assert_parse_error(parse_money, "", "为空")
    assert_parse_error(parse_money, "1" * 30 + "亿", "不合常理")


@pytest.mark.parametrize("value", [True, False, None, float("nan"), float("inf"), -float("inf"), [1], Decimal("NaN")])
def test_parse_money_rejects_objects(value: object) -> None:
    assert_parse_error(parse_money, value, "金额", "「")


def test_parse_money_bad_arguments_are_programming_errors() -> None:
    with pytest.raises(ValueError):
        parse_money("1", currency="EUR")
    with pytest.raises(ValueError):
        parse_money("1", default_unit="吨")


@pytest.mark.parametrize(
    ("amount", "text"),
    [
        (None, ""),
        (35600.0, "35600"),
        (1200.5, "1200.5"),
        (0.0, "0"),
        (-0.0, "0"),
        (-3.25, "-3.25"),
        (0.1 + 0.2, "0.3"),
        (1e20, "100000000000000000000"),
        (1e-7, "0"),
        (1.0000005, "1.000001"),
        (1.0000004999, "1"),
        (12.3456789, "12.345679"),
        (35600, "35600"),
        (float("nan"), ""),
    ],
)
def test_format_money(amount: float | None, text: str) -> None:
    assert format_money(amount) == text


# -------------------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03-15", D(2026, 3, 15)),
        ("2026-3-5", D(2026, 3, 5)),
        ("2026/3/15", D(2026, 3, 15)),
        ("2026/03/15", D(2026, 3, 15)),
        ("2026.3.15", D(2026, 3, 15)),
        ("2026年3月15日", D(2026, 3, 15)),
        ("2026年3月15号", D(2026, 3, 15)),
        ("2026年03月05日", D(2026, 3, 5)),
        ("2026 年 3 月 15 日", D(2026, 3, 15)),
        ("20260315", D(2026, 3, 15)),
        ("2026-03-15 10:30", D(2026, 3, 15)),
        ("2026-03-15 10:30:59", D(2026, 3, 15)),
        ("2026-03-15T10:30:00", D(2026, 3, 15)),
        ("2026-03-15T10:30:00.123+08:00", D(2026, 3, 15)),
        ("2026-03-15T10:30:00Z", D(2026, 3, 15)),
        ("2026年3月15日 8:05", D(2026, 3, 15)),
        ("２０２６－０３－１５", D(2026, 3, 15)),
        ("２０２６年３月１５日", D(2026, 3, 15)),
        ("  2026-03-15\t", D(2026, 3, 15)),
        ("2024-02-29", D(2024, 2, 29)),
        ("1900-01-01", D(1900, 1, 1)),
        ("2100-12-31", D(2100, 12, 31)),
        (D(2026, 3, 15), D(2026, 3, 15)),
        (datetime.datetime(2026, 3, 15, 23, 59), D(2026, 3, 15)),
        (18264, D(1950, 1, 1)),  # the first serial taken as a date
        (46096, D(2026, 3, 15)),
        (46096.75, D(2026, 3, 15)),  # the time of day is dropped
        (46096.0, D(2026, 3, 15)),
        (20260315, D(2026, 3, 15)),  # a date typed as a number
    ],
)
def test_parse_date(value: object, expected: datetime.date) -> None:
    result = parse_date(value)
    assert result == expected
    assert type(result) is datetime.date


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-02-30", "不存在"),
        ("2026-02-29", "不存在"),
        ("2026-13-01", "不存在"),
        ("2026-00-10", "不存在"),
        ("2026-03-00", "不存在"),
        ("2026-03-15 25:00", "时间"),
        ("03/04/2026", "歧义"),
        ("3/4/2026", "歧义"),
        ("3/4/26", "歧义"),
        ("26-3-4", "歧义"),
        ("26/03/04", "歧义"),
        ("15.03.2026", "歧义"),
        ("1899-12-31", "1900–2100"),
        ("2101-01-01", "1900–2100"),
        ("0999-01-01", "1900–2100"),
        ("", "为空"),
        ("  ", "为空"),
        ("abc", "年-月-日"),
        ("2026-03", "年-月-日"),
        ("2026-3/15", "年-月-日"),
        ("2026315", "年-月-日"),
        ("3月15日", "年-月-日"),
        ("２０２６－０２－３０", "不存在"),
        (60, "1900-02-29"),
        (60.5, "1900-02-29"),
        (2026.1, "年.月"),  # 2026.10 typed in a date column: the spreadsheet stores 2026.1
        (2025.12, "年.月"),
        (2026, "只有年份"),
        (1, "不像是真实的日期"),  # serials of 1900 (Excel's leap-year bug) are no project's date
        (59, "不像是真实的日期"),
        (61, "不像是真实的日期"),
        (5, "不像是真实的日期"),  # a 序号 in a date column would be 1900-01-05
        (18000, "不像是真实的日期"),  # 1949-04-12
        (0, "Excel"),
        (-5, "Excel"),
        (2958466, "Excel"),
        (2958465, "1900–2100"),  # 9999-12-31: a valid serial but outside 1900..2100
        (20260315.5, "年-月-日"),
        (20260230, "不存在"),
        (float("nan"), "年-月-日"),
        (float("inf"), "年-月-日"),
        (True, "年-月-日"),
        (None, "年-月-日"),
        (D(1800, 1, 1), "1900–2100"),
    ],
)
def test_parse_date_rejects(value: object, fragment: str) -> None:
    err = assert_parse_error(parse_date, value, "日期", fragment)
    if isinstance(value, str) and value.strip():
        assert f"「{value.strip()}」" in str(err)


# ------------------------------------------------------------------------------------- months


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026-03", "2026-03"),
        ("2026-3", "2026-03"),
        ("2026/03", "2026-03"),
        ("2026.3", "2026-03"),
        ("2026.12", "2026-12"),
        ("202603", "2026-03"),
        ("2026年3月", "2026-03"),
        ("2026年03月", "2026-03"),
        ("2026年3月份", "2026-03"),
        ("2026年十二月", "2026-12"),
        ("２０２６－０３", "2026-03"),
        (" 2026-03 ", "2026-03"),
        ("2026-03-15", "2026-03"),
        ("2026年3月15日", "2026-03"),
        ("20260315", "2026-03"),
        ("2026-03-15 10:30", "2026-03"),
        (D(2026, 3, 15), "2026-03"),
        (datetime.datetime(2026, 11, 1, 8), "2026-11"),
        (202603, "2026-03"),
        (202603.0, "2026-03"),
    ],
)
def test_parse_month(value: object, expected: str) -> None:
    assert parse_month(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026-13", "1–12"),
        ("2026-0", "1–12"),
        ("2026-00", "1–12"),
        ("202613", "1–12"),
        ("2026年13月", "1–12"),
        ("1899-12", "1900–2100"),
        ("2026", "年-月"),
        ("03-2026", "年-月"),
        ("2026-02-30", "年-月"),
        ("", "为空"),
        ("abc", "年-月"),
        (2026.3, "年-月"),  # 2026.3 and 2026.30 are the same float: refused
        (2026, "年-月"),
        (float("nan"), "年-月"),
        (None, "年-月"),
        (True, "年-月"),
    ],
)
def test_parse_month_rejects(value: object, fragment: str) -> None:
    assert_parse_error(parse_month, value, "月份", fragment)


@pytest.mark.parametrize(
    ("month", "first", "last"),
    [
        ("2026-02", D(2026, 2, 1), D(2026, 2, 28)),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29)),
        ("2026年12月", D(2026, 12, 1), D(2026, 12, 31)),
        ("2026-4", D(2026, 4, 1), D(2026, 4, 30)),
    ],
)
def test_month_bounds(month: str, first: datetime.date, last: datetime.date) -> None:
    assert month_bounds(month) == (first, last)


def test_month_bounds_rejects() -> None:
    assert_parse_error(month_bounds, "2026-13", "1–12")


# ----------------------------------------------------------------------------------- quarters


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026Q1", (2026, 1)),
        ("2026q1", (2026, 1)),
        ("2026-Q1", (2026, 1)),
        ("2026 Q1", (2026, 1)),
        ("2026年Q2", (2026, 2)),
        ("Q1 2026", (2026, 1)),
        ("q3-2026", (2026, 3)),
        ("2026年一季度", (2026, 1)),
        ("2026年第一季度", (2026, 1)),
        ("2026年1季度", (2026, 1)),
        ("2026年第1季度", (2026, 1)),
        ("2026年二季度", (2026, 2)),
        ("2026年第三季度", (2026, 3)),
        ("2026年四季度", (2026, 4)),
        ("2026年第四季", (2026, 4)),
        ("２０２６Ｑ４", (2026, 4)),
        (" 2026Q1 ", (2026, 1)),
        (D(2026, 8, 31), (2026, 3)),
    ],
)
def test_parse_quarter(value: object, expected: tuple[int, int]) -> None:
    assert parse_quarter(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("2026Q0", "1–4"),
        ("2026Q5", "1–4"),
        ("Q9 2026", "1–4"),
        ("2026年第五季度", "1–4"),
        ("2026年零季度", "1–4"),
        ("1899Q1", "1900–2100"),
        ("2026", "2026Q1"),
        ("2026Q", "2026Q1"),
        ("2026Q12", "2026Q1"),
        ("一季度", "2026Q1"),
        ("", "为空"),
        (1, "2026Q1"),
        (None, "2026Q1"),
    ],
)
def test_parse_quarter_rejects(value: object, fragment: str) -> None:
    assert_parse_error(parse_quarter, value, "季度", fragment)


@pytest.mark.parametrize(
    ("year", "q", "first", "last"),
    [
        (2026, 1, D(2026, 1, 1), D(2026, 3, 31)),
        (2026, 2, D(2026, 4, 1), D(2026, 6, 30)),
        (2026, 3, D(2026, 7, 1), D(2026, 9, 30)),
        (2026, 4, D(2026, 10, 1), D(2026, 12, 31)),
    ],
)
def test_quarter_bounds(year: int, q: int, first: datetime.date, last: datetime.date) -> None:
    assert quarter_bounds(year, q) == (first, last)


@pytest.mark.parametrize(("year", "q"), [(2026, 0), (2026, 5), (1800, 1)])
def test_quarter_bounds_rejects(year: int, q: int) -> None:
    with pytest.raises(ParseError):
        quarter_bounds(year, q)


# ------------------------------------------------------------------------------------ periods


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2026", (D(2026, 1, 1), D(2026, 12, 31), "2026年")),
        ("2026年", (D(2026, 1, 1), D(2026, 12, 31), "2026年")),
        ("2026年度", (D(2026, 1, 1), D(2026, 12, 31), "2026年")),
        ("2026年上半年", (D(2026, 1, 1), D(2026, 6, 30), "2026年上半年")),
        ("2026下半年", (D(2026, 7, 1), D(2026, 12, 31), "2026年下半年")),
        ("2026Q1", (D(2026, 1, 1), D(2026, 3, 31), "2026年第一季度")),
        ("2026年二季度", (D(2026, 4, 1), D(2026, 6, 30), "2026年第二季度")),
        ("Q4 2026", (D(2026, 10, 1), D(2026, 12, 31), "2026年第四季度")),
        ("2026-03", (D(2026, 3, 1), D(2026, 3, 31), "2026年3月")),
        ("2026年3月", (D(2026, 3, 1), D(2026, 3, 31), "2026年3月")),
        ("202602", (D(2026, 2, 1), D(2026, 2, 28), "2026年2月")),
        ("2026-03上半月", (D(2026, 3, 1), D(2026, 3, 15), "2026年3月上半月")),
        ("2026年3月下半月", (D(2026, 3, 16), D(2026, 3, 31), "2026年3月下半月")),
        ("2024-02 下半月", (D(2024, 2, 16), D(2024, 2, 29), "2024年2月下半月")),
        ("２０２６年３月上半月", (D(2026, 3, 1), D(2026, 3, 15), "2026年3月上半月")),
    ],
)
def test_parse_period(value: str, expected: tuple[datetime.date, datetime.date, str]) -> None:
    assert parse_period(value) == expected


@pytest.mark.parametrize(
    ("value", "fragment"),
    [
        ("", "为空"),
        ("abc", "期间"),
        ("2026-03-15", "期间"),  # a single day is not a period
        ("2026-13", "1–12"),
        ("2026Q5", "1–4"),
        ("2026年13月上半月", "1–12"),
        ("上半月", "期间"),
        ("1899", "1900–2100"),
        ("2026年3月中旬", "期间"),
    ],
)
def test_parse_period_rejects(value: str, fragment: str) -> None:
    assert_parse_error(parse_period, value, fragment)


# ------------------------------------------------------------------------- integers, booleans


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("１２", 12),
        ("12", 12),
        (" 12 ", 12),
        ("1,200", 1200),
        ("1，200", 1200),
        ("-3", -3),
        ("+3", 3),
        ("12.0", 12),
        (12, 12),
        (12.0, 12),
        (-0.0, 0),
        (10**30, 10**30),
    ],
)
def test_parse_int(value: object, expected: int) -> None:
    assert parse_int(value) == expected


@pytest.mark.parametrize(
    "value",
    ["12.5", 12.5, True, False, None, "", "abc", "1,20", "12万", "1e3", float("nan"), float("inf")],
)
def test_parse_int_rejects(value: object) -> None:
    assert_parse_error(parse_int, value, "整数", "「")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("是", True),
        ("否", False),
        ("true", True),
        ("FALSE", False),
        ("True", True),
        ("yes", True),
        ("No", False),
        ("1", True),
        ("0", False),
        ("√", True),
        ("×", False),
        ("Y", True),
        ("y", True),
        ("N", False),
        ("n", False),
        ("Ｙ", True),
        (" 是 ", True),
        (True, True),
        (False, False),
        (1, True),
        (0, False),
        (1.0, True),
    ],
)
def test_parse_bool(value: object, expected: bool) -> None:
    assert parse_bool(value) is expected


@pytest.mark.parametrize("value", ["", "maybe", "2", "是否", 2, -1, 0.5, None, "x"])
def test_parse_bool_rejects(value: object) -> None:
    assert_parse_error(parse_bool, value, "是/否", "「")


# ------------------------------------------------------------------------------- assignments


@pytest.mark.parametrize(
    ("arg", "expected"),
    [
        ("投资额=3.56亿", ("投资额", "3.56亿")),
        ("投资额＝3.56亿", ("投资额", "3.56亿")),
        ("投资额:3.56亿", ("投资额", "3.56亿")),
        ("投资额：3.56亿", ("投资额", "3.56亿")),
        (" 投资额 = 3.56亿", ("投资额", " 3.56亿")),  # only the key is stripped
        ("备注=a=b", ("备注", "a=b")),
        ("备注=10:30开会", ("备注", "10:30开会")),
        ("时间:10:30", ("时间", "10:30")),
        ("备注：见附件=1", ("备注", "见附件=1")),
        ("备注=", ("备注", "")),
    ],
)
def test_split_assignment(arg: str, expected: tuple[str, str]) -> None:
    assert split_assignment(arg) == expected


@pytest.mark.parametrize("arg", ["abc", "", "=3", " ：3", "投资额 3.56亿"])
def test_split_assignment_rejects(arg: str) -> None:
    err = assert_parse_error(split_assignment, arg, "字段=值", "投资额=3.56亿")
    assert f"「{arg.strip()}」" in str(err)


def test_split_assignment_message() -> None:
    assert_parse_error(split_assignment, "abc", "「abc」不是 字段=值 的形式：例如 投资额=3.56亿")


# ------------------------------------------------------------------------------- import cost


def test_import_is_light() -> None:
    code = (
        "import sys, zhaoshang.parse; "
        "print(','.join(m for m in ('decimal', 'unicodedata', 'yaml', 'rich', 'typer') "
        "if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


# ---------------------------------------------------------------------------------- properties

amounts = st.decimals(min_value=-(10**9), max_value=10**9, places=4, allow_nan=False, allow_infinity=False)


@settings(max_examples=100, deadline=None)
@given(amounts)
def test_money_round_trips(d: Decimal) -> None:
    x = float(d)
    assert parse_money(format_money(x)) == round(x, 6)
    in_yi = f"{x / 10000}亿"
    got = parse_money(in_yi)
    assert math.isclose(got, x, rel_tol=1e-6, abs_tol=1e-6)
    assert parse_money(fullwidth(in_yi)) == got
    assert parse_money(fullwidth(format_money(x))) == round(x, 6)
    assert parse_money(f"{x}万元") == round(x, 6)
    assert parse_money(f"{x / 10000}", default_unit="亿") == got
    assert parse_money(f"{x / 10000}亿美元", currency="USD") == got


@settings(max_examples=120, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False))
def test_format_money_round_trips_any_float(x: float) -> None:
    text = format_money(x)
    assert "e" not in text.lower()
    assert parse_money(text) == round(x, 6)
    if "." in text:
        assert len(text.split(".")[1]) <= 6
        assert not text.endswith("0")


@settings(max_examples=100, deadline=None)
@given(st.integers(min_value=0, max_value=10**9))
def test_money_thousands_separators(n: int) -> None:
    assert parse_money(f"{n:,}") == n
    assert parse_money(f"{n:,}".replace(",", "，")) == n
    assert parse_money(f"{n:,}元") == round(n / 10000, 6)


dates = st.dates(min_value=D(1900, 1, 1), max_value=D(2100, 12, 31))


@settings(max_examples=80, deadline=None)
@given(dates)
def test_date_renderings_round_trip(d: datetime.date) -> None:
    y, m, day = d.year, d.month, d.day
    renderings = [
        d.isoformat(),
        f"{y}-{m}-{day}",
        f"{y}/{m}/{day}",
        f"{y}/{m:02d}/{day:02d}",
        f"{y}.{m}.{day}",
        f"{y}.{m:02d}.{day:02d}",
        f"{y}年{m}月{day}日",
        f"{y}年{m:02d}月{day:02d}日",
        f"{y}年{m}月{day}号",
        f"{y}.{m}月{day}日",  # (a separator and 月 both, as clerks mix them)
        f"{y}-{m:02d}月{day}号",
        f"{y}/{m}月{day}日",
        f"{y}{m:02d}{day:02d}",
        f"{d.isoformat()} 10:30",
        f"{d.isoformat()}T23:59:59",
        f" {d.isoformat()} ",
    ]
    for text in renderings:
        assert parse_date(text) == d, text
        assert parse_date(fullwidth(text)) == d, text
    assert str(parse_date(d.isoformat())) == d.isoformat()
    assert parse_date(datetime.datetime(y, m, day, 12)) == d
    assert parse_month(d.isoformat()) == f"{y:04d}-{m:02d}"


@settings(max_examples=100, deadline=None)
@given(st.dates(min_value=D(1950, 1, 1), max_value=D(2100, 12, 31)))
def test_excel_serials_round_trip(d: datetime.date) -> None:
    serial = (d - D(1899, 12, 30)).days
    assert parse_date(serial) == d
    assert parse_date(serial + 0.5) == d


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=1900, max_value=2100), st.integers(min_value=1, max_value=12))
def test_month_renderings_round_trip(y: int, m: int) -> None:
    expected = f"{y:04d}-{m:02d}"
    for text in (
        expected,
        f"{y}-{m}",
        f"{y}/{m:02d}",
        f"{y}.{m}",
        f"{y}{m:02d}",
        f"{y}年{m}月",
        f"{y}年{m:02d}月",
    ):
        assert parse_month(text) == expected, text
        assert parse_month(fullwidth(text)) == expected, text
    first, last = month_bounds(expected)
    assert (first.year, first.month, first.day) == (y, m, 1)
    assert (last + datetime.timedelta(days=1)).day == 1
    start, end, label = parse_period(expected)
    assert (start, end, label) == (first, last, f"{y}年{m}月")
    h1, h2 = parse_period(f"{y}年{m}月上半月"), parse_period(f"{expected}下半月")
    assert h1[0] == first and h2[1] == last
    assert h1[1] + datetime.timedelta(days=1) == h2[0]


@settings(max_examples=80, deadline=None)
@given(st.integers(min_value=1900, max_value=2100), st.integers(min_value=1, max_value=4))
def test_quarter_renderings_round_trip(y: int, q: int) -> None:
    cn = "一二三四"[q - 1]
    for text in (
        f"{y}Q{q}",
        f"{y}q{q}",
        f"{y}-Q{q}",
        f"{y} Q{q}",
        f"Q{q} {y}",
        f"{y}年{cn}季度",
        f"{y}年第{cn}季度",
        f"{y}年{q}季度",
        f"{y}年第{q}季度",
    ):
        assert parse_quarter(text) == (y, q), text
        assert parse_quarter(fullwidth(text)) == (y, q), text
    first, last = quarter_bounds(y, q)
    assert parse_quarter(first) == (y, q) and parse_quarter(last) == (y, q)
    if y < 2100 or q < 4:
        assert parse_quarter(last + datetime.timedelta(days=1)) != (y, q)
    start, end, label = parse_period(f"{y}Q{q}")
    assert (start, end) == (first, last)
    assert parse_quarter(label) == (y, q)


# Text that looks enough like the real thing to reach the deeper branches.
domain_text = st.text(
    alphabet=st.one_of(
        st.sampled_from(
            list("0123456789０１２３４５６７８９-/.:,，+−－ eETZQq年月日号季度第一二三四五十上下半亿万千百元美金億萬")
        ),
        st.characters(),
    ),
    max_size=30,
)
any_text = st.one_of(st.text(), domain_text)
numbers = st.one_of(st.integers(), st.floats(), st.floats(allow_nan=True, allow_infinity=True))

PARSERS: tuple[Callable[..., object], ...] = (
    parse_money,
    parse_date,
    parse_month,
    parse_quarter,
    parse_int,
    parse_bool,
    parse_period,
)


def _only_parse_error(func: Callable[..., object], value: object) -> None:
    try:
        func(value)
    except ParseError as err:
        assert "「" in str(err)


@settings(max_examples=100, deadline=None)
@given(any_text)
def test_parsers_only_raise_parse_error_on_text(text: str) -> None:
    for func in PARSERS:
        _only_parse_error(func, text)
    with contextlib.suppress(ParseError):
        split_assignment(text)


@settings(max_examples=100, deadline=None)
@given(numbers)
def test_parsers_only_raise_parse_error_on_numbers(value: float) -> None:
    for func in PARSERS:
        _only_parse_error(func, value)
    for currency in ("CNY", "USD"):
        for unit in ("元", "万", "亿"):
            with contextlib.suppress(ParseError):
                parse_money(value, currency=currency, default_unit=unit)


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_to_simplified_idempotent_and_length_preserving(s: str) -> None:
    once = to_simplified(s)
    assert len(once) == len(s)
    assert to_simplified(once) == once


@settings(max_examples=100, deadline=None)
@given(any_text)
def test_normalize_idempotent(s: str) -> None:
    key = normalize_key(s)
    assert normalize_key(key) == key
    name = normalize_name(s)
    assert normalize_name(name) == name
    assert normalize_key(fullwidth(s)) == normalize_key(s)


# words from county sheets typed in traditional characters, with what they must become
_TRADITIONAL = {
    "辦理時限": "办理时限", "辦理進展": "办理进展", "序號": "序号", "計劃開工時間": "计划开工时间",
    "項目階段": "项目阶段", "推進狀態": "推进状态", "部委工作人員": "部委工作人员",
    "委託招商機構": "委托招商机构", "統一社會信用代碼": "统一社会信用代码", "填報單位": "填报单位",
    "招什麼": "招什么", "簽約": "签约", "臺灣": "台湾", "週期": "周期", "併購": "并购", "乾燥": "干燥",
}  # fmt: skip


@pytest.mark.parametrize("trad", sorted(_TRADITIONAL))
def test_traditional_words_become_simplified(trad: str) -> None:
    assert to_simplified(trad) == _TRADITIONAL[trad]
    assert normalize_key(f" {trad} ") == _TRADITIONAL[trad]


def test_simplified_words_are_left_alone() -> None:
    # characters that are simplified already, including ones a character table would change
    for word in ("乾隆", "著作", "覆盖", "于是", "后来", "面积", "项目", "只是"):
        assert to_simplified(word) == word


def test_dates_as_people_say_them() -> None:
    from datetime import date as _date

    from zhaoshang.parse import parse_typed_date, parse_typed_month

    today = _date(2026, 3, 1)
    assert parse_typed_date("今天", today=today) == today
    assert parse_typed_date("昨天", today=today) == _date(2026, 2, 28)
    assert parse_typed_date("前天", today=today) == _date(2026, 2, 27)
    assert parse_typed_date("明天", today=today) == _date(2026, 3, 2)
    assert parse_typed_date("11月28日", today=today) == _date(2026, 11, 28)
    assert parse_typed_date("2025-12-31", today=today) == _date(2025, 12, 31)
    assert parse_typed_month("本月", today=today) == "2026-03"
    assert parse_typed_month("上月", today=_date(2026, 1, 15)) == "2025-12"
    assert parse_typed_month("下个月", today=_date(2026, 12, 15)) == "2027-01"
    assert parse_typed_month("3月", today=today) == "2026-03"
    assert parse_typed_month("十二月", today=today) == "2026-12"
    assert parse_typed_month("2026年3月", today=today) == "2026-03"
    with pytest.raises(ZsError):
        parse_typed_date("2月30日", today=today)
    with pytest.raises(ZsError):
        parse_typed_month("13月", today=today)


def test_an_imported_cell_saying_today_is_not_guessed() -> None:
    """In a county's sheet 今天 would mean the day the clerk typed it: refused, not dated."""
    with pytest.raises(ZsError):
        parse_date("今天")


@given(st.integers(1900, 2100), st.integers(1, 12))
def test_a_year_and_month_typed_as_one_number_is_said_as_such(year: int, month: int) -> None:
    """202610 in a date column: 年月 typed as a number (read as an Excel serial it would be a
    day in 2454, and the message spoke of that year)."""
    with pytest.raises(ParseError) as err:
        parse_date(year * 100 + month)
    assert f"像是把年月 {year}年{month}月 写成了数字" in str(err.value)
