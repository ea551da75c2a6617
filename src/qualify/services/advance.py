"""Advancing a candidate: the use case every front door calls to fire a trigger (the
transaction itself is `firing.fire`)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from qualify.actor import Actor
from qualify.services.firing import Advanced, PacketPlace, Told, fire
from qualify.store.courses import Order


def advance(
    *,
    session: Session,
    candidate_id: int,
    trigger: str,
    actor: Actor,
    reason: str | None = None,
    now: datetime | None = None,
    packets: PacketPlace | None = None,
    notice: str | None = None,
    reason_code: str | None = None,
    category: str | None = None,
    skip_reason: str | None = None,
    training: Order | None = None,
) -> Advanced:
    """Fire a trigger on a candidate in one transaction; a refusal is audited and re-raised.
    When `packets` says where, the new stage's packets are written after the change commits
    (PacketsOwed when that fails, and the `repair_packets` step writes them). `notice` (or a
    `reason_code` of the transition) is what a letter tells the candidate; `reason` stays
    internal. `category` is one of the transition's categories (required where it lists
    them); `skip_reason` says why a recall passes over officers ranked above. A transition
    that directs training needs the `training` it directs (see services.training)."""
    return fire(
        session,
        candidate_id,
        trigger,
        actor,
        reason=reason,
        now=now,
        packets=packets,
        told=Told(notice, reason_code, category, skip_reason),
        training=training,
    )
