"""Options and arguments shared by many commands, and the parsing they all need — defined
once, so that `-c` is `--chain` and an id is a positive integer in every command."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated, Any

import typer
from typer._click.types import ParamType  # Typer vendors Click: its ParamType

from . import complete


class Format(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    tsv = "tsv"
    yaml = "yaml"


FormatOpt = Annotated[
    Format,
    typer.Option("--format", "-f", help="输出格式：table（表格）、json、csv、tsv、yaml", case_sensitive=False),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="不询问，直接执行")]
IdArg = Annotated[int, typer.Argument(metavar="编号", help="条目编号", min=1)]
KindArg = Annotated[
    str,
    typer.Argument(
        metavar="清单", help="清单：英文键、中文名或别名，如 targets、招什么、招什麼", autocompletion=complete.kinds
    ),
]
PairsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="字段=值...",
        help="字段=值（字段可写英文键或中文名），如 投资额=3.56亿 时限=2026-06-30",
        show_default=False,
        autocompletion=complete.fields,
    ),
]
# ------------------------------------------------------------------ dates, months, periods


class When(ParamType):
    """Every date, month, quarter and period option and argument reads its value with this
    one type, so each takes every form a person types -- 2026-11-01, 11月1日, 今天, 昨天, and
    where a span fits 上月, 本月, 本季度, 2026Q3, 2026年三季度, 今年 -- and hands the command
    the plain form (2026-11-01, 2026-11, 2026Q3, 2026年第三季度) the core reads.  Words
    relative to today count from the command's ``--today`` when it has one.

    ``kind``: ``day`` (one day), ``from`` / ``to`` (one end of a span of days: a period's
    first / last day), ``month``, ``month_from`` / ``month_to`` (a month, or a period's
    first / last month), ``quarter``, ``period`` (a report's period, or one day) and
    ``half`` (a half-month, or the one a day falls in)."""

    name = "when"
    KINDS = ("day", "from", "to", "month", "month_from", "month_to", "quarter", "period", "half")

    def __init__(self, kind: str) -> None:
        if kind not in self.KINDS:
            raise ValueError(kind)
        self.kind = kind

    def get_metavar(self, param: Any, ctx: Any = None) -> str:
        return "<月份>" if self.kind.startswith("month") else "<季度>" if self.kind == "quarter" else "<日期>"

    def convert(self, value: Any, param: Any, ctx: Any) -> str:
        from ..errors import ZsError

        if not isinstance(value, str):
            return str(value)
        if param is None:
            what = "日期"
        else:
            what = param.opts[0] if param.param_type_name == "option" else param.metavar or param.name
        try:
            return self.read(value, _today_in(ctx))
        except ZsError as exc:
            raise ZsError(f"{what}：{exc.message}") from None

    def read(self, text: str, today: date | None) -> str:
        """``text`` in its plain form (the core's parsers read it back unchanged)."""
        from .. import parse
        from ..errors import ParseError

        if self.kind == "day":
            return parse.parse_typed_date(text, today=today).isoformat()
        if self.kind in ("from", "to"):
            return parse.parse_typed_bound(text, end=self.kind == "to", today=today).isoformat()
        if self.kind == "month":
            return parse.parse_typed_month(text, today=today)
        if self.kind in ("month_from", "month_to"):
            try:
                return parse.parse_typed_month(text, today=today)
            except ParseError:
                day = parse.parse_typed_bound(text, end=self.kind == "month_to", today=today)
                return f"{day.year:04d}-{day.month:02d}"
        if self.kind == "quarter":
            year, q = parse.parse_typed_quarter(text, today=today)
            return f"{year}Q{q}"
        try:
            label = parse.parse_typed_period(text, today=today)[2]
        except ParseError as exc:
            try:
                day = parse.parse_typed_date(text, today=today)
            except ParseError:
                raise exc from None
            if self.kind == "half":
                return f"{day.year}年{day.month}月{'下' if day.day > 15 else '上'}半月"
            return day.isoformat()
        return label


def _today_in(ctx: Any) -> date | None:
    """The command's ``--today`` (read first: it is eager), or None for the real today."""
    params = getattr(ctx, "params", None) or {}
    for key in ("today", "today_text"):
        value = params.get(key)
        if isinstance(value, str) and value:
            return date.fromisoformat(value)
    return None


def when(kind: str) -> When:
    return When(kind)


ReasonOpt = Annotated[str | None, typer.Option("--reason", "-r", help="原因或说明（记入历史）")]
DateOpt = Annotated[
    str | None,
    typer.Option("--date", "-d", help="日期（默认今天），如 2026-03-15、3月15日、昨天", click_type=When("day")),
]
ChainOpt = Annotated[str | None, typer.Option("--chain", "-c", help="只看某条产业链", autocompletion=complete.chains)]
UnitOpt = Annotated[
    str | None, typer.Option("--unit", "-u", help="只看某个招商主体 / 责任单位", autocompletion=complete.units)
]
TodayOpt = Annotated[
    str | None,
    typer.Option(
        "--today",
        help="把这一天当作今天计算（复核历史预警、复现报表用），默认今天",
        show_default=False,
        click_type=When("day"),
        is_eager=True,  # read before the other dates, which may be relative to it (上月)
    ),
]


def today_of(text: str | None) -> date:
    """``--today`` as a date (any form a person types), or the real today."""
    from ..pipeline.common import to_date

    return to_date(text, what="--today") or date.today()


def pairs_of(pairs: list[str] | None) -> dict[str, str]:
    """``字段=值`` arguments as a mapping (the last of a repeated field wins)."""
    from ..parse import split_assignment

    return dict(split_assignment(p) for p in pairs or [])


#: the command-line spelling of every option the core's messages may suggest
#: (:func:`zhaoshang.hints.option`): the fields of ImportOptions, and export's --mask
FLAG_NAMES = {
    "mapping": "--map",
    "kind": "--kind",
    "chain": "--chain",
    "sheet": "--sheet",
    "on_duplicate": "--on-duplicate",
    "blank": "--blank",
    "errors_path": "--errors",
    "force": "--force",
    "as_of": "--as-of",
    "create_missing": "--create-missing",
    "confirm": "--confirm",
    "review": "--review",
    "no_review": "--no-review",
    "dry_run": "--dry-run",
    "mask": "--mask",
}


def use_flag_names() -> None:
    from ..hints import use

    use(FLAG_NAMES)
