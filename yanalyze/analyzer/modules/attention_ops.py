"""Operations the attention blocks run that the shared primitives do not cover: max reductions
(adaptive max pool, torch.max over channels), means over channels, pools a block
builds inside its forward (thop never sees them), the concatenation of strip pools along H,
and ECA's 1-D convolution across channels.

Each one prices its kernel with analyzer.conventions (a max reduction is priced as a max pool
is); the torch tracer prices the same aten ops with the same functions (verify.trace).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import conventions as C
from .. import shaping as S
from ..cost import Cost
from ..model import Shape
from ..primitives import conv2d
from ..symbolic import T, Trace, shape_error


def max_reduction_cost(n_in: int, n_out: int, window: int) -> Cost:
    """A max over `window` elements per output (torch.max over a dim, adaptive max pool): as a
    max pool, window - 1 comparisons per output, thop 0; reads the input, writes the values
    (the indices torch also returns are not counted, as for max-pool indices)."""
    return C.maxpool(n_in, n_out, window)


def global_maxpool(x: T) -> T:
    """AdaptiveMaxPool2d(1): the largest value of each channel, global context."""
    y = T(Shape(x.c, 1, 1), x.fh, x.fw, True, x.trace)
    x.trace.record(max_reduction_cost(x.numel, y.numel, x.shape.h * x.shape.w))
    return y


def channel_max(x: T) -> T:
    """torch.max(x, dim=1, keepdim=True): the largest value over channels at each position."""
    y = replace(x, shape=Shape(1, x.shape.h, x.shape.w))
    x.trace.record(max_reduction_cost(x.numel, y.numel, x.c))
    return y


def channel_mean(x: T) -> T:
    """torch.mean(x, dim=1, keepdim=True): a reduction over channels, 1 FLOP per input."""
    y = replace(x, shape=Shape(1, x.shape.h, x.shape.w))
    x.trace.record(C.reduction(x.numel, y.numel))
    return y


def spatial_mean(x: T) -> T:
    """x.mean(dim=[2, 3], keepdim=True) as one reduction kernel: global context."""
    y = T(Shape(x.c, 1, 1), x.fh, x.fw, True, x.trace)
    x.trace.record(C.reduction(x.numel, y.numel))
    return y


def unseen_by_thop(x: T, build: Callable[[T], T]) -> T:
    """Run a primitive whose module a block creates inside forward: thop hooks the modules
    present when profiling starts, so it counts nothing for it; every other count stands."""
    scratch = Trace(x.trace.default_act, x.trace.exact)
    y = build(replace(x, trace=scratch))
    x.trace.record(replace(scratch.cost, thop=0, thop_fused=0))
    return replace(y, trace=x.trace)


def shared(x: T, build: Callable[[T], T]) -> T:
    """A module called a second time (CBAM's shared MLP): its weights are read again, its
    parameters are the first call's."""
    scratch = Trace(x.trace.default_act, x.trace.exact)
    y = build(replace(x, trace=scratch))
    x.trace.record(replace(scratch.cost, params=0, params_fused=0))
    return replace(y, trace=x.trace)


def strip_pools(x: T, counted: bool = True) -> tuple[T, T]:
    """Coordinate attention's pools: the mean of each row (C, H, 1) and of each column (C, 1, W).
    Each output sees a whole row or column of the image: marked global context."""
    def pools(t: T) -> tuple[T, T]:
        return S.adaptive_avgpool(t, (t.shape.h, 1)), S.adaptive_avgpool(t, (1, t.shape.w))
    if counted:
        a, b = pools(x)
    else:
        a = unseen_by_thop(x, lambda t: S.adaptive_avgpool(t, (t.shape.h, 1)))
        b = unseen_by_thop(x, lambda t: S.adaptive_avgpool(t, (1, t.shape.w)))
    return replace(a, glob=True), replace(b, glob=True)


def cat_rows(parts: list[T]) -> T:
    """torch.cat of (C, n_i, 1) strips along dim 2 (rows): a copy into (C, sum n_i, 1)."""
    c = parts[0].c
    if any(p.c != c or p.shape.w != 1 for p in parts):
        raise shape_error("strips to concatenate must share channels and have width 1")
    y = T(Shape(c, sum(p.shape.h for p in parts), 1), parts[0].fh, parts[0].fw, True, parts[0].trace)
    y.trace.record(C.copy(sum(p.numel for p in parts), y.numel))
    return y


def rows(x: T, sizes: list[int]) -> list[T]:
    """torch.split along dim 2 of a (C, n, 1) strip: views."""
    if sum(sizes) != x.shape.h:
        raise shape_error(f"cannot split {x.shape.h} rows into {sizes}")
    return [replace(x, shape=Shape(x.c, n, 1)) for n in sizes]


def transposed(x: T) -> T:
    """A (C, n, 1) strip read as (C, 1, n) after permute(0, 1, 3, 2): a view."""
    return replace(x, shape=Shape(x.c, x.shape.w, x.shape.h))


def conv1d_across_channels(x: T, k: int, bias: bool = False) -> T:
    """ECA: the (C, 1, 1) pooled vector read as a length-C sequence of one channel and
    convolved by Conv1d(1, 1, k, padding (k - 1) // 2); the result read back as (C, 1, 1)."""
    seq = replace(x, shape=Shape(1, 1, x.c))
    y = conv2d(seq, 1, 1, (1, k), 1, (0, (k - 1) // 2), bias=bias)
    if y.shape.w != x.c:
        raise shape_error(f"ECA kernel {k} does not keep the {x.c} channels (an even kernel)")
    return replace(x, shape=Shape(x.c, 1, 1))



def softmax_row(x: T) -> T:
    """nn.Softmax(-1) over a pooled (C, 1, 1) vector read as one row of C: 3 FLOPs per element;
    thop's module rule counts 3C - 1."""
    x.trace.record(C.softmax(x.numel, C.softmax_thop(1, x.numel)))
    return x


def matmul_row(row: T, m: T) -> T:
    """torch.matmul of a (1, C) row by a map read as (C, H*W): one (1, H, W) map, C MACs per
    position (thop counts bare matrix products); it weighs every position: global context."""
    if row.numel != m.c:
        raise shape_error(f"a row of {row.numel} cannot weigh {m.c} channels")
    y = T(Shape(1, m.shape.h, m.shape.w), m.fh, m.fw, True, m.trace)
    m.trace.record(C.matmul(y.numel, m.c, row.numel, m.numel))
    return y


def param_affine(x: T, c: int) -> T:
    """x * weight + bias with (1, c, 1, 1) parameters of the block itself: two element-wise
    kernels, each also reading its c-element parameter."""
    for _ in range(2):
        x.trace.record(C.elementwise(x.numel, x.numel) + C.op(params=c, weights=c))
    return x


def softmax_over(x: T, rows: int, features: int) -> T:
    """nn.Softmax over one axis of `features` elements, `rows` times: 3 FLOPs per element;
    thop's module rule counts rows x (3 features - 1)."""
    x.trace.record(C.softmax(x.numel, C.softmax_thop(rows, features)))
    return x


def sum_stacked(x: T, k: int) -> T:
    """.sum(0) over k stacked maps (k*C, H, W) -> (C, H, W): one reduction kernel."""
    y = replace(x, shape=Shape(x.c // k, x.shape.h, x.shape.w))
    x.trace.record(C.reduction(x.numel, y.numel))
    return y


def abs_of_parameter(p: T) -> T:
    """.abs() of a parameter tensor (NAM's BatchNorm weight): an element-wise kernel that reads
    weights and writes an activation."""
    p.trace.record(C.elementwise(p.numel, 0) + C.op(weights=p.numel))
    return p
