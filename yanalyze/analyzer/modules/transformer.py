"""YOLOv5's transformer: TransformerLayer, TransformerBlock and C3TR, kernel by kernel.

A feature map (C, H, W) is read as L = H*W tokens of C features, so a Linear is a 1x1
convolution in shape terms and attention mixes every position (global context).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..registry import register
from ..symbolic import T, shape_error
from .conv import conv
from .csp import c3_body
from .sources import COMMON, TRANSFORMER


def multihead_attention(q: T, k: T, v: T, e: int, heads: int) -> T:
    """nn.MultiheadAttention(e, heads) on L tokens, as torch runs it when the weights are asked
    for (YOLOv5 does): q/k/v in-projections with bias, q scaled, per head scores (L x L) and
    softmax, the weighted sum, a layout copy, the out-projection, and the attention weights
    averaged over heads. thop counts the whole module by its own rule."""
    if e % heads:
        raise shape_error(f"attention width {e} is not divisible by {heads} heads")
    y = replace(P.join([q, k, v], e, "attention"), glob=True)
    L, n = S.tokens(y), y.numel
    parts = [C.linear(n, n, e, e, True) for _ in range(3)] + [
        C.elementwise(n, n),                                        # q * e**-0.5
        C.matmul(heads * L * L, e // heads, n, n, thop=False),       # scores q k^T per head
        C.softmax(heads * L * L),
        C.matmul(n, L, heads * L * L, n, thop=False),                # weights @ v
        C.copy(n, n),                                               # heads back to (L, E)
        C.linear(n, n, e, e, True),                                 # out-projection
        C.reduction(heads * L * L, L * L)]                          # weights averaged over heads
    total = sum(parts[1:], parts[0])
    q.trace.record(replace(total, thop=C.mha_thop(L, e, heads), thop_fused=C.mha_thop(L, e, heads)))
    return y


def transformer_layer(x: T, c: int, heads: int) -> T:
    """q, k, v Linear (no bias), attention + residual, fc2(fc1(x)) + residual."""
    a = multihead_attention(S.linear(x, c, c, False), S.linear(x, c, c, False), S.linear(x, c, c, False),
                            c, heads)
    x = P.add(a, x)
    return P.add(S.linear(S.linear(x, c, c, False), c, c, False), x)


def transformer_block(x: T, c1: int, c2: int, heads: int, layers: int,
                      layer: Callable[[T, int, int], T] = transformer_layer) -> T:
    """Optional 1x1 Conv; the learned position embedding, a Linear on the permuted tokens (torch
    runs its product and its bias add as two kernels there), added; then the layers (YOLOv5's,
    or a fork's own layer inside the same block)."""
    if c1 != c2:
        x = conv(x, c1, c2)
    emb = S.linear(x, c2, c2, False)
    x.trace.record(C.bias_add(emb.numel, c2))
    x = P.add(x, emb)
    for _ in range(layers):
        x = layer(x, c2, heads)
    return x


@register("C3TR", channels="csp", torch=f"{TRANSFORMER}:C3TR", source=COMMON)
def c3tr(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner block is TransformerBlock(h, h, 4 heads, n layers): global receptive field."""
    return c3_body(x, c1, c2, e, lambda y, h: transformer_block(y, h, h, 4, n))
