"""Torch references of yoloair's HorNet blocks (HorBlock with its recursive gated convolution
gnconv, and the C3 with HorBlocks, C3HB), with the submodules, parameter shapes and eval-mode
kernels of the fork's classes (sources in yanalyze/analyzer/modules/cspx_hornet.py)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import Conv


class ChannelNorm(nn.Module):
    """Layer norm over channels written out: per-position mean and variance over C, then the
    affine weight and bias per channel (channels_first); or F.layer_norm on the last axis."""

    def __init__(self, c, eps=1e-6, channels_first=False):
        super().__init__()
        self.weight, self.bias = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))
        self.eps, self.channels_first, self.shape = eps, channels_first, (c,)

    def forward(self, x):
        if not self.channels_first:
            return F.layer_norm(x, self.shape, self.weight, self.bias, self.eps)
        mu = x.mean(1, keepdim=True)
        var = (x - mu).pow(2).mean(1, keepdim=True)
        x = (x - mu) / torch.sqrt(var + self.eps)
        return self.weight[:, None, None] * x + self.bias[:, None, None]


class GnConv(nn.Module):
    """Recursive gated conv of order 5: 1x1 in to 2C, a biased depthwise 7x7 over the gates,
    a chain of gated 1x1 convs widening C/16 -> C, 1x1 out."""

    def __init__(self, dim, order=5, s=1.0):
        super().__init__()
        self.order, self.scale = order, s
        self.dims = [dim // 2 ** i for i in range(order)][::-1]
        self.proj_in = nn.Conv2d(dim, 2 * dim, 1)
        total = sum(self.dims)
        self.dwconv = nn.Conv2d(total, total, 7, padding=3, bias=True, groups=total)
        self.proj_out = nn.Conv2d(dim, dim, 1)
        self.pws = nn.ModuleList(nn.Conv2d(self.dims[i], self.dims[i + 1], 1) for i in range(order - 1))

    def forward(self, x):
        first, gates = torch.split(self.proj_in(x), (self.dims[0], sum(self.dims)), dim=1)
        gates = torch.split(self.dwconv(gates) * self.scale, self.dims, dim=1)
        y = first * gates[0]
        for pw, gate in zip(self.pws, gates[1:]):
            y = pw(y) * gate
        return self.proj_out(y)


class HorBlock(nn.Module):
    """HorNet block: channels-first norm, gnconv, scaled residual; channels-last norm, Linear MLP
    (4x, GELU), scaled residual. drop_path is identity in eval."""

    def __init__(self, dim, drop_path=0., layer_scale_init_value=1e-6):
        super().__init__()
        self.norm1 = ChannelNorm(dim, channels_first=True)
        self.gnconv = GnConv(dim)
        self.norm2 = ChannelNorm(dim)
        self.pwconv1, self.act, self.pwconv2 = nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)
        scaled = layer_scale_init_value > 0
        self.gamma1 = nn.Parameter(layer_scale_init_value * torch.ones(dim)) if scaled else None
        self.gamma2 = nn.Parameter(layer_scale_init_value * torch.ones(dim)) if scaled else None

    def forward(self, x):
        c = x.shape[1]
        g1 = self.gamma1.view(c, 1, 1) if self.gamma1 is not None else 1
        x = x + g1 * self.gnconv(self.norm1(x))
        y = self.pwconv2(self.act(self.pwconv1(self.norm2(x.permute(0, 2, 3, 1)))))
        if self.gamma2 is not None:
            y = self.gamma2 * y
        return x + y.permute(0, 3, 1, 2)


class HorBlockRow(HorBlock):
    """HorBlock as yoloair's parser builds a row: HorBlock(c1, c2, n), so c2 lands in drop_path
    and the repeat count in layer_scale_init_value."""

    def __init__(self, c1, c2, n=1):
        super().__init__(c1, c2, n)


class C3HB(nn.Module):
    """C3 whose inner path is n HorBlocks of width int(c2 * e)."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(2 * h, c2, 1)
        self.m = nn.Sequential(*(HorBlock(h) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))
