"""Torch reference of Gumpest/YOLOv5-Multibackbone-Compression's GhostBottleneck (middle width
and SE switch in the constructor), written from what the fork's module computes."""
import torch
import torch.nn as nn

from .attention_blocks import SqueezeExcite
from .blocks import Conv


class Ghost3(nn.Module):
    """1x1 Conv to half the output, a depth-wise 3x3 Conv of that half, concatenated."""

    def __init__(self, c1, c2, act=True):
        super().__init__()
        half = c2 // 2
        self.primary = Conv(c1, half, 1, 1, act=act)
        self.cheap = Conv(half, half, 3, 1, 1, half, act=act)

    def forward(self, x):
        y = self.primary(x)
        return torch.cat([y, self.cheap(y)], 1)


class GhostBottleneckMid(nn.Module):
    """Ghost expansion to midc, stride-2 depth-wise Conv, optional SE, Ghost projection; plus a
    shortcut (identity, or depth-wise 3x3 and 1x1 Convs)."""

    def __init__(self, c1, c2, midc, k=5, s=1, use_se=False):
        super().__init__()
        assert s in (1, 2)
        steps = [Ghost3(c1, midc)]
        if s == 2:
            steps.append(Conv(midc, midc, 3, 2, 1, midc, act=False))
        if use_se:
            steps.append(SqueezeExcite(midc, midc // 4, conv=True, bias=True))
        steps.append(Ghost3(midc, c2, act=False))
        self.body = nn.Sequential(*steps)
        same = c1 == c2 and s == 1
        self.skip = nn.Identity() if same else nn.Sequential(Conv(c1, c1, 3, s, 1, c1, act=False),
                                                             Conv(c1, c2, 1, 1, act=False))

    def forward(self, x):
        return self.body(x) + self.skip(x)
