"""Weighted feature fusion necks from YOLOv5 forks (BiFPN-style): learned, normalised fusion
weights (parameters) times each input, then a sum or a concatenation; multi-input.

BiFPN_Add2 / BiFPN_Add3 / Concat_bifpn end in a 1x1 convolution whose output channel count is
written in the row (args[1], not width-scaled); the forks' parse_model records max(input
channels) for the layer instead, so the two must agree or the fork cannot run the model.
"""
from __future__ import annotations

from dataclasses import replace
from typing import Sequence

from .. import conventions as C
from .. import primitives as P
from ..cost import Cost
from ..errors import ConfigError
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .conv import conv
from .sources import YOLOY_AT

NECKS = "yanalyze.verify.headsx_blocks_necks"
BIFPN_PAPER = "Tan, Pang, Le, EfficientDet: Scalable and Efficient Object Detection, CVPR 2020"
WEED = Provenance("Liudongyun-max/yolov5-7.0-weed-detect@d522e84f716f", "models/common.py", BIFPN_PAPER)
PMSA = Provenance("saneptx/PMSA-YOLO@9c888a01aa75", "models/common.py", BIFPN_PAPER)
UNDERWATER = Provenance("910319491/underwater_YOLOv5@d348ec40a3be", "models/common.py", BIFPN_PAPER)
TRICK = Provenance("xinghanliuying/yolov5-trick@d57d3c7e7d70", "models/common.py", BIFPN_PAPER)
YOLOY = Provenance(YOLOY_AT, "models/common.py", BIFPN_PAPER)


# ----------------------------------------------------------------------------- primitives of this family
def weights_read(c: Cost, n: int) -> Cost:
    """The same kernel with n of the elements it reads being parameters (a learned weight
    vector), which memory access counts as weights, not activations."""
    return replace(c, act=c.act - n, weights=c.weights + n, act_fused=c.act_fused - n,
                   weights_fused=c.weights_fused + n)


def learned(x: T, k: int) -> None:
    """k learned fusion weights (parameters; nothing folds them)."""
    x.trace.record(C.op(params=k))


def normalised_weights(x: T, k: int) -> None:
    """w / (w.sum(0) + eps) on a parameter vector of k weights: sum, add, divide."""
    x.trace.record(weights_read(C.reduction(k, 1), k))
    x.trace.record(C.elementwise(1, 1))
    x.trace.record(weights_read(C.elementwise(k, k + 1), k))


def softmax_weights(x: T, k: int) -> None:
    """torch.softmax(w, 0) * 2 on a parameter vector of k weights."""
    x.trace.record(weights_read(C.softmax(k), k))
    x.trace.record(C.elementwise(k, k))


def scaled(x: T) -> T:
    """A map times one element of a weight tensor (a 0-d tensor: one element read)."""
    x.trace.record(C.elementwise(x.numel, x.numel + 1))
    return x


def weighted_sum(xs: Sequence[T]) -> T:
    """weight[0] * x[0] + weight[1] * x[1] (+ weight[2] * x[2]), left to right."""
    y = scaled(xs[0])
    for x in xs[1:]:
        y = P.add(y, scaled(x))
    return y


def written_out_channels(c1: int, args: list, ctx: object) -> tuple[list, int]:
    """[c1, c2] as written (not width-scaled); the layer outputs c2 = args[1]."""
    if len(args) < 2 or any(isinstance(a, bool) or not isinstance(a, int) or a < 1 for a in args[:2]):
        raise ConfigError(f"expects [c1, c2] channel counts as written, got {args!r}", code="parse/args")
    return list(args), args[1]


def check_recorded(xs: Sequence[T], c2: int) -> None:
    """The forks record max(input channels) as the layer's channels: it must be the conv's c2."""
    recorded = max(x.c for x in xs)
    if recorded != c2:
        raise shape_error(f"outputs {c2} channels but the fork's parse_model records max(input channels) "
                          f"= {recorded} for this layer, so its next layers could not run")


# ----------------------------------------------------------------------------- BiFPN_Add2 / BiFPN_Add3
def _add_fusion(xs: Sequence[T], c1: int, c2: int, k: int) -> T:
    if len(xs) != k:
        raise shape_error(f"takes {k} inputs, 'from' lists {len(xs)}")
    check_recorded(xs, c2)
    learned(xs[0], k)
    normalised_weights(xs[0], k)
    y = P.activation(weighted_sum(xs), ACTS["SiLU"])
    return P.conv2d(y, c1, c2, 1, 1, 0, bias=True)


@register("BiFPN_Add2", channels=written_out_channels, multi_input=True, torch=f"{NECKS}:BiFPN_Add2",
          source=WEED)
def bifpn_add2(xs: Sequence[T], c1: int, c2: int) -> T:
    """Two inputs: w normalised by its sum, weighted sum, SiLU, Conv2d(c1, c2, 1) with bias."""
    return _add_fusion(xs, c1, c2, 2)


@register("BiFPN_Add3", channels=written_out_channels, multi_input=True, torch=f"{NECKS}:BiFPN_Add3",
          source=WEED, variant="weighted-sum")
def bifpn_add3(xs: Sequence[T], c1: int, c2: int) -> T:
    """Three inputs: three weights normalised by their sum, weighted sum, SiLU, Conv2d 1x1 with bias."""
    return _add_fusion(xs, c1, c2, 3)


@register("BiFPN_Add3", channels=written_out_channels, multi_input=True, torch=f"{NECKS}:BiFPN_Add3_cat",
          source=PMSA, variant="concat-softmax", default=False)
def bifpn_add3_cat(xs: Sequence[T], c1: int, c2: int) -> T:
    """Two weights (softmax, times 2): the first two inputs concatenated and weighted, plus the
    weighted third; SiLU, Conv2d 1x1 with bias."""
    if len(xs) != 3:
        raise shape_error(f"takes 3 inputs, 'from' lists {len(xs)}")
    check_recorded(xs, c2)
    learned(xs[0], 2)
    softmax_weights(xs[0], 2)
    y = P.activation(P.add(scaled(P.concat(xs[:2])), scaled(xs[2])), ACTS["SiLU"])
    return P.conv2d(y, c1, c2, 1, 1, 0, bias=True)


# ----------------------------------------------------------------------------- BiFPN_Concat2 / BiFPN_Concat3
def _concat_fusion(xs: Sequence[T], dimension: int, k: int) -> T:
    if len(xs) != k:
        raise shape_error(f"takes {k} inputs, 'from' lists {len(xs)}")
    if dimension != 1:
        raise shape_error(f"only concatenation on channels (dimension 1) is supported, got {dimension!r}")
    learned(xs[0], k)
    normalised_weights(xs[0], k)
    return P.concat([scaled(x) for x in xs])


@register("BiFPN_Concat2", channels="concat", multi_input=True, torch=f"{NECKS}:BiFPN_Concat2", source=UNDERWATER)
def bifpn_concat2(xs: Sequence[T], dimension: int = 1) -> T:
    """Two inputs, each times its normalised learned weight, concatenated on channels."""
    return _concat_fusion(xs, dimension, 2)


@register("BiFPN_Concat3", channels="concat", multi_input=True, torch=f"{NECKS}:BiFPN_Concat3", source=UNDERWATER)
def bifpn_concat3(xs: Sequence[T], dimension: int = 1) -> T:
    """Three inputs, each times its normalised learned weight, concatenated on channels."""
    return _concat_fusion(xs, dimension, 3)


# ----------------------------------------------------------------------------- Concat_bifpn
def _concat_bifpn(xs: Sequence[T], c1: int, c2: int, act: str) -> T:
    if len(xs) not in (2, 3):
        raise shape_error(f"fuses 2 or 3 inputs, 'from' lists {len(xs)}")
    check_recorded(xs, c2)
    normalised_weights(xs[0], len(xs))
    y = P.activation(weighted_sum(xs), ACTS[act])
    return conv(y, c1, c2, 1, 1, 0)


@register("Concat_bifpn", channels=written_out_channels, multi_input=True, torch=f"{NECKS}:Concat_bifpn",
          source=TRICK, variant="relu")
def concat_bifpn(xs: Sequence[T], c1: int, c2: int) -> T:
    """2 or 3 inputs: weights (2 and 3 held, one set used) normalised by their sum, weighted
    sum, ReLU, then Conv(c1, c2, 1) (BN, the default activation)."""
    learned(xs[0], 5)
    return _concat_bifpn(xs, c1, c2, "ReLU")


@register("Concat_bifpn", channels=written_out_channels, multi_input=True, torch=f"{NECKS}:Concat_bifpn_silu",
          source=YOLOY, variant="silu", default=False)
def concat_bifpn_silu(xs: Sequence[T], c1: int, c2: int) -> T:
    """As the ReLU definition, with SiLU after the weighted sum."""
    learned(xs[0], 5)
    return _concat_bifpn(xs, c1, c2, "SiLU")
