"""Database summary for ``zs info``."""

from __future__ import annotations

from typing import Any

from .db import Database


def database_info(db: Database) -> dict[str, Any]:
    """Path, schema version, identity and counts of everything stored."""
    counts: dict[str, int] = {}
    labels: list[tuple[str, int]] = []
    per_kind = dict(db.conn.execute("SELECT kind, count(*) FROM items GROUP BY kind").fetchall())
    for k in db.defs.kinds:
        n = int(per_kind.get(k.key, 0))
        counts[k.key] = n
        labels.append((f"{k.name}（{k.key}）", n))
    for table, label in (
        ("chains", "产业链"),
        ("units", "招商主体"),
        ("activities", "对接记录"),
        ("funds", "到位资金记录"),
        ("commands", "历史操作"),
    ):
        n = int(db.conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
        counts[table] = n
        labels.append((label, n))
        if table == "units":
            # a stage move is a log row with a from-status (the first row records the item's creation)
            moves = int(db.conn.execute("SELECT count(from_status) FROM status_log").fetchone()[0])
            counts["moves"] = moves
            labels.append(("阶段变更", moves))
            # 报送 → 认定: shown only when something waits (zs review)
            waiting = int(
                db.conn.execute(
                    "SELECT (SELECT count(*) FROM status_log WHERE review = 'pending') + "
                    "(SELECT count(*) FROM funds WHERE review = 'pending')"
                ).fetchone()[0]
            )
            if waiting:
                counts["pending"] = waiting
                labels.append(("待认定（zs review）", waiting))
    counts["items"] = sum(int(v) for v in per_kind.values())
    labels.insert(len(db.defs.kinds), ("条目合计", counts["items"]))
    return {
        "path": db.where,
        "schema_version": db.version,
        "db_id": db.identity,
        "created_at": db.meta("created_at"),
        "definitions": db.defs.source_dir,
        **({"login": db.login} if db.login else {}),
        "counts": counts,
        "count_labels": labels,
    }
