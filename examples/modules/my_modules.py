"""A user's own torch modules, measured by yanalyze on the meta device:

    yanalyze examples/yolov5s-traced.yaml --modules examples/modules/my_modules.py

yanalyze imports this file (running its code) only when asked with --modules.
"""
import torch
import torch.nn as nn


class RepConvLite(nn.Module):
    """A 3x3 and a 1x1 branch, each with BatchNorm, summed, then ReLU (RepVGG-style, unfused).
    Its first two parameters are c1, c2, so YOLOv5's conv-like channel rule applies."""

    def __init__(self, c1, c2, k=3, s=1):
        super().__init__()
        self.conv3 = nn.Conv2d(c1, c2, k, s, k // 2, bias=False)
        self.bn3 = nn.BatchNorm2d(c2)
        self.conv1 = nn.Conv2d(c1, c2, 1, s, 0, bias=False)
        self.bn1 = nn.BatchNorm2d(c2)
        self.act = nn.ReLU()

    def forward(self, x):
        return self.act(self.bn3(self.conv3(x)) + self.bn1(self.conv1(x)))


class ECA(nn.Module):
    """Efficient channel attention: global average pool, a 1-D conv across channels, sigmoid gate.
    Its arguments are taken as written (channels, kernel size)."""

    def __init__(self, channels, k_size=3):
        super().__init__()
        self.channels = channels
        self.conv = nn.Conv1d(1, 1, k_size, padding=k_size // 2, bias=False)

    def forward(self, x):
        y = x.mean((2, 3), keepdim=True)
        y = self.conv(y.squeeze(-1).transpose(-1, -2)).transpose(-1, -2).unsqueeze(-1)
        return x * torch.sigmoid(y)
