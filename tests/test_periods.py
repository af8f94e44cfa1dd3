"""Specification of the billing periods of recurring agreements (tools/periods.py).

Periods are anchored to ``date_start``: period ``k`` starts ``k * interval`` after
it, month and year steps clamp to the end of a shorter month but never drift, a
period ends the day before the next one starts, 'advance' periods are due on
their first day and 'arrears' periods the day after they end.
"""
import calendar
from datetime import date, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import periods
from periods import (Period, first_index_due_on_or_after, is_finished, iter_periods, period,
                     period_start, periods_due, periods_per_year)

D = date
ONE_DAY = timedelta(days=1)


def starts(date_start, number, unit, count, mode='advance'):
    return [p.start for p in iter_periods(date_start, number, unit, mode, count=count)]


def brute_first_index(date_start, number, unit, mode, day):
    """Minimal index whose due date is ``day`` or later, by walking every period."""
    for p in iter_periods(date_start, number, unit, mode):
        if p.due >= day:
            return p.index
    raise AssertionError("unreachable: iter_periods is infinite")


def brute_due(date_start, number, unit, mode, first_index, until, date_end=None):
    """Every period from ``first_index`` due on or before ``until``, by walking."""
    result = []
    for p in iter_periods(date_start, number, unit, mode, first_index=first_index):
        if date_end is not None and p.start > date_end:
            break
        if p.due > until:
            break
        result.append(p)
    return result


def assert_chain(plist):
    """Oldest first, strictly increasing, gap-free, consecutive indexes."""
    for prev, nxt in zip(plist, plist[1:]):
        assert nxt.index == prev.index + 1
        assert nxt.start > prev.start
        assert nxt.start == prev.end + ONE_DAY
        assert nxt.due > prev.due


# --------------------------------------------------------------------------- #
# Monthly: clamped to month end, never drifting
# --------------------------------------------------------------------------- #

def test_monthly_from_31_jan_2027_clamps_and_never_drifts():
    assert starts(D(2027, 1, 31), 1, 'month', 14) == [
        D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30),
        D(2027, 5, 31), D(2027, 6, 30), D(2027, 7, 31), D(2027, 8, 31),
        D(2027, 9, 30), D(2027, 10, 31), D(2027, 11, 30), D(2027, 12, 31),
        D(2028, 1, 31), D(2028, 2, 29),
    ]


def test_monthly_from_31_jan_2028_leap_february():
    assert starts(D(2028, 1, 31), 1, 'month', 4) == [
        D(2028, 1, 31), D(2028, 2, 29), D(2028, 3, 31), D(2028, 4, 30)]


def test_monthly_period_ends_are_day_before_next_start():
    got = [(p.start, p.end) for p in iter_periods(D(2027, 1, 31), 1, 'month', 'advance', count=5)]
    assert got == [
        (D(2027, 1, 31), D(2027, 2, 27)),
        (D(2027, 2, 28), D(2027, 3, 30)),
        (D(2027, 3, 31), D(2027, 4, 29)),
        (D(2027, 4, 30), D(2027, 5, 30)),
        (D(2027, 5, 31), D(2027, 6, 29)),
    ]


def test_monthly_leap_period_ends():
    got = [(p.start, p.end) for p in iter_periods(D(2028, 1, 31), 1, 'month', 'advance', count=3)]
    assert got == [
        (D(2028, 1, 31), D(2028, 2, 28)),
        (D(2028, 2, 29), D(2028, 3, 30)),
        (D(2028, 3, 31), D(2028, 4, 29)),
    ]


def test_monthly_far_index_computed_from_anchor():
    # 30 years later the day is still the month end, not 28 (no drift).
    assert period_start(D(2027, 1, 31), 360, 1, 'month') == D(2057, 1, 31)
    assert period_start(D(2027, 1, 31), 361, 1, 'month') == D(2057, 2, 28)
    assert period_start(D(2027, 1, 31), 362, 1, 'month') == D(2057, 3, 31)
    assert period(D(2027, 1, 31), 362, 1, 'month') == Period(
        362, D(2057, 3, 31), D(2057, 4, 29), D(2057, 3, 31))


def test_monthly_ordinary_day():
    assert starts(D(2027, 3, 15), 1, 'month', 4) == [
        D(2027, 3, 15), D(2027, 4, 15), D(2027, 5, 15), D(2027, 6, 15)]


def test_add_months():
    assert periods.add_months(D(2027, 1, 31), 1) == D(2027, 2, 28)
    assert periods.add_months(D(2028, 1, 31), 1) == D(2028, 2, 29)
    assert periods.add_months(D(2027, 12, 31), 2) == D(2028, 2, 29)
    assert periods.add_months(D(2027, 3, 31), -1) == D(2027, 2, 28)
    assert periods.add_months(D(2027, 5, 31), 0) == D(2027, 5, 31)
    with pytest.raises(ValueError):
        periods.add_months(D(9999, 12, 1), 1)


# --------------------------------------------------------------------------- #
# Years, multi-month, weeks, days
# --------------------------------------------------------------------------- #

def test_yearly_from_29_feb_2028():
    assert starts(D(2028, 2, 29), 1, 'year', 6) == [
        D(2028, 2, 29), D(2029, 2, 28), D(2030, 2, 28), D(2031, 2, 28),
        D(2032, 2, 29), D(2033, 2, 28)]


def test_yearly_from_29_feb_2028_ends():
    got = [(p.start, p.end) for p in iter_periods(D(2028, 2, 29), 1, 'year', 'advance', count=5)]
    assert got == [
        (D(2028, 2, 29), D(2029, 2, 27)),
        (D(2029, 2, 28), D(2030, 2, 27)),
        (D(2030, 2, 28), D(2031, 2, 27)),
        (D(2031, 2, 28), D(2032, 2, 28)),
        (D(2032, 2, 29), D(2033, 2, 27)),
    ]


def test_every_two_years():
    assert starts(D(2028, 2, 29), 2, 'year', 4) == [
        D(2028, 2, 29), D(2030, 2, 28), D(2032, 2, 29), D(2034, 2, 28)]
    assert starts(D(2027, 6, 1), 2, 'year', 3) == [D(2027, 6, 1), D(2029, 6, 1), D(2031, 6, 1)]
    assert period(D(2027, 6, 1), 0, 2, 'year').end == D(2029, 5, 31)


def test_half_yearly_from_31_aug():
    got = [(p.start, p.end) for p in iter_periods(D(2027, 8, 31), 6, 'month', 'advance', count=5)]
    assert got == [
        (D(2027, 8, 31), D(2028, 2, 28)),
        (D(2028, 2, 29), D(2028, 8, 30)),
        (D(2028, 8, 31), D(2029, 2, 27)),
        (D(2029, 2, 28), D(2029, 8, 30)),
        (D(2029, 8, 31), D(2030, 2, 27)),
    ]


def test_every_three_months_from_30_nov():
    assert starts(D(2027, 11, 30), 3, 'month', 7) == [
        D(2027, 11, 30), D(2028, 2, 29), D(2028, 5, 30), D(2028, 8, 30),
        D(2028, 11, 30), D(2029, 2, 28), D(2029, 5, 30)]
    assert period(D(2027, 11, 30), 0, 3, 'month').end == D(2028, 2, 28)
    assert period(D(2027, 11, 30), 1, 3, 'month').end == D(2028, 5, 29)


def test_weekly():
    got = list(iter_periods(D(2027, 12, 20), 1, 'week', 'advance', count=4))
    assert [(p.start, p.end) for p in got] == [
        (D(2027, 12, 20), D(2027, 12, 26)),
        (D(2027, 12, 27), D(2028, 1, 2)),
        (D(2028, 1, 3), D(2028, 1, 9)),
        (D(2028, 1, 10), D(2028, 1, 16)),
    ]
    assert starts(D(2027, 1, 1), 2, 'week', 3) == [D(2027, 1, 1), D(2027, 1, 15), D(2027, 1, 29)]


def test_every_ten_days():
    got = list(iter_periods(D(2028, 2, 25), 10, 'day', 'advance', count=3))
    assert [(p.start, p.end) for p in got] == [
        (D(2028, 2, 25), D(2028, 3, 5)),
        (D(2028, 3, 6), D(2028, 3, 15)),
        (D(2028, 3, 16), D(2028, 3, 25)),
    ]


def test_daily():
    got = list(iter_periods(D(2027, 12, 30), 1, 'day', 'arrears', count=4))
    assert got == [
        Period(0, D(2027, 12, 30), D(2027, 12, 30), D(2027, 12, 31)),
        Period(1, D(2027, 12, 31), D(2027, 12, 31), D(2028, 1, 1)),
        Period(2, D(2028, 1, 1), D(2028, 1, 1), D(2028, 1, 2)),
        Period(3, D(2028, 1, 2), D(2028, 1, 2), D(2028, 1, 3)),
    ]


# --------------------------------------------------------------------------- #
# Advance vs arrears
# --------------------------------------------------------------------------- #

def test_advance_due_on_first_day():
    assert period(D(2027, 1, 31), 0, 1, 'month', 'advance') == Period(
        0, D(2027, 1, 31), D(2027, 2, 27), D(2027, 1, 31))
    assert period(D(2027, 1, 31), 1, 1, 'month', 'advance') == Period(
        1, D(2027, 2, 28), D(2027, 3, 30), D(2027, 2, 28))


def test_arrears_due_day_after_end_which_is_next_start():
    assert period(D(2027, 1, 31), 0, 1, 'month', 'arrears') == Period(
        0, D(2027, 1, 31), D(2027, 2, 27), D(2027, 2, 28))
    assert period(D(2028, 2, 29), 3, 1, 'year', 'arrears') == Period(
        3, D(2031, 2, 28), D(2032, 2, 28), D(2032, 2, 29))
    plist = list(iter_periods(D(2027, 8, 31), 6, 'month', 'arrears', count=6))
    for p, nxt in zip(plist, plist[1:]):
        assert p.due == p.end + ONE_DAY == nxt.start


def test_default_mode_is_advance():
    assert period(D(2027, 1, 31), 2, 1, 'month') == period(D(2027, 1, 31), 2, 1, 'month', 'advance')
    assert next(iter_periods(D(2027, 1, 31), 1, 'month')).due == D(2027, 1, 31)


def test_modes_differ_only_in_due():
    for unit in periods.UNITS:
        for i in range(5):
            adv = period(D(2027, 1, 31), i, 2, unit, 'advance')
            arr = period(D(2027, 1, 31), i, 2, unit, 'arrears')
            assert adv[:3] == arr[:3]
            assert adv.due == adv.start
            assert arr.due == arr.end + ONE_DAY


# --------------------------------------------------------------------------- #
# first_index_due_on_or_after
# --------------------------------------------------------------------------- #

def test_first_index_docstring_example():
    assert first_index_due_on_or_after(D(2027, 1, 31), 1, 'month', 'advance', D(2027, 3, 1)) == 2


@pytest.mark.parametrize('mode', ['advance', 'arrears'])
@pytest.mark.parametrize('number,unit', [
    (1, 'month'), (3, 'month'), (6, 'month'), (1, 'year'), (2, 'year'),
    (1, 'week'), (2, 'week'), (1, 'day'), (10, 'day')])
def test_first_index_on_and_around_due_dates(mode, number, unit):
    date_start = D(2027, 1, 31)
    for p in iter_periods(date_start, number, unit, mode, count=30):
        assert first_index_due_on_or_after(date_start, number, unit, mode, p.due) == p.index
        assert first_index_due_on_or_after(date_start, number, unit, mode, p.due + ONE_DAY) == p.index + 1
        before = p.due - ONE_DAY
        expected = p.index
        if p.index > 0 and period(date_start, p.index - 1, number, unit, mode).due >= before:
            expected = p.index - 1  # only possible for daily periods
        assert first_index_due_on_or_after(date_start, number, unit, mode, before) == expected
        assert expected == brute_first_index(date_start, number, unit, mode, before)


def test_first_index_exact_values():
    s = D(2027, 1, 31)
    # advance: due dates 31 Jan, 28 Feb, 31 Mar ...
    assert first_index_due_on_or_after(s, 1, 'month', 'advance', D(2027, 1, 31)) == 0
    assert first_index_due_on_or_after(s, 1, 'month', 'advance', D(2027, 2, 1)) == 1
    assert first_index_due_on_or_after(s, 1, 'month', 'advance', D(2027, 2, 28)) == 1
    assert first_index_due_on_or_after(s, 1, 'month', 'advance', D(2027, 3, 1)) == 2
    # arrears: due dates 28 Feb, 31 Mar, 30 Apr ...
    assert first_index_due_on_or_after(s, 1, 'month', 'arrears', D(2027, 1, 31)) == 0
    assert first_index_due_on_or_after(s, 1, 'month', 'arrears', D(2027, 2, 28)) == 0
    assert first_index_due_on_or_after(s, 1, 'month', 'arrears', D(2027, 3, 1)) == 1
    assert first_index_due_on_or_after(s, 1, 'month', 'arrears', D(2027, 3, 31)) == 1
    assert first_index_due_on_or_after(s, 1, 'month', 'arrears', D(2027, 4, 1)) == 2


@pytest.mark.parametrize('mode', ['advance', 'arrears'])
@pytest.mark.parametrize('unit', periods.UNITS)
def test_first_index_before_date_start_is_zero(mode, unit):
    s = D(2027, 1, 31)
    for day in (s - ONE_DAY, s - timedelta(days=400), D(1990, 1, 1), D(1, 1, 1)):
        assert first_index_due_on_or_after(s, 1, unit, mode, day) == 0
    assert first_index_due_on_or_after(s, 1, unit, mode, s) == 0


@pytest.mark.parametrize('mode', ['advance', 'arrears'])
@pytest.mark.parametrize('number,unit', [
    (1, 'month'), (1, 'week'), (1, 'day'), (1, 'year'), (5, 'month'), (3, 'day')])
def test_first_index_thirty_years_ahead_matches_brute_force(mode, number, unit):
    s = D(2027, 1, 31)
    far = D(2057, 1, 31)
    for day in (far - ONE_DAY, far, far + ONE_DAY, D(2056, 12, 31), D(2057, 3, 1), D(2057, 2, 28)):
        expected = brute_first_index(s, number, unit, mode, day)
        assert first_index_due_on_or_after(s, number, unit, mode, day) == expected


def test_first_index_thirty_years_exact():
    s = D(2027, 1, 31)
    assert first_index_due_on_or_after(s, 1, 'month', 'advance', D(2057, 1, 31)) == 360
    assert first_index_due_on_or_after(s, 1, 'month', 'advance', D(2057, 2, 1)) == 361
    assert first_index_due_on_or_after(s, 1, 'month', 'arrears', D(2057, 1, 31)) == 359
    days = (D(2057, 1, 31) - s).days  # 10958
    assert first_index_due_on_or_after(s, 1, 'day', 'advance', D(2057, 1, 31)) == days
    assert first_index_due_on_or_after(s, 1, 'day', 'arrears', D(2057, 1, 31)) == days - 1
    assert first_index_due_on_or_after(s, 1, 'week', 'advance', D(2057, 1, 31)) == -(-days // 7)


# --------------------------------------------------------------------------- #
# periods_due
# --------------------------------------------------------------------------- #

def test_periods_due_long_weekly_catch_up():
    s = D(2025, 1, 6)
    until = D(2027, 1, 6)  # 730 days later: 104 weeks and 2 days
    got = periods_due(s, 1, 'week', 'advance', 0, until)
    expected = brute_due(s, 1, 'week', 'advance', 0, until)
    assert len(expected) == 105  # indexes 0..104; index 104 starts 2027-01-04
    assert got == expected
    assert got[0].index == 0 and got[0].start == s
    assert got[-1].index == 104 and got[-1].start == D(2027, 1, 4)
    assert_chain(got)
    assert all(p.due <= until for p in got)
    assert period(s, 105, 1, 'week').due > until


def test_periods_due_long_weekly_catch_up_arrears():
    s = D(2025, 1, 6)
    until = D(2027, 1, 6)
    got = periods_due(s, 1, 'week', 'arrears', 0, until)
    expected = brute_due(s, 1, 'week', 'arrears', 0, until)
    assert len(expected) == 104  # period 103 due 2027-01-04, period 104 due 2027-01-11
    assert got == expected
    assert_chain(got)
    assert got[-1].due == D(2027, 1, 4)


def test_periods_due_from_first_index():
    s = D(2025, 1, 6)
    until = D(2027, 1, 6)
    got = periods_due(s, 1, 'week', 'advance', 100, until)
    assert [p.index for p in got] == [100, 101, 102, 103, 104]
    assert got == brute_due(s, 1, 'week', 'advance', 100, until)
    assert periods_due(s, 1, 'week', 'advance', 105, until) == []


def test_periods_due_until_exact_due_date_is_included():
    s = D(2027, 1, 31)
    got = periods_due(s, 1, 'month', 'advance', 0, D(2027, 3, 31))
    assert [p.start for p in got] == [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31)]
    got = periods_due(s, 1, 'month', 'advance', 0, D(2027, 3, 30))
    assert [p.start for p in got] == [D(2027, 1, 31), D(2027, 2, 28)]
    got = periods_due(s, 1, 'month', 'arrears', 0, D(2027, 3, 31))
    assert [p.due for p in got] == [D(2027, 2, 28), D(2027, 3, 31)]
    assert periods_due(s, 1, 'month', 'arrears', 0, D(2027, 2, 27)) == []
    assert periods_due(s, 1, 'month', 'advance', 0, D(2027, 1, 30)) == []


def test_periods_due_limit():
    s = D(2025, 1, 6)
    until = D(2027, 1, 6)
    full = periods_due(s, 1, 'week', 'advance', 0, until)
    assert periods_due(s, 1, 'week', 'advance', 0, until, limit=10) == full[:10]
    assert periods_due(s, 1, 'week', 'advance', 0, until, limit=1) == full[:1]
    assert periods_due(s, 1, 'week', 'advance', 0, until, limit=0) == []
    assert periods_due(s, 1, 'week', 'advance', 0, until, limit=105) == full
    assert periods_due(s, 1, 'week', 'advance', 0, until, limit=1000) == full
    assert periods_due(s, 1, 'week', 'advance', 50, until, limit=3) == full[50:53]


def test_periods_due_date_end():
    s = D(2027, 1, 31)
    until = D(2030, 1, 1)
    # date_end falls inside a period: that period (started before) is included, the next not.
    got = periods_due(s, 1, 'month', 'advance', 0, until, date_end=D(2027, 5, 15))
    assert [p.start for p in got] == [D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31), D(2027, 4, 30)]
    # A period starting exactly on date_end is included.
    got = periods_due(s, 1, 'month', 'advance', 0, until, date_end=D(2027, 5, 31))
    assert got[-1].start == D(2027, 5, 31) and len(got) == 5
    got = periods_due(s, 1, 'month', 'arrears', 0, until, date_end=D(2027, 5, 31))
    assert got[-1].start == D(2027, 5, 31) and got[-1].due == D(2027, 6, 30) and len(got) == 5
    # The day before: it is not.
    got = periods_due(s, 1, 'month', 'advance', 0, until, date_end=D(2027, 5, 30))
    assert got[-1].start == D(2027, 4, 30) and len(got) == 4
    # date_end before date_start: nothing.
    assert periods_due(s, 1, 'month', 'advance', 0, until, date_end=D(2027, 1, 30)) == []
    assert [p.start for p in periods_due(s, 1, 'month', 'advance', 0, until, date_end=s)] == [s]
    # date_end and limit together.
    got = periods_due(s, 1, 'month', 'advance', 0, until, date_end=D(2027, 5, 31), limit=2)
    assert [p.index for p in got] == [0, 1]


def test_periods_due_date_end_never_includes_later_starts():
    s = D(2025, 1, 6)
    until = D(2027, 1, 6)
    date_end = D(2026, 3, 3)
    for mode in periods.MODES:
        got = periods_due(s, 1, 'week', mode, 0, until, date_end=date_end)
        assert got == brute_due(s, 1, 'week', mode, 0, until, date_end=date_end)
        assert all(p.start <= date_end for p in got)
        assert got[-1].end >= date_end  # the last one covers date_end
        assert_chain(got)


def test_iter_periods_date_end_and_count():
    s = D(2027, 1, 31)
    assert [p.start for p in iter_periods(s, 1, 'month', date_end=D(2027, 3, 31))] == [
        D(2027, 1, 31), D(2027, 2, 28), D(2027, 3, 31)]
    assert [p.start for p in iter_periods(s, 1, 'month', date_end=D(2027, 3, 30))] == [
        D(2027, 1, 31), D(2027, 2, 28)]
    assert list(iter_periods(s, 1, 'month', count=0)) == []
    assert [p.index for p in iter_periods(s, 1, 'month', first_index=5, count=3)] == [5, 6, 7]


# --------------------------------------------------------------------------- #
# is_finished, periods_per_year
# --------------------------------------------------------------------------- #

def test_is_finished():
    s = D(2027, 1, 31)
    assert is_finished(s, 1, 'month', 100, None) is False
    assert is_finished(s, 1, 'month', 0, D(2027, 1, 31)) is False
    assert is_finished(s, 1, 'month', 0, D(2027, 1, 30)) is True
    # period 4 starts 2027-05-31
    assert is_finished(s, 1, 'month', 4, D(2027, 5, 31)) is False
    assert is_finished(s, 1, 'month', 4, D(2027, 5, 30)) is True
    assert is_finished(s, 1, 'month', 5, D(2027, 5, 31)) is True
    assert is_finished(D(2028, 2, 29), 1, 'year', 1, D(2029, 2, 28)) is False
    assert is_finished(D(2028, 2, 29), 1, 'year', 1, D(2029, 2, 27)) is True


def test_is_finished_consistent_with_periods_due():
    s = D(2027, 1, 31)
    date_end = D(2027, 8, 15)
    got = periods_due(s, 1, 'month', 'advance', 0, D(2040, 1, 1), date_end=date_end)
    assert not is_finished(s, 1, 'month', got[-1].index, date_end)
    assert is_finished(s, 1, 'month', got[-1].index + 1, date_end)


def test_periods_per_year():
    assert periods_per_year(1, 'month') == 12
    assert periods_per_year(3, 'month') == 4
    assert periods_per_year(6, 'month') == 2
    assert periods_per_year(1, 'year') == 1
    assert periods_per_year(2, 'year') == 0.5
    assert periods_per_year(1, 'week') == pytest.approx(52.18, abs=0.005)
    assert periods_per_year(1, 'week') == pytest.approx(365.2425 / 7)
    assert periods_per_year(2, 'week') == pytest.approx(365.2425 / 14)
    assert periods_per_year(1, 'day') == pytest.approx(365.2425)
    assert periods_per_year(10, 'day') == pytest.approx(36.52425)


# --------------------------------------------------------------------------- #
# Bad input
# --------------------------------------------------------------------------- #

S = D(2027, 1, 31)
DAY = D(2027, 6, 1)


def _calls(number, unit, mode):
    return [
        lambda: period(S, 0, number, unit, mode),
        lambda: list(iter_periods(S, number, unit, mode, count=2)),
        lambda: first_index_due_on_or_after(S, number, unit, mode, DAY),
        lambda: periods_due(S, number, unit, mode, 0, DAY),
    ]


@pytest.mark.parametrize('unit', ['months', 'Month', 'quarter', '', None])
def test_unknown_unit_raises(unit):
    for call in _calls(1, unit, 'advance'):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError):
        periods_per_year(1, unit)
    with pytest.raises(ValueError):
        period_start(S, 1, 1, unit)


@pytest.mark.parametrize('mode', ['Advance', 'in_advance', 'arrear', '', None])
def test_unknown_mode_raises(mode):
    for call in _calls(1, 'month', mode):
        with pytest.raises(ValueError):
            call()


@pytest.mark.parametrize('number', [0, -1, -12, 1.0, 1.5, '1', None])
def test_bad_interval_raises(number):
    for call in _calls(number, 'month', 'advance'):
        with pytest.raises(ValueError):
            call()
    with pytest.raises(ValueError):
        periods_per_year(number, 'month')


def test_negative_index_raises():
    with pytest.raises(ValueError):
        period(S, -1, 1, 'month')
    with pytest.raises(ValueError):
        list(iter_periods(S, 1, 'month', first_index=-1, count=3))
    with pytest.raises(ValueError):
        periods_due(S, 1, 'month', 'advance', -1, DAY)


# --------------------------------------------------------------------------- #
# Properties
# --------------------------------------------------------------------------- #

PROPS = settings(max_examples=250, deadline=None, database=None,
                 suppress_health_check=[HealthCheck.too_slow])

start_dates = st.dates(min_value=D(1990, 1, 1), max_value=D(2090, 12, 31))
numbers = st.integers(min_value=1, max_value=24)
units = st.sampled_from(periods.UNITS)
modes = st.sampled_from(periods.MODES)


def _anchored_day(anchor, k, number, unit):
    months = k * number * (12 if unit == 'year' else 1)
    y, m0 = divmod(anchor.year * 12 + anchor.month - 1 + months, 12)
    last = calendar.monthrange(y, m0 + 1)[1]
    return D(y, m0 + 1, min(anchor.day, last))


@PROPS
@given(start_dates, numbers, units, modes, st.integers(min_value=0, max_value=60))
def test_prop_periods_chain(date_start, number, unit, mode, first_index):
    plist = list(iter_periods(date_start, number, unit, mode, first_index=first_index, count=25))
    assert len(plist) == 25
    assert [p.index for p in plist] == list(range(first_index, first_index + 25))
    assert_chain(plist)
    for p in plist:
        k = p.index
        assert p.start == period_start(date_start, k, number, unit)
        assert p.end >= p.start
        assert p.end == period_start(date_start, k + 1, number, unit) - ONE_DAY
        assert p == period(date_start, k, number, unit, mode)
        if mode == 'advance':
            assert p.due == p.start
        else:
            assert p.due == p.end + ONE_DAY
        if unit in ('day', 'week'):
            step = number * (7 if unit == 'week' else 1)
            assert p.start == date_start + timedelta(days=k * step)
            assert (p.end - p.start).days + 1 == step
        else:
            expected = _anchored_day(date_start, k, number, unit)
            assert p.start == expected
            last = calendar.monthrange(p.start.year, p.start.month)[1]
            assert p.start.day == min(date_start.day, last)
    if first_index == 0:
        assert plist[0].start == date_start


@PROPS
@given(start_dates, numbers, units, modes,
       st.integers(min_value=-400, max_value=20000))
def test_prop_first_index_is_minimal(date_start, number, unit, mode, offset):
    try:
        day = date_start + timedelta(days=offset)
    except OverflowError:  # pragma: no cover - dates stay far from year 9999
        return
    i = first_index_due_on_or_after(date_start, number, unit, mode, day)
    assert i >= 0
    assert period(date_start, i, number, unit, mode).due >= day
    if i > 0:
        assert period(date_start, i - 1, number, unit, mode).due < day
    if day <= date_start:
        assert i == 0


@PROPS
@given(start_dates, st.integers(min_value=1, max_value=6), units, modes,
       st.integers(min_value=-60, max_value=900))
def test_prop_first_index_matches_brute_force(date_start, number, unit, mode, offset):
    day = date_start + timedelta(days=offset)
    assert (first_index_due_on_or_after(date_start, number, unit, mode, day)
            == brute_first_index(date_start, number, unit, mode, day))


@PROPS
@given(start_dates, numbers, units, modes, st.integers(min_value=0, max_value=10),
       st.integers(min_value=0, max_value=1500),
       st.one_of(st.none(), st.integers(min_value=-30, max_value=1500)),
       st.one_of(st.none(), st.integers(min_value=0, max_value=40)))
def test_prop_periods_due(date_start, number, unit, mode, first_index, until_off, end_off, limit):
    until = date_start + timedelta(days=until_off)
    date_end = None if end_off is None else date_start + timedelta(days=end_off)
    got = periods_due(date_start, number, unit, mode, first_index, until,
                      date_end=date_end, limit=limit)
    expected = brute_due(date_start, number, unit, mode, first_index, until, date_end)
    if limit is not None:
        expected = expected[:limit]
    assert got == expected
    assert_chain(got)
    if got:
        assert got[0].index == first_index
    for p in got:
        assert p.due <= until
        assert date_end is None or p.start <= date_end
    # Nothing due is left out between the last one returned and ``until``.
    if limit is None or len(got) < limit:
        nxt = period(date_start, first_index + len(got), number, unit, mode)
        assert nxt.due > until or (date_end is not None and nxt.start > date_end)
        if date_end is not None and nxt.start > date_end:
            assert is_finished(date_start, number, unit, first_index + len(got), date_end)
