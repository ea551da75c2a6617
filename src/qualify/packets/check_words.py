"""A check's reason in plain words, as every page and the public copy print it: a cited record
("record #4", an id no reader sees) becomes the day it was entered, ids become the workflow's
labels, login names full names (`words` of context.py, as the packets word them)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import UTC

from sqlmodel import Session, col, select

from qualify.packets.context import words
from qualify.packets.people import People
from qualify.store.tables import Evidence
from qualify.workflow.documents import local_date
from qualify.workflow.spec import Workflow

# A check's reason cites the records it read as "record #N".
_CITED = re.compile(r"(\(|, )?record #(\d+)")


class CheckWording:
    """Words the check reasons of one selection: reads the day each cited record was entered
    once, for every reason given."""

    def __init__(self, session: Session, spec: Workflow, reasons: Iterable[str]) -> None:
        self.spec = spec
        self.people = People(session, spec)
        cited = {int(m.group(2)) for reason in reasons for m in _CITED.finditer(reason)}
        self.entered: dict[int, str] = {}
        if cited:
            rows = session.exec(select(Evidence).where(col(Evidence.id).in_(cited)))
            for row in rows:
                assert row.id is not None
                at = row.recorded_at
                day = local_date(at if at.tzinfo else at.replace(tzinfo=UTC), spec.time_zone)
                self.entered[row.id] = day.isoformat()

    def _citation(self, match: re.Match[str]) -> str:
        lead = match.group(1) or ""
        day = self.entered.get(int(match.group(2)))
        if lead:
            return f"{lead}recorded {day}" if day else f"{lead}on file"
        return f"the record entered {day}" if day else "the record on file"

    def reason(self, text: str) -> str:
        """The reason as a sentence: records cited by the day they were entered, in words."""
        worded = words(_CITED.sub(self._citation, text), self.spec, self.people)
        return worded[:1].upper() + worded[1:]
