"""Channel and spatial gates as YOLOv5 forks publish them: SE, SELayer (SENet's), SEAttention,
ECA, SimAM, GAM_Attention and the pieces CBAM is made of.

A gate pooled over the whole map (SE, ECA, CBAM's channel gate, SimAM's mean) makes the output
depend on the whole image: the pooling primitives mark it as global context.
"""
from __future__ import annotations

import math

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..channels import RuleContext
from ..errors import ConfigError
from ..registry import Provenance, register
from ..symbolic import ACTS, Act, T, shape_error
from . import attention_ops as O
from .mobilenet import h_sigmoid

BLOCKS = "yanalyze.verify.attention_blocks"
SENET = "Hu et al., Squeeze-and-Excitation Networks, CVPR 2018"
SE_LINEAR = Provenance("manhhv87/PCBYOLOv5@b783901ca620", "models/common.py", SENET)
SE_CONV = Provenance("zurichscud/yolov5-se@f5736f456f07", "models/common.py", SENET)
SELAYER_SENET = Provenance("Ninepoint5off/YOLOv5forguaduation@3bd3ee55200a", "models/common.py", SENET)
SEATT = Provenance("StarPlatinum7/yolov5-7.0@f1642197deb4", "models/common.py", SENET)
SEATT_ONLY = Provenance("HaohuaZu/PD-FasterYOLO@f7b822a4bc85", "models/SE.py", SENET)
SEATT_CONV = Provenance("Liudongyun-max/yolov5-7.0-weed-detect@d522e84f716f", "models/common.py", SENET)
ECA_SRC = Provenance("RethinkingCoding/SMN-YOLOv5s@704b81b146e6", "models/common.py",
                     "Wang et al., ECA-Net: Efficient Channel Attention for Deep Convolutional Neural Networks, "
                     "CVPR 2020")
ECA_ADAPTIVE = Provenance("wandahangFY/MLCA@afbeb47a0f14", "models/common.py", ECA_SRC.paper)
SIMAM = "Yang et al., SimAM: A Simple, Parameter-Free Attention Module for Convolutional Neural Networks, ICML 2021"
SIMAM_CH = Provenance("object9detection/RFENet@f405a2b00ee7", "models/common.py", SIMAM)
SIMAM_PLAIN = Provenance("YayaWANG1009/LCAN-Enhancing-Nucleic-Acid-Testing-with-Lightweight-Context-Aware-"
                         "Attention-Networks@0cfebb4bbc2b", "models/SimAM.py", SIMAM)
GAM = "Liu et al., Global Attention Mechanism: Retain Information to Enhance Channel-Spatial Interactions, arXiv 2021"
GAM_PLAIN = Provenance("Liudongyun-max/yolov5-7.0-weed-detect@d522e84f716f", "models/common.py", GAM)
GAM_GROUPED = Provenance("GY-monkey/LMSD-YOLO@34cafd716fa2", "models/common.py", GAM)

SIGMOID, RELU = ACTS["Sigmoid"], ACTS["ReLU"]


def fc(y: T, c1: int, c2: int, conv: bool, bias: bool) -> T:
    """A fully connected layer on a pooled (C, 1, 1) vector: nn.Linear on the flattened vector
    or a 1x1 nn.Conv2d on the map; the same products either way, not the same thop rule."""
    return P.conv2d(y, c1, c2, 1, bias=bias) if conv else S.linear(y, c1, c2, bias)


def gate_act(y: T, gate: str) -> T:
    """The gate's squashing: a Sigmoid module or tensor method, or MobileNetV3's h_sigmoid."""
    return h_sigmoid(y) if gate == "h_sigmoid" else P.activation(y, ACTS[gate])


def squeeze_excite(x: T, c: int, hidden: int, conv: bool = False, bias: bool = False, act: Act = RELU,
                   gate: str = "Sigmoid") -> T:
    """Global average pool, fc to `hidden`, act, fc back to c, gate, channel-wise product."""
    if x.c != c:
        raise shape_error(f"squeeze-excite for {c} channels on {x.c}")
    if conv and hidden < 1:  # Linear layers of width 0 run in torch (the gate is then Sigmoid(0)); convs do not
        raise shape_error(f"squeeze-excite of {c} channels reduced to {hidden} (the reduction is larger)")
    y = P.activation(fc(S.adaptive_avgpool(x, 1), c, hidden, conv, bias), act)
    return S.broadcast(x, gate_act(fc(y, hidden, c, conv, bias), gate))


@register("SE", channels="conv", torch=f"{BLOCKS}:SE", source=SE_LINEAR, variant="linear")
def se(x: T, c1: int, c2: int, ratio: int = 16) -> T:
    """SE of the YOLOv5 forks: Linear(c1, c1 // ratio) and back, both without bias, ReLU, Sigmoid."""
    return squeeze_excite(x, c1, c1 // ratio)


def _se_conv_rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """zurichscud/yolov5-se's parser: SE(c1, args[1]); c2 is the width-scaled args[0]."""
    if len(args) < 2:
        raise ConfigError(f"SE in this definition needs [channels, ratio], got {args}", code="parse/args")
    return [c1, args[1]], ctx.scale(args[0]) if args[0] != ctx.no else args[0]


@register("SE", channels=_se_conv_rule, torch=f"{BLOCKS}:SEConvBias", source=SE_CONV, variant="conv-bias",
          default=False)
def se_conv_bias(x: T, in_chnls: int, ratio: int) -> T:
    """SE with 1x1 convolutions with bias as the fully connected layers, ReLU, Sigmoid."""
    return squeeze_excite(x, in_chnls, in_chnls // ratio, conv=True, bias=True)


@register("SELayer", channels="keep", torch=f"{BLOCKS}:SELayerSENet", source=SELAYER_SENET, variant="senet",
          default=False)
def selayer_senet(x: T, c1: int, r: int = 16) -> T:
    """SENet's SE layer: Linear(c, c // r) and back without bias, ReLU, plain Sigmoid."""
    return squeeze_excite(x, c1, c1 // r)


@register("SEAttention", channels="keep", torch=f"{BLOCKS}:SEAttention", source=SEATT, variant="channels-kept")
def se_attention(x: T, channel: int = 512, reduction: int = 16) -> T:
    """SENet's SE layer (Linear without bias, ReLU, Sigmoid); the row's channel count is the
    input's and what follows it is the reduction."""
    return squeeze_excite(x, channel, channel // reduction)


@register("SEAttention", channels=lambda c1, args, ctx: ([c1], c1), torch=f"{BLOCKS}:SEAttention",
          source=SEATT_ONLY, variant="channels-only", default=False)
def se_attention_channels_only(x: T, channel: int = 512, reduction: int = 16) -> T:
    """The same block where the fork's parser passes only the input channels (the row's args are
    ignored, reduction 16)."""
    return squeeze_excite(x, channel, channel // reduction)


@register("SEAttention", channels="conv", torch=f"{BLOCKS}:SEAttention", source=SEATT_CONV,
          variant="reduction-is-c2", default=False)
def se_attention_conv_rule(x: T, channel: int = 512, reduction: int = 16) -> T:
    """The same block where the fork's parser applies the Conv rule: SEAttention(c1, c2), so the
    width-scaled channel count of the row becomes the reduction."""
    return squeeze_excite(x, channel, channel // reduction)


@register("ECA", channels="conv", torch=f"{BLOCKS}:ECA", source=ECA_SRC, variant="fixed-kernel")
def eca(x: T, c1: int, c2: int, k_size: int = 3) -> T:
    """Global average pool, Conv1d(1, 1, k) across the channels without bias, Sigmoid, product."""
    y = O.conv1d_across_channels(S.adaptive_avgpool(x, 1), k_size)
    return S.broadcast(x, P.activation(y, SIGMOID))


def _eca_kernel(c: int, gamma: float, b: float) -> int:
    """ECA-Net's adaptive kernel: t = int(|log2(C) + b| / gamma), made odd."""
    t = int(abs(math.log(c, 2) + b) / gamma)
    return t if t % 2 else t + 1


@register("ECA", channels="conv", torch=f"{BLOCKS}:ECAAdaptive", source=ECA_ADAPTIVE, variant="adaptive-kernel",
          default=False)
def eca_adaptive(x: T, c1: int, c2: int, k_size: int = 3, gamma: float = 2, b: float = 1) -> T:
    """ECA whose kernel follows the channel count (k_size is unused)."""
    return eca(x, c1, c2, _eca_kernel(c1, gamma, b))


def simam_body(x: T) -> T:
    """SimAM: d = (x - mean)^2 per channel; y = d / (4 (sum d / (hw - 1) + lambda)) + 0.5;
    x * sigmoid(y). Eight kernels, no parameters; the mean and sum make it global context."""
    if x.shape.h * x.shape.w < 2:
        raise shape_error("SimAM needs a map of at least 2 positions (it divides by h*w - 1)")
    d = S.scalar_op(S.broadcast(x, O.spatial_mean(x)))                      # (x - mu), then .pow(2)
    s = S.scalar_op(S.scalar_op(S.scalar_op(O.spatial_mean(d))))           # sum / n + lambda, * 4
    y = S.scalar_op(S.broadcast(d, s))                                      # d / (...), + 0.5
    return S.broadcast(x, P.activation(y, SIGMOID))


def _simam_channels_rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """Conv's rule, for a row that starts with a channel count (an integer); a row without one
    ([] or [1e-4]) is the plain definition's."""
    if not args or isinstance(args[0], bool) or not isinstance(args[0], int):
        raise ConfigError("SimAM(channels, out_channels) needs a channel count first", code="parse/args")
    c2 = args[0] if args[0] == ctx.no else ctx.scale(args[0])
    return [c1, c2, *args[1:]], c2


@register("SimAM", channels=_simam_channels_rule, torch=f"{BLOCKS}:SimAMChannels", source=SIMAM_CH,
          variant="channels")
def simam_channels(x: T, channels=None, out_channels=None, e_lambda: float = 1e-4) -> T:
    """SimAM whose constructor takes (channels, out_channels, e_lambda), channels as Conv's."""
    return simam_body(x)


@register("SimAM", channels="same", torch=f"{BLOCKS}:SimAMPlain", source=SIMAM_PLAIN, variant="plain",
          default=False)
def simam_plain(x: T, e_lambda: float = 1e-4) -> T:
    """SimAM whose constructor takes only e_lambda, the row's args as written."""
    return simam_body(x)


def gam_body(x: T, c1: int, c2: int, rate: int, groups: int, shuffle: bool) -> T:
    """GAM: a per-position MLP over channels (Linear c1 -> c1/rate -> c1 with bias on the
    permuted map), product; then 7x7 conv c1 -> c1/rate, BN, ReLU, 7x7 conv -> c2, BN, sigmoid
    (channel shuffle of the gate in the grouped form), product."""
    hidden = int(c1 / rate)
    if x.c != c1 or c2 != c1:
        raise shape_error(f"GAM_Attention({c1}, {c2}) on {x.c} channels: it multiplies its input by a "
                          f"{c2}-channel gate")
    t = S.linear(x, c1, hidden, False)  # on the permuted map: the product and its bias add are two kernels
    t.trace.record(C.bias_add(t.numel, hidden))
    t = S.linear(P.activation(t, RELU), hidden, c1, True)
    x = S.broadcast(x, t)
    g = P.activation(P.batchnorm(P.conv2d(x, c1, hidden, 7, 1, 3, groups, bias=True)), RELU)
    g = P.activation(P.batchnorm(P.conv2d(g, hidden, c2, 7, 1, 3, groups, bias=True)), SIGMOID)
    if shuffle:
        g = S.contiguous(g)
    return S.broadcast(x, g)


@register("GAM_Attention", channels="conv", torch=f"{BLOCKS}:GAMAttention", source=GAM_PLAIN, variant="plain")
def gam_attention(x: T, in_channels: int, out_channels: int, rate: int = 4) -> T:
    """GAM with plain 7x7 convolutions."""
    return gam_body(x, in_channels, out_channels, rate, 1, False)


@register("GAM_Attention", channels="same", torch=f"{BLOCKS}:GAMAttentionGrouped", source=GAM_GROUPED,
          variant="grouped", default=False)
def gam_attention_grouped(x: T, c1: int, c2: int, group: bool = True, rate: int = 4) -> T:
    """GAM with grouped 7x7 convolutions (groups = rate) and a channel shuffle (4 groups) of
    the spatial gate, as the LMSD-YOLO family writes it; their parsers take the row's channel
    counts as written (not width-scaled)."""
    return gam_body(x, c1, c2, rate, rate if group else 1, True)
