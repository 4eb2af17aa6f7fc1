"""Token operations and the YOLOv5 transformer: Linear, MultiheadAttention, C3TR.

A feature map (C, H, W) is read as H*W tokens of C features, so a Linear is a 1x1
convolution in shape terms and attention mixes every position (global context).
"""
from __future__ import annotations

from dataclasses import replace

from . import primitives as P
from ..model import Cost, Shape
from .conv import conv
from .csp import c3_body
from .primitives import T
from .registry import register


def linear(x: T, c1: int, c2: int, bias: bool = True) -> T:
    """nn.Linear per token: MACs = tokens * c1 * c2 (thop: in_features * output elements)."""
    if x.c != c1:
        raise P.shape_error(f"Linear expects {c1} features, gets {x.c}")
    y = replace(x, shape=Shape(c2, x.shape.h, x.shape.w))
    macs = c1 * y.numel
    params = c1 * c2 + (c2 if bias else 0)
    act = x.numel + y.numel
    x.trace.record(Cost(params, params, macs, macs, macs, 2 * macs + (y.numel if bias else 0),
                        act, params, act, params))
    return y


def multihead_attention(q: T, k: T, v: T, e: int, heads: int) -> T:
    """nn.MultiheadAttention over L = H*W tokens with in/out projections (with bias).

    thop: 4*L*E^2 projections + 2*L^2*E for scores and weighted sum + softmax 3L-1 per row.
    Complete FLOPs: projections 2 per MAC plus bias, q scaling, scores and weighted sum
    2 per MAC, softmax 3 per score.
    """
    if e % heads:
        raise P.shape_error(f"attention width {e} is not divisible by {heads} heads")
    y = P._join([q, k, v], e, "attention")
    y = replace(y, glob=True)
    L = y.shape.h * y.shape.w
    softmax = heads * L * (3 * L - 1)
    macs = 4 * L * e * e + 2 * L * L * e
    params = 4 * e * e + 4 * e
    flops = 2 * macs + 4 * L * e + L * e + softmax
    act = 12 * L * e + 4 * heads * L * L
    q.trace.record(Cost(params, params, macs + softmax, macs + softmax, macs, flops,
                        act, params, act, params))
    return y


def transformer_layer(x: T, c: int, heads: int) -> T:
    """q, k, v Linear (no bias), attention + residual, fc2(fc1(x)) + residual."""
    a = multihead_attention(linear(x, c, c, False), linear(x, c, c, False), linear(x, c, c, False),
                            c, heads)
    x = P.add(a, x)
    return P.add(linear(linear(x, c, c, False), c, c, False), x)


def transformer_block(x: T, c1: int, c2: int, heads: int, layers: int) -> T:
    """Optional 1x1 Conv, learned position embedding (Linear with bias) added, then the layers."""
    if c1 != c2:
        x = conv(x, c1, c2)
    x = P.add(x, linear(x, c2, c2, True))
    for _ in range(layers):
        x = transformer_layer(x, c2, heads)
    return x


@register("C3TR", channels="csp")
def c3tr(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner block is TransformerBlock(h, h, 4 heads, n layers): global receptive field."""
    return c3_body(x, c1, c2, e, lambda y, h: transformer_block(y, h, h, 4, n))
