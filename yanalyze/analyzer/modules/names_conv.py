"""GSConvns: slim-neck's GSConv with its channel shuffle replaced by a 1x1 convolution (the
"normative shuffle") and a ReLU, as the YOLOv5 forks publish it.

Two definitions: Skyler-Luo/YOLOv5-Improved's GSConvns(c1, c2, k, s, g, d, act) always uses the
default activation in its two Convs; HaohuaZu/PD-FasterYOLO's GSConvns(c1, c2, k, s, p, g, d, act)
takes a padding and passes act on (its ReLU is built in the forward, unseen by thop, which counts
nothing for a ReLU anyway). Both parsers apply Conv's channel rule. (iscyy/yoloair's GSConvns
returns a ReLU module instead of a tensor and cannot run; it is not built in.)

Skyler-Luo's VoVGSCSP, built from these GSConvns, is registered here as a further definition of
that name ('gsconvns'); its parser applies Conv's rule to it (no repeat count inserted), so a
row's [c2, False] makes n = False: no GSBottleneck at all, and the row's repeats build that many
whole VoVGSCSP modules in sequence.
"""
from __future__ import annotations

from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import ACTS, T
from .conv import conv
from .csp import repeat

BLOCKS = "yanalyze.verify.names_blocks_csp"
SLIMNECK = "Li et al., Slim-neck by GSConv: A better design paradigm of detector architectures, 2022"
SKYLER = Provenance("Skyler-Luo/YOLOv5-Improved@774462490828", "models/common.py", SLIMNECK)
SLIMNECK_JRTIP = ("Li et al., Slim-neck by GSConv: A lightweight-design for real-time detector architectures, "
                  "J. Real-Time Image Processing 2024")
SKYLER_VOV = Provenance("Skyler-Luo/YOLOv5-Improved@774462490828", "models/common.py", SLIMNECK_JRTIP)
HAOHUAZU = Provenance("HaohuaZu/PD-FasterYOLO@f7b822a4bc85", "models/common.py", SLIMNECK)


def gsconvns_body(x: T, c1: int, c2: int, k, s: int, p, g: int, d: int, act) -> T:
    """Conv to c2 // 2, a 5x5 depth-wise Conv of it, both concatenated, a bias-free 1x1 conv to
    c2, ReLU."""
    h = c2 // 2
    y = conv(x, c1, h, k, s, p, g, d, act)
    y = P.concat([y, conv(y, h, h, 5, 1, p, h, d, act)])
    return P.activation(P.conv2d(y, 2 * h, c2, 1), ACTS["ReLU"])


@register("GSConvns", channels="conv", torch=f"{BLOCKS}:GSConvns", source=SKYLER, variant="no-padding-arg")
def gsconvns(x: T, c1: int, c2: int, k=1, s: int = 1, g: int = 1, d: int = 1, act=True) -> T:
    """GSConvns(c1, c2, k, s, g, d, act): act is ignored (the default activation is used)."""
    return gsconvns_body(x, c1, c2, k, s, None, g, d, True)


@register("GSConvns", channels="conv", torch=f"{BLOCKS}:GSConvnsPadding", source=HAOHUAZU, variant="padding-arg",
          default=False)
def gsconvns_padding(x: T, c1: int, c2: int, k=1, s: int = 1, p=None, g: int = 1, d: int = 1, act=True) -> T:
    """GSConvns(c1, c2, k, s, p, g, d, act): padding and activation passed to both Convs."""
    return gsconvns_body(x, c1, c2, k, s, p, g, d, act)


def gs_bottleneck_ns(x: T, c1: int, c2: int, e: float = 0.5) -> T:
    """GSConvns(c1, int(c2 * e), 1) then GSConvns(.., c2, 3) (its act=False is ignored), plus a
    1x1 Conv shortcut without activation."""
    h = int(c2 * e)
    y = gsconvns(gsconvns(x, c1, h, 1, 1), h, c2, 3, 1)
    return P.add(y, conv(x, c1, c2, 1, 1, None, 1, 1, False))


@register("VoVGSCSP", channels="conv", torch=f"{BLOCKS}:VoVGSCSPns", source=SKYLER_VOV, variant="gsconvns",
          default=False)
def vovgscsp_ns(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """cv1 then n GSBottlenecks of GSConvns (width int(c2 * e), e = 1.0 inside), beside cv2;
    cat(cv2, bottlenecks); cv3 to c2."""
    h = int(c2 * e)
    a = repeat(lambda y: gs_bottleneck_ns(y, h, h, 1.0), n)(conv(x, c1, h, 1, 1), h)
    return conv(P.concat([conv(x, c1, h, 1, 1), a]), 2 * h, c2, 1)
