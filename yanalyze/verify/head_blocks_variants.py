"""Torch reference of YOLO5Face's Detect (deepcam-cn/yolov5-face): boxes, objectness, five
landmark points and classes per anchor, written from what the fork's module computes."""
import torch
import torch.nn as nn


class FaceDetect(nn.Module):
    """1x1 Conv2d (bias) per level to na * (nc + 15); in eval mode the landmark-aware decode."""
    stride = None

    def __init__(self, nc=80, anchors=(), ch=()):
        super().__init__()
        self.nc, self.no = nc, nc + 15
        self.nl, self.na = len(anchors), len(anchors[0]) // 2
        self.grid = [torch.zeros(1)] * self.nl
        pairs = torch.tensor(anchors).float().view(self.nl, -1, 2)
        self.register_buffer('anchors', pairs)
        self.register_buffer('anchor_grid', pairs.clone().view(self.nl, 1, -1, 1, 1, 2))
        self.m = nn.ModuleList(nn.Conv2d(c, self.no * self.na, 1) for c in ch)

    def forward(self, x):
        decoded = []
        scored = list(range(5)) + list(range(15, 15 + self.nc))
        for i in range(self.nl):
            x[i] = self.m[i](x[i])
            bs, _, ny, nx = x[i].shape
            x[i] = x[i].view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            if self.training:
                continue
            if self.grid[i].shape[2:4] != x[i].shape[2:4]:
                rows, cols = torch.meshgrid(torch.arange(ny, device=x[i].device),
                                            torch.arange(nx, device=x[i].device), indexing='ij')
                self.grid[i] = torch.stack((cols, rows), 2).view(1, 1, ny, nx, 2).float()
            grid, anchor, step = self.grid[i], self.anchor_grid[i], self.stride[i]
            y = torch.zeros_like(x[i])  # the fork writes full_like(x, 0): the same fill kernel
            y[..., scored] = x[i][..., scored].sigmoid()
            y[..., 5:15] = x[i][..., 5:15]
            y[..., 0:2] = (y[..., 0:2] * 2. - 0.5 + grid) * step
            y[..., 2:4] = (y[..., 2:4] * 2) ** 2 * anchor
            for a in range(5, 15, 2):
                y[..., a:a + 2] = y[..., a:a + 2] * anchor + grid * step
            decoded.append(y.view(bs, -1, self.no))
        return x if self.training else (torch.cat(decoded, 1), x)
