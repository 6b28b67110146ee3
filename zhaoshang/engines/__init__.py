"""The database engines: SQL that differs between SQLite and PostgreSQL, in one place.

After Prefect's ``query_components.py``: one base class (:class:`~.base.Dialect`) names every
construct that differs — how a write transaction starts, how history is captured, how a list
of ids is bound to one parameter, the schema's introspection — and one subclass per engine
(:mod:`.sqlite`, :mod:`.postgres`) says it.  The modules above ask ``db.dialect`` and never
test which engine they are on.

Nothing of PostgreSQL is imported when the database is a file: :func:`is_server` is a string
test, and :mod:`.postgres` (SQLAlchemy, psycopg) is imported only to open a server database.
"""

from __future__ import annotations

#: the URL schemes of a server database (``--db postgresql://user@host/zhaoshang``)
SERVER_SCHEMES = ("postgresql://", "postgres://", "postgresql+psycopg://")


def is_server(target: str) -> bool:
    """Whether ``target`` (``--db``, ``ZHAOSHANG_DB``, the config's ``db``) names a server
    database rather than a file."""
    low = target.strip().lower()
    return low.startswith(SERVER_SCHEMES)
