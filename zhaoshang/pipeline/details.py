"""Sections that ``zs show`` adds for the pipeline: funds total, approvals, service team,
五要件, escalations, the problems linked to an item and the visit a problem came from.
Importing this module registers them in :data:`zhaoshang.items.DETAIL_PROVIDERS`."""

from __future__ import annotations

from datetime import date
from typing import Any

from .. import items
from ..db import Database
from ..people import kinds_with
from .approvals import status as approval_status
from .common import rows
from .funds import project_funds, totals
from .ledger import escalations, problem_kinds
from .team import five_essentials, is_key_project, members


def _funds_total(db: Database, item_id: int) -> list[dict[str, Any]]:
    recs = project_funds(db, item_id)
    if not recs:
        return []
    return [{"months": len(recs), **totals(recs)}]


def _approvals(db: Database, item_id: int) -> list[dict[str, Any]]:
    kind = items.kind_of(db, item_id)
    if not kind.approvals:
        return []
    st = approval_status(db, item_id, today=date.today())
    if not st.done:
        return []
    return st.steps


def _approval_summary(db: Database, item_id: int) -> list[dict[str, Any]]:
    kind = items.kind_of(db, item_id)
    if not kind.approvals:
        return []
    st = approval_status(db, item_id, today=date.today())
    if not st.done:
        return []
    return [
        {
            "done": f"{st.done}/{len(kind.approvals)}",
            "waiting": st.waiting,
            "waiting_days": st.waiting_days,
            "speed": f"{st.speed_from}→{st.speed_to}" if st.speed_from else None,
            "speed_days": st.speed_days,
        }
    ]


def _team(db: Database, item_id: int) -> list[dict[str, Any]]:
    return members(db, item_id)


def _essentials(db: Database, item_id: int) -> list[dict[str, Any]]:
    if not is_key_project(db, item_id):
        return []
    return [{**e, "ok": "已落实" if e["ok"] else "缺"} for e in five_essentials(db, item_id)]


def _escalations(db: Database, item_id: int) -> list[dict[str, Any]]:
    return escalations(db, item_id)


def _linked_problems(db: Database, item_id: int) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for kind in problem_kinds(db):
        cols = db.kind_columns(kind)
        if "project" not in cols:
            continue
        level = f'k."{kind.escalation}"' if kind.escalation in cols else "NULL"
        out += rows(
            db,
            f"SELECT i.id, i.title, i.status, {level} AS level, u.name AS unit, i.due FROM items i "
            f'JOIN "{kind.table}" k ON k.id = i.id LEFT JOIN units u ON u.id = i.unit_id '
            "WHERE k.project = ? ORDER BY i.id",
            (item_id,),
        )
    return out


def _visit(db: Database, item_id: int) -> list[dict[str, Any]]:
    kind = items.kind_of(db, item_id)
    if kind not in kinds_with(db, "visit"):
        return []
    row = db.conn.execute(f'SELECT visit FROM "{kind.table}" WHERE id = ?', (item_id,)).fetchone()
    if row is None or row[0] is None:
        return []
    found = rows(
        db,
        "SELECT a.id, a.date, a.type, a.item_id, i.title, a.summary FROM activities a "
        "JOIN items i ON i.id = a.item_id WHERE a.id = ?",
        (row[0],),
    )
    return found or [{"id": row[0], "summary": "（该对接记录已不存在）"}]


items.DETAIL_PROVIDERS.update(
    {
        "funds_total": (
            _funds_total,
            "到位资金合计（国内、外资分列，不换算）",
            [("months", "月数"), ("domestic", "国内资金（万元）"), ("foreign_usd", "外资（万美元）")],
        ),
        "approvals": (
            _approvals,
            "前期手续",
            [("step", "手续"), ("date", "办结日期"), ("days", "距上一步（天）"), ("state", "状态"), ("note", "说明")],
        ),
        "approval_summary": (
            _approval_summary,
            "手续进度",
            [
                ("done", "已办/共"),
                ("waiting", "卡点"),
                ("waiting_days", "已等（天）"),
                ("speed", "审批速度"),
                ("speed_days", "用时（天）"),
            ],
        ),
        "team": (
            _team,
            "服务专班",
            [("id", "成员号"), ("role", "角色"), ("name", "姓名"), ("org", "单位"), ("phone", "电话")],
        ),
        "essentials": (
            _essentials,
            "五要件",
            [("essential", "要件"), ("label", "字段"), ("value", "内容"), ("ok", "落实")],
        ),
        "escalations": (
            _escalations,
            "升级记录",
            [("date", "日期"), ("from_level", "原层级"), ("to_level", "升至"), ("reason", "原因"), ("user", "操作人")],
        ),
        "linked_problems": (
            _linked_problems,
            "关联问题",
            [
                ("id", "编号"),
                ("title", "问题"),
                ("status", "状态"),
                ("level", "层级"),
                ("unit", "责任单位"),
                ("due", "时限"),
            ],
        ),
        "source_visit": (
            _visit,
            "来源走访",
            [
                ("id", "记录号"),
                ("date", "日期"),
                ("type", "方式"),
                ("item_id", "走访对象"),
                ("title", "名称"),
                ("summary", "内容"),
            ],
        ),
    }
)


def _assessments(db: Database, item_id: int) -> list[dict[str, Any]]:
    if db.conn.execute("SELECT 1 FROM assessments WHERE item_id = ? LIMIT 1", (item_id,)).fetchone() is None:
        return []  # (most items: and then the rules' module is not even loaded)
    from .assess import history

    if not items.kind_of(db, item_id).pipeline:
        return []
    return [
        {
            "date": a.date,
            "score": f"{a.score:g}/{a.max_score:g}",
            "verdict": a.verdict,
            "vetoes": "、".join(a.vetoes) or None,
            "note": a.note,
            "user": a.user,
        }
        for a in history(db, item_id)
    ]


def _contract(db: Database, item_id: int) -> list[dict[str, Any]]:
    from ..errors import ZsError
    from ..stages import first_reached_item, signing_stage

    kind = items.kind_of(db, item_id)
    if not kind.pipeline:
        return []
    sign = signing_stage(kind)
    if sign is None or first_reached_item(db, kind, item_id, sign) is None:
        return []  # not signed: nothing agreed yet (and the terms file is not read for it)
    from .performance import STATUS_NAMES, check

    try:
        found = check(db, today=date.today(), ids=[item_id])
    except ZsError:  # a broken _contract.yaml is said by zs contract, not by show
        return []
    return [
        {"term": t.label, "agreed": t.agreed, "actual": t.actual, "status": STATUS_NAMES[t.status], "gap": t.gap}
        for c in found
        for t in c.terms
    ]


def _performance(db: Database, item_id: int) -> list[dict[str, Any]]:
    if db.conn.execute("SELECT 1 FROM performance WHERE item_id = ? LIMIT 1", (item_id,)).fetchone() is None:
        return []  # (the module is loaded only for an item that has them)
    from .performance import actual_rows

    return actual_rows(db, item_id)


items.DETAIL_PROVIDERS.update(
    {
        "assessments": (
            _assessments,
            "准入研判",
            [
                ("date", "日期"),
                ("score", "得分"),
                ("verdict", "结论"),
                ("vetoes", "一票否决"),
                ("note", "研判意见"),
                ("user", "研判人"),
            ],
        ),
        "contract": (
            _contract,
            "履约情况",
            [("term", "指标"), ("agreed", "约定"), ("actual", "实际"), ("status", "状态"), ("gap", "差距")],
        ),
        "performance": (
            _performance,
            "历年实绩",
            [("year", "年度"), ("term", "指标"), ("value", "实绩"), ("date", "填报日期")],
        ),
    }
)
