"""Where a file comes from: its hidden ``_meta`` (our export, another office's, a template),
and the roll-up bookkeeping — which export of an office was imported last, so an older one is
not imported over it by mistake."""

from __future__ import annotations

import json
from pathlib import Path

from ..db import Database, now
from ..errors import ZsError
from ..hints import option
from . import layout
from .meta import FileMeta, parse_rows
from .readers import RawSheet, read_file

__all__ = ["check_older", "file_meta", "origin_key", "stamp"]


def file_meta(path: Path, sheets: list[RawSheet]) -> tuple[FileMeta | None, list[RawSheet]]:
    """The file's ``_meta`` (None: not one of ours) and its other sheets."""
    from .readers import WORKBOOK_SUFFIXES

    rest = [s for s in sheets if s.name != layout.META_SHEET]
    found = [s for s in sheets if s.name == layout.META_SHEET]
    if found:
        return parse_rows([list(r) for r in found[0].rows]), rest
    if path.suffix.lower() in WORKBOOK_SUFFIXES:
        try:
            meta_sheets = read_file(path, sheet=layout.META_SHEET)
        except ZsError:
            return None, rest
        if meta_sheets and meta_sheets[0].name == layout.META_SHEET:
            return parse_rows([list(r) for r in meta_sheets[0].rows]), rest
    return None, rest


def origin_key(db_id: str) -> str:
    return f"import_origin:{db_id}"


def check_older(db: Database, meta: FileMeta | None, *, force: bool) -> None:
    """Refuse a roll-up file older than the one last imported from the same office (unless
    ``force``): it would set newer data back."""
    if meta is None or force:
        return
    row = db.meta(origin_key(meta.db_id))
    if not row:
        return
    try:
        last = json.loads(row)
    except ValueError:
        return
    if meta.exported_at and last.get("exported_at") and meta.exported_at < last["exported_at"]:
        raise ZsError(
            f"「{meta.db_name or meta.db_id}」的这份导出（{meta.exported_at[:19].replace('T', ' ')}）"
            f"比上次导入的那份（{last['exported_at'][:19].replace('T', ' ')}）更旧，导入会把较新的数据改回去："
            f"确需导入请加 {option('force')}"
        )


def stamp(db: Database, meta: FileMeta) -> None:
    """Remember the roll-up file just imported from ``meta.db_id`` (for :func:`check_older`)."""
    value = json.dumps({"exported_at": meta.exported_at, "db_name": meta.db_name, "imported_at": now()})
    db.conn.execute(
        "INSERT INTO meta(key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        (origin_key(meta.db_id), value),
    )
