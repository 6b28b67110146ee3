"""An office's own 红头 template (``zs report bulletin --template``), filled as data, not as code.

A template arrives by e-mail: whoever wrote it must not be able to run anything here.  docxtpl
(Jinja in Word) fills it, but

* in Jinja2's :class:`~jinja2.sandbox.ImmutableSandboxedEnvironment` -- no ``__class__``,
  ``__globals__`` and the like, no changing the values it is given -- with autoescape on, so a
  unit named 「爱辉区（研发&孵化）」 comes out whole instead of breaking the XML; a misspelt tag is
  an error (:class:`~jinja2.StrictUndefined`), not a silent blank;
* within bounds: the file (:attr:`Limits.file_bytes`), everything in it unzipped and the parts
  that hold tags (:attr:`Limits.xml_bytes`) are checked before any rendering (zip bombs with
  :mod:`..exchange.bombs`); a loop may run :attr:`Limits.loop` times, ``*`` / ``**`` / ``%`` may not
  build a huge value and the filled text may not exceed :attr:`Limits.output_chars`;
* in a child process (``fork`` where the system has it, else ``spawn``) with a memory limit
  (``RLIMIT_AS``, where the system has one) and a wall-clock limit: docxtpl's own regular
  expressions are quadratic on some inputs (an unclosed ``{{`` in a large paragraph runs for
  minutes), and Jinja code cannot be interrupted from another thread, so the only robust stop is
  to end the process.  A fork costs about 30 ms.

A mistake in the template is reported in Chinese with the tag and the paragraph it is in.
"""

from __future__ import annotations

import contextlib
import html
import multiprocessing
import os
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..errors import ZsError
from ..exchange import bombs

#: what a template may use
NAMES = (
    "office",
    "title",
    "recipients",
    "opening",
    "period",
    "asof",
    "sections",
    "signature",
    "date",
    "next_steps_placeholder",
)


@dataclass(frozen=True)
class Limits:
    """How large and how long a template may be; a real 红头 is far below each."""

    file_bytes: int = 20 * 1024**2  # the .docx (a letterhead picture included)
    unzipped_bytes: int = 100 * 1024**2  # everything in it, uncompressed
    xml_bytes: int = 1024**2  # the parts docxtpl fills: body, headers, footers, footnotes
    loop: int = 10_000  # range() in a template
    output_chars: int = 20_000_000  # the filled XML
    seconds: float = 20.0
    memory_bytes: int = 1024**3  # beyond what the process already has


_XML_PART = re.compile(r"word/(document|header\d*|footer\d*|footnotes)\.xml")


def check_file(template: Path, limits: Limits) -> None:
    """Refuse, before rendering, a file that is not a .docx or is beyond :class:`Limits`."""
    name = template.name
    if not template.is_file():
        raise ZsError(f"找不到模板「{template}」：请给出 .docx 模板文件的路径")
    size = template.stat().st_size
    if size > limits.file_bytes:
        raise ZsError(
            f"模板「{name}」有 {size / 1024**2:.1f} MB，超过上限 {limits.file_bytes // 1024**2} MB："
            "红头模板只需红头、标题和标签，请删去多余的内容或压缩图片后再用"
        )
    with open(template, "rb") as fh:
        head = fh.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ZsError(f"「{name}」是旧版 Word（.doc）文件，不是 .docx：请用 Word/WPS 另存为 .docx 后再作模板")
    if not zipfile.is_zipfile(template):
        raise ZsError(f"「{name}」不是 .docx 文件（Word 文档）：请用 Word/WPS 把模板另存为 .docx 后再用")
    try:
        with zipfile.ZipFile(template) as zf:
            bombs.check_archive(
                template,
                zf,
                max_total=limits.unzipped_bytes,
                what="模板",
                fix="请用 Word/WPS 打开模板后另存为 .docx 再用",
            )
            names = set(zf.namelist())
            if "word/document.xml" not in names:
                raise ZsError(
                    f"「{name}」是 zip 压缩包，但里面没有 word/document.xml，不是 Word 文档：请给出 .docx 模板"
                )
            xml = sum(i.file_size for i in zf.infolist() if _XML_PART.fullmatch(i.filename))
    except zipfile.BadZipFile as exc:
        raise ZsError(f"「{name}」不是有效的 .docx 文件（{exc}）：请用 Word/WPS 打开后另存为 .docx 再用") from None
    if xml > limits.xml_bytes:
        raise ZsError(
            f"模板「{name}」的正文、页眉、页脚解压后有 {xml / 1024**2:.1f} MB，超过上限 "
            f"{limits.xml_bytes // 1024**2} MB：红头模板只需红头、标题和标签，请删去多余的内容后再用"
        )


def render(context: dict[str, Any], template: Path, out: Path, limits: Limits) -> None:
    """Fill ``template`` with ``context`` into ``out``, in a child process within ``limits``;
    raise :class:`ZsError` for any failure (``out`` may then be partly written)."""
    check_file(template, limits)
    methods = multiprocessing.get_all_start_methods()
    ctx: Any = multiprocessing.get_context("fork" if "fork" in methods else "spawn")
    receive, send = ctx.Pipe(duplex=False)
    child = ctx.Process(target=_child, args=(context, str(template), str(out), limits, send), daemon=True)
    child.start()
    send.close()
    answer = None
    try:
        answer = receive.recv() if receive.poll(limits.seconds) else None
    except EOFError:  # the child died without a word: killed for its memory
        answer = ("error", _too_much(template.name, limits))
    finally:
        if answer is None:
            child.kill()
        child.join(5)
        if child.is_alive():
            child.kill()
            child.join()
        receive.close()
    if answer is None:
        raise ZsError(
            f"模板「{template.name}」填写超过 {limits.seconds:g} 秒仍未完成，已中止："
            "请检查模板中的循环（{% for %}）和标签，红头模板通常一秒内即可填好"
        )
    kind, message = answer
    if kind != "ok":
        raise ZsError(message)


def _too_much(name: str, limits: Limits) -> str:
    return (
        f"模板「{name}」填写时用尽了内存上限（{limits.memory_bytes // 1024**2} MB），已中止："
        "请检查模板中的循环（{% for %}）和标签"
    )


#: a printf-style width or precision ("%0999999999d")
_WIDTH = re.compile(r"%[-#0 +]*(\d*)(?:\.(\d+))?")


class _TooBig(Exception):
    """The filled template would exceed :attr:`Limits.output_chars` (or a value built in it)."""


def _environment(limits: Limits) -> Any:
    from jinja2 import StrictUndefined, Template
    from jinja2.sandbox import ImmutableSandboxedEnvironment

    class Bounded(Template):
        def render(self, *args: Any, **kwargs: Any) -> str:
            out, n = [], 0
            for chunk in self.generate(*args, **kwargs):
                n += len(chunk)
                if n > limits.output_chars:
                    raise _TooBig(f"填好的内容超过 {limits.output_chars:,} 个字符")
                out.append(chunk)
            return "".join(out)

    def bounded_range(*args: int) -> range:
        r = range(*args)
        if len(r) > limits.loop:
            raise _TooBig(f"range() 有 {len(r):,} 次，超过上限 {limits.loop:,} 次")
        return r

    class Env(ImmutableSandboxedEnvironment):
        intercepted_binops = frozenset({"*", "**", "%"})
        template_class = Bounded
        last_source = ""

        def from_string(self, source: Any, *args: Any, **kwargs: Any) -> Any:
            self.last_source = source if isinstance(source, str) else ""
            return super().from_string(source, *args, **kwargs)

        def call_binop(self, context: Any, operator: str, left: Any, right: Any) -> Any:
            limit = limits.output_chars
            if operator == "**" and isinstance(right, int) and abs(right) > 64:
                raise _TooBig(f"乘方 ** {right} 过大")
            if operator == "*":
                for seq, n in ((left, right), (right, left)):
                    if isinstance(seq, str | list | tuple) and isinstance(n, int) and len(seq) * n > limit:
                        raise _TooBig(f"重复 {n:,} 次的结果过长")
            if operator == "%" and isinstance(left, str):
                widths = (int(w) for pair in _WIDTH.findall(left) for w in pair if w)
                if any(w > limit for w in widths):
                    raise _TooBig("格式宽度过大")
            result = super().call_binop(context, operator, left, right)
            if isinstance(result, str) and len(result) > limits.output_chars:
                raise _TooBig("算出的文字过长")
            return result

    env = Env(undefined=StrictUndefined, autoescape=True)
    env.globals = {"range": bounded_range, "dict": dict, "cycler": env.globals["cycler"]}
    return env


def _limit_memory(extra: int) -> None:
    try:
        import resource
    except ImportError:  # Windows: only the time limit applies
        return
    current = 0
    with contextlib.suppress(OSError, ValueError, IndexError):
        current = int(Path("/proc/self/statm").read_text().split()[0]) * os.sysconf("SC_PAGE_SIZE")
    if current == 0:
        current = 512 * 1024**2  # not Linux: what the process has, roughly
    with contextlib.suppress(ValueError, OSError):
        resource.setrlimit(resource.RLIMIT_AS, (current + extra, resource.RLIM_INFINITY))


def _child(context: dict[str, Any], template: str, out: str, limits: Limits, send: Any) -> None:
    """The child process: fill the template, save it to ``out``, send ("ok"|"error", message)."""
    _limit_memory(limits.memory_bytes)
    name = Path(template).name
    tpl = None
    env = None
    try:
        from docxtpl import DocxTemplate

        class Template(DocxTemplate):
            def render_properties(self, context: dict[str, Any], jinja_env: Any = None) -> None:
                # the document's properties (title, subject ...) are plain text that python-docx
                # escapes itself: escaping them here too would show "&amp;"
                super().render_properties(context, jinja_env.overlay(autoescape=False))

        tpl = Template(template)
        env = _environment(limits)
        tpl.render(context, env)
        tpl.save(out)
        answer = ("ok", "")
    except MemoryError:
        answer = ("error", _too_much(name, limits))
    except Exception as exc:
        try:
            answer = ("error", describe(exc, name, tpl, env))
        except MemoryError:
            answer = ("error", _too_much(name, limits))
    send.send(answer)
    send.close()


# ---------------------------------------------------------------------------- the messages

_TAG = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}")
_SPACE = re.compile(r"\s+")
_QUOTED = re.compile(r"'([^']+)'")


def describe(exc: BaseException, name: str, tpl: Any, env: Any) -> str:
    """A Chinese message for a failure while filling template ``name``: which tag, which
    paragraph, what is wrong and how to fix it."""
    from jinja2 import TemplateSyntaxError

    reason = _reason(exc)
    if tpl is None or getattr(tpl, "docx", None) is None:  # docxtpl could not open it at all
        return f"模板「{name}」无法打开（{type(exc).__name__}）：请用 Word/WPS 打开后另存为 .docx 再用"
    lineno = exc.lineno if isinstance(exc, TemplateSyntaxError) else _template_line(exc)
    source = getattr(env, "last_source", "") if env is not None else ""
    lines = source.splitlines()
    if isinstance(exc, TemplateSyntaxError) and "end of template" in str(exc):
        return f"模板「{name}」中{reason}：请在模板里补上对应的 {{%p endfor %}} 或 {{%p endif %}}"
    if not lineno or not 0 < lineno <= len(lines):
        return f"模板「{name}」中的标签有误：{reason}"
    text = html.unescape(re.sub(r"<[^>]+>", "", lines[lineno - 1]))
    tags = _TAG.findall(text)
    tag = _pick(tags, str(exc))
    where, original = _where(tpl, tag or text)
    tag = original or tag
    shown = f"标签 {tag}" if tag else f"「{_short(text)}」附近的标签"
    where = where or "中的"
    return f"模板「{name}」{where}{shown} 有误：{reason}"


def _reason(exc: BaseException) -> str:
    from jinja2 import TemplateSyntaxError, UndefinedError
    from jinja2.sandbox import SecurityError

    msg = str(exc)
    names = "、".join(NAMES)
    if isinstance(exc, _TooBig):
        return f"{msg}，已中止（模板只用来填写通报，不需要这么大的循环或文字）"
    if isinstance(exc, SecurityError):
        attr = _QUOTED.search(msg)
        what = f"「{attr.group(1)}」" if attr else ""
        return f"模板不允许访问{what}等内部属性或修改数据（模板只能填写通报内容，不能执行代码），已拒绝"
    if isinstance(exc, UndefinedError):
        key = _QUOTED.findall(msg)
        missing = key[-1] if key else msg
        return f"没有「{missing}」这一项：可用的是 {names}（sections 里每部分有 heading 和 paragraphs）"
    if isinstance(exc, TemplateSyntaxError):
        m = re.match(r"Encountered unknown tag '([^']+)'", msg)
        if m:
            return f"不认识的标签「{m.group(1)}」：标签只能是 for/endfor、if/else/endif 等，请检查拼写"
        if "end of template" in msg:
            ends = _QUOTED.findall(msg)
            return "有 {% for %} 或 {% if %} 没有结束" + (f"（缺少 {ends[0]}）" if ends else "")
        m = re.match(r"unexpected '([^']+)'|expected token '[^']+', got '([^']+)'", msg)
        if m:
            return f"写法不对，不应出现「{m.group(1) or m.group(2)}」：标签要写成 {{{{ 名称 }}}} 或 {{%p for … %}}"
        if msg.startswith("unexpected char"):
            return "写法不对，有不能识别的字符（中文引号、全角括号等请改为半角）"
        return f"写法不对（{msg}）：标签要写成 {{{{ 名称 }}}} 或 {{%p for … %}}"
    if isinstance(exc, OverflowError | MemoryError):
        return "要算的数或文字过大，已中止"
    return f"无法计算（{type(exc).__name__}）：请检查标签的写法，可用的是 {names}"


def _template_line(exc: BaseException) -> int | None:
    """The line of the template a runtime error happened on (Jinja rewrites the traceback so
    template frames carry the template's line numbers)."""
    line = None
    tb = exc.__traceback__
    while tb is not None:
        if tb.tb_frame.f_code.co_filename == "<template>":
            line = tb.tb_lineno
        tb = tb.tb_next
    return line


def _pick(tags: list[str], message: str) -> str | None:
    """The tag of ``tags`` that ``message`` names (a quoted name in it), else the first."""
    for word in _QUOTED.findall(message):
        for tag in tags:
            if word in tag:
                return tag
    return tags[0] if tags else None


#: docxtpl's ``{%p …%}``, ``{{r …}}``, ``{%tr …%}`` …: the letter says what the tag replaces
_KIND = re.compile(r"(\{[{%#])(?:p|r|tr|tc)\s")


def _squash(text: str) -> str:
    """``text`` as docxtpl hands it to Jinja, without spaces: to find a tag in a paragraph."""
    for a, b in (("“", '"'), ("”", '"'), ("‘", "'"), ("’", "'")):
        text = text.replace(a, b)
    return _SPACE.sub("", _KIND.sub(r"\1 ", text))


def _paragraphs(element: Any) -> Iterator[str]:
    from docx.oxml.ns import qn

    for p in element.iter(qn("w:p")):
        yield "".join(t.text or "" for t in p.iter(qn("w:t")))


def _where(tpl: Any, needle: str) -> tuple[str, str | None]:
    """「第 3 段（「…」）的」 (of the body, or of a header / footer) holding ``needle``, or "";
    and the tag as the template writes it (``{%p for … %}``), when ``needle`` is one."""
    want = _squash(needle)
    if not want:
        return "", None
    parts: list[tuple[str, Any]] = [("", tpl.docx.element.body)]
    for section in tpl.docx.sections:
        for label, hf in (("页眉", section.header), ("页脚", section.footer)):
            if not hf.is_linked_to_previous:  # else asking for it would add one
                parts.append((label, hf._element))
    for label, element in parts:
        for i, text in enumerate(_paragraphs(element), 1):
            if want in _squash(text):
                original = next((t for t in _TAG.findall(text) if _squash(t) == want), None)
                quoted = "" if _squash(text) == want else f"（「{_short(text)}」）"
                return f"{label}第 {i} 段{quoted}的", original
    return "", None


def _short(text: str, n: int = 30) -> str:
    text = text.strip()
    return text if len(text) <= n else text[:n] + "…"
