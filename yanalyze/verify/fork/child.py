"""The fork's process: `python -m yanalyze.verify.fork.child DIR`. It blocks installs,
processes and the network (sandbox), imports DIR/models/yolo.py (and whatever that imports),
then answers yanalyze's requests on stdin with JSON on the original stdout: which object a
name in the fork's namespace is, and the measurement of one layer. The fork's own prints go
to stderr.
"""
from __future__ import annotations

import importlib
import inspect
import os
import sys
import traceback
from pathlib import Path
from types import ModuleType
from typing import Any, Optional

from . import protocol as P
from . import sandbox


def one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return f"{type(exc).__name__}: {text[:300]}" if text else type(exc).__name__


def fork_frame(exc: BaseException, root: str) -> Optional[str]:
    """The innermost place in the fork's own files that the exception passed through."""
    frames = [f for f in traceback.extract_tb(exc.__traceback__) if f.filename.startswith(root)]
    return f"{os.path.relpath(frames[-1].filename, root)}:{frames[-1].lineno}" if frames else None


IMPLIED = ("packaging.version", "packaging.requirements", "urllib.request", "urllib.parse", "logging.config",
           "importlib.metadata", "concurrent.futures")


class Server:
    """Answers requests about the imported fork."""

    def __init__(self, root: Path, yolo: ModuleType):
        self.root, self.yolo = root, yolo
        self.objects: dict[str, Any] = {}
        self.heads: tuple = ()
        self.act_classes: list = []
        self.act_originals: dict = {}
        from .measure import fuser

        self.model_cls = getattr(yolo, "Model", None) or getattr(yolo, "DetectionModel", None)
        self.fuse = fuser(self.model_cls)

    def lookup(self, dotted: str) -> Any:
        first, *rest = dotted.split(".")
        space = vars(self.yolo)
        if first not in space:
            raise LookupError(dotted)
        obj = space[first]
        for attr in rest:
            obj = getattr(obj, attr)
        return obj

    def describe(self, obj: Any) -> dict:
        import torch.nn as nn

        key = str(id(obj))
        self.objects[key] = obj
        if isinstance(obj, type):
            try:
                params = list(inspect.signature(obj).parameters)[:3]
            except (TypeError, ValueError):
                params = []
            try:
                file = inspect.getsourcefile(obj) or ""
            except TypeError:
                file = ""
            inside = file.startswith(str(self.root))
            return {"kind": "class", "key": key, "name": f"{obj.__module__}.{obj.__qualname__}", "params": params,
                    "file": os.path.relpath(file, self.root) if inside else None,
                    "module": issubclass(obj, nn.Module), "stub": isinstance(obj, sandbox.StubMeta),
                    "head": bool(self.heads) and issubclass(obj, self.heads)}
        if isinstance(obj, ModuleType):
            return {"kind": "module", "key": key, "name": obj.__name__}
        if isinstance(obj, (int, float, str, bool, type(None))):
            return {"kind": "value", "value": obj}
        if callable(obj):
            return {"kind": "function", "key": key, "name": getattr(obj, "__qualname__", repr(obj))}
        return {"kind": "object", "key": key, "name": type(obj).__name__}

    def resolve(self, msg: dict) -> dict:
        heads = []
        for name in msg.get("heads", []):
            try:
                obj = self.lookup(name)
            except Exception:
                continue
            if isinstance(obj, type):
                heads.append(obj)
        self.heads = tuple(heads)
        found: dict[str, Optional[dict]] = {}
        for name in msg["names"]:
            try:
                found[name] = self.describe(self.lookup(name))
            except Exception:
                found[name] = None
        for name in msg.get("act_classes", []):
            try:
                cls = self.lookup(name)
            except Exception:
                continue
            if isinstance(cls, type) and cls not in self.act_classes:
                self.act_classes.append(cls)
                self.act_originals[cls] = getattr(cls, "default_act", None)
        return {"names": found}

    def measure(self, msg: dict) -> dict:
        from .measure import Layer, layer_args, set_activation

        cls = self.objects[msg["key"]]
        msg = dict(msg, args=layer_args(msg["args"], self.objects))
        set_activation(self.act_classes, self.act_originals, msg.get("act"))
        try:
            return Layer(cls, msg, self.fuse if msg.get("fuse", True) else None).measure()
        except Exception as exc:
            return {"error": one_line(exc), "where": fork_frame(exc, str(self.root))}

    def model(self, msg: dict) -> dict:
        """The fork's whole Model built by its own parse_model (on the CPU, with real values):
        per layer its parameter count and output shapes at the image size."""
        from .measure import whole_model

        try:
            return whole_model(self.model_cls, msg["cfg"], msg.get("nc"), msg["imgsz"])
        except Exception as exc:
            return {"error": one_line(exc), "where": fork_frame(exc, str(self.root))}

    def handle(self, msg: dict) -> dict:
        return getattr(self, msg["op"])(msg)


def main(argv: list[str]) -> int:
    root = Path(argv[0]).resolve()
    out = os.fdopen(os.dup(1), "wb")
    os.dup2(2, 1)  # the fork's prints go to stderr, never into the answers
    import torch  # noqa: F401  (before the fork: torch's own optional imports fail normally)

    from .. import trace  # noqa: F401

    for name in IMPLIED:  # forks use these after `import packaging`, `import urllib`, as if torchvision had loaded them
        try:
            importlib.import_module(name)
        except ImportError:
            pass
    sandbox.install(root)
    sys.path.insert(0, str(root))
    os.chdir(root)
    try:
        yolo = importlib.import_module("models.yolo")
    except BaseException as exc:  # the fork's code: one line back, whatever it raised
        P.write(out, {"ok": False, "error": one_line(exc), "where": fork_frame(exc, str(root)),
                      "blocked": sandbox.BLOCKED, "stubbed": sandbox.STUBBED})
        return 1
    finally:
        sandbox.STATE["importing"] = False
    P.write(out, {"ok": True, "blocked": sandbox.BLOCKED, "stubbed": sandbox.STUBBED,
                  "file": getattr(yolo, "__file__", None)})
    server = Server(root, yolo)
    while True:
        try:
            msg = P.read(0)
        except P.Closed:
            return 0
        if msg.get("op") == "exit":
            return 0
        try:
            reply = server.handle(msg)
        except Exception as exc:
            reply = {"error": one_line(exc)}
        reply["blocked"] = sandbox.BLOCKED
        P.write(out, reply)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
