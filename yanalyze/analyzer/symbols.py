"""Resolve YAML arg strings as data: an allow-list of symbols and plain arithmetic, never eval.

YOLOv5 calls eval() on every string arg and keeps the string when eval raises NameError
(that is how 'nearest' survives). We reproduce the outcome with an ast walk that only
knows numbers, the allowed names and + - * / // % **; anything that calls, indexes or
reaches an attribute is rejected as code, but for a whitelist of torch activation
constructors with literal arguments (`nn.LeakyReLU(0.1)`), which YOLOv5 builds as modules.
"""
from __future__ import annotations

import ast
import operator
from dataclasses import replace
from typing import Any, Callable, Mapping, Optional

from . import pyast
from .errors import ConfigError, short, short_text
from .limits import MAX_MAGNITUDE
from .symbolic import ACTS, Act

_BINOPS: dict[type, Callable[[Any, Any], Any]] = {
    ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul,
    ast.Div: operator.truediv, ast.FloorDiv: operator.floordiv, ast.Mod: operator.mod,
    ast.Pow: operator.pow,
}
_UNARY: dict[type, Callable[[Any], Any]] = {ast.UAdd: operator.pos, ast.USub: operator.neg}
_CONSTANTS = {"None": None, "True": True, "False": False}
_MAX_POW = 64
_MAX_EXPR = 1_000  # characters of one arg expression


class _Unknown(Exception):
    """A bare name outside the allow-list: YOLOv5 would keep the string (NameError)."""


def _walk(node: ast.AST, names: Mapping[str, Any]) -> Any:
    if isinstance(node, ast.Constant) and isinstance(node.value, (int, float, str, bool, type(None))):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in _CONSTANTS:
            return _CONSTANTS[node.id]
        if node.id in names:
            return names[node.id]
        raise _Unknown(node.id)
    if isinstance(node, ast.BinOp) and type(node.op) in _BINOPS:
        left, right = _walk(node.left, names), _walk(node.right, names)
        if not all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (left, right)):
            raise TypeError("arithmetic on a non-number")
        if isinstance(node.op, ast.Pow) and abs(right) > _MAX_POW:
            raise TypeError("exponent too large")
        result = _BINOPS[type(node.op)](left, right)
        if isinstance(result, int) and abs(result) > MAX_MAGNITUDE:
            raise OverflowError("a number beyond any model's")
        return result
    if isinstance(node, ast.UnaryOp) and type(node.op) in _UNARY:
        value = _walk(node.operand, names)
        if not isinstance(value, (int, float)):
            raise TypeError("sign on a non-number")
        return _UNARY[type(node.op)](value)
    if isinstance(node, (ast.List, ast.Tuple)):
        return [_walk(e, names) for e in node.elts]
    raise ValueError(type(node).__name__)


def _has_code(tree: ast.AST) -> bool:
    """True when the expression calls, subscripts, reaches attributes or defines anything."""
    code_nodes = (ast.Call, ast.Attribute, ast.Subscript, ast.Lambda, ast.NamedExpr,
                  ast.ListComp, ast.DictComp, ast.SetComp, ast.GeneratorExp, ast.Await,
                  ast.Yield, ast.YieldFrom, ast.Starred, ast.JoinedStr, ast.Dict, ast.Set)
    return any(isinstance(n, code_nodes) for n in ast.walk(tree))


def _constructor(tree: ast.Expression, text: str) -> Optional[Act]:
    """`nn.LeakyReLU(0.1)`, `torch.nn.SiLU()`, `nn.ReLU(inplace=True)`: an activation of the
    whitelist built from literal arguments only (as YOLOv5's eval would build it), else None."""
    call = tree.body
    if not isinstance(call, ast.Call) or not isinstance(call.func, ast.Attribute):
        return None
    owner = ast.unparse(call.func.value)
    if owner not in ("nn", "torch.nn") or call.func.attr not in ACTS:
        return None
    try:
        for a in [*call.args, *(k.value for k in call.keywords)]:
            ast.literal_eval(a)
    except ValueError:
        return None
    return replace(ACTS[call.func.attr], text=text)


def resolve(value: Any, names: Mapping[str, Any]) -> Any:
    """Resolve one YAML arg: strings become symbols or arithmetic results; lists recurse."""
    if isinstance(value, list):
        return [resolve(v, names) for v in value]
    if not isinstance(value, str):
        return value
    text = value.strip()
    if len(text) > _MAX_EXPR:
        raise ConfigError(f"argument of {len(text):,} characters is not a value a model takes", code="parse/arith")
    try:
        tree = pyast.parse(text, mode="eval")
    except (SyntaxError, ValueError):
        return value  # not an expression at all: a plain string such as 'nearest-exact mode'
    except (MemoryError, RecursionError):
        raise ConfigError(f"argument {short(value)} nests too deeply", code="parse/arith") from None
    act = _constructor(tree, text)
    if act is not None:
        return act
    if _has_code(tree):
        raise ConfigError(f"argument {value!r} looks like code; args may hold only numbers, "
                          f"strings and the symbols {', '.join(sorted(names))}, None, True, False",
                          code="parse/code")
    try:
        return _walk(tree.body, names)
    except _Unknown:
        return value  # YOLOv5 keeps strings whose names it cannot resolve ('nearest')
    except (TypeError, ValueError, ZeroDivisionError, OverflowError, RecursionError) as exc:
        raise ConfigError(f"argument {short(value)} is not simple arithmetic ({short_text(str(exc), 60)})",
                          code="parse/arith") from None
