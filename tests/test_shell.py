"""At home in the shell: completion scripts that complete, `init` that says what it did, and a
closed pipe that is a quiet success for every command."""

from __future__ import annotations

import itertools
import json
import os
import re
import subprocess
from pathlib import Path

import pytest
from _harness import PY, in_terminal, run_zs, zs_env
from conftest import Cli

from zhaoshang.cli import app


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish", "powershell"])
def test_completion_prints_a_script_and_how_to_install_it(cli: Cli, shell: str) -> None:
    r = cli("completion", shell, ok=True)
    assert "_ZS_COMPLETE" in r.stdout
    assert r.stderr == ""  # the install hint is for a person at a terminal (test_terminal_rest.py)


def test_the_completion_script_completes(tmp_path: Path) -> None:
    """The protocol the bash script speaks: COMP_WORDS in, candidates out."""
    env = {**zs_env(tmp_path), "_ZS_COMPLETE": "complete_bash", "COMP_WORDS": "zs rep", "COMP_CWORD": "1"}
    r = subprocess.run([PY, "-m", "zhaoshang"], env=env, capture_output=True, text=True, timeout=60)
    assert r.stdout.split() == ["report"], (r.stdout, r.stderr)
    env.update(COMP_WORDS="zs list --ch", COMP_CWORD="2")
    r = subprocess.run([PY, "-m", "zhaoshang"], env=env, capture_output=True, text=True, timeout=60)
    assert "--chain" in r.stdout.split(), r.stderr


def test_init_says_what_it_did(cli: Cli) -> None:
    assert "已创建数据库" in cli("init", ok=True).stderr
    assert "已是最新" in cli("init", ok=True).stderr


@pytest.mark.parametrize(
    "args",
    [
        ["report", "monthly"],
        ["report", "ranking"],
        ["list"],
        ["warn", "--all"],
        ["notes"],
        ["search", "项目"],
        ["history"],
        ["kinds"],
        ["show", "16"],
        ["ledger"],
    ],
)
def test_closing_the_pipe_early_is_a_quiet_success(tmp_path: Path, args: list[str]) -> None:
    """`zs report monthly | head -1` exits 0 like `zs list | head -1`, with nothing on stderr."""
    env = zs_env(tmp_path)
    db = tmp_path / "demo.db"
    subprocess.run([PY, "-m", "zhaoshang", "--db", str(db), "init", "--demo"], env=env, check=True, capture_output=True)
    proc = subprocess.Popen(
        [PY, "-m", "zhaoshang", "--db", str(db), *args],
        env={**env, "COLUMNS": "200"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(1)
    proc.stdout.close()  # like `| head -c 1`
    code = proc.wait(timeout=60)
    err = proc.stderr.read().decode()
    assert code == 0, (code, err)
    assert "Traceback" not in err and "Exception ignored" not in err, err
    assert os.path.exists(db)


def test_relative_dates_on_the_command_line(cli: Cli, db_path: Path) -> None:
    import json
    from datetime import date, timedelta

    cli("chain", "add", "绿色矿业", ok=True)
    cli("add", "招什么", "项目", "--chain", "绿色矿业", ok=True)
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    r = cli("note", "1", "谈了", "--date", "昨天", ok=True)
    assert f"（{yesterday}" in r.stderr
    cli("stage", "1", "在谈", "--date", "昨天", ok=True)
    rec = json.loads(cli("show", "1", "-f", "json", ok=True).stdout)
    assert rec["status_log"][-1]["date"] == yesterday
    assert "晚于今天" in cli("stage", "1", "已签约", "--date", "明天", ok=False).stderr


def test_global_options_work_after_the_command_name(tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    db = tmp_path / "city.db"
    runner = CliRunner()
    assert runner.invoke(app, ["init", "--db", str(db)]).exit_code == 0
    assert runner.invoke(app, ["chain", "add", "绿色矿业", f"--db={db}", "--user", "王芳"]).exit_code == 0
    r = runner.invoke(app, ["add", "招什么", "项目", "--chain", "绿色矿业", "--db", str(db), "--user", "王芳"])
    assert r.exit_code == 0, r.stderr
    r = runner.invoke(app, ["history", "--db", str(db), "-f", "json"])
    assert r.exit_code == 0 and '"user": "王芳"' in r.stdout
    # after `--` it is an argument like any other
    r = runner.invoke(app, ["--db", str(db), "search", "--", "--db"])
    assert r.exit_code == 0


@pytest.mark.parametrize(
    "args", [["list"], ["info"], ["report", "monthly", "--month", "本月"], ["chain", "add", "有色金属"]]
)
def test_only_init_creates_a_database(tmp_path: Path, args: list[str]) -> None:
    """A mistyped --db (or a forgotten init) is an error that says how to create one, not an
    empty database that answers 共 0 条."""
    from typer.testing import CliRunner

    from zhaoshang.cli import app

    typo = tmp_path / "typo.db"
    r = CliRunner().invoke(app, ["--db", str(typo), *args])
    assert r.exit_code == 1 and (r.stdout == "" or args == ["info"])  # info shows where the path came from
    assert r.stderr.strip() == (
        f"数据库「{typo}」不存在：请检查路径；要新建一个空数据库，请运行 zs --db {typo} init（加 --demo 载入演示数据）"
    )
    assert not typo.exists()
    r = CliRunner().invoke(app, args)  # the default database: the hint is plain `zs init`
    assert r.exit_code == 1 and "请运行 zs init（" in r.stderr and "也不存在" in r.stderr
    assert CliRunner().invoke(app, ["--db", str(typo), "init"]).exit_code == 0 and typo.exists()


#: what may stay in Latin letters in a message: option and command names, formats, paths
_LATIN_ALLOWED = re.compile(
    r"--?[a-z][a-z-]*|zs|ZHAOSHANG_[A-Z_]+|table|json|csv|tsv|yaml|init|demo|[\w./-]*\.(?:db|xlsx)"
)


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--limit", "x"],
        ["list", "--limit"],
        ["list", "--format", "xml"],
        ["list", "--nope"],
        ["list", "-z"],
        ["show"],
        ["show", "abc"],
        ["show", "99999999999999999999999"],
        ["frob"],
        ["add"],
        ["team", "add", "1"],
        ["team", "add", "1", "包保市领导", "王德林", "单位=市政府", "extra"],
        ["team", "add", "1", "包保市领导", "王德林", "地址=市政府"],
        ["edit", "1"],
        ["history", "-n", "x"],
        ["report", "monthly", "--month", "13"],
        ["--db", "/dev/null", "list"],
        ["--db", "/dev/null", "init"],
        ["--user", "王芳"],
    ],
)
def test_no_english_reaches_the_user(cli: Cli, args: list[str]) -> None:
    cli("init", "--demo", ok=True)
    r = cli(*args)
    assert r.exit_code in (1, 2) and r.stderr.strip(), r.stdout
    import typer.main

    own = {w for a in args for w in re.findall(r"[A-Za-z_]+", a)}  # what the user typed, echoed
    names = {p.split()[-1] for p, _ in _commands(typer.main.get_command(app))}
    words = re.findall(r"[A-Za-z][A-Za-z_]{2,}", _LATIN_ALLOWED.sub(" ", r.stderr))
    assert [w for w in words if w not in own | names] == [], r.stderr


@pytest.mark.parametrize("args", [[], ["report"]])  # `zs team` alone lists (test_terminal_rest.py)
def test_a_bare_group_shows_its_help_on_stdout(cli: Cli, args: list[str]) -> None:
    r = cli.runner.invoke(app, args)
    assert r.exit_code == 0 and r.stdout.startswith(f"用法：zs {' '.join(args)}".rstrip() + " ") and r.stderr == ""
    assert "错误" not in r.stdout


def test_team_add_takes_pairs_like_everything_else(cli: Cli) -> None:
    cli("init", "--demo", ok=True)
    r = cli("team", "add", "3", "包保市领导", "王德林", "单位=市政府", "电话：13900000000", ok=True)
    team = cli("team", "show", "3", "-f", "json", ok=True).stdout
    assert "王德林" in team and "市政府" in team and "13900000000" in team, team
    r = cli("team", "add", "3", "项目管家", "韩雪", "地址=市政府", ok=False)
    assert "专班成员没有「地址」这一项：可写 单位、电话" in r.stderr


def _commands(cmd: object, path: str = "zs") -> list[tuple[str, object]]:
    found = [(path, cmd)]
    for name, sub in getattr(cmd, "commands", {}).items():
        found += _commands(sub, f"{path} {name}")
    return found


def test_a_short_option_means_one_thing_in_every_command() -> None:
    import typer.main

    from zhaoshang.cli import app

    meaning: dict[str, set[str]] = {}
    for path, cmd in _commands(typer.main.get_command(app)):
        for param in getattr(cmd, "params", []):
            shorts = [o for o in getattr(param, "opts", []) if o.startswith("-") and not o.startswith("--")]
            longs = [o for o in param.opts if o.startswith("--")]
            for s in shorts:
                meaning.setdefault(s, set()).add(longs[0] if longs else path)
    clashes = {s: m for s, m in meaning.items() if len(m) > 1}
    assert clashes == {}, clashes
    assert meaning["-n"] == {"--limit"} and meaning["-f"] == {"--format"} and meaning["-y"] == {"--yes"}


def test_help_speaks_chinese_placeholders(cli: Cli) -> None:
    text = cli("list", "--help", ok=True).stdout
    assert "<文字>" in text and "<整数>" in text and "<str>" not in text and "x>=1" not in text
    assert "[清单]" in text and "KIND" not in text


@pytest.mark.parametrize("columns", [60, 80, 120])
def test_help_fits_the_window_by_display_width(cli: Cli, columns: int) -> None:
    import typer.main

    from zhaoshang.cli import app
    from zhaoshang.render import width

    for path, _ in _commands(typer.main.get_command(app)):
        args = path.split()[1:]
        r = cli.runner.invoke(app, [*args, "--help"], terminal_width=columns)  # CliRunner forces 80
        assert r.exit_code == 0, (path, r.stderr)
        too_wide = [ln for ln in r.stdout.splitlines() if width(ln) > columns and " " in ln.strip()]
        assert too_wide == [], (path, too_wide)
    text = cli.runner.invoke(app, ["list", "--help"], terminal_width=80).stdout
    assert "加引号，或写" in text  # a docstring's line break is no space between Chinese characters
    assert any("时限=2026-06-30" in ln for ln in text.splitlines())  # 字段=值 is never broken at the =


def test_wrap_never_breaks_before_closing_punctuation() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    from zhaoshang.cli.helptext import _NO_START, wrap
    from zhaoshang.render import width

    @given(st.text(alphabet="招商引资项目，。、（）ab1 =", min_size=1, max_size=120), st.integers(10, 60))
    def check(text: str, limit: int) -> None:
        lines = wrap(text, limit, "  ", "  ")
        assert "".join("".join(lines).split()) == "".join(text.split())  # nothing lost or added
        for ln in lines[1:]:
            assert ln.strip()[:1] not in _NO_START
        runs = any(a in _NO_START and b in _NO_START for a, b in itertools.pairwise(text))
        if len(text.split()) == 1 and not set(text) & set("ab1=") and not runs:  # Chinese only: fits
            assert all(width(ln) <= limit for ln in lines), lines

    check()


# ------------------------------------------------------------------ columns, width, pager


def test_columns_by_key_label_alias_or_traditional_in_every_format(cli: Cli) -> None:
    cli("init", "--demo", ok=True)
    r = cli("list", "招什么", "--limit", "3", "--columns", "编号,名称,投资额,簽約日期", ok=True)
    head = r.stdout.splitlines()[0].split()
    assert head == ["编号", "项目名称", "投资额（万元）", "签约日期"]
    rows = json.loads(cli("list", "招什么", "--limit", "2", "--columns", "id,investment", "-f", "json", ok=True).stdout)
    assert [list(r) for r in rows] == [["id", "investment"], ["id", "investment"]]
    text = cli("list", "招什么", "--limit", "2", "--columns", "title，id", "-f", "csv", "--no-header", ok=True).stdout
    lines = text.splitlines()
    assert len(lines) == 2 and lines[0].split(",")[1].isdigit() and not lines[0].startswith("title")
    tsv = cli("list", "招什么", "--limit", "2", "-f", "tsv", ok=True).stdout.splitlines()
    assert tsv[0].startswith("id\t") and len(tsv) == 3
    assert len(cli("list", "招什么", "--limit", "2", "-f", "tsv", "--no-header", ok=True).stdout.splitlines()) == 2
    r = cli("list", "招什么", "--columns", "编号,预算", ok=False)
    assert "--columns：没有列「预算」。可选：编号（id）" in r.stderr and "投资额（investment）" in r.stderr
    assert "--no-header 只用于 table、csv、tsv" in cli("list", "-f", "json", "--no-header", ok=False).stderr


@pytest.mark.parametrize(
    ("args", "columns", "first"),
    [
        (["search", "铜"], "名称,编号", ["名称", "编号"]),
        (["chain", "list"], "名称,条目数", ["名称", "条目数"]),
        (["warn", "--all"], "编号,说明", ["编号", "说明"]),
        (["notes"], "date,summary", ["日期", "内容"]),
        (["goal", "list"], "名称,目标值", ["名称", "目标值"]),
    ],
)
def test_columns_on_every_listing_command(demo_db: Path, args: list[str], columns: str, first: list[str]) -> None:
    cli = Cli(demo_db)
    r = cli(*args, "--columns", columns, ok=True)
    header = next(ln for ln in r.stdout.splitlines() if ln.strip() and not ln.startswith(("预警", "■")))
    assert header.split() == first, r.stdout[:300]
    assert cli(*args, "--columns", "没有这列", ok=False).stderr.startswith("--columns：没有列「没有这列」")


def _terminal_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = zs_env(tmp_path, **extra)
    env.pop("COLUMNS", None)
    env.pop("LINES", None)
    return env


def test_a_table_wider_than_the_terminal_drops_low_priority_columns(demo_db: Path, tmp_path: Path) -> None:
    from zhaoshang.render import width

    env = _terminal_env(tmp_path, ZHAOSHANG_PAGER="")
    shown = in_terminal([PY, "-m", "zhaoshang", "--db", str(demo_db), "list", "招什么"], columns=80, lines=200, env=env)
    table = [ln for ln in shown.splitlines() if ln.strip() and not ln.startswith(("（", "共"))]
    assert table and all(width(ln) <= 80 for ln in table), [ln for ln in table if width(ln) > 80]
    head = table[0].replace("\x1b[1m", "").replace("\x1b[0m", "").split()
    assert head[:2] == ["编号", "产业链"] and "项目名称" in head and "投资额（万元）" in head  # priority 1 and 2
    note = next(ln for ln in shown.splitlines() if ln.startswith("（窗口宽 80 列放不下"))
    assert "隐藏了" in note and "--columns" in note
    wide = in_terminal([PY, "-m", "zhaoshang", "--db", str(demo_db), "list", "招什么"], columns=250, lines=200, env=env)
    assert "放不下" not in wide and "目标企业" in wide
    piped = run_zs(demo_db, "list", "招什么", env=zs_env(tmp_path))  # a pipe is never cut
    assert "放不下" not in piped.stdout and "目标企业" in piped.stdout.splitlines()[0]


def test_long_output_on_a_terminal_goes_through_the_pager(demo_db: Path, tmp_path: Path) -> None:
    marker = tmp_path / "paged.txt"
    pager = f"sh -c 'cat > {marker}'"
    env = _terminal_env(tmp_path, ZHAOSHANG_PAGER=pager)
    argv = [PY, "-m", "zhaoshang", "--db", str(demo_db), "list"]
    in_terminal(argv, columns=120, lines=20, env=env)
    assert marker.exists() and "共" not in marker.read_text() and len(marker.read_text().splitlines()) > 20
    marker.unlink()
    in_terminal([*argv, "--limit", "3"], columns=120, lines=20, env=env)  # fits the window: no pager
    assert not marker.exists()
    run_zs(demo_db, "list", env={**env})  # piped: never paged
    assert not marker.exists()
    shown = in_terminal(argv, columns=120, lines=20, env={**env, "ZHAOSHANG_PAGER": "", "PAGER": pager})
    assert not marker.exists() and "共 89 条" in shown  # an empty ZHAOSHANG_PAGER turns paging off
    in_terminal(
        argv, columns=120, lines=20, env={k: v for k, v in env.items() if k != "ZHAOSHANG_PAGER"} | {"PAGER": pager}
    )
    assert marker.exists()  # then $PAGER


# ------------------------------------------------------------------ settings


def test_settings_come_from_flags_then_environment_then_the_config_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    config = tmp_path / "_config" / "config.toml"
    config.parent.mkdir()
    conf_db, env_db, flag_db = tmp_path / "配置.db", tmp_path / "环境.db", tmp_path / "命令行.db"
    config.write_text(
        f'db = "{conf_db}"\nuser = "配置里的人"\noffice = "黑河市商务局"\npager = "more"\n', encoding="utf-8"
    )
    monkeypatch.delenv("ZHAOSHANG_USER")
    run = CliRunner().invoke
    assert run(app, ["init"]).exit_code == 0 and conf_db.exists()  # the config file's database
    info = json.loads(run(app, ["info", "-f", "json"]).stdout)
    assert info["path"] == str(conf_db) and info["user"] == "配置里的人"
    assert info["settings"]["db"]["source"] == f"配置文件 {config}"
    assert info["settings"]["office"] == {"value": "黑河市商务局", "source": f"配置文件 {config}"}
    assert info["settings"]["pager"]["value"] == "more"
    monkeypatch.setenv("ZHAOSHANG_DB", str(env_db))
    monkeypatch.setenv("ZHAOSHANG_USER", "环境里的人")
    run(app, ["init"])
    info = json.loads(run(app, ["info", "-f", "json"]).stdout)
    assert info["path"] == str(env_db) and info["settings"]["user"]["source"] == "环境变量 ZHAOSHANG_USER"
    run(app, ["--db", str(flag_db), "init"])
    info = json.loads(run(app, ["--db", str(flag_db), "--user", "我", "info", "-f", "json"]).stdout)
    assert info["path"] == str(flag_db) and info["user"] == "我" and info["settings"]["db"]["source"] == "--db"
    text = run(app, ["--db", str(flag_db), "info"]).stdout
    assert re.search(r"单位名称（office）\s+黑河市商务局\s+← 配置文件", text) and "数据库（db）" in text
    run(app, ["--db", str(flag_db), "init", "--demo"])
    report = json.loads(run(app, ["--db", str(flag_db), "report", "monthly", "-f", "json"]).stdout)
    assert report["office"] == "黑河市商务局"
    assert "黑河市商务局招商引资月度调度" in run(app, ["--db", str(flag_db), "report", "monthly"]).stdout.replace(
        " ", ""
    )


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ('db = "a.db"\ncolour = "red"\n', "「colour」不是可用的设置：可用的键：db（数据库）"),
        ("user = 王芳\n", "格式有误"),
        ("user = 3\n", "user 应是带引号的文字"),
    ],
)
def test_a_broken_config_file_is_a_message(tmp_path: Path, text: str, says: str) -> None:
    from typer.testing import CliRunner

    config = tmp_path / "_config" / "config.toml"
    config.parent.mkdir()
    config.write_text(text, encoding="utf-8")
    r = CliRunner().invoke(app, ["--db", str(tmp_path / "x.db"), "init"])
    assert r.exit_code == 1 and says in r.stderr and f"配置文件「{config}」" in r.stderr, r.stderr


def test_version(cli: Cli) -> None:
    from zhaoshang import __version__

    assert cli("--version", ok=True).stdout == f"zhaoshang {__version__}\n"


@pytest.mark.parametrize("columns", [80, 100])
def test_the_dashboard_fits_the_terminal_without_cutting_a_value(demo_db: Path, tmp_path: Path, columns: int) -> None:
    from zhaoshang.render import width

    env = _terminal_env(tmp_path, ZHAOSHANG_PAGER="")
    argv = [PY, "-m", "zhaoshang", "--db", str(demo_db), "report", "monthly", "--today", "2026-11-15"]
    shown = in_terminal(argv, columns=columns, lines=500, env=env)
    lines = shown.splitlines()
    assert max(width(ln) for ln in lines) <= columns
    assert "…" not in shown  # no value cropped
    assert "落后指标" in shown and "五大连池市" in shown and "年签约额完成率" in shown
    wide = in_terminal(argv, columns=160, lines=500, env=env)
    assert "包保领导" in wide and "签约额\n" not in wide  # a wide window keeps every column


def _complete(tmp_path: Path, db: Path | None, words: str) -> list[str]:
    env = {**zs_env(tmp_path), "_ZS_COMPLETE": "complete_bash", "COMP_WORDS": words}
    env["COMP_CWORD"] = str(len(words.split()) - (0 if words.endswith(" ") else 1))
    if db is not None:
        env["ZHAOSHANG_DB"] = str(db)
    r = subprocess.run([PY, "-m", "zhaoshang"], env=env, capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stderr == "", r.stderr
    return r.stdout.split()


def test_completion_offers_kinds_fields_chains_units_and_statuses(demo_db: Path, tmp_path: Path) -> None:
    assert _complete(tmp_path, demo_db, "zs list 招") == ["招什么"]
    assert _complete(tmp_path, demo_db, "zs list --chain 绿") == ["绿色矿业"]
    assert _complete(tmp_path, demo_db, "zs list --unit 爱") == ["爱辉区"]
    assert _complete(tmp_path, demo_db, "zs list 招什么 --status 已") == ["已签约", "已入统", "已开工", "已投产"]
    assert _complete(tmp_path, demo_db, "zs list 招什么 --status 在谈,已") == [
        "在谈,已签约",
        "在谈,已入统",
        "在谈,已开工",
        "在谈,已投产",
    ]
    assert _complete(tmp_path, demo_db, "zs list 招什么 投") == ["投资额=", "投产日期="]
    assert _complete(tmp_path, demo_db, "zs list 解决什么 --columns 编号,办") == ["编号,办结时间"]
    chains = _complete(tmp_path, demo_db, "zs add 招什么 项目 --chain ")
    assert len(chains) == 6 and "新能源" in chains


def test_completion_without_a_database_completes_quietly(tmp_path: Path) -> None:
    assert _complete(tmp_path, tmp_path / "没有.db", "zs list --chain 绿") == []
    assert not (tmp_path / "没有.db").exists()
    assert _complete(tmp_path, None, "zs list 招") == ["招什么"]
