"""Scaled-YOLOv4 / YOLOR / YOLOv7 CSP blocks, MobileOne, RFEM and the PP-YOLOE stem as the
iscyy/yoloair collection builds them; written for yanalyze from what those classes compute
(same submodules, parameter shapes and kernels, in our own code)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import Bottleneck, Conv


class BottleneckCSPF(nn.Module):
    """BottleneckCSP without the 1x1 after the bottlenecks: cv1 and n Bottlenecks beside a plain
    1x1 conv of the input; batch norm and SiLU on the concat, then cv4."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1 = Conv(c1, h, 1, 1)
        self.cv2 = nn.Conv2d(c1, h, 1, 1, bias=False)
        self.cv4 = Conv(2 * h, c2, 1, 1)
        self.bn = nn.BatchNorm2d(2 * h)
        self.act = nn.SiLU()
        self.m = nn.Sequential(*[Bottleneck(h, h, shortcut, g, e=1.0) for _ in range(n)])

    def forward(self, x):
        return self.cv4(self.act(self.bn(torch.cat([self.m(self.cv1(x)), self.cv2(x)], 1))))


def conv_bn_seq(c1, c2, k, s, p, g=1):
    """nn.Sequential of a bias-free Conv2d and a BatchNorm2d (not a YOLOv5 Conv: never fused)."""
    return nn.Sequential(nn.Conv2d(c1, c2, k, s, p, groups=g, bias=False), nn.BatchNorm2d(c2))


def summed(parts):
    """Python's sum() over tensors: it starts from the integer 0, so the first term is a kernel too."""
    total = 0
    for t in parts:
        total = total + t
    return total


class MobileOneUnit(nn.Module):
    """MobileOne block in its training form: k depth-wise 3x3 conv-BN branches, a depth-wise 1x1
    one and (stride 1, same channels) a BN identity, summed, ReLU; then k point-wise 1x1 conv-BN
    branches and (same channels, stride 1) a BN identity, summed, ReLU."""

    def __init__(self, c1, c2, k, stride=1, act=nn.ReLU):
        super().__init__()
        keep = c1 == c2 and stride == 1
        self.dw_bn = nn.BatchNorm2d(c1) if keep else None
        self.dw3 = nn.ModuleList(conv_bn_seq(c1, c1, 3, stride, 1, c1) for _ in range(k))
        self.dw1 = conv_bn_seq(c1, c1, 1, stride, 0, c1)
        self.pw_bn = nn.BatchNorm2d(c1) if keep else None
        self.pw = nn.ModuleList(conv_bn_seq(c1, c2, 1, 1, 0) for _ in range(k))
        self.relu = act()

    def forward(self, x):
        ident = self.dw_bn(x) if self.dw_bn is not None else 0
        y = self.relu(ident + self.dw1(x) + summed(branch(x) for branch in self.dw3))
        ident = self.pw_bn(y) if self.pw_bn is not None else 0
        return self.relu(ident + summed(branch(y) for branch in self.pw))


class MobileOne(nn.Module):
    """n MobileOne blocks in sequence (the fork passes its deploy flag where the block takes its
    dilation, so the blocks are always in training form)."""

    def __init__(self, in_channels, out_channels, n, k, stride=1, dilation=1, padding_mode="zeros", deploy=False,
                 use_se=False):
        super().__init__()
        self.m = nn.Sequential(*[MobileOneUnit(in_channels, out_channels, k, stride, self.act) for _ in range(n)])

    act: type[nn.Module] = nn.ReLU

    def forward(self, x):
        return self.m(x)


class MobileOneSiLU(MobileOne):
    """The same with SiLU in place of ReLU (a875560134/yoloY)."""

    act = nn.SiLU


class TridentBlock(nn.Module):
    """Three branches sharing one pair of weights (1x1 then 3x3 at dilation 1, 2, 3, run with
    F.conv2d) and one pair of batch norms, each with a residual add and SiLU; returns the three."""

    def __init__(self, c1, c2, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.w1 = nn.Parameter(torch.empty(h, c1, 1, 1))
        self.w2 = nn.Parameter(torch.empty(c2, h, 3, 3))
        self.bn1, self.bn2 = nn.BatchNorm2d(h), nn.BatchNorm2d(c2)
        self.act = nn.SiLU()

    def branch(self, x, d):
        y = self.act(self.bn1(F.conv2d(x, self.w1)))
        y = self.bn2(F.conv2d(y, self.w2, padding=d, dilation=d))
        y += x
        return self.act(y)

    def forward(self, x):
        return [self.branch(x, d) for d in (1, 2, 3)]


class RFEM(nn.Module):
    """Receptive field enhancement: the trident's three outputs plus the input, BN, SiLU."""

    def __init__(self, c1, c2, e=0.5):
        super().__init__()
        self.layer = TridentBlock(c1, c2, e)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.SiLU()

    def forward(self, x):
        a, b, c = self.layer(x)
        return self.act(self.bn(a + b + c + x))


class C3RFEM(nn.Module):
    """C3 whose inner blocks are n RFEM(h, h, e) modules."""

    def __init__(self, c1, c2, n=1, shortcut=True, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(2 * h, c2, 1)
        self.m = nn.Sequential(*[RFEM(h, h, e) for _ in range(n)])

    def forward(self, x):
        return self.cv3(torch.cat([self.m(self.cv1(x)), self.cv2(x)], 1))


class InplaceSwish(nn.Module):
    """x * sigmoid(x) written as x.mul_(torch.sigmoid(x)): two kernels."""

    def forward(self, x):
        return x.mul_(torch.sigmoid(x))


PP_ACTS = {"swish": InplaceSwish, "silu": nn.SiLU, "relu": nn.ReLU, "lrelu": lambda: nn.LeakyReLU(0.1),
           "hardsigmoid": nn.Hardsigmoid}


class ConvBNLayer(nn.Module):
    """PP-YOLOE's conv unit: Conv2d without bias, BatchNorm2d, activation by name."""

    def __init__(self, c1, c2, k=3, s=1, g=1, p=0, act="swish"):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, p, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = PP_ACTS[act]() if act is not None else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


class CSPResNet_CBS(nn.Module):
    """PP-YOLOE stem: a stride-2 3x3 unit to c2 / 2 then 3x3 units to c2 / 2 and c2 (large stem),
    or (small stem, whose first unit always takes 3 channels) to c2 / 2 then c2."""

    def __init__(self, c1=3, c2=64, use_large_stem=True, act="swish"):
        super().__init__()
        h = c2 // 2
        if use_large_stem:
            units = [ConvBNLayer(c1, h, 3, 2, p=1, act=act), ConvBNLayer(h, h, 3, 1, p=1, act=act),
                     ConvBNLayer(h, c2, 3, 1, p=1, act=act)]
        else:
            units = [ConvBNLayer(3, h, 3, 2, p=1, act=act), ConvBNLayer(h, c2, 3, 1, p=1, act=act)]
        self.stem = nn.Sequential(*units)

    def forward(self, x):
        return self.stem(x)


class ResUnit(nn.Module):
    """ResNet bottleneck of Convs: 1x1, grouped 3x3, 1x1; residual when shortcut and c1 == c2."""

    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(h, h, 3, 1, g=g), Conv(h, c2, 1, 1)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv3(self.cv2(self.cv1(x)))
        return x + y if self.add else y


class ResXCSPC(nn.Module):
    """YOLOv7's CSP-C with ResNeXt units: cv1 then n ResUnit(h, h, g, e=1) then cv3, beside cv2;
    concatenated, cv4."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=32, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(h, h, 1, 1)
        self.cv4 = Conv(2 * h, c2, 1, 1)
        self.m = nn.Sequential(*[ResUnit(h, h, shortcut, g, 1.0) for _ in range(n)])

    def forward(self, x):
        return self.cv4(torch.cat([self.cv3(self.m(self.cv1(x))), self.cv2(x)], 1))
