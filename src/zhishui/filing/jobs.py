"""Batch pre-fill as a background job (django-tasks). ``start`` records a ``PrefillJob`` — the progress the
staff page shows — and enqueues ``tasks.batch_prefill_task`` in the same transaction, so the web request
returns at once. A worker process picks the task up (``zhishui worker``; ``zhishui serve`` and ``zhishui demo``
start one next to the web server) and runs ``services.batch_prefill``, which updates the job as it goes.
``zhishui pipeline prefill`` runs the same service synchronously from the command line."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhishui.core import liveness
from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, parse_period

from . import services, tasks
from .models import PrefillJob

# A worker polls the queue every second: a job still queued after this long has no worker to run it.
WAITING_AFTER = timedelta(seconds=20)
# A job run on another host, whose process this one cannot look up, is presumed dead after this long
# without progress (a chunk of returns reports progress within seconds; the reads before the first, within
# minutes even for a whole city).
SILENT_AFTER = timedelta(hours=1)
GONE = ("运行该批量预填的后台进程已不存在（被终止或崩溃），任务已关闭，可重新发起 / the process running this job is "
        "gone (killed or crashed); the job was closed and can be started again")


def close_abandoned(now=None) -> int:
    """Mark failed every running job whose process is gone (so its period can be started again); returns how
    many. The returns it stored before it stopped stay, and a new job leaves them alone."""
    now = now or timezone.now()
    closed = 0
    for job in PrefillJob.objects.filter(status="running").only("pk", "worker", "heartbeat_at", "started_at",
                                                                 "created_at"):
        dead = liveness.gone(job.worker)
        if dead is None:  # the last sign of life: progress, or the start
            dead = (job.heartbeat_at or job.started_at or job.created_at) < now - SILENT_AFTER
        if dead:  # the same worker and still running: nobody else closed or finished it meanwhile
            closed += PrefillJob.objects.filter(pk=job.pk, status="running", worker=job.worker).update(
                status="failed", errors=[{"error": GONE}], finished_at=now)
    return closed


def start(period_text: str, *, by: str) -> PrefillJob:
    period = parse_period(period_text, "period", (MONTH,))
    if period.end >= services.today():
        raise ValidationFailure("period", f"所属期 {period} 尚未结束", f"the period {period} has not ended yet",
                                str(period))
    close_abandoned()
    if PrefillJob.objects.filter(period=str(period), status__in=tasks.OPEN).exists():
        raise ValidationFailure("period", f"所属期 {period} 的批量预填正在进行", f"a batch pre-fill for {period} is "
                                "already running", str(period), code="conflict")
    with transaction.atomic():
        job = PrefillJob.objects.create(period=str(period), by=by)
        result = tasks.batch_prefill_task.enqueue(job.pk)
        PrefillJob.objects.filter(pk=job.pk).update(task_id=str(result.id))
    job.refresh_from_db()
    return job


def waiting(job: PrefillJob, now=None) -> bool:
    """True when no worker has picked the job up for longer than ``WAITING_AFTER``."""
    return job.status == "queued" and job.created_at < (now or timezone.now()) - WAITING_AFTER
