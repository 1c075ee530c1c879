"""The filing calendar: when a return for a period is due, from data (``data/calendar-*.yaml``).

A month listed under ``deadlines`` takes the published (or derived) date; any other month follows the
rule: the 15th of the month after the period, moved by the holiday days of three-day-or-longer holidays
within the 1st–15th, then to the next working day. Weekends are rest days unless listed under
``workdays``. Files are read once; edit the YAML to follow the STA's published calendar.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

import yaml

from zhishui.core.periods import Period

DATA = Path(__file__).resolve().parent / "data"


@lru_cache(maxsize=1)
def _load() -> dict:
    holidays: dict[date, str] = {}
    spans: list[tuple[date, date]] = []
    workdays: set[date] = set()
    deadlines: dict[str, dict] = {}
    for path in sorted(DATA.glob("calendar-*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        for h in data.get("holidays") or []:
            d = h["start"]
            spans.append((h["start"], h["end"]))
            while d <= h["end"]:
                holidays[d] = h["name"]
                d += timedelta(days=1)
        workdays.update(data.get("workdays") or [])
        for month, entry in (data.get("deadlines") or {}).items():
            deadlines[str(month)] = {"date": entry["date"], "confidence": entry.get("confidence", ""),
                                     "source": path.name}
    return {"holidays": holidays, "spans": spans, "workdays": workdays, "deadlines": deadlines}


def is_working_day(day: date) -> bool:
    cal = _load()
    if day in cal["workdays"]:
        return True
    return day.weekday() < 5 and day not in cal["holidays"]


def by_rule(year: int, month: int) -> date:
    cal = _load()
    fifteenth = date(year, month, 15)
    extra = 0
    for start, end in cal["spans"]:
        if (end - start).days + 1 < 3:
            continue
        first, last = max(start, date(year, month, 1)), min(end, fifteenth)
        if first <= last:
            extra += (last - first).days + 1
    day = fifteenth + timedelta(days=extra)
    while not is_working_day(day):
        day += timedelta(days=1)
    return day


def deadline_info(period: Period) -> dict:
    """``{"date", "confidence", "basis"}`` for a return of ``period`` (month or quarter)."""
    after = period.end + timedelta(days=1)
    key = f"{after.year:04d}-{after.month:02d}"
    entry = _load()["deadlines"].get(key)
    if entry:
        return {"date": entry["date"], "confidence": entry["confidence"], "basis": entry["source"]}
    return {"date": by_rule(after.year, after.month), "confidence": "推", "basis": "rule"}


def deadline(period: Period) -> date:
    return deadline_info(period)["date"]
