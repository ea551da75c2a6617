"""How long a ranking stays a valid eligible list (pure date arithmetic), which decisions fix
it, and the road to them: the states a candidate passes through before one can be taken.

The list is established on the day of the selection decision (a date in the selection's time
zone) and can be used through the day before the same date `months` later; on that date it has
expired. A date that does not exist in the later month (31 March + 1 month) falls to the
month's last day (30 April)."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date

from qualify.workflow.spec import TransitionSpec, Workflow


def add_months(day: date, months: int) -> date:
    """The same day `months` later, or the last day of that month where it has fewer days."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(day.day, last))


@dataclass(frozen=True)
class EligibleList:
    """An eligible list's life: established on the decision day, expired from `expires`."""

    established: date
    expires: date

    @classmethod
    def from_decision(cls, decided: date, months: int) -> EligibleList:
        return cls(decided, add_months(decided, months))

    @property
    def last_valid_day(self) -> date:
        return date.fromordinal(self.expires.toordinal() - 1)

    def valid_on(self, day: date) -> bool:
        """Not expired on `day`. (A day before the decision's, which only a clock behind the
        records gives, such as the demo's dates in the future, is not an expiry.)"""
        return day < self.expires


def list_decisions(spec: Workflow) -> frozenset[str]:
    """The triggers that decide on the eligible list: each one into a state a recall leads to
    or from (SRO: select, not_select), and the recalls themselves. A not-selected officer's
    notice states their rank on the list, so any of them fixes it. Empty when the workflow keeps
    no list."""
    recalls = [t for t in spec.transitions if t.eligible_list]
    if spec.eligible_list_months is None or not recalls:
        return frozenset()
    sides = {t.dest for t in recalls} | {s for t in recalls for s in t.source}
    return frozenset(t.trigger for t in spec.transitions if t.dest in sides)


def decided_from(spec: Workflow) -> frozenset[str]:
    """The states the decisions on the eligible list are taken from (SRO: Interview scored, and
    Not selected for a recall); empty when the workflow keeps no list."""
    triggers = list_decisions(spec)
    return frozenset(s for t in spec.transitions if t.trigger in triggers for s in t.source)


# How many steps the search for the road may take before it settles for every state that leads
# to a decision (a workflow has a few dozen states; this bounds a pathological one).
_SEARCH_STEPS = 100_000


@dataclass(frozen=True)
class Road:
    """The road to a decision on the eligible list: the states a candidate passes through
    before one can be taken on them (SRO: Nominated, Eligibility screening, Eligible,
    Interview), each with the steps still to take from it; and the states the decisions are
    taken from (SRO: Interview scored, and Not selected for a recall).

    A state is on the road when it lies on some path from the initial state to a decision that
    visits no state twice. A side state a candidate leaves only by going back to an earlier
    step (SRO: Ineligible, left by a reinstatement to screening) is not: the candidate there is
    out of the running unless someone sends them back."""

    ahead: dict[str, tuple[TransitionSpec, ...]]
    decided_from: frozenset[str]

    @property
    def states(self) -> frozenset[str]:
        return frozenset(self.ahead)

    def exits(self, spec: Workflow, state: str) -> list[TransitionSpec]:
        """The transitions that take a candidate at `state` off the road other than to a
        decision (SRO: withdraw, declare_ineligible)."""
        kept = self.states | self.decided_from
        return [t for t in spec.triggers_from(state) if t.dest not in kept]

    def enters(self, state: str, transition: TransitionSpec) -> bool:
        """Whether `transition` takes a candidate at `state`, off the road, back onto it (SRO:
        reinstate, from Ineligible to Eligibility screening)."""
        kept = self.states | self.decided_from
        return state not in kept and transition.dest in kept


# Each workflow's road, worked out once: every rule asking about a candidate asks for it (a page
# of many candidates, many times). Keyed by the object, kept with it (a few per process).
_ROADS: dict[int, tuple[Workflow, Road]] = {}


def road_to_decision(spec: Workflow) -> Road:
    """The workflow's road to a decision on the eligible list (empty when it keeps none)."""
    known = _ROADS.get(id(spec))
    if known is not None and known[0] is spec:
        return known[1]
    if len(_ROADS) >= 64:
        _ROADS.clear()
    road = _road(spec)
    _ROADS[id(spec)] = (spec, road)
    return road


def _road(spec: Workflow) -> Road:
    ends = decided_from(spec)
    if not ends:
        return Road({}, frozenset())
    nexts: dict[str, list[str]] = {name: [] for name in spec.states}
    for t in spec.transitions:
        for s in t.source:
            nexts.setdefault(s, []).append(t.dest)
    on_road = _on_simple_paths(spec.initial_state, nexts, ends)
    return Road({s: _steps(spec, s, on_road, ends) for s in spec.states if s in on_road}, ends)


def _on_simple_paths(start: str, nexts: dict[str, list[str]], ends: frozenset[str]) -> set[str]:
    """The states other than `ends` on some path from `start` to one of `ends` that visits no
    state twice; past the search's budget, every state from which one of `ends` is reached."""
    found: set[str] = set()
    path: list[str] = [start]
    stack = [iter(nexts.get(start, ()))]
    budget = _SEARCH_STEPS
    while stack:
        budget -= 1
        if budget < 0:
            return _leading_to(nexts, ends)
        step = next(stack[-1], None)
        if step is None:
            stack.pop()
            path.pop()
        elif step in ends:
            found.update(path)
        elif step not in path:
            path.append(step)
            stack.append(iter(nexts.get(step, ())))
    return found - ends if start not in ends else set()


def _leading_to(nexts: dict[str, list[str]], ends: frozenset[str]) -> set[str]:
    reach = set(ends)
    grown = True
    while grown:
        more = {s for s, ds in nexts.items() if s not in reach and reach.intersection(ds)}
        reach |= more
        grown = bool(more)
    return reach - ends


def _steps(
    spec: Workflow, state: str, on_road: set[str], ends: frozenset[str]
) -> tuple[TransitionSpec, ...]:
    """The fewest transitions along the road from `state` to a state a decision is taken from."""
    routes: dict[str, tuple[TransitionSpec, ...]] = {state: ()}
    frontier = [state]
    while frontier:
        later: list[str] = []
        for here in frontier:
            for t in spec.triggers_from(here):
                if t.dest in ends:
                    return (*routes[here], t)
                if t.dest in on_road and t.dest not in routes:
                    routes[t.dest] = (*routes[here], t)
                    later.append(t.dest)
        frontier = later
    return ()
