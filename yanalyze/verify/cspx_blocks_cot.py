"""CoT3 (Contextual Transformer bottlenecks in a C3) and Involution as YOLOv5 forks ship them,
written for yanalyze from what they compute: same submodules, parameter shapes and kernels."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import C3, Conv


class CoT(nn.Module):
    """Grouped k x k keys, 1x1 values, an attention map from [keys, x] averaged over k*k taps and
    softmax-normalized over all positions, multiplied with the values, plus the keys."""

    def __init__(self, dim=512, kernel_size=3, act=nn.ReLU):
        super().__init__()
        self.k = kernel_size
        self.key_embed = nn.Sequential(nn.Conv2d(dim, dim, kernel_size, padding=kernel_size // 2, groups=4, bias=False),
                                       nn.BatchNorm2d(dim), act())
        self.value_embed = nn.Sequential(nn.Conv2d(dim, dim, 1, bias=False), nn.BatchNorm2d(dim))
        self.attention_embed = nn.Sequential(nn.Conv2d(2 * dim, 2 * dim // 4, 1, bias=False),
                                             nn.BatchNorm2d(2 * dim // 4), act(),
                                             nn.Conv2d(2 * dim // 4, kernel_size * kernel_size * dim, 1))

    def forward(self, x):
        b, c, h, w = x.shape
        keys = self.key_embed(x)
        values = self.value_embed(x).view(b, c, -1)
        att = self.attention_embed(torch.cat([keys, x], dim=1)).reshape(b, c, self.k * self.k, h, w)
        att = att.mean(2, keepdim=False).view(b, c, -1)
        return keys + (F.softmax(att, dim=-1) * values).view(b, c, h, w)


class CoTBottleneck(nn.Module):
    """1x1 Conv then CoT, residual when shortcut and c1 == c2."""

    def __init__(self, c1, c2, shortcut=True, g=1, e=0.5, act=nn.ReLU):
        super().__init__()
        hidden = int(c2 * e)
        self.cv1 = Conv(c1, hidden, 1, 1)
        self.cv2 = CoT(hidden, 3, act)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class CoT3(C3):
    """C3 whose m is n CoT bottlenecks."""

    act: type[nn.Module] = nn.ReLU

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        hidden = int(c2 * e)
        self.m = nn.Sequential(*(CoTBottleneck(hidden, hidden, shortcut, g, 1.0, self.act) for _ in range(n)))


class CoT3_silu(CoT3):
    """CoT3 with SiLU in CoT's key and attention branches."""

    act = nn.SiLU


class Involution(nn.Module):
    """Per-position kernels (one per 16-channel group) from a 1x1 Conv of x applied to x's k x k
    neighbourhoods; conv1 and the stride pool are held but unused."""

    reduction = 1

    def __init__(self, c1, c2, kernel_size, stride):
        super().__init__()
        self.k, self.stride, self.c1 = kernel_size, stride, c1
        self.groups = c1 // 16
        self.conv1 = Conv(c1, c1 // self.reduction, 1)
        self.conv2 = Conv(c1 // self.reduction, kernel_size ** 2 * self.groups, 1, 1)
        if stride > 1:
            self.avgpool = nn.AvgPool2d(stride, stride)
        self.unfold = nn.Unfold(kernel_size, 1, (kernel_size - 1) // 2, stride)

    def kernels(self, x):
        return self.conv2(x)

    def forward(self, x):
        weight = self.kernels(x)
        b, _, h, w = weight.shape
        weight = weight.view(b, self.groups, self.k ** 2, h, w).unsqueeze(2)
        cols = self.unfold(x).view(b, self.groups, 16, self.k ** 2, h, w)
        return (weight * cols).sum(dim=3).view(b, self.c1, h, w)


class Involution_reduced(Involution):
    """Involution whose kernels come from conv1 (to c1 // 4) then conv2, on the stride-pooled input."""

    reduction = 4

    def kernels(self, x):
        return self.conv2(self.conv1(x if self.stride == 1 else self.avgpool(x)))


class ODAttention(nn.Module):
    """Global pool, 1x1 conv, (BN for batches above 1), ReLU, then sigmoid gates per channel,
    per filter (unless depth-wise) and per kernel tap (unless 1x1); one kernel, so no kernel gate."""

    def __init__(self, c1, c2, k, g=1):
        super().__init__()
        a = max(int(c1 * 0.0625), 16)
        self.k, self.temperature = k, 1.0
        self.avgpool = nn.AdaptiveAvgPool2d(1)
        self.fc, self.bn, self.relu = nn.Conv2d(c1, a, 1, bias=False), nn.BatchNorm2d(a), nn.ReLU()
        self.channel_fc = nn.Conv2d(a, c1, 1)
        self.filter_fc = None if c1 == g == c2 else nn.Conv2d(a, c2, 1)
        self.spatial_fc = nn.Conv2d(a, k * k, 1) if k > 1 else None

    def forward(self, x):
        y = self.avgpool(x)
        y = self.fc(y)
        if y.shape[0] != 1:
            y = self.bn(y)
        y = self.relu(y)
        b = y.shape[0]
        channel = torch.sigmoid(self.channel_fc(y).view(b, -1, 1, 1) / self.temperature)
        filt = 1.0 if self.filter_fc is None else torch.sigmoid(self.filter_fc(y).view(b, -1, 1, 1) / self.temperature)
        spatial = 1.0 if self.spatial_fc is None else \
            torch.sigmoid(self.spatial_fc(y).view(b, 1, 1, 1, self.k, self.k) / self.temperature)
        return channel, filt, spatial


class ODConv(nn.Module):
    """Dynamic conv with one kernel scaled by input-dependent gates, then BatchNorm2d and SiLU."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.c1, self.c2, self.k, self.s, self.g = c1, c2, k, s, g
        self.p = k // 2 if p is None else p
        self.attention = ODAttention(c1, c2, k, g)
        self.weight = nn.Parameter(torch.randn(1, c2, c1 // g, k, k))
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.SiLU() if act is True else (act if isinstance(act, nn.Module) else nn.Identity())

    def forward(self, x):
        channel, filt, spatial = self.attention(x)
        b, _, h, w = x.shape
        x = x * channel
        if self.k == 1:
            y = F.conv2d(x, self.weight.squeeze(dim=0), None, self.s, self.p, 1, self.g)
        else:
            kernel = torch.sum(spatial * 1.0 * self.weight.unsqueeze(dim=0), dim=1)
            kernel = kernel.view(-1, self.c1 // self.g, self.k, self.k)
            y = F.conv2d(x.reshape(1, -1, h, w), kernel, None, self.s, self.p, 1, self.g * b)
            y = y.view(b, self.c2, y.shape[-2], y.shape[-1])
        return self.act(self.bn(y * filt))
