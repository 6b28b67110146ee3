"""Regenerate the README's sample outputs from the real commands.

Every ```console block of README.md is a terminal session: lines starting with `$ ` are commands,
the lines after them their output.  This script runs each command through bash (so quoting and
redirects behave as they do when a reader pastes them), in order, in a scratch folder whose default
database is fresh; a command that runs `zs init --demo` starts from an empty database again.  It
then writes the real output (stdout and stderr as a terminal shows them) back under each command.

    python scripts/readme_tour.py            # rewrite README.md
    python scripts/readme_tour.py --check    # exit 1 if any command fails or its output differs

A command whose output the README keeps although it could not be reproduced here (it needs a
county's file that is not in the repository) is reported and left as it is.
"""

from __future__ import annotations

import argparse
import os
import re
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
README = ROOT / "README.md"
SHOWN_HOME = "/home/wf"
BLOCK = re.compile(r"(```console\n)(.*?)(```)", re.S)


#: the terminal the tour is shown in: 80 columns, as most windows open
COLUMNS, LINES = 80, 1000


def in_terminal(argv: list[str], *, cwd: Path, env: dict[str, str]) -> tuple[int, str]:
    """Run ``argv`` on a pseudo-terminal of COLUMNS × LINES, as a reader typing it would;
    returns the exit code and what the terminal showed."""
    import fcntl
    import pty
    import select
    import struct
    import termios

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.chdir(cwd)
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", LINES, COLUMNS, 0, 0))
            os.execvpe(argv[0], argv, env)
        finally:
            os._exit(127)
    shown = b""
    while True:
        ready, _, _ = select.select([fd], [], [], 300)
        if not ready:
            break
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        shown += data
    _, status = os.waitpid(pid, 0)
    os.close(fd)
    return os.waitstatus_to_exitcode(status), shown.decode("utf-8", "replace").replace("\r\n", "\n")


def run_block(body: str, sandbox: Path, env: dict[str, str], report: list[str]) -> str:
    out: list[str] = []
    lines = body.splitlines()
    i = 0
    while i < len(lines):
        line = lines[i]
        if not line.startswith("$ "):
            i += 1
            continue
        cmd = line[2:]
        old: list[str] = []
        i += 1
        while i < len(lines) and not lines[i].startswith("$ "):
            old.append(lines[i])
            i += 1
        gap = 0
        while old and old[-1] == "":
            old.pop()
            gap += 1
        if "init --demo" in cmd:
            for f in (sandbox / "data" / "zhaoshang").glob("zhaoshang.db*"):
                f.unlink()
        code, shown = in_terminal(["bash", "-c", cmd], cwd=sandbox, env=env)
        text = shown.replace(str(sandbox / "data"), f"{SHOWN_HOME}/.local/share")
        new = [ln.rstrip() for ln in text.rstrip("\n").splitlines()]
        missing_file = text.startswith("找不到文件")
        expected_error = any(w in "\n".join(old) for w in ("错误", "不能", "没有", "请"))
        if code != 0 and (missing_file or not expected_error):
            report.append(f"保留原输出（命令在这里运行失败，退出码 {code}）：{cmd}\n  {text.strip()[:300]}")
            new = old
        elif new != old:
            report.append(f"输出已更新：{cmd}")
        out.append(line)
        out.extend(new)
        out.extend([""] * gap)
    return "\n".join(out) + "\n"


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--check", action="store_true", help="only report; exit 1 when anything differs")
    args = ap.parse_args()
    text = README.read_text(encoding="utf-8")
    report: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        sandbox = Path(tmp)
        (sandbox / "data").mkdir()
        env = {
            **os.environ,
            "XDG_DATA_HOME": str(sandbox / "data"),
            "ZHAOSHANG_CACHE": str(sandbox / "cache"),
            "ZHAOSHANG_USER": "王芳",
            "NO_COLOR": "1",
            "PYTHONUNBUFFERED": "1",  # stdout and stderr in the order a terminal shows them
            "ZHAOSHANG_PAGER": "",  # the tour shows the text itself, not a pager
            "ZHAOSHANG_CONFIG": str(sandbox / "config.toml"),
        }
        for name in ("ZHAOSHANG_DB", "COLUMNS", "LINES", "ZHAOSHANG_OFFICE"):
            env.pop(name, None)
        bindir = str(Path(sys.executable).parent)
        env["PATH"] = bindir + os.pathsep + env.get("PATH", "")
        new = BLOCK.sub(lambda m: m.group(1) + run_block(m.group(2), sandbox, env, report) + m.group(3), text)
    for line in report:
        print(line, file=sys.stderr)
    if args.check:
        return 1 if new != text else 0
    README.write_text(new, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
