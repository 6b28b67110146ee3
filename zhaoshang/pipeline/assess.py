"""准入研判: score a project against the office's published rules before signing.

The rules are ``checklists/_assess.yaml`` (criteria, maximum points, steps or choices, vetoes,
verdict thresholds, how many days a lead may wait for its 研判); an office edits them without
code.  :func:`load_template` reads and validates it, with Chinese errors naming the key.

:func:`score` is pure: inputs in, each criterion's points and why, the total, the vetoes and
the verdict out.  It never gives more than a criterion's ``max`` nor less than 0, a veto
always wins, and more of a criterion never gives fewer points (steps are checked to rise).

:func:`assess` records one assessment of an item (the inputs as read, every criterion's points
and reason, the score, the verdict, the day) in ``assessments`` and writes the latest score,
verdict and day into the item's 研判得分 / 研判结论 / 研判日期 fields, so lists, exports and
imports carry them like any field.  :func:`waiting` finds the leads that wait too long.
"""

from __future__ import annotations

import difflib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from .. import counted, items
from ..db import Database, now
from ..errors import ZsError
from .common import light, not_future, to_date

FILE = "_assess.yaml"
#: the item fields :func:`assess` writes (when the kind has them)
SCORE_FIELD, VERDICT_FIELD, DATE_FIELD = "assess_score", "assess_verdict", "assess_date"


# ---------------------------------------------------------------------------------------
# The template
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    name: str
    points: float
    aliases: tuple[str, ...] = ()
    veto: bool = False


@dataclass(frozen=True)
class Step:
    at: float
    points: float


@dataclass(frozen=True)
class Criterion:
    key: str
    label: str
    max: float
    unit: str = ""
    money: bool = False
    #: the item field read when no input is given (investment …)
    field: str | None = None
    choices: tuple[Choice, ...] = ()
    steps: tuple[Step, ...] = ()
    full_at: float | None = None
    help: str = ""
    aliases: tuple[str, ...] = ()

    @property
    def method(self) -> str:
        """choice / steps / linear / manual."""
        if self.choices:
            return "choice"
        if self.steps:
            return "steps"
        if self.full_at is not None:
            return "linear"
        return "manual"


@dataclass(frozen=True)
class Veto:
    key: str
    label: str
    aliases: tuple[str, ...] = ()


@dataclass(frozen=True)
class Verdict:
    at: float
    name: str


@dataclass(frozen=True)
class Template:
    name: str
    total: float
    criteria: tuple[Criterion, ...]
    vetoes: tuple[Veto, ...]
    verdicts: tuple[Verdict, ...]
    veto_verdict: str
    due_days: int | None
    waiting: tuple[str, ...]
    source: str = FILE

    def criterion(self, key: str) -> Criterion:
        return next(c for c in self.criteria if c.key == key)


class _Map:
    """One mapping of the template: known keys only, errors naming the file and key path."""

    def __init__(self, data: Any, where: str, file: str) -> None:
        self.file = file
        self.where = where
        if not isinstance(data, dict):
            raise self.err("", "应是键值映射（键: 值）")
        self.data: dict[str, Any] = data

    def err(self, key: str, msg: str) -> ZsError:
        path = ".".join(x for x in (self.where, key) if x) or "顶层"
        return ZsError(f"准入研判模板「{self.file}」中 {path}：{msg}")

    def keys(self, allowed: Sequence[str], required: Sequence[str] = ()) -> None:
        for k in self.data:
            if k not in allowed:
                close = difflib.get_close_matches(str(k), list(allowed), n=1)
                hint = f"是不是「{close[0]}」？" if close else ""
                raise self.err(str(k), f"是未知的键，{hint}允许的键：{'、'.join(allowed)}")
        for k in required:
            if self.data.get(k) is None:
                raise self.err(k, "不能缺少")

    def text(self, key: str, default: str | None = None) -> str:
        v = self.data.get(key, default)
        if v is None or isinstance(v, bool | dict | list) or not str(v).strip():
            raise self.err(key, "应是一段文字")
        return str(v).strip()

    def number(self, key: str, *, positive: bool = False) -> float:
        v = self.data.get(key)
        if isinstance(v, bool) or not isinstance(v, int | float) or v != v or v in (float("inf"), float("-inf")):
            raise self.err(key, f"「{v}」应是数字")
        if v < 0 or (positive and v == 0):
            raise self.err(key, f"「{v}」应是{'正数' if positive else '不小于 0 的数'}")
        return float(v)

    def opt_number(self, key: str, *, positive: bool = False) -> float | None:
        return None if self.data.get(key) is None else self.number(key, positive=positive)

    def flag(self, key: str) -> bool:
        v = self.data.get(key, False)
        if not isinstance(v, bool):
            raise self.err(key, "应是 true 或 false")
        return v

    def words(self, key: str) -> tuple[str, ...]:
        v = self.data.get(key) or []
        if not isinstance(v, list) or not all(isinstance(x, str | int) and not isinstance(x, bool) for x in v):
            raise self.err(key, "应是文字列表，如 [甲, 乙]")
        return tuple(str(x) for x in v)

    def items(self, key: str) -> list[Any]:
        v = self.data.get(key) or []
        if not isinstance(v, list):
            raise self.err(key, "应是列表")
        return v


_TOP = ("name", "total", "due_days", "waiting", "verdicts", "veto_verdict", "criteria", "vetoes")
_CRITERION = ("key", "label", "max", "unit", "money", "field", "choices", "steps", "full_at", "help", "aliases")


def parse_template(data: Any, file: str = FILE) -> Template:
    """Validate a template read from YAML (see ``checklists/_assess.yaml``)."""
    top = _Map(data, "", file)
    top.keys(_TOP, required=("name", "criteria", "verdicts"))
    criteria: list[Criterion] = []
    seen: dict[str, str] = {}
    for i, raw in enumerate(top.items("criteria")):
        criteria.append(_criterion(_Map(raw, f"criteria[{i}]", file)))
    if not criteria:
        raise top.err("criteria", "至少要有一个评分项")
    vetoes: list[Veto] = []
    for i, raw in enumerate(top.items("vetoes")):
        m = _Map(raw, f"vetoes[{i}]", file)
        m.keys(("key", "label", "aliases"), required=("key", "label"))
        vetoes.append(Veto(_key(m), m.text("label"), m.words("aliases")))
    for where, name_key, names in [
        *((f"criteria[{i}]", c.key, (c.key, c.label, *c.aliases)) for i, c in enumerate(criteria)),
        *((f"vetoes[{i}]", v.key, (v.key, v.label, *v.aliases)) for i, v in enumerate(vetoes)),
    ]:
        for n in names:
            if n in seen and seen[n] != where:
                raise _Map({}, where, file).err("key", f"「{n}」与 {seen[n]} 重复（键、名称和别名都不能重复）")
            seen[n] = where
        del name_key
    total_max = round(sum(c.max for c in criteria), 6)
    total = top.opt_number("total", positive=True)
    if total is not None and abs(total - total_max) > 1e-6:
        raise top.err("total", f"满分 {_num(total)} 与各评分项 max 之和 {_num(total_max)} 不符")
    verdicts: list[Verdict] = []
    for i, raw in enumerate(top.items("verdicts")):
        m = _Map(raw, f"verdicts[{i}]", file)
        m.keys(("at", "name"), required=("at", "name"))
        verdicts.append(Verdict(m.number("at"), m.text("name")))
    if not verdicts:
        raise top.err("verdicts", "至少要有一档结论，如 - {at: 0, name: 不予准入}")
    for i in range(1, len(verdicts)):
        if verdicts[i].at >= verdicts[i - 1].at:
            raise top.err(f"verdicts[{i}].at", "结论应按 at 从高到低排列")
    if verdicts[-1].at != 0:
        raise top.err(f"verdicts[{len(verdicts) - 1}].at", "最后一档结论的 at 应为 0（任何得分都有结论）")
    due = top.data.get("due_days")
    if due is not None and (isinstance(due, bool) or not isinstance(due, int) or due <= 0):
        raise top.err("due_days", f"「{due}」应是正整数（天数）")
    return Template(
        name=top.text("name"),
        total=total_max,
        criteria=tuple(criteria),
        vetoes=tuple(vetoes),
        verdicts=tuple(verdicts),
        veto_verdict=top.text("veto_verdict", "一票否决"),
        due_days=due,
        waiting=top.words("waiting"),
        source=file,
    )


def _key(m: _Map) -> str:
    key = m.text("key")
    if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
        raise m.err("key", f"「{key}」应是英文小写字母、数字和下划线，以字母开头")
    return key


def _criterion(m: _Map) -> Criterion:
    m.keys(_CRITERION, required=("key", "label", "max"))
    top = m.number("max", positive=True)
    choices: list[Choice] = []
    for j, raw in enumerate(m.items("choices")):
        c = _Map(raw, f"{m.where}.choices[{j}]", m.file)
        c.keys(("name", "points", "aliases", "veto"), required=("name", "points"))
        pts = c.number("points")
        if pts > top:
            raise c.err("points", f"{_num(pts)} 超过本项满分 {_num(top)}")
        choices.append(Choice(c.text("name"), pts, c.words("aliases"), c.flag("veto")))
    steps: list[Step] = []
    for j, raw in enumerate(m.items("steps")):
        s = _Map(raw, f"{m.where}.steps[{j}]", m.file)
        s.keys(("at", "points"), required=("at", "points"))
        step = Step(s.number("at"), s.number("points"))
        if step.points > top:
            raise s.err("points", f"{_num(step.points)} 超过本项满分 {_num(top)}")
        if steps and step.at <= steps[-1].at:
            raise s.err("at", "档位应按 at 从小到大排列")
        if steps and step.points < steps[-1].points:
            raise s.err("points", "数值越高得分不应越低：档位的分值应不减")
        steps.append(step)
    full_at = m.opt_number("full_at", positive=True)
    given = [k for k, v in (("choices", choices), ("steps", steps), ("full_at", full_at)) if v]
    if len(given) > 1:
        raise m.err(given[1], f"choices、steps、full_at 只能写一个（已写了 {given[0]}）")
    if m.data.get("field") is not None and choices:
        raise m.err("field", "按选项给分的评分项不取项目字段")
    return Criterion(
        key=_key(m),
        label=m.text("label"),
        max=top,
        unit=str(m.data.get("unit") or ""),
        money=m.flag("money"),
        field=None if m.data.get("field") is None else m.text("field"),
        choices=tuple(choices),
        steps=tuple(steps),
        full_at=full_at,
        help=str(m.data.get("help") or ""),
        aliases=m.words("aliases"),
    )


def read_yaml_file(path: Path, label: str) -> Any:
    """A rules file (``_assess.yaml``, ``_contract.yaml``) through the bounded loader; an
    unreadable one is a Chinese error naming ``label`` and the line."""
    import yaml

    from ..limits import MAX_DEFINITION_BYTES, load_yaml, read_bounded, yaml_reason

    try:
        text = read_bounded(path, label, MAX_DEFINITION_BYTES).decode("utf-8")
        return load_yaml(text, label)
    except UnicodeDecodeError:
        raise ZsError(f"{label}不是 UTF-8 编码：请另存为 UTF-8") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第{mark.line + 1}行" if mark is not None else ""
        raise ZsError(f"{label}{where}不是有效的 YAML：{yaml_reason(exc)}") from None


def load_template(path: Path) -> Template:
    """Read and validate the template file."""
    if not path.is_file():
        raise ZsError(f"找不到准入研判模板「{path}」：请恢复 checklists/{FILE}（评分项、分值、一票否决、结论档位）")
    return parse_template(read_yaml_file(path, f"准入研判模板「{path.name}」"), path.name)


def template_path(db: Database) -> Path:
    from ..definitions import default_dir

    return Path(db.defs.source_dir or default_dir()) / FILE


def template_of(db: Database) -> Template:
    return load_template(template_path(db))


# ---------------------------------------------------------------------------------------
# Scoring (pure)
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Line:
    """One criterion's result."""

    key: str
    label: str
    value: str | None  # the input as read (None: not given)
    points: float
    max: float
    why: str
    source: str = ""  # 输入 / the item field's label it came from

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "label": self.label,
            "value": self.value,
            "points": self.points,
            "max": self.max,
            "why": self.why,
        }


@dataclass(frozen=True)
class Scored:
    score: float
    max_score: float
    lines: tuple[Line, ...]
    vetoes: tuple[str, ...]
    verdict: str


def _num(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".") if x != int(x) else str(int(x))


def score(template: Template, inputs: Mapping[str, Any]) -> Scored:
    """Score ``inputs`` (criterion or veto key → value: a choice's name, a number, points for
    a criterion scored by hand, True for a veto that applies) against ``template``.  Values
    are taken as already read (:func:`read_inputs` reads what people type)."""
    lines: list[Line] = []
    vetoes: list[str] = []
    for c in template.criteria:
        v = inputs.get(c.key)
        pts, why, shown = _points(c, v)
        if c.choices and v is not None:
            choice = next(x for x in c.choices if x.name == v)
            if choice.veto:
                vetoes.append(f"{c.label}：{choice.name}")
                why += "（一票否决）"
        lines.append(Line(c.key, c.label, shown, pts, c.max, why))
    for veto in template.vetoes:
        if inputs.get(veto.key) is True:
            vetoes.append(veto.label)
    total = round(min(template.total, sum(x.points for x in lines)), 2)
    if vetoes:
        verdict = template.veto_verdict
    else:
        verdict = next(v.name for v in template.verdicts if total >= v.at)
    return Scored(total, template.total, tuple(lines), tuple(vetoes), verdict)


def _points(c: Criterion, v: Any) -> tuple[float, str, str | None]:
    if v is None:
        return 0.0, "未提供，0 分", None
    unit = c.unit
    if c.method == "choice":
        choice = next(x for x in c.choices if x.name == v)
        return choice.points, f"「{choice.name}」得 {_num(choice.points)} 分", choice.name
    x = float(v)
    shown = f"{_num(x)}{unit}"
    if c.method == "manual":
        pts = max(0.0, min(c.max, x))
        return round(pts, 2), f"评定 {_num(pts)} 分", _num(x)
    if c.method == "linear":
        assert c.full_at is not None
        ratio = max(0.0, min(1.0, x / c.full_at))
        pts = round(c.max * ratio, 2)
        if ratio >= 1:
            return pts, f"{shown} 达到满分线 {_num(c.full_at)}{unit}，得 {_num(pts)} 分", shown
        return pts, f"{shown} ÷ 满分线 {_num(c.full_at)}{unit} × {_num(c.max)}，得 {_num(pts)} 分", shown
    reached = [s for s in c.steps if x >= s.at]
    if not reached:
        return 0.0, f"{shown} 低于最低一档 {_num(c.steps[0].at)}{unit}，0 分", shown
    s = reached[-1]
    return s.points, f"{shown} 达到 {_num(s.at)}{unit} 一档，得 {_num(s.points)} 分", shown


# ---------------------------------------------------------------------------------------
# Reading what people type
# ---------------------------------------------------------------------------------------


def _lookup(template: Template, name: str) -> Criterion | Veto:
    from ..parse import normalize_key

    wanted = normalize_key(name)
    every: list[Criterion | Veto] = [*template.criteria, *template.vetoes]
    for c in every:
        if wanted in {normalize_key(x) for x in (c.key, c.label, *c.aliases)}:
            return c
    names = [c.label for c in template.criteria] + [v.label for v in template.vetoes]
    close = difflib.get_close_matches(name.strip(), names, n=1, cutoff=0.4)
    hint = f"是不是「{close[0]}」？" if close else ""
    raise ZsError(f"准入研判模板「{template.name}」没有「{name.strip()}」这一项。{hint}可用：{'、'.join(names)}")


_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def read_value(c: Criterion, raw: object) -> Any:
    """One criterion's input as people type it: a choice by name or alias, a number (an
    amount in 万元 also as 3.56亿 when ``money``), points for one scored by hand."""
    from ..parse import normalize_key, parse_money, to_halfwidth

    text = str(raw).strip()
    if c.method == "choice":
        wanted = normalize_key(text)
        for ch in c.choices:
            if wanted in {normalize_key(x) for x in (ch.name, *ch.aliases)}:
                return ch.name
        raise ZsError(f"「{c.label}」没有「{text}」这一选项：可选 {'、'.join(x.name for x in c.choices)}")
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        x = float(raw)
    elif c.money:
        try:
            x = parse_money(text)
        except ZsError as exc:
            raise ZsError(f"「{c.label}」：{exc.message}") from None
    else:
        plain = to_halfwidth(text).replace(",", "").strip()
        if c.unit:
            plain = plain.removesuffix(to_halfwidth(c.unit)).strip()
        if not _NUMBER.fullmatch(plain):
            unit = f"（单位 {c.unit}）" if c.unit else ""
            raise ZsError(f"「{c.label}」的值「{text}」不是数字{unit}")
        x = float(plain)
    if x < 0:
        raise ZsError(f"「{c.label}」的值「{text}」不能为负数")
    if c.method == "manual" and x > c.max:
        raise ZsError(f"「{c.label}」由研判人员打分，应在 0 到 {_num(c.max)} 分之间（「{text}」）")
    return x


def read_inputs(template: Template, raw: Mapping[str, object]) -> dict[str, Any]:
    """Inputs keyed by a criterion's or veto's key, label or alias, as typed, read into
    values :func:`score` takes."""
    from ..parse import parse_bool

    out: dict[str, Any] = {}
    for name, value in raw.items():
        target = _lookup(template, name)
        if target.key in out:
            raise ZsError(f"「{target.label}」写了两次：每项只写一个值")
        if isinstance(target, Veto):
            try:
                out[target.key] = parse_bool(value)
            except ZsError as exc:
                raise ZsError(f"一票否决「{target.label}」：{exc.message}") from None
            continue
        if value is None or not str(value).strip():
            continue
        out[target.key] = read_value(target, value)
    return out


# ---------------------------------------------------------------------------------------
# Recording
# ---------------------------------------------------------------------------------------


@dataclass
class Assessment:
    id: int
    item_id: int
    title: str
    date: str
    template: str
    score: float
    max_score: float
    verdict: str
    vetoes: list[str]
    lines: list[Line]
    inputs: dict[str, Any]
    note: str | None = None
    user: str | None = None
    #: the inputs taken from the item's fields (label → value), not typed
    from_fields: dict[str, str] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "item_id": self.item_id,
            "title": self.title,
            "date": self.date,
            "template": self.template,
            "score": self.score,
            "max_score": self.max_score,
            "verdict": self.verdict,
            "vetoes": self.vetoes,
            "criteria": [x.as_dict() for x in self.lines],
            "inputs": self.inputs,
            "note": self.note,
            "user": self.user,
        }


def assess(
    db: Database,
    item_id: int,
    inputs: Mapping[str, object],
    *,
    today: date,
    on: str | date | None = None,
    note: str | None = None,
) -> Assessment:
    """Score an item by the template and record it (inside the current command).  A criterion
    with an item ``field`` not given takes the item's value; every other one not given scores
    0 and says so."""
    if db.current is None:
        raise RuntimeError("assess must run inside db.command()")
    template = template_of(db)
    kind = items.kind_of(db, item_id)
    if not kind.pipeline:
        raise ZsError(f"编号 {item_id} 是「{kind.name}」清单的条目：准入研判只用于项目（{_pipeline_names(db)}）")
    values = read_inputs(template, inputs)
    rec = items.get(db, item_id)
    from_fields: dict[str, str] = {}
    for c in template.criteria:
        if c.key in values or not c.field:
            continue
        v = rec.get(c.field)
        if v is None or v == "":
            continue
        values[c.key] = read_value(c, v)
        label = kind.field(c.field).label if c.field in {f.key for f in kind.fields} else c.field
        from_fields[c.label] = f"{label} {_num(float(v))}"
    result = score(template, values)
    day = to_date(on, what="研判日期") or today
    not_future(day, today, "研判日期")
    text = " ".join((note or "").split()) or None
    lines = [
        Line(x.key, x.label, x.value, x.points, x.max, f"{x.why}（取自{from_fields[x.label]}）")
        if x.label in from_fields
        else x
        for x in result.lines
    ]
    cur = db.insert_id(
        "INSERT INTO assessments(item_id, date, template, inputs, points, score, max_score, verdict, vetoes, note, "
        "user, at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            item_id,
            day.isoformat(),
            template.name,
            json.dumps(values, ensure_ascii=False),
            json.dumps([x.as_dict() for x in lines], ensure_ascii=False),
            result.score,
            result.max_score,
            result.verdict,
            "、".join(result.vetoes) or None,
            text,
            db.current.user,
            now(),
        ),
    )
    _write_latest(db, kind, item_id)
    return Assessment(
        id=cur,
        item_id=item_id,
        title=str(rec.get("title") or ""),
        date=day.isoformat(),
        template=template.name,
        score=result.score,
        max_score=result.max_score,
        verdict=result.verdict,
        vetoes=list(result.vetoes),
        lines=lines,
        inputs=values,
        note=text,
        user=db.current.user,
        from_fields=from_fields,
    )


def _pipeline_names(db: Database) -> str:
    return "、".join(k.name for k in db.defs.kinds if k.pipeline)


def _write_latest(db: Database, kind: Any, item_id: int) -> None:
    """The item's 研判得分 / 研判结论 / 研判日期 fields: its latest assessment (by date, then id)."""
    keys = {f.key for f in kind.fields}
    row = db.conn.execute(
        "SELECT score, verdict, date FROM assessments WHERE item_id = ? ORDER BY date DESC, id DESC LIMIT 1",
        (item_id,),
    ).fetchone()
    values = {
        k: v
        for k, v in zip((SCORE_FIELD, VERDICT_FIELD, DATE_FIELD), row or (None, None, None), strict=True)
        if k in keys
    }
    if values:
        items.edit(db, item_id, values, user=db.current.user if db.current else None)


def _assessment(row: Mapping[str, Any]) -> Assessment:
    lines = [
        Line(d["key"], d["label"], d.get("value"), d["points"], d["max"], d["why"]) for d in json.loads(row["points"])
    ]
    return Assessment(
        id=row["id"],
        item_id=row["item_id"],
        title=row["title"] or "",
        date=row["date"],
        template=row["template"],
        score=row["score"],
        max_score=row["max_score"],
        verdict=row["verdict"],
        vetoes=row["vetoes"].split("、") if row["vetoes"] else [],
        lines=lines,
        inputs=json.loads(row["inputs"]),
        note=row["note"],
        user=row["user"],
    )


_SELECT = (
    "SELECT a.id, a.item_id, i.title, a.date, a.template, a.inputs, a.points, a.score, a.max_score, a.verdict, "
    "a.vetoes, a.note, a.user FROM assessments a JOIN items i ON i.id = a.item_id"
)


def history(db: Database, item_id: int) -> list[Assessment]:
    """Every assessment of an item, latest first."""
    items.kind_of(db, item_id)  # an unknown id is said as such
    from .common import rows

    found = rows(db, _SELECT + " WHERE a.item_id = ? ORDER BY a.date DESC, a.id DESC", (item_id,))
    return [_assessment(r) for r in found]


def latest_all(
    db: Database, *, since: str | None = None, until: str | None = None, verdict: str | None = None
) -> list[Assessment]:
    """Each assessed item's latest assessment (dated within since..until when given), best
    score first."""
    from .common import rows

    where, params = [], []
    if since:
        where.append("a.date >= ?")
        params.append(since)
    if until:
        where.append("a.date <= ?")
        params.append(until)
    cond = (" AND " + " AND ".join(where)) if where else ""
    found = rows(
        db,
        _SELECT + " WHERE a.id = (SELECT b.id FROM assessments b WHERE b.item_id = a.item_id "
        "ORDER BY b.date DESC, b.id DESC LIMIT 1)" + cond + " ORDER BY a.score DESC, a.item_id",
        params,
    )
    out = [_assessment(r) for r in found]
    if verdict:
        out = [a for a in out if a.verdict == verdict]
    return out


# ---------------------------------------------------------------------------------------
# Waiting for a 研判
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Waiting:
    """A lead still without a 研判."""

    id: int
    title: str
    status: str
    unit: str | None
    owner: str | None
    since: str  # the day it came in (its first stage move)
    elapsed: int
    limit: int
    light: str | None  # yellow / red once over the limit, else None

    def as_dict(self) -> dict[str, Any]:
        from .common import LIGHT_NAMES

        d = self.__dict__.copy()
        d["light_name"] = LIGHT_NAMES.get(self.light or "", "")
        return d


def waiting(db: Database, *, today: date, late_only: bool = False) -> list[Waiting]:
    """The projects in a ``waiting`` stage (线索, 在谈) with no assessment: how many days since
    they came in, against ``due_days`` (yellow over it, red over twice it); latest first
    unless late, worst first."""
    template = template_of(db)
    limit = template.due_days
    kinds = [k for k in db.defs.kinds if k.pipeline]
    out: list[Waiting] = []
    for kind in kinds:
        statuses = [s for s in template.waiting if s in kind.status_names()]
        if not statuses:
            continue
        marks = ", ".join("?" for _ in statuses)
        found = db.conn.execute(
            "SELECT i.id, i.title, i.status, u.name, i.owner, "
            f"(SELECT min(l.date) FROM status_log l WHERE l.item_id = i.id AND l.to_status IN ({marks}) "
            f"AND {counted.counted('l')}) AS since "
            "FROM items i LEFT JOIN units u ON u.id = i.unit_id "
            f"WHERE i.kind = ? AND i.status IN ({marks}) AND i.closed_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.item_id = i.id)",
            (*statuses, kind.key, *statuses),
        ).fetchall()
        for r in found:
            since = (r[5] or today.isoformat())[:10]
            elapsed = (today - date.fromisoformat(since)).days
            lt = light(elapsed, limit) if limit else None
            if late_only and lt is None:
                continue
            out.append(Waiting(r[0], r[1], r[2], r[3], r[4], since, elapsed, limit or 0, lt))
    out.sort(key=lambda w: (-(w.elapsed - w.limit), w.id))
    return out


def late_waiting_counts(db: Database, *, today: date) -> tuple[int, int]:
    """How many projects :func:`waiting` lists with ``late_only`` (waiting longer than
    ``due_days`` for a 研判), and how many of them are red (over twice that) — counted in
    SQL, for the report's figure and the note under ``zs warn``."""
    from datetime import timedelta

    template = template_of(db)
    limit = template.due_days
    if not limit:
        return 0, 0
    # elapsed > limit  ⇔  came in before the cut (and before the red cut: elapsed > 2 × limit)
    cut, red_cut = (today - timedelta(days=limit)).isoformat(), (today - timedelta(days=2 * limit)).isoformat()
    late = red = 0
    for kind in (k for k in db.defs.kinds if k.pipeline):
        statuses = [s for s in template.waiting if s in kind.status_names()]
        if not statuses:
            continue
        marks = ", ".join("?" for _ in statuses)
        n, r = db.conn.execute(
            "SELECT total(since < ?), total(since < ?) FROM (SELECT substr(coalesce((SELECT min(l.date) "
            f"FROM status_log l WHERE l.item_id = i.id AND l.to_status IN ({marks})), ?), 1, 10) AS since "
            f"FROM items i WHERE i.kind = ? AND i.status IN ({marks}) AND i.closed_at IS NULL "
            "AND NOT EXISTS (SELECT 1 FROM assessments a WHERE a.item_id = i.id)) w",
            (cut, red_cut, *statuses, today.isoformat(), kind.key, *statuses),
        ).fetchone()
        late, red = late + int(n or 0), red + int(r or 0)
    return late, red
