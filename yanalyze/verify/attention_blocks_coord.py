"""Torch references of coordinate attention (CA, CoordAtt) and EMA as YOLOv5 forks publish them."""
import torch
import torch.nn as nn

from . import attention_blocks  # noqa: F401  (the tracer's prices for the ops these blocks add)
from .custom_blocks import h_swish


class CA(nn.Module):
    """Strip pools, a shared 1x1 conv + BN + h_swish, one 1x1 conv and Sigmoid per direction."""

    def __init__(self, inp, oup, reduction=32, bias=True, hardswish=False, inline_pools=False):
        super().__init__()
        mip = max(8, inp // reduction)
        self.inline = inline_pools
        if not inline_pools:
            self.pool_h, self.pool_w = nn.AdaptiveAvgPool2d((None, 1)), nn.AdaptiveAvgPool2d((1, None))
        self.conv1, self.bn1 = nn.Conv2d(inp, mip, 1, bias=bias), nn.BatchNorm2d(mip)
        self.act = nn.Hardswish(inplace=True) if hardswish else h_swish()
        self.conv_h, self.conv_w = nn.Conv2d(mip, oup, 1, bias=bias), nn.Conv2d(mip, oup, 1, bias=bias)

    def forward(self, x):
        h, w = x.shape[2:]
        if self.inline:  # modules made here are invisible to thop's hooks
            rows, cols = nn.AdaptiveAvgPool2d((h, 1))(x), nn.AdaptiveAvgPool2d((1, w))(x)
        else:
            rows, cols = self.pool_h(x), self.pool_w(x)
        y = self.act(self.bn1(self.conv1(torch.cat([rows, cols.permute(0, 1, 3, 2)], dim=2))))
        yh, yw = torch.split(y, [h, w], dim=2)
        gate_h = self.conv_h(yh).sigmoid()
        gate_w = self.conv_w(yw.permute(0, 1, 3, 2)).sigmoid()
        return x * gate_w * gate_h


class CAInlinePools(CA):
    def __init__(self, inp, oup, reduction=32):
        super().__init__(inp, oup, reduction, inline_pools=True)


class CAHardswish(CA):
    def __init__(self, inp, oup, reduction=32):
        super().__init__(inp, oup, reduction, bias=False, hardswish=True, inline_pools=True)


class EMA(nn.Module):
    """Efficient multi-scale attention over channel groups."""

    def __init__(self, channels, factor=8):
        super().__init__()
        self.groups = factor
        cg = channels // factor
        assert cg > 0
        self.softmax = nn.Softmax(-1)
        self.agp = nn.AdaptiveAvgPool2d((1, 1))
        self.pool_h, self.pool_w = nn.AdaptiveAvgPool2d((None, 1)), nn.AdaptiveAvgPool2d((1, None))
        self.gn = nn.GroupNorm(cg, cg)
        self.conv1x1 = nn.Conv2d(cg, cg, 1)
        self.conv3x3 = nn.Conv2d(cg, cg, 3, padding=1)

    def forward(self, x):
        b, c, h, w = x.shape
        g = x.reshape(b * self.groups, -1, h, w)
        strips = self.conv1x1(torch.cat([self.pool_h(g), self.pool_w(g).permute(0, 1, 3, 2)], dim=2))
        sh, sw = torch.split(strips, [h, w], dim=2)
        x1 = self.gn(g * sh.sigmoid() * sw.permute(0, 1, 3, 2).sigmoid())
        x2 = self.conv3x3(g)
        n = b * self.groups
        w1 = self.softmax(self.agp(x1).reshape(n, -1, 1).permute(0, 2, 1))
        w2 = self.softmax(self.agp(x2).reshape(n, -1, 1).permute(0, 2, 1))
        weights = torch.matmul(w1, x2.reshape(n, c // self.groups, -1)) + \
            torch.matmul(w2, x1.reshape(n, c // self.groups, -1))
        return (g * weights.reshape(n, 1, h, w).sigmoid()).reshape(b, c, h, w)


class EMAC1C2(EMA):
    def __init__(self, channels, out, factor=8):
        super().__init__(channels, factor)
