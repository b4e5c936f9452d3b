"""Field validators shared by the registry models."""

import datetime
import re

from django.core.exceptions import ValidationError
from django.utils import timezone

_NHS_SEPARATORS = re.compile(r"[\s-]")


def normalise_nhs_number(value: str) -> str:
    """Return an NHS number without the spaces or hyphens people type into it."""
    return _NHS_SEPARATORS.sub("", value)


def nhs_check_digit(first_nine: str) -> int | None:
    """Return the Modulus 11 check digit for nine digits, or None if none exists.

    Weights run 10 down to 2; the check digit is 11 minus the remainder of the
    weighted sum divided by 11, with 11 meaning 0 and 10 meaning the number can
    never be valid (NHS Data Dictionary, "NHS Number").
    """
    total = sum(
        int(digit) * weight for digit, weight in zip(first_nine, range(10, 1, -1), strict=True)
    )
    check = 11 - total % 11
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def is_valid_nhs_number(value: str) -> bool:
    """Tell whether a (normalised) string is a valid ten-digit NHS number."""
    if len(value) != 10 or not value.isdigit():
        return False
    return nhs_check_digit(value[:9]) == int(value[9])


def validate_nhs_number(value: str) -> None:
    """Reject a value that is not a valid NHS number, saying why."""
    number = normalise_nhs_number(value)
    if len(number) != 10 or not number.isdigit():
        raise ValidationError(
            "An NHS number has exactly 10 digits (spaces are ignored).", code="nhs_format"
        )
    if not is_valid_nhs_number(number):
        raise ValidationError(
            "This is not a valid NHS number: the check digit does not match. "
            "Please check it against the patient's records.",
            code="nhs_check_digit",
        )


def validate_not_in_future(value: datetime.date) -> None:
    """Reject a date after today (in the registry's time zone)."""
    today = timezone.localdate()
    if value > today:
        raise ValidationError(
            "This date is in the future (today is %(today)s).",
            code="future_date",
            params={"today": today.strftime("%d/%m/%Y")},
        )
