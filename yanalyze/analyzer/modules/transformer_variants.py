"""Other published definitions of C3TR: YOLOv5's C3 and TransformerBlock around a transformer
layer that normalises.

'layernorm' (a875560134/yoloY): LayerNorm before the q/k/v projections and again before the
two c->c Linear layers; the second residual adds the normalised tokens.
'tph' (Gumpest/YOLOv5-Multibackbone-Compression, the TPH-YOLOv5 layer): pre-norm attention and
a pre-norm MLP c -> 4c -> c with ReLU (dropout is inference-free), each with its residual.
"""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..registry import Provenance, register
from ..symbolic import ACTS, T
from .csp import c3_body
from .transformer import multihead_attention, transformer_block
from .sources import GUMPEST_AT, YOLOY_AT

BLOCKS = "yanalyze.verify.transformer_blocks_variants"
VIT = "Dosovitskiy et al., An Image is Worth 16x16 Words: Transformers for Image Recognition at Scale, ICLR 2021"
TPH = ("Zhu et al., TPH-YOLOv5: Improved YOLOv5 Based on Transformer Prediction Head for Object Detection "
       "on Drone-captured Scenarios, ICCV Workshops 2021")
YOLOY_C3TR = Provenance(YOLOY_AT, "models/common.py", VIT)
TPH_C3TR = Provenance(GUMPEST_AT, "models/common.py", TPH)


def attention(x: T, c: int, heads: int) -> T:
    """Bias-free q, k, v Linear layers on the same tokens, then nn.MultiheadAttention."""
    return multihead_attention(S.linear(x, c, c, False), S.linear(x, c, c, False), S.linear(x, c, c, False),
                               c, heads)


def layernorm_layer(x: T, c: int, heads: int) -> T:
    """y = attn(LN1 x) + x; z = LN2 y; fc2(fc1 z) + z."""
    x = P.add(attention(P.layer_norm(x, c), c, heads), x)
    z = P.layer_norm(x, c)
    return P.add(S.linear(S.linear(z, c, c, False), c, c, False), z)


def tph_layer(x: T, c: int, heads: int) -> T:
    """y = attn(LN1 x) + x; fc2(ReLU(fc1(LN2 y))) + y, fc1 widening to 4c."""
    x = P.add(attention(P.layer_norm(x, c), c, heads), x)
    h = P.activation(S.linear(P.layer_norm(x, c), c, 4 * c, False), ACTS["ReLU"])
    return P.add(S.linear(h, 4 * c, c, False), x)


@register("C3TR", channels="csp", torch=f"{BLOCKS}:C3TRLayerNorm", source=YOLOY_C3TR, variant="layernorm",
          default=False)
def c3tr_layernorm(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 around TransformerBlock(h, h, 4 heads, n layers) of pre-norm layers with c->c MLP."""
    return c3_body(x, c1, c2, e, lambda y, h: transformer_block(y, h, h, 4, n, layernorm_layer))


@register("C3TR", channels="csp", torch=f"{BLOCKS}:C3TRTph", source=TPH_C3TR, variant="tph", default=False)
def c3tr_tph(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 around TransformerBlock(h, h, 4 heads, n layers) of TPH-YOLOv5's pre-norm layers."""
    return c3_body(x, c1, c2, e, lambda y, h: transformer_block(y, h, h, 4, n, tph_layer))
