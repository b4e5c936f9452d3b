"""The follow-up schedule after cryotherapy, computed from dates alone (no database).

After each procedure a follow-up is expected at fixed months (by default 1 and 3
months, then every 4 months up to 5 years: settings.FOLLOW_UP_SCHEDULE_MONTHS),
each within a window of ± settings.FOLLOW_UP_WINDOW_DAYS days (default 14). A
later procedure restarts the schedule from its own date, so only the latest
procedure's schedule is ever due.

Definitions used by the patient page, the worklist and `Patient.next_follow_up_due`:

* An expected follow-up *opens* `window` days before its due date and *closes*
  `window` days after it.
* It is *covered* by any contact (a follow-up of any kind) on or after the day
  it opens. A contact covers every expected follow-up that opened on or before
  its date, so a missed visit followed by a later contact is not overdue: the
  later contact is what matters for the audit.
* *Next due* is the due date of the first expected follow-up, in the latest
  procedure's schedule, that is not covered; None when there is no procedure or
  every expected follow-up is covered (schedule complete). Follow-up also ends
  when the patient died or was lost to follow-up (`next_due(ended=True)`).
* A patient is *overdue* on a day when that day is after next due + window
  (the window closed without a contact).
"""

from __future__ import annotations

import calendar
import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DEFAULT_MONTHS: tuple[int, ...] = (1, 3, *range(7, 60, 4))  # 1, 3, 7, 11, ..., 59
DEFAULT_WINDOW_DAYS = 14


@dataclass(frozen=True)
class ExpectedFollowUp:
    """One follow-up expected after a procedure."""

    months: int
    due: datetime.date
    opens: datetime.date
    closes: datetime.date
    covered: bool


def add_months(day: datetime.date, months: int) -> datetime.date:
    """Return the same day `months` later, clamped to the end of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def expected_follow_ups(
    procedure_dates: Iterable[datetime.date],
    contact_dates: Iterable[datetime.date],
    *,
    months: Sequence[int] = DEFAULT_MONTHS,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> list[ExpectedFollowUp]:
    """Return the latest procedure's expected follow-ups, each marked covered or not."""
    procedures = list(procedure_dates)
    if not procedures:
        return []
    start = max(procedures)
    window = datetime.timedelta(days=window_days)
    last_contact = max((day for day in contact_dates if day >= start), default=None)
    expected = []
    for month in sorted(months):
        due = add_months(start, month)
        opens = due - window
        covered = last_contact is not None and last_contact >= opens
        expected.append(ExpectedFollowUp(month, due, opens, due + window, covered))
    return expected


def next_due(
    procedure_dates: Iterable[datetime.date],
    contact_dates: Iterable[datetime.date],
    *,
    ended: bool = False,
    months: Sequence[int] = DEFAULT_MONTHS,
    window_days: int = DEFAULT_WINDOW_DAYS,
) -> datetime.date | None:
    """Return the due date of the first expected follow-up not yet covered, or None.

    `ended` means no further follow-up is expected (death, lost to follow-up).
    """
    if ended:
        return None
    for expected in expected_follow_ups(
        procedure_dates, contact_dates, months=months, window_days=window_days
    ):
        if not expected.covered:
            return expected.due
    return None


def overdue_cutoff(
    today: datetime.date, *, window_days: int = DEFAULT_WINDOW_DAYS
) -> datetime.date:
    """Return the date before which a next-due date is overdue on `today`."""
    return today - datetime.timedelta(days=window_days)


def is_overdue(
    due: datetime.date | None, today: datetime.date, *, window_days: int = DEFAULT_WINDOW_DAYS
) -> bool:
    """Tell whether a next-due date's window closed before `today`."""
    return due is not None and due < overdue_cutoff(today, window_days=window_days)


def follow_up_ended(
    procedure_dates: Iterable[datetime.date],
    contacts: Iterable[tuple[datetime.date, bool, bool]],
) -> str:
    """Tell why follow-up ended, from (date, died, lost to follow-up) contacts; "" if it goes on.

    Returns "died", or "lost" when the latest contact says the patient was lost
    to follow-up and no procedure came after it (a patient who comes back is
    followed up again).
    """
    contacts = list(contacts)
    if any(died for _, died, _ in contacts):
        return "died"
    if not contacts:
        return ""
    last_contact = max(day for day, _, _ in contacts)
    lost = any(lost for day, _, lost in contacts if day == last_contact)
    if lost and not any(day > last_contact for day in procedure_dates):
        return "lost"
    return ""
