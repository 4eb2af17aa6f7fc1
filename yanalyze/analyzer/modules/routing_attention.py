"""BiFormer's bi-level routing attention (BiLevelRoutingAttention), kernel by kernel, in the two
published definitions YOLOv5 forks use.

The map is cut into regions; the mean query and key of every region give a region-to-region
affinity, each region keeps its top-k most related regions (torch.topk), gathers their keys
and values (torch.gather) and attends to them token by token; a depth-wise conv on the values
(LePE) is added. The cost is not proportional to pixels: the region count is fixed (n_win per
side), so the gathered keys grow with the map, and YOLOv5's small FLOPs probe is counted as it
runs (a 1x1 map padded to n_win x n_win in the channels-last definition).

- 'nhwc' (default): the original channels-last module (Linear qkv and output projections,
  auto-padding to n_win multiples, the region partitions made by reshapes and permutes whose
  copies are recorded where torch cannot take a view). Its forks' parse_model puts the input
  channels before the row's args and keeps them: `[-1, 1, BiLevelRoutingAttention, []]`.
- 'nchw': the later channels-first module (1x1 convs; the qkv conv called through .forward, so
  thop does not count it; regions of (H // n_win) x (W // n_win) pixels, pooled with ceil
  mode, so a map smaller than n_win has none and YOLOv5's probe fails). Its fork lists it among
  the Conv-like modules: args [c1, c2, ...] make c2 the head count, and it keeps c1 channels.
"""
from __future__ import annotations

from dataclasses import replace
from math import prod

from .. import conventions as C
from .. import primitives as P
from ..channels import RuleContext
from ..errors import ConfigError
from ..model import Shape
from ..registry import Provenance, register
from ..symbolic import T, shape_error
from . import routing_layout as L

BIFORMER = ("Zhu, Wang, Ke, Zhang, Lau, BiFormer: Vision Transformer with Bi-Level Routing Attention, "
            "CVPR 2023")
NHWC_SRC = Provenance("oYoYo-jio/IRSTD-yolov5@4c616816e419", "models/BiFormer.py", BIFORMER)
NCHW_SRC = Provenance("hduwujing/YOLOv5s_final@bb27eeb8a175", "models/common.py", BIFORMER)
BLOCKS = "yanalyze.verify.routing_attention_blocks"


def _regroup(x: T, lay: L.Layout, split: tuple, order: tuple, final: tuple) -> L.Layout:
    """einops' rearrange: a reshape into named axes, a permute, a reshape (each a view or a copy)."""
    return L.reshape(x, L.permute(L.reshape(x, lay, split), order), final)


def _linear(x: T, lay: L.Layout, c_in: int, c_out: int, bias: bool = True, reuse: bool = False) -> L.Layout:
    """nn.Linear on the last axis: one addmm on a contiguous input; otherwise the input folded to
    rows (a copy where no view exists), a product, and the bias added by a kernel of its own."""
    n_in = prod(lay[0])
    n_out = n_in // c_in * c_out
    if L.is_contiguous(lay):
        cost = C.linear(n_in, n_out, c_in, c_out, bias)
    else:
        L.reshape(x, lay, (n_in // c_in, c_in))
        cost = C.linear(n_in, n_out, c_in, c_out, False)
        if bias:
            cost = cost + C.bias_add(n_out, c_out)
    x.trace.record(replace(cost, params=0, params_fused=0) if reuse else cost)
    return L.dense((*lay[0][:-1], c_out))


def _topk(x: T, rows: int, f: int, k: int) -> None:
    """torch.topk over rows of f: priced as k maxima of f elements each, indices written too."""
    if k > f:
        raise shape_error(f"top-{k} routing over {f} regions")
    x.trace.record(C.maxpool(rows * f, rows * k, f) + C.copy(0, rows * k))


def _out(x: T, c: int) -> T:
    """The attended map: the input's size, global context."""
    return T(Shape(c, x.shape.h, x.shape.w), x.fh, x.fw, True, x.trace)


def _lepe(x: T, c: int, hh: int, ww: int, k: int) -> None:
    """The depth-wise k x k conv (bias) on the values as a (c, hh, ww) map; k <= 0: zeros."""
    if k > 0:
        v = T(Shape(c, hh, ww), x.fh, x.fw, x.glob, x.trace)
        y = P.conv2d(v, c, c, k, 1, k // 2, c, 1, True)
        if (y.shape.h, y.shape.w) != (hh, ww):
            raise shape_error(f"side conv of kernel {k} changes the map size; its sum with the attention fails")


@register("BiLevelRoutingAttention", channels="prepend", out_channels=lambda c1, args: c1,
          torch=f"{BLOCKS}:BiLevelRoutingAttention", source=NHWC_SRC, variant="nhwc")
def bra_nhwc(x: T, dim: int, n_win: int = 7, num_heads: int = 8, qk_dim=None, qk_scale=None, kv_per_win: int = 4,
             kv_downsample_ratio: int = 4, kv_downsample_kernel=None, kv_downsample_mode: str = "identity",
             topk: int = 4, param_attention: str = "qkvo", param_routing: bool = False, diff_routing: bool = False,
             soft_routing: bool = False, side_dwconv: int = 3, auto_pad: bool = True) -> T:
    """Channels-last routing attention on n_win x n_win regions (see the module docstring)."""
    c, qk, m, nw = dim, qk_dim or dim, num_heads, n_win
    if x.c != c:
        raise shape_error(f"BiLevelRoutingAttention({c}) on {x.c} channels")
    if not isinstance(nw, int) or nw < 1 or m < 1 or qk % m or c % m:
        raise shape_error(f"BiLevelRoutingAttention: {c} channels (qk {qk}), {m} heads, n_win {nw}")
    if kv_downsample_mode != "identity" or param_attention not in ("qkvo", "qkv"):
        raise shape_error(f"BiLevelRoutingAttention with kv_downsample_mode={kv_downsample_mode!r}, "
                          f"param_attention={param_attention!r} is not modelled")
    if (param_routing and not diff_routing) or (diff_routing and not soft_routing):
        raise shape_error("BiLevelRoutingAttention: this routing setting fails in the module itself")
    rec, hh, ww = x.trace.record, x.shape.h, x.shape.w
    if auto_pad:
        hp, wp = -(-hh // nw) * nw, -(-ww // nw) * nw
        rec(C.copy(x.numel, hp * wp * c))                                  # F.pad (always called)
        # padding makes a new contiguous tensor; padding nothing clones, keeping the strides
        lay = L.dense((1, hp, wp, c)) if (hp, wp) != (hh, ww) else ((1, hh, ww, c), (c * hh * ww, ww, 1, hh * ww))
    else:
        if hh % nw or ww % nw:
            raise shape_error(f"{hh}x{ww} is not a multiple of n_win {nw} (auto_pad off)")
        hp, wp = hh, ww
        lay = ((1, hh, ww, c), (c * hh * ww, ww, 1, hh * ww))              # NCHW read as NHWC
    h, w, p2 = hp // nw, wp // nw, nw * nw
    w2, ckv, dq, dv = h * w, qk + c, qk // m, c // m
    lay = _regroup(x, lay, (1, nw, h, nw, w, c), (0, 1, 3, 2, 4, 5), (1, p2, h, w, c))
    qkv = _linear(x, lay, c, qk + ckv)
    q = _regroup(x, L.split_last(qkv, 0, qk), (1, p2, h, w, qk), (0, 1, 2, 3, 4), (1, p2, w2, qk))
    kv = _regroup(x, L.split_last(qkv, qk, ckv), (1, p2, h, w, ckv), (0, 1, 4, 2, 3), (p2, ckv, h, w))
    _regroup(x, kv, (1, nw, nw, ckv, h, w), (0, 1, 2, 4, 5, 3), (1, p2, w2, ckv))
    rec(C.reduction(p2 * w2 * qk, p2 * qk))                                 # q.mean over the region
    rec(C.reduction(p2 * w2 * qk, p2 * qk))                                 # k.mean over the region
    v = _regroup(x, L.split_last(qkv, 2 * qk, c), (1, nw, nw, h, w, c), (0, 5, 1, 3, 2, 4), (1, c, hp, wp))
    L.contiguous(x, v)
    _lepe(x, c, hp, wp, side_dwconv)
    small = L.dense((1, p2, qk))
    if param_routing:
        _linear(x, small, qk, qk)
        _linear(x, small, qk, qk, reuse=True)
    rec(C.elementwise(p2 * qk, p2 * qk))                                    # * scale
    rec(C.matmul(p2 * p2, qk, p2 * qk, p2 * qk))                            # region affinity
    _topk(x, p2, p2, topk)
    rec(C.softmax(p2 * topk, thop=C.softmax_thop(p2, topk)))
    n_sel = p2 * topk * w2 * ckv
    rec(C.copy(p2 * w2 * ckv + p2 * topk, n_sel))                           # gather
    if soft_routing:
        rec(C.elementwise(n_sel, p2 * topk + n_sel))
    sel = L.dense((1, p2, topk, w2, ckv))
    k_sel = _regroup(x, L.split_last(sel, 0, qk), (1, p2, topk, w2, m, dq), (0, 1, 4, 5, 2, 3),
                     (p2, m, dq, topk * w2))
    v_sel = _regroup(x, L.split_last(sel, qk, c), (1, p2, topk, w2, m, dv), (0, 1, 4, 2, 3, 5),
                     (p2, m, topk * w2, dv))
    q = _regroup(x, q, (1, p2, w2, m, dq), (0, 1, 3, 2, 4), (p2, m, w2, dq))
    rec(C.elementwise(p2 * w2 * qk, p2 * w2 * qk))                          # q * scale
    L.bmm_operand(x, L.like(q), p2 * m)
    L.bmm_operand(x, k_sel, p2 * m)
    scores = p2 * m * w2 * topk * w2
    rec(C.matmul(scores, dq, p2 * w2 * qk, p2 * topk * w2 * qk))
    rec(C.softmax(scores, thop=C.softmax_thop(p2 * m * w2, topk * w2)))
    L.bmm_operand(x, v_sel, p2 * m)
    rec(C.matmul(p2 * w2 * c, topk * w2, scores, p2 * topk * w2 * c))
    out = _regroup(x, L.dense((p2, m, w2, dv)), (1, nw, nw, m, h, w, dv), (0, 1, 4, 2, 5, 3, 6), (1, hp, wp, c))
    n = hp * wp * c
    rec(C.elementwise(n, 2 * n))                                            # + lepe
    out = out if L.is_contiguous(out) else L.like(out)
    if param_attention == "qkvo":
        out = _linear(x, out, c, c)
    if auto_pad and (hp > hh or wp > ww):
        L.contiguous(x, ((1, hh, ww, c), out[1]))                           # crop
    return _out(x, c)


def _nchw_channels(c1: int, args: list, ctx: RuleContext) -> tuple[list, int]:
    """The fork's Conv-like rule (c1 inserted, the first arg width-scaled into c2, which the
    block takes as its head count); the block keeps c1 channels, so a model whose c2 differs
    records channels the next layer does not get, and its fork cannot build it."""
    if not args or isinstance(args[0], bool) or not isinstance(args[0], (int, float)):
        raise ConfigError(f"BiLevelRoutingAttention (nchw) needs a channel count first, got {args}", code="parse/args")
    c2 = int(args[0]) if args[0] == ctx.no else ctx.scale(args[0])
    if c2 != c1:
        raise ConfigError(f"BiLevelRoutingAttention keeps its {c1} input channels; the row asks for {c2}",
                          code="graph/channels")
    return [c1, c2, *args[1:]], c2


@register("BiLevelRoutingAttention", channels=_nchw_channels, torch=f"{BLOCKS}:BiLevelRoutingAttentionNCHW",
          source=NCHW_SRC, variant="nchw", default=False)
def bra_nchw(x: T, dim: int, num_heads: int = 8, n_win: int = 7, qk_scale=None, topk: int = 4,
             side_dwconv: int = 3, auto_pad: bool = False, attn_backend: str = "torch") -> T:
    """Channels-first routing attention on regions of (H // n_win) x (W // n_win) pixels."""
    c, m, nw = dim, num_heads, n_win
    if x.c != c:
        raise shape_error(f"BiLevelRoutingAttention({c}) on {x.c} channels")
    if not isinstance(m, int) or m < 1 or c % m or attn_backend != "torch":
        raise shape_error(f"BiLevelRoutingAttention: {c} channels in {m} heads")
    rec, hh, ww = x.trace.record, x.shape.h, x.shape.w
    rh, rw = hh // nw, ww // nw
    if rh < 1 or rw < 1:
        raise shape_error(f"a {hh}x{ww} map has no {nw} x {nw} regions (region size {rh}x{rw})")
    n = x.numel
    rec(replace(C.conv(n, 3 * n, 3 * c, c, 1, True), thop=0, thop_fused=0))   # qkv conv, via .forward
    gh, gw = -(-hh // rh), -(-ww // rw)
    r = gh * gw
    adds = c * C.window_sum(hh, gh, rh, rh, 0, False) * C.window_sum(ww, gw, rw, rw, 0, False)
    for _ in range(2):                                                       # F.avg_pool2d of q and k
        rec(replace(C.avgpool(n, c * r, rh * rw, adds), thop=0, thop_fused=0))
    rec(C.matmul(r * r, c, c * r, c * r))                                    # region affinity
    _topk(x, r, r, topk)
    hp, wp = gh * rh, gw * rw
    padded = (hp, wp) != (hh, ww)
    for _ in range(3 if padded else 0):
        rec(C.copy(n, c * hp * wp))                                          # q, k, v padded
    d, rs, np_ = c // m, rh * rw, c * hp * wp
    seqs = []
    for _ in range(3):                                                       # to (heads, regions, tokens, d)
        lay = L.permute(L.dense((1, m, d, gh, rh, gw, rw)), (0, 1, 3, 5, 4, 6, 2))
        lay = L.reshape(x, lay, (1, m, r, rh, rw, d))
        seqs.append(L.reshape(x, lay, (1, m, r, rs, d)))
    g = r * topk * rs * c
    rec(C.copy(np_ + r * topk, g))                                           # keys gathered
    rec(C.copy(np_ + r * topk, g))                                           # values gathered
    rec(C.elementwise(np_, np_))                                             # q * scale
    L.bmm_operand(x, L.like(seqs[0]), m * r)
    scores = m * r * rs * topk * rs
    rec(C.matmul(scores, d, np_, g))
    rec(C.softmax(scores))                                                   # torch.softmax
    rec(C.matmul(np_, topk * rs, scores, g))
    lay = L.permute(L.dense((1, m, gh, gw, rh, rw, d)), (0, 1, 6, 2, 4, 3, 5))
    L.reshape(x, lay, (1, c, hp, wp))
    _lepe(x, c, hh, ww, side_dwconv)
    rec(C.elementwise(n, 2 * n))                                             # + lepe(v)
    y = P.conv2d(replace(x, glob=True), c, c, 1, 1, 0, 1, 1, True)           # output conv
    return _out(y, c)
