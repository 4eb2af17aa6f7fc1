"""Command line: argument parsing, I/O and exit codes only (0 ok, 1 a check failed, 2 bad input).

`yanalyze CFG` reports one config; the other subcommands live one per module here and
share one group of model options (cli.options).
"""
from __future__ import annotations

import gc
import importlib
import sys
from typing import Optional, Sequence

from ..analyzer.errors import ConfigError

EXIT_BAD_INPUT = 2
SUBCOMMANDS = {"check": "check", "diff": "diff", "rewrite": "rewrite", "verify": "verify",
               "sweep": "sweep", "calibrate": "calibrate"}


def _dispatch(argv: list[str]) -> int:
    if argv and argv[0] == "--version":
        from .. import __version__

        print(f"yanalyze {__version__}")
        return 0
    name = SUBCOMMANDS.get(argv[0]) if argv else None
    if name in ("verify", "calibrate"):  # torch builds reference cycles: leave its collector alone
        return importlib.import_module(f".{name}", __name__).run(argv[1:])
    # a short run that makes no reference cycles (see analyzer.analyze.no_gc), from its imports
    # through the diff and the writing of every view
    was = gc.isenabled()
    gc.disable()
    try:
        if name is not None:
            return importlib.import_module(f".{name}", __name__).run(argv[1:])
        from .report import run

        return run(argv)
    finally:
        if was:
            gc.enable()


def main(argv: Optional[Sequence[str]] = None) -> int:
    """Entry point: returns the exit code; bad input is one line on stderr and code 2."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        return _dispatch(args)
    except ConfigError as exc:
        print(f"yanalyze: error[{exc.code}]: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        print(f"yanalyze: error[output]: {exc.filename or ''}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        return 130
    except RecursionError:
        print("yanalyze: error[parse/yaml]: config nests too deeply", file=sys.stderr)
        return EXIT_BAD_INPUT
    except (OverflowError, MemoryError) as exc:  # a last guard: the limits should stop these first
        print(f"yanalyze: error[parse/limit]: a value is too large to compute with ({type(exc).__name__})",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    finally:
        fork = sys.modules.get("yanalyze.verify.fork")
        if fork is not None:  # --repo: stop the fork's process, restore the built-ins
            fork.deactivate("cli")  # type: ignore[attr-defined]


if __name__ == "__main__":
    sys.exit(main())
