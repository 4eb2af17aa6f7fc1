"""ultralytics-thop's counting rules, restated on conventions: which leaf modules it counts
and how, and which bare function calls (matrix products outside such modules) it counts.

Only the tracer uses this; the analytic cost models record the same numbers directly.
"""
from __future__ import annotations

from math import prod
from typing import Any, Callable, Optional

import torch
import torch.nn as nn
import torch.nn.functional as F

from ..analyzer import conventions as C

Rule = Callable[[Any, tuple, Any], int]  # (module, positional inputs, output) -> count


def _first(args: tuple) -> torch.Tensor:
    return args[0]


def _conv(m: Any, args: tuple, y: Any) -> int:
    return y.numel() * (m.in_channels // m.groups) * prod(m.kernel_size)


def _conv_t(m: Any, args: tuple, y: Any) -> int:
    return _first(args).numel() * (m.out_channels // m.groups) * prod(m.kernel_size)


def _norm(m: Any, args: tuple, y: Any) -> int:
    n = _first(args).numel()
    return 2 * n * (2 if getattr(m, "affine", False) or getattr(m, "elementwise_affine", False) else 1)


def _avgpool(m: Any, args: tuple, y: Any) -> int:
    x = _first(args)
    k = m.kernel_size if isinstance(m.kernel_size, tuple) else (m.kernel_size,) * 2
    s = m.stride if isinstance(m.stride, tuple) else (m.stride,) * 2
    p = m.padding if isinstance(m.padding, tuple) else (m.padding,) * 2
    adds = prod(x.shape[:-2]) * prod(C.window_sum(x.shape[i - 2], y.shape[i - 2], k[i], s[i], p[i], m.count_include_pad)
                                     for i in range(2))
    return C.avgpool(x.numel(), y.numel(), k[0] * k[1], adds).thop


def _adaptive(m: Any, args: tuple, y: Any) -> int:
    x = _first(args)
    return prod(C.adaptive_span(i, o) for i, o in zip(x.shape, y.shape)) + y.numel()


def _linear(m: Any, args: tuple, y: Any) -> int:
    return m.in_features * y.numel()


def _upsample(m: Any, args: tuple, y: Any) -> int:
    return C.UPSAMPLE_THOP.get(m.mode, 0) * y.numel()


def _softmax(m: Any, args: tuple, y: Any) -> int:
    x = _first(args)
    dim = m.dim if m.dim is not None else (0 if x.dim() in (0, 1, 3) else 1)
    f = x.shape[dim] if x.dim() else 1
    return C.softmax_thop(x.numel() // f, f)


def _mha(m: Any, args: tuple, y: Any) -> int:
    out, weights = y if isinstance(y, tuple) else (y, None)
    tokens = out.shape[-2] if m.batch_first or out.dim() == 2 else out.shape[0]
    batch = 1 if out.dim() == 2 else out.shape[0 if m.batch_first else 1]
    key = args[1]
    keys = weights.shape[-1] if weights is not None else (key.shape[-2] if m.batch_first else key.shape[0])
    return batch * C.mha_thop(tokens, m.embed_dim, m.num_heads, keys, m.kdim, m.vdim)


RULES: list[tuple[type, Rule]] = [
    (nn.ConvTranspose2d, _conv_t), (nn.modules.conv._ConvNd, _conv), (nn.modules.batchnorm._NormBase, _norm),
    (nn.LayerNorm, _norm), (nn.GroupNorm, _norm), (nn.AvgPool2d, _avgpool), (nn.AdaptiveAvgPool2d, _adaptive),
    (nn.Linear, _linear), (nn.Upsample, _upsample), (nn.Softmax, _softmax), (nn.MultiheadAttention, _mha),
]


def module_thop(m: nn.Module) -> Optional[Rule]:
    """The rule thop applies to a module (None: it counts it as 0 or not at all)."""
    for cls, rule in RULES:
        if isinstance(m, cls):
            return rule
    return None


def _matmul(args: tuple, kwargs: dict, y: Any) -> int:
    return y.numel() * (args[0] if args else kwargs["input"]).shape[-1]


def _sdpa(args: tuple, kwargs: dict, y: Any) -> int:
    q, k, v = (*args, *(kwargs[n] for n in ("query", "key", "value")[len(args):]))[:3]
    return y.numel() // v.shape[-1] * k.shape[-2] * (q.shape[-1] + v.shape[-1])


FUNCTIONS: dict[Any, Callable[[tuple, dict, Any], int]] = {
    torch.matmul: _matmul, torch.Tensor.matmul: _matmul, torch.Tensor.__matmul__: _matmul, torch.bmm: _matmul,
    torch.Tensor.bmm: _matmul, F.linear: _matmul, F.scaled_dot_product_attention: _sdpa,
}


def functional_thop(func: Any) -> Optional[Callable[[tuple, dict, Any], int]]:
    """thop's rule for a function called outside every counted module (matrix products)."""
    return FUNCTIONS.get(func)
