"""CSP blocks YOLOv5 forks take from YOLOv7, YOLOv8 and slim-neck (C2f, GSConv, VoVGSCSP,
SPPCSPC), written for yanalyze from what the forks compute: same submodules, parameter
shapes and kernels. Sources are named in the registry entries."""
import torch
import torch.nn as nn
import torch.nn.functional as F

from .blocks import Conv


class TwoConvBottleneck(nn.Module):
    """Conv k[0], Conv k[1] (groups g), residual when shortcut and c1 == c2."""

    def __init__(self, c1, c2, shortcut=True, g=1, k=(3, 3), e=0.5):
        super().__init__()
        hidden = int(c2 * e)
        self.cv1 = Conv(c1, hidden, k[0], 1)
        self.cv2 = Conv(hidden, c2, k[1], 1, g=g)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f(nn.Module):
    """cv1 to two halves, n bottlenecks chained on the last piece, everything concatenated, cv2."""

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5):
        super().__init__()
        self.c = int(c2 * e)
        self.cv1 = Conv(c1, 2 * self.c, 1, 1)
        self.cv2 = Conv((2 + n) * self.c, c2, 1)
        self.m = nn.ModuleList(TwoConvBottleneck(self.c, self.c, shortcut, g, k=((3, 3), (3, 3)), e=1.0)
                               for _ in range(n))

    def forward(self, x):
        pieces = list(self.cv1(x).split((self.c, self.c), 1))
        for block in self.m:
            pieces.append(block(pieces[-1]))
        return self.cv2(torch.cat(pieces, 1))


class MishConv(nn.Module):
    """Conv2d ('same' padding, no bias), BatchNorm2d, Mish when act is truthy (slimneck.py's Conv)."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, k // 2 if p is None else p, groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = nn.Mish() if act else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))


def _yolo_conv(c1, c2, k=1, s=1, p=None, g=1, act=True):
    return Conv(c1, c2, k, s, p, g, act=act)


class GSConv(nn.Module):
    """Dense Conv to half the channels, depth-wise 5x5 of it, concatenated, channels shuffled."""

    unit = staticmethod(_yolo_conv)

    def __init__(self, c1, c2, k=1, s=1, g=1, act=True):
        super().__init__()
        half = c2 // 2
        self.cv1 = self.unit(c1, half, k, s, None, g, act)
        self.cv2 = self.unit(half, half, 5, 1, None, half, act)

    def forward(self, x):
        a = self.cv1(x)
        both = torch.cat((a, self.cv2(a)), 1)
        b, c, h, w = both.shape
        pairs = both.reshape(b * c // 2, 2, h * w).permute(1, 0, 2).reshape(2, -1, c // 2, h, w)
        return torch.cat((pairs[0], pairs[1]), 1)


class GSConvMish(GSConv):
    """GSConv built from MishConv units."""

    unit = staticmethod(MishConv)


class GSConvDefaultAct(nn.Module):
    """GSConv whose Convs always take the default activation and share padding p and dilation d."""

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, d=1, act=True):
        super().__init__()
        half = c2 // 2
        self.cv1 = Conv(c1, half, k, s, p, g, d)
        self.cv2 = Conv(half, half, 5, 1, p, half, d)

    forward = GSConv.forward


class GSBottleneck(nn.Module):
    """Two GSConvs (1x1) plus a 3x3 Conv shortcut; a 3x3 GSConv pair is built and left unused."""

    gs, unit = GSConv, staticmethod(_yolo_conv)

    def __init__(self, c1, c2, k=3, s=1):
        super().__init__()
        half = c2 // 2
        self.conv_lighting = nn.Sequential(self.gs(c1, half, 1, 1), self.gs(half, c2, 1, 1, act=False))
        self.conv = nn.Sequential(self.gs(c1, half, 3, 1), self.gs(half, c2, 3, 1, act=False))
        self.shortcut = self.unit(c1, c2, 3, 1, None, 1, False)

    def forward(self, x):
        return self.conv_lighting(x) + self.shortcut(x)


class VoVGSCSP(nn.Module):
    """cv1, n GSBottlenecks, concatenated with cv1's output, cv2."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        hidden = int(c2 * e)
        self.cv1 = Conv(c1, hidden, 1, 1)
        self.cv2 = Conv(2 * hidden, c2, 1)
        self.m = nn.Sequential(*(GSBottleneck(hidden, hidden) for _ in range(n)))

    def forward(self, x):
        a = self.cv1(x)
        return self.cv2(torch.cat((self.m(a), a), dim=1))


class GSBottleneckMish(GSBottleneck):
    """GSBottleneck of Mish units."""

    gs, unit = GSConvMish, staticmethod(MishConv)


class VoVGSCSPSingle(nn.Module):
    """cv1 then a single Mish GSBottleneck (n ignored), beside cv2; concat(cv2, it), cv3; an unused
    3x3 res conv."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2 = MishConv(c1, h, 1, 1), MishConv(c1, h, 1, 1)
        self.gsb = GSBottleneckMish(h, h, 1, 1)
        self.res = MishConv(h, h, 3, 1, act=False)
        self.cv3 = MishConv(2 * h, c2, 1)

    def forward(self, x):
        return self.cv3(torch.cat((self.cv2(x), self.gsb(self.cv1(x))), dim=1))


class GSBottleneckE(nn.Module):
    """GSConv 1x1 to int(c2*e), GSConv 3x3 to c2 (default activation), plus a 1x1 Conv shortcut."""

    def __init__(self, c1, c2, k=3, s=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.conv_lighting = nn.Sequential(GSConvDefaultAct(c1, h, 1, 1), GSConvDefaultAct(h, c2, 3, 1, act=False))
        self.shortcut = Conv(c1, c2, 1, 1, act=False)

    def forward(self, x):
        return self.conv_lighting(x) + self.shortcut(x)


class VoVGSCSPE(nn.Module):
    """cv1 then n GSBottleneckE(e=1.0), beside cv2; concat(cv2, them), cv3; an unused 3x3 res Conv."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1)
        self.gsb = nn.Sequential(*(GSBottleneckE(h, h, e=1.0) for _ in range(n)))
        self.res = Conv(h, h, 3, 1, act=False)
        self.cv3 = Conv(2 * h, c2, 1)

    def forward(self, x):
        return self.cv3(torch.cat((self.cv2(x), self.gsb(self.cv1(x))), dim=1))


class SPPCSPC(nn.Module):
    """YOLOv7 SPP-CSP: a conv stack and parallel max-pools on one branch, cv2 on the other."""

    hidden_factor = 2

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5, k=(5, 9, 13)):
        super().__init__()
        h = int(self.hidden_factor * c2 * e)
        self.cv1, self.cv2 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1)
        self.cv3, self.cv4 = Conv(h, h, 3, 1), Conv(h, h, 1, 1)
        self.m = nn.ModuleList(nn.MaxPool2d(kernel_size=kk, stride=1, padding=kk // 2) for kk in k)
        self.cv5, self.cv6 = Conv(4 * h, h, 1, 1), Conv(h, h, 3, 1)
        self.cv7 = Conv(2 * h, c2, 1, 1)

    def forward(self, x):
        a = self.cv4(self.cv3(self.cv1(x)))
        a = self.cv6(self.cv5(torch.cat([a] + [pool(a) for pool in self.m], 1)))
        return self.cv7(torch.cat((a, self.cv2(x)), dim=1))


class SPPCSPC_narrow(SPPCSPC):
    """SPPCSPC with hidden width int(c2 * e)."""

    hidden_factor = 1


class SRU(nn.Module):
    """Spatial reconstruction: GroupNorm-weighted sigmoid gate, split at 0.5, halves cross-added."""

    def __init__(self, c, groups=16, threshold=0.5):
        super().__init__()
        self.gn = nn.GroupNorm(num_channels=c, num_groups=groups)
        self.threshold = threshold
        self.sigomid = nn.Sigmoid()

    def forward(self, x):
        gamma = self.gn.weight / sum(self.gn.weight)
        gate = self.sigomid(self.gn(x) * gamma.view(1, -1, 1, 1))
        keep = torch.where(gate > self.threshold, torch.ones_like(gate), gate)
        drop = torch.where(gate > self.threshold, torch.zeros_like(gate), gate)
        a, b = keep * x, drop * x
        half = a.shape[1] // 2
        return torch.cat([a[:, :half] + b[:, half:], a[:, half:] + b[:, :half]], dim=1)


class CRU(nn.Module):
    """Channel reconstruction: squeezed upper part through grouped and point-wise convs, lower part
    through a point-wise conv plus itself, mixed by a softmax over channels of their means."""

    def __init__(self, c, alpha=0.5, squeeze=2, group_size=2, k=3):
        super().__init__()
        self.up = int(alpha * c)
        self.low = c - self.up
        self.squeeze1 = nn.Conv2d(self.up, self.up // squeeze, 1, bias=False)
        self.squeeze2 = nn.Conv2d(self.low, self.low // squeeze, 1, bias=False)
        self.GWC = nn.Conv2d(self.up // squeeze, c, k, 1, k // 2, groups=group_size)
        self.PWC1 = nn.Conv2d(self.up // squeeze, c, 1, bias=False)
        self.PWC2 = nn.Conv2d(self.low // squeeze, c - self.low // squeeze, 1, bias=False)
        self.advavg = nn.AdaptiveAvgPool2d(1)

    def forward(self, x):
        up, low = torch.split(x, [self.up, self.low], dim=1)
        up, low = self.squeeze1(up), self.squeeze2(low)
        out = torch.cat([self.GWC(up) + self.PWC1(up), torch.cat([self.PWC2(low), low], dim=1)], dim=1)
        out = F.softmax(self.advavg(out), dim=1) * out
        a, b = torch.split(out, out.size(1) // 2, dim=1)
        return a + b


class ScConvBottleneck(nn.Module):
    """3x3 Conv then ScConv (SRU, CRU), residual when shortcut and c1 == c2."""

    def __init__(self, c1, c2, shortcut=True, g=1, k=(3, 3), e=0.5):
        super().__init__()
        self.cv1 = Conv(c1, int(c2 * e), k[0], 1)
        self.cv2 = nn.Sequential(SRU(c2), CRU(c2))
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C2f_S(C2f):
    """C2f whose bottlenecks are ScConv bottlenecks."""

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5):
        super().__init__(c1, c2, n, shortcut, g, e)
        self.m = nn.ModuleList(ScConvBottleneck(self.c, self.c, shortcut, g, k=(3, 3), e=1.0) for _ in range(n))
