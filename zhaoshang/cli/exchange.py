"""import, export, template: lists to and from Excel, CSV, JSON and YAML."""

from __future__ import annotations

import sys
import time
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..choices import Blank, Confirm, OnDuplicate
from ._app import ZsCommand, argv, echo, out, say, state
from .options import Format, FormatOpt, when

if TYPE_CHECKING:
    from ..exchange.importer import ImportReport


def register(app: typer.Typer) -> None:
    app.command("export", cls=ZsCommand)(export)
    app.command("import", cls=ZsCommand)(import_)
    app.command("template", cls=ZsCommand)(template)


class _Progress:
    """Progress on stderr, only on a terminal, at most five times a second."""

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.on = sys.stderr.isatty()
        self.last = 0.0
        self.shown = False

    def __call__(self, what: str, rows: int) -> None:
        if not self.on:
            return
        t = time.monotonic()
        if t - self.last < 0.2:
            return
        self.last = t
        sys.stderr.write(f"\r{self.verb}：{what} {rows:,} 行 …\033[K")
        sys.stderr.flush()
        self.shown = True

    def done(self) -> None:
        if self.shown:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()


# ---------------------------------------------------------------------------------------
# export
# ---------------------------------------------------------------------------------------


def export(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="文件", help="导出到的文件：.xlsx、.csv、.json 或 .yaml（按扩展名）")],
    pairs: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="字段=值...", help="字段条件（需 --kind），如 优先级=A 投资额≥10000", show_default=False
        ),
    ] = None,
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="只导出一张清单，如 招什么")] = None,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="只导出一条产业链")] = None,
    status: Annotated[str | None, typer.Option("--status", "-s", help="只导出这些状态（逗号分隔）")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="只导出这个责任单位的条目")] = None,
    owner: Annotated[str | None, typer.Option("--owner", "-o", help="只导出这个责任人的条目")] = None,
    month: Annotated[
        str | None,
        typer.Option(
            "--month", "-m", help="对接记录、到位资金、阶段变更只导出这个月，如 2026-03", click_type=when("month")
        ),
    ] = None,
    open_only: Annotated[bool, typer.Option("--open", help="只导出未办结的条目")] = False,
    mask: Annotated[bool, typer.Option("--mask", help="隐藏电话等敏感信息（用于广泛分发）")] = False,
) -> None:
    """导出清单：xlsx 为完整工作簿（汇总、七张清单、产业链、招商主体、对接记录、到位资金…）；
    csv 为一张表（UTF-8 带 BOM）；json/yaml 为机器可读格式。

    例：zs export 三月清单.xlsx --month 2026-03；zs export 招商项目.csv --kind 招什么 --chain 新能源
    """
    from ..exchange.export import export as run_export
    from ..exchange.source import ExportFilter

    st = state(ctx)
    db = st.open()
    flt = ExportFilter(
        kind=kind,
        chain=chain,
        status=status,
        unit=unit,
        owner=owner,
        month=month,
        open_only=open_only,
        where=list(pairs or []),
    )
    progress = _Progress("导出中")
    try:
        result = run_export(db, file, flt, mask=mask, user=st.user, progress=progress)
    finally:
        progress.done()
    parts = "、".join(f"{name} {n}" for name, n in result.sheets)
    masked = "（已隐藏敏感信息）" if result.masked else ""
    say(f"已导出 {result.items} 个条目到 {result.path}{masked}：{parts}")
    if result.description != "全部":
        say(f"筛选条件：{result.description}")


# ---------------------------------------------------------------------------------------
# template
# ---------------------------------------------------------------------------------------


def template(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="文件", help="模板文件名（.xlsx）")],
    kind: Annotated[str | None, typer.Option("--kind", "-k", help="只含一张清单，如 招什么")] = None,
) -> None:
    """生成空白填报模板：与导出相同的表头和下拉选项，附填写说明。例：zs template 项目填报.xlsx --kind 招什么"""
    from ..exchange.template import write_template

    st = state(ctx)
    db = st.open()
    result = write_template(db, file, kind=kind, user=st.user)
    say(f"已生成填报模板 {result.path}：{'、'.join(result.sheets)}（另有「填写说明」工作表）")


# ---------------------------------------------------------------------------------------
# import
# ---------------------------------------------------------------------------------------


def import_(
    ctx: typer.Context,
    file: Annotated[
        Path, typer.Argument(metavar="文件", help="要导入的文件：.xlsx、.xls、.ods、.csv、.tsv、.json、.yaml")
    ],
    kind: Annotated[
        str | None,
        typer.Option(
            "--kind",
            "-k",
            help="清单或表（工作表名说不清时，如 CSV 文件）：招什么……，或 到位资金、前期手续",
        ),
    ] = None,
    chain: Annotated[str | None, typer.Option("--chain", "-c", help="表中没有产业链列时，新条目归入的产业链")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="只导入这个工作表")] = None,
    mapping: Annotated[
        list[str] | None,
        typer.Option(
            "--map",
            help="指定列对应的字段：列名=字段 或 列字母=字段，可多次使用；列名=忽略 不导入该列"
            "（认不出的列必须指定或忽略）；工作表名!列字母=… 只对那张表",
        ),
    ] = None,
    dry_run: Annotated[
        bool,
        typer.Option(
            "--dry-run", help="预演：列出每一列的去向、每个非数据行的类别，以及将新增、修改、不变、拒绝的行；不写入"
        ),
    ] = False,
    on_duplicate: Annotated[
        OnDuplicate | None,
        typer.Option(
            "--on-duplicate",
            help="疑似重复（同一产业链下名称几乎相同）时：update 更新已有条目、skip 跳过、new 作为新条目",
            case_sensitive=False,
        ),
    ] = None,
    blank: Annotated[
        Blank, typer.Option("--blank", help="空单元格：keep 保留原值（默认）、clear 清空原值", case_sensitive=False)
    ] = Blank.keep,
    errors: Annotated[
        Path | None,
        typer.Option(
            "--errors",
            help="有问题时把整个文件写回这个工作簿（被拒绝的行旁注明错误），改好后直接导入它；"
            "表中项目有退回、还没重新报送的报送时也写回，在那一行注明退回的内容和原因；"
            "只有单元格的值（不带公式、格式、隐藏的工作表），不能是要导入的文件本身",
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="汇总导入时，允许导入比上次更旧的导出文件；区县的表比本库数据所依据的表早一期时，仍用它覆盖"
        ),
    ] = False,
    create_missing: Annotated[
        bool,
        typer.Option(
            "--create-missing", help="表中写到的产业链、招商主体还没有时一并新建（在同一次操作中，可 zs undo）"
        ),
    ] = False,
    as_of: Annotated[
        str | None,
        typer.Option(
            "--as-of",
            help="行里没有该阶段日期列（签约日期、开工日期…）时阶段变更记在哪一天；默认标题里的报告期，"
            "再默认表头的填报日期；都没有时外来表格的阶段变更被拒绝，要用本项给出",
            click_type=when("day"),
        ),
    ] = None,
    review: Annotated[
        bool | None,
        typer.Option(
            "--review/--no-review",
            help="--review：导入的阶段变更和到位资金先待认定（zs review），认定后才计入报表；"
            "--no-review：直接计入。默认：汇总导入、写明填报单位的表格和标题以区县开头的表格要认定，"
            "本单位的表格按 zs review own 的设置",
        ),
    ] = None,
    confirm: Annotated[
        list[Confirm] | None,
        typer.Option(
            "--confirm",
            metavar="<确认项>",
            help="确认一项推断（否则拒绝导入）：month_start / month_end 只有年月的日期（2026年10月）按当月1日 / "
            "最后一天（10月初 / 10月底 也按此记）；amount 与列单位不相称的金额（亿元栏里的 3000）按列单位读；"
            "increase / correction 已签约项目在较晚一期的表里改了投资额，"
            "按增资（记在本表的日期）/ 更正（改首次签约的金额）；"
            "misreport / backward 要认定的表把项目改回较早的阶段，按此前误报撤回（认定后不再计入任何月份）/ 按回退记；"
            "可多次使用",
            case_sensitive=False,
        ),
    ] = None,
    fmt: FormatOpt = Format.table,
) -> None:
    """导入清单：先逐行检查，有任何问题则一行也不写入并列出全部问题；全部通过后作为一次操作写入（可 zs undo）。

    自己导出的文件改完再导入：只更新改动的单元格，没有编号的行为新条目，删掉的行不删除任何数据。
    其他单位导出的文件：按来源汇总，下月再导入同一单位的文件会更新而不会重复。
    例：zs import 爱辉区3月.xlsx --dry-run；zs import 项目.csv --kind 招什么 --chain 新能源
    """
    from ..exchange.importer import ImportOptions, import_file, rejected_error, summarize

    st = state(ctx)
    db = st.open()
    opts = ImportOptions(
        kind=kind,
        chain=chain,
        sheet=sheet,
        mapping=list(mapping or []),
        dry_run=dry_run,
        on_duplicate=on_duplicate,
        blank=blank,
        errors_path=errors,
        force=force,
        as_of=_as_of(as_of),
        create_missing=create_missing,
        review=review,
        confirm=frozenset(confirm or ()),
    )
    progress = _Progress("导入中")
    try:
        report = import_file(db, file, opts, user=st.user, args=argv(), progress=progress)
    finally:
        progress.done()
    _show_report(report, fmt)
    if report.problems or report.pending_duplicates:
        raise rejected_error(report)
    say(summarize(report))
    if report.command_id is not None:
        say(f"这次导入是第 {report.command_id} 次操作，可用 zs undo 整体撤销")
    if report.returned and report.errors_file:
        say(
            f"{report.returned} 条退回的报送还没有重新报送：已在「{report.errors_file}」相应行的「错误说明」列注明"
            "退回的内容和原因，发回填报单位改正后重新报送"
        )
    if report.review_because and report.dry_run:
        say(f"{report.review_because}：正式导入时，阶段变更和到位资金先待认定，认定后才计入报表")
    if report.review_because and report.written and report.command_id is None:
        say(f"{report.review_because}：这次没有新的阶段变更或到位资金要认定")
    elif report.review_because and report.written:
        say(
            f"{report.review_because}：{_waiting(report)}待认定，"
            f"认定前不计入报表（zs review 查看，zs review confirm --submission {report.command_id} 全部认定）"
        )


def _waiting(report: ImportReport) -> str:
    """「新项目 4 个、阶段变更 4 次、到位资金 0 笔」: what an import's submission holds."""
    new = f"新项目 {report.pending_new} 个、" if report.pending_new else ""
    grew = f"、投资额变更 {report.pending_invests} 项" if report.pending_invests else ""
    return f"{new}阶段变更 {report.pending_moves} 次、到位资金 {report.pending_funds} 笔{grew}"


def _show_fates(report: ImportReport) -> None:
    """Where every column and every row that is not data goes (the dry run shows it all)."""
    from ..render import clip, inert, width

    def pad(text: str, size: int) -> str:
        return text + " " * max(0, size - width(text))

    for s in report.sheets:
        if not s.columns:
            continue
        echo("")
        echo(f"「{s.name}」第{s.header_row}行为表头，各列去向：")
        headers = [clip(inert(c.header), 24) for c in s.columns]
        wide = max(width(h) for h in headers)
        for c, header in zip(s.columns, headers, strict=True):
            if c.target:
                unit = f"，{c.unit}" if c.unit and "→" in c.unit else ""
                if c.unit_assumed:
                    unit = f"，表头没写单位，按{c.unit}读"
                where = f"→ {c.target}（{c.how}{unit}）"
            else:
                where = f"不导入：{c.how}"
            echo(f"  {c.letter:<3} {pad(header, wide)}  {inert(where)}")
        if s.rows:
            echo(f"「{s.name}」不是数据的行：")
            for r in s.rows:
                echo(f"  {pad(r.rows, 12)} {pad(r.cls.value, 10)} {inert(r.reason)}")
        if s.hidden_rows:
            shown = "、".join(str(n) for n in s.hidden_rows[:30]) + ("……" if len(s.hidden_rows) > 30 else "")
            echo(f"「{s.name}」隐藏的行（照常导入）：第{shown}行")


def _as_of(text: str | None) -> date | None:
    from ..stages import effective

    return None if text is None else date.fromisoformat(effective(text, what="--as-of"))


def _show_report(report: ImportReport, fmt: Format) -> None:
    from ..render import Column, render, to_yaml

    if fmt in (Format.json, Format.yaml):
        data = report.as_dict()
        if fmt is Format.json:
            import json

            out().write(json.dumps(data, ensure_ascii=False, indent=2, default=str) + "\n")
        else:
            out().write(to_yaml(data))
        return
    origin = {
        "own": "本库导出的文件（按编号对应）",
        "rollup": f"其他数据库「{report.origin_name}」导出的文件（汇总导入，保留来源）",
        "plain": "",
    }[report.mode]
    if origin:
        say(f"来源：{origin}")
    for note in report.notes:
        say(note)
    for s in report.sheets:
        for note in s.notes:
            say(f"「{s.name}」{note}")
    if report.inferences:
        say("推断（不是各行自己写明的，请核对）：")
        for i in report.inferences:
            where = (f"「{i.sheet}」" if i.sheet else "") + i.rows_text()
            say(f"  [{i.label}] {where}{'：' if where else ''}{i.text}")
    will = "将新建" if report.dry_run else "新建"
    if report.created_chains:
        say(f"{will}产业链：{'、'.join(report.created_chains)}")
    if report.created_units:
        say(f"{will}招商主体：{'、'.join(report.created_units)}")
    if report.blank_kept:
        say(f"有 {report.blank_kept} 个空单元格对应的原值未清空（空单元格默认不改原值；要清空请加 --blank clear）")
    rows: list[dict[str, Any]] = [s.as_dict() for s in report.sheets]
    if fmt is Format.table:
        cols = [
            Column("sheet", "工作表"),
            Column("table", "内容"),
            Column("added", "新增", "right"),
            Column("updated", "修改", "right"),
            Column("unchanged", "不变", "right"),
            Column("skipped", "跳过", "right"),
            Column("rejected", "拒绝", "right"),
        ]
        render(rows, cols, "table", out())
        if report.dry_run:
            _show_fates(report)
        if report.changes:
            echo("")
            echo("修改：")
            for c in report.changes[:500]:
                echo(f"  「{c.sheet}」第{c.row}行 {c.text()}")
            if len(report.changes) > 500:
                echo(f"  ……共 {len(report.changes)} 行修改")
        if report.duplicates:
            echo("")
            echo("疑似重复：")
            for d in report.duplicates[:500]:
                echo(f"  {d.text()}")
        return
    changes = [
        {"sheet": c.sheet, "row": c.row, "id": c.id, "title": c.title, "changes": c.text()} for c in report.changes
    ]
    render(changes, [Column(k, k) for k in ("sheet", "row", "id", "title", "changes")], fmt.value, out())
