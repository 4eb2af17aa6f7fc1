"""YOLO11's C3k2 and C2PSA as pleb631/yolov5-advanced publishes them for YOLOv5.

C3k2: a C2f skeleton whose inner blocks are either YOLOv5 Bottlenecks (1x1 then 3x3, hidden c/2)
or C3k blocks (a C3 of two 3x3-3x3 bottlenecks); parse_model treats it like C3 (c2 width-scaled,
the repeat count inserted as args[2]). C2PSA: cv1 to two halves, PSA blocks (multi-head
attention over all positions plus a depth-wise 3x3 positional term, then a 1x1 feed-forward
pair) on the second, concatenated, cv2; parse_model treats it like Conv (the row's number
repeats whole blocks)."""
from __future__ import annotations

from typing import Callable

from dataclasses import replace

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .conv import conv
from .csp import bottleneck, c3_body, repeat
from .cspx import c2f_body, k3_bottleneck

YOLO11 = "Khanam and Hussain, YOLOv11: An Overview of the Key Architectural Enhancements, arXiv 2024"
C3K2_SRC = Provenance("pleb631/yolov5-advanced@d546f6329134", "models/extra_module/models/yolov11.py", YOLO11)


def c3k(c: int, shortcut: bool, g: int, n: int = 2, e: float = 0.5) -> Callable[[T], T]:
    """C3k(c, c, n, shortcut, g): a C3 (hidden int(c * e)) whose n bottlenecks are two 3x3 Convs
    each (e=1.0), residual when shortcut."""
    h = int(c * e)
    return lambda y: c3_body(y, c, c, e, repeat(k3_bottleneck(h, shortcut, g), n))


@register("C3k2", channels="csp", torch="yanalyze.verify.cspx_blocks_c3k2:C3k2", source=C3K2_SRC)
def c3k2(x: T, c1: int, c2: int, n: int = 1, c3k_blocks: bool = False, e: float = 0.5, g: int = 1,
         shortcut: bool = True) -> T:
    """C2f body (cv1 to 2c, halves, n blocks chained, concat, cv2) with c = int(c2 * e); blocks
    are C3k (c3k_blocks) or Bottleneck(c, c, shortcut, g) with e = 0.5."""
    c = int(c2 * e)
    block = c3k(c, shortcut, g) if c3k_blocks else (lambda y: bottleneck(y, c, c, shortcut, g, 0.5))
    return c2f_body(x, c1, c2, n, e, block)


def scores(x: T, heads: int, rows: int, cols: int) -> T:
    """A (heads, rows, cols) matrix of attention terms, held as a map; it mixes every position."""
    return replace(x, shape=Shape(heads, rows, cols), glob=True)


def psa_attention(x: T, dim: int, num_heads: int, attn_ratio: float = 0.5) -> T:
    """qkv 1x1 Conv (no act) to dim + 2 heads kd; per head softmax(q^T k * kd^-0.5) weighs v
    (two batched products thop counts, the scaling, the softmax); plus a depth-wise 3x3 Conv
    (no act) of v, whose head-major reshape copies unless there is one head; proj 1x1 Conv."""
    if num_heads < 1 or dim % num_heads:
        raise shape_error(f"attention over {dim} channels needs a head count dividing it, got {num_heads}")
    hd = dim // num_heads
    kd = int(hd * attn_ratio)
    n = x.shape.h * x.shape.w
    qkv = conv(x, dim, dim + 2 * kd * num_heads, 1, act=False)
    q_or_k = num_heads * kd * n
    attn = scores(qkv, num_heads, n, n)
    x.trace.record(C.matmul(attn.numel, kd, q_or_k, q_or_k))
    attn = S.scalar_op(attn)
    x.trace.record(C.softmax(attn.numel))
    v = replace(qkv, shape=Shape(dim, x.shape.h, x.shape.w))
    y = replace(v, glob=True)
    x.trace.record(C.matmul(y.numel, n, v.numel, attn.numel))
    if num_heads > 1:
        v = S.contiguous(v)
    y = P.add(y, conv(v, dim, dim, 3, 1, None, dim, act=False))
    return conv(y, dim, dim, 1, act=False)


def psa_block(c: int, num_heads: int, shortcut: bool = True):
    """PSABlock: attention then Conv(c, 2c) + Conv(2c, c, no act), each with a residual add."""
    def block(y: T) -> T:
        a = psa_attention(y, c, num_heads)
        y = P.add(y, a) if shortcut else a
        f = conv(conv(y, c, 2 * c, 1), 2 * c, c, 1, act=False)
        return P.add(y, f) if shortcut else f
    return block


@register("C2PSA", channels="conv", torch="yanalyze.verify.cspx_blocks_c3k2:C2PSA", source=C3K2_SRC)
def c2psa(x: T, c1: int, c2: int, n: int = 1, e: float = 0.5) -> T:
    """cv1 to 2c (c = int(c1 * e)), split; n PSA blocks (c // 64 heads) on the second half;
    concatenated, cv2 back to c1 (c2 must equal c1)."""
    if c1 != c2:
        raise shape_error(f"C2PSA keeps its channels: c1 {c1} != c2 {c2}")
    c = int(c1 * e)
    a, b = S.split(conv(x, c1, 2 * c, 1, 1), [c, c])
    for _ in range(int(n)):
        b = psa_block(c, c // 64)(b)
    return conv(P.concat([a, b]), 2 * c, c1, 1)
