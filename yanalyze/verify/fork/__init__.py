"""--repo DIR: a YOLOv5 fork's own definitions, measured by its own code.

The fork's code only ever runs in a separate process (child.py) that cannot install, spawn
or connect and that stubs what is not installed; yanalyze reads the fork's channel rules
from the source of its parse_model (source.py, rules.py) and asks that process to build
and measure each layer from the fork's class (measure.py). From Python:

    from yanalyze.verify.fork import open_fork
    with open_fork("path/to/fork"):
        a = yanalyze.analyze("path/to/fork/models/yolov5s-cbam.yaml")
"""
from __future__ import annotations

import atexit
import importlib.util
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator, Optional

from ...analyzer import diagnostics as D
from ...analyzer import extensions

_ACTIVE: dict[str, "object"] = {}


def check_root(repo: str) -> Path:
    """DIR must hold models/yolo.py (the file whose parse_model builds the fork's models)."""
    root = Path(repo).expanduser()
    if not root.is_dir():
        raise D.FORK_MISSING.error(detail="no such directory").located(repo)
    if not (root / "models" / "yolo.py").is_file():
        hint = f"; its parent {root.resolve().parent} is" if root.name == "models" and \
            (root / "yolo.py").is_file() else ""
        raise D.FORK_MISSING.error(detail=f"not the root of a YOLOv5 fork: no models/yolo.py{hint}").located(repo)
    if importlib.util.find_spec("torch") is None:
        raise D.FORK_TORCH.error()
    return root.resolve()


def activate(repo: str, timeout: Optional[float] = None, owner: str = "api"):  # noqa: ANN201  (defs.Fork)
    """Start the fork (or keep the one already started) and let it register its definitions of
    every config parsed from now on. Raises ConfigError (fork/missing, fork/import, ...)."""
    from .defs import Fork

    root = check_root(repo)
    current = _ACTIVE.get("fork")
    if current is not None and current.root == root:  # type: ignore[attr-defined]
        return current
    deactivate()
    fork = Fork(root, timeout)
    _ACTIVE["fork"], _ACTIVE["owner"] = fork, owner
    extensions.PREPARERS.append(fork.prepare)
    extensions.CONVENTIONS["gflops"] = fork.gflops_as or "current"
    atexit.register(deactivate)
    return fork


def active():  # noqa: ANN201
    return _ACTIVE.get("fork")


def deactivate(owner: Optional[str] = None) -> None:
    """Stop the fork's process and restore the built-in definitions (only if `owner` started
    it, when given: the command line stops what it started, not a fork opened from Python)."""
    if owner is not None and _ACTIVE.get("owner") != owner:
        return
    fork = _ACTIVE.pop("fork", None)
    _ACTIVE.pop("owner", None)
    if fork is None:
        return
    extensions.CONVENTIONS.pop("gflops", None)
    if fork.prepare in extensions.PREPARERS:  # type: ignore[attr-defined]
        extensions.PREPARERS.remove(fork.prepare)  # type: ignore[attr-defined]
    fork.close()  # type: ignore[attr-defined]


@contextmanager
def open_fork(repo: str, timeout: Optional[float] = None) -> Iterator[object]:
    """The fork's definitions for the duration of a `with` block (a fork already open stays open)."""
    before = _ACTIVE.get("fork")
    fork = activate(repo, timeout)
    try:
        yield fork
    finally:
        if fork is not before:
            deactivate()


def report_import(fork: object) -> list[str]:
    """What importing the fork tried and what it lacked, as lines for stderr."""
    s = fork.session  # type: ignore[attr-defined]
    lines = [f"yanalyze: warning[{D.FORK_BLOCKED.code}]: {D.FORK_BLOCKED.template.format(what=w)}"
             for w in s.blocked]
    if s.stubbed:
        lines.append(f"yanalyze: note: not installed, stubbed for the fork: {', '.join(sorted(s.stubbed))}")
    how = {"v7.0": "its model_info profiles a stride-sized probe and scales it (--gflops-as v7.0)",
           "current": "its model_info lets thop extrapolate, as current YOLOv5 does (--gflops-as current)",
           None: "its utils/torch_utils.py model_info could not be read: current YOLOv5's count is assumed"}
    lines.append(f"yanalyze: note: GFLOPs as the fork prints them: {how[fork.gflops_as]}")  # type: ignore[attr-defined]
    return lines
