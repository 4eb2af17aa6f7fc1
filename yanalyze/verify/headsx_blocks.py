"""Torch references of detection heads published in YOLOv5 forks: the ASFF heads (ASFF_Detect in
three definitions, DWASFF_Detect) and the in-place box decode they share.

All heads subclass head_blocks.Detect, so strides and grids are primed as for YOLOv5's own
head; their eval output is (decoded boxes, per-level raw maps (bs, na, ny, nx, no)). Sources
are named in analyzer/modules/headsx.py.

A head whose strides were never set (no model built around it) cannot decode; where the forks
would fail there, these return the raw per-level maps as in training (ultralytics-thop counts
the same modules either way).
"""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import Conv
from .head_blocks import Detect


class InplaceDecodeDetect(Detect):
    """YOLOv5 v6.0's eval decode: sigmoid of everything, then xy and wh rewritten in slices."""

    def decode(self, x, offset=False):
        z = []
        raw = self.training or self.stride is None
        for i in range(self.nl):
            bs, _, ny, nx = x[i].shape
            x[i] = x[i].view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            if raw:
                continue
            if self.grid[i].shape[2:4] != x[i].shape[2:4]:
                self.refresh_grid(i, nx, ny, x[i].device)
            y = x[i].sigmoid()
            xy = y[..., 0:2] * 2
            if offset:
                xy = xy - 0.5
            y[..., 0:2] = (xy + self.grid[i]) * self.stride[i]
            y[..., 2:4] = (y[..., 2:4] * 2) ** 2 * self.anchor_grid[i]
            z.append(y.view(bs, -1, self.no))
        return x if raw else (torch.cat(z, 1), x)

    def refresh_grid(self, i, nx, ny, device):
        self.grid[i], self.anchor_grid[i] = self._make_grid(nx, ny, i)


# ----------------------------------------------------------------------------- ASFF
class GAM_Attention(nn.Module):
    """Grouped GAM attention (channel MLP, two grouped 7x7 convs); LMSD-YOLO's ASFF holds one unused."""

    def __init__(self, c1, c2, rate=4):
        super().__init__()
        h = int(c1 / rate)
        self.channel_attention = nn.Sequential(nn.Linear(c1, h), nn.ReLU(inplace=True), nn.Linear(h, c1))
        self.spatial_attention = nn.Sequential(
            nn.Conv2d(c1, c1 // rate, 7, padding=3, groups=rate), nn.BatchNorm2d(h), nn.ReLU(inplace=True),
            nn.Conv2d(c1 // rate, c2, 7, padding=3, groups=rate), nn.BatchNorm2d(c2))


class ConvBNLeaky(nn.Sequential):
    """Conv2d (no bias, 'same' padding) + BatchNorm2d + LeakyReLU(0.1)."""

    def __init__(self, c1, c2, k, s):
        super().__init__()
        self.add_module('conv', nn.Conv2d(c1, c2, k, s, (k - 1) // 2, bias=False))
        self.add_module('batch_norm', nn.BatchNorm2d(c2))
        self.add_module('leaky', nn.LeakyReLU(0.1))


class MetaAconC(nn.Module):
    """Learned activation: (p1 - p2) x sigmoid(beta (p1 - p2) x) + p2 x, beta from a pooled 2-layer MLP."""

    def __init__(self, c1, k=1, s=1, r=16):
        super().__init__()
        hidden = max(r, c1 // r)
        self.p1 = nn.Parameter(torch.randn(1, c1, 1, 1))
        self.p2 = nn.Parameter(torch.randn(1, c1, 1, 1))
        self.fc1 = nn.Conv2d(c1, hidden, k, s, bias=True)
        self.fc2 = nn.Conv2d(hidden, c1, k, s, bias=True)

    def forward(self, x):
        pooled = x.mean(dim=2, keepdim=True).mean(dim=3, keepdim=True)
        beta = torch.sigmoid(self.fc2(self.fc1(pooled)))
        dpx = (self.p1 - self.p2) * x
        return dpx * torch.sigmoid(beta * dpx) + self.p2 * x


class DSConv(nn.Module):
    """Depth-wise kxk Conv2d, point-wise 1x1 Conv2d with bias, BatchNorm2d, MetaAconC."""

    def __init__(self, c1, c2, k=1, s=1):
        super().__init__()
        self.depthwiseconv = nn.Conv2d(c1, c1, k, s, k // 2, groups=c1, bias=False)
        self.pointwiseconv = nn.Conv2d(c1, c2, 1)
        self.bn = nn.BatchNorm2d(c2)
        self.act = MetaAconC(c2)

    def forward(self, x):
        return self.act(self.bn(self.pointwiseconv(self.depthwiseconv(x))))


class ASFFLevel(nn.Module):
    """One ASFF level: inputs (coarsest, middle, finest) resized to this level, softmax-weighted
    per position, summed, then a 3x3 block."""
    block: type[nn.Module] = Conv

    def __init__(self, level, dims, compress=16, gam=False):
        super().__init__()
        self.level = level
        inter = dims[level]
        b = self.block
        if level == 0:
            self.stride_level_1 = b(dims[1], inter, 3, 2)
            self.stride_level_2 = b(dims[2], inter, 3, 2)
        elif level == 1:
            self.compress_level_0 = b(dims[0], inter, 1, 1)
            self.stride_level_2 = b(dims[2], inter, 3, 2)
        else:
            self.compress_level_0 = b(dims[0], inter, 1, 1)
            self.compress_level_1 = b(dims[1], inter, 1, 1)
        self.expand = b(inter, dims[level], 3, 1)
        self.weight_level_0 = b(inter, compress, 1, 1)
        self.weight_level_1 = b(inter, compress, 1, 1)
        self.weight_level_2 = b(inter, compress, 1, 1)
        self.weight_levels = self.weight_block(compress * 3)
        if gam:
            self.gam = GAM_Attention(compress, compress)

    def weight_block(self, c):
        return self.block(c, 3, 1, 1)

    def fuse_levels(self, coarse, middle, fine):
        if self.level == 0:
            r = [coarse, self.stride_level_1(middle), self.stride_level_2(F.max_pool2d(fine, 3, stride=2, padding=1))]
        elif self.level == 1:
            r = [F.interpolate(self.compress_level_0(coarse), scale_factor=2, mode='nearest'), middle,
                 self.stride_level_2(fine)]
        else:
            r = [F.interpolate(self.compress_level_0(coarse), scale_factor=4, mode='nearest'),
                 F.interpolate(self.compress_level_1(middle), scale_factor=2, mode='nearest'), fine]
        maps = torch.cat((self.weight_level_0(r[0]), self.weight_level_1(r[1]), self.weight_level_2(r[2])), 1)
        w = F.softmax(self.weight_levels(maps), dim=1)
        fused = r[0] * w[:, 0:1, :, :] + r[1] * w[:, 1:2, :, :] + r[2] * w[:, 2:, :, :]
        return self.expand(fused)

    def forward(self, x):
        return self.fuse_levels(x[2], x[1], x[0])  # x: (P3, P4, P5)


class ASFFLevelLeaky(ASFFLevel):
    """ASFF level of Conv-BN-LeakyReLU blocks; the weight map is a plain 1x1 Conv2d with bias."""
    block = ConvBNLeaky

    def weight_block(self, c):
        return nn.Conv2d(c, 3, 1, 1, 0)


class ASFFLevelDS(ASFFLevel):
    """ASFF level of DSConv blocks (LMSD-YOLO's DWASFFV5)."""
    block = DSConv


def _asffv5_dims(multiplier):
    return [int(1024 * multiplier), int(512 * multiplier), int(256 * multiplier)]


class ASFF_Detect(InplaceDecodeDetect):
    """ASFF at three levels (channels 1024m, 512m, 256m) then YOLOv5's 1x1 convs; in-place decode (xinghanliuying/yolov5-trick)."""
    level_cls, gam = ASFFLevel, False

    def __init__(self, nc=80, anchors=(), ch=(), multiplier=0.5, rfb=False, inplace=True):
        super().__init__(nc, anchors, ch, inplace)
        dims, compress = _asffv5_dims(multiplier), 8 if rfb else 16
        self.l0_fusion = self.level_cls(0, dims, compress, self.gam)
        self.l1_fusion = self.level_cls(1, dims, compress, self.gam)
        self.l2_fusion = self.level_cls(2, dims, compress, self.gam)

    def forward(self, x):
        fused = [self.l2_fusion(x), self.l1_fusion(x), self.l0_fusion(x)]
        return self.decode([self.m[i](fused[i]) for i in range(self.nl)])


class ASFF_Detect_gam(ASFF_Detect):
    """ASFF_Detect whose ASFF levels each hold an unused GAM_Attention (GY-monkey/LMSD-YOLO)."""
    gam = True


class DWASFF_Detect(ASFF_Detect):
    """ASFF_Detect of DSConv blocks, unused GAM included (GY-monkey/LMSD-YOLO)."""
    level_cls, gam = ASFFLevelDS, True


class ASFF_Detect_leaky(Detect):
    """Fixed-size ASFF levels (512, 256, 128), fused in turn from P5 on, then v7.0 Detect (RethinkingCoding/SMN-YOLOv5s)."""

    def __init__(self, nc=80, anchors=(), ch=(), inplace=True):
        super().__init__(nc, anchors, ch, inplace)
        self.asffs = nn.ModuleList(ASFFLevelLeaky(i, [512, 256, 128]) for i in range(self.nl))

    def forward(self, x):
        levels = x[::-1]
        for i in range(self.nl):
            levels[i] = self.asffs[i].fuse_levels(*levels)
        if self.stride is None:  # unprimed: the raw maps (see the module docstring)
            return InplaceDecodeDetect.decode(self, [self.m[i](t) for i, t in enumerate(levels[::-1])])
        return super().forward(levels[::-1])
