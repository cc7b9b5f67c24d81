"""Guarding what ccsim reads and writes on disk.

A scenario's ``name`` and the ``-o`` option are user input, and several ccsim processes may
aim at the same folder at once; these modules make the file system side of a command safe
before any simulation starts, and keep it safe while outputs are swapped in:

- :mod:`sim.io.names` — a folder name from any scenario name that can never leave
  ``outputs/``, and text safe to echo to a terminal;
- :mod:`sim.io.lock` — one writer per output target (an advisory ``flock``);
- :mod:`sim.io.layout` — which files ccsim writes into a run, sweep or compare folder, and
  which are somebody else's;
- :mod:`sim.io.guard` — every output-path problem found up front, before any simulation;
- :mod:`sim.io.swap` — a complete staging folder swapped in, foreign files kept;
- :mod:`sim.io.stale` — debris of killed processes (staging, previous and temporary folders,
  lock files) removed, or a cut-short swap undone, once their process is gone;
- :mod:`sim.io.reading` — bounded reads of regular files only, and when a file's contents
  may be quoted in an error;
- :mod:`sim.io.workers` — worker processes that die with their parent;
- :mod:`sim.io.pids` — whether a process is alive.

Functions here raise or return; they never print or exit. The command line decides what to
say and which exit code to use.
"""
