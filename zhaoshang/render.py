"""Rendering records as table, JSON, CSV, TSV or YAML — no rich, no colour off a terminal.

The table renderer measures Chinese characters as two columns (East Asian width) so that
columns line up in a terminal.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import operator
import re
from bisect import bisect_right
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TextIO

from .names import BIDI_CONTROLS

FORMATS = ("table", "json", "csv", "tsv", "yaml")
MAX_CELL = 40  # display columns a long text cell is narrowed to first when a table is too wide for its window


class Column(NamedTuple):
    """A column of a listing.  (NamedTuples, not dataclasses, here: every command imports
    this module, and a dataclass costs about a millisecond of start-up to make.)"""

    key: str
    header: str
    align: str = "left"  # left | right
    #: which column a table too wide for the window drops first: 1 is kept longest, 9 goes first
    priority: int = 5
    #: other names a user may choose the column by (``--columns``): a field's label and aliases
    names: tuple[str, ...] = ()


class Table(NamedTuple):
    """A laid-out table: its text and the columns left out to fit the width asked for."""

    text: str
    hidden: tuple[Column, ...] = ()


# East Asian wide and full-width ranges (what terminals draw two columns wide), and the
# combining marks and invisible format characters that take none
_WIDE = (
    (0x1100, 0x115F), (0x2E80, 0x303E), (0x3041, 0x33FF), (0x3400, 0x4DBF), (0x4E00, 0x9FFF),
    (0xA000, 0xA4CF), (0xAC00, 0xD7A3), (0xF900, 0xFAFF), (0xFE30, 0xFE4F), (0xFF00, 0xFF60),
    (0xFFE0, 0xFFE6), (0x1F300, 0x1F64F), (0x1F900, 0x1F9FF), (0x20000, 0x3FFFD),
)  # fmt: skip
_ZERO = ((0x0300, 0x036F), (0x200B, 0x200F), (0x202A, 0x202E), (0x2060, 0x2064), (0xFE00, 0xFE0F))


def _class(ranges: tuple[tuple[int, int], ...]) -> str:
    return "".join(f"{chr(a)}-{chr(b)}" for a, b in ranges)


class _Patterns:
    """The width patterns.  Compiling them costs ~7 ms (re expands every BMP range character
    by character), more than a command measuring a few hundred characters spends measuring
    them one by one: they are compiled once a command has measured :data:`BY_CHARACTER`
    characters of non-ASCII text."""

    def __init__(self) -> None:
        self.wide = re.compile(f"[{_class(_WIDE)}]")
        #: a character that is neither ASCII nor a wide character of the BMP (each of those
        #: is 3 bytes in UTF-8, so a text of only the two has width (bytes + characters) / 2)
        self.odd = re.compile(f"[^\\x00-\\x7f{_class(tuple(r for r in _WIDE if r[1] <= 0xFFFF))}]")
        self.zero = re.compile(f"[{_class(_ZERO)}]")


_PATTERNS: _Patterns | None = None
#: non-ASCII text measured one character at a time before the patterns are compiled
BY_CHARACTER = 4000
_measured = 0
_BOUNDS: tuple[list[int], list[int]] | None = None  # (starts, widths): the width from a start on


def width_by_character(text: str) -> int:
    """:func:`width`, measured one character at a time (the same ranges as its patterns)."""
    return sum(1 if ch < "\u0300" else _char_width(ch) for ch in text)


def _char_width(ch: str) -> int:
    global _BOUNDS
    if _BOUNDS is None:
        marks = sorted([(a, 2, b) for a, b in _WIDE] + [(a, 0, b) for a, b in _ZERO])
        starts, widths = [0], [1]
        for a, w, b in marks:
            starts += [a, b + 1]
            widths += [w, 1]
        _BOUNDS = starts, widths
    starts, widths = _BOUNDS
    return widths[bisect_right(starts, ord(ch)) - 1]


# Control characters shown inert (a title from a county's sheet may hold ESC[2J or an OSC
# sequence): C0 as their control pictures (␛ …), DEL as ␡, C1 as \x9b; line breaks and tabs stay.
_INERT: dict[int, int | str] = {c: 0x2400 + c for c in range(0x20) if c not in (0x09, 0x0A)}
_INERT[0x7F] = 0x2421
_INERT.update({c: f"\\x{c:02x}" for c in range(0x80, 0xA0)})
# bidirectional controls (LRM, RLM, ALM, LRE…RLO, PDF, LRI…PDI) as \u202e: raw, an RLO prints the
# rest of the line backwards and makes two equal-looking names read differently
_INERT.update({ord(c): f"\\u{ord(c):04x}" for c in BIDI_CONTROLS})


def inert(text: str) -> str:
    """``text`` with every control character (and bidirectional control) made visible and
    harmless on a terminal."""
    return text if text.isprintable() else text.translate(_INERT)


def width(text: str) -> int:
    """Display width: wide and full-width characters count two, combining marks none."""
    if text.isascii():
        return len(text)
    global _PATTERNS, _measured
    pat = _PATTERNS
    if pat is None:
        _measured += len(text)
        if _measured <= BY_CHARACTER:
            return width_by_character(text)
        pat = _PATTERNS = _Patterns()
    if pat.odd.search(text) is None:  # ASCII and wide BMP characters only (most Chinese text)
        return (len(text.encode("utf-8")) + len(text)) // 2
    return len(text) + len(pat.wide.findall(text)) - len(pat.zero.findall(text))


def clip(text: str, limit: int = MAX_CELL) -> str:
    return clip_measured(text, limit)[0]


def clip_measured(text: str, limit: int = MAX_CELL) -> tuple[str, int]:
    """:func:`clip`, and the width of what it gives."""
    if "\n" in text or "\r" in text or "\t" in text:
        text = " ".join(text.split())  # no line breaks inside a table cell
    if len(text) * 2 <= limit:
        return text, width(text)
    full = width(text)
    if full <= limit:
        return text, full
    out, w = [], 0
    for ch in text[:limit]:
        cw = 1 if ch < "\u1100" else 2 if "\u4e00" <= ch <= "\u9fff" else width(ch)
        if w + cw > limit - 1:
            break
        out.append(ch)
        w += cw
    return "".join(out) + "…", w + 1


def _pad(text: str, size: int, align: str, w: int | None = None) -> str:
    gap = size - (width(text) if w is None else w)
    return (" " * gap + text) if align == "right" else (text + " " * gap)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return f"{value:.6f}".rstrip("0").rstrip(".") if not value.is_integer() else str(int(value))
    if isinstance(value, list | tuple):
        return "、".join(_cell(v) for v in value)
    return str(value)


def _measure(v: str) -> tuple[str, int]:
    """A cell as shown (control characters inert, on one line) and its width — never cut."""
    t = v if v.isprintable() else inert(v)
    if "\n" in t or "\t" in t:
        t = " ".join(t.split())  # no line breaks inside a table cell
    return t, (len(t) if t.isascii() else width(t))


def _column(values: list[str]) -> list[tuple[str, int]]:
    """Measure a column's cells (the hot path of big tables: repeated values such as
    chain names and statuses are measured once)."""
    seen: dict[str, tuple[str, int]] = {}
    out: list[tuple[str, int]] = []
    add = out.append
    for v in values:
        hit = seen.get(v)
        if hit is None:
            hit = seen[v] = _measure(v)
        add(hit)
    return out


def wrap(text: str, size: int) -> list[tuple[str, int]]:
    """``text`` (already on one line) in lines of at most ``size`` display columns, and
    their widths: a column asked for is wrapped, never cut."""
    lines: list[tuple[str, int]] = []
    part: list[str] = []
    w = 0
    for ch in text:
        cw = 1 if ch < "\u1100" else 2 if "\u4e00" <= ch <= "\u9fff" else width(ch)
        if part and w + cw > size:
            lines.append(("".join(part), w))
            part, w = [], 0
        part.append(ch)
        w += cw
    lines.append(("".join(part), w))
    return lines


def table(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    color: bool = False,
    display: dict[str, Any] | None = None,
    header: bool = True,
) -> str:
    """A plain aligned table; ``display`` may map column keys to formatting functions."""
    return layout(rows, columns, color=color, display=display, header=header).text


def layout(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    *,
    color: bool = False,
    display: dict[str, Any] | None = None,
    header: bool = True,
    max_width: int | None = None,
    asked: Sequence[str] = (),
) -> Table:
    """:func:`table` fitted to ``max_width`` display columns (see :meth:`Plan.of`)."""
    plan = Plan.of(rows, columns, display=display, max_width=max_width, asked=asked)
    text = (plan.head(color=color) if header else "") + plan.body(rows)
    return Table(text, plan.hidden)


class Plan:
    """The shape of a table measured on some of its rows: the columns kept and their
    widths.  A table too long to hold is planned on its first rows and then written a
    batch at a time (:meth:`body`).

    Without a width (piped output) nothing is ever cut: a later cell wider than its column
    pushes the rest of its line to the right.  Fitted to a window, a long text cell is cut
    with … at its column's width — or, in a column the user asked for (``--columns``),
    wrapped onto more lines; numbers are never cut."""

    __slots__ = ("columns", "cut", "display", "hidden", "padded", "sizes", "wrapped")

    def __init__(
        self,
        columns: tuple[Column, ...],
        sizes: tuple[int, ...],
        hidden: tuple[Column, ...] = (),
        display: dict[str, Any] | None = None,
        cut: tuple[bool, ...] | None = None,
        wrapped: tuple[bool, ...] | None = None,
    ) -> None:
        self.columns = columns
        self.sizes = sizes
        self.hidden = hidden
        self.display = display
        self.cut = cut or (False,) * len(columns)
        self.wrapped = wrapped or (False,) * len(columns)
        self.padded: list[dict[str, str]] | None = None

    @classmethod
    def of(
        cls,
        rows: Sequence[dict[str, Any]],
        columns: Sequence[Column],
        *,
        display: dict[str, Any] | None = None,
        max_width: int | None = None,
        min_sizes: dict[str, int] | None = None,
        asked: Sequence[str] = (),
    ) -> Plan:
        """Measure ``rows`` (``min_sizes``: widths known in advance, such as the widest id).

        With ``max_width``, a table wider than that first narrows its long text columns
        (to :data:`MAX_CELL`), then leaves out columns, the highest ``priority`` number
        first — never the first column nor one whose key is in ``asked`` — then narrows
        the columns asked for (wrapped, never below 8); room left over goes back to the
        narrowed columns."""
        cols = _cells(rows, columns, display)
        least = min_sizes or {}
        full = [
            max([width(c.header), least.get(c.key, 0), *(w for _, w in cells)])
            for c, cells in zip(columns, cols, strict=True)
        ]
        if not max_width:
            return cls(tuple(columns), tuple(full), (), display)
        heads = [width(c.header) for c in columns]
        text = [c.align != "right" for c in columns]
        sizes = [min(f, max(MAX_CELL, h)) if t else f for f, h, t in zip(full, heads, text, strict=True)]
        wanted = set(asked)
        protected = [i == 0 or c.key in wanted for i, c in enumerate(columns)]
        priorities = [c.priority for c in columns]
        # first the columns a command can do without (priority 3 and up) ...
        minor = [p or priorities[i] <= 2 for i, p in enumerate(protected)]
        keep = fit(sizes, priorities, max_width, minor)
        # ... then long text is narrowed, then its main columns go, then even asked ones narrow
        _narrow(keep, sizes, heads, text, max_width, 16)
        keep = fit(sizes, priorities, max_width, protected, keep)
        _narrow(keep, sizes, heads, text, max_width, 8)
        kept = [sizes[i] for i in keep]
        total = sum(kept) + 2 * max(len(keep) - 1, 0)
        while total < max_width:  # room left: widen the narrowed columns again, the narrowest first
            j = min((j for j, i in enumerate(keep) if kept[j] < full[i]), key=lambda j: kept[j], default=None)
            if j is None:
                break
            kept[j] += 1
            total += 1
        hidden = tuple(c for i, c in enumerate(columns) if i not in keep)
        cut = tuple(text[i] and columns[i].key not in wanted for i in keep)
        wrapped = tuple(text[i] and columns[i].key in wanted for i in keep)
        return cls(tuple(columns[i] for i in keep), tuple(kept), hidden, display, cut, wrapped)

    def head(self, *, color: bool = False) -> str:
        head = "  ".join(_pad(c.header, s, c.align) for c, s in zip(self.columns, self.sizes, strict=True)).rstrip()
        if color:
            head = f"\x1b[1m{head}\x1b[0m"
        return head + "\n" + "  ".join("─" * s for s in self.sizes) + "\n"

    def _values(self, rows: Sequence[dict[str, Any]]) -> list[list[Any]]:
        fmt = self.display or {}
        out = []
        for c in self.columns:
            if c.key in fmt:
                get = fmt[c.key]
                out.append([get(r) for r in rows])
            else:
                key = c.key
                out.append([r.get(key) for r in rows])
        return out

    def body(self, rows: Sequence[dict[str, Any]]) -> str:
        """``rows`` as lines of this table.  Each column keeps its padded cells (up to
        :data:`PADDED` of them) from batch to batch: the chains, statuses and owners of a
        long listing are measured and padded once, not once per row."""
        if not rows:
            return ""
        if any(self.wrapped):
            return self._wrapped_body(rows)
        if self.padded is None:
            self.padded = [{} for _ in self.columns]
        padded = []
        for values, c, size, cut, cache in zip(
            self._values(rows), self.columns, self.sizes, self.cut, self.padded, strict=True
        ):
            right = c.align == "right"
            out: list[str] = []
            add = out.append
            for v in values:
                if type(v) is int:  # ids and counts: ASCII digits, as wide as they are long, each its own
                    text = str(v)
                    add((" " * (size - len(text)) + text) if right else (text + " " * (size - len(text))))
                    continue
                text = v if type(v) is str else "" if v is None else _cell(v)
                cell = cache.get(text)
                if cell is None:
                    t, w = _measure(text)
                    if cut and w > size:
                        t, w = clip_measured(t, size)
                    cell = (" " * (size - w) + t) if right else (t + " " * (size - w))
                    if len(cache) < PADDED:
                        cache[text] = cell
                add(cell)
            padded.append(out)
        return "\n".join("  ".join(parts).rstrip() for parts in zip(*padded, strict=True)) + "\n"

    def _wrapped_body(self, rows: Sequence[dict[str, Any]]) -> str:
        """:meth:`body` when a column wraps: a row may take several lines."""
        columns = self._values(rows)
        lines: list[str] = []
        for n in range(len(rows)):
            cells: list[list[tuple[str, int]]] = []
            for values, size, cut, wrapped in zip(columns, self.sizes, self.cut, self.wrapped, strict=True):
                v = values[n]
                t, w = _measure(v if type(v) is str else "" if v is None else _cell(v))
                if wrapped and w > size:
                    cells.append(wrap(t, size))
                else:
                    cells.append([clip_measured(t, size) if cut and w > size else (t, w)])
            for k in range(max(len(c) for c in cells)):
                parts = []
                for c, cell, size in zip(self.columns, cells, self.sizes, strict=True):
                    t, w = cell[k] if k < len(cell) else ("", 0)
                    parts.append((" " * (size - w) + t) if c.align == "right" else (t + " " * (size - w)))
                lines.append("  ".join(parts).rstrip())
        return "\n".join(lines) + "\n"


#: padded cells a :class:`Plan` keeps per column between batches (memory stays bounded)
PADDED = 4096


def _cells(
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], display: dict[str, Any] | None
) -> list[list[tuple[str, int]]]:
    """Each column's cells as shown (clipped, control characters inert) and their widths."""
    fmt = display or {}
    cols: list[list[tuple[str, int]]] = []
    for c in columns:
        if c.key in fmt:
            values = [fmt[c.key](r) for r in rows]
        else:
            key = c.key
            values = [v if type(v) is str else "" if v is None else _cell(v) for v in [r.get(key) for r in rows]]
        cols.append(_column(values))
    return cols


def _narrow(keep: list[int], sizes: list[int], heads: list[int], text: list[bool], max_width: int, least: int) -> None:
    """Narrow the widest kept text columns (not below ``least`` nor their header) until
    the table fits ``max_width`` or none can narrow further."""
    total = sum(sizes[i] for i in keep) + 2 * max(len(keep) - 1, 0)
    while total > max_width:
        i = max((i for i in keep if text[i] and sizes[i] > max(least, heads[i])), key=lambda i: sizes[i], default=None)
        if i is None:
            return
        sizes[i] -= 1
        total -= 1


def fit(
    sizes: Sequence[int],
    priorities: Sequence[int],
    max_width: int,
    protected: Sequence[bool] | None = None,
    keep: Sequence[int] | None = None,
) -> list[int]:
    """The indexes of the columns to keep (of ``keep``, by default all) so that the table
    (two spaces between columns) is at most ``max_width`` wide: the highest priority number
    goes first, the rightmost of equals first; the first column and the ``protected`` ones
    are never dropped."""
    kept = list(range(len(sizes)) if keep is None else keep)
    order = sorted((i for i in kept if i and not (protected and protected[i])), key=lambda i: (-priorities[i], -i))
    total = sum(sizes[i] for i in kept) + 2 * max(len(kept) - 1, 0)
    for i in order:
        if total <= max_width:
            break
        kept.remove(i)
        total -= sizes[i] + 2
    return kept


def to_json(rows: Iterable[Any]) -> str:
    return json.dumps(list(rows), ensure_ascii=False, indent=2, default=str) + "\n"


#: what a spreadsheet runs as a formula at the start of a cell (also a tab or CR there)
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def escape_formula(v: Any) -> Any:
    """A CSV/TSV cell that a spreadsheet would run as a formula gets a leading ``'``; so does
    text that already starts with quotes before such a character, so that import, which
    removes exactly one quote, gives back what was stored."""
    if isinstance(v, str) and v.lstrip("'").startswith(FORMULA_START):
        return "'" + v
    return v


def to_delimited(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    delimiter: str,
    *,
    header: bool = True,
    labels: bool = False,
) -> str:
    """CSV/TSV as ``export`` writes it: no cell can become a live formula when the output is
    opened in a spreadsheet, and a cell holding a line break or CR is quoted (a bare CR would
    split the record in two).  ``labels``: for people — the columns' Chinese headers, 是/否."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    quoted = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    if header:
        w.writerow([escape_formula(c.header) if labels else c.key for c in columns])
    keys = [c.key for c in columns]
    cells_of = operator.itemgetter(*keys) if len(keys) > 1 else None
    try:
        table = [cells_of(r) for r in rows] if cells_of is not None else [[r.get(k) for k in keys] for r in rows]
    except KeyError:  # a row without some column: an empty cell
        table = [[r.get(k) for k in keys] for r in rows]
    # 67,000 rows of a chain, a batch at a time: a batch of only text, numbers and nothing
    # (csv writes None as an empty cell) whose text has no cell starting like a formula and
    # no CR is written as it is (one search of the batch's text); any other batch row by row
    flat = list(itertools.chain.from_iterable(table))
    if _SIMPLE.issuperset(map(type, flat)):
        text = "\x1f" + "\x1f".join(map(str, flat))
        if "\r" not in text and not _RISKY.search(text):
            w.writerows(table)
            return buf.getvalue()
    plain = w.writerow
    for cells in table:
        if _SIMPLE.issuperset(map(type, cells)):
            text = "\x1f" + "\x1f".join(map(str, cells))
            if "\r" not in text and not _RISKY.search(text):
                plain(cells)
                continue
        _slow_row(w, quoted, list(cells), labels)
    return buf.getvalue()


def _slow_row(w: Any, quoted: Any, values: list[Any], labels: bool) -> None:
    cells = [_csv_cell(v, labels) for v in values]
    (quoted if any(isinstance(v, str) and "\r" in v for v in cells) else w).writerow(cells)


_SIMPLE = frozenset([str, int, float, type(None)])
#: a cell that may start like a formula, in cells each preceded by U+001F
_RISKY = re.compile("\x1f['=+\\-@\t\r]")


def _csv_cell(value: Any, labels: bool = False) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return ("是" if value else "否") if labels else ("true" if value else "false")
    if isinstance(value, list | tuple):
        return escape_formula("、".join(str(v) for v in value))
    return escape_formula(value)


def to_yaml(data: Any) -> str:
    import yaml

    dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)
    return str(yaml.dump(data, Dumper=dumper, allow_unicode=True, sort_keys=False, default_flow_style=False))


#: rows a streamed listing reads, measures and writes at a time: the table's widths come
#: from the first batch, so memory stays that of one batch at any size of result
BATCH = 1000


def batches(rows: Iterable[dict[str, Any]], size: int = BATCH) -> Iterator[list[dict[str, Any]]]:
    it = iter(rows)
    while batch := list(itertools.islice(it, size)):
        yield batch


def stream(
    rows: Iterable[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    *,
    header: bool = True,
    labels: bool = False,
) -> Iterator[str]:
    """A machine format (json, csv, tsv, yaml) a batch of rows at a time — the same text
    :func:`render` writes for the whole list (``labels``: csv/tsv for people, see
    :func:`to_delimited`)."""
    first = True
    for batch in batches(rows):
        if fmt in ("json", "yaml"):
            data = [{c.key: r.get(c.key) for c in columns} for r in batch]
            if fmt == "yaml":
                yield to_yaml(data)
            else:
                text = json.dumps(data, ensure_ascii=False, indent=2, default=str)
                yield ("[" if first else ",") + text[1:-2]
        elif fmt in ("csv", "tsv"):
            yield to_delimited(batch, columns, "," if fmt == "csv" else "\t", header=header and first, labels=labels)
        else:  # pragma: no cover - the CLI validates the choice
            raise ValueError(fmt)
        first = False
    if fmt == "json":
        yield "[]\n" if first else "\n]\n"
    elif fmt == "yaml" and first:
        yield to_yaml([])
    elif first and header:
        yield to_delimited([], columns, "," if fmt == "csv" else "\t", labels=labels)


def render(
    rows: Sequence[dict[str, Any]],
    columns: Sequence[Column],
    fmt: str,
    out: TextIO,
    *,
    color: bool = False,
    display: dict[str, Any] | None = None,
    header: bool = True,
) -> None:
    """Write records in one of :data:`FORMATS`.  Machine formats carry every column by
    its ASCII key; the table shows Chinese headers.  ``header=False`` leaves out the header
    line of a table, CSV or TSV."""
    if fmt == "table":
        out.write(table(rows, columns, color=color, display=display, header=header))
    elif fmt == "json":
        out.write(to_json([{c.key: r.get(c.key) for c in columns} for r in rows]))
    elif fmt == "csv":
        out.write(to_delimited(rows, columns, ",", header=header))
    elif fmt == "tsv":
        out.write(to_delimited(rows, columns, "\t", header=header))
    elif fmt == "yaml":
        out.write(to_yaml([{c.key: r.get(c.key) for c in columns} for r in rows]))
    else:  # pragma: no cover - the CLI validates the choice
        raise ValueError(fmt)


def render_record(
    rec: dict[str, Any],
    labels: Sequence[tuple[str, str]],
    fmt: str,
    out: TextIO,
    *,
    extra: dict[str, Any] | None = None,
) -> None:
    """One record: a two-column 字段/值 listing for people, an object for machines."""
    if fmt == "table":
        size = max((width(label) for _, label in labels), default=0)
        for key, label in labels:
            value = inert(_cell(rec.get(key)))
            out.write(f"{_pad(label, size, 'left')}  {value}\n")
        return
    data = {k: rec.get(k) for k, _ in labels}
    if extra:
        data.update(extra)
    if fmt == "json":
        out.write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "yaml":
        out.write(to_yaml(data))
    else:
        cols = [Column(k, label) for k, label in labels]
        out.write(to_delimited([rec], cols, "," if fmt == "csv" else "\t"))
