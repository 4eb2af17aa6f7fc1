"""A fork's definitions in yanalyze's registry: for every module name a config uses that the
fork's models/yolo.py resolves to a class, an entry whose channel rule is the fork's
parse_model (rules.py) and whose cost model measures the fork's class in the fork's process.
They replace the built-ins of the same name (an oriented-box Detect, a changed C3)."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Optional

from ...analyzer import diagnostics as D
from ...analyzer import modules, registry
from ...analyzer.config import Config
from ...analyzer.diagnostics import note as coded_note
from ...analyzer.model import Shape
from ...analyzer.symbolic import Act, T, shape_error
from . import protocol as P
from . import rules, source
from .interp import Ref
from .session import Session

_IDENT = re.compile(r"^[A-Za-z_][\w.]*$")


@dataclass(frozen=True)
class ForkDef(registry.ModuleDef):
    """A module of the fork; `head`: its Model treats it as the detection head."""

    head: bool = False

    @property
    def is_head(self) -> bool:
        return self.head


def _ref(d: Optional[dict]) -> Any:
    if d is None:
        return None
    if d["kind"] == "value":
        return d["value"]
    return Ref(d["kind"], d["key"], d["name"])


def _strings(value: Any) -> set[str]:
    if isinstance(value, list):
        return set().union(*map(_strings, value)) if value else set()
    return {value} if isinstance(value, str) and _IDENT.match(value) else set()


def _wire(value: Any) -> Any:
    """Arguments as sent to the fork's process (a class of the fork by its key)."""
    if isinstance(value, (list, tuple)):
        return [_wire(v) for v in value]
    if isinstance(value, Ref):
        return {"$class": value.key}
    if isinstance(value, Act):  # `nn.ReLU(inplace=True)` in a row's args: rebuilt there from its text
        return {"$act": value.text or f"nn.{value.name}()"}
    return value


class Fork:
    """One fork: its source read, its process running, its definitions registered per config."""

    def __init__(self, root: Path, timeout: Optional[float] = None):
        self.root = root
        self.label = f"fork:{root.name}"
        try:
            self.program = source.read(root)
            self.gflops_as = source.gflops_convention(root)  # None: not readable, current YOLOv5's assumed
        except (OSError, SyntaxError, ValueError) as exc:
            raise D.FORK_MISSING.error(detail=f"cannot read models/yolo.py: {exc}").located(str(root)) from None
        self.session = Session(root, timeout)
        self.refs: dict[str, Any] = {}
        self.info: dict[str, Optional[dict]] = {}
        self.notes: dict[str, str] = {}
        self.cache: dict[str, dict] = {}
        self.replaced: dict[str, Optional[registry.ModuleDef]] = {}
        self.resolve(set(self.program.names))

    def resolve(self, names: set[str]) -> None:
        """Ask the fork's process what each name of its models/yolo.py namespace is."""
        todo = sorted(n for n in names if n not in self.info)
        if not todo:
            return
        reply = self.session.request({"op": "resolve", "names": todo, "heads": list(self.program.heads),
                                      "act_classes": list(self.program.act_classes)}, "reading its namespace")
        for name, d in reply.get("names", {}).items():
            self.info[name] = d
            self.refs[name] = _ref(d)

    def prepare(self, cfg: Config) -> None:
        """Register the fork's definition of every module name the config uses."""
        used = [r.module for r in cfg.rows if isinstance(r.module, str)]
        args = set().union(*(_strings(r.args) for r in cfg.rows)) if cfg.rows else set()
        self.resolve(set(used) | args)
        reader = rules.Reader(self.program, self.refs, cfg.data)
        act = cfg.data.get("activation") if self.program.act_classes else None
        for name in dict.fromkeys(used):
            d = self.info.get(name)
            if not d or d["kind"] != "class" or not d["module"] or d["stub"]:
                continue  # not a torch class of the fork: the built-ins (or the usual error) apply
            key = registry.canonical(name)
            multi = d["head"] or any(isinstance(r.src_from, list) for r in cfg.rows if r.module == name)
            conv_like = d["params"][:2] == ["c1", "c2"]
            mdef = ForkDef(name=key, build=self.builder(key, d, multi, act if isinstance(act, str) else None),
                           channels=rules.make_rule(reader, key, conv_like, d["head"], self.notes),
                           multi_input=multi, origin=self.label, torch=None, head=d["head"],
                           provenance=registry.Provenance(f"the fork {self.root}", d["file"] or d["name"]))
            modules.ensure(key)  # the built-in first, so the fork's class replaces it and is undone after
            self.replaced.setdefault(key, registry.REGISTRY.get(key))
            registry.add(mdef)

    def measure(self, message: dict, what: str) -> dict:
        key = json.dumps(message, sort_keys=True)
        if key not in self.cache:
            self.cache[key] = self.session.request(message, f"building {what}")
        return self.cache[key]

    def builder(self, name: str, d: dict, multi: bool, act: Optional[str]):
        """The cost model: the fork's class measured in its process on inputs of these shapes."""
        head = bool(d["head"])

        def build(x: Any, *args: Any) -> Any:
            xs = list(x) if multi else [x]
            message = {"op": "measure", "key": d["key"], "args": _wire(list(args)), "list": multi, "head": head,
                       "inputs": [t.shape.as_list() for t in xs], "act": act,
                       "fields": [{"fh": P.field_to_json(t.fh), "fw": P.field_to_json(t.fw), "glob": t.glob}
                                  for t in xs],
                       "strides": [float(t.fh.jump) for t in xs] if head else []}
            reply = self.measure(message, f"{name}{tuple(args)}")
            if "error" in reply:
                where = f" at {reply['where']}" if reply.get("where") else ""
                raise shape_error(f"the fork's {name}{tuple(args)} fails{where}: {reply['error']}")
            return self.outputs(name, list(args), xs, reply, head or multi)
        return build

    def outputs(self, name: str, args: list, xs: list[T], reply: dict, many: bool) -> Any:
        trace = xs[0].trace
        cost = P.cost_from_json(reply["cost"])
        fused = reply.get("fused")
        if fused:
            f = P.cost_from_json(fused)
            cost = replace(cost, params_fused=f.params, thop_fused=f.thop, act_fused=f.act, weights_fused=f.weights)
        trace.record(cost)
        note = self.notes.get(rules.args_key(name, args))
        if note:
            trace.notes.append(coded_note(D.FORK_RULE, note))
        if reply.get("uncounted"):
            trace.notes.append(f"ops not counted: {', '.join(reply['uncounted'])}")
        outs = [self.tensor(name, shape, f, xs, trace) for shape, f in reply["outs"]]
        if not outs:
            raise shape_error(f"the fork's {name} returns no tensor")
        if many:
            return outs
        if len(outs) > 1:
            trace.notes.append(f"returns {len(outs)} tensors; the layers after it read the first")
        return outs[0]

    def tensor(self, name: str, shape: list, f: Optional[dict], xs: list[T], trace: Any) -> T:
        if len(shape) != 3:
            raise shape_error(f"the fork's {name} returns a tensor of shape {shape}, not a C x H x W feature map")
        if f is None:  # not reached from the inputs by ops the tracer follows: it may see everything
            fh, fw = xs[0].fh, xs[0].fw
            for x in xs[1:]:
                fh, fw = fh.join(x.fh), fw.join(x.fw)
            return T(Shape(*shape), fh, fw, True, trace)
        return T(Shape(*shape), P.axis_from_json(f["fh"]), P.axis_from_json(f["fw"]), bool(f["glob"]), trace)

    def close(self) -> None:
        """Stop the fork's process; the built-ins come back."""
        self.session.close()
        for key, before in self.replaced.items():
            if before is None:
                registry.REGISTRY.pop(key, None)
            else:
                registry.REGISTRY[key] = before
        self.replaced.clear()
