"""YOLOv7 / ScaledYOLOv4 blocks as YOLOv5 forks ship them (ReOrg, MP, DownC, BottleneckCSPB,
BottleneckCSPC and the k x k Bottleneck), written for yanalyze from what they compute."""
import torch
import torch.nn as nn

from .blocks import Bottleneck, Conv
from .cspx_blocks import TwoConvBottleneck as BottleneckK


class ReOrg(nn.Module):
    """Space-to-depth by 2 in Focus's phase order."""

    def forward(self, x):
        return torch.cat([x[..., ::2, ::2], x[..., 1::2, ::2], x[..., ::2, 1::2], x[..., 1::2, 1::2]], 1)


class MP(nn.Module):
    """k x k max-pool, stride k."""

    def __init__(self, k=2):
        super().__init__()
        self.m = nn.MaxPool2d(kernel_size=k, stride=k)

    def forward(self, x):
        return self.m(x)


class DownC(nn.Module):
    """Strided 3x3 conv branch and max-pooled 1x1 conv branch, each c2 // 2 channels."""

    def __init__(self, c1, c2, n=1, k=2):
        super().__init__()
        self.cv1 = Conv(c1, c1, 1, 1)
        self.cv2 = Conv(c1, c2 // 2, 3, k)
        self.cv3 = Conv(c1, c2 // 2, 1, 1)
        self.mp = nn.MaxPool2d(kernel_size=k, stride=k)

    def forward(self, x):
        return torch.cat((self.cv2(self.cv1(x)), self.cv3(self.mp(x))), dim=1)


class BottleneckCSPB(nn.Module):
    """cv1 to c2; n bottlenecks and a 1x1 cv2 both on it; concat; cv3."""

    unit: type[nn.Module] = BottleneckK

    def __init__(self, c1, c2, n=1, shortcut=False, g=1, e=0.5):
        super().__init__()
        self.cv1, self.cv2, self.cv3 = Conv(c1, c2, 1, 1), Conv(c2, c2, 1, 1), Conv(2 * c2, c2, 1, 1)
        self.m = nn.Sequential(*(self.unit(c2, c2, shortcut, g, e=1.0) for _ in range(n)))

    def forward(self, x):
        a = self.cv1(x)
        return self.cv3(torch.cat((self.m(a), self.cv2(a)), dim=1))


class BottleneckCSPB_k1x3(BottleneckCSPB):
    """BottleneckCSPB with YOLOv5's 1x1-then-3x3 bottleneck."""

    unit = Bottleneck


class BottleneckCSPC(nn.Module):
    """cv1, n bottlenecks, cv3 on one branch, cv2 on the input, concat, cv4."""

    unit: type[nn.Module] = BottleneckK

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(h, h, 1, 1)
        self.cv4 = Conv(2 * h, c2, 1, 1)
        self.m = nn.Sequential(*(self.unit(h, h, shortcut, g, e=1.0) for _ in range(n)))

    def forward(self, x):
        return self.cv4(torch.cat((self.cv3(self.m(self.cv1(x))), self.cv2(x)), dim=1))


class BottleneckCSPC_k1x3(BottleneckCSPC):
    """BottleneckCSPC with YOLOv5's 1x1-then-3x3 bottleneck."""

    unit = Bottleneck
