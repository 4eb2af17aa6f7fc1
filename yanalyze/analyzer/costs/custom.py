"""Blocks of the published YOLOv5 modifications: C3_Faster (FasterNet), the MobileNetV3 blocks
(conv_bn_hswish, MobileNet_Block, SELayer, h_swish, h_sigmoid) and FocalModulation."""
from __future__ import annotations

from . import primitives as P
from . import shaping as S
from .conv import conv
from .csp import c3_body, repeat
from .primitives import ACTS, T
from .registry import register
from .transformer import linear


@register("h_sigmoid")
def h_sigmoid(x: T, inplace: bool = True) -> T:
    """ReLU6(x + 3) / 6: three element-wise kernels, 4 FLOPs per element."""
    return S.scalar_op(P.activation(S.scalar_op(x), ACTS["ReLU6"]))


@register("h_swish")
def h_swish(x: T, inplace: bool = True) -> T:
    """x * h_sigmoid(x)."""
    return S.broadcast(x, h_sigmoid(x))


@register("SELayer", channels="keep")
def se_layer(x: T, channel: int, reduction: int = 4) -> T:
    """Squeeze-excite: global average pool, Linear(c, c//r) + ReLU, Linear(c//r, c) + h_sigmoid,
    channel-wise product. The gate sees the whole image (global context)."""
    if x.c != channel:
        raise P.shape_error(f"SELayer({channel}) on {x.c} channels")
    y = S.adaptive_avgpool(x, 1)
    y = P.activation(linear(y, channel, channel // reduction), ACTS["ReLU"])
    y = h_sigmoid(linear(y, channel // reduction, channel))
    return S.broadcast(x, y)


@register("conv_bn_hswish", channels="conv")
def conv_bn_hswish(x: T, c1: int, c2: int, stride: int) -> T:
    """MobileNetV3 stem: Conv2d 3x3 (no bias), BatchNorm2d, h_swish (not folded by model.fuse())."""
    return h_swish(P.batchnorm(P.conv2d(x, c1, c2, 3, stride, 1)))


def _act(x: T, use_hs: bool) -> T:
    return h_swish(x) if use_hs else P.activation(x, ACTS["ReLU"])


@register("MobileNet_Block", channels="conv")
def mobilenet_block(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int,
                    use_se: bool, use_hs: bool) -> T:
    """MobileNetV3 inverted residual: (1x1 expand,) depth-wise kxk, optional SE, 1x1 project;
    residual when stride 1 and inp == oup."""
    pad = (kernel_size - 1) // 2
    y = x
    if inp != hidden_dim:
        y = _act(P.batchnorm(P.conv2d(y, inp, hidden_dim, 1)), use_hs)
    y = P.batchnorm(P.conv2d(y, hidden_dim, hidden_dim, kernel_size, stride, pad, hidden_dim))
    if inp == hidden_dim:
        y = _act(y, use_hs)
    if use_se:
        y = se_layer(y, hidden_dim)
    if inp != hidden_dim:
        y = _act(y, use_hs)
    y = P.batchnorm(P.conv2d(y, hidden_dim, oup, 1))
    return P.add(x, y) if stride == 1 and inp == oup else y


@register("Faster_Block", channels="conv")
def faster_block(x: T, inc: int, dim: int, n_div: int = 4, mlp_ratio: int = 2, *_: object) -> T:
    """FasterNet block: (1x1 Conv to dim,) partial 3x3 conv on dim//n_div channels, the rest
    untouched, then Conv(dim, dim*r) and a plain 1x1 Conv2d back; residual add."""
    if inc != dim:
        x = conv(x, inc, dim, 1)
    part = dim // n_div
    mixed, rest = S.split(x, [part, dim - part])
    y = P.concat([P.conv2d(mixed, part, part, 3, 1, 1), rest])
    hidden = int(dim * mlp_ratio)
    y = P.conv2d(conv(y, dim, hidden, 1), hidden, dim, 1)
    return P.add(x, y)


@register("C3_Faster", channels="csp")
def c3_faster(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = False, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner blocks are n Faster_Block(h, h)."""
    h = int(c2 * e)
    return c3_body(x, c1, c2, e, repeat(lambda y: faster_block(y, h, h), n))


@register("FocalModulation", channels="keep")
def focal_modulation(x: T, dim: int, focal_window: int = 3, focal_level: int = 2, focal_factor: int = 2,
                     bias: bool = True, proj_drop: float = 0.0, use_postln_in_modulation: bool = False,
                     normalize_modulator: bool = False) -> T:
    """FocalNet modulation in place of SPPF: 1x1 f to q, ctx and L+1 gates; L depth-wise convs
    (kernel focal_factor*l + focal_window) with GELU, gated and summed, plus a global term;
    1x1 h on the sum times q; 1x1 projection. Channels in = out = dim; global context."""
    if use_postln_in_modulation:
        raise P.shape_error("FocalModulation with use_postln_in_modulation (LayerNorm) is not supported")
    L = focal_level
    q, ctx, gates = S.split(P.conv2d(x, dim, 2 * dim + L + 1, 1, bias=bool(bias)), [dim, dim, L + 1])
    gate = S.split(gates, [1] * (L + 1))
    total = None
    for level in range(L):
        k = focal_factor * level + focal_window
        ctx = P.activation(P.conv2d(ctx, dim, dim, k, 1, k // 2, dim), ACTS["GELU"])
        term = S.broadcast(ctx, gate[level])
        total = S.scalar_op(term) if total is None else P.add(total, term)
    glob = P.activation(S.adaptive_avgpool(ctx, 1, counted=False), ACTS["GELU"])
    term = S.broadcast(gate[L], glob)
    total = P.add(total, term) if total is not None else term
    if normalize_modulator:
        total = S.scalar_op(total)
    modulator = P.conv2d(total, dim, dim, 1, bias=bool(bias))
    return P.conv2d(S.broadcast(q, modulator), dim, dim, 1, bias=True)
