"""Memory layouts for blocks that reshape and permute tensors of more than four dimensions
(BiFormer's region partitions): whether torch can take a reshape as a view of the strided
data or must copy it, which decides the layout copies a cost model records.

A layout is (sizes, strides) in elements. `reshape` follows torch's own test (a view exists
when every group of merged or split dimensions is contiguous within itself); a reshape that
cannot be a view is a copy into a new contiguous tensor, priced as conventions.copy.
"""
from __future__ import annotations

from math import prod
from typing import Optional, Sequence

from .. import conventions as C
from ..symbolic import T

Layout = tuple[tuple[int, ...], tuple[int, ...]]


def dense(sizes: Sequence[int]) -> Layout:
    """A contiguous tensor of these sizes."""
    strides, step = [], 1
    for s in reversed(sizes):
        strides.append(step)
        step *= max(s, 1)
    return tuple(sizes), tuple(reversed(strides))


def is_contiguous(lay: Layout) -> bool:
    """torch's is_contiguous: dimensions of size 1 may have any stride."""
    step = 1
    for s, st in zip(reversed(lay[0]), reversed(lay[1])):
        if s != 1:
            if st != step:
                return False
            step *= s
    return True


def view_strides(lay: Layout, new: Sequence[int]) -> Optional[tuple[int, ...]]:
    """The strides of a view of `lay` with sizes `new`, or None when torch must copy."""
    old, olds = lay
    if prod(old) != prod(new):
        raise ValueError(f"cannot reshape {old} to {tuple(new)}")
    if prod(old) == 0:
        return dense(new)[1]
    out = [0] * len(new)
    vd = len(new) - 1
    base, t_n, v_n = olds[-1] if olds else 1, 1, 1
    for td in range(len(old) - 1, -1, -1):
        t_n *= old[td]
        if td == 0 or (old[td - 1] != 1 and olds[td - 1] != t_n * base):
            while vd >= 0 and (v_n < t_n or new[vd] == 1):
                out[vd] = v_n * base
                v_n *= new[vd]
                vd -= 1
            if v_n != t_n:
                return None
            if td > 0:
                base, t_n, v_n = olds[td - 1], 1, 1
    return tuple(out) if vd == -1 else None


def permute(lay: Layout, order: Sequence[int]) -> Layout:
    """A permuted view."""
    return tuple(lay[0][i] for i in order), tuple(lay[1][i] for i in order)


def reshape(x: T, lay: Layout, new: Sequence[int]) -> Layout:
    """torch.reshape: a view where one exists, else a copy (recorded on x's trace)."""
    strides = view_strides(lay, new)
    if strides is not None:
        return tuple(new), strides
    n = prod(new)
    x.trace.record(C.copy(n, n))
    return dense(new)


def contiguous(x: T, lay: Layout) -> Layout:
    """.contiguous(): a copy unless already contiguous."""
    if is_contiguous(lay):
        return lay
    n = prod(lay[0])
    x.trace.record(C.copy(n, n))
    return dense(lay[0])


def like(lay: Layout) -> Layout:
    """The layout of an element-wise result of one tensor: dense, in the input's stride order
    (torch keeps a permuted input's memory order)."""
    sizes, strides = lay
    order = sorted(range(len(sizes)), key=lambda d: -strides[d])
    out, step = [0] * len(sizes), 1
    for d in reversed(order):
        out[d] = step
        step *= max(sizes[d], 1)
    return tuple(sizes), tuple(out)


def split_last(lay: Layout, start: int, size: int) -> Layout:
    """x[..., start:start + size]: a view (the offset does not matter for the strides)."""
    return (*lay[0][:-1], size), lay[1]


def bmm_operand(x: T, lay: Layout, batch: int) -> Layout:
    """torch.matmul's batched path: the operand reshaped to (batch, rows, cols)."""
    return reshape(x, lay, (batch, lay[0][-2], lay[0][-1]))
