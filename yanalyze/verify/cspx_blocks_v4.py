"""Torch references of the Scaled-YOLOv4 CSP blocks in yoloair's models/Models/yolov4.py (SPPCSP,
BottleneckCSP2), with the submodules, parameter shapes and forward kernels of the fork's classes
(sources in yanalyze/analyzer/modules/cspx_v4.py)."""
import torch
import torch.nn as nn

from .cspx_blocks import MishConv


class MishBottleneck(nn.Module):
    def __init__(self, c, shortcut, g):
        super().__init__()
        self.cv1, self.cv2 = MishConv(c, c, 1, 1), MishConv(c, c, 3, 1, g=g)
        self.add = shortcut

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class BottleneckCSP2(nn.Module):
    """Bottlenecks beside a plain 1x1 conv, both on cv1's output; BN + Mish on the concatenation; cv3."""

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5):
        super().__init__()
        h = int(c2)
        self.cv1 = MishConv(c1, h, 1, 1)
        self.cv2 = nn.Conv2d(h, h, 1, 1, bias=False)
        self.cv3 = MishConv(2 * h, c2, 1, 1)
        self.bn, self.act = nn.BatchNorm2d(2 * h), nn.Mish()
        self.m = nn.Sequential(*(MishBottleneck(h, shortcut, g) for _ in range(n)))

    def forward(self, x):
        x1 = self.cv1(x)
        return self.cv3(self.act(self.bn(torch.cat((self.m(x1), self.cv2(x1)), 1))))


class SPPCSP(nn.Module):
    """Conv chain and spatial pyramid of max-pools beside a plain 1x1 conv; BN + Mish; cv7."""

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5, k=(5, 9, 13)):
        super().__init__()
        h = int(2 * c2 * e)
        self.cv1, self.cv3, self.cv4 = MishConv(c1, h, 1, 1), MishConv(h, h, 3, 1), MishConv(h, h, 1, 1)
        self.cv2 = nn.Conv2d(c1, h, 1, 1, bias=False)
        self.m = nn.ModuleList(nn.MaxPool2d(size, 1, size // 2) for size in k)
        self.cv5, self.cv6 = MishConv(4 * h, h, 1, 1), MishConv(h, h, 3, 1)
        self.bn, self.act = nn.BatchNorm2d(2 * h), nn.Mish()
        self.cv7 = MishConv(2 * h, c2, 1, 1)

    def forward(self, x):
        x1 = self.cv4(self.cv3(self.cv1(x)))
        y1 = self.cv6(self.cv5(torch.cat([x1] + [pool(x1) for pool in self.m], 1)))
        return self.cv7(self.act(self.bn(torch.cat((y1, self.cv2(x)), 1))))
