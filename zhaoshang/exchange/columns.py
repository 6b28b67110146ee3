"""Which column of a sheet holds which field: header labels, aliases, units, ``--map``.

A header is matched by its label without the unit (``投资额（亿元）`` → 投资额) against the
field keys, labels and aliases of the YAML definitions (simplified or traditional), or
against the fixed columns of the other sheets (对接记录, 到位资金 …).  A money header's unit
says what the numbers are in (``亿元`` → the values are multiplied into 万元).  ``--map``
overrides everything: ``--map 完成情况=备注`` or ``--map H=投资额`` (column letter), and
``--map 编号=忽略`` drops a column.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from ..definitions import Definitions, FieldDef, KindDef
from ..errors import NotFoundError, ZsError
from ..hints import option
from ..parse import normalize_key, split_assignment, to_halfwidth, to_simplified
from .layout import READONLY_ITEM_KEYS, Col, SheetSpec
from .tables import HeaderCell

if TYPE_CHECKING:
    from .header_area import SaidElsewhere

#: the column ``--errors`` adds (and the row-number column older versions added): never data
ERROR_HEADER = "错误说明"
SYSTEM_HEADERS = frozenset({normalize_key(ERROR_HEADER), normalize_key("原行号")})
#: ``--map 列=忽略`` values that drop a column
IGNORE_WORDS = frozenset({"忽略", "-", "ignore", "skip", "不导入", "无"})
#: headers of a status reason (退库原因, 销号说明 …)
REASON_NAMES = frozenset(normalize_key(x) for x in ("原因", "状态原因", "退库原因", "销号说明", "变更原因", "reason"))
#: other headers people use for the columns of the fixed sheets, by column key
DETAIL_ALIASES: dict[str, tuple[str, ...]] = {
    "item_id": ("条目编号", "项目编号", "编号", "item", "itemid", "条目"),
    "item_title": ("名称", "项目名称", "条目名称", "title"),
    "item_chain": ("产业链",),
    "id": ("记录号", "序列号", "编号"),
    "type": ("方式", "对接方式", "类型", "类别"),
    "date": ("日期", "对接日期", "办结日期", "时间", "办理日期"),
    "summary": ("内容", "对接内容", "情况", "摘要", "对接情况"),
    "next_date": ("下次跟进", "下次对接", "跟进日期"),
    "user": ("记录人", "填报人", "经办人", "操作人"),
    "month": ("月份", "年月", "到位月份"),
    "domestic": (
        "国内资金",
        "到位资金",
        "内资",
        "国内到位资金",
        "到位内资",
        "本月到位资金",
        "当月到位资金",
        "本月到位内资",
    ),
    "foreign_usd": ("外资", "到位外资", "外资到位", "利用外资", "本月到位外资", "当月到位外资"),
    "step": ("手续", "手续名称", "事项"),
    "note": ("备注", "说明"),
    "role": ("角色", "职责"),
    "name": ("姓名", "名称", "产业链", "单位名称"),
    "org": ("单位", "工作单位"),
    "phone": ("电话", "联系电话", "手机"),
    "leader": ("包保领导", "链长", "负责人", "领导"),
    "lead_unit": ("牵头单位", "牵头部门"),
    "coop_units": ("配合单位", "配合部门"),
    "task_force": ("专班", "工作专班"),
    "description": ("说明", "描述", "简介"),
    "contact": ("联系人", "联系方式"),
    "ranked": ("参加排名", "排名", "擂台赛"),
}


@dataclass
class Target:
    """One column of a sheet and what it fills."""

    column: int
    letter: str
    header: str
    key: str
    """A field key (``title``, ``chain``, ``investment`` …), ``kind`` (the row's list),
    ``reason`` (status reason), or a fixed column key of the other sheets."""
    field: FieldDef | None = None
    col: Col | None = None
    #: what unmarked numbers are in, from the header: "亿", "万" or "元"
    unit: str = "万"
    #: how the header was understood (字段名, 别名, 包含「时限」, --map …)
    how: str = "字段名"

    @property
    def where(self) -> str:
        return f"{self.letter}列「{self.header}」"

    @property
    def is_date(self) -> bool:
        """The column holds dates (时限 or a date field)."""
        return self.key in ("due", "closed_at") or (self.field is not None and self.field.type == "date")


@dataclass
class Mapping:
    targets: list[Target] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    #: header-level problems (a currency the column cannot hold …)
    problems: list[tuple[HeaderCell, str]] = field(default_factory=list)
    #: headers not matched (column index -> header)
    unknown: dict[int, HeaderCell] = field(default_factory=dict)
    #: columns recognised but deliberately not imported (read-only, masked, --map 忽略 …)
    ignored: set[int] = field(default_factory=set)
    #: why each ignored column is not imported
    why: dict[int, str] = field(default_factory=dict)
    #: columns naming a field another column already fills (column -> field key)
    shadowed: dict[int, str] = field(default_factory=dict)
    #: headers containing the names of two or more fields (column -> header, names found)
    ambiguous: dict[int, tuple[HeaderCell, list[str]]] = field(default_factory=dict)
    #: what was inferred rather than read from a header, as (column, field label, sentence):
    #: a header taken for a field because it contains its name, a column of the past left out
    guesses: list[tuple[str, str, str]] = field(default_factory=list)
    #: a detail sheet's read-only columns naming the item (名称, 产业链; field key -> target):
    #: read to find the item by its name when the sheet has no 条目编号
    refs: dict[str, Target] = field(default_factory=dict)
    #: a detail sheet's read-only 名称 column beside its 条目编号 (field key -> target): read
    #: to check that the 编号 names the item the row names
    checks: dict[str, Target] = field(default_factory=dict)

    def by_key(self, key: str) -> Target | None:
        for t in self.targets:
            if t.key == key:
                return t
        return None


# ---------------------------------------------------------------------------------------
# --map
# ---------------------------------------------------------------------------------------

_LETTERS = re.compile(r"[A-Za-z]{1,3}")


def parse_map(entries: Sequence[str]) -> dict[str, str]:
    """``["H=投资额", "完成情况=备注"]`` → {"H": "投资额", "完成情况": "备注"} (keys
    normalised; column letters upper-case)."""
    out: dict[str, str] = {}
    m = option("mapping")
    for e in entries:
        try:
            # a header may hold 「：」 itself (「其中：外资」): split at its = (or ＝) when there is one
            eq = next((i for i, ch in enumerate(e) if ch in "=＝"), -1)
            col, target = (e[:eq], e[eq + 1 :]) if eq > 0 else split_assignment(e)
        except ZsError:
            raise ZsError(f"{m}「{e}」应写成 列=字段，如 {m} 完成情况=备注、{m} H=投资额、{m} 序号=忽略") from None
        col, target = col.strip(), target.strip()
        if not target:
            raise ZsError(f"{m}「{e}」缺少字段名：写成 列=字段，或 列=忽略")
        sheet = ""
        cut = next((i for i, ch in enumerate(col) if ch in "!！"), -1)
        if cut > 0:  # 「签约项目!E」: column E of that sheet only
            sheet, col = normalize_key(col[:cut]) + "!", col[cut + 1 :].strip()
        key = col.upper() if _LETTERS.fullmatch(to_halfwidth(col)) else normalize_key(col)
        out[sheet + key] = target
    return out


def for_sheet(explicit: dict[str, str], sheet: str | None) -> dict[str, str]:
    """The map that applies to ``sheet``: the entries for every sheet, and those written for this
    one (「签约项目!E=忽略」), which win; ``None``: every entry, whatever sheet it names (to find
    tables by the headers the user named)."""
    out = {k: v for k, v in explicit.items() if "!" not in k}
    if sheet is None:
        out.update({k.split("!", 1)[1]: v for k, v in explicit.items() if "!" in k})
        return out
    prefix = normalize_key(sheet) + "!"
    out.update({k[len(prefix) :]: v for k, v in explicit.items() if k.startswith(prefix)})
    return out


def _one_column_each(
    header: Sequence[HeaderCell], mapping: dict[str, str], field_of: Callable[[HeaderCell], FieldDef | None]
) -> None:
    """Refuse a --map by header text that two columns of the sheet answer to (「阶段」 over
    F and G) onto a field: it would map both, where the user meant one — a column letter says
    which.  ``=忽略`` of two columns that are no field is what it says (「电话」 twice, neither
    wanted); of two columns of a field (「阶段」 twice) it would lose the field: refused too."""
    by_key: dict[str, list[HeaderCell]] = {}
    for h in header:
        for key in {normalize_key(h.text), normalize_key(h.label)}:
            ignored = normalize_key(mapping[key]) in IGNORE_WORDS if key in mapping else False
            if key and key in mapping and h.letter not in mapping and not (ignored and field_of(h) is None):
                by_key.setdefault(key, []).append(h)
    for key, cells in by_key.items():
        if len({h.column for h in cells}) > 1:
            letters = "、".join(f"{h.letter}列" for h in cells)
            target = mapping[key]
            raise ZsError(
                f"{option('mapping')} {cells[0].text}={target}：表头「{cells[0].text}」有{len(cells)}列（{letters}），"
                f"这样写会把它们都当作「{target}」。请用列字母指定是哪一列，如 {option('mapping')} "
                f"{cells[0].letter}={target}"
            )


def _explicit(h: HeaderCell, mapping: dict[str, str]) -> str | None:
    return mapping.get(h.letter) or mapping.get(normalize_key(h.text)) or mapping.get(normalize_key(h.label))


# ---------------------------------------------------------------------------------------
# Units
# ---------------------------------------------------------------------------------------

_CNY_UNITS = {"亿元": "亿", "亿": "亿", "亿人民币": "亿", "万元": "万", "万": "万", "万人民币": "万", "元": "元"}
_CNY_UNITS |= {"人民币亿元": "亿", "人民币万元": "万", "人民币元": "元"}
_USD_UNITS = {"亿美元": "亿", "万美元": "万", "美元": "元", "百万美元": None, "千万美元": None}


def money_unit(f: FieldDef, unit: str | None) -> tuple[str, str | None]:
    """(default unit for unmarked numbers, problem) for a money column's header unit."""
    if not unit:
        return "万", None
    u = to_simplified(to_halfwidth(unit)).replace(" ", "")
    if f.currency == "CNY":
        if u in _CNY_UNITS:
            return _CNY_UNITS[u], None
        if "美元" in u or "美金" in u:
            return "万", "本栏按人民币万元计，不能填美元金额（外资请填到外资栏，不做汇率换算）"
        if "元" in u or "港币" in u:  # 千万元, 百万元, 万港元 …: never read as 万元
            return "万", f"单位「{unit}」无法换算：请把这一列换算成 亿元、万元 或 元并写在表头（3.5千万元 即 0.35亿元）"
        return "万", None
    if u in _USD_UNITS:
        scale = _USD_UNITS[u]
        if scale is None:
            return "万", f"单位「{unit}」无法换算：请改用 亿美元、万美元 或 美元"
        return scale, None
    if u in _CNY_UNITS:
        return "万", "本栏按万美元计，不能填人民币金额"
    if "元" in u:  # 万港元, 欧元 …: never read as 万美元
        return "万", f"单位「{unit}」无法换算：请改用 亿美元、万美元 或 美元"
    return "万", None


# ---------------------------------------------------------------------------------------
# Item sheets
# ---------------------------------------------------------------------------------------


_INDEX: dict[tuple[int, str | None], tuple[dict[str, FieldDef], dict[str, FieldDef]]] = {}


def _field_index(defs: Definitions, kind: KindDef | None) -> tuple[dict[str, FieldDef], dict[str, FieldDef]]:
    """(by key/label/header, by alias) for a kind's fields: its own fields first, then the
    common ones (the title under the kind's own label), then the common labels."""
    key = (id(defs), kind.key if kind is not None else None)
    hit = _INDEX.get(key)
    if hit is not None:
        return hit
    fields = defs.fields_of(kind)
    ordered = [f for f in fields if not f.common] + [f for f in fields if f.common]
    exact: dict[str, FieldDef] = {}
    alias: dict[str, FieldDef] = {}
    for f in ordered:
        for name in (f.key, f.label, f.header):
            exact.setdefault(normalize_key(name), f)
    for f in ordered:
        for name in f.aliases:
            alias.setdefault(normalize_key(name), f)
    for f in defs.common:  # a common field by its common label when the kind renames it
        target = kind.title if (kind is not None and f.key == "title") else f
        for name in (f.key, f.label, *f.aliases):
            alias.setdefault(normalize_key(name), target)
    _INDEX[key] = (exact, alias)
    return exact, alias


def field_match(defs: Definitions, kind: KindDef | None, names: Iterable[str]) -> tuple[FieldDef | None, int]:
    """The field a header names, and how well: 2 = its key, label or header; 1 = an alias.

    A kind's own fields win over the common ones at the same level, so 找谁招's own「单位」
    is not taken for the common 责任单位 (whose aliases include 单位)."""
    exact, alias = _field_index(defs, kind)
    wanted = [normalize_key(n) for n in names if n]
    for w in wanted:
        if w in exact:
            return exact[w], 2
    for w in wanted:
        if w in alias:
            return alias[w], 1
    return None, 0


# Words too general to name a field from inside a longer header ("项目进展" is not 项目名称).
_GENERIC = frozenset(
    normalize_key(w)
    for w in ("项目", "名称", "企业", "单位", "情况", "日期", "时间", "方式", "类型", "类别", "标准", "内容", "编号")
)
# A modifier before a contained name makes it another fact: 计划开工时间 is not 开工时间, and a
# period or an earlier version before it is a part or a past of the figure — 本年计划投资 is the
# year's share of 计划投资, 原计划投资 the figure before a change.
_MODIFIED = re.compile(r"(?:计划|预计|拟|预期|原定|目标|应|要求|约定)$")
# ... and, before an amount, a period or an earlier version: the period's share of it (本年计划
# 投资, 2026年度投资额) or what it was before a change (原计划投资, 调整前总投资); before a status
# or a date they say which one it is (「本月状态」 is the status, 「首次签约日期」 the signing date)
_PERIOD_OF_AMOUNT = re.compile(
    r"(?:本年度?|年度|当年|今年|明年|全年|本月|月度|当月|本季度?|季度|[上下]半年|本期|当期|\d{4}年度?"
    r"|原|原来|调整前|变更前|初始|最初|首次)$"
)
_CORE_DROP = re.compile(r"[()（）【】\[\]〔〕<>《》「」『』\"'“”‘’、,，.。:：;；/／\\|_\-—–·*＊#№]")


def header_core(text: str) -> str:
    """A header normalised for matching: OpenCC simplified, half-width, no spaces, no
    brackets or punctuation, no trailing unit (``計劃總投資（億元）`` → ``计划总投资``)."""
    from .tables import parse_header

    _, label, _ = parse_header(text)
    return _CORE_DROP.sub("", normalize_key(label))


def name_core(name: str) -> str:
    """A field's name as the containment match compares it: normalised, no brackets or
    punctuation (a unit in brackets is kept: 时长（分钟） → 时长分钟)."""
    return _CORE_DROP.sub("", normalize_key(name))


_CONTAIN: dict[tuple[int, str | None], list[tuple[str, FieldDef]]] = {}


def _containable(defs: Definitions, kind: KindDef | None) -> list[tuple[str, FieldDef]]:
    key = (id(defs), kind.key if kind is not None else None)
    hit = _CONTAIN.get(key)
    if hit is None:
        exact, alias = _field_index(defs, kind)
        names: dict[str, FieldDef] = {}
        for n, f in (*exact.items(), *alias.items()):
            core = name_core(n)
            if len(core) >= 2 and core not in _GENERIC and not core.isascii() and f.key not in READONLY_ITEM_KEYS:
                names.setdefault(core, f)
        hit = _CONTAIN[key] = sorted(names.items(), key=lambda x: -len(x[0]))
    return hit


def contained_match(defs: Definitions, kind: KindDef | None, text: str) -> tuple[FieldDef | None, list[str]]:
    """The field a header names by containing exactly one known label or alias
    (办理时限 → 时限), and the names found.  Two fields found: ``(None, names)`` — ambiguous,
    to be listed, never guessed."""
    core = header_core(text)
    if not core:
        return None, []
    found: list[tuple[str, FieldDef]] = []
    for name, f in _containable(defs, kind):
        at = core.find(name)
        if at < 0 or any(name in other for other, _ in found):
            continue
        if _MODIFIED.search(core[:at]) or (f.type == "money" and _PERIOD_OF_AMOUNT.search(core[:at])):
            found.append((name, FieldDef(key="", label="")))  # a modified name: not that field
            continue
        found.append((name, f))
    fields = {f.key for _, f in found}
    names = [n for n, _ in found]
    if len(fields) == 1 and "" not in fields:
        return found[0][1], names
    return None, names


#: words that begin a header of the past (「上月状态」「上期投资额」) or of now (「本月状态」)
_PAST_WORDS = ("上月", "上期", "上年", "去年", "上季度", "上季", "上次", "上周", "往期")
_NOW_WORDS = ("本月", "本期", "本年", "今年", "本季度", "本季", "本次", "本周", "当前", "目前", "最新", "当月")
_TENSE = re.compile("|".join((*_PAST_WORDS, *_NOW_WORDS)))


def tense(text: str) -> str:
    """The time word a header begins with — 「上月」 (the past: see :data:`_PAST_WORDS`), 「本月」
    (now) — or "" (none)."""
    m = _TENSE.match(header_core(text))
    return m.group(0) if m else ""


def _of_another_kind(defs: Definitions, kind: KindDef | None, header: Sequence[HeaderCell], *ts: Target) -> bool:
    """Whether the guessed one of two columns is by name a field of another list (「适用阶段」 of
    配套什么 in a sheet of every list): its rows are that list's, it is no rival here."""
    for t in ts:
        h = next(x for x in header if x.column == t.column)
        for k in defs.kinds:
            if (kind is None or k.key != kind.key) and field_match(defs, k, (h.label, h.text, header_core(h.text)))[1]:
                return True
    return False


def _item_field(defs: Definitions, kind: KindDef | None, names: Iterable[str]) -> FieldDef | None:
    return field_match(defs, kind, names)[0]


def _resolve_target(defs: Definitions, kind: KindDef | None, name: str) -> FieldDef:
    try:
        return defs.field(kind, name)
    except NotFoundError as exc:
        raise ZsError(f"{option('mapping')} 的字段「{name}」：{exc.message}") from None


def map_item_columns(
    defs: Definitions,
    kind: KindDef | None,
    header: Sequence[HeaderCell],
    explicit: dict[str, str],
    *,
    masked: bool = False,
    note_readonly: bool = True,
    dated_closure: bool = False,
) -> Mapping:
    """Targets of an item sheet for ``kind`` (None: only the common columns and 清单).
    When two columns name the same field, the one naming it by its label wins over one
    using an alias; between equals the first (leftmost) wins."""
    out = Mapping()
    chosen: dict[str, tuple[int, Target]] = {}
    readonly: list[HeaderCell] = []
    past: list[tuple[HeaderCell, FieldDef, str]] = []
    _one_column_each(header, explicit, lambda h: field_match(defs, kind, (h.label, h.text, header_core(h.text)))[0])
    for h in header:
        target_name = _explicit(h, explicit)
        if not h.text and target_name is None:
            continue
        level = 3
        how = option("mapping")
        if target_name is None and normalize_key(h.text) in SYSTEM_HEADERS:
            out.ignored.add(h.column)
            out.why[h.column] = "上次导入写出的错误说明，导入时忽略"
            continue
        if target_name is not None:
            if normalize_key(target_name) in IGNORE_WORDS:
                out.notes.append(f"按 {option('mapping')} 忽略 {h.letter}列「{h.text}」")
                out.ignored.add(h.column)
                out.why[h.column] = f"按 {option('mapping')} 忽略"
                continue
            if normalize_key(target_name) in REASON_NAMES:
                out.targets.append(Target(h.column, h.letter, h.text, "reason", how=how))
                continue
            f: FieldDef | None = _resolve_target(defs, kind, target_name)
        elif normalize_key(h.label) in REASON_NAMES:
            out.targets.append(Target(h.column, h.letter, h.text, "reason"))
            continue
        else:
            f, level = field_match(defs, kind, (h.label, h.text, header_core(h.text)))
            how = {2: "字段名", 1: "别名"}.get(level, "")
            if f is None:
                f, found = contained_match(defs, kind, h.text)
                if f is not None:
                    level, how = 0, f"含「{found[0]}」"
                elif len(found) > 1:
                    out.ambiguous[h.column] = (h, found)
                    continue
        if f is None:
            out.unknown[h.column] = h
            continue
        if f.key in READONLY_ITEM_KEYS and not (dated_closure and f.key == "closed_at"):
            # (a sheet from outside: its 办结时间 is the row's own date of the closure, not ours)
            readonly.append(h)
            out.ignored.add(h.column)
            out.why[h.column] = "由系统记录，导入时忽略"
            continue
        if masked and f.sensitive:
            out.notes.append(f"{h.letter}列「{h.text}」在导出时已隐藏（{option('mask')}），导入时忽略，不覆盖原值")
            out.ignored.add(h.column)
            out.why[h.column] = f"导出时已隐藏（{option('mask')}），不覆盖原值"
            continue
        when = tense(h.text) if target_name is None else ""
        if when in _PAST_WORDS:  # 「上月状态」: what it was, never what it is (settled below)
            past.append((h, f, when))
            continue
        t = Target(h.column, h.letter, h.text, f.key, field=f, how=how)
        if f.type == "money":
            t.unit, problem = money_unit(f, h.unit)
            if problem:
                out.problems.append((h, problem))
        if level == 0:
            out.notes.append(f"{h.letter}列「{h.text}」按其中的「{how[2:-1]}」对应「{f.label}」")
            out.guesses.append(
                (
                    t.where,
                    f.label,
                    f"{t.where}不是字段名，按其中的「{how[2:-1]}」当作「{f.label}」"
                    f"（不对请用 {option('mapping')} 指定）",
                )
            )
        other = chosen.get(f.key)
        if other is not None and 0 in (level, other[0]) and not _of_another_kind(defs, kind, header, other[1], t):
            # a column only *containing* a field's name beside another column of that field: which
            # one holds the figure is a guess, so neither is taken
            guessed = t if level == 0 else other[1]
            key = guessed.header or guessed.letter
            out.problems.append(
                (
                    next(x for x in header if x.column == guessed.column),
                    f"本列和{(other[1] if guessed is t else t).where}都可能是「{f.label}」（本列只是含有它的名字）："
                    f"请用 {option('mapping')} {key}=字段 指定它是哪个字段，或 {option('mapping')} {key}=忽略",
                )
            )
            out.guesses = [g for g in out.guesses if g[0] != guessed.where]
            out.notes = [n for n in out.notes if not n.startswith(f"{guessed.where}按其中")]
            out.ignored.add(guessed.column)
            out.why[guessed.column] = f"与另一列都可能是「{f.label}」"
            if guessed is t:
                continue
            chosen[f.key] = (level, t)
            continue
        if other is not None:
            loser, winner = (t, other[1]) if other[0] >= level else (other[1], t)
            out.notes.append(f"{loser.where}与 {winner.where} 都对应「{f.label}」，只导入 {winner.where}")
            out.ignored.add(loser.column)
            out.why[loser.column] = f"与 {winner.letter}列 都对应「{f.label}」，只导入 {winner.letter}列"
            out.shadowed[loser.column] = f.key
            if loser is t:
                continue
        chosen[f.key] = (level, t)
    for h, f, when in past:
        now = chosen.get(f.key)
        if now is not None:
            out.ignored.add(h.column)
            out.why[h.column] = f"{when}的「{f.label}」（历史），「{f.label}」取 {now[1].letter}列"
            out.guesses.append(
                (f"{h.letter}列「{h.text}」", f.label,
                 f"{h.letter}列「{h.text}」是{when}的「{f.label}」，不导入；「{f.label}」取 {now[1].where}")
            )  # fmt: skip
        else:
            out.problems.append(
                (
                    h,
                    f"本列是{when}的「{f.label}」，表中没有现在的「{f.label}」列：它就是现在的请用 "
                    f"{option('mapping')} {h.text}={f.label}，否则 {option('mapping')} {h.text}=忽略",
                )
            )
            out.ignored.add(h.column)
            out.why[h.column] = f"{when}的「{f.label}」（历史）"
    out.targets.extend(t for _, t in chosen.values())
    out.targets.sort(key=lambda t: t.column)
    if readonly and note_readonly:
        shown = "、".join(f"{h.letter}列「{h.text}」" for h in readonly)
        out.notes.append(f"{shown}由系统记录，导入时忽略")
    return out


# ---------------------------------------------------------------------------------------
# The other sheets
# ---------------------------------------------------------------------------------------


def _detail_names(col: Col) -> set[str]:
    names = {col.key, col.header, *DETAIL_ALIASES.get(col.key, ())}
    base = re.sub(r"[（(].*[)）]$", "", col.header)
    names.add(base)
    return {normalize_key(n) for n in names}


def map_detail_columns(
    spec: SheetSpec, header: Sequence[HeaderCell], explicit: dict[str, str], *, masked: bool = False
) -> Mapping:
    out = Mapping()
    # exact headers first, aliases second: "编号" is 条目编号 on 到位资金 but 记录号 on 对接记录
    exact = {normalize_key(c.header): c for c in spec.cols} | {normalize_key(c.key): c for c in spec.cols}
    loose: dict[str, Col] = {}
    for c in spec.cols:
        for n in _detail_names(c):
            loose.setdefault(n, c)
    taken: dict[str, Target] = {}
    for h in header:
        name = _explicit(h, explicit)
        if h.text and normalize_key(h.text) in SYSTEM_HEADERS:
            out.why[h.column] = "上次导入写出的错误说明，导入时忽略"
            continue
        if not h.text and name is None:
            out.unknown[h.column] = h
            continue
        col: Col | None
        if name is not None:
            if normalize_key(name) in IGNORE_WORDS:
                out.notes.append(f"按 {option('mapping')} 忽略 {h.letter}列「{h.text}」")
                out.why[h.column] = f"按 {option('mapping')} 忽略"
                continue
            col = exact.get(normalize_key(name)) or loose.get(normalize_key(name))
            if col is None:
                known = "、".join(c.header for c in spec.cols if not c.readonly)
                raise ZsError(f"{option('mapping')} 的字段「{name}」不是「{spec.name}」的列。可用：{known}")
        else:
            col = (
                exact.get(normalize_key(h.text))
                or exact.get(normalize_key(h.label))
                or loose.get(normalize_key(h.label))
                or loose.get(normalize_key(h.text))
            )
        if col is None:
            out.unknown[h.column] = h
            continue
        if col.readonly:
            if col.key in _ITEM_REFS and col.key not in out.refs:
                out.refs[col.key] = Target(h.column, h.letter, h.text, col.key, col=col, how="列名")
            out.why[h.column] = "由系统记录，导入时忽略"
            continue
        if masked and col.sensitive:
            out.notes.append(f"{h.letter}列「{h.text}」在导出时已隐藏（{option('mask')}），导入时忽略，不覆盖原值")
            out.why[h.column] = f"导出时已隐藏（{option('mask')}），不覆盖原值"
            continue
        if col.key in taken:
            out.notes.append(f"{h.letter}列「{h.text}」与 {taken[col.key].where} 重复，只导入 {taken[col.key].where}")
            out.why[h.column] = f"与 {taken[col.key].letter}列 重复，只导入 {taken[col.key].letter}列"
            continue
        t = Target(h.column, h.letter, h.text, col.key, col=col, how=option("mapping") if name is not None else "列名")
        if col.type == "money":
            fake = FieldDef(
                key=col.key, label=col.header, type="money", currency="USD" if col.unit == "万美元" else "CNY"
            )
            t.unit, problem = money_unit(fake, h.unit)
            if problem:
                out.problems.append((h, problem))
        taken[col.key] = t
        out.targets.append(t)
    if "item_id" not in taken and "item_title" in out.refs:
        for t in out.refs.values():
            out.why[t.column] = "用来按名称找条目（表中没有条目编号列；不修改条目）"
    else:
        if "item_id" in taken and "item_title" in out.refs:
            t = out.checks["item_title"] = out.refs["item_title"]
            out.why[t.column] = "用来核对条目编号（名称须是该编号的条目的名称；不修改条目）"
        out.refs.clear()
    return out


def detail_named_columns(
    spec: SheetSpec, header: Sequence[HeaderCell], explicit: dict[str, str]
) -> Callable[[SaidElsewhere], set[int]]:
    """The columns of detail sheet ``spec`` a 填表说明 line names by its words (「外资单位：万美元」):
    those the words would map to as a header (this matcher), or whose header they are."""
    mapped = {t.column: t.key for t in map_detail_columns(spec, header, explicit).targets}

    def named(said: SaidElsewhere) -> set[int]:
        words = HeaderCell(-1, "", said.subject, said.subject, None)
        keys = {t.key for t in map_detail_columns(spec, [words], {}).targets}
        core = name_core(said.subject)
        return {h.column for h in header if mapped.get(h.column) in keys or header_core(h.text) == core}

    return named


#: the read-only columns of a detail sheet that name its item
_ITEM_REFS = ("item_title", "item_chain")


# ---------------------------------------------------------------------------------------
# Recognising headers (for finding the header row)
# ---------------------------------------------------------------------------------------


def known_labels(
    defs: Definitions, kinds: Sequence[KindDef], specs: Sequence[SheetSpec], explicit: dict[str, str]
) -> Callable[[str], bool]:
    """A predicate for :func:`~zhaoshang.exchange.tables.find_table`: is this header label
    a field or column name we know?"""
    names: set[str] = set()
    for f in defs.common:
        names.update(normalize_key(x) for x in (f.key, f.label, *f.aliases))
    for k in kinds:
        for f in defs.fields_of(k):
            names.update(normalize_key(x) for x in (f.key, f.label, f.header, *f.aliases))
    for s in specs:
        for c in s.cols:
            names.update(_detail_names(c))
    names.update(REASON_NAMES)
    names.update(k for k in explicit if not _LETTERS.fullmatch(k))
    names.discard("")
    cores = {name_core(n) for n in names}
    cores.discard("")
    # one regular expression finds whether any field's name is inside a label (most cells of
    # the first rows are data and contain none): only then is each kind asked
    inside = {n for k in kinds for n, _ in _containable(defs, k)}
    anywhere = re.compile("|".join(map(re.escape, sorted(inside, key=len, reverse=True)))) if inside else None

    def known(label: str) -> bool:
        key = normalize_key(label)
        core = name_core(key)
        if key in names or core in cores:
            return True
        # 辦理時限, 计划总投资额: a short header containing exactly one field's name
        if len(key) > 12 or anywhere is None or anywhere.search(core) is None:
            return False
        return any(contained_match(defs, k, label)[0] is not None for k in kinds)

    return known


def kind_column(defs: Definitions, header: Sequence[HeaderCell], explicit: dict[str, str]) -> int | None:
    """The column naming each row's list (清单), if the table has one."""
    f = defs.common_field("kind")
    names = {normalize_key(x) for x in (f.key, f.label, *f.aliases)}
    for h in header:
        target = _explicit(h, explicit)
        if target is not None:
            if normalize_key(target) in names:
                return h.column
            continue
        if normalize_key(h.label) in names or normalize_key(h.text) in names:
            return h.column
    return None


def guess_kind(defs: Definitions, header: Sequence[HeaderCell]) -> tuple[KindDef | None, list[tuple[KindDef, int]]]:
    """The kind whose own fields the header names most (None when unclear)."""
    scores: list[tuple[KindDef, int]] = []
    for k in defs.kinds:
        own = 0
        for h in header:
            f = _item_field(defs, k, (h.label, h.text))
            if f is None:
                continue
            # the kind's own fields, and its own name for the title (项目名称, 活动名称 …)
            titled = (
                f.key == "title"
                and k.title.label != defs.common_field("title").label
                and normalize_key(h.label) == normalize_key(k.title.label)
            )
            if not f.common or titled:
                own += 1
        scores.append((k, own))
    scores.sort(key=lambda x: -x[1])
    if scores and scores[0][1] > 0 and (len(scores) == 1 or scores[0][1] > scores[1][1]):
        return scores[0][0], scores
    return None, scores
