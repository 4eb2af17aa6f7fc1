"""Reading an input file with its size bounded before the work: a config or a budget file is
small text, so a device, a FIFO or a huge file is refused or read only up to the limit."""
from __future__ import annotations

import os
import select
import stat
import time

from .errors import ConfigError

MAX_BYTES = 8 * 1024 * 1024
_STREAM_SECONDS = 8.0   # the whole read
_IDLE_SECONDS = 3.0     # with nothing arriving


def _read_stream(fd: int, path: str) -> bytes:
    """A pipe or device (process substitution, /dev/stdin): read at most MAX_BYTES + 1 within a
    deadline, so /dev/zero or a FIFO nobody writes to cannot hold the tool."""
    deadline = time.monotonic() + _STREAM_SECONDS
    chunks: list[bytes] = []
    size = 0
    while size <= MAX_BYTES:
        left = deadline - time.monotonic()
        if left <= 0:
            raise ConfigError(f"still being written after {_STREAM_SECONDS:.0f} s; not a model file",
                              path=path, code="parse/missing")
        ready, _, _ = select.select([fd], [], [], min(left, _IDLE_SECONDS))
        if not ready:
            raise ConfigError(f"nothing to read for {_IDLE_SECONDS:.0f} s (a FIFO nobody writes to?)",
                              path=path, code="parse/missing")
        try:
            chunk = os.read(fd, min(1 << 20, MAX_BYTES + 1 - size))
        except BlockingIOError:
            time.sleep(0.01)
            continue
        if not chunk:
            break
        chunks.append(chunk)
        size += len(chunk)
    return b"".join(chunks)


def read_bytes(path: str, *, what: str = "YAML file") -> bytes:
    """The bytes of an input file, refused with one line when it is missing, a directory, a
    socket, or larger than MAX_BYTES (checked before reading)."""
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise ConfigError("no such file", path=path, code="parse/missing") from None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"cannot read ({getattr(exc, 'strerror', None) or exc})", path=path,
                          code="parse/missing") from None
    if stat.S_ISDIR(st.st_mode):
        raise ConfigError(f"is a directory, not a {what}", path=path, code="parse/missing")
    if stat.S_ISSOCK(st.st_mode):
        raise ConfigError(f"is a socket, not a {what}", path=path, code="parse/missing")
    if stat.S_ISREG(st.st_mode) and st.st_size > MAX_BYTES:
        raise ConfigError(f"file is larger than {MAX_BYTES >> 20} MB; not a {what}", path=path,
                          code="parse/binary")
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise ConfigError(f"cannot read ({exc.strerror or exc})", path=path, code="parse/missing") from None
    try:
        if stat.S_ISREG(st.st_mode):
            with os.fdopen(os.dup(fd), "rb") as f:
                raw = f.read(MAX_BYTES + 1)
        else:
            raw = _read_stream(fd, path)
    except OSError as exc:
        raise ConfigError(f"cannot read ({exc.strerror or exc})", path=path, code="parse/missing") from None
    finally:
        os.close(fd)
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"input is larger than {MAX_BYTES >> 20} MB; not a {what}", path=path,
                          code="parse/binary")
    return raw


def read_stdin_text(name: str = "stdin", *, what: str = "YAML file") -> str:
    """Standard input as text, bounded as a file is: a redirected file up to MAX_BYTES, a pipe or a
    terminal through the stream reader's deadline. Errors name the input `name`."""
    try:
        st = os.fstat(0)
        if stat.S_ISREG(st.st_mode):
            raw = b""
            while len(raw) <= MAX_BYTES:  # a redirected file: read at most one byte past the limit
                more = os.read(0, MAX_BYTES + 1 - len(raw))
                if not more:
                    break
                raw += more
        else:
            raw = _read_stream(0, name)
    except OSError as exc:
        raise ConfigError(f"cannot read ({exc.strerror or exc})", path=name, code="parse/missing") from None
    if len(raw) > MAX_BYTES:
        raise ConfigError(f"input is larger than {MAX_BYTES >> 20} MB; not a {what}", path=name,
                          code="parse/binary")
    return _decoded(raw, name, what)


def read_text(path: str, *, what: str = "YAML file") -> str:
    """read_bytes, decoded as UTF-8 text (a NUL byte means a binary file)."""
    return _decoded(read_bytes(path, what=what), path, what)


def _decoded(raw: bytes, path: str, what: str) -> str:
    if b"\x00" in raw:
        raise ConfigError(f"binary file, not a {what}", path=path, code="parse/binary")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", path=path, code="parse/binary") from None
