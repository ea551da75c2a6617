"""The position brief: the workflow's funding options for the school board, as a one-page PDF."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from sqlmodel import Session

from qualify.actor import Actor
from qualify.errors import RuleViolation
from qualify.packets.render import html_to_pdf, render_html, w3c_time
from qualify.store.clock import utcnow
from qualify.store.frozen import workflow_of
from qualify.store.lookups import get_selection
from qualify.store.permissions import actor_user, role_for
from qualify.workflow.documents import local_date, long_date
from qualify.workflow.position_brief import OptionCost, dollars, option_costs
from qualify.workflow.spec import PositionBriefSpec


@dataclass(frozen=True)
class Brief:
    """The brief's figures and the PDF that prints them."""

    selection_id: int
    title: str
    options: list[OptionCost]
    pdf: bytes


def position_brief(
    *,
    session: Session,
    selection_id: int,
    actor: Actor,
    templates_dir: Path,
    now: datetime | None = None,
) -> Brief:
    """The funding options of the selection's workflow, each with its cost and rule, printed
    for the school board. Those who may print packets may print it."""
    selection = get_selection(session, selection_id)
    spec = workflow_of(selection).spec
    role_for(actor_user(session, actor), spec.permissions.print_packets, "print the position brief")
    brief: PositionBriefSpec | None = spec.position_brief
    if brief is None:
        raise RuleViolation(
            f"the workflow of selection {selection_id} ({spec.name} {spec.version}) has no "
            "position_brief: its funding options are not in the file"
        )
    at = now or utcnow()
    options = option_costs(brief)
    context = {
        "brief": brief,
        "options": [
            {
                "id": o.id,
                "label": o.label,
                "cost": o.cost,
                "rule": o.rule,
                "assumptions": o.assumptions,
            }
            for o in options
        ],
        "salary": f"{dollars(brief.salary_low)} to {dollars(brief.salary_high)}",
        "selection": {"id": selection_id, "title": selection.title},
        "position": spec.position or spec.title,
        "workflow": f"{spec.name} {spec.version}",
        "letterhead_lines": spec.letterhead.strip().splitlines(),
        "prepared": long_date(local_date(at, spec.time_zone)),
        "created": w3c_time(at),
    }
    pdf = html_to_pdf(render_html(templates_dir, "position_brief", context), templates_dir)
    return Brief(selection_id, brief.title, options, pdf)
