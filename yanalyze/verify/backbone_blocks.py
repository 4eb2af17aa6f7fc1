"""Torch restatements of the ShuffleNet V2, MobileNet and YOLOv5-Lite blocks that YOLOv5 forks publish, with
the parameter shapes and forward kernels of the forks' classes (sources in
yanalyze/analyzer/modules/backbone_sources.py), for verify and the cross-checks."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import Conv
from .custom_blocks import SELayer, h_swish


def shuffle_channels(x, groups=2):
    """Interleave the channel groups: a view, a transpose, one contiguous copy, a view."""
    n, c, h, w = x.shape
    return x.view(n, groups, c // groups, h, w).transpose(1, 2).contiguous().view(n, c, h, w)


def depthwise(c, k, s, p, bias=False):
    return nn.Conv2d(c, c, k, s, p, groups=c, bias=bias)


def point_bn_act(c1, c2, act):
    return [nn.Conv2d(c1, c2, 1, bias=False), nn.BatchNorm2d(c2), act()]


class ShuffleUnit(nn.Module):
    """ShuffleNet V2 unit; class attributes say how a fork's copy differs."""
    act: type[nn.Module] = nn.ReLU
    dw_bias = False
    tail = True        # branch2 ends with 1x1 + BN + act (False: only the act, the Lite form)
    factored = False   # depth-wise 3x3 as (1,3) then (3,1)
    strides: tuple[int, ...] = (1, 2, 3)

    def __init__(self, c1, c2, stride):
        super().__init__()
        if stride not in self.strides:
            raise ValueError(f"stride {stride} not in {self.strides}")
        half = c2 // 2
        assert stride != 1 or c1 == 2 * half
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(*self.dw(c1, stride), nn.BatchNorm2d(c1), *point_bn_act(c1, half, self.act))
        body = [*point_bn_act(c1 if stride > 1 else half, half, self.act), *self.dw(half, stride), nn.BatchNorm2d(half)]
        body += point_bn_act(half, half, self.act) if self.tail else [self.act()]
        self.branch2 = nn.Sequential(*body)

    def dw(self, c, s):
        if self.factored:
            return [depthwise(c, (1, 3), (1, s), (0, 1)), depthwise(c, (3, 1), (s, 1), (1, 0))]
        return [depthwise(c, 3, s, 1, self.dw_bias)]

    def forward(self, x):
        if self.stride == 1:
            keep, part = x.chunk(2, dim=1)
            y = torch.cat((keep, self.branch2(part)), 1)
        else:
            y = torch.cat((self.branch1(x), self.branch2(x)), 1)
        return shuffle_channels(y)


class Shuffle_Block(ShuffleUnit):
    """ReLU unit (TP-Thread/yolov5, ppogg/YOLOv5-Lite, ScottDu404, LMSD-YOLO's ShuffleNetV2_InvertedResidual)."""


class ShuffleV2Block(ShuffleUnit):
    """YOLO5Face's unit: SiLU."""
    act = nn.SiLU


class ShuffleNetV2Block(ShuffleUnit):
    """Tao-GCPD's unit: depth-wise convolutions with bias."""
    dw_bias = True
    strides = (1, 2)


class Shuffle_Block_Lite(ShuffleUnit):
    """ScottDu404's unit without branch2's last 1x1 convolution."""
    tail = False
    strides = (1, 2)


class SBLL(Shuffle_Block_Lite):
    """Shuffle_Block_Lite with factorised depth-wise convolutions."""
    factored = True


class LiteGhostConv(nn.Module):
    """YOLOv5-Lite's GhostConv: Conv 1x1 to half, depth-wise k x k Conv of that half, concatenated."""

    def __init__(self, c1, c2, k=3, s=1, g=1, act=True):
        super().__init__()
        self.cv1 = Conv(c1, c2 // 2, 1, s, None, g, act=act)
        self.cv2 = Conv(c2 // 2, c2 // 2, k, s, None, c2 // 2, act=act)

    def forward(self, x):
        y = self.cv1(x)
        return torch.cat((y, self.cv2(y)), 1)


class ES_SEModule(nn.Module):
    """Squeeze-excite with biased 1x1 convolutions and a hard-sigmoid gate."""

    def __init__(self, c, reduction=4):
        super().__init__()
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.gate = nn.Sequential(nn.Conv2d(c, c // reduction, 1), nn.ReLU(),
                                  nn.Conv2d(c // reduction, c, 1), nn.Hardsigmoid())

    def forward(self, x):
        return x * self.gate(self.pool(x))


class ES_Bottleneck(nn.Module):
    """Enhanced ShuffleNet unit (PP-PicoDet) as YOLOv5-Lite builds it: all four branches exist."""

    def __init__(self, c1, c2, stride):
        super().__init__()
        if not 1 <= stride <= 3:
            raise ValueError(f"stride {stride}")
        half, hs = c2 // 2, nn.Hardswish
        self.stride = stride
        if stride > 1:
            self.branch1 = nn.Sequential(depthwise(c1, 3, stride, 1), nn.BatchNorm2d(c1), *point_bn_act(c1, half, hs))
        self.branch2 = nn.Sequential(*point_bn_act(c1 if stride > 1 else half, half, hs), depthwise(half, 3, stride, 1),
                                     nn.BatchNorm2d(half), ES_SEModule(half), *point_bn_act(half, half, hs))
        self.branch3 = nn.Sequential(LiteGhostConv(half, half, 3, 1), ES_SEModule(half), *point_bn_act(half, half, hs))
        self.branch4 = nn.Sequential(depthwise(c2, 3, 1, 1), nn.BatchNorm2d(c2), *point_bn_act(c2, c2, hs))

    def forward(self, x):
        if self.stride == 1:
            keep, part = x.chunk(2, dim=1)
            return shuffle_channels(torch.cat((keep, self.branch3(part)), 1))
        return self.branch4(torch.cat((self.branch1(x), self.branch2(x)), 1))


def conv_bn_relu_s2(c1, c2):
    return nn.Sequential(nn.Conv2d(c1, c2, 3, 2, 1, bias=False), nn.BatchNorm2d(c2), nn.ReLU())


class CBRM(nn.Module):
    """ShuffleNet V2 stem: 3x3 stride-2 conv, BN, ReLU, 3x3 stride-2 max-pool (also named
    conv_bn_relu_maxpool and Conv_maxpool)."""

    def __init__(self, c1, c2):
        super().__init__()
        self.conv = conv_bn_relu_s2(c1, c2)
        self.maxpool = nn.MaxPool2d(3, 2, 1)

    def forward(self, x):
        return self.maxpool(self.conv(x))


class Convfirst_maxpool(nn.Module):
    """Two parallel conv-BN-ReLU stems summed, then the stride-2 max-pool."""

    def __init__(self, c1, c2):
        super().__init__()
        self.conv1, self.conv2 = conv_bn_relu_s2(c1, c2), conv_bn_relu_s2(c1, c2)
        self.maxpool = nn.MaxPool2d(3, 2, 1)

    def forward(self, x):
        return self.maxpool(self.conv1(x) + self.conv2(x))


class space_to_depth(nn.Module):
    """SPD: pixel phases (even, even), (odd, even), (even, odd), (odd, odd) stacked on channels."""

    def __init__(self, dimension=1):
        super().__init__()
        self.d = dimension

    def forward(self, x):
        return torch.cat([x[..., r::2, q::2] for q in (0, 1) for r in (0, 1)], 1)


class InvertedResidual(nn.Module):
    """LMSD-YOLO's MobileNetV3 block: each convolution a grouped (gcd) Conv without activation, then
    a second BatchNorm2d."""

    def __init__(self, inp, oup, hidden, k, s, use_se, use_hs):
        super().__init__()
        assert s in (1, 2)
        self.identity = s == 1 and inp == oup
        act = h_swish if use_hs else nn.ReLU
        se = [SELayer(hidden)] if use_se else []

        def gconv(c1, c2, kk, ss):
            return [Conv(c1, c2, kk, ss, None, math.gcd(c1, c2), act=False), nn.BatchNorm2d(c2)]

        if inp == hidden:
            layers = [*gconv(hidden, hidden, k, s), act(), *se, *gconv(hidden, oup, 1, 1)]
        else:
            layers = [*gconv(inp, hidden, 1, 1), act(), *gconv(hidden, hidden, k, s), *se, act(),
                      *gconv(hidden, oup, 1, 1)]
        self.conv = nn.Sequential(*layers)

    def forward(self, x):
        y = self.conv(x)
        return x + y if self.identity else y


def conv_bn_relu6(c1, c2, k=3, s=1, g=1):
    return [nn.Conv2d(c1, c2, k, s, (k - 1) // 2, groups=g, bias=False), nn.BatchNorm2d(c2), nn.ReLU6()]


class InvertedResidualV2(nn.Module):
    """MobileNetV2 block in torchvision's layout (InvertedResidual(inp, oup, stride, expand_ratio))."""

    def __init__(self, inp, oup, stride, expand_ratio):
        super().__init__()
        hidden = int(round(inp * expand_ratio))
        self.res = stride == 1 and inp == oup
        expand = conv_bn_relu6(inp, hidden, 1) if expand_ratio != 1 else []
        self.conv = nn.Sequential(*expand, *conv_bn_relu6(hidden, hidden, 3, stride, hidden),
                                  nn.Conv2d(hidden, oup, 1, bias=False), nn.BatchNorm2d(oup))

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


class MobileNetV2Block(nn.Module):
    """MobileNetV2 block built from YOLOv5 Convs with ReLU6."""

    def __init__(self, c1, c2, s=1, expand=6):
        super().__init__()
        h = int(c1 * expand)
        self.res = s == 1 and c1 == c2
        expand_conv = [Conv(c1, h, 1, act=nn.ReLU6())] if expand != 1 else []
        self.conv = nn.Sequential(*expand_conv, Conv(h, h, 3, s, g=h, act=nn.ReLU6()),
                                  nn.Conv2d(h, c2, 1, bias=False), nn.BatchNorm2d(c2))

    def forward(self, x):
        return x + self.conv(x) if self.res else self.conv(x)


class DWConvblock(nn.Module):
    """Depth-wise k x k + BN + ReLU, point-wise 1x1 + BN + ReLU (functional relu)."""

    def __init__(self, c1, c2, k, s):
        super().__init__()
        self.conv1 = depthwise(c1, k, s, k // 2)
        self.bn1 = nn.BatchNorm2d(c1)
        self.conv2 = nn.Conv2d(c1, c2, 1, bias=False)
        self.bn2 = nn.BatchNorm2d(c2)

    def forward(self, x):
        return F.relu(self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x))))))


class CBH(nn.Module):
    """Conv2d (padding (k-1)//2, groups) + BN + Hardswish."""

    def __init__(self, c1, c2, k, s, g=1):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, (k - 1) // 2, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.hardswish = nn.Hardswish()

    def forward(self, x):
        return self.hardswish(self.bn(self.conv(x)))


class ADD(nn.Module):
    """x[0] + alpha * x[1] in one torch.add."""

    def __init__(self, alpha=0.5):
        super().__init__()
        self.a = alpha

    def forward(self, x):
        return torch.add(x[0], x[1], alpha=self.a)
