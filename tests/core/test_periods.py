"""Tax periods: arithmetic, boundaries, containment and parsing, as properties."""

from __future__ import annotations

import itertools
from datetime import date, timedelta

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from zhishui.core.errors import ValidationFailure
from zhishui.core.periods import MONTH, QUARTER, YEAR, Period, parse_period

YEARS = st.integers(1900, 9000)


@st.composite
def periods(draw, kinds=(MONTH, QUARTER, YEAR)) -> Period:
    kind = draw(st.sampled_from(kinds))
    index = draw(st.integers(1, {MONTH: 12, QUARTER: 4, YEAR: 1}[kind]))
    return Period(kind, draw(YEARS), index)


def _in_range(p: Period) -> bool:
    return 1900 <= p.year <= 9998


@st.composite
def shifts(draw, p: Period) -> int:
    """A step that keeps ``p`` within 1900–9998 (``Period`` itself refuses years outside 1–9999)."""
    per_year = 12 // p.months
    position = p.year * per_year + p.index - 1
    return draw(st.integers(1900 * per_year - position, 9999 * per_year - 1 - position))


@given(st.data(), periods())
def test_difference_of_a_shift_is_the_shift(data, p):
    n = data.draw(shifts(p))
    q = p + n
    assert q - p == n
    assert p - q == -n


@given(st.data(), periods())
def test_shift_and_back(data, p):
    n = data.draw(shifts(p))
    assert p + n - n == p
    assert (p + n) + (-n) == p
    assert (p + n > p) == (n > 0)


@given(st.data(), periods())
def test_shifts_compose(data, p):
    m = data.draw(shifts(p))
    n = data.draw(shifts(p + m))
    assert (p + m) + n == p + (m + n)


def test_shift_out_of_range_fails():
    with pytest.raises(ValueError):
        Period.month(9999, 12) + 1


@given(periods())
def test_next_period_starts_the_day_after(p):
    assume(_in_range(p + 1))
    assert (p + 1).start == p.end + timedelta(days=1)
    assert (p - 1).end + timedelta(days=1) == p.start
    assert p < p + 1 and p - 1 < p


@given(periods())
def test_start_end_and_kind(p):
    assert p.start <= p.end
    assert p.contains(p.start) and p.contains(p.end)
    assert not p.contains(p.start - timedelta(days=1)) and not p.contains(p.end + timedelta(days=1))
    assert Period.containing(p.start, p.kind) == p
    assert Period.containing(p.end, p.kind) == p
    assert (p + 1).kind == p.kind


@given(periods())
def test_months_tile_the_period(p):
    months = p.month_periods()
    assert len(months) == p.months
    assert months[0].start == p.start and months[-1].end == p.end
    assert all(p.contains(m) for m in months)
    assert all(b - a == 1 for a, b in itertools.pairwise(months))


@given(periods(kinds=(MONTH,)))
def test_month_in_its_quarter_and_year(m):
    q = m.quarter_of()
    assert q.kind == QUARTER and q.contains(m) and m in q.month_periods()
    assert q.year_of().contains(q) and m.year_of().contains(m)
    assert not (q + 1).contains(m) and not (q - 1).contains(m)


@given(periods(kinds=(YEAR,)))
def test_year_contains_its_four_quarters(y):
    quarters = [Period.quarter(y.year, i) for i in range(1, 5)]
    assert all(y.contains(q) for q in quarters)
    assert [m for q in quarters for m in q.month_periods()] == y.month_periods()


@given(periods())
def test_parse_round_trip(p):
    assert parse_period(str(p)) == p
    assert parse_period(f" {p} ") == p


def test_examples():
    assert str(Period.month(2026, 12) + 1) == "2027-01"
    assert str(Period.quarter(2026, 1) - 1) == "2025-Q4"
    assert Period.quarter(2024, 1).end == date(2024, 3, 31)
    assert Period.month(2024, 2).end == date(2024, 2, 29)
    assert Period.month(2026, 3) - Period.month(2025, 3) == 12
    assert Period.month(2026, 3).label_zh() == "2026年3月"
    assert Period.quarter(2026, 2).label_zh() == "2026年第二季度"
    assert Period.of_year(2026).label_zh() == "2026年度"


def test_subtracting_different_kinds_fails():
    with pytest.raises(ValueError):
        Period.month(2026, 1) - Period.quarter(2026, 1)


@pytest.mark.parametrize("text", ["2026-13", "2026-00", "2026-Q5", "2026-Q0", "26-01", "2026-1", "2026/01",
                                  "2026Q1", "2026-q1", "2026-01-01", "", "1899", "1899-12", "二〇二六"])
def test_malformed_periods_name_the_field(text):
    with pytest.raises(ValidationFailure) as info:
        parse_period(text, field="tax_period")
    error = info.value.errors[0]
    assert error.field == "tax_period" and error.value == text
    assert "所属期格式应为" in error.message_zh and "period must be" in error.message_en


@pytest.mark.parametrize("value", [None, 202601, ["2026-01"]])
def test_non_string_periods_rejected(value):
    with pytest.raises(ValidationFailure) as info:
        parse_period(value, field="tax_period")
    assert info.value.errors[0].field == "tax_period"


def test_kinds_restrict_what_parses():
    assert parse_period("2026-Q1", kinds=(QUARTER,)) == Period.quarter(2026, 1)
    with pytest.raises(ValidationFailure) as info:
        parse_period("2026-01", kinds=(QUARTER, YEAR))
    assert "YYYY-Qn、YYYY" in info.value.errors[0].message_zh


def test_invalid_period_values_rejected_at_construction():
    for kind, year, index in ((MONTH, 2026, 13), (QUARTER, 2026, 5), (YEAR, 2026, 2), ("week", 2026, 1),
                              (MONTH, 0, 1)):
        with pytest.raises(ValueError):
            Period(kind, year, index)
