"""Tax periods: a month (``2026-03``), a quarter (``2026-Q1``) or a year (``2026``).

Periods are immutable values with arithmetic (``p + 1`` is the next period of the same kind),
containment and their first/last day; ``parse_period`` is the one parser and names the field
in its error.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date
from functools import total_ordering

from .errors import ValidationFailure

MONTH, QUARTER, YEAR = "month", "quarter", "year"
_MONTHS_IN = {MONTH: 1, QUARTER: 3, YEAR: 12}
_RE = re.compile(r"^(?P<y>\d{4})(?:-(?:(?P<m>\d{2})|Q(?P<q>[1-4])))?$")


@total_ordering
@dataclass(frozen=True)
class Period:
    kind: str
    year: int
    index: int  # month 1..12, quarter 1..4, year 1

    def __post_init__(self):
        limits = {MONTH: 12, QUARTER: 4, YEAR: 1}
        if self.kind not in limits or not 1 <= self.index <= limits[self.kind] or not 1 <= self.year <= 9999:
            raise ValueError(f"invalid period {self.kind} {self.year} {self.index}")

    @classmethod
    def month(cls, year: int, month: int) -> Period:
        return cls(MONTH, year, month)

    @classmethod
    def quarter(cls, year: int, quarter: int) -> Period:
        return cls(QUARTER, year, quarter)

    @classmethod
    def of_year(cls, year: int) -> Period:
        return cls(YEAR, year, 1)

    @classmethod
    def containing(cls, day: date, kind: str = MONTH) -> Period:
        if kind == MONTH:
            return cls.month(day.year, day.month)
        if kind == QUARTER:
            return cls.quarter(day.year, (day.month - 1) // 3 + 1)
        return cls.of_year(day.year)

    @property
    def months(self) -> int:
        return _MONTHS_IN[self.kind]

    @property
    def _ordinal(self) -> int:
        """Months since year 0 of the first month of the period."""
        return self.year * 12 + (self.index - 1) * self.months

    @property
    def start(self) -> date:
        m = (self.index - 1) * self.months + 1
        return date(self.year, m, 1)

    @property
    def end(self) -> date:
        m = self.index * self.months
        return date(self.year, m, calendar.monthrange(self.year, m)[1])

    def __add__(self, n: int) -> Period:
        if not isinstance(n, int):
            return NotImplemented
        per_year = 12 // self.months
        total = self.year * per_year + (self.index - 1) + n
        y, i = divmod(total, per_year)
        return Period(self.kind, y, i + 1)

    def __sub__(self, other):
        if isinstance(other, int):
            return self + (-other)
        if isinstance(other, Period):
            if other.kind != self.kind:
                raise ValueError("cannot subtract periods of different kinds")
            return (self._ordinal - other._ordinal) // self.months
        return NotImplemented

    def __lt__(self, other: Period) -> bool:
        if not isinstance(other, Period):
            return NotImplemented
        return (self.start, self.months) < (other.start, other.months)

    def contains(self, other: Period | date) -> bool:
        if isinstance(other, date):
            return self.start <= other <= self.end
        return self.start <= other.start and other.end <= self.end

    def month_periods(self) -> list[Period]:
        first = Period.month(self.start.year, self.start.month)
        return [first + i for i in range(self.months)]

    def quarter_of(self) -> Period:
        return Period.containing(self.start, QUARTER)

    def year_of(self) -> Period:
        return Period.of_year(self.year)

    def __str__(self) -> str:
        if self.kind == MONTH:
            return f"{self.year:04d}-{self.index:02d}"
        if self.kind == QUARTER:
            return f"{self.year:04d}-Q{self.index}"
        return f"{self.year:04d}"

    def label_zh(self) -> str:
        if self.kind == MONTH:
            return f"{self.year}年{self.index}月"
        if self.kind == QUARTER:
            return f"{self.year}年第{'一二三四'[self.index - 1]}季度"
        return f"{self.year}年度"


def parse_period(text: object, field: str = "period", kinds: tuple[str, ...] = (MONTH, QUARTER, YEAR)) -> Period:
    """Parse ``YYYY-MM``, ``YYYY-Qn`` or ``YYYY``; reject anything else naming the field."""
    allowed_zh = "、".join({MONTH: "YYYY-MM", QUARTER: "YYYY-Qn", YEAR: "YYYY"}[k] for k in kinds)
    if not isinstance(text, str):
        raise ValidationFailure(field, f"所属期格式应为 {allowed_zh}", f"period must be {allowed_zh}", text)
    m = _RE.match(text.strip())
    period = None
    if m:
        y = int(m["y"])
        try:
            if m["m"]:
                period = Period.month(y, int(m["m"]))
            elif m["q"]:
                period = Period.quarter(y, int(m["q"]))
            else:
                period = Period.of_year(y)
        except ValueError:
            period = None
    if period is None or period.kind not in kinds or period.year < 1900:
        raise ValidationFailure(field, f"所属期格式应为 {allowed_zh}", f"period must be {allowed_zh}", text)
    return period
