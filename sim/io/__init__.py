"""The files ccsim writes: run, sweep and compare folders, atomic writes, traces."""
