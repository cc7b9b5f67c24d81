"""Fitting a scenario to a contact log: the library behind ``ccsim fit LOG -o fitted.yaml``.

Entry points: :func:`fit_log` (a CSV or Parquet file) and :func:`fit_frame` (a table in
memory) return a :class:`FitResult`; :func:`log_from_trace` turns a ccsim ``--trace`` into a
log, for round trips. Nothing here prints, exits or plots.
"""

from sim.studies.fit.estimate import Estimate, Unfitted
from sim.studies.fit.fit import FitResult, fit_contacts, fit_frame, fit_log
from sim.studies.fit.log import BadReason, BadRows, ContactLog, LogError, clean_log, read_log
from sim.studies.fit.scenario import fitted_scenario, fitted_yaml
from sim.studies.fit.tracelog import log_from_trace

__all__ = [
    "BadReason",
    "BadRows",
    "ContactLog",
    "Estimate",
    "FitResult",
    "LogError",
    "Unfitted",
    "clean_log",
    "fit_contacts",
    "fit_frame",
    "fit_log",
    "fitted_scenario",
    "fitted_yaml",
    "log_from_trace",
    "read_log",
]
