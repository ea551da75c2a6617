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


VOID = {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}


class Descriptions(HTMLParser):
    """A form's hints and per-field messages (elements of the class `hint` or `field-error`
    inside a form, not part of a label or legend, with text), and the ids that elements name
    in `aria-describedby`."""

    def __init__(self) -> None:
        super().__init__()
        self.open: list[tuple[str, dict[str, str] | None]] = []  # tag, and the note it begins
        self.notes: list[dict[str, str]] = []
        self.ids: set[str] = set()
        self.described: set[str] = set()

    def _inside(self, *tags: str) -> bool:
        return any(tag in tags for tag, _ in self.open)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = {k: v or "" for k, v in attrs}
        if found.get("id"):
            self.ids.add(found["id"])
        self.described.update(found.get("aria-describedby", "").split())
        classes = found.get("class", "").split()
        note = None
        if (
            {"hint", "field-error"} & set(classes)
            and self._inside("form")
            and not self._inside("label", "legend")
        ):
            note = {"id": found.get("id", ""), "text": ""}
            self.notes.append(note)
        if tag not in VOID:
            self.open.append((tag, note))

    def handle_endtag(self, tag: str) -> None:
        while self.open:
            closed, _ = self.open.pop()
            if closed == tag:
                break

    def handle_data(self, data: str) -> None:
        for _, note in self.open:
            if note is not None:
                note["text"] += data


def undescribed(page: str) -> list[str]:
    """The hints and field messages of a page's forms that no input names in its
    `aria-describedby` (a screen reader would not read them with the input), and the ids an
    `aria-describedby` names that the page does not have."""
    parser = Descriptions()
    parser.feed(page)
    parser.close()
    notes = [n for n in parser.notes if n["text"].strip()]
    unnamed = [n["text"].strip() for n in notes if n["id"] not in parser.described]
    return unnamed + [f"#{name}" for name in sorted(parser.described - parser.ids)]
