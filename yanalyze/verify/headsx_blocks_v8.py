"""Torch reference of the YOLOv8-style anchor-free head in yolo_research (V8_Detect), with the
submodules, parameter shapes and eval-mode kernels of the fork's class (source in
yanalyze/analyzer/modules/headsx_v8.py)."""
import torch
import torch.nn as nn

from .blocks import Conv


class DFL(nn.Module):
    """Distribution focal loss integral: softmax over reg_max bins, a fixed 1x1 conv (weights 0..c1-1)."""

    def __init__(self, c1=16):
        super().__init__()
        self.conv = nn.Conv2d(c1, 1, 1, bias=False).requires_grad_(False)
        self.c1 = c1

    def forward(self, x):
        b, _, a = x.shape
        bins = x.view(b, 4, self.c1, a).transpose(2, 1).softmax(1)
        return self.conv(bins).view(b, 4, a)


class V8_Detect(nn.Module):
    """Per level a box branch (two 3x3 Convs, 1x1 Conv2d to 4 x 16) and a class branch (two 3x3
    Convs, 1x1 Conv2d to nc), concatenated; in eval: anchor points and strides (built on a call
    at a new input size, as the fork does), all levels flattened and concatenated, DFL on the
    box bins, distances to xywh boxes times the stride, class sigmoid, concatenated. Returns the
    per-level maps (the fork returns them with the decoded boxes, which are computed all the same)."""

    def __init__(self, nc=80, ch=()):
        super().__init__()
        self.nc, self.nl, self.reg_max = nc, len(ch), 16
        self.no = nc + 4 * self.reg_max
        self.level_strides = [0.0] * self.nl  # set from the image size by the caller; values only
        c2, c3 = max(16, ch[0] // 4, 4 * self.reg_max), max(ch[0], nc)
        self.cv2 = nn.ModuleList(nn.Sequential(Conv(x, c2, 3), Conv(c2, c2, 3), nn.Conv2d(c2, 4 * self.reg_max, 1))
                                 for x in ch)
        self.cv3 = nn.ModuleList(nn.Sequential(Conv(x, c3, 3), Conv(c3, c3, 3), nn.Conv2d(c3, nc, 1)) for x in ch)
        self.dfl = DFL(self.reg_max)
        self.shape = None

    def anchor_points(self, levels):
        points, strides = [], []
        for t, s in zip(levels, self.level_strides):
            h, w = t.shape[2:]
            across = torch.arange(end=w, device=t.device, dtype=t.dtype) + 0.5
            down = torch.arange(end=h, device=t.device, dtype=t.dtype) + 0.5
            rows, cols = torch.meshgrid(down, across, indexing="ij")
            points.append(torch.stack((cols, rows), -1).view(-1, 2))
            strides.append(torch.full((h * w, 1), s, dtype=t.dtype, device=t.device))
        return torch.cat(points).transpose(0, 1), torch.cat(strides).transpose(0, 1)

    def levels_and_rows(self, x):
        """The per-level maps, and the decoded rows (xywh in pixels, class scores) the head
        computes from them in eval mode."""
        shape = x[0].shape
        levels = [torch.cat((box(t), cls(t)), 1) for t, box, cls in zip(x, self.cv2, self.cv3)]
        if self.shape != shape:
            self.anchors, self.strides = self.anchor_points(levels)
            self.shape = shape
        flat = torch.cat([t.view(shape[0], self.no, -1) for t in levels], 2)
        box, cls = flat.split((4 * self.reg_max, self.nc), 1)
        lt, rb = torch.split(self.dfl(box), 2, 1)
        anchors = self.anchors.unsqueeze(0)
        top_left, bottom_right = anchors - lt, anchors + rb
        boxes = torch.cat(((top_left + bottom_right) / 2, bottom_right - top_left), 1) * self.strides
        return levels, torch.cat((boxes, cls.sigmoid()), 1)

    def forward(self, x):
        return self.levels_and_rows(x)[0]
