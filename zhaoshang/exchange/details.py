"""Import of the sheets besides the lists: 产业链, 招商主体, 对接记录, 到位资金, 前期手续, 服务专班.

Each row is matched to what exists by its natural key, so importing the same sheet twice
changes nothing and a roll-up never doubles a row:

* 产业链 / 招商主体 — by 编号 (a round trip) or name.  In a roll-up an office's chains and units
  that do not exist here are created with their details; existing ones are left as they are
  (the city's own leaders and units stay the city's).
* 对接记录 — by 记录号 (a round trip), else by item, date, type and content.
* 到位资金 — by item and month; 前期手续 — by item and step; 服务专班 — by item, role and name.

An item is named by its 条目编号 (translated through ``origin`` in a roll-up).  A blank cell
keeps the stored value (``--blank clear`` empties it), like on the item sheets.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from .. import lookups
from ..errors import ParseError, ZsError
from ..parse import normalize_key, parse_bool, parse_date, parse_money, parse_month
from .columns import Mapping, Target
from .layout import SheetSpec
from .readers import RawSheet
from .tables import DataRow, HeaderCell

if TYPE_CHECKING:
    from .importer import Problem, SheetReport, _Run

_REQUIRED = {
    "chains": ("name",),
    "units": ("name",),
    "activities": ("item_id", "date", "summary"),
    "funds": ("item_id", "month"),
    "approvals": ("item_id", "step"),
    "team": ("item_id", "role", "name"),
}


class Handler:
    def __init__(
        self,
        run: _Run,
        spec: SheetSpec,
        raw: RawSheet,
        header: list[HeaderCell],
        mapping: Mapping,
        rep: SheetReport,
    ) -> None:
        self.run = run
        self.spec = spec
        self.raw = raw
        self.header = header
        self.mapping = mapping
        self.rep = rep
        self.parsers: dict[int, tuple[Target, Callable[[object], Any]]] = {
            t.column: (t, self._parser(t)) for t in mapping.targets
        }
        self.present = {t.key for t in mapping.targets}

    # -- setup -------------------------------------------------------------------------
    def ready(self) -> bool:
        from .importer import Problem

        missing = [k for k in _REQUIRED[self.spec.key] if k not in self.present]
        if missing:
            labels = "、".join(self.spec.col(k).header for k in missing)
            self.run.report.problems.append(
                Problem(self.raw.name, None, "", None, f"缺少必需的列：{labels}（可用 --map 指定）")
            )
            return False
        return True

    def _parser(self, t: Target) -> Callable[[object], Any]:
        from ..values import _text

        col = t.col
        assert col is not None
        unescape = self.run.text_source
        if col.type in ("id", "ref", "int"):
            from .importer import _positive_id

            return _positive_id
        if col.type == "date":
            return lambda raw: parse_date(raw).isoformat()
        if col.type == "month":
            return parse_month
        if col.type == "money":
            currency = "USD" if col.unit == "万美元" else "CNY"
            unit = t.unit
            return lambda raw: parse_money(raw, currency=currency, default_unit=unit)
        if col.type == "bool":
            return lambda raw: 1 if parse_bool(raw) else 0
        if self.spec.key == "activities" and col.key == "type":
            from ..pipeline.activities import resolve_type

            return lambda raw: resolve_type(_text(raw))
        if self.spec.key == "units" and col.key == "type":
            choices = col.choices

            def unit_type(raw: object) -> str:
                text = _text(raw)
                for c in choices:
                    if normalize_key(c) == normalize_key(text):
                        return c
                raise ParseError(f"「{text}」不是可选的类型。可选：{'、'.join(choices)}")

            return unit_type
        if unescape:
            from .importer import _unformula

            return lambda raw: (_unformula(_text(raw)) or None) if raw is not None else None
        return lambda raw: _text(raw) or None

    # -- rows --------------------------------------------------------------------------
    def row(self, row: DataRow) -> None:
        from .importer import Problem

        values: dict[str, Any] = {}
        problems: list[Problem] = []
        for col, raw in row.cells.items():
            entry = self.parsers.get(col)
            if entry is None:
                continue
            t, parse = entry
            try:
                values[t.key] = parse(raw)
            except ZsError as exc:
                problems.append(Problem(self.raw.name, row.number, t.where, raw, exc.message))
        for key in _REQUIRED[self.spec.key]:
            if values.get(key) is None and not any(p.column.endswith(f"「{self._header_of(key)}」") for p in problems):
                problems.append(
                    Problem(self.raw.name, row.number, self._where(key), None, f"「{self._label(key)}」必填")
                )
        if not problems and "item_id" in values:
            item = self.run._item_id(values["item_id"])
            if item is None:
                problems.append(
                    Problem(
                        self.raw.name,
                        row.number,
                        self._where("item_id"),
                        values["item_id"],
                        f"没有编号为 {values['item_id']} 的条目（也不在本文件的清单中）",
                    )
                )
            else:
                values["item_id"] = item
        if not problems:
            try:
                getattr(self, f"_{self.spec.key}")(values, row)
            except ZsError as exc:
                problems.append(Problem(self.raw.name, row.number, "", None, exc.message))
        if problems:
            self.run.report.problems.extend(problems)
            self.rep.rejected += 1
            if self.run.rejects is not None:
                self.run.rejects.add(self.raw.name, self.header, row.number, row.cells, [p.reason for p in problems])

    def finish(self) -> None:
        return None

    def _header_of(self, key: str) -> str:
        t = next((t for t in self.mapping.targets if t.key == key), None)
        return t.header if t else self.spec.col(key).header

    def _where(self, key: str) -> str:
        t = next((t for t in self.mapping.targets if t.key == key), None)
        return t.where if t else ""

    def _label(self, key: str) -> str:
        return self.spec.col(key).header

    # -- comparing ---------------------------------------------------------------------
    def _changes(self, values: dict[str, Any], keys: tuple[str, ...], current: dict[str, Any]) -> dict[str, Any]:
        """The columns to set: differing present values, and blanks when --blank clear."""
        from .importer import _same

        out: dict[str, Any] = {}
        for k in keys:
            if k in values:
                if not _same(current.get(k), values[k]):
                    out[k] = values[k]
            elif k in self.present and current.get(k) not in (None, ""):
                if self.run.opts.blank == "clear":
                    out[k] = None
                else:
                    self.run.report.blank_kept += 1
        return out

    def _update(self, table: str, rid: int, changes: dict[str, Any], *, stamp: bool = True) -> None:
        if not changes:
            self.rep.unchanged += 1
            return
        sets = dict(changes)
        if stamp:
            sets.update(user=self.run.user, at=self.run.ts)
        cols = ", ".join(f'"{k}" = ?' for k in sets)
        self.run.db.conn.execute(f'UPDATE "{table}" SET {cols} WHERE id = ?', [*sets.values(), rid])
        self.rep.updated += 1

    def _pending(self, key: tuple[Any, ...]) -> bool:
        if key in self.run.detail_keys:
            return True
        self.run.detail_keys.add(key)
        return False

    # -- 产业链 / 招商主体 ----------------------------------------------------------------
    def _named(self, ent: lookups.Entity, values: dict[str, Any], keys: tuple[str, ...]) -> None:
        run = self.run
        names = run.chains if ent is lookups.CHAIN else run.units
        name = str(values["name"])
        target: int | None = None
        if run.mode == "own" and values.get("id"):
            row = run.db.conn.execute(f"SELECT id FROM {ent.table} WHERE id = ?", (values["id"],)).fetchone()
            target = int(row[0]) if row else None
        if target is None:
            target = names.cache.get(normalize_key(name))
        if target is None:
            data = {k: values[k] for k in keys if values.get(k) is not None}
            rid = lookups.create(run.db, ent, name, data)
            names.add(rid, name)
            if run.mode == "rollup":
                (run.report.created_chains if ent is lookups.CHAIN else run.report.created_units).append(name)
            self.rep.added += 1
            return
        if run.mode == "rollup":
            self.rep.unchanged += 1  # an office's roll-up never rewrites our own chains and units
            return
        cur = run.db.conn.execute(
            f"SELECT {', '.join(('name', *keys))} FROM {ent.table} WHERE id = ?", (target,)
        ).fetchone()
        current = dict(zip(("name", *keys), cur, strict=True))
        changes = self._changes(values, ("name", *keys), current)
        if "name" in changes:
            clash = run.db.conn.execute(
                f"SELECT id FROM {ent.table} WHERE name = ? AND id != ?", (changes["name"], target)
            ).fetchone()
            if clash:
                raise ZsError(f"{ent.noun}「{changes['name']}」已存在：名称不能重复")
            names.add(target, str(changes["name"]))
        if changes:
            from ..db import now

            changes["updated_at"] = now()
        self._update(ent.table, target, changes, stamp=False)

    def _chains(self, values: dict[str, Any], row: DataRow) -> None:
        self._named(lookups.CHAIN, values, ("leader", "lead_unit", "coop_units", "task_force", "description"))

    def _units(self, values: dict[str, Any], row: DataRow) -> None:
        self._named(lookups.UNIT, values, ("type", "leader", "contact", "ranked"))

    # -- 对接记录 ---------------------------------------------------------------------------
    def _activities(self, values: dict[str, Any], row: DataRow) -> None:
        run = self.run
        item = values["item_id"]
        values.setdefault("type", "对接")
        keys = ("type", "date", "summary", "next_date")
        if run.mode == "own" and values.get("id"):
            cur = run.db.conn.execute(
                "SELECT item_id, type, date, summary, next_date FROM activities WHERE id = ?", (values["id"],)
            ).fetchone()
            if cur is not None and cur[0] == item:
                current = dict(zip(keys, cur[1:], strict=True))
                self._update("activities", int(values["id"]), self._changes(values, keys, current), stamp=False)
                return
        key = ("activities", item, values["date"], values["type"], values["summary"])
        found = run.db.conn.execute(
            "SELECT id, next_date FROM activities WHERE item_id = ? AND date = ? AND type = ? AND summary = ?",
            key[1:],
        ).fetchone()
        if found is not None:
            self._update(
                "activities", int(found[0]), self._changes(values, ("next_date",), {"next_date": found[1]}), stamp=False
            )
            return
        if self._pending(key):
            self.rep.unchanged += 1
            return
        run.queue_insert(
            "activities",
            ["item_id", "type", "date", "summary", "next_date", "user", "at"],
            (item, values["type"], values["date"], values["summary"], values.get("next_date"),
             values.get("user") or run.user, run.ts),
        )  # fmt: skip
        self.rep.added += 1

    # -- 到位资金 ----------------------------------------------------------------------------
    def _funds(self, values: dict[str, Any], row: DataRow) -> None:
        run = self.run
        item = values["item_id"]
        kind = run._item_kind(item)
        if not kind.pipeline:
            raise ZsError(f"到位资金只能记在项目上：编号 {item} 是「{kind.name}」清单的条目")
        if values.get("domestic") is None and values.get("foreign_usd") is None:
            self.rep.skipped += 1
            return
        cur = run.db.conn.execute(
            "SELECT id, domestic, foreign_usd FROM funds WHERE item_id = ? AND month = ?", (item, values["month"])
        ).fetchone()
        if cur is not None:
            current = {"domestic": cur[1], "foreign_usd": cur[2]}
            changes = self._changes(values, ("domestic", "foreign_usd"), current)
            if changes:
                changes["user"] = values.get("user") or run.user
                changes["at"] = run.ts
            self._update("funds", int(cur[0]), changes, stamp=False)
            return
        if self._pending(("funds", item, values["month"])):
            raise ZsError(f"编号 {item} 的 {values['month']} 到位资金在本文件中出现了不止一次")
        run.queue_insert(
            "funds",
            ["item_id", "month", "domestic", "foreign_usd", "user", "at"],
            (item, values["month"], values.get("domestic"), values.get("foreign_usd"),
             values.get("user") or run.user, run.ts),
        )  # fmt: skip
        self.rep.added += 1

    # -- 前期手续 ----------------------------------------------------------------------------
    def _approvals(self, values: dict[str, Any], row: DataRow) -> None:
        from ..pipeline.approvals import resolve_step

        run = self.run
        item = values["item_id"]
        kind = run._item_kind(item)
        if not kind.approvals:
            raise ZsError(f"编号 {item} 是「{kind.name}」清单的条目，没有前期手续")
        step = resolve_step(kind, str(values["step"]))
        cur = run.db.conn.execute(
            "SELECT id, date, note FROM approvals WHERE item_id = ? AND step = ?", (item, step)
        ).fetchone()
        if cur is not None:
            self._update(
                "approvals", int(cur[0]), self._changes(values, ("date", "note"), {"date": cur[1], "note": cur[2]})
            )
            return
        if self._pending(("approvals", item, step)):
            raise ZsError(f"编号 {item} 的「{step}」在本文件中出现了不止一次")
        run.queue_insert(
            "approvals",
            ["item_id", "step", "date", "note", "user", "at"],
            (item, step, values.get("date"), values.get("note"), run.user, run.ts),
        )
        self.rep.added += 1

    # -- 服务专班 ----------------------------------------------------------------------------
    def _team(self, values: dict[str, Any], row: DataRow) -> None:
        run = self.run
        item = values["item_id"]
        role, name = " ".join(str(values["role"]).split()), " ".join(str(values["name"]).split())
        cur = run.db.conn.execute(
            "SELECT id, org, phone FROM team_members WHERE item_id = ? AND role = ? AND name = ?", (item, role, name)
        ).fetchone()
        if cur is not None:
            self._update(
                "team_members", int(cur[0]), self._changes(values, ("org", "phone"), {"org": cur[1], "phone": cur[2]})
            )
            return
        if self._pending(("team", item, role, name)):
            self.rep.unchanged += 1
            return
        run.queue_insert(
            "team_members",
            ["item_id", "role", "name", "org", "phone", "user", "at"],
            (item, role, name, values.get("org"), values.get("phone"), run.user, run.ts),
        )
        self.rep.added += 1
