"""How long a ranking stays a valid eligible list: pure date arithmetic.

The list is established on the day of the selection decision (a date in the selection's time
zone) and can be used through the day before the same date `months` later; on that date it has
expired. A date that does not exist in the later month (31 March + 1 month) falls to the
month's last day (30 April)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month where it has fewer days."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class EligibleList:
    """An eligible list's life: established on the decision day, expired from `expires`."""

    established: date
    expires: date

    @classmethod
    def from_decision(cls, decided: date, months: int) -> EligibleList:
        return cls(decided, add_months(decided, months))

    @property
    def last_valid_day(self) -> date:
        return date.fromordinal(self.expires.toordinal() - 1)

    def valid_on(self, day: date) -> bool:
        """Not expired on `day`. (A day before the decision's, which only a clock behind the
        records gives, such as the demo's dates in the future, is not an expiry.)"""
        return day < self.expires
