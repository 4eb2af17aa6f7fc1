"""Torch reference of IRSTD-yolov5's attention_model (sources in analyzer/modules/necks_irstd.py)."""
import math

import torch
import torch.nn as nn


class ChannelAtt(nn.Module):
    """ECA-style gate: pooled channels filtered by a Conv1d, sigmoid, multiplied back."""

    def __init__(self, channel, b=1, gamma=2):
        super().__init__()
        k = int(abs((math.log(channel, 2) + b) / gamma))
        k = k if k % 2 else k + 1
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.conv = nn.Conv1d(1, 1, kernel_size=k, padding=(k - 1) // 2, bias=False)
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        seq = self.avg_pool(x).squeeze(-1).transpose(-1, -2)
        gate = self.sigmoid(self.conv(seq).transpose(-1, -2).unsqueeze(-1))
        return x * gate.expand_as(x)


class LocalAtt(nn.Module):
    """Per-axis means through a shared 1x1 bottleneck (BN, ReLU), then per-axis sigmoid gates."""

    def __init__(self, channel, reduction=16):
        super().__init__()
        mid = channel // reduction
        self.conv_1x1 = nn.Conv2d(channel, mid, 1, 1, bias=False)
        self.relu = nn.ReLU()
        self.bn = nn.BatchNorm2d(mid)
        self.F_h = nn.Conv2d(mid, channel, 1, 1, bias=False)
        self.F_w = nn.Conv2d(mid, channel, 1, 1, bias=False)
        self.sigmoid_h = nn.Sigmoid()
        self.sigmoid_w = nn.Sigmoid()

    def forward(self, x):
        h, w = x.shape[2], x.shape[3]
        along_h = torch.mean(x, dim=3, keepdim=True).permute(0, 1, 3, 2)
        along_w = torch.mean(x, dim=2, keepdim=True)
        y = self.relu(self.bn(self.conv_1x1(torch.cat((along_h, along_w), 3))))
        yh, yw = y.split([h, w], 3)
        gh = self.sigmoid_h(self.F_h(yh.permute(0, 1, 3, 2)))
        gw = self.sigmoid_w(self.F_w(yw))
        return x * gh.expand_as(x) * gw.expand_as(x)


class attention_model(nn.Module):
    """Channel attention on the first map, plus the second map, then local attention (oYoYo-jio/IRSTD-yolov5)."""

    def __init__(self, ch=256):
        super().__init__()
        self.channel_att = ChannelAtt(ch)
        self.local_att = LocalAtt(ch)

    def forward(self, x):
        return self.local_att(self.channel_att(x[0]) + x[1])
