"""The reform module's clock: ``now()`` and ``today()`` (Asia/Shanghai), which a test or the demo can
freeze with ``frozen(at)``. Deadlines, reminders and escalation read the date from here only, so the
supervision rules can be checked at any date without touching the system clock."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date, datetime, time

from django.utils import timezone

_frozen: datetime | None = None


def now() -> datetime:
    return _frozen if _frozen is not None else timezone.now()


def today() -> date:
    return timezone.localdate(now())


def at(day: date, hour: int = 9) -> datetime:
    """An aware datetime on ``day`` at ``hour`` o'clock, local time."""
    return timezone.make_aware(datetime.combine(day, time(hour)))


@contextmanager
def frozen(moment: datetime | date) -> Iterator[datetime]:
    """Within the block, ``now()`` is ``moment`` (a date means 09:00 local time that day)."""
    global _frozen
    if not isinstance(moment, datetime):
        moment = at(moment)
    elif timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    previous, _frozen = _frozen, moment
    try:
        yield moment
    finally:
        _frozen = previous
