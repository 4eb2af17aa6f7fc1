"""Primitive operations on symbolic tensors; every block is composed from these.

Each primitive computes its output shape and receptive field and records one Cost into
the tensor's Trace. Counting conventions (complete FLOPs, thop rules, memory access)
live here and only here, so one rule serves every block that uses the operation.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from math import prod
from typing import Sequence, Union

from ..errors import ConfigError
from ..field import AxisField
from ..model import Cost, Shape

IntPair = Union[int, Sequence[int]]


@dataclass(frozen=True)
class Act:
    """An activation: its name as YOLOv5 prints it and complete FLOPs per element (thop counts 0)."""

    name: str
    flops: int


ACTS = {
    "SiLU": Act("SiLU", 4), "ReLU": Act("ReLU", 1), "ReLU6": Act("ReLU6", 2),
    "LeakyReLU": Act("LeakyReLU", 2), "Hardswish": Act("Hardswish", 5),
    "Hardsigmoid": Act("Hardsigmoid", 4), "Sigmoid": Act("Sigmoid", 3), "Tanh": Act("Tanh", 5),
    "GELU": Act("GELU", 8), "Mish": Act("Mish", 7), "ELU": Act("ELU", 3),
    "Identity": Act("Identity", 0),
}
IDENTITY = ACTS["Identity"]


@dataclass
class Trace:
    """Collects the costs of one layer; `exact` turns on the exact receptive-field windows."""

    default_act: Act = ACTS["SiLU"]
    exact: bool = True
    cost: Cost = field(default_factory=Cost)
    notes: list[str] = field(default_factory=list)

    def record(self, cost: Cost) -> None:
        self.cost = self.cost + cost


@dataclass(frozen=True)
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
    if isinstance(v, (list, tuple)):
        if len(v) == 1:
            return int(v[0]), int(v[0])
        if len(v) != 2:
            raise shape_error(f"expected an int or a pair, got {list(v)}")
        return int(v[0]), int(v[1])
    if isinstance(v, bool) or not isinstance(v, int):
        raise shape_error(f"expected an integer, got {v!r}")
    return v, v


def _out_len(n: int, k: int, s: int, p: int, d: int, what: str) -> int:
    if k < 1 or s < 1 or p < 0 or d < 1:
        raise shape_error(f"{what} needs kernel, stride, dilation >= 1 and padding >= 0 "
                          f"(got k={k}, s={s}, p={p}, d={d})")
    span = d * (k - 1) + 1
    out = (n + 2 * p - span) // s + 1
    if out < 1:
        raise shape_error(f"{what} kernel {span} is larger than its input {n} plus padding {2 * p}")
    return out


def window(x: T, c2: int, k: IntPair, s: IntPair, p: IntPair, d: IntPair, what: str) -> T:
    """Output map of a sliding-window op: new shape and composed receptive field."""
    (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(k), pair(s), pair(p), pair(d)
    h = _out_len(x.shape.h, kh, sh, ph, dh, what)
    w = _out_len(x.shape.w, kw, sw, pw, dw, what)
    return T(Shape(c2, h, w), x.fh.window(kh, sh, ph, dh), x.fw.window(kw, sw, pw, dw), x.glob, x.trace)


def conv2d(x: T, c1: int, c2: int, k: IntPair = 1, s: IntPair = 1, p: IntPair = 0,
           g: int = 1, d: IntPair = 1, bias: bool = False) -> T:
    """nn.Conv2d: MACs = out * c1/g * kh*kw (thop, bias not counted); FLOPs = 2*MACs + bias adds."""
    if isinstance(c2, bool) or not isinstance(c2, int) or c2 < 1:
        raise shape_error(f"convolution output channels must be a positive integer, got {c2!r}")
    if x.c != c1:
        raise shape_error(f"convolution expects {c1} input channels, gets {x.c}")
    if g < 1 or c1 % g or c2 % g:
        raise shape_error(f"groups={g} must divide in ({c1}) and out ({c2}) channels")
    y = window(x, c2, k, s, p, d, "convolution")
    kk = prod(pair(k))
    macs = y.numel * (c1 // g) * kk
    params = c2 * (c1 // g) * kk + (c2 if bias else 0)
    act = x.numel + y.numel
    x.trace.record(Cost(params, params, macs, macs, macs, 2 * macs + (y.numel if bias else 0),
                        act, params, act, params))
    return y


def batchnorm(x: T, folded: bool = False) -> T:
    """BatchNorm2d (inference: scale and shift, 2 FLOPs/element; thop counts 4/element).

    folded: Conv+BN fusion removes it, leaving one bias per channel in the conv.
    """
    n, c = x.numel, x.c
    fused = Cost(params_fused=c, weights_fused=c) if folded else Cost(params_fused=2 * c, thop_fused=4 * n,
                                                     act_fused=2 * n, weights_fused=4 * c)
    x.trace.record(replace(fused, params=2 * c, thop=4 * n, flops=2 * n, act=2 * n, weights=4 * c))
    return x


def activation(x: T, act: Act, folded: bool = False) -> T:
    """Element-wise activation: thop counts none; complete FLOPs per the table in ACTS."""
    if act.name == "Identity":
        return x
    n = x.numel
    x.trace.record(Cost(flops=act.flops * n, act=2 * n, act_fused=0 if folded else 2 * n))
    return x


def conv_bn_act(x: T, c1: int, c2: int, k: IntPair = 1, s: IntPair = 1, p: IntPair = 0,
                g: int = 1, d: IntPair = 1, act: Act = IDENTITY) -> T:
    """YOLOv5 Conv: Conv2d without bias, BatchNorm2d, activation; one kernel when fused."""
    y = conv2d(x, c1, c2, k, s, p, g, d)
    return activation(batchnorm(y, folded=True), act, folded=True)


def maxpool(x: T, k: IntPair, s: IntPair, p: IntPair = 0, d: IntPair = 1) -> T:
    """MaxPool2d: k*k-1 comparisons per output; thop counts 0."""
    y = window(x, x.c, k, s, p, d, "max-pool")
    n = x.numel + y.numel
    x.trace.record(Cost(flops=(prod(pair(k)) - 1) * y.numel, act=n, act_fused=n))
    return y


def pad(x: T, left: int, right: int, top: int, bottom: int) -> T:
    """Zero padding: a copy into a larger map; position i reads input i - top (or - left)."""
    if min(left, right, top, bottom) < 0:
        raise shape_error("negative padding (cropping) is not supported")
    s = x.shape
    y = T(Shape(s.c, s.h + top + bottom, s.w + left + right), x.fh.window(1, 1, top),
          x.fw.window(1, 1, left), x.glob, x.trace)
    n = x.numel + y.numel
    x.trace.record(Cost(act=n, act_fused=n))
    return y


def upsample(x: T, scale: int, mode: str = "nearest") -> T:
    """Nearest upsampling by an integer factor: a copy, 0 FLOPs; the jump divides by the factor."""
    if mode != "nearest":
        raise shape_error(f"upsample mode {mode!r} is not supported yet (nearest is)")
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise shape_error(f"upsample needs an integer scale factor >= 1, got {scale!r}")
    s = x.shape
    y = T(Shape(s.c, s.h * scale, s.w * scale), x.fh.upsample(scale), x.fw.upsample(scale),
          x.glob, x.trace)
    n = x.numel + y.numel
    x.trace.record(Cost(act=n, act_fused=n))
    return y


def _join(xs: Sequence[T], c: int, what: str) -> T:
    first = xs[0]
    fh, fw, glob = first.fh, first.fw, first.glob
    for other in xs[1:]:
        if (other.shape.h, other.shape.w) != (first.shape.h, first.shape.w):
            raise shape_error(f"{what} inputs differ in size: {first.shape.h}x{first.shape.w} "
                              f"and {other.shape.h}x{other.shape.w}")
        fh, fw, glob = fh.join(other.fh), fw.join(other.fw), glob or other.glob
    return T(Shape(c, first.shape.h, first.shape.w), fh, fw, glob, first.trace)


def concat(xs: Sequence[T]) -> T:
    """Channel concatenation: a copy, 0 FLOPs; the receptive field is the union of the inputs'."""
    y = _join(xs, sum(x.c for x in xs), "Concat")
    n = sum(x.numel for x in xs) + y.numel
    y.trace.record(Cost(act=n, act_fused=n))
    return y


def add(a: T, b: T) -> T:
    """Element-wise sum (residual): 1 FLOP per element, thop counts 0."""
    if a.c != b.c:
        raise shape_error(f"residual add of {a.c} and {b.c} channels")
    y = _join([a, b], a.c, "Add")
    a.trace.record(Cost(flops=y.numel, act=3 * y.numel, act_fused=3 * y.numel))
    return y


def space_to_depth(x: T, g: int = 2) -> T:
    """Focus/Contract: g x g pixel phases stacked on channels, like a g x g stride-g window."""
    if x.shape.h % g or x.shape.w % g:
        raise shape_error(f"space-to-depth by {g} needs a size divisible by {g}, "
                          f"got {x.shape.h}x{x.shape.w}")
    y = window(x, x.c * g * g, g, g, 0, 1, "space-to-depth")
    n = x.numel + y.numel
    x.trace.record(Cost(act=n, act_fused=n))
    return y


def depth_to_space(x: T, g: int = 2) -> T:
    """Expand: channels unstacked into a g-times larger map, like a nearest upsample by g."""
    if x.c % (g * g):
        raise shape_error(f"depth-to-space by {g} needs channels divisible by {g * g}, got {x.c}")
    s = x.shape
    y = T(Shape(s.c // (g * g), s.h * g, s.w * g), x.fh.upsample(g), x.fw.upsample(g), x.glob, x.trace)
    n = x.numel + y.numel
    x.trace.record(Cost(act=n, act_fused=n))
    return y
