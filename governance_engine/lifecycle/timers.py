"""When a state's timer falls due: calendar days, or business days that skip weekends.

Pure date arithmetic in UTC; no clock, no database. ``tick`` asks :func:`due_at` for the
moment a proposal's timer fires and compares it with its own clock.

Business days count weekday time only: a proposal that enters a state on a Saturday starts
its count on Monday at 00:00 UTC, so "1 business day" is always a whole weekday's worth of
time. Public holidays are not known here; a workflow that needs them uses calendar days.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from governance_engine.lifecycle.definition import Timer

_SATURDAY = 5  # datetime.weekday(): Monday is 0, Saturday 5, Sunday 6
_DAY = timedelta(days=1)


def is_business_day(moment: datetime) -> bool:
    """Monday to Friday, in UTC."""
    return _utc(moment).weekday() < _SATURDAY


def add_calendar_days(start: datetime, days: int) -> datetime:
    """``start`` plus ``days`` whole days (24 hours each: UTC has no daylight saving)."""
    _check_days(days)
    return _utc(start) + days * _DAY


def add_business_days(start: datetime, days: int) -> datetime:
    """The moment ``days`` business days of weekday time have passed since ``start``.

    Weekends do not count: Friday 15:00 plus one business day is Monday 15:00, and a start
    on a Saturday or Sunday counts from the following Monday at 00:00. The result is always
    on a weekday: a count that runs out at midnight between Friday and Saturday is reported as
    Monday 00:00, which holds the same amount of weekday time.
    """
    _check_days(days)
    moment = _utc(start)
    if not is_business_day(moment):
        moment = _next_monday(moment)
    whole_weeks, rest = divmod(days, 5)
    moment += whole_weeks * 7 * _DAY
    for _ in range(rest):
        moment += _DAY
        while not is_business_day(moment):
            moment += _DAY
    return moment


def due_at(entered_at: datetime, timer: Timer) -> datetime:
    """When ``timer`` fires for a proposal that entered its state at ``entered_at``."""
    if timer.business_days:
        return add_business_days(entered_at, timer.days)
    return add_calendar_days(entered_at, timer.days)


def is_due(entered_at: datetime, timer: Timer, now: datetime) -> bool:
    return due_at(entered_at, timer) <= _utc(now)


def _next_monday(moment: datetime) -> datetime:
    days_ahead = 7 - moment.weekday()  # Saturday -> 2, Sunday -> 1
    monday = moment.date() + timedelta(days=days_ahead)
    return datetime.combine(monday, time(0, 0), tzinfo=UTC)


def _utc(moment: datetime) -> datetime:
    if moment.tzinfo is None:
        raise ValueError("timer arithmetic needs timezone-aware times")
    return moment.astimezone(UTC)


def _check_days(days: int) -> None:
    if days < 0:
        raise ValueError(f"a timer cannot run for a negative number of days ({days})")
