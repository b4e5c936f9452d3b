"""Submit the forms of the clinician pages as a browser would, with changes."""

from __future__ import annotations

from html.parser import HTMLParser
from typing import Any


class _FormReader(HTMLParser):
    """Collect what a browser would submit from the form with id="record-form"."""

    def __init__(self) -> None:
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self.in_form = False
        self.select: str | None = None
        self.select_first: str | None = None
        self.select_chosen = False
        self.textarea: str | None = None
        self.in_template = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and a.get("id") == "record-form":
            self.in_form = True
        if tag == "template":
            self.in_template += 1
        if not self.in_form or self.in_template:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select" and name:
            self.select, self.select_first, self.select_chosen = name, None, False
        elif tag == "option" and self.select:
            value = a.get("value", "")
            if self.select_first is None:
                self.select_first = value
            if "selected" in a:
                self.data.setdefault(self.select, []).append(value)
                self.select_chosen = True
        elif tag == "textarea" and name:
            self.textarea = name
            self.data.setdefault(name, []).append("")

    def handle_endtag(self, tag: str) -> None:
        if tag == "template":
            self.in_template -= 1
        elif tag == "form":
            self.in_form = False
        elif tag == "select" and self.select:
            if not self.select_chosen:
                self.data.setdefault(self.select, []).append(self.select_first or "")
            self.select = None
        elif tag == "textarea":
            self.textarea = None

    def handle_data(self, data: str) -> None:
        if self.textarea and self.in_form:
            self.data[self.textarea][-1] += data.lstrip("\n")


def form_data(response: Any) -> dict[str, Any]:
    """Return the values the page's record form would submit unchanged."""
    reader = _FormReader()
    reader.feed(response.content.decode())
    return {k: v if len(v) > 1 else v[0] for k, v in reader.data.items()}


def submit(client: Any, url: str, changes: dict[str, Any] | None = None, **kwargs: Any) -> Any:
    """GET the form, change some values (None removes one), POST it back."""
    data = form_data(client.get(url))
    for key, value in (changes or {}).items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return client.post(url, data, **kwargs)
