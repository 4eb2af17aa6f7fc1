"""What a rewrite rule is: one entry per equivalence rewrite, and a plan per layer it speaks about."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Optional

from ..config import Row
from ..layers import LayerSpec


@dataclass(frozen=True)
class Plan:
    """What a rule says about one row, before its numbers are known: equivalent or not, why,
    and the YAML args of the rewritten row when it can be written."""

    kind: str
    layer: int
    equivalent: bool
    exactness: str  # "bit-exact", "reassociation" or "not-equivalent"
    module: str
    yaml_args: Optional[list]
    mapping: str
    reason: str
    counterexample: Optional[str] = None

    @property
    def applicable(self) -> bool:
        return self.equivalent and self.yaml_args is not None


@dataclass(frozen=True)
class RewriteRule:
    """One equivalence rewrite.

    kind: its id; title: 'Focus -> Conv'; sources: the module names it looks at (none for a
    model-wide rule); target: the module it produces; plan(row, spec): detection, verdict and
    the YAML row it writes (None for a rule that is not a YAML edit); proof: the torch side
    ('module:OBJECT' in yanalyze.verify.proofs) that proves it, builds both forms for timing
    and maps weights; applied: how the parsed model shows it applied, for rules that are not
    YAML edits.
    """

    kind: str
    title: str
    sources: tuple[str, ...]
    target: str
    plan: Optional[Callable[[Row, LayerSpec], Plan]]
    proof: str
    applied: str = ""


def pair(v: Any) -> tuple[Any, Any]:
    """An int or a pair, as a pair."""
    return (v[0], v[1]) if isinstance(v, (list, tuple)) else (v, v)


def same(v: tuple[Any, Any]) -> Any:
    """A pair written back as one value when both are equal."""
    return v[0] if v[0] == v[1] else list(v)


def given(args: list, defaults: list) -> list:
    """The constructor args after c1, c2 with defaults filled in."""
    return (list(args) + defaults[len(args):])[:len(defaults)]
