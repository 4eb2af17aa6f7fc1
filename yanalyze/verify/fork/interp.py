"""A small evaluator for what YOLOv5 forks write in parse_model: assignments, if/elif chains
over set membership, list edits, comprehensions, make_divisible and arithmetic. It runs on
the source's ast with names the fork's namespace resolves to references, so the fork's own
channel rules are followed exactly without running its code. Anything else raises
Unsupported (the rule is then an assumption, and said to be one), never a guess.
"""
from __future__ import annotations

import ast
from typing import Optional

from .expressions import Expressions
from .values import Flow, Poison, PyError, Ref, Unsupported

__all__ = ["Interp", "Poison", "PyError", "Ref", "Unsupported"]


class Interp(Expressions):
    """Executes statements (and, through Expressions, expressions) of parse_model."""

    # -- statements
    def run(self, stmts: list[ast.stmt]) -> None:
        for s in stmts:
            self.stmt(s)

    def stmt(self, s: ast.stmt) -> None:
        if isinstance(s, ast.Assign):
            v = self.expr(s.value)
            for t in s.targets:
                self.assign(t, v)
        elif isinstance(s, ast.AugAssign):
            t = s.target
            if isinstance(t, ast.Name):
                cur = self.expr(ast.Name(t.id, ast.Load()))
            elif isinstance(t, ast.Subscript):
                cur = self.expr(ast.Subscript(t.value, t.slice, ast.Load()))
            else:
                self.fail(s, "augmented assignment to an attribute")
            self.assign(t, self.binop(s.op, cur, self.expr(s.value), s))
        elif isinstance(s, ast.AnnAssign):
            if s.value is not None:
                self.assign(s.target, self.expr(s.value))
        elif isinstance(s, ast.Expr):
            self.expr(s.value)
        elif isinstance(s, ast.If):
            self.run(s.body if self.truth(self.expr(s.test)) else s.orelse)
        elif isinstance(s, ast.For):
            self.loop(s)
        elif isinstance(s, ast.Try):
            self.attempt(s)
        elif isinstance(s, ast.With):
            self.with_(s)
        elif isinstance(s, ast.Delete):
            for t in s.targets:
                if not isinstance(t, ast.Subscript):
                    self.fail(s, "del of a name")
                else:
                    obj, key = self.expr(t.value), self.index(t.slice)
                    self._guard(lambda: obj.__delitem__(key), "IndexError")
        elif isinstance(s, ast.Assert):
            if not self.truth(self.expr(s.test)):
                raise PyError("AssertionError")
        elif isinstance(s, ast.Raise):
            raise PyError(ast.unparse(s.exc).split("(")[0] if s.exc else "RuntimeError")
        elif isinstance(s, (ast.Continue, ast.Break)):
            raise Flow("continue" if isinstance(s, ast.Continue) else "break")
        elif not isinstance(s, (ast.Pass, ast.Global, ast.Nonlocal)):
            self.fail(s, f"{type(s).__name__.lower()} statement")

    def loop(self, s: ast.For) -> None:
        items = list(self.expr(s.iter))
        if len(items) > 10_000:
            self.fail(s, "a loop over more than 10000 items")
        for item in items:
            self.assign(s.target, item)
            try:
                self.run(s.body)
            except Flow as f:
                if f.kind == "break":
                    return
        else:
            self.run(s.orelse)

    def attempt(self, s: ast.Try) -> None:
        try:
            try:
                self.run(s.body)
            except PyError as e:
                for h in s.handlers:
                    if self.catches(h.type, e):
                        if h.name:
                            self.scope[h.name] = Poison("an exception object")
                        self.run(h.body)
                        break
                else:
                    raise
            else:
                self.run(s.orelse)
        finally:
            self.run(s.finalbody)

    def catches(self, node: Optional[ast.expr], e: PyError) -> bool:
        if node is None:
            return True
        names = [ast.unparse(x) for x in (node.elts if isinstance(node, ast.Tuple) else [node])]
        return any(n.split(".")[-1] in (e.name, "Exception", "BaseException") for n in names)

    def with_(self, s: ast.With) -> None:
        suppressed: list[ast.expr] = []
        for item in s.items:
            c = item.context_expr
            if isinstance(c, ast.Call) and ast.unparse(c.func).split(".")[-1] == "suppress":
                suppressed += c.args
            else:
                self.fail(s, f"with {ast.unparse(c)}")
        try:
            self.run(s.body)
        except PyError as e:
            if not any(self.catches(x, e) for x in suppressed):
                raise

