"""YOLOv5 v1.0's own blocks in torch, where they differ from later releases: the Detect that
decodes the outputs of nn.Conv2d rows, and the CSP bottleneck with LeakyReLU."""
import torch
import torch.nn as nn

from .blocks import Bottleneck, Conv


class DetectV1(nn.Module):
    """Decode only: each level arrives with na * (nc + 5) channels from a config's nn.Conv2d row."""

    def __init__(self, nc=80, anchors=()):
        super().__init__()
        self.stride = None
        self.nc, self.no = nc, nc + 5
        self.nl, self.na = len(anchors), len(anchors[0]) // 2
        self.grid = [torch.zeros(1)] * self.nl
        pairs = torch.tensor(anchors).float().view(self.nl, -1, 2)
        self.register_buffer('anchors', pairs)
        self.register_buffer('anchor_grid', pairs.clone().view(self.nl, 1, -1, 1, 1, 2))

    def forward(self, x):
        decoded = []
        for i in range(self.nl):
            bs, _, ny, nx = x[i].shape
            x[i] = x[i].view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            if not self.training:
                if self.grid[i].shape[2:4] != x[i].shape[2:4]:
                    rows, cols = torch.meshgrid(torch.arange(ny, device=x[i].device),
                                                torch.arange(nx, device=x[i].device), indexing='ij')
                    self.grid[i] = torch.stack((cols, rows), 2).view(1, 1, ny, nx, 2).float()
                y = x[i].sigmoid()
                y[..., 0:2] = (y[..., 0:2] * 2. - 0.5 + self.grid[i]) * self.stride[i]
                y[..., 2:4] = (y[..., 2:4] * 2) ** 2 * self.anchor_grid[i]
                decoded.append(y.view(bs, -1, self.no))
        return x if self.training else (torch.cat(decoded, 1), x)


class BottleneckCSPv1(nn.Module):
    """CSP bottleneck as v1.0 built it: plain 1x1 convs on both branches, BN and LeakyReLU(0.1) on
    their concat, then Conv(c2, c2)."""

    def __init__(self, c1, c2, n=1, shortcut=True, g=1, e=0.5):
        super().__init__()
        hidden = int(c2 * e)
        self.cv1 = Conv(c1, hidden, 1, 1)
        self.cv2 = nn.Conv2d(c1, hidden, 1, 1, bias=False)
        self.cv3 = nn.Conv2d(hidden, hidden, 1, 1, bias=False)
        self.cv4 = Conv(c2, c2, 1, 1)
        self.bn = nn.BatchNorm2d(2 * hidden)
        self.act = nn.LeakyReLU(0.1, inplace=True)
        self.m = nn.Sequential(*[Bottleneck(hidden, hidden, shortcut, g, e=1.0) for _ in range(n)])

    def forward(self, x):
        joined = torch.cat((self.cv3(self.m(self.cv1(x))), self.cv2(x)), 1)
        return self.cv4(self.act(self.bn(joined)))
