"""Conv+BN folding, as YOLOv5's model.fuse() does it before export.

In eval mode a batch norm after a convolution is an affine map per channel, so it folds
into the conv's weights and a bias: W' = W * g / sqrt(var + eps), b' = beta - g * mean /
sqrt(var + eps). YOLOv5 folds the batch norm of every Conv (and DWConv); standalone ones
(BottleneckCSP's, nn.BatchNorm2d rows, MobileNetV3's) stay. It is not a YAML edit: the
cost models record every foldable batch norm, and the fused columns of every layer and of
the totals are the model after folding.
"""
from __future__ import annotations

from .base import RewriteRule

RULE = RewriteRule(kind="fold", title="Conv+BN folding", sources=(), target="Conv (fused)", plan=None,
                   proof="yanalyze.verify.proofs.fold:PROOF",
                   applied="the fused columns: params_fused, gflops_fused, mem_bytes_fused")
