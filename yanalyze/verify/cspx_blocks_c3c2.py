"""Torch reference of yoloair's C3C2 (source in analyzer/modules/cspx_c3c2.py)."""
import torch
import torch.nn as nn

from .blocks import Bottleneck, Conv


class C3C2(nn.Module):
    """A plain 1x1 conv shared by the bottleneck branch (after BN + SiLU) and the shortcut."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.conv = nn.Conv2d(c1, h, 1, 1, 0, groups=g, bias=False)
        self.bn, self.act = nn.BatchNorm2d(h), nn.SiLU()
        self.cv1 = Conv(2 * h, c2, 1, act=nn.Mish())
        self.m = nn.Sequential(*(Bottleneck(h, h, shortcut, g, e=1.0) for _ in range(n)))

    def forward(self, x):
        y = self.conv(x)
        return self.cv1(torch.cat((self.m(self.act(self.bn(y))), y), 1))
