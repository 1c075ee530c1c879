"""``zhishui serve``: the production web server (gunicorn, 2 workers by default), and next to it one
background-job worker (``zhishui worker``) unless ``--no-worker`` or ``ZHISHUI_SERVE_WORKER=0``.

With a worker this process stays as a small supervisor: it runs gunicorn and the worker as child
processes, restarts the worker if it dies, and on SIGINT/SIGTERM (Ctrl+C) stops both — gunicorn at once,
the worker after its running job (a second Ctrl+C, or ``WORKER_GRACE`` seconds, stops the job too).
Without a worker gunicorn replaces this process, as before."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

from django.conf import settings
from django.core.management.base import BaseCommand

from zhishui import config

# Seconds the worker may take to finish its running job when the server stops, before it is told again
# (it then stops the job, which is marked failed) and, after as long again, killed.
WORKER_GRACE = 10


def _die_with_parent() -> None:
    """In the child, before exec: on Linux, get SIGTERM when the supervisor dies, whatever kills it."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _start(argv: list[str]) -> subprocess.Popen:
    # Own process group: a Ctrl+C in the terminal reaches the supervisor only, which tells each child once.
    return subprocess.Popen(argv, process_group=0, preexec_fn=_die_with_parent)


def worker_wanted(no_worker: bool = False) -> bool:
    return (not no_worker and config.get("ZHISHUI_SERVE_WORKER")
            and settings.TASKS["default"]["BACKEND"] == config.TASK_BACKENDS["database"])


class Command(BaseCommand):
    help = "启动 Web 服务和后台任务进程 / serve the platform with gunicorn, and run the background jobs"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--no-worker", action="store_true",
                            help="do not start the background-job worker (run `zhishui worker` elsewhere)")

    def handle(self, *args, bind, workers, no_worker=False, **opts):
        argv = [sys.executable, "-m", "gunicorn", "zhishui.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--access-logfile", "-", "--timeout", "120"]
        if not worker_wanted(no_worker):
            os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
        sys.exit(self.supervise(argv, [sys.executable, "-m", "zhishui", "worker", "--no-startup-delay"]))

    def supervise(self, server_argv: list[str], worker_argv: list[str]) -> int:
        server = _start(server_argv)
        worker = _start(worker_argv)
        self.stdout.write(f"==> 后台任务进程 / background-job worker: pid {worker.pid}", ending="\n")
        self.stdout.flush()
        stopping = {"at": None}

        def stop(signum, _frame):
            if stopping["at"] is not None:  # told twice: stop the running job as well
                if worker.poll() is None:
                    worker.send_signal(signal.SIGTERM)
                return
            stopping["at"] = time.monotonic()
            for child in (server, worker):
                if child.poll() is None:
                    child.send_signal(signal.SIGTERM)

        previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            started = time.monotonic()
            while server.poll() is None:
                if stopping["at"] is None and worker.poll() is not None:
                    self.stderr.write(f"后台任务进程退出 / the background-job worker exited ({worker.returncode}); "
                                      "restarting it")
                    if time.monotonic() - started < 5:
                        time.sleep(5)  # do not spin on a worker that cannot start
                    worker, started = _start(worker_argv), time.monotonic()
                time.sleep(0.2)
            if stopping["at"] is None:  # the server ended on its own: stop the worker too
                stop(signal.SIGTERM, None)
            self._stop_worker(worker, stopping["at"])
        finally:
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return server.returncode

    def _stop_worker(self, worker: subprocess.Popen, since: float) -> None:
        try:
            worker.wait(timeout=max(0.0, since + WORKER_GRACE - time.monotonic()))
            return
        except subprocess.TimeoutExpired:
            self.stderr.write("后台任务进程仍在运行任务，正在中止 / the worker is still running a job: stopping it")
            worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(timeout=WORKER_GRACE)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait()
