"""Template tags that render form fields accessibly, the same way on every form.

`{% field form.name %}` renders a label, the input, help text and errors, with
`aria-describedby` pointing at the help and the error and `aria-invalid` on
error; choice groups are a fieldset with a legend. `{% error_summary form
rows %}` lists every error at the top of the page, each linking to its field.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django import forms, template
from django.conf import settings
from django.forms.boundfield import BoundField
from django.urls import reverse

from registry import display, schedule

register = template.Library()


def _kind(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.RadioSelect | forms.CheckboxSelectMultiple):
        return "group"
    if isinstance(widget, forms.CheckboxInput):
        return "checkbox"
    if isinstance(widget, forms.HiddenInput):
        return "hidden"
    return "input"


def _css_class(field: BoundField) -> str:
    widget = field.field.widget
    if isinstance(widget, forms.Select):
        return "form-select"
    if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
        return "form-check-input"
    return "form-control"


@register.inclusion_tag("registry/includes/field.html")
def field(bound: BoundField, css: str = "", label: str = "") -> dict[str, Any]:
    """Render one form field with its label, help, errors and ARIA links."""
    base_id = bound.auto_id or bound.html_name
    help_id = f"{base_id}_help" if bound.help_text else ""
    error_id = f"{base_id}_error" if bound.errors else ""
    described_by = " ".join(part for part in (error_id, help_id) if part)
    kind = _kind(bound)
    attrs: dict[str, Any] = {"class": _css_class(bound) + (" is-invalid" if bound.errors else "")}
    if described_by:
        attrs["aria-describedby"] = described_by
    if bound.errors:
        attrs["aria-invalid"] = "true"
    options = []
    if kind == "group":
        descriptions = getattr(bound.field, "descriptions", {})
        for option in bound.subwidgets:
            value = option.data["value"]
            options.append(
                {
                    "id": option.id_for_label,
                    "value": "" if value is None else value,
                    "label": option.choice_label,
                    "checked": option.data["selected"],
                    "description": descriptions.get(str(value), ""),
                }
            )
    return {
        "field": bound,
        "kind": kind,
        "widget": bound.as_widget(attrs=attrs) if kind != "group" else "",
        "options": options,
        "input_type": getattr(bound.field.widget, "input_type", "radio"),
        "label": label or bound.label,
        "help_id": help_id,
        "error_id": error_id,
        "described_by": described_by,
        "css": css,
    }


@dataclass(frozen=True)
class SummaryLine:
    anchor: str
    text: str


def _lines(form: forms.BaseForm, prefix_label: str) -> list[SummaryLine]:
    lines = []
    lead = f"{prefix_label}: " if prefix_label else ""
    for error in form.non_field_errors():
        anchor = f"#{form.prefix}" if form.prefix else "#record-form"
        lines.append(SummaryLine(anchor, lead + str(error)))
    for name, errors in form.errors.items():
        if name == "__all__":
            continue
        bound = form[name]
        anchor = f"#{bound.auto_id}"
        if _kind(bound) == "group":
            anchor = f"#{bound.auto_id}_0"
        label = bound.label if _kind(bound) != "hidden" else "Hidden field " + str(bound.label)
        for error in errors:
            lines.append(SummaryLine(anchor, f"{lead}{label}: {error}"))
    return lines


@register.inclusion_tag("registry/includes/error_summary.html")
def error_summary(form: forms.BaseForm, rows: Iterable[Any] = ()) -> dict[str, Any]:
    """List every error of a form and its rows at the top, each linking to its field.

    `rows` holds (label, form) pairs or formsets (rows labelled by number).
    """
    lines = _lines(form, "")
    if isinstance(rows, forms.BaseFormSet):
        rows = [rows]
    for item in rows:
        if isinstance(item, forms.BaseFormSet):
            for error in item.non_form_errors():
                lines.append(SummaryLine("#rows", str(error)))
            for number, row in enumerate(item.forms, start=1):
                lines.extend(_lines(row, getattr(row, "row_label", f"Row {number}")))
        else:
            label, row = item
            lines.extend(_lines(row, label))
    return {"lines": lines}


@register.filter
def overdue(due: Any, today: Any) -> bool:
    """Tell whether a next-due date's window closed before today."""
    return schedule.is_overdue(due, today, window_days=settings.FOLLOW_UP_WINDOW_DAYS)


@register.filter
def days_since(day: Any, today: Any) -> int:
    return int((today - day).days) if day else 0


@register.filter
def record_name(record: Any) -> str:
    """Name a record of any kind for a list, e.g. "Procedure on 02/03/2025"."""
    return display.record_name(record)


@register.filter
def restore_url(record: Any) -> str:
    return reverse("registry:record_action", args=[display.kind_of(record), record.pk, "restore"])
