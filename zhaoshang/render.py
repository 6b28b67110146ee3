"""Rendering records as table, JSON, CSV, TSV or YAML — no rich, no colour off a terminal.

The table renderer measures Chinese characters as two columns (East Asian width) so that
columns line up in a terminal.
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import re
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple, TextIO

from .names import BIDI_CONTROLS

FORMATS = ("table", "json", "csv", "tsv", "yaml")
MAX_CELL = 40  # display columns per table cell before it is cut with …


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


# East Asian wide and full-width ranges (what terminals draw two columns wide)
_WIDE_RANGES = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6"
)


class _Patterns:
    """The width patterns, compiled on first use (compiling them costs ~5 ms, which a
    command that prints no table — ``zs --help`` — should not pay)."""

    def __init__(self) -> None:
        self.wide = re.compile(f"[{_WIDE_RANGES}\U0001f300-\U0001f64f\U0001f900-\U0001f9ff\U00020000-\U0003fffd]")
        #: a character that is neither ASCII nor a wide character of the BMP (each of those
        #: is 3 bytes in UTF-8, so a text of only the two has width (bytes + characters) / 2)
        self.odd = re.compile(f"[^\x00-\x7f{_WIDE_RANGES}]")
        self.zero = re.compile("[\u0300-\u036f\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufe00-\ufe0f]")


_PATTERNS: _Patterns | None = None


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
    global _PATTERNS
    pat = _PATTERNS or (_PATTERNS := _Patterns())
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
    """A cell as shown (control characters inert, clipped) and its width."""
    t = v if v.isprintable() else inert(v)
    if len(t) > MAX_CELL // 2 or "\n" in t:
        return clip_measured(t)
    return t, (len(t) if t.isascii() else width(t))


def _column(values: list[str]) -> list[tuple[str, int]]:
    """Clip a column's cells and measure them (the hot path of big tables: repeated
    values such as chain names and statuses are measured once)."""
    seen: dict[str, tuple[str, int]] = {}
    out: list[tuple[str, int]] = []
    add = out.append
    for v in values:
        hit = seen.get(v)
        if hit is None:
            hit = seen[v] = _measure(v)
        add(hit)
    return out


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
) -> Table:
    """:func:`table`, leaving out the lowest-priority columns while it is wider than
    ``max_width`` display columns (the first column always stays)."""
    plan = Plan.of(rows, columns, display=display, max_width=max_width)
    text = (plan.head(color=color) if header else "") + plan.body(rows)
    return Table(text, plan.hidden)


class Plan:
    """The shape of a table measured on some of its rows: the columns kept and their
    widths.  A table too long to hold is planned on its first rows and then written a
    batch at a time (:meth:`body`); a later cell wider than its column pushes the rest of
    its line to the right instead of being cut."""

    __slots__ = ("columns", "display", "hidden", "padded", "sizes")

    def __init__(
        self,
        columns: tuple[Column, ...],
        sizes: tuple[int, ...],
        hidden: tuple[Column, ...] = (),
        display: dict[str, Any] | None = None,
    ) -> None:
        self.columns = columns
        self.sizes = sizes
        self.hidden = hidden
        self.display = display
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
    ) -> Plan:
        """Measure ``rows`` (``min_sizes``: widths known in advance, such as the widest id)."""
        cols = _cells(rows, columns, display)
        least = min_sizes or {}
        sizes = [
            max([width(c.header), least.get(c.key, 0), *(w for _, w in cells)])
            for c, cells in zip(columns, cols, strict=True)
        ]
        keep = fit(sizes, [c.priority for c in columns], max_width) if max_width else list(range(len(columns)))
        hidden = tuple(c for i, c in enumerate(columns) if i not in keep)
        return cls(tuple(columns[i] for i in keep), tuple(sizes[i] for i in keep), hidden, display)

    def head(self, *, color: bool = False) -> str:
        head = "  ".join(_pad(c.header, s, c.align) for c, s in zip(self.columns, self.sizes, strict=True)).rstrip()
        if color:
            head = f"\x1b[1m{head}\x1b[0m"
        return head + "\n" + "  ".join("─" * s for s in self.sizes) + "\n"

    def body(self, rows: Sequence[dict[str, Any]]) -> str:
        """``rows`` as lines of this table.  Each column keeps its padded cells (up to
        :data:`PADDED` of them) from batch to batch: the chains, statuses and owners of a
        long listing are measured and padded once, not once per row."""
        if not rows:
            return ""
        fmt = self.display or {}
        if self.padded is None:
            self.padded = [{} for _ in self.columns]
        padded = []
        for c, size, cache in zip(self.columns, self.sizes, self.padded, strict=True):
            if c.key in fmt:
                get = fmt[c.key]
                values = [get(r) for r in rows]
            else:
                key = c.key
                values = [r.get(key) for r in rows]
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
                    cell = (" " * (size - w) + t) if right else (t + " " * (size - w))
                    if len(cache) < PADDED:
                        cache[text] = cell
                add(cell)
            padded.append(out)
        return "\n".join("  ".join(parts).rstrip() for parts in zip(*padded, strict=True)) + "\n"


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


def fit(sizes: Sequence[int], priorities: Sequence[int], max_width: int) -> list[int]:
    """The indexes of the columns to keep so that the table (two spaces between columns)
    is at most ``max_width`` wide: the highest priority number goes first, the rightmost
    of equals first; the first column is never dropped."""
    keep = list(range(len(sizes)))
    order = sorted(range(1, len(sizes)), key=lambda i: (-priorities[i], -i))
    total = sum(sizes) + 2 * max(len(sizes) - 1, 0)
    for i in order:
        if total <= max_width:
            break
        keep.remove(i)
        total -= sizes[i] + 2
    return keep


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
    rows: Sequence[dict[str, Any]], columns: Sequence[Column], delimiter: str, *, header: bool = True
) -> str:
    """CSV/TSV as ``export`` writes it: no cell can become a live formula when the output is
    opened in a spreadsheet, and a cell holding a line break or CR is quoted (a bare CR would
    split the record in two)."""
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    quoted = csv.writer(buf, delimiter=delimiter, lineterminator="\n", quoting=csv.QUOTE_ALL)
    if header:
        w.writerow([c.key for c in columns])
    for r in rows:
        cells = [_csv_cell(r.get(c.key)) for c in columns]
        (quoted if any(isinstance(v, str) and "\r" in v for v in cells) else w).writerow(cells)
    return buf.getvalue()


def _csv_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
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
) -> Iterator[str]:
    """A machine format (json, csv, tsv, yaml) a batch of rows at a time — the same text
    :func:`render` writes for the whole list."""
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
            yield to_delimited(batch, columns, "," if fmt == "csv" else "\t", header=header and first)
        else:  # pragma: no cover - the CLI validates the choice
            raise ValueError(fmt)
        first = False
    if fmt == "json":
        yield "[]\n" if first else "\n]\n"
    elif fmt == "yaml" and first:
        yield to_yaml([])
    elif first and header:
        yield to_delimited([], columns, "," if fmt == "csv" else "\t")


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
