"""Torch restatements of the CARAFE upsamplers (Wang et al., CARAFE: Content-Aware ReAssembly of
FEatures, ICCV 2019) that YOLOv5 forks publish, for verify and the cross-checks.

Tensor.unfold is written as the strided view it is (as_strided) and F.pixel_shuffle as its
view-permute-copy, so the tracer sees the same kernels the forks' classes run."""
from typing import Optional

import torch
import torch.nn as nn

from .blocks import Conv


def sliding(t, dim, size, step):
    """t.unfold(dim, size, step): windows along dim as a new last axis, a view."""
    shape, strides = list(t.shape), list(t.stride())
    shape[dim] = (shape[dim] - size) // step + 1
    strides[dim] *= step
    return t.as_strided(shape + [size], strides + [t.stride(dim)], t.storage_offset())


def shuffle_up(t, s):
    """F.pixel_shuffle(t, s) on (n, c*s*s, h, w): always one copy into (n, c, h*s, w*s)."""
    n, cs, h, w = t.shape
    moved = t.reshape(n, cs // (s * s), s, s, h, w).permute(0, 1, 4, 2, 5, 3)
    return moved.clone(memory_format=torch.contiguous_format).view(n, -1, h * s, w * s)


class CARAFE(nn.Module):
    """Channel squeeze to c1/4, k x k encoder predicting s^2 k^2 kernels, pixel shuffle, softmax;
    each output pixel a softmax-weighted sum of the k x k neighbourhood of its source pixel
    (unfold + matmul), pixel shuffle, 1x1 conv to c2 (the published YOLOv5 CARAFE)."""

    fixed: Optional[tuple[int, int]] = None  # (k, s) a copy hard-codes, ignoring its arguments

    def __init__(self, c1, c2, kernel_size=3, up_factor=2):
        super().__init__()
        self.k, self.s = self.fixed or (kernel_size, up_factor)
        self.down = nn.Conv2d(c1, c1 // 4, 1)
        self.encoder = nn.Conv2d(c1 // 4, self.s ** 2 * self.k ** 2, self.k, 1, self.k // 2)
        self.out = nn.Conv2d(c1, c2, 1)

    def forward(self, x):
        n, c, h, w = x.shape
        k, s = self.k, self.s
        weights = torch.softmax(shuffle_up(self.encoder(self.down(x)), s), dim=1)
        weights = sliding(sliding(weights, 2, s, s), 3, s, s).reshape(n, k * k, h, w, s * s)
        padded = nn.functional.pad(x, [k // 2] * 4)
        patches = sliding(sliding(padded, 2, k, 1), 3, k, 1).reshape(n, c, h, w, k * k)
        y = torch.matmul(patches.permute(0, 2, 3, 1, 4), weights.permute(0, 2, 3, 1, 4))  # (n, h, w, c, s*s)
        return self.out(shuffle_up(y.reshape(n, h, w, -1).permute(0, 3, 1, 2), s))


class CARAFEFixed(CARAFE):
    """The copy that builds a 3 x 3 reassembly, factor 2, whatever its arguments say."""

    fixed = (3, 2)

    def __init__(self, c1, c2, kernel_size=5, up_factor=2):
        super().__init__(c1, c2, kernel_size, up_factor)


class PixelShuffleCopy(nn.Module):
    """nn.PixelShuffle(s) written as its view-permute copy (thop has no rule for either)."""

    def __init__(self, s):
        super().__init__()
        self.s = s

    def forward(self, x):
        return shuffle_up(x, self.s)


class CARAFEKeep(nn.Module):
    """CARAFE keeping its channels: Conv squeeze to c_mid, Conv (no act) encoder to (s k)^2,
    pixel shuffle, softmax; the input upsampled (nearest), unfolded with a k x k window dilated
    by s, and weighted (pleb631/yolov5-advanced; its einsum "bkhw,bckhw->bchw" runs as this one
    batched matmul, which thop counts as it counts that einsum)."""

    def __init__(self, c, k_enc=3, k_up=5, c_mid=64, scale=2):
        super().__init__()
        self.s = scale
        self.comp = Conv(c, c_mid)
        self.enc = Conv(c_mid, (scale * k_up) ** 2, k=k_enc, act=False)
        self.shuffle = PixelShuffleCopy(scale)
        self.up = nn.Upsample(scale_factor=scale, mode="nearest")
        self.unfold = nn.Unfold(kernel_size=k_up, dilation=scale, padding=k_up // 2 * scale)

    def forward(self, x):
        n, c, h, w = x.shape
        weights = torch.softmax(self.shuffle(self.enc(self.comp(x))), dim=1)
        patches = self.unfold(self.up(x)).view(n, c, -1, h * self.s, w * self.s)
        taps = patches.permute(0, 3, 4, 1, 2)  # (n, H, W, c, k*k)
        y = torch.matmul(taps, weights.permute(0, 2, 3, 1).unsqueeze(-1))  # (n, H, W, c, 1)
        return y.squeeze(-1).permute(0, 3, 1, 2)
