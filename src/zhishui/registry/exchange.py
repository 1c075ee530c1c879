"""Figures of the 数据交换 page: freshness and volume of each feed, and data-sharing performance by
department (rows delivered, files and rows rejected, rejection rate) — what task 3 of the work plan
asks the bureau to assess ("加强税费数据共享工作绩效考核")."""

from __future__ import annotations

from django.db.models import Count, Max, Q, Sum
from django.utils import timezone

from . import models
from .feeds import FEEDS, ORDER

STALE_DAYS = 45  # a feed without a successful load for this long is stale


def _rate(rejected: int, read: int) -> float:
    return round(100.0 * rejected / read, 2) if read else 0.0


def feed_status() -> list[dict]:
    now = timezone.now()
    loads = {row["feed"]: row for row in models.Load.objects.values("feed").annotate(
        loads=Count("id"), last_ok=Max("finished_at", filter=Q(status__in=["loaded", "partial"])),
        last=Max("finished_at"), read=Sum("rows_read"), rejected=Sum("rejected"),
        files_rejected=Count("id", filter=Q(status="rejected")))}
    last_source = dict(models.Load.objects.filter(status__in=["loaded", "partial"]).order_by("feed", "-finished_at")
                       .values_list("feed", "source"))
    out = []
    for name in ORDER:
        feed = FEEDS[name]
        row = loads.get(name, {})
        last_ok = row.get("last_ok")
        age = (now - last_ok).days if last_ok else None
        out.append({
            "feed": name, "label_zh": feed.label_zh, "label_en": feed.label_en, "department": feed.department,
            "source": last_source.get(name, ""),
            "rows": getattr(models, feed.model).objects.count(),
            "loads": row.get("loads", 0), "last_ok": last_ok, "age_days": age,
            "stale": age is None or age > STALE_DAYS,
            "read": row.get("read") or 0, "rejected": row.get("rejected") or 0,
            "files_rejected": row.get("files_rejected", 0),
            "rejection_rate": _rate(row.get("rejected") or 0, row.get("read") or 0),
        })
    return out


def department_status() -> list[dict]:
    rows = (models.Load.objects.values("source").annotate(
        loads=Count("id"), files_rejected=Count("id", filter=Q(status="rejected")), read=Sum("rows_read"),
        rejected=Sum("rejected"), inserted=Sum("inserted"), updated=Sum("updated"), last=Max("finished_at"),
        feeds=Count("feed", distinct=True)).order_by("source"))
    now = timezone.now()
    out = []
    for row in rows:
        read, rejected = row["read"] or 0, row["rejected"] or 0
        out.append({**row, "read": read, "rejected": rejected, "rejection_rate": _rate(rejected, read),
                    "file_rejection_rate": _rate(row["files_rejected"], row["loads"]),
                    "age_days": (now - row["last"]).days if row["last"] else None})
    return out
