"""``zhishui worker``: run the background jobs (django-tasks, queued in the database) as they come.

``zhishui serve`` and ``zhishui demo`` start one next to the web server (``ZHISHUI_SERVE_WORKER``); run this
command where workers are a service of their own. It is django-tasks-db's ``db_worker`` with the project's
defaults (no code reloading); ``--batch`` runs what is queued and exits, ``--max-tasks N`` stops after N.
SIGTERM or Ctrl+C lets the running job finish; a second one stops it (the job is then marked failed)."""

from __future__ import annotations

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand


class Command(DbWorkerCommand):
    help = "运行后台任务 / run the background jobs queued in the database (django-tasks)"

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.set_defaults(reload=False)
