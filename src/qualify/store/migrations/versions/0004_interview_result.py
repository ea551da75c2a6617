"""interview_result: each candidate's interview result, kept current for fast listing

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-27

The rows are filled from the records with the rules as they stood when this migration was
written, copied below, so that later changes to the services cannot change what it does. It
reads the tables with plain SQL and the frozen workflow text with the safe YAML loader, and
imports nothing from qualify.
"""

from collections import defaultdict
from collections.abc import Sequence
from fractions import Fraction
from math import gcd
from typing import Any

import sqlalchemy as sa
import yaml
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_meta = sa.MetaData()
_selection = sa.Table(
    "selection", _meta, sa.Column("id", sa.Integer), sa.Column("workflow_text", sa.Text)
)
_candidate = sa.Table(
    "candidate",
    _meta,
    sa.Column("id", sa.Integer),
    sa.Column("selection_id", sa.Integer),
    sa.Column("employee_id", sa.String),
    sa.Column("supervisor", sa.String),
)
_seat = sa.Table(
    "panel_seat",
    _meta,
    sa.Column("selection_id", sa.Integer),
    sa.Column("seat", sa.String),
    sa.Column("position", sa.Integer),
    sa.Column("panelist", sa.String),
)
_attestation = sa.Table(
    "attestation",
    _meta,
    sa.Column("id", sa.Integer),
    sa.Column("candidate_id", sa.Integer),
    sa.Column("panelist", sa.String),
    sa.Column("conflict", sa.String),
)
_scorecard = sa.Table(
    "scorecard",
    _meta,
    sa.Column("candidate_id", sa.Integer),
    sa.Column("panelist", sa.String),
    sa.Column("seat", sa.String),
    sa.Column("version", sa.Integer),
    sa.Column("status", sa.String),
    sa.Column("scores", sa.JSON),
    sa.Column("reason", sa.String),
)
_result = sa.Table(
    "interview_result",
    _meta,
    sa.Column("candidate_id", sa.Integer),
    sa.Column("selection_id", sa.Integer),
    sa.Column("complete", sa.Boolean),
    sa.Column("sort_key", sa.JSON),
    sa.Column("summary", sa.JSON),
)


def upgrade() -> None:
    op.create_table(
        "interview_result",
        sa.Column("candidate_id", sa.Integer(), nullable=False),
        sa.Column("selection_id", sa.Integer(), nullable=False),
        sa.Column("complete", sa.Boolean(), nullable=False),
        sa.Column("sort_key", sa.JSON(), nullable=True),
        sa.Column("summary", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(["candidate_id"], ["candidate.id"]),
        sa.ForeignKeyConstraint(["selection_id"], ["selection.id"]),
        sa.PrimaryKeyConstraint("candidate_id"),
    )
    with op.batch_alter_table("interview_result", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_interview_result_selection_id"), ["selection_id"], unique=False
        )
    # Fill the rows for interviews already under way, computed from their records.
    bind = op.get_bind()
    for selection_id, text in bind.execute(sa.select(_selection.c.id, _selection.c.workflow_text)):
        rows = _rows(bind, selection_id, yaml.safe_load(text))
        if rows:
            bind.execute(_result.insert(), rows)


def downgrade() -> None:
    with op.batch_alter_table("interview_result", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_interview_result_selection_id"))
    op.drop_table("interview_result")


def _rows(bind: Any, selection_id: int, workflow: dict[str, Any]) -> list[dict[str, Any]]:
    """One row for every candidate of the selection with a declaration or a scorecard."""
    rubric = workflow["rubric"]
    excluded = workflow.get("panel", {}).get("excluded") or []
    seats = [
        (seat, panelist)
        for seat, panelist in bind.execute(
            sa.select(_seat.c.seat, _seat.c.panelist)
            .where(_seat.c.selection_id == selection_id)
            .order_by(_seat.c.seat, _seat.c.position)
        )
    ]
    people = bind.execute(
        sa.select(_candidate.c.id, _candidate.c.employee_id, _candidate.c.supervisor)
        .where(_candidate.c.selection_id == selection_id)
        .order_by(_candidate.c.id)
    ).all()
    ids = [p.id for p in people]
    if not ids:
        return []
    declared: dict[int, dict[str, str | None]] = defaultdict(dict)
    for row in bind.execute(
        sa.select(_attestation.c.candidate_id, _attestation.c.panelist, _attestation.c.conflict)
        .where(_attestation.c.candidate_id.in_(ids))
        .order_by(_attestation.c.id)
    ):
        declared[row.candidate_id][row.panelist] = row.conflict  # the newest stands
    heard = set(declared)
    heard.update(
        bind.execute(
            sa.select(_scorecard.c.candidate_id).where(_scorecard.c.candidate_id.in_(ids))
        ).scalars()
    )
    versions: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    for row in bind.execute(
        sa.select(_scorecard)
        .where(_scorecard.c.candidate_id.in_(ids), _scorecard.c.status == "submitted")
        .order_by(_scorecard.c.version)
    ):
        versions[row.candidate_id][row.panelist].append(row)
    exact = _Exact(rubric)
    rows = []
    for person in people:
        if person.id not in heard:
            continue
        conflicts = declared.get(person.id, {})
        barred = {}
        cards = {}
        for _, panelist in seats:
            if "candidate_supervisor" in excluded and panelist == person.supervisor:
                barred[panelist] = "is the candidate's supervisor"
            elif conflicts.get(panelist) is not None:
                barred[panelist] = f"declared a conflict of interest: {conflicts[panelist]}"
            mine = versions[person.id].get(panelist)
            if mine:
                cards[panelist] = {
                    "panelist": panelist,
                    "version": mine[-1].version,
                    "reason": mine[-1].reason,
                    "previous": dict(mine[-2].scores) if len(mine) > 1 else None,
                    "scores": mine[-1].scores,
                }
        summary, overall, means = _score(
            rubric, exact, person.id, person.employee_id, seats, barred, cards
        )
        key = _sort_key(rubric, summary, overall, means) if summary["complete"] else None
        rows.append(
            {
                "candidate_id": person.id,
                "selection_id": selection_id,
                "complete": summary["complete"],
                "sort_key": key,
                "summary": summary,
            }
        )
    return rows


class _Exact:
    """The rubric's weights, pass mark and minimums as exact fractions."""

    def __init__(self, rubric: dict[str, Any]) -> None:
        fractions = [Fraction(str(float(c["weight"]))) for c in rubric["criteria"]]
        denominator = 1
        for f in fractions:
            denominator = denominator * f.denominator // gcd(denominator, f.denominator)
        self.weights = [int(f * denominator) for f in fractions]
        self.pass_mark = Fraction(str(float(rubric["pass_mark"])))
        self.minimums: list[tuple[Fraction | None, bool]] = []
        for c in rubric["criteria"]:
            if c.get("minimum_mean_above") is not None:
                self.minimums.append((Fraction(str(float(c["minimum_mean_above"]))), True))
            elif c.get("minimum_mean") is not None:
                self.minimums.append((Fraction(str(float(c["minimum_mean"]))), False))
            else:
                self.minimums.append((None, False))


def _meets(total: int, count: int, minimum: Fraction, strictly: bool) -> bool:
    left, right = total * minimum.denominator, minimum.numerator * count
    return left > right if strictly else left >= right


def _score(
    rubric: dict[str, Any],
    exact: _Exact,
    candidate_id: int,
    employee_id: str,
    seats: list[tuple[str, str]],
    barred: dict[str, str],
    cards: dict[str, dict[str, Any]],
) -> tuple[dict[str, Any], float | None, dict[str, float]]:
    """A candidate's result as the interview_result summary holds it, with its weighted total
    and criterion means unrounded (the ranking key compares those)."""
    missing = []
    for seat, panelist in seats:
        if panelist in barred:
            missing.append(f"{seat} {panelist}: {barred[panelist]}")
        elif panelist not in cards:
            missing.append(f"{seat} {panelist}: no submitted scorecard")
    if not seats:
        missing.append("no panel is assigned")
    counted = [cards[p] for _, p in seats if p in cards and p not in barred]
    count = len(counted)
    criteria, failures = [], []
    weighted = 0
    means: dict[str, float] = {}
    for i, c in enumerate(rubric["criteria"] if counted else ()):
        scores = {card["panelist"]: card["scores"][c["id"]] for card in counted}
        total = sum(scores.values())
        spread = max(scores.values()) - min(scores.values())
        minimum, strictly = exact.minimums[i]
        met = minimum is None or _meets(total, count, minimum, strictly)
        if not met:
            word = "is not above" if strictly else "is below"
            failures.append(f"{c['id']} mean {total / count:.2f} {word} {float(minimum or 0):g}")
        criteria.append(
            {
                "criterion": c["id"],
                "scores": scores,
                "mean": round(total / count, 4),
                "spread": spread,
                "flagged": spread >= rubric["disagreement_threshold"],
                "minimum_met": met,
            }
        )
        means[c["id"]] = total / count
        weighted += exact.weights[i] * total
    overall = None
    if missing:
        failures = ["panel incomplete"]
    else:
        scale = count * sum(exact.weights)
        overall = weighted / scale
        if not _meets(weighted, scale, exact.pass_mark, strictly=False):
            failures.append(
                f"weighted total {overall:.2f} is below the pass mark "
                f"{float(rubric['pass_mark']):g}"
            )
    summary = {
        "candidate_id": candidate_id,
        "employee_id": employee_id,
        "complete": not missing,
        "missing": missing,
        "criteria": criteria,
        "total": None if overall is None else round(overall, 4),
        "passed": not missing and not failures,
        "failures": failures,
        "flags": sum(1 for c in criteria if c["flagged"]),
        "corrections": [
            {
                "panelist": card["panelist"],
                "version": card["version"],
                "reason": card["reason"],
                "previous": card["previous"],
                "scores": card["scores"],
            }
            for card in counted
            if card["version"] > 1
        ],
    }
    return summary, overall, means


def _sort_key(
    rubric: dict[str, Any], summary: dict[str, Any], total: float | None, means: dict[str, float]
) -> list[Any]:
    """Where a complete result ranks: highest total first, then the tie-break rules, then the
    employee id and the candidate id."""
    parts: list[Any] = [-(total or 0.0)]
    for rule in rubric.get("tie_breaks") or []:
        if rule.startswith("criterion:"):
            parts.append(-means[rule.split(":", 1)[1]])
        elif rule == "fewest_flags":
            parts.append(summary["flags"])
        elif rule == "employee_id":
            parts.append(summary["employee_id"])
    parts.append(summary["employee_id"])
    parts.append(summary["candidate_id"])
    return parts
