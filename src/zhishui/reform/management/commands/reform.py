"""``zhishui reform``: load the work plan, send the supervision reminders, export the progress report,
bind a liaison. ``remind`` is what a scheduler calls (daily); running it twice sends nothing twice."""

from __future__ import annotations

import sys
from contextlib import nullcontext
from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from zhishui.core.errors import ValidationFailure
from zhishui.reform import clock, services
from zhishui.reform.models import Unit
from zhishui.reform.plan import PlanError


class Command(BaseCommand):
    help = "改革工作专班：载入工作方案、督办提醒、导出进展报告 / reform task force: load plan, remind, export"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        load = sub.add_parser("load-plan", help="load (or update) the district's work plan into the database")
        load.add_argument("--district", default="", help="6-digit district code (default: ZHISHUI_DISTRICT)")
        load.add_argument("--plans-dir", default="", help="folder holding <code>.yaml (default: the shipped plans)")
        remind = sub.add_parser("remind", help="remind liaisons of items coming due; escalate overdue ones")
        remind.add_argument("--date", default="", help="run as of YYYY-MM-DD (default: today)")
        remind.add_argument("--district", default="")
        export = sub.add_parser("export", help="issue the progress report to the district government")
        export.add_argument("--format", choices=["pdf", "xlsx"], default="pdf")
        export.add_argument("--output", required=True, help="file to write, or - for standard output")
        export.add_argument("--district", default="")
        bind = sub.add_parser("bind-liaison", help="make a user the liaison of a member unit")
        bind.add_argument("--unit", required=True, help="unit code from the plan, e.g. tax, finance")
        bind.add_argument("--user", required=True, help="username (must hold the liaison role)")
        bind.add_argument("--district", default="")

    def handle(self, *args, action, **opts):
        district = opts.get("district") or settings.ZHISHUI_DISTRICT
        try:
            getattr(self, "do_" + action.replace("-", "_"))(district, opts)
        except ValidationFailure as exc:
            for e in exc.errors:
                self.stderr.write(f"{e.field}: {e.message_zh} / {e.message_en}")
            raise CommandError("输入有误 / invalid input", returncode=2) from exc
        except PlanError as exc:
            raise CommandError(str(exc), returncode=2) from exc

    def do_load_plan(self, district, opts):
        plans_dir = Path(opts["plans_dir"]) if opts.get("plans_dir") else None
        result = services.load_plan_into_db(district, plans_dir=plans_dir)
        if not result.changed:
            self.stdout.write(f"工作方案 {district} 已是最新，无变化 / plan {district} is up to date, nothing changed")
        else:
            parts = [f"+{n} {k}" for k, n in result.created.items() if n]
            parts += [f"~{n} {k}" for k, n in result.updated.items() if n]
            self.stdout.write(f"已载入工作方案 {district} / loaded plan {district}: {', '.join(parts)}")
        for kept in result.kept:
            self.stdout.write(f"保留（方案已删除但有报告）/ kept (gone from the file, has reports): {kept}")

    def do_remind(self, district, opts):
        day = None
        if opts.get("date"):
            try:
                day = date.fromisoformat(opts["date"])
            except ValueError as exc:
                raise CommandError("--date 应为 YYYY-MM-DD / --date must be YYYY-MM-DD", returncode=2) from exc
        with clock.frozen(day) if day else nullcontext():
            result = services.run_reminders(plan=services.current_plan(district))
        self.stdout.write(f"{result.today}：提醒 {result.reminded} 条，逾期升级 {result.escalated} 条 / "
                          f"reminders {result.reminded}, escalations {result.escalated}")
        for unit in sorted(set(result.without_liaison)):
            self.stdout.write(f"  {unit} 未指定联络员，已提醒工作专班办公室 / "
                              f"{unit} has no liaison; the office was told")

    def do_export(self, district, opts):
        bulletin, body, filename = services.issue_bulletin(fmt=opts["format"], plan=services.current_plan(district))
        if opts["output"] == "-":
            sys.stdout.buffer.write(body)
            return
        Path(opts["output"]).write_bytes(body)
        self.stdout.write(f"{bulletin.number}：已写入 {opts['output']}（{len(body)} 字节，SM3 {bulletin.sm3[:16]}…）/ "
                          f"written ({filename})")

    def do_bind_liaison(self, district, opts):
        plan = services.current_plan(district)
        unit = Unit.objects.filter(plan=plan, code=opts["unit"]).first()
        if unit is None:
            raise ValidationFailure("unit", f"工作方案中没有单位代码 {opts['unit']}",
                                    f"no unit {opts['unit']} in the plan",
                                    opts["unit"])
        user = get_user_model().objects.filter(username=opts["user"]).first()
        if user is None:
            raise ValidationFailure("user", f"用户 {opts['user']} 不存在", f"no user {opts['user']}", opts["user"])
        services.bind_liaison(unit=unit, user=user)
        self.stdout.write(f"{user.username} 为 {unit.short} 联络员 / is now the liaison of {unit.short}")
