"""Torch references of yoloair's ConvNeXt blocks (ConvNextBlock as its parser builds a row, and
CNeB, a C3 with ConvNeXt blocks), with the submodules, parameter shapes and eval-mode kernels of
the fork's classes (sources in yanalyze/analyzer/modules/cspx_convnext.py)."""
import torch
import torch.nn as nn

from .blocks import Conv
from .cspx_blocks_hornet import ChannelNorm


class ConvNeXtUnit(nn.Module):
    """Depthwise 7x7 with bias, layer norm over channels (channels-last view), Linear 4x, GELU,
    Linear back, layer scale, residual (drop_path is identity in eval)."""

    def __init__(self, dim, drop_path=0., layer_scale_init_value=1e-6):
        super().__init__()
        self.dwconv = nn.Conv2d(dim, dim, 7, padding=3, groups=dim)
        self.norm = ChannelNorm(dim)
        self.pwconv1, self.act, self.pwconv2 = nn.Linear(dim, 4 * dim), nn.GELU(), nn.Linear(4 * dim, dim)
        self.gamma = nn.Parameter(layer_scale_init_value * torch.ones(dim)) if layer_scale_init_value > 0 else None

    def forward(self, x):
        y = self.pwconv2(self.act(self.pwconv1(self.norm(self.dwconv(x).permute(0, 2, 3, 1)))))
        if self.gamma is not None:
            y = self.gamma * y
        return x + y.permute(0, 3, 1, 2)


class ConvNextBlock(ConvNeXtUnit):
    """The row ConvNextBlock(c1, c2, n): c2 lands in drop_path, the repeat count in the layer scale."""

    def __init__(self, c1, c2, n=1):
        super().__init__(c1, c2, n)


class CNeB(nn.Module):
    """C3 whose inner path is n ConvNeXt blocks of width int(c2 * e)."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(2 * h, c2, 1)
        self.m = nn.Sequential(*(ConvNeXtUnit(h) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), self.cv2(x)), 1))
