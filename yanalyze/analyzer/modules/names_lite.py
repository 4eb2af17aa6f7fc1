"""Lightweight-backbone units of Gumpest/YOLOv5-Multibackbone-Compression (also in iscyy/yoloair's
models/Models/muitlbackbone.py): the EfficientNet-Lite `stem` and MBConvBlock,
MobileNetV3_InvertedResidual and PP-LCNet's DepthSepConv. Their batch norms sit in nn.Sequential
containers, which YOLOv5's fuse() leaves alone; their squeeze-excite is SeBlock (1x1 convs with
bias, ReLU, Sigmoid). YOLOv5-Lite publishes other `stem` and MBConvBlock definitions (ReLU, no
expansion), registered as variants.

Channel rule (Gumpest's parse_model; yoloair's is the same for these rows): like Conv, c2 =
max(make_divisible(args[0] * gw, 8), 8), except that a trailing float argument is a pruning
ratio: it scales args[0] first and is dropped from the constructor's arguments (not for
MBConvBlock, whose trailing float is its drop-connect rate).
"""
from __future__ import annotations

from .. import primitives as P
from ..channels import RuleContext
from ..errors import ConfigError
from ..registry import Provenance, register
from ..symbolic import ACTS, Act, T, shape_error
from .attention_gates import squeeze_excite
from .sources import GUMPEST_AT, YOLOY_AT

BLOCKS = "yanalyze.verify.names_blocks_lite"
EFFICIENTLITE = "Tan and Le, EfficientNet: Rethinking Model Scaling for Convolutional Neural Networks, ICML 2019"
MOBILENETV3 = "Howard et al., Searching for MobileNetV3, ICCV 2019"
PPLCNET = "Cui et al., PP-LCNet: A Lightweight CPU Convolutional Neural Network, arXiv 2021"
STEM_SRC = Provenance(GUMPEST_AT, "models/common.py", EFFICIENTLITE)
MBCONV_SRC = Provenance(GUMPEST_AT, "models/common.py", EFFICIENTLITE)
LITE = "ppogg/YOLOv5-Lite@9d649a64f829"
STEM_LITE_SRC = Provenance(LITE, "models/common.py", EFFICIENTLITE)
MBCONV_LITE_SRC = Provenance(LITE, "models/common.py", EFFICIENTLITE)
MBV3_SRC = Provenance(GUMPEST_AT, "models/common.py", MOBILENETV3)
MBV3_SILU_SRC = Provenance(YOLOY_AT, "models/common.py", MOBILENETV3)
LCNET_SRC = Provenance(GUMPEST_AT, "models/common.py", PPLCNET)

RELU, RELU6, HSWISH, SILU = ACTS["ReLU"], ACTS["ReLU6"], ACTS["Hardswish"], ACTS["SiLU"]


def pruned_conv_rule(c1: int, args: list, ctx: RuleContext, prune: bool = True) -> tuple[list, int]:
    """Gumpest's Conv rule with its pruning ratio (a trailing float scales the output width)."""
    if not args:
        raise ConfigError("this module needs its output channels first", code="parse/args")
    c2 = args[0]
    if c2 != ctx.no:
        if prune and isinstance(args[-1], float) and not isinstance(args[-1], bool):
            c2, args = c2 * args[-1], args[:-1]
        c2 = max(ctx.scale(c2), 8)
    return [c1, c2, *args[1:]], c2


def unpruned_conv_rule(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """The same rule without the pruning ratio (MBConvBlock's trailing float is its drop-connect
    rate)."""
    return pruned_conv_rule(c1, args, ctx, prune=False)


def se_block(x: T, c: int, reduction: int = 4, act: Act = RELU) -> T:
    """SeBlock: global average pool, 1x1 conv with bias to c // r, act, 1x1 conv back, Sigmoid,
    channel-wise product."""
    return squeeze_excite(x, c, c // reduction, conv=True, bias=True, act=act)


def conv_bn(x: T, c1: int, c2: int, k: int = 1, s: int = 1, g: int = 1) -> T:
    """Bias-free Conv2d, padding (k - 1) // 2, and a BatchNorm2d that fuse() does not fold."""
    return P.batchnorm(P.conv2d(x, c1, c2, k, s, (k - 1) // 2, g))


@register("stem", channels=pruned_conv_rule, torch=f"{BLOCKS}:EfficientLiteStem", source=STEM_SRC,
          variant="relu6")
def efficientlite_stem(x: T, c1: int, c2: int, act="ReLU6") -> T:
    """3x3 stride-2 Conv2d (no bias), BatchNorm2d, ReLU6 (the only activation it builds)."""
    if getattr(act, "name", act) != "ReLU6":
        raise shape_error(f"stem builds its activation only for 'ReLU6', got {act!r}")
    return P.activation(P.batchnorm(P.conv2d(x, c1, c2, 3, 2, 1)), RELU6)


@register("MBConvBlock", channels=unpruned_conv_rule, torch=f"{BLOCKS}:MBConvBlock", source=MBCONV_SRC,
          variant="expand-se")
def mbconv_block(x: T, inp: int, final_oup: int, k: int, s: int, expand_ratio: int, drop_connect_rate=None,
                 has_se: bool = False) -> T:
    """EfficientNet-Lite MBConv: 1x1 expand to inp * expand_ratio (unless it is 1), BN, ReLU6;
    depth-wise k x k (stride s), BN, ReLU6; SeBlock(., 4) when has_se; 1x1 project, BN; the
    input added when s == 1 and inp == final_oup (drop-connect is off at inference)."""
    hidden = inp * expand_ratio
    y = P.activation(conv_bn(x, inp, hidden), RELU6) if expand_ratio != 1 else x
    y = P.activation(conv_bn(y, hidden, hidden, k, s, hidden), RELU6)
    if has_se:
        y = se_block(y, hidden, 4)
    y = conv_bn(y, hidden, final_oup)
    return P.add(y, x) if s == 1 and inp == final_oup else y


@register("stem", channels="conv", torch=f"{BLOCKS}:LiteStem", source=STEM_LITE_SRC, variant="lite-relu",
          default=False)
def lite_stem(x: T, c1: int, c2: int) -> T:
    """YOLOv5-Lite's stem: 3x3 stride-2 Conv2d from 3 channels (whatever c1 is), BN, ReLU."""
    return P.activation(P.batchnorm(P.conv2d(x, 3, c2, 3, 2, 1)), RELU)


@register("MBConvBlock", channels="conv", torch=f"{BLOCKS}:LiteMBConvBlock", source=MBCONV_LITE_SRC,
          variant="lite", default=False)
def lite_mbconv_block(x: T, inp: int, oup: int, k: int, s: int) -> T:
    """YOLOv5-Lite's MBConv without expansion or SE: depth-wise k x k (built for oup channels,
    so the input must have oup), BN, ReLU, 1x1 conv, BN; residual when s == 1 and inp == oup."""
    y = P.activation(conv_bn(x, oup, oup, k, s, oup), RELU)
    y = conv_bn(y, oup, oup)
    return P.add(y, x) if s == 1 and inp == oup else y


def mbv3_body(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int, use_se, use_hs,
              other: Act) -> T:
    if stride not in (1, 2):
        raise shape_error(f"MobileNetV3_InvertedResidual stride must be 1 or 2, got {stride}")
    act = HSWISH if use_hs else other
    if inp == hidden_dim:
        y = P.activation(conv_bn(x, hidden_dim, hidden_dim, kernel_size, stride, hidden_dim), act)
        if use_se:
            y = se_block(y, hidden_dim, 4, other)
    else:
        y = P.activation(conv_bn(x, inp, hidden_dim), act)
        y = conv_bn(y, hidden_dim, hidden_dim, kernel_size, stride, hidden_dim)
        if use_se:
            y = se_block(y, hidden_dim, 4, other)
        y = P.activation(y, act)
    y = conv_bn(y, hidden_dim, oup)
    return P.add(x, y) if stride == 1 and inp == oup else y


@register("MobileNetV3_InvertedResidual", channels=pruned_conv_rule, torch=f"{BLOCKS}:MobileNetV3IR",
          source=MBV3_SRC, variant="relu")
def mobilenetv3_ir(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int, use_se,
                   use_hs) -> T:
    """MobileNetV3 block: (1x1 expand to hidden_dim, BN, act,) depth-wise k x k, BN, SeBlock when
    use_se (before the act in the expanding form, after it otherwise), 1x1 project, BN; the
    input added when stride 1 and inp == oup. act: Hardswish when use_hs, else ReLU. hidden_dim
    is taken as written (not width-scaled)."""
    return mbv3_body(x, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs, RELU)


@register("MobileNetV3_InvertedResidual", channels="conv", torch=f"{BLOCKS}:MobileNetV3IRSiLU",
          source=MBV3_SILU_SRC, variant="silu", default=False)
def mobilenetv3_ir_silu(x: T, inp: int, oup: int, hidden_dim: int, kernel_size: int, stride: int, use_se,
                        use_hs) -> T:
    """The same block with SiLU where the other has ReLU (also inside its SeBlock)."""
    return mbv3_body(x, inp, oup, hidden_dim, kernel_size, stride, use_se, use_hs, SILU)


@register("DepthSepConv", channels=pruned_conv_rule, torch=f"{BLOCKS}:DepthSepConv", source=LCNET_SRC)
def depth_sep_conv(x: T, inp: int, oup: int, dw_size: int, stride: int, use_se=False) -> T:
    """PP-LCNet unit: depth-wise dw_size conv (stride), BN, Hardswish, SeBlock(inp, 16) when
    use_se, 1x1 conv to oup, BN, Hardswish."""
    y = P.activation(conv_bn(x, inp, inp, dw_size, stride, inp), HSWISH)
    if use_se:
        y = se_block(y, inp, 16)
    return P.activation(conv_bn(y, inp, oup), HSWISH)
