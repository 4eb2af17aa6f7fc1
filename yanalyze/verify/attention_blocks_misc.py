"""Torch references of NAMAttention, ShuffleAttention and SKAttention as YOLOv5 forks publish them."""
import torch
import torch.nn as nn

from . import attention_blocks  # noqa: F401  (the tracer's prices for the ops these blocks add)


class NAMAttention(nn.Module):
    """BatchNorm, channels weighted by normalised |gamma| (channels-last), Sigmoid, times the input."""

    def __init__(self, channels, out_channels=None, no_spatial=True):
        super().__init__()
        self.bn2 = nn.BatchNorm2d(channels, affine=True)

    def forward(self, x):
        y = self.bn2(x)
        gamma = self.bn2.weight.data
        scale = gamma.abs() / torch.sum(gamma.abs())
        y = torch.mul(scale, y.permute(0, 2, 3, 1).contiguous()).permute(0, 3, 1, 2).contiguous()
        return torch.sigmoid(y) * x


class ShuffleAttention(nn.Module):
    """Per group of channels: half gated by its pooled mean, half by its GroupNorm; shuffled."""

    def __init__(self, channel=512, reduction=16, G=8):
        super().__init__()
        self.G = G
        half = channel // (2 * G)
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.gn = nn.GroupNorm(half, half)
        self.cweight, self.cbias = nn.Parameter(torch.zeros(1, half, 1, 1)), nn.Parameter(torch.ones(1, half, 1, 1))
        self.sweight, self.sbias = nn.Parameter(torch.zeros(1, half, 1, 1)), nn.Parameter(torch.ones(1, half, 1, 1))
        self.sigmoid = nn.Sigmoid()

    def forward(self, x):
        b, c, h, w = x.shape
        a, s = x.view(b * self.G, -1, h, w).chunk(2, dim=1)
        a = a * self.sigmoid(self.cweight * self.avg_pool(a) + self.cbias)
        s = s * self.sigmoid(self.sweight * self.gn(s) + self.sbias)
        out = torch.cat([a, s], dim=1).contiguous().view(b, -1, h, w)
        return out.reshape(b, 2, -1, h, w).permute(0, 2, 1, 3, 4).reshape(b, -1, h, w)


class SKAttention(nn.Module):
    """Selective-kernel attention over parallel conv branches."""

    def __init__(self, channel=512, kernels=(1, 3, 5, 7), reduction=16, group=1, L=32, act=nn.ReLU):
        super().__init__()
        d = max(L, channel // reduction)
        self.convs = nn.ModuleList(
            nn.Sequential(nn.Conv2d(channel, channel, k, padding=k // 2, groups=group), nn.BatchNorm2d(channel), act())
            for k in kernels)
        self.fc = nn.Linear(channel, d)
        self.fcs = nn.ModuleList(nn.Linear(d, channel) for _ in kernels)
        self.softmax = nn.Softmax(dim=0)

    def forward(self, x):
        n, c = x.shape[:2]
        outs = [conv(x) for conv in self.convs]
        feats = torch.stack(outs, 0)
        z = self.fc(sum(outs).mean(-1).mean(-1))
        weights = self.softmax(torch.stack([fc(z).view(n, c, 1, 1) for fc in self.fcs], 0))
        return (weights * feats).sum(0)


class SKAttentionSiLU(SKAttention):
    def __init__(self, channel=1024, kernels=None, reduction=8, group=1, L=32):
        super().__init__(channel, [1, 3, 5, 7, 9] if kernels is None else kernels, reduction, group, L, nn.SiLU)
