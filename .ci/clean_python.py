"""Print the path of a Python interpreter whose own site-packages hold none of the project's
dependencies, building one if the interpreter running this script is not such a Python.

Why: a venv made from a base Python that happens to have typer, pytest … installed can hide a test
that reaches outside the venv (e.g. `venv --system-site-packages`), so CI would be green where a
fresh machine fails.  The README's commands must pass in a venv made from a Python with nothing
installed; this script gives CI exactly that Python.

How, when the base is not clean: a shadow installation under the given folder -- a copy of the
interpreter binary, the standard library linked entry by entry, and an *empty* site-packages.
CPython finds its prefix from the binary's location (the `lib/pythonX.Y/os.py` landmark), so the
copy runs with the same standard library and nothing installed.

Usage: python3 .ci/clean_python.py FOLDER    (prints the interpreter's path on stdout)
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def project_requirements() -> list[str]:
    """Distribution names of the runtime and every optional (test) dependency."""
    meta = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    specs = list(meta.get("dependencies", []))
    for extra in meta.get("optional-dependencies", {}).values():
        specs.extend(extra)
    names = {re.split(r"[\s<>=!~;\[]", spec, maxsplit=1)[0] for spec in specs}
    # A base Python always carries pip, and Python 3.11's carries setuptools: a venv never sees
    # them, so they do not count.
    return sorted(names - {"pip", "setuptools", "wheel"})


CHECK = """
import importlib.metadata as m, sys
found = []
for name in sys.argv[1:]:
    try:
        m.distribution(name)
    except m.PackageNotFoundError:
        continue
    found.append(name)
print(" ".join(found))
"""


def installed_in(python: str, names: list[str]) -> list[str]:
    # -s: the user's site folder is not part of a base a venv would use either.
    out = subprocess.run([python, "-s", "-c", CHECK, *names], check=True, capture_output=True, text=True)
    return out.stdout.split()


def shadow(folder: Path) -> Path:
    prefix = Path(sys.base_prefix)
    ver = f"python{sys.version_info.major}.{sys.version_info.minor}"
    stdlib = Path(sysconfig.get_paths(vars={"base": sys.base_prefix, "platbase": sys.base_prefix})["stdlib"])
    if folder.exists():
        shutil.rmtree(folder)
    (folder / "bin").mkdir(parents=True)
    exe = folder / "bin" / ver
    shutil.copy2(os.path.realpath(sys._base_executable), exe)  # type: ignore[attr-defined]
    (folder / "bin" / "python3").symlink_to(ver)
    for entry in (prefix / "lib").iterdir():
        if entry.name != ver:
            (folder / "lib" / entry.name).parent.mkdir(parents=True, exist_ok=True)
            (folder / "lib" / entry.name).symlink_to(entry)
    lib = folder / "lib" / ver
    lib.mkdir(parents=True, exist_ok=True)
    for entry in stdlib.iterdir():
        if entry.name == "site-packages":
            (lib / "site-packages").mkdir()
        else:
            (lib / entry.name).symlink_to(entry)
    if (prefix / "include").exists():
        (folder / "include").symlink_to(prefix / "include")
    return folder / "bin" / "python3"


def main() -> int:
    folder = Path(sys.argv[1]).resolve()
    names = project_requirements()
    base = os.path.realpath(sys._base_executable)  # type: ignore[attr-defined]
    found = installed_in(base, names)
    python = Path(base)
    if found:
        print(
            f"clean_python: {base} already holds {', '.join(found)}; building a clean base in {folder}", file=sys.stderr
        )
        python = shadow(folder)
        found = installed_in(str(python), names)
        if found:
            print(f"clean_python: the clean base still holds {', '.join(found)}", file=sys.stderr)
            return 1
    print(python)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
