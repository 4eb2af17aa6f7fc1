"""Torch references of IRSTD-yolov5's SCAM, Zoom_cat and ScalSeq (sources in
analyzer/modules/necks_asf.py)."""

import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import Conv




class _ConvNoBN(nn.Module):
    """Conv2d without bias and without batch norm, then SiLU (its own default, whatever Conv's is)."""

    def __init__(self, c1, c2, k=1, s=1):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2, bias=False)
        self.act = nn.SiLU()

    def forward(self, x):
        return self.act(self.conv(x))


class SCAM(nn.Module):
    """Spatial context-aware module: a global context vector (values weighted by a position
    softmax) gated by a spatial map built from channel-softmaxed avg/max descriptors (oYoYo-jio/IRSTD-yolov5)."""

    def __init__(self, in_channels, reduction=1):
        super().__init__()
        c = in_channels
        self.k = Conv(c, 1, 1, 1)
        self.v = Conv(c, c, 1, 1)
        self.m = _ConvNoBN(c, c, 1, 1)
        self.m2 = Conv(2, 1, 1, 1)
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.max_pool = nn.AdaptiveMaxPool2d(1)

    def forward(self, x):
        n, c, h, w = x.shape
        a = self.avg_pool(x).softmax(1).view(n, 1, 1, c)
        mx = self.max_pool(x).softmax(1).view(n, 1, 1, c)
        key = self.k(x).view(n, 1, -1, 1).softmax(2)
        val = self.v(x).view(n, 1, c, -1)
        context = torch.matmul(val, key).view(n, c, 1, 1)
        spatial = torch.cat((torch.matmul(a, val).view(n, 1, h, w), torch.matmul(mx, val).view(n, 1, h, w)), 1)
        return x + self.m(context) * self.m2(spatial).sigmoid()


class Zoom_cat(nn.Module):
    """Large, medium and small maps brought to the medium size (max + average pooling, nearest
    upsampling) and concatenated (oYoYo-jio/IRSTD-yolov5)."""

    def forward(self, x):
        large, mid, small = x[0], x[1], x[2]
        size = mid.shape[2:]
        large = F.adaptive_max_pool2d(large, size) + F.adaptive_avg_pool2d(large, size)
        small = F.interpolate(small, mid.shape[2:], mode="nearest")
        return torch.cat([large, mid, small], dim=1)


class ScalSeq(nn.Module):
    """P4 and P5 projected and upsampled to P3, stacked with P3 as a depth axis, a 1x1x1 Conv3d,
    BatchNorm3d, LeakyReLU(0.1) and a max over the three scales (oYoYo-jio/IRSTD-yolov5)."""

    def __init__(self, inc, channel):
        super().__init__()
        self.conv1 = Conv(inc[1], channel, 1)
        self.conv2 = Conv(inc[2], channel, 1)
        self.conv3d = nn.Conv3d(channel, channel, kernel_size=(1, 1, 1))
        self.bn = nn.BatchNorm3d(channel)
        self.act = nn.LeakyReLU(0.1)
        self.pool_3d = nn.MaxPool3d(kernel_size=(3, 1, 1))

    def forward(self, x):
        p3, p4, p5 = x[0], x[1], x[2]
        p4 = F.interpolate(self.conv1(p4), p3.shape[2:], mode="nearest")
        p5 = F.interpolate(self.conv2(p5), p3.shape[2:], mode="nearest")
        stack = torch.cat([p3.unsqueeze(-3), p4.unsqueeze(-3), p5.unsqueeze(-3)], dim=2)
        return torch.squeeze(self.pool_3d(self.act(self.bn(self.conv3d(stack)))), 2)
