"""When timers fall due: calendar days, and business days that skip weekends (UTC)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from hypothesis import given
from hypothesis import strategies as st

from governance_engine.lifecycle import Timer
from governance_engine.lifecycle.timers import (
    add_business_days,
    add_calendar_days,
    due_at,
    is_business_day,
    is_due,
)

MONDAY = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)


def day(offset: int, hour: int = 9, minute: int = 30) -> datetime:
    """The day ``offset`` days after Monday 2 March 2026, at the given time (UTC)."""
    return (MONDAY + timedelta(days=offset)).replace(hour=hour, minute=minute)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (day(0), 0, day(0)),
        (day(0), 1, day(1)),  # Mon -> Tue
        (day(0), 4, day(4)),  # Mon -> Fri
        (day(0), 5, day(7)),  # Mon -> next Mon
        (day(4), 1, day(7)),  # Fri -> Mon
        (day(3), 2, day(7)),  # Thu -> Mon
        (day(4), 5, day(11)),  # Fri -> next Fri
        (day(2), 10, day(16)),  # Wed -> Wed two weeks on
        (day(5), 1, day(8, 0, 0)),  # Sat: counts from Mon 00:00 -> Tue 00:00
        (day(6), 1, day(8, 0, 0)),  # Sun: the same
        (day(5), 0, day(7, 0, 0)),  # no time at all from a weekend: Monday's start
        (day(4, 0, 0), 1, day(7, 0, 0)),  # all of Friday: Mon 00:00, never Saturday
        (day(4, 23, 59), 1, day(7, 23, 59)),
    ],
)
def test_business_days(start: datetime, days: int, expected: datetime) -> None:
    assert add_business_days(start, days) == expected


def test_calendar_days_ignore_weekends() -> None:
    assert add_calendar_days(day(4), 1) == day(5)
    assert add_calendar_days(day(0), 180) == day(180)


def test_timer_picks_its_arithmetic() -> None:
    calendar = Timer(days=3, business_days=False, action="defer")
    business = Timer(days=3, business_days=True, action="defer")
    friday = day(4)
    assert due_at(friday, calendar) == day(7)
    assert due_at(friday, business) == day(9)
    assert is_due(friday, business, day(9)) is True  # exactly at the moment
    assert is_due(friday, business, day(9) - timedelta(microseconds=1)) is False


def test_times_are_read_in_utc() -> None:
    # Monday 01:00 in UTC+03:00 is Sunday 22:00 UTC: a weekend start.
    eastern = datetime(2026, 3, 2, 1, 0, tzinfo=timezone(timedelta(hours=3)))
    assert not is_business_day(eastern)
    assert add_business_days(eastern, 1) == day(1, 0, 0)
    assert add_business_days(eastern, 1).tzinfo == UTC


def test_naive_times_and_negative_durations_are_refused() -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        add_business_days(datetime(2026, 3, 2), 1)  # noqa: DTZ001 - the point of the test
    with pytest.raises(ValueError, match="negative"):
        add_calendar_days(MONDAY, -1)


moments = st.datetimes(
    min_value=datetime(2000, 1, 1),  # noqa: DTZ001 - hypothesis wants naive bounds
    max_value=datetime(2100, 1, 1),  # noqa: DTZ001
    timezones=st.just(UTC),
)


def _weekday_time(start: datetime, end: datetime) -> timedelta:
    """Weekday time between two instants, counted day by day (a slow reference)."""
    total = timedelta()
    cursor = start
    while cursor < end:
        midnight = (cursor + timedelta(days=1)).replace(hour=0, minute=0, second=0, microsecond=0)
        step_end = min(midnight, end)
        if is_business_day(cursor):
            total += step_end - cursor
        cursor = step_end
    return total


@given(start=moments, days=st.integers(min_value=0, max_value=40))
def test_business_days_are_whole_days_of_weekday_time(start: datetime, days: int) -> None:
    end = add_business_days(start, days)
    assert is_business_day(end)
    assert _weekday_time(start, end) == timedelta(days=days)
    assert end - start >= timedelta(days=days)  # never sooner than calendar days
    assert end - start <= timedelta(days=days + 2 * (days // 5 + 1) + 2)


@given(start=moments, days=st.integers(min_value=0, max_value=40))
def test_more_business_days_never_come_sooner(start: datetime, days: int) -> None:
    assert add_business_days(start, days + 1) > add_business_days(start, days)
