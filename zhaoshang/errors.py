"""The one error type of zhaoshang.

The core raises :class:`ZsError` (or a subclass) with a short Simplified Chinese message
that names the file, sheet, row, column or value at fault and says how to fix it.  The CLI
turns it into a message on stderr and exit code 1 at a single boundary.
"""

from __future__ import annotations

EXIT_OK = 0
EXIT_USER_ERROR = 1
EXIT_USAGE = 2
#: interrupted by Ctrl-C (128 + SIGINT), as shells report it
EXIT_INTERRUPTED = 130


class ZsError(Exception):
    """An error the user can fix: bad input, unknown id, refused action."""

    def __init__(self, message: str, *, details: list[str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.details: list[str] = list(details or [])

    def __str__(self) -> str:
        if not self.details:
            return self.message
        return "\n".join([self.message, *("  " + d for d in self.details)])


class ParseError(ZsError):
    """A value (money, date, month, quarter …) that cannot be read."""


class NotFoundError(ZsError):
    """An unknown id, kind, field, chain or unit."""
