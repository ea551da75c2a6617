"""`qualify user` and `qualify selection`: who acts, and the rounds they act in."""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from qualify.cli.context import ID_MAX, app_context, print_json, print_table
from qualify.errors import BadInput
from qualify.limits import DATE_MAX, DATE_MIN

users = typer.Typer(help="Register users, edit their names and roles.", no_args_is_help=True)
selections = typer.Typer(help="Open and list selections.", no_args_is_help=True)


def parse_date(text: str, option: str) -> date:
    try:
        when = date.fromisoformat(text)
    except ValueError:
        raise BadInput(f"{option}: {text!r} is not a date; use YYYY-MM-DD") from None
    if not DATE_MIN <= when <= DATE_MAX:
        raise BadInput(f"{option}: {text} is not between {DATE_MIN} and {DATE_MAX}")
    return when


@users.command("add")
def user_add(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="Login-style name, e.g. jsmith."),
    roles: list[str] = typer.Option(..., "--role", help="A role from a workflow; repeat for more."),
    full_name: str = typer.Option(
        "",
        "--full-name",
        metavar="TEXT",
        help='Required: as documents name them, e.g. "Ann O\'Brien".',
    ),
    title: str = typer.Option(
        "",
        "--title",
        metavar="TEXT",
        help='Required: as documents name them, e.g. "Captain, Support Division Commander".',
    ),
) -> None:
    """Register a user with one or more roles, their full name and title (an administrator, or a
    role the selections' workflows allow to manage users, may; the first user is made by
    'qualify init --admin NAME')."""
    from qualify.services.users import add_user

    context = app_context(ctx)
    with context.session() as session:
        user = add_user(
            session=session,
            workflows_dir=context.settings.workflows_dir,
            name=name,
            roles=roles,
            full_name=full_name,
            title=title,
            actor=context.actor,
        )
    typer.echo(f"added user {user.name} ({', '.join(user.roles)})")


@users.command("edit")
def user_edit(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The user's login name."),
    full_name: str | None = typer.Option(None, "--full-name", metavar="TEXT"),
    title: str | None = typer.Option(None, "--title", metavar="TEXT"),
    add_roles: list[str] = typer.Option([], "--add-role", help="A role to give; repeat."),
    remove_roles: list[str] = typer.Option([], "--remove-role", help="A role to take; repeat."),
    reason: str | None = typer.Option(
        None,
        "--reason",
        help="Why (kept in the audit log); required with --full-name or --title.",
    ),
) -> None:
    """Change a user's full name, title (with a --reason) or roles (audited). A role the user
    needs for a panel seat, or as the supervisor of a candidate in progress, is not removed."""
    from qualify.services.users import edit_user

    context = app_context(ctx)
    with context.session() as session:
        changed = edit_user(
            session=session,
            workflows_dir=context.settings.workflows_dir,
            name=name,
            actor=context.actor,
            full_name=full_name,
            title=title,
            add_roles=add_roles,
            remove_roles=remove_roles,
            reason=reason,
        )
    for field, (old, new) in changed.items():
        shown = [", ".join(v) if isinstance(v, list) else str(v or "-") for v in (old, new)]
        typer.echo(f"user {name}: {field.replace('_', ' ')} {shown[0]} -> {shown[1]}")


@users.command("list")
def user_list(
    ctx: typer.Context, as_json: bool = typer.Option(False, "--json", help="Print JSON.")
) -> None:
    """List users and their roles."""
    from qualify.services.users import list_users

    context = app_context(ctx)
    with context.session() as session:
        found = list_users(session=session, actor=context.actor)
    if as_json:
        print_json(
            [
                {"name": u.name, "roles": u.roles, "full_name": u.full_name, "title": u.title}
                for u in found
            ]
        )
        return
    print_table(
        ["name", "roles", "full name", "title"],
        [[u.name, ", ".join(u.roles), u.full_name, u.title] for u in found],
    )


@selections.command("open")
def selection_open(
    ctx: typer.Context,
    title: str = typer.Argument(..., help="e.g. 'School Resource Officer 2027'."),
    workflow: str = typer.Option(..., "--workflow", help="Workflow name, e.g. sro-selection."),
    as_of: str = typer.Option(
        ..., "--as-of", help="Date qualifications are measured at (YYYY-MM-DD), e.g. the deadline."
    ),
    far_as_of: bool = typer.Option(
        False,
        "--far-as-of",
        help="Confirm an --as-of date more than 90 days ahead of today (refused without it).",
    ),
) -> None:
    """Open a selection; it freezes the workflow's text and hash from now on."""
    from qualify.services.selections import open_selection

    context = app_context(ctx)
    when = parse_date(as_of, "--as-of")
    with context.session() as session:
        selection = open_selection(
            session=session,
            settings=context.settings,
            title=title,
            workflow=workflow,
            as_of=when,
            actor=context.actor,
            far_as_of=far_as_of,
        )
    typer.echo(
        f"opened selection {selection.id}: {selection.title} "
        f"({selection.workflow_name} {selection.workflow_version}, as of {selection.as_of})"
    )


def _selection_dict(selection: object, closed: dict[int, Any]) -> dict[str, object]:
    from qualify.store.tables import Selection

    assert isinstance(selection, Selection)
    assert selection.id is not None
    closing = closed.get(selection.id)
    return {
        "id": selection.id,
        "title": selection.title,
        "workflow": selection.workflow_name,
        "version": selection.workflow_version,
        "sha256": selection.workflow_sha256,
        "as_of": selection.as_of.isoformat(),
        "opened_at": selection.opened_at.isoformat(),
        "opened_by": selection.opened_by,
        "closed": None
        if closing is None
        else {"at": closing.at.isoformat(), "by": closing.by, "reason": closing.reason},
    }


@selections.command("list")
def selection_list(
    ctx: typer.Context,
    show_all: bool = typer.Option(False, "--all", help="Closed selections too."),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """List the open selections (--all: the closed ones too, marked)."""
    from qualify.services.selections import list_selections
    from qualify.store.closed import closed_selections

    context = app_context(ctx)
    with context.session() as session:
        closed = closed_selections(session)
        found = [
            _selection_dict(s, closed)
            for s in list_selections(session=session, actor=context.actor, closed=show_all)
        ]
    if as_json:
        print_json(found)
        return
    print_table(
        ["id", "title", "workflow", "version", "as of", *(["closed"] if show_all else [])],
        [
            [
                str(s["id"]),
                str(s["title"]),
                str(s["workflow"]),
                str(s["version"]),
                str(s["as_of"]),
                *(["closed" if s["closed"] else ""] if show_all else []),
            ]
            for s in found
        ],
    )
    hidden = len(closed) if not show_all else 0
    if hidden:
        typer.echo(f"({hidden} closed not shown; --all lists them)")


@selections.command("show")
def selection_show(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="ID", min=1, max=ID_MAX),
    as_json: bool = typer.Option(False, "--json", help="Print JSON."),
) -> None:
    """Show a selection: the workflow version and hash it runs on, candidates by state, and
    whether it was closed."""
    from qualify.services.candidates import count_by_state
    from qualify.store.closed import closed_selections
    from qualify.store.lookups import get_selection

    context = app_context(ctx)
    with context.session() as session:
        counts = count_by_state(session=session, selection_id=selection_id, actor=context.actor)
        data = _selection_dict(get_selection(session, selection_id), closed_selections(session))
        data["candidates_by_state"] = counts
    if as_json:
        print_json(data)
        return
    typer.echo(f"selection {data['id']}: {data['title']}")
    typer.echo(f"workflow {data['workflow']} version {data['version']}")
    typer.echo(f"workflow sha256 {data['sha256']}")
    typer.echo(f"qualifications as of {data['as_of']}")
    typer.echo(f"opened {data['opened_at']} by {data['opened_by']}")
    closing = data["closed"]
    if isinstance(closing, dict):
        typer.echo(f"closed {closing['at']} by {closing['by']}: {closing['reason']}")
    shown = ", ".join(f"{state} {n}" for state, n in sorted(counts.items())) or "none yet"
    typer.echo(f"candidates: {shown}")


@selections.command("close")
def selection_close(
    ctx: typer.Context,
    selection_id: int = typer.Argument(..., metavar="ID", min=1, max=ID_MAX),
    reason: str = typer.Option(..., "--reason", metavar="TEXT", help="Why it is closed."),
) -> None:
    """Close a selection opened by mistake (one with no candidates), saying why: it leaves
    'selection list' and the portal's pickers; its records and audit events stay. Audited."""
    from qualify.services.selections import close_selection

    context = app_context(ctx)
    with context.session() as session:
        closing = close_selection(
            session=session, selection_id=selection_id, reason=reason, actor=context.actor
        )
    typer.echo(f"closed selection {selection_id}, audit event #{closing.event_id}")


@users.command("invite")
def user_invite(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The user's login name."),
) -> None:
    """Print a one-time link for a user to set their portal password (valid 72 hours; only its
    hash is stored; any earlier link of theirs stops working). The link starts with
    QUALIFY_PORTAL_URL (default http://127.0.0.1:8000), the address people open. Audited."""
    from qualify.services.accounts import invite

    context = app_context(ctx)
    with context.session() as session:
        issued = invite(
            session=session, name=name, actor=context.actor, portal=context.settings.portal
        )
    typer.echo(f"invitation for {issued.user}, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC:")
    typer.echo(issued.link(context.settings.portal))
    typer.echo(context.settings.portal.link_note())
    typer.echo("give the link to them alone: it works once, and signs in whoever uses it")


@users.command("reset")
def user_reset(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The user's login name."),
) -> None:
    """Revoke a user's portal password, end all their portal sessions, and print a new
    one-time invitation link (valid 72 hours), starting with QUALIFY_PORTAL_URL (default
    http://127.0.0.1:8000). Audited."""
    from qualify.services.accounts import reset

    context = app_context(ctx)
    with context.session() as session:
        issued = reset(
            session=session, name=name, actor=context.actor, portal=context.settings.portal
        )
    typer.echo(
        f"password of {issued.user} revoked; {issued.sessions_ended} portal session(s) ended"
    )
    typer.echo(f"new invitation, valid until {issued.expires_at:%Y-%m-%d %H:%M} UTC:")
    typer.echo(issued.link(context.settings.portal))
    typer.echo(context.settings.portal.link_note())
