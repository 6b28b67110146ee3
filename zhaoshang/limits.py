"""Every bound on what zs reads, in one place, and the guarded ways to open and parse it.

Input is data, never code: nothing in a file may run code, write outside its target or
exhaust the machine.  So each reader is bounded *before* its costly work -- the workbook scans
of :mod:`zhaoshang.exchange.bombs`, the CSV reader's record and column caps, the YAML loader
below (aliases and merge keys), the config file's size -- and every refusal is one Chinese line
naming the file, the place and the limit.

Loading PyYAML is deferred to :func:`load_yaml`; nothing here is imported at start-up cost.
"""

from __future__ import annotations

import errno
import os
import stat
from pathlib import Path
from typing import Any, BinaryIO

from .errors import ZsError

#: Excel's own limits of a worksheet (also the column cap of a CSV record)
MAX_ROWS = 1_048_576
MAX_COLUMNS = 16_384
#: the cells of an .xls worksheet (BIFF8: 65,536 rows × 256 columns)
XLS_MAX_ROWS = 65_536
XLS_MAX_COLUMNS = 256
#: a workbook's dense grid up to this many cells is always fine ...
MIN_GRID = 4_000_000
#: ... beyond that, at most this many grid cells per cell the file really holds
MAX_SPARSITY = 200
#: .ods repeats (number-rows-repeated × number-columns-repeated) of cells with content may
#: make up to this many cells, and beyond it at most MAX_REPEAT_RATIO per cell written out
MIN_REPEATED = 100_000
MAX_REPEAT_RATIO = 10
#: one field of a CSV file (what zs stores, values.MAX_TEXT, always fits: a longer cell
#: reaches the field's own check, which names it)
MAX_CSV_FIELD = 1 << 20
#: one CSV record, all its physical lines together, in characters
MAX_CSV_RECORD = 8 << 20
#: YAML: what aliases and merge keys (``<<: *b``) may expand to, in characters: this many
#: times the file, and never less than MIN_YAML_EXPANDED
MAX_YAML_EXPANSION = 10
MIN_YAML_EXPANDED = 1_000_000
#: a number in JSON/YAML longer than this is kept as text (no field holds one; Python refuses
#: int() past 4,300 digits, and a sexagesimal YAML int costs quadratic time)
MAX_NUMBER_DIGITS = 100
#: the config file (four short settings) and a checklist definition file
MAX_CONFIG_BYTES = 64 * 1024
MAX_DEFINITION_BYTES = 4 * 1024 * 1024

#: errno -> what went wrong, for a file that cannot be read
_READ_FAILURES = {
    errno.ENOENT: "文件不存在",
    errno.EACCES: "没有读取权限",
    errno.EPERM: "没有读取权限",
    errno.EISDIR: "这是一个文件夹",
    errno.ENOTDIR: "路径中有一段不是文件夹",
    errno.ELOOP: "符号链接循环",
    errno.ENAMETOOLONG: "路径太长",
    errno.EIO: "磁盘读取出错",
    errno.ENXIO: "设备不存在",
    errno.EBUSY: "文件正被占用",
    errno.ETXTBSY: "文件正被占用",
    errno.ESTALE: "网络共享上的文件已失效",
    errno.ENOMEM: "内存不足",
}


def why(exc: OSError) -> str:
    """The cause of a failed read, in Chinese (the OS's English ``strerror`` never reaches a
    person)."""
    return _READ_FAILURES.get(exc.errno or 0, f"系统错误 {exc.errno}" if exc.errno else "读取失败")


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "一个文件夹"
    if stat.S_ISFIFO(mode):
        return "一个管道（FIFO）"
    if stat.S_ISSOCK(mode):
        return "一个套接字"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "一个设备"
    return "一个特殊文件"


def check_regular(path: Path, label: str) -> os.stat_result:
    """The stat of ``path`` when it is a regular file (following links); a pipe, device or
    folder is refused before anything opens it -- opening a FIFO waits for a writer forever."""
    try:
        st = path.stat()
    except OSError as exc:
        raise ZsError(f"无法读取{label}：{why(exc)}。请检查路径。") from None
    if not stat.S_ISREG(st.st_mode):
        raise ZsError(f"{label}是{_kind(st.st_mode)}，不是普通文件：请指定一个文件。")
    return st


def open_regular(path: Path, label: str, *, max_bytes: int | None = None) -> BinaryIO:
    """Open ``path`` for reading, refusing (without blocking) anything but a regular file, and
    a file larger than ``max_bytes``; the check is made on the opened file itself."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise ZsError(f"无法读取{label}：{why(exc)}。请检查路径和权限。") from None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode):
            raise ZsError(f"{label}是{_kind(st.st_mode)}，不是普通文件：请指定一个文件。")
        if max_bytes is not None and st.st_size > max_bytes:
            raise ZsError(
                f"{label}有 {st.st_size:,} 字节，超过上限 {max_bytes:,} 字节，没有读取：请检查是否选错了文件。"
            )
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_bounded(path: Path, label: str, max_bytes: int) -> bytes:
    """The whole of a small file (config, definitions), refusing one past ``max_bytes``."""
    with open_regular(path, label, max_bytes=max_bytes) as fh:
        try:
            data = fh.read(max_bytes + 1)
        except OSError as exc:
            raise ZsError(f"无法读取{label}：{why(exc)}。") from None
    if len(data) > max_bytes:  # grew while being read
        raise ZsError(f"{label}超过上限 {max_bytes:,} 字节，没有读取：请检查是否选错了文件。")
    return data


# ---------------------------------------------------------------------------------------------
# YAML


_LOADER: Any = None


def _loader_class() -> Any:
    """A safe loader (libyaml's when present) whose timestamps and integers cannot raise: an
    impossible date (2026-02-30, 25:00) or a 5,000-digit number stays text, and the field that
    receives it says what is wrong with it, as it would for the same cell in a CSV file."""
    global _LOADER
    if _LOADER is not None:
        return _LOADER
    import yaml

    base: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):
        pass

    def timestamp(loader: Any, node: Any) -> object:
        try:
            return yaml.SafeLoader.construct_yaml_timestamp(loader, node)
        except (ValueError, OverflowError):
            return loader.construct_scalar(node)

    def integer(loader: Any, node: Any) -> object:
        text = loader.construct_scalar(node)
        if len(text) > MAX_NUMBER_DIGITS:
            return text
        try:
            return yaml.SafeLoader.construct_yaml_int(loader, node)
        except (ValueError, OverflowError):
            return text

    Loader.add_constructor("tag:yaml.org,2002:timestamp", timestamp)
    Loader.add_constructor("tag:yaml.org,2002:int", integer)
    _LOADER = Loader
    return Loader


def load_yaml(text: str, label: str) -> Any:
    """Parse ``text`` (the whole of a file named by ``label``) with a safe loader, refusing
    before construction a document whose aliases and merge keys expand past
    :data:`MAX_YAML_EXPANSION` × its size, that refers to itself, or that repeats a key in a
    mapping (the last would silently win).  YAML errors propagate as ``yaml.YAMLError``."""
    loader = _loader_class()(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        _check_graph(node, label, max(MIN_YAML_EXPANDED, MAX_YAML_EXPANSION * len(text)))
        return loader.construct_document(node)
    finally:
        loader.dispose()


_YAML_REASONS = (
    ("could not find expected ':'", "缺少冒号 :，或缩进不对"),
    ("mapping values are not allowed", "这里不能写 键: 值（冒号后要有空格；含冒号的文字请加引号）"),
    ("cannot start any token", "有不能出现在开头的字符（如 Tab、@、`）：文字请加引号，缩进请用空格"),
    ("tab character", "用了 Tab 缩进：请改用空格"),
    ("did not find expected key", "缩进不对或缺少键"),
    ("did not find expected '-'", "列表项的缩进不对"),
    ("did not find expected node content", "这里缺少内容"),
    ("expected <block end>", "缩进不对"),
    ("undefined alias", "引用了没有定义的锚点（*名字）"),
    ("unexpected end of stream", "文件在引号或括号中间结束"),
    ("unknown escape character", "无效的转义：\\ 要写成 \\\\，或改用单引号"),
    ("could not determine a constructor", "不支持的标签（!!…）：请去掉它"),
    ("duplicate anchor", "锚点重名"),
    ("control characters are not allowed", "含有不允许的控制字符"),
    ("expected alphabetic or numeric character", "锚点或别名的名字无效"),
    ("expected ',' or ']'", "列表缺少逗号或 ]"),
    ("expected ',' or '}'", "映射缺少逗号或 }"),
    ("depth", "嵌套层数过深"),
    ("unacceptable character", "含有不允许的字符"),
)


def yaml_reason(exc: BaseException) -> str:
    """PyYAML's English problem, said in Chinese (the position is given by the caller)."""
    problem = str(getattr(exc, "problem", None) or exc)
    return next((zh for en, zh in _YAML_REASONS if en in problem), "格式错误")


def _where(node: Any) -> str:
    mark = getattr(node, "start_mark", None)
    return f"第{mark.line + 1}行第{mark.column + 1}列" if mark is not None else ""


def _check_graph(root: Any, label: str, limit: int) -> None:
    """Walk the composed nodes once (iteratively, shared nodes measured once): the size of the
    document with every alias written out, in characters."""
    import yaml

    merge_tag = "tag:yaml.org,2002:merge"
    size: dict[int, int] = {}
    open_: set[int] = set()
    stack: list[tuple[Any, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        key = id(node)
        if done:
            open_.discard(key)
            if isinstance(node, yaml.SequenceNode):
                total = 1 + sum(size[id(c)] for c in node.value)
            else:
                total = 1 + sum(size[id(k)] + size[id(v)] for k, v in node.value)
            if total > limit:
                raise ZsError(
                    f"{label}展开别名（*引用、<<: 合并）后超过 {limit:,} 个字符（文件本身的 {MAX_YAML_EXPANSION} 倍），"
                    f"已拒绝（{_where(node)}处）：请直接写出各项内容，不要用锚点和别名反复引用。"
                )
            size[key] = total
            continue
        if key in size:
            continue
        if isinstance(node, yaml.ScalarNode):
            size[key] = 1 + len(node.value)
            continue
        if key in open_:
            raise ZsError(f"{label}{_where(node)}处的内容引用了它自己（递归的锚点），无法读取：请去掉这个别名。")
        open_.add(key)
        stack.append((node, True))
        if isinstance(node, yaml.SequenceNode):
            stack.extend((c, False) for c in node.value)
            continue
        seen: dict[tuple[str, str], Any] = {}
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.tag != merge_tag:
                first = seen.setdefault((k.tag, k.value), k)
                if first is not k:
                    raise ZsError(
                        f"{label}{_where(k)}：键「{k.value[:50]}」在同一处已出现过（{_where(first)}），"
                        "只能保留一个（否则后一个会悄悄覆盖前一个）：请删除或改名其中一个。"
                    )
            stack.append((k, False))
            stack.append((v, False))


__all__ = [
    "MAX_COLUMNS",
    "MAX_CONFIG_BYTES",
    "MAX_CSV_FIELD",
    "MAX_CSV_RECORD",
    "MAX_DEFINITION_BYTES",
    "MAX_NUMBER_DIGITS",
    "MAX_REPEAT_RATIO",
    "MAX_ROWS",
    "MAX_SPARSITY",
    "MIN_GRID",
    "MIN_REPEATED",
    "XLS_MAX_COLUMNS",
    "XLS_MAX_ROWS",
    "check_regular",
    "load_yaml",
    "open_regular",
    "read_bounded",
    "why",
    "yaml_reason",
]
