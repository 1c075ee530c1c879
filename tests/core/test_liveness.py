"""core.liveness: a job's process named so that its death can be told from a long silence."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys

from zhishui.core import liveness


def test_this_process_is_alive_and_a_killed_one_is_gone():
    me = liveness.identity()
    assert me.startswith(f"{socket.gethostname()}:{os.getpid()}:") and liveness.gone(me) is False
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    ident = liveness.identity(process.pid)
    assert liveness.gone(ident) is False
    process.send_signal(signal.SIGKILL)
    process.wait()
    assert liveness.gone(ident) is True


def test_a_reused_pid_is_not_taken_for_the_process_that_had_it():
    host, pid, started = liveness.identity().rsplit(":", 2)
    assert liveness.gone(f"{host}:{pid}:{int(started) + 1}") is True


def test_another_host_or_a_malformed_name_cannot_be_judged_here():
    assert liveness.gone("some-other-host:1:123") is None
    assert liveness.gone("") is None and liveness.gone("nonsense") is None
