"""Studies built on replications: sweeps, comparisons, staffing.

They return results and never print or exit; the command line presents them.
"""
