"""What differs between the engines, named once: :class:`Dialect`.

Each method is one construct.  The SQL the rest of the program writes is the part both engines
understand (plain SELECT/INSERT/UPDATE/DELETE with ``?`` parameters, ``ON CONFLICT`` upserts,
``RETURNING``); whatever is not goes through here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any, Protocol

#: the tables ``item_dates`` is derived from
DATES_TABLES = ("status_log", "activities")


class Connection(Protocol):
    """The part of a DB-API connection the program uses (``sqlite3.Connection`` has it; the
    PostgreSQL engine wraps psycopg's to have it)."""

    dialect: Dialect

    def execute(self, sql: str, parameters: Any = ..., /) -> Any: ...

    def executemany(self, sql: str, parameters: Any, /) -> Any: ...

    @property
    def in_transaction(self) -> bool: ...

    def close(self) -> None: ...


class Dialect:
    """The constructs whose SQL differs per engine.  One instance per engine, stateless."""

    #: ``sqlite`` or ``postgresql`` (for messages and benchmarks, never for branching)
    name = ""
    #: a server database: accounts, no file beside the program
    server = False
    #: ``LIMIT`` with no limit (keeps a subquery from being flattened into the outer one)
    no_limit = ""

    # -- the schema --------------------------------------------------------------------
    def columns(self, conn: Connection, table: str) -> list[str]:
        """The columns of ``table`` in order ([] when there is no such table)."""
        raise NotImplementedError

    def tables(self, conn: Connection, prefix: str = "") -> list[str]:
        """The program's tables whose names start with ``prefix``."""
        raise NotImplementedError

    def has_trigger(self, conn: Connection, name: str) -> bool:
        raise NotImplementedError

    def schema_version(self, conn: Connection) -> int:
        raise NotImplementedError

    def set_schema_version(self, conn: Connection, version: int) -> None:
        raise NotImplementedError

    def sql_type(self, sqlite_type: str) -> str:
        """A column type (or a column's constraint) of the SQLite schema as this engine writes it."""
        return sqlite_type

    def free_bytes(self, conn: Connection) -> int:
        """Bytes the database holds free (given back to the disk by a vacuum)."""
        raise NotImplementedError

    def size(self, conn: Connection) -> int | None:
        """Bytes the database takes on the server (None: a file, measured on disk)."""
        return None

    # -- transactions ------------------------------------------------------------------
    def begin_write(
        self, conn: Connection, on_wait: Callable[[], None] | None = None, *, notice_ms: int = 0, timeout_ms: int = 0
    ) -> None:
        """Start a transaction that holds the database's write lock until it ends: one
        writer at a time (ids come out contiguous, history ranges hold).  A server's lock
        held by another writer: ``on_wait`` after ``notice_ms``, a refusal after ``timeout_ms``."""
        raise NotImplementedError

    def defer_foreign_keys(self, conn: Connection) -> None:
        """Check foreign keys at the end of this transaction (an undo replays rows in any order)."""
        raise NotImplementedError

    def foreign_key_problems(self, conn: Connection) -> list[Any]:
        """Rows whose foreign keys point nowhere, before the end of the transaction."""
        raise NotImplementedError

    # -- ids ---------------------------------------------------------------------------
    def insert_id(self, conn: Connection, sql: str, params: Sequence[Any] = ()) -> int:
        """Run an ``INSERT`` of one row into a table with an ``id`` key; its id."""
        raise NotImplementedError

    def next_id(self, conn: Connection, table: str) -> int:
        """The id the next row of ``table`` gets (never one a deleted row had)."""
        raise NotImplementedError

    def create_schema(self, conn: Connection, statements: Sequence[str], tables: Sequence[str]) -> None:
        """Create a new database's schema from SQLite's ``statements`` (a server's; a file's
        runs the migrations)."""
        raise NotImplementedError

    def give_back_ids(self, conn: Connection, table: str) -> None:
        """Let the next row of ``table`` take the id after the highest there now (ids of rows
        deleted in this transaction, which nobody saw)."""
        raise NotImplementedError

    def run_migration(self, conn: Connection, statement: str) -> None:
        """One statement of a versioned migration (SQLite's SQL, as written in ``db.MIGRATIONS``)."""
        conn.execute(statement)

    def before_migration(self, conn: Connection) -> None:
        """At the start of each migration's transaction: what the engine keeps beside the schema
        (a server's functions) brought to this version, before the statements that use it."""

    def check_before_upgrade(self, conn: Connection, where: str) -> None:
        """Refuse to migrate a damaged database (nothing to check on a server: it keeps its pages)."""

    # -- aggregates ------------------------------------------------------------------------
    def at_max(self, value: str, key: str, tie: str) -> str:
        """SQL, in an aggregate query that takes ``max(key)``, for ``value`` of the row holding
        that maximum (of ties, the one with the lowest ``tie``)."""
        raise NotImplementedError

    # -- rows packed in one parameter ------------------------------------------------------
    #: the rows of a JSON array of arrays bound to one parameter, as ``j`` (``j.key`` orders
    #: them as given) — one statement inserting thousands of rows, every value bound at once
    packed_rows = ""

    def packed_value(self, index: int, sql_type: str) -> str:
        """SQL for value ``index`` of a packed row (``j``), as a column of ``sql_type``."""
        raise NotImplementedError

    # -- search ----------------------------------------------------------------------------
    def search_match(self, alias: str, words: Sequence[str]) -> tuple[str, list[Any]]:
        """SQL on the search index (aliased ``alias``: ``id``, ``title``, ``body``) true when
        the title or the body contains every one of ``words`` (3 characters or more: those an
        index of trigrams serves), and its parameters."""
        raise NotImplementedError

    def keep_ids_above(self, conn: Connection, table: str, last: int) -> None:
        """Never give ``table`` an id at or below ``last`` again (a copied database keeps its
        source's counter: ids of deleted rows stay unused)."""
        raise NotImplementedError

    def begin_snapshot(self, conn: Connection) -> None:
        """Start a transaction whose every statement reads the same state (a report's
        figures add up while others write), in which temporary tables can be made."""
        raise NotImplementedError

    def begin_read(self, conn: Connection) -> None:
        """Start a transaction that reads one consistent state of the database."""
        raise NotImplementedError

    # -- history -----------------------------------------------------------------------
    def install_history(self, conn: Connection, table: str) -> None:
        """(Re)create the capture that copies every row of ``table`` inserted, changed or
        deleted into ``changes`` (old and new as JSON) under the current command."""
        raise NotImplementedError

    def pause_history(self, conn: Connection, table: str) -> bool:
        """Stop the capture of ``table`` for a bulk write recorded as a range, until
        :meth:`install_history`; True when it was capturing."""
        raise NotImplementedError

    def start_command(self, conn: Connection, command_id: int) -> None:
        """Make ``command_id`` the command the capture records changes under."""
        raise NotImplementedError

    def install_item_dates(self, conn: Connection, refresh_sql: Any) -> None:
        """(Re)create what keeps ``item_dates`` equal to the logs: ``refresh_sql(where)`` is
        the statement recomputing the rows of the items chosen by ``where`` (on ``i``)."""
        raise NotImplementedError

    def keeps_item_dates(self, conn: Connection) -> bool:
        """Whether the ``item_dates`` triggers are installed (schema version 6 and later)."""
        raise NotImplementedError

    def pause_item_dates(self, conn: Connection) -> None:
        raise NotImplementedError

    # -- rights ----------------------------------------------------------------------------
    def refused(self, exc: BaseException, role: str | None = None) -> Exception | None:
        """``exc`` as a message for people when it is the database refusing the connected
        account (of ``role``: admin, review, entry, read) a right (a server's accounts: zs
        account); None otherwise."""
        return None
