"""Writing results: every file rendered before any is written, each written atomically, and
no output may replace a file the command reads."""
from __future__ import annotations

import os
import tempfile
from pathlib import Path
from typing import Sequence

from ..analyzer import diagnostics as D


def _same_file(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except OSError:
        return False


def check_outputs(outputs: Sequence[str], inputs: Sequence[str]) -> None:
    """Refuse an output path that is one of the command's inputs (the config, a plugin, ...)."""
    for out in outputs:
        for inp in inputs:
            if _same_file(out, inp):
                raise D.OUTPUT.error(detail=f"{out}: output would overwrite the input {inp}; choose another path")


def write_atomic(path: str, text: str) -> None:
    """Write through a temporary file and rename, so a failure leaves nothing half-written.

    A symlink is followed (the file it points to is replaced, the link stays); a device, a
    FIFO or another special file is written in place, never replaced by a regular file.
    """
    target = Path(path)
    if target.exists() and not target.is_file() and not target.is_dir():
        with open(target, "w", encoding="utf-8") as f:
            f.write(text)
        return
    if target.is_symlink():
        target = target.resolve()
    if target.is_dir():
        raise D.OUTPUT.error(detail=f"{path}: is a directory")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise D.OUTPUT.error(detail=f"{path}: no such directory {parent}")
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # as an ordinary open() would create it
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def write_all(files: dict[str, str], inputs: Sequence[str]) -> None:
    """Write every rendered file (checked against the inputs first)."""
    check_outputs(list(files), inputs)
    for path, text in files.items():
        write_atomic(path, text)
