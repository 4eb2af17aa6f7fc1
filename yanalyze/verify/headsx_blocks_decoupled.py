"""Torch references of the decoupled (YOLOX-style, anchor-based) heads published as
Decoupled_Detect in YOLOv5 forks (sources in analyzer/modules/headsx_decoupled.py)."""
import torch
import torch.nn as nn

from .blocks import Conv
from .head_blocks import Detect
from .headsx_blocks import InplaceDecodeDetect


class DecoupledHead(nn.Module):
    """1x1 Conv to 256, then a class branch and a box/objectness branch (two 3x3 Convs each)."""

    def __init__(self, ch=256, nc=80, anchors=()):
        super().__init__()
        na = len(anchors[0]) // 2
        self.merge = Conv(ch, 256, 1, 1)
        self.cls_convs1, self.cls_convs2 = Conv(256, 256, 3, 1, 1), Conv(256, 256, 3, 1, 1)
        self.reg_convs1, self.reg_convs2 = Conv(256, 256, 3, 1, 1), Conv(256, 256, 3, 1, 1)
        self.cls_preds = nn.Conv2d(256, nc * na, 1)
        self.reg_preds = nn.Conv2d(256, 4 * na, 1)
        self.obj_preds = nn.Conv2d(256, na, 1)

    def forward(self, x):
        x = self.merge(x)
        cls = self.cls_preds(self.cls_convs2(self.cls_convs1(x)))
        reg = self.reg_convs2(self.reg_convs1(x))
        return torch.cat([self.reg_preds(reg), self.obj_preds(reg), cls], 1)


class Decoupled_Detect(InplaceDecodeDetect):
    """A DecoupledHead per level, in-place decode (iscyy/yoloair)."""

    def __init__(self, nc=80, anchors=(), ch=(), inplace=True):
        super().__init__(nc, anchors, ch, inplace)
        self.m = nn.ModuleList(DecoupledHead(c, nc, anchors) for c in ch)

    def forward(self, x):
        return self.decode([self.m[i](x[i]) for i in range(self.nl)])


class Decoupled_Detect_shared(InplaceDecodeDetect):
    """YOLOv5's per-level 1x1 convs, then class and box/objectness branches shared by all levels (xinghanliuying/yolov5-trick)."""

    def __init__(self, nc=80, anchors=(), ch=(), inplace=True):
        super().__init__(nc, anchors, ch, inplace)
        c = self.no * self.na
        self.cls_c1, self.cls_c2 = Conv(c, c, 3), Conv(c, c, 3)
        self.reg_c1, self.reg_c2 = Conv(c, c, 3), Conv(c, c, 3)
        self.cls_head = nn.Conv2d(c, nc * self.na, 1)
        self.reg_head = nn.Conv2d(c, 4 * self.na, 1)
        self.obj_head = nn.Conv2d(c, self.na, 1)

    def branches(self, y):
        reg = self.reg_c2(self.reg_c1(y))
        return torch.cat([self.reg_head(reg), self.obj_head(reg), self.cls_head(self.cls_c2(self.cls_c1(y)))], 1)

    def forward(self, x):
        return self.decode([self.branches(self.m[i](x[i])) for i in range(self.nl)])


class Decouple(nn.Module):
    """1x1 Conv to min(c1, 256); a box/objectness branch narrowing linearly to 5*na, a class branch."""

    def __init__(self, c1, nc=80, na=3):
        super().__init__()
        c_ = min(c1, 256)
        self.na, self.nc = na, nc
        self.a = Conv(c1, c_, 1)
        steps = torch.linspace(1, 0, 4)
        c = [int(s * (c_ - na * 5) + na * 5) for s in steps]
        self.b1, self.b2, self.b3 = Conv(c_, c[1], 3), Conv(c[1], c[2], 3), nn.Conv2d(c[2], na * 5, 1)
        self.c1, self.c2, self.c3 = Conv(c_, c_, 1), Conv(c_, c_, 1), nn.Conv2d(c_, na * nc, 1)

    def forward(self, x):
        bs, _, ny, nx = x.shape
        x = self.a(x)
        b = self.b3(self.b2(self.b1(x))).view(bs, self.na, 5, ny, nx)
        c = self.c3(self.c2(self.c1(x))).view(bs, self.na, self.nc, ny, nx)
        return torch.cat((b, c), 2).view(bs, -1, ny, nx)


class Decoupled_Detect_decouple(InplaceDecodeDetect):
    """A Decouple block per level, in-place decode (positive666/yolo_research)."""

    def __init__(self, nc=80, anchors=(), ch=(), inplace=True):
        super().__init__(nc, anchors, ch, inplace)
        self.m = nn.ModuleList(Decouple(c, nc, self.na) for c in ch)

    def forward(self, x):
        return self.decode([self.m[i](x[i]) for i in range(self.nl)])


class Decoupled_Detect_stem(Detect):
    """Per level a two-Conv stem, a class branch and a box/objectness branch, each permuted to
    anchor-last and concatenated; YOLOv5 v7.0's decode (mi-luo/MLN)."""

    def __init__(self, nc=80, anchors=(), ch=(), inplace=True):
        super().__init__(nc, anchors, ch, inplace)
        del self.m
        na = self.na
        self.m_stem = nn.ModuleList(nn.Sequential(Conv(c, c, 3), Conv(c, c, 3)) for c in ch)
        self.m_cls = nn.ModuleList(nn.Sequential(Conv(c, c, 3), nn.Conv2d(c, na * nc, 1)) for c in ch)
        self.m_reg_conf = nn.ModuleList(Conv(c, c, 3) for c in ch)
        self.m_reg = nn.ModuleList(nn.Conv2d(c, na * 4, 1) for c in ch)
        self.m_conf = nn.ModuleList(nn.Conv2d(c, na, 1) for c in ch)

    @staticmethod
    def _anchor_last(t, na, k):
        bs, _, ny, nx = t.shape
        return t.view(bs, na, k, ny, nx).permute(0, 1, 3, 4, 2).contiguous()

    def forward(self, x):
        z = []
        for i in range(self.nl):
            s = self.m_stem[i](x[i])
            bs, _, ny, nx = s.shape
            cls = self._anchor_last(self.m_cls[i](s), self.na, self.nc)
            rc = self.m_reg_conf[i](s)
            reg = self._anchor_last(self.m_reg[i](rc), self.na, 4)
            obj = self._anchor_last(self.m_conf[i](rc), self.na, 1)
            x[i] = torch.cat([reg, obj, cls], dim=4)
            if self.training or self.stride is None:  # unprimed: raw maps (see headsx_blocks)
                continue
            if self.grid[i].shape[2:4] != x[i].shape[2:4]:
                self.grid[i], self.anchor_grid[i] = self._make_grid(nx, ny, i)
            xy, wh, conf = x[i].sigmoid().split((2, 2, self.nc + 1), 4)
            xy = (xy * 2 + self.grid[i]) * self.stride[i]
            wh = (wh * 2) ** 2 * self.anchor_grid[i]
            z.append(torch.cat((xy, wh, conf), 4).view(bs, self.na * nx * ny, self.no))
        return x if self.training or self.stride is None else (torch.cat(z, 1), x)
