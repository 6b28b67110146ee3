"""An office's own words for enum values and statuses: ``zs synonym add 找谁招 类别 在京人员 部委工作人员``.

Counties write 部委工作人员 where the definitions say 在京人员, 委托招商机构 for 委托招商, 推进中 for
在谈.  The packaged YAML cannot know every county's words, and copying the YAML to add one is
too much to ask; so the words live in the database (table ``synonyms``), shared by everyone who
uses it, recorded in history like any change (``zs undo`` takes one back), and added to the
definitions' aliases when the database is opened — for ``add``, ``edit``, ``list`` filters and
every import alike.
"""

from __future__ import annotations

from dataclasses import dataclass

from .db import Database, now
from .definitions import KindDef
from .errors import NotFoundError, ZsError
from .parse import normalize_key, planned_stem

__all__ = ["Synonym", "add", "list_all", "remove"]


@dataclass(frozen=True)
class Synonym:
    id: int
    kind: str
    """The kind's Chinese name."""
    field: str
    """The field's label (状态 for statuses)."""
    value: str
    word: str


def _choices(kind: KindDef, field_name: str, db: Database) -> tuple[str, list[tuple[str, tuple[str, ...]]], str]:
    """(field key, [(value, its words)], field label) of an enum field or of the statuses."""
    if normalize_key(field_name) in {normalize_key(x) for x in ("状态", "status", "阶段", "狀態")}:
        return "status", [(s.name, s.aliases) for s in kind.statuses], "状态"
    try:
        f = db.defs.field(kind, field_name)
    except NotFoundError as exc:
        raise ZsError(exc.message) from None
    if f.type not in ("enum", "multi"):
        raise ZsError(f"「{f.label}」不是可选值字段（{f.ftype.label}）：同义词只用于可选值和状态")
    return f.key, [(v.name, v.aliases) for v in f.values], f.label


def add(db: Database, kind_name: str, field_name: str, value: str, words: list[str]) -> list[Synonym]:
    """Teach ``words`` as meaning ``value`` of the field (inside the current command).  A word
    already meaning that value is skipped; one meaning another value is an error."""
    if db.current is None:
        raise RuntimeError("add must run inside db.command()")
    kind = db.defs.kind(kind_name)
    key, choices, label = _choices(kind, field_name, db)
    canonical = next(
        (v for v, words_ in choices if normalize_key(value) in {normalize_key(x) for x in (v, *words_)}), None
    )
    if canonical is None:
        names = "、".join(v for v, _ in choices)
        raise ZsError(f"「{value}」不是「{kind.name}」{label}的可选值：可选 {names}")
    classes = {st.name: st.terminal for st in kind.statuses}
    if not words:
        raise ZsError("请给出至少一个同义词，如 zs synonym add 找谁招 类别 在京人员 部委工作人员")
    made: list[Synonym] = []
    for word in words:
        word = " ".join(word.split())
        if not word:
            continue
        wanted = normalize_key(word)
        owner = next((v for v, ws in choices if wanted in {normalize_key(x) for x in (v, *ws)}), None)
        if owner == canonical:
            continue
        if owner is not None:
            raise ZsError(f"「{word}」已经表示「{owner}」，不能再表示「{canonical}」")
        _check_opposite(word, canonical, choices, classes if key == "status" else None, label)
        cur = db.insert_id(
            "INSERT INTO synonyms(kind, field, value, word, created_at) VALUES (?, ?, ?, ?, ?)",
            (kind.key, key, canonical, word, now()),
        )
        made.append(Synonym(cur, kind.name, label, canonical, word))
        choices = [(v, (*ws, word) if v == canonical else ws) for v, ws in choices]
    db.load_synonyms()
    return made


#: words that negate what follows (未销号 is the opposite of 已销号), longest first
_NEGATIONS = ("尚未", "还未", "没有", "未", "没", "不", "非", "无")
#: words that only say a state was reached (已销号 and 销号 are one state)
_REACHED = ("已经", "已")


def _stem(word: str) -> tuple[bool, str]:
    """(negated, the word without its leading 未/不…/已), normalised for comparing."""
    key = normalize_key(word)
    for prefix in _NEGATIONS:
        if key.startswith(prefix) and len(key) > len(prefix):
            return True, _stem(key[len(prefix) :])[1]
    for prefix in _REACHED:
        if key.startswith(prefix) and len(key) > len(prefix):
            return False, key[len(prefix) :]
    return False, key


def _check_opposite(
    word: str,
    canonical: str,
    choices: list[tuple[str, tuple[str, ...]]],
    terminal: dict[str, bool] | None,
    label: str,
) -> None:
    """Refuse a word that says the opposite of ``canonical`` (未销号 for 已销号: the value
    negated), or — for statuses — one that names a status of the other class (an open
    status called by a closed one's word, or the reverse): every filter, figure and import
    would count those rows on the wrong side."""
    negated, stem = _stem(word)
    planned = planned_stem(word)
    own = (canonical, *dict(choices).get(canonical, ()))
    if planned is not None and canonical.startswith("已") and any(_stem(w)[1].startswith(planned) for w in own):
        raise ZsError(
            f"「{word}」说的是打算{planned}、还没有{planned}，不是「{canonical}」：不能作为它的同义词，"
            f"否则还在计划中的会被算作已{planned}。请在表里按实际所处的阶段填写"
        )

    def says(stems: set[tuple[bool, str]], neg: bool) -> bool:  # 销号 or 销号了, not 销
        return any(n == neg and (stem == t or (len(t) >= 2 and stem.startswith(t))) for n, t in stems)

    for value, words in choices:
        stems = {_stem(w) for w in (value, *words)}
        same = value == canonical
        if same and negated and says(stems, False):
            raise ZsError(
                f"「{word}」是「{canonical}」的否定说法，意思相反，不能作为它的同义词："
                f"请检查{label}的值（可用 zs synonym list 查看已有的叫法）"
            )
        if same or terminal is None or terminal.get(value) == terminal.get(canonical):
            continue
        if says(stems, negated):
            done, other = ("已办结", "未办结") if terminal.get(value) else ("未办结", "已办结")
            raise ZsError(
                f"「{word}」说的是「{value}」（{done}），而「{canonical}」是{other}的状态：不能作为它的同义词，"
                "否则筛选和统计会把这些条目算到另一边"
            )


def list_all(db: Database) -> list[Synonym]:
    out = []
    for rid, kind_key, field_key, value, word in db.conn.execute(
        "SELECT id, kind, field, value, word FROM synonyms ORDER BY kind, field, value, id"
    ):
        try:
            kind = db.defs.kind_by_key(kind_key)
            label = "状态" if field_key == "status" else kind.field(field_key).label
            name = kind.name
        except (NotFoundError, KeyError):
            name, label = kind_key, field_key
        out.append(Synonym(int(rid), name, label, value, word))
    return out


def remove(db: Database, kind_name: str, word: str) -> Synonym:
    """Forget one word of a kind (inside the current command)."""
    kind = db.defs.kind(kind_name)
    wanted = normalize_key(word)
    for s in list_all(db):
        if s.kind == kind.name and normalize_key(s.word) == wanted:
            db.conn.execute("DELETE FROM synonyms WHERE id = ?", (s.id,))
            db.load_synonyms()
            return s
    raise ZsError(f"「{kind.name}」没有同义词「{word}」：zs synonym list 列出全部")
