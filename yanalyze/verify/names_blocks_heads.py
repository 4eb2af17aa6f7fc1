"""Torch reference for yolo_research's V8_Segment head, written for yanalyze from what the
published class computes (positive666/yolo_research models/yolo.py): same submodules, parameter
shapes and kernels."""
import torch
import torch.nn as nn

from .blocks import Conv
from .head_blocks import Segment
from .headsx_blocks_idetect import IDetect_a_only
from .headsx_blocks_v8 import V8_Detect


class ProtoTransposed(nn.Module):
    """Conv 3x3, learned 2x upsampling (ConvTranspose2d), Conv 3x3, Conv 1x1."""

    def __init__(self, c1, c_=256, c2=32):
        super().__init__()
        self.cv1 = Conv(c1, c_, k=3)
        self.upsample = nn.ConvTranspose2d(c_, c_, 2, 2, 0, bias=True)
        self.cv2 = Conv(c_, c_, k=3)
        self.cv3 = Conv(c_, c2)

    def forward(self, x):
        return self.cv3(self.cv2(self.upsample(self.cv1(x))))


class V8_Segment(V8_Detect):
    """V8_Detect plus prototypes and per-level mask coefficients; returns the per-level maps and
    the prototypes (the decoded rows and coefficients are computed and concatenated all the same)."""

    def __init__(self, nc=80, nm=32, npr=256, ch=()):
        super().__init__(nc, ch)
        self.nm = nm
        self.proto = ProtoTransposed(ch[0], npr, nm)
        c4 = max(ch[0] // 4, nm)
        self.cv4 = nn.ModuleList(nn.Sequential(Conv(x, c4, 3), Conv(c4, c4, 3), nn.Conv2d(c4, nm, 1)) for x in ch)

    def forward(self, x):
        p = self.proto(x[0])
        n = p.shape[0]
        mc = torch.cat([head(t).view(n, self.nm, -1) for t, head in zip(x, self.cv4)], 2)
        levels, rows = self.levels_and_rows(x)
        torch.cat([rows, mc], 1)
        return [*levels, p]


class SegmentTransposed(Segment):
    """YOLOv5's Segment with the transposed-convolution prototypes."""

    def __init__(self, nc=80, anchors=(), nm=32, npr=256, ch=(), inplace=True):
        super().__init__(nc, anchors, nm, npr, ch, inplace)
        self.proto = ProtoTransposed(ch[0], npr, nm)


class ISegment(IDetect_a_only):
    """yolo_research's IDetect (ImplicitM unused) with nc + 5 + nm outputs per anchor and the
    transposed-convolution prototypes."""

    def __init__(self, nc=80, anchors=(), nm=32, npr=256, ch=(), inplace=True):
        super().__init__(nc, anchors, ch, inplace)
        self.nm = nm
        self.no = 5 + nc + nm
        self.m = nn.ModuleList(nn.Conv2d(c, self.no * self.na, 1) for c in ch)
        self.proto = ProtoTransposed(ch[0], npr, nm)

    def forward(self, x):
        p = self.proto(x[0])
        decoded, levels = super().forward(x)
        return decoded, p, levels
