"""The fork's process, before any fork code runs: nothing may install, spawn or connect, and a
package the fork imports that is not installed (cv2, pandas, seaborn, matplotlib, ultralytics,
...) becomes a stub that imports cleanly and raises only when really used.

os.system and os.popen do not run their command and report failure (exit status 1), as a
missing pip would: forks call `os.system('pip install -U ultralytics')` unguarded at import.
subprocess, os.exec*/spawn*/fork, pip itself and socket connections raise PermissionError.
Every attempt is recorded and reported by yanalyze.
"""
from __future__ import annotations

import importlib.abc
import importlib.machinery
import os
import socket
import subprocess
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

BLOCKED: list[str] = []   # what the fork tried to run, install or reach
STUBBED: list[str] = []   # packages it imports that are not installed
STATE = {"importing": True}


class Blocked(PermissionError):
    """Raised instead of spawning a process, installing or opening a connection."""


def _record(what: str) -> None:
    if what not in BLOCKED:
        BLOCKED.append(what)


def _refuse(kind: str):
    def refuse(*args: Any, **kwargs: Any) -> Any:
        cmd = args[0] if args else kwargs.get("args", "")
        _record(f"{kind}({' '.join(map(str, cmd)) if isinstance(cmd, (list, tuple)) else cmd})")
        raise Blocked(f"yanalyze blocked {kind}: the fork may not run commands, install or reach the network")
    return refuse


def _system(command: Any) -> int:
    _record(f"os.system({command})")
    return 1  # not run: a failed command, which callers of os.system expect and tolerate


def block_processes_and_network() -> None:
    os.environ["YOLOv5_AUTOINSTALL"] = "False"
    os.system = _system  # type: ignore[assignment]
    os.popen = _refuse("os.popen")  # type: ignore[assignment]
    for name in ("execv", "execve", "execl", "execle", "execlp", "execlpe", "execvp", "execvpe", "spawnv",
                 "spawnve", "spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnvp", "spawnvpe", "fork", "forkpty",
                 "posix_spawn", "posix_spawnp"):
        if hasattr(os, name):
            setattr(os, name, _refuse(f"os.{name}"))

    class NoPopen(subprocess.Popen):  # type: ignore[type-arg]
        def __init__(self, *args: Any, **kwargs: Any):
            _refuse("subprocess")(*args, **kwargs)

    subprocess.Popen = NoPopen  # type: ignore[misc]
    for name in ("run", "call", "check_call", "check_output", "getoutput", "getstatusoutput"):
        setattr(subprocess, name, _refuse(f"subprocess.{name}"))
    socket.socket.connect = _refuse("socket.connect")  # type: ignore[method-assign]
    socket.socket.connect_ex = _refuse("socket.connect")  # type: ignore[method-assign]
    socket.create_connection = _refuse("socket.create_connection")  # type: ignore[assignment]
    socket.getaddrinfo = _refuse("socket.getaddrinfo")  # type: ignore[assignment]


# -- stubs for what is not installed


class StubMeta(type):
    """Stub objects are classes, so that they can be subclassed, tested with isinstance and
    called as decorators at import time; after the import, calling one raises."""

    def __getattr__(cls, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        return stub_object(f"{cls.__stub_name__}.{name}")

    def __call__(cls, *args: Any, **kwargs: Any) -> Any:
        if "__stub_name__" not in cls.__dict__:  # the fork's own subclass of a stub
            return super().__call__(*args, **kwargs)
        if STATE["importing"]:
            return stub_object(f"{cls.__stub_name__}()")
        raise RuntimeError(f"{cls.__stub_name__} was called, but its package is not installed "
                           "(yanalyze stubbed it so that the fork could be imported)")

    def __getitem__(cls, item: Any) -> Any:
        return cls

    def __ge__(cls, other: Any) -> bool:  # version checks at import (`current >= minimum`) pass
        return True

    __le__ = __ge__

    def __gt__(cls, other: Any) -> bool:
        return False

    __lt__ = __gt__

    def __or__(cls, other: Any) -> Any:
        return cls

    __ror__ = __or__

    def __iter__(cls) -> Any:
        return iter(())

    def __repr__(cls) -> str:
        return f"<stub {cls.__stub_name__}>"


def stub_object(name: str) -> Any:
    return StubMeta(name.rsplit(".", 1)[-1], (), {"__stub_name__": name, "__module__": name.rsplit(".", 1)[0]})


def _parse_version() -> Any:
    from packaging.version import parse
    return parse


SHIMS = {("pkg_resources", "parse_version"): _parse_version}  # stand-ins that work, where one is at hand


class StubModule(ModuleType):
    """A module of a package that is not installed."""

    __version__ = "0.0.0"
    __all__: list = []

    def __getattr__(self, name: str) -> Any:
        if name.startswith("__") and name.endswith("__"):
            raise AttributeError(name)
        shim = SHIMS.get((self.__name__, name))
        if shim is not None:
            try:
                return shim()
            except ImportError:
                pass
        return stub_object(f"{self.__name__}.{name}")


class StubLoader(importlib.abc.Loader):
    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType:
        m = StubModule(spec.name)
        m.__path__ = []  # a package: its submodules are stubs too
        return m

    def exec_module(self, module: ModuleType) -> None:
        pass


class StubFinder(importlib.abc.MetaPathFinder):
    """Last on sys.meta_path: a module nobody else finds becomes a stub when the fork's code
    (or a stub) imports it; imports by torch and the rest fail as they normally would."""

    def __init__(self, root: Path):
        self.root = str(root.resolve())

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if not self._from_fork(name):
            return None
        if not isinstance(sys.modules.get(name.rpartition(".")[0]), StubModule) and name not in STUBBED:
            STUBBED.append(name)
        return importlib.machinery.ModuleSpec(name, StubLoader(), is_package=True)

    def _from_fork(self, name: str) -> bool:
        parent = name.rpartition(".")[0]
        if parent and isinstance(sys.modules.get(parent), StubModule):
            return True
        frame = sys._getframe(1)
        while frame is not None:
            file = frame.f_code.co_filename
            if not file.startswith("<frozen") and "importlib" not in file and file != __file__:
                return file.startswith(self.root)
            frame = frame.f_back  # type: ignore[assignment]
        return False


class PipBlocker(importlib.abc.MetaPathFinder):
    """First on sys.meta_path: pip is never imported for real in the fork's process."""

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> Any:
        if name.split(".")[0] in ("pip", "ensurepip"):
            _record(f"import {name}")
            return importlib.machinery.ModuleSpec(name, StubLoader(), is_package=True)
        return None


def install(root: Path) -> None:
    """Everything above, for a fork rooted at `root`."""
    block_processes_and_network()
    for name in [n for n in sys.modules if n.split(".")[0] in ("pip", "ensurepip")]:
        del sys.modules[name]
    sys.meta_path.insert(0, PipBlocker())
    sys.meta_path.append(StubFinder(root))
