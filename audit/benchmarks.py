"""How a published figure is written, the same on every page and in every export.

Pure Python: the model, the selectors and the templates all call `figure_text` so a
figure reads exactly as the publication printed it (e.g. "279/295 (94.6%)",
"29 months (range 3-62)", "RR 0.88 (95% CI 0.77-1.02)", with en dashes).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

DASH = "\N{EN DASH}"  # ranges are typeset as the publications print them


@dataclass(frozen=True)
class FigureText:
    numerator: int | None
    denominator: int | None
    value: Decimal | float | None
    value_unit: str
    decimals: int
    range_low: Decimal | float | None = None
    range_high: Decimal | float | None = None
    ci_low: Decimal | float | None = None
    ci_high: Decimal | float | None = None


def number(value: Decimal | float, decimals: int) -> str:
    """Return a published number with its published number of decimals."""
    return f"{Decimal(str(value)):.{decimals}f}"


def _range_decimals(*values: Decimal | float) -> int:
    """Return the fewest decimals that show every end of a range exactly."""
    for decimals in (0, 1, 2):
        if all(Decimal(str(v)) == round(Decimal(str(v)), decimals) for v in values):
            return decimals
    return 2


def _range(low: Decimal | float | None, high: Decimal | float | None) -> str:
    """Return a published range joined by an en dash (or one end, if only one was entered)."""
    ends = [v for v in (low, high) if v is not None]
    decimals = _range_decimals(*ends)
    return DASH.join(number(v, decimals) for v in ends)


def _percent_text(figure: FigureText) -> str:
    if figure.value is None:
        return f"{_range(figure.range_low, figure.range_high)}%"
    percent = f"{number(figure.value, figure.decimals)}%"
    if figure.numerator is not None and figure.denominator is not None:
        return f"{figure.numerator}/{figure.denominator} ({percent})"
    if figure.numerator is not None:
        return f"{figure.numerator} ({percent})"
    return percent


def figure_text(figure: FigureText) -> str:
    """Return the figure as the publication wrote it."""
    if figure.value_unit == "percent":
        return _percent_text(figure)
    months = figure.value_unit == "months"
    if figure.value is None:
        spread = _range(figure.range_low, figure.range_high)
        return f"{spread} months" if months else f"RR {spread}"
    shown = number(figure.value, figure.decimals)
    text = f"{shown} months" if months else f"RR {shown}"
    if figure.range_low is not None and figure.range_high is not None:
        text += f" (range {_range(figure.range_low, figure.range_high)})"
    if figure.ci_low is not None and figure.ci_high is not None:
        ci = DASH.join(number(v, figure.decimals) for v in (figure.ci_low, figure.ci_high))
        text += f" (95% CI {ci})"
    return text
