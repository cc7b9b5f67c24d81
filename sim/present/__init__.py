"""Presentation: terminal tables and progress, plots and reports. Reads results; never simulates."""
