"""Reform API: progress per task, per unit and per item (scoped like the pages), and a liaison's report
with evidence files (multipart)."""

from __future__ import annotations

from collections import defaultdict
from datetime import date

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from ninja import File, Form, Router, Schema, Status
from ninja.files import UploadedFile

from zhishui.core import audit

from . import access, clock, progress, services
from .models import Assignment, Task

router = Router(tags=["reform"])


def _need(request, capability: str) -> None:
    if not request.user.has_perm(f"core.{capability}"):
        audit.record("access.denied", request=request, object_type="api", object_id=request.path, outcome="denied")
        raise PermissionDenied


class TallyOut(Schema):
    done: int
    in_progress: int
    at_risk: int
    not_started: int
    overdue: int
    total: int
    pct: int


class TaskOut(Schema):
    number: int
    title: str
    area: int
    origin: str
    units: list[str]
    items: TallyOut
    next_due: date | None


class UnitOut(Schema):
    unit: str
    items: TallyOut
    on_time: int
    late: int
    punctuality: int | None


class ItemOut(Schema):
    id: int
    unit: str
    role: str
    task: int | None
    meeting: str | None
    deliverable: str
    due_on: date
    status: str
    state: str
    pending_review: bool


def _tally(t: progress.Tally) -> dict:
    return {**t.counts, "total": t.total, "pct": t.pct}


@router.get("/reform/tasks", response=list[TaskOut], summary="改革任务进展 / progress per task")
def tasks(request):
    _need(request, "view_reform")
    plan = services.current_plan()
    today = clock.today()
    tallies: dict[int, progress.Tally] = defaultdict(lambda: progress.Tally("", ""))
    next_due: dict[int, date] = {}
    for r in progress.items(plan, request.user):
        number = r["deliverable__task__number"]
        if number is None:
            continue
        b = progress.bucket(r["status"], r["deliverable__due_on"], today)
        tallies[number].add(b)
        if b != "done":
            next_due[number] = min(next_due.get(number, r["deliverable__due_on"]), r["deliverable__due_on"])
    out = []
    for task in Task.objects.filter(plan=plan).select_related("area").prefetch_related("task_units__unit"):
        if task.number not in tallies and access.unit_scope(request.user) is not None:
            continue
        out.append({"number": task.number, "title": task.title, "area": task.area.number, "origin": task.origin,
                    "units": list(dict.fromkeys(tu.unit.short for tu in task.task_units.all())),
                    "items": _tally(tallies[task.number]), "next_due": next_due.get(task.number)})
    return out


@router.get("/reform/units", response=list[UnitOut], summary="各单位进展与按期率 / progress per unit")
def units(request):
    _need(request, "view_reform")
    plan = services.current_plan()
    data = progress.overview(plan, clock.today(), request.user)
    return [{"unit": u.label, "items": _tally(u), "on_time": u.on_time, "late": u.late,
             "punctuality": u.punctuality} for u in data["by_unit"]]


@router.get("/reform/items", response=list[ItemOut], summary="责任事项 / items (one unit's share of a deliverable)")
def items(request, state: str = "", unit: str = ""):
    _need(request, "view_reform")
    plan = services.current_plan()
    today = clock.today()
    out = []
    for r in progress.items(plan, request.user):
        b = progress.bucket(r["status"], r["deliverable__due_on"], today)
        if (state and b != state) or (unit and r["unit__short"] != unit):
            continue
        out.append({"id": r["id"], "unit": r["unit__short"], "role": r["role"], "task": r["deliverable__task__number"],
                    "meeting": r["deliverable__meeting__title"], "deliverable": r["deliverable__text"],
                    "due_on": r["deliverable__due_on"], "status": r["status"], "state": b,
                    "pending_review": r["pending_review"]})
    return out


class ReportIn(Schema):
    status: str
    narrative: str
    reported_on: date | None = None


class ReportOut(Schema):
    id: int
    item: int
    status: str
    review: str
    reported_on: date
    evidence: list[dict]


@router.post("/reform/items/{item_id}/reports", response={201: ReportOut},
             summary="联络员报送进展（可附佐证材料）/ a liaison reports progress, with evidence files")
def report(request, item_id: int, payload: Form[ReportIn], evidence: File[list[UploadedFile]] = None):
    _need(request, "report_reform")
    assignment = get_object_or_404(Assignment.objects.select_related("unit", "deliverable"), pk=item_id)
    created = services.submit_report(by=request.user, assignment=assignment, status=payload.status,
                                     narrative=payload.narrative, reported_on=payload.reported_on,
                                     files=evidence or [], request=request)
    return Status(201, {"id": created.pk, "item": assignment.pk, "status": created.status, "review": created.review,
                        "reported_on": created.reported_on,
                        "evidence": [{"name": e.original_name, "size": e.size, "sm3": e.sm3}
                                     for e in created.evidence.all()]})
