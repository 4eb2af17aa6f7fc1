"""Torch references of the attention blocks YOLOv5 forks publish (SE, SELayer, SEAttention, ECA,
SimAM, GAM, CBAM and its relatives), written from what each fork's module computes: same
submodules, parameter shapes and forward kernels, so params, shapes and thop counts are the
fork's."""
import math
import warnings

import torch
import torch.nn as nn

from .blocks import Conv


class SqueezeExcite(nn.Module):
    """Average pool, two fully connected layers (Linear or 1x1 conv), a gate, the product."""

    def __init__(self, c, hidden, conv=False, bias=False, gate=None):
        super().__init__()
        self.conv = conv
        self.pool = nn.AdaptiveAvgPool2d(1)
        make = (lambda i, o: nn.Conv2d(i, o, 1, bias=bias)) if conv else (lambda i, o: nn.Linear(i, o, bias=bias))
        with warnings.catch_warnings():  # c // ratio may be 0: torch runs width-0 Linear layers
            warnings.filterwarnings("ignore", "Initializing zero-element tensors")
            self.squeeze, self.act, self.expand = make(c, hidden), nn.ReLU(inplace=True), make(hidden, c)
        self.gate = gate if gate is not None else nn.Sigmoid()

    def forward(self, x):
        n, c = x.shape[:2]
        y = self.pool(x)
        y = y if self.conv else y.view(n, c)
        y = self.gate(self.expand(self.act(self.squeeze(y)))).view(n, c, 1, 1)
        return x * y.expand_as(x)


class SE(SqueezeExcite):
    def __init__(self, c1, c2, ratio=16):
        super().__init__(c1, c1 // ratio)


class SEConvBias(SqueezeExcite):
    def __init__(self, in_chnls, ratio):
        super().__init__(in_chnls, in_chnls // ratio, conv=True, bias=True)


class SELayerSENet(SqueezeExcite):
    def __init__(self, c1, r=16):
        super().__init__(c1, c1 // r)


class SEAttention(SqueezeExcite):
    def __init__(self, channel=512, reduction=16):
        super().__init__(channel, channel // reduction)


class ECA(nn.Module):
    """Average pool, a 1-D conv across the channel axis, Sigmoid, product."""

    def __init__(self, c1, c2, k_size=3):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.conv = nn.Conv1d(1, 1, k_size, padding=(k_size - 1) // 2, bias=False)
        self.gate = nn.Sigmoid()

    def forward(self, x):
        y = self.pool(x).squeeze(-1).transpose(-1, -2)
        y = self.gate(self.conv(y).transpose(-1, -2).unsqueeze(-1))
        return x * y.expand_as(x)


class ECAAdaptive(ECA):
    """ECA with the kernel size derived from the channel count."""

    def __init__(self, c1, c2, k_size=3, gamma=2, b=1):
        t = int(abs(math.log(c1, 2) + b) / gamma)
        super().__init__(c1, c2, t if t % 2 else t + 1)


class SimAMPlain(nn.Module):
    """Energy-based parameter-free attention."""

    def __init__(self, e_lambda=1e-4):
        super().__init__()
        self.gate, self.e_lambda = nn.Sigmoid(), e_lambda

    def forward(self, x):
        positions = x.shape[2] * x.shape[3] - 1
        d = (x - x.mean(dim=[2, 3], keepdim=True)).pow(2)
        y = d / (4 * (d.sum(dim=[2, 3], keepdim=True) / positions + self.e_lambda)) + 0.5
        return x * self.gate(y)


class SimAMChannels(SimAMPlain):
    def __init__(self, channels=None, out_channels=None, e_lambda=1e-4):
        super().__init__(e_lambda)


class GAMAttention(nn.Module):
    """Channel MLP per position, then a two-conv spatial gate (grouped and shuffled, or plain);
    `act` is the activation inside both (ReLU in the paper's code, SiLU in some forks)."""

    act: type[nn.Module] = nn.ReLU

    def __init__(self, in_channels, out_channels, rate=4, groups=1, shuffle=False):
        super().__init__()
        hidden = int(in_channels / rate)
        self.shuffle = shuffle
        self.mlp = nn.Sequential(nn.Linear(in_channels, hidden), self.act(inplace=True), nn.Linear(hidden, in_channels))
        self.spatial = nn.Sequential(
            nn.Conv2d(in_channels, hidden, 7, padding=3, groups=groups), nn.BatchNorm2d(hidden), self.act(inplace=True),
            nn.Conv2d(hidden, out_channels, 7, padding=3, groups=groups), nn.BatchNorm2d(out_channels))

    def forward(self, x):
        n, c, h, w = x.shape
        t = self.mlp(x.permute(0, 2, 3, 1).view(n, -1, c)).view(n, h, w, c)
        x = x * t.permute(0, 3, 1, 2)
        g = self.spatial(x).sigmoid()
        if self.shuffle:
            gn, gc = g.shape[:2]
            g = g.view(gn, 4, gc // 4, h, w).transpose(1, 2).contiguous().view(gn, -1, h, w)
        return x * g


class GAMAttentionGrouped(GAMAttention):
    def __init__(self, c1, c2, group=True, rate=4):
        super().__init__(c1, c2, rate, rate if group else 1, True)


class ChannelGate(nn.Module):
    """CBAM's channel gate: a shared MLP on the global average and max, summed, Sigmoid."""

    def __init__(self, c, hidden, linear=False, max_first=False):
        super().__init__()
        self.linear, self.max_first = linear, max_first
        self.avg, self.max = nn.AdaptiveAvgPool2d(1), nn.AdaptiveMaxPool2d(1)
        if linear:
            with warnings.catch_warnings():  # c // 16 may be 0: torch runs width-0 Linear layers
                warnings.filterwarnings("ignore", "Initializing zero-element tensors")
                self.mlp = nn.Sequential(nn.Linear(c, hidden), nn.LeakyReLU(0.1, inplace=True), nn.Linear(hidden, c))
        else:
            self.mlp = nn.Sequential(nn.Conv2d(c, hidden, 1, bias=False), nn.ReLU(), nn.Conv2d(hidden, c, 1, bias=False))
        self.gate = nn.Sigmoid()

    def branch(self, p):
        if self.linear:
            return self.mlp(p.view(p.shape[0], -1)).unsqueeze(2).unsqueeze(3)
        return self.mlp(p)

    def forward(self, x):
        if self.max_first:
            m = self.branch(self.max(x))
            return self.gate(m + self.branch(self.avg(x)))
        a = self.branch(self.avg(x))
        return self.gate(a + self.branch(self.max(x)))


class SpatialGate(nn.Module):
    """CBAM's spatial gate: channel mean and max, a k x k conv to one channel, Sigmoid."""

    def __init__(self, k=7, padding=3, bias=False, bn=False):
        super().__init__()
        self.conv = nn.Conv2d(2, 1, k, padding=padding, bias=bias)
        self.bn = nn.BatchNorm2d(1) if bn else None
        self.gate = nn.Sigmoid()

    def forward(self, x):
        mean = torch.mean(x, dim=1, keepdim=True)
        top, _ = torch.max(x, dim=1, keepdim=True)
        y = self.conv(torch.cat([mean, top], dim=1))
        return self.gate(self.bn(y) if self.bn is not None else y)


def _pad(k):
    assert k in (3, 7), "the forks' CBAM takes a 3 or 7 spatial kernel"
    return 3 if k == 7 else 1


class CBAM(nn.Module):
    def __init__(self, c1, c2, ratio=16, kernel_size=7):
        super().__init__()
        self.channel = ChannelGate(c1, c1 // ratio)
        self.spatial = SpatialGate(kernel_size, _pad(kernel_size))

    def forward(self, x):
        y = self.channel(x) * x
        return self.spatial(y) * y


class CBAMLinear(nn.Module):
    def __init__(self, c1, c2):
        super().__init__()
        self.channel = ChannelGate(c1, c1 // 16, linear=True)
        self.spatial = SpatialGate(7, 3, bias=True)

    def forward(self, x):
        y = self.channel(x) * x
        return self.spatial(y) * y


class CBAMSingleFC(nn.Module):
    def __init__(self, c1, c2, k=7):
        super().__init__()
        self.pool, self.fc, self.gate = nn.AdaptiveAvgPool2d(1), nn.Conv2d(c1, c1, 1, bias=True), nn.Sigmoid()
        self.spatial = SpatialGate(k, _pad(k))

    def forward(self, x):
        y = x * self.gate(self.fc(self.pool(x)))
        return y * self.spatial(y)


class CBAMBottleneck(nn.Module):
    """A YOLOv5 Bottleneck with CBAM before the residual."""

    def __init__(self, c1, c2, kernel_size=3, shortcut=True, g=1, e=0.5, ratio=16, spatial=None):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2 = Conv(c1, h, 1, 1), Conv(h, c2, 3, 1, g=g)
        self.add = shortcut and c1 == c2
        self.channel = ChannelGate(c2, c2 // ratio)
        k = spatial or kernel_size
        self.spatial = SpatialGate(k, _pad(k))

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        y = self.channel(y) * y
        y = self.spatial(y) * y
        return x + y if self.add else y


class CBAMBottleneck7(CBAMBottleneck):
    def __init__(self, c1, c2, k=3, shortcut=True, g=1, e=0.5, ratio=16):
        super().__init__(c1, c2, k, shortcut, g, e, ratio, spatial=7)


class CBAMBlock(nn.Module):
    def __init__(self, channel=512, reduction=16, kernel_size=7):
        super().__init__()
        self.channel = ChannelGate(channel, channel // reduction, max_first=True)
        self.spatial = SpatialGate(kernel_size, kernel_size // 2, bias=True)

    def forward(self, x):
        y = x * self.channel(x)
        return y * self.spatial(y)


class Conv_CBAM(nn.Module):
    """Conv2d, BatchNorm2d, SiLU (not a YOLOv5 Conv), then CBAM's two gates."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2 if p is None else p, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.SiLU() if act is True else (act if isinstance(act, nn.Module) else nn.Identity())
        self.channel = ChannelGate(c2, c2 // 16)
        self.spatial = SpatialGate(7, 3)

    def forward(self, x):
        x = self.act(self.bn(self.conv(x)))
        x = self.channel(x) * x
        return self.spatial(x) * x


class TripletAttention(nn.Module):
    """Z-pool gates with C, H and W in turn as the pooled axis, averaged."""

    def __init__(self, no_spatial=False):
        super().__init__()
        self.no_spatial = no_spatial
        self.cw, self.hc = SpatialGate(7, 3, bn=True), SpatialGate(7, 3, bn=True)
        self.hw = None if no_spatial else SpatialGate(7, 3, bn=True)

    def forward(self, x):
        a = x.permute(0, 2, 1, 3).contiguous()
        a = (a * self.cw(a)).permute(0, 2, 1, 3).contiguous()
        b = x.permute(0, 3, 2, 1).contiguous()
        b = (b * self.hc(b)).permute(0, 3, 2, 1).contiguous()
        if self.no_spatial:
            return 1 / 2 * (a + b)
        return 1 / 3 * (x * self.hw(x) + a + b)

