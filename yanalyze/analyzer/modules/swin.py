"""Swin-transformer layers as YOLOv5 forks run them, kernel by kernel, and C3STR (a C3 whose
inner block is a stack of them).

A layer pads the map to window multiples, normalizes every position, cyclically shifts it on
odd layers, attends within non-overlapping ws x ws windows (with a learned relative position
bias per head, and on shifted layers an attention mask the forward rebuilds on every call),
shifts back, crops, and runs a two-layer MLP; both with residual adds. Attention inside a
window is not proportional to pixels: padding and window count set its cost, so the probe
YOLOv5 prints GFLOPs from (a 1x1 map padded to 8x8) is counted exactly as it runs.

Two published definitions differ in more than constants (see each layer's docstring):
'silu' (qkv bias, SiLU MLP, norm after padding, mask built on the host only on shifted
layers) and 'gelu' (no qkv bias, GELU MLP, norm before padding, mask built on every layer).
"""
from __future__ import annotations

from dataclasses import replace
from typing import Callable

from .. import conventions as C
from .. import primitives as P
from .. import shaping as S
from ..field import AxisField
from ..registry import register
from ..symbolic import ACTS, Act, T, shape_error
from .csp import c3_body
from .cspx_ops import copy, gather, index_put, retype
from .cspx_sources import C3STR_GELU, C3STR_RASTER, C3STR_SILU, SWIN_BLOCKS, SWIN_STAGE

WINDOW = 8  # both forks' SwinTransformerBlock default


def _ceil_to(n: int, m: int) -> int:
    return -(-n // m) * m


def window_field(f: AxisField, ws: int, shift: int) -> AxisField:
    """Attention within windows of ws positions starting at 0 (shift 0) or at shift (a cyclic
    shift by -shift before partitioning): position i sees the ws positions of its window. The
    wrapped windows' mask keeps the far side out, as zero padding is for a convolution."""
    if not shift:
        return f.window(ws, ws, 0).upsample(ws)
    q = ws - shift
    return f.window(ws, ws, q).upsample(ws).window(1, 1, -q)


def window_attention(x: T, c: int, heads: int, ws: int, qkv_bias: bool, shift: int, packed: bool = False) -> T:
    """WindowAttention on a (c, Hp, Wp) map partitioned into windows of N = ws*ws tokens: qkv
    Linear, q scaled, q k^T per head, the gathered relative position bias added (and the mask
    on shifted layers), softmax (nn.Softmax: thop counts it), weights @ v, heads merged, proj.
    With more than one head, q, k and v are laid out for the batched products (packed: the
    permuted qkv is made contiguous once instead, whatever the heads) and the merged heads
    copied back (torch's reshape cannot view them); so is the bias table's permute."""
    if heads < 1 or c % heads:
        raise shape_error(f"window attention over {c} channels with {heads} heads")
    n, N = x.numel, ws * ws
    windows = x.shape.h * x.shape.w // N
    scores, per_head = heads * windows * N * N, heads * N * N
    multi, masked = heads > 1, shift > 0
    rec = x.trace.record
    qkv = S.linear(x, c, 3 * c, qkv_bias)
    if packed:
        rec(C.copy(3 * n, 3 * n))                               # permute(2, 0, 3, 1, 4).contiguous()
    rec(C.elementwise(n, n))                                    # q * scale
    for _ in range(2 if multi and not packed else 0):
        rec(C.copy(n, n))                                       # q, k laid out for bmm
    rec(C.matmul(scores, c // heads, n, n))                     # q @ k^T
    gather(x, (2 * ws - 1) ** 2 * heads, N * N, per_head)       # relative position bias
    if multi:
        rec(C.copy(per_head, per_head))                         # bias permuted to heads first
    rec(C.elementwise(scores, scores + per_head))               # + bias
    if masked:
        rec(C.elementwise(scores, scores + windows * N * N))    # + mask
    rec(C.softmax(scores, thop=C.softmax_thop(heads * windows * N, N)))
    if multi and not packed:
        rec(C.copy(n, n))                                       # v laid out for bmm
    rec(C.matmul(n, N, scores, n))                              # weights @ v
    if multi:
        rec(C.copy(n, n))                                       # heads merged into tokens
    y = S.linear(retype(qkv, c, x.shape.h, x.shape.w), c, c, True)
    return replace(y, fh=window_field(x.fh, ws, shift), fw=window_field(x.fw, ws, shift))


def shift_mask(x: T, rows: int, cols: int, ws: int, shift: int, *, index_rows: bool, host: bool,
               tensor_value: bool, partition: bool = True) -> None:
    """The SW-MSA mask the forward builds for a rows x cols padded map: region ids written into
    a zero map, 3 x 3 slices (on the host a fill, free; on the device a copy of a 0-d value;
    index_rows: the first row 'slice' is the tuple (0, -ws), an indexed write of 2 rows),
    partitioned into windows (a copy unless one window spans the width), pairwise
    differences, != 0 and == 0 with two masked_fills (tensor_value: filled from 0-d tensors);
    host: built on the CPU and copied to the model's device."""
    N = ws * ws
    windows = rows * cols // N
    m = windows * N * N
    rec = x.trace.record
    parts = (slice(0, -ws), slice(-ws, -shift), slice(-shift, None))
    for k, r in enumerate(parts):
        for part in parts:
            width = len(range(cols)[part])
            if k == 0 and index_rows:
                index_put(x, 2 + 1, 2 * width)
            elif not host:
                rec(C.copy(1, len(range(rows)[r]) * width))
    if cols > ws and partition:
        rec(C.copy(rows * cols, rows * cols))
    value = 1 if tensor_value else 0               # masked_fill(..., torch.tensor(v)) reads v
    rec(C.elementwise(m, 2 * windows * N))         # ids[:, None] - ids[:, :, None]
    rec(C.elementwise(m, m))                       # != 0
    rec(C.elementwise(m, 2 * m + value))           # masked_fill(-100)
    rec(C.elementwise(m, m))                       # == 0
    rec(C.elementwise(m, 2 * m + value))           # masked_fill(0)
    if host:
        rec(C.copy(m, m))                          # .to(x.device)


def mlp(x: T, c: int, hidden: int, act: Act) -> T:
    """fc1 (bias), activation, fc2 (bias); dropout is inference-free."""
    return S.linear(P.activation(S.linear(x, c, hidden, True), act), hidden, c, True)


def swin_layer_silu(x: T, c: int, heads: int, ws: int = WINDOW, shift: int = 0, mlp_ratio: float = 4.0,
                    raster: bool = False) -> T:
    """RDD-YOLOv5 / Tao-GCPD SwinTransformerLayer: pad right and bottom to window multiples,
    permute to tokens, (mask), LayerNorm, (roll), partition, attention with qkv bias,
    reverse, (roll back), residual; LayerNorm, MLP with SiLU, residual; permute back and crop
    (a view). raster: the partition is a plain reshape (no copy), so a 'window' is ws*ws
    consecutive tokens in row-major order, scattered back by a true window reverse; the
    analyzer does not follow that mixing and marks the output global."""
    h0, w0 = x.shape.h, x.shape.w
    hp, wp = _ceil_to(h0, ws), _ceil_to(w0, ws)
    if (hp, wp) != (h0, w0):
        x = P.pad(x, 0, wp - w0, 0, hp - h0)
    x = copy(x)                                    # permute(0, 2, 3, 1).contiguous()
    if shift:
        shift_mask(x, hp, wp, ws, shift, index_rows=False, host=True, tensor_value=False, partition=not raster)
    y = P.layer_norm(x, c)
    y = copy(y) if shift else y                    # torch.roll
    y = copy(y) if wp > ws and not raster else y   # window partition
    y = window_attention(y, c, heads, ws, True, shift)
    y = replace(y, glob=True) if raster else y
    y = copy(y) if wp > ws else y                  # window reverse
    y = copy(y) if shift else y                    # torch.roll back
    x = P.add(x, y)
    x = P.add(x, mlp(P.layer_norm(x, c), c, int(c * mlp_ratio), ACTS["SiLU"]))
    x = copy(x)                                    # permute(0, 2, 1).contiguous()
    return retype(x, c, h0, w0)


def swin_layer_gelu(x: T, c: int, heads: int, ws: int = WINDOW, shift: int = 0, mlp_ratio: float = 4.0) -> T:
    """LYMDLUT/yolov5-swin SwinTransformerLayer: permute to (W, H) tokens, mask built on every
    layer (used on shifted ones), LayerNorm, pad (F.pad even with nothing to pad), (roll),
    partition, attention without qkv bias, reverse, (roll back), crop copy, residual;
    LayerNorm, MLP with GELU, residual; permute back."""
    h0, w0 = x.shape.h, x.shape.w
    hp, wp = _ceil_to(h0, ws), _ceil_to(w0, ws)
    flat = h0 * w0 > 1                             # a 1x1 map permutes as a view
    x = copy(x) if flat else x                     # permute(0, 3, 2, 1).contiguous()
    shift_mask(x, wp, hp, ws, shift, index_rows=True, host=False, tensor_value=True)
    y = P.pad(P.layer_norm(x, c), 0, wp - w0, 0, hp - h0)
    y = copy(y) if shift else y
    y = copy(y) if hp > ws else y                  # partition: windows along H are the inner axis
    y = window_attention(y, c, heads, ws, False, shift)
    y = copy(y) if hp > ws else y
    y = copy(y) if shift else y
    y = retype(y, c, h0, w0)
    if (hp, wp) != (h0, w0) and hp > h0 and w0 > 1:
        y = copy(y)                                # x[:, :W, :H].contiguous()
    x = P.add(x, y)
    x = P.add(x, mlp(P.layer_norm(x, c), c, int(c * mlp_ratio), ACTS["GELU"]))
    return copy(x) if flat else x                  # permute(0, 3, 2, 1).contiguous()


def swin_stack(layer: Callable[..., T], n: int) -> Callable[[T, int], T]:
    """C3STR's inner block: SwinTransformerBlock(h, h, h // 32 heads, n layers), window 8, shift
    4 on odd layers (no 1x1 Conv: channels in = out)."""
    def inner(y: T, h: int) -> T:
        if h // 32 < 1:
            raise shape_error(f"C3STR needs h = int(c2 * e) >= 32 for h // 32 heads, got {h}")
        for i in range(n):
            y = layer(y, h, h // 32, WINDOW, 0 if i % 2 == 0 else WINDOW // 2)
        return y
    return inner


@register("C3STR", channels="csp", torch=f"{SWIN_BLOCKS}:C3STR", source=C3STR_SILU, variant="silu")
def c3str(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner block is n Swin layers (window 8, h // 32 heads, qkv bias, SiLU MLP)."""
    return c3_body(x, c1, c2, e, swin_stack(swin_layer_silu, n))


@register("C3STR", channels="csp", torch=f"{SWIN_BLOCKS}:C3STR_GELU", source=C3STR_GELU, variant="gelu",
          default=False)
def c3str_gelu(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3 whose inner block is n Swin layers (window 8, h // 32 heads, no qkv bias, GELU MLP)."""
    return c3_body(x, c1, c2, e, swin_stack(swin_layer_gelu, n))


def stage_block(x: T, c: int, heads: int, ws: int, shift: int, mlp_ratio: float, qkv_bias: bool) -> T:
    """A SwinStage block on (H, W) tokens: LayerNorm, pad (F.pad even with nothing to pad),
    (roll), partition, attention (qkv made contiguous), reverse, (roll back), crop copy,
    residual; LayerNorm, GELU MLP, residual."""
    h0, w0 = x.shape.h, x.shape.w
    hp, wp = _ceil_to(h0, ws), _ceil_to(w0, ws)
    y = P.pad(P.layer_norm(x, c), 0, wp - w0, 0, hp - h0)
    y = copy(y) if shift else y
    y = copy(y) if wp > ws else y
    y = window_attention(y, c, heads, ws, qkv_bias, shift, packed=True)
    y = copy(y) if wp > ws else y
    y = copy(y) if shift else y
    y = retype(y, c, h0, w0)
    if (hp, wp) != (h0, w0) and w0 < wp and h0 > 1:
        y = copy(y)                                # x[:, :H, :W].contiguous()
    x = P.add(x, y)
    return P.add(x, mlp(P.layer_norm(x, c), c, int(c * mlp_ratio), ACTS["GELU"]))


@register("SwinStage", channels="conv", torch=f"{SWIN_BLOCKS}:SwinStage", source=SWIN_STAGE)
def swin_stage(x: T, dim: int, c2: int, depth: int, num_heads: int, window_size: int, mlp_ratio: float = 4.0,
               qkv_bias: bool = True, drop: float = 0.0, attn_drop: float = 0.0, drop_path: float = 0.0) -> T:
    """One Swin stage (no downsampling): tokens out of the map, the shifted-window mask built
    once on the device, `depth` blocks (shift window_size // 2 on odd ones), the map back.
    Channels in = out (dim == c2)."""
    if dim != c2:
        raise shape_error(f"SwinStage keeps its channels: in {dim}, out {c2}")
    if num_heads < 1 or dim % num_heads:
        raise shape_error(f"SwinStage: {dim} channels do not split into {num_heads} heads")
    ws = window_size
    flat = x.shape.h * x.shape.w > 1
    x = copy(x) if flat else x                     # permute(0, 2, 3, 1).contiguous()
    shift_mask(x, _ceil_to(x.shape.h, ws), _ceil_to(x.shape.w, ws), ws, ws // 2, index_rows=False, host=False,
               tensor_value=False)
    for i in range(depth):
        x = stage_block(x, dim, num_heads, ws, 0 if i % 2 == 0 else ws // 2, mlp_ratio, qkv_bias)
    return copy(x) if flat else x                  # permute(0, 3, 1, 2).contiguous()


@register("C3STR", channels="conv", torch=f"{SWIN_BLOCKS}:C3STR_raster", source=C3STR_RASTER, variant="raster",
          default=False)
def c3str_raster(x: T, c1: int, c2: int, n: int = 1, shortcut: bool = True, g: int = 1, e: float = 0.5) -> T:
    """C3STR built like a Conv (the row's number repeats the block) whose window partition is a
    plain reshape: windows of 64 consecutive tokens in row-major order."""
    return c3_body(x, c1, c2, e, swin_stack(lambda y, h, heads, ws, s: swin_layer_silu(y, h, heads, ws, s, raster=True), n))
