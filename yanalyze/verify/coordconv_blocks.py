"""Torch references of CoordConv's two published definitions (sources in
yanalyze/analyzer/modules/coordconv.py). Where the forks call ops the tracer has no price for,
the same kernels are written another way: a ramp repeated over an axis is expand + clone (one
copy, as repeat is), and linspace's ramp is made by arange (a creation op of the same size,
unpriced like every creation op); only the values differ, never a count."""
import torch
import torch.nn as nn

from .blocks import Conv


def tile(t, *shape):
    """t.repeat(...) for a ramp: broadcast to the shape, then one copy."""
    return t.expand(*shape).clone()


class CoordConv(nn.Module):
    """Coordinate channels (and the radius when with_r) concatenated, then a YOLOv5 Conv."""

    def __init__(self, c1, c2, kernel_size=1, stride=1, with_r=False):
        super().__init__()
        self.with_r = with_r
        self.conv = Conv(c1 + 2 + int(bool(with_r)), c2, kernel_size, stride)

    def coords(self, x):
        b, _, h, w = x.shape
        xs = tile(torch.arange(h, device=x.device), 1, w, h)
        ys = tile(torch.arange(w, device=x.device), 1, h, w).transpose(1, 2)
        xs = (xs.float() / (h - 1)) * 2 - 1
        ys = (ys.float() / (w - 1)) * 2 - 1
        xs = tile(xs, b, 1, w, h).transpose(2, 3)
        ys = tile(ys, b, 1, w, h).transpose(2, 3)
        out = torch.cat([x, xs, ys], dim=1)
        if self.with_r:
            radius = torch.sqrt(torch.pow(xs - 0.5, 2) + torch.pow(ys - 0.5, 2))
            out = torch.cat([out, radius], dim=1)
        return out

    def forward(self, x):
        return self.conv(self.coords(x))


class SiLUConv(nn.Module):
    """yoloair resnet.py's Conv: Conv2d (no bias), BatchNorm2d, always SiLU."""

    def __init__(self, c1, c2, k=1, s=1, p=None):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2 if p is None else p, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class CoordConvPP(nn.Module):
    """PP-YOLO's CoordConv: two expanded ramps concatenated after the map, then a SiLU Conv."""

    def __init__(self, ch_in, ch_out, filter_size, padding, data_format='NCHW'):
        super().__init__()
        self.conv = SiLUConv(ch_in + 2, ch_out, filter_size, p=padding)

    def forward(self, x):
        b, _, h, w = x.shape
        across = torch.arange(w, dtype=x.dtype, device=x.device)   # the fork: linspace(-1, 1, w)
        down = torch.arange(h, dtype=x.dtype, device=x.device)     # the fork: linspace(-1, 1, h)
        rows, cols = torch.meshgrid(down, across, indexing="ij")
        grid = torch.cat([cols.expand(b, 1, h, w), rows.expand(b, 1, h, w)], 1)
        return self.conv(torch.cat([x, grid], 1))
