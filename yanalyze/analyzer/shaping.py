"""More primitives: channel split, average and adaptive pooling, means, bilinear upsampling,
transposed convolution, broadcast products, token-wise linear layers and attention."""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from . import conventions as C
from .model import Shape
from .primitives import join, window
from .symbolic import IntPair, T, pair, shape_error


def split(x: T, sizes: Sequence[int]) -> list[T]:
    """torch.split on channels: views, no copy and no arithmetic."""
    if sum(sizes) != x.c or any(s < 0 for s in sizes):
        raise shape_error(f"cannot split {x.c} channels into {list(sizes)}")
    return [replace(x, shape=Shape(s, x.shape.h, x.shape.w)) for s in sizes]


def avgpool(x: T, k: IntPair, s: IntPair, p: IntPair = 0, count_include_pad: bool = True) -> T:
    """AvgPool2d."""
    y = window(x, x.c, k, s, p, 1, "average pool")
    (kh, kw), (sh, sw), (ph, pw) = pair(k), pair(s), pair(p)
    adds = x.c * C.window_sum(x.shape.h, y.shape.h, kh, sh, ph, count_include_pad) \
        * C.window_sum(x.shape.w, y.shape.w, kw, sw, pw, count_include_pad)
    x.trace.record(C.avgpool(x.numel, y.numel, kh * kw, adds))
    return y


def adaptive_avgpool(x: T, out: IntPair = 1) -> T:
    """AdaptiveAvgPool2d. Output 1x1 sees the whole map (global context); an output that
    divides the input is a plain average pool; any other size depends on the image size, so
    it is marked global."""
    oh, ow = pair(out)
    h, w = x.shape.h, x.shape.w
    if oh < 1 or ow < 1 or oh > h or ow > w:
        raise shape_error(f"adaptive pool to {oh}x{ow} from {h}x{w}")
    if h % oh == 0 and w % ow == 0 and (oh, ow) != (1, 1):
        y = window(x, x.c, (h // oh, w // ow), (h // oh, w // ow), 0, 1, "adaptive pool")
    else:
        y = T(Shape(x.c, oh, ow), x.fh, x.fw, True, x.trace)
    x.trace.record(C.adaptive_avgpool(x.numel, y.numel, x.c * C.adaptive_span(h, oh) * C.adaptive_span(w, ow)))
    return y


def mean(x: T, axis: str) -> T:
    """x.mean(2 or 3, keepdim=True): one axis ('h' or 'w') reduced to 1; global along it."""
    s = x.shape
    shape = Shape(s.c, 1, s.w) if axis == "h" else Shape(s.c, s.h, 1)
    y = T(shape, x.fh, x.fw, True, x.trace)
    x.trace.record(C.reduction(x.numel, y.numel))
    return y


def upsample_bilinear(x: T, scale: int, module: bool = True) -> T:
    """Bilinear upsampling (align_corners=False); module: nn.Upsample (thop counts it)."""
    s = x.shape
    y = T(Shape(s.c, s.h * scale, s.w * scale), x.fh.upsample_linear(scale), x.fw.upsample_linear(scale),
          x.glob, x.trace)
    x.trace.record(C.upsample(x.numel, y.numel, "bilinear", module))
    return y


def conv_transpose2d(x: T, c1: int, c2: int, k: IntPair, s: IntPair = 1, p: IntPair = 0, op: IntPair = 0,
                     g: int = 1, bias: bool = True, d: IntPair = 1) -> T:
    """ConvTranspose2d: each input element scatters a kernel."""
    if x.c != c1:
        raise shape_error(f"transposed convolution expects {c1} input channels, gets {x.c}")
    if isinstance(g, bool) or not isinstance(g, int) or g < 1 or c1 % g or c2 % g:
        raise shape_error(f"groups={g} must divide in ({c1}) and out ({c2}) channels")
    (kh, kw), (sh, sw), (ph, pw), (oph, opw), (dh, dw) = pair(k), pair(s), pair(p), pair(op), pair(d)
    if kh < sh or kw < sw:
        raise shape_error(f"transposed convolution with kernel {kh}x{kw} below stride {sh}x{sw} leaves gaps")
    h = (x.shape.h - 1) * sh - 2 * ph + dh * (kh - 1) + oph + 1
    w = (x.shape.w - 1) * sw - 2 * pw + dw * (kw - 1) + opw + 1
    if h < 1 or w < 1:
        raise shape_error("transposed convolution output would be empty")
    y = T(Shape(c2, h, w), x.fh.transposed(kh, sh, ph, dh), x.fw.transposed(kw, sw, pw, dw), x.glob, x.trace)
    x.trace.record(C.conv_transposed(x.numel, y.numel, c1, c2, c2 // g, kh * kw, bias))
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
    y = join(full, c, "Multiply") if len(full) == 2 else replace(full[0], shape=Shape(c, h, w))
    y = replace(y, glob=a.glob or b.glob, trace=a.trace)
    a.trace.record(C.elementwise(y.numel, a.numel + b.numel, flops_per_element))
    return y


def scalar_op(x: T, flops_per_element: int = 1) -> T:
    """x + 3, x / 6 and the like: element-wise arithmetic with a constant."""
    x.trace.record(C.elementwise(x.numel, x.numel, flops_per_element))
    return x


def contiguous(x: T) -> T:
    """A layout copy (.contiguous() after a permute, a reshape that cannot be a view)."""
    x.trace.record(C.copy(x.numel, x.numel))
    return x


def linear(x: T, c1: int, c2: int, bias: bool = True) -> T:
    """nn.Linear per token (a C x H x W map read as H*W tokens of C features)."""
    if x.c != c1:
        raise shape_error(f"Linear expects {c1} features, gets {x.c}")
    y = replace(x, shape=Shape(c2, x.shape.h, x.shape.w))
    x.trace.record(C.linear(x.numel, y.numel, c1, c2, bias))
    return y


def tokens(x: T) -> int:
    """Positions of a map read as tokens."""
    return x.shape.h * x.shape.w
