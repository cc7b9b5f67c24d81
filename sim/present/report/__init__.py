"""Self-contained HTML reports of runs, sweeps and comparisons."""
