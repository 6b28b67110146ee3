"""review [list] | confirm | return | status | own — 报送 → 认定: the figures other units reported;
invest add | list — 增资 (a signed project's investment going up, counted by its increment)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ._app import ZsCommand, echo, new_app, out, say, state
from .options import DateOpt, Format, FormatOpt, IdArg, when
from .output import emit, records

if TYPE_CHECKING:
    from ..review import Decision, Entry

RefsArg = Annotated[
    list[str] | None,
    typer.Argument(
        metavar="编号...",
        help="待认定记录的编号（zs review 列出的）：阶段变更写数字，到位资金写 F 加数字，增资写 Z 加数字，"
        "如 12 13、12-15、F3、Z2",
        show_default=False,
    ),
]
WhereOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--where",
        "-w",
        help="按条目筛选（可重复，同 zs list），如 --where 责任单位=爱辉区 --where 产业链=有色金属",
        show_default=False,
    ),
]
SubmissionOpt = Annotated[
    int | None,
    typer.Option(
        "--submission",
        help="一次报送（导入）的操作号（zs history 中的 #号）：整批处理",
        min=1,
        show_default=False,
    ),
]

_COLUMNS = (
    ("ref", "编号", "right"),
    ("item_id", "条目", "right"),
    ("title", "名称", "left"),
    ("change", "内容", "left"),
    ("date", "日期", "left"),
    ("figure", "认定后计入", "left"),
    ("evidence", "依据", "left"),
    ("warning", "提示", "left"),
    ("source", "来源", "left"),
    ("submission", "报送操作", "right"),
    ("at", "报送时间", "left"),
    ("review_name", "状态", "left"),
    ("review_note", "认定意见", "left"),
    ("unit", "单位", "left"),
    ("kind", "清单", "left"),
)
#: said by each group's heading in the table
_GROUPED = ("unit", "kind")


def _columns(*, grouped: bool = False) -> list[Any]:
    from ..render import Column

    return [Column(k, h, a) for k, h, a in _COLUMNS if not (grouped and k in _GROUPED)]


def _row(e: Entry) -> dict[str, Any]:
    change = e.what if e.from_status is None and e.to_status is None else f"{e.from_status or '建档'} → {e.to_status}"
    if e.table == "funds" or e.what in ("日期更正", "误报撤回"):
        change = e.what  # 到位资金 (更改 of a month already counted), 日期更正 of a confirmed move
    return {
        **e.as_dict(),
        "unit": e.unit or "（未指定）",
        "change": change,
        "at": e.at.replace("T", " ")[:16],
        "warning": "；".join(e.warnings),
    }


def register(app: typer.Typer) -> None:
    sub = new_app(
        "review",
        "报送与认定：其他单位报送的阶段变更、到位资金、增资待认定，认定后才计入统计",
        invoke_without_command=True,
        no_args_is_help=False,
    )

    @sub.callback(invoke_without_command=True)
    @records
    def list_(
        ctx: typer.Context,
        where: WhereOpt = None,
        submission: SubmissionOpt = None,
        returned: Annotated[bool, typer.Option("--returned", help="列出已退回的（默认列出待认定的）")] = False,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """列出待认定的记录：按单位、清单分组，最早报送的在前，每条写明认定后计入哪个月的什么数字和依据。

        认定：zs review confirm 编号...；退回：zs review return 编号... --reason 原因；
        各单位本月报送情况：zs review status。认定、退回都记入历史，zs undo 可撤销。
        """
        if ctx.invoked_subcommand is not None:
            return
        from .. import review

        db = state(ctx).open()
        entries = review.queue(
            db, where=where or (), submission=submission, states=(review.RETURNED,) if returned else (review.PENDING,)
        )
        rows = [_row(e) for e in entries]
        if fmt is not Format.table:
            emit(rows, _columns(), fmt)
            return
        if not rows:
            say("没有已退回的记录" if returned else "没有待认定的记录")
            return
        groups: dict[tuple[str, str], list[dict[str, Any]]] = {}
        for r in rows:
            groups.setdefault((r["unit"], r["kind"]), []).append(r)
        first = True
        for (unit, kind), part in groups.items():
            if not first:
                echo("")
            first = False
            echo(f"【{unit} · {kind}】{len(part)} 条")
            emit(part, _columns(grouped=True), fmt, available=_columns())
        what = "已退回" if returned else "待认定"
        say(f"共 {len(rows)} 条{what}。认定：zs review confirm 编号...；退回：zs review return 编号... --reason 原因")

    @sub.command("confirm", cls=ZsCommand)
    def confirm(
        ctx: typer.Context,
        refs: RefsArg = None,
        where: WhereOpt = None,
        submission: SubmissionOpt = None,
        note: Annotated[
            str | None, typer.Option("--note", help="认定意见（记入历史），如 合同已核", show_default=False)
        ] = None,
        everything: Annotated[bool, typer.Option("--all", help="认定全部待认定的记录")] = False,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """认定：选中的记录从现在起计入统计（计入它自己日期所在的月份）。记录认定人、日期和意见，zs undo 可撤销。

        例：zs review confirm 12 13 F3 --note 合同已核；zs review confirm --submission 57；
        zs review confirm --where 责任单位=爱辉区
        """
        from .. import review

        with state(ctx).command("review confirm") as db:
            decision = review.confirm(
                db, refs=refs or (), where=where or (), submission=submission, note=note, everything=everything
            )
        _said(decision, fmt)

    @sub.command("return", cls=ZsCommand)
    def return_(
        ctx: typer.Context,
        refs: RefsArg = None,
        reason: Annotated[
            str | None,
            typer.Option("--reason", "-r", help="退回原因（必填，报送单位据此修改后重报），如 缺少合同编号"),
        ] = None,
        where: WhereOpt = None,
        submission: SubmissionOpt = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """退回：选中的待认定记录不计入统计，写明原因，报送单位修改后重新报送。zs undo 可撤销。

        例：zs review return 14 --reason 缺少合同编号；zs review return --submission 57 --reason 表格版本不对
        """
        from .. import review

        with state(ctx).command("review return") as db:
            decision = review.return_rows(
                db, reason=reason or "", refs=refs or (), where=where or (), submission=submission
            )
        _said(decision, fmt)

    @sub.command("status", cls=ZsCommand)
    @records
    def status(
        ctx: typer.Context,
        month: Annotated[
            str | None,
            typer.Option("--month", "-m", help="月份，如 2026-11、上月（默认本月）", click_type=when("month")),
        ] = None,
        fmt: FormatOpt = Format.table,
    ) -> None:
        """各单位的报送情况：本月（或 --month）谁报送了、何时、几条，已认定、已退回、待认定各几条；没有报送的单位。

        没有报送的只列参加擂台赛排名的单位（不参加排名的部门报送了才列出）。"""
        from datetime import date

        from .. import review

        m = month or date.today().strftime("%Y-%m")
        db = state(ctx).open()
        reports = review.submission_status(db, m)
        rows = [
            {
                **r.as_dict(),
                "sent_name": "已报送" if r.sent else "未报送",
                "first_at": (r.first_at or "").replace("T", " ")[:16],
                "last_at": (r.last_at or "").replace("T", " ")[:16],
            }
            for r in reports
        ]
        from ..render import Column

        cols = [
            Column("unit", "单位"),
            Column("sent_name", "报送"),
            Column("submissions", "报送次数", "right"),
            Column("first_at", "首次报送"),
            Column("last_at", "最近报送"),
            Column("rows", "条数", "right"),
            Column("confirmed", "已认定", "right"),
            Column("returned", "已退回", "right"),
            Column("pending", "待认定", "right"),
        ]
        if fmt is not Format.table:  # (sent as true / false)
            emit(rows, [Column("sent", "报送") if c.key == "sent_name" else c for c in cols], fmt)
            return
        echo(f"{m[:4]}年{int(m[5:7])}月报送情况")
        emit(rows, cols, fmt)
        silent = [r.unit for r in reports if not r.sent]
        if silent:
            say(f"未报送的单位（{len(silent)} 个）：{'、'.join(silent)}")
        else:
            say("各单位本月都已报送")

    @sub.command("own", cls=ZsCommand)
    def own(
        ctx: typer.Context,
        value: Annotated[
            str | None,
            typer.Argument(metavar="开|关", help="本单位自己录入的阶段变更、到位资金、增资是否也要认定（默认关）"),
        ] = None,
    ) -> None:
        """设置：本单位自己录入的数字是否也要认定（默认不需要：一个人的办公室不必自己认定自己）。不写值时显示当前设置。"""
        from .. import review
        from ..errors import ZsError

        if value is None:
            on = review.own_review(state(ctx).open())
            say(f"本单位自己录入的数字{'需要' if on else '不需要'}认定（zs review own {'关' if on else '开'} 可改）")
            return
        words = {"开": True, "是": True, "on": True, "yes": True, "关": False, "否": False, "off": False, "no": False}
        key = value.strip().lower()
        if key not in words:
            raise ZsError(f"「{value}」不是 开 或 关：如 zs review own 开")
        with state(ctx).command("review own") as db:
            review.set_own_review(db, words[key])
        say(f"已设置：本单位自己录入的数字{'需要' if words[key] else '不需要'}认定（zs undo 可撤销）")

    app.add_typer(sub, name="review", help="报送与认定：列出待认定的数字，认定或退回，查看各单位报送情况")
    _register_invest(app)


def _register_invest(app: typer.Typer) -> None:
    sub = new_app("invest", "增资：已签约项目的投资额增加，只计增加的金额，计入增资的月份")

    @sub.command("add", cls=ZsCommand)
    def add(
        ctx: typer.Context,
        item_id: IdArg,
        amount: Annotated[
            str, typer.Argument(metavar="金额", help="增加的金额（万元；--foreign 时万美元），如 5000、0.5亿")
        ],
        date_: DateOpt = None,
        foreign: Annotated[bool, typer.Option("--foreign", help="增加的是外资额（万美元），不与人民币换算")] = False,
        note: Annotated[str | None, typer.Option("--note", help="说明，如 补充协议", show_default=False)] = None,
        evidence: Annotated[
            str | None, typer.Option("--evidence", help="依据，如 补充协议编号", show_default=False)
        ] = None,
    ) -> None:
        """登记增资：项目的投资额增加了多少、哪天增加的（补充协议的日期）。

        三明的签约项目甄别规则：一个项目只在首次签约时计一次签约额，增资只计增加的金额，计入增资所在的月份。
        投资额原来填错了不是增资，用 zs edit 编号 投资额=正确金额 更正（改的是首次签约的金额）。
        例：zs invest add 15 5000 --date 2026-11-03 --note 补充协议
        """
        from .. import increments

        with state(ctx).command("invest add") as db:
            res = increments.add(db, item_id, amount, on=date_, foreign=foreign, note=note, evidence=evidence)
        c = res.change
        say(
            f"编号 {item_id} 增资 {c.delta:g} {c.unit}（{c.date}）：{c.label} {c.old or 0:g} → {c.new:g} {c.unit}"
            + ("" if res.pending else f"，计入 {c.date[:7]} 的签约额")
        )
        if res.unsigned:
            say(f"提示：编号 {item_id} 尚未签约，增资不单独计数，签约时按签约时的投资额计入")
        if res.pending:
            say(f"这次增资待认定（编号 Z{c.id}）：认定后才改投资额、计入签约额（zs review confirm Z{c.id}）")

    @sub.command("list", cls=ZsCommand)
    @records
    def list_(ctx: typer.Context, item_id: IdArg, fmt: FormatOpt = Format.table) -> None:
        """列出项目投资额的变更（增资、更正）：日期、原金额、新金额、增加的金额、认定状态。"""
        from .. import increments
        from ..render import Column

        db = state(ctx).open()
        from ..items import get

        get(db, item_id)  # (an unknown number is said as such)
        rows = [
            {**c.as_dict(), "ref": f"Z{c.id}", "old": c.old or 0.0, "at": c.at.replace("T", " ")[:16]}
            for c in increments.changes(db, item_id)
        ]
        cols = [
            Column("ref", "编号", "right"),
            Column("date", "日期"),
            Column("change_name", "变更"),
            Column("label", "字段"),
            Column("old", "原金额", "right"),
            Column("new", "新金额", "right"),
            Column("delta", "增加", "right"),
            Column("unit", "单位"),
            Column("review_name", "状态"),
            Column("note", "说明"),
            Column("source", "来源"),
        ]
        if fmt is Format.table and not rows:
            say(f"编号 {item_id} 没有投资额变更记录（增资用 zs invest add）")
            return
        emit(rows, cols, fmt)

    app.add_typer(sub, name="invest", help="增资：已签约项目的投资额增加，只计增加的金额")


def _said(decision: Decision, fmt: Format) -> None:
    import json

    rows = [_row(e) for e in decision.entries]
    if fmt is Format.json:
        data = {
            "state": decision.state,
            "entries": rows,
            "unchanged": decision.unchanged,
            "items_followed": decision.items_followed,
        }
        out().write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        return
    if fmt is not Format.table:
        emit(rows, _columns(), fmt)
        return
    word = "认定" if decision.state == "confirmed" else "退回"
    if decision.unchanged:
        say(f"未改动：编号 {'、'.join(decision.unchanged)} 不能再{word}")
    if not rows:
        if not decision.unchanged:  # (--all with nothing waiting)
            say(f"没有待{word}的记录，未改动")
        return
    refs = "、".join(r["ref"] for r in rows[:20]) + ("等" if len(rows) > 20 else "")
    months = sorted({r["month"] for r in rows})
    if decision.state == "confirmed":
        say(f"已认定 {len(rows)} 条（编号 {refs}），计入 {'、'.join(months)} 的统计（zs undo 可撤销）")
    else:
        say(f"已退回 {len(rows)} 条（编号 {refs}），不计入统计；报送单位修改后可重新报送（zs undo 可撤销）")
