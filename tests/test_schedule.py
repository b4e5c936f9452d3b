"""The follow-up schedule: pure date arithmetic, no database."""

import datetime

from registry import schedule

D = datetime.date


def test_default_schedule_is_1_and_3_months_then_every_4_months_to_5_years():
    assert schedule.DEFAULT_MONTHS == (1, 3, 7, 11, 15, 19, 23, 27, 31, 35, 39, 43, 47, 51, 55, 59)


def test_add_months_clamps_to_the_end_of_a_shorter_month():
    assert schedule.add_months(D(2025, 1, 31), 1) == D(2025, 2, 28)
    assert schedule.add_months(D(2024, 1, 31), 1) == D(2024, 2, 29)
    assert schedule.add_months(D(2025, 11, 15), 3) == D(2026, 2, 15)


def test_each_expected_follow_up_has_a_window_around_its_due_date():
    (first, second, *_) = schedule.expected_follow_ups([D(2025, 1, 10)], [])
    assert (first.months, first.due, first.opens, first.closes) == (
        1,
        D(2025, 2, 10),
        D(2025, 1, 27),
        D(2025, 2, 24),
    )
    assert second.due == D(2025, 4, 10)


def test_no_procedure_means_nothing_is_due():
    assert schedule.next_due([], [D(2025, 1, 1)]) is None


def test_first_visit_is_due_one_month_after_the_procedure():
    assert schedule.next_due([D(2025, 1, 10)], []) == D(2025, 2, 10)


def test_a_contact_inside_the_window_covers_the_visit():
    assert schedule.next_due([D(2025, 1, 10)], [D(2025, 1, 28)]) == D(2025, 4, 10)


def test_a_contact_before_the_window_opens_does_not_cover_it():
    # A wound check on day 5 is not the one-month follow-up.
    assert schedule.next_due([D(2025, 1, 10)], [D(2025, 1, 15)]) == D(2025, 2, 10)


def test_a_missed_visit_followed_by_a_later_contact_is_not_overdue():
    # Nobody came at 1 or 3 months, but a contact at 4 months covers both.
    assert schedule.next_due([D(2025, 1, 10)], [D(2025, 5, 10)]) == D(2025, 8, 10)


def test_a_later_procedure_restarts_the_schedule_from_its_date():
    procedures = [D(2025, 1, 10), D(2025, 6, 1)]
    contacts = [D(2025, 2, 10), D(2025, 4, 10)]
    assert schedule.next_due(procedures, contacts) == D(2025, 7, 1)


def test_contacts_before_the_latest_procedure_do_not_count():
    assert schedule.next_due([D(2025, 6, 1)], [D(2025, 12, 1)]) == D(2026, 1, 1)
    assert schedule.next_due([D(2025, 6, 1)], [D(2025, 5, 31)]) == D(2025, 7, 1)


def test_schedule_is_complete_after_the_five_year_visit():
    assert schedule.next_due([D(2020, 1, 10)], [D(2024, 12, 1)]) is None


def test_nothing_is_due_once_follow_up_ended():
    assert schedule.next_due([D(2025, 1, 10)], [], ended=True) is None


def test_the_schedule_and_window_are_configurable():
    assert schedule.next_due([D(2025, 1, 10)], [], months=[6]) == D(2025, 7, 10)
    assert schedule.next_due([D(2025, 1, 10)], [D(2025, 2, 1)], window_days=5) == D(2025, 2, 10)


def test_overdue_once_the_window_closed_without_a_contact():
    due = D(2025, 2, 10)
    assert not schedule.is_overdue(due, D(2025, 2, 24))
    assert schedule.is_overdue(due, D(2025, 2, 25))
    assert not schedule.is_overdue(None, D(2030, 1, 1))
