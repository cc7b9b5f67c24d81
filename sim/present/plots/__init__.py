"""Plots of runs, sweeps and comparisons, drawn from their saved outputs."""
