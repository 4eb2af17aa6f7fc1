"""Device profiles for the roofline: peak compute and memory bandwidth, and where they come from.

The default is a nominal CPU, stated as such: a roofline from its specification, not a
measurement of this machine. A layer can run no faster than its FLOPs at the peak and no faster
than its bytes at the bandwidth; the larger of the two is its roofline bound.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Device:
    """Peak FLOP/s and bytes/s of a target; `source` says whether it is a datasheet or a measurement."""

    name: str
    peak_gflops: float     # GFLOP/s
    bandwidth_gbs: float   # GB/s (10**9 bytes)
    source: str

    @property
    def ridge(self) -> float:
        """FLOPs per byte where a kernel stops being memory-bound."""
        return self.peak_gflops / self.bandwidth_gbs

    def attainable_gflops(self, intensity: float) -> float:
        return min(self.peak_gflops, intensity * self.bandwidth_gbs)

    def bound_ms(self, flops: float, nbytes: float) -> float:
        """The roofline's lower bound on a kernel's time, in ms."""
        return max(flops / (self.peak_gflops * 1e9), nbytes / (self.bandwidth_gbs * 1e9)) * 1e3

    def bound(self, flops: float, nbytes: float) -> str:
        """'memory' when moving the bytes takes longer than the arithmetic, else 'compute'."""
        return "memory" if nbytes / self.bandwidth_gbs > flops / self.peak_gflops else "compute"


CPU_DEFAULT = Device(name="cpu-default", peak_gflops=192.0, bandwidth_gbs=20.0,
                     source="nominal: 2 cores x 3 GHz x 32 FP32 FLOPs per cycle (AVX2, two FMA units) and "
                            "20 GB/s DRAM; a roofline from a datasheet, not a measurement")
