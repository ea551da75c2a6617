"""What checks and scoring read about a candidate: plain values, loaded by the services."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class EvidenceRecord:
    """One evidence record as the checks see it."""

    id: int
    kind: str
    fields: dict[str, Any]
    recorded_at: datetime
    recorded_by: str
    file_sha256: str | None = None


@dataclass(frozen=True)
class InterviewFacts:
    """The candidate's interview results so far, as the guards see them."""

    seats: int
    complete: bool
    missing: tuple[str, ...]
    passed: bool
    failures: tuple[str, ...]
    total: float | None


@dataclass(frozen=True)
class CandidateFacts:
    """Everything on file about one candidate that a check may read. Every record here counts,
    whenever it was entered: the checks weigh each fact by its own date."""

    supervisor: str
    evidence: tuple[EvidenceRecord, ...] = ()
    user_roles: dict[str, tuple[str, ...]] = field(default_factory=dict)
    interview: InterviewFacts | None = None

    def records(self, kind: str) -> list[EvidenceRecord]:
        """Every record of a kind, oldest first."""
        return sorted((e for e in self.evidence if e.kind == kind), key=lambda e: e.id)

    def current(self, kind: str) -> EvidenceRecord | None:
        """The newest record of a kind: it supersedes the older ones."""
        records = self.records(kind)
        return records[-1] if records else None
