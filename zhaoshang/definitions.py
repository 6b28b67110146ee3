"""Checklist definitions: the seven kinds, parsed once from ``checklists/*.yaml``.

Each YAML file is validated into frozen dataclasses that reject unknown keys and bad values
with a one-line Chinese error naming the file and the key.  A kind's YAML is the single
source of its fields: adding a field there makes it usable by storage, ``add``/``edit``,
``list`` filters, Excel columns and import with no code change.

The parsed result is cached (as JSON, keyed by the files' sizes and modification times) in
the user's cache directory, so that ordinary commands do not pay for importing PyYAML.
"""

from __future__ import annotations

import builtins
import contextlib
import difflib
import hashlib
import json
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, fields, is_dataclass
from pathlib import Path
from typing import Any

from .errors import NotFoundError, ZsError
from .fieldtypes import TYPES, FieldType

FIELD_TYPES = tuple(TYPES)
CURRENCIES = {"CNY": "万元", "USD": "万美元"}
SQL_TYPES = {t.name: t.sql for t in TYPES.values()}
#: Keys of the columns every item has, in display order.
COMMON_KEYS = (
    "id",
    "kind",
    "chain",
    "title",
    "status",
    "owner",
    "unit",
    "due",
    "notes",
    "created_at",
    "updated_at",
    "closed_at",
)
RESERVED_KEYS = frozenset(COMMON_KEYS) | {"chain_id", "unit_id", "origin", "origin_id"}
#: the field that identifies a project across files that carry no 编号 of ours (项目编码: the
#: code of the national investment-project approval platform); indexed, and matched on import
IDENTITY_FIELD = "project_code"


@dataclass(frozen=True)
class EnumValue:
    name: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class FieldDef:
    key: str
    label: str
    type: str = "text"
    aliases: tuple[str, ...] = ()
    values: tuple[EnumValue, ...] = ()
    default: Any = None
    required: bool = False
    sensitive: bool = False
    currency: str = "CNY"
    help: str = ""
    common: bool = False
    #: which columns a table too wide for the terminal drops first: 1 is kept longest, 9 goes first
    column_priority: int = 5

    @property
    def unit_label(self) -> str:
        """The unit of a money field (万元 or 万美元), else an empty string."""
        return CURRENCIES[self.currency] if self.type == "money" else ""

    @property
    def header(self) -> str:
        """Column header for tables and Excel: the label with its unit."""
        return f"{self.label}（{self.unit_label}）" if self.unit_label else self.label

    @property
    def sql_type(self) -> str:
        return SQL_TYPES[self.type]

    @property
    def ftype(self) -> FieldType:
        """Everything that depends on the field's type (:mod:`zhaoshang.fieldtypes`)."""
        return TYPES[self.type]

    def value_names(self) -> list[str]:
        return [v.name for v in self.values]


@dataclass(frozen=True)
class StatusDef:
    name: str
    aliases: tuple[str, ...] = ()
    terminal: bool = False
    requires_reason: bool = False
    #: at most this many days in this status (阶段停滞预警)
    limit_days: int | None = None
    #: at most this many days without a contact (activity) while in this status
    contact_days: int | None = None
    #: a date field of the kind filled with the effective date the first time the status is reached
    date_field: str | None = None
    #: before the pipeline (谋划储备: a project packaged before any investor exists): not one of
    #: the ordered stages, never counted as reaching one; it moves into any stage plainly
    reserve: bool = False


@dataclass(frozen=True)
class KindDef:
    key: str
    name: str
    aliases: tuple[str, ...]
    description: str
    order: int
    title: FieldDef
    statuses: tuple[StatusDef, ...]
    default_status: str
    close_status: str
    fields: tuple[FieldDef, ...]
    pipeline: bool = False
    #: an open item should have a contact (activity) or status change at least every N days
    limit_days: int | None = None
    source: str = ""
    #: 前期手续 steps in order (only kinds with projects define them)
    approvals: tuple[str, ...] = ()
    #: the two steps whose distance in days is the approval speed (拿地到施工许可)
    approval_speed: tuple[str, str] | None = None
    #: key of the enum field whose values, in order, are the escalation ladder (本级→市级→省级→国家)
    escalation: str | None = None

    @property
    def table(self) -> str:
        """Name of the SQL table holding this kind's own fields."""
        return f"kind_{self.key}"

    def status(self, name: str) -> StatusDef:
        for s in self.statuses:
            if s.name == name:
                return s
        raise KeyError(name)

    def status_names(self) -> list[str]:
        return [s.name for s in self.statuses]

    def terminal_statuses(self) -> list[str]:
        return [s.name for s in self.statuses if s.terminal]

    def field(self, key: str) -> FieldDef:
        for f in self.fields:
            if f.key == key:
                return f
        raise KeyError(key)


@dataclass(frozen=True)
class Definitions:
    common: tuple[FieldDef, ...]
    kinds: tuple[KindDef, ...]
    source_dir: str = ""
    fingerprint: str = ""

    # -- lookups -----------------------------------------------------------------------
    def kind(self, name: str) -> KindDef:
        """A kind by key, Chinese name or alias (simplified or traditional)."""
        from .parse import normalize_key

        wanted = normalize_key(name)
        for k in self.kinds:
            if wanted in {normalize_key(x) for x in (k.key, k.name, *k.aliases)}:
                return k
        names = [k.name for k in self.kinds]
        close = _closest(name, [*names, *(k.key for k in self.kinds)])
        hint = f"，是不是「{close}」？" if close else "。"
        raise NotFoundError(
            f"没有「{name}」这个清单{hint}可用：" + "、".join(f"{k.key}（{k.name}）" for k in self.kinds)
        )

    def kind_by_key(self, key: str) -> KindDef:
        for k in self.kinds:
            if k.key == key:
                return k
        raise NotFoundError(f"数据库中有未定义的清单类型「{key}」：请恢复它的 YAML 定义")

    def common_field(self, key: str) -> FieldDef:
        for f in self.common:
            if f.key == key:
                return f
        raise KeyError(key)

    def fields_of(self, kind: KindDef | None) -> list[FieldDef]:
        """Every field of a kind (common ones first, with the kind's title label), or the
        common fields alone when ``kind`` is None."""
        out: list[FieldDef] = []
        for f in self.common:
            out.append(kind.title if (kind is not None and f.key == "title") else f)
        if kind is not None:
            out.extend(kind.fields)
        return out

    def field(self, kind: KindDef | None, name: str) -> FieldDef:
        """A field by key, Chinese label or alias (simplified or traditional)."""
        from .parse import normalize_key

        fields = self.fields_of(kind)
        # a key or label beats an alias, and the kind's own fields beat the common ones
        # (找谁招「单位」is its own field, not the common 责任单位 whose alias is 单位)
        own = [f for f in fields if not f.common]
        shared = [f for f in fields if f.common]
        for f in (*own, *shared):  # (a key as it is: no need to fold every alias of the kind)
            if f.key == name:
                return f
        wanted = normalize_key(name)
        for group, names in (
            (own, lambda f: (f.key, f.label, f.header)),
            (shared, lambda f: (f.key, f.label, f.header)),
            (own, lambda f: f.aliases),
            (shared, lambda f: f.aliases),
        ):
            for f in group:
                if wanted in {normalize_key(x) for x in names(f)}:
                    return f
        # a common field is also reachable by its common label when the kind renames it
        for f in self.common:
            if wanted in {normalize_key(x) for x in (f.key, f.label, *f.aliases)}:
                return kind.title if (kind is not None and f.key == "title") else f
        labels = [f.label for f in fields]
        close = _closest(name, labels + [f.key for f in fields])
        where = f"「{kind.name}」清单" if kind else "公共字段"
        hint = f"是不是「{close}」？" if close else ""
        raise NotFoundError(f"{where}没有「{name}」这个字段。{hint}可用字段：" + "、".join(labels))

    def all_fields(self) -> Iterable[tuple[KindDef, FieldDef]]:
        for k in self.kinds:
            for f in k.fields:
                yield k, f


def _closest(name: str, options: list[str]) -> str | None:
    from .parse import normalize_key

    norm = {normalize_key(o): o for o in options}
    hits = difflib.get_close_matches(normalize_key(name), list(norm), n=1, cutoff=0.5)
    return norm[hits[0]] if hits else None


# ---------------------------------------------------------------------------------------
# Loading and validation
# ---------------------------------------------------------------------------------------


def default_dir() -> Path:
    """Where the definitions are: ``$ZHAOSHANG_CHECKLISTS``, else the installed package's
    ``zhaoshang/checklists`` (which is the repository's top-level ``checklists/``)."""
    env = os.environ.get("ZHAOSHANG_CHECKLISTS")
    if env:
        return Path(env)
    here = Path(__file__).resolve().parent
    installed = here / "checklists"
    if installed.is_dir():
        return installed
    return here.parent / "checklists"


def _files(directory: Path) -> list[Path]:
    if not directory.is_dir():
        raise ZsError(f"找不到清单定义目录「{directory}」：请检查 ZHAOSHANG_CHECKLISTS 或重新安装")
    return sorted(p for p in directory.glob("*.yaml") if p.is_file())


def _stamp(files: list[Path]) -> str:
    h = hashlib.sha1()
    for p in files:
        st = p.stat()
        h.update(f"{p}:{st.st_size}:{st.st_mtime_ns}\n".encode())
    return h.hexdigest()


def _cache_path(stamp: str) -> Path | None:
    base = os.environ.get("ZHAOSHANG_CACHE")
    if base == "":
        return None
    if base is None:
        xdg = os.environ.get("XDG_CACHE_HOME")
        root = Path(xdg) if xdg else Path.home() / ".cache"
        base = str(root / "zhaoshang")
    return Path(base) / f"definitions-{stamp}.json"


_LOADED: dict[str, Definitions] = {}


def load(directory: Path | None = None) -> Definitions:
    """Parse and validate every ``*.yaml`` in ``directory`` (memoised per process)."""
    directory = (directory or default_dir()).resolve()
    files = _files(directory)
    stamp = _stamp(files)
    memo = _LOADED.get(stamp)
    if memo is not None:
        return memo
    cache = _cache_path(stamp)
    raw: dict[str, Any] | None = None
    if cache is not None and cache.is_file():
        try:
            raw = json.loads(cache.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raw = None
    if raw is None:
        raw = {"files": {p.name: _read_yaml(p) for p in files}}
        if cache is not None:
            try:
                cache.parent.mkdir(parents=True, exist_ok=True)
                # an exclusive, unpredictable temporary name (never a planted link followed)
                fd, tmp = tempfile.mkstemp(prefix=f".{cache.name}.", suffix=".tmp", dir=cache.parent)
                try:
                    with os.fdopen(fd, "w", encoding="utf-8") as fh:
                        fh.write(json.dumps(raw, ensure_ascii=False, default=str))
                    os.replace(tmp, cache)
                finally:
                    with contextlib.suppress(OSError):
                        os.unlink(tmp)
            except OSError:
                pass
    defs = _build(raw["files"], directory)
    _LOADED[stamp] = defs
    return defs


def _read_yaml(path: Path) -> Any:
    """One definition file, through the bounded loader (size, aliases, merge keys, repeated
    keys: see :mod:`zhaoshang.limits`)."""
    import yaml

    from .limits import MAX_DEFINITION_BYTES, load_yaml, read_bounded, yaml_reason

    label = f"清单定义文件「{path.name}」"
    try:
        text = read_bounded(path, label, MAX_DEFINITION_BYTES).decode("utf-8")
        return load_yaml(text, label)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise ZsError(f"{label}{where}不是有效的 YAML：{yaml_reason(exc)}") from None
    except UnicodeDecodeError:
        raise ZsError(f"{label}不是 UTF-8 编码：请另存为 UTF-8") from None
    except RecursionError:
        raise ZsError(f"{label}嵌套层数过深：请检查它的缩进和括号") from None


class _Spec:
    """Validates one mapping from a YAML file: known keys only, typed values."""

    def __init__(self, data: Any, file: str, where: str) -> None:
        if not isinstance(data, dict):
            raise ZsError(f"清单定义「{file}」中 {where} 应是键值映射")
        self.data: dict[str, Any] = data
        self.file = file
        self.where = where

    def check_keys(self, allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        for k in self.data:
            if k not in allowed:
                close = difflib.get_close_matches(str(k), sorted(allowed), n=1)
                hint = f"，是不是「{close[0]}」？" if close else ""
                raise ZsError(
                    f"清单定义「{self.file}」中 {self.where} 有未知的键「{k}」{hint}"
                    f"允许的键：{'、'.join(sorted(allowed))}"
                )

    def _err(self, key: str, msg: str) -> ZsError:
        return ZsError(f"清单定义「{self.file}」中 {self.where}.{key} {msg}")

    def str(self, key: builtins.str, default: builtins.str | None = None) -> builtins.str:
        v = self.data.get(key, default)
        if v is None:
            raise self._err(key, "不能为空")
        if isinstance(v, bool) or not isinstance(v, builtins.str | int | float):
            raise self._err(key, "应是文字")
        return str(v)

    def opt_str(self, key: builtins.str) -> builtins.str | None:
        return self.str(key) if self.data.get(key) is not None else None

    def bool(self, key: builtins.str, default: bool = False) -> bool:
        v = self.data.get(key, default)
        if not isinstance(v, bool):
            raise self._err(key, "应是 true 或 false")
        return v

    def opt_int(self, key: builtins.str) -> int | None:
        v = self.data.get(key)
        if v is None:
            return None
        if isinstance(v, bool) or not isinstance(v, int) or v <= 0:
            raise self._err(key, "应是正整数（天数）")
        return v

    def int(self, key: builtins.str, default: int) -> int:
        v = self.data.get(key, default)
        if isinstance(v, bool) or not isinstance(v, int):
            raise self._err(key, "应是整数")
        return v

    def strs(self, key: builtins.str) -> tuple[builtins.str, ...]:
        v = self.data.get(key, [])
        if v is None:
            return ()
        if not isinstance(v, list) or not all(
            isinstance(x, builtins.str | int | float) and not isinstance(x, bool) for x in v
        ):
            raise self._err(key, "应是文字列表，如 [名称, 名稱]")
        return tuple(str(x) for x in v)

    def list(self, key: builtins.str) -> list[Any]:
        v = self.data.get(key, [])
        if not isinstance(v, list):
            raise self._err(key, "应是列表")
        return v


_FIELD_KEYS = (
    "key",
    "label",
    "type",
    "aliases",
    "values",
    "default",
    "required",
    "sensitive",
    "currency",
    "help",
    "column_priority",
)


def _field(data: Any, file: str, where: str, *, common: bool = False) -> FieldDef:
    s = _Spec(data, file, where)
    s.check_keys(_FIELD_KEYS)
    key = s.str("key")
    if not key.isascii() or not key.replace("_", "").isalnum() or not key[0].isalpha():
        raise s._err("key", f"「{key}」应是英文小写字母、数字和下划线，以字母开头")
    if key != key.lower():
        raise s._err("key", f"「{key}」应全部小写")
    ftype = s.str("type", "text")
    if ftype not in FIELD_TYPES:
        raise s._err("type", f"「{ftype}」不是可用的类型：{'、'.join(FIELD_TYPES)}")
    currency = s.str("currency", "CNY")
    if currency not in CURRENCIES:
        raise s._err("currency", f"「{currency}」应是 CNY（万元）或 USD（万美元）")
    values: list[EnumValue] = []
    for i, v in enumerate(s.list("values")):
        if isinstance(v, str | int) and not isinstance(v, bool):
            values.append(EnumValue(str(v)))
            continue
        vs = _Spec(v, file, f"{where}.values[{i}]")
        vs.check_keys(("name", "aliases"))
        values.append(EnumValue(vs.str("name"), vs.strs("aliases")))
    if ftype in ("enum", "multi") and not values:
        raise s._err("values", "枚举字段必须列出可选值")
    if values and ftype not in ("enum", "multi"):
        raise s._err("values", "只有 enum / multi 类型的字段可以有可选值")
    default = data.get("default")
    if default is not None and ftype in ("enum",) and str(default) not in [v.name for v in values]:
        raise s._err("default", f"「{default}」不在可选值中")
    return FieldDef(
        key=key,
        label=s.str("label"),
        type=ftype,
        aliases=s.strs("aliases"),
        values=tuple(values),
        default=default,
        required=s.bool("required"),
        sensitive=s.bool("sensitive"),
        currency=currency,
        help=s.str("help", ""),
        common=common,
        column_priority=_priority(s),
    )


def _priority(s: _Spec) -> int:
    value = s.int("column_priority", 5)
    if not 1 <= value <= 9:
        raise s._err("column_priority", f"「{value}」应是 1 到 9 的整数（1 最后隐藏，9 最先隐藏）")
    return value


_KIND_KEYS = (
    "key",
    "name",
    "aliases",
    "description",
    "order",
    "title",
    "statuses",
    "default_status",
    "close_status",
    "fields",
    "pipeline",
    "limit_days",
    "approvals",
    "approval_speed",
    "escalation",
)


def _kind(data: Any, file: str, common: tuple[FieldDef, ...]) -> KindDef:
    s = _Spec(data, file, "顶层")
    s.check_keys(_KIND_KEYS)
    key = s.str("key")
    if not key.isascii() or not key.isidentifier() or key != key.lower():
        raise s._err("key", f"「{key}」应是英文小写标识符")
    base_title = next(f for f in common if f.key == "title")
    t = _Spec(data.get("title") or {}, file, "title")
    t.check_keys(("label", "aliases"))
    title = FieldDef(
        key="title",
        label=t.str("label", base_title.label),
        type="text",
        aliases=tuple(dict.fromkeys((*t.strs("aliases"), base_title.label, *base_title.aliases))),
        required=True,
        common=True,
    )
    statuses: list[StatusDef] = []
    for i, raw in enumerate(s.list("statuses")):
        ss = _Spec(raw, file, f"statuses[{i}]")
        ss.check_keys(
            ("name", "aliases", "terminal", "requires_reason", "limit_days", "contact_days", "date_field", "reserve")
        )
        statuses.append(
            StatusDef(
                name=ss.str("name"),
                aliases=ss.strs("aliases"),
                terminal=ss.bool("terminal"),
                requires_reason=ss.bool("requires_reason"),
                limit_days=ss.opt_int("limit_days"),
                contact_days=ss.opt_int("contact_days"),
                date_field=ss.opt_str("date_field"),
                reserve=ss.bool("reserve"),
            )
        )
    if not statuses:
        raise s._err("statuses", "至少要定义一个状态")
    names = [x.name for x in statuses]
    if len(set(names)) != len(names):
        raise s._err("statuses", "有重复的状态名")
    default_status = s.str("default_status", names[0])
    if default_status not in names:
        raise s._err("default_status", f"「{default_status}」不在 statuses 中")
    terminals = [x.name for x in statuses if x.terminal]
    if not terminals:
        raise s._err("statuses", "至少要有一个终止状态（terminal: true），用于销号")
    close_status = s.str("close_status", terminals[0])
    if close_status not in terminals:
        raise s._err("close_status", f"「{close_status}」应是一个终止状态：{'、'.join(terminals)}")
    fields: list[FieldDef] = []
    for i, raw in enumerate(s.list("fields")):
        f = _field(raw, file, f"fields[{i}]")
        if f.key in RESERVED_KEYS:
            raise ZsError(f"清单定义「{file}」中 fields[{i}].key「{f.key}」是公共字段，不能重复定义")
        if any(x.key == f.key for x in fields):
            raise ZsError(f"清单定义「{file}」中字段「{f.key}」重复定义")
        fields.append(f)
    for i, st in enumerate(statuses):
        if st.date_field is not None and not any(f.key == st.date_field and f.type == "date" for f in fields):
            raise ZsError(f"清单定义「{file}」中 statuses[{i}].date_field「{st.date_field}」应是本清单的日期字段")
    escalation = s.opt_str("escalation")
    if escalation is not None and not any(f.key == escalation and f.type == "enum" for f in fields):
        raise s._err("escalation", f"「{escalation}」应是本清单的单选字段（其可选值按升级顺序排列）")
    approvals = s.strs("approvals")
    speed: tuple[str, str] | None = None
    if data.get("approval_speed") is not None:
        sp = _Spec(data["approval_speed"], file, "approval_speed")
        sp.check_keys(("from", "to"))
        speed = (sp.str("from"), sp.str("to"))
        for step in speed:
            if step not in approvals:
                raise sp._err("from/to", f"「{step}」不在 approvals 中")
    return KindDef(
        key=key,
        name=s.str("name"),
        aliases=s.strs("aliases"),
        description=s.str("description", ""),
        order=s.int("order", 99),
        title=title,
        statuses=tuple(statuses),
        default_status=default_status,
        close_status=close_status,
        fields=tuple(fields),
        pipeline=s.bool("pipeline"),
        limit_days=s.opt_int("limit_days"),
        source=file,
        approvals=approvals,
        approval_speed=speed,
        escalation=escalation,
    )


def _build(files: dict[str, Any], directory: Path) -> Definitions:
    common_raw = files.get("_common.yaml")
    if common_raw is None:
        raise ZsError(f"清单定义目录「{directory}」中缺少 _common.yaml（公共字段）")
    cs = _Spec(common_raw, "_common.yaml", "顶层")
    cs.check_keys(("fields",))
    common = tuple(_field(raw, "_common.yaml", f"fields[{i}]", common=True) for i, raw in enumerate(cs.list("fields")))
    missing = [k for k in COMMON_KEYS if k not in {f.key for f in common}]
    if missing:
        raise ZsError(f"清单定义「_common.yaml」缺少公共字段：{'、'.join(missing)}")
    kinds: list[KindDef] = []
    for name, data in files.items():
        if name.startswith("_"):  # _common.yaml above; other _*.yaml (e.g. _ranking.yaml: reports) are not kinds
            continue
        kinds.append(_kind(data, name, common))
    seen: dict[str, str] = {}
    for k in kinds:
        for label in (k.key, k.name):
            if label in seen:
                raise ZsError(f"清单定义「{k.source}」与「{seen[label]}」重复使用了「{label}」")
            seen[label] = k.source
    kinds.sort(key=lambda k: (k.order, k.key))
    lists = {name: data for name, data in files.items() if name == "_common.yaml" or not name.startswith("_")}
    fingerprint = hashlib.sha1(json.dumps(lists, sort_keys=True, ensure_ascii=False, default=str).encode()).hexdigest()
    return Definitions(common=common, kinds=tuple(kinds), source_dir=str(directory), fingerprint=fingerprint)


def kind_as_dict(kind: KindDef) -> dict[str, Any]:
    """A JSON-ready description of a kind (stored in the database, shown by ``kinds``): what
    :func:`dataclasses.asdict` gives, made without its deep copies (every command compares
    the kinds' fingerprints, made from this, with the database's: 4 ms with ``asdict``)."""
    out: dict[str, Any] = _plain(kind)
    return out


_FIELD_NAMES: dict[type, tuple[str, ...]] = {}


def _plain(value: Any) -> Any:
    kind = type(value)
    if kind in (str, int, bool, float) or value is None:
        return value
    if kind is tuple or kind is list:
        return kind(_plain(v) for v in value)
    if kind is dict:
        return {k: _plain(v) for k, v in value.items()}
    names = _FIELD_NAMES.get(kind)
    if names is None:
        if not is_dataclass(kind):
            import copy

            return copy.deepcopy(value)  # (as asdict leaves a value of another type)
        names = _FIELD_NAMES[kind] = tuple(f.name for f in fields(kind))
    return {n: _plain(getattr(value, n)) for n in names}


__all__ = [
    "COMMON_KEYS",
    "Definitions",
    "EnumValue",
    "FieldDef",
    "KindDef",
    "StatusDef",
    "load",
]


def with_synonyms(defs: Definitions, entries: list[tuple[str, str, str, str]]) -> Definitions:
    """``defs`` with more words for enum values and statuses: ``(kind key, field key, value,
    word)`` each, ``field key`` being ``status`` for the kind's statuses.  Entries naming
    what is no longer defined are left out (the definitions may have changed since)."""
    import dataclasses

    if not entries:
        return defs
    extra: dict[tuple[str, str, str], list[str]] = {}
    for kind, field_key, value, word in entries:
        extra.setdefault((kind, field_key, value), []).append(word)

    def values(kind: str, f: FieldDef) -> FieldDef:
        if f.type not in ("enum", "multi") or not any((kind, f.key, v.name) in extra for v in f.values):
            return f
        vals = tuple(
            dataclasses.replace(v, aliases=(*v.aliases, *extra.get((kind, f.key, v.name), ()))) for v in f.values
        )
        return dataclasses.replace(f, values=vals)

    kinds = []
    for k in defs.kinds:
        statuses = tuple(
            dataclasses.replace(st, aliases=(*st.aliases, *extra.get((k.key, "status", st.name), ())))
            for st in k.statuses
        )
        fields = tuple(values(k.key, f) for f in k.fields)
        kinds.append(dataclasses.replace(k, statuses=statuses, fields=fields))
    return dataclasses.replace(defs, kinds=tuple(kinds))
