"""The training page: each officer's directed courses, recording one complete, and directing
training for a selected officer.

`GET /training` opens the page of the selection (or lists them when there are several);
`GET /selections/{id}/training` lists the officers with their courses;
`POST /candidates/{id}/training/completed?selection=N` records a directed course complete,
with its certificate when one is attached: the same service as `qualify training complete`;
`POST /candidates/{id}/training/courses?selection=N` adds courses for an officer already in
training (`course`, each one ticked, `due_on`, `reason`), which prints the amended letter: the
same service as `qualify training assign`.
Directing training for a selected officer posts to `/candidates/{id}/training`
(`routes.advance`).
"""

from __future__ import annotations

from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import Route

from qualify.errors import BadInput, Conflict, NotFound, RuleViolation
from qualify.services.firing import PacketPlace
from qualify.services.training import assign_training, complete_training
from qualify.services.training_board import TrainingBoard, training_board
from qualify.store.courses import directing_roles, recording_roles
from qualify.store.visibility import record_roles
from qualify.web.auth import Actor, page, status_of
from qualify.web.errors import lay_out
from qualify.web.forms import optional, path_id, text
from qualify.web.limits import megabytes
from qualify.web.moves import Failed, done_notice, render_forms
from qualify.web.portal import portal_of
from qualify.web.routes.screening import choose
from qualify.web.uploads import held_upload, over_limit
from qualify.workflow.spec import Workflow

# The service's field -> the form's input.
INPUTS = {"on": "on", "file": "file", "reason": "reason"}
ADD_INPUTS = {"courses": "courses", "due_on": "due_on", "reason": "reason"}


def directors(specs: list[Workflow]) -> set[str]:
    """The roles that direct training, in any selection's workflow."""
    return {role for spec in specs for role in directing_roles(spec)}


def recorders(specs: list[Workflow]) -> set[str]:
    """The roles that record a completed course, in any selection's workflow."""
    return {role for spec in specs for role in recording_roles(spec)}


def followers(specs: list[Workflow]) -> set[str]:
    """The roles that open the training page: those that direct or record training, and those
    that see every candidate's record."""
    return recorders(specs) | {role for spec in specs for role in record_roles(spec)}


@page(roles=followers)
async def training_home(request: Request, actor: Actor) -> Response:
    return await choose(request, actor, "training", "Training")


@page(roles=followers)
async def training_page(request: Request, actor: Actor) -> Response:
    return await show_training(request, actor, path_id(request, "selection_id"))


async def show_training(
    request: Request, actor: Actor, selection_id: int, failed: Failed | None = None
) -> Response:
    """The page; `failed` is a refused form (a completion, or a direction of training), shown
    again with its message beside the input it names and what was typed kept."""
    board = await actor.call(request, training_board, read_only=True, selection_id=selection_id)
    names = {t.candidate_id: (t.name, t.state_label) for t in board.trainees}
    offered = [f"{t.candidate_id}-{m.trigger}" for t in board.trainees for m in t.moves]
    offered += [f"{t.candidate_id}-complete" for t in board.trainees if t.to_record]
    offered += [f"{t.candidate_id}-courses" for t in board.trainees if t.to_add]
    return render_forms(
        request,
        "training.html",
        {
            "title": f"Training: {board.title}",
            "board": board,
            "back": f"/selections/{selection_id}/training",
            "max_file": megabytes(portal_of(request).settings.max_evidence_bytes),
        },
        failed,
        offered,
        recorded_notice(request, board)
        or added_notice(request, board)
        or done_notice(request, names, board.trigger_labels),
    )


def recorded_notice(request: Request, board: TrainingBoard) -> str:
    """The note after a completion was recorded (`?recorded=EVIDENCE_ID`), from the page's own
    rows: which course, on what day, for whom."""
    raw = request.query_params.get("recorded", "")
    if not raw.isdigit():
        return ""
    for trainee in board.trainees:
        for course in trainee.status["courses"]:
            if course["evidence_id"] == int(raw):
                return (
                    f"Recorded: {course['label']} completed on {course['completed_on']} for "
                    f"{trainee.name} (evidence #{raw})."
                )
    return f"Recorded: evidence #{raw}."


def added_notice(request: Request, board: TrainingBoard) -> str:
    """The note after courses were added (`?added=COURSE,...&candidate=ID`, `&letter=amended`
    when the amended letter was printed), from the page's own rows: which courses, due when,
    for whom, and the letter it printed."""
    added = request.query_params.get("added", "").split(",")
    raw = request.query_params.get("candidate", "")
    if not added[0] or not raw.isdigit():
        return ""
    for trainee in board.trainees:
        if trainee.candidate_id != int(raw):
            continue
        rows = [c for c in trainee.status["courses"] if c["course"] in added]
        if not rows:
            break
        listed = "; ".join(f"{c['label']}, due {c['due_on']}" for c in rows)
        letter = (
            f" Printed: {board.amended_titles}, listing every course now directed, for "
            f"{board.amended_to}."
            if board.amended_titles and request.query_params.get("letter") == "amended"
            else ""
        )
        return f"Directed for {trainee.name}: {listed}.{letter}"
    return "Directed: the courses were added."


def _selection(request: Request) -> int:
    """The selection whose page the form came from (`?selection=N`)."""
    raw = request.query_params.get("selection", "")
    if not raw.isdigit() or not 1 <= int(raw) <= 2**31 - 1:
        raise NotFound(f"there is no selection {raw}")
    return int(raw)


async def completion_too_large(request: Request, actor: Actor) -> Response:
    """An upload over the limit: the page again, saying so beside the file (nothing of the
    form was read, so nothing typed can be kept)."""
    said = over_limit(portal_of(request).settings.max_evidence_bytes)
    key = f"{path_id(request, 'candidate_id')}-complete"
    failed = Failed(key, {"file": said}, "", 413, {"file_chosen": True})
    return await show_training(request, actor, _selection(request), failed)


@page(roles=recorders, oversized=completion_too_large)
async def record_completion(request: Request, actor: Actor) -> Response:
    """Record one directed course complete; a certificate is handed to the service as the CLI
    hands it one, read at most one byte past the size limit so the service refuses it in its
    own words. Recorded, the page is fetched again with a note; refused, it is shown again."""
    candidate_id = path_id(request, "candidate_id")
    selection_id = _selection(request)
    settings = portal_of(request).settings
    async with request.form(max_files=1, max_fields=10) as form:
        course = text(form, "course", 100)
        on = text(form, "on", 40)
        async with held_upload(form, settings.max_evidence_bytes) as (file, chosen):
            try:
                record = await actor.call(
                    request,
                    complete_training,
                    files_dir=settings.files_dir,
                    candidate_id=candidate_id,
                    course=course,
                    on=on,
                    file=file,
                    max_file_bytes=settings.max_evidence_bytes,
                    now=portal_of(request).now(),
                    reason=optional(form, "reason"),
                )
            except (BadInput, RuleViolation) as exc:
                laid = lay_out(exc, INPUTS)
                typed: dict[str, object] = {
                    "course": course,
                    "on": on,
                    "file_chosen": chosen,
                    "reason": text(form, "reason"),
                }
                failed = Failed(
                    f"{candidate_id}-complete", laid.by_input, laid.general, status_of(exc), typed
                )
                return await show_training(request, actor, selection_id, failed)
    return RedirectResponse(
        f"/selections/{selection_id}/training?recorded={record.id}&candidate={candidate_id}"
        f"#c{candidate_id}",
        status_code=303,
    )


@page(roles=directors)
async def add_courses(request: Request, actor: Actor) -> Response:
    """Add the courses ticked, due by a date, for an officer already in training; the service
    decides who may, and prints the amended letter. Directed, the page is fetched again with a
    note; refused, it is shown again, the message beside the input it is about."""
    candidate_id = path_id(request, "candidate_id")
    selection_id = _selection(request)
    settings = portal_of(request).settings
    form = await request.form()
    courses = [value[:100] for value in form.getlist("course") if isinstance(value, str)]
    due_on = text(form, "due_on", 40)
    try:
        done = await actor.call(
            request,
            assign_training,
            candidate_id=candidate_id,
            courses=courses,
            due_on=due_on,
            reason=optional(form, "reason"),
            packets=PacketPlace(settings.templates_dir, settings.records_dir),
            now=portal_of(request).now(),
            far_ahead=text(form, "far_ahead", 10) == "yes",
        )
    except (BadInput, RuleViolation, Conflict) as exc:
        laid = lay_out(exc, ADD_INPUTS)
        typed: dict[str, object] = {
            "courses": courses,
            "due_on": due_on,
            "reason": text(form, "reason"),
            "far_ahead": text(form, "far_ahead", 10) == "yes",
        }
        failed = Failed(
            f"{candidate_id}-courses", laid.by_input, laid.general, status_of(exc), typed
        )
        return await show_training(request, actor, selection_id, failed)
    # Courses added in training print the amended letter; a selected officer (a form sent for
    # one who was not yet in training) moved into training with the first letter instead.
    added = {"added": ",".join(done.courses), "candidate": str(candidate_id)}
    amended = {"letter": "amended"} if done.from_state == done.to_state else {}
    query = urlencode(added | amended)
    return RedirectResponse(
        f"/selections/{selection_id}/training?{query}#c{candidate_id}", status_code=303
    )


routes = [
    Route("/training", training_home, methods=["GET"]),
    Route("/selections/{selection_id}/training", training_page, methods=["GET"]),
    Route("/candidates/{candidate_id}/training/completed", record_completion, methods=["POST"]),
    Route("/candidates/{candidate_id}/training/courses", add_courses, methods=["POST"]),
]
