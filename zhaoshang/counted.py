"""The one definition of "counted": which stage moves (``status_log`` rows) and fund rows
(``funds``) the figures count.

A row's review state is its ``review`` column (schema 8): ``confirmed`` (已认定 — every row an
office writes itself, and every row written before review existed), ``pending`` (待认定 — a
figure another unit reported, waiting for the office) or ``returned`` (已退回 — the office sent
it back with a reason).  Only confirmed rows count; ``include_pending`` shows what the
figures would be if every pending row were confirmed.  Returned rows never count.

Everything that reads the log for a figure builds on the pieces here, so the rule lives in one
place: "reached" (:func:`zhaoshang.stages.reached_sql`), the last move (:func:`last_move`), the
day an item came in (:func:`came_in`), the item's latest move date (``item_dates``, db.py),
the report's flows and ledgers (:mod:`zhaoshang.reports.figures`).

Pure SQL text: nothing here touches a database.
"""

from __future__ import annotations

CONFIRMED = "confirmed"
PENDING = "pending"
RETURNED = "returned"
#: every review state, in the order people work through them
REVIEW_STATES = (PENDING, CONFIRMED, RETURNED)
#: how a review state reads for people
REVIEW_NAMES = {PENDING: "待认定", CONFIRMED: "已认定", RETURNED: "已退回"}
#: the tables whose rows carry a review state
REVIEWED_TABLES = ("status_log", "funds", "invest_changes")
#: the kinds of a change of a project's investment amount (``invest_changes.change``): an
#: increase (增资) counts its increment in the month it happened; a correction (更正) only puts
#: the first signing's amount right
INCREASE = "increase"
CORRECTION = "correction"
CHANGE_NAMES = {INCREASE: "增资", CORRECTION: "更正"}


#: SQL condition (on ``status_log`` aliased ``s``): the row is a stage move, not a correction
#: of a confirmed move's date (``corrects``: the date it replaces) — a correction never
#: decides an item's status, only when it reached one
MOVE = "s.corrects IS NULL"


def counted(alias: str = "s", *, include_pending: bool = False) -> str:
    """SQL condition true for a row (of ``status_log`` or ``funds`` aliased ``alias``; ""
    for the bare column) that counts: confirmed — or pending too with ``include_pending``."""
    col = f"{alias}.review" if alias else "review"
    if include_pending:
        return f"{col} IN ('{CONFIRMED}', '{PENDING}')"
    return f"{col} = '{CONFIRMED}'"


#: a month of funds (``funds``): its amount columns, each with the column that holds its
#: confirmed figure while a unit's change of the month waits for 认定 or was returned
FUND_COLUMNS = {"domestic": "confirmed_domestic", "foreign_usd": "confirmed_foreign_usd"}


def fund_amount(alias: str, column: str, *, include_pending: bool = False) -> str:
    """SQL: the ``column`` (domestic / foreign_usd) of a ``funds`` row (aliased ``alias``)
    that counts: its own figure when the row counts (:func:`counted`), else the confirmed
    figure a pending or returned change of the month replaced (NULL: none) — a unit's change
    of a month already counted never takes the confirmed figure away before 认定."""
    held = f"{alias}.{FUND_COLUMNS[column]}"
    return f"(CASE WHEN {counted(alias, include_pending=include_pending)} THEN {alias}.{column} ELSE {held} END)"


def fund_counts(alias: str = "f", *, include_pending: bool = False) -> str:
    """SQL condition: the ``funds`` row (aliased ``alias``) has a figure that counts — it is
    counted itself, or it holds the confirmed figure a change waiting for 认定 replaced."""
    held = " OR ".join(f"{alias}.{c} IS NOT NULL" for c in FUND_COLUMNS.values())
    return f"({counted(alias, include_pending=include_pending)} OR {held})"


def moves(*, include_pending: bool = False) -> str:
    """A SELECT of the counted stage moves (every column of ``status_log``): use it as
    ``FROM ({moves()}) s`` or in a ``WITH`` (:func:`with_moves`)."""
    return f"SELECT * FROM status_log WHERE {counted('status_log', include_pending=include_pending)}"


def with_moves(name: str = "counted_moves", *, include_pending: bool = False) -> str:
    """``WITH <name> AS (...)``: the counted moves as a common table expression."""
    return f"WITH {name} AS ({moves(include_pending=include_pending)}) "


def reached(kind_param: bool = True, n_statuses: int = 1, *, include_pending: bool = False) -> str:
    """A sub-query with columns ``item_id, date``: each item (of the kind bound to the first
    parameter when ``kind_param``) with the first date a counted move took it into one of
    ``n_statuses`` statuses (the parameters after the kind) — "reached"."""
    marks = ", ".join("?" for _ in range(n_statuses))
    kind = "JOIN items i ON i.id = s.item_id WHERE i.kind = ? AND " if kind_param else "WHERE "
    return (
        f"SELECT s.item_id AS item_id, min(s.date) AS date FROM status_log s {kind}"
        f"s.to_status IN ({marks}) AND {counted('s', include_pending=include_pending)} GROUP BY s.item_id"
    )


def last_move(item: str = "i.id", *, upto: str | None = None, include_pending: bool = False) -> str:
    """SQL scalar: the status of the item's (``item``: SQL for its id) last counted move —
    by effective date, then id — dated on or before ``upto`` (SQL; None: any date)."""
    bound = f" AND s.date <= {upto}" if upto else ""
    return (
        f"(SELECT s.to_status FROM status_log s WHERE s.item_id = {item}{bound} AND {MOVE} AND "
        f"{counted('s', include_pending=include_pending)} ORDER BY s.date DESC, s.id DESC LIMIT 1)"
    )


def last_date(item: str = "i.id", *, include_pending: bool = False) -> str:
    """SQL scalar: the effective date of the item's latest counted move (NULL: none)."""
    return (
        f"(SELECT max(s.date) FROM status_log s WHERE s.item_id = {item} AND "
        f"{counted('s', include_pending=include_pending)})"
    )


def came_in(items: str = "i", *, include_pending: bool = False) -> str:
    """SQL (on ``items`` aliased ``items``) for the day an item came in — what 新增 counts:
    the date of its first log row when that row counts; NULL when it does not (a new project
    still 待认定, or 已退回); the day it was typed in for an item without any log row (a
    database from before the log).  One lookup in ``status_log_item``."""
    cond = counted("e", include_pending=include_pending)
    return (
        f"nullif(coalesce((SELECT CASE WHEN {cond} THEN e.date ELSE '' END FROM status_log e "
        f"WHERE e.item_id = {items}.id AND e.from_status IS NULL ORDER BY e.id LIMIT 1), "
        f"substr({items}.created_at, 1, 10)), '')"
    )


def state_moves(item: str = "?", *, include_pending: bool = False) -> str:
    """SQL scalar: the status an item holds when only confirmed moves count — the status of
    its last confirmed move in the order it was recorded (id), else the status it came in with
    (its first row, whatever that row's review state).  What ``items.status`` follows.  With
    ``include_pending``: the status its unit *reported* (its waiting moves too), what an
    import under review compares a row with."""
    cond = counted("s", include_pending=include_pending)
    return (
        f"coalesce((SELECT s.to_status FROM status_log s WHERE s.item_id = {item} AND {cond} AND {MOVE} "
        f"ORDER BY s.id DESC LIMIT 1), (SELECT s.to_status FROM status_log s WHERE s.item_id = {item} "
        "ORDER BY s.id LIMIT 1))"
    )


# ---------------------------------------------------------------------------------------
# Investment amounts: the first signing's amount and the increases (增资) after it
# ---------------------------------------------------------------------------------------
#
# A project's amount field holds its amount now: the first signing's amount plus every
# confirmed change (``invest_changes``: 增资 or 更正).  What the signing figures count is
#
# * at the first signing: the field less every confirmed change, plus the counted
#   corrections (:func:`signing_amount`) — what was signed, put right;
# * for each counted increase: its increment (new - old), in the month it happened, or at
#   the first signing if it happened before it (:func:`increments`).
#
# So a period counts first signings and increases that happened in it, never a project's
# latest total in the month of its first signing.  With every row confirmed, the two add up
# to the field.


def signing_amount(field_sql: str, item: str, field: str, *, include_pending: bool = False) -> str:
    """SQL scalar: the amount a project's first signing counts (``field_sql``: SQL of its
    money field ``field`` — a column name — on the item whose id is ``item``)."""
    cond = counted("x", include_pending=include_pending)
    return (
        f"({field_sql} + coalesce((SELECT total(CASE WHEN x.change = '{CORRECTION}' AND {cond} THEN x.new - "
        f"coalesce(x.old, 0) ELSE 0 END) - total(CASE WHEN x.review = '{CONFIRMED}' THEN x.new - coalesce(x.old, 0) "
        f"ELSE 0 END) FROM invest_changes x WHERE x.item_id = {item} AND x.field = '{field}'), 0))"
    )


def increments(*, include_pending: bool = False) -> str:
    """A SELECT of the counted increases (增资): columns ``item_id, field, date, amount`` (the
    increment; the date it happened)."""
    return (
        "SELECT x.item_id AS item_id, x.field AS field, x.date AS date, x.new - coalesce(x.old, 0) AS amount "
        f"FROM invest_changes x WHERE x.change = '{INCREASE}' AND {counted('x', include_pending=include_pending)}"
    )
