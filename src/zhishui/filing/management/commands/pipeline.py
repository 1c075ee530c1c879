"""``zhishui pipeline prefill --period YYYY-MM``: pre-fill the district's returns for a period;
``zhishui pipeline reminders``: send the filing reminders due today;
``zhishui pipeline non-filers --period YYYY-MM``: list the taxpayers who have not filed (CSV).
Bad input gets a Chinese and English message on stderr and exit code 2."""

from __future__ import annotations

import csv
import sys

from django.core.management.base import BaseCommand

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, parse_period
from zhishui.filing import followup, services
from zhishui.filing.models import PrefillJob


class Command(BaseCommand):
    help = "数据处理流水线 / data pipelines (filing: prefill, reminders, non-filers)"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="step", required=True)
        p = sub.add_parser("prefill", help="batch pre-fill of the returns of every taxpayer for a month")
        p.add_argument("--period", required=True, help="tax period YYYY-MM (the month just ended)")
        p.add_argument("--job", type=int, help="id of a PrefillJob queued from the staff page, to run here "
                       "instead of in the background worker")
        p.add_argument("--no-quarterly", action="store_true",
                       help="in a quarter's last month, do not pre-fill the quarterly CIT and property returns")
        sub.add_parser("reminders", help="send the filing and payment reminders due today")
        n = sub.add_parser("non-filers", help="CSV of taxpayers who have not filed the VAT return of a month")
        n.add_argument("--period", required=True)

    def handle(self, *args, step, **options):
        try:
            if step == "prefill":
                job = PrefillJob.objects.get(pk=options["job"]) if options.get("job") else None
                job = services.batch_prefill(options["period"], job=job, by="pipeline",
                                             quarterly=not options.get("no_quarterly"))
                self.stdout.write(f"预填完成 / pre-filled: {job.done} returns for {job.period} "
                                  f"({job.failed} with problems) in {job.seconds:.1f} s")
            elif step == "reminders":
                n = followup.send_reminders(services.today())
                self.stdout.write(f"提醒 / reminders sent: {n}")
            else:
                period = parse_period(options["period"], "period", (MONTH,))
                writer = csv.writer(self.stdout)
                writer.writerow(["taxpayer_id", "name", "street", "officer", "vat_status", "period", "due_on"])
                for r in followup.non_filers(period):
                    writer.writerow([r["taxpayer_id"], r["name"], r["street"], r["officer"], r["vat_status"],
                                     r["period"], r["due_on"].isoformat()])
        except ValidationFailure as exc:
            self.stderr.write("\n".join(f"{e.field}：{e.message_zh}\n{e.field}: {e.message_en}" for e in exc.errors))
            sys.exit(2)
        except PrefillJob.DoesNotExist:
            self.stderr.write("没有该批量预填任务\nno such pre-fill job")
            sys.exit(2)
