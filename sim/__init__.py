"""ccsim: a discrete-event simulator of a multichannel contact centre.

A planner describes a centre in a YAML scenario (demand, channels, customer behaviour,
agent pools, a channel policy, costs); :func:`sim.experiment.replication.run_scenario`
simulates it over replications and returns tidy results. For notebooks, :func:`sim.run`,
:func:`sim.sweep` and :func:`sim.compare` (:mod:`sim.api`) return pandas DataFrames.

The package, from the engine outwards: ``scenario`` (the format), ``model`` (the engine:
simulates and counts), ``experiment`` (replications, statistics, tables), ``studies``
(sweeps, comparisons, staffing), ``io`` (the files ccsim writes), ``present`` (terminal,
plots, reports) and ``cli`` (the ``ccsim`` command).
"""

__version__ = "0.1.0"

__all__ = ["__version__", "compare", "run", "sweep"]
_API = ("compare", "run", "sweep")


def __getattr__(name: str) -> object:
    """``sim.run``, ``sim.sweep``, ``sim.compare`` (see :mod:`sim.api`), imported on first
    use so that ``import sim`` stays light (no pandas, numpy or simpy)."""
    if name in _API:
        from sim import api

        return getattr(api, name)
    raise AttributeError(f"module 'sim' has no attribute {name!r}")
