"""Torch references of hduwujing/YOLOv5s_final's EA and EC (sources in
analyzer/modules/attention_external.py)."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention_blocks_coord import CA, EMAC1C2
from .blocks import Conv


class EA(nn.Module):
    """External attention: positions scored against 64 memory units, double-normalized, projected back (hduwujing/YOLOv5s_final)."""

    def __init__(self, c, out):
        super().__init__()
        self.conv1 = nn.Conv2d(c, c, 1)
        self.k = 64
        self.linear_0 = nn.Conv1d(c, self.k, 1, bias=False)
        self.linear_1 = nn.Conv1d(self.k, c, 1, bias=False)
        self.conv2 = nn.Sequential(nn.Conv2d(c, c, 1, bias=False), nn.BatchNorm2d(c))

    def forward(self, x):
        b, c, h, w = x.shape
        y = self.conv1(x).view(b, c, h * w)
        scores = F.softmax(self.linear_0(y), dim=-1)
        scores = scores / (1e-9 + scores.sum(dim=1, keepdim=True))
        y = self.conv2(self.linear_1(scores).view(b, c, h, w))
        return F.relu(y + x)


class EC(nn.Module):
    """EMA and coordinate attention in parallel, concatenated, a 1x1 Conv (hduwujing/YOLOv5s_final)."""

    def __init__(self, in_channel, out_channel):
        super().__init__()
        self.ema = EMAC1C2(in_channel, out_channel)
        self.ca = CA(in_channel, in_channel)
        self.cv = Conv(in_channel * 2, out_channel)

    def forward(self, x):
        return self.cv(torch.cat([self.ema(x), self.ca(x)], dim=1))
