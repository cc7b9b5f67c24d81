"""``python -m sim`` is the same as the ``ccsim`` command."""

from sim.cli import entry

if __name__ == "__main__":
    entry()
