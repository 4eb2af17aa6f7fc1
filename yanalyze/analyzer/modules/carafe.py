"""CARAFE content-aware upsampling (Wang et al., CARAFE: Content-Aware ReAssembly of FEatures,
ICCV 2019) as YOLOv5 forks publish it.

The common YOLOv5 form predicts, per source pixel, s*s reassembly kernels of k x k taps: a 1x1
squeeze to c1/4 channels, a k x k encoder to s^2 k^2 channels, a pixel shuffle (a copy) and a
softmax over the k^2 taps. The k x k neighbourhoods of the zero-padded input (unfold: a view,
then a reshape that copies unless the map is one pixel wide) are multiplied by the kernels
(one batched matrix product per pixel: c x k^2 by k^2 x s^2), pixel-shuffled up (a copy) and
mixed by a 1x1 conv. Every output sees the k x k window around its source pixel.
"""
from __future__ import annotations

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from .conv import conv
from .sources import YOLOY_AT

PAPER = "Wang et al., CARAFE: Content-Aware ReAssembly of FEatures, ICCV 2019"
UNFOLD_MATMUL = Provenance("xinghanliuying/yolov5-trick@d57d3c7e7d70", "models/common.py", PAPER)
KEEP = Provenance("pleb631/yolov5-advanced@d546f6329134", "models/extra_module/block.py", PAPER)
FIXED_K3 = Provenance(YOLOY_AT, "models/common.py", PAPER)
BLOCKS = "yanalyze.verify.carafe_blocks"


def softmax_channels(x: T) -> T:
    """F.softmax(x, dim=1) as a function (thop sees no module): 3 FLOPs per element."""
    x.trace.record(C.softmax(x.numel))
    return x


def reshape_windows(x: T, narrow: bool) -> T:
    """Merging the two window axes of an unfolded map: a copy, a view when the map is one pixel
    wide (its strides then merge)."""
    return x if narrow else S.contiguous(x)


def reassemble(x: T, c2: int, k: int, s: int) -> T:
    """The unfold-matmul CARAFE with a k x k encoder and k x k reassembly, upsampling by s."""
    c1, w = x.c, x.shape.w
    if k < 1 or k % 2 == 0 or s < 1:
        raise shape_error(f"CARAFE needs an odd kernel size and a positive factor, got k={k}, s={s}")
    if c1 < 4:
        raise shape_error(f"CARAFE squeezes {c1} channels to {c1} // 4 = 0")
    kernels = P.conv2d(P.conv2d(x, c1, c1 // 4, 1, bias=True), c1 // 4, s * s * k * k, k, 1, k // 2, bias=True)
    kernels = softmax_channels(P.depth_to_space(kernels, s))
    # back to one row of s*s kernels per source pixel (unfold by s with step s, reshape)
    kernels = reshape_windows(P.window(kernels, s * s * k * k, s, s, 0, 1, "unfold"), w == 1)
    patches = reshape_windows(P.window(P.pad(x, k // 2, k // 2, k // 2, k // 2), c1 * k * k, k, 1, 0, 1, "unfold"),
                              w == 1)
    y = P.join([patches, kernels], c1 * s * s, "CARAFE reassembly")
    x.trace.record(C.matmul(y.numel, k * k, patches.numel, kernels.numel))
    return P.conv2d(P.depth_to_space(y, s), c1, c2, 1, bias=True)


@register("CARAFE", channels="conv", torch=f"{BLOCKS}:CARAFE", source=UNFOLD_MATMUL, variant="unfold-matmul")
def carafe(x: T, c1: int, c2: int, kernel_size: int = 3, up_factor: int = 2) -> T:
    """CARAFE(c1, c2, kernel_size, up_factor): convs with bias, reassembly kernel = encoder kernel
    = kernel_size (xinghanliuying/yolov5-trick, iscyy/yoloair, wandahangFY/MLCA, GY-monkey/LMSD-YOLO,
    positive666/yolo_research agree)."""
    if x.c != c1:
        raise shape_error(f"CARAFE({c1}, ...) on {x.c} channels")
    return reassemble(x, c2, kernel_size, up_factor)


@register("CARAFE", channels="conv", torch=f"{BLOCKS}:CARAFEFixed", source=FIXED_K3, variant="fixed-k3-x2",
          default=False)
def carafe_fixed(x: T, c1: int, c2: int, kernel_size: int = 5, up_factor: int = 2) -> T:
    """The copy that ignores its kernel_size and up_factor arguments: always 3 x 3, factor 2."""
    if x.c != c1:
        raise shape_error(f"CARAFE({c1}, ...) on {x.c} channels")
    return reassemble(x, c2, 3, 2)


@register("CARAFE", channels="prepend", torch=f"{BLOCKS}:CARAFEKeep", source=KEEP, variant="keep-channels",
          default=False)
def carafe_keep(x: T, c: int, k_enc: int = 3, k_up: int = 5, c_mid: int = 64, scale: int = 2) -> T:
    """CARAFE(c, k_enc, k_up, c_mid, scale) keeping its c channels (the fork's parser puts the input
    channels before the row's args): YOLOv5 Conv 1x1 to c_mid, Conv k_enc x k_enc without act to
    (scale k_up)^2, pixel shuffle, softmax over the k_up^2 taps; the input upsampled (nearest),
    unfolded by a k_up x k_up window dilated by scale (im2col, a copy), weighted and summed by one
    einsum (one batched product; thop counts two-operand einsums)."""
    if x.c != c:
        raise shape_error(f"CARAFE({c}) on {x.c} channels")
    if k_up < 1 or k_up % 2 == 0 or scale < 1:
        raise shape_error(f"CARAFE needs an odd k_up and a positive scale, got k_up={k_up}, scale={scale}")
    kernels = conv(conv(x, c, c_mid, 1), c_mid, (scale * k_up) ** 2, k_enc, act=False)
    kernels = softmax_channels(P.depth_to_space(kernels, scale))
    up = P.upsample(x, scale)
    patches = P.window(up, c * k_up * k_up, k_up, 1, k_up // 2 * scale, scale, "unfold")
    x.trace.record(C.copy(up.numel, patches.numel))
    y = P.join([patches, kernels], c, "CARAFE reassembly")
    x.trace.record(C.matmul(y.numel, k_up * k_up, patches.numel, kernels.numel))
    return y
