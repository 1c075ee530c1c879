"""Batch pre-fill as a background job (django-tasks). ``start`` records a ``PrefillJob`` — the progress the
staff page shows — and enqueues ``tasks.batch_prefill_task`` in the same transaction, so the web request
returns at once. A worker process picks the task up (``zhishui worker``; ``zhishui serve`` and ``zhishui demo``
start one next to the web server) and runs ``services.batch_prefill``, which updates the job as it goes.
``zhishui pipeline prefill`` runs the same service synchronously from the command line."""

from __future__ import annotations

from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, parse_period

from . import services, tasks
from .models import PrefillJob

# A worker polls the queue every second: a job still queued after this long has no worker to run it.
WAITING_AFTER = timedelta(seconds=20)


def start(period_text: str, *, by: str) -> PrefillJob:
    period = parse_period(period_text, "period", (MONTH,))
    if period.end >= services.today():
        raise ValidationFailure("period", f"所属期 {period} 尚未结束", f"the period {period} has not ended yet",
                                str(period))
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
