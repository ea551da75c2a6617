"""SQLModel tables. Table models do not validate on construction: services validate first."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, UniqueConstraint
from sqlmodel import Field, SQLModel


class User(SQLModel, table=True):
    """A person who acts in qualify, with the workflow roles they hold."""

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(unique=True, max_length=100)
    roles: list[str] = Field(sa_column=Column(JSON, nullable=False))
    created_at: datetime
    full_name: str = Field(default="", max_length=200)
    title: str = Field(default="", max_length=200)

    @property
    def display_name(self) -> str:
        """How documents name the user: the full name, else the login name."""
        return self.full_name or self.name


class Selection(SQLModel, table=True):
    """One round of a workflow; its workflow text and hash are frozen when it opens."""

    id: int | None = Field(default=None, primary_key=True)
    title: str = Field(max_length=200)
    workflow_name: str = Field(max_length=100)
    workflow_version: str = Field(max_length=50)
    workflow_sha256: str = Field(max_length=64)
    workflow_text: str
    as_of: date
    opened_at: datetime
    opened_by: str = Field(max_length=100)


class Candidate(SQLModel, table=True):
    """One person in one selection; `version` is the optimistic lock. `name` is the display
    form of `first_name` and `last_name` ("Luis Reyes"), kept with them by the services."""

    __table_args__ = (UniqueConstraint("selection_id", "employee_id"),)

    id: int | None = Field(default=None, primary_key=True)
    selection_id: int = Field(foreign_key="selection.id", index=True)
    employee_id: str = Field(max_length=50)
    name: str = Field(max_length=200)
    first_name: str = Field(default="", max_length=100)
    last_name: str = Field(default="", max_length=100)
    rank: str = Field(default="", max_length=100)
    unit: str = Field(default="", max_length=100)
    supervisor: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=200)
    state: str = Field(max_length=50, index=True)
    version: int = 1
    created_at: datetime


class Evidence(SQLModel, table=True):
    """A fact on file about a candidate. Never edited: a newer record of a kind supersedes."""

    __table_args__ = (Index("ix_evidence_candidate_kind", "candidate_id", "kind"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id")
    kind: str = Field(max_length=50)
    fields: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    file_sha256: str | None = Field(default=None, max_length=64)
    file_name: str | None = Field(default=None, max_length=255)
    recorded_at: datetime
    recorded_by: str = Field(max_length=100)
    vouched_by: str = Field(max_length=100)  # who vouches for the fact (by default who entered it)


class AuditEvent(SQLModel, table=True):
    """One appended, hash-chained record of who did what, when, on what, and how it ended."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime
    actor: str = Field(max_length=100)
    role: str = Field(default="", max_length=50)
    action: str = Field(max_length=50)
    subject: str = Field(max_length=100)
    selection_id: int | None = Field(default=None, index=True)
    candidate_id: int | None = Field(default=None, index=True)
    outcome: str = Field(max_length=20)
    details: str
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
    # Where the command came from: `cli` (account: the operating-system account that ran it) or
    # `web` (account: the signed-in session). Empty only on events written before schema 0006.
    channel: str = Field(default="", max_length=20, sa_column_kwargs={"server_default": ""})
    account: str = Field(default="", max_length=100, sa_column_kwargs={"server_default": ""})
    # The audit key that signs `hash` (an HMAC); empty on the plain sha256 events before it.
    key_id: str = Field(default="", max_length=16, sa_column_kwargs={"server_default": ""})
    # Canonical JSON {"table:id": keyed hash of the row} of the records this event created or
    # changed; `audit verify` compares every current row with its latest event.
    records: str = Field(default="{}", sa_column_kwargs={"server_default": "{}"})


class PanelSeat(SQLModel, table=True):
    """A panelist holding a seat on a selection's interview panel."""

    __tablename__ = "panel_seat"
    __table_args__ = (UniqueConstraint("selection_id", "panelist"),)

    id: int | None = Field(default=None, primary_key=True)
    selection_id: int = Field(foreign_key="selection.id", index=True)
    seat: str = Field(max_length=50)
    position: int
    panelist: str = Field(max_length=100)
    assigned_at: datetime
    assigned_by: str = Field(max_length=100)


class PanelAlternate(SQLModel, table=True):
    """A panelist ready to take a seat, for a candidate whose seat holder may not score them
    (the candidate's supervisor, or a declared conflict): the first eligible alternate of that
    seat sits for that candidate for the whole interview."""

    __tablename__ = "panel_alternate"
    __table_args__ = (UniqueConstraint("selection_id", "panelist"),)

    id: int | None = Field(default=None, primary_key=True)
    selection_id: int = Field(foreign_key="selection.id", index=True)
    seat: str = Field(max_length=50)
    position: int
    panelist: str = Field(max_length=100)
    assigned_at: datetime
    assigned_by: str = Field(max_length=100)


class ConflictDeclaration(SQLModel, table=True):
    """A panelist's declaration of no conflict of interest, or of one, for a candidate."""

    __tablename__ = "conflict_declaration"

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    panelist: str = Field(max_length=100)
    conflict: str | None = None
    at: datetime


class Scorecard(SQLModel, table=True):
    """One panelist's scores for one candidate. A draft may change; a submitted one never does:
    a correction is a new version with a reason."""

    __table_args__ = (UniqueConstraint("candidate_id", "panelist", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    panelist: str = Field(max_length=100)
    seat: str = Field(max_length=50)
    version: int
    status: str = Field(max_length=20)
    scores: dict[str, int] = Field(sa_column=Column(JSON, nullable=False))
    comments: dict[str, str] = Field(sa_column=Column(JSON, nullable=False))
    reason: str | None = None
    created_at: datetime
    submitted_at: datetime | None = None


class InterviewResult(SQLModel, table=True):
    """A candidate's interview result as `results` shows it, kept current in the same transaction
    as every declaration, scorecard and panel change that affects it, so that listing a large
    selection reads one row per candidate. The records above stay the source of truth:
    `audit verify` recomputes these rows from them and reports any that differ."""

    __tablename__ = "interview_result"

    candidate_id: int = Field(foreign_key="candidate.id", primary_key=True)
    selection_id: int = Field(foreign_key="selection.id", index=True)
    complete: bool
    sort_key: list[Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    summary: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class SelfIdentification(SQLModel, table=True):
    """A candidate's voluntary self-identification (EEO-4 categories, or declined). Kept apart
    from the candidate's record; entered by the roles of `record_eeo`, read only by `view_eeo`,
    and used only by the fairness report and the applicant-flow log."""

    __tablename__ = "self_identification"

    candidate_id: int = Field(foreign_key="candidate.id", primary_key=True)
    sex: str = Field(max_length=30)
    race_ethnicity: str = Field(max_length=50)
    recorded_at: datetime
    recorded_by: str = Field(max_length=100)


class LegalHold(SQLModel, table=True):
    """A hold on a selection's records while a dispute may need them: no purge until released."""

    __tablename__ = "legal_hold"

    id: int | None = Field(default=None, primary_key=True)
    selection_id: int = Field(foreign_key="selection.id", index=True)
    reason: str
    placed_at: datetime
    placed_by: str = Field(max_length=100)
    released_at: datetime | None = None
    released_by: str | None = Field(default=None, max_length=100)
    release_reason: str | None = None


class Tombstone(SQLModel, table=True):
    """What a purge removed from one row: the table, the row, the fields, and the sha256 of the
    canonical JSON of what was there, so the record shows where data was and that it is gone."""

    id: int | None = Field(default=None, primary_key=True)
    selection_id: int = Field(foreign_key="selection.id", index=True)
    table_name: str = Field(max_length=50)
    row_key: str = Field(max_length=100)
    fields: list[str] = Field(sa_column=Column(JSON, nullable=False))
    sha256: str = Field(max_length=64)
    purged_at: datetime
    event_id: int


class Password(SQLModel, table=True):
    """A user's portal password, as an argon2id hash (never the password itself)."""

    __tablename__ = "user_password"

    user_name: str = Field(primary_key=True, foreign_key="user.name", max_length=100)
    hash: str = Field(max_length=255)
    set_at: datetime


class Invitation(SQLModel, table=True):
    """A one-time link to set a portal password. Only the sha256 of its token is stored; it
    works once, until `expires_at`, unless a newer invitation or a reset revoked it."""

    id: int | None = Field(default=None, primary_key=True)
    user_name: str = Field(foreign_key="user.name", max_length=100, index=True)
    token_sha256: str = Field(max_length=64, unique=True)
    created_at: datetime
    created_by: str = Field(max_length=100)
    expires_at: datetime
    used_at: datetime | None = None
    revoked_at: datetime | None = None


class WebSession(SQLModel, table=True):
    """A portal session: the sha256 of the random id in the browser's cookie, who signed in
    (none yet on the sign-in form), the CSRF token bound to it, and when it began and was last
    used. A session that ends is deleted."""

    __tablename__ = "web_session"

    id_sha256: str = Field(primary_key=True, max_length=64)
    user_name: str | None = Field(default=None, foreign_key="user.name", max_length=100, index=True)
    csrf_token: str = Field(max_length=64)
    created_at: datetime
    last_seen_at: datetime


class SignInFailure(SQLModel, table=True):
    """A failed sign-in for a user name as typed (registered or not: the lockout must not tell
    which), kept while it counts towards a lockout."""

    __tablename__ = "sign_in_failure"

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=100, index=True)
    at: datetime


class SignInLock(SQLModel, table=True):
    """A user name whose sign-in is locked after repeated failures, until `locked_until`."""

    __tablename__ = "sign_in_lock"

    name: str = Field(primary_key=True, max_length=100)
    locked_at: datetime
    locked_until: datetime


class ActivityReport(SQLModel, table=True):
    """An appointed officer's quarterly activity report: the figures the workflow defines. Never
    edited: a correction is a new version with a reason, and the earlier versions stay."""

    __tablename__ = "activity_report"
    __table_args__ = (UniqueConstraint("candidate_id", "quarter", "version"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    quarter: str = Field(max_length=6)
    version: int
    figures: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    reason: str | None = None
    entered_at: datetime
    entered_by: str = Field(max_length=100)


class TrainingDirection(SQLModel, table=True):
    """A course of training directed for a candidate: who directed it, when, and the date it
    is due. Edited only to correct that date, with a reason (`training_due_changed`); its
    completion is an evidence record (`training_completed`)."""

    __tablename__ = "training_direction"
    __table_args__ = (UniqueConstraint("candidate_id", "course"),)

    id: int | None = Field(default=None, primary_key=True)
    candidate_id: int = Field(foreign_key="candidate.id", index=True)
    course: str = Field(max_length=50)
    due_on: date
    directed_at: datetime
    directed_by: str = Field(max_length=100)
    role: str = Field(max_length=50)
