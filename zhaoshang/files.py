"""Putting a finished file in place."""

from __future__ import annotations

import contextlib
import os
import stat
from pathlib import Path


def put_in_place(tmp: Path, target: Path) -> None:
    """Rename the finished ``tmp`` over ``target`` in one step (a half-written file never
    appears), keeping the permissions of the file it replaces: an export over a file only its
    owner may read (mode 600) stays that way."""
    with contextlib.suppress(FileNotFoundError):
        mode = stat.S_IMODE(os.stat(target).st_mode)
        os.chmod(tmp, mode)
    os.replace(tmp, target)
