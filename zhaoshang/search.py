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


def index_sql(db: Database, kind_key: str, where: str) -> str:
    """The statement adding a kind's items (those matching ``where``, on ``items i``) to the
    search index: the title, and notes, owner and the kind's text fields as the body."""
    kind = db.defs.kind_by_key(kind_key)
    stored = set(db.kind_columns(kind))
    cols = [f.key for f in kind.fields if f.ftype.searchable and f.key in stored]
    parts = ["coalesce(i.notes, '')", "coalesce(i.owner, '')"] + [f"coalesce(k.\"{c}\", '')" for c in cols]
    body = " || ' ' || ".join(parts)
    return (
        f"INSERT INTO items_fts(rowid, title, body) SELECT i.id, i.title, {body} "
        f'FROM items i LEFT JOIN "{kind.table}" k ON k.id = i.id WHERE {where}'
    )


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
            db.conn.execute(index_sql(db, kind_key, f"i.id IN ({marks})"), chunk)


def rebuild(db: Database) -> int:
    """Rebuild the whole index; returns the number of items indexed."""
    db.conn.execute("DELETE FROM items_fts")
    for kind in db.defs.kinds:
        db.conn.execute(index_sql(db, kind.key, "i.kind = ?"), (kind.key,))
    return int(db.conn.execute("SELECT count(*) FROM items_fts").fetchone()[0])


def matching_ids(db: Database, text: str, *, limit: int | None = None, kind: str | None = None) -> list[int]:
    """Ids of items whose title or text contains every word of ``text`` (best first:
    title hits before body hits, then newest), of one kind (its key) when ``kind``.

    One pass, newest first, that stops once ``limit`` titles hold the first word — so a
    one-character word found in thousands of titles reads only the newest of them, not
    every title and body, and nothing is sorted."""
    from .parse import to_halfwidth, to_simplified

    words = [w for w in to_simplified(to_halfwidth(text)).split() if w]
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
        query = " AND ".join('"' + w.replace('"', '""') + '"' for w in long_words)
        clauses.append("items_fts MATCH ?")
        params.append(query)
    # "contains, ignoring ASCII case" as LIKE '%w%' would, without LIKE's pattern-length
    # limit or its stop at a NUL character
    for w in short_words:
        clauses.append("(instr(lower(f.title), lower(?)) > 0 OR instr(lower(f.body), lower(?)) > 0)")
        params.extend([w, w])
    sql = sql.replace("SELECT f.rowid", "SELECT f.rowid, instr(lower(f.title), lower(?)) > 0", 1)
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


def search(db: Database, text: str, *, kind: str | None = None, limit: int | None = None) -> list[dict[str, Any]]:
    """Items matching ``text``, as common-field records with the kind's Chinese name."""
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
            return out[:limit]
    return out
