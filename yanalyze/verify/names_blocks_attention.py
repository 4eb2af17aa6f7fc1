"""Torch references for SEAM, MultiSEAM and the SiLU GAMAttention, written for yanalyze from what
the published classes compute (iscyy/yoloair models/Models/FaceV2.py, a875560134/yoloY
models/common.py, wandahangFY/MLCA models/common.py): same submodules, parameter shapes and kernels."""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .attention_blocks import GAMAttentionGrouped


class AddInput(nn.Module):
    """body(x) + x."""

    def __init__(self, body):
        super().__init__()
        self.fn = body

    def forward(self, x):
        return x + self.fn(x)


def conv_gelu_bn(c1, c2, k, s=1, p=0, g=1):
    return [nn.Conv2d(c1, c2, k, s, p, groups=g), nn.GELU(), nn.BatchNorm2d(c2)]


def mixer_stage(c, k):
    return nn.Sequential(AddInput(nn.Sequential(*conv_gelu_bn(c, c, k, 1, 1, c))), *conv_gelu_bn(c, c, 1))


def gate_mlp(c, reduction, act):
    return nn.Sequential(nn.Linear(c, c // reduction, bias=False), act(inplace=True),
                         nn.Linear(c // reduction, c, bias=False), nn.Sigmoid())


class SEAM(nn.Module):
    """Residual depth-wise/point-wise stages, pooled, Linear-act-Linear-Sigmoid, exp, scale."""
    act: type[nn.Module] = nn.ReLU

    def __init__(self, c1, c2, n, reduction=16):
        super().__init__()
        self.DCovN = nn.Sequential(*[mixer_stage(c1, 3) for _ in range(n)])
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = gate_mlp(c1, reduction, self.act)

    def forward(self, x):
        n, c = x.shape[:2]
        w = self.fc(self.avg_pool(self.DCovN(x)).view(n, c)).view(n, c, 1, 1)
        return x * torch.exp(w).expand_as(x)


class SEAMSiLU(SEAM):
    """SEAM with SiLU in its gate."""
    act = nn.SiLU


def patch_branch(c, depth, k, patch):
    return nn.Sequential(*conv_gelu_bn(c, c, patch, patch), *[mixer_stage(c, k) for _ in range(depth)])


class MultiSEAM(nn.Module):
    """Three patch branches pooled and averaged with the pooled input; exp'd SE gate; scale."""
    act: type[nn.Module] = nn.ReLU

    def __init__(self, c1, c2, depth, kernel_size=3, patch_size=None, reduction=16):
        super().__init__()
        ps = [3, 5, 7] if patch_size is None else patch_size
        self.DCovN0 = patch_branch(c1, depth, kernel_size, ps[0])
        self.DCovN1 = patch_branch(c1, depth, kernel_size, ps[1])
        self.DCovN2 = patch_branch(c1, depth, kernel_size, ps[2])
        self.avg_pool = nn.AdaptiveAvgPool2d(1)
        self.fc = gate_mlp(c1, reduction, self.act)

    def forward(self, x):
        n, c = x.shape[:2]
        p = [self.avg_pool(b(x)).view(n, c) for b in (self.DCovN0, self.DCovN1, self.DCovN2)]
        m = (p[0] + p[1] + p[2] + self.avg_pool(x).view(n, c)) / 4
        return x * torch.exp(self.fc(m).view(n, c, 1, 1)).expand_as(x)


class MultiSEAMSiLU(MultiSEAM):
    """MultiSEAM with SiLU in its gate."""
    act = nn.SiLU


class GAMAttentionSiLU(GAMAttentionGrouped):
    """GAM with SiLU: channel MLP per position, grouped 7x7 spatial gate, 4-group shuffle; rate 8."""

    act = nn.SiLU

    def __init__(self, c1, c2, group=True, rate=8):
        super().__init__(c1, c2, group, rate)


class LSEFast(nn.Module):
    """Local squeeze-excite: pooled to local_size, grouped 1x1 conv, Hardswish, sigmoid,
    stretched back by an adaptive average pool, times x."""

    def __init__(self, in_size, out_size, local_size=2, gamma=1, b=1):
        super().__init__()
        t = int(abs(math.log(in_size, 2) + b) / gamma)
        scan = range(round(in_size / t), in_size)
        first = next((i for i in scan if in_size % i == 0), scan[-1])
        groups = min(first, 128, in_size // 4)
        self.lse = nn.Sequential(nn.AdaptiveAvgPool2d(local_size),
                                 nn.Conv2d(in_size, out_size, 1, 1, 0, groups=groups, bias=False),
                                 nn.Hardswish(out_size))

    def forward(self, x):
        gate = F.adaptive_avg_pool2d(self.lse(x).sigmoid(), list(x.shape[2:]))
        return x * gate
