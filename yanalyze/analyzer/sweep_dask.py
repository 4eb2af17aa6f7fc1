"""A sweep mapped over a Dask cluster (`--executor dask`): chunks of combinations per task.

Each task gets the loaded config and the options (plain data, pickled once and shared), builds
a Sweeper once per worker process (kept for the next chunks of the same sweep) and evaluates
its chunk with the same memoised path as a local sweep; results are gathered in order, so the
points are exactly the local ones. Imported only when the executor is asked for.
"""
from __future__ import annotations

import hashlib
import pickle
from typing import Optional, Sequence

from . import diagnostics as D
from .config import Config
from .devices import Device
from .load import ModelOptions
from .sweep import Combo, Point, Sweeper, evaluate

CHUNK = 1000  # combinations per task: a second or less of work, few enough tasks for the scheduler
_KEEP = 4  # sweepers a worker keeps (one per config and options it was sent)
_SWEEPERS: dict[str, Sweeper] = {}


def evaluate_chunk(key: str, cfg: Config, options: ModelOptions, combos: Sequence[Combo],
                   device: Optional[Device] = None) -> list[Point]:
    """One task: a chunk of combinations on this worker's sweeper for (cfg, options); device: the
    profile itself (sent, so a worker needs no copy of the file)."""
    sweeper = _SWEEPERS.get(key)
    if sweeper is None:
        if len(_SWEEPERS) >= _KEEP:
            _SWEEPERS.pop(next(iter(_SWEEPERS)))
        sweeper = _SWEEPERS[key] = Sweeper(cfg, options, device)
    return evaluate(sweeper, combos)


def run(cfg: Config, options: ModelOptions, combos: Sequence[Combo], scheduler: Optional[str] = None,
        chunk: int = CHUNK, device: Optional[Device] = None) -> list[Point]:
    """The points of every combination, in order, evaluated on the cluster at `scheduler`
    (host:port) or on a local cluster of two single-threaded worker processes."""
    try:
        from dask.distributed import Client, LocalCluster
    except ImportError:
        raise D.USAGE.error(detail="--executor dask needs dask.distributed: pip install 'yanalyze[dask]'") from None
    key = hashlib.sha256(pickle.dumps((cfg.data, cfg.path, options, device))).hexdigest()
    chunks = [list(combos[i:i + chunk]) for i in range(0, len(combos), chunk)]
    cluster = None if scheduler else LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                                  dashboard_address=None)
    try:
        with Client(scheduler or cluster) as client:
            shared = client.scatter([cfg, options, device], broadcast=True)
            futures = [client.submit(evaluate_chunk, key, shared[0], shared[1], c, shared[2], pure=False)
                       for c in chunks]
            done = client.gather(futures)
    finally:
        if cluster is not None:
            cluster.close()
    return [p for part in done for p in part]
