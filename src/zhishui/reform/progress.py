"""Where the reform stands: the figures behind the dashboard, the home widgets and the report upward.

Everything is computed from a handful of queries (the assignments with their deliverables, the
research dates, a few counts), so the dashboard's cost does not grow with the number of items.
An *item* is one unit's share of one deliverable (an ``Assignment``); it is *overdue* when it is not
done and its due date has passed.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Count, Q

from . import access
from .models import Assignment, Deliverable, ReformPlan, Report, Research, Status, SupervisionNotice, Task

BUCKETS = ("done", "in_progress", "at_risk", "not_started", "overdue")


def bucket(status: str, due: date, today: date) -> str:
    if status == Status.DONE:
        return "done"
    if due < today:
        return "overdue"
    return status


@dataclass
class Tally:
    key: str
    label: str
    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(BUCKETS, 0))
    on_time: int = 0
    late: int = 0

    def add(self, b: str) -> None:
        self.counts[b] += 1

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def done(self) -> int:
        return self.counts["done"]

    @property
    def pct(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0

    @property
    def due_so_far(self) -> int:
        return self.on_time + self.late + self.counts["overdue"]

    @property
    def punctuality(self) -> int | None:
        """Share of the items already due that were reported done by their due date."""
        return round(100 * self.on_time / self.due_so_far) if self.due_so_far else None

    def as_dict(self) -> dict:
        return {"key": self.key, "label": self.label, **self.counts, "total": self.total, "pct": self.pct,
                "on_time": self.on_time, "late": self.late, "punctuality": self.punctuality}


def half_year(day: date) -> tuple[int, int]:
    return day.year, 1 if day.month <= 6 else 2


def half_years(plan: ReformPlan, today: date, dates: list[date]) -> list[dict]:
    """Each half-year from the task force's establishment to today, with its research count; a past
    half-year with none is ``missing`` (调研制度: at least one each half-year)."""
    seen: dict[tuple[int, int], int] = defaultdict(int)
    for d in dates:
        seen[half_year(d)] += 1
    out = []
    year, half = half_year(plan.established_on)
    current = half_year(today)
    while (year, half) <= current:
        count = seen.get((year, half), 0)
        state = "ok" if count else ("current" if (year, half) == current else "missing")
        out.append({"year": year, "half": half, "count": count, "state": state})
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return out


def items(plan: ReformPlan, user=None):
    qs = (Assignment.objects.filter(deliverable__plan=plan)
          .values("id", "status", "completed_on", "escalated_at", "pending_review", "role", "unit_id", "unit__short",
                  "unit__position", "deliverable_id", "deliverable__due_on", "deliverable__kind",
                  "deliverable__text", "deliverable__task__number", "deliverable__task__title",
                  "deliverable__task__area__number", "deliverable__task__area__title", "deliverable__meeting__title")
          .order_by("deliverable__due_on", "deliverable_id", "id"))
    return access.scope_assignments(user, qs) if user is not None else qs


def overview(plan: ReformPlan, today: date, user=None) -> dict:
    rows = list(items(plan, user))
    by_area: dict[object, Tally] = {}
    by_unit: dict[int, Tally] = {}
    by_year: dict[int, Tally] = {}
    overdue, upcoming = [], []
    totals = Tally("all", "")
    deliverables: dict[int, list[str]] = defaultdict(list)
    task_done: dict[int, list[bool]] = defaultdict(list)
    unit_pos: dict[int, int] = {}
    soon = today + timedelta(days=90)
    for r in rows:
        due = r["deliverable__due_on"]
        b = bucket(r["status"], due, today)
        totals.add(b)
        area_no = r["deliverable__task__area__number"]
        area_key = area_no if area_no is not None else "decisions"
        area = by_area.setdefault(area_key, Tally(str(area_key), r["deliverable__task__area__title"] or ""))
        area.add(b)
        unit = by_unit.setdefault(r["unit_id"], Tally(str(r["unit_id"]), r["unit__short"]))
        unit_pos[r["unit_id"]] = r["unit__position"]
        unit.add(b)
        year = by_year.setdefault(due.year, Tally(str(due.year), str(due.year)))
        year.add(b)
        if b == "done" and due <= today:
            late = r["completed_on"] is not None and r["completed_on"] > due
            unit.late += late
            unit.on_time += not late
        if b == "overdue":
            overdue.append({**r, "days_late": (today - due).days})
        elif b != "done" and due <= soon:
            upcoming.append({**r, "days_left": (due - today).days})
        deliverables[r["deliverable_id"]].append(b)
        if r["deliverable__task__number"] is not None:
            task_done[r["deliverable__task__number"]].append(b == "done")

    timeline: dict[str, dict[str, int]] = {}
    for r in rows:
        key = f"{r['deliverable__due_on']:%Y-%m}"
        timeline.setdefault(key, dict.fromkeys(BUCKETS, 0))[bucket(r["status"], r["deliverable__due_on"], today)] += 1

    research_dates = list(Research.objects.filter(plan=plan).values_list("conducted_on", flat=True))
    halves = half_years(plan, today, research_dates)
    scope = access.unit_scope(user) if user is not None else None
    pending = Report.objects.filter(assignment__deliverable__plan=plan, review=Report.Review.PENDING)
    notices = SupervisionNotice.objects.filter(plan=plan, answered_by__isnull=True)
    if scope is not None:
        pending = pending.filter(assignment__unit_id__in=scope)
        notices = notices.filter(assignment__unit_id__in=scope)
    counts = notices.aggregate(open=Count("id"), late=Count("id", filter=Q(reply_due__lt=today)))
    area_order = sorted(by_area, key=lambda k: (k == "decisions", k if k != "decisions" else 0))
    return {
        "today": today,
        "totals": totals,
        "task_count": Task.objects.filter(plan=plan).count() if scope is None else len(task_done),
        "tasks_done": sum(1 for v in task_done.values() if v and all(v)),
        "deliverable_count": len(deliverables),
        "deliverables_done": sum(1 for v in deliverables.values() if all(b == "done" for b in v)),
        "by_area": [by_area[k] for k in area_order],
        "by_unit": sorted(by_unit.values(), key=lambda t: unit_pos[int(t.key)]),
        "by_year": [by_year[y] for y in sorted(by_year)],
        "timeline": [{"month": k, **v} for k, v in sorted(timeline.items())],
        "overdue": sorted(overdue, key=lambda r: (-r["days_late"], r["unit__position"])),
        "upcoming": upcoming,
        "halves": halves,
        "research_missing": [h for h in halves if h["state"] == "missing"],
        "pending_reviews": pending.count(),
        "open_notices": counts["open"],
        "late_notice_replies": counts["late"],
    }


def chart_data(data: dict) -> dict:
    """The dashboard's figures as plain JSON for ECharts (passed with ``json_script``)."""
    return {
        "buckets": list(BUCKETS),
        "area": [t.as_dict() for t in data["by_area"]],
        "unit": [t.as_dict() for t in data["by_unit"]],
        "year": [t.as_dict() for t in data["by_year"]],
        "timeline": data["timeline"],
    }


def overdue_count(plan: ReformPlan, today: date, user=None) -> int:
    qs = Assignment.objects.filter(deliverable__plan=plan, deliverable__due_on__lt=today).exclude(status=Status.DONE)
    return access.scope_assignments(user, qs).count() if user is not None else qs.count()


def open_items(plan: ReformPlan, user) -> int:
    qs = Assignment.objects.filter(deliverable__plan=plan).exclude(status=Status.DONE)
    return access.scope_assignments(user, qs).count()


def deliverable_status_counts(plan: ReformPlan) -> dict[str, int]:
    return dict(Deliverable.objects.filter(plan=plan).values_list("status").annotate(n=Count("id")))
