"""The district batch pre-fill as a django-tasks background job: the staff page queues a task, a worker
(``zhishui worker``) runs it and the page shows the job's progress, a waiting job, a failed job."""

from __future__ import annotations

import signal
import subprocess
import sys
from datetime import date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from tests.conftest import login, make_user
from tests.filing import factory
from zhishui.core import liveness
from zhishui.core.errors import ValidationFailure
from zhishui.filing import jobs, services, tasks
from zhishui.filing.models import PrefillJob, Return

ON = date(2026, 10, 20)


@pytest.fixture
def district(monkeypatch):
    monkeypatch.setattr(services, "today", lambda: ON)
    a, b = factory.taxpayer(1), factory.taxpayer(2)
    factory.taxpayer(3, vat_status="small_scale")  # owes a quarterly return: nothing for August
    factory.invoice(a, b, datetime(2026, 8, 3), [("1", "1000.00", "0.13")])
    return {"a": a, "b": b}


def run_worker() -> None:
    """What the worker process does, in this process: run every queued task, then exit."""
    call_command("worker", "--batch", "--no-startup-delay", verbosity=0)


@pytest.mark.django_db
def test_the_staff_page_queues_a_task_and_shows_the_job_waiting(client, district, django_assert_max_num_queries):
    login(client, make_user("coll", "collection"))
    r = client.post("/filing/jobs/", {"period": "2026-08"})
    assert r.status_code == 302
    job = PrefillJob.objects.get()
    assert job.status == "queued" and job.by == "coll" and job.task_id
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "READY" and task.task_path == "zhishui.filing.tasks.batch_prefill_task"
    assert task.args_kwargs == {"args": [job.pk], "kwargs": {}}
    with django_assert_max_num_queries(12):
        page = client.get("/filing/jobs/").content.decode()
    assert "2026-08 的批量预填已排队" in page and 'data-status="queued"' in page and "排队中" in page
    assert 'hx-trigger="every 2s"' in page and "job-waiting" not in page
    # A job no worker has picked up for a while says so.
    PrefillJob.objects.update(created_at=timezone.now() - jobs.WAITING_AFTER - timedelta(seconds=1))
    page = client.get("/filing/jobs/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-testid="job-waiting"' in page and "zhishui worker" in page
    # A second start for the same period is refused while the first is open; nothing more is queued.
    r = client.post("/filing/jobs/", {"period": "2026-08"}, follow=True)
    assert "正在进行" in r.content.decode()
    assert PrefillJob.objects.count() == 1 and DBTaskResult.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_queued_job_to_done_with_the_right_counts(client, district):
    login(client, make_user("coll", "collection"))
    client.post("/filing/jobs/", {"period": "2026-08"})
    job = PrefillJob.objects.get()
    run_worker()
    job.refresh_from_db()
    assert (job.status, job.total, job.done, job.failed) == ("done", 2, 2, 0)
    assert job.started_at and job.finished_at
    assert set(Return.objects.filter(period="2026-08").values_list("taxpayer_id", flat=True)) == {
        district["a"].tax_id, district["b"].tax_id}
    assert Return.objects.get(taxpayer_id=district["a"].tax_id).values["sales_13_goods"] == "1000.00"
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "SUCCESSFUL" and task.return_value["done"] == 2
    page = client.get("/filing/jobs/").content.decode()
    assert 'data-status="done"' in page and 'value="100"' in page and "hx-trigger" not in page
    # The task runs its job once: run again (a retry, a second worker), it leaves the job alone.
    assert tasks.batch_prefill_task.call(job.pk)["skipped"] is True
    assert Return.objects.filter(period="2026-08").count() == 2


@pytest.mark.django_db(transaction=True)
def test_a_failing_job_is_marked_failed(client, district, monkeypatch):
    login(client, make_user("coll", "collection"))
    client.post("/filing/jobs/", {"period": "2026-08"})

    def broken():
        raise RuntimeError("registry unreachable")

    monkeypatch.setattr(services.parties, "profiles", broken)
    run_worker()
    job = PrefillJob.objects.get()
    assert job.status == "failed" and job.finished_at and "registry unreachable" in job.errors[0]["error"]
    task = DBTaskResult.objects.get(id=job.task_id)
    assert task.status == "FAILED" and task.exception_class_path == "builtins.RuntimeError"
    page = client.get("/filing/jobs/").content.decode()
    assert 'data-status="failed"' in page and "registry unreachable" in page and "hx-trigger" not in page
    # A failed job does not block the period: it can be started again.
    monkeypatch.undo()
    monkeypatch.setattr(services, "today", lambda: ON)
    client.post("/filing/jobs/", {"period": "2026-08"})
    run_worker()
    assert list(PrefillJob.objects.values_list("status", flat=True)) == ["done", "failed"]


@pytest.mark.django_db
def test_a_job_whose_run_is_refused_or_interrupted_does_not_stay_open(district, monkeypatch):
    job = jobs.start("2026-08", by="coll")
    monkeypatch.setattr(services, "today", lambda: date(2026, 8, 20))  # the worker's clock: August not over
    with pytest.raises(Exception, match="not ended"):
        tasks.batch_prefill_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "尚未结束" in job.errors[0]["error"]

    monkeypatch.setattr(services, "today", lambda: ON)
    job = jobs.start("2026-08", by="coll")

    def stopped(*args, **kwargs):
        raise SystemExit(1)  # the worker told to stop twice while it runs the job

    monkeypatch.setattr(services, "batch_prefill", stopped)
    with pytest.raises(SystemExit):
        tasks.batch_prefill_task.call(job.pk)
    job.refresh_from_db()
    assert job.status == "failed" and "the worker was stopped" in job.errors[0]["error"]


@pytest.mark.django_db
def test_the_pipeline_command_still_prefills_synchronously(district, capsys):
    call_command("pipeline", "prefill", "--period", "2026-08")
    assert "pre-filled: 2 returns" in capsys.readouterr().out
    job = PrefillJob.objects.get()
    assert job.status == "done" and job.task_id == "" and not DBTaskResult.objects.exists()


@pytest.mark.django_db
def test_with_the_immediate_backend_the_request_runs_the_job(client, district, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    login(client, make_user("coll", "collection"))
    client.post("/filing/jobs/", {"period": "2026-08"})
    job = PrefillJob.objects.get()
    assert (job.status, job.done, job.total) == ("done", 2, 2) and not DBTaskResult.objects.exists()


def _running(period: str, worker: str, heartbeat_at) -> PrefillJob:
    return PrefillJob.objects.create(period=period, by="coll", status="running", worker=worker,
                                     started_at=heartbeat_at, heartbeat_at=heartbeat_at)


@pytest.mark.django_db
def test_a_job_whose_process_was_killed_is_closed_and_its_period_can_be_started_again(client, district):
    process = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        job = _running("2026-08", liveness.identity(process.pid), timezone.now() - timedelta(hours=3))
        # Alive, however long silent: still running, the period still taken.
        with pytest.raises(ValidationFailure, match="already running"):
            jobs.start("2026-08", by="coll")
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait()
    login(client, make_user("coll", "collection"))
    page = client.get("/filing/jobs/").content.decode()
    job.refresh_from_db()
    assert job.status == "failed" and job.errors == [{"error": jobs.GONE}] and job.finished_at is not None
    assert "后台进程已不存在" in page
    again = jobs.start("2026-08", by="coll")
    assert again.pk != job.pk and again.status == "queued"


@pytest.mark.django_db
def test_a_job_of_another_host_is_closed_only_after_an_hour_without_progress(district):
    now = timezone.now()
    quiet = _running("2026-07", "elsewhere:4242:99", now - jobs.SILENT_AFTER + timedelta(minutes=1))
    silent = _running("2026-06", "elsewhere:4243:99", now - jobs.SILENT_AFTER - timedelta(minutes=1))
    assert jobs.close_abandoned(now) == 1
    quiet.refresh_from_db()
    silent.refresh_from_db()
    assert (quiet.status, silent.status) == ("running", "failed")


@pytest.mark.django_db
def test_a_running_job_names_its_process_and_reports_progress(district):
    job = services.batch_prefill("2026-08", by="coll")
    assert job.status == "done" and job.worker == liveness.identity()
    assert job.heartbeat_at is not None and job.heartbeat_at >= job.started_at
    assert liveness.gone(job.worker) is False
