"""Torch restatements of the stems and classic backbone blocks that YOLOv5 forks publish (YOLO5Face,
yoloair, Tao-GCPD, DenseNet/ResNet stages and Sum, DPN, PMSA-YOLO's INSN blocks), with the
parameter shapes and forward kernels of the forks' classes (sources in
yanalyze/analyzer/modules/backbone_sources.py)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import Conv, DWConv


class StemBlock(nn.Module):
    """Conv(k, s); 1x1 then 3x3 stride-2 Conv beside a 2x2 ceil-mode max-pool; concat; 1x1 Conv."""

    def __init__(self, c1, c2, k=3, s=2, p=None, g=1, act=True):
        super().__init__()
        self.stem_1 = Conv(c1, c2, k, s, p, g, act=act)
        self.stem_2a = Conv(c2, c2 // 2, 1, 1, 0)
        self.stem_2b = Conv(c2 // 2, c2, 3, 2, 1)
        self.stem_2p = nn.MaxPool2d(2, 2, ceil_mode=True)
        self.stem_3 = Conv(2 * c2, c2, 1, 1, 0)

    def forward(self, x):
        y = self.stem_1(x)
        return self.stem_3(torch.cat((self.stem_2b(self.stem_2a(y)), self.stem_2p(y)), 1))


class Stem(nn.Module):
    """3x3 stride-2 Conv to c2/2; 1x1 and 3x3 stride-2 Conv beside a 2x2 max-pool; concat; 1x1 Conv."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        h = int(c2 / 2)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 3, 2), Conv(h, h, 1, 1), Conv(h, h, 3, 2)
        self.pool = nn.MaxPool2d(2, 2)
        self.cv4 = Conv(2 * h, c2, 1, 1)

    def forward(self, x):
        y = self.cv1(x)
        return self.cv4(torch.cat((self.cv3(self.cv2(y)), self.pool(y)), 1))


class _Blaze(nn.Module):
    """BlazeFace residual: body(x) plus x, or plus a max-pooled biased 1x1 + BN when strided; SiLU."""

    def __init__(self, c1, c2, stride):
        super().__init__()
        assert stride in (1, 2)
        self.use_pool = stride > 1
        if self.use_pool:
            self.shortcut = nn.Sequential(nn.MaxPool2d(stride, stride), nn.Conv2d(c1, c2, 1), nn.BatchNorm2d(c2))
        self.relu = nn.SiLU()

    def forward(self, x):
        return self.relu(self.branch1(x) + (self.shortcut(x) if self.use_pool else x))


class BlazeBlock(_Blaze):
    def __init__(self, c1, c2, mid=None, stride=1):
        super().__init__(c1, c2, stride)
        mid = mid or c1
        self.branch1 = nn.Sequential(nn.Conv2d(c1, mid, 5, stride, 2, groups=c1), nn.BatchNorm2d(mid),
                                     nn.Conv2d(mid, c2, 1), nn.BatchNorm2d(c2))


class DoubleBlazeBlock(_Blaze):
    def __init__(self, c1, c2, mid=None, stride=1):
        super().__init__(c1, c2, stride)
        mid = mid or c1
        self.branch1 = nn.Sequential(nn.Conv2d(c1, c1, 5, stride, 2, groups=c1), nn.BatchNorm2d(c1),
                                     nn.Conv2d(c1, mid, 1), nn.BatchNorm2d(mid), nn.SiLU(),
                                     nn.Conv2d(mid, mid, 5, 1, 2), nn.BatchNorm2d(mid),
                                     nn.Conv2d(mid, c2, 1), nn.BatchNorm2d(c2))


class Convfirst(nn.Module):
    """Sum of two 1x1 Convs of the input."""

    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5):
        super().__init__()
        self.cv1, self.cv2 = Conv(c1, c2, 1, 1), Conv(c1, c2, 1, 1)

    def forward(self, x):
        return self.cv1(x) + self.cv2(x)


class DenseLayer(nn.Module):
    """BN-ReLU-1x1 (4k), BN-ReLU-3x3 (k), new channels appended to the input."""

    def __init__(self, c1, k):
        super().__init__()
        self.bn1, self.conv1 = nn.BatchNorm2d(c1), nn.Conv2d(c1, 4 * k, 1, bias=False)
        self.bn2, self.conv2 = nn.BatchNorm2d(4 * k), nn.Conv2d(4 * k, k, 3, padding=1, bias=False)

    def forward(self, x):
        y = self.conv2(F.relu(self.bn2(self.conv1(F.relu(self.bn1(x))))))
        return torch.cat((x, y), 1)


class DenseBlock(nn.Module):
    def __init__(self, c1, c2, n):
        super().__init__()
        k = (c2 - c1) // n
        self.m = nn.Sequential(*(DenseLayer(c1 + i * k, k) for i in range(n)))
        self.bn = nn.BatchNorm2d(c2)

    def forward(self, x):
        return F.relu(self.bn(self.m(x)))


class DenseNetTrasition(nn.Module):
    """1x1 conv then a functional 2x2 average pool (the fork omits the stride, which defaults to the
    kernel; it is written out here because verify's tracer reads the stride argument)."""

    def __init__(self, c1, c2):
        super().__init__()
        self.conv1 = nn.Conv2d(c1, c2, 1, bias=False)

    def forward(self, x):
        return F.avg_pool2d(self.conv1(x), 2, 2)


class ResnetBottleneck(nn.Module):
    def __init__(self, c1, c2, s=1):
        super().__init__()
        h = int(c2 // 4)
        self.cv1 = Conv(c1, h, 1, 1, act=nn.ReLU())
        self.cv2 = Conv(h, h, 3, s, act=nn.ReLU())
        self.conv, self.bn, self.act = nn.Conv2d(h, c2, 1, bias=False), nn.BatchNorm2d(c2), nn.ReLU()
        self.down = nn.Sequential(nn.Conv2d(c1, c2, 1, s, bias=False), nn.BatchNorm2d(c2)) \
            if s != 1 or c1 != c2 else None

    def forward(self, x):
        y = self.bn(self.conv(self.cv2(self.cv1(x))))
        return self.act(y + (self.down(x) if self.down is not None else x))


class ResNetBlock(nn.Module):
    def __init__(self, c1, c2, n=1, downsample=True, shortcut=True, g=1, e=4):
        super().__init__()
        first = ResnetBottleneck(c1, c2, 2 if downsample else 1)
        self.m = nn.Sequential(first, *(ResnetBottleneck(c2, c2) for _ in range(n - 1))) if n > 1 else first

    def forward(self, x):
        return self.m(x)


class Sum(nn.Module):
    """Sum of the first n inputs, optionally weighted by 2 sigmoid(w)."""

    def __init__(self, n, weight=False):
        super().__init__()
        self.n, self.weight = n, weight
        if weight:
            self.w = nn.Parameter(-torch.arange(1.0, n) / 2)

    def forward(self, x):
        y = x[0]
        w = torch.sigmoid(self.w) * 2 if self.weight else None
        for i in range(1, self.n):
            y = y + (x[i] * w[i - 1] if self.weight else x[i])
        return y


class DPNUnit(nn.Module):
    def __init__(self, cin, add, cat, cardinality, d, stride):
        super().__init__()
        w = cardinality * d
        self.add = add
        self.conv1, self.conv2 = Conv(cin, w, 1, 1, 0), Conv(w, w, 3, stride, 1, g=cardinality)
        self.conv3, self.bn = nn.Conv2d(w, add + cat, 1), nn.BatchNorm2d(add + cat)
        self.shortcut = nn.Sequential(nn.Conv2d(cin, add, 1, stride), nn.BatchNorm2d(add)) if add != cin \
            else nn.Sequential()
        self.act = nn.LeakyReLU(0.1)

    def forward(self, x):
        y = self.bn(self.conv3(self.conv2(self.conv1(x))))
        return self.act(torch.cat((y[:, :self.add] + self.shortcut(x), y[:, self.add:]), 1))


class DPN(nn.Module):
    def __init__(self, c1, c2, block=1, cat_chnl=16, cardinality=16, d=3, stride=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(2 * h, c2, 1)
        units, c = [], h
        for i in range(block):
            units.append(DPNUnit(c, h, cat_chnl, cardinality, d, stride if i == 0 else 1))
            c = h + cat_chnl
        self.m = nn.Sequential(*units)
        self.cv4 = Conv(c, h, 1, 1)

    def forward(self, x):
        return self.cv3(torch.cat((self.cv4(self.m(self.cv1(x))), self.cv2(x)), 1))


def dw_chain(c, k):
    return nn.Sequential(*(DWConv(c, c, 3, 1) for _ in range(k)))


class INSNs(nn.Module):
    def __init__(self, c1, c2, n=1, shortcut=False, e=0.25):
        super().__init__()
        h = int(c1 * e)
        self.a1, self.a2 = Conv(c1, h, 1, 1), dw_chain(h, 2)
        self.b, self.b1, self.b2 = Conv(c1, h, 1, 1), Conv(h, h, 1, 1), DWConv(h, h, 3, 1)
        self.out = Conv(c1, c2, 1, 1)

    def forward(self, x):
        a, b = self.a1(x), self.b(x)
        return self.out(torch.cat((a, self.a2(a), self.b1(b), self.b2(b)), 1))


class INSNl(nn.Module):
    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c1 * e * e)
        self.a1, self.a2, self.a3 = Conv(c1, h, 1, 1), dw_chain(h, 2), dw_chain(h, 2)
        self.b = Conv(c1, h, 1, 1)
        self.chains = nn.ModuleList(dw_chain(h, k) for k in (1, 2, 3))
        self.out = Conv(c1, c2, 1, 1)

    def forward(self, x):
        a1 = self.a1(x)
        a2 = self.a2(a1)
        b = self.b(x)
        total = b
        for chain in self.chains:
            total = total + chain(b)
        return self.out(torch.cat((a1, a2, self.a3(a2), total), 1))
