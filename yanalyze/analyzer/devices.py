"""Device profiles: how fast a target runs each class of kernel, and where those numbers come from.

Two kinds, never confused in any view:
- 'measured': written by `yanalyze calibrate` on a machine. Each op class has a fixed overhead
  per call, an achieved throughput and an achieved bandwidth, fitted to torch timings there; a
  kernel's time is their sum (calls x overhead + FLOPs / throughput + bytes / bandwidth).
- 'roofline': peak FLOP/s and bandwidth from a datasheet. A kernel's time is the larger of its
  FLOPs at the peak and its bytes at the bandwidth: a lower bound, not a prediction.
"""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Mapping, Optional

from . import diagnostics as D

SCHEMA = "yanalyze-device/1"
MEASURED, ROOFLINE = "measured", "roofline"
MAX_PROFILE_BYTES = 4_000_000


@dataclass(frozen=True)
class OpRate:
    """One op class on one device: seconds per call, FLOP/s and bytes/s (0: that term is absent),
    and how well the fit matched its measurements (median relative error; None for a datasheet)."""

    overhead_us: float = 0.0
    gflops: float = 0.0
    gbs: float = 0.0
    points: int = 0
    fit_error: Optional[float] = None


@dataclass(frozen=True)
class Device:
    """A target: peak FLOP/s and bytes/s for the roofline, per-class rates for the estimate, and
    its provenance (`source`; machine, torch, threads and date for a measured profile)."""

    name: str
    peak_gflops: float     # GFLOP/s
    bandwidth_gbs: float   # GB/s (10**9 bytes)
    source: str
    kind: str = ROOFLINE
    classes: Mapping[str, OpRate] = field(default_factory=dict)
    channel_block: int = 1  # a conv's channels are padded to a multiple of this (SIMD width in floats)
    context_gbs: float = 0.0  # measured: activation bytes per second a whole network adds (fresh
    #                           allocations, caches cold between kernels); 0: no such term
    meta: Mapping[str, Any] = field(default_factory=dict)

    @property
    def measured(self) -> bool:
        return self.kind == MEASURED

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

    def rate(self, op_class: str) -> OpRate:
        """The class's fitted rates; a class the profile lacks falls back along FALLBACK, and a
        roofline uses its peaks for every class."""
        seen = op_class
        while seen in FALLBACK and seen not in self.classes:
            seen = FALLBACK[seen]
        got = self.classes.get(seen)
        if got is not None:
            return got
        return OpRate(gflops=self.peak_gflops, gbs=self.bandwidth_gbs)

    def summary(self) -> dict:
        """What every view states about the profile it used."""
        return {"name": self.name, "kind": self.kind, "source": self.source,
                "peak_gflops": self.peak_gflops, "bandwidth_gbs": self.bandwidth_gbs, **dict(self.meta)}


# A class without its own measurement borrows its nearest relative's rates.
FALLBACK = {"conv_dilated": "conv_kxk", "conv_group": "conv_kxk", "conv_transpose": "conv_kxk",
            "conv_dw": "conv_kxk", "conv1x1": "conv_kxk", "matmul": "conv1x1",
            "act_Sigmoid": "act_SiLU", "act_Tanh": "act_SiLU", "act_GELU": "act_SiLU", "act_Mish": "act_SiLU",
            "act_ELU": "act_SiLU", "act_ReLU6": "act_ReLU", "act_LeakyReLU": "act_ReLU",
            "act_Hardswish": "act_ReLU", "act_Hardsigmoid": "act_ReLU", "act_ReLU": "eltwise", "act_SiLU": "eltwise",
            "batchnorm": "eltwise", "norm": "eltwise", "softmax": "norm", "upsample": "copy",
            "upsample_bilinear": "upsample", "maxpool": "eltwise", "avgpool": "maxpool", "reduce": "eltwise",
            "concat": "copy", "permute": "copy", "copy": "eltwise"}


def _roofline(name: str, gflops: float, gbs: float, source: str) -> Device:
    return Device(name=name, peak_gflops=gflops, bandwidth_gbs=gbs, kind=ROOFLINE,
                  source=f"roofline from published specs, not a measurement: {source}")


CPU_DEFAULT = _roofline("cpu-default", 192.0, 20.0,
                        "nominal 2 cores x 3 GHz x 32 FP32 FLOPs per cycle (AVX2, two FMA units), 20 GB/s DRAM")

# Peak FP32 FLOP/s and DRAM bandwidth as the vendors publish them.
DATASHEETS: dict[str, Device] = {d.name: d for d in (
    CPU_DEFAULT,
    _roofline("raspberry-pi-4", 48.0, 4.0, "Cortex-A72, 4 cores x 1.5 GHz x 8 FP32 FLOPs per cycle (NEON FMA); "
              "LPDDR4-3200 on a 32-bit bus, about 4 GB/s sustained"),
    _roofline("raspberry-pi-5", 76.8, 17.1, "Cortex-A76, 4 cores x 2.4 GHz x 8 FP32 FLOPs per cycle; "
              "LPDDR4X-4267 on a 32-bit bus, 17.1 GB/s"),
    _roofline("jetson-nano", 236.0, 25.6, "Maxwell GPU, 128 CUDA cores x 921.6 MHz x 2 (FMA) FP32; "
              "LPDDR4 64-bit, 25.6 GB/s"),
    _roofline("jetson-orin-nano", 1280.0, 68.0, "Ampere GPU, 1024 CUDA cores x 625 MHz x 2 (FMA) FP32; "
              "LPDDR5 128-bit, 68 GB/s"),
    _roofline("nvidia-t4", 8100.0, 320.0, "Turing T4, 8.1 TFLOPS FP32, GDDR6 320 GB/s"),
    _roofline("nvidia-a100", 19500.0, 1555.0, "A100 40GB, 19.5 TFLOPS FP32 (no TF32), HBM2 1,555 GB/s"),
    _roofline("nvidia-rtx-3090", 35580.0, 936.0, "GeForce RTX 3090, 35.58 TFLOPS FP32, GDDR6X 936 GB/s"),
    _roofline("apple-m1-cpu", 371.2, 68.25, "4 performance cores x 3.2 GHz x 16 FP32 FLOPs per cycle x 2 "
              "(four 128-bit FMA pipes) plus efficiency cores left out; LPDDR4X-4266 128-bit, 68.25 GB/s"),
)}


RATE_RANGE = (1e-3, 1e7)  # GFLOP/s or GB/s a device can have: from a microcontroller to a rack
MAX_OVERHEAD_US = 1e6      # a second per call is no kernel


def _number(v: Any, what: str, where: str, upper: float = math.inf) -> float:
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) or not 0 <= v <= upper:
        limit = f" and <= {upper:g}" if upper < math.inf else ""
        raise D.DEVICE_PROFILE.error(path=where, detail=f"{what} must be a finite number >= 0{limit}, got {v!r}")
    return float(v)


def _rate(v: Any, what: str, where: str) -> float:
    """A throughput or bandwidth: 0 (the term is absent) or within RATE_RANGE."""
    got = _number(v, what, where, RATE_RANGE[1])
    if 0 < got < RATE_RANGE[0]:
        raise D.DEVICE_PROFILE.error(path=where, detail=f"{what} must be 0 or at least {RATE_RANGE[0]:g}, got {v!r}")
    return got


def from_dict(data: Any, where: str = "<profile>") -> Device:
    """A profile from its JSON form (schema yanalyze-device/1), checked field by field."""
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        raise D.DEVICE_PROFILE.error(path=where, detail=f"not a device profile (expected schema {SCHEMA!r})")
    kind = data.get("kind")
    if kind not in (MEASURED, ROOFLINE):
        raise D.DEVICE_PROFILE.error(path=where, detail=f"kind must be {MEASURED!r} or {ROOFLINE!r}, got {kind!r}")
    name, source = data.get("name"), data.get("source")
    if not isinstance(name, str) or not name or not isinstance(source, str):
        raise D.DEVICE_PROFILE.error(path=where, detail="name and source must be strings")
    peak = _rate(data.get("peak_gflops"), "peak_gflops", where)
    bw = _rate(data.get("bandwidth_gbs"), "bandwidth_gbs", where)
    if not peak or not bw:
        raise D.DEVICE_PROFILE.error(path=where, detail="peak_gflops and bandwidth_gbs must be positive")
    classes: dict[str, OpRate] = {}
    raw = data.get("classes", {})
    if not isinstance(raw, dict):
        raise D.DEVICE_PROFILE.error(path=where, detail="classes must be a mapping")
    for key, c in raw.items():
        if not isinstance(c, dict):
            raise D.DEVICE_PROFILE.error(path=where, detail=f"class {key!r} must be a mapping")
        err = c.get("fit_error")
        classes[str(key)] = OpRate(overhead_us=_number(c.get("overhead_us", 0.0), f"{key}.overhead_us", where,
                                                       MAX_OVERHEAD_US),
                                   gflops=_rate(c.get("gflops", 0.0), f"{key}.gflops", where),
                                   gbs=_rate(c.get("gbs", 0.0), f"{key}.gbs", where),
                                   points=int(_number(c.get("points", 0), f"{key}.points", where)),
                                   fit_error=None if err is None else _number(err, f"{key}.fit_error", where))
    context = _rate(data.get("context_gbs", 0.0), "context_gbs", where)
    block = data.get("channel_block", 1)
    if isinstance(block, bool) or not isinstance(block, int) or not 1 <= block <= 64:
        raise D.DEVICE_PROFILE.error(path=where, detail=f"channel_block must be an integer 1..64, got {block!r}")
    meta = data.get("machine", {})
    if not isinstance(meta, dict):
        raise D.DEVICE_PROFILE.error(path=where, detail="machine must be a mapping")
    return Device(name=name, peak_gflops=peak, bandwidth_gbs=bw, source=source, kind=kind, classes=classes,
                  channel_block=block, context_gbs=context, meta={k: v for k, v in meta.items() if isinstance(v, (str, int, float))})


def to_dict(d: Device, measurements: Optional[list] = None) -> dict:
    """The JSON form a profile is saved in; `measurements` keeps the timings it was fitted to."""
    out: dict[str, Any] = {"schema": SCHEMA, "name": d.name, "kind": d.kind, "source": d.source,
                           "peak_gflops": d.peak_gflops, "bandwidth_gbs": d.bandwidth_gbs,
                           "channel_block": d.channel_block, "context_gbs": d.context_gbs,
                           "machine": dict(d.meta),
                           "classes": {k: {"overhead_us": r.overhead_us, "gflops": r.gflops, "gbs": r.gbs,
                                           "points": r.points, "fit_error": r.fit_error}
                                       for k, r in sorted(d.classes.items())}}
    if measurements is not None:
        out["measurements"] = measurements
    return out


def load(spec: str) -> Device:
    """--device: a shipped datasheet name, or the path of a profile `yanalyze calibrate` wrote."""
    if spec in DATASHEETS:
        return DATASHEETS[spec]
    path = Path(spec)
    if not path.is_file():
        raise D.DEVICE_PROFILE.error(path=spec, detail="neither a profile file nor a known device "
                                     f"(known: {', '.join(sorted(DATASHEETS))})")
    st = path.stat()
    if st.st_size > MAX_PROFILE_BYTES:
        raise D.DEVICE_PROFILE.error(path=spec, detail="larger than a device profile can be")
    return _read(spec, st.st_mtime_ns, st.st_size)


@lru_cache(maxsize=8)  # a diff, a check of many configs or a sweep names one profile many times
def _read(spec: str, mtime_ns: int, size: int) -> Device:
    """The profile at `spec` as it is at this modification time and size (read once per version)."""
    path = Path(spec)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise D.DEVICE_PROFILE.error(path=spec, detail=f"not valid JSON ({str(exc).splitlines()[0][:120]})") from None
    except RecursionError:
        raise D.DEVICE_PROFILE.error(path=spec, detail="nested too deeply to be a device profile") from None
    except OSError as exc:
        raise D.DEVICE_PROFILE.error(path=spec, detail=f"cannot be read ({exc.strerror})") from None
    return from_dict(data, spec)
