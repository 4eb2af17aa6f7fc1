"""Torch restatements of YOLO11's C3k2 and C2PSA as pleb631/yolov5-advanced publishes them, for
verify and the cross-checks."""
import torch
import torch.nn as nn

from .blocks import C3, Bottleneck, Conv
from .cspx_blocks import C2f, TwoConvBottleneck


class C3k(C3):
    """A C3 whose inner blocks are two k x k Convs each."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5, k=3):
        super().__init__(c1, c2, n, shortcut, g, e)
        hidden = int(c2 * e)
        self.m = nn.Sequential(*[TwoConvBottleneck(hidden, hidden, shortcut, g, k=(k, k), e=1.0) for _ in range(n)])


class C3k2(C2f):
    """C2f skeleton with Bottleneck or C3k inner blocks (pleb631/yolov5-advanced)."""

    def __init__(self, c1, c2, n=1, c3k=False, e=0.5, g=1, shortcut=True):
        super().__init__(c1, c2, n, shortcut, g, e)
        self.m = nn.ModuleList([C3k(self.c, self.c, 2, shortcut, g) if c3k else Bottleneck(self.c, self.c, shortcut, g)
                                for _ in range(n)])


class PSAAttention(nn.Module):
    """Multi-head self-attention over all positions from one qkv 1x1 Conv, plus a depth-wise 3x3
    positional Conv of v, then a 1x1 projection (YOLO11's Attention)."""

    def __init__(self, dim, num_heads=8, attn_ratio=0.5):
        super().__init__()
        self.heads = num_heads
        self.hd = dim // num_heads
        self.kd = int(self.hd * attn_ratio)
        self.scale = self.kd ** -0.5
        self.qkv = Conv(dim, dim + 2 * self.kd * num_heads, 1, act=False)
        self.proj = Conv(dim, dim, 1, act=False)
        self.pe = Conv(dim, dim, 3, 1, g=dim, act=False)

    def forward(self, x):
        b, c, h, w = x.shape
        parts = self.qkv(x).view(b, self.heads, 2 * self.kd + self.hd, h * w)
        q, k, v = parts.split([self.kd, self.kd, self.hd], dim=2)
        weights = ((q.transpose(-2, -1) @ k) * self.scale).softmax(dim=-1)
        mixed = (v @ weights.transpose(-2, -1)).view(b, c, h, w)
        return self.proj(mixed + self.pe(v.reshape(b, c, h, w)))


class PSABlock(nn.Module):
    """Attention and a 1x1 Conv pair, each with an optional residual add."""

    def __init__(self, c, attn_ratio=0.5, num_heads=4, shortcut=True):
        super().__init__()
        self.attn = PSAAttention(c, num_heads, attn_ratio)
        self.ffn = nn.Sequential(Conv(c, 2 * c, 1), Conv(2 * c, c, 1, act=False))
        self.shortcut = shortcut

    def forward(self, x):
        x = x + self.attn(x) if self.shortcut else self.attn(x)
        return x + self.ffn(x) if self.shortcut else self.ffn(x)


class C2PSA(nn.Module):
    """Split after cv1, PSA blocks on one half, concat, cv2 (pleb631/yolov5-advanced)."""

    def __init__(self, c1, c2, n=1, e=0.5):
        super().__init__()
        assert c1 == c2
        self.c = int(c1 * e)
        self.cv1 = Conv(c1, 2 * self.c, 1, 1)
        self.cv2 = Conv(2 * self.c, c1, 1)
        self.m = nn.Sequential(*[PSABlock(self.c, 0.5, self.c // 64) for _ in range(n)])

    def forward(self, x):
        a, b = self.cv1(x).split((self.c, self.c), dim=1)
        return self.cv2(torch.cat((a, self.m(b)), 1))
