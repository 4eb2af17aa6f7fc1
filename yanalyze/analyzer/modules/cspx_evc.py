"""CFPNet's explicit visual center (EVCBlock, models/cfp.py of the forks): a 7x7 stem, then a
learnable visual center (a ResNet bottleneck and a 64-codeword encoding whose global gate
rescales the map) beside a lightweight MLP block (GroupNorm, depth-wise and point-wise
convolutions, a 1x1 MLP, learned layer scales), concatenated and fused by a 1x1 conv.
All its batch norms are standalone modules (YOLOv5's fuse() leaves them)."""
from __future__ import annotations

from dataclasses import replace

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, T, shape_error
from .cspx_ops import idle, param_product
from .cspx_sources import CSPX_EVC, EVC_CONV, EVC_WRITTEN

CODES = 64  # Encoding's num_codes is fixed to 64 whatever is passed


def bn_act(x: T, act: str = "") -> T:
    """A standalone BatchNorm2d, then an activation."""
    y = P.batchnorm(x)
    return P.activation(y, ACTS[act]) if act else y


def bottleneck(x: T, c: int) -> T:
    """ConvBlock(c, c, res_conv=True): 1x1 to c // 4, 3x3, 1x1 back (each with BN, ReLU but the
    last), plus a 1x1 conv + BN residual, added in place, ReLU."""
    q = c // 4
    y = bn_act(P.conv2d(x, c, q, 1), "ReLU")
    y = bn_act(P.conv2d(y, q, q, 3, 1, 1), "ReLU")
    y = bn_act(P.conv2d(y, q, c, 1))
    return P.activation(P.add(y, bn_act(P.conv2d(x, c, c, 1))), ACTS["ReLU"])


def encoding(x: T, c: int) -> T:
    """Encoding(c, 64) on N = H*W tokens: tokens copied out of the map, residuals to every
    codeword (N x K x c), squared and summed, scaled (learned K), softmax over codewords; the
    residuals again, weighted and summed over tokens: K x c. Returns a 1 x K x c map."""
    n, K = x.shape.h * x.shape.w, CODES
    rec, big = x.trace.record, n * K * c
    if n > 1:
        rec(C.copy(x.numel, x.numel))                                  # transpose(1, 2).contiguous()
    rec(C.op(params=K * c, flops=big, act=n * c + big, weights=K * c))  # x - codewords
    rec(C.elementwise(big, big))                                       # ** 2
    rec(C.reduction(big, n * K))                                       # sum over channels
    rec(C.op(params=K, flops=n * K, act=2 * n * K, weights=K))         # * scale
    rec(C.softmax(n * K))                                              # F.softmax over codewords
    rec(C.op(flops=big, act=n * c + big, weights=K * c))               # x - codewords again
    rec(C.elementwise(big, big + n * K))                               # weights * residuals
    rec(C.reduction(big, K * c))                                       # sum over tokens
    return T(Shape(K, 1, c), x.fh, x.fw, True, x.trace)


def lvc(x: T, c: int) -> T:
    """LVCBlock: the bottleneck, then Conv2d 1x1 + BN + ReLU, the encoding, BatchNorm1d(64) and
    ReLU, the mean over codewords, Linear + Sigmoid: a gate per channel; x + x * gate, ReLU."""
    x = bottleneck(x, c)
    e = encoding(bn_act(P.conv2d(x, c, c, 1), "ReLU"), c)
    e = P.activation(P.batchnorm(e), ACTS["ReLU"])
    gate = replace(e, shape=Shape(c, 1, 1))
    x.trace.record(C.reduction(e.numel, c))                            # Mean(dim=1)
    gate = P.activation(S.linear(gate, c, c, True), ACTS["Sigmoid"])
    y = P.add(x, S.broadcast(x, gate))
    return P.activation(y, ACTS["ReLU"])


def light_mlp(x: T, c1: int, c2: int) -> T:
    """LightMLPBlock: x + scale1 * DWConv(GroupNorm(x)) (depth-wise 1x1 and point-wise 1x1, each
    Conv2d + BN + SiLU), then x + scale2 * MLP(GroupNorm(x)) (1x1 to 4c, GELU, 1x1 back, with
    bias). Its Linear(c2, c2) is built and never called."""
    idle(x, lambda t: S.linear(t, c2, c2, True))
    y = bn_act(P.conv2d(P.group_norm(x, 1), c1, c1, 1, g=c1), "SiLU")
    y = bn_act(P.conv2d(y, c1, c2, 1), "SiLU")
    x = P.add(x, param_product(y, c2))
    y = P.activation(P.conv2d(P.group_norm(x, 1), c1, 4 * c1, 1, bias=True), ACTS["GELU"])
    y = P.conv2d(y, 4 * c1, c1, 1, bias=True)
    return P.add(x, param_product(y, c2))


def evc_block(x: T, c1: int, c2: int, channel_ratio: int = 4, base_channel: int = 16) -> T:
    """Stem (7x7 Conv2d, BN, ReLU, 3x3 stride-1 max-pool), LVC and light-MLP branches,
    concatenated, 1x1 Conv2d with bias to c2. Both branches keep c1 channels, so c1 == c2."""
    if c1 != c2:
        raise shape_error(f"EVCBlock concatenates two {c1}-channel branches into cnv1(2 x {c2}): needs c1 == c2")
    y = P.maxpool(bn_act(P.conv2d(x, c1, c1, 7, 1, 3), "ReLU"), 3, 1, 1)
    return P.conv2d(P.concat([lvc(y, c1), light_mlp(y, c1, c2)]), 2 * c2, c2, 1, bias=True)


@register("EVCBlock", channels="conv", torch=f"{CSPX_EVC}:EVCBlock", source=EVC_CONV, variant="conv",
          default=False)
def evc_conv(x: T, c1: int, c2: int, channel_ratio: int = 4, base_channel: int = 16) -> T:
    """EVCBlock where parse_model treats it like Conv (input channels inserted, c2 width-scaled)."""
    return evc_block(x, c1, c2, channel_ratio, base_channel)


def _as_written(c1: int, args: list, ctx: object) -> tuple[list, int]:
    """Arguments used as written (in and out channels unscaled); the output is recorded as the
    input's channel count."""
    return list(args), c1


@register("EVCBlock", channels=_as_written, torch=f"{CSPX_EVC}:EVCBlock", source=EVC_WRITTEN,
          variant="as-written")
def evc_written(x: T, in_channels: int, out_channels: int, channel_ratio: int = 4, base_channel: int = 16) -> T:
    """EVCBlock where parse_model passes the row's arguments as written (no width scaling)."""
    if x.c != in_channels:
        raise shape_error(f"EVCBlock({in_channels}, ...) written for {in_channels} channels gets {x.c}")
    return evc_block(x, in_channels, out_channels, channel_ratio, base_channel)
