"""What passes between yanalyze and the fork's process: length-prefixed JSON messages, never
pickles, so nothing the fork's code writes is ever executed by yanalyze. Receptive fields and
costs travel as plain numbers."""
from __future__ import annotations

import json
import os
import select
import struct
import time
from dataclasses import asdict
from fractions import Fraction
from typing import Any, BinaryIO, Optional

from ...analyzer.cost import Cost
from ...analyzer.field import AxisField

_HEADER = struct.Struct(">Q")
MAX_MESSAGE = 256 * 1024 * 1024


class Timeout(Exception):
    """The other side did not answer in time."""


class Closed(Exception):
    """The other side went away."""


def write(stream: BinaryIO, message: Any) -> None:
    data = json.dumps(message, separators=(",", ":")).encode()
    stream.write(_HEADER.pack(len(data)) + data)
    stream.flush()


def _read_exact(fd: int, n: int, deadline: Optional[float]) -> bytes:
    chunks, got = [], 0
    while got < n:
        if deadline is not None:
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([fd], [], [], left)[0]:
                raise Timeout()
        chunk = os.read(fd, min(n - got, 1 << 20))
        if not chunk:
            raise Closed()
        chunks.append(chunk)
        got += len(chunk)
    return b"".join(chunks)


def read(fd: int, timeout: Optional[float] = None) -> Any:
    """One message from a file descriptor, waiting at most `timeout` seconds."""
    deadline = None if timeout is None else time.monotonic() + timeout
    (size,) = _HEADER.unpack(_read_exact(fd, _HEADER.size, deadline))
    if size > MAX_MESSAGE:
        raise Closed()
    return json.loads(_read_exact(fd, size, deadline))


def frac(x: Fraction) -> list[int]:
    return [x.numerator, x.denominator]


def field_to_json(f: Optional[AxisField]) -> Optional[dict]:
    if f is None:
        return None
    return {"jump": frac(Fraction(f.jump)), "rf": frac(Fraction(f.rf)), "period": f.period, "shift": f.shift,
            "lo": None if f.lo is None else list(f.lo), "hi": None if f.hi is None else list(f.hi)}


def field_from_json(d: Optional[dict]) -> Optional[AxisField]:
    if d is None:
        return None
    return AxisField(Fraction(*d["jump"]), Fraction(*d["rf"]), int(d["period"]), int(d["shift"]),
                     None if d["lo"] is None else tuple(int(v) for v in d["lo"]),
                     None if d["hi"] is None else tuple(int(v) for v in d["hi"]))


def axis_from_json(d: dict) -> AxisField:
    f = field_from_json(d)
    assert f is not None
    return f


def cost_to_json(c: Cost) -> dict:
    return asdict(c)


def cost_from_json(d: dict) -> Cost:
    return Cost(**{k: int(v) for k, v in d.items() if k in Cost.__dataclass_fields__})
