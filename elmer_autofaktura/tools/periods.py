"""Billing periods of a recurring agreement, without Odoo.

Periods are anchored to the agreement's start date: period ``k`` starts at
``date_start + k * interval``, always computed from the anchor so that month
ends never drift (31 Jan, 28/29 Feb, 31 Mar, 30 Apr, ...). A period ends the day
before the next one starts.

In advance ("advance") a period is due on its first day; in arrears
("arrears") it is due the day after it ends, i.e. when the next one starts.

>>> from datetime import date
>>> [p.start.isoformat() for p in iter_periods(date(2027, 1, 31), 1, 'month', 'advance', count=4)]
['2027-01-31', '2027-02-28', '2027-03-31', '2027-04-30']
>>> period(date(2027, 1, 31), 0, 1, 'month', 'arrears')
Period(index=0, start=datetime.date(2027, 1, 31), end=datetime.date(2027, 2, 27), due=datetime.date(2027, 2, 28))
"""
import calendar
from datetime import date, timedelta
from typing import Iterator, NamedTuple

UNITS = ('day', 'week', 'month', 'year')
MODES = ('advance', 'arrears')

# Average length of one unit in days, used to normalise any interval to a month
# or a year (recurring revenue) and to estimate period indexes.
DAYS_PER_UNIT = {'day': 1, 'week': 7, 'month': 365.2425 / 12, 'year': 365.2425}


class Period(NamedTuple):
    index: int
    start: date
    end: date
    due: date


def _check(interval_number, interval_unit, invoicing_mode='advance'):
    if interval_unit not in UNITS:
        raise ValueError(f"Unknown interval unit {interval_unit!r}; use one of {', '.join(UNITS)}.")
    if invoicing_mode not in MODES:
        raise ValueError(f"Unknown invoicing mode {invoicing_mode!r}; use one of {', '.join(MODES)}.")
    if isinstance(interval_number, bool) or not isinstance(interval_number, int) or interval_number < 1:
        raise ValueError("The interval must be a whole number of at least 1.")


def add_months(anchor: date, months: int) -> date:
    """``anchor`` moved by ``months`` months, clamped to the end of a shorter month.

    >>> add_months(date(2027, 1, 31), 1), add_months(date(2028, 1, 31), 1)
    (datetime.date(2027, 2, 28), datetime.date(2028, 2, 29))
    """
    year, month0 = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    if not 1 <= year <= 9999:
        raise ValueError("The date falls outside the calendar (year 1 to 9999).")
    last_day = calendar.monthrange(year, month0 + 1)[1]
    return date(year, month0 + 1, min(anchor.day, last_day))


def period_start(date_start: date, index: int, interval_number: int, interval_unit: str) -> date:
    """First day of period ``index`` (0-based), computed from the anchor."""
    steps = index * interval_number
    if interval_unit == 'day':
        return date_start + timedelta(days=steps)
    if interval_unit == 'week':
        return date_start + timedelta(weeks=steps)
    if interval_unit == 'month':
        return add_months(date_start, steps)
    if interval_unit == 'year':
        return add_months(date_start, 12 * steps)
    raise ValueError(f"Unknown interval unit {interval_unit!r}; use one of {', '.join(UNITS)}.")


def period(date_start: date, index: int, interval_number: int, interval_unit: str,
           invoicing_mode: str = 'advance') -> Period:
    """Period ``index`` with its first day, last day and due date."""
    _check(interval_number, interval_unit, invoicing_mode)
    if index < 0:
        raise ValueError("A period index cannot be negative.")
    start = period_start(date_start, index, interval_number, interval_unit)
    next_start = period_start(date_start, index + 1, interval_number, interval_unit)
    due = start if invoicing_mode == 'advance' else next_start
    return Period(index, start, next_start - timedelta(days=1), due)


def iter_periods(date_start: date, interval_number: int, interval_unit: str,
                 invoicing_mode: str = 'advance', first_index: int = 0,
                 date_end: date | None = None, count: int | None = None) -> Iterator[Period]:
    """Periods from ``first_index`` on; none starting after ``date_end``."""
    _check(interval_number, interval_unit, invoicing_mode)
    index = first_index
    while count is None or index < first_index + count:
        current = period(date_start, index, interval_number, interval_unit, invoicing_mode)
        if date_end and current.start > date_end:
            return
        yield current
        index += 1


def first_index_due_on_or_after(date_start: date, interval_number: int, interval_unit: str,
                                invoicing_mode: str, day: date) -> int:
    """Index of the first period whose due date is ``day`` or later.

    >>> first_index_due_on_or_after(date(2027, 1, 31), 1, 'month', 'advance', date(2027, 3, 1))
    2
    """
    _check(interval_number, interval_unit, invoicing_mode)
    # Estimate from the average period length, then walk to the exact index.
    period_days = interval_number * DAYS_PER_UNIT[interval_unit]
    index = max(int((day - date_start).days // period_days) - 1, 0)

    def due(i):
        return period(date_start, i, interval_number, interval_unit, invoicing_mode).due

    while index > 0 and due(index - 1) >= day:
        index -= 1
    while due(index) < day:
        index += 1
    return index


def periods_due(date_start: date, interval_number: int, interval_unit: str, invoicing_mode: str,
                first_index: int, until: date, date_end: date | None = None,
                limit: int | None = None) -> list[Period]:
    """Periods from ``first_index`` whose due date is ``until`` or earlier, oldest first."""
    result = []
    for current in iter_periods(date_start, interval_number, interval_unit, invoicing_mode,
                                first_index=first_index, date_end=date_end):
        if current.due > until or (limit is not None and len(result) >= limit):
            break
        result.append(current)
    return result


def is_finished(date_start: date, interval_number: int, interval_unit: str,
                first_index: int, date_end: date | None) -> bool:
    """True when the period at ``first_index`` starts after ``date_end``: nothing is left to invoice."""
    if not date_end:
        return False
    return period_start(date_start, first_index, interval_number, interval_unit) > date_end


def periods_per_year(interval_number: int, interval_unit: str) -> float:
    """How many periods fall in an average year (12 for monthly, 52.18 for weekly)."""
    _check(interval_number, interval_unit)
    per_year = {'day': DAYS_PER_UNIT['year'], 'week': DAYS_PER_UNIT['year'] / 7, 'month': 12, 'year': 1}
    return per_year[interval_unit] / interval_number
