"""``zhishui serve``: the production web server (gunicorn, 2 workers by default)."""

from __future__ import annotations

import os
import sys

from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = "启动 Web 服务 / serve the platform with gunicorn"

    def add_arguments(self, parser):
        parser.add_argument("--bind", default="127.0.0.1:8000")
        parser.add_argument("--workers", type=int, default=2)

    def handle(self, *args, bind, workers, **opts):
        argv = [sys.executable, "-m", "gunicorn", "zhishui.wsgi:application", "--bind", bind,
                "--workers", str(workers), "--access-logfile", "-", "--timeout", "120"]
        os.execv(sys.executable, argv)  # noqa: S606 - replaces this process with the server
