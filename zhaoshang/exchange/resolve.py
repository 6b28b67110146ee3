"""Resolving a sheet's names and parsing its cells — the "parse cells" stage's tools.

:class:`Names` turns a chain's or unit's name into its id (cached; created in a roll-up or
with --create-missing, each creation listed as an inference); :class:`CellParsers` gives each
mapped column its parser, from the field the column fills.  Neither reads or writes the
import's state beyond the database and the :class:`~.inference.Inferences` it is given.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .. import items, lookups
from ..db import Database
from ..definitions import Definitions, KindDef
from ..errors import ZsError
from ..parse import normalize_key, parse_date, to_halfwidth
from . import header_area
from .cells import money_parser, positive_id, unformula
from .columns import Mapping, Target
from .inference import Inferences, Rule
from .outcome import show_value
from .rows import RefName

__all__ = ["CellParsers", "Names", "status_of"]


class Names:
    def __init__(
        self,
        db: Database,
        ent: lookups.Entity,
        *,
        create: bool,
        created: list[str],
        inferred: Inferences,
        confirmed_by: str | None = None,
    ) -> None:
        self.db = db
        self.ent = ent
        self.create = create
        self.created = created
        #: what was inferred rather than read (a created unit's type, a name matched by part)
        self.inferred = inferred
        #: the option by which the user asked for missing names to be created (None: a roll-up)
        self.confirmed_by = confirmed_by
        self.cache: dict[str, int] = {}
        self.names: dict[int, str] = {}
        self._ranked: dict[int, bool] = {}
        self._load()

    def _load(self) -> None:
        for rid, name in self.db.conn.execute(f"SELECT id, name FROM {self.ent.table}"):
            self.cache.setdefault(normalize_key(name), int(rid))
            self.names[int(rid)] = name

    def resolve(self, raw: object) -> int:
        text = " ".join(str(raw).split()) if not isinstance(raw, float) else show_value(raw)
        if not text:
            raise ZsError(f"{self.ent.noun}名称为空")
        text = header_area.without_seal(text) or text  # 「（盖章）」 is no part of a name
        key = normalize_key(text)
        hit = self.cache.get(key)
        if hit is not None:
            return hit
        owner = self._owner(text, key)
        if owner is not None:
            self.cache[key] = owner
            return owner
        if to_halfwidth(text).replace(".", "", 1).isdigit():
            # a number in a name column is never an id: 序号 read as 产业链 would put rows into
            # whichever chains have those ids
            raise ZsError(
                f"{self.ent.noun}「{text}」是一个数字：这一列要写{self.ent.noun}的名称，表中的数字不会当作编号。"
                f"请检查这一列是否真是{self.ent.noun}列（是不是把序号列认成了它）"
            )
        if header_area.is_money_unit(text):
            # 「亿元」 in a column headed 单位: the money's unit, never a unit of the office's
            raise ZsError(
                f"{self.ent.noun}「{text}」是金额单位，不是{self.ent.noun}的名称：这一列写的是金额的单位，"
                "请把单位写进金额列的表头（如 投资额（亿元）；各行单位不同就换算成同一个单位）再删去这一列"
            )
        if self.create:
            values: dict[str, object] = {}
            if self.ent is lookups.UNIT:
                kind, ranked, ending = header_area.unit_kind(text)
                values = {"type": kind.value, "ranked": "是" if ranked else "否"}
                because = f"按名称结尾的「{ending}」" if ending else "名称看不出类型，"
                self.inferred.add(
                    Rule.created_unit,
                    "",
                    text,
                    f"名称结尾「{ending}」" if ending else "名称",
                    f"新建招商主体「{text}」{because}定为「{kind}」，{'参加' if ranked else '不参加'}排名"
                    f"（不对请导入后用 zs unit edit {text} 类型=… 参加排名=… 改正）",
                    confirmed_by=self.confirmed_by,
                )
            else:
                self.inferred.add(
                    Rule.created_chain, "", text, "文件中的名称", f"新建产业链「{text}」",
                    confirmed_by=self.confirmed_by,
                )  # fmt: skip
            rid = lookups.create(self.db, self.ent, text, values)
            self.created.append(text)
        else:
            rid = lookups.find(self.db, self.ent, text)
            found = self.names.get(rid)
            if found is not None and normalize_key(found) != key:
                said = f"{self.ent.noun}「{text}」按唯一包含的名称认作「{found}」"
                self.inferred.add(Rule.name_by_part, "", found, f"「{text}」", said)
        self.cache[key] = rid
        self.names.setdefault(rid, text)
        return rid

    def _owner(self, text: str, key: str) -> int | None:
        """The existing name ``text`` is a longer form of: 「新能源产业链」 → 新能源, 「逊克县发展和改革局」
        / 「孙吴县人民政府」 → the unit 逊克县 / 孙吴县 (a county's office or government: its projects
        are the county's) — listed as inferred; None when not exactly one."""
        if self.ent is lookups.CHAIN:
            stem = key.removesuffix(normalize_key("产业链")).removesuffix(normalize_key("链"))
            found = [rid for k, rid in self.cache.items() if stem and k == stem] if stem != key else []
        else:
            kind, _ranked, _ending = header_area.unit_kind(text)
            gov = to_halfwidth(text).endswith(("人民政府", "政府"))
            if kind is not header_area.UnitType.department and not gov:
                return None
            found = list({rid for k, rid in self.cache.items() if k and key.startswith(k) and len(key) > len(k)})
        if len(found) != 1:
            return None
        name = self.names.get(found[0], "")
        what = "产业链" if self.ent is lookups.CHAIN else "本地的部门或政府，项目记在该招商主体"
        self.inferred.add(
            Rule.name_by_part, "", name, f"「{text}」", f"{self.ent.noun}「{text}」认作「{name}」（{what}）"
        )
        return found[0]

    def known(self, name: str) -> int | None:
        """The id of ``name`` if it exists (or was created by this import); never creates."""
        return self.cache.get(normalize_key(name))

    def add(self, rid: int, name: str) -> None:
        self.cache[normalize_key(name)] = rid
        self.names[rid] = name

    def ranked(self, rid: int) -> bool:
        """Whether unit ``rid`` takes part in the ranking (参加排名: a county or district, not a
        department or the office itself).  Units only."""
        got = self._ranked.get(rid)
        if got is None:
            row = self.db.conn.execute("SELECT ranked FROM units WHERE id = ?", (rid,)).fetchone()
            got = self._ranked[rid] = bool(row and row[0])
        return got


class CellParsers:
    """The "parse cells" stage: one parser per column of a sheet, from its target field.

    Parsers of columns that repeat few values (kinds, chains, units, statuses, enums, dates)
    remember what they returned for each cell text: a county's 5,000 rows name a dozen chains."""

    def __init__(
        self, defs: Definitions, chains: Names, units: Names, *, text_source: bool, foreign: bool = False
    ) -> None:
        self.defs = defs
        self.chains = chains
        self.units = units
        self.text_source = text_source
        #: a sheet from outside (not our export or template): its numbers are not our 编号
        self.foreign = foreign
        self._caches: dict[Any, dict[Any, Any]] = {}

    def for_mapping(self, kind: KindDef, mapping: Mapping) -> dict[int, tuple[Target, Callable[[object], Any]]]:
        """Column -> (target, parser) for every mapped column."""
        return {t.column: (t, self.parser(kind, t)) for t in mapping.targets}

    def _cached(self, key: Any, fn: Callable[[object], Any]) -> Callable[[object], Any]:
        cache = self._caches.setdefault(key, {})

        def run(raw: object) -> Any:
            if isinstance(raw, str | int):
                try:
                    return cache[raw]
                except KeyError:
                    pass
                value = fn(raw)
                if len(cache) < 50_000:
                    cache[raw] = value
                return value
            return fn(raw)

        return run

    def parser(self, kind: KindDef | None, t: Target) -> Callable[[object], Any]:
        from ..names import check_name
        from ..values import MAX_TEXT, NAME_FIELDS, check_length, text_of, to_storage

        f = t.field
        key = t.key
        unescape = self.text_source
        if key == "id":
            return positive_id
        if key == "kind":
            return self._cached("kind", lambda raw: self.defs.kind(str(raw)))
        if key == "chain":
            return self._cached("chain", self.chains.resolve)
        if key == "unit":
            return self._cached("unit", self.units.resolve)
        if key == "status":
            assert kind is not None
            return self._cached(("status", kind.key), lambda raw: status_of(kind, text_of(raw)))
        if key == "reason":
            return lambda raw: check_length(unformula(text_of(raw)) if unescape else text_of(raw))
        if key in ("due", "closed_at") or (f is not None and f.type == "date"):
            return self._cached("date", lambda raw: parse_date(raw).isoformat())
        if f is not None and f.type == "money":
            return money_parser(f.currency, t.unit)
        if f is not None and f.type in ("enum", "bool", "multi"):
            field_ = f
            base = self._cached(("field", kind.key if kind else "", f.key), lambda raw: to_storage(field_, raw))
            if unescape:
                return lambda raw: base(unformula(raw) if raw.__class__ is str and raw[:1] == "'" else raw)
            return base
        if f is not None and f.type == "ref" and self.foreign:
            return self._cached(("ref", f.key), lambda raw: foreign_ref(f.label, raw))
        if f is not None and f.ftype.verbatim:
            # cells arrive stripped and non-empty: text is taken as it is (a name is checked
            # for control and invisible-only characters when it is not plainly printable)
            slow = f
            named = f.common and f.key in NAME_FIELDS

            def text(raw: object) -> Any:
                if raw.__class__ is str:
                    if len(raw) > MAX_TEXT:
                        check_length(raw)
                    if named and not raw.isprintable():
                        check_name(raw)
                    return unformula(raw) if unescape and raw[:1] == "'" else raw
                return to_storage(slow, raw)

            return text
        if f is not None:
            field_ = f

            def parse(raw: object) -> Any:
                if unescape and isinstance(raw, str):
                    raw = unformula(raw)
                return to_storage(field_, raw)

            return parse
        raise AssertionError(key)


def foreign_ref(label: str, raw: object) -> RefName:
    """A reference cell (关联项目 …) of a sheet from outside: the project's name, matched by name
    later.  A number there is the sheet's own 序号 or code — taken as our 编号 it would link any
    item, even of another list — and is refused."""
    text = " ".join(show_value(raw).split())
    if isinstance(raw, int | float) or to_halfwidth(text).replace(".", "", 1).isdigit():
        raise ZsError(
            f"「{label}」写的是数字 {text}：别的单位的表里的数字是它自己的序号或编码，不是本库的编号，不会当作编号。"
            f"请在这一列写关联项目的名称（与本库一个项目的名称相同，按名称对应）"
        )
    return RefName(text)


_DATED = re.compile(r"\d+\s*[月日号]|\d{4}")


def status_of(kind: KindDef, text: str) -> str:
    """A status cell: the stage only.  「已签约（10月）」 carries a date a stage word cannot hold —
    taught as a synonym it would be dropped, and the move dated by the report period instead."""
    if _DATED.search(to_halfwidth(text)):
        raise ZsError(
            f"状态「{text}」里写了时间：状态一栏只写阶段（如「{kind.default_status}」），"
            "时间请填到这一阶段的日期列（如签约日期、开工日期），否则会按报告期记日期"
        )
    return items.resolve_status(kind, text)
