"""CSP and backbone blocks as iscyy/yoloair's parse_model binds them: BottleneckCSPF (models/Models/yolor.py, SiLU),
ResXCSPC (models/Models/yolovii.py, YOLOv7's), C3RFEM (models/Models/FaceV2.py), MobileOne
(models/common.py with models/Models/mobileone.py) and the PP-YOLOE stem CSPResNet_CBS
(models/Models/ppyolo.py).

(SPPCSP is in cspx_v4.py.) Channel rules: BottleneckCSPF, ResXCSPC and C3RFEM are C3-like ('csp'); MobileOne
gets [c1, c2, n, *args] and is still built n times; CSPResNet_CBS takes its args as written
and outputs args[1]. Batch norms outside YOLOv5's Conv class stay unfused by fuse().
"""
from __future__ import annotations

from functools import partial
from typing import Sequence

from .. import primitives as P
from .. import shaping as S
from ..channels import RuleContext
from ..errors import ConfigError
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from . import attention_ops as O
from .conv import conv
from .csp import bottleneck, c3_body, repeat
from .sources import YOLOAIR_AT, YOLOY_AT

BLOCKS = "yanalyze.verify.yoloair_blocks_csp"

CSPF_SRC = Provenance(YOLOAIR_AT, "models/Models/yolor.py",
                      "Wang et al., You Only Learn One Representation: Unified Network for Multiple Tasks "
                      "(YOLOR), 2021")
MOBILEONE_SRC = Provenance(YOLOAIR_AT, "models/common.py",
                           "Vasu et al., MobileOne: An Improved One millisecond Mobile Backbone, CVPR 2023")
RFEM_SRC = Provenance(YOLOAIR_AT, "models/Models/FaceV2.py",
                      "Yu et al., YOLO-FaceV2: A Scale and Occlusion Aware Face Detector, 2022")
PPYOLOE_SRC = Provenance(YOLOAIR_AT, "models/Models/ppyolo.py",
                         "Xu et al., PP-YOLOE: An evolved version of YOLO, 2022")
RESX_SRC = Provenance(YOLOAIR_AT, "models/Models/yolovii.py",
                      "Wang et al., YOLOv7: Trainable bag-of-freebies sets new state-of-the-art for real-time "
                      "object detectors, CVPR 2023")
MOBILEONE_SILU_SRC = Provenance(YOLOY_AT, "models/common.py", MOBILEONE_SRC.paper)
SILU = ACTS["SiLU"]


def csp_join(a: T, b: T, act_name: str) -> T:
    """cat(a, b), then a standalone BatchNorm2d and the activation on it."""
    return P.activation(P.batchnorm(P.concat([a, b])), ACTS[act_name])


@register("BottleneckCSPF", channels="csp", torch=f"{BLOCKS}:BottleneckCSPF", source=CSPF_SRC)
def bottleneck_cspf(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1,
                    e: float = 0.5) -> T:
    """BottleneckCSP without cv3: cv1 and n Bottlenecks(h, h, e=1.0) beside a plain 1x1 Conv2d
    of the input; BN + SiLU on the concat; cv4 (1x1) to c2."""
    h = int(c2 * e)
    a = conv(x, c1, h, 1, 1)
    for _ in range(n):
        a = bottleneck(a, h, h, shortcut, g, 1.0)
    return conv(csp_join(a, P.conv2d(x, c1, h, 1), "SiLU"), 2 * h, c2, 1, 1)


def _summed(parts: Sequence[T]) -> T:
    """Python's sum() over tensors: 0 + first (a kernel of its own), then one add per term."""
    total = S.scalar_op(parts[0])
    for t in parts[1:]:
        total = P.add(total, t)
    return total


def mobileone_unit(x: T, c1: int, c2: int, k: int, stride: int, act: str = "ReLU") -> T:
    """Training-form MobileOne block: depth-wise k x 3x3 + 1x1 conv-BN branches (+ BN identity
    when stride 1 and c1 == c2), ReLU; point-wise k x 1x1 conv-BN branches (+ BN identity), ReLU.
    A missing identity is the integer 0, so its sum starts with a scalar add."""
    if k < 1:
        raise shape_error(f"MobileOne needs at least one branch, got k={k}")
    keep = c1 == c2 and stride == 1
    one = P.batchnorm(P.conv2d(x, c1, c1, 1, stride, 0, c1))
    y = P.add(P.batchnorm(x), one) if keep else S.scalar_op(one)
    y = P.add(y, _summed([P.batchnorm(P.conv2d(x, c1, c1, 3, stride, 1, c1)) for _ in range(k)]))
    y = P.activation(y, ACTS[act])
    pw = _summed([P.batchnorm(P.conv2d(y, c1, c2, 1)) for _ in range(k)])
    out = P.add(P.batchnorm(y), pw) if keep else S.scalar_op(pw)
    return P.activation(out, ACTS[act])


def mobileone_channels(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """yoloair's parse_model: c2 = args[0] width-scaled (always), args [c1, c2, n, *rest], and
    the row is still built n times: n MobileOne modules of n blocks each."""
    if not args or isinstance(args[0], bool) or not isinstance(args[0], (int, float)):
        raise ConfigError("MobileOne expects its output channels first", code="parse/args")
    c2 = ctx.scale(args[0])
    return [c1, c2, ctx.n, *args[1:]], c2


@register("MobileOne", channels=mobileone_channels, torch=f"{BLOCKS}:MobileOne", source=MOBILEONE_SRC, variant="relu")
def mobileone(x: T, in_channels: int, out_channels: int, n: int, k: int, stride: int = 1, dilation=1,
              padding_mode: str = "zeros", deploy: bool = False, use_se: bool = False) -> T:
    """n training-form MobileOne blocks (deploy lands in the blocks' dilation, so it changes nothing)."""
    for _ in range(n):
        x = mobileone_unit(x, in_channels, out_channels, k, stride)
    return x


def trident_branch(x: T, c: int, h: int, d: int) -> T:
    """F.conv2d 1x1 (c -> h), BN, SiLU, F.conv2d 3x3 at dilation d (h -> c), BN, += input, SiLU.
    The convolutions are functional (thop counts nothing for them)."""
    y = O.unseen_by_thop(x, lambda t: P.conv2d(t, c, h, 1))
    y = P.activation(P.batchnorm(y), SILU)
    y = P.batchnorm(O.unseen_by_thop(y, lambda t: P.conv2d(t, h, c, 3, 1, d, 1, d)))
    return P.activation(P.add(y, x), SILU)


def rfem(x: T, c: int, e: float) -> T:
    """RFEM: a trident block (three branches sharing their weights and batch norms: parameters
    once, weights read three times), the three outputs and the input summed, BN, SiLU."""
    h = int(c * e)
    parts = [trident_branch(x, c, h, 1)]
    parts += [O.shared(x, partial(trident_branch, c=c, h=h, d=d)) for d in (2, 3)]
    y = P.add(P.add(P.add(parts[0], parts[1]), parts[2]), x)
    return P.activation(P.batchnorm(y), SILU)


@register("C3RFEM", channels="csp", torch=f"{BLOCKS}:C3RFEM", source=RFEM_SRC)
def c3rfem(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, e: float = 0.5) -> T:
    """C3 whose inner blocks are n RFEM(h, h, e=e) (shortcut unused)."""
    return c3_body(x, c1, c2, e, repeat(lambda y: rfem(y, y.c, e), n))


PP_ACTS = {"silu": "SiLU", "relu": "ReLU", "lrelu": "LeakyReLU", "hardsigmoid": "Hardsigmoid"}


def conv_bn_layer(x: T, c1: int, c2: int, k: int, s: int, p: int, act) -> T:
    """PP-YOLOE ConvBNLayer: Conv2d (no bias), BatchNorm2d (not a YOLOv5 Conv: fuse() leaves it),
    activation by name; 'swish' is x.mul_(sigmoid(x)), a sigmoid and a product kernel."""
    y = P.batchnorm(P.conv2d(x, c1, c2, k, s, p))
    if act is None:
        return y
    if act == "swish":
        return S.broadcast(y, P.activation(y, ACTS["Sigmoid"]))
    if act not in PP_ACTS:
        raise shape_error(f"unsupported activation {act!r} (swish, silu, relu, lrelu, hardsigmoid)")
    return P.activation(y, ACTS[PP_ACTS[act]])


def _second_arg_out(c1: int, args: list) -> int:
    if len(args) < 2 or isinstance(args[1], bool) or not isinstance(args[1], int):
        raise ConfigError("CSPResNet_CBS expects [c1, c2, ...] channel counts as written", code="parse/args")
    return args[1]


@register("CSPResNet_CBS", channels="torch", out_channels=_second_arg_out, torch=f"{BLOCKS}:CSPResNet_CBS",
          source=PPYOLOE_SRC)
def cspresnet_cbs(x: T, c1: int = 3, c2: int = 64, use_large_stem: bool = True, act="swish") -> T:
    """PP-YOLOE stem, args as written (c2 = args[1]): 3x3 stride-2 to c2 / 2, then 3x3 to c2 / 2
    and c2 (large), or straight to c2 (small; its first unit always takes 3 channels)."""
    h = c2 // 2
    if use_large_stem:
        y = conv_bn_layer(conv_bn_layer(x, c1, h, 3, 2, 1, act), h, h, 3, 1, 1, act)
        return conv_bn_layer(y, h, c2, 3, 1, 1, act)
    return conv_bn_layer(conv_bn_layer(x, 3, h, 3, 2, 1, act), h, c2, 3, 1, 1, act)


def res_unit(x: T, c1: int, c2: int, shortcut: bool, g: int, e: float) -> T:
    """Convs 1x1, 3x3 (groups g), 1x1; residual when shortcut and c1 == c2."""
    h = int(c2 * e)
    y = conv(conv(conv(x, c1, h, 1, 1), h, h, 3, 1, None, g), h, c2, 1, 1)
    return P.add(x, y) if shortcut and c1 == c2 else y


@register("ResXCSPC", channels="csp", torch=f"{BLOCKS}:ResXCSPC", source=RESX_SRC)
def resxcspc(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 32, e: float = 0.5) -> T:
    """CSP-C: cv1, n ResNeXt units (h, h, g, e=1.0), cv3 (1x1), beside cv2; concat; cv4 to c2.
    The class first builds its parents' inner blocks (Bottleneck(h, h, g) and Res(h, h, g, e=0.5))
    and replaces them, so h and int(h / 2) must both divide by g, or the fork cannot build it."""
    h = int(c2 * e)
    if n and (h % g or int(h * 0.5) % g):
        raise shape_error(f"ResXCSPC with {h} hidden channels and groups={g}: its parent classes build "
                          f"grouped 3x3 convs on {h} and {int(h * 0.5)} channels first, which groups must divide")
    a = conv(x, c1, h, 1, 1)
    for _ in range(n):
        a = res_unit(a, h, h, shortcut, g, 1.0)
    return conv(P.concat([conv(a, h, h, 1, 1), conv(x, c1, h, 1, 1)]), 2 * h, c2, 1, 1)


@register("MobileOne", channels=mobileone_channels, torch=f"{BLOCKS}:MobileOneSiLU", source=MOBILEONE_SILU_SRC,
          variant="silu", default=False)
def mobileone_silu(x: T, in_channels: int, out_channels: int, n: int, k: int, stride: int = 1, dilation=1,
                   padding_mode: str = "zeros", deploy: bool = False, use_se: bool = False) -> T:
    """The same blocks with SiLU in place of ReLU, as a875560134/yoloY writes them."""
    for _ in range(n):
        x = mobileone_unit(x, in_channels, out_channels, k, stride, "SiLU")
    return x
