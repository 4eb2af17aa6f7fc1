"""Operations the CSP / SPP / transformer-block family needs beyond the shared primitives, each
priced with analyzer.conventions' functions, as the tracer prices the same aten ops
(verify.trace):

- a cyclic shift (torch.roll) and other plain copies;
- a gather from a parameter table (relative position bias), an indexed write (index_put_);
- parameters of a submodule a block builds but never calls (counted by YOLOv5's parameter
  sum, read and computed by nothing).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import conventions as C
from ..cost import Cost
from ..model import Shape
from ..symbolic import T, Trace


def param_product(x: T, c: int) -> T:
    """A learned per-channel scale (a parameter of c elements, broadcast) times the map."""
    x.trace.record(C.op(params=c, flops=x.numel, act=2 * x.numel, weights=c))
    return x


def copy(x: T) -> T:
    """A kernel that only moves data: torch.roll, .contiguous() after a permute, F.pad with
    nothing to pad; the map and its receptive field stay as they are."""
    x.trace.record(C.copy(x.numel, x.numel))
    return x


def gather(x: T, table: int, index: int, out: int, params: bool = True) -> None:
    """table[index]: a gather of `out` elements from a parameter table through an index buffer
    (both read as weights)."""
    x.trace.record(C.op(params=table if params else 0, act=out, weights=table + index))


def index_put(x: T, read: int, written: int) -> None:
    """t[..., idx, ...] = value: reads the index and the value, writes the selected elements."""
    x.trace.record(C.copy(read, written))


def retype(x: T, c: int, h: int, w: int) -> T:
    """A view with another shape (a crop that moves nothing, a token map back to C x H x W)."""
    return replace(x, shape=Shape(c, h, w))


def reused(x: T, build: Callable[[T], T]) -> T:
    """A submodule called again (its weights shared): every kernel runs and reads its weights
    again; its parameters were counted at its first call."""
    t = Trace(x.trace.default_act, x.trace.exact)
    y = build(T(x.shape, x.fh, x.fw, x.glob, t))
    x.trace.record(replace(t.cost, params=0, params_fused=0))
    return replace(y, trace=x.trace)


def idle(x: T, build: Callable[[T], object]) -> None:
    """A submodule a block constructs but never calls in forward: its parameters count (and
    fuse as any Conv's do), nothing is computed or read."""
    t = Trace(x.trace.default_act, False)
    build(T(x.shape, x.fh, x.fw, x.glob, t))
    x.trace.record(Cost(params=t.cost.params, params_fused=t.cost.params_fused))
