"""County sheets with known truth, for proof by generation (issue 25, point 6).

:func:`workbooks` is a hypothesis strategy: a workbook of one to three sheets laid out the way
county clerks lay them out — title rows (with or without a report period), 填报 lines in
simplified or traditional writing (seal marks, the date in the same cell or the next), a
「单位：亿元」 line, one- or two-row headers (a label spanning its sub-labels), vertical merges in
the chain, unit and amount columns, group headings naming chains, 合计/小计/其中 rows, footers,
hidden rows and a second table side by side — holding values in every money, date and stage
form the parsers accept or refuse.  With each sheet comes its truth: the items the import must
write (title, chain, unit, investment in 万元, status, 签约日期, the stage moves with their
dates), or the rows (or the sheet) the import must refuse.

A sheet is a grid (rows of values, merges as 0-based inclusive areas): :meth:`Sheet.html`
gives the HTML page LibreOffice converts, :func:`write_workbook` the .xlsx openpyxl writes.
"""

from __future__ import annotations

import datetime as dt
import html
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

#: the chains and units of ``exchange_util.make_city``, as a clerk may write them
CHAINS = {"有色金属": ["有色金属", "有色金屬"], "大豆加工": ["大豆加工"]}
UNITS = {"爱辉区": ["爱辉区", "愛輝區"], "北安市": ["北安市"]}
#: a unit that does not exist: refused, or created with --create-missing
NEW_UNIT = "逊克县"
STAGES = ["线索", "在谈", "已签约", "已入统", "已开工", "已投产"]
STAGE_WORDS = {
    "线索": ["线索", "線索"],  # (储备、谋划 are 谋划储备, a status of its own before 线索)
    "在谈": ["在谈", "在談", "洽谈", "对接中"],
    "已签约": ["已签约", "已簽約", "签约"],
    "已入统": ["已入统", "入统", "已注册", "已落地"],
    "已开工": ["已开工", "開工", "在建"],
    "已投产": ["已投产", "投產", "竣工投产"],
    "退库": ["退库", "退庫", "终止"],
}
EXIT = "退库"


def _rank(status: str) -> int:
    """A stage's place on the way; 退库 leaves it from anywhere (after the stages dated before)."""
    return 99 if status == EXIT else STAGES.index(status)


BAD_STAGES = ["已开工建设", "进行中", "待定"]
WORDS = [
    "铜杆", "铝材", "豆粕", "镁锭", "硅片", "锂电", "石墨", "钼矿", "钨丝", "钛板", "锌粉", "稀土",
    "镍氢", "钢构", "豆油", "豆奶", "饲料", "酱菜", "腐竹", "铝箔", "锡焊", "金箔", "银浆",
    "钴盐", "铬铁", "锰粉", "豆皮", "豆乳", "素肉",
]  # fmt: skip
TITLE_FORMS = ["{w}项目", "{w}項目", "年产5万吨{w}项目", "1.5万吨{w}扩建项目", "{w}精深加工项目"]
SECTION_NUMBERS = "一二三四五六"
#: the earliest and latest day any generated date may carry (no write is dated after today)
FIRST_DAY = dt.date(2025, 1, 1)
LAST_DAY = dt.date(2026, 11, 30)


@dataclass
class Item:
    """What one data row must become."""

    title: str
    chain: str
    unit: str | None
    investment: float | None
    status: str
    signed: str | None
    log: list[tuple[str, str]]
    """The stage log (to_status, date), entry first."""


@dataclass
class Refusal:
    sheet: str
    row: int | None
    """1-based sheet row; None for a refusal of the whole sheet."""
    why: str


@dataclass
class Sheet:
    name: str
    grid: list[list[Any]]
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)
    hidden: set[int] = field(default_factory=set)
    """0-based rows hidden in the workbook (imported like the others)."""
    items: list[Item] = field(default_factory=list)
    refusals: list[Refusal] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)
    """The layout features drawn, for reading a failure."""
    said: list[str] = field(default_factory=list)
    """Words the import's report must hold when it writes: each inference it made (a merged
    cell's value, a heading's chain, the 填报单位, the report period, the money unit line,
    hidden rows, created units) listed."""
    hidden_columns: set[int] = field(default_factory=set)
    """0-based columns hidden in the workbook (imported like the others)."""

    def html(self) -> str:
        covered = {
            (r, c)
            for r0, c0, r1, c1 in self.merges
            for r in range(r0, r1 + 1)
            for c in range(c0, c1 + 1)
            if (r, c) != (r0, c0)
        }
        tops = {(r0, c0): (c1 - c0 + 1, r1 - r0 + 1) for r0, c0, r1, c1 in self.merges}
        out = [f'<html><head><meta charset="utf-8"><title>{html.escape(self.name)}</title></head><body>']
        out.append('<table border="1">')
        for r, row in enumerate(self.grid):
            cells = []
            for c, v in enumerate(row):
                if (r, c) in covered:
                    continue
                span, down = tops.get((r, c), (1, 1))
                attrs = (f' colspan="{span}"' if span > 1 else "") + (f' rowspan="{down}"' if down > 1 else "")
                cells.append(f"<td{attrs}>{'' if v is None else html.escape(_html_text(v))}</td>")
            out.append("<tr>" + "".join(cells) + "</tr>")
        out.append("</table></body></html>")
        return "\n".join(out)


def _html_text(v: Any) -> str:
    if isinstance(v, dt.datetime):
        return v.date().isoformat()
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


@dataclass
class Workbook:
    sheets: list[Sheet]
    mapping: list[str] = field(default_factory=list)
    create_missing: bool = False

    @property
    def refused(self) -> bool:
        return any(s.refusals for s in self.sheets)

    @property
    def items(self) -> list[Item]:
        return [i for s in self.sheets for i in s.items]

    def describe(self) -> str:
        parts = [f"mapping={self.mapping} create_missing={self.create_missing}"]
        for s in self.sheets:
            parts.append(f"--- {s.name} {s.layout} merges={s.merges} hidden={sorted(s.hidden)}")
            parts += [f"{i + 1:>3}: {row}" for i, row in enumerate(s.grid)]
            parts += [f"  expect {it}" for it in s.items]
            parts += [f"  refuse {r}" for r in s.refusals]
        return "\n".join(parts)


def write_workbook(path: Path, book: Workbook) -> Path:
    """The workbook as openpyxl writes it: values, merged areas, hidden rows."""
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    for sheet in book.sheets:
        ws = wb.create_sheet(sheet.name)
        for r, row in enumerate(sheet.grid):
            for c, v in enumerate(row):
                if v is not None:
                    cell = ws.cell(row=r + 1, column=c + 1, value=v)
                    if isinstance(v, str) and v.startswith("="):
                        cell.data_type = "s"
        for r0, c0, r1, c1 in sheet.merges:
            ws.merge_cells(start_row=r0 + 1, start_column=c0 + 1, end_row=r1 + 1, end_column=c1 + 1)
        for r in sheet.hidden:
            ws.row_dimensions[r + 1].hidden = True
        for c in sheet.hidden_columns:
            from openpyxl.utils import get_column_letter

            ws.column_dimensions[get_column_letter(c + 1)].hidden = True
    wb.save(path)
    return path


# ------------------------------------------------------------------------------------ values


@dataclass
class Money:
    cell: Any
    wan: float | None
    """The amount in 万元; None when the cell must be refused."""


def _plain(d: Decimal) -> str:
    text = format(d.normalize(), "f")
    return text


@st.composite
def money(draw: st.DrawFn, unit: str, *, text_only: bool = False, faults: bool = True) -> Money:
    """A cell of a money column whose unit is ``unit`` (万 or 亿), in a form a clerk types."""
    scale = Decimal(10000) if unit == "亿" else Decimal(1)
    if faults and draw(st.integers(0, 4)) == 0:  # refused forms
        bad = draw(st.sampled_from(["negative", "about", "mixed", "usd", "huge", "word", "range"]))
        cell = {
            "negative": "-120",
            "about": "约3亿",
            "mixed": "3亿5000万",
            "usd": "200万美元",
            "huge": "60000亿",
            "word": "待定",
            "range": "1-2亿",
        }[bad]
        return Money(cell, None)
    if faults and draw(st.integers(0, 9)) == 0:
        # a bare figure implausible for one project in the column's unit (3,000 in a 亿元 column,
        # 0.5 in a 万元 column): refused, both readings named (--confirm amount takes it as written)
        cell = draw(st.sampled_from(["3,000", 3000, 1500.5, "１２００"] if unit == "亿" else ["0.5", 0.35, 0.01]))
        return Money(cell, None)
    # the amount, in the column's unit, with at most 2 decimals (a clerk's figure)
    cents = draw(st.integers(1, 2_000_000 if unit == "万" else 50_000))
    amount = Decimal(cents) / 100  # in the column's unit
    wan = float(amount * scale)
    if amount < 1 and unit == "万":
        wan = None  # type: ignore[assignment]  # a bare number is refused, a written unit is not
    form = draw(
        st.sampled_from(
            ["number", "text", "thousands", "with_wan", "with_yi", "yuan", "fullwidth", "trad_yi", "spaced"]
        )
    )
    if form == "fullwidth":  # ３５６００ typed with a Chinese input method
        return Money(_plain(amount).translate(str.maketrans("0123456789.", "０１２３４５６７８９．")), wan)
    written = float(amount * scale)  # a unit in the cell: read as written, however small
    if form == "trad_yi":
        return Money(f"{_plain(amount * scale / 10000)}億元", written)
    if form == "spaced":
        return Money(f" {_plain(amount * scale)} 万元 ", written)
    if form == "number" and not text_only:
        v = amount.normalize()
        return Money(int(v) if v == v.to_integral_value() else float(v), wan)
    if form == "thousands" and amount >= 1000:
        whole = amount.quantize(Decimal(1)) if amount == amount.to_integral_value() else None
        if whole is not None:
            return Money(f"{int(whole):,}", wan)
    if form == "with_wan":
        return Money(f"{_plain(amount * scale)}万元", written)
    if form == "with_yi":
        return Money(f"{_plain(amount * scale / 10000)}亿", written)
    if form == "yuan" and (amount * scale * 10000) == (amount * scale * 10000).to_integral_value():
        return Money(f"{int(amount * scale * 10000)}元", written)
    return Money(_plain(amount), wan)


@dataclass
class DateCell:
    cell: Any
    date: dt.date | None
    """None: the cell must be refused."""


@st.composite
def signing_date(draw: st.DrawFn, *, text_only: bool = False, faults: bool = True) -> DateCell:
    if faults and draw(st.integers(0, 4)) == 0:
        cell = draw(
            st.sampled_from(
                [
                    2026.1,
                    "2026-02-30",
                    "3/15/2026",
                    "2027-03-01",
                    "去年",
                    2026,
                    "2026年10月",
                    "2026-10",
                    "10月",
                    "2026.10",
                ]
            )
        )  # a month without its day is refused too (--confirm month_end / month_start would give one)
        return DateCell(cell, None)
    day = draw(st.dates(FIRST_DAY, LAST_DAY))
    form = draw(st.sampled_from(["cell", "iso", "slash", "dot", "cn", "number8", "hao", "time", "fullwidth"]))
    if form == "cell" and not text_only:
        return DateCell(dt.datetime(day.year, day.month, day.day), day)
    text = {
        "cell": day.isoformat(),
        "iso": day.isoformat(),
        "slash": f"{day.year}/{day.month}/{day.day}",
        "dot": f"{day.year}.{day.month}.{day.day}",
        "cn": f"{day.year}年{day.month}月{day.day}日",
        "number8": f"{day:%Y%m%d}",
        "hao": f"{day.year}年{day.month}月{day.day}号",
        "time": f"{day.isoformat()} 10:30",
        "fullwidth": f"{day.year}年{day.month}月{day.day}日".translate(
            str.maketrans("0123456789", "０１２３４５６７８９")
        ),
    }[form]
    if form == "number8" and not text_only and draw(st.booleans()):
        return DateCell(int(text), day)
    return DateCell(text, day)


# ------------------------------------------------------------------------------------ layout


@dataclass
class _Col:
    key: str
    """title, chain, unit, money, plan, status, signed, index."""
    text: str
    unit: str | None = None
    """money: the unit the header itself names (亿/万), None when it names none."""


@dataclass
class _Row:
    title: str
    chain: str
    chain_cell: Any
    unit: str | None
    unit_cell: Any
    money: Money | None
    status: str
    status_cell: Any
    refused_status: bool
    signed: DateCell | None


def _last_day(year: int, month: int) -> dt.date:
    import calendar

    return dt.date(year, month, calendar.monthrange(year, month)[1])


@st.composite
def sheet(
    draw: st.DrawFn, name: str, words: list[str], *, text_only: bool = False, faults: bool = True
) -> tuple[Sheet, list[str]]:
    """One sheet and the --map entries it needs.  ``words`` gives each row's distinct title
    word (consumed).  ``text_only``: every value as text (an HTML page for LibreOffice)."""
    layout: list[str] = []
    trad = draw(st.booleans())
    # ---- columns
    cols: list[_Col] = []
    if draw(st.booleans()):
        cols.append(_Col("index", "序號" if trad else "序号"))
    cols.append(
        _Col("title", draw(st.sampled_from(["項目名稱", "项目名称（企业）"] if trad else ["项目名称", "名称"])))
    )
    headings = draw(st.booleans())
    chain_col = not headings or draw(st.booleans())
    if chain_col:
        cols.append(_Col("chain", "產業鏈" if trad else draw(st.sampled_from(["产业链", "所属产业链"]))))
    if draw(st.booleans()):
        cols.append(_Col("unit", "責任單位" if trad else draw(st.sampled_from(["责任单位", "牵头单位"]))))
    two_row = draw(st.sampled_from(["one", "one", "money_group", "info_group"]))
    if two_row == "info_group" and not (chain_col and any(c.key == "unit" for c in cols)):
        two_row = "one"
    mapping: list[str] = []
    money_col: _Col | None = None
    if two_row == "money_group":
        money_col = _Col("money", "总投资", "亿")
        cols += [money_col, _Col("plan", "年度计划")]
        mapping.append("年度计划（亿元）=忽略")
    elif draw(st.integers(0, 4)) > 0:
        text, unit = draw(
            st.sampled_from(
                [("投资额（万元）", "万"), ("计划总投资（亿元）", "亿"), ("投资额", None), ("總投資（億元）", "亿"),
                 ("投资额/万元", "万"), ("签约额（亿元）", "亿")]
            )
        )  # fmt: skip
        money_col = _Col("money", text, unit)
        cols.append(money_col)
    if draw(st.booleans()):
        cols.append(_Col("status", "項目階段" if trad else draw(st.sampled_from(["推进状态", "状态", "项目阶段"]))))
    if draw(st.booleans()):
        cols.append(_Col("signed", "簽約日期" if trad else draw(st.sampled_from(["签约日期", "签约时间"]))))
    width = len(cols)
    at = {c.key: i for i, c in enumerate(cols)}
    #: a header needs two labels the tool knows (序号 is none): 序号 + 项目名称 alone is refused
    lone_header = sum(1 for c in cols if c.key not in ("index", "plan")) < 2

    # ---- the area above the header
    grid: list[list[Any]] = []
    merges: list[tuple[int, int, int, int]] = []
    refusals: list[Refusal] = []

    def line(cells: dict[int, Any]) -> list[Any]:
        return [cells.get(i) for i in range(width)]

    period: tuple[dt.date, dt.date] | None = None
    title_form = draw(st.sampled_from(["none", "plain", "month", "quarter", "range"]))
    if title_form != "none":
        year = draw(st.sampled_from([2025, 2026]))
        if title_form == "month":
            m = draw(st.integers(1, 11))
            text, period = f"爱辉区{year}年{m}月重点招商项目推进情况表", (dt.date(year, m, 1), _last_day(year, m))
        elif title_form == "quarter":
            q = draw(st.integers(1, 3))
            cn = "一二三"[q - 1]
            text = f"{year}年第{cn}季度招商引资项目调度表"
            period = (dt.date(year, 3 * q - 2, 1), _last_day(year, 3 * q))
        elif title_form == "range":
            last = draw(st.integers(2, 11))
            text, period = f"{year}年1—{last}月重点项目进展", (dt.date(year, 1, 1), _last_day(year, last))
        else:
            text = "重点招商项目推进情况表"
        grid.append(line({0: text}))
        if width > 1 and draw(st.booleans()):
            merges.append((0, 0, 0, width - 1))
        layout.append(f"title:{title_form}")
    default_unit: str | None = None
    named_unit: str | None = None  # a 填报单位 that is no unit: never created, not used
    filed: dt.date | None = None
    sheet_money: str | None = None
    if draw(st.booleans()):
        key = "填報單位" if trad else draw(st.sampled_from(["填报单位", "报送单位"]))
        who, default_unit = draw(
            st.sampled_from(
                [("爱辉区商务局", "爱辉区"), ("北安市（盖章）", "北安市"), ("愛輝區招商局（蓋章）", "爱辉区"),
                 ("某某县招商局", None)]
            )
        )  # fmt: skip
        if default_unit is None:
            named_unit = who
        cells: dict[int, Any] = {0: f"{key}：{who}"}
        if draw(st.booleans()):
            lo = period[0] if period else FIRST_DAY
            filed = draw(st.dates(lo, min(LAST_DAY, (period[1] if period else LAST_DAY) + dt.timedelta(days=40))))
            dkey = "填報日期" if trad else draw(st.sampled_from(["填报日期", "报送时间"]))
            form = draw(st.sampled_from(["cn", "iso", "next_cell"] + ([] if text_only else ["date_cell"])))
            value: Any = f"{filed.year}年{filed.month}月{filed.day}日" if form == "cn" else filed.isoformat()
            if form == "date_cell" and width >= 4:  # a date typed into the cell after the key
                cells[width - 2], cells[width - 1] = f"{dkey}：", dt.datetime(filed.year, filed.month, filed.day)
            elif form in ("next_cell", "date_cell") and width >= 4:
                cells[width - 2], cells[width - 1] = f"{dkey}：", value
            elif width >= 3:
                cells[width - 1] = f"{dkey}：{value}"
            else:
                cells[0] = f"{key}：{who}　　{dkey}：{value}"
            layout.append(f"filed:{form}")
        grid.append(line(cells))
        layout.append("填报")
    if title_form == "month" and default_unit not in (None, "爱辉区") and "unit" not in at:
        # the title says 爱辉区, the 填报单位 line another unit (北安市), no 责任单位 column: whose
        # figures they are cannot be told — refused naming both (issue 25, h25h)
        refusals.append(Refusal(name, None, "标题与填报单位说的单位不同"))
    titled_unit = None
    if named_unit is None and default_unit is None and title_form == "month":
        # no 填报单位 line: the unit the title begins with (爱辉区) is the unit of rows without one
        default_unit = titled_unit = "爱辉区"
    if draw(st.integers(0, 3)) == 0:
        sheet_money = draw(st.sampled_from(["亿", "万"]))
        money_line = (len(grid), draw(st.sampled_from(["单位：{u}元", "（金额单位：{u}元）", "單位：{u}元"])))
        grid.append(line({0: money_line[1].format(u="億" if trad and sheet_money == "亿" else sheet_money)}))
        layout.append(f"money_line:{sheet_money}")
    if grid and draw(st.booleans()):
        grid.append(line({}))

    # ---- the header
    header_top = len(grid)
    if two_row == "one":
        grid.append([c.text for c in cols])
    else:
        upper: list[Any] = [None] * width
        lower: list[Any] = [None] * width
        group = ("计划投资（亿元）", "money", "plan") if two_row == "money_group" else ("项目信息", "chain", "unit")
        g0, g1 = at[group[1]], at[group[2]]
        for i, c in enumerate(cols):
            if g0 <= i <= g1:
                lower[i] = c.text
            else:
                upper[i] = c.text
                merges.append((header_top, i, header_top + 1, i))
        upper[g0] = group[0]
        merges.append((header_top, g0, header_top, g1))
        grid += [upper, lower]
        layout.append(f"two_row:{two_row}")
    first_data = len(grid)

    # ---- the money column's unit
    money_unit = "万"
    if money_col is not None:
        own = money_col.unit
        if own is not None and sheet_money is not None and own != sheet_money and not faults:
            sheet_money = own  # a clean sheet says the same unit twice
            grid[money_line[0]][0] = money_line[1].format(u=own)
        if own is not None and sheet_money is not None and own != sheet_money:
            refusals.append(Refusal(name, None, "单位行与列的单位矛盾"))
        money_unit = own or sheet_money or "万"

    # ---- the rows
    n = draw(st.integers(1, min(6, len(words))))
    side_by_side = faults and draw(st.integers(0, 6)) == 0
    create_missing = False
    groups: list[tuple[str, list[_Row]]] = []
    chains_in_order = draw(st.permutations(list(CHAINS)))
    rows: list[_Row] = []
    for _i in range(n):
        w = words.pop()
        title = draw(st.sampled_from(TITLE_FORMS)).format(w=w)
        chain = draw(st.sampled_from(list(CHAINS)))
        chain_cell: Any = draw(st.sampled_from(CHAINS[chain])) if chain_col else None
        unit: str | None = default_unit
        unit_cell: Any = None
        if "unit" in at and draw(st.integers(0, 3)) > 0:
            if draw(st.integers(0, 8)) == 0:
                unit, unit_cell = NEW_UNIT, NEW_UNIT
                create_missing = True
            else:
                unit = draw(st.sampled_from(list(UNITS)))
                unit_cell = draw(st.sampled_from(UNITS[unit]))
        m = (
            draw(money(money_unit, text_only=text_only, faults=faults))
            if money_col is not None and draw(st.integers(0, 5))
            else None
        )
        status, status_cell, bad_status = "线索", None, False
        if "status" in at and draw(st.integers(0, 4)):
            if faults and draw(st.integers(0, 8)) == 0:
                status_cell, bad_status = draw(st.sampled_from(BAD_STAGES)), True
            else:
                status = draw(st.sampled_from([*STAGES, EXIT]))
                status_cell = draw(st.sampled_from(STAGE_WORDS[status]))
        signed = None
        if "signed" in at and draw(st.booleans()) and (faults or _rank(status) >= 2):
            signed = draw(signing_date(text_only=text_only, faults=faults))
        rows.append(_Row(title, chain, chain_cell, unit, unit_cell, m, status, status_cell, bad_status, signed))
    if headings:
        layout.append("headings")
        for ch in chains_in_order:
            mine = [r for r in rows if r.chain == ch]
            if mine:
                groups.append((ch, mine))
        if chain_col:  # a row may leave its chain to the heading, or contradict it
            for _ch, mine in groups:
                for r in mine:
                    pick = draw(st.integers(0, 9))
                    if pick < 5:
                        r.chain_cell = None
                    elif pick == 9 and faults:
                        other = next(c for c in CHAINS if c != r.chain)
                        r.chain_cell = CHAINS[other][0]
    else:
        groups = [("", rows)]

    number = 0
    sub_total = draw(st.booleans()) and headings
    for gi, (ch, mine) in enumerate(groups):
        if headings:
            cnt = f"（{len(mine)}个）" if draw(st.booleans()) else ""
            grid.append(line({0: f"{SECTION_NUMBERS[gi]}、{ch}产业链{cnt}"}))
            if width > 1 and draw(st.booleans()):
                merges.append((len(grid) - 1, 0, len(grid) - 1, width - 1))
        start = len(grid)
        for k, r in enumerate(mine):
            number += 1
            cells: dict[int, Any] = {at["title"]: r.title}
            if "index" in at:
                cells[at["index"]] = (k + 1) if headings else number
            if "chain" in at and r.chain_cell is not None:
                cells[at["chain"]] = r.chain_cell
            if "unit" in at and r.unit_cell is not None:
                cells[at["unit"]] = r.unit_cell
            if r.money is not None:
                cells[at["money"]] = r.money.cell
            if "plan" in at and draw(st.booleans()):
                cells[at["plan"]] = draw(st.sampled_from([0.5, 1, "0.3"]))
            if r.status_cell is not None:
                cells[at["status"]] = r.status_cell
            if r.signed is not None:
                cells[at["signed"]] = r.signed.cell
            grid.append(line(cells))
        # vertical merges over runs of equal values (chain or unit), or an amount over two rows
        for key in ("chain", "unit", "money"):
            if key not in at or len(mine) < 2 or draw(st.integers(0, 3)) != 0:
                continue
            k = draw(st.integers(0, len(mine) - 2))
            a, b = mine[k], mine[k + 1]
            c = at[key]
            if key == "money":
                if a.money is None or not faults:
                    continue
                if b.money is not None:  # the covered cell loses its value
                    b.money = None
                    grid[start + k + 1][c] = None
                refusals.append(Refusal(name, start + k + 1, "金额合并单元格"))
            else:
                cell = grid[start + k][c]
                if cell is None:
                    continue
                grid[start + k + 1][c] = None
                if key == "chain":
                    if b.chain != a.chain:
                        b.chain = a.chain
                    b.chain_cell = a.chain_cell
                else:
                    b.unit, b.unit_cell = a.unit, a.unit_cell
            merges.append((start + k, c, start + k + 1, c))
            layout.append(f"merge:{key}")
        last = mine[-1]
        if "index" in at and money_col is not None and last.money is not None and last.money.wan:
            # the group's last project broken down under it: its parts numbered 3.1, 3.2 whose
            # amounts add up to its own, or a 「其中：」 line — never projects of their own
            what = draw(st.sampled_from(["none", "none", "parts", "其中"]))
            idx = len(mine) if headings else number
            wan = Decimal(repr(last.money.wan))
            part = (wan / 3).quantize(Decimal("0.01"))
            if what == "parts" and 0 < part < wan:
                for j, amount in enumerate((part, wan - part), start=1):
                    grid.append(line({at["index"]: f"{idx}.{j}", at["title"]: f"第{j}期", at["money"]: f"{amount}万"}))
                layout.append("sub_rows")
            elif what == "其中":
                mark = draw(st.sampled_from([None, f"{idx}.1", "（1）"]))
                grid.append(line({at["index"]: mark, at["title"]: "其中：固定资产投资", at["money"]: f"{part}万"}))
                layout.append("其中_row")
        if gi + 1 < len(groups) and draw(st.integers(0, 5)) == 0 and two_row == "one":
            grid.append(grid[header_top][:])  # the header pasted again before the next group
            layout.append("repeated_header")
        if sub_total and money_col is not None:
            sub = sum(r.money.wan or 0 for r in mine if r.money is not None)
            grid.append(line({0: "小计", at["money"]: sub}))
            layout.append("小计")
        # a hidden data row: imported like the others
    if draw(st.booleans()):
        label_col = draw(st.sampled_from([0, at["title"]])) if "index" in at else at["title"]
        total: dict[int, Any] = {label_col: draw(st.sampled_from(["合计", "合 计", "總計", "全县合计"]))}
        if money_col is not None:
            total[at["money"]] = sum(r.money.wan or 0 for r in rows if r.money is not None)
        grid.append(line(total))
        layout.append("合计")
        if draw(st.booleans()):
            grid.append(line({at["title"]: "其中：新签约项目1个"}))
            layout.append("其中")
    hidden_cols: set[int] = set()
    if not text_only and draw(st.integers(0, 6)) == 0:
        hidden_cols.add(draw(st.sampled_from([i for i, c in enumerate(cols) if c.key not in ("title",)] or [0])))
        layout.append("hidden_column")
    hidden: set[int] = set()
    if not text_only and draw(st.integers(0, 5)) == 0:
        data_rows = [i for i in range(first_data, len(grid)) if grid[i][at["title"]] in {r.title for r in rows}]
        hidden.add(draw(st.sampled_from(data_rows)))
        layout.append("hidden_row")
    if draw(st.booleans()):
        grid.append(line({}))
        foot = draw(
            st.sampled_from(
                ["填报人：张三", "填報人：張三", "制表：李四", "製表：李四", "註：在谈项目不计入签约额", "統計：王五",
                 "注：在谈项目不计入签约额", "注：本表金额单位为{u}元", "註：金額單位為{u}元", "单位：{u}元"]
            )
        )  # fmt: skip
        if "{u}" in foot:  # the money unit said below the data: right only if the header says it too
            note_unit = draw(st.sampled_from(["亿", "万"]))
            foot = foot.format(u=("億" if "億" in foot or "註" in foot else "亿") if note_unit == "亿" else "万")
            known = {u for u in (money_col.unit if money_col is not None else None, sheet_money) if u}
            if known != {note_unit}:
                refusals.append(Refusal(name, None, "表下说明的金额单位"))
            layout.append("unit_note")
        grid.append(line({0: foot, **({width - 1: "审核：王五"} if width > 2 else {})}))
        layout.append("落款")
    if side_by_side:
        for r in range(len(grid)):
            grid[r] += [None] * 3
        grid[header_top][width + 1 : width + 3] = ["项目名称", "产业链"]
        grid[first_data][width + 1 : width + 3] = ["并排乙项目", "大豆加工"]
        refusals.append(Refusal(name, None, "并排的两张表"))
        layout.append("side_by_side")

    if lone_header:
        refusals.append(Refusal(name, None, "表头只有一个可识别的列名"))
        layout.append("lone_header")

    # ---- the truth
    today = dt.date.today()
    fallback = today
    if period is not None:
        fallback = period[1]
        if filed is not None and filed < fallback:
            fallback = filed
        fallback = min(fallback, today)
    elif filed is not None:
        fallback = filed
    row_of = {
        grid[i][at["title"]]: i + 1 for i in range(first_data, len(grid)) if isinstance(grid[i][at["title"]], str)
    }
    items: list[Item] = []
    kept = []  # the rows that become items
    for r in rows:
        where = row_of[r.title]
        bad = []
        if r.money is not None and r.money.wan is None:
            bad.append("money")
        if r.refused_status:
            bad.append("status")
        if r.signed is not None and r.signed.date is None:
            bad.append("date")
        if headings and r.chain_cell is not None:
            from zhaoshang.parse import to_simplified

            if to_simplified(str(r.chain_cell)) != r.chain:
                bad.append("heading")
        signed = r.signed.date if r.signed is not None else None
        if signed is not None and _rank(r.status) < _rank("已签约"):
            bad.append("date_before_stage")
        if r.status == EXIT:
            bad.append("no_reason")  # the sheet has no 退库原因 column: a move to 退库 needs its reason
        if signed is not None and filed is not None and signed > filed:
            bad.append("after_filed")  # a signing after the day the sheet was filled in
        undated = r.status != "线索" and not (r.status == "已签约" and signed is not None)
        if undated and period is None and filed is None:
            bad.append("undated")  # a move dated by nothing on the sheet would be the import day
        if bad:
            refusals.append(Refusal(name, where, ",".join(bad)))
            continue
        if not chain_col and not headings:
            raise AssertionError("a chain comes from a column or a heading")
        log: list[tuple[str, str]]
        if r.status == "线索" and signed is None:
            log = [("线索", fallback.isoformat())]
        else:
            moves: list[tuple[str, str]] = []
            if signed is not None:
                moves.append(("已签约", signed.isoformat()))
            if r.status != "已签约" or signed is None:
                moves.append((r.status, max(fallback, signed or fallback).isoformat()))
            entry = min([fallback.isoformat(), *(d for _s, d in moves)])
            log = [("线索", entry), *moves]
        signed_field = None
        if r.status == EXIT:
            signed_field = signed.isoformat() if signed is not None else None
        elif _rank(r.status) >= _rank("已签约"):
            signed_field = signed.isoformat() if signed is not None else log[-1][1]
        items.append(
            Item(r.title, r.chain, r.unit, r.money.wan if r.money is not None else None, r.status, signed_field, log)
        )
        kept.append(r)
    # what the import must list as inferred (by rule: exchange.inference.Rule), or say
    said: list[str] = []
    if any(f"merge:{k}" in layout for k in ("chain", "unit")):
        said.append("merged_cell")
    if headings and any(r.chain_cell is None for r in kept):
        said.append("group_heading")
    if default_unit is not None and any(r.unit_cell is None for r in kept):
        said.append("title_unit" if titled_unit else "reporting_unit")
    if period is not None and any(fallback.isoformat() in (d for _s, d in it.log) for it in items):
        said.append("report_period")  # (listed when a row takes its date from it)
    if sheet_money is not None and money_col is not None and money_col.unit is None:
        said.append("sheet_money_unit")
    if hidden:
        said.append("被隐藏")
    out = Sheet(name, grid, merges, hidden, items, refusals, layout, said, hidden_cols)
    out.create_missing = create_missing  # type: ignore[attr-defined]
    out.named_unit = named_unit  # type: ignore[attr-defined]
    return out, mapping


SHEET_NAMES = ["Sheet1", "爱辉区", "第二批"]


@st.composite
def workbooks(draw: st.DrawFn, *, text_only: bool = False, max_sheets: int = 3) -> Workbook:
    words = list(draw(st.permutations(WORDS)))
    n = draw(st.integers(1, max_sheets))
    sheets: list[Sheet] = []
    mapping: list[str] = []
    create = False
    faults = draw(st.integers(0, 2)) == 0  # a third of the workbooks hold something to refuse
    for i in range(n):
        s, m = draw(sheet(SHEET_NAMES[i], words, text_only=text_only, faults=faults))
        sheets.append(s)
        mapping += [x for x in m if x not in mapping]
        create = create or bool(getattr(s, "create_missing", False))
    create_missing = create and draw(st.booleans())
    # a 填报单位 that is no unit is never created, --create-missing or not: its rows get no unit
    for s in sheets:
        if create_missing and any(it.unit == NEW_UNIT for it in s.items):
            s.said.append(f"created_unit:{NEW_UNIT}")
    if not create_missing:
        for s in sheets:
            for it in list(s.items):
                if it.unit == NEW_UNIT:
                    s.items.remove(it)
                    s.refusals.append(Refusal(s.name, None, f"unknown unit {it.title}"))
    return Workbook(sheets, mapping, create_missing)
