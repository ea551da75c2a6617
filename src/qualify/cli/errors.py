"""How the command line says an error: a service names the input it is about by its field and
the next step by its use case; here a field becomes its `--flag` and a step the command to run.

A field whose flag is its own name with dashes (`reason_code` -> `--reason-code`) needs no entry
in FLAGS; a field named `a+b` is two inputs given together (`--a and --b`); `scores.clarity`, one
entry of a mapping, is given with the mapping's flag (`--set`).
"""

from __future__ import annotations

from qualify.errors import QualifyError, Step

# Fields whose option is not `--` and the field's name with dashes.
FLAGS = {
    "database_url": "--db",
    "roles": "--role",
    "add_roles": "--add-role",
    "remove_roles": "--remove-role",
    "scores": "--set",
    "comments": "--comment",
    "fields": "--field",
    "vouched_by": "--by",
    "due_on": "--by",
    "seats": "--seat",
    "alternates": "--alternate",
    "kind": "KIND",
    "output_dir": "-o",
    "course": "COURSE",
    "courses": "COURSE",
    "trigger": "TRIGGER",
}

# What to type for each next step a service names; `{subject}` is the step's subject.
STEPS = {
    "create_database": "; run 'qualify init' to create it, or check --db",
    "set_up_database": "; run 'qualify init' first",
    "upgrade_database": "; run 'qualify init' to upgrade it",
    "create_audit_key": (
        ": run 'qualify init' to create one, or point QUALIFY_AUDIT_KEY at the key file of "
        "this database"
    ),
    "create_admin": ": the first one, its administrator, is made by 'qualify init --admin NAME'",
    "register_user": (
        ": act as a registered user with --as NAME, or ask HR to add you with "
        "'qualify user add {subject} --role ROLE'"
    ),
    "add_user": "; an administrator adds users with 'qualify user add'",
    "list_users": " (see 'qualify user list')",
    "list_selections": " (see 'qualify selection list')",
    "confirm_as_of": "; if that day is meant, give --far-as-of too",
    "confirm_far_interview": "; if that day is meant, give --far-ahead too",
    "confirm_far_due": "; if that day is meant, give --far-ahead too",
    "confirm_replace": ", or give --force to replace it",
    "list_candidates": " (see 'qualify candidate list')",
    "give_user_changes": (
        ": give --full-name, --title, --add-role or --remove-role with a new value"
    ),
    "give_candidate_changes": (
        ": --first-name, --last-name, --name, --rank, --unit, --supervisor or --email"
    ),
    "assign_panel": " ('qualify panel assign {subject} ...')",
    "change_supervisor": " ('qualify candidate edit {subject} --supervisor ... --reason ...')",
    "declare_conflicts": ": run 'qualify declare {subject}' (or with --conflict TEXT)",
    "correct_scorecard": ": give --submit and a --reason",
    "give_correction_reason": ": give a --reason",
    "score_criteria": " (use --set ID=N)",
    "comment_extremes": ": add --comment ID=TEXT for {subject}",
    "attach_file": " (use --file PATH)",
    "name_evidence_field": "; use --field NAME=VALUE",
    "give_notice": (
        "; give --reason-code CODE ({subject}) or --notice TEXT, the words the letter states "
        "(--reason stays internal)"
    ),
    "repair_packets": "; run 'qualify packet --repair'",
    "give_skip_reason": ": give --skip-reason TEXT saying why",
    "verify_audit": "; run 'qualify audit verify'",
    "draw_mermaid": ", or use --format mermaid",
    "correct_report": "; to correct it, give the changed fields and --reason",
    "enter_report": "; enter it without --reason",
    "review_report": ": look at it, and correct it with --reason if it is wrong",
    "list_reports_due": " (see 'qualify report due')",
    "direct_training": (
        ": name the courses and the date they are due with "
        "'qualify training assign {subject} COURSE... --by DATE'"
    ),
    "how_to_direct_training": "; it is directed with 'qualify training assign'",
    "reset_password": ("; 'qualify user reset {subject}' revokes it and issues a new invitation"),
}


def flag(field: str) -> str:
    """The option (or argument) a field is given with on the command line."""
    if "+" in field:
        return " and ".join(flag(part) for part in field.split("+"))
    name = field.partition(".")[0]
    return FLAGS.get(name) or "--" + name.replace("_", "-")


def command(step: Step) -> str:
    """The words that tell a CLI user how to take `step`."""
    if step.action == "give_notice" and step.subject is None:
        return "; give --notice TEXT, the words the letter states (--reason stays internal)"
    return STEPS[step.action].format(subject=step.subject)


def render(error: QualifyError) -> str:
    """The error as the CLI prints it: lines, fields as flags, steps as commands."""
    return error.render(flag, command)
