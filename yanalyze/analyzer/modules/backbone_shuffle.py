"""ShuffleNet V2 blocks as YOLOv5 forks publish them: the unit (Shuffle_Block and its copies under
other names and activations), its Lite and factorised variants, YOLOv5-Lite's enhanced unit
(ES_Bottleneck), the conv-BN-ReLU-maxpool stems and SPD's space_to_depth.

A channel shuffle of two groups (view, transpose, .contiguous(), view) is one layout copy: no
FLOPs, the map read and written once. Splitting channels in half (chunk) is a view.
"""
from __future__ import annotations

from typing import Callable

from .. import primitives as P
from .. import shaping as S
from ..cost import Cost
from ..model import Shape
from ..registry import register
from ..symbolic import ACTS, Act, T, Trace, shape_error
from . import backbone_sources as src
from .conv import conv

RELU, SILU, HSWISH = ACTS["ReLU"], ACTS["SiLU"], ACTS["Hardswish"]
Branch = Callable[[T, int, int, int], T]  # (x, channels in, channels out, stride) -> y


def chunk2(x: T) -> tuple[T, T]:
    """x.chunk(2, dim=1): two channel views, the first ceil(c/2) wide."""
    first = -(-x.c // 2)
    a, b = S.split(x, [first, x.c - first])
    return a, b


def idle(x: T, c: int, build: Callable[[T], T]) -> None:
    """A submodule the constructor builds and the forward never runs: its parameters count,
    nothing else (it is built on a scratch copy of a c-channel input to learn its size)."""
    scratch = T(Shape(c, x.shape.h, x.shape.w), x.fh, x.fw, x.glob, Trace(x.trace.default_act, False))
    build(scratch)
    c0 = scratch.trace.cost
    x.trace.record(Cost(params=c0.params, params_fused=c0.params_fused))


def pw_bn_act(x: T, c1: int, c2: int, act: Act) -> T:
    """1x1 Conv2d (no bias), BatchNorm2d, activation: separate kernels (YOLOv5's fuse() skips them)."""
    return P.activation(P.batchnorm(P.conv2d(x, c1, c2, 1)), act)


def dw3(x: T, c: int, s: int, bias: bool = False) -> T:
    """3x3 depth-wise Conv2d, padding 1."""
    return P.conv2d(x, c, c, 3, s, 1, c, bias=bias)


def dw_factored(x: T, c: int, s: int, bias: bool = False) -> T:
    """SBLL's depth-wise 3x3 split into (1,3) with stride (1,s) then (3,1) with stride (s,1)."""
    return P.conv2d(P.conv2d(x, c, c, (1, 3), (1, s), (0, 1), c), c, c, (3, 1), (s, 1), (1, 0), c)


def down_branch(act: Act, dw: Callable = dw3, dw_bias: bool = False) -> Branch:
    """branch1 of a strided unit: depth-wise 3x3 + BN on the whole input, then 1x1 + BN + act."""
    return lambda x, c1, bf, s: pw_bn_act(P.batchnorm(dw(x, c1, s, dw_bias)), c1, bf, act)


def main_branch(act: Act, dw: Callable = dw3, dw_bias: bool = False, tail: bool = True) -> Branch:
    """branch2: 1x1 + BN + act, depth-wise + BN, then 1x1 + BN + act (tail) or only act (Lite)."""
    def branch(x: T, cin: int, bf: int, s: int) -> T:
        y = P.batchnorm(dw(pw_bn_act(x, cin, bf, act), bf, s, dw_bias))
        return pw_bn_act(y, bf, bf, act) if tail else P.activation(y, act)
    return branch


def shuffle_unit(x: T, c1: int, c2: int, stride: int, down: Branch, main: Branch, strides: tuple) -> T:
    """ShuffleNet V2 unit: stride 1 keeps one half of the channels and transforms the other;
    a larger stride concatenates both branches of the whole input; then the channel shuffle."""
    if stride not in strides:
        raise shape_error(f"stride must be one of {list(strides)}, got {stride!r}")
    bf = c2 // 2
    if stride == 1:
        if c1 != 2 * bf:
            raise shape_error(f"a stride-1 unit needs input channels = 2 x (c2 // 2) = {2 * bf}, got {c1}")
        keep, part = chunk2(x)
        y = P.concat([keep, main(part, bf, bf, 1)])
    else:
        y = P.concat([down(x, c1, bf, stride), main(x, c1, bf, stride)])
    return S.contiguous(y)


SHUFFLE = dict(down=down_branch(RELU), main=main_branch(RELU))


@register("Shuffle_Block", channels="conv", torch=f"{src.BLOCKS}:Shuffle_Block", source=src.TP_THREAD)
def shuffle_block(x: T, c1: int, c2: int, stride: int) -> T:
    """ShuffleNet V2 unit with ReLU (TP-Thread, YOLOv5-Lite and ScottDu404 agree; YOLOv5-Lite also
    takes stride 3)."""
    return shuffle_unit(x, c1, c2, stride, strides=(1, 2, 3), **SHUFFLE)


@register("ShuffleNetV2_InvertedResidual", channels="conv", torch=f"{src.BLOCKS}:Shuffle_Block",
          source=src.LMSD_SHUFFLE)
def shufflenetv2_inverted_residual(x: T, c1: int, c2: int, stride: int) -> T:
    """LMSD-YOLO's name for the same unit (an empty branch1 at stride 1 holds no parameters)."""
    return shuffle_unit(x, c1, c2, stride, strides=(1, 2, 3), **SHUFFLE)


@register("ShuffleV2Block", channels="conv", torch=f"{src.BLOCKS}:ShuffleV2Block", source=src.FACE_BLOCKS)
def shuffle_v2_block(x: T, c1: int, c2: int, stride: int) -> T:
    """YOLO5Face's unit: the same structure with SiLU (nn.SiLU, not the config's activation)."""
    return shuffle_unit(x, c1, c2, stride, down_branch(SILU), main_branch(SILU), (1, 2, 3))


@register("ShuffleNetV2Block", channels="conv", torch=f"{src.BLOCKS}:ShuffleNetV2Block",
          source=src.TAO_SHUFFLE)
def shufflenetv2_block(x: T, c1: int, c2: int, stride: int) -> T:
    """The unit with biased depth-wise convolutions (nn.Conv2d's default); strides 1 and 2."""
    return shuffle_unit(x, c1, c2, stride, down_branch(RELU, dw_bias=True),
                        main_branch(RELU, dw_bias=True), (1, 2))


@register("Shuffle_Block_Lite", channels="conv", torch=f"{src.BLOCKS}:Shuffle_Block_Lite", source=src.SCOTT)
def shuffle_block_lite(x: T, c1: int, c2: int, stride: int) -> T:
    """The unit without branch2's last 1x1 convolution (BN and ReLU after the depth-wise conv)."""
    return shuffle_unit(x, c1, c2, stride, down_branch(RELU), main_branch(RELU, tail=False), (1, 2))


@register("SBLL", channels="conv", torch=f"{src.BLOCKS}:SBLL", source=src.SCOTT)
def sbll(x: T, c1: int, c2: int, stride: int) -> T:
    """Shuffle_Block_Lite with every depth-wise 3x3 factorised into (1,3) and (3,1)."""
    return shuffle_unit(x, c1, c2, stride, down_branch(RELU, dw_factored),
                        main_branch(RELU, dw_factored, tail=False), (1, 2))


def ghost_conv_k(x: T, c1: int, c2: int, k: int) -> T:
    """YOLOv5-Lite's GhostConv(c1, c2, k): Conv 1x1 to c2//2, then a depth-wise k x k Conv of it."""
    h = c2 // 2
    y = conv(x, c1, h, 1, 1)
    return P.concat([y, conv(y, h, h, k, 1, None, h)])


def es_se(x: T, c: int) -> T:
    """ES_SEModule: global average pool, 1x1 Conv2d c -> c//4 (bias) + ReLU, 1x1 back (bias) +
    Hardsigmoid, channel-wise product."""
    y = P.activation(P.conv2d(S.adaptive_avgpool(x, 1), c, c // 4, 1, bias=True), RELU)
    y = P.activation(P.conv2d(y, c // 4, c, 1, bias=True), ACTS["Hardsigmoid"])
    return S.broadcast(x, y)


def es_main(x: T, cin: int, bf: int, s: int) -> T:
    y = P.batchnorm(dw3(pw_bn_act(x, cin, bf, HSWISH), bf, s))
    return pw_bn_act(es_se(y, bf), bf, bf, HSWISH)


def es_ghost(x: T, bf: int) -> T:
    return pw_bn_act(es_se(ghost_conv_k(x, bf, bf, 3), bf), bf, bf, HSWISH)


def es_fuse(x: T, c: int) -> T:
    return pw_bn_act(P.batchnorm(dw3(x, c, 1)), c, c, HSWISH)


@register("ES_Bottleneck", channels="conv", torch=f"{src.BLOCKS}:ES_Bottleneck", source=src.LITE_ES)
def es_bottleneck(x: T, inp: int, oup: int, stride: int) -> T:
    """Enhanced ShuffleNet unit (hard-swish, SE): stride 1 keeps half the channels, runs a
    GhostConv + SE + 1x1 branch on the other half and shuffles; stride 2 concatenates two branches
    and mixes them with a depth-wise 3x3 + 1x1 (branch4). Branches the constructor builds for the
    other stride still hold parameters."""
    if stride not in (1, 2):
        raise shape_error(f"ES_Bottleneck runs with stride 1 or 2, got {stride!r}")
    bf = oup // 2
    if stride == 1:
        idle(x, bf, lambda t: es_main(t, bf, bf, 1))
        idle(x, oup, lambda t: es_fuse(t, oup))
        keep, part = chunk2(x)
        return S.contiguous(P.concat([keep, es_ghost(part, bf)]))
    idle(x, bf, lambda t: es_ghost(t, bf))
    y = P.concat([down_branch(HSWISH)(x, inp, bf, stride), es_main(x, inp, bf, stride)])
    return es_fuse(y, oup)


def conv_bn_relu(x: T, c1: int, c2: int) -> T:
    """3x3 stride-2 Conv2d (no bias), BatchNorm2d, ReLU."""
    return P.activation(P.batchnorm(P.conv2d(x, c1, c2, 3, 2, 1)), RELU)


@register("CBRM", channels="conv", torch=f"{src.BLOCKS}:CBRM", source=src.TP_THREAD)
@register("conv_bn_relu_maxpool", channels="conv", torch=f"{src.BLOCKS}:CBRM", source=src.LITE_SHUFFLE)
@register("Conv_maxpool", channels="conv", torch=f"{src.BLOCKS}:CBRM", source=src.TAO_SHUFFLE)
def cbrm(x: T, c1: int, c2: int) -> T:
    """ShuffleNet V2 stem: 3x3 stride-2 Conv2d + BN + ReLU, then 3x3 stride-2 max-pool (padding 1)."""
    return P.maxpool(conv_bn_relu(x, c1, c2), 3, 2, 1)


@register("Convfirst_maxpool", channels="conv", torch=f"{src.BLOCKS}:Convfirst_maxpool",
          source=src.TAO_SHUFFLE)
def convfirst_maxpool(x: T, c1: int, c2: int) -> T:
    """Two parallel 3x3 stride-2 Conv2d + BN + ReLU stems, summed, then the 3x3 stride-2 max-pool."""
    return P.maxpool(P.add(conv_bn_relu(x, c1, c2), conv_bn_relu(x, c1, c2)), 3, 2, 1)


@register("space_to_depth", channels=lambda c1, args, ctx: (list(args), 4 * c1),
          torch=f"{src.BLOCKS}:space_to_depth", source=src.SCOTT_SPD)
def space_to_depth(x: T, dimension: int = 1) -> T:
    """SPD: the four pixel phases stacked on channels (4c at half size); the fork's parser gives
    c2 = 4 x c1 and passes the args as written (the dimension is not used)."""
    return P.space_to_depth(x, 2)
