"""--allow-unknown that gets through: what an unknown layer's output probably is.

An unknown module counts nothing, but the layers after it need its output's channels and
size. For each unknown layer, in order, candidate guesses are tried until the layers up to
the next unknown one analyse without a shape error: the output channels are the first
argument width-scaled (most custom blocks are conv-like), the input's, or the inputs' sum;
the size is the input's, or 2x or 4x smaller or larger (a later Concat decides). Every
guess is an assumption the diagnostics list.
"""
from __future__ import annotations

from dataclasses import replace
from fractions import Fraction
from typing import Callable, Optional, Sequence

from .channels import make_divisible
from .engine import run_pass
from .errors import ConfigError
from .guess import Guess
from .load import ParsedModel
from . import modules

PROBE = (256, 256)
SCALES = (Fraction(1), Fraction(1, 2), Fraction(2), Fraction(1, 4), Fraction(4))


def _channels(name: str, args: list, chans: Sequence[int], gw: float,
              divisor: int) -> list[tuple[Optional[int], str]]:
    out: list[tuple[Optional[int], str]] = []
    first = args[0] if args else None
    if isinstance(first, int) and not isinstance(first, bool) and first >= 8:
        out.append((make_divisible(first * gw, divisor), "its first argument, width-scaled"))
    joined = (sum(chans), "the sum of its inputs, as its name says it concatenates")
    if len(chans) > 1 and "cat" in name.lower():
        out.append(joined)
    out.append((None, "as its input"))
    if len(chans) > 1 and joined not in out:
        out.append((sum(chans), "the sum of its inputs"))
    return out


def _scale_text(scale: Fraction) -> str:
    if scale == 1:
        return "the size of its input"
    return f"{int(1 / scale)}x smaller than its input" if scale < 1 else f"{int(scale)}x larger than its input"


def candidates(name: str, args: list, chans: Sequence[int], gw: float, divisor: int) -> list[Guess]:
    """Guesses in order of preference: same size first, conv-like channels first."""
    return [Guess(c2=c, scale=s, why_c=why, why_s=_scale_text(s))
            for s in SCALES for c, why in _channels(name, args, chans, gw, divisor)]


def _runs_until(model: ParsedModel, stop: int) -> bool:
    """Whether every layer before `stop` analyses without a shape error."""
    try:
        run_pass(model.specs, model.settings, PROBE, False, model.path)
    except ConfigError as exc:
        return exc.layer is not None and exc.layer >= stop
    return True


def infer(model: ParsedModel, reparse: Callable[[dict], ParsedModel]) -> tuple[ParsedModel, dict[int, Guess]]:
    """The model with a guess for every unknown layer, and the guesses (layer -> Guess).

    reparse(guesses) resolves the config again with them (channel counts flow onwards)."""
    unknown = [spec.index for spec in model.specs if spec.mdef.origin == "unknown"]
    demoted = {k: g.demoted for k, g in model.settings.guesses.items() if g.demoted}
    for spec in model.specs:  # a built-in name whose arguments fit none of its definitions
        if spec.mdef.origin == "unknown" and spec.index not in demoted and modules.lookup(spec.module) is not None:
            demoted[spec.index] = f"its arguments {spec.args} fit none of its built-in definitions"
    guesses: dict[int, Guess] = {k: Guess(demoted=why) for k, why in demoted.items()}
    for k, u in enumerate(unknown):
        stop = unknown[k + 1] if k + 1 < len(unknown) else len(model.specs)
        spec = model.specs[u]
        chans = [model.specs[j].c2 for j in spec.inputs] or [model.settings.ch]
        options = [replace(g, demoted=demoted.get(u))
                   for g in candidates(spec.module, spec.args, chans, model.settings.gw, model.settings.divisor)]
        chosen = options[0]
        for g in options:
            try:
                trial = reparse({**guesses, u: g})
            except ConfigError:
                continue
            if _runs_until(trial, stop):
                chosen = g
                break
        guesses[u] = chosen
        model = reparse(guesses)
    return model, guesses


def settle(model: ParsedModel, reparse: Callable[[dict], ParsedModel],
           size: tuple[int, int] = PROBE) -> ParsedModel:
    """infer(), and where a known layer after the unknown ones still fails (its inputs rest on
    guesses that no single choice satisfies), carry it on as unknown too, with the reason, so
    --allow-unknown gives a partial report instead of refusing (each such layer is stated, with
    the shape error at the image size, rounded up to a multiple of 64)."""
    size = (-(-size[0] // 64) * 64, -(-size[1] // 64) * 64)
    first = min(spec.index for spec in model.specs if spec.mdef.origin == "unknown")
    demoted: dict[int, Guess] = {}
    for _ in range(len(model.specs)):
        settled, _ = infer(model, reparse)
        try:
            run_pass(settled.specs, settled.settings, size, False, settled.path)
            return settled
        except ConfigError as exc:
            if exc.layer is None or exc.layer <= first or exc.layer in demoted:
                return settled  # not caused by a guess: the analysis reports it
            demoted[exc.layer] = Guess(demoted=f"{exc.message}, where its inputs rest on the guesses for "
                                                 "unknown layers")
            model = reparse(demoted)
    return infer(model, reparse)[0]


def describe(g: Guess) -> str:
    c = f"{g.c2} output channels ({g.why_c})" if g.c2 is not None else "its input's channels"
    return f"assumed {c} and {g.why_s}"
