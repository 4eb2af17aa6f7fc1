"""Symbolic feature maps: what a cost model computes on instead of tensors."""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from typing import Sequence, Union

from .conventions import ACT_FLOPS
from .cost import Cost
from .errors import ConfigError
from .field import AxisField
from .model import Shape

IntPair = Union[int, Sequence[int]]


@dataclass(frozen=True)
class Act:
    """An activation by its torch name (its cost is in conventions.ACT_FLOPS); text: how a config
    wrote it as an argument (`nn.LeakyReLU(0.1)`), shown wherever the args are."""

    name: str
    text: str = ""

    def __repr__(self) -> str:
        return self.text or f"nn.{self.name}()"


ACTS = {name: Act(name) for name in ACT_FLOPS}
IDENTITY = ACTS["Identity"]


@dataclass
class Trace:
    """Collects the costs of one layer; `exact` turns on the exact receptive-field windows."""

    default_act: Act = ACTS["SiLU"]
    exact: bool = True
    cost: Cost = field(default_factory=Cost)
    notes: list[str] = field(default_factory=list)
    ops: list[tuple[str, str, Cost]] = field(default_factory=list)

    def record(self, cost: Cost, what: str = "", detail: str = "") -> None:
        """Add one kernel's cost; it is also kept by name (the recording function's, unless
        given), so a report can show a block's internals."""
        self.cost = self.cost + cost
        self.ops.append((what or sys._getframe(1).f_code.co_name, detail, cost))


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen costs 4x per instance
class T:
    """A symbolic feature map: shape, receptive field per axis, global-context flag, trace."""

    shape: Shape
    fh: AxisField
    fw: AxisField
    glob: bool
    trace: Trace

    @property
    def c(self) -> int:
        return self.shape.c

    @property
    def numel(self) -> int:
        return self.shape.numel


def shape_error(message: str) -> ConfigError:
    return ConfigError(message, code="graph/shape")


def pair(v: IntPair) -> tuple[int, int]:
    """Expand an int or a 1-/2-sequence to (h, w), as torch does for kernel/stride/padding."""
    if type(v) is int:  # the common case first: this runs for every kernel of every layer
        return v, v
    if type(v) is tuple and len(v) == 2 and type(v[0]) is int and type(v[1]) is int:
        return v  # type: ignore[return-value]
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            v = (v[0], v[0])
        if len(v) != 2 or not all(isinstance(x, int) and not isinstance(x, bool) for x in v):
            raise shape_error(f"expected an integer or a pair of integers, got {list(v)}")
        return int(v[0]), int(v[1])
    if isinstance(v, bool) or not isinstance(v, int):
        raise shape_error(f"expected an integer, got {v!r}")
    return v, v
