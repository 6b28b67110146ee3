"""The CLI's plumbing: Chinese help and usage errors, the one error boundary, shared state
and option types.  Command modules import from here; nothing here imports the core's
heavier parts until a command runs."""

from __future__ import annotations

import contextlib
import errno
import os
import re
import sqlite3
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer import _click as click  # Typer >= 0.26 vendors Click: its exceptions, not the click package's
from typer._click import exceptions as click_exc
from typer.core import TyperCommand, TyperGroup

from ..errors import EXIT_INTERRUPTED, EXIT_USAGE, EXIT_USER_ERROR, ZsError

if TYPE_CHECKING:
    from ..db import Database
    from ..definitions import Definitions

# ---------------------------------------------------------------------------------------
# Chinese help and usage errors
# ---------------------------------------------------------------------------------------

_USAGE_ERRORS: list[tuple[str, str]] = [
    (r"No such option: (\S+)(?: Did you mean (\S+)\?)?", "没有选项 {0}{1}"),
    (r"No such option: (\S+) \(Possible options: (.*)\)", "没有选项 {0}，可能是：{1}"),
    (r"No such command '([^']*)'\.(?: Did you mean '([^']*)'\?)?", "没有命令「{0}」{1}"),
    (r"Missing argument '([^']*)'\.", "缺少参数 {0}"),
    (r"Missing command\.", "缺少命令：请在选项后写出要运行的命令"),
    (r"Missing option '([^']*)'\.", "缺少选项 {0}"),
    (r"Option '([^']*)' requires an argument\.", "选项 {0} 需要一个值"),
    (r"Option '([^']*)' requires (\d+) arguments\.", "选项 {0} 需要 {1} 个值"),
    (r"Got unexpected extra arguments?(?:\(s\))? \((.*)\)", "多余的参数：{0}"),
    (r"Option '([^']*)' does not take a value\.", "选项 {0} 不接受值"),
    (r"Invalid value for '([^']*)'(?: / '[^']*')?: (.*)", "{0} 的值无效：{1}"),
]
_VALUE_ERRORS: list[tuple[str, str]] = [
    (r"'([^']*)' is not one of (.*)\.", "「{0}」不可用，可选：{1}"),
    (r"'([^']*)' is not a valid (?:int|integer)(?: range)?\.", "「{0}」不是整数"),
    (r"'([^']*)' is not a valid float(?: range)?\.", "「{0}」不是数字"),
    (r"(\S+) is not in the range (.*)\.", "{0} 不在范围 {1} 内"),
    (r"(\S+) is (?:smaller|less) than the minimum valid value (\S+)\.", "{0} 小于最小值 {1}"),
]


def translate_usage(message: str) -> str:
    """Click's English usage errors, in Chinese (unknown ones pass through)."""
    text = message.strip()
    for pattern, template in _USAGE_ERRORS:
        m = re.fullmatch(pattern, text, flags=re.S)
        if not m:
            continue
        groups = [g or "" for g in m.groups()]
        if template in ("没有选项 {0}{1}", "没有命令「{0}」{1}") and groups[1]:
            groups[1] = f"，是不是「{groups[1]}」？"
        if template.startswith("{0} 的值无效"):
            for vpattern, vtemplate in _VALUE_ERRORS:
                vm = re.fullmatch(vpattern, groups[1], flags=re.S)
                if vm:
                    parts = [g or "" for g in vm.groups()]
                    if vtemplate.startswith("{0} 不在范围"):  # x>=1 → ≥1
                        parts[1] = range_words(parts[1])
                    if vtemplate.startswith("「{0}」不可用"):  # 'table', 'json' → 「table」、「json」
                        parts[1] = "、".join(f"「{c}」" for c in re.findall(r"'([^']*)'", parts[1])) or parts[1]
                    groups[1] = vtemplate.format(*parts)
                    break
        return template.format(*groups)
    return text


_METAVARS = {
    "<str>": "<文字>",
    "<text>": "<文字>",
    "<int>": "<整数>",
    "<int range>": "<整数>",
    "<integer>": "<整数>",
    "<float>": "<数字>",
    "<float range>": "<数字>",
    "<path>": "<路径>",
    "<file>": "<文件>",
}


def _translate_metavar(text: str) -> str:
    return re.sub(r"<[a-z ]+>", lambda m: _METAVARS.get(m.group(0), m.group(0)), text)


def _range_of(m: re.Match[str]) -> str:
    """Click's ``[x>=1]`` / ``[2000<=x<=2100]`` as ``[≥1]`` / ``[2000–2100]``."""
    low = m.group(1) or m.group(2)
    high = m.group(3)
    if low and high:
        return f"[{low}–{high}]"
    return f"[≥{low}]" if low else f"[≤{high}]"


def range_words(text: str) -> str:
    """Click's ``x>=1`` / ``2000<=x<=2100`` / ``x<=9`` as ``≥1`` / ``2000–2100`` / ``≤9``."""

    def said(m: re.Match[str]) -> str:
        low, high = m.group(1) or m.group(2), m.group(3) or m.group(4)
        if low and high:
            return f"{low}–{high}"
        return f"≥{low}" if low else f"≤{high}"

    return re.sub(r"(?:(-?[\d.]+)<=?)?x(?:>=?(-?[\d.]+)|<=?(-?[\d.]+))?(?:<=?(-?[\d.]+))?", said, text)


def _translate_extra(text: str) -> str:
    text = re.sub(r"\[(?:(\d+)<=)?x(?:>=(\d+)|<=(\d+))?\]", lambda m: _range_of(m), text)
    text = re.sub(r"\[[^\]]*\bx[<>]=?[^\]]*\]", lambda m: range_words(m.group(0)), text)  # [default: 20; x>=1]
    return (
        text.replace("[default: ", "[默认：")
        .replace("[env var: ", "[环境变量：")
        .replace("[required]", "[必填]")
        .replace("default: ", "默认：")
        .replace("env var: ", "环境变量：")
    )


class ZsContext(click.Context):
    """Help laid out by display width (see :mod:`.helptext`, loaded only when help or a
    usage error is shown)."""

    def make_formatter(self) -> click.HelpFormatter:
        from .helptext import HelpFormatter

        return HelpFormatter(width=self.terminal_width, max_width=self.max_content_width)


class _ChineseHelp:
    """Mixin: Chinese headings, help option text and usage errors for Typer commands."""

    context_class: type[click.Context] = ZsContext

    def get_help_option(self, ctx: click.Context) -> Any:
        opt = super().get_help_option(ctx)  # type: ignore[misc]
        if opt is not None:
            opt.help = "显示帮助并退出"
        return opt

    def format_usage(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        text = " ".join(pieces).replace("[OPTIONS]", "[选项]").replace("COMMAND [ARGS]...", "命令 [参数]...")
        formatter.write_usage(ctx.command_path, text, "用法：")

    def format_options(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        args: list[tuple[str, str]] = []
        opts: list[tuple[str, str]] = []
        for param in self.get_params(ctx):  # type: ignore[attr-defined]
            rec = param.get_help_record(ctx)
            if rec is None:
                continue
            target = args if param.param_type_name == "argument" else opts
            target.append((_translate_metavar(rec[0]), _translate_extra(rec[1])))
        if args:
            with formatter.section("参数"):
                formatter.write_dl(args)
        if opts:
            with formatter.section("选项"):
                formatter.write_dl(opts)
        if hasattr(self, "format_commands"):
            self.format_commands(ctx, formatter)

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        epilog = getattr(self, "epilog", None)
        if epilog:
            formatter.write_paragraph()
            with formatter.indentation():
                formatter.write_text(epilog)


class ZsCommand(_ChineseHelp, TyperCommand):
    pass


class ZsGroup(_ChineseHelp, TyperGroup):
    """The root group: also the single boundary where domain errors become messages."""

    def format_commands(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        rows = []
        for name in self.list_commands(ctx):
            cmd = self.get_command(ctx, name)
            if cmd is None or cmd.hidden:
                continue
            rows.append((name, cmd.get_short_help_str(limit=60)))
        if rows:
            with formatter.section("命令"):
                formatter.write_dl(rows)

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        return super().parse_args(ctx, choice_words(global_options_first(args)))

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except ZsError as exc:
            _fail(str(exc))
        except sqlite3.Error as exc:
            from ..db import translate_error

            state = ctx.find_object(State)
            path = state.db_path() if state else Path("?")
            _fail(str(translate_error(path, exc)))
        except (OSError, MemoryError) as exc:
            if isinstance(exc, BrokenPipeError):
                _pipe_closed()
            _fail(_os_message(exc))
        except OverflowError:  # an id or number beyond SQLite's 64-bit integers
            _fail("数字太大，超出了可以保存的范围：请检查输入的编号或数值")
        except Exception as exc:  # a library's own error around a file problem (XlsxWriter …)
            cause = None if isinstance(exc, _CLICK_FLOW) else _wrapped_os_error(exc)
            if cause is None:
                raise
            _fail(_os_message(cause))

    def main(  # type: ignore[override]
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        standalone_mode: bool = True,
        **extra: Any,
    ) -> Any:
        if not os.environ.get("ZHAOSHANG_DEBUG"):
            # a library's cleanup failing after the error was reported (a ZipFile closed again
            # on a full disk) must not print "Exception ignored … Traceback" over the message
            sys.unraisablehook = _quiet_unraisable
        try:
            _check_encoding(sys.argv[1:] if args is None else args)
            rv = super().main(args=args, prog_name=prog_name, standalone_mode=False, **extra)
            if rv == EXIT_INTERRUPTED and standalone_mode:  # Typer turns Ctrl-C into Exit(130)
                click.echo(_interrupted(), err=True)
            if not standalone_mode:
                return rv
            sys.exit(rv if isinstance(rv, int) else 0)
        except click_exc.NoArgsIsHelpError as exc:  # `zs`, `zs report`: nothing asked, help shown
            if not standalone_mode:
                raise
            click.echo(exc.ctx.get_help() if exc.ctx else exc.format_message())
            sys.exit(0)
        except click_exc.UsageError as exc:
            if not standalone_mode:
                raise
            cmd = exc.ctx.command_path if exc.ctx else (prog_name or "zs")
            if exc.ctx is not None:
                click.echo(exc.ctx.get_usage().replace("Usage:", "用法："), err=True)
            click.echo(f"错误：{translate_usage(exc.format_message())}", err=True)
            click.echo(f"运行「{cmd} --help」查看用法。", err=True)
            sys.exit(EXIT_USAGE)
        except typer.Abort:
            if not standalone_mode:
                raise
            click.echo("已取消。", err=True)
            sys.exit(EXIT_USER_ERROR)
        except click_exc.ClickException as exc:  # Typer's vendored Click, not the click package
            if not standalone_mode:
                raise
            click.echo(f"错误：{exc.format_message()}", err=True)
            sys.exit(exc.exit_code)
        except SystemExit:
            raise
        except KeyboardInterrupt:  # outside a command's own handling (start-up)
            if not standalone_mode or os.environ.get("ZHAOSHANG_DEBUG"):
                raise
            click.echo(_interrupted(), err=True)
            sys.exit(EXIT_INTERRUPTED)
        except Exception as exc:  # a bug: say so briefly, never a traceback
            if not standalone_mode or os.environ.get("ZHAOSHANG_DEBUG"):
                raise
            click.echo(
                f"内部错误（{type(exc).__name__}）：{exc}。请把这条信息和所运行的命令报告给维护者；"
                "设置 ZHAOSHANG_DEBUG=1 可看到详细信息。",
                err=True,
            )
            sys.exit(EXIT_USER_ERROR)
        finally:
            pass


#: the invocation's state, for the one boundary that reports an interrupt (Ctrl-C)
_LAST_STATE: State | None = None

#: the cyclic collector is paused for start-up (see :mod:`zhaoshang.entry`)
_COLLECTOR_HELD = False


def hold_collector() -> None:
    """Start-up's collector pause is on: :func:`work_begins` ends it."""
    global _COLLECTOR_HELD
    _COLLECTOR_HELD = True


def work_begins() -> None:
    """The command's own work begins (its database is open): what start-up made is frozen
    out of the collector's walks and the collector resumes — a long import or report runs
    with it as always.  Nothing when the collector was not paused (tests, a library user)."""
    global _COLLECTOR_HELD
    if _COLLECTOR_HELD:
        import gc

        _COLLECTOR_HELD = False
        gc.freeze()
        gc.enable()


def _interrupted() -> str:
    """What an interrupted command did and did not write, in one line."""
    st = _LAST_STATE
    db = st._db if st is not None else None
    if db is not None and db.current is not None:
        return "已中断：这次操作没有写入任何数据（已全部撤回），也没有留下写了一半的文件"
    committed = db.committed if db is not None else st.committed if st is not None else None
    if committed is not None:
        return f"已中断：但这次操作在中断前已经完成并保存（第 {committed} 次操作，可用 zs undo 撤销）"
    return "已中断：没有写入任何数据，也没有留下写了一半的文件"


def _quiet_unraisable(_: Any) -> None:
    """An exception during cleanup (``__del__``, a finished generator): secondary, never shown."""


def _check_encoding(args: Sequence[str]) -> None:
    """Arguments (and the user/database variables) that were not UTF-8 — e.g. typed in a
    GBK terminal — arrive with lone surrogates that no database or file can store."""
    values = [*args, os.environ.get("ZHAOSHANG_USER", ""), os.environ.get("ZHAOSHANG_DB", "")]
    for value in values:
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            shown = value.encode("utf-8", "surrogateescape").decode("utf-8", "replace")
            raise click_exc.UsageError(
                f"「{shown}」含有不是 UTF-8 编码的文字（终端或脚本可能是 GBK 编码）：请改用 UTF-8 后重试"
            ) from None


#: the options every command accepts, before or after its name
GLOBAL_OPTIONS = ("--db", "--user")


def global_options_first(args: list[str]) -> list[str]:
    """`zs list --db x.db` means `zs --db x.db list`: global options written after the command
    name move in front of it (not after a `--`)."""
    front: list[str] = []
    rest: list[str] = []
    i = 0
    while i < len(args):
        a = args[i]
        if a == "--":
            rest.extend(args[i:])
            break
        if a in GLOBAL_OPTIONS and i + 1 < len(args):
            front += [a, args[i + 1]]
            i += 2
            continue
        (front if a.startswith(tuple(f"{o}=" for o in GLOBAL_OPTIONS)) else rest).append(a)
        i += 1
    return front + rest


#: the Chinese a clerk writes for the English choices of ``--by`` (warn --by 领导, ledger --by 产业链)
BY_WORDS = {
    "产业链": "chain",
    "链": "chain",
    "责任单位": "unit",
    "单位": "unit",
    "招商主体": "unit",
    "领导": "leader",
    "包保领导": "leader",
    "责任人": "owner",
    "全部": "all",
    "两者": "all",
}


def choice_words(args: list[str]) -> list[str]:
    """``--by 产业链`` means ``--by chain``: the value after ``--by`` said in Chinese (not
    after a ``--``; ``zs notes --by 王强`` names a person and stays as written)."""
    out = list(args)
    for i, a in enumerate(args):
        if a == "--":
            break
        if a == "--by" and i + 1 < len(args) and args[i + 1] in BY_WORDS:
            out[i + 1] = BY_WORDS[args[i + 1]]
        elif a.startswith("--by=") and a[5:] in BY_WORDS:
            out[i] = "--by=" + BY_WORDS[a[5:]]
    return out


def _pipe_closed() -> None:
    """The reader of our output went away (`zs report monthly | head -1`): a quiet success, as
    for `list`; what is left unflushed goes nowhere instead of failing again at exit."""
    with contextlib.suppress(OSError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    raise typer.Exit(0)


def _fail(message: str) -> None:
    click.echo(message, err=True)
    raise typer.Exit(EXIT_USER_ERROR)


#: exceptions that are Click's control flow (exit codes, usage errors), never wrapped errors
_CLICK_FLOW = (click_exc.ClickException, typer.Exit, typer.Abort)


def _wrapped_os_error(exc: BaseException) -> OSError | None:
    """The OSError a library wrapped in its own exception (XlsxWriter's FileCreateError
    carries it as its argument), if any."""
    for inner in (exc.__cause__, exc.__context__, *exc.args[:1]):
        if isinstance(inner, OSError) and not isinstance(inner, BrokenPipeError):
            return inner
    return None


def _os_message(exc: BaseException) -> str:
    if isinstance(exc, FileNotFoundError):
        return f"找不到文件或目录「{exc.filename}」：请检查路径"
    if isinstance(exc, IsADirectoryError):
        return f"「{exc.filename}」是一个目录：请给出文件路径"
    if isinstance(exc, PermissionError):
        return f"没有权限访问「{exc.filename}」：请检查文件权限"
    if isinstance(exc, MemoryError):
        return "内存不足：请分批处理"
    if isinstance(exc, OSError) and exc.errno == errno.ENOSPC:
        where = f"「{exc.filename}」" if exc.filename else ""
        return f"磁盘空间不足，无法写入{where}：这次操作没有完成，请清理磁盘空间或换一个位置后重试"
    if isinstance(exc, OSError):
        where = f"「{exc.filename}」" if exc.filename else ""
        return f"文件操作失败{where}：{exc.strerror or exc}"
    return str(exc)


def new_app(name: str, help: str, **kw: Any) -> typer.Typer:
    """A Typer (sub)app with Chinese help and no rich, completion or pretty tracebacks."""
    return typer.Typer(
        name=name,
        help=help,
        cls=kw.pop("cls", ZsGroup),
        rich_markup_mode=None,
        add_completion=False,
        pretty_exceptions_enable=False,
        no_args_is_help=kw.pop("no_args_is_help", True),
        context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100},
        **kw,
    )


# ---------------------------------------------------------------------------------------
# Shared state: the database and the user, opened lazily
# ---------------------------------------------------------------------------------------


@dataclass
class State:
    db_option: str | None = None
    user_option: str | None = None
    _db: Database | None = None
    #: the last command committed before the database was closed (what an interrupt kept)
    committed: int | None = None

    def __post_init__(self) -> None:
        global _LAST_STATE
        _LAST_STATE = self

    def db_path(self) -> Path:
        from ..config import resolve_db_path

        return resolve_db_path(self.db_option)

    def db_missing(self) -> bool:
        """The database named is a file that is not there (a server's is asked when opened)."""
        from ..config import resolve_db_target
        from ..engines import is_server

        return not is_server(resolve_db_target(self.db_option)) and not self.db_path().exists()

    @property
    def user(self) -> str:
        from ..config import resolve_user

        if self._db is not None and self._db.account_name is not None:  # a server's account
            return self._db.account_name
        return resolve_user(self.user_option)

    def defs(self) -> Definitions:
        from ..definitions import load

        return load()

    def open(self, *, create: bool = False, after_crash_check: bool = True) -> Database:
        """The database, upgraded if older.  Only ``init`` creates one (``create``): any other
        command on a missing file is a mistyped path or a forgotten ``init``, and an empty
        database made in silence would answer every question with 0.  A database left open by
        a program that crashed gets a quick check of its pages first (``after_crash_check``;
        ``check`` and ``backup`` do their own)."""
        if self._db is None:
            from ..config import db_is_explicit, resolve_db_target
            from ..db import Database
            from ..engines import is_server

            target = resolve_db_target(self.db_option)
            if is_server(target):
                self._db = Database.open(target, self.defs(), create=create)
                self._db.on_wait = say
                work_begins()
                return self._db
            path = self.db_path()
            defs = self.defs()  # a broken definition file is the first thing to say
            explicit = db_is_explicit(self.db_option)
            if not create and not path.exists():
                where = f"zs --db {path} init" if explicit else "zs init"
                folder = "" if path.parent.is_dir() else f"，所在目录「{path.parent}」也不存在"
                raise ZsError(
                    f"数据库「{path}」不存在{folder}：请检查路径；要新建一个空数据库，请运行 {where}"
                    "（加 --demo 载入演示数据）"
                )
            hot = after_crash_check and os.path.exists(f"{path}-wal") and _left_hot(path)
            self._db = Database.open(path, defs, create=create)
            self._db.on_wait = say
            work_begins()
            if hot:
                _check_after_crash(self._db)
        return self._db

    @contextmanager
    def command(self, name: str) -> Iterator[Database]:
        """The database, inside one recorded atomic command named ``name``."""
        db = self.open()
        with db.command(name, user=self.user, args=argv()) as info:
            yield db
        for guess in info.guesses:  # what a unique prefix (新 → 新能源) was taken for
            say(guess.message)

    def close(self) -> None:
        if self._db is not None:
            self.committed = self._db.committed
            self._db.close()
            self._db = None


def _left_hot(path: Path) -> bool:
    from ..integrity import left_hot

    return left_hot(path)


def _check_after_crash(db: Database) -> None:
    """The last program using the database did not close it: a quick check of its pages (about
    a second per million items) before anything reads or writes it."""
    from ..integrity import quick_problems

    found = quick_problems(db)
    if found is not None:
        raise ZsError(
            f"数据库「{db.path}」上次没有正常关闭（程序崩溃、被强制结束或断电），检查发现数据页损坏："
            f"{found.problems[0].text}。请运行 zs check 查看详情和处理办法（从备份恢复：zs backup 备份文件 --restore）"
        )


def argv() -> str:
    """The command line as typed, for history."""
    import shlex

    return shlex.join(["zs", *sys.argv[1:]]) if sys.argv else "zs"


def state(ctx: typer.Context) -> State:
    obj = ctx.find_object(State)
    if obj is None:  # a sub-app used on its own (tests)
        obj = State()
        ctx.obj = obj
    return obj


# ---------------------------------------------------------------------------------------
# Options shared by many commands
# ---------------------------------------------------------------------------------------


def out() -> Any:
    return sys.stdout


def use_color() -> bool:
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def say(message: str) -> None:
    """A message for people: stderr, so stdout stays data; control characters inert."""
    from ..render import inert

    click.echo(inert(message), err=True)


def echo(message: object = "", *, err: bool = False, nl: bool = True) -> None:
    """Text for people on stdout (or stderr), control characters inert (see :func:`say`)."""
    from ..render import inert

    click.echo(inert(str(message)), err=err, nl=nl)


def confirm(question: str, yes: bool) -> None:
    """Ask before a destructive action; ``--yes`` or a non-interactive stdin skips or refuses."""
    if yes:
        return
    click.echo(f"{question}（输入 y 确认，直接回车取消）", err=True, nl=False)
    try:
        answer = input().strip().lower()
    except EOFError:
        raise ZsError(f"{question} 需要确认：非交互运行时请加 --yes") from None
    if answer not in ("y", "yes", "是", "好", "确定"):
        raise ZsError("已取消，没有做任何修改")
