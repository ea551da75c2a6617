"""HR's pages: the selection at a glance, evidence entry with a file, the panel, packets to
download, and whether the audit log verifies.

Each route reads its form, calls one service and renders; every rule (who may, what a field
takes, a file's type and size) is the service's.
"""

from __future__ import annotations

import tempfile
from pathlib import Path
from urllib.parse import quote

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qualify.errors import BadInput, Conflict, RuleViolation
from qualify.services.evidence import add_evidence
from qualify.services.evidence_form import evidence_form
from qualify.services.overview import selection_overview
from qualify.services.packets import print_candidate
from qualify.services.panel import assign_panel
from qualify.services.panel_form import panel_form
from qualify.store import checkpoints
from qualify.store.integrity import verify
from qualify.web.auth import Actor, may, page, permission, run_service, status_of
from qualify.web.errors import Refusal, lay_out
from qualify.web.forms import optional, path_id, record_holders, text
from qualify.web.limits import megabytes
from qualify.web.portal import portal_of
from qualify.web.routes.screening import choose
from qualify.web.uploads import held_upload, over_limit


@page(roles=record_holders)
async def overview_home(request: Request, actor: Actor) -> Response:
    return await choose(request, actor, "overview", "Selection at a glance")


@page(roles=record_holders)
async def overview(request: Request, actor: Actor) -> Response:
    glance = await actor.call(
        request,
        selection_overview,
        read_only=True,
        selection_id=path_id(request, "selection_id"),
        now=portal_of(request).now(),
    )
    offers = await may(
        request,
        actor,
        add_evidence=permission("add_evidence"),
        print_packets=permission("print_packets"),
        manage_panel=permission("manage_panel"),
        view_audit=permission("view_audit"),
    )
    response: Response = portal_of(request).render(
        request, "overview.html", {"title": glance.title, "glance": glance, "may": offers}
    )
    return response


@page(roles=permission("add_evidence"))
async def evidence_page(request: Request, actor: Actor) -> Response:
    done = request.query_params.get("done", "")
    notice = f"Recorded: evidence #{done}, listed below." if done.isdigit() else ""
    return await _evidence(request, actor, request.query_params.get("kind", ""), notice=notice)


async def _evidence(
    request: Request,
    actor: Actor,
    kind: str,
    *,
    notice: str = "",
    refusal: Refusal | None = None,
    typed: dict[str, str] | None = None,
    file_chosen: bool = False,
    status: int = 200,
) -> Response:
    """The evidence form for one kind; after a refusal, each message beside its input and what
    was typed kept (a chosen file cannot be: a browser never fills in a file input)."""
    form = await actor.call(
        request, evidence_form, read_only=True, candidate_id=path_id(request, "candidate_id")
    )
    response: Response = portal_of(request).render(
        request,
        "evidence.html",
        {
            "title": f"Evidence for {form.name}",
            "form": form,
            "chosen": form.kind(kind),
            "notice": notice,
            "refusal": refusal or Refusal({}, ""),
            "typed": typed or {},
            "file_chosen": file_chosen,
            "max_file": megabytes(portal_of(request).settings.max_evidence_bytes),
        },
        status_code=status,
    )
    return response


def _evidence_inputs(typed: dict[str, str]) -> dict[str, str]:
    """The service's fields -> the form's inputs (`f_NAME` for each evidence field)."""
    inputs = {f"fields.{key[2:]}": key for key in typed if key.startswith("f_")}
    return inputs | {
        "file": "file",
        "step:attach_file": "file",
        "vouched_by": "by",
        "kind": "kind",
        "reason": "reason",
    }


async def evidence_too_large(request: Request, actor: Actor) -> Response:
    """An upload over the limit: the form again, saying so beside the file (nothing of it was
    read, so nothing else typed can be kept)."""
    max_bytes = portal_of(request).settings.max_evidence_bytes
    limit = megabytes(max_bytes)
    return await _evidence(
        request,
        actor,
        request.query_params.get("kind", ""),
        refusal=Refusal(
            {"file": over_limit(max_bytes)}, f"Nothing was recorded: the file is over {limit}."
        ),
        file_chosen=True,
        status=413,
    )


@page(roles=permission("add_evidence"), oversized=evidence_too_large)
async def evidence_add(request: Request, actor: Actor) -> Response:
    """Record one evidence record; a file is handed to the service as the CLI hands it one,
    read at most one byte past the size limit so the service refuses it in its own words.
    Recorded, the form is fetched again (with a note); refused, it is shown again."""
    candidate_id = path_id(request, "candidate_id")
    settings = portal_of(request).settings
    async with request.form(max_files=1, max_fields=100) as form:
        kind = text(form, "kind", 100)
        typed = {
            key: value.strip()
            for key, value in form.multi_items()
            if (key.startswith("f_") or key in ("by", "reason")) and isinstance(value, str)
        }
        fields = {key[2:]: value for key, value in typed.items() if key.startswith("f_") and value}
        async with held_upload(form, settings.max_evidence_bytes) as (file, chosen):
            try:
                record = await actor.call(
                    request,
                    add_evidence,
                    files_dir=settings.files_dir,
                    candidate_id=candidate_id,
                    kind=kind,
                    fields=fields,
                    file=file,
                    vouched_by=optional(form, "by"),
                    max_file_bytes=settings.max_evidence_bytes,
                    reason=optional(form, "reason"),
                )
            except (BadInput, RuleViolation, Conflict) as exc:
                return await _evidence(
                    request,
                    actor,
                    kind,
                    refusal=lay_out(exc, _evidence_inputs(typed)),
                    typed=typed,
                    file_chosen=chosen,
                    status=status_of(exc),
                )
    return RedirectResponse(
        f"/candidates/{candidate_id}/evidence?kind={quote(kind)}&done={record.id}",
        status_code=303,
    )


@page(roles=permission("manage_panel"))
async def panel_page(request: Request, actor: Actor) -> Response:
    return await _panel(request, actor, path_id(request, "selection_id"))


async def _panel(
    request: Request,
    actor: Actor,
    selection_id: int,
    *,
    refusal: Refusal | None = None,
    typed: dict[str, str] | None = None,
    status: int = 200,
) -> Response:
    """The panel form; after a refusal, the message (a reason's beside it) and the choices
    made kept."""
    form = await actor.call(request, panel_form, read_only=True, selection_id=selection_id)
    response: Response = portal_of(request).render(
        request,
        "panel.html",
        {
            "title": f"Panel: {form.title}",
            "form": form,
            "refusal": refusal or Refusal({}, ""),
            "typed": typed or {},
        },
        status_code=status,
    )
    return response


@page(roles=permission("manage_panel"))
async def panel_assign(request: Request, actor: Actor) -> Response:
    """Seats from fields named `seat:SEAT:N`, alternates kept as `SEAT=USER` lines."""
    selection_id = path_id(request, "selection_id")
    form = await request.form()
    typed = {
        key: value.strip()
        for key, value in form.multi_items()
        if (key.startswith("seat:") or key == "reason") and isinstance(value, str)
    }
    seats = [
        (key.split(":")[1], value)
        for key, value in typed.items()
        if key.startswith("seat:") and value
    ]
    alternates = [
        (seat.strip(), user.strip())
        for value in form.getlist("alternate")
        if isinstance(value, str) and "=" in value
        for seat, user in [value.split("=", 1)]
    ]
    try:
        await actor.call(
            request,
            assign_panel,
            selection_id=selection_id,
            seats=seats,
            alternates=alternates,
            reason=optional(form, "reason"),
        )
    except (BadInput, RuleViolation, Conflict) as exc:
        return await _panel(
            request,
            actor,
            selection_id,
            refusal=lay_out(exc, {"reason": "reason"}),
            typed=typed,
            status=status_of(exc),
        )
    return RedirectResponse(f"/selections/{selection_id}/panel?saved=1", status_code=303)


@page(roles=permission("print_packets"))
async def packet_download(request: Request, actor: Actor) -> Response:
    """A candidate's packet for a stage, as a PDF to save (printing it is audited)."""
    candidate_id = path_id(request, "candidate_id")
    form = await request.form()
    stage = optional(form, "stage")
    wanted = text(form, "packet", 100)
    settings = portal_of(request).settings
    with tempfile.TemporaryDirectory(prefix="qualify-packet-") as folder:
        paths = await actor.call(
            request,
            print_candidate,
            templates_dir=settings.templates_dir,
            output_dir=Path(folder),
            candidate_id=candidate_id,
            stage=stage,
        )
        # The newest of a kind (an amended letter may have been printed more than once).
        matching = [p for p in paths if f"_{wanted}_event-" in p.name]
        chosen = matching[-1] if matching else paths[0]
        data = chosen.read_bytes()
    return Response(
        data,
        media_type="application/pdf",
        headers={"content-disposition": f'attachment; filename="{chosen.name}"'},
    )


@page(roles=permission("view_audit"))
async def audit_status(request: Request, actor: Actor) -> Response:
    settings = portal_of(request).settings
    result = await run_service(
        request,
        verify,
        read_only=True,
        checkpoint_path=checkpoints.checkpoint_file(settings.records_dir),
    )
    response: Response = portal_of(request).render(
        request, "audit.html", {"title": "Audit log", "result": result}
    )
    return response


routes = [
    Route("/overview", overview_home, methods=["GET"]),
    Route("/selections/{selection_id}/overview", overview, methods=["GET"]),
    Route("/candidates/{candidate_id}/evidence", evidence_page, methods=["GET"]),
    Route("/candidates/{candidate_id}/evidence", evidence_add, methods=["POST"]),
    Route("/selections/{selection_id}/panel", panel_page, methods=["GET"]),
    Route("/selections/{selection_id}/panel", panel_assign, methods=["POST"]),
    Route("/candidates/{candidate_id}/packet", packet_download, methods=["POST"]),
    Route("/audit", audit_status, methods=["GET"]),
]
