"""The shape of exported files: which sheets, which columns, in which order, of which type.

Export, templates and import share this one description, so a column written by ``export``
is always a column ``import`` understands.  Item sheets follow the YAML definitions (a field
added there becomes a column everywhere); the other sheets (产业链, 招商主体, 对接记录, 到位资金,
前期手续, 服务专班, 阶段变更) are fixed here.

A :class:`Col` has an ASCII ``key`` (JSON/YAML key, SQL column), a Chinese ``header`` (Excel,
CSV) and a cell ``type`` that decides how values are written and read back.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..definitions import Definitions, FieldDef, KindDef

#: Names of the sheets that are not item lists, by role.  Import accepts the Chinese name,
#: the ASCII key and these aliases (simplified or traditional).
SUMMARY = "汇总"
INSTRUCTIONS = "填写说明"
LISTS_SHEET = "_lists"
META_SHEET = "_meta"
#: the sheet of an export listing what the office returned (报送 → 认定), for the unit to fix
RETURNS_SHEET = "退回"

#: Cell types: how a value is written to a file and read back.
#: id/int/ref: whole numbers; money/number: numbers; date: date cells; datetime: date-time
#: cells (read-only timestamps); month: "YYYY-MM" text; bool: 是/否; phone: text that must
#: stay text; text/enum/multi: text.
CELL_TYPES = (
    "id",
    "int",
    "ref",
    "money",
    "number",
    "date",
    "datetime",
    "month",
    "bool",
    "phone",
    "text",
    "enum",
    "multi",
)


#: Types written as numbers (right-aligned, numeric cells).
NUMERIC = frozenset({"id", "int", "ref", "money", "number"})


@dataclass(frozen=True)
class Col:
    key: str
    header: str
    type: str = "text"
    width: float = 12
    #: drop-down values written into the file (enum values, statuses, 是/否 …)
    choices: tuple[str, ...] = ()
    #: a list filled from the database when the file is written: "chains" or "units"
    source: str | None = None
    #: shown for information only; import ignores it
    readonly: bool = False
    #: hidden by ``--mask`` (phone numbers and other contact details)
    sensitive: bool = False
    #: the YAML field behind an item column (None for fixed columns)
    field: FieldDef | None = None
    #: unit of a money column (万元 / 万美元), for the 填写说明 sheet
    unit: str = ""
    help: str = ""


@dataclass(frozen=True)
class SheetSpec:
    """One sheet (or one CSV file, or one JSON key) of an export."""

    key: str
    """ASCII key: a kind key (``targets``), ``items`` for all kinds together, or one of
    ``chains units activities funds approvals team status_log``."""
    name: str
    """Chinese sheet name: the kind's name (招什么) or 产业链 / 招商主体 / …"""
    cols: tuple[Col, ...]
    kind: KindDef | None = None
    aliases: tuple[str, ...] = ()
    importable: bool = True
    #: number of leading columns to freeze (besides the header row)
    freeze: int = 1
    notes: tuple[str, ...] = field(default=())
    #: words that, anywhere in a sheet's name (「2026年10月资金到位情况表」), say it is this sheet
    name_words: tuple[str, ...] = ()

    def col(self, key: str) -> Col:
        for c in self.cols:
            if c.key == key:
                return c
        raise KeyError(key)


# ---------------------------------------------------------------------------------------
# Item sheets
# ---------------------------------------------------------------------------------------

#: Common columns before the kind's own fields, and after them.
_LEAD = ("id", "title", "chain", "status", "owner", "unit", "due")
_TAIL = ("notes", "created_at", "updated_at", "closed_at")
READONLY_ITEM_KEYS = frozenset({"created_at", "updated_at", "closed_at"})


def _field_width(f: FieldDef) -> float:
    if f.ftype.width:
        return f.ftype.width
    if f.type in ("money", "number"):
        return max(12, len(f.header) * 2 + 2)
    if f.type in ("enum", "bool"):
        longest = max((len(v) for v in f.value_names()), default=2)
        return max(8, len(f.label) * 2 + 4, longest * 2 + 4)
    return max(12, len(f.label) * 2 + 4)


def field_col(f: FieldDef, *, label: str | None = None) -> Col:
    """The column of a YAML field."""
    ctype = f.ftype.cell
    choices: tuple[str, ...] = ()
    if f.type == "enum":
        choices = tuple(f.value_names())
    elif f.type == "bool":
        choices = ("是", "否")
    header = f.header if label is None else label
    return Col(
        key=f.key,
        header=header,
        type=ctype,
        width=_field_width(f),
        choices=choices,
        sensitive=f.sensitive,
        field=f,
        unit=f.unit_label,
        help=f.help,
    )


def _common_col(defs: Definitions, kind: KindDef | None, key: str) -> Col:
    f = kind.title if (kind is not None and key == "title") else defs.common_field(key)
    if key == "id":
        return Col("id", f.label, "id", 8, field=f, help="本库编号；新条目留空")
    if key == "title":
        return Col("title", f.label, "text", 30, field=f, help="必填")
    if key == "chain":
        return Col("chain", f.label, "text", 14, source="chains", field=f, help="必填；须是已有的产业链")
    if key == "status":
        statuses = tuple(kind.status_names()) if kind is not None else ()
        return Col("status", f.label, "enum", 10, choices=statuses, field=f, help="留空为初始状态")
    if key == "owner":
        return Col("owner", f.label, "text", 10, field=f)
    if key == "unit":
        return Col("unit", f.label, "text", 14, source="units", field=f, help="须是已有的招商主体")
    if key == "due":
        return Col("due", f.label, "date", 12, field=f)
    if key == "notes":
        return Col("notes", f.label, "text", 30, field=f)
    if key in READONLY_ITEM_KEYS:
        return Col(key, f.label, "datetime", 17, readonly=True, field=f, help="系统记录，导入时忽略")
    raise KeyError(key)


def item_sheet(defs: Definitions, kind: KindDef) -> SheetSpec:
    """The sheet of one kind: 编号, 名称, 产业链, 状态, 责任人, 责任单位, 时限, the kind's
    fields in YAML order, 备注, then the read-only timestamps."""
    cols = [_common_col(defs, kind, k) for k in _LEAD]
    cols += [field_col(f) for f in kind.fields]
    cols += [_common_col(defs, kind, k) for k in _TAIL]
    return SheetSpec(kind.key, kind.name, tuple(cols), kind=kind, aliases=(kind.key, *kind.aliases), freeze=2)


def mixed_item_sheet(defs: Definitions, kinds: list[KindDef]) -> SheetSpec:
    """All kinds in one table (CSV without ``--kind``): a 清单 column says each row's kind;
    fields of the same label in several kinds share one column."""
    kind_col = Col("kind", defs.common_field("kind").label, "enum", 10, choices=tuple(k.name for k in kinds))
    cols = [_common_col(defs, None, "id"), kind_col]
    cols += [_common_col(defs, None, k) for k in _LEAD[1:]]
    seen: dict[str, Col] = {}
    for k in kinds:
        for f in k.fields:
            if f.header not in seen:
                seen[f.header] = field_col(f)
    cols += list(seen.values())
    cols += [_common_col(defs, None, k) for k in _TAIL]
    return SheetSpec("items", "清单条目", tuple(cols), aliases=("items", "条目", "全部清单"), freeze=2)


# ---------------------------------------------------------------------------------------
# The other sheets
# ---------------------------------------------------------------------------------------


def _unit_types() -> tuple[str, ...]:
    from ..lookups import UNIT

    return next(c.choices for c in UNIT.columns if c.key == "type")


def _activity_types() -> tuple[str, ...]:
    from ..pipeline.activities import ACTIVITY_TYPES

    return ACTIVITY_TYPES


def _team_roles() -> tuple[str, ...]:
    from ..pipeline.team import STANDARD_ROLES

    return STANDARD_ROLES


def _item_ref_cols(title: str = "名称") -> list[Col]:
    return [
        Col("item_id", "条目编号", "ref", 9, help="对应清单工作表中的编号"),
        Col("item_title", title, "text", 28, readonly=True, help="仅供查看"),
        Col("item_chain", "产业链", "text", 12, readonly=True, help="仅供查看"),
    ]


def chains_sheet() -> SheetSpec:
    return SheetSpec(
        "chains",
        "产业链",
        (
            Col("id", "编号", "id", 7),
            Col("name", "名称", "text", 16, help="必填"),
            Col("leader", "包保领导", "text", 20),
            Col("lead_unit", "牵头单位", "text", 14),
            Col("coop_units", "配合单位", "text", 24),
            Col("task_force", "专班", "text", 24),
            Col("description", "说明", "text", 30),
        ),
        aliases=("chains", "产业链清单", "產業鏈"),
    )


def units_sheet() -> SheetSpec:
    return SheetSpec(
        "units",
        "招商主体",
        (
            Col("id", "编号", "id", 7),
            Col("name", "名称", "text", 18, help="必填"),
            Col("type", "类型", "enum", 10, choices=_unit_types()),
            Col("leader", "负责人", "text", 12),
            Col("contact", "联系人", "text", 16, sensitive=True),
            Col("ranked", "参加排名", "bool", 10, choices=("是", "否")),
        ),
        aliases=("units", "责任单位", "招商主體", "单位"),
    )


def activities_sheet() -> SheetSpec:
    return SheetSpec(
        "activities",
        "对接记录",
        (
            Col("id", "记录号", "id", 8, help="本库记录号；新记录留空"),
            *_item_ref_cols(),
            Col("type", "方式", "enum", 8, choices=_activity_types()),
            Col("date", "日期", "date", 12, help="必填"),
            Col("summary", "内容", "text", 40, help="必填"),
            Col("next_date", "下次跟进", "date", 12),
            Col("user", "记录人", "text", 10),
        ),
        aliases=("activities", "對接記錄", "对接", "走访记录"),
        name_words=("对接记录", "走访记录"),
    )


def funds_sheet() -> SheetSpec:
    return SheetSpec(
        "funds",
        "到位资金",
        (
            *_item_ref_cols("项目名称"),
            Col("month", "月份", "month", 9, help="必填，如 2026-03"),
            Col("domestic", "国内资金（万元）", "money", 16, unit="万元"),
            Col("foreign_usd", "外资（万美元）", "money", 14, unit="万美元"),
            Col("user", "填报人", "text", 10),
            _review_col(),
        ),
        aliases=("funds", "到位資金", "资金到位", "实际到位资金"),
        name_words=("到位资金", "资金到位", "实际到位", "到位内资", "到位外资"),
    )


def approvals_sheet(steps: tuple[str, ...]) -> SheetSpec:
    return SheetSpec(
        "approvals",
        "前期手续",
        (
            *_item_ref_cols("项目名称"),
            Col("step", "手续", "enum", 14, choices=steps, help="必填"),
            Col("date", "办结日期", "date", 12),
            Col("note", "备注", "text", 30),
        ),
        aliases=("approvals", "前期手續", "手续办理"),
        name_words=("前期手续", "手续办理"),
    )


def team_sheet() -> SheetSpec:
    return SheetSpec(
        "team",
        "服务专班",
        (
            *_item_ref_cols(),
            Col("role", "角色", "text", 12, choices=_team_roles(), help="必填"),
            Col("name", "姓名", "text", 10, help="必填"),
            Col("org", "单位", "text", 18),
            Col("phone", "电话", "phone", 15, sensitive=True),
        ),
        aliases=("team", "team_members", "服务專班", "专班成员"),
        name_words=("服务专班", "专班成员"),
    )


def _review_col() -> Col:
    """A row's review state (报送 → 认定), as people read it; for reading, never imported."""
    return Col("review", "认定状态", "text", 8, readonly=True, help="已认定 / 待认定 / 已退回（只有已认定的计入统计）")


def status_log_sheet() -> SheetSpec:
    return SheetSpec(
        "status_log",
        "阶段变更",
        (
            *_item_ref_cols(),
            Col("date", "日期", "date", 12),
            Col("from_status", "原状态", "text", 10),
            Col("to_status", "新状态", "text", 10),
            Col("reason", "原因", "text", 24),
            Col("flag", "标记", "text", 8),
            Col("user", "操作人", "text", 10),
            _review_col(),
        ),
        aliases=("status_log", "阶段变更记录", "階段變更", "状态变更"),
        importable=False,
    )


def returns_sheet() -> SheetSpec:
    """What the office returned and the unit has not sent again (written only when there is
    any; never imported: the unit fixes the item's row and sends it again)."""
    return SheetSpec(
        "returns",
        RETURNS_SHEET,
        (
            *_item_ref_cols(),
            Col("what", "退回的报送", "text", 34, readonly=True),
            Col("reason", "退回原因", "text", 30, readonly=True),
            Col("by", "退回人", "text", 10, readonly=True),
            Col("at", "退回时间", "text", 18, readonly=True),
            Col("source", "来源", "text", 34, readonly=True),
        ),
        aliases=("returns", "退回记录", "已退回"),
        importable=False,
    )


def detail_sheets(defs: Definitions) -> list[SheetSpec]:
    """The sheets after the item lists, in workbook order."""
    steps: list[str] = []
    for k in defs.kinds:
        for s in k.approvals:
            if s not in steps:
                steps.append(s)
    return [
        chains_sheet(),
        units_sheet(),
        activities_sheet(),
        funds_sheet(),
        approvals_sheet(tuple(steps)),
        team_sheet(),
        status_log_sheet(),
    ]


#: The flag values of status_log as people read them.
