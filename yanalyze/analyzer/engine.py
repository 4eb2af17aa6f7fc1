"""The analysis walk: run every layer's cost model on symbolic tensors.

Passes over the same specs: the main pass at the image size (shapes, exact receptive
fields, MACs, FLOPs, memory) and a probe pass at S x S, S = max(largest stride, 32),
because YOLOv5 prints thop's count at that probe scaled by (H/S)(W/S) - which differs
from a direct count where attention is quadratic in size. A first cheap pass at 256 x 256
(where YOLOv5 measures its strides) finds S, so that the image size can be rounded up to
a multiple of it as YOLOv5's check_img_size does.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from fractions import Fraction
from math import log2
from typing import Optional, Sequence

from .cost import Cost
from .errors import ConfigError, short, short_text
from .field import AxisField
from .layers import LayerSpec, Settings
from .model import Output, Shape
from .symbolic import T, Trace

STRIDE_PROBE = 256  # YOLOv5 finds its strides with a 256 x 256 forward


@dataclass(frozen=True)
class LayerPass:
    """One layer's outcome in one pass: its output tensors, its cost and any notes."""

    outs: list[T]
    cost: Cost
    notes: list[str]
    ops: Sequence[tuple[str, str, Cost]] = ()


def run_pass(specs: Sequence[LayerSpec], s: Settings, hw: tuple[int, int], exact: bool,
             where: Optional[str]) -> list[LayerPass]:
    """Walk the layers in order at one input size; each layer gets its own Trace."""
    image = T(Shape(s.ch, *hw), AxisField.identity(exact), AxisField.identity(exact), False, Trace(s.act, exact))
    done: list[LayerPass] = []
    for spec in specs:
        trace = Trace(s.act, exact)
        xs = [replace(done[j].outs[0], trace=trace) for j in spec.inputs] or [replace(image, trace=trace)]
        done.append(run_layer(spec, xs, trace, where))
    return done


def run_layer(spec: LayerSpec, xs: list[T], trace: Trace, where: Optional[str]) -> LayerPass:
    """One layer's cost model on its inputs (which carry `trace`); failures become located errors.
    (A sweep calls this directly for the layers its memo has not seen.)"""
    try:
        outs = _run_layer(spec, xs)
    except ConfigError as exc:
        exc.message = f"{spec.module}: {exc.message}"
        raise exc.located(where, spec.index, spec.line) from None
    except (TypeError, ValueError, IndexError, ZeroDivisionError, AttributeError, OverflowError) as exc:
        if spec.mdef.origin.startswith("plugin:"):
            raise _plugin_failed(spec, exc, where) from None
        raise ConfigError(f"{spec.module}: invalid arguments {short(spec.args)} ({short_text(str(exc))})",
                          path=where, layer=spec.index, line=spec.line, code="parse/args") from None
    except (Exception, SystemExit) as exc:  # a plugin's cost model is the user's code
        if not spec.mdef.origin.startswith("plugin:"):
            raise
        raise _plugin_failed(spec, exc, where) from None
    return LayerPass(outs, trace.cost, trace.notes, trace.ops)


def _plugin_failed(spec: LayerSpec, exc: BaseException, where: Optional[str]) -> ConfigError:
    plugin = spec.mdef.origin.split(":", 1)[1]
    return ConfigError(f"{spec.module}: the cost model from plugin {plugin} raised {type(exc).__name__}: "
                       f"{short_text(str(exc))}", path=where, layer=spec.index, line=spec.line,
                       code="plugin/error")


def _run_layer(spec: LayerSpec, xs: list[T]) -> list[T]:
    build = spec.mdef.build
    if spec.mdef.multi_input:
        if spec.repeats != 1:
            raise ConfigError(f"a multi-input module cannot repeat (number {spec.repeats})", code="graph/repeat")
        out = build(xs, *spec.args)
        return list(out) if isinstance(out, (list, tuple)) else [out]
    y = xs[0]
    for _ in range(spec.repeats):
        y = build(y, *spec.args)
    return [y]


def to_output(t: T, hw: tuple[int, int]) -> Output:
    """Summarise a symbolic tensor: shape, stride, textbook and exact receptive field."""
    fh, fw = t.fh, t.fw
    rf_max = (fh.rf_max, fw.rf_max)
    return Output(shape=t.shape, stride=(fh.jump, fw.jump), rf=(fh.rf, fw.rf), rf_min=(fh.rf_min, fw.rf_min),
                  rf_max=rf_max, global_context=t.glob, rf_exceeds_image=rf_max[0] > hw[0] or rf_max[1] > hw[1])


def level_name(out: Output, k: int) -> str:
    """P3 for stride 8 and so on; L<k> when the stride is not a power of two."""
    s = out.stride[0]
    if s.denominator == 1 and s.numerator & (s.numerator - 1) == 0:
        return f"P{int(log2(s.numerator))}"
    return f"L{k}"


def probe_size(last: LayerPass, is_head: bool) -> int:
    """YOLOv5's grid and FLOPs probe: max(largest head stride, 32); 32 without a detection head."""
    strides = [t.fh.jump for t in last.outs] if is_head else []
    return max([32, *(int(s) for s in strides if s.denominator == 1 and s >= 1)])


def grid_size(specs: Sequence[LayerSpec], s: Settings, hw: tuple[int, int], where: Optional[str]) -> int:
    """The largest stride the image size must be a multiple of, found as YOLOv5 does (a pass at
    256 x 256; at the image size itself when the model cannot take 256)."""
    for size in ((STRIDE_PROBE, STRIDE_PROBE), hw):
        try:
            return probe_size(run_pass(specs, s, size, False, where)[-1], specs[-1].mdef.is_head)
        except ConfigError:
            continue
    return 32


def rounded_size(hw: tuple[int, int], stride: int) -> tuple[int, int]:
    """The size YOLOv5's check_img_size uses: each side rounded up to a multiple of the stride."""
    return (-(-hw[0] // stride) * stride, -(-hw[1] // stride) * stride)


def thop_gflops(thop_count: int, probe: Optional[int], hw: tuple[int, int]) -> Fraction:
    """2 x thop count at the S x S probe, scaled by (H/S)(W/S), in GFLOPs (kept exact).

    probe None: the count was taken at the image size itself (the probe could not run).
    """
    scale = Fraction(hw[0] * hw[1], probe * probe) if probe else Fraction(1)
    return Fraction(2 * thop_count, 10**9) * scale
