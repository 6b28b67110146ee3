"""The console scripts' entry point (``zs`` and ``zhaoshang``): the process around the
command line.

Start-up — the interpreter, Typer, the command modules, psycopg for a server, the
definitions — allocates a few hundred thousand objects that all live until the process ends.
Python's cyclic collector would walk them again and again while they are made, and once
more at exit, to find no garbage: about a fifth of the wall time of ``zs show`` on a server
database.  So the collector is paused during start-up, the objects made by then are frozen
out of its later walks (:func:`gc.freeze`) when the command's own work begins, and frozen
once more at exit.  The command's own work runs with the collector as usual.
"""

from __future__ import annotations

import gc


def main() -> None:
    gc.disable()
    try:
        from .cli import main as run

        run(collector_held=True)
    finally:
        gc.freeze()
