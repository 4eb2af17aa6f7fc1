"""Torch reference of yoloair's YOLOX head (DetectX) in eval mode, with the submodules, parameter
shapes and kernels of the fork's class (source in yanalyze/analyzer/modules/headsx_yolox.py).
The grids are made on the input's device and cast with .to(dtype) (the fork makes them on the
CPU and casts with .type(name)): the same kernels. Returns the per-level outputs (the fork
returns the decoded rows, computed all the same)."""
import torch
import torch.nn as nn


class DetectX(nn.Module):
    stride = [8, 16, 32]

    def __init__(self, num_classes, anchors=1, in_channels=(128,) * 6, inplace=True, prior_prob=1e-2):
        super().__init__()
        na = len(anchors) if isinstance(anchors, (list, tuple)) else anchors
        self.nc, self.na = num_classes, na
        self.cls_preds = nn.ModuleList(nn.Conv2d(c, na * num_classes, 1) for c in in_channels[0::2])
        self.reg_preds = nn.ModuleList(nn.Conv2d(c, 4, 1) for c in in_channels[1::2])
        self.obj_preds = nn.ModuleList(nn.Conv2d(c, na, 1) for c in in_channels[1::2])

    def forward(self, x):
        levels = []
        for k, (cls_x, reg_x) in enumerate(zip(x[0::2], x[1::2])):
            if k >= len(self.stride):
                break
            box, obj = self.reg_preds[k](reg_x), self.obj_preds[k](reg_x)
            levels.append(torch.cat([box, obj.sigmoid(), self.cls_preds[k](cls_x).sigmoid()], 1))
        rows = torch.cat([t.flatten(start_dim=2) for t in levels], dim=2).permute(0, 2, 1)
        grids, strides = [], []
        for t, s in zip(levels, self.stride):
            h, w = t.shape[-2:]
            yv, xv = torch.meshgrid([torch.arange(h, device=t.device), torch.arange(w, device=t.device)],
                                    indexing="ij")
            grid = torch.stack((xv, yv), 2).view(1, -1, 2)
            grids.append(grid)
            strides.append(torch.full((*grid.shape[:2], 1), s, device=t.device))
        grids = torch.cat(grids, dim=1).to(rows.dtype)
        strides = torch.cat(strides, dim=1).to(rows.dtype)
        rows[..., :2] = (rows[..., :2] + grids) * strides
        rows[..., 2:4] = torch.exp(rows[..., 2:4]) * strides
        return levels
