"""The configs of one `yanalyze` call: files, directories, globs and `-` (stdin), expanded in
argument order (each expansion sorted) so a run over many configs names each row as it was given."""
from __future__ import annotations

import glob
import os
import re
from dataclasses import dataclass
from typing import Optional, Sequence, Union

from ..analyzer.errors import ConfigError
from ..analyzer.load import ModelOptions, ParsedModel
from .options import usage_error

STDIN = "-"
STDIN_NAME = "stdin"
SUFFIXES = (".yaml", ".yml")
_GLOB_MAGIC = re.compile(r"[*?[]")


@dataclass(frozen=True)
class Input:
    """One config to analyse: its name as given ('stdin' for `-`) and the file to read (None for stdin)."""

    name: str
    path: Optional[str]


@dataclass(frozen=True)
class Inputs:
    """The expanded configs; `many` when the call asked for a summary (several arguments, a directory
    or a glob), even if the expansion found one file: the output's form follows the command line."""

    items: list[Input]
    many: bool


def expand(args: Sequence[str], recursive: bool = False) -> Inputs:
    """Files as given, directories to their *.yaml/*.yml files (sorted; with `recursive` also those
    below), globs the shell left alone through glob(recursive=True) (sorted), `-` to stdin (once)."""
    if list(args).count(STDIN) > 1:
        raise usage_error("'-' (standard input) can be given once")
    items: list[Input] = []
    many = len(args) > 1
    for arg in args:
        if arg == STDIN:
            items.append(Input(name=STDIN_NAME, path=None))
        elif os.path.isdir(arg):
            many = True
            items += [Input(name=p, path=p) for p in _directory(arg, recursive)]
        elif not os.path.lexists(arg) and _GLOB_MAGIC.search(arg):
            many = True
            items += [Input(name=p, path=p) for p in _glob(arg)]
        else:
            items.append(Input(name=arg, path=arg))
    return Inputs(items=items, many=many)


def _directory(path: str, recursive: bool) -> list[str]:
    """The YAML files in a directory (and below it when recursive), sorted by path; none is an error."""
    try:
        if recursive:
            found = [os.path.join(root, f) for root, _, files in os.walk(path) for f in files]
        else:
            found = [os.path.join(path, f) for f in os.listdir(path)]
    except OSError as exc:
        raise ConfigError(f"cannot list ({exc.strerror or exc})", path=path, code="parse/missing") from None
    paths = sorted(p for p in found if p.endswith(SUFFIXES) and os.path.isfile(p))
    if not paths:
        below = " or below it" if recursive else " (--recursive looks below it)"
        raise ConfigError(f"is a directory with no *.yaml or *.yml file in it{below}", path=path,
                          code="parse/missing")
    return paths


def _glob(pattern: str) -> list[str]:
    """The files a pattern matches (`**` spans directories), sorted; no match is an error."""
    paths = sorted(p for p in glob.glob(pattern, recursive=True) if not os.path.isdir(p))
    if not paths:
        raise ConfigError("no file matches this pattern", path=pattern, code="parse/missing")
    return paths


def source(item: Input, options: ModelOptions) -> Union[str, ParsedModel]:
    """What analyze_with reads: the file's path, or stdin's text parsed under the name 'stdin'
    (read through the same bounded reader as a file)."""
    if item.path is not None:
        return item.path
    from ..analyzer.config import from_text
    from ..analyzer.load import parse
    from ..analyzer.reading import read_stdin_text

    text = read_stdin_text(STDIN_NAME, what="YAML model config")
    cfg = from_text(text, STDIN_NAME, STDIN_NAME, options.variant)
    return parse(cfg, options.nc, options.variant, options.allow_unknown, dict(options.definitions))
