"""Swin-transformer blocks as YOLOv5 forks publish them (C3STR), written for yanalyze from what
the forks' forward passes compute: same submodules, parameter shapes and kernels.

'silu': arandinglv/RDD-YOLOv5 (also Tao-GCPD's underwater detector); 'gelu': LYMDLUT/yolov5-swin.
Liu et al., Swin Transformer, ICCV 2021.
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import C3, Conv


def split_windows(t, ws):
    """(B, H, W, C) -> (B * windows, ws, ws, C), windows in row-major order."""
    b, h, w, c = t.shape
    t = t.view(b, h // ws, ws, w // ws, ws, c).permute(0, 1, 3, 2, 4, 5)
    return t.contiguous().view(-1, ws, ws, c)


def raster_windows(t, ws):
    """(B, H, W, C) reshaped (not permuted) into (B, H/ws, ws, W/ws, ws, C): ws*ws consecutive
    tokens per 'window', as one fork's partition does."""
    b, h, w, c = t.shape
    return t.reshape(b, h // ws, ws, w // ws, ws, c)


def merge_windows(t, ws, h, w):
    """Inverse of split_windows."""
    b = t.shape[0] // ((h // ws) * (w // ws))
    t = t.view(b, h // ws, w // ws, ws, ws, -1).permute(0, 1, 3, 2, 4, 5)
    return t.contiguous().view(b, h, w, -1)


class RelativeWindowAttention(nn.Module):
    """Multi-head self attention inside ws x ws windows plus a learned bias per relative offset."""

    def __init__(self, dim, ws, heads, qkv_bias=True, packed=False):
        super().__init__()
        self.heads, self.ws, self.packed = heads, ws, packed
        self.scale = (dim // heads) ** -0.5
        self.relative_position_bias_table = nn.Parameter(torch.zeros((2 * ws - 1) ** 2, heads))
        ys, xs = torch.meshgrid(torch.arange(ws), torch.arange(ws), indexing="ij")
        pos = torch.stack((ys.flatten(), xs.flatten()))              # 2, N
        rel = (pos[:, :, None] - pos[:, None, :]) + (ws - 1)          # 2, N, N in [0, 2ws-2]
        self.register_buffer("relative_position_index", rel[0] * (2 * ws - 1) + rel[1])
        self.qkv = nn.Linear(dim, 3 * dim, bias=qkv_bias)
        self.attn_drop = nn.Dropout(0.0)
        self.proj = nn.Linear(dim, dim)
        self.proj_drop = nn.Dropout(0.0)
        self.softmax = nn.Softmax(dim=-1)

    def forward(self, x, mask=None):
        nb, n, c = x.shape
        qkv = self.qkv(x).reshape(nb, n, 3, self.heads, c // self.heads).permute(2, 0, 3, 1, 4)
        q, k, v = (qkv.contiguous() if self.packed else qkv).unbind(0)
        scores = (q * self.scale) @ k.transpose(-2, -1)
        bias = self.relative_position_bias_table[self.relative_position_index.view(-1)]
        scores = scores + bias.view(n, n, -1).permute(2, 0, 1).contiguous().unsqueeze(0)
        if mask is not None:
            nw = mask.shape[0]
            scores = scores.view(nb // nw, nw, self.heads, n, n) + mask.unsqueeze(1).unsqueeze(0)
            scores = scores.view(-1, self.heads, n, n)
        weights = self.attn_drop(self.softmax(scores))
        out = (weights @ v).transpose(1, 2).reshape(nb, n, c)
        return self.proj_drop(self.proj(out))


class TokenMlp(nn.Module):
    """Linear, activation, Linear (dropout 0)."""

    def __init__(self, dim, hidden, act):
        super().__init__()
        self.fc1, self.act, self.fc2 = nn.Linear(dim, hidden), act(), nn.Linear(hidden, dim)
        self.drop = nn.Dropout(0.0)

    def forward(self, x):
        return self.drop(self.fc2(self.drop(self.act(self.fc1(x)))))


def region_ids(rows, cols, ws, shift, device=None, tuple_rows=False):
    """The 3 x 3 regions of a shifted map, numbered; tuple_rows: the first row selector is the
    tuple (0, -ws) (an indexed write of those two rows), as one fork writes it."""
    ids = torch.zeros((1, rows, cols, 1), device=device)
    first = (0, -ws) if tuple_rows else slice(0, -ws)
    label = 0
    for r in (first, slice(-ws, -shift), slice(-shift, None)):
        for c in (slice(0, -ws), slice(-ws, -shift), slice(-shift, None)):
            ids[:, r, c, :] = label
            label += 1
    return ids


def attention_mask(ids, ws, fill=lambda v: v, split=split_windows):
    """Pairwise 'same region' mask per window: 0 where equal, -100 elsewhere."""
    flat = split(ids, ws).view(-1, ws * ws)
    diff = flat.unsqueeze(1) - flat.unsqueeze(2)
    return diff.masked_fill(diff != 0, fill(-100.0)).masked_fill(diff == 0, fill(0.0))


class SwinLayerSiLU(nn.Module):
    """Pad to window multiples, W-MSA / SW-MSA with qkv bias, SiLU MLP, LayerNorm after padding;
    the shifted layers' mask is built on the host and moved to the input's device."""

    split = staticmethod(split_windows)

    def __init__(self, dim, heads, ws=8, shift=0, mlp_ratio=4.0):
        super().__init__()
        self.ws, self.shift = ws, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = RelativeWindowAttention(dim, ws, heads, qkv_bias=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = TokenMlp(dim, int(dim * mlp_ratio), nn.SiLU)

    def forward(self, x):
        h0, w0, ws, s = x.shape[2], x.shape[3], self.ws, self.shift
        ph, pw = (ws - h0 % ws) % ws, (ws - w0 % ws) % ws
        if ph or pw:
            x = F.pad(x, (0, pw, 0, ph))
        b, c, h, w = x.shape
        tokens = x.permute(0, 2, 3, 1).contiguous().view(b, h * w, c)
        mask = attention_mask(region_ids(h, w, ws, s), ws, split=self.split).to(x.device) if s else None
        y = self.norm1(tokens).view(b, h, w, c)
        if s:
            y = torch.roll(y, (-s, -s), (1, 2))
        y = self.attn(self.split(y, ws).view(-1, ws * ws, c), mask)
        y = merge_windows(y.view(-1, ws, ws, c), ws, h, w)
        if s:
            y = torch.roll(y, (s, s), (1, 2))
        tokens = tokens + y.view(b, h * w, c)
        tokens = tokens + self.mlp(self.norm2(tokens))
        out = tokens.permute(0, 2, 1).contiguous().view(-1, c, h, w)
        return out[:, :, :h0, :w0] if (ph or pw) else out


class SwinLayerGELU(nn.Module):
    """Tokens in (W, H) order, LayerNorm before padding, W-MSA / SW-MSA without qkv bias, GELU
    MLP; the region mask is built on the input's device for every layer (used when shifted)."""

    def __init__(self, dim, heads, ws=8, shift=0, mlp_ratio=4):
        super().__init__()
        self.ws, self.shift = ws, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = RelativeWindowAttention(dim, ws, heads, qkv_bias=False)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = TokenMlp(dim, int(dim * mlp_ratio), nn.GELU)

    def forward(self, x):
        c, sh, sw, ws, s = x.shape[1], x.shape[2], x.shape[3], self.ws, self.shift
        x = x.permute(0, 3, 2, 1).contiguous()                       # (b, W, H, c)
        rows, cols = -(-sw // ws) * ws, -(-sh // ws) * ws
        mask = attention_mask(region_ids(rows, cols, ws, s, x.device, tuple_rows=True), ws,
                              lambda v: torch.tensor(v, device=x.device))  # a 0-d tensor value
        y = F.pad(self.norm1(x), (0, 0, 0, cols - sh, 0, rows - sw))
        if s:
            y = torch.roll(y, (-s, -s), (1, 2))
        y = self.attn(split_windows(y, ws).view(-1, ws * ws, c), mask if s else None)
        y = merge_windows(y.view(-1, ws, ws, c), ws, rows, cols)
        if s:
            y = torch.roll(y, (s, s), (1, 2))
        if rows > sw or cols > sh:
            y = y[:, :sw, :sh, :].contiguous()
        x = x + y
        x = x + self.mlp(self.norm2(x))
        return x.permute(0, 3, 2, 1).contiguous()


class SwinLayerRaster(SwinLayerSiLU):
    """SwinLayerSiLU whose partition is a plain reshape (raster-order 'windows')."""

    split = staticmethod(raster_windows)


class SwinStack(nn.Module):
    """num_layers Swin layers, shifted by ws // 2 on odd ones; a 1x1 Conv first when c1 != c2."""

    def __init__(self, c1, c2, heads, num_layers, ws=8, layer=SwinLayerSiLU):
        super().__init__()
        self.conv = Conv(c1, c2) if c1 != c2 else None
        self.blocks = nn.Sequential(*(layer(c2, heads, ws, 0 if i % 2 == 0 else ws // 2) for i in range(num_layers)))

    def forward(self, x):
        return self.blocks(self.conv(x) if self.conv is not None else x)


class C3STR(C3):
    """C3 whose m is SwinStack(h, h, h // 32 heads, n) of SwinLayerSiLU."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        h = int(c2 * e)
        self.m = SwinStack(h, h, h // 32, n)


class C3STR_raster(C3):
    """C3 whose m is SwinStack(h, h, h // 32 heads, n) of SwinLayerRaster."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        h = int(c2 * e)
        self.m = SwinStack(h, h, h // 32, n, layer=SwinLayerRaster)


class C3STR_GELU(C3):
    """C3 whose m is SwinStack(h, h, h // 32 heads, n) of SwinLayerGELU."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        h = int(c2 * e)
        self.m = SwinStack(h, h, h // 32, n, layer=SwinLayerGELU)


class StageBlock(nn.Module):
    """A Swin block on (B, H*W, C) tokens: LayerNorm, pad, (roll), windows with a packed qkv,
    (roll back), crop; GELU MLP; both residual."""

    def __init__(self, dim, heads, ws, shift, mlp_ratio=4.0, qkv_bias=True):
        super().__init__()
        self.ws, self.shift = ws, shift
        self.norm1 = nn.LayerNorm(dim)
        self.attn = RelativeWindowAttention(dim, ws, heads, qkv_bias, packed=True)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = TokenMlp(dim, int(dim * mlp_ratio), nn.GELU)

    def forward(self, x, hw, mask):
        (h, w), (b, _, c), ws, s = hw, x.shape, self.ws, self.shift
        ph, pw = (ws - h % ws) % ws, (ws - w % ws) % ws
        y = F.pad(self.norm1(x).view(b, h, w, c), (0, 0, 0, pw, 0, ph))
        if s:
            y = torch.roll(y, (-s, -s), (1, 2))
        y = self.attn(split_windows(y, ws).view(-1, ws * ws, c), mask if s else None)
        y = merge_windows(y.view(-1, ws, ws, c), ws, h + ph, w + pw)
        if s:
            y = torch.roll(y, (s, s), (1, 2))
        if ph or pw:
            y = y[:, :h, :w, :].contiguous()
        x = x + y.view(b, h * w, c)
        return x + self.mlp(self.norm2(x))


class SwinStage(nn.Module):
    """depth Swin blocks sharing one shifted-window mask built on the input's device."""

    def __init__(self, dim, c2, depth, num_heads, window_size, mlp_ratio=4.0, qkv_bias=True, drop=0.0,
                 attn_drop=0.0, drop_path=0.0):
        super().__init__()
        self.ws = window_size
        self.blocks = nn.ModuleList(StageBlock(dim, num_heads, window_size, 0 if i % 2 == 0 else window_size // 2,
                                               mlp_ratio, qkv_bias) for i in range(depth))

    def forward(self, x):
        b, c, h, w = x.shape
        ws = self.ws
        x = x.permute(0, 2, 3, 1).contiguous().view(b, h * w, c)
        mask = attention_mask(region_ids(-(-h // ws) * ws, -(-w // ws) * ws, ws, ws // 2, x.device), ws)
        for block in self.blocks:
            x = block(x, (h, w), mask)
        return x.view(b, h, w, c).permute(0, 3, 1, 2).contiguous()
