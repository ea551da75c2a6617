"""Reading a rendered page's form controls: which have no label, and which radios are not
grouped under a fieldset with a legend."""

from __future__ import annotations

from html.parser import HTMLParser

CONTROLS = ("input", "textarea", "select")


class Controls(HTMLParser):
    """The form controls of a page (not hidden ones), the ids its labels name, and for each
    radio whether it sits in a fieldset that has a legend."""

    def __init__(self) -> None:
        super().__init__()
        self.controls: list[dict[str, str | None]] = []
        self.labelled: set[str] = set()
        self.open_labels = 0
        self.fieldsets: list[dict[str, bool]] = []  # open fieldsets: has it a legend yet
        self.radios: list[tuple[str, dict[str, bool] | None]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "label":
            self.open_labels += 1
            if found.get("for"):
                self.labelled.add(str(found["for"]))
        elif tag == "fieldset":
            self.fieldsets.append({"legend": False})
        elif tag == "legend" and self.fieldsets:
            self.fieldsets[-1]["legend"] = True
        elif tag in CONTROLS and found.get("type") != "hidden" and "hidden" not in found:
            self.controls.append({**found, "wrapped": "yes" if self.open_labels else None})
            if found.get("type") == "radio":
                group = self.fieldsets[-1] if self.fieldsets else None
                self.radios.append((str(found.get("name")), group))

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.open_labels -= 1
        elif tag == "fieldset" and self.fieldsets:
            self.fieldsets.pop()


def read(page: str) -> Controls:
    parser = Controls()
    parser.feed(page)
    parser.close()
    return parser


def unlabelled(page: str) -> list[str]:
    """The names of the controls that no <label> names (by `for`) or wraps."""
    found = read(page)
    return [
        str(c.get("name"))
        for c in found.controls
        if not c["wrapped"] and c.get("id") not in found.labelled
    ]


def ungrouped_radios(page: str) -> list[str]:
    """The names of the radios outside a fieldset, or in one without a legend."""
    return sorted({name for name, group in read(page).radios if not (group and group["legend"])})
