"""``zhishui serve`` runs gunicorn and the background-job worker side by side and stops them together."""

from __future__ import annotations

import os
import signal
import sys
import threading

from zhishui.core.management.commands import serve

# Stand-ins for gunicorn and `zhishui worker`: processes that sleep until they end or are told to stop.
SERVER_EXITS = [sys.executable, "-c", "import time; time.sleep(0.5)"]
SERVER_RUNS = [sys.executable, "-c", "import time; time.sleep(60)"]
WORKER = [sys.executable, "-c", "import time; time.sleep(60)"]


def _supervise(monkeypatch, server_argv):
    started = []
    real_start = serve._start

    def start(argv):
        started.append(real_start(argv))
        return started[-1]

    monkeypatch.setattr(serve, "_start", start)
    code = serve.Command().supervise(server_argv, WORKER)
    return code, started


def test_the_job_worker_stops_when_the_server_ends(monkeypatch):
    code, (_server, worker) = _supervise(monkeypatch, SERVER_EXITS)
    assert code == 0 and worker.returncode == -signal.SIGTERM


def test_sigterm_stops_the_server_and_the_job_worker(monkeypatch):
    previous = signal.getsignal(signal.SIGTERM)
    timer = threading.Timer(1.0, os.kill, (os.getpid(), signal.SIGTERM))
    timer.start()
    code, (_server, worker) = _supervise(monkeypatch, SERVER_RUNS)
    timer.join()
    assert code == -signal.SIGTERM and worker.returncode == -signal.SIGTERM
    assert signal.getsignal(signal.SIGTERM) is previous  # the supervisor's handler is gone again


def test_serve_starts_no_job_worker_when_turned_off(monkeypatch, settings):
    monkeypatch.setenv("ZHISHUI_SERVE_WORKER", "0")
    assert not serve.worker_wanted()
    monkeypatch.setenv("ZHISHUI_SERVE_WORKER", "1")
    assert serve.worker_wanted() and not serve.worker_wanted(no_worker=True)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    assert not serve.worker_wanted()  # jobs run in the request: nothing for a worker to do
