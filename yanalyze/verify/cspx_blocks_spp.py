"""Spatial-pyramid blocks YOLOv5 forks use in place of SPPF (SimSPPF, ASPP, RFB), written for
yanalyze from what the forks compute: same submodules, parameter shapes and kernels."""
import torch
import torch.nn as nn
import torch.nn.functional as F



class ConvBNReLU(nn.Module):
    """Conv2d without bias, BatchNorm2d, optional ReLU (YOLOv6 SimConv, RFBNet BasicConv)."""

    def __init__(self, c1, c2, k, s=1, p=0, d=1, g=1, relu=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, p, dilation=d, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.relu = nn.ReLU() if relu else None

    def forward(self, x):
        x = self.bn(self.conv(x))
        return self.relu(x) if self.relu is not None else x


class SimSPPF(nn.Module):
    """SPPF built from ReLU conv units."""

    def __init__(self, c1, c2, k=5):
        super().__init__()
        hidden = c1 // 2
        self.cv1 = ConvBNReLU(c1, hidden, 1, 1, 0)
        self.cv2 = ConvBNReLU(4 * hidden, c2, 1, 1, 0)
        self.m = nn.MaxPool2d(kernel_size=k, stride=1, padding=k // 2)

    def forward(self, x):
        x = self.cv1(x)
        a = self.m(x)
        b = self.m(a)
        return self.cv2(torch.cat([x, a, b, self.m(b)], 1))


class ASPP(nn.Module):
    """Image pooling branch plus 1x1 and dilated 3x3 convolutions (6, 12, 18), fused by a 1x1."""

    def __init__(self, c1=512, c2=256):
        super().__init__()
        self.mean = nn.AdaptiveAvgPool2d((1, 1))
        self.conv = nn.Conv2d(c1, c2, 1, 1)
        self.atrous_block1 = nn.Conv2d(c1, c2, 1, 1)
        self.atrous_block6 = nn.Conv2d(c1, c2, 3, 1, padding=6, dilation=6)
        self.atrous_block12 = nn.Conv2d(c1, c2, 3, 1, padding=12, dilation=12)
        self.atrous_block18 = nn.Conv2d(c1, c2, 3, 1, padding=18, dilation=18)
        self.conv_1x1_output = nn.Conv2d(5 * c2, c2, 1, 1)

    def forward(self, x):
        pooled = F.interpolate(self.conv(self.mean(x)), size=x.shape[2:], mode="bilinear", align_corners=False)
        branches = [pooled, self.atrous_block1(x), self.atrous_block6(x), self.atrous_block12(x),
                    self.atrous_block18(x)]
        return self.conv_1x1_output(torch.cat(branches, dim=1))


class RFB(nn.Module):
    """RFBNet: three dilated branches, a 1x1 merge scaled and added to a 1x1 shortcut, ReLU."""

    def __init__(self, c1, c2, stride=1, scale=0.1, map_reduce=8, vision=1, groups=1):
        super().__init__()
        self.scale = scale
        i = c1 // map_reduce
        self.branch0 = nn.Sequential(ConvBNReLU(c1, i, 1, g=groups, relu=False),
                                     ConvBNReLU(i, 2 * i, 3, stride, 1, g=groups),
                                     ConvBNReLU(2 * i, 2 * i, 3, 1, vision + 1, vision + 1, groups, relu=False))
        self.branch1 = nn.Sequential(ConvBNReLU(c1, i, 1, g=groups, relu=False),
                                     ConvBNReLU(i, 2 * i, 3, stride, 1, g=groups),
                                     ConvBNReLU(2 * i, 2 * i, 3, 1, vision + 2, vision + 2, groups, relu=False))
        self.branch2 = nn.Sequential(ConvBNReLU(c1, i, 1, g=groups, relu=False),
                                     ConvBNReLU(i, (i // 2) * 3, 3, 1, 1, g=groups),
                                     ConvBNReLU((i // 2) * 3, 2 * i, 3, stride, 1, g=groups),
                                     ConvBNReLU(2 * i, 2 * i, 3, 1, vision + 4, vision + 4, groups, relu=False))
        self.ConvLinear = ConvBNReLU(6 * i, c2, 1, relu=False)
        self.shortcut = ConvBNReLU(c1, c2, 1, stride, relu=False)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.ConvLinear(torch.cat((self.branch0(x), self.branch1(x), self.branch2(x)), 1))
        return self.relu(y * self.scale + self.shortcut(x))


class FEM(nn.Module):
    """RFB-style enhancement: 1x1+3x3, and 1x1, (1,3)/(3,1) pairs then a dilation-5 3x3, merged by
    a 1x1, scaled, added to a 1x1 shortcut, ReLU."""

    def __init__(self, c1, c2, stride=1, scale=0.1, map_reduce=8):
        super().__init__()
        self.scale = scale
        i = c1 // map_reduce
        m = (i // 2) * 3
        self.branch0 = nn.Sequential(ConvBNReLU(c1, 2 * i, 1, stride), ConvBNReLU(2 * i, 2 * i, 3, 1, 1, relu=False))
        self.branch1 = nn.Sequential(ConvBNReLU(c1, i, 1), ConvBNReLU(i, m, (1, 3), stride, (0, 1)),
                                     ConvBNReLU(m, 2 * i, (3, 1), stride, (1, 0)),
                                     ConvBNReLU(2 * i, 2 * i, 3, 1, 5, 5, relu=False))
        self.branch2 = nn.Sequential(ConvBNReLU(c1, i, 1), ConvBNReLU(i, m, (3, 1), stride, (1, 0)),
                                     ConvBNReLU(m, 2 * i, (1, 3), stride, (0, 1)),
                                     ConvBNReLU(2 * i, 2 * i, 3, 1, 5, 5, relu=False))
        self.ConvLinear = ConvBNReLU(6 * i, c2, 1, relu=False)
        self.shortcut = ConvBNReLU(c1, c2, 1, stride, relu=False)
        self.relu = nn.ReLU()

    def forward(self, x):
        y = self.ConvLinear(torch.cat((self.branch0(x), self.branch1(x), self.branch2(x)), 1))
        return self.relu(y * self.scale + self.shortcut(x))
