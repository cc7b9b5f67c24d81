"""Whether a process is alive, judged conservatively.

ccsim names its temporary folders and lock files after the process that made them; another
process may remove them only once that process is gone. "Gone" must never be a guess: a
process we are not allowed to signal is alive, and so is anything we cannot judge.
"""

from __future__ import annotations

import os
import sys


def pid_alive(pid: int) -> bool:
    """True unless ``pid`` certainly names no process on this host.

    ``os.kill(pid, 0)`` probes without signalling: ``ProcessLookupError`` means no such
    process; ``PermissionError`` means it exists but belongs to someone else (alive). A PID
    too large to exist (``OverflowError``) is dead. PIDs 0 and below name process groups, not
    processes, and are never probed (treated as alive), nor are PIDs on Windows, where signal
    0 is CTRL_C_EVENT. A zombie (exited, not yet reaped) counts as alive; a recycled PID makes
    a dead process look alive — both err on the side of leaving things alone. PIDs from
    another PID namespace (another container sharing the folder) cannot be judged here.
    """
    if pid <= 0 or sys.platform == "win32":
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OverflowError:
        return False
    return True
