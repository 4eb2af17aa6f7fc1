"""Torch references of the weighted-fusion necks (BiFPN-style) published in YOLOv5 forks.

Each block takes the list of its input maps; the fusion weights are parameters, normalised
in the forward pass as the fork does it. Sources are named in analyzer/modules/necks.py.
"""
import torch
import torch.nn as nn

from .blocks import Conv

EPS = 1e-4


def _normalise(w):
    """Learned weights divided by their sum (plus a small epsilon)."""
    return w / (torch.sum(w, dim=0) + EPS)


def _weighted_sum(weights, xs):
    total = weights[0] * xs[0]
    for k in range(1, len(xs)):
        total = total + weights[k] * xs[k]
    return total


class BiFPN_Add2(nn.Module):
    """Weighted sum of two maps (normalised weights), SiLU, 1x1 Conv2d with bias (Liudongyun-max/yolov5-7.0-weed-detect)."""

    def __init__(self, c1, c2):
        super().__init__()
        self.w = nn.Parameter(torch.ones(2))
        self.conv = nn.Conv2d(c1, c2, 1, 1, 0)
        self.silu = nn.SiLU()

    def forward(self, x):
        return self.conv(self.silu(_weighted_sum(_normalise(self.w), x)))


class BiFPN_Add3(BiFPN_Add2):
    """Weighted sum of three maps (normalised weights), SiLU, 1x1 Conv2d with bias (Liudongyun-max/yolov5-7.0-weed-detect)."""

    def __init__(self, c1, c2):
        super().__init__(c1, c2)
        self.w = nn.Parameter(torch.ones(3))


class BiFPN_Add3_cat(nn.Module):
    """First two maps concatenated; softmax(w) * 2 weights that and the third map; SiLU, 1x1 Conv2d (saneptx/PMSA-YOLO)."""

    def __init__(self, c1, c2):
        super().__init__()
        self.w = nn.Parameter(torch.ones(2))
        self.conv = nn.Conv2d(c1, c2, 1, 1, 0)
        self.silu = nn.SiLU()

    def forward(self, x):
        a = torch.softmax(self.w, dim=0) * 2
        joined = torch.cat((x[0], x[1]), dim=1)
        return self.conv(self.silu(a[0] * joined + a[1] * x[2]))


class BiFPN_Concat2(nn.Module):
    """Each of two maps times its normalised weight, concatenated (910319491/underwater_YOLOv5)."""
    k = 2

    def __init__(self, dimension=1):
        super().__init__()
        self.d = dimension
        self.w = nn.Parameter(torch.ones(self.k))

    def forward(self, x):
        a = _normalise(self.w)
        return torch.cat([a[i] * x[i] for i in range(self.k)], self.d)


class BiFPN_Concat3(BiFPN_Concat2):
    """Each of three maps times its normalised weight, concatenated (910319491/underwater_YOLOv5)."""
    k = 3


class Concat_bifpn(nn.Module):
    """Two or three maps: normalised weights (a pair and a triple held), weighted sum, ReLU,
    then Conv 1x1 with BN (xinghanliuying/yolov5-trick)."""
    fusion_act: type[nn.Module] = nn.ReLU

    def __init__(self, c1, c2):
        super().__init__()
        self.w1 = nn.Parameter(torch.ones(2))
        self.w2 = nn.Parameter(torch.ones(3))
        self.conv = Conv(c1, c2, 1, 1, 0)
        self.act = self.fusion_act()

    def forward(self, x):
        w = self.w1 if len(x) == 2 else self.w2
        return self.conv(self.act(_weighted_sum(_normalise(w), x)))


class Concat_bifpn_silu(Concat_bifpn):
    """Concat_bifpn with SiLU after the weighted sum (a875560134/yoloY)."""
    fusion_act = nn.SiLU
