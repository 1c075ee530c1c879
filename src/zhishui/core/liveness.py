"""Which process is doing a long job, and whether it still exists.

A job row names its process (``identity``: host, pid and the process's start time, so a pid the kernel has
reused for another process does not pass for it). A job whose process has gone — killed with SIGKILL, out of
memory, the machine restarted — can then be told apart from one still running and closed, instead of
blocking its period for ever."""

from __future__ import annotations

import os
import socket
from pathlib import Path


def _started(pid: int) -> str | None:
    """The process's start time in clock ticks since boot (field 22 of /proc/PID/stat), None if it is gone."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat.rsplit(")", 1)[1].split()[19]  # the fields after the command name, which may hold spaces


def identity(pid: int | None = None) -> str:
    pid = pid or os.getpid()
    return f"{socket.gethostname()}:{pid}:{_started(pid) or ''}"


def gone(ident: str) -> bool | None:
    """True if the process ``ident`` names ran on this host and no longer exists; False if it still runs;
    None when that cannot be known here (another host, no /proc)."""
    try:
        host, pid_text, started = ident.rsplit(":", 2)
        pid = int(pid_text)
    except ValueError:
        return None
    if host != socket.gethostname() or not started or not Path("/proc/self/stat").exists():
        return None
    return _started(pid) != started
