"""Help text laid out by display width: a Chinese character takes two terminal columns.

Click measures text in code points and joins the lines of a paragraph with spaces, which
makes Chinese help overrun the window by half and puts stray spaces between characters
where a docstring line was broken.  This formatter measures with :func:`render.width`,
breaks lines between any two Chinese characters (never before closing punctuation or after
opening punctuation) and between words elsewhere, and joins broken lines without a space
when either side is Chinese.  (``textwrap`` and Click's own wrapper break only at spaces and
count code points; rich does measure cells but costs ~60 ms to import for every ``--help``.)
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from typer._click.formatting import HelpFormatter as ClickHelpFormatter

from ..render import width

#: one wide character, a run of other non-space characters, or a run of spaces
_TOKEN = re.compile(
    "[\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]"
    r"|[^\s\u1100-\u115f\u2e80-\u303e\u3041-\u33ff\u3400-\u4dbf\u4e00-\u9fff\ua000-\ua4cf"
    "\uac00-\ud7a3\uf900-\ufaff\ufe30-\ufe4f\uff00-\uff60\uffe0-\uffe6]+|\\s+"
)
#: punctuation that may not begin a line (kinsoku) / may not end one
_NO_START = set("，。、；：？！）」』】》〉…—％,.;:?!)]}%·")
_NO_END = set("（「『【《〈([{")
#: characters that bind what is on either side of them when no space is written: 时限=2026-06-30,
#: 名称~铜 and 投资额≥10000 stay on one line
_GLUE = set("=~<>≥≤≠＝＞＜～!！")


def _wide(ch: str) -> bool:
    return width(ch) == 2


def _word_char(piece: str) -> bool:
    return len(piece) == 1 and _wide(piece) and piece not in _NO_START and piece not in _NO_END


def join_lines(lines: Sequence[str]) -> str:
    """The lines of one paragraph as one line: a space between words, none where a line
    ends or starts with a Chinese character."""
    out = ""
    for line in (ln.strip() for ln in lines):
        if not line:
            continue
        if out and not (_wide(out[-1]) or _wide(line[0])):
            out += " "
        out += line
    return out


def wrap(text: str, limit: int, first: str = "", rest: str = "") -> list[str]:
    """``text`` (one paragraph) in lines of at most ``limit`` display columns, the first
    starting with ``first`` and the others with ``rest``.  A line is longer only when it
    holds a single piece that cannot be broken (a long path or option)."""
    lines: list[str] = []
    prefix = first
    pieces: list[str] = []  # the current line: tokens, with " " for a space between them
    used = width(first)
    space = False
    for tok in _TOKEN.findall(text):
        if tok.isspace():
            space = bool(pieces)
            continue
        sep = space
        space = False
        tok_w = width(tok)
        need = used + (1 if sep else 0) + tok_w
        glued = not sep and pieces and (pieces[-1][-1] in _GLUE or tok[0] in _GLUE)
        if need > limit and pieces:
            carry: list[str] = []
            last_opens = pieces[-1][-1] in _NO_END
            if glued:  # 时限=2026-06-30 goes down whole
                nxt = tok
                while pieces and pieces[-1] != " " and (pieces[-1][-1] in _GLUE or nxt[0] in _GLUE):
                    nxt = pieces.pop()
                    carry.insert(0, nxt)
                # and the Chinese word it names (up to a space or punctuation, at most 6 characters)
                word = 0
                while (
                    pieces
                    and word < 6
                    and len(pieces[-1]) == 1
                    and _wide(pieces[-1])
                    and pieces[-1] not in _NO_START | _NO_END
                ):
                    carry.insert(0, pieces.pop())
                    word += 1
                if not pieces or all(p == " " for p in pieces):  # one unbreakable piece: it overhangs
                    pieces, carry = pieces + carry, []
                    pieces.append(tok)
                    used += tok_w
                    continue
            elif not sep and (tok[0] in _NO_START or last_opens) and len(pieces) > 1:
                carry = [pieces.pop()]  # kinsoku: the piece before goes down with it
                while carry[0][0] in _NO_START and len(pieces) > 1 and pieces[-1] != " ":
                    carry.insert(0, pieces.pop())
            while pieces and pieces[-1] == " ":
                pieces.pop()
            if (tok[0] in _NO_START and not carry) or (carry and carry[0][0] in _NO_START):
                pieces += carry  # a run of punctuation that cannot move: it hangs over the edge
            elif pieces:
                lines.append((prefix + "".join(pieces)).rstrip())
                prefix, pieces, sep = rest, carry, False
                used = width(rest) + sum(width(p) for p in carry)
            else:
                pieces = carry
        if sep:
            pieces.append(" ")
            used += 1
        pieces.append(tok)
        used += tok_w
    if pieces or not lines:
        lines.append((prefix + "".join(pieces)).rstrip())
    return lines


def _paragraphs(text: str) -> list[tuple[bool, list[str]]]:
    """Blank-line separated paragraphs; one starting with ``\\b`` is kept as written."""
    paras: list[tuple[bool, list[str]]] = []
    for block in re.split(r"\n\s*\n", text.strip("\n")):
        lines = block.splitlines()
        if lines and lines[0].strip() == "\b":
            paras.append((False, lines[1:]))
        else:
            paras.append((True, lines))
    return paras


class HelpFormatter(ClickHelpFormatter):
    """Click's formatter, measuring and wrapping by display width."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        head = f"{' ' * self.current_indent}{prefix or '用法：'}{prog} "
        body = wrap(args, self.width, head, " " * min(width(head), self.width // 2))
        self.write("\n".join(body) + "\n")

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{heading}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        out: list[str] = []
        for rewrap, lines in _paragraphs(text):
            if out:
                out.append("")
            if rewrap:
                out += wrap(join_lines(lines), self.width, indent, indent)
            else:
                out += [indent + ln for ln in lines]
        self.write("\n".join(out) + "\n")

    def write_dl(self, rows: Sequence[tuple[str, str]], col_max: int = 30, col_spacing: int = 2) -> None:
        rows = list(rows)
        if not rows:
            return
        first_col = min(max(width(a) for a, _ in rows), col_max) + col_spacing
        pad = " " * (first_col + self.current_indent)
        for term, text in rows:
            lead = " " * self.current_indent + term
            if not text:
                self.write(lead + "\n")
                continue
            if width(term) <= first_col - col_spacing:
                first = lead + " " * (first_col - width(term))
            else:
                self.write(lead + "\n")
                first = pad
            self.write("\n".join(wrap(join_lines(text.splitlines()), self.width, first, pad)) + "\n")
