"""A small synthetic YOLOv5 fork, written by the tests into a temporary directory: its own Conv,
a C3 unlike YOLOv5's, an attention gate in parse_model's `else` branch, a block with its own
elif rule, an oriented-box Detect, and a module that imports cv2 (not installed) and tries to
pip-install at import. Nothing here comes from a real fork."""
from __future__ import annotations

from pathlib import Path

COMMON = '''
import math
import os
import subprocess

import cv2  # not installed here: the fork's process stubs it
import torch
import torch.nn as nn

os.system("pip install --no-index yanalyze-fork-test-absent-package")  # as some forks do at import
try:
    subprocess.run(["touch", MARKER])
except OSError:
    pass


def autopad(k, p=None):
    return k // 2 if p is None else p


class Conv(nn.Module):
    default_act = nn.SiLU()

    def __init__(self, c1, c2, k=1, s=1, p=None, g=1, act=True):
        super().__init__()
        self.conv = nn.Conv2d(c1, c2, k, s, autopad(k, p), groups=g, bias=False)
        self.bn = nn.BatchNorm2d(c2)
        self.act = self.default_act if act is True else nn.Identity()

    def forward(self, x):
        return self.act(self.bn(self.conv(x)))

    def forward_fuse(self, x):
        return self.act(self.conv(x))


class Bottleneck(nn.Module):
    def __init__(self, c1, c2, shortcut=True, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1 = Conv(c1, h, 1)
        self.cv2 = Conv(h, c2, 3)
        self.add = shortcut and c1 == c2

    def forward(self, x):
        y = self.cv2(self.cv1(x))
        return x + y if self.add else y


class C3(nn.Module):
    """Not YOLOv5's C3: a 3x3 first conv and no second branch conv."""

    def __init__(self, c1, c2, n=1, shortcut=True, e=0.5):
        super().__init__()
        h = int(c2 * e)
        self.cv1 = Conv(c1, h, 3)
        self.m = nn.Sequential(*(Bottleneck(h, h, shortcut, 1.0) for _ in range(n)))
        self.cv3 = Conv(h + c1, c2, 1)

    def forward(self, x):
        return self.cv3(torch.cat((self.m(self.cv1(x)), x), 1))


class Gate(nn.Module):
    """Channel attention with a spatial mean; parse_model's else branch (channels kept)."""

    def __init__(self, c, r=4):
        super().__init__()
        self.fc1 = nn.Linear(c, c // r)
        self.fc2 = nn.Linear(c // r, c)

    def forward(self, x):
        w = torch.sigmoid(self.fc2(torch.relu(self.fc1(x.mean((2, 3))))))
        return x * w[:, :, None, None]


class Twin(nn.Module):
    """Its own elif: output channels twice the input's, input channels put first."""

    def __init__(self, c1, k=3):
        super().__init__()
        self.dw = nn.Conv2d(c1, c1, k, 1, k // 2, groups=c1)

    def forward(self, x):
        return torch.cat((x, self.dw(x)), 1)


class Odd(nn.Module):
    """Its elif calls a helper of the fork: a rule yanalyze cannot read from the source."""

    def __init__(self, c1, c2):
        super().__init__()
        self.conv = Conv(c1, c2, 1)

    def forward(self, x):
        return self.conv(x)


class Concat(nn.Module):
    def __init__(self, dimension=1):
        super().__init__()
        self.d = dimension

    def forward(self, x):
        return torch.cat(x, self.d)
'''

YOLO = '''
import math
from copy import deepcopy
from pathlib import Path

import torch
import torch.nn as nn
import yaml

from models.common import *


def make_divisible(x, divisor):
    return math.ceil(x / divisor) * divisor


def width(c, gw):
    return make_divisible(c * gw, 8)


class Detect(nn.Module):
    """Oriented boxes: an angle per anchor besides xywh, objectness and classes."""
    stride = None

    def __init__(self, nc=80, anchors=(), ch=()):
        super().__init__()
        self.nc, self.no = nc, nc + 6
        self.nl, self.na = len(anchors), len(anchors[0]) // 2
        self.grid = [torch.empty(0) for _ in range(self.nl)]
        self.register_buffer("anchors", torch.tensor(anchors).float().view(self.nl, -1, 2))
        self.m = nn.ModuleList(nn.Conv2d(x, self.no * self.na, 1) for x in ch)

    def forward(self, x):
        z = []
        for i in range(self.nl):
            x[i] = self.m[i](x[i])
            bs, _, ny, nx = x[i].shape
            x[i] = x[i].view(bs, self.na, self.no, ny, nx).permute(0, 1, 3, 4, 2).contiguous()
            if not self.training:
                if self.grid[i].shape[2:4] != x[i].shape[2:4]:
                    yv, xv = torch.meshgrid(torch.arange(ny), torch.arange(nx), indexing="ij")
                    self.grid[i] = torch.stack((xv, yv), 2).view(1, 1, ny, nx, 2).float().to(x[i].device)
                y = x[i].sigmoid()
                xy = (y[..., 0:2] * 2 - 0.5 + self.grid[i]) * self.stride[i]
                angle = (y[..., 5:6] - 0.5) * math.pi
                z.append(torch.cat((xy, y[..., 2:5], angle, y[..., 6:]), -1).view(bs, -1, self.no))
        return x if self.training else (torch.cat(z, 1), x)


class Model(nn.Module):
    def __init__(self, cfg, ch=3, nc=None):
        super().__init__()
        self.yaml = cfg if isinstance(cfg, dict) else yaml.safe_load(Path(cfg).read_text())
        if nc:
            self.yaml["nc"] = nc
        self.model, self.save = parse_model(deepcopy(self.yaml), ch=[ch])
        m = self.model[-1]
        if isinstance(m, Detect):
            s = 256
            m.stride = torch.tensor([s / x.shape[-2] for x in self.forward(torch.zeros(1, ch, s, s))])
            self.stride = m.stride

    def forward(self, x):
        y = []
        for m in self.model:
            if m.f != -1:
                x = y[m.f] if isinstance(m.f, int) else [x if j == -1 else y[j] for j in m.f]
            x = m(x)
            y.append(x if m.i in self.save else None)
        return x

    def fuse(self):
        for m in self.model.modules():
            if isinstance(m, Conv) and hasattr(m, "bn"):
                w = m.conv.weight * (m.bn.weight / torch.sqrt(m.bn.running_var + m.bn.eps)).view(-1, 1, 1, 1)
                conv = nn.Conv2d(m.conv.in_channels, m.conv.out_channels, m.conv.kernel_size, m.conv.stride,
                                 m.conv.padding, groups=m.conv.groups, bias=True).to(w.device)
                conv.weight = nn.Parameter(w)
                m.conv = conv
                delattr(m, "bn")
                m.forward = m.forward_fuse
        self.info()
        return self

    def info(self):
        pass


def parse_model(d, ch):
    anchors, nc, gd, gw = d["anchors"], d["nc"], d["depth_multiple"], d["width_multiple"]
    na = (len(anchors[0]) // 2) if isinstance(anchors, list) else anchors
    no = na * (nc + 6)

    layers, save, c2 = [], [], ch[-1]
    for i, (f, n, m, args) in enumerate(d["backbone"] + d["head"]):
        m = eval(m) if isinstance(m, str) else m
        for j, a in enumerate(args):
            try:
                args[j] = eval(a) if isinstance(a, str) else a
            except NameError:
                pass

        n = n_ = max(round(n * gd), 1) if n > 1 else n
        if m in {Conv, Bottleneck, C3}:
            c1, c2 = ch[f], args[0]
            if c2 != no:
                c2 = make_divisible(c2 * gw, 8)
            args = [c1, c2, *args[1:]]
            if m in [C3]:
                args.insert(2, n)
                n = 1
        elif m is nn.BatchNorm2d:
            args = [ch[f]]
        elif m is Concat:
            c2 = sum(ch[x] for x in f)
        elif m is Detect:
            args.append([ch[x] for x in f])
            if isinstance(args[1], int):
                args[1] = [list(range(args[1] * 2))] * len(f)
        elif m is Twin:
            c2 = ch[f] * 2
            args = [ch[f], *args]
        elif m is Odd:
            c2 = width(args[0], gw)
            args = [ch[f], c2]
        else:
            c2 = ch[f]

        m_ = nn.Sequential(*(m(*args) for _ in range(n))) if n > 1 else m(*args)
        m_.i, m_.f, m_.np = i, f, sum(x.numel() for x in m_.parameters())
        save.extend(x % i for x in ([f] if isinstance(f, int) else f) if x != -1)
        layers.append(m_)
        if i == 0:
            ch = []
        ch.append(c2)
    return nn.Sequential(*layers), sorted(save)
'''

CONFIG = '''
nc: 4
depth_multiple: 0.33
width_multiple: 0.5
anchors:
  - [10,13, 16,30, 33,23]
  - [30,61, 62,45, 59,119]
backbone:
  [[-1, 1, Conv, [32, 3, 2]],     # 0
   [-1, 1, Conv, [64, 3, 2]],     # 1
   [-1, 3, C3, [64]],             # 2
   [-1, 1, Conv, [128, 3, 2]],    # 3
   [-1, 1, Twin, []],             # 4: 64 -> 128 channels, the fork's own elif
   [-1, 1, Gate, [128]],          # 5: args as written (else branch)
   [-1, 1, Conv, [256, 3, 2]],    # 6
   [-1, 1, C3, [256, False]],     # 7
  ]
head:
  [[-1, 1, nn.Upsample, [None, 2, 'nearest']],
   [[-1, 5], 1, Concat, [1]],     # 9
   [-1, 1, C3, [128, False]],     # 10
   [[10, 7], 1, Detect, [nc, anchors]],
  ]
'''

ODD_CONFIG = '''
nc: 4
depth_multiple: 1.0
width_multiple: 0.5
anchors: 1
backbone:
  [[-1, 1, Conv, [32, 3, 2]],
   [-1, 1, Odd, [64]],
   [-1, 1, Conv, [64, 3, 2]],
  ]
head:
  [[-1, 1, Conv, [64, 1, 1]]]
'''

C3_ONLY = '''
nc: 4
depth_multiple: 1.0
width_multiple: 1.0
anchors: 1
backbone:
  [[-1, 1, Conv, [16, 3, 2]],
   [-1, 1, C3, [16]],
  ]
head:
  [[-1, 1, Conv, [16, 1, 1]]]
'''

# how the toy fork prints GFLOPs: a probe of the largest stride, scaled to the image (as YOLOv5
# v5.0 to v7.0 did); yanalyze reads this with ast and never runs it
TORCH_UTILS = '''
import torch


def model_info(model, imgsz=640):
    stride = max(int(model.stride.max()), 32)
    probe = torch.zeros((1, 3, stride, stride))
    return probe, imgsz
'''

HANG = '''
import time
while True:
    time.sleep(0.1)
'''


def write_fork(root: Path, marker: Path, common: str = COMMON, model_info: bool = True) -> Path:
    """The toy fork under root; `marker` is a file the fork tries to create with a subprocess;
    model_info: whether it has a utils/torch_utils.py that says how it prints GFLOPs."""
    models = root / "models"
    models.mkdir(parents=True, exist_ok=True)
    if model_info:
        (root / "utils").mkdir(exist_ok=True)
        (root / "utils" / "torch_utils.py").write_text(TORCH_UTILS)
    (models / "__init__.py").write_text("")
    (models / "common.py").write_text(common.replace("MARKER", repr(str(marker))))
    (models / "yolo.py").write_text(YOLO)
    (models / "toy.yaml").write_text(CONFIG)
    (models / "odd.yaml").write_text(ODD_CONFIG)
    (models / "c3.yaml").write_text(C3_ONLY)
    return root
