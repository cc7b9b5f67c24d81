"""Planning studies built on the scenario format: library code that returns results."""
