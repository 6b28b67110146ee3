"""The report as an Excel workbook a leader can read without help (xlsxwriter, imported
here only).

* 封面 — the headline figures (this period, the one before, the change, the year to date,
  the goal and its completion against 时序进度), the conversion rates, the top of the
  ranking and who is behind; every figure links to the sheet listing its rows.
* One sheet per section — 产业链, 招商主体, 擂台赛 (bar chart), 项目推进 (funnel chart),
  到位资金 (monthly trend chart: 万元 columns, 万美元 line on its own axis), 问题台账,
  大走访与手续, 预警 (the warnings counted by list, chain and unit, and the worst red items) —
  and 口径说明 with the definition of every figure.
* 明细-… sheets: the rows behind every figure, each marked 计入本期 / 计入年累计, so a number
  can be traced to its projects with Excel's filter — in a companion workbook beside the report
  (月报.xlsx → 月报明细.xlsx, :func:`details_path`), which the cover's 「查看明细」 links open.
  Thousands of rows are for the screen: printing the report's whole workbook (a leader's print
  button) prints the sheets a leader reads, not 374 pages of 对接记录 nor 230 of warnings
  (明细-预警).  (An .xlsx has no per-sheet "do not print"; a hidden sheet cannot be the target
  of a link.)
* Print-ready: A4 landscape, fit to page width, title in the page header, page numbers,
  header rows repeated on every page, a table that fits on a page never split from its heading
  (:meth:`_Sheet.keep`).  Text is always written as text (no formula injection).
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..files import writing
from . import numbers
from .dashboard import FUNNEL, HEADLINE, RATE_PAIRS
from .figures import in_window
from .metrics import BY_KEY, Metric, definition
from .periods import funds_months

if TYPE_CHECKING:
    from .report import Report, ScopeRow

FONT = "等线"
_ISO = re.compile(r"^\d{4}-\d{2}-\d{2}")
#: detail sheets: (sheet name, figure keys it explains)
#: the detail sheets (the rows behind the figures) are named 明细-…
DETAIL_PREFIX = "明细-"
DETAIL_SHEETS = {
    "new_targets": "明细-新增项目",
    "talks": "明细-对接项目",
    "signed": "明细-签约",
    "registered": "明细-入统",
    "started": "明细-开工",
    "producing": "明细-投产",
    "withdrawn": "明细-退库",
    "contacts": "明细-对接记录",
    "funds": "明细-到位资金",
    "problems": "明细-问题",
    "visits": "明细-走访",
    "permits": "明细-施工许可",
    "warnings": "明细-预警",
}
#: which detail sheet explains each figure
TRACE = {
    "new_targets": "new_targets",
    "talks": "talks",
    "signed": "signed",
    "signed_amount": "signed",
    "signed_foreign": "signed",
    "registered": "registered",
    "started": "started",
    "producing": "producing",
    "withdrawn": "withdrawn",
    "contacts": "contacts",
    "funds_domestic": "funds",
    "funds_foreign": "funds",
    "problems_new": "problems",
    "problems_closed": "problems",
    "problems_open": "problems",
    "problems_overdue": "problems",
    "close_rate": "problems",
    "visits": "visits",
    "visited": "visits",
    "visit_problems_found": "problems",
    "visit_problems_solved": "problems",
    "permits": "permits",
    "permit_days": "permits",
}


_KIND = {"int": "number", "money": "number", "score": "number", "pct": "number", "days": "number", "date": "date"}


@functools.lru_cache(maxsize=4096)
def _iso_day(text: str) -> date:
    return date.fromisoformat(text)


def _width(text: str) -> int:
    from ..render import width

    return width(text)


#: the text of every sheet is BASE_PT; printed (fitted to the page width), never smaller than MIN_PRINT_PT
BASE_PT, MIN_PRINT_PT = 10, 8
#: a list of details (明细-…) prints whole rows one page wide at this size or more
DETAIL_PRINT_PT = 7
#: the widest a column of names or text grows (longer text wraps in it, the row made taller)
TEXT_WIDTH = 16
#: the same in a list of details, where a row stays one line (longer text is cut at the edge on paper)
DETAIL_TEXT_WIDTH = 24
#: the height of a line of 10 pt text (points), and the most lines a row is made tall for
LINE_HEIGHT, MAX_LINES = 13, 6
#: the height of a row of 10 pt text the sheet does not size, as LibreOffice lays it out (points)
ROW_PT = 13
#: the height of A4 landscape between the top and bottom margins (0.7 in, 0.6 in), with a little to
#: spare, in points: where a page ends when the rows are laid out (:meth:`_Sheet.keep`)
PAGE_BODY_PT = (210 / 25.4 - 1.3) * 72 - 12
#: A4 landscape less the top and bottom margins and the title rows, in points
PRINTABLE_HEIGHT_PT = (210 / 25.4 - 1.3) * 72 - 60
#: A4 landscape less the left and right margins (0.4 in each), in points
PRINTABLE_PT = (297 / 25.4 - 0.8) * 72
#: Excel's width of a column the sheet does not size (characters)
DEFAULT_WIDTH = 8.43


class _Sheet:
    """A worksheet written top to bottom, remembering column widths and print setup."""

    def __init__(self, book: _Book, name: str, title: str) -> None:
        self.book = book
        self.ws = book.wb.add_worksheet(name)
        self.name = name
        self.row = 0
        self.widths: dict[int, int] = {}
        self.tall: dict[int, int] = {}  # lines of wrapped text per row
        # a sheet a leader reads: text wraps in columns of at most TEXT_WIDTH, rows as tall as it;
        # a list of details (thousands of rows, for filtering on screen): one line a row
        self.wraps = not name.startswith(DETAIL_PREFIX)
        self.text_width = TEXT_WIDTH if self.wraps else DETAIL_TEXT_WIDTH
        self.repeat: int | None = None  # the header row to print on every page, if it runs on
        self.repeat_end: int | None = None  # the row after its table
        self.links: int | None = None  # the first column of 「查看明细」 links (not printed)
        ws = self.ws
        self.breaks: list[int] = []
        self.heights: dict[int, float] = {}  # rows made taller or shorter than ROW_PT (points)
        self.keeps: list[tuple[int, int]] = []  # (first row, row after): printed on one page if they fit
        ws.set_landscape()
        ws.set_paper(9)  # A4 (fitted to the page, or scaled, when the widths are known: finish)
        ws.center_horizontally()
        ws.set_margins(left=0.4, right=0.4, top=0.7, bottom=0.6)
        ws.set_header(f"&C&14&B{_escape(title)}")
        ws.set_footer(f"&L{_escape(book.report.heading)}&C第 &P 页，共 &N 页&R{_escape(name)}")
        ws.hide_gridlines(2)

    def title(self, text: str, sub: str = "", span: int = 8) -> None:
        f = self.book.f
        self.ws.merge_range(self.row, 0, self.row, span - 1, text, f["title"])
        self.height(self.row, 30)
        self.row += 1
        if sub:  # wraps in the width of the table (a detail sheet's summary is long)
            self.ws.merge_range(self.row, 0, self.row, span - 1, sub, f["sub"])
            self.height(self.row, 15 * (_width(sub) // (span * 8) + 1))
            self.row += 1
        self.row += 1

    def _table_ends(self) -> None:
        if self.repeat is not None and self.repeat_end is None and self.row > self.repeat:
            self.repeat_end = self.row

    def note(self, text: str, span: int = 8) -> None:
        self._table_ends()
        self.ws.merge_range(self.row, 0, self.row, span - 1, text, self.book.f["note"])
        across = max(sum(self.widths.get(c, 6) for c in range(span)), span * 8)
        self.height(self.row, LINE_HEIGHT * (_width(text) // across + 1) + 2)
        self.row += 1

    def header(self, labels: list[str], *, repeat: bool = False) -> int:
        f = self.book.f["head"]
        self._table_ends()
        lines = 1
        parts = 3 if len(labels) <= 12 else 4  # a wide table's headers wrap in up to four lines
        for c, label in enumerate(labels):
            self.ws.write_string(self.row, c, label, f)
            self.widths[c] = max(self.widths.get(c, 6), min(48, -(-_width(label) // parts) + 2))
            lines = max(lines, min(MAX_LINES, -(-_width(label) // (self.widths[c] - 2))))
        if lines > 1:
            self.height(self.row, LINE_HEIGHT * lines)
        if repeat:
            self.repeat, self.repeat_end = self.row, None
        self.row += 1
        return self.row - 1

    def cells(self, values: list[Any], formats: list[str | None] | None = None, *, bold: bool = False) -> int:
        """One row; each value written by its type (text always as text)."""
        fmts = formats or [None] * len(values)
        for c, (v, fk) in enumerate(zip(values, fmts, strict=True)):
            self.write(self.row, c, v, fk, bold=bold)
        self.row += 1
        return self.row - 1

    def write(self, r: int, c: int, v: Any, fk: str | None = None, *, bold: bool = False) -> None:
        f = self.book.f
        key = (fk or ("text" if isinstance(v, str) or v is None else "int")) + ("_b" if bold else "")
        fmt = f.get(key, f["text"])
        if v is None or v == "":
            self.ws.write_blank(r, c, None, fmt)
        elif isinstance(v, bool):
            self.ws.write_string(r, c, "是" if v else "否", fmt)
            self._fit(c, "是")
        elif isinstance(v, int | float):
            if fk == "money" and numbers.is_whole(v):  # 205,000 not 205,000.0 (as in the 通报)
                fmt = f.get("int" + ("_b" if bold else ""), fmt)
            self.ws.write_number(r, c, v, fmt)
            self._fit(c, _shown(v, fk))
        elif isinstance(v, date) or (fk == "date" and isinstance(v, str) and _ISO.match(v)):
            day = v if isinstance(v, date) else date.fromisoformat(v[:10])
            self.ws.write_datetime(r, c, day, f["date_b" if bold else "date"])
            self._fit(c, "2026-01-0")  # yyyy-mm-dd fits in 11
        else:
            self.ws.write_string(r, c, str(v), fmt)
            self._fit(c, str(v))
            if key.split("_")[0] in ("text", "behind", "note"):  # these wrap
                self._tall(r, c, str(v))

    def table_rows(self, columns: list[tuple[str, str, str]], rows: list[dict[str, Any]]) -> None:
        """Many rows of one table, fast: one writer per column, widths from the first rows."""
        ws, f = self.ws, self.book.f
        plan = [
            (key, c, _KIND.get(fk, "text"), f["line" if fk == "text" and not self.wraps else fk])
            for c, (key, _head, fk) in enumerate(columns)
        ]
        whole = f["int"]
        r = self.row
        for i, row in enumerate(rows):
            measure = i < 300
            for key, c, how, fmt in plan:
                v = row.get(key)
                if v is None or v == "":
                    ws.write_blank(r, c, None, fmt)
                    continue
                if isinstance(v, bool):
                    v, how = ("是" if v else "否"), "text"
                if how == "number":
                    money = fmt is not whole and columns[c][2] == "money" and numbers.is_whole(float(v))
                    ws.write_number(r, c, v, whole if money else fmt)
                    shown = _shown(float(v), columns[c][2])
                elif how == "date" and isinstance(v, str) and _ISO.match(v):
                    ws.write_datetime(r, c, _iso_day(v[:10]), fmt)
                    shown = "2026-01-0"  # yyyy-mm-dd fits in 11
                else:
                    shown = str(v)
                    if self.wraps and how == "text" and len(shown) * 2 + 2 > self.text_width:
                        self._tall(r, c, shown)
                    ws.write_string(r, c, shown, fmt)
                if measure:
                    self._fit(c, shown)
            r += 1
        self.row = r

    def link(self, r: int, c: int, sheet: str, text: str = "查看明细") -> None:
        """A link to a detail sheet of the companion workbook (beside this one): for the screen —
        its column and those after it (chart helpers) are left out of the print area."""
        self.ws.write_url(r, c, f"external:{self.book.details}#'{sheet}'!A1", self.book.f["link"], text)
        self._fit(c, text)
        self.links = c if self.links is None else min(self.links, c)

    def _fit(self, c: int, text: str) -> None:
        self.widths[c] = max(self.widths.get(c, 6), min(self.text_width, _width(text) + 2))

    def _tall(self, r: int, c: int, text: str) -> None:
        """Make row ``r`` tall enough for ``text`` wrapped in column ``c`` (LibreOffice does
        not size rows of a file by itself; rows go to disk as written, so it is done now)."""
        w, room = _width(text), max(self.text_width, self.widths.get(c, 0))
        if w <= room or not self.wraps:
            return
        lines = min(MAX_LINES, -(-w // room))
        if lines > self.tall.get(r, 1):
            self.tall[r] = lines
            self.height(r, LINE_HEIGHT * lines)

    def height(self, r: int, pt: float) -> None:
        """Row ``r`` ``pt`` points tall (remembered: :meth:`finish` lays the pages out with it)."""
        self.heights[r] = pt
        self.ws.set_row(r, pt)

    def keep(self, first: int) -> None:
        """Rows ``first`` up to the current row (a heading, a table's header and its rows) are
        printed on one page when they fit on one: never a heading or a header at the foot of a
        page with its rows on the next."""
        if self.row > first:
            self.keeps.append((first, self.row))

    def chart(self, row: int, col: int, chart: Any) -> None:
        """A chart that starts a page of its own: never cut in two with its title over it."""
        self.ws.insert_chart(row, col, chart)
        if row > 0:
            self.breaks.append(row)
            self.ws.set_h_pagebreaks(sorted(set(self.breaks)))

    def print_scale(self) -> float:
        """The scale a sheet one page wide prints at on A4 landscape (1 = full size)."""
        used = self.links - 1 if self.links else max(self.widths, default=0)  # links are not printed
        # as stored in the file (xlsxwriter adds the cell padding), then printed
        width_pt = sum((self.widths.get(c, DEFAULT_WIDTH) * 7 + 10) * 0.75 for c in range(used + 1))
        return min(1.0, PRINTABLE_PT / width_pt) if width_pt else 1.0

    def _paginate(self) -> None:
        """A page break before each block kept together (:meth:`keep`) that would run over the
        foot of its page and fits on the next one — the pages laid out as LibreOffice and Excel
        do: rows of their known heights, at the scale the sheet prints at, on A4 landscape."""
        if not self.keeps:
            return
        room = PAGE_BODY_PT / self.print_scale()
        ends = dict(self.keeps)
        breaks = set(self.breaks)
        used = 0.0
        for r in range(self.row):
            h = self.heights.get(r, ROW_PT)
            if r in breaks:
                used = 0.0
            elif r in ends and used > 0:
                block = sum(self.heights.get(k, ROW_PT) for k in range(r, ends[r]))
                if block <= room < used + block:
                    breaks.add(r)
                    used = 0.0
            if used + h > room and used > 0:
                used = 0.0
            used += h
        if breaks != set(self.breaks):
            self.breaks = sorted(breaks)
            self.ws.set_h_pagebreaks(self.breaks)

    def finish(self, *, freeze: int | None = None, autofilter: tuple[int, int, int, int] | None = None) -> None:
        for c, w in self.widths.items():
            self.ws.set_column(c, c, w)
        self._paginate()
        if self.links:
            self.ws.print_area(0, 0, max(self.row, 1), self.links - 1)
        if self.repeat is not None:
            # the header on every page where the table runs on: not over a page of notes or a chart
            end = self.repeat_end or self.row
            below = sum(LINE_HEIGHT * self.tall.get(r, 1) + 2 for r in range(self.repeat, end))
            if not self.wraps or below * min(1.0, self.print_scale()) > PRINTABLE_HEIGHT_PT * 0.8:
                self.ws.repeat_rows(self.repeat)
        # one page wide, as many tall as needed: a printed row is never cut from its name (a
        # sheet too wide for that is laid out narrower: wrapped headers and text)
        # (a list of details, one line a row, may print a little smaller: DETAIL_PRINT_PT)
        self.ws.fit_to_pages(1, 0)
        if freeze is not None:
            self.ws.freeze_panes(freeze, 0)
        if autofilter is not None:
            self.ws.autofilter(*autofilter)


def _shown(value: float, fk: str | None) -> str:
    """``value`` as a cell of format ``fk`` shows it (to size its column)."""
    if fk in ("pct", "pct_behind"):
        return numbers.percent(value) + (" 落后" if fk == "pct_behind" else "")
    if fk == "score":
        return numbers.score(value)
    if fk and fk.startswith("gap"):
        return "+" + numbers.grouped(value, 1)
    return numbers.figure(value)


def _escape(text: str) -> str:
    """Text for an Excel page header/footer (& starts a code there)."""
    return text.replace("&", "&&")


class _Book:
    def __init__(self, report: Report, path: Path, *, details: str = "", title: str = "") -> None:
        """``details``: the file name of the companion workbook the 「查看明细」 links open."""
        import xlsxwriter

        self.report = report
        self.details = details
        self.wb = xlsxwriter.Workbook(
            str(path),
            {
                "constant_memory": True,  # rows go to disk as written: flat memory for big lists
                "strings_to_numbers": False,
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "default_date_format": "yyyy-mm-dd",
            },
        )
        self.wb.set_properties(
            {
                "title": title or report.heading,
                "subject": f"{report.period.start} 至 {report.period.end}",
                "author": "zhaoshang",
                "comments": "由 zhaoshang（zs report）生成",
            }
        )
        self.f = self._formats()
        self.sheets: list[str] = []

    def _formats(self) -> dict[str, Any]:
        base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
        wb = self.wb
        specs: dict[str, dict[str, Any]] = {
            "title": {"bold": True, "font_size": 16, "align": "center"},
            "sub": {"font_color": "#555555", "align": "center", "text_wrap": True},
            "note": {"font_color": "#555555", "text_wrap": True, "valign": "top"},
            "head": {
                "bold": True,
                "bg_color": "#1F4E79",
                "font_color": "#FFFFFF",
                "border": 1,
                "align": "center",
                "text_wrap": True,
            },
            "text": {"border": 1, "text_wrap": True},  # a long name wraps in its column
            "line": {"border": 1},  # … but not in a list of details: one line a row
            "int": {"border": 1, "num_format": numbers.EXCEL["int"]},
            "money": {"border": 1, "num_format": numbers.EXCEL["money"]},
            "pct": {"border": 1, "num_format": numbers.EXCEL["pct"]},
            "days": {"border": 1, "num_format": numbers.EXCEL["days"]},
            "score": {"border": 1, "num_format": numbers.EXCEL["score"]},
            "date": {"border": 1, "num_format": "yyyy-mm-dd", "align": "left"},
            "link": {"border": 1, "font_color": "#0563C1", "underline": 1},
            "gap_ahead": {"border": 1, "num_format": "+0.0;-0.0;0.0", "font_color": "#1E7B34"},
            "gap_behind": {"border": 1, "num_format": "+0.0;-0.0;0.0", "font_color": "#808080"},
            "gap_yellow": {"border": 1, "num_format": "+0.0;-0.0;0.0", "font_color": "#BF8F00", "bold": True},
            "gap_red": {"border": 1, "num_format": "+0.0;-0.0;0.0", "font_color": "#C00000", "bold": True},
            "up": {"border": 1, "font_color": "#1E7B34", "align": "right"},
            "down": {"border": 1, "font_color": "#C00000", "align": "right"},
            "flat": {"border": 1, "font_color": "#808080", "align": "right"},
            "behind": {"border": 1, "font_color": "#C00000", "bold": True, "text_wrap": True},
            "pct_behind": {"border": 1, "num_format": '0.0%" 落后"', "font_color": "#C00000", "bold": True},
            "section": {"bold": True, "font_size": 12, "font_color": "#1F4E79"},
        }
        out: dict[str, Any] = {}
        for key, spec in specs.items():
            out[key] = wb.add_format({**base, **spec})
            out[f"{key}_b"] = wb.add_format({**base, **spec, "bold": True, "bg_color": spec.get("bg_color", "#F2F2F2")})
        return out

    def sheet(self, name: str, title: str) -> _Sheet:
        self.sheets.append(name)
        return _Sheet(self, name, title)

    def close(self) -> None:
        self.wb.close()


def check_target(path: Path) -> Path:
    """Refuse, before any work, a file name the workbook cannot be written to."""
    from ..files import check_target as check

    return check(path, suffix=".xlsx", what="报表文件", example="月报.xlsx")


def details_path(path: Path) -> Path:
    """The companion workbook of the 明细 sheets, beside the report: 月报.xlsx → 月报明细.xlsx."""
    return path.with_name(f"{path.stem}明细{path.suffix}")


@dataclass(frozen=True)
class Written:
    """The two workbooks written: the report's sheets, and the 明细 workbook beside it."""

    sheets: list[str]
    details: Path
    detail_sheets: list[str]


def write(report: Report, path: Path) -> Written:
    """Write ``report`` (built with details) to ``path`` and its 明细 sheets to
    :func:`details_path` beside it: each a temporary file in the same folder, renamed over its
    target when both are complete, the 明细 first (a kill or a full disk never leaves a broken
    workbook over the previous good one, nor a report without its details)."""
    if report.details is None:  # pragma: no cover - the CLI always builds with details
        raise ValueError("report built without details")
    path = check_target(path)
    companion = check_target(details_path(path))
    with writing(path) as tmp, writing(companion) as tmp_details:
        sheets = _write(report, tmp, companion.name)
        detail_sheets = _write_details(report, tmp_details)
    return Written(sheets, companion, detail_sheets)


def _write_details(report: Report, path: Path) -> list[str]:
    """The 明细 sheets in a workbook of their own at ``path`` (a temporary file)."""
    book = _Book(report, path, title=f"{report.heading} · 明细")
    _details(book)
    book.close()
    return book.sheets


def _write(report: Report, path: Path, details: str) -> list[str]:
    """Lay the report out into a new workbook at ``path`` (a temporary file); its 「查看明细」
    links open the workbook named ``details`` beside it."""
    book = _Book(report, path, details=details)
    _cover(book)
    _chains(book)
    _units(book)
    _ranking(book)
    _funnel(book)
    _funds(book)
    _problems(book)
    _visits(book)
    _warnings(book)
    _definitions(book)
    book.close()
    return book.sheets


# ---------------------------------------------------------------------------------------
# Sections
# ---------------------------------------------------------------------------------------


def _fmt(m: Metric) -> str:
    if m.rate:
        return "pct"
    if m.unit == "天":
        return "days"
    return "money" if m.money else "int"


def _cover(book: _Book) -> None:
    r = book.report
    s = book.sheet("封面", r.heading)
    span = 11  # the 明细 links (column L) are for the screen: outside the print area
    s.title(
        r.heading,
        f"统计期 {r.period.start} 至 {r.period.end}　截至 {r.asof}　上期 {r.previous.label}　"
        f"年累计 {r.year_to_date.label}　时序进度 {numbers.percent(r.time_progress)}　"
        f"生成于 {r.generated_at.replace('T', ' ')}",
        span,
    )
    s.ws.write_string(s.row, 0, "一、核心指标", book.f["section"])
    s.row += 1
    ago = r.last_year.label if r.last_year else "去年同期"
    s.header(
        [
            *("指标", "单位", "本期", "上期", "环比", f"去年同期（{ago}）", "同比", "年累计", "年度目标", "完成率"),
            *("比时序进度（百分点）", "明细"),
        ]
    )
    tot = r.total
    for key in HEADLINE:
        m = BY_KEY[key]
        cur, prev, back = tot.period.get(key), tot.previous.get(key), tot.last_year.get(key)
        goal = tot.goals.get(key)
        comp = tot.completion.get(key)
        row = s.cells(
            [m.label, m.unit, cur, prev, None, back, None, tot.year_to_date.get(key), goal or None, comp],
            [
                "text",
                "text",
                _fmt(m),
                _fmt(m),
                None,
                _fmt(m),
                None,
                _fmt(m),
                _fmt(m),
                "pct_behind" if key in tot.behind else "pct",
            ],
        )
        _change_cell(s, row, 4, cur, prev, m)
        _change_cell(s, row, 6, cur, back, m, year_on_year=True)
        gap = tot.schedule_gap.get(key)
        if gap is None:
            s.ws.write_blank(row, 10, None, book.f["flat"])
        else:
            s.ws.write_number(row, 10, float(numbers.rounded(gap * 100, 1)), book.f[_gap_format(gap * 100, r.config)])
        s.link(row, 11, DETAIL_SHEETS[TRACE[key]])
    s.note(
        f"完成率 = 年累计 ÷ 年度目标（各招商主体目标之和；没有单位目标的指标取各产业链目标之和）。"
        f"时序进度 {numbers.percent(r.time_progress)}：完成率低于它即为落后（红色）。",
        span,
    )
    for line in r.review.lines() if r.review is not None else ():  # 报送 → 认定: 待认定, 补认定
        s.note(line, span)
    s.row += 1
    s.ws.write_string(s.row, 0, "二、转化率", book.f["section"])
    s.row += 1
    s.header(["转化率", "年累计", "分子", "分母", "本期", "分子", "分母", "定义"])
    y, p = tot.year_to_date, tot.period
    for rate, num, den in RATE_PAIRS:
        m = BY_KEY[rate]
        s.cells(
            [
                m.label,
                y.get(rate),
                y.get(num),
                y.get(den),
                p.get(rate),
                p.get(num),
                p.get(den),
                definition(m, r.config),
            ],
            ["text", "pct", "int", "int", "pct", "int", "int", "note"],
        )
    s.row += 1
    s.ws.write_string(s.row, 0, "三、擂台赛（招商主体）", book.f["section"])
    s.row += 1
    s.header(["名次", "招商主体", "得分", "变化", "落后指标"])
    for row_ in r.ranking.rows:
        text, style = _rank_change(row_.change)
        s.cells(
            [row_.rank, row_.name, row_.score, text, "、".join(BY_KEY[k].label for k in row_.behind)],
            ["int", "text", "score", style, "behind"],
        )
    s.row += 1
    s.ws.write_string(s.row, 0, "四、问题台账", book.f["section"])
    s.row += 1
    s.header(["在办", "超期", "已销号", "问题总数", "销号率", "本期新增", "本期销号"])
    s.cells(
        [
            p.get("problems_open"),
            p.get("problems_overdue"),
            p.get("problems_closed_total"),
            p.get("problems_total"),
            p.get("close_rate"),
            p.get("problems_new"),
            p.get("problems_closed"),
        ],
        ["int", "int", "int", "int", "pct", "int", "int"],
    )
    s.row += 1
    s.note(
        f"各指标的定义见「口径说明」工作表；每个数字背后的项目见同一文件夹中的明细文件「{Path(book.details).stem}」"
        "（「明细-…」工作表，按“计入本期”“计入年累计”筛选即可核对；屏幕上点各行的链接打开）。",
        span,
    )
    s.finish()
    s.ws.set_column(0, 0, 22)
    s.ws.set_column(8, 8, 10)
    s.ws.fit_to_pages(1, 1)  # the cover on one page
    s.ws.print_area(0, 0, s.row, span - 1)
    s.ws.activate()


def _gap_format(points: float, cfg: Any) -> str:
    """Ahead of 时序进度 green; behind it grey, yellow from the bulletin's yellow threshold,
    red from its red one (the same thresholds as the 红黑榜)."""
    if points >= 0:
        return "gap_ahead"
    if -points >= cfg.red_points:
        return "gap_red"
    return "gap_yellow" if -points >= cfg.yellow_points else "gap_behind"


def _change_cell(
    s: _Sheet, row: int, col: int, cur: float | None, prev: float | None, m: Metric, *, year_on_year: bool = False
) -> None:
    """环比 as the change (↑3, ↓1,200), 同比 as the growth (↑12.3%), coloured good / bad."""
    from .dashboard import change, growth

    text, style = (growth if year_on_year else change)(cur, prev, m)
    fmt = {"green": "up", "red": "down"}.get(style, "flat")
    s.ws.write_string(row, col, text, s.book.f[fmt])
    s._fit(col, text)


def _rank_change(ch: int | None) -> tuple[str, str]:
    from .dashboard import rank_change

    text, style = rank_change(ch)
    return text, {"green": "up", "red": "down"}.get(style, "flat")


_SCOPE_COLS = (
    "contacts",
    "new_targets",
    "signed",
    "signed_amount",
    "signed_foreign",
    "registered",
    "started",
    "producing",
    "funds_domestic",
    "funds_foreign",
    "problems_open",
    "problems_overdue",
    "close_rate",
)


def _scope_sheet(book: _Book, name: str, title: str, rows: list[ScopeRow], extra: list[tuple[str, str]]) -> _Sheet:
    r = book.report
    s = book.sheet(name, f"{r.heading} · {title}")
    labels = [title, *(lbl for _, lbl in extra)]
    span = len(labels) + len(_SCOPE_COLS)
    s.title(
        f"{title} · {r.period.label}", f"本期 {r.period.start} 至 {r.period.end}；年累计 {r.year_to_date.label}", span
    )
    s.header([*labels, *(BY_KEY[k].header for k in _SCOPE_COLS)], repeat=True)
    head = s.row - 1
    for row in [*rows, r.total]:
        s.cells(
            [
                row.name,
                *(row.info.get(k) if row.level != "total" else "" for k, _ in extra),
                *(row.period.get(k) for k in _SCOPE_COLS),
            ],
            ["text", *("text" for _ in extra), *(_fmt(BY_KEY[k]) for k in _SCOPE_COLS)],
            bold=row.level == "total",
        )
    s.row += 1
    s.ws.write_string(s.row, 0, f"年累计与年度目标（{r.year_to_date.label}）", book.f["section"])
    s.row += 1
    goal_keys = [k for k in ("signed_amount", "funds_domestic", "started", "signed", "contacts")]
    s.header(
        [
            title,
            *(f"{BY_KEY[k].label}{suffix}" for k in goal_keys for suffix in ("年累计", "目标", "完成率")),
            "落后指标",
        ]
    )
    first = s.row
    for row in rows:
        vals: list[Any] = [row.name]
        fmts: list[str | None] = ["text"]
        for k in goal_keys:
            m = BY_KEY[k]
            vals += [row.year_to_date.get(k), row.goals.get(k), row.completion.get(k)]
            fmts += [_fmt(m), _fmt(m), "pct"]
        vals.append("、".join(BY_KEY[k].label for k in row.behind))
        fmts.append("behind")
        s.cells(vals, fmts)
    # 合计 is the sum of the rows above it — targets included; the office-wide target (the
    # units' targets added up) is a row of its own, named as such, where it differs
    sums = _column_sums(rows, goal_keys)
    vals, fmts = ["合计"], ["text"]
    for k in goal_keys:
        done, goal = sums[k]
        vals += [done, goal, done / goal if goal else None]
        fmts += [_fmt(BY_KEY[k]), _fmt(BY_KEY[k]), "pct"]
    vals.append("")
    fmts.append("behind")
    s.cells(vals, fmts, bold=True)
    tot = r.total
    if any(tot.goals.get(k) != sums[k][1] for k in goal_keys):
        vals, fmts = [TOTAL_GOAL_LABEL], ["text"]
        for k in goal_keys:
            vals += [tot.year_to_date.get(k), tot.goals.get(k), tot.completion.get(k)]
            fmts += [_fmt(BY_KEY[k]), _fmt(BY_KEY[k]), "pct"]
        vals.append("、".join(BY_KEY[k].label for k in tot.behind))
        fmts.append("behind")
        s.cells(vals, fmts, bold=True)
    for i in range(len(goal_keys)):
        col = 3 + 3 * i
        s.ws.conditional_format(
            first,
            col,
            s.row - 1,
            col,
            {
                "type": "data_bar",
                "bar_color": "#5B9BD5",
                "bar_solid": True,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )
    s.finish(freeze=head + 1)
    return s


#: the row under a 合计 that shows the office-wide target where it is not the rows' sum
TOTAL_GOAL_LABEL = "总目标（各招商主体年度目标之和）"


def _column_sums(rows: list[ScopeRow], keys: list[str]) -> dict[str, tuple[float, float | None]]:
    """Per metric: the rows' year-to-date sum and their targets' sum (None: no row has one)."""
    out: dict[str, tuple[float, float | None]] = {}
    for k in keys:
        done = sum(float(row.year_to_date.get(k) or 0) for row in rows)
        goals = [row.goals[k] for row in rows if row.goals.get(k)]
        out[k] = (done, sum(goals) if goals else None)
    return out


def _chains(book: _Book) -> None:
    r = book.report
    s = _scope_sheet(book, "产业链", "产业链", r.chains, [("leader", "包保领导"), ("lead_unit", "牵头单位")])
    # chart: year-to-date 签约额 against the goal, per chain
    n = len(r.chains)
    if not any(c.period.get("signed_amount") for c in r.chains):  # no chain signed: a page of empty axes
        return
    first = 3 + 1  # title, sub, blank, header
    chart = book.wb.add_chart({"type": "column"})
    cat = ["产业链", first, 0, first + n - 1, 0]
    chart.add_series(
        {
            "name": "本期签约额（万元）",
            "categories": cat,
            "values": ["产业链", first, 6, first + n - 1, 6],
            "fill": {"color": "#5B9BD5"},
        }
    )
    chart.set_title({"name": f"各产业链本期签约额（万元）· {r.period.label}", "name_font": {"name": FONT, "size": 12}})
    chart.set_legend({"none": True})
    chart.set_x_axis({"num_font": {"name": FONT, "size": 9}})
    chart.set_y_axis({"num_format": "#,##0", "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
    chart.set_size({"width": 760, "height": 320})
    s.chart(s.row + 1, 0, chart)


def _units(book: _Book) -> None:
    r = book.report
    _scope_sheet(book, "招商主体", "招商主体", r.units, [("type", "类型"), ("ranked", "参加排名")])


def _ranking(book: _Book) -> None:
    r = book.report
    rk = r.ranking
    s = book.sheet("擂台赛", f"{r.heading} · 擂台赛")
    labels = ["名次", "变化", "招商主体", "得分"]
    for w in rk.weights:
        m = BY_KEY[w.metric]
        labels += [f"{m.label}（{w.weight:g}分）得分", f"{m.label}{'完成率' if w.method == 'goal' else '数值'}"]
    labels += ["落后指标", "说明"]
    s.title(
        f"擂台赛 · {r.year_to_date.label}",
        f"截至 {rk.asof}；时序进度 {numbers.percent(rk.time_progress)}；变化为与 {rk.previous_asof} 的排名相比",
        len(labels),
    )
    head = s.header(labels, repeat=True)
    first = s.row
    for row in rk.rows:
        text, style = _rank_change(row.change)
        vals: list[Any] = [row.rank, text, row.name, row.score]
        fmts: list[str | None] = ["int", style, "text", "score"]
        for w in rk.weights:
            m = BY_KEY[w.metric]
            basis = row.completion.get(w.metric) if w.method == "goal" else row.values.get(w.metric)
            vals += [row.points.get(w.metric), basis]
            fmts += ["score", "pct" if (w.method == "goal" or m.rate) else _fmt(m)]
        vals += ["、".join(BY_KEY[k].label for k in row.behind), "；".join(row.notes)]
        fmts += ["behind", "text"]
        s.cells(vals, fmts)
    last = s.row - 1
    s.row += 1
    s.ws.write_string(s.row, 0, "产业链擂台赛", book.f["section"])
    s.row += 1
    s.header(["名次", "变化", "产业链", "得分", *(f"{BY_KEY[w.metric].label}得分" for w in rk.weights), "落后指标"])
    for row in r.chain_ranking.rows:
        text, style = _rank_change(row.change)
        s.cells(
            [
                row.rank,
                text,
                row.name,
                row.score,
                *(row.points.get(w.metric) for w in rk.weights),
                "、".join(BY_KEY[k].label for k in row.behind),
            ],
            ["int", style, "text", "score", *("score" for _ in rk.weights), "behind"],
        )
    s.row += 1
    from .ranking import explain_on_paper

    for line in explain_on_paper(r.config):
        s.note(line, len(labels))
    s.finish(freeze=head + 1)
    if rk.rows:
        chart = book.wb.add_chart({"type": "bar"})
        chart.add_series(
            {
                "name": "得分",
                "categories": ["擂台赛", first, 2, last, 2],
                "values": ["擂台赛", first, 3, last, 3],
                "fill": {"color": "#ED7D31"},
                "data_labels": {"value": True, "num_format": numbers.EXCEL["score"]},
            }
        )
        chart.set_title({"name": f"擂台赛得分 · {r.year_to_date.label}", "name_font": {"name": FONT, "size": 12}})
        chart.set_legend({"none": True})
        chart.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 9}})
        chart.set_x_axis({"min": 0, "major_gridlines": {"visible": True, "line": {"color": "#E0E0E0"}}})
        chart.set_size({"width": 760, "height": max(260, 28 * len(rk.rows) + 80)})
        s.chart(s.row + 1, 0, chart)


def _funnel(book: _Book) -> None:
    r = book.report
    s = book.sheet("项目推进", f"{r.heading} · 项目推进")
    s.title(f"项目推进漏斗 · {r.year_to_date.label}", "年累计首次达到各阶段的项目数（每个项目每个阶段只计一次）", 5)
    head = s.header(["阶段", "年累计", "本期", "转化率（年累计）", "转化率（本期）", "明细", "作图辅助"])
    y, p = r.total.year_to_date, r.total.period
    top = max([float(y.get(k) or 0) for k, _ in FUNNEL] + [0.0])
    rate_for = {"signed": "rate_signing", "registered": "rate_registering", "started": "rate_starting"}
    first = s.row
    for key, label in FUNNEL:
        n = float(y.get(key) or 0)
        rate = rate_for.get(key)
        row = s.cells(
            [
                label,
                y.get(key),
                p.get(key),
                y.get(rate) if rate else None,
                p.get(rate) if rate else None,
                None,
                (top - n) / 2,
            ],
            ["text", "int", "int", "pct", "pct", None, "money"],
        )
        s.link(row, 5, DETAIL_SHEETS[key])
    last = s.row - 1
    s.row += 1
    for rate, _num, _den in RATE_PAIRS:
        m = BY_KEY[rate]
        s.note(f"{m.label}：{definition(m, r.config)}", 5)
    s.finish(freeze=head + 1)
    s.ws.set_column(6, 6, 10, None, {"hidden": True})
    chart = book.wb.add_chart({"type": "bar", "subtype": "stacked"})
    chart.add_series(
        {
            "name": "辅助",
            "categories": ["项目推进", first, 0, last, 0],
            "values": ["项目推进", first, 6, last, 6],
            "fill": {"none": True},
            "border": {"none": True},
        }
    )
    chart.add_series(
        {
            "name": "项目数",
            "categories": ["项目推进", first, 0, last, 0],
            "values": ["项目推进", first, 1, last, 1],
            "fill": {"color": "#4472C4"},
            "gap": 30,
            "data_labels": {"value": True, "position": "center", "font": {"color": "#FFFFFF", "bold": True}},
        }
    )
    chart.set_title(
        {"name": f"项目推进漏斗（年累计）· {r.year_to_date.label}", "name_font": {"name": FONT, "size": 12}}
    )
    chart.set_legend({"none": True})
    chart.set_y_axis({"reverse": True, "num_font": {"name": FONT, "size": 10}})
    chart.set_x_axis({"visible": False, "major_gridlines": {"visible": False}})
    chart.show_hidden_data()
    chart.set_size({"width": 640, "height": 320})
    s.chart(s.row + 1, 0, chart)


def _funds(book: _Book) -> None:
    r = book.report
    s = book.sheet("到位资金", f"{r.heading} · 到位资金")
    s.title("到位资金与签约 · 近 12 个月", "国内资金以万元计，外资以万美元计，分列不换算；资金按月填报。", 6)
    head = s.header(
        ["月份", "到位资金（万元）", "到位外资（万美元）", "签约项目（个）", "签约额（万元）", "对接次数"], repeat=True
    )
    first = s.row
    for t in r.trend:
        s.cells(
            [t["month"], t["funds_domestic"], t["funds_foreign"], t["signed"], t["signed_amount"], t["contacts"]],
            ["text", "money", "money", "int", "money", "int"],
        )
    last = s.row - 1
    s.row += 1
    s.finish(freeze=head + 1)
    if r.trend:
        col = book.wb.add_chart({"type": "column"})
        col.add_series(
            {
                "name": "到位资金（万元）",
                "categories": ["到位资金", first, 0, last, 0],
                "values": ["到位资金", first, 1, last, 1],
                "fill": {"color": "#4472C4"},
            }
        )
        line = book.wb.add_chart({"type": "line"})
        line.add_series(
            {
                "name": "到位外资（万美元，右轴）",
                "categories": ["到位资金", first, 0, last, 0],
                "values": ["到位资金", first, 2, last, 2],
                "y2_axis": True,
                "line": {"color": "#ED7D31", "width": 2.25},
                "marker": {"type": "circle"},
            }
        )
        col.combine(line)
        col.set_title({"name": "到位资金月度趋势", "name_font": {"name": FONT, "size": 12}})
        col.set_y_axis({"name": "万元", "num_format": "#,##0"})
        line.set_y2_axis({"name": "万美元", "num_format": "#,##0"})
        col.set_legend({"position": "bottom", "font": {"name": FONT, "size": 9}})
        col.set_size({"width": 760, "height": 340})
        s.chart(s.row, 0, col)


def _problems(book: _Book) -> None:
    r = book.report
    s = book.sheet("问题台账", f"{r.heading} · 问题台账")
    keys = (
        "problems_open",
        "problems_overdue",
        "problems_closed_total",
        "problems_total",
        "close_rate",
        "problems_new",
        "problems_closed",
    )
    labels = ["责任单位", "在办", "超期", "已销号", "问题总数", "销号率", "本期新增", "本期销号"]
    s.title(f"问题台账 · 截至 {r.asof}", "在办、超期、销号率以统计日为准；新增、销号为本期发生数", len(labels))
    head = s.header(labels, repeat=True)
    first = s.row
    rows = [u for u in r.units if (u.period.get("problems_total") or 0) > 0]
    for row in [*rows, r.total]:
        s.cells(
            [row.name, *(row.period.get(k) for k in keys)],
            ["text", "int", "int", "int", "int", "pct", "int", "int"],
            bold=row.level == "total",
        )
    s.ws.conditional_format(
        first,
        2,
        s.row - 1,
        2,
        {"type": "cell", "criteria": ">", "value": 0, "format": book.wb.add_format({"font_color": "#C00000"})},
    )
    s.row += 1
    s.ws.write_string(s.row, 0, "按产业链", book.f["section"])
    s.row += 1
    s.header(["产业链", *labels[1:]])
    for row in [*r.chains, r.total]:
        s.cells(
            [row.name, *(row.period.get(k) for k in keys)],
            ["text", "int", "int", "int", "int", "pct", "int", "int"],
            bold=row.level == "total",
        )
    s.row += 1
    s.note(
        f"问题明细（含状态、时限、是否超期、是否走访发现）见明细文件「{Path(book.details).stem}」的「明细-问题」。",
        len(labels),
    )
    s.finish(freeze=head + 1)


def _visits(book: _Book) -> None:
    r = book.report
    s = book.sheet("大走访与手续", f"{r.heading} · 大走访与前期手续")
    s.title("大走访与前期手续", f"本期 {r.period.label}；年累计 {r.year_to_date.label}", 5)
    s.header(["指标", "单位", "本期", "上期", "年累计", "明细"])
    tot = r.total
    for key in ("visits", "visited", "visit_problems_found", "visit_problems_solved", "permits", "permit_days"):
        m = BY_KEY[key]
        row = s.cells(
            [m.label, m.unit, tot.period.get(key), tot.previous.get(key), tot.year_to_date.get(key)],
            ["text", "text", _fmt(m), _fmt(m), _fmt(m)],
        )
        s.link(row, 5, DETAIL_SHEETS[TRACE[key]])
    s.row += 1
    for key in ("visits", "visit_problems_found", "permits", "permit_days"):
        s.note(f"{BY_KEY[key].label}：{definition(BY_KEY[key], r.config)}", 5)
    s.finish()


#: the red items the 预警 sheet lists for a leader, worst first (every warning is in 明细-预警)
LEADER_ITEMS = 20
#: 明细-预警 lists at most this many warnings, worst first (zs warn gives all): every one up to a
#: 100,000-item database (84,971 warnings, about 18 s of the report's writing), a bounded cost beyond
WARNING_ROWS = 100_000
#: the columns of the warnings listed one by one (明细-预警)
WARNING_COLUMNS = [
    ("light_name", "灯", "text"),
    ("type_name", "类型", "text"),
    ("id", "编号", "int"),
    ("kind_name", "清单", "text"),
    ("title", "名称", "text"),
    ("chain", "产业链", "text"),
    ("unit", "责任单位", "text"),
    ("owner", "责任人", "text"),
    ("leader", "包保领导", "text"),
    ("status", "状态", "text"),
    ("elapsed", "已过天数", "int"),
    ("limit", "时限天数", "int"),
    ("message", "说明", "text"),
]


def _warning_counts(warnings: list[dict[str, Any]], types: list[str]) -> list[Any]:
    """红灯, 黄灯, 涉及条目, then the number of warnings of each type."""
    return [
        sum(w["light"] == "red" for w in warnings),
        sum(w["light"] == "yellow" for w in warnings),
        len({w["id"] for w in warnings}),
        *(sum(w["type_name"] == t for w in warnings) for t in types),
    ]


def _warnings(book: _Book) -> None:
    """项目保: what is late on the last day of the period, as a leader reads it — the counts by
    list, chain and unit (red, yellow, items, each type), then the worst red items, at most
    :data:`LEADER_ITEMS`.  The thousands of warnings one by one are 明细-预警 in the 明细 workbook
    (at 20,000 items: 17,000 warnings, 230 printed pages that no leader reads)."""
    from ..pipeline.warnings import TYPES

    r = book.report
    d = r.details
    assert d is not None
    s = book.sheet("预警", f"{r.heading} · 项目保预警")
    warnings = d.warnings
    types = list(TYPES.values())
    kinds = r.config.kind_names
    span = 9
    # the item's name, its red types and what is late: one line each, or two
    s.widths[0], s.widths[span - 2], s.widths[span - 1] = 30, 20, 36
    s.title(
        f"项目保预警 · {d.today}",
        "超期、阶段停滞、久未对接、跟进逾期（时限见各清单的设置）；黄灯 = 超过时限，红灯 = 超过两倍。"
        "与预警命令的结果相同。",
        span,
    )
    red = [w for w in warnings if w["light"] == "red"]
    items, red_items = len({w["id"] for w in warnings}), len({w["id"] for w in red})
    if not warnings:
        s.note("统计日没有预警。", span)
        s.finish()
        return
    s.note(
        f"共{numbers.count(len(warnings), '条')}预警，涉及{numbers.count(items, '个')}条目：红灯"
        f"{numbers.count(len(red), '条')}（{numbers.count(red_items, '个')}条目），黄灯"
        f"{numbers.count(len(warnings) - len(red), '条')}。一个条目可有几类预警，各类分别计数。",
        span,
    )
    s.row += 1
    for title, key, label in (
        ("按清单", "kind", "清单"),
        ("按产业链", "chain", "产业链"),
        ("按责任单位", "unit", "责任单位"),
    ):
        first = s.row
        s.ws.write_string(s.row, 0, title, book.f["section"])
        s.row += 1
        s.header([label, "红灯", "黄灯", "涉及条目", *types])
        groups: dict[str, list[dict[str, Any]]] = {}
        for w in warnings:
            name = kinds.get(w["kind"], w["kind"]) if key == "kind" else w.get(key)
            groups.setdefault(name or "（未指定）", []).append(w)
        ordered = sorted(groups.items(), key=lambda g: (-sum(w["light"] == "red" for w in g[1]), -len(g[1]), g[0]))
        for name, group in [*ordered, ("合计", warnings)]:
            s.cells([name, *_warning_counts(group, types)], ["text", *["int"] * (3 + len(types))], bold=name == "合计")
        s.keep(first)
        s.row += 1
    listed = _leader_items(book, s, red, red_items, span)
    where = f"明细文件「{Path(book.details).stem}」的「{DETAIL_SHEETS['warnings']}」"
    rest = f"其余{numbers.count(red_items - listed, '个')}红灯条目和全部黄灯见明细：" if red_items > listed else ""
    s.note(
        f"{rest}全部{numbers.count(len(warnings), '条')}预警逐条列在{where}"
        "（红灯在前，可按产业链、责任单位、包保领导筛选）。",
        span,
    )
    s.link(s.row - 1, span, DETAIL_SHEETS["warnings"])
    s.finish()


def _leader_items(book: _Book, s: _Sheet, red: list[dict[str, Any]], red_items: int, span: int) -> int:
    """The worst red items (the warnings are worst first), one row an item with its red types;
    how many are listed."""
    if not red:
        s.note("没有红灯预警。", span)
        return 0
    by_item: dict[int, list[dict[str, Any]]] = {}
    for w in red:
        if w["id"] in by_item:
            by_item[w["id"]].append(w)
        elif len(by_item) < LEADER_ITEMS:
            by_item[w["id"]] = [w]
    first = s.row
    heading = (
        f"需领导关注：红灯条目中超过时限最多的{len(by_item)}个（红灯共{numbers.count(red_items, '个')}条目）"
        if red_items > len(by_item)
        else f"需领导关注：红灯条目（共{len(by_item)}个）"
    )
    s.ws.write_string(s.row, 0, heading, book.f["section"])
    s.row += 1
    s.header(["名称", "编号", "清单", "产业链", "责任单位", "包保领导", "状态", "红灯预警", "说明"])
    kinds = book.report.config.kind_names
    for ws_ in by_item.values():
        w = ws_[0]
        s.cells(
            [
                w["title"],
                w["id"],
                kinds.get(w["kind"], w["kind"]),
                w["chain"],
                w["unit"],
                w["leader"],
                w["status"],
                "、".join(x["type_name"] for x in ws_),
                w["message"],
            ],
            ["text", "int", "text", "text", "text", "text", "text", "text", "text"],
        )
    s.keep(first)
    s.row += 1
    return len(by_item)


def _definitions(book: _Book) -> None:
    r = book.report
    s = book.sheet("口径说明", f"{r.heading} · 口径说明")
    s.title("口径说明", "本报表每个数字的定义（与终端看板、数据导出完全一致）", 3)
    # the JSON key (column D) is for whoever reads the JSON beside the workbook: not printed
    s.header(["指标", "单位", "定义", "数据键"], repeat=True)
    s.widths[2] = 90  # the definitions wrap in a wide column
    for d in r.definitions():
        s.cells([d["label"], d["unit"], d["definition"], d["key"]], ["text", "text", "note", "text"])
    s.row += 1
    for line in (
        "统计期：含首尾两天。上期：上一个同类期间（上月、上季度、上一个半月；自定义期间为紧挨着的等长期间）。",
        "年累计：统计期末所在年份的 1 月 1 日至统计期末。统计日：统计期末与今天中较早的一天。",
        "时序进度：统计日时全年已过去的比例。完成率低于时序进度即为落后。",
        "阶段按首次达到的生效日期计：跨阶段推进视为当天同时达到被跳过的阶段；签约后退库、回退再推进都不重复计、不冲减。",
        "在办、超期、销号率：统计日之后没有状态变更的问题按当前状态；有的，按状态记录倒推到统计日。",
    ):
        s.note(line, 3)
    s.finish()
    s.ws.print_area(0, 0, s.row, 2)


# ---------------------------------------------------------------------------------------
# Detail sheets
# ---------------------------------------------------------------------------------------


def _flags(value: str | None, r: Report) -> tuple[bool, bool]:
    return in_window(value, r.period.start, r.period.end), in_window(value, r.year_to_date.start, r.year_to_date.end)


def _detail_sheet(
    book: _Book,
    key: str,
    what: str,
    columns: list[tuple[str, str, str]],
    rows: list[dict[str, Any]],
    summary: str,
) -> tuple[_Sheet, int]:
    """columns: (row key, header, format).  The sheet and the row of its header."""
    r = book.report
    s = book.sheet(DETAIL_SHEETS[key], f"{r.heading} · {what}")
    s.title(what, summary, len(columns))
    head = s.header([h for _, h, _ in columns], repeat=True)
    s.table_rows(columns, rows)
    last = max(head, s.row - 1)
    s.finish(freeze=head + 1, autofilter=(head, 0, last, len(columns) - 1))
    return s, head


def _details(book: _Book) -> None:
    r = book.report
    d = r.details
    assert d is not None
    base = [
        ("id", "编号", "int"),
        ("title", "项目名称", "text"),
        ("chain", "产业链", "text"),
        ("unit", "责任单位", "text"),
        ("status", "当前状态", "text"),
    ]
    stage_cols = [
        ("created", "创建日期", "date"),
        ("talks", "对接（在谈）日期", "date"),
        ("signed", "签约日期", "date"),
        ("registered", "入统日期", "date"),
        ("started", "开工日期", "date"),
        ("producing", "投产日期", "date"),
        ("withdrawn", "退库日期", "date"),
    ]
    col_of = {
        "new_targets": "created",
        "talks": "talks",
        "signed": "signed",
        "registered": "registered",
        "started": "started",
        "producing": "producing",
        "withdrawn": "withdrawn",
    }
    for key, col in col_of.items():
        m = BY_KEY[key]
        rows = []
        for t in d.targets:
            in_p, in_y = _flags(t.get(col), r)
            if in_p or in_y:
                rows.append({**t, "in_period": in_p, "in_ytd": in_y})
        rows.sort(key=lambda x: (not x["in_period"], x.get(col) or "", x["id"]))
        n_p = sum(1 for x in rows if x["in_period"])
        n_y = sum(1 for x in rows if x["in_ytd"])
        summary = f"本期 {n_p} 个，年累计 {n_y} 个。{definition(m, r.config)}"
        if key == "signed":
            amt_p = sum(x.get("amount") or 0 for x in rows if x["in_period"])
            # (the rows hold the amount at signing; increases of 增资 in the period are the rest)
            grew = round((r.total.period.get("signed_amount") or 0) - amt_p, 2)
            more = f"，另有增资 {numbers.money(grew)}" if grew > 0.005 else ""
            summary = f"本期 {n_p} 个、签约额 {numbers.money(amt_p)}{more}；年累计 {n_y} 个。{definition(m, r.config)}"
        _detail_sheet(
            book,
            key,
            f"{m.label}明细",
            [
                *base,
                ("amount", "投资额（万元）", "money"),
                ("foreign_amount", "外资额（万美元）", "money"),
                *stage_cols,
                ("in_period", "计入本期", "text"),
                ("in_ytd", "计入年累计", "text"),
            ],
            rows,
            summary,
        )
    # 对接记录: one row per item
    crows = sorted(d.contacts, key=lambda x: (-(x["period"] or 0), -(x["year_to_date"] or 0), x["id"]))
    _detail_sheet(
        book,
        "contacts",
        "对接次数明细（按条目）",
        [
            ("id", "条目编号", "int"),
            ("kind_name", "清单", "text"),
            ("title", "名称", "text"),
            ("chain", "产业链", "text"),
            ("unit", "责任单位", "text"),
            ("period", "本期对接次数", "int"),
            ("year_to_date", "年累计对接次数", "int"),
            ("last_date", "最近一次", "date"),
            ("last_type", "方式", "text"),
            ("last_summary", "内容", "text"),
        ],
        [{**x, "kind_name": r.config.kind_names.get(x["kind"], x["kind"])} for x in crows],
        f"本期 {sum(x['period'] for x in crows)} 次，年累计 {sum(x['year_to_date'] for x in crows)} 次（各行相加）。"
        f"{definition(BY_KEY['contacts'], r.config)} 逐条记录可按编号在系统中查看。",
    )
    # 到位资金: one row per item
    pm, ym = funds_months(r.period), funds_months(r.year_to_date)
    frows = sorted(d.funds, key=lambda x: (-(x["period_domestic"] or 0), -(x["ytd_domestic"] or 0), x["id"]))
    _detail_sheet(
        book,
        "funds",
        "到位资金明细（按项目）",
        [
            ("id", "编号", "int"),
            ("title", "项目名称", "text"),
            ("chain", "产业链", "text"),
            ("unit", "责任单位", "text"),
            ("period_domestic", "本期国内资金（万元）", "money"),
            ("period_foreign", "本期外资（万美元）", "money"),
            ("ytd_domestic", "年累计国内资金（万元）", "money"),
            ("ytd_foreign", "年累计外资（万美元）", "money"),
            ("months", "填报月份", "text"),
        ],
        frows,
        f"本期计入月份：{_months_text(pm)}；年累计计入月份：{_months_text(ym)}。"
        f"{definition(BY_KEY['funds_domestic'], r.config)}",
    )
    # 问题
    prows = []
    for x in d.problems:
        c_p, c_y = _flags(x.get("created"), r)
        x_p, x_y = _flags(x.get("closed"), r)
        is_open = x["status"] is not None and x["status"] not in _terminal(book)
        prows.append(
            {
                **x,
                "open": is_open,
                "overdue": is_open and x.get("due") is not None and x["due"] < r.asof.isoformat(),
                "new_p": c_p,
                "new_y": c_y,
                "closed_p": x_p,
                "closed_y": x_y,
            }
        )
    _detail_sheet(
        book,
        "problems",
        "问题明细",
        [
            ("id", "编号", "int"),
            ("title", "问题", "text"),
            ("chain", "产业链", "text"),
            ("unit", "责任单位", "text"),
            ("level", "层级", "text"),
            ("status", f"统计日（{r.asof}）状态", "text"),
            ("created", "提出日期", "date"),
            ("due", "时限", "date"),
            ("closed", "首次销号日期", "date"),
            ("open", "在办", "text"),
            ("overdue", "超期", "text"),
            ("from_visit", "走访发现", "text"),
            ("new_p", "本期新增", "text"),
            ("closed_p", "本期销号", "text"),
            ("new_y", "年累计新增", "text"),
            ("closed_y", "年累计销号", "text"),
        ],
        prows,
        f"在办 {sum(1 for x in prows if x['open'])} 件，其中超期 {sum(1 for x in prows if x['overdue'])} 件；"
        f"本期新增 {sum(1 for x in prows if x['new_p'])} 件、销号 {sum(1 for x in prows if x['closed_p'])} 件。"
        "（已办结且不在本期、年累计内新增或销号的问题不列出。）",
    )
    # 走访: one row per enterprise
    vrows = sorted(d.visits, key=lambda x: (-(x["period"] or 0), -(x["year_to_date"] or 0), x["id"]))
    _detail_sheet(
        book,
        "visits",
        "走访明细（按企业）",
        [
            ("id", "企业编号", "int"),
            ("title", "企业", "text"),
            ("chain", "产业链", "text"),
            ("unit", "责任单位", "text"),
            ("period", "本期走访次数", "int"),
            ("year_to_date", "年累计走访次数", "int"),
            ("last_date", "最近一次", "date"),
            ("last_summary", "内容", "text"),
        ],
        vrows,
        f"本期走访 {sum(x['period'] for x in vrows)} 次、{sum(1 for x in vrows if x['period'])} 家，"
        f"年累计 {sum(x['year_to_date'] for x in vrows)} 次、{sum(1 for x in vrows if x['year_to_date'])} 家。"
        f"{definition(BY_KEY['visits'], r.config)}",
    )
    # 施工许可
    arows = _flagged(d.permits, "permit_date", r)
    _detail_sheet(
        book,
        "permits",
        "施工许可（审批速度）明细",
        [
            ("id", "编号", "int"),
            ("title", "项目名称", "text"),
            ("chain", "产业链", "text"),
            ("unit", "责任单位", "text"),
            ("land_date", f"{r.config.permit_from or ''}日期", "date"),
            ("permit_date", f"{r.config.permit_to or ''}日期", "date"),
            ("days", "天数", "int"),
            ("in_period", "计入本期", "text"),
            ("in_ytd", "计入年累计", "text"),
        ],
        arows,
        f"本期 {sum(1 for x in arows if x['in_period'])} 个，年累计 {sum(1 for x in arows if x['in_ytd'])} 个。"
        f"{definition(BY_KEY['permit_days'], r.config)}",
    )
    _warning_details(book)


def _warning_details(book: _Book) -> None:
    """Every warning of the period's last day, one a row, worst first (明细-预警)."""
    r = book.report
    assert r.details is not None
    warnings = r.details.warnings
    shown = warnings[:WARNING_ROWS]
    red = sum(w["light"] == "red" for w in warnings)
    cut = (
        f"这里列出最严重的{numbers.count(WARNING_ROWS, '条')}，完整清单请用预警命令导出。"
        if len(warnings) > WARNING_ROWS
        else ""
    )
    kinds = r.config.kind_names
    s, head = _detail_sheet(
        book,
        "warnings",
        "项目保预警明细",
        WARNING_COLUMNS,
        [{**w, "kind_name": kinds.get(w["kind"], w["kind"])} for w in shown],
        f"统计日 {r.details.today}：共{numbers.count(len(warnings), '条')}，"
        f"涉及{numbers.count(len({w['id'] for w in warnings}), '个')}条目；红灯{numbers.count(red, '条')}、"
        f"黄灯{numbers.count(len(warnings) - red, '条')}。红灯在前，各按超过时限的天数从多到少。"
        f"与预警命令的结果相同。{cut}",
    )
    s.ws.conditional_format(
        head + 1,
        0,
        max(head + 1, s.row - 1),
        0,
        {
            "type": "cell",
            "criteria": "==",
            "value": '"红"',
            "format": book.wb.add_format({"font_color": "#C00000", "bold": True}),
        },
    )


def _terminal(book: _Book) -> set[str]:
    cfg = book.report.config
    return {cfg.closed_status, *cfg.cancelled}


def _flagged(rows: list[dict[str, Any]], col: str, r: Report) -> list[dict[str, Any]]:
    out = []
    for x in rows:
        in_p, in_y = _flags(x.get(col), r)
        if in_p or in_y:
            out.append({**x, "in_period": in_p, "in_ytd": in_y})
    out.sort(key=lambda x: (not x["in_period"], x.get(col) or ""))
    return out


def _months_text(r: tuple[str, str] | None) -> str:
    if r is None:
        return "无（没有整月的月末落在期内）"
    return r[0] if r[0] == r[1] else f"{r[0]} 至 {r[1]}"
