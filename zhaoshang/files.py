"""Putting a finished file in place: every writer (export, template, report, ledger) writes
a temporary file beside its target and renames it over the target when complete."""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from pathlib import Path

from .errors import ZsError


@contextlib.contextmanager
def writing(target: Path) -> Iterator[Path]:
    """A temporary path beside ``target`` to write to.  When the block completes it replaces
    ``target`` in one step (keeping its permissions); on any error it is removed, and an OSError
    (also one a library wrapped) becomes a :class:`ZsError` that names ``target``.

    The temporary file lives in a folder of its own, made for this write beside ``target``
    (``mkdtemp``: an unpredictable name, created exclusively, readable by its owner only), so
    nothing planted in ``target``'s folder — a symbolic link at a guessable temporary name —
    is written through; the writer (XlsxWriter, python-docx …) opens its file by name inside a
    folder nobody else can enter.  A link at ``target`` itself is replaced, not followed."""
    target = Path(target)
    try:
        folder = Path(tempfile.mkdtemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent))
    except OSError as exc:
        raise ZsError(write_error(target, exc)) from None
    tmp = folder / target.name
    try:
        yield tmp
        put_in_place(tmp, target)
    except BaseException as exc:
        cause = os_error_of(exc)
        if cause is not None and not isinstance(exc, ZsError):
            raise ZsError(write_error(target, cause)) from None
        raise
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def replace_text(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` in one step through a temporary file created exclusively
    (``mkstemp``: unpredictable name, never a link followed) beside it; OSError passes up."""
    fd, name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(name)
        raise


def check_target(path: Path, *, suffix: str, what: str, example: str) -> Path:
    """Refuse, before any work, a file name ``what`` (报表文件, 通报文件 …) cannot be written
    to: another extension than ``suffix``, a directory, a folder that does not exist."""
    path = Path(path)
    if path.suffix.lower() != suffix:
        raise ZsError(f"{what}「{path}」应以 {suffix} 结尾，如 --out {example}")
    if path.is_dir():
        raise ZsError(f"「{path}」是一个目录：请给出文件名，如 {path / example}")
    if not path.parent.is_dir():
        raise ZsError(f"目录「{path.parent}」不存在：请先建好目录，或换一个保存位置")
    return path


def put_in_place(tmp: Path, target: Path) -> None:
    """Rename the finished ``tmp`` over ``target`` in one step (a half-written file never
    appears), keeping the permissions of the file it replaces: an export over a file only its
    owner may read (mode 600) stays that way."""
    with contextlib.suppress(FileNotFoundError):
        st = os.lstat(target)
        if stat.S_ISREG(st.st_mode):  # a link's own mode (777) is not the file's
            os.chmod(tmp, stat.S_IMODE(st.st_mode))
    os.replace(tmp, target)


#: errno -> (the cause, what to do), for a failed write
_WRITE_FAILURES = {
    errno.ENOSPC: ("磁盘空间不足", "请清理磁盘空间或换一个位置后重试"),
    errno.EACCES: ("没有写入权限", "请检查文件和目录的权限，或文件是否正在 Excel/WPS 中打开（关闭后重试）"),
    errno.EPERM: ("没有写入权限", "请检查文件和目录的权限，或文件是否正在 Excel/WPS 中打开（关闭后重试）"),
    errno.EROFS: ("位置是只读的", "请换一个可写的位置"),
    errno.EFBIG: ("超过了文件大小或磁盘配额的限制", "请换一个位置，或分几次导出"),
    errno.EDQUOT: ("超过了文件大小或磁盘配额的限制", "请换一个位置，或分几次导出"),
}


def write_error(target: Path, exc: OSError) -> str:
    """What a person reads when writing ``target`` failed: the file, the cause, what to do, and
    that nothing was put in place (writers write a temporary file and rename it)."""
    why, fix = _WRITE_FAILURES.get(exc.errno or 0, (exc.strerror or str(exc), "请检查路径和磁盘后重试"))
    return f"无法写入「{target}」：{why}。没有留下写了一半的文件，原有的同名文件未改动；{fix}"


def os_error_of(exc: BaseException) -> OSError | None:
    """The OSError behind ``exc``: itself, or the one a library wrapped (XlsxWriter's
    FileCreateError carries it as its argument), else None."""
    for candidate in (exc, *exc.args[:1], exc.__cause__, exc.__context__):
        if isinstance(candidate, OSError):
            return candidate
    return None
