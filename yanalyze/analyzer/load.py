"""The one path from a file (or mapping) to a parsed model: read, safe YAML, pick the
variant sections, apply YOLOv5's parse rules and resolve every row's channels.

analyze, diff, check, rewrite and verify all start here.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Mapping, Optional, Union

from . import config as config_mod
from . import extensions
from .config import Config
from .guess import Guess
from .layers import LayerSpec, Settings, resolve_rows, settings

Source = Union[str, os.PathLike, Mapping]


@dataclass(frozen=True)
class ModelOptions:
    """What every command that reads a config takes, with the same meaning everywhere (the
    image size aside, which a command may take once or several times)."""

    nc: Optional[int] = None
    variant: Optional[str] = None
    allow_unknown: bool = False
    batch: int = 1
    dtype: str = "fp32"
    definitions: tuple[tuple[str, str], ...] = ()  # (module name, definition) chosen on the command line
    gflops_as: Optional[str] = None  # 'current' YOLOv5, 'v7.0', None: as the fork prints (--repo) or current
    repo: Optional[str] = None  # a YOLOv5 fork whose own code defines the modules (--repo; the CLI starts it)
    device: Optional[str] = None  # --device: a datasheet name or a calibrated profile's path (latency, advice)


@dataclass(frozen=True)
class ParsedModel:
    """A config with its settings and its resolved layers, ready to analyse or to build."""

    config: Config
    settings: Settings
    specs: list[LayerSpec]
    variant: Optional[str] = None
    allow_unknown: bool = False
    definitions: Mapping[str, str] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.config.name

    @property
    def path(self) -> Optional[str]:
        return self.config.path


def load_options(source: Source, options: ModelOptions) -> ParsedModel:
    """load_model() with the shared command options."""
    return load_model(source, options.nc, options.variant, options.allow_unknown, dict(options.definitions))


def load_model(source: Source, nc: Optional[int] = None, variant: Optional[str] = None,
               allow_unknown: bool = False, definitions: Mapping[str, str] = {}) -> ParsedModel:
    """Read and parse a model config (path or mapping); bad input raises ConfigError.

    definitions: module name -> the named definition to use where a name has several."""
    return parse(config_mod.load(source, variant), nc, variant, allow_unknown, definitions)


def parse(cfg: Config, nc: Optional[int] = None, variant: Optional[str] = None,
          allow_unknown: bool = False, definitions: Mapping[str, str] = {},
          guesses: Mapping[int, Guess] = {}) -> ParsedModel:
    """YOLOv5's parse rules on a loaded config (guesses: assumed outputs of unknown layers)."""
    extensions.prepare(cfg)
    s = settings(cfg, nc, definitions, guesses)
    return ParsedModel(config=cfg, settings=s, specs=resolve_rows(cfg, s, allow_unknown), variant=variant,
                       allow_unknown=allow_unknown, definitions=dict(definitions))
