"""``zs report ranking --out 擂台赛.xlsx``: the ranking on its own, for the leader's desk —
the table (every entrant's score and points per metric), the basis of every point (value,
target, completion, method) and the rules in words.  The figures are those of
``report ranking --format json``: numbers stay numbers, completions are percentages."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..render import Column
from . import numbers
from .config import METHODS, ReportConfig
from .metrics import BY_KEY
from .ranking import Ranking, explain_on_paper

_WHO = {"unit": "招商主体", "chain": "产业链"}


def _percent(value: float | None) -> float | None:
    return None if value is None else round(value * 100, 1)


Sheet = tuple[str, str, list[Column], list[dict[str, Any]]]


def ranking_sheets(ranking: Ranking, cfg: ReportConfig, *, office: str = "") -> list[Sheet]:
    """The sheets as (name, title, columns, rows)."""
    who = _WHO.get(ranking.level, ranking.level)
    head = (
        f"{office}招商引资擂台赛 · {who} · {ranking.year}年"
        f"（截至 {ranking.asof}，时序进度 {numbers.percent(ranking.time_progress)}）"
    )
    cols = [
        Column("rank", "名次", "right"),
        Column("change", "名次变化", "right"),
        Column("name", who),
        Column("score", "得分", "right"),
    ]
    for w in ranking.weights:
        label = BY_KEY[w.metric].label
        cols.append(Column(f"points:{w.metric}", f"{label}得分（满分 {w.weight:g}）", "right"))
    cols.append(Column("behind", "落后于时序进度的指标"))
    rows: list[dict[str, Any]] = []
    for r in ranking.rows:
        row: dict[str, Any] = {
            "rank": r.rank,
            "change": numbers.rank_change(r.change),
            "name": r.name,
            "score": round(r.score, 2),
            "behind": "、".join(BY_KEY[m].label for m in r.behind),
        }
        row.update({f"points:{w.metric}": r.points.get(w.metric, "不计") for w in ranking.weights})
        rows.append(row)
    basis_cols = [
        Column("rank", "名次", "right"),
        Column("name", who),
        Column("metric", "指标"),
        Column("unit", "单位"),
        Column("weight", "权重", "right"),
        Column("method", "计分方法"),
        Column("value", "年累计", "right"),
        Column("goal", "年度目标", "right"),
        Column("completion", "完成率（%）", "right"),
        Column("points", "得分", "right"),
    ]
    basis = [
        {
            "rank": r.rank,
            "name": r.name,
            "metric": BY_KEY[w.metric].label,
            "unit": BY_KEY[w.metric].unit,
            "weight": w.weight,
            "method": METHODS[w.method].split("（")[0],
            "value": r.values.get(w.metric),
            "goal": r.goals.get(w.metric),
            "completion": _percent(r.completion.get(w.metric)),
            "points": r.points.get(w.metric, "不计"),
        }
        for r in ranking.rows
        for w in ranking.weights
    ]
    rules = [{"line": line} for line in explain_on_paper(cfg)]
    rules += [{"line": f"{r.name}：{n}"} for r in ranking.rows for n in r.notes]
    return [
        ("排名", head, cols, rows),
        ("得分依据", f"{head} · 得分依据", basis_cols, basis),
        ("评分规则", f"{head} · 评分规则", [Column("line", "说明")], rules),
    ]


#: the Excel number format of a column, by key (a column not named here is text or a count)
_FORMATS = {
    "score": "score",
    "points": "score",
    "completion": "days",  # a percentage written as a number of 0.1: 31.3
}


def write_ranking(ranking: Ranking, cfg: ReportConfig, path: Path, *, office: str = "") -> list[str]:
    """Write the ranking workbook to ``path`` (atomically); returns the sheet names.  Every
    sheet prints on A4 (landscape where wide), one page wide, its title and header on every
    page, page numbers at the foot; numbers with thousands separators as in the 通报."""
    import xlsxwriter

    from ..files import writing

    sheets = ranking_sheets(ranking, cfg, office=office)
    with writing(path) as tmp:
        book = xlsxwriter.Workbook(str(tmp), {"strings_to_formulas": False, "strings_to_urls": False})
        book.set_properties({"title": sheets[0][1], "comments": "由 zhaoshang 生成"})
        _write(book, sheets)
        book.close()
    return [name for name, *_ in sheets]


def _write(book: Any, sheets: list[Sheet]) -> None:
    from ..render import width
    from .workbook import FONT

    base = {"font_name": FONT, "font_size": 10, "valign": "vcenter"}
    title_fmt = book.add_format({**base, "bold": True, "font_size": 14})
    head_fmt = book.add_format(
        {**base, "bold": True, "bg_color": "#DDEBF7", "border": 1, "text_wrap": True, "align": "center"}
    )
    text_fmt = book.add_format({**base, "text_wrap": True, "border": 1})
    right_fmt = book.add_format({**base, "border": 1, "align": "right"})
    nums = {k: book.add_format({**base, "border": 1, "num_format": v}) for k, v in numbers.EXCEL.items()}
    for name, title, cols, rows in sheets:
        ws = book.add_worksheet(name)
        wide = len(cols) > 1
        ws.set_landscape()
        ws.set_paper(9)  # A4
        ws.set_margins(left=0.5, right=0.5, top=0.8, bottom=0.7)
        ws.center_horizontally()
        ws.fit_to_pages(1, 0)  # one page wide, as many tall as needed
        ws.repeat_rows(0, 1)  # the title and the header on every page
        ws.set_footer(f"&L{name}&C第 &P 页，共 &N 页")  # the title is the first row, on every page
        ws.hide_gridlines(2)
        if len(cols) > 1:
            ws.merge_range(0, 0, 0, len(cols) - 1, title, title_fmt)
        else:
            ws.write_string(0, 0, title, title_fmt)
        ws.set_row(0, 24)
        heights = [1] * (len(rows) + 2)  # lines per row: rows are sized here (LibreOffice does not)
        for c, col in enumerate(cols):
            ws.write_string(1, c, col.header, head_fmt)
            key = col.key.split(":")[0]
            kind = _FORMATS.get(key)
            shown = []
            for r, rec in enumerate(rows, start=2):
                value = rec.get(col.key)
                if value is None or value == "":
                    ws.write_blank(r, c, None, text_fmt)
                    shown.append("")
                elif isinstance(value, int | float) and not isinstance(value, bool):
                    fk = kind or ("money" if not float(value).is_integer() else "int")
                    fk = numbers.excel_format(float(value), fk)
                    ws.write_number(r, c, value, nums[fk])
                    shown.append(numbers.grouped(value, 2))
                else:
                    ws.write_string(r, c, str(value), right_fmt if col.align == "right" else text_fmt)
                    shown.append(str(value))
            longest = max([-(-width(col.header) // 2), *(width(x) for x in shown)], default=6)
            size = min(max(6, longest + 2), 30) if wide else 110
            ws.set_column(c, c, size)
            for i, text in enumerate([col.header, *shown], start=1):
                heights[i] = max(heights[i], -(-width(text) // (size - 1)))
        for i, lines in enumerate(heights[1:], start=1):
            if lines > 1:
                ws.set_row(i, 14 * lines)
        ws.freeze_panes(2, 0)
