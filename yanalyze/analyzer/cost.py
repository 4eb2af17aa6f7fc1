"""The cost of an operation or a block, in every convention at once, at batch 1."""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(unsafe_hash=True, slots=True)  # immutable by convention: frozen costs 4x per instance
class Cost:
    """Counts of one operation or block; memory split so that batch and dtype apply later.

    thop/thop_fused: what ultralytics-thop counts (its "MACs"), unfused and after Conv+BN
    folding; macs: true multiply-accumulates; flops: the complete count; act/weights:
    elements of activations and of parameters/buffers read or written, unfused, and
    act_fused/weights_fused after folding (Conv+BN+activation as one kernel).
    """

    params: int = 0
    params_fused: int = 0
    thop: int = 0
    thop_fused: int = 0
    macs: int = 0
    flops: int = 0
    act: int = 0
    weights: int = 0
    act_fused: int = 0
    weights_fused: int = 0

    def __add__(self, o: "Cost") -> "Cost":
        # written out: this runs for every primitive of every layer
        return Cost(self.params + o.params, self.params_fused + o.params_fused, self.thop + o.thop,
                    self.thop_fused + o.thop_fused, self.macs + o.macs, self.flops + o.flops,
                    self.act + o.act, self.weights + o.weights, self.act_fused + o.act_fused,
                    self.weights_fused + o.weights_fused)


ZERO = Cost()
