"""How records reach the screen or a pipe — the one place every listing command writes
through:

- ``--columns a,b,c`` (English keys or Chinese labels) chooses and orders the columns in
  every format, ``--no-header`` leaves out the header line (:func:`records` adds these
  options to a command);
- csv is for people (a clerk opens it in Excel): Chinese headers, kinds by name, 是/否,
  UTF-8 with a BOM; ``--keys``, tsv, JSON and YAML are for machines: ASCII keys, raw values;
- on a terminal, a table wider than the window narrows its long text columns, then leaves
  out its lowest-priority columns (``column_priority`` in the YAML, ``Column.priority``
  declared by each command: what the command is for stays) and says which — never a
  column named in ``--columns`` (those are wrapped instead of cut) — and output longer than the window goes
  through a pager (``$ZHAOSHANG_PAGER``, the config file's ``pager``, ``$PAGER``, then
  ``less -FRX``); piped
  output is never cut, fitted or paged.
"""

from __future__ import annotations

import contextlib
import functools
import inspect
import itertools
import os
import re
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Any, TypeVar

import typer

from ..config import DEFAULT_PAGER
from ..errors import ZsError
from . import complete
from ._app import out, use_color
from .options import Format

if TYPE_CHECKING:
    from ..render import Column

ColumnsOpt = Annotated[
    str | None,
    typer.Option(
        "--columns",
        help="只显示这些列，按所写顺序：英文键或中文名，逗号分隔，如 --columns 编号,名称,投资额",
        show_default=False,
        autocompletion=complete.columns,
    ),
]
NoHeaderOpt = Annotated[bool, typer.Option("--no-header", help="不输出表头行（table、csv、tsv）")]
KeysOpt = Annotated[
    bool,
    typer.Option("--keys", help="csv 给程序读：英文键作表头、原始值、不带 BOM（默认的 csv 给人用 Excel 打开）"),
]


@dataclass(frozen=True)
class Shape:
    """What the user asked of the output's shape: columns chosen, header or not."""

    columns: tuple[str, ...] | None = None
    header: bool = True
    #: csv for machines (``--keys``): ASCII keys, raw values, no BOM
    keys: bool = False

    @classmethod
    def of(cls, columns: str | None, no_header: bool, keys: bool = False) -> Shape:
        names = tuple(n.strip() for n in re.split(r"[,，、]", columns or "") if n.strip())
        if columns is not None and not names:
            raise ZsError("--columns 没有写列名：如 --columns 编号,名称,状态")
        return cls(names or None, not no_header, keys)


_SHAPE: ContextVar[Shape] = ContextVar("zs_output_shape", default=Shape())  # noqa: B039 - frozen, never mutated

F = TypeVar("F", bound=Callable[..., Any])


def records(func: F) -> F:
    """Give a listing command the ``--columns``, ``--no-header`` and ``--keys`` options;
    :func:`emit` applies them.  (Written once here instead of in each of twenty signatures.)"""
    sig = inspect.signature(func, eval_str=True)
    extra = [
        inspect.Parameter("columns", inspect.Parameter.KEYWORD_ONLY, default=None, annotation=ColumnsOpt),
        inspect.Parameter("no_header", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=NoHeaderOpt),
        inspect.Parameter("keys", inspect.Parameter.KEYWORD_ONLY, default=False, annotation=KeysOpt),
    ]

    @functools.wraps(func)
    def command(
        *args: Any, columns: str | None = None, no_header: bool = False, keys: bool = False, **kwargs: Any
    ) -> Any:
        token = _SHAPE.set(Shape.of(columns, no_header, keys))
        try:
            return func(*args, **kwargs)
        finally:
            _SHAPE.reset(token)

    params = list(sig.parameters.values())
    command.__signature__ = sig.replace(parameters=[*params, *extra])  # type: ignore[attr-defined]
    command.__annotations__ = {
        **func.__annotations__,
        "columns": ColumnsOpt,
        "no_header": NoHeaderOpt,
        "keys": KeysOpt,
    }
    return command  # type: ignore[return-value]


def shape() -> Shape:
    return _SHAPE.get()


def choose(columns: Sequence[Column], available: Sequence[Column] | None = None) -> list[Column]:
    """The columns to show: ``columns``, or those the user named from ``available``."""
    wanted = shape().columns
    if wanted is None:
        return list(columns)
    pool = list(available or columns)
    by_name: dict[str, Column] = {}
    for c in pool:
        for name in (c.key, c.key.lower(), c.header, _label(c)):
            by_name.setdefault(name, c)
    for c in pool:  # a label or alias never hides another column's own name
        for name in c.names:
            by_name.setdefault(name, c)
    chosen: list[Column] = []
    for name in wanted:
        col = by_name.get(name) or by_name.get(name.lower())
        if col is None:
            from ..parse import to_simplified

            col = by_name.get(to_simplified(name))
        if col is None:
            names = "、".join(f"{_label(c)}（{c.key}）" for c in pool)
            raise ZsError(f"--columns：没有列「{name}」。可选：{names}")
        if col not in chosen:
            chosen.append(col)
    return chosen


def emit(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    fmt: Format | str,
    *,
    display: dict[str, Any] | None = None,
    available: Sequence[Column] | None = None,
    color: bool | None = None,
    shaped: bool = True,
    min_sizes: dict[str, int] | None = None,
) -> int:
    """Write ``rows`` in ``fmt`` with the columns and header the user asked for (not for
    a summary under the main table: ``shaped=False``); on a terminal, fit the table to the
    window and page long output.  ``rows`` may be an iterator: it is read and written a
    batch at a time (a table takes its widths from the first batch; ``min_sizes`` gives
    widths known in advance, such as the widest id).  Returns how many rows were written."""
    from ..render import Plan, batches, stream

    fmt = Format(fmt)
    cols = choose(columns, available) if shaped else list(columns)
    header = shape().header or not shaped
    if not header and fmt in (Format.json, Format.yaml):
        raise ZsError("--no-header 只用于 table、csv、tsv：JSON 和 YAML 没有表头")
    count = 0

    def counted(items: Iterable[dict[str, Any]]) -> Iterator[dict[str, Any]]:
        nonlocal count
        for r in items:
            count += 1
            yield r

    if fmt is Format.csv and not shape().keys:  # csv is for people: Excel opens it as they read it
        write_chunks(
            itertools.chain(
                ("\ufeff",), stream(for_people(counted(rows), cols), cols, "csv", header=header, labels=True)
            )
        )
        return count
    if fmt is not Format.table:
        write_chunks(stream(counted(rows), cols, fmt.value, header=header))
        return count
    size = terminal_size()
    parts = batches(counted(rows))
    first = next(parts, [])
    second = next(parts, None)  # one batch is the whole table: measured exactly
    plan = Plan.of(
        first,
        cols,
        display=display,
        max_width=size.columns if size else None,
        min_sizes=min_sizes if second is not None else None,
        asked=asked_keys(cols) if shaped else (),
    )

    def chunks() -> Iterator[str]:
        if header:
            yield plan.head(color=use_color() if color is None else color)
        yield plan.body(first)
        if second is not None:
            yield plan.body(second)
        for batch in parts:
            yield plan.body(batch)
        if plan.hidden and size:
            yield hidden_note(plan.hidden, cols, size.columns)

    write_chunks(chunks())
    return count


def for_people(rows: Iterable[dict[str, Any]], columns: Sequence[Column]) -> Iterator[dict[str, Any]]:
    """Rows as a clerk reads them in a spreadsheet: a kind by its name (招什么, not targets),
    a time as 2026-10-15 09:00 (not 2026-10-15T09:00:00)."""
    times = [c.key for c in columns if c.key.endswith("_at")]
    if not times and not any(c.key == "kind" for c in columns):
        yield from rows
        return
    from ..definitions import load

    names = {k.key: k.name for k in load().kinds}
    for r in rows:
        r = dict(r)
        kind = r.get("kind")
        if isinstance(kind, str):
            r["kind"] = names.get(kind, kind)
        for key in times:
            v = r.get(key)
            if isinstance(v, str) and v[10:11] == "T":
                r[key] = v[:16].replace("T", " ")
        yield r


def asked_keys(columns: Sequence[Column]) -> tuple[str, ...]:
    """The keys of ``columns`` when the user named them (``--columns``): never hidden, wrapped."""
    return tuple(c.key for c in columns) if shape().columns is not None else ()


def _label(c: Column) -> str:
    return re.sub(r"（[^（）]*）$", "", c.header)


def hidden_note(hidden: Sequence[Column], shown: Sequence[Column], columns: int, *, choose: bool = True) -> str:
    """The line under a table that left columns out to fit the window (``choose``: the
    command has ``--columns``)."""
    example = ",".join([*(_label(c) for c in shown[:2]), _label(hidden[0])])
    how = (
        f"用 --columns 选择要看的列，如 --columns {example}，或加宽窗口、用 -f csv"
        if choose
        else "加宽窗口或用 -f csv 查看"
    )
    return f"（窗口宽 {columns} 列放不下，隐藏了 {len(hidden)} 列：{'、'.join(_label(c) for c in hidden)}；{how}）\n"


def terminal_size() -> os.terminal_size | None:
    """The window's size when stdout is a terminal (None when piped or redirected)."""
    stream = out()
    try:
        if not stream.isatty():
            return None
        return os.get_terminal_size(stream.fileno())
    except (OSError, ValueError, AttributeError):
        return shutil.get_terminal_size() if getattr(stream, "isatty", lambda: False)() else None


def pager_command() -> str | None:
    """The pager in force (see :func:`zhaoshang.config.pager_setting`); None for none."""
    from ..config import pager_setting

    value = pager_setting().value
    if not value or value == "cat":
        return None
    if value == DEFAULT_PAGER and not shutil.which("less"):
        return None
    return value


def write(text: str) -> None:
    """``text`` to stdout — through the pager when stdout is a terminal and ``text`` is
    longer than the window."""
    write_chunks((text,))


def write_chunks(chunks: Iterable[str]) -> None:
    """Text to stdout as it is made — through the pager once it is longer than the window
    (only then is a pager started; until then the text is held, at most a screenful)."""
    size = terminal_size()
    command = pager_command() if size else None
    stream = out()
    if size is None or command is None:
        for text in chunks:
            stream.write(text)
        return
    held: list[str] = []
    lines = 0
    rest = iter(chunks)
    for text in rest:
        held.append(text)
        lines += text.count("\n")
        if lines >= size.lines - 1:
            break
    else:
        stream.write("".join(held))
        return
    import subprocess

    stream.flush()
    env = {**os.environ}
    env.setdefault("LESSCHARSET", "utf-8")
    try:
        proc = subprocess.Popen(command, shell=True, stdin=subprocess.PIPE, env=env)
    except OSError:  # the pager named cannot run: show the text as it is
        for text in itertools.chain(held, rest):
            stream.write(text)
        return
    assert proc.stdin is not None
    with contextlib.suppress(BrokenPipeError):  # the reader quit the pager early: that is fine
        for text in itertools.chain(held, rest):
            proc.stdin.write(text.encode("utf-8", "replace"))
    with contextlib.suppress(BrokenPipeError):
        proc.stdin.close()
    while True:
        try:
            proc.wait()
            break
        except KeyboardInterrupt:  # Ctrl-C belongs to the pager while it runs
            continue


def money(value: Any) -> str:
    """An amount in 万元 / 万美元 as a table shows it (3.56亿, 1,200万)."""
    from ..parse import format_money

    return format_money(value) if value is not None else ""


def cell_money(key: str) -> Callable[[dict[str, Any]], str]:
    """A table cell formatter showing the row's ``key`` as money."""
    return lambda r: money(r.get(key))
