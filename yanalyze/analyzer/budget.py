"""The CI budget gate: limits on a config's analysis, from a budget file or the command line.

A budget file (YAML) holds default limits, the configs to check (paths relative to the
file) with their image sizes and own limits, and an optional baseline whose metrics a
change may not grow by more than a percentage:

    imgsz: 640
    limits: {gflops: 17, params: 7.5M, mem: 900MB, peak_act: 40MB, rf: {P5: 600}, layer_gflops: 2.5,
             latency_ms: 120}
    device: cpu-default
    configs:
      - path: yolov5s.yaml
        imgsz: [640, 1280]
    baseline: {path: yolov5s-base.yaml, max_increase: 5%}

A latency limit (latency_ms, the estimate on a device) needs a device: `--device` on the command
line, else the file's `device:` (a datasheet name, or a profile path relative to the file; a
config entry may name its own). Without one it is refused before anything is analysed.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Callable, Optional

from . import devices, units
from . import diagnostics as D
from .analyze import analyze_with
from .load import ModelOptions
from .errors import ConfigError
from .config import parse_yaml
from .limits import MAX_ARG_VALUES, count_values
from .reading import read_text
from .model import Analysis, LayerResult

Getter = Callable[[Analysis], float]


PARSERS: dict[str, Callable[[object, str], float]] = {
    "gflops": units.gflops, "count": units.count, "bytes": units.nbytes, "px": units.count, "ms": units.ms}


@dataclass(frozen=True)
class Metric:
    """A budgeted quantity: its label, its unit (how limits are read), and where it comes from."""

    label: str
    unit: str
    total: Optional[Getter] = None
    layer: Optional[Callable[[LayerResult], float]] = None
    device: bool = False  # an estimate on a device: the target must name one

    def parse(self, value: object, where: str) -> float:
        return PARSERS[self.unit](value, where)


METRICS = {
    "gflops": Metric("GFLOPs", "gflops", lambda a: a.totals.gflops),
    "gflops_fused": Metric("fused GFLOPs", "gflops", lambda a: a.totals.gflops_fused),
    "params": Metric("params", "count", lambda a: a.totals.params),
    "params_fused": Metric("fused params", "count", lambda a: a.totals.params_fused),
    "flops": Metric("FLOPs (complete)", "count", lambda a: a.totals.flops),
    "mem": Metric("memory access", "bytes", lambda a: a.totals.mem_bytes),
    "mem_fused": Metric("fused memory access", "bytes", lambda a: a.totals.mem_bytes_fused),
    "peak_act": Metric("peak activations", "bytes", lambda a: a.totals.peak_activation_bytes),
    "layer_gflops": Metric("max layer GFLOPs", "gflops", layer=lambda r: r.gflops),
    "layer_params": Metric("max layer params", "count", layer=lambda r: r.params),
    "layer_mem": Metric("max layer memory access", "bytes", layer=lambda r: r.mem_bytes),
    "latency_ms": Metric("latency", "ms", lambda a: a.latency.total_ms if a.latency else 0.0, device=True),
}
NO_DEVICE = ("a latency limit needs a device: give --device PROFILE.json|NAME, or a device: key in the "
             "budget file")
TOTALS = [k for k, m in METRICS.items() if m.total]


@dataclass(frozen=True)
class Limits:
    maxima: dict[str, float] = field(default_factory=dict)
    min_rf: dict[str, int] = field(default_factory=dict)

    def merged(self, other: "Limits") -> "Limits":
        return Limits(maxima={**self.maxima, **other.maxima}, min_rf={**self.min_rf, **other.min_rf})


@dataclass(frozen=True)
class Baseline:
    path: str
    max_increase: dict[str, float]


@dataclass(frozen=True)
class Target:
    """One config at one image size with the limits it must meet."""

    path: str
    imgsz: tuple[int, int]
    limits: Limits
    baseline: Optional[Baseline] = None
    options: ModelOptions = ModelOptions()
    device: Optional[str] = None  # the budget file's device: (the command line's --device wins)

    @property
    def model_options(self) -> ModelOptions:
        """The options it is analysed with: the file's device when the command line names none."""
        return self.options if self.options.device or not self.device else replace(self.options, device=self.device)

    @property
    def timed(self) -> bool:
        """Whether a limit rests on a latency estimate (then a device is needed)."""
        keys = [*self.limits.maxima, *(self.baseline.max_increase if self.baseline else ())]
        return any(METRICS[k].device for k in keys)


@dataclass(frozen=True)
class Outcome:
    """One limit checked: the value, the limit, and the layer at fault for per-layer limits."""

    config: str
    imgsz: tuple[int, int]
    metric: str
    label: str
    unit: str
    value: float
    limit: float
    ok: bool
    kind: str  # "max", "min" or "increase"
    layer: Optional[int] = None
    line: Optional[int] = None
    detail: str = ""
    baseline: str = ""  # increase limits: the baseline config, its own value and the growth allowed
    baseline_value: Optional[float] = None
    max_increase: Optional[float] = None
    device: str = ""  # latency limits: the device's name

    @property
    def headroom(self) -> float:
        """How far the value is inside the limit (negative when exceeded)."""
        return self.value - self.limit if self.kind == "min" else self.limit - self.value

    @property
    def growth(self) -> Optional[float]:
        """Growth over the baseline as a fraction (None without a baseline, or a zero one)."""
        if self.baseline_value is None or not self.baseline_value:
            return None
        return self.value / self.baseline_value - 1


@dataclass(frozen=True)
class BudgetCheck:
    """A budget file's limits evaluated for one report (the report shows them; `check` gates)."""

    file: str
    outcomes: tuple[Outcome, ...]

    @property
    def ok(self) -> bool:
        return all(o.ok for o in self.outcomes)


def parse_limits(raw: Any, where: str) -> Limits:
    """A limits mapping: metric -> maximum, and rf: {LEVEL: minimum px}."""
    if raw is None:
        return Limits()
    if not isinstance(raw, dict):
        raise ConfigError(f"{where} must be a mapping of metric: limit", code="budget/format")
    maxima, min_rf = {}, {}
    for key, value in raw.items():
        if key == "rf":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}.rf must map output levels to pixels, e.g. {{P5: 600}}",
                                  code="budget/format")
            min_rf = {str(lv): units.count(px, f"{where}.rf.{lv}") for lv, px in value.items()}
        elif key in METRICS:
            maxima[key] = METRICS[key].parse(value, f"{where}.{key}")
        else:
            raise ConfigError(f"{where}: unknown limit {key!r}; known: {', '.join([*METRICS, 'rf'])}",
                              code="budget/format")
    return Limits(maxima=maxima, min_rf=min_rf)


def parse_increase(raw: Any, where: str) -> dict[str, float]:
    """'5%' for every total metric, or {gflops: 5%, params: 2%}."""
    if isinstance(raw, dict):
        unknown = [k for k in raw if k not in TOTALS]
        if unknown:
            raise ConfigError(f"{where}: unknown metric {unknown[0]!r}; known: {', '.join(TOTALS)}",
                              code="budget/format")
        return {k: units.percent(v, f"{where}.{k}") for k, v in raw.items()}
    frac = units.percent(raw, where)
    return {k: frac for k in ("gflops", "params", "mem", "peak_act")}


def _imgsizes(raw: Any, where: str) -> list[tuple[int, int]]:
    """640 -> one size; [640, 1280] -> two square sizes; [[640, 384]] -> one H, W size."""
    values = raw if isinstance(raw, list) else [raw]
    out = []
    for v in values:
        hw = [v, v] if isinstance(v, int) else v
        if not (isinstance(hw, list) and len(hw) == 2 and all(isinstance(x, int) and not isinstance(x, bool)
                                                               and x > 0 for x in hw)):
            raise ConfigError(f"{where}: image size must be N or [H, W] with positive integers, got {v!r}",
                              code="budget/format")
        out.append((hw[0], hw[1]))
    return out


def load_budget(path: str) -> tuple[list[Target], Limits]:
    """Read a budget file; returns its targets and its default limits (for command-line configs)."""
    targets, limits, _, _ = read_budget(path)
    return targets, limits


def read_budget(path: str) -> tuple[list[Target], Limits, Optional[Baseline], Optional[str]]:
    """A budget file's targets, its default limits, its default baseline and its device."""
    p = Path(path)
    try:
        text = read_text(path, what="budget file")
    except ConfigError as exc:
        raise ConfigError(f"cannot read budget file ({exc.message})", path=path, code="budget/missing") from None
    try:
        raw, _ = parse_yaml(text, path)
    except ConfigError as exc:
        exc.message = exc.message.replace("malformed YAML", "malformed YAML in budget file", 1)
        exc.code = "budget/format"
        raise
    if count_values(raw, 10 * MAX_ARG_VALUES) is None:
        raise ConfigError(f"expands to more than {10 * MAX_ARG_VALUES:,} values (nested YAML aliases?)", path=path,
                          code="budget/format")
    if not isinstance(raw, dict):
        raise ConfigError("a budget file is a mapping (imgsz, limits, configs, baseline)", path=path,
                          code="budget/format")
    try:
        return _targets(raw, p.parent)
    except ConfigError as exc:
        raise exc.located(path) from None


def _targets(raw: dict, base: Path) -> tuple[list[Target], Limits, Optional[Baseline], Optional[str]]:
    unknown = set(raw) - {"imgsz", "limits", "configs", "baseline", "device"}
    if unknown:
        raise ConfigError(f"unknown key {sorted(unknown)[0]!r} (use imgsz, limits, configs, baseline, device)",
                          code="budget/format")
    device = _device(raw.get("device"), "device", base)
    sizes = _imgsizes(raw.get("imgsz", 640), "imgsz")
    limits = parse_limits(raw.get("limits"), "limits")
    baseline = _baseline(raw.get("baseline"), "baseline", base)
    targets = []
    configs = raw.get("configs") or []
    if not isinstance(configs, list):
        raise ConfigError("configs must be a list of {path, imgsz, limits}", code="budget/format")
    for k, item in enumerate(configs):
        where = f"configs[{k}]"
        item = {"path": item} if isinstance(item, str) else item
        if not isinstance(item, dict) or not isinstance(item.get("path"), str):
            raise ConfigError(f"{where} needs a path", code="budget/format")
        own = limits.merged(parse_limits(item.get("limits"), f"{where}.limits"))
        own_base = _baseline(item["baseline"], f"{where}.baseline", base) if "baseline" in item else baseline
        own_device = _device(item["device"], f"{where}.device", base) if "device" in item else device
        for hw in _imgsizes(item.get("imgsz"), f"{where}.imgsz") if "imgsz" in item else sizes:
            targets.append(Target(path=str(base / item["path"]), imgsz=hw, limits=own, baseline=own_base,
                                  device=own_device))
    return targets, limits, baseline, device


def _device(raw: Any, where: str, base: Path) -> Optional[str]:
    """A datasheet name as it is; anything else a profile path relative to the budget file."""
    if raw is None:
        return None
    if not isinstance(raw, str) or not raw:
        raise ConfigError(f"{where} must be a device name or a profile path", code="budget/format")
    return raw if raw in devices.DATASHEETS else str(base / raw)


def _baseline(raw: Any, where: str, base: Path) -> Optional[Baseline]:
    if raw is None:
        return None
    if not isinstance(raw, dict) or not isinstance(raw.get("path"), str):
        raise ConfigError(f"{where} needs a path (and max_increase)", code="budget/format")
    return Baseline(path=str(base / raw["path"]),
                    max_increase=parse_increase(raw.get("max_increase", "0%"), f"{where}.max_increase"))


def evaluate(t: Target, a: Optional[Analysis] = None) -> list[Outcome]:
    """Every limit of one target against its analysis (and its baseline's); a report passes the
    analysis it already has."""
    if t.timed and not t.model_options.device:
        raise D.USAGE.error(detail=NO_DEVICE)
    if a is None:
        a = analyze_with(t.path, t.imgsz, t.model_options, rewrites=False)
    elif t.timed and a.latency is None:  # a report without --device, a budget file with one: a copy gets it
        from .latency import estimate

        a = replace(a, latency=estimate(a, devices.load(t.model_options.device or "")))
    out = []
    for key, limit in t.limits.maxima.items():
        m = METRICS[key]
        if m.total:
            v = m.total(a)
            out.append(Outcome(config=t.path, imgsz=t.imgsz, metric=key, label=_label(m, a), unit=m.unit, value=v,
                               limit=limit, ok=v <= limit, kind="max", device=_device_name(m, a)))
        else:
            out.append(_worst_layer(t, a, key, limit))
    levels = {lv.name: lv for lv in a.levels}
    for name, px in t.limits.min_rf.items():
        if name not in levels:
            raise ConfigError(f"no output level {name!r} in {t.path} (levels: {', '.join(levels)})",
                              code="budget/format")
        o = levels[name].output
        v = min(o.rf_min)
        out.append(Outcome(config=t.path, imgsz=t.imgsz, metric=f"rf.{name}", label=f"{name} RF, worst position",
                           unit="px", value=v, limit=px, ok=v >= px, kind="min", layer=levels[name].layer))
    if t.baseline:
        out += _against_baseline(t, a)
    return out


def _label(m: Metric, a: Analysis) -> str:
    """A latency limit names its device, and says when the estimate is a roofline's lower bound."""
    if not m.device or a.latency is None:
        return m.label
    bound = " (roofline bound)" if a.latency.kind == devices.ROOFLINE else ""
    return f"{m.label} on {a.latency.device.get('name')}{bound}"


def _device_name(m: Metric, a: Analysis) -> str:
    return str(a.latency.device.get("name")) if m.device and a.latency is not None else ""


def _worst_layer(t: Target, a: Analysis, key: str, limit: float) -> Outcome:
    m = METRICS[key]
    assert m.layer is not None
    worst = max(a.layers, key=m.layer)
    over = [r.index for r in a.layers if m.layer(r) > limit]
    detail = f"layers over the limit: {', '.join(map(str, over))}" if over else ""
    return Outcome(config=t.path, imgsz=t.imgsz, metric=key, label=m.label, unit=m.unit, value=m.layer(worst),
                   limit=limit, ok=not over, kind="max", layer=worst.index, line=worst.line, detail=detail)


def _against_baseline(t: Target, a: Analysis) -> list[Outcome]:
    assert t.baseline is not None
    base = analyze_with(t.baseline.path, t.imgsz, t.model_options, rewrites=False)
    out = []
    for key, frac in t.baseline.max_increase.items():
        m = METRICS[key]
        assert m.total is not None
        v, b = m.total(a), m.total(base)
        limit = b * (1 + frac)
        out.append(Outcome(config=t.path, imgsz=t.imgsz, metric=f"increase.{key}",
                           label=f"{_label(m, a)} vs baseline +{frac:.0%}", unit=m.unit, value=v, limit=limit,
                           ok=v <= limit, kind="increase", detail=f"baseline {t.baseline.path}",
                           baseline=t.baseline.path, baseline_value=b, max_increase=frac,
                           device=_device_name(m, a)))
    return out


def _same_path(a: str, b: str) -> bool:
    try:
        return Path(a).resolve() == Path(b).resolve()
    except (OSError, RuntimeError, ValueError):
        return a == b


def for_report(path: str, a: Analysis, cfg: str, imgsz: tuple[int, int], options: ModelOptions) -> BudgetCheck:
    """The budget file's limits for one report: the file's own entries for this config at this
    image size when it lists them, else its default limits and baseline."""
    targets, defaults, baseline, device = read_budget(path)
    mine = [t for t in targets if _same_path(t.path, cfg) and t.imgsz == imgsz]
    if not mine and (defaults.maxima or defaults.min_rf or baseline):
        mine = [Target(path=cfg, imgsz=imgsz, limits=defaults, baseline=baseline, device=device)]
    outcomes = [o for t in mine for o in evaluate(replace(t, path=cfg, options=options), a)]
    return BudgetCheck(file=path, outcomes=tuple(outcomes))


def with_limits(targets: list[Target], extra: Limits) -> list[Target]:
    return [replace(t, limits=t.limits.merged(extra)) for t in targets]
