"""Batch pre-fill as a background job: a ``PrefillJob`` row records the progress, and a separate
process (``zhishui pipeline prefill --job N``) does the work, so the web request returns at once.

django-tasks is not configured in this installation's settings (it needs its own ``TASKS`` setting and
app entries), so the job runs as a management command in its own process; the ``PrefillJob`` row is the
queue entry and the progress record either way."""

from __future__ import annotations

import subprocess
import sys

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, parse_period

from . import services
from .models import PrefillJob


def start(period_text: str, *, by: str) -> PrefillJob:
    period = parse_period(period_text, "period", (MONTH,))
    if period.end >= services.today():
        raise ValidationFailure("period", f"所属期 {period} 尚未结束", f"the period {period} has not ended yet",
                                str(period))
    if PrefillJob.objects.filter(period=str(period), status__in=["queued", "running"]).exists():
        raise ValidationFailure("period", f"所属期 {period} 的批量预填正在进行", f"a batch pre-fill for {period} is "
                                "already running", str(period), code="conflict")
    job = PrefillJob.objects.create(period=str(period), by=by)
    subprocess.Popen([sys.executable, "-m", "zhishui", "pipeline", "prefill", "--period", str(period),
                      "--job", str(job.pk)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                     start_new_session=True)
    return job
