"""torchvision's ResNet-50 cut into three stages, as RFENet's YOLOv5 fork wraps it: resnet501 (stem,
max-pool, layer1 and layer2: 3 -> 512 channels, stride 8), resnet502 (layer3: 512 -> 1024, stride 2)
and resnet503 (layer4: 1024 -> 2048, stride 2). The batch norms are torchvision's own, not a
YOLOv5 Conv's, so model.fuse() leaves them; the ReLUs run in place (one kernel each)."""
from __future__ import annotations

from .. import primitives as P
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error

BLOCKS = "yanalyze.verify.backbone_blocks_tv"
RELU = ACTS["ReLU"]
RFENET = Provenance("object9detection/RFENet@f405a2b00ee7", "models/common.py",
                    "He et al., Deep Residual Learning for Image Recognition, CVPR 2016")


def conv_bn(x: T, c1: int, c2: int, k: int, s: int, p: int, relu: bool) -> T:
    """torchvision's conv (no bias) and BatchNorm2d, ReLU after when asked."""
    y = P.batchnorm(P.conv2d(x, c1, c2, k, s, p))
    return P.activation(y, RELU) if relu else y


def tv_bottleneck(x: T, c1: int, width: int, s: int) -> T:
    """torchvision Bottleneck (stride on the 3x3): 1x1, 3x3, 1x1 to 4 x width; a strided 1x1 + BN
    projection on the first block of a stage; add, ReLU."""
    c2 = 4 * width
    y = conv_bn(conv_bn(x, c1, width, 1, 1, 0, True), width, width, 3, s, 1, True)
    y = conv_bn(y, width, c2, 1, 1, 0, False)
    sc = conv_bn(x, c1, c2, 1, s, 0, False) if s != 1 or c1 != c2 else x
    return P.activation(P.add(y, sc), RELU)


def tv_stage(x: T, c1: int, width: int, blocks: int, s: int) -> T:
    x = tv_bottleneck(x, c1, width, s)
    for _ in range(blocks - 1):
        x = tv_bottleneck(x, 4 * width, width, 1)
    return x


def _as_written(c1: int, args: list, ctx: object) -> tuple[list, int]:
    """The fork's parse_model: c2 = args[0] as written (no width scaling), args unchanged."""
    if not args or isinstance(args[0], bool) or not isinstance(args[0], int):
        raise shape_error(f"the ResNet-50 stage takes its output channels as its one argument, got {args!r}")
    return list(args), args[0]


def _check(x: T, c_in: int, c_out: int, written: int, name: str) -> None:
    if x.c != c_in:
        raise shape_error(f"{name} is torchvision's ResNet-50 cut at a fixed place: it takes {c_in} channels, "
                          f"gets {x.c}")
    if written != c_out:
        raise shape_error(f"{name} gives {c_out} channels; the row says {written}, which the fork's parser "
                          f"would record for the next layer")


@register("resnet501", channels=_as_written, torch=f"{BLOCKS}:resnet501", source=RFENET)
def resnet501(x: T, ignore: int = 512) -> T:
    """Stem (7x7 stride-2 conv, BN, ReLU, 3x3 stride-2 max-pool), layer1 (3 bottlenecks, width 64)
    and layer2 (4 bottlenecks, width 128, stride 2): 3 -> 512 channels."""
    _check(x, 3, 512, ignore, "resnet501")
    y = P.maxpool(conv_bn(x, 3, 64, 7, 2, 3, True), 3, 2, 1)
    return tv_stage(tv_stage(y, 64, 64, 3, 1), 256, 128, 4, 2)


@register("resnet502", channels=_as_written, torch=f"{BLOCKS}:resnet502", source=RFENET)
def resnet502(x: T, ignore: int = 1024) -> T:
    """layer3: 6 bottlenecks of width 256, the first with stride 2: 512 -> 1024 channels."""
    _check(x, 512, 1024, ignore, "resnet502")
    return tv_stage(x, 512, 256, 6, 2)


@register("resnet503", channels=_as_written, torch=f"{BLOCKS}:resnet503", source=RFENET)
def resnet503(x: T, ignore: int = 2048) -> T:
    """layer4: 3 bottlenecks of width 512, the first with stride 2: 1024 -> 2048 channels."""
    _check(x, 1024, 2048, ignore, "resnet503")
    return tv_stage(x, 1024, 512, 3, 2)
