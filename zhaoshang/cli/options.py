"""Options and arguments shared by many commands, and the parsing they all need — defined
once, so that `-c` is `--chain` and an id is a positive integer in every command."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Annotated

import typer

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
ReasonOpt = Annotated[str | None, typer.Option("--reason", "-r", help="原因或说明（记入历史）")]
DateOpt = Annotated[str | None, typer.Option("--date", "-d", help="日期（默认今天），如 2026-03-15、3月15日、昨天")]
ChainOpt = Annotated[str | None, typer.Option("--chain", "-c", help="只看某条产业链", autocompletion=complete.chains)]
UnitOpt = Annotated[
    str | None, typer.Option("--unit", "-u", help="只看某个招商主体 / 责任单位", autocompletion=complete.units)
]
TodayOpt = Annotated[
    str | None,
    typer.Option("--today", help="把这一天当作今天计算（复核历史预警、复现报表用），默认今天", show_default=False),
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
    "dry_run": "--dry-run",
    "mask": "--mask",
}


def use_flag_names() -> None:
    from ..hints import use

    use(FLAG_NAMES)
