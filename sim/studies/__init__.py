"""Studies built on replications: sweeps, comparisons, staffing, schedules; fitting a
scenario to a contact log and back-testing it against the log.

They return results and never print or exit; the command line presents them.
"""
