"""NAM, shuffle attention and selective-kernel attention as YOLOv5 forks publish them
(iscyy/yoloair's attention collection)."""
from __future__ import annotations

from .. import primitives as P
from .. import shaping as S
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import ACTS, T, shape_error
from . import attention_ops as O
from .attention_coord import batched
from .sources import YOLOAIR_AT, YOLOY_AT

BLOCKS = "yanalyze.verify.attention_blocks_misc"
NAM = Provenance(YOLOAIR_AT, "models/Models/Attention/NAMAttention.py",
                 "Liu et al., NAM: Normalization-based Attention Module, NeurIPS 2021 Workshop (ImageNet PPF)")
SA = Provenance(YOLOAIR_AT, "models/Models/Attention/ShuffleAttention.py",
                "Zhang and Yang, SA-Net: Shuffle Attention for Deep Convolutional Neural Networks, ICASSP 2021")
SK_PAPER = "Li et al., Selective Kernel Networks, CVPR 2019"
SK = Provenance(YOLOAIR_AT, "models/Models/Attention/SKAttention.py", SK_PAPER)
SK_SILU = Provenance(YOLOY_AT, "models/common.py", SK_PAPER)


@register("NAMAttention", channels="conv", torch=f"{BLOCKS}:NAMAttention", source=NAM)
def nam_attention(x: T, channels: int, out_channels=None, no_spatial: bool = True) -> T:
    """NAM's channel attention: BatchNorm2d, each channel scaled by |gamma| / sum |gamma| (the
    weight vector computed at every call), Sigmoid, times the input; the map is permuted to
    channels-last and back around the scaling (two copies)."""
    if x.c != channels:
        raise shape_error(f"NAMAttention({channels}) on {x.c} channels")
    y = P.batchnorm(x)
    gamma = T(Shape(channels, 1, 1), x.fh, x.fw, False, x.trace)
    scale = S.broadcast(O.abs_of_parameter(gamma), O.channel_mean(O.abs_of_parameter(gamma)))  # |g| / sum |g|
    y = S.contiguous(S.broadcast(S.contiguous(y), scale))                  # channels-last and back
    return S.broadcast(P.activation(y, ACTS["Sigmoid"]), x)


def _shuffle_group(x: T) -> T:
    """One group of shuffle attention: half the channels gated by their own global average
    (scaled and shifted by parameters), the other half by their GroupNorm (scaled and shifted),
    concatenated."""
    half = x.c // 2
    a, b = S.split(x, [half, half])
    ca = P.activation(O.param_affine(S.adaptive_avgpool(a, 1), half), ACTS["Sigmoid"])
    # the second half of a chunk is not contiguous in the batch of groups: GroupNorm copies it first
    sb = P.activation(O.param_affine(P.group_norm(S.contiguous(b), half), half), ACTS["Sigmoid"])
    return P.concat([S.broadcast(a, ca), S.broadcast(b, sb)])


@register("ShuffleAttention", channels="keep", torch=f"{BLOCKS}:ShuffleAttention", source=SA)
def shuffle_attention(x: T, channel: int = 512, reduction: int = 16, G: int = 8) -> T:
    """Shuffle attention over G channel groups, then a channel shuffle of 2 (a copy)."""
    if x.c != channel or channel % (2 * G):
        raise shape_error(f"ShuffleAttention({channel}, G={G}) on {x.c} channels: it needs 2G to divide them")
    return S.contiguous(batched(x, G, _shuffle_group))


def sk_body(x: T, channel: int, kernels, reduction: int, group: int, L: int, act: str) -> T:
    """Selective kernels: one conv (with bias) + BN + act branch per kernel size, stacked and
    summed; the sum's global mean through Linear(c, d) and one Linear(d, c) per branch,
    softmax across branches, the branches weighted and summed. d = max(L, c // reduction)."""
    if x.c != channel:
        raise shape_error(f"SKAttention({channel}) on {x.c} channels")
    ks = list(kernels) if isinstance(kernels, (list, tuple)) else [kernels]
    d = max(L, channel // reduction)
    outs = [P.activation(P.batchnorm(P.conv2d(x, channel, channel, k, 1, k // 2, group, bias=True)), ACTS[act])
            for k in ks]
    feats = P.concat(outs)                                               # torch.stack
    u = S.scalar_op(outs[0])                                             # sum() starts from 0
    for o in outs[1:]:
        u = P.add(u, o)
    z = S.linear(S.mean(S.mean(u, "w"), "h"), channel, d, True)
    att = O.softmax_over(P.concat([S.linear(z, d, channel, True) for _ in ks]), channel, len(ks))
    return O.sum_stacked(S.broadcast(att, feats), len(ks))


@register("SKAttention", channels="keep", torch=f"{BLOCKS}:SKAttention", source=SK, variant="relu-4-kernels")
def sk_attention(x: T, channel: int = 512, kernels=(1, 3, 5, 7), reduction: int = 16, group: int = 1,
                 L: int = 32) -> T:
    """External-attention's SKAttention: kernels 1, 3, 5, 7, ReLU, reduction 16."""
    return sk_body(x, channel, kernels, reduction, group, L, "ReLU")


@register("SKAttention", channels="keep", torch=f"{BLOCKS}:SKAttentionSiLU", source=SK_SILU,
          variant="silu-5-kernels", default=False)
def sk_attention_silu(x: T, channel: int = 1024, kernels=None, reduction: int = 8, group: int = 1,
                      L: int = 32) -> T:
    """The same block with kernels 1, 3, 5, 7, 9 by default, SiLU and reduction 8."""
    return sk_body(x, channel, [1, 3, 5, 7, 9] if kernels is None else kernels, reduction, group, L, "SiLU")
