"""Torch references of the C3 blocks with attention that YOLOv5 forks publish (C3CBAM, C3CA, C3SE,
C3_CA, C3EMA, CBAMC3)."""
import torch.nn as nn

from .attention_blocks import CBAM, ChannelGate, SpatialGate, SqueezeExcite
from .attention_blocks_coord import CA, EMA
from .blocks import C3, Conv


class InBottleneck(nn.Module):
    """1x1 Conv to int(c * e), 3x3 Conv back, attention on it, then the residual."""

    def __init__(self, c, attend, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c * e)
        self.cv1, self.cv2, self.attend, self.add = Conv(c, h, 1, 1), Conv(h, c, 3, 1, g=g), attend, shortcut

    def forward(self, x):
        y = self.attend(self.cv2(self.cv1(x)))
        return x + y if self.add else y


class AfterResidual(nn.Module):
    """1x1 then 3x3 Conv, the residual (always, in C3_CA's form), then attention on the sum."""

    def __init__(self, c, attend, shortcut=True, g=1, always_add=False):
        super().__init__()
        self.cv1, self.cv2, self.attend = Conv(c, c, 1, 1), Conv(c, c, 3, 1, g=g), attend
        self.add = shortcut or always_add

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return self.attend(x + y if self.add else y)


class _C3With(C3):
    """C3 whose bottlenecks come from make(hidden, shortcut, g)."""

    def make(self, h, shortcut, g):
        raise NotImplementedError

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        h = int(c2 * e)
        self.m = nn.Sequential(*(self.make(h, shortcut, g) for _ in range(n)))


class C3CBAM(_C3With):
    def make(self, h, shortcut, g):
        return InBottleneck(h, CBAM(h, h), shortcut)


class C3CBAMAfter(_C3With):
    def make(self, h, shortcut, g):
        return AfterResidual(h, CBAM(h, h), shortcut, g)


class C3CA(_C3With):
    def make(self, h, shortcut, g):
        return InBottleneck(h, CA(h, h), shortcut)


class C3CAHardswish(_C3With):
    def make(self, h, shortcut, g):
        return InBottleneck(h, CA(h, h, hardswish=True), shortcut)


class C3CAAfter(_C3With):
    def make(self, h, shortcut, g):
        return AfterResidual(h, CA(h, h), shortcut, g)


class C3SE(_C3With):
    def make(self, h, shortcut, g):
        return InBottleneck(h, SqueezeExcite(h, h // 16), shortcut)


class C3_CA(_C3With):
    def make(self, h, shortcut, g):
        return AfterResidual(h, CA(h, h), shortcut, g, always_add=True)


class C3_CAIn(_C3With):
    def make(self, h, shortcut, g):
        return InBottleneck(h, CA(h, h), shortcut, g, e=1.0)


class C3EMA(_C3With):
    def make(self, h, shortcut, g):
        return AfterResidual(h, EMA(h), shortcut, g)


class CBAMC3(C3):
    """YOLOv5's C3, then CBAM's channel and spatial gates on its output."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        self.channel, self.spatial = ChannelGate(c2, c2 // 16), SpatialGate(7, 3)

    def forward(self, x):
        y = super().forward(x)
        y = y * self.channel(y)
        return y * self.spatial(y)
