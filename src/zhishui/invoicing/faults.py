"""Fault points for the crash tests — test-only, no effect unless ``ZHISHUI_FAULT_POINT`` is set.

The issuing transaction calls ``point("after_lock")``, ``point("after_insert")``,
``point("before_commit")`` and ``point("after_commit")``. When the environment variable
``ZHISHUI_FAULT_POINT`` names the point (optionally ``name@N``: the N-th time it is reached), the
process kills itself with SIGKILL there — no clean-up, no exception handlers, no flush — exactly
like a power cut of that process. Unset (the default, and in production) the call is a dictionary
lookup and nothing else.
"""

from __future__ import annotations

import os
import signal

POINTS = ("after_lock", "after_insert", "before_commit", "after_commit")
_hits: dict[str, int] = {}


def point(name: str) -> None:
    wanted = os.environ.get("ZHISHUI_FAULT_POINT")
    if not wanted:
        return
    target, _sep, nth = wanted.partition("@")
    if target != name:
        return
    _hits[name] = _hits.get(name, 0) + 1
    if _hits[name] >= int(nth or 1):
        os.kill(os.getpid(), signal.SIGKILL)
