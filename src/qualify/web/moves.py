"""What the pages with forms (the screening queue, results and decisions, training, activity
reports) share: a refused form shown again on its page, and the note after a trigger fired or
a form was recorded (the page is fetched again after the POST, so Back and reload never send it
twice)."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace

from starlette.requests import Request
from starlette.responses import Response

from qualify.web.portal import portal_of
from qualify.workflow.spec import NAME

DONE = re.compile(r"[a-z][a-z0-9_]{0,59}")


@dataclass(frozen=True)
class Failed:
    """A refused trigger's form: which one (`key`: candidate id and trigger), the refusal laid
    out beside its inputs, what was typed, and the page's status."""

    key: str
    by_input: dict[str, str]
    general: str
    status: int
    typed: dict[str, object] = field(default_factory=dict)
    # The form is no longer on the page (the trigger is not offered now, say from an old tab):
    # the whole refusal shows at the top of the page instead.
    orphan: bool = False

    @property
    def text(self) -> str:
        return "\n".join([*self.by_input.values(), self.general]).strip()


def placed(failed: Failed | None, offered: Iterable[str]) -> Failed | None:
    """`failed`, marked an orphan when none of the page's forms (keys `offered`) is its own."""
    if failed is None or failed.key in set(offered):
        return failed
    return replace(failed, orphan=True)


def done_notice(
    request: Request, names: Mapping[int, tuple[str, str]], labels: Mapping[str, str]
) -> str:
    """The note after a trigger fired (`?done=TRIGGER&candidate=ID`): the trigger by its label in
    the workflow (`labels`), the candidate by name and where they are now, from the page's own
    rows; '' when the address carries none."""
    trigger = request.query_params.get("done", "")
    raw = request.query_params.get("candidate", "")
    if not DONE.fullmatch(trigger) or not raw.isdigit():
        return ""
    label = labels.get(trigger) or trigger.replace("_", " ")
    found = names.get(int(raw))
    if found is None:
        done = label.replace(NAME, "the candidate")
        return f"Recorded: {done}. The candidate is no longer listed on this page."
    name, state = found
    return f"Recorded for {name}: {label.replace(NAME, name)}; now at: {state}."


def render_forms(
    request: Request,
    template: str,
    context: dict[str, object],
    failed: Failed | None,
    offered: Iterable[str],
    done: str,
) -> Response:
    """A page of forms (keys `offered`): a refused one (`failed`) shown again on it with the
    refusal's status, else the note `done` after a form was sent."""
    failed = placed(failed, offered)
    response: Response = portal_of(request).render(
        request,
        template,
        {**context, "failed": failed, "done": "" if failed else done},
        status_code=failed.status if failed else 200,
    )
    return response
