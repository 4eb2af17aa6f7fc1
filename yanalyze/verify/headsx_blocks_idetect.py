"""Torch references of YOLOR's IDetect head as YOLOv5 forks define it (sources in
analyzer/modules/headsx_idetect.py)."""
import torch
import torch.nn as nn

from .headsx_blocks import InplaceDecodeDetect


class ImplicitA(nn.Module):
    """A learned per-channel offset, added to the map."""

    def __init__(self, channel):
        super().__init__()
        self.implicit = nn.Parameter(torch.zeros(1, channel, 1, 1))
        nn.init.normal_(self.implicit, std=0.02)

    def forward(self, x):
        return self.implicit + x


class ImplicitM(nn.Module):
    """A learned per-channel scale, multiplied with the map."""

    def __init__(self, channel):
        super().__init__()
        self.implicit = nn.Parameter(torch.ones(1, channel, 1, 1))
        nn.init.normal_(self.implicit, mean=1.0, std=0.02)

    def forward(self, x):
        return self.implicit * x


class IDetect(InplaceDecodeDetect):
    """ImplicitA, 1x1 conv with bias, ImplicitM per level; YOLOR's decode with a per-cell grid
    and the anchor grid as a buffer (iscyy/yoloair)."""
    apply_m = True

    def __init__(self, nc=80, anchors=(), ch=(), inplace=True):
        nn.Module.__init__(self)
        self.nc, self.no, self.nl, self.na = nc, nc + 5, len(anchors), len(anchors[0]) // 2
        self.inplace = inplace
        self.grid = [torch.zeros(1)] * self.nl
        a = torch.tensor(anchors).float().view(self.nl, -1, 2)
        self.register_buffer('anchors', a)
        self.register_buffer('anchor_grid', a.clone().view(self.nl, 1, -1, 1, 1, 2))
        self.m = nn.ModuleList(nn.Conv2d(c, self.no * self.na, 1) for c in ch)
        self.ia = nn.ModuleList(ImplicitA(c) for c in ch)
        self.im = nn.ModuleList(ImplicitM(self.no * self.na) for _ in ch)

    def refresh_grid(self, i, nx, ny, device):
        yv, xv = torch.meshgrid([torch.arange(ny), torch.arange(nx)], indexing='ij')
        self.grid[i] = torch.stack((xv, yv), 2).view((1, 1, ny, nx, 2)).float().to(device)

    def forward(self, x):
        ys = []
        for i in range(self.nl):
            y = self.m[i](self.ia[i](x[i]))
            ys.append(self.im[i](y) if self.apply_m else y)
        return self.decode(ys, offset=True)


class IDetect_a_only(IDetect):
    """IDetect whose forward never applies its ImplicitM modules (positive666/yolo_research)."""
    apply_m = False
