"""Full-text search across every kind: FTS5 trigram for three characters or more, a
scan of the same index for one or two (trigram cannot match those), newest title hits
first and stopped as soon as the page is full."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Database

#: at most this many words in one search, and FTS for words up to this many characters
MAX_WORDS = 32
MAX_FTS_WORD = 64


def _text_fields(db: Database, kind_key: str) -> list[tuple[str, str]]:
    """The kind's stored text fields the index holds: (column, Chinese label)."""
    kind = db.defs.kind_by_key(kind_key)
    stored = set(db.kind_columns(kind))
    return [(f.key, f.label) for f in kind.fields if f.ftype.searchable and f.key in stored]


def index_sql(db: Database, kind_key: str, where: str) -> str:
    """The statement adding a kind's items (those matching ``where``, on ``items i``) to the
    search index: the title, and notes, owner and the kind's text fields as the body — each
    in the form :func:`~zhaoshang.db.search_text` gives (the form a query is put in)."""
    kind = db.defs.kind_by_key(kind_key)
    cols = [c for c, _ in _text_fields(db, kind_key)]
    parts = ["coalesce(i.notes, '')", "coalesce(i.owner, '')"] + [f"coalesce(k.\"{c}\", '')" for c in cols]
    body = " || ' ' || ".join(parts)
    return (
        f"INSERT INTO items_fts(rowid, title, body) SELECT i.id, zs_search_text(i.title), zs_search_text({body}) "
        f'FROM items i LEFT JOIN "{kind.table}" k ON k.id = i.id WHERE {where}'
    )


def index_entries(
    db: Database,
    item_columns: Sequence[str],
    item_rows: Sequence[Sequence[Any]],
    own: Sequence[tuple[str, str, Sequence[str], Sequence[Sequence[Any]]]],
) -> list[tuple[int, str, str]]:
    """(id, title, body) of new items as :func:`index_sql` would index them, worked out in
    Python from the rows being inserted — for the import's writer thread, which must run no
    statement calling back into Python (``zs_search_text``): it shares the connection with the
    main thread, and a callback waiting for the GIL while SQLite holds the connection deadlocks
    with a main thread holding the GIL while it waits for the connection.  ``own`` is (kind
    key, table, columns, rows) per kind, each row starting with the item's id."""
    from .db import search_text
    from .names import fold
    from .parse import simplify_many

    pos = {c: i for i, c in enumerate(item_columns)}
    at_id, at_title, at_notes, at_owner = pos["id"], pos["title"], pos["notes"], pos["owner"]
    items = {r[at_id]: r for r in item_rows}
    raw: list[tuple[int, str, str]] = []
    for kind_key, _table, cols, rows in own:
        fields = [c for c, _ in _text_fields(db, kind_key)]
        at = [list(cols).index(c) for c in fields if c in cols]
        for r in rows:
            item = items[r[0]]
            parts = [item[at_notes] or "", item[at_owner] or "", *("" if r[i] is None else str(r[i]) for i in at)]
            raw.append((int(r[0]), str(item[at_title] or ""), " ".join(parts)))
    # one OpenCC call for the batch, on the text as search_text converts it (folded)
    simplify_many(fold(t) for entry in raw for t in entry[1:] if t)
    return [(i, search_text(title), search_text(body)) for i, title, body in raw]


def _index_rows(db: Database, kind_key: str, where: str, params: Sequence[Any]) -> list[tuple[int, str, str]]:
    """(id, title, body) of a kind's items chosen by ``where`` (on ``items i``), as
    :func:`index_sql` indexes them — worked out in Python, the same on every engine."""
    from .db import search_text
    from .names import fold
    from .parse import simplify_many

    kind = db.defs.kind_by_key(kind_key)
    cols = [c for c, _ in _text_fields(db, kind_key)]
    own = "".join(f', k."{c}"' for c in cols)
    rows = db.conn.execute(
        f'SELECT i.id, i.title, i.notes, i.owner{own} FROM items i LEFT JOIN "{kind.table}" k ON k.id = i.id '
        f"WHERE {where}",
        params,
    ).fetchall()
    raw = [(int(r[0]), r[1] or "", " ".join("" if v is None else str(v) for v in r[2:])) for r in rows]
    simplify_many(fold(t) for entry in raw for t in entry[1:] if t)  # one OpenCC call for the batch
    return [(i, search_text(title), search_text(body)) for i, title, body in raw]


def _add(db: Database, entries: Sequence[tuple[int, str, str]]) -> None:
    if entries:
        db.conn.executemany("INSERT INTO items_fts(rowid, title, body) VALUES (?, ?, ?)", entries)


def reindex(db: Database, ids: Iterable[int]) -> None:
    """Refresh the search index for these items (deleted ones are dropped)."""
    id_list = list(ids)
    if not id_list:
        return
    by_kind: dict[str, list[int]] = {}
    for start in range(0, len(id_list), 500):
        chunk = id_list[start : start + 500]
        marks = ",".join("?" * len(chunk))
        db.conn.execute(f"DELETE FROM items_fts WHERE rowid IN ({marks})", chunk)
        for item_id, kind in db.conn.execute(f"SELECT id, kind FROM items WHERE id IN ({marks})", chunk):
            by_kind.setdefault(kind, []).append(item_id)
    for kind_key, kind_ids in by_kind.items():
        for start in range(0, len(kind_ids), 500):
            chunk = kind_ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            _add(db, _index_rows(db, kind_key, f"i.id IN ({marks})", chunk))


def rebuild(db: Database) -> int:
    """Rebuild the whole index; returns the number of items indexed."""
    db.conn.execute("DELETE FROM items_fts")
    for kind in db.defs.kinds:
        _add(db, _index_rows(db, kind.key, "i.kind = ?", (kind.key,)))
    return int(db.conn.execute("SELECT count(*) FROM items_fts").fetchone()[0])


def matching_ids(db: Database, text: str, *, limit: int | None = None, kind: str | None = None) -> list[int]:
    """Ids of items whose title or text contains every word of ``text`` (best first:
    title hits before body hits, then newest), of one kind (its key) when ``kind``.

    One pass, newest first, that stops once ``limit`` titles hold the first word — so a
    one-character word found in thousands of titles reads only the newest of them, not
    every title and body, and nothing is sorted."""
    from .db import search_text

    words = [w for w in search_text(text).split() if w]
    if not words:
        return []
    if len(words) > MAX_WORDS:
        from .errors import ZsError

        raise ZsError(f"搜索词太多（{len(words)} 个）：最多 {MAX_WORDS} 个，用空格分开")
    params: list[Any] = []
    clauses: list[str] = []
    # the trigram index serves words of 3 to MAX_FTS_WORD characters; shorter ones, very long
    # ones (a pasted paragraph would make FTS5 build a query of that many trigrams and
    # exhaust memory) and ones holding a NUL are matched by a scan
    long_words = [w for w in words if 3 <= len(w) <= MAX_FTS_WORD and "\x00" not in w]
    short_words = [w for w in words if w not in long_words]
    sql = "SELECT f.rowid FROM items_fts f"
    if kind is not None:
        sql += " JOIN items i ON i.id = f.rowid"
        clauses.append("i.kind = ?")
        params.append(kind)
    if long_words:
        match, bound = db.dialect.search_match("f", long_words)
        clauses.append(match)
        params.extend(bound)
    # "contains" (index and words are both casefolded) as LIKE '%w%' would, without LIKE's
    # pattern-length limit or its stop at a NUL character
    for w in short_words:
        clauses.append("(instr(f.title, ?) > 0 OR instr(f.body, ?) > 0)")
        params.extend([w, w])
    sql = sql.replace("SELECT f.rowid", "SELECT f.rowid, instr(f.title, ?) > 0", 1)
    sql += " WHERE " + " AND ".join(clauses) + " ORDER BY f.rowid DESC"
    titles: list[int] = []
    bodies: list[int] = []
    for rowid, in_title in db.conn.execute(sql, [words[0], *params]):
        if in_title:
            titles.append(rowid)
            if limit and len(titles) >= limit:
                break
        elif not limit or len(bodies) < limit:
            bodies.append(rowid)
    found = titles + bodies
    return found[:limit] if limit else found


def matched_fields(db: Database, text: str, found: Sequence[tuple[int, str]]) -> dict[int, str]:
    """For each (id, kind key) found by ``text``: where a word of it is — the labels of the
    fields holding one (名称, the kind's text fields, 责任人, 备注), joined by 、.  Read from
    the items themselves, in the same form as the index: a page of results, one query a kind."""
    from .db import search_text
    from .names import fold
    from .parse import simplify_many, to_simplified

    words = [w for w in search_text(text).split() if w]
    by_kind: dict[str, list[int]] = {}
    for item_id, kind_key in found:
        by_kind.setdefault(kind_key, []).append(item_id)
    out: dict[int, str] = {}
    for kind_key, ids in by_kind.items():
        kind = db.defs.kind_by_key(kind_key)
        fields = [("i.title", "名称")] + [(f'k."{c}"', label) for c, label in _text_fields(db, kind_key)]
        fields += [("i.owner", "责任人"), ("i.notes", "备注")]
        cols = ", ".join(c for c, _ in fields)
        for start in range(0, len(ids), 500):
            chunk = ids[start : start + 500]
            marks = ",".join("?" * len(chunk))
            cur = db.conn.execute(
                f'SELECT i.id, {cols} FROM items i LEFT JOIN "{kind.table}" k ON k.id = i.id WHERE i.id IN ({marks})',
                chunk,
            )
            rows = [(item_id, [fold(v) if isinstance(v, str) else "" for v in values]) for item_id, *values in cur]
            simplify_many(v for _, values in rows for v in values)  # one call to OpenCC, not one a value
            for item_id, values in rows:
                texts = [to_simplified(v).casefold() for v in values]  # search_text, in two steps
                out[item_id] = "、".join(
                    label for (_, label), t in zip(fields, texts, strict=True) if any(w in t for w in words)
                )
    return out


def search(db: Database, text: str, *, kind: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Items matching ``text``, as common-field records with the kind's Chinese name and
    ``matched``: the fields a word was found in (see :func:`matched_fields`)."""
    kind_key = db.defs.kind(kind).key if kind else None
    ids = matching_ids(db, text, limit=limit, kind=kind_key)
    if not ids:
        return []
    out: list[dict[str, Any]] = []
    for start in range(0, len(ids), 500):
        chunk: Sequence[int] = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        cur = db.conn.execute(
            "SELECT i.id, i.kind, c.name, i.title, i.status, i.owner, u.name "
            "FROM items i JOIN chains c ON c.id = i.chain_id LEFT JOIN units u ON u.id = i.unit_id "
            f"WHERE i.id IN ({marks})",
            list(chunk),
        )
        found = {
            r[0]: dict(zip(("id", "kind", "chain", "title", "status", "owner", "unit"), r, strict=True)) for r in cur
        }
        out.extend(found[i] for i in chunk if i in found and (kind_key is None or found[i]["kind"] == kind_key))
        if limit and len(out) >= limit:
            out = out[:limit]
            break
    where = matched_fields(db, text, [(r["id"], r["kind"]) for r in out])
    for r in out:
        r["matched"] = where.get(r["id"], "")
    return out
