"""A decision on the eligible list waits for the interviews still open. The first decision
(select or not select) fixes the ranking that every letter cites; a candidate still on the road
to the interview's end (see `workflow.eligible_list.Road`) and ranked later would come between
officers whose letters state their rank. So the decision is refused while one is, naming each
and what is still to come; and once the selection is decided, nobody is sent back onto that
road (a reinstatement): adding candidates is refused the same way (`refuse_if_decided`)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, func, select

from qualify.errors import RuleViolation
from qualify.store.eligible_list import decided_words
from qualify.store.scores import panel_inputs
from qualify.store.tables import Candidate, Selection, User
from qualify.workflow.eligible_list import Road, road_to_decision
from qualify.workflow.moves import and_list, refused
from qualify.workflow.spec import TransitionSpec, Workflow

# How many of the candidates still to come a refusal names; it counts the rest.
NAMED = 5


@dataclass(frozen=True)
class StillToCome:
    """One candidate the decision waits for: where they are, and what is still to come."""

    candidate_id: int
    name: str
    state_label: str
    to_come: str


@dataclass(frozen=True)
class OpenInterviews:
    """The candidates a decision on the eligible list waits for: the first few by name, how
    many in all, and the ways a candidate leaves the road other than through the interview."""

    named: tuple[StillToCome, ...]
    total: int
    exits: tuple[str, ...]

    def words(self) -> str:
        """Why the decision waits, and until when, in the workflow's words."""
        one = self.total == 1
        who = "; ".join(
            f"{c.name}, at {c.state_label}: still to come, {c.to_come}" for c in self.named
        )
        more = self.total - len(self.named)
        if more:
            who += f"; and {more} more"
        leave = f" or has left the selection ({' or '.join(self.exits)})" if self.exits else ""
        return (
            "the first decision fixes the eligible list and the rank each letter states, and "
            f"{self.total} {'candidate is' if one else 'candidates are'} not through the "
            f"interview yet: {who}; decide once {'that candidate' if one else 'each of them'} "
            f"is through it{leave}"
        )


def open_interviews(
    session: Session, selection: Selection, spec: Workflow, road: Road | None = None
) -> OpenInterviews | None:
    """The candidates of the selection still on the road to a decision on its eligible list,
    or None when there are none (or the workflow keeps no list)."""
    road = road or road_to_decision(spec)
    if not road.ahead:
        return None
    on_road = col(Candidate.state).in_(sorted(road.states))
    counts = dict(
        session.exec(
            select(Candidate.state, func.count())
            .where(Candidate.selection_id == selection.id, on_road)
            .group_by(Candidate.state)
        ).all()
    )
    if not counts:
        return None
    first = list(
        session.exec(
            select(Candidate)
            .where(Candidate.selection_id == selection.id, on_road)
            .order_by(col(Candidate.id))
            .limit(NAMED)
        )
    )
    missing = _scorecards_to_come(session, selection, spec, first)
    named = []
    for c in first:
        assert c.id is not None
        steps = [f'"{t.label_for(c.name)}"' for t in road.ahead[c.state]]
        if c.id in missing:
            steps.insert(0, missing[c.id])
        to_come = ", then ".join(filter(None, [", ".join(steps[:-1]), steps[-1]]))
        named.append(StillToCome(c.id, c.name, spec.states[c.state].label, to_come))
    exits: list[str] = []
    for state in spec.states:
        if state in counts:
            for t in road.exits(spec, state):
                label = f'"{t.label_for("the officer")}"'
                if label not in exits:
                    exits.append(label)
    return OpenInterviews(tuple(named), sum(counts.values()), tuple(exits))


def _scorecards_to_come(
    session: Session, selection: Selection, spec: Workflow, candidates: list[Candidate]
) -> dict[int, str]:
    """For each candidate being interviewed, whose scorecards are still to come, in words:
    `scorecards from Dr. Helen Chen and Robert Douglas`."""
    scoring = [c for c in candidates if c.state in spec.panel.scoring_states]
    if not scoring:
        return {}
    people = {u.name: u.display_name for u in session.exec(select(User))}
    found = {}
    for panel in panel_inputs(session, selection, scoring):
        waited = []
        for seat, panelist in panel.seats:
            if panelist in panel.cards:
                continue
            if panelist in panel.barred:
                waited.append(f"a panelist for the {spec.panel.seats[seat].label} seat")
            else:
                waited.append(people.get(panelist, panelist))
        if waited:
            found[panel.candidate_id] = (
                f"{'a scorecard' if len(waited) == 1 else 'scorecards'} from {and_list(waited)}"
            )
        elif not panel.seats:
            found[panel.candidate_id] = "a panel to score them"
    return found


def refuse_while_open(
    session: Session,
    *,
    selection: Selection,
    spec: Workflow,
    transition: TransitionSpec,
    candidate: Candidate,
    road: Road | None = None,
) -> None:
    """Refuse a decision on the eligible list while a candidate is not through the interview."""
    waiting = open_interviews(session, selection, spec, road)
    if waiting is not None:
        raise RuleViolation(f"{refused(transition, candidate.name)} yet: {waiting.words()}")


def refuse_back_on_road(
    session: Session,
    *,
    selection: Selection,
    spec: Workflow,
    transition: TransitionSpec,
    candidate: Candidate,
    road: Road | None = None,
) -> None:
    """Refuse, once the selection is decided, a move that puts a candidate back on the road to
    the decision (a reinstatement): interviewed and ranked now, they would come between the
    officers whose letters state their rank."""
    road = road or road_to_decision(spec)
    if not road.enters(candidate.state, transition):
        return
    decided = decided_words(session, selection)
    if decided is not None:
        raise RuleViolation(
            f"{refused(transition, candidate.name)}: selection {selection.id} has been decided; "
            f"{decided}, so its ranking is the eligible list the letters cite and nobody joins "
            f"it now; to consider {candidate.name} again, open a new selection"
        )
