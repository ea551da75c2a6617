"""The activity reports page: the quarterly reports due and overdue from the appointed officers
the viewer may see, and a form to enter each one.

`GET /reports` lists them (as `qualify report due`); `POST /candidates/{id}/reports` enters
one quarter's report, `quarter` and each field as `f_NAME`: the same service as `qualify report
add`. Correcting a report on file stays on the command line (`report add --reason`).
"""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qualify.errors import BadInput, RuleViolation
from qualify.services.report_board import reports_board
from qualify.services.reports import add_report
from qualify.web.auth import Actor, page, status_of
from qualify.web.errors import lay_out
from qualify.web.forms import path_id, text
from qualify.web.moves import Failed, render_forms
from qualify.web.nav import reports_entry_roles
from qualify.web.portal import portal_of
from qualify.workflow.spec import Workflow


def readers(specs: list[Workflow]) -> set[str]:
    """The roles that open the page (the menu's rule): those that enter reports, and those
    that see every reporting officer."""
    return {role for spec in specs for role in reports_entry_roles(spec)}


def writers(specs: list[Workflow]) -> set[str]:
    return {role for spec in specs for role in spec.permissions.enter_reports}


@page(roles=readers)
async def reports_page(request: Request, actor: Actor) -> Response:
    raw = request.query_params.get("entered", "")
    return await show_reports(request, actor, entered=int(raw) if raw.isdigit() else None)


async def show_reports(
    request: Request, actor: Actor, failed: Failed | None = None, entered: int | None = None
) -> Response:
    """The page; `failed` is a refused report, shown again with each message beside its field
    and what was typed kept."""
    board = await actor.call(
        request,
        reports_board,
        read_only=True,
        now=portal_of(request).now(),
        entered=entered if entered and entered < 2**31 else None,
    )
    return render_forms(
        request,
        "reports.html",
        {"title": "Activity reports", "board": board},
        failed,
        (o.key for o in board.owed if o.fields),
        board.entered,
    )


@page(roles=writers)
async def enter_report(request: Request, actor: Actor) -> Response:
    """Enter one quarter's report; entered, the page is fetched again with a note (the report
    is no longer due); refused, it is shown again."""
    candidate_id = path_id(request, "candidate_id")
    form = await request.form()
    quarter = text(form, "quarter", 20)
    typed = {
        key: value.strip()
        for key, value in form.multi_items()
        if key.startswith("f_") and isinstance(value, str)
    }
    try:
        filed = await actor.call(
            request,
            add_report,
            candidate_id=candidate_id,
            quarter=quarter,
            fields={key[2:]: value for key, value in typed.items() if value},
            now=portal_of(request).now(),
        )
    except (BadInput, RuleViolation) as exc:
        inputs = {f"fields.{key[2:]}": key for key in typed}
        laid = lay_out(exc, inputs)
        key = f"{candidate_id}-{quarter}"
        failed = Failed(key, laid.by_input, laid.general, status_of(exc), dict(typed))
        return await show_reports(request, actor, failed)
    return RedirectResponse(f"/reports?entered={filed.report.id}", status_code=303)


routes = [
    Route("/reports", reports_page, methods=["GET"]),
    Route("/candidates/{candidate_id}/reports", enter_report, methods=["POST"]),
]
