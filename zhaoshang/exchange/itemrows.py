"""The item rows of an import, decided in batches: match → diff → decide → write.

:class:`ItemRows` takes the rows the sheets parsed (:class:`~.rows.ItemRow`, queued on
:attr:`ItemRows.pending`) and, a batch at a time (:meth:`ItemRows.flush`), matches each to
an item (编号 through :class:`~.identity.ItemIds`, then 项目编码, then names:
:mod:`~.matching`), diffs it (:func:`~.rows.diff_row`), decides (:mod:`~.decide`: reject,
add, update, unchanged, skip, ask, merge — an update's and a new item's plan by
:func:`~.decide.update` and :func:`~.decide.new_item`, which write nothing) and writes what
was decided (``_apply_update``, ``_apply_add``: the item, or the new item queued on the
:class:`~.writer.BatchWriter`).  Its state is the rows' only: what is waiting, the new items
of the batch, the ids they get, the names and codes seen.  What never changes during the run
is its :class:`~.run.RunSettings`; what the sheets gave is passed in.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .. import increments, items, stages
from ..choices import Confirm, OnDuplicate
from ..counted import CHANGE_NAMES
from ..db import Database
from ..definitions import IDENTITY_FIELD, FieldDef, KindDef
from ..errors import ZsError
from ..hints import option
from ..parse import normalize_name, simplify_many, to_halfwidth
from . import bulk, current, decide, history, moves, sheetdates
from .decide import Decision
from .headings import Headings
from .identity import ItemIds
from .inference import DateSource, Inferences, Rule
from .itemnames import ItemsByName
from .itemnames import Match as ItemMatch
from .matching import Found, Likeness, NameIndex, by_code, loose_name
from .outcome import Change, Duplicate, ImportReport, Mode, Problem, RowOutcome
from .resolve import Names
from .rows import Current, Diff, ItemRow, NewItem, column_of, diff_row, match_ref, resolve_refs
from .run import RunSettings
from .submission import Submission
from .writer import BatchWriter

__all__ = ["ItemRows"]


class ItemRows:
    def __init__(
        self,
        db: Database,
        settings: RunSettings,
        *,
        report: ImportReport,
        rejects: Any,
        inferred: Inferences,
        chains: Names,
        units: Names,
        submission: Submission,
        headings: Headings,
        out: BatchWriter,
    ) -> None:
        self.db = db
        #: what the run is run with (file name, options, mode, user, today …): never changes
        self.settings = settings
        self.report = report
        self.rejects = rejects
        self.inferred = inferred
        self.chains = chains
        self.units = units
        self.submission = submission
        self.headings = headings
        #: runs the SQL of each batch of new items; the main thread waits for it before it
        #: reads a new item's rows or writes items itself (see :class:`~zhaoshang.exchange.writer.BatchWriter`)
        self.out = out
        self.writer = out.thread
        #: the rows parsed and not yet decided, and the new items of the batch being decided
        self.pending: list[ItemRow] = []
        self.new: dict[int, NewItem] = {}
        self.next_id = self.first_new_id = bulk.next_item_id(db)
        self.ids = ItemIds(db, mode=settings.mode, origin=settings.origin, first_new_id=self.next_id)
        #: a roll-up's 阶段变更 sheet was read (moves.load_sheet): moves are dated from it
        self.has_moves = False
        self.dups: NameIndex | None = None
        #: the items written (for the search index)
        self.touched: list[int] = []
        self.unknown_refs = 0
        #: what the rows of one project in this file said (its rows must agree)
        self.same_project = decide.SameProject()
        #: 项目编码 seen in this file, by kind: the row that gave it
        self.codes: dict[tuple[str, str], int] = {}
        self._caches: dict[Any, dict[Any, Any]] = {}
        #: the chain each sheet is named for (None: none)
        self.sheet_chains: dict[str, int | None] = {}

    def item_id(self, ref: int) -> int | None:
        """Our id of the item a file's 编号 names (None: unknown)."""
        return self.ids.item_id(ref)

    def settle(self) -> None:
        """Wait for the writer and put the history triggers back (see :meth:`BatchWriter.settle`)."""
        self.out.settle()

    def close(self) -> None:
        if self.dups is not None:
            self.dups.close()
            self.dups = None

    def flush(self) -> None:
        """Decide the parsed rows waiting (match, diff, decide) and queue their writes."""
        batch, self.pending = self.pending, []
        if not batch:
            return
        refs = [r.ref for r in batch if r.ref is not None]
        local = self.ids.local(refs)
        current = self._load_current(set(local.values()))
        simplify_many(to_halfwidth(t) for r in batch if (t := r.values.get("title")) is not None and type(t) is str)
        for r in batch:
            self._decide(r, local, current)
        self._insert_new()

    def _decide(self, r: ItemRow, local: dict[int, int], current: dict[int, Current]) -> None:
        """Steps 2–4 for one parsed row: match by 编号, then update (diff) or add."""
        if not r.problems:
            self.report.notes.extend(resolve_refs(r, self.item_id, self.ids.skipped_refs, self._ref_by_name(r)))
        if r.problems:
            self._reject(r)
            return
        match = match_ref(
            r,
            local,
            current,
            mode=self.settings.mode,
            was_deleted=self._was_deleted,
            kind_name=lambda key: self.db.defs.kind_by_key(key).name,
            plausible=self._plausible,
            option=option,
        )
        if match.refusal is not None:
            self._fail(r, *match.refusal)
            return
        if match.current is not None:
            if r.ref is not None:
                self.ids.file_ids[r.ref] = match.current.id
            self._update(r, match.current)
            return
        if match.unknown_ref:
            self.unknown_refs += 1
        self._add(r, r.ref if self.settings.mode is Mode.rollup else None)

    def _taken_names(self) -> dict[str, str]:
        """:func:`.decide.taken_names`, worked out again when a chain or unit was added or renamed."""
        now = (tuple(self.units.names.values()), tuple(self.chains.names.values()))
        got = self._caches.setdefault("taken", {}).get(now)
        if got is None:
            got = decide.taken_names(self.units.names, self.chains.names)
            self._caches["taken"] = {now: got}
        return got

    def _was_deleted(self, item_id: int) -> bool:
        sql = (
            "SELECT 1 FROM changes WHERE tbl = 'items' AND row_id = ? AND action = 'delete' "
            "AND last_row_id IS NULL LIMIT 1"
        )
        return self.db.conn.execute(sql, (item_id,)).fetchone() is not None

    def _plausible(self, r: ItemRow, cur: Current) -> bool:
        """Whether a sheet from outside that gives our 编号 means our item: its name (when the row
        has one) must be the item's, loosely — a county's own row numbers (13, 14 …) in a 编号
        column share a chain with our items 13, 14 far too often to be taken for them."""
        chain = r.values.get("chain")
        title = r.values.get("title")
        if title is None:
            return chain is None or chain == cur.common["chain_id"]
        return loose_name(str(title)) == loose_name(str(cur.common["title"]))

    def _ref_by_name(self, r: ItemRow) -> Callable[[str], tuple[int | None, str]]:
        """For :func:`.rows.resolve_refs`: the item a reference cell of a sheet from outside
        names by its project's name (关联项目「黑河跨境冷链物流园项目」) — the one item of exactly
        that name (normalised), listed as an inference; else None and why, with the fix."""

        def find(name: str) -> tuple[int | None, str]:
            index = self._caches.setdefault("ref_names", {})
            if "index" not in index:
                self.writer.wait()
                index["index"] = ItemsByName(self.db, [k.key for k in self.db.defs.kinds], origin=None)
            got = index["index"].find(name)
            if got.item_id is not None:
                self.inferred.add(
                    Rule.item_by_name, r.sheet.raw.name, f"编号 {got.item_id}", f"「{name}」",
                    f"关联项目「{name}」按名称对应编号 {got.item_id}「{got.found[0].title}」", row=r.number,
                )  # fmt: skip
                return got.item_id, ""
            found = "、".join(c.text() for c in got.found)
            why = {
                ItemMatch.several: f"本库有几个项目叫这个名称（{found}），分不清是哪一个",
                ItemMatch.alike: f"本库没有这个名称的项目，只有名称相近的（{found}），不会自动对应",
            }.get(got.match, "本库没有这个名称的项目")
            return None, f"{why}：请写本库项目的完整名称（zs list 可查），或留空后用 zs edit 填关联项目的编号"

        return find

    def _load_current(self, ids: set[int]) -> dict[int, Current]:
        if ids and max(ids) >= self.ids.first_new_id:
            self.writer.wait()  # rows of an item this import adds
        return current.load(self.db, ids, reported=bool(self.submission.because()))

    def _settle_stage(self, r: ItemRow, cur: Current) -> None:
        """The row's stage against the item's: a stage only its sheet's name, title or heading
        says (「签约项目」) that the item has already reached is dropped — the row says nothing
        of its stage (:func:`.decide.keeps_said_stage`)."""
        said = r.values.get("status") if r.stage_said else None
        if said is not None and not decide.keeps_said_stage(stages.stages_of(r.kind), said, cur.common["status"]):
            r.values.pop("status")

    def _diff(self, r: ItemRow, cur: Current) -> Diff:
        return diff_row(
            r,
            cur,
            fields=self._fields(r.kind),
            chain_names=self.chains.names,
            unit_names=self.units.names,
            blank=self.settings.opts.blank,
        )

    def _fields(self, kind: KindDef) -> dict[str, FieldDef]:
        cache = self._caches.setdefault("fields", {})
        got = cache.get(kind.key)
        if got is None:
            got = cache[kind.key] = {f.key: f for f in self.db.defs.fields_of(kind)}
        return got

    def _update(self, r: ItemRow, cur: Current, *, link: int | None = None) -> bool:
        """Row ``r`` names item ``cur``: decide (:func:`.decide.update`) and write what it
        changes.  True when the item was updated."""
        if self.settings.mode is Mode.plain and self._disagrees(
            r, cur.id, r, str(r.values.get("title") or cur.common["title"])
        ):
            return False  # a second row of this item in a county's file, with another figure
        self.settle()
        self.submission.sent_again(cur.id, r.sheet.raw.name, r.number)
        self._settle_stage(r, cur)
        diff = self._diff(r, cur)
        self.report.blank_kept += diff.blank_kept
        if link is not None:
            self._link(cur.id, link)
        plan = decide.update(
            r,
            cur,
            diff,
            settings=self.settings,
            defs=self.db.defs,
            has_moves=self.has_moves,
            newer=lambda stage: moves.newer(self.db, cur.id, r.ref or 0, cur.common["status"], stage),
            last_move=lambda: self._last_move(cur.id),
            under_review=bool(self.submission.because()),
            stored_as_of=lambda: self._stored_as_of(r, cur.id),
        )
        return self._apply_update(r, cur, plan)

    def _stored_as_of(self, r: ItemRow, item_id: int) -> sheetdates.AsOf | None:
        """The day the figures of item ``item_id`` speak for (:func:`.sheetdates.latest`) — asked
        only when the row's sheet is older than the newest sheet any import recorded."""
        newest = self._caches.setdefault("sheet_days", {})
        if "newest" not in newest:
            newest["newest"] = sheetdates.newest(self.db)
        if newest["newest"] is None or r.sheet.move_date >= newest["newest"]:
            return None
        return sheetdates.latest(self.db, item_id)

    def _apply_update(self, r: ItemRow, cur: Current, plan: decide.UpdatePlan) -> bool:
        """Write what :func:`.decide.update` decided for row ``r`` and item ``cur``."""
        if plan.decision is Decision.unchanged:
            r.sheet.report.count(RowOutcome.unchanged, r.number)
            return False
        parsed = plan.diff.parsed
        if plan.log_moves:
            terminal = r.kind.status(str(parsed.status)).terminal
            moves.apply(self.db, cur.id, plan.log_moves, closed=terminal, at=self.settings.ts, user=self.settings.user)
            parsed.status = None
        for source in plan.sources:
            self._count_moves(source)
        if plan.sheet_date and r.sheet.move_inference is not None:
            self.inferred.use(r.sheet.move_inference, r.number)
        if plan.refusal is not None:
            self._fail(r, plan.refusal.column, plan.refusal.value, plan.refusal.reason)
            return False
        if plan.stand_as_reported:
            self.submission.stand_as_reported(cur.id)
        try:
            items.update(
                self.db,
                r.kind,
                cur.id,
                parsed,
                user=self.settings.user,
                reason=plan.reason,
                force=True,
                status_date=plan.status_date,
                index=False,
            )
        except ZsError as exc:
            self._fail(r, "", None, exc.message)
            return False
        if plan.misreport:  # (--confirm misreport: the move back withdraws the earlier report)
            stages.mark_misreport(self.db, cur.id)
        if plan.move_back is not None:
            flag = f"{option('confirm')} {plan.move_back}"
            what = "按误报撤回" if plan.misreport else "按回退"
            self.inferred.add(
                Rule.move_back, r.sheet.raw.name, what, flag, f"要认定的表把项目改回较早的阶段：{what}",
                column=column_of(r, "status"), row=r.number, confirmed_by=flag,
            )  # fmt: skip
        for c in plan.amounts:  # a signed project's amount changed: 增资 or 更正, as the user said
            if c.change is Confirm.increase:
                came = f"导入「{self.settings.file_name}」「{r.sheet.raw.name}」第{r.number}行"
                increments.record_increase(self.db, cur.id, c.field, c.old, c.new, on=c.day, source=came)
            flag = f"{option('confirm')} {c.change}"
            self.inferred.add(
                Rule.invest_change, r.sheet.raw.name, CHANGE_NAMES[c.change.value], flag, c.text,
                column=column_of(r, c.field), row=r.number, confirmed_by=flag,
            )  # fmt: skip
        self.touched.append(cur.id)
        self.submission.came_from(cur.id, r.sheet.raw.name, r.number)
        r.sheet.report.count(RowOutcome.updated, r.number)
        title = r.values.get("title") or cur.common["title"]
        self.report.changes.append(Change(r.sheet.raw.name, r.number, cur.id, str(title), plan.diff.shown))
        return True

    def _sheet_chain(self, sheet: str) -> int | None:
        """The chain ``sheet`` is named for (:func:`.decide.sheet_chain`), once per sheet."""
        known = self.sheet_chains
        if sheet not in known:
            known[sheet] = decide.sheet_chain(sheet, self.chains.names)
        return known[sheet]

    def _last_move(self, item_id: int) -> str | None:
        """The date of the item's last stage move (one returned to its unit left out)."""
        sql = "SELECT max(date) FROM status_log WHERE item_id = ? AND review != 'returned'"
        last = self.db.conn.execute(sql, (item_id,)).fetchone()[0]
        return None if last is None else str(last)

    def _add(self, r: ItemRow, origin_id: int | None) -> None:
        """Row ``r`` is for a new item (no 编号 of ours): its chain (:func:`.decide.new_row`),
        then its 项目编码 and name may name an item after all; else decide the new item
        (:func:`.decide.new_item`) and queue it for the batch's insert."""
        kind = r.kind
        heading = r.chain_heading or r.heading  # (a chain's bare name above the row is nearer)
        headed = self.headings.chain(r.sheet.raw.name, heading)
        place = decide.new_row(
            r,
            headed=headed,
            default_chain=self.settings.default_chain,
            chain_names=self.chains.names,
            unit_names=self.units.names,
            sheet_chain=self._sheet_chain(r.sheet.raw.name),
            name_keys=self._taken_names(),
        )
        if place.refusal is not None:
            self._fail(r, place.refusal.column, place.refusal.value, place.refusal.reason)
            return
        chain = place.chain
        assert chain is not None
        if place.from_heading:
            name = self.chains.names.get(chain, "")
            self.inferred.add(
                Rule.group_heading, r.sheet.raw.name, name, f"分组标题「{heading}」",
                f"分组标题「{heading}」下没有产业链的行按标题归入产业链「{name}」",
                column="产业链", row=r.number,
            )  # fmt: skip
        if place.from_sheet:
            name = self.chains.names.get(chain, "")
            given = self.settings.default_chain
            aside = "" if given is None or given == chain else f"（{option('chain')} 只用于没有说产业链的工作表）"
            self.inferred.add(
                Rule.sheet_chain, r.sheet.raw.name, name, f"工作表名「{r.sheet.raw.name}」",
                f"工作表「{r.sheet.raw.name}」中没有产业链的行按工作表名归入产业链「{name}」{aside}",
                column="产业链", row=r.number,
            )  # fmt: skip
        code = r.values.get(IDENTITY_FIELD)
        if code is not None and self._by_code(r, kind, str(code)):
            return
        if self.dups is None:
            self.dups = NameIndex(
                self.db, self.settings.origin, below=self.ids.first_new_id, before_read=self.writer.wait
            )
        title = r.values["title"]
        name_key = normalize_name(str(title))
        company = r.values.get("company")
        unit = r.values.get("unit", r.sheet.default_unit)
        match = self.dups.find(
            kind.key,
            chain,
            name_key,
            r.ref,
            company=company if isinstance(company, str) else None,
            unit=unit,
            title=str(title),
        )
        if match is not None and not self._duplicate(r, match, origin_id, chain):
            return
        plan = decide.new_item(
            r,
            title,
            chain,
            own_fields=self._own_fields(kind),
            settings=self.settings,
            defs=self.db.defs,
            from_log=self.has_moves and origin_id is not None,
        )
        self._apply_add(r, plan, origin_id, name_key)

    def _apply_add(self, r: ItemRow, plan: decide.AddPlan, origin_id: int | None, name_key: str) -> None:
        """Queue the new item :func:`.decide.new_item` decided for row ``r`` (or refuse the row)."""
        if plan.unit_inferred:
            assert r.sheet.unit_inference is not None
            self.inferred.use(r.sheet.unit_inference, r.number)
        if plan.refusal is not None:
            self._fail(r, plan.refusal.column, plan.refusal.value, plan.refusal.reason)
            return
        if plan.sheet_date and r.sheet.move_inference is not None:
            self.inferred.use(r.sheet.move_inference, r.number)
        for source in plan.sources:
            self._count_moves(source)
        kind = r.kind
        new_id = self.next_id
        self.next_id += 1
        origin = self.settings.origin if origin_id is not None else None
        chain = plan.common["chain_id"]
        self.new[new_id] = NewItem(new_id, kind, plan.common, plan.own, plan.status, origin, origin_id, r, plan.log)
        assert self.dups is not None
        company = plan.own.get("company")
        self.dups.add(
            kind.key, chain, str(plan.common["title"]), new_id, origin, r.ref, name_key,
            company=company if isinstance(company, str) else None, unit=plan.common["unit_id"],
        )  # fmt: skip
        if origin_id is not None:
            self.ids.origin_ids[origin_id] = new_id
        elif r.ref is not None:
            self.ids.file_ids[r.ref] = new_id
        self.ids.kinds[new_id] = kind.key
        self.submission.came_from(new_id, r.sheet.raw.name, r.number)
        r.sheet.report.count(RowOutcome.added, r.number)

    def _by_code(self, r: ItemRow, kind: KindDef, code: str) -> bool:
        """A row without 编号 whose 项目编码 is an item's: it is that item (updated, whatever
        its name); the same code twice in one file is an error.  True when handled."""
        if not any(f.key == IDENTITY_FIELD for f in kind.fields):
            return False
        seen = self.codes.get((kind.key, code))
        if seen is not None:
            self._fail(r, column_of(r, IDENTITY_FIELD), code, f"项目编码与第{seen}行相同：一个项目只能填一行")
            return True
        self.codes[(kind.key, code)] = r.number
        # only items that were here before this import (one of its own is caught above), so
        # no need to wait for the writer thread
        hit = by_code(self.db, kind, code, below=self.ids.first_new_id, origin=self.settings.origin)
        if hit is None:
            return False
        cur = self._load_current({hit}).get(hit)
        if cur is None:
            return False
        self.inferred.add(
            Rule.project_code, r.sheet.raw.name, str(cur.id), f"项目编码「{code}」",
            f"按项目编码「{code}」对应编号 {cur.id}", column=column_of(r, IDENTITY_FIELD), row=r.number,
        )  # fmt: skip
        self._update(r, cur)
        return True

    def _count_moves(self, source: DateSource, n: int = 1) -> None:
        self.report.move_dates[source] = self.report.move_dates.get(source, 0) + n

    def _history(
        self, r: ItemRow, kind: KindDef, status: str, own: dict[str, Any], *, counted: int = 0
    ) -> list[history.LogEntry]:
        """:func:`.decide.new_history` for a row merged into an earlier one, and what it used
        recorded: the sheet's date (its inference covers the row), each move's date source, the
        stage dates into ``own``."""
        got = decide.new_history(r, status, own, settings=self.settings, defs=self.db.defs, counted=counted)
        if got.sheet_date and r.sheet.move_inference is not None:
            self.inferred.use(r.sheet.move_inference, r.number)
        for source in got.sources:
            self._count_moves(source)
        own.update(got.stage_dates)
        return got.log

    def _own_fields(self, kind: KindDef) -> list[tuple[str, Any, bool, str]]:
        """A kind's fields as (key, stored default, required, label), worked out once."""
        cache = self._caches.setdefault("own_fields", {})
        info = cache.get(kind.key)
        if info is None:
            from ..values import to_storage

            info = cache[kind.key] = [
                (f.key, to_storage(f, f.default) if f.default is not None else None, f.required, f.label)
                for f in kind.fields
            ]
        return info

    def _duplicate(self, r: ItemRow, match: Found, origin_id: int | None, chain: int) -> bool:
        """Handle a new row (in ``chain``) whose name matches an item; True to add it anyway.

        The name is what made the match, so it is left out of the comparison, and an update
        keeps the existing item's own spelling of it."""
        title = str(r.values.pop("title"))
        added = self._decide_duplicate(r, match, title, origin_id, chain)
        if added:
            r.values["title"] = title
        return added

    def _other_unit(self, r: ItemRow, theirs: object) -> tuple[str, int] | None:
        """Where row ``r`` says it is another unit's project than the item (or earlier row) of
        unit ``theirs`` it matches by name: (the column or line that says so, the row's unit);
        None when they agree or either has no unit.  The row's 责任单位, else the sheet's unit
        (its 填报单位 line or title); a row of a ranked county's sheet naming the item's own unit
        as 责任单位 is still that county's report of another county's project."""
        if not isinstance(theirs, int):
            return None
        said = r.values.get("unit")
        if isinstance(said, int) and said != theirs:
            column = column_of(r, "unit")
            return ("责任单位" if column == "unit" else column), said
        sheet = r.sheet.default_unit
        if isinstance(sheet, int) and sheet != theirs and (said is None or self.units.ranked(sheet)):
            told = r.sheet.unit_inference
            return ("标题" if told is not None and told.rule is Rule.title_unit else "填报单位"), sheet
        return None

    def _why(self, match: Found, chain: int, other_unit: tuple[str, int] | None = None) -> str:
        """Why ``match`` is suspected, for the report (empty for a name alike but for an ending),
        and that it is another unit's project (``other_unit``: :meth:`_other_unit`)."""
        why = ""
        if match.other_chain is not None:
            names = self.chains.names
            why = (
                f"名称相同（{match.because}），产业链却不同：已有的在「{names.get(match.other_chain, '')}」，"
                f"本行是「{names.get(chain, '')}」"
            )
        elif match.likeness is Likeness.core:
            why = "去掉企业名称和「项目」「工程」「生产」「建设」等字后名称相同"
        if other_unit is not None:
            units = self.units.names
            lead = "；" if why else "名称相同，" if match.exact else "名称相近，"
            why += (
                f"{lead}单位却不同：已有的是「{units.get(match.unit or 0, '')}」的项目，"
                f"本行是「{units.get(other_unit[1], '')}」的（{other_unit[0]}）"
            )
        return why

    def _decide_duplicate(self, r: ItemRow, match: Found, title: str, origin_id: int | None, chain: int) -> bool:
        existing_id, existing_title, exact = match.rid, match.name, match.exact
        pending = self.new.get(existing_id)
        choice = self.settings.opts.on_duplicate
        same: bool | None = None
        cur: Current | None = None
        if exact and choice is not OnDuplicate.new:
            if pending is not None:
                same = decide.same_row(pending, r.values)
            else:
                cur = self._load_current({existing_id}).get(existing_id)
                if cur is not None:
                    self._settle_stage(r, cur)
                same = cur is not None and not self._diff(r, cur).shown
        other_unit = self._other_unit(r, pending.common.get("unit_id") if pending is not None else match.unit)
        decision = decide.for_duplicate(
            exact=exact, choice=choice, earlier_row=pending is not None, same=same,
            other_chain=match.other_chain is not None, other_unit=other_unit is not None,
        )  # fmt: skip
        if decision is Decision.reject and other_unit is not None:  # not another unit's project
            units = self.units.names
            theirs, ours = units.get(match.unit or 0, ""), units.get(other_unit[1], "")
            fix = (
                f"本行的{other_unit[0]}"
                if other_unit[0] not in ("填报单位", "标题")
                else f"表头的{other_unit[0]}或加「责任单位」列"
            )
            self._fail(
                r, other_unit[0], ours,
                f"与编号 {existing_id}「{existing_title}」{'名称相同' if exact else '名称相近'}，单位却不同："
                f"已有的是「{theirs}」的项目，本行是「{ours}」的。"
                f"{option('on_duplicate')} update 不会把一个单位的项目改到另一个单位名下：是两个项目"
                f"（同名项目常见）请用 {option('on_duplicate')} new 或把名称写得能区分开；确是同一项目，"
                f"请核实后改正{fix}（或先 zs edit {existing_id} 责任单位={ours}）",
            )  # fmt: skip
            return False
        if decision is Decision.reject and match.other_chain is not None:  # not moved to another chain
            names = self.chains.names
            column = column_of(r, "chain")
            self._fail(
                r, "产业链" if column == "chain" else column, names.get(chain, ""),
                f"与编号 {existing_id}「{existing_title}」名称相同（{match.because}），产业链却不同：已有的在"
                f"「{names.get(match.other_chain, '')}」，本行是「{names.get(chain, '')}」。{option('on_duplicate')} "
                f"update 不会把项目挪到别的产业链：是同一项目请改正本行的产业链"
                f"（或先 zs edit {existing_id} 产业链=…）；"
                f"是两个项目请把名称写得能区分开，或用 {option('on_duplicate')} new",
            )  # fmt: skip
            return False
        if decision is Decision.unchanged:
            if r.ref is not None:
                self.ids.file_ids[r.ref] = existing_id
            if cur is not None:
                # the same item, identical: nothing to ask; with --on-duplicate update a
                # roll-up links it to the office's 编号 for next month
                if choice is OnDuplicate.update and origin_id is not None and cur.origin is None:
                    self._link(cur.id, origin_id)
                self.submission.sent_again(cur.id, r.sheet.raw.name, r.number)
            r.sheet.report.count(RowOutcome.unchanged, r.number)
            return False
        action = decide.duplicate_action(choice)
        if pending is not None:  # a row of this file: it has no 编号 yet
            here = f"本文件「{pending.row.sheet.raw.name}」第{pending.row.number}行"
        else:
            here = "本文件较早的一行" if existing_id >= self.ids.first_new_id else ""
        why = self._why(match, chain, other_unit)
        self.report.duplicates.append(
            Duplicate(
                r.sheet.raw.name, r.number, title, existing_id, existing_title, action, existing_where=here, why=why
            )
        )
        if decision in (Decision.ask, Decision.skip) and r.ref is not None:
            self.ids.skipped_refs.add(r.ref)
        if decision is Decision.ask:
            if self.rejects is not None:
                self.rejects.add(
                    r.sheet.raw.name,
                    r.sheet.header,
                    r.number,
                    r.cells,
                    [f"疑似与{here or f'编号 {existing_id}'}「{existing_title}」重复" + (f"：{why}" if why else "")],
                )
            r.sheet.report.count(RowOutcome.rejected, r.number)
            return False
        if decision is Decision.skip:
            r.sheet.report.count(RowOutcome.skipped, r.number)
            return False
        if decision is Decision.add:
            return True
        if decision is Decision.merge:
            assert pending is not None
            self._merge(r, pending, existing_id, title, chain)
            return False
        cur = self._load_current({existing_id}).get(existing_id)
        if cur is None:
            return True
        if r.ref is not None:
            self.ids.file_ids[r.ref] = cur.id
        link = origin_id if (origin_id is not None and cur.origin is None) else None
        self._update(r, cur, link=link)
        return False

    def _merge(self, r: ItemRow, pending: NewItem, item_id: int, title: str, chain: int) -> None:
        """Row ``r`` (in ``chain``) is the same project as the earlier row of this file that made
        ``pending`` (开工项目 after 签约项目): one item, with what both say (:func:`.decide.merged`)."""
        first = pending.row
        if chain != pending.common["chain_id"]:
            names = self.chains.names
            here = f"「{first.sheet.raw.name}」第{first.number}行（{names.get(pending.common['chain_id'], '')}）"
            column = column_of(r, "chain")
            self._fail(
                r, "产业链" if column == "chain" else column, names.get(chain, ""),
                f"与{here}是同一项目「{title}」，产业链却不同：同一项目在一个文件里只能在一条产业链下，"
                "请核对后改成一致再导入；确是两个项目，请把名称写得能区分开",
            )  # fmt: skip
            return
        other_unit = self._other_unit(r, pending.common.get("unit_id"))
        if other_unit is not None:
            units = self.units.names
            their_id = pending.common.get("unit_id")
            theirs = units.get(their_id if isinstance(their_id, int) else 0, "")
            ours = units.get(other_unit[1], "")
            self._fail(
                r, other_unit[0], ours,
                f"与本文件「{first.sheet.raw.name}」第{first.number}行是同名项目「{title}」，单位却不同："
                f"那一行是「{theirs}」的，本行是「{ours}」的：一个项目只属于一个单位。是两个项目（同名项目常见）"
                f"请用 {option('on_duplicate')} new 或把名称写得能区分开；确是同一项目，请把两行的单位改成一致",
            )  # fmt: skip
            return
        if self._disagrees(r, item_id, first, title):
            return
        merged = decide.merged(pending, r.values)
        pending.common.update(merged.common)
        pending.own.update(merged.own)
        pending.status = merged.status
        if pending.log is not None:
            # one item, one set of facts: its history is worked out again from every sheet's
            # dates (签约日期 from 签约项目, 开工日期 from 开工项目), not left at the first row's
            counted = len(pending.log) - 1  # the moves already counted for the first row
            try:
                pending.log = self._history(r, pending.kind, pending.status, pending.own, counted=counted)
            except stages.StageDateError as exc:
                bad = exc.keys[0] if exc.keys else None
                value = pending.status if bad == "status" else pending.own.get(bad) if bad else None
                self._fail(r, column_of(r, bad) if bad else "", value, exc.message)
                return
        self.inferred.add(
            Rule.same_item, r.sheet.raw.name, str(title), f"「{first.sheet.raw.name}」第{first.number}行",
            f"与「{first.sheet.raw.name}」第{first.number}行是同一项目「{title}」：两行合为一个条目，各取本表的日期",
            row=r.number,
        )  # fmt: skip
        r.sheet.report.count(RowOutcome.updated, r.number)

    def _disagrees(self, r: ItemRow, item_id: int, first: ItemRow, title: str) -> bool:
        """Refuse ``r`` when it says another figure than an earlier row of the same project (on
        another sheet, or further up): True when refused."""
        problem = self.same_project.disagreement(
            r, item_id, first, title, fields=self._fields(r.kind), unit_names=self.units.names
        )
        if problem is None:
            return False
        r.problems.append(problem)
        self._reject(r)
        return True

    def _link(self, item_id: int, origin_id: int) -> None:
        """From now on our item ``item_id`` is the office's item ``origin_id``."""
        self.settle()
        self.db.conn.execute(
            "UPDATE items SET origin = ?, origin_id = ? WHERE id = ?", (self.settings.origin, origin_id, item_id)
        )
        self.ids.origin_ids[origin_id] = item_id
        self.report.linked += 1

    def _insert_new(self) -> None:
        """Write this batch's new items: the rows are built here, the SQL (rows, history,
        stage log, search index) runs on the writer thread while the next batch is parsed."""
        if not self.new:
            return
        new, self.new = list(self.new.values()), {}
        self.out.add_items(
            new,
            origin=self.settings.origin if self.has_moves else None,
            today=self.settings.today,
            index=not self.settings.opts.dry_run,
        )

    def _fail(self, r: ItemRow, column: str, value: object, reason: str) -> None:
        r.problems.append(Problem(r.sheet.raw.name, r.number, column, value, reason))
        self._reject(r)

    def _reject(self, r: ItemRow) -> None:
        if r.ref is not None:
            self.ids.skipped_refs.add(r.ref)
        self.report.problems.extend(r.problems)
        r.sheet.report.count(RowOutcome.rejected, r.number)
        if self.rejects is not None:
            self.rejects.add(r.sheet.raw.name, r.sheet.header, r.number, r.cells, [p.reason for p in r.problems])
