"""Torch forward times of a whole config, and of each of its layers, for checking the latency
estimate: batch 1, fp32, eval, inference_mode, torch's default threads, medians of repeated runs, on a
uniform random image (seeded)."""
from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

import torch

from ..analyzer.load import ParsedModel
from .build import build


@dataclass(frozen=True)
class Measured:
    total_ms: float         # median whole forward pass
    layers_ms: list[float]  # median time of each layer (forward hooks), in YAML order


def measure(model: ParsedModel, imgsz: tuple[int, int], runs: int = 10, warmup: int = 3,
            layers: bool = True) -> Measured:
    """Median of `runs` timed forward passes after `warmup`; per-layer medians from a second set of
    runs with hooks (kept apart, so the hooks' own cost stays out of the whole-pass time)."""
    net = build(model).eval()
    # an image-like input: a constant one (zeros) makes every map flat, and max-pooling and the
    # activations then run faster than on any real picture
    x = torch.rand(1, model.settings.ch, *imgsz, generator=torch.Generator().manual_seed(0))
    with torch.inference_mode():
        for _ in range(warmup):
            net(x)
        totals = []
        for _ in range(runs):
            t0 = time.perf_counter()
            net(x)
            totals.append(time.perf_counter() - t0)
        if not layers:
            return Measured(total_ms=statistics.median(totals) * 1e3, layers_ms=[])
        starts: dict[int, float] = {}
        per_layer: list[list[float]] = [[] for _ in net.layers]

        def before(i: int):
            def hook(_m, _x) -> None:
                starts[i] = time.perf_counter()
            return hook

        def after(i: int):
            def hook(_m, _x, _y) -> None:
                per_layer[i].append(time.perf_counter() - starts[i])
            return hook
        handles = [h for i, layer in enumerate(net.layers)
                   for h in (layer.register_forward_pre_hook(before(i)), layer.register_forward_hook(after(i)))]
        try:
            for _ in range(runs):
                net(x)
        finally:
            for h in handles:
                h.remove()
    return Measured(total_ms=statistics.median(totals) * 1e3,
                    layers_ms=[statistics.median(t) * 1e3 for t in per_layer])
