"""assess (准入研判) and contract (履约、达产): before signing and after production."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._app import ZsCommand, echo, out, say, state
from .options import DateOpt, Format, FormatOpt, TodayOpt, pairs_of, today_of
from .output import emit, records

if TYPE_CHECKING:
    from ..pipeline.assess import Assessment
    from ..render import Column


def register(app: typer.Typer) -> None:
    app.command("assess", cls=ZsCommand)(records(assess))
    app.command("contract", cls=ZsCommand)(records(contract))


OptionalId = Annotated[int | None, typer.Argument(metavar="[编号]", help="项目编号", show_default=False, min=1)]
SetOpt = Annotated[
    list[str] | None,
    typer.Option("--set", help="评分项=值（可重复），如 --set 产业类别=鼓励类 --set 投资强度=320 --set 高耗能=否"),
]


def _write_data(data: Any, fmt: Format) -> None:
    import json

    from ..render import to_yaml

    out().write(to_yaml(data) if fmt is Format.yaml else json.dumps(data, ensure_ascii=False, indent=2) + "\n")


# ---------------------------------------------------------------------------------------
# assess
# ---------------------------------------------------------------------------------------


def assess(
    ctx: typer.Context,
    item_id: OptionalId = None,
    values: SetOpt = None,
    note: Annotated[str | None, typer.Option("--note", help="研判意见（记入研判记录）")] = None,
    date_: DateOpt = None,
    waiting: Annotated[
        bool, typer.Option("--waiting", help="列出待研判的项目（线索、在谈而未研判），超过时限的标黄灯、红灯")
    ] = False,
    rules: Annotated[
        bool, typer.Option("--rules", help="显示评分模板（checklists/_assess.yaml）的评分项和档位")
    ] = False,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """准入研判：按 checklists/_assess.yaml 的评分项给项目打分（满分、档位、一票否决、结论档位都在 YAML 里），
    记录输入、每项得分及理由、总分和结论，并写入项目的「研判得分」「研判结论」「研判日期」字段。

    zs assess 编号 --set 项=值 …：记一次研判（没写的项取项目字段，如投资额；仍没有的记 0 分）。

    zs assess 编号：看这个项目的研判记录；zs assess：已研判项目的最近一次得分（-f csv/json 可导出）。

    zs assess --waiting：待研判的项目及等了几天；zs assess --rules：评分规则。"""
    from ..errors import ZsError
    from ..pipeline import assess as core

    day = today_of(today)
    if rules:
        db = state(ctx).open()
        _render_rules(core.template_of(db), fmt)
        return
    if waiting:
        if item_id is not None or values:
            raise ZsError("--waiting 列出全部待研判项目：不要同时写编号或 --set")
        db = state(ctx).open()
        found = core.waiting(db, today=day)
        emit([w.as_dict() for w in found], _waiting_columns(), fmt)
        if fmt is Format.table:
            late = sum(1 for w in found if w.light)
            limit = found[0].limit if found else None
            say(f"待研判 {len(found)} 个" + (f"，超过 {limit} 天时限的 {late} 个" if limit else ""))
        return
    if item_id is None:
        if values or note or date_:
            raise ZsError("记研判要写项目编号：zs assess 编号 --set 产业类别=鼓励类 …")
        db = state(ctx).open()
        assessed = core.latest_all(db)
        emit([_list_row(a) for a in assessed], _list_columns(), fmt)
        if fmt is Format.table:
            say(f"已研判 {len(assessed)} 个项目（各取最近一次）")
        return
    if not values:
        if note or date_:
            raise ZsError(
                f"记研判要写评分项：zs assess {item_id} --set 产业类别=鼓励类 …；只看记录请去掉 --note/--date"
            )
        db = state(ctx).open()
        past = core.history(db, item_id)
        if fmt is not Format.table:
            _write_data([a.as_dict() for a in past], fmt)
            return
        if not past:
            say(
                f"编号 {item_id} 还没有研判：zs assess {item_id} --set 产业类别=鼓励类 --set 投资强度=320 …"
                "（zs assess --rules 看评分项）"
            )
            return
        _render_assessment(past[0])
        if len(past) > 1:
            echo("")
            echo("【以往研判】")
            for a in past[1:]:
                echo(f"  {a.date}  {_score(a)}  {a.verdict}（{a.user}）")
        return
    with state(ctx).command("assess") as db:
        res = core.assess(db, item_id, pairs_of(values), today=day, on=date_, note=note)
    if fmt is not Format.table:
        _write_data(res.as_dict(), fmt)
        return
    _render_assessment(res)
    say(f"已记录研判：编号 {item_id} {_score(res)}，{res.verdict}")


def _score(a: Assessment) -> str:
    return f"{_n(a.score)}/{_n(a.max_score)} 分"


def _n(x: float) -> str:
    return str(int(x)) if x == int(x) else f"{x:.2f}".rstrip("0")


def _render_assessment(a: Assessment) -> None:
    from ..render import Column, layout

    echo(f"编号 {a.item_id}「{a.title}」准入研判（{a.date}，{a.template}）")
    rows = [
        {"label": x.label, "value": x.value or "—", "points": _n(x.points), "max": _n(x.max), "why": x.why}
        for x in a.lines
    ]
    cols = [
        Column("label", "评分项"),
        Column("value", "输入"),
        Column("points", "得分", "right"),
        Column("max", "满分", "right"),
        Column("why", "理由"),
    ]
    echo(layout(rows, cols).text.rstrip())
    echo(f"总分：{_score(a)}    结论：{a.verdict}")
    if a.vetoes:
        echo(f"一票否决：{'、'.join(a.vetoes)}")
    if a.note:
        echo(f"研判意见：{a.note}")


def _render_rules(t: Any, fmt: Format) -> None:
    rows = []
    for c in t.criteria:
        if c.method == "choice":
            rule = "；".join(f"{x.name} {_n(x.points)}" + ("（否决）" if x.veto else "") for x in c.choices)
        elif c.method == "steps":
            rule = "；".join(f"≥{_n(s.at)} {_n(s.points)}" for s in c.steps)
        elif c.method == "linear":
            rule = f"按比例，{_n(c.full_at or 0)} 满分"
        else:
            rule = "研判人员打分"
        rows.append(
            {
                "key": c.key,
                "label": c.label,
                "max": c.max,
                "unit": c.unit,
                "rule": rule,
                "field": c.field or "",
            }
        )
    if fmt is not Format.table:
        data = {
            "name": t.name,
            "total": t.total,
            "due_days": t.due_days,
            "criteria": rows,
            "vetoes": [{"key": v.key, "label": v.label} for v in t.vetoes],
            "verdicts": [{"at": v.at, "name": v.name} for v in t.verdicts],
            "veto_verdict": t.veto_verdict,
        }
        _write_data(data, fmt)
        return
    from ..render import Column, layout

    echo(f"{t.name}（满分 {_n(t.total)}，checklists/_assess.yaml）")
    cols = [
        Column("label", "评分项"),
        Column("max", "满分", "right"),
        Column("unit", "单位"),
        Column("rule", "给分"),
    ]
    echo(layout([{**r, "max": _n(r["max"])} for r in rows], cols).text.rstrip())
    echo("结论：" + "；".join(f"≥{_n(v.at)} {v.name}" for v in t.verdicts))
    if t.vetoes:
        echo(f"一票否决（{t.veto_verdict}）：{'、'.join(v.label for v in t.vetoes)}")
    if t.due_days:
        echo(f"时限：进入{'、'.join(t.waiting)}后 {t.due_days} 天内完成研判")


def _list_row(a: Assessment) -> dict[str, Any]:
    return {
        "id": a.item_id,
        "title": a.title,
        "date": a.date,
        "score": a.score,
        "max_score": a.max_score,
        "verdict": a.verdict,
        "vetoes": "、".join(a.vetoes) or None,
        "user": a.user,
    }


def _list_columns() -> list[Column]:
    from ..render import Column

    return [
        Column("id", "编号", "right", priority=1),
        Column("title", "项目", priority=1),
        Column("date", "研判日期", priority=3),
        Column("score", "得分", "right", priority=1),
        Column("max_score", "满分", "right", priority=6),
        Column("verdict", "结论", priority=2),
        Column("vetoes", "一票否决", priority=4),
        Column("user", "研判人", priority=7),
    ]


def _waiting_columns() -> list[Column]:
    from ..render import Column

    return [
        Column("light_name", "灯", priority=1),
        Column("id", "编号", "right", priority=1),
        Column("title", "项目", priority=1),
        Column("status", "阶段", priority=3),
        Column("unit", "责任单位", priority=4),
        Column("owner", "责任人", priority=4),
        Column("since", "进入日期", priority=5),
        Column("elapsed", "已等（天）", "right", priority=2),
        Column("limit", "时限（天）", "right", priority=6),
    ]


# ---------------------------------------------------------------------------------------
# contract
# ---------------------------------------------------------------------------------------


def contract(
    ctx: typer.Context,
    item_id: OptionalId = None,
    year: Annotated[int | None, typer.Option("--year", help="实绩所属年度，如 2026（与 --set 同用）")] = None,
    values: Annotated[
        list[str] | None,
        typer.Option("--set", help="指标=实绩（可重复），如 --set 亩均税收=8.5 --set 年产值=3.2亿"),
    ] = None,
    note: Annotated[str | None, typer.Option("--note", help="说明（记入实绩）")] = None,
    date_: DateOpt = None,
    status: Annotated[
        str | None,
        typer.Option(
            "--status", help="只看某种履约状态：failed（未履约）、behind（滞后）、met（达标）、pending（待考核）"
        ),
    ] = None,
    all_: Annotated[bool, typer.Option("--all", help="也列出各项都还待考核（未到期、未报实绩）的项目")] = False,
    today: TodayOpt = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """履约监管：签约项目的约定指标（投资额、约定用地、约定投资强度、约定亩均税收、约定年产值，约定开工/投产/达产
    日期——项目字段，可导入导出）与实绩对照，逐项给出 达标 / 滞后 / 未履约 / 待考核 及差多少；
    指标见 checklists/_contract.yaml。

    zs contract：签约项目的履约状态，未履约在前（--all 含各项待考核的；-f csv/json 可导出）。

    zs contract 编号：逐项对照约定与实际。

    zs contract 编号 --year 2026 --set 亩均税收=8.5：记录当年实绩（同年同项再记即更正）。"""
    from ..errors import ZsError
    from ..pipeline import performance as core

    day = today_of(today)
    if values or year is not None:
        if item_id is None:
            raise ZsError("记实绩要写项目编号：zs contract 编号 --year 2026 --set 亩均税收=8.5")
        if year is None:
            raise ZsError("记实绩要写年度：--year 2026")
        with state(ctx).command("contract") as db:
            rec = core.record(db, item_id, year, pairs_of(values), today=day, on=date_, note=note)
        if fmt is not Format.table:
            _write_data(
                {"item_id": rec.item_id, "year": rec.year, "date": rec.date, "values": [list(v) for v in rec.values]},
                fmt,
            )
            return
        parts = [f"{label} {new}" + (f"（原为 {old}）" if old and old != new else "") for label, new, old in rec.values]
        say(f"已记录编号 {item_id} {year} 年实绩：{'；'.join(parts)}")
        return
    if note or date_:
        raise ZsError("--note、--date 只在记实绩时用（--year 年度 --set 指标=实绩）")
    db = state(ctx).open()
    if item_id is not None:
        found = core.check(db, today=day, ids=[item_id])
        if fmt is not Format.table:
            _write_data(found[0].as_dict() if found else None, fmt)
            return
        if not found:
            say(
                f"编号 {item_id} 不在履约监管中：须已签约、未退库，且填了约定指标"
                f"（如 zs edit {item_id} 约定投资强度=300 计划投产日期=2027-06-30）"
            )
            return
        _render_contract(found[0], core.STATUS_NAMES)
        rows = core.actual_rows(db, item_id)
        if rows:
            echo("")
            echo("【历年实绩】")
            for r in rows:
                echo(f"  {r['year']}年  {r['term']}  {r['value']}（{r['date']} 报）")
        return
    found = core.check(db, today=day, status=status)
    waiting = [c for c in found if c.status == core.PENDING]
    if not all_ and status is None:
        found = [c for c in found if c.status != core.PENDING]
    if fmt in (Format.json, Format.yaml):
        _write_data([c.as_dict() for c in found], fmt)
        return
    emit([c.as_dict() for c in found], _contract_columns(), fmt)
    if fmt is Format.table:
        counts = {k: sum(1 for c in found if c.status == k) for k in core.STATUS_NAMES}
        counts[core.PENDING] = len(waiting) if status is None else counts[core.PENDING]
        total = len(found) + (0 if all_ or status is not None else len(waiting))
        hint = "（--all 列出待考核的）" if waiting and not all_ and status is None else ""
        say(f"履约监管 {total} 个项目：" + "、".join(f"{core.STATUS_NAMES[k]} {n}" for k, n in counts.items()) + hint)


def _render_contract(c: Any, names: dict[str, str]) -> None:
    from ..render import Column, layout

    echo(f"编号 {c.id}「{c.title}」（{c.status_stage}，签约 {c.signed}）履约：{names[c.status]}")
    rows = [
        {
            "label": t.label,
            "agreed": t.agreed or "—",
            "actual": t.actual or "—",
            "status": names[t.status],
            "gap": t.gap,
        }
        for t in c.terms
    ]
    cols = [
        Column("label", "指标"),
        Column("agreed", "约定"),
        Column("actual", "实际"),
        Column("status", "状态"),
        Column("gap", "差距"),
    ]
    echo(layout(rows, cols).text.rstrip())


def _contract_columns() -> list[Column]:
    from ..render import Column

    return [
        Column("light_name", "灯", priority=2),
        Column("id", "编号", "right", priority=1),
        Column("title", "项目", priority=1),
        Column("stage", "阶段", priority=4),
        Column("unit", "责任单位", priority=5),
        Column("signed", "签约日期", priority=6),
        Column("status_name", "履约", priority=1),
        Column("summary", "差距", priority=2),
    ]
