"""ConvNeXt blocks as yoloair publishes them (Liu et al.): ConvNextBlock (a depthwise 7x7, a layer
norm over the channels, a Linear MLP with GELU, a layer scale, a residual) and CNeB, a C3 whose
inner path is such blocks. The layer norm is F.layer_norm inside the fork's own module class,
which ultralytics-thop does not count (cspx_hornet.functional_layer_norm)."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from .csp import c3_body, repeat
from .cspx_hornet import functional_layer_norm, scaled_by_vector
from .necks import learned
from .sources import YOLOAIR_AT

BLOCKS = "yanalyze.verify.cspx_blocks_convnext"
PAPER = "Liu et al., A ConvNet for the 2020s, CVPR 2022"
CONVNEXT_BLOCK = Provenance(YOLOAIR_AT, "models/Models/muitlbackbone.py", PAPER)
CNEB = Provenance(YOLOAIR_AT, "models/common.py, models/Models/muitlbackbone.py", PAPER)


def convnext_unit(x: T, dim: int, layer_scale: float = 1e-6) -> T:
    """x + gamma * Linear(4 dim -> dim)(GELU(Linear(LN(dwconv7x7(x))))), gamma when layer_scale > 0."""
    if x.c != dim:
        raise shape_error(f"ConvNeXt block of width {dim} gets {x.c} channels")
    y = functional_layer_norm(P.conv2d(x, dim, dim, 7, 1, 3, dim, bias=True), dim)
    y = S.linear(P.activation(S.linear(y, dim, 4 * dim), ACTS["GELU"]), 4 * dim, dim)
    if layer_scale > 0:
        learned(x, dim)
        y = scaled_by_vector(y, dim)
    return P.add(x, y)


@register("ConvNextBlock", channels="csp", torch=f"{BLOCKS}:ConvNextBlock", source=CONVNEXT_BLOCK)
def convnext_block(x: T, c1: int, c2: int, n: int = 1) -> T:
    """One ConvNeXt block of width c1 as yoloair's parser builds the row: c2 lands in drop_path
    (identity in eval) and the repeat count in the layer scale; c2 must equal c1, which the
    parser records as the output."""
    if c2 != c1:
        raise shape_error(f"ConvNextBlock keeps its {c1} channels, but the row asks for {c2}: the fork "
                          f"would record {c2} for the next layer")
    return convnext_unit(x, c1, n)


@register("CNeB", channels="csp", torch=f"{BLOCKS}:CNeB", source=CNEB)
def cneb(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner path is n ConvNeXt blocks of width int(c2 * e) (layer scale 1e-6)."""
    return c3_body(x, c1, c2, e, repeat(lambda y: convnext_unit(y, y.c), n))
