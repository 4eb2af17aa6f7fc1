"""FocalNets' focal modulation, used by YOLOv5 forks in place of SPPF."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..registry import register
from ..symbolic import ACTS, T, shape_error
from .sources import CUSTOM, FOCALNET


@register("FocalModulation", channels="keep", torch=f"{CUSTOM}:FocalModulation", source=FOCALNET)
def focal_modulation(x: T, dim: int, focal_window: int = 3, focal_level: int = 2, focal_factor: int = 2,
                     bias: bool = True, proj_drop: float = 0.0, use_postln_in_modulation: bool = False,
                     normalize_modulator: bool = False) -> T:
    """1x1 f to q, ctx and L+1 gates; L depth-wise convs (kernel focal_factor*l + focal_window)
    with GELU, gated and summed, plus a global term (GELU of the mean over H then W); 1x1 h on
    the sum times q; 1x1 projection. Channels in = out = dim; global context."""
    if use_postln_in_modulation:
        raise shape_error("FocalModulation with use_postln_in_modulation (LayerNorm) is not supported")
    L = focal_level
    q, ctx, gates = S.split(P.conv2d(x, dim, 2 * dim + L + 1, 1, bias=bool(bias)), [dim, dim, L + 1])
    gate = S.split(gates, [1] * (L + 1))
    total = None
    for level in range(L):
        k = focal_factor * level + focal_window
        ctx = P.activation(P.conv2d(ctx, dim, dim, k, 1, k // 2, dim), ACTS["GELU"])
        term = S.broadcast(ctx, gate[level])
        total = S.scalar_op(term) if total is None else P.add(total, term)
    glob = P.activation(S.mean(S.mean(ctx, "h"), "w"), ACTS["GELU"])
    term = S.broadcast(glob, gate[L])
    total = P.add(total, term) if total is not None else term
    if normalize_modulator:
        total = S.scalar_op(total)
    modulator = P.conv2d(total, dim, dim, 1, bias=bool(bias))
    return P.conv2d(S.broadcast(q, modulator), dim, dim, 1, bias=True)
