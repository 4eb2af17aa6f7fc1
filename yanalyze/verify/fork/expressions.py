"""The expressions of parse_model, evaluated on a scope of local values; other names come from
the fork's namespace (looked up in the fork's process) and then the allowed builtins."""
from __future__ import annotations

import ast
from typing import Any, Callable, Optional

from ...analyzer import pyast
from .values import (BIN, BUILTINS, CMP, DICT_METHODS, FORK_FUNCTIONS, LIST_METHODS, LOG_METHODS, MATH, TYPES,
                     UNARY, Poison, PyError, Ref, Unsupported)


class Expressions:
    """Evaluates expressions and binds values to assignment targets."""

    def __init__(self, scope: dict, resolve: Callable[[str], Optional[Any]]):
        self.scope, self.resolve = scope, resolve

    def assign(self, t: ast.expr, v: Any) -> None:
        if isinstance(t, ast.Name):
            self.scope[t.id] = v
        elif isinstance(t, (ast.Tuple, ast.List)):
            vs = list(self.value(v, t))
            star = [k for k, e in enumerate(t.elts) if isinstance(e, ast.Starred)]
            if star:
                k, tail = star[0], len(t.elts) - star[0] - 1
                vs = vs[:k] + [vs[k:len(vs) - tail]] + vs[len(vs) - tail:]
            if len(vs) != len(t.elts):
                raise PyError("ValueError", "unpacking")
            for e, x in zip(t.elts, vs):
                self.assign(e.value if isinstance(e, ast.Starred) else e, x)
        elif isinstance(t, ast.Subscript):
            obj = self.expr(t.value)
            if not isinstance(obj, (list, dict)):
                self.fail(t, f"item assignment on {type(obj).__name__}")
            key = self.index(t.slice)
            self._guard(lambda: obj.__setitem__(key, v), "IndexError")
        elif isinstance(t, ast.Attribute) and isinstance(self.expr(t.value), Ref):
            pass  # a class attribute of the fork (Conv.default_act): no channel effect; source.py reads it
        else:
            self.fail(t, f"assignment to {ast.unparse(t)}")

    # -- expressions
    def expr(self, e: ast.expr) -> Any:
        return self.value(self._expr(e), e)

    def value(self, v: Any, e: ast.AST) -> Any:
        if isinstance(v, Poison):
            self.fail(e, v.why)
        return v

    def _expr(self, e: ast.expr) -> Any:
        if isinstance(e, ast.Constant):
            return e.value
        if isinstance(e, ast.Name):
            return self.name(e)
        if isinstance(e, ast.Attribute):
            return self.attribute(e)
        if isinstance(e, (ast.List, ast.Tuple, ast.Set)):
            items = []
            for x in e.elts:
                items += list(self.expr(x.value)) if isinstance(x, ast.Starred) else [self.expr(x)]
            return {ast.List: list, ast.Tuple: tuple, ast.Set: set}[type(e)](items)
        if isinstance(e, ast.Dict):
            return {self.expr(k): self.expr(v) for k, v in zip(e.keys, e.values) if k is not None}
        if isinstance(e, ast.BinOp):
            return self.binop(e.op, self.expr(e.left), self.expr(e.right), e)
        if isinstance(e, ast.UnaryOp):
            v = self.expr(e.operand)
            unary = UNARY[type(e.op)]
            return self._guard(lambda: unary(v), "TypeError")
        if isinstance(e, ast.BoolOp):
            return self.boolop(e)
        if isinstance(e, ast.Compare):
            left = self.expr(e.left)
            for op, right_node in zip(e.ops, e.comparators):
                right = self.expr(right_node)
                if not self._guard(lambda: CMP[type(op)](left, right), "TypeError"):
                    return False
                left = right
            return True
        if isinstance(e, ast.IfExp):
            return self.expr(e.body) if self.truth(self.expr(e.test)) else self.expr(e.orelse)
        if isinstance(e, ast.Subscript):
            obj, key = self.expr(e.value), self.index(e.slice)
            if isinstance(obj, Ref):
                self.fail(e, f"indexing {obj.name}")
            return self._guard(lambda: obj[key], "IndexError" if isinstance(obj, (list, tuple)) else "KeyError")
        if isinstance(e, (ast.ListComp, ast.SetComp, ast.GeneratorExp, ast.DictComp)):
            return self.comprehension(e)
        if isinstance(e, ast.Call):
            return self.call(e)
        if isinstance(e, ast.JoinedStr):
            return ""  # f-strings only feed the log line
        self.fail(e, f"{type(e).__name__} expression")

    def name(self, e: ast.Name) -> Any:
        if e.id in self.scope:
            return self.scope[e.id]
        found = self.resolve(e.id)
        if found is not None:
            return found
        if e.id in BUILTINS or e.id in TYPES or e.id == "eval":
            return Ref("builtin", e.id, e.id)
        raise PyError("NameError", e.id)

    def attribute(self, e: ast.Attribute) -> Any:
        dotted = ast.unparse(e)
        base = e.value
        while isinstance(base, ast.Attribute):
            base = base.value
        if isinstance(base, ast.Name) and base.id not in self.scope:
            if e.attr in LOG_METHODS:
                return Ref("log", e.attr, dotted)
            found = self.resolve(dotted)
            if found is not None:
                return found
            if base.id == "math" and e.attr in MATH:
                return Ref("math", e.attr, dotted)
        obj = self.expr(e.value)
        if isinstance(obj, Ref) and e.attr == "__name__":
            return obj.name.rsplit(".", 1)[-1]
        if isinstance(obj, list) and e.attr in LIST_METHODS or isinstance(obj, dict) and e.attr in DICT_METHODS:
            return ("method", obj, e.attr)
        if isinstance(obj, Ref) and e.attr in LOG_METHODS:
            return Ref("log", e.attr, dotted)
        self.fail(e, f"attribute {dotted}")

    def index(self, s: ast.expr) -> Any:
        if isinstance(s, ast.Slice):
            return slice(*(None if x is None else self.expr(x) for x in (s.lower, s.upper, s.step)))
        return self.expr(s)

    def binop(self, op: ast.operator, a: Any, b: Any, e: ast.AST) -> Any:
        if type(op) not in BIN:
            self.fail(e, f"operator {type(op).__name__}")
        if isinstance(op, ast.Pow) and isinstance(b, (int, float)) and abs(b) > 64:
            self.fail(e, "a huge power")
        if isinstance(op, ast.Mult) and isinstance(a, (list, str)) and isinstance(b, int) and b > 10_000:
            self.fail(e, "a huge list")
        return self._guard(lambda: BIN[type(op)](a, b), "TypeError")

    def boolop(self, e: ast.BoolOp) -> Any:
        v: Any = None
        for x in e.values:
            v = self.expr(x)
            if self.truth(v) == isinstance(e.op, ast.Or):
                return v
        return v

    def truth(self, v: Any) -> bool:
        return bool(v) if not isinstance(v, Ref) else True

    def comprehension(self, e: Any) -> Any:
        saved = dict(self.scope)
        out: list = []

        def gen(k: int) -> None:
            if k == len(e.generators):
                out.append((self.expr(e.key), self.expr(e.value)) if isinstance(e, ast.DictComp) else self.expr(e.elt))
                return
            g = e.generators[k]
            for item in list(self.expr(g.iter)):
                self.assign(g.target, item)
                if all(self.truth(self.expr(c)) for c in g.ifs):
                    gen(k + 1)
        try:
            gen(0)
        finally:
            self.scope.clear()
            self.scope.update(saved)
        return {ast.ListComp: list, ast.SetComp: set, ast.GeneratorExp: list, ast.DictComp: dict}[type(e)](out)

    def call(self, e: ast.Call) -> Any:
        f = self.expr(e.func)
        args: list = []
        for a in e.args:
            args += list(self.expr(a.value)) if isinstance(a, ast.Starred) else [self.expr(a)]
        kwargs = {k.arg: self.expr(k.value) for k in e.keywords if k.arg is not None}
        if isinstance(f, tuple) and f[:1] == ("method",):
            method: Callable[..., Any] = getattr(f[1], f[2])
            return self._guard(lambda: method(*args, **kwargs), "IndexError")
        if not isinstance(f, Ref):
            self.fail(e, f"call of {ast.unparse(e.func)}")
        if f.kind == "log":
            return None
        if f.kind == "math":
            fn: Callable[..., Any] = MATH[f.key]
            return self._guard(lambda: fn(*args), "ValueError")
        if f.kind == "builtin" and f.key == "eval":
            return self.eval_string(args[0] if args else None, e)
        if f.kind == "builtin" and f.key in BUILTINS:
            return self._guard(lambda: BUILTINS[f.key](*args, **kwargs), "TypeError")
        if f.kind == "builtin" and f.key in TYPES:
            return self._guard(lambda: TYPES[f.key](*args), "TypeError")
        short = f.name.rsplit(".", 1)[-1]
        if f.kind == "function" and short in FORK_FUNCTIONS:
            return self._guard(lambda: FORK_FUNCTIONS[short](*args, **kwargs), "TypeError")
        self.fail(e, f"call of {ast.unparse(e.func)}()")

    def eval_string(self, s: Any, e: ast.AST) -> Any:
        """YOLOv5's eval() of a YAML string: a name or expression over the same scope."""
        if not isinstance(s, str):
            raise PyError("TypeError", "eval() arg must be a string")
        try:
            tree = pyast.parse(s.strip(), mode="eval")
        except SyntaxError:
            raise PyError("SyntaxError", s) from None
        return self.expr(tree.body)

    def _guard(self, fn: Callable[[], Any], name: str) -> Any:
        try:
            return fn()
        except (Unsupported, PyError):
            raise
        except Exception as exc:  # what Python itself raises on these values, as the fork would see it
            raise PyError(type(exc).__name__ or name, str(exc)) from None

    def fail(self, node: ast.AST, what: str) -> Any:
        raise Unsupported(node, what)
