"""``zhishui audit verify`` walks the hash chain; ``zhishui audit purge --before DATE`` removes old events."""

from __future__ import annotations

from datetime import datetime, time

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from zhishui.core import audit


class Command(BaseCommand):
    help = "审计链校验与过期清理 / verify the audit hash chain, purge events past retention"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="walk the chain and name the first broken event")
        purge = sub.add_parser("purge", help="delete events older than a date (at least 180 days ago)")
        purge.add_argument("--before", required=True, help="YYYY-MM-DD")

    def handle(self, *args, action, **opts):
        if action == "verify":
            report = audit.verify_chain()
            if report.ok:
                self.stdout.write(f"审计链完整 / chain intact: {report.checked} events verified")
                return
            raise CommandError(f"审计链在事件 {report.broken_at} 处断裂 / chain broken at event {report.broken_at}: "
                               f"{report.problem}", returncode=1)
        try:
            day = datetime.strptime(opts["before"], "%Y-%m-%d").date()
        except ValueError as exc:
            raise CommandError("--before 应为 YYYY-MM-DD / --before must be YYYY-MM-DD", returncode=2) from exc
        cutoff = timezone.make_aware(datetime.combine(day, time.min))
        try:
            count = audit.purge_before(cutoff)
        except ValueError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        self.stdout.write(f"已清除 {count} 条审计事件 / purged {count} events")
