"""Torch references of the CSP-style blocks with CBAM-style gates (laoresh's CBAMDPN, RFENet's
MA2), with the submodules, parameter shapes and forward kernels of the forks' classes (sources in
yanalyze/analyzer/modules/attention_hybrid.py)."""
import torch
import torch.nn as nn

from .attention_blocks import ChannelGate, SpatialGate
from .backbone_blocks_misc import DPN
from .blocks import Bottleneck, Conv


class CBAMDPN(DPN):
    """DPN's dual-path C3, then the conv-MLP channel gate and the 7x7 spatial gate."""

    def __init__(self, c1, c2, block=1, cat_chnl=16, cardinality=16, d=3, stride=1, e=0.5):
        super().__init__(c1, c2, block, cat_chnl, cardinality, d, stride, e)
        self.channel_attention = ChannelGate(c2, c2 // 16)
        self.spatial_attention = SpatialGate(7, 3)

    def forward(self, x):
        y = super().forward(x)
        y = torch.mul(y, self.channel_attention(y))
        return torch.mul(y, self.spatial_attention(y))


class MA2(nn.Module):
    """Gated copies of the input beside a bottleneck branch with a dilated conv; 1x1 Conv over all four."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1 = Conv(c1, h, 1, 1)
        self.m = nn.Sequential(*(Bottleneck(h, h, shortcut, g, e=1.0) for _ in range(n)))
        self.dilated = nn.Conv2d(h, h, 3, 1, padding=5, dilation=5)
        self.cv3 = Conv(2 * h, c1, 1)
        self.cv4 = Conv(4 * c1, c2, 1)
        self.channel_attention = ChannelGate(c1, c1 // 16, linear=True)
        self.spatial_attention = SpatialGate(7, 3, bias=True)

    def forward(self, x):
        by_channel = self.channel_attention(x) * x
        by_position = self.spatial_attention(x) * x
        a = self.m(self.cv1(x))
        mixed = self.cv3(torch.cat((a, self.dilated(a)), 1))
        return self.cv4(torch.cat((mixed, by_channel, by_position, x), 1))
