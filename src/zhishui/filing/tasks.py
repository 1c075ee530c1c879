"""Background tasks of the filing app (django-tasks). ``jobs.start`` enqueues them; a worker process
(``zhishui worker``, which ``zhishui serve`` starts next to the web server) runs them."""

from __future__ import annotations

from django.utils import timezone
from django_tasks import task

from zhishui.core.errors import ValidationFailure

from . import services
from .models import PrefillJob

OPEN = ("queued", "running")
STOPPED = "后台任务进程在批量预填完成前被停止 / the worker was stopped before the job finished"


@task()
def batch_prefill_task(job_id: int) -> dict:
    """Run the queued batch pre-fill ``job_id`` (``services.batch_prefill``, which keeps the job's progress).
    A job runs once: a second run of its task finds it no longer queued and leaves it alone. However the run
    ends — bad period, an error, the worker stopped half-way — the job does not stay open."""
    job = PrefillJob.objects.get(pk=job_id)
    if job.status != "queued":
        return {"job": job.pk, "status": job.status, "skipped": True}
    try:
        job = services.batch_prefill(job.period, job=job, by=job.by or "batch")
    except ValidationFailure as exc:
        _fail(job_id, [{"error": f"{e.message_zh} / {e.message_en}"} for e in exc.errors])
        raise
    except (SystemExit, KeyboardInterrupt):
        # The worker told to stop while it runs the job (batch_prefill marks the job failed on an error of its
        # own, not on this): the job must not stay "running" for ever.
        _fail(job_id, [{"error": STOPPED}])
        raise
    except BaseException as exc:
        _fail(job_id, [{"error": f"{type(exc).__name__}: {exc}"[:500]}])
        raise
    return {"job": job.pk, "status": job.status, "total": job.total, "done": job.done, "failed": job.failed}


def _fail(job_id: int, errors: list[dict]) -> None:
    try:
        PrefillJob.objects.filter(pk=job_id, status__in=OPEN).update(status="failed", errors=errors,
                                                                    finished_at=timezone.now())
    except Exception:  # noqa: S110 - never hide the error that ended the job behind one in recording it
        pass
