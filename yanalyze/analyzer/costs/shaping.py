"""More primitives: channel split, average and adaptive pooling, bilinear upsampling,
transposed convolution and broadcast products (for the torch layers and custom blocks)."""
from __future__ import annotations

from dataclasses import replace
from math import prod
from typing import Sequence

from ..model import Cost, Shape
from .primitives import IntPair, T, _join, pair, shape_error, window


def split(x: T, sizes: Sequence[int]) -> list[T]:
    """torch.split on channels: views, no copy and no arithmetic."""
    if sum(sizes) != x.c or any(s < 0 for s in sizes):
        raise shape_error(f"cannot split {x.c} channels into {list(sizes)}")
    return [replace(x, shape=Shape(s, x.shape.h, x.shape.w)) for s in sizes]


def _windows(size: int, out: int, k: int, s: int, p: int, include_pad: bool) -> int:
    """Summed window lengths of an average pool along one axis (thop's count_avgpool)."""
    lower, upper = (-p, size + p) if include_pad else (0, size)
    return sum(max(min(i * s - p + k, upper) - max(i * s - p, lower), 0) for i in range(out))


def avgpool(x: T, k: IntPair, s: IntPair, p: IntPair = 0, count_include_pad: bool = True) -> T:
    """AvgPool2d: one add per input in each window and one divide per output (thop's rule)."""
    y = window(x, x.c, k, s, p, 1, "average pool")
    (kh, kw), (sh, sw), (ph, pw) = pair(k), pair(s), pair(p)
    ops = x.c * _windows(x.shape.h, y.shape.h, kh, sh, ph, count_include_pad) \
        * _windows(x.shape.w, y.shape.w, kw, sw, pw, count_include_pad) + y.numel
    n = x.numel + y.numel
    x.trace.record(Cost(thop=ops, thop_fused=ops, flops=prod(pair(k)) * y.numel, act=n, act_fused=n))
    return y


def adaptive_avgpool(x: T, out: IntPair = 1, counted: bool = True) -> T:
    """AdaptiveAvgPool2d (or a mean over H, W when counted=False, which thop does not see).

    Output 1x1 sees the whole map (global context); an output that divides the input is a
    plain average pool; any other size depends on the image size, so it is marked global.
    """
    oh, ow = pair(out)
    h, w = x.shape.h, x.shape.w
    if oh < 1 or ow < 1 or oh > h or ow > w:
        raise shape_error(f"adaptive pool to {oh}x{ow} from {h}x{w}")
    spans = lambda i, o: o if i == o else sum(-(-(j + 1) * i // o) - j * i // o for j in range(o))
    y_shape = Shape(x.c, oh, ow)
    ops = x.c * spans(h, oh) * spans(w, ow) + y_shape.numel
    if h % oh == 0 and w % ow == 0 and (oh, ow) != (1, 1):
        y = window(x, x.c, (h // oh, w // ow), (h // oh, w // ow), 0, 1, "adaptive pool")
    else:
        y = T(y_shape, x.fh, x.fw, True, x.trace)
    n = x.numel + y.numel
    x.trace.record(Cost(thop=ops if counted else 0, thop_fused=ops if counted else 0, flops=x.numel,
                        act=n, act_fused=n))
    return y


def upsample_bilinear(x: T, scale: int) -> T:
    """Bilinear upsampling (align_corners=False): thop counts 11 per output element."""
    s = x.shape
    y = T(Shape(s.c, s.h * scale, s.w * scale), x.fh.upsample_linear(scale), x.fw.upsample_linear(scale),
          x.glob, x.trace)
    n = x.numel + y.numel
    x.trace.record(Cost(thop=11 * y.numel, thop_fused=11 * y.numel, flops=7 * y.numel, act=n, act_fused=n))
    return y


def conv_transpose2d(x: T, c1: int, c2: int, k: IntPair, s: IntPair = 1, p: IntPair = 0, op: IntPair = 0,
                     g: int = 1, bias: bool = True, d: IntPair = 1) -> T:
    """ConvTranspose2d: thop counts input elements x c2/g x kh*kw; each input scatters a kernel."""
    if x.c != c1:
        raise shape_error(f"transposed convolution expects {c1} input channels, gets {x.c}")
    if g < 1 or c1 % g or c2 % g:
        raise shape_error(f"groups={g} must divide in ({c1}) and out ({c2}) channels")
    (kh, kw), (sh, sw), (ph, pw), (oph, opw), (dh, dw) = pair(k), pair(s), pair(p), pair(op), pair(d)
    if kh < sh or kw < sw:
        raise shape_error(f"transposed convolution with kernel {kh}x{kw} below stride {sh}x{sw} leaves gaps")
    h = (x.shape.h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    w = (x.shape.w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    if h < 1 or w < 1:
        raise shape_error("transposed convolution output would be empty")
    y = T(Shape(c2, h, w), x.fh.transposed(kh, sh, ph, dh), x.fw.transposed(kw, sw, pw, dw), x.glob, x.trace)
    macs = x.numel * (c2 // g) * kh * kw
    params = c1 * (c2 // g) * kh * kw + (c2 if bias else 0)
    act = x.numel + y.numel
    x.trace.record(Cost(params, params, macs, macs, macs, 2 * macs + (y.numel if bias else 0),
                        act, params, act, params))
    return y


def _dim(a: int, b: int, what: str) -> int:
    if a != b and 1 not in (a, b):
        raise shape_error(f"cannot broadcast {what} {a} against {b}")
    return max(a, b)


def broadcast(a: T, b: T, flops_per_element: int = 1) -> T:
    """Element-wise product (or sum) with torch broadcasting over C, H, W: (C, 1, 1) gates per
    channel, (1, H, W) gates per position. Positions join their receptive fields."""
    c = _dim(a.c, b.c, "channels")
    h, w = _dim(a.shape.h, b.shape.h, "height"), _dim(a.shape.w, b.shape.w, "width")
    full = [t for t in (a, b) if (t.shape.h, t.shape.w) == (h, w)]
    y = _join(full, c, "Multiply") if len(full) == 2 else replace(full[0], shape=Shape(c, h, w))
    y = replace(y, glob=a.glob or b.glob, trace=a.trace)
    n = a.numel + b.numel + y.numel
    a.trace.record(Cost(flops=flops_per_element * y.numel, act=n, act_fused=n))
    return y


def scalar_op(x: T, flops_per_element: int = 1) -> T:
    """x + 3, x / 6 and the like: element-wise arithmetic with a constant; thop counts 0."""
    x.trace.record(Cost(flops=flops_per_element * x.numel, act=2 * x.numel, act_fused=2 * x.numel))
    return x
