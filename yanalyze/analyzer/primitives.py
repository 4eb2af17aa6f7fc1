"""Primitive operations on symbolic tensors; every block is composed from these.

Each primitive computes its output shape and receptive field and records the cost of the
kernel it stands for, as analyzer.conventions defines it; no counting rule lives here.
"""
from __future__ import annotations

from dataclasses import replace
from math import prod
from typing import Sequence

from . import conventions as C
from .model import Shape
from .symbolic import ACTS, IDENTITY, Act, IntPair, T, pair, shape_error

__all__ = ["ACTS", "IDENTITY", "Act", "T", "shape_error", "window", "conv2d", "batchnorm", "activation",
           "conv_bn_act", "maxpool", "pad", "upsample", "concat", "add", "space_to_depth", "depth_to_space"]


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
    if type(k) is type(s) is type(p) is type(d) is int:  # the common case: square, no pairs to expand
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = (k, k), (s, s), (p, p), (d, d)  # type: ignore[assignment]
    else:
        (kh, kw), (sh, sw), (ph, pw), (dh, dw) = pair(k), pair(s), pair(p), pair(d)
    h = _out_len(x.shape.h, kh, sh, ph, dh, what)
    w = _out_len(x.shape.w, kw, sw, pw, dw, what)
    return T(Shape(c2, h, w), x.fh.window(kh, sh, ph, dh), x.fw.window(kw, sw, pw, dw), x.glob, x.trace)


def conv2d(x: T, c1: int, c2: int, k: IntPair = 1, s: IntPair = 1, p: IntPair = 0,
           g: int = 1, d: IntPair = 1, bias: bool = False) -> T:
    """nn.Conv2d."""
    if isinstance(c2, bool) or not isinstance(c2, int) or c2 < 1:
        raise shape_error(f"convolution output channels must be a positive integer, got {c2!r}")
    if x.c != c1:
        raise shape_error(f"convolution expects {c1} input channels, gets {x.c}")
    if isinstance(g, bool) or not isinstance(g, int) or g < 1 or c1 % g or c2 % g:
        raise shape_error(f"groups={g} must divide in ({c1}) and out ({c2}) channels")
    k2, s2, d2 = pair(k), pair(s), pair(d)
    y = window(x, c2, k, s, p, d, "convolution")
    x.trace.record(C.conv(x.numel, y.numel, c2, c1 // g, k2[0] * k2[1], bias), "conv2d",
                   conv_detail(c1, c2, k2, s2, g, d2))
    return y


def conv_detail(c1: int, c2: int, k: tuple[int, int], s: tuple[int, int], g: int, d: tuple[int, int]) -> str:
    """'3x3/2 64->128 g4 d2': kernel, stride, channels, groups and dilation where not 1."""
    text = f"{k[0]}x{k[1]}" + (f"/{s[0]}" if s == (s[0], s[0]) and s[0] > 1 else f"/{s[0]}x{s[1]}" if s != (1, 1) else "")
    text += f" {c1}->{c2}" + (" dw" if g == c1 == c2 and g > 1 else f" g{g}" if g > 1 else "")
    return text + (f" d{d[0]}" if d != (1, 1) else "")


def batchnorm(x: T, folded: bool = False) -> T:
    """BatchNorm2d; folded: a Conv's batch norm, which model.fuse() folds into the conv."""
    x.trace.record(C.batchnorm(x.numel, x.c, folded))
    return x


def group_norm(x: T, groups: int, affine: bool = True) -> T:
    """nn.GroupNorm(groups, C) on a C x H x W map: statistics per group of C // groups channels."""
    if groups < 1 or x.c % groups:
        raise shape_error(f"GroupNorm with {groups} groups on {x.c} channels")
    x.trace.record(C.normalization(x.numel, groups, x.c, affine))
    return x


def layer_norm(x: T, c: int) -> T:
    """nn.LayerNorm(c) at every position of a (c, H, W) map read as H*W tokens."""
    x.trace.record(C.normalization(x.numel, x.shape.h * x.shape.w, c))
    return x


def activation(x: T, act: Act, folded: bool = False) -> T:
    """Element-wise activation; folded: it runs inside the fused conv's kernel."""
    if act.name != "Identity":
        x.trace.record(C.activation(act.name, x.numel, folded), "activation", act.name)
    return x


def conv_bn_act(x: T, c1: int, c2: int, k: IntPair = 1, s: IntPair = 1, p: IntPair = 0,
                g: int = 1, d: IntPair = 1, act: Act = IDENTITY) -> T:
    """YOLOv5 Conv: Conv2d without bias, BatchNorm2d, activation; one kernel when fused."""
    y = conv2d(x, c1, c2, k, s, p, g, d)
    return activation(batchnorm(y, folded=True), act, folded=True)


def maxpool(x: T, k: IntPair, s: IntPair, p: IntPair = 0, d: IntPair = 1) -> T:
    """MaxPool2d."""
    y = window(x, x.c, k, s, p, d, "max-pool")
    x.trace.record(C.maxpool(x.numel, y.numel, prod(pair(k))), "maxpool", "x".join(map(str, pair(k))))
    return y


def pad(x: T, left: int, right: int, top: int, bottom: int) -> T:
    """Zero padding: a copy into a larger map; position i reads input i - top (or - left)."""
    if min(left, right, top, bottom) < 0:
        raise shape_error("negative padding (cropping) is not supported")
    s = x.shape
    y = T(Shape(s.c, s.h + top + bottom, s.w + left + right), x.fh.window(1, 1, top),
          x.fw.window(1, 1, left), x.glob, x.trace)
    x.trace.record(C.copy(x.numel, y.numel))
    return y


def upsample(x: T, scale: int, mode: str = "nearest") -> T:
    """Nearest upsampling by an integer factor: the jump divides by the factor."""
    if mode != "nearest":
        raise shape_error(f"upsample mode {mode!r} is not supported (nearest and bilinear are)")
    if isinstance(scale, bool) or not isinstance(scale, int) or scale < 1:
        raise shape_error(f"upsample needs an integer scale factor >= 1, got {scale!r}")
    s = x.shape
    y = T(Shape(s.c, s.h * scale, s.w * scale), x.fh.upsample(scale), x.fw.upsample(scale), x.glob, x.trace)
    x.trace.record(C.upsample(x.numel, y.numel, "nearest"))
    return y


def join(xs: Sequence[T], c: int, what: str) -> T:
    """A map on the common grid of several inputs: the union of their receptive fields."""
    first = xs[0]
    fh, fw, glob = first.fh, first.fw, first.glob
    for other in xs[1:]:
        if (other.shape.h, other.shape.w) != (first.shape.h, first.shape.w):
            raise shape_error(f"{what} inputs differ in size: {first.shape.h}x{first.shape.w} "
                              f"and {other.shape.h}x{other.shape.w}")
        fh, fw, glob = fh.join(other.fh), fw.join(other.fw), glob or other.glob
    return T(Shape(c, first.shape.h, first.shape.w), fh, fw, glob, first.trace)


def concat(xs: Sequence[T]) -> T:
    """Channel concatenation (torch.cat): a copy."""
    y = join(xs, sum(x.c for x in xs), "Concat")
    y.trace.record(C.copy(sum(x.numel for x in xs), y.numel))
    return y


def add(a: T, b: T) -> T:
    """Element-wise sum (residual)."""
    if a.c != b.c:
        raise shape_error(f"residual add of {a.c} and {b.c} channels")
    y = join([a, b], a.c, "Add")
    a.trace.record(C.elementwise(y.numel, a.numel + b.numel))
    return y


def space_to_depth(x: T, g: int = 2) -> T:
    """Focus/Contract: g x g pixel phases stacked on channels, like a g x g stride-g window."""
    if x.shape.h % g or x.shape.w % g:
        raise shape_error(f"space-to-depth by {g} needs a size divisible by {g}, "
                          f"got {x.shape.h}x{x.shape.w}")
    y = window(x, x.c * g * g, g, g, 0, 1, "space-to-depth")
    x.trace.record(C.copy(x.numel, y.numel))
    return y


def depth_to_space(x: T, g: int = 2) -> T:
    """Expand: channels unstacked into a g-times larger map, like a nearest upsample by g."""
    if x.c % (g * g):
        raise shape_error(f"depth-to-space by {g} needs channels divisible by {g * g}, got {x.c}")
    s = x.shape
    y = T(Shape(s.c // (g * g), s.h * g, s.w * g), x.fh.upsample(g), x.fw.upsample(g), x.glob, x.trace)
    x.trace.record(C.copy(x.numel, y.numel))
    return y


def retype(x: T, shape: Shape) -> T:
    """A view with another shape (split part, flattened tokens): moves nothing."""
    return replace(x, shape=shape)
