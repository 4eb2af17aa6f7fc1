"""CBAM as YOLOv5 forks publish it (one name, several definitions), CBAMBlock, Conv_CBAM and
triplet attention: a channel gate from pooled descriptors, then a spatial gate from the
channel-wise mean and max, each multiplied into the map."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from . import attention_ops as O
from .conv import autopad, conv, resolve_act

BLOCKS = "yanalyze.verify.attention_blocks"
CBAM_PAPER = "Woo et al., CBAM: Convolutional Block Attention Module, ECCV 2018"
CONV_MLP = Provenance("hduwujing/YOLOv5s_final@bb27eeb8a175", "models/common.py", CBAM_PAPER)
REPEATS_AS_RATIO = Provenance("frabob2017/yolov5@f52ce083e631", "models/common.py", CBAM_PAPER)
LINEAR_MLP = Provenance("Flandrel/yolov5_6.0@15fa44782017", "models/common.py", CBAM_PAPER)
SINGLE_FC = Provenance("positive666/yolo_research@f5795f27a56c", "models/common.py", CBAM_PAPER)
BOTTLENECK = Provenance("raoufslv/yolov5_fire_detection@c75cb6837083", "models/common.py", CBAM_PAPER)
BOTTLENECK7 = Provenance("MySalak/yolov5-mysalak@b3a5f50a0cf6", "models/common.py", CBAM_PAPER)
CBAM_BLOCK = Provenance("QyTnT/MDUA-YOLO@25ac3caac78d", "models/common.py", CBAM_PAPER)
CONV_CBAM = Provenance("Lynch-lam/TSD@c2c6d1f9047a", "models/common.py", CBAM_PAPER)
TRIPLET = Provenance("QyTnT/MDUA-YOLO@25ac3caac78d", "models/common.py",
                     "Misra et al., Rotate to Attend: Convolutional Triplet Attention Module, WACV 2021")

SIGMOID, RELU = ACTS["Sigmoid"], ACTS["ReLU"]


def channel_gate(x: T, c: int, hidden: int, linear: bool = False, max_first: bool = False) -> T:
    """CBAM's channel gate: one shared MLP on the global average and the global max of each
    channel, the two summed, Sigmoid. MLP: 1x1 convs without bias and ReLU, or (linear) Linear
    layers with bias and LeakyReLU(0.1). Returns the (C, 1, 1) gate."""
    if x.c != c:
        raise shape_error(f"CBAM channel gate for {c} channels on {x.c}")
    if not linear and hidden < 1:  # torch runs Linear layers of width 0, not convolutions
        raise shape_error(f"CBAM channel gate of {c} channels reduced to {hidden} (the ratio is larger)")

    def mlp(p: T) -> T:
        if linear:
            return S.linear(P.activation(S.linear(p, c, hidden, True), ACTS["LeakyReLU"]), hidden, c, True)
        return P.conv2d(P.activation(P.conv2d(p, c, hidden, 1), RELU), hidden, c, 1)

    pools = [O.global_maxpool(x), S.adaptive_avgpool(x, 1)] if max_first else \
        [S.adaptive_avgpool(x, 1), O.global_maxpool(x)]
    first = mlp(pools[0])
    return P.activation(P.add(first, O.shared(pools[1], mlp)), SIGMOID)


def spatial_gate(x: T, k: int, pad: int, bias: bool = False, bn: bool = False) -> T:
    """CBAM's spatial gate: channel-wise mean and max concatenated (2, H, W), a k x k conv to
    one channel (BatchNorm after it in the triplet/BAM form), Sigmoid. Returns the (1, H, W) gate."""
    y = P.conv2d(P.concat([O.channel_mean(x), O.channel_max(x)]), 2, 1, k, 1, pad, bias=bias)
    return P.activation(P.batchnorm(y) if bn else y, SIGMOID)


def cbam_padding(k: int) -> int:
    """The forks' spatial padding: 3 for a 7x7 kernel, 1 for a 3x3 one (they assert k in (3, 7))."""
    if k not in (3, 7):
        raise shape_error(f"CBAM's spatial kernel must be 3 or 7, got {k}")
    return 3 if k == 7 else 1


def keeps(x: T, c1: int, c2: int, name: str) -> None:
    if x.c != c1 or c2 != c1:
        raise shape_error(f"{name}({c1}, {c2}) on {x.c} channels: it keeps its input's channels")


@register("CBAM", channels="conv", torch=f"{BLOCKS}:CBAM", source=CONV_MLP, variant="conv-mlp")
def cbam(x: T, c1: int, c2: int, ratio: int = 16, kernel_size: int = 7) -> T:
    """Woo et al.'s CBAM: channel gate with a 1x1-conv MLP (no bias, ReLU, c1 // ratio hidden),
    then a spatial gate with a k x k conv without bias."""
    keeps(x, c1, c2, "CBAM")
    y = S.broadcast(channel_gate(x, c1, c1 // ratio), x)
    return S.broadcast(spatial_gate(y, kernel_size, cbam_padding(kernel_size)), y)


@register("CBAM", channels="csp", torch=f"{BLOCKS}:CBAM", source=REPEATS_AS_RATIO, variant="repeats-as-ratio",
          default=False)
def cbam_repeats_as_ratio(x: T, c1: int, c2: int, ratio: int = 16, kernel_size: int = 7) -> T:
    """The conv-MLP CBAM where the fork's parser treats CBAM like C3: the row's repeat count is
    inserted as the third argument (the ratio) and the block is built once."""
    return cbam(x, c1, c2, ratio, kernel_size)


@register("CBAM", channels="conv", torch=f"{BLOCKS}:CBAMLinear", source=LINEAR_MLP, variant="linear-mlp",
          default=False)
def cbam_linear(x: T, c1: int, c2: int) -> T:
    """CBAM whose channel MLP is Linear(c1, c1 // 16) + LeakyReLU(0.1) + Linear with bias and
    whose spatial gate is a 7x7 conv with bias."""
    keeps(x, c1, c2, "CBAM")
    y = S.broadcast(channel_gate(x, c1, c1 // 16, linear=True), x)
    return S.broadcast(spatial_gate(y, 7, 3, bias=True), y)


@register("CBAM", channels="conv", torch=f"{BLOCKS}:CBAMSingleFC", source=SINGLE_FC, variant="single-fc",
          default=False)
def cbam_single_fc(x: T, c1: int, c2: int, k: int = 7) -> T:
    """CBAM as ultralytics writes it: channel gate = Sigmoid of one 1x1 conv (c1 -> c1, bias) on
    the global average only; spatial gate with a k x k conv without bias."""
    keeps(x, c1, c2, "CBAM")
    gate = P.activation(P.conv2d(S.adaptive_avgpool(x, 1), c1, c1, 1, bias=True), SIGMOID)
    y = S.broadcast(x, gate)
    return S.broadcast(y, spatial_gate(y, k, cbam_padding(k)))


def cbam_bottleneck(x: T, c1: int, c2: int, spatial_k: int, shortcut: bool, g: int, e: float, ratio: int) -> T:
    """Conv 1x1 to int(c2 * e), Conv 3x3 to c2, CBAM (conv MLP) on it, residual when shortcut
    and c1 == c2."""
    h = int(c2 * e)
    y = conv(conv(x, c1, h, 1, 1), h, c2, 3, 1, None, g)
    y = S.broadcast(channel_gate(y, c2, c2 // ratio), y)
    y = S.broadcast(spatial_gate(y, spatial_k, spatial_k // 2), y)
    return P.add(x, y) if shortcut and c1 == c2 else y


@register("CBAM", channels="conv", torch=f"{BLOCKS}:CBAMBottleneck", source=BOTTLENECK, variant="bottleneck",
          default=False)
def cbam_bottleneck_k(x: T, c1: int, c2: int, kernel_size: int = 3, shortcut: bool = True, g: int = 1,
                      e: float = 0.5, ratio: int = 16) -> T:
    """A YOLOv5 Bottleneck (1x1 then 3x3 Conv) with CBAM before the residual; the spatial
    gate's kernel is the third argument (3 or 7)."""
    return cbam_bottleneck(x, c1, c2, spatial_k_checked(kernel_size), shortcut, g, e, ratio)


@register("CBAM", channels="conv", torch=f"{BLOCKS}:CBAMBottleneck7", source=BOTTLENECK7,
          variant="bottleneck-spatial7", default=False)
def cbam_bottleneck_7(x: T, c1: int, c2: int, k: int = 3, shortcut: bool = True, g: int = 1, e: float = 0.5,
                      ratio: int = 16) -> T:
    """The same bottleneck with a 7x7 spatial gate whatever the third argument says (it is unused)."""
    return cbam_bottleneck(x, c1, c2, 7, shortcut, g, e, ratio)


def spatial_k_checked(k: int) -> int:
    cbam_padding(k)
    return k


@register("CBAMBlock", channels="prepend", out_channels=lambda c1, a: c1, torch=f"{BLOCKS}:CBAMBlock",
          source=CBAM_BLOCK)
def cbam_block(x: T, channel: int = 512, reduction: int = 16, kernel_size: int = 7) -> T:
    """External-attention's CBAMBlock: max-then-average channel gate with a 1x1-conv MLP (no
    bias, ReLU), spatial gate with a k x k conv with bias, padding k // 2. The fork's parser
    puts the input channels before the row's args."""
    y = S.broadcast(x, channel_gate(x, channel, channel // reduction, max_first=True))
    return S.broadcast(y, spatial_gate(y, kernel_size, kernel_size // 2, bias=True))


@register("Conv_CBAM", channels="conv", torch=f"{BLOCKS}:Conv_CBAM", source=CONV_CBAM)
def conv_cbam(x: T, c1: int, c2: int, k=1, s=1, p=None, g: int = 1, act=True) -> T:
    """Conv2d (no bias) + BatchNorm2d + SiLU (not a YOLOv5 Conv: model.fuse() leaves its batch
    norm), then a CBAM channel gate (hidden c2 // 16) and a 7x7 spatial gate without bias."""
    a = ACTS["SiLU"] if act is True else resolve_act(x, act)
    y = P.activation(P.batchnorm(P.conv2d(x, c1, c2, k, s, autopad(k, p), g)), a)
    y = S.broadcast(channel_gate(y, c2, c2 // 16), y)
    return S.broadcast(spatial_gate(y, 7, 3), y)


def permuted(x: T, c: int, h: int, w: int) -> T:
    """A .permute(...).contiguous() copy of the map with another axis as channels. The gates on
    it pool over a whole row or column of the image: global context."""
    return S.contiguous(T(Shape(c, h, w), x.fh, x.fw, True, x.trace))


def triplet_gate(x: T) -> T:
    """One branch of triplet attention: Z-pool (max and mean over dim 1), 7x7 conv 2 -> 1 without
    bias, BatchNorm, Sigmoid, product."""
    return S.broadcast(x, spatial_gate(x, 7, 3, bn=True))


@register("TripletAttention", channels="prepend", out_channels=lambda c1, a: c1,
          torch=f"{BLOCKS}:TripletAttention", source=TRIPLET)
def triplet_attention(x: T, no_spatial=False) -> T:
    """Triplet attention: the gate applied with H, then W, as the channel axis (permuted copies
    in and out), and on the map itself unless no_spatial; the branches summed and scaled. The
    fork's parser puts the input channels first, so a row without args sets no_spatial to the
    channel count (true): two branches."""
    c, h, w = x.c, x.shape.h, x.shape.w
    b1 = permuted(triplet_gate(permuted(x, h, c, w)), c, h, w)
    b2 = permuted(triplet_gate(permuted(x, w, h, c)), c, h, w)
    y = P.add(b1, b2) if no_spatial else P.add(P.add(triplet_gate(x), b1), b2)
    return S.scalar_op(y)
