"""The fork's process, seen from yanalyze: started with the sandbox's environment, asked
questions with a deadline, stopped when yanalyze is done. yanalyze itself never imports the
fork's code and never unpickles what that process writes."""
from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import Any, Optional

from ...analyzer import diagnostics as D
from . import protocol as P

DEFAULT_TIMEOUT = 120.0  # seconds for the import, and for each answer
TIMEOUT_ENV = "YANALYZE_FORK_TIMEOUT"


def timeout_from_env() -> float:
    try:
        value = float(os.environ.get(TIMEOUT_ENV, DEFAULT_TIMEOUT))
    except ValueError:
        return DEFAULT_TIMEOUT
    return value if value > 0 else DEFAULT_TIMEOUT


def _environment(home: str) -> dict[str, str]:
    """Ours, plus: yanalyze importable, no auto-install, no pip index, no bytecode written into
    the fork, plotting without a display, the fork's settings directory in a scratch folder."""
    here = str(Path(__file__).resolve().parents[3])
    env = dict(os.environ)
    env.update(PYTHONPATH=os.pathsep.join(p for p in (here, env.get("PYTHONPATH", "")) if p),
               YOLOv5_AUTOINSTALL="False", YOLOv5_VERBOSE="False", PYTHONDONTWRITEBYTECODE="1",
               PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1", MPLBACKEND="Agg", YOLOV5_CONFIG_DIR=home,
               YOLO_CONFIG_DIR=home, MPLCONFIGDIR=home, PYTHONUNBUFFERED="1")
    return env


class Session:
    """One running fork process."""

    def __init__(self, root: Path, timeout: Optional[float] = None):
        self.root, self.timeout = root, timeout or timeout_from_env()
        self.scratch = tempfile.TemporaryDirectory(prefix="yanalyze-fork-")
        self.log = tempfile.TemporaryFile(dir=self.scratch.name)
        self.proc: Optional[subprocess.Popen] = subprocess.Popen(
            [sys.executable, "-m", "yanalyze.verify.fork.child", str(root)], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=self.log, cwd=self.scratch.name, env=_environment(self.scratch.name),
            start_new_session=True)
        hello = self._answer("importing the fork")
        self.blocked: list[str] = hello.get("blocked", [])
        self.stubbed: list[str] = hello.get("stubbed", [])
        if not hello.get("ok"):
            where = f"{hello['where']}: " if hello.get("where") else ""
            self.close()
            raise D.FORK_IMPORT.error(error=f"{where}{hello.get('error')}").located(str(root))

    def _answer(self, doing: str) -> Any:
        assert self.proc is not None and self.proc.stdout is not None
        try:
            return P.read(self.proc.stdout.fileno(), self.timeout)
        except P.Timeout:
            self.close(wait=False)
            raise D.FORK_TIMEOUT.error(doing=doing, seconds=f"{self.timeout:g}", env=TIMEOUT_ENV) \
                .located(str(self.root)) from None
        except (P.Closed, ValueError):
            detail = self._last_words()
            self.close()
            raise D.FORK_IMPORT.error(error=f"the fork's process ended while {doing}{detail}") \
                .located(str(self.root)) from None

    def _last_words(self) -> str:
        try:
            self.log.seek(0)
            lines = [ln for ln in self.log.read().decode(errors="replace").splitlines() if ln.strip()]
        except (OSError, ValueError):
            return ""
        return f" ({lines[-1].strip()[:200]})" if lines else ""

    def request(self, message: dict, doing: str) -> dict:
        """Send one request and wait for its answer (at most the timeout)."""
        if self.proc is None or self.proc.stdin is None:
            raise D.FORK_IMPORT.error(error="the fork's process is not running").located(str(self.root))
        try:
            P.write(self.proc.stdin, message)  # type: ignore[arg-type]
        except (BrokenPipeError, OSError):
            detail = self._last_words()
            self.close()
            raise D.FORK_IMPORT.error(error=f"the fork's process ended before {doing}{detail}") \
                .located(str(self.root)) from None
        reply = self._answer(doing)
        for what in reply.get("blocked", []):
            if what not in self.blocked:
                self.blocked.append(what)
        return reply

    def close(self, wait: bool = True) -> None:
        """Stop the fork's process (ours, by its id) and remove the scratch folder."""
        proc, self.proc = self.proc, None
        if proc is not None:
            try:
                if not wait:
                    raise TimeoutError
                if proc.stdin:
                    P.write(proc.stdin, {"op": "exit"})  # type: ignore[arg-type]
                proc.wait(timeout=2)
            except Exception:
                proc.kill()
                proc.wait()
            for stream in (proc.stdin, proc.stdout):
                if stream:
                    stream.close()
        self.log.close()
        self.scratch.cleanup()
