"""C3ViT (C3 + coordinate attention) and MCSPMLP (C3 + GroupNorm/MLP residual + shared conv
chain) as YOLOv5 forks ship them, written for yanalyze from what they compute."""
import torch
import torch.nn as nn

from .blocks import Bottleneck, Conv


class CoordAtt(nn.Module):
    """Row and column averages, a shared 1x1 bottleneck (BN, Hardswish), two sigmoid gates."""

    def __init__(self, inp, reduction=32):
        super().__init__()
        mip = max(8, inp // reduction)
        self.pool_h, self.pool_w = nn.AdaptiveAvgPool2d((None, 1)), nn.AdaptiveAvgPool2d((1, None))
        self.conv1, self.bn1, self.act = nn.Conv2d(inp, mip, 1), nn.BatchNorm2d(mip), nn.Hardswish()
        self.conv_h, self.conv_w = nn.Conv2d(mip, inp, 1), nn.Conv2d(mip, inp, 1)

    def forward(self, x):
        h, w = x.shape[2:]
        y = torch.cat([self.pool_h(x), self.pool_w(x).permute(0, 1, 3, 2)], dim=2)
        rows, cols = torch.split(self.act(self.bn1(self.conv1(y))), [h, w], dim=2)
        return x * self.conv_w(cols.permute(0, 1, 3, 2)).sigmoid() * self.conv_h(rows).sigmoid()


class C3ViT(nn.Module):
    """cv1, n Bottlenecks, coordinate attention; cv2; concat; cv3."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        hidden = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, hidden, 1, 1), Conv(c1, hidden, 1, 1), Conv(2 * hidden, c2, 1)
        self.CBAM = CoordAtt(hidden)
        self.m = nn.Sequential(*(Bottleneck(hidden, hidden, shortcut, g, e=1.0) for _ in range(n)))

    def forward(self, x):
        return self.cv3(torch.cat((self.CBAM(self.m(self.cv1(x))), self.cv2(x)), 1))


class MCSPMLP(nn.Module):
    """Bottleneck branch with a GroupNorm + 1x1 MLP residual; cv2 branch and two more maps from a
    shared 3x3 Conv applied twice each; all four concatenated, cv3."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1, self.cv2, self.cv3 = Conv(c1, h, 1, 1), Conv(c1, h, 1, 1), Conv(4 * h, c2, 1)
        self.cv4 = Conv(h, h, 3, 1, g=g)
        self.m = nn.Sequential(*(Bottleneck(h, h, shortcut, g, e=1.0) for _ in range(n)))
        self.mlp = nn.Sequential(nn.Conv2d(h, 4 * h, 1), nn.GELU(), nn.Dropout(0.0), nn.Conv2d(4 * h, h, 1),
                                 nn.Dropout(0.0))
        self.norm = nn.GroupNorm(1, h)

    def forward(self, x):
        z = self.m(self.cv1(x))
        a = z + self.mlp(self.norm(z))
        b = self.cv2(x)
        c = self.cv4(self.cv4(b))
        return self.cv3(torch.cat((a, b, c, self.cv4(self.cv4(c))), dim=1))
