"""What the parse_model evaluator computes with: references to the fork's objects, the two
ways a statement can fail (a construct it does not run; an exception the fork's own code would
raise), and the builtins, math and list methods it allows."""
from __future__ import annotations

import ast
import math
import operator
from dataclasses import dataclass
from typing import Any, Callable


class Unsupported(Exception):
    """A construct this evaluator does not run (a call to the fork's own helpers, an import...)."""

    def __init__(self, node: ast.AST, what: str):
        super().__init__(f"line {getattr(node, 'lineno', '?')}: {what}")


class PyError(Exception):
    """An exception the fork's own code raises at this point (NameError, KeyError, ...)."""

    def __init__(self, name: str, detail: str = ""):
        super().__init__(f"{name}: {detail}" if detail else name)
        self.name = name


@dataclass(frozen=True)
class Ref:
    """Something of the fork's namespace: a class, module, function or other object, by identity."""

    kind: str  # 'class', 'module', 'function', 'object'
    key: str   # identity within the fork's process
    name: str  # qualified name, for messages and str(m)


@dataclass(frozen=True)
class Poison:
    """A variable whose value could not be read; using it is Unsupported."""

    why: str


BIN: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Div: operator.truediv,
    ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod, ast.Pow: operator.pow,
    ast.BitAnd: operator.and_, ast.BitOr: operator.or_, ast.LShift: operator.lshift, ast.RShift: operator.rshift}
CMP: dict[type, Callable[[Any, Any], bool]] = {
    ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
    ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
    ast.Is: lambda a, b: a is b or (type(a) is type(b) and a == b), ast.IsNot: lambda a, b: not (a is b or (
        type(a) is type(b) and a == b))}
UNARY: dict[type, Callable[[Any], Any]] = {ast.USub: operator.neg, ast.UAdd: operator.pos, ast.Not: operator.not_,
                                           ast.Invert: operator.invert}
TYPES = {"int": int, "float": float, "str": str, "list": list, "tuple": tuple, "dict": dict, "bool": bool,
          "set": set}


def make_divisible(x: float, divisor: float) -> Any:
    """YOLOv5's utils.general.make_divisible."""
    return math.ceil(x / divisor) * divisor


def _isinstance(v: Any, t: Any) -> bool:
    types = t if isinstance(t, (tuple, list)) else (t,)
    real = tuple(TYPES[x.key] for x in types if isinstance(x, Ref) and x.kind == "builtin" and x.key in TYPES)
    return isinstance(v, real)


def _str(v: Any) -> str:
    return f"<class '{v.name}'>" if isinstance(v, Ref) else str(v)


BUILTINS: dict[str, Callable] = {
    "len": len, "max": max, "min": min, "sum": sum, "int": int, "float": float, "round": round, "abs": abs,
    "list": list, "tuple": tuple, "set": set, "sorted": sorted, "range": range, "enumerate": enumerate,
    "zip": zip, "bool": bool, "any": any, "all": all, "str": _str, "dict": dict, "isinstance": _isinstance,
    "print": lambda *a, **k: None, "reversed": reversed}
MATH: dict[str, Callable[..., Any]] = {"ceil": math.ceil, "floor": math.floor, "sqrt": math.sqrt, "log": math.log, "log2": math.log2,
        "pow": math.pow}
LIST_METHODS = {"append", "insert", "extend", "pop", "remove", "index", "count", "copy", "reverse"}
DICT_METHODS = {"get", "keys", "values", "items"}
LOG_METHODS = {"info", "warning", "warn", "debug", "error", "critical"}
FORK_FUNCTIONS = {"make_divisible": make_divisible}




class Flow(Exception):
    """continue or break inside a loop of parse_model."""

    def __init__(self, kind: str):
        self.kind = kind
