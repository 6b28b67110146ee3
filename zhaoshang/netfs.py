"""Is a database file on a network file system?  SQLite's documentation warns that its locking
(and WAL's shared memory) does not work reliably over NFS or SMB: two offices writing through a
shared folder can corrupt the file.  So :func:`network_fs` names the network file system a path
is on (None on a local disk), from:

* Linux: ``/proc/self/mountinfo`` -- the mount holding the path and its file system type;
* Windows: a UNC path (``\\\\server\\share``) or a drive whose type is DRIVE_REMOTE (mapped).

Elsewhere (macOS, BSD) nothing is detected, and the README says how to share safely.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

#: file system types that are remote (or a remote file system through FUSE)
NETWORK_TYPES = frozenset(
    {"nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "ncpfs", "9p", "ceph", "glusterfs", "lustre",
     "gpfs", "beegfs", "davfs", "fuse.sshfs", "fuse.davfs2", "fuse.glusterfs", "fuse.smbnetfs", "fuse.rclone",
     "fuse.s3fs", "fuse.gcsfuse"}
)  # fmt: skip
MOUNTINFO = Path("/proc/self/mountinfo")


def _unescape(field: str) -> str:
    # mountinfo escapes space, tab, newline and backslash as octal (\040 …)
    out, i = [], 0
    while i < len(field):
        code = field[i + 1 : i + 4]
        if field[i] == "\\" and len(code) == 3 and code.isdigit():
            out.append(chr(int(code, 8)))
            i += 4
        else:
            out.append(field[i])
            i += 1
    return "".join(out)


def mount_type(path: Path, mountinfo: str) -> str | None:
    """The file system type of the mount holding ``path`` (absolute), from a mountinfo text."""
    best, best_type = "", None
    target = str(path)
    for line in mountinfo.splitlines():
        left, sep, right = line.partition(" - ")
        parts = left.split()
        if not sep or len(parts) < 5:
            continue
        point = _unescape(parts[4])
        inside = target == point or target.startswith(point.rstrip("/") + "/") or point == "/"
        if inside and len(point) >= len(best):
            best, best_type = point, right.split()[0] if right.split() else None
    return best_type


def network_fs(path: Path) -> str | None:
    """The network file system ``path`` lives on, or None."""
    where = path.resolve() if path.exists() else path.parent.resolve() / path.name
    if sys.platform == "win32":  # pragma: no cover - tested on Windows only
        text = str(where)
        if text.startswith("\\\\"):
            return "网络共享（UNC 路径）"
        import ctypes

        drive = os.path.splitdrive(text)[0] + "\\"
        if drive and ctypes.windll.kernel32.GetDriveTypeW(drive) == 4:  # type: ignore[attr-defined]
            return "映射的网络驱动器"
        return None
    try:
        info = MOUNTINFO.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None
    kind = mount_type(where, info)
    return kind if kind in NETWORK_TYPES else None
