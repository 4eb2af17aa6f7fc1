"""Writing results: every file rendered before any is written, all written or none, and no
output may replace a file the command reads."""
from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Optional, Sequence

from ..analyzer import diagnostics as D


def _identity(path: str) -> Optional[tuple[int, int]]:
    """(device, inode) of what a path finally names, or None when nothing is there yet."""
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    return st.st_dev, st.st_ino


def _same_file(a: str, b: str) -> bool:
    ia, ib = _identity(a), _identity(b)
    if ia is not None and ib is not None:
        return ia == ib
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError, ValueError):
        return False


def check_outputs(outputs: Sequence[Optional[str]], inputs: Sequence[str]) -> None:
    """Refuse an output path that is one of the command's inputs (the config, a plugin, ...),
    through links and hard links, and two outputs that are one file. Called before the work with
    the paths as given (None and '-', stdout, are skipped) and again before writing."""
    given = [o for o in outputs if o and o != "-"]
    for out in given:
        for inp in inputs:
            if inp and _same_file(out, inp):
                raise D.OUTPUT.error(detail=f"{out}: output would overwrite the input {inp}; choose another path")
    for i, out in enumerate(given):
        for other in given[i + 1:]:
            if _same_file(out, other) and not _is_special(out):
                raise D.OUTPUT.error(detail=f"{out}: given for two outputs ({other}); choose another path")


def _is_special(path: str) -> bool:
    """A device, FIFO or socket (e.g. /dev/stdout): written in place, never replaced."""
    try:
        mode = os.stat(path).st_mode
    except (OSError, ValueError):
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


@dataclass
class _Pending:
    shown: str            # the path as the user gave it
    target: Path          # what is finally replaced (a symlink's target)
    temp: Optional[str]   # the staged file beside it; None for a special file written in place
    text: str


def _stage(path: str, text: str) -> _Pending:
    """Write a file's text beside its target, not yet in place."""
    if _is_special(path):
        return _Pending(shown=path, target=Path(path), temp=None, text=text)
    target = Path(path)
    if target.is_symlink():
        try:
            target = Path(os.path.realpath(path))
        except (OSError, ValueError):
            raise D.OUTPUT.error(detail=f"{path}: cannot follow the link") from None
    if target.is_dir():
        raise D.OUTPUT.error(detail=f"{path}: is a directory")
    parent = target.parent if str(target.parent) else Path(".")
    if not parent.is_dir():
        raise D.OUTPUT.error(detail=f"{path}: no such directory {parent}")
    try:
        import tempfile  # only when something is written

        fd, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=parent)
    except OSError as e:
        raise D.OUTPUT.error(detail=f"{path}: cannot write ({e.strerror or e})") from None
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(text)
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(temp, 0o666 & ~umask)  # as an ordinary open() would create it
    except OSError as e:
        os.unlink(temp)
        raise D.OUTPUT.error(detail=f"{path}: cannot write ({e.strerror or e})") from None
    except BaseException:
        os.unlink(temp)
        raise
    return _Pending(shown=path, target=target, temp=temp, text=text)


def _discard(staged: Sequence[_Pending]) -> None:
    for p in staged:
        if p.temp and os.path.exists(p.temp):
            os.unlink(p.temp)


def check_writable(path: str) -> None:
    """Fail now, in one line, when `path` could not be written later (a missing folder, a
    directory, no permission): for a command that works a long time before it writes."""
    _discard([_stage(path, "")])


def write_atomic(path: str, text: str) -> None:
    """Write one file through a staged copy and a rename (see write_all)."""
    write_all({path: text}, ())


def write_all(files: dict[str, str], inputs: Sequence[str]) -> None:
    """Write every rendered file, or none.

    All files are staged beside their targets first; only when every one is staged are they
    renamed into place. A symlink is followed (its target is replaced, the link stays); a
    device, FIFO or other special file is written in place, last.
    """
    check_outputs(list(files), inputs)
    staged: list[_Pending] = []
    try:
        for path, text in files.items():
            staged.append(_stage(path, text))
    except BaseException:
        _discard(staged)
        raise
    try:
        for p in staged:
            if p.temp is not None:
                os.replace(p.temp, p.target)
    except OSError as e:
        _discard(staged)
        raise D.OUTPUT.error(detail=f"{p.shown}: cannot write ({e.strerror or e})") from None
    for p in staged:
        if p.temp is None:
            try:
                with open(p.target, "w", encoding="utf-8") as f:
                    f.write(p.text)
            except OSError as e:
                raise D.OUTPUT.error(detail=f"{p.shown}: cannot write ({e.strerror or e})") from None
