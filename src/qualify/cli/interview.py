"""`qualify panel`, `declare`, `score` and `results`: the structured interview."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import typer

from qualify.cli.context import ID_MAX, app_context, print_json, print_table
from qualify.errors import BadInput

if TYPE_CHECKING:
    from qualify.services.standings import Swap

panel_app = typer.Typer(help="Assign and show the interview panel.", no_args_is_help=True)


def _pairs(items: list[str], option: str) -> list[tuple[str, str]]:
    pairs = []
    for item in items:
        key, sep, value = item.partition("=")
        if not sep or not key.strip():
            raise BadInput(f"{option} {item!r}: use NAME=VALUE")
        pairs.append((key.strip(), value.strip()))
    return pairs


@panel_app.command("assign")
def panel_assign(
    ctx: typer.Context,
    selection: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    seats: list[str] = typer.Option(
        ..., "--seat", help="SEAT=USER, once per seat (e.g. school_rep=rep1)."
    ),
    alternates: list[str] = typer.Option(
        [],
        "--alternate",
        help="SEAT=USER: sits for a candidate whose holder of that seat may not score them "
        "(their supervisor, or a declared conflict); repeat, first named sits first.",
    ),
    reason: str | None = typer.Option(None, "--reason", help="Needed once scoring has begun."),
) -> None:
    """Fill every seat of the selection's interview panel, with alternates per seat."""
    from qualify.services.panel import assign_panel, supervision_warnings

    context = app_context(ctx)
    with context.session() as session:
        rows = assign_panel(
            session=session,
            selection_id=selection,
            seats=_pairs(seats, "--seat"),
            alternates=_pairs(alternates, "--alternate"),
            actor=context.actor,
            reason=reason,
        )
        warnings = supervision_warnings(session=session, selection_id=selection)
    typer.echo(
        f"panel of selection {selection}: " + ", ".join(f"{r.seat}={r.panelist}" for r in rows)
    )
    if alternates:
        typer.echo("alternates: " + ", ".join(alternates))
    for warning in warnings:
        typer.echo(f"warning: {warning}", err=True)


@panel_app.command("schedule")
def panel_schedule(
    ctx: typer.Context,
    candidate: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    at: str = typer.Option(
        ..., "--at", help="Date and time, YYYY-MM-DD HH:MM, in the selection's time zone."
    ),
    place: str = typer.Option(..., "--place", help="Where, e.g. a room and building."),
    far_ahead: bool = typer.Option(
        False,
        "--far-ahead",
        help="Confirm an --at time more than 90 days ahead of today (refused without it).",
    ),
) -> None:
    """Set the date, time and place of a candidate's interview (printed in the interview
    packet; set it before schedule_interview prints the packet). A first time is today or
    later; no time is before the selection was opened. Scorecards are submitted, and the
    interview closed, only once that time has come."""
    from qualify.services.schedule import schedule_interview

    context = app_context(ctx)
    with context.session() as session:
        done = schedule_interview(
            session=session,
            candidate_id=candidate,
            at=at,
            place=place,
            actor=context.actor,
            far_ahead=far_ahead,
        )
    typer.echo(
        f"candidate {candidate}: interview {done.at:%Y-%m-%d %H:%M %Z} at {done.place}, "
        f"audit event #{done.event_id}"
    )


@panel_app.command("show")
def panel_show(
    ctx: typer.Context,
    selection: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show who holds which seat."""
    from qualify.services.panel import panel_view

    context = app_context(ctx)
    with context.session() as session:
        data = panel_view(session=session, selection_id=selection, actor=context.actor)
    if as_json:
        print_json(data)
        return
    print_table(
        ["seat", "role", "panelist"], [[s["seat"], s["role"], s["panelist"]] for s in data["seats"]]
    )
    for a in data["alternates"]:
        typer.echo(f"alternate {a['order']} for {a['seat']}: {a['panelist']}")
    if data["excluded"]:
        typer.echo(f"may not score a candidate: {', '.join(data['excluded'])}")


def declare(
    ctx: typer.Context,
    candidate: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    conflict: str | None = typer.Option(None, "--conflict", help="Declare a conflict of interest."),
) -> None:
    """Declare, before scoring, that you have no conflict of interest with a candidate (or one)."""
    from qualify.services.panel import declare as run_declare

    context = app_context(ctx)
    with context.session() as session:
        declared = run_declare(
            session=session, candidate_id=candidate, actor=context.actor, conflict=conflict
        )
    if not declared.changed:
        typer.echo(f"already declared for candidate {candidate}; nothing changed, nothing recorded")
    elif conflict:
        typer.echo(f"declared a conflict with candidate {candidate}: you will not score them")
    else:
        typer.echo(f"declared no conflict of interest with candidate {candidate}")


# A command that was renamed takes whatever it is given, and says its new name.
ANY_ARGUMENTS = {"allow_extra_args": True, "ignore_unknown_options": True}


def attest(ctx: typer.Context) -> None:
    """Renamed: `qualify declare`."""
    raise BadInput("'qualify attest' is now called 'qualify declare'; nothing was recorded")


def score(
    ctx: typer.Context,
    candidate: int = typer.Argument(..., metavar="CANDIDATE", min=1, max=ID_MAX),
    sets: list[str] = typer.Option([], "--set", help="CRITERION=N; repeat for more."),
    comments: list[str] = typer.Option([], "--comment", help="CRITERION=TEXT; repeat for more."),
    submit: bool = typer.Option(False, "--submit", help="Submit and lock the scorecard."),
    reason: str | None = typer.Option(None, "--reason", help="Why, for a correction."),
    as_json: bool = typer.Option(False, "--json", help="Print your scorecard as JSON."),
) -> None:
    """Score a candidate on the rubric: asks for each score, or takes --set; --submit locks it."""
    from qualify.services.scorecards import may_score, scorecard_view
    from qualify.services.scorecards import score as run_score

    context = app_context(ctx)
    with context.session() as session:
        view = scorecard_view(session=session, candidate_id=candidate, actor=context.actor)
    scores, notes = dict(_pairs(sets, "--set")), dict(_pairs(comments, "--comment"))
    if not (sets or comments or submit or as_json):
        # Say what stands in the way before the first question, not after the last.
        with context.session() as session:
            too_early = may_score(
                session=session, candidate_id=candidate, actor=context.actor, reason=reason
            )
        if too_early:
            typer.echo(f"note: {too_early}", err=True)
        later = f"qualify score {candidate} --submit" if too_early else None
        scores, notes, submit = _ask(view, submit_later=later)
    if scores or notes or submit:
        with context.session() as session:
            run_score(
                session=session,
                candidate_id=candidate,
                actor=context.actor,
                scores=scores,
                comments=notes,
                submit=submit,
                reason=reason,
            )
            view = scorecard_view(session=session, candidate_id=candidate, actor=context.actor)
    if as_json:
        print_json(view)
        return
    card = view["scorecard"] or {"status": "not started", "version": 0, "scores": {}}
    status = f"{card['status']}, version {card['version']}"
    typer.echo(f"scorecard for candidate {candidate} ({view['name']}): {status}")
    for criterion in view["criteria"]:
        typer.echo(f"  {criterion['id']}: {card['scores'].get(criterion['id'], '-')}")


def _swap_line(swap: Swap, verb: str) -> str:
    return f"  {swap.seat}: {swap.sat} {verb} in place of {swap.holder}, who {swap.why}"


def _ask_score(question: str, default: int | None, low: int, high: int) -> int:
    """A whole number on the scale, asked again at once until one is given."""
    while True:
        answer = typer.prompt(question, default="" if default is None else str(default))
        text = str(answer).strip()
        if text.lstrip("-").isdigit() and low <= int(text) <= high:
            return int(text)
        what = "is not a whole number" if not text.lstrip("-").isdigit() else "is off the scale"
        typer.echo(f"  {text or 'nothing'} {what}: give a score from {low} to {high}", err=True)


def _ask(
    view: dict[str, Any], *, submit_later: str | None = None
) -> tuple[dict[str, str], dict[str, str], bool]:
    """Interactive scoring: show each criterion with its anchors and ask for a score; an answer
    off the scale or not a number is asked again at once, and an extreme score asks for its
    evidence right after it, until it is given. Before the interview the scores are kept as a
    draft, without asking to submit (`submit_later` says how to submit them then)."""
    low, high = view["scale"]
    card = view["scorecard"] or {}
    current, written = card.get("scores", {}), card.get("comments", {})
    scores, notes = {}, {}
    typer.echo(f"Scoring {view['name']} on a scale of {low} to {high}.")
    for c in view["criteria"]:
        typer.echo(f"\n{c['label']} (weight {c['weight']})")
        for level, anchor in sorted(c["anchors"].items(), key=lambda kv: int(kv[0])):
            typer.echo(f"  {level}: {anchor}")
        value = _ask_score(f"  score for {c['id']} ({low}-{high})", current.get(c["id"]), low, high)
        scores[c["id"]] = str(value)
        earlier = str(written.get(c["id"], ""))
        if value in (low, high):
            note = ""
            while not note.strip():
                note = typer.prompt(
                    f"  a score of {value} needs evidence: what did you see or hear",
                    default=earlier or None,
                    show_default=bool(earlier),
                )
        else:
            note = typer.prompt(
                f"  evidence for {c['id']} (optional)", default=earlier, show_default=False
            )
        if note.strip():
            notes[c["id"]] = note
    if submit_later:
        typer.echo(f"\nKept as a draft; after the interview, submit it with '{submit_later}'.")
        return scores, notes, False
    submit = typer.confirm("\nSubmit and lock this scorecard?", default=False)
    return scores, notes, submit


def results(
    ctx: typer.Context,
    selection: int = typer.Argument(..., metavar="SELECTION", min=1, max=ID_MAX),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Interview results: scores, means, flags, pass or fail, and the ranking with tie-breaks."""
    from qualify.services.results import results as run_results
    from qualify.services.standings import Standings

    context = app_context(ctx)
    with context.session() as session:
        data = run_results(session=session, selection_id=selection, actor=context.actor)
    if as_json:
        print_json(data)
        return
    view = Standings.of(data)
    typer.echo(
        f"pass mark {view.pass_mark}; flag at a spread of {view.disagreement_threshold}; "
        f"ties broken by {', '.join(view.tie_breaks) or 'employee id'}"
    )
    for row in view.candidates:
        head = f"\ncandidate {row.candidate_id} {row.name}"
        if row.hidden is not None:
            missing = f" ({'; '.join(row.missing)})" if row.missing else ""
            typer.echo(f"{head}: {row.status_text}; {row.hidden}{missing}")
            for swap in row.substitutions:
                typer.echo(_swap_line(swap, "sits"))
            continue
        if not row.scored:  # never a pass or a fail unscored
            typer.echo(f"{head}: {row.status_text}")
            for missing in row.missing:
                typer.echo(f"  missing: {missing}")
        else:
            rank = f"rank {row.rank}, " if row.rank else ""
            verdict = "PASS" if row.passed else "FAIL, not ranked"
            total = "-" if row.total is None else f"{row.total:.2f}"
            typer.echo(f"{head}: {rank}total {total}, {verdict}")
        if row.tie_break:
            typer.echo(f"  {row.tie_break}")
        for c in row.criteria:
            flag = "  DISAGREEMENT" if c.flagged else ""
            below = "" if c.minimum_met else "  BELOW MINIMUM"
            scores = ", ".join(f"{p}={s}" for p, s in c.scores.items())
            typer.echo(f"  {c.criterion}: mean {c.mean:.2f} ({scores}){flag}{below}")
        for failure in row.failures if row.scored else ():
            typer.echo(f"  fails: {failure}")
        for swap in row.substitutions:
            typer.echo(_swap_line(swap, "sat"))
        for fix in row.corrections:
            who = f"{fix.panelist} (version {fix.version})"
            typer.echo(f"  corrected by {who}: {fix.changed(view.criterion)}; reason: {fix.reason}")
