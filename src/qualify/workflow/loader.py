"""Load a workflow file safely and validate it; every problem names file, line and key path.

YAML is read with the safe loader only. Check kinds come from CHECK_KINDS; nothing in a file is
ever imported or called.
"""

from __future__ import annotations

import copy
import hashlib
import math
import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml
from pydantic import ValidationError

from qualify.errors import BadInput, WorkflowError
from qualify.files import read_regular_file
from qualify.limits import TRAINING_HOURS_MAX, YAML_MAX_CHARS
from qualify.safeyaml import LimitedLoader, YAMLLimitError, check_composed, check_length
from qualify.suggest import suggest
from qualify.workflow import reports
from qualify.workflow.checks import CHECK_KINDS, RENAMED_KINDS, DocumentByRoleParams, Params
from qualify.workflow.spec import (
    ALL_KEYS,
    FIXED_TIE_BREAKS,
    NAME,
    TIE_BREAK_RULES,
    Workflow,
)

Path_ = tuple[str | int, ...]


@dataclass(frozen=True)
class LoadedWorkflow:
    """A validated workflow with its parsed check parameters, exact text and sha256."""

    spec: Workflow
    params: dict[str, Params]
    text: str
    sha256: str
    source: str


def load_path(path: Path, *, templates: Iterable[str] | None = None) -> LoadedWorkflow:
    """Load and validate a workflow file."""
    try:
        data = read_regular_file(path, label=str(path), limit=YAML_MAX_CHARS)
    except BadInput as exc:
        raise WorkflowError([str(exc)]) from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise WorkflowError([f"{path}: not UTF-8 text (byte {exc.start})"]) from None
    return load_text(text, source=str(path), templates=templates)


def load_text(
    text: str, *, source: str, templates: Iterable[str] | None = None, fast: bool = False
) -> LoadedWorkflow:
    """Validate workflow text. `templates`, when given, are the packet template names available;
    `fast` is for text a selection froze, checked when it opened: it parses with libyaml, whose
    syntax errors are terser, and the shapes of older versions still load."""
    data, lines = _parse(text, source, fast=fast)
    problems = _Problems(source, lines)
    if not isinstance(data, dict):
        problems.add((), "a workflow file must be a mapping of keys such as name, states, checks")
        problems.raise_if_any()
    _rename_kinds(data, problems, frozen=fast)
    _read_old_report_calendar(data, problems, frozen=fast)
    try:
        spec = Workflow.model_validate(data)
    except ValidationError as exc:
        for error in exc.errors():
            problems.add(tuple(error["loc"]), _pydantic_message(error))
        # A number out of its bounds is reported, and the rest of the file still checked.
        at_bounds = _at_bounds(data, exc)
        if at_bounds is None:
            problems.raise_if_any()
        try:
            spec = Workflow.model_validate(at_bounds)
        except ValidationError:
            problems.raise_if_any()
            raise
    params = _validate_semantics(
        spec, problems, None if templates is None else set(templates), fast=fast
    )
    problems.raise_if_any()
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return LoadedWorkflow(spec=spec, params=params, text=text, sha256=digest, source=source)


def _rename_kinds(data: dict[str, Any], problems: _Problems, *, frozen: bool) -> None:
    """Read a check kind that was renamed by its new name; refuse the old name in a workflow
    file (one a selection froze before the rename still loads)."""
    checks = data.get("checks")
    if not isinstance(checks, dict):
        return
    for check_id, check in checks.items():
        old = check.get("kind") if isinstance(check, dict) else None
        if isinstance(old, str) and old in RENAMED_KINDS:
            check["kind"] = RENAMED_KINDS[old]
            if not frozen:
                problems.add(
                    ("checks", check_id, "kind"),
                    f"check kind '{old}' is now called '{RENAMED_KINDS[old]}'; rename it",
                )


# A selection opened before the report calendar was a rule listed each quarter's due date (the
# SRO workflow: 15 days after the quarter, or the Friday before when that was a weekend). Its
# frozen text still loads: the listed quarters keep their dates, and the quarters before and
# after them follow that rule, from the quarter of appointment.
OLD_REPORT_RULE = {
    "first_quarter": "appointment",
    "due_days_after_quarter": 15,
    "due_on_closed_day": "before",
}


def _read_old_report_calendar(data: dict[str, Any], problems: _Problems, *, frozen: bool) -> None:
    """Read `activity_reports.due`, a list of quarters and their due dates, as the rule of
    OLD_REPORT_RULE in text a selection froze; refuse it in a workflow file."""
    reports = data.get("activity_reports")
    if not isinstance(reports, dict) or "due" not in reports:
        return
    if frozen and not any(key in reports for key in OLD_REPORT_RULE):
        reports.update(OLD_REPORT_RULE)
        return
    if not frozen:
        problems.add(
            ("activity_reports", "due"),
            "a list of quarters runs out: write the rule instead, first_quarter (appointment "
            "or next) and due_days_after_quarter (such as 15)",
        )
        reports.pop("due")
        for key, value in OLD_REPORT_RULE.items():
            reports.setdefault(key, value)  # one problem, not three


# The limit of each bound a spec model puts on a number (Field(gt=..., ge=..., le=..., lt=...)).
_BOUNDS = {
    "greater_than": "gt",
    "greater_than_equal": "ge",
    "less_than_equal": "le",
    "less_than": "lt",
}


def _at_bounds(data: Any, exc: ValidationError) -> Any | None:
    """A copy of `data` with every number out of its bounds moved just inside them, to check the
    rest of the file as well; None when some error is not a bound."""
    fixed = copy.deepcopy(data)
    for error in exc.errors():
        key = _BOUNDS.get(error["type"])
        if key is None:
            return None
        limit = error["ctx"][key]
        if key in ("gt", "lt"):
            limit = math.nextafter(limit, math.inf if key == "gt" else -math.inf)
        *parents, last = error["loc"]
        container = fixed
        for part in parents:
            container = container[part]
        container[last] = limit
    return fixed


class _Problems:
    def __init__(self, source: str, lines: dict[Path_, int]) -> None:
        self.source = source
        self.lines = lines
        self.items: list[tuple[int, str]] = []

    def add(self, path: Path_, message: str) -> None:
        line = self._line(path)
        where = f"{self.source}:{line}" if line else self.source
        shown = _format_path(path)
        self.items.append(
            (line, f"{where}: {shown}: {message}" if shown else f"{where}: {message}")
        )

    def twice(self, path: Path_, first: Path_, what: str, fix: str) -> None:
        """`what` at `path` repeats the value at `first`: name both places, and the fix
        ("criterion id 'skill' is used twice: rubric.criteria[0].id (line 49) has it too;
        give each criterion its own id")."""
        line = self._line(first)
        where = f"{_format_path(first)} (line {line})" if line else _format_path(first)
        self.add(path, f"{what}: {where} has it too; {fix}")

    def _line(self, path: Path_) -> int:
        for end in range(len(path), -1, -1):
            if path[:end] in self.lines:
                return self.lines[path[:end]]
        return 0

    def known(
        self, path: Path_, value: str, choices: Iterable[str], what: str, of: str = ""
    ) -> bool:
        """Whether `value` is one of `choices`; if not, add the problem with a did-you-mean."""
        names = list(choices)
        if value in names:
            return True
        self.add(path, f"unknown {what} '{value}'{of}{suggest(value, names)}")
        return False

    def raise_if_any(self) -> None:
        if self.items:
            raise WorkflowError([message for _, message in sorted(self.items, key=lambda i: i[0])])


def _format_path(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# libyaml's parser (PyYAML's C extension, in its wheels) composes the same nodes with the same
# marks about ten times faster than the pure-Python one, but its syntax errors say less (not
# what it found instead): it reads the workflow text a selection froze, which was checked when
# the selection opened and which every command parses once.
_FAST_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _parse(text: str, source: str, *, fast: bool = False) -> tuple[Any, dict[Path_, int]]:
    lines: dict[Path_, int] = {}
    duplicates: list[str] = []
    too_long = check_length(text)
    if too_long:
        raise WorkflowError([f"{source}: {too_long}"])
    try:
        # Text a selection froze passed the limits when it was first checked.
        loader = _FAST_LOADER(text) if fast else LimitedLoader(text)
        try:
            node = loader.get_single_node()
            if node is not None and fast:
                check_composed(node)  # the limits LimitedLoader applies while composing
            if node is not None:
                _index(node, (), lines, duplicates)
            data = loader.construct_document(node) if node is not None and not duplicates else None
        finally:
            loader.dispose()
    except YAMLLimitError as exc:
        mark = exc.problem_mark
        line = f":{mark.line + 1}" if mark else ""
        raise WorkflowError([f"{source}{line}: {exc.problem}"]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise WorkflowError([f"{source}{line}: YAML syntax error: {exc.problem}"]) from None
    except yaml.YAMLError as exc:
        reason = str(exc).splitlines()[0]
        raise WorkflowError([f"{source}: YAML error: {reason}"]) from None
    if duplicates:
        raise WorkflowError([f"{source}:{d}" for d in duplicates])
    return data, lines


def parse_yaml(text: str, source: str) -> tuple[Any, dict[Path_, int]]:
    """Parse a YAML data file safely: the data, and the line of every key path (for errors
    that name file:line); a syntax error or a key given twice is a WorkflowError."""
    return _parse(text, source)


def _index(node: yaml.Node, path: Path_, lines: dict[Path_, int], duplicates: list[str]) -> None:
    """Record the line of every key path, and any key given twice in one mapping."""
    lines.setdefault(path, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        seen: set[str] = set()
        for key_node, value_node in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            if key in seen:
                shown = _format_path((*path, key))
                within = f"under {_format_path(path)}" if path else "at the top of the file"
                duplicates.append(
                    f"{key_node.start_mark.line + 1}: {shown}: the key '{key}' is given twice "
                    f"{within} (first at line {lines[(*path, key)]}): keep one"
                )
            seen.add(key)
            lines[(*path, key)] = key_node.start_mark.line + 1
            _index(value_node, (*path, key), lines, duplicates)
            if key.isascii() and key.isdigit():  # anchors: {1: ...} reach pydantic as ints
                lines.setdefault((*path, int(key)), key_node.start_mark.line + 1)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _index(item, (*path, i), lines, duplicates)


def _pydantic_message(error: Any) -> str:
    kind, loc = error["type"], error["loc"]
    if kind == "extra_forbidden":
        return f"unknown key '{loc[-1]}'{suggest(loc[-1], ALL_KEYS)}"
    if kind == "missing":
        return "missing key"
    if kind == "literal_error":
        return f"{error['msg'].lower()}, not {_shown(error['input'])}"
    if kind in ("greater_than", "greater_than_equal"):
        # The value as the field reads it: a weight of 0 is 0.0.
        bound, given = error["ctx"][_BOUNDS[kind]], error["input"]
        shown = float(given) if isinstance(bound, float) and isinstance(given, int) else given
        wording = (
            f"{loc[-1]} must be positive"
            if kind == "greater_than" and bound == 0
            else (f"must be {'above' if kind == 'greater_than' else 'at least'} {bound}")
        )
        return f"{wording} (got {_shown(shown)})"
    if "input" not in error:
        return str(error["msg"])
    return f"{error['msg'].lower()} (got {_shown(error['input'])})"


def _shown(value: object, limit: int = 60) -> str:
    """A value as the user wrote it, cut short: an error line never echoes a whole document."""
    text = repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _validate_semantics(
    spec: Workflow, problems: _Problems, templates: set[str] | None, *, fast: bool = False
) -> dict[str, Params]:
    """Cross-reference checks (bounds on single values are the spec models' own); add every
    problem found."""
    known = problems.known
    _validate_states(spec, problems)
    _validate_transitions(spec, problems)
    _validate_evidence(spec, problems)
    params = _validate_checks(spec, problems)
    _validate_roles_named(spec, problems)
    _validate_rubric(spec, problems)
    _validate_qualifications(spec, problems)
    _validate_fairness(spec, known)
    _validate_training(spec, problems)
    _validate_packets(spec, problems, templates, fast=fast)
    _validate_documents(spec, problems, known)
    _validate_position_brief(spec, problems)
    reports.validate(spec, problems.add, problems.twice)
    if templates is not None:
        for j, template in enumerate(spec.training.amended_packets):
            known(("training", "amended_packets", j), template, templates, "packet template")
    if spec.activity_reports is not None and templates is not None:
        known(
            ("activity_reports", "packet"),
            spec.activity_reports.packet,
            templates,
            "packet template",
        )
    return params


def _validate_states(spec: Workflow, problems: _Problems) -> None:
    """One initial state, never final; every state reachable and left unless final."""
    states = spec.states
    if "admin" in spec.roles:
        problems.add(
            ("roles", "admin"),
            "the role name 'admin' is qualify's own (the administrator of a new database); "
            "choose another name",
        )
    initial = [name for name, s in states.items() if s.initial]
    if len(initial) != 1:
        problems.add(("states",), f"exactly one state must be initial, found {len(initial)}")
    for name, state in states.items():
        if state.initial and state.final:
            problems.add(("states", name), "a state cannot be both initial and final")
    named = {s for t in spec.transitions for s in (*t.source, t.dest)}
    if len(initial) == 1 and named <= set(states):  # with unknown states, fix those first
        reachable = _reachable(spec, initial[0])
        for name in states:
            if name not in reachable:
                problems.add(("states", name), "unreachable: no transition leads here")
    sources = {s for t in spec.transitions for s in t.source}
    for name, state in states.items():
        if not state.final and name not in sources:
            problems.add(
                ("states", name), "not final and no transition leaves it (mark it final: true?)"
            )
        if state.initial and state.holds_position:
            problems.add(
                ("states", name, "holds_position"),
                "the initial state cannot hold a position: every nomination would take one",
            )
    if "positions" in spec.model_fields_set and not spec.position_states():
        problems.add(
            ("positions",),
            "no state holds a position, so nothing counts them: mark the states in which an "
            "officer holds the position with holds_position: true",
        )


def _validate_transitions(spec: Workflow, problems: _Problems) -> None:
    """Known states, roles and guards; no trigger defined twice from one state."""
    known, states = problems.known, spec.states
    seen_moves: dict[tuple[str, str], int] = {}
    for i, t in enumerate(spec.transitions):
        here: Path_ = ("transitions", i)
        for j, source in enumerate(t.source):
            known((*here, "source", j), source, states, "state")
            if source in states and states[source].final:
                problems.add((*here, "source", j), f"state '{source}' is final: nothing leaves it")
            if (source, t.trigger) in seen_moves:
                first = seen_moves[(source, t.trigger)]
                problems.twice(
                    (*here, "trigger"),
                    ("transitions", first, "trigger"),
                    f"trigger '{t.trigger}' from state '{source}' is defined twice",
                    "one trigger leaves a state one way: rename one or remove it",
                )
            seen_moves.setdefault((source, t.trigger), i)
        known((*here, "dest"), t.dest, states, "state")
        if "{" in t.label.replace(NAME, "") or "}" in t.label.replace(NAME, ""):
            problems.add(
                (*here, "label"),
                f"a label may hold {NAME} (the candidate's name) and no other braces",
            )
        if not t.roles:
            problems.add((*here, "roles"), "name at least one role that may fire it")
        for j, role in enumerate(t.roles):
            known((*here, "roles", j), role, spec.roles, "role")
        for j, guard in enumerate(t.guards):
            known((*here, "guards", j), guard, spec.checks, "check")


def _validate_evidence(spec: Workflow, problems: _Problems) -> None:
    """Each evidence kind has fields; choices and accepted file types only where they apply."""
    for kind, ev in spec.evidence.items():
        if not ev.fields:
            problems.add(("evidence", kind, "fields"), "declare at least one field")
        for fname, f in ev.fields.items():
            if f.type == "choice" and not f.choices:
                problems.add(("evidence", kind, "fields", fname), "a choice field needs choices")
            if f.type != "choice" and f.choices:
                problems.add(("evidence", kind, "fields", fname, "choices"), "only for type choice")
            if f.type != "file" and f.accept:
                problems.add(("evidence", kind, "fields", fname, "accept"), "only for type file")


def _validate_checks(spec: Workflow, problems: _Problems) -> dict[str, Params]:
    """Each check's kind is known and its parameters fit the kind and name evidence fields of
    the right types; return the parsed parameters."""
    known = problems.known
    params: dict[str, Params] = {}
    for check_id, check in spec.checks.items():
        here: Path_ = ("checks", check_id)
        if not known((*here, "kind"), check.kind, CHECK_KINDS, "check kind"):
            continue
        try:
            parsed = CHECK_KINDS[check.kind].params.model_validate(check.params)
        except ValidationError as exc:
            for error in exc.errors():
                problems.add((*here, "params", *error["loc"]), _pydantic_message(error))
            continue
        params[check_id] = parsed
        for ref in parsed.references():
            at = (*here, "params", ref.param)
            ev_path = (*here, "params", ref.evidence_param)
            if not known(ev_path, ref.evidence, spec.evidence, "evidence kind"):
                continue
            fields = spec.evidence[ref.evidence].fields
            if known(at, ref.field, fields, "field", f" of evidence '{ref.evidence}'"):
                actual = fields[ref.field].type
                if actual not in ref.types:
                    problems.add(
                        at, f"field '{ref.field}' is {actual}; needs {' or '.join(ref.types)}"
                    )
        if isinstance(parsed, DocumentByRoleParams):
            known((*here, "params", "role"), parsed.role, spec.roles, "role")
    return params


def _validate_roles_named(spec: Workflow, problems: _Problems) -> None:
    """The permissions and the panel name known roles and states; the panel has seats."""
    known = problems.known
    for action, allowed in spec.permissions:
        for j, role in enumerate(allowed):
            known(("permissions", action, j), role, spec.roles, "role")
    for seat_id, seat in spec.panel.seats.items():
        known(("panel", "seats", seat_id, "role"), seat.role, spec.roles, "role")
    if not spec.panel.seats:
        problems.add(("panel", "seats"), "declare at least one seat")
    for j, state_name in enumerate(spec.panel.scoring_states):
        known(("panel", "scoring_states", j), state_name, spec.states, "state")


def _validate_qualifications(spec: Workflow, problems: _Problems) -> None:
    for i, q in enumerate(spec.qualifications):
        for j, target in enumerate(q.enforced_by):
            _validate_reference(
                spec, ("qualifications", i, "enforced_by", j), target, problems, problems.known
            )


def _validate_packets(
    spec: Workflow, problems: _Problems, templates: set[str] | None, *, fast: bool
) -> None:
    """Packets are printed on entering known states, from known templates of a declared kind."""
    known = problems.known
    for state_name, names in spec.packets.items():
        known(("packets", state_name), state_name, spec.states, "state")
        for j, template in enumerate(names):
            item: Path_ = ("packets", state_name, j)
            if templates is not None and not known(item, template, templates, "packet template"):
                continue
            # A selection frozen before packet_kinds existed still loads (`fast`: text checked
            # when it opened); its packets fall back to a title made from the template's name
            # and never show sensitive evidence.
            if template not in spec.packet_kinds and not fast:
                problems.add(
                    item,
                    f"packet '{template}' has no entry under packet_kinds (its title and audience)",
                )


def _validate_position_brief(spec: Workflow, problems: _Problems) -> None:
    """Each funding option has the figures its basis computes with, and no others."""
    brief = spec.position_brief
    if brief is None:
        return
    if brief.salary_low > brief.salary_high:
        problems.add(
            ("position_brief", "salary_low"),
            f"{brief.salary_low} is above salary_high ({brief.salary_high})",
        )
    if brief.school_days > brief.work_days:
        problems.add(
            ("position_brief", "school_days"),
            f"{brief.school_days} is more than work_days ({brief.work_days})",
        )
    if not brief.options:
        problems.add(("position_brief", "options"), "list at least one funding option")
    needs = {
        "full": set(),
        "share": {"share_percent"},
        "hourly": {"hourly_rate", "hours_per_day"},
        "none": set(),
    }
    seen: dict[str, int] = {}
    for i, option in enumerate(brief.options):
        here: Path_ = ("position_brief", "options", i)
        if option.id in seen:
            problems.twice(
                (*here, "id"),
                ("position_brief", "options", seen[option.id], "id"),
                f"option id '{option.id}' is used twice",
                "give each funding option its own id",
            )
        seen.setdefault(option.id, i)
        given = {k for k in ("share_percent", "hourly_rate", "hours_per_day") if getattr(option, k)}
        for key in sorted(needs[option.basis] - given):
            problems.add((*here, key), f"basis {option.basis} needs {key}")
        for key in sorted(given - needs[option.basis]):
            bases = " or ".join(b for b, keys in needs.items() if key in keys)
            problems.add((*here, key), f"only for basis {bases}")
        if option.basis == "share" and option.share_percent is not None:
            exact = 100 * brief.school_days / brief.work_days
            if abs(option.share_percent - exact) >= 1:
                problems.add(
                    (*here, "share_percent"),
                    f"{option.share_percent}% is not within one point of {brief.school_days} "
                    f"of {brief.work_days} days ({exact:.1f}%)",
                )


_CODE = re.compile(r"^[a-z][a-z0-9_]*$")


def _validate_documents(spec: Workflow, problems: _Problems, known: Any) -> None:
    """Packet kinds, letters' notices, the appeal rule, the time zone and the holidays."""
    for name, kind in spec.packet_kinds.items():
        here: Path_ = ("packet_kinds", name)
        if not kind.title.strip():
            problems.add((*here, "title"), "write the title printed on the packet")
        if not kind.audience:
            problems.add((*here, "audience"), "name at least one role that receives it")
        for j, role in enumerate(kind.audience):
            known((*here, "audience", j), role, spec.roles, "role")
        if kind.appeal and not kind.letter:
            problems.add((*here, "appeal"), "only a letter (letter: true) states the appeal right")
        if kind.appeal and spec.appeal is None:
            problems.add((*here, "appeal"), "the workflow has no top-level appeal: rule to state")
        if kind.letter and kind.sensitive:
            problems.add((*here, "sensitive"), "a letter to the candidate never carries evidence")
    for i, t in enumerate(spec.transitions):
        for code, text in t.reason_codes.items():
            at: Path_ = ("transitions", i, "reason_codes", code)
            if not _CODE.match(code):
                problems.add(at, f"reason code '{code}' must be lower_case_with_underscores")
            if not text.strip():
                problems.add(at, "write the text sent to the candidate")
        for code in t.reason_codes_true_when:
            if code not in t.reason_codes:
                problems.add(
                    ("transitions", i, "reason_codes_true_when", code),
                    f"'{code}' is not one of the transition's reason_codes",
                )
        for code, text in t.categories.items():
            at = ("transitions", i, "categories", code)
            if not _CODE.match(code):
                problems.add(at, f"category '{code}' must be lower_case_with_underscores")
            if not text.strip():
                problems.add(at, "write the words the letter prints for this category")
        if t.eligible_list and spec.eligible_list_months is None:
            problems.add(
                ("transitions", i, "eligible_list"),
                "say how long the eligible list is valid: eligible_list_months at the top level",
            )
    if spec.eligible_list_months is not None and not any(t.eligible_list for t in spec.transitions):
        problems.add(
            ("eligible_list_months",),
            "no transition recalls from the eligible list (eligible_list: true)",
        )
    if spec.appeal is not None and not spec.appeal.to.strip():
        problems.add(("appeal", "to"), "say to whom a request for reconsideration goes")
    try:
        ZoneInfo(spec.time_zone)
    except (ValueError, OSError, ZoneInfoNotFoundError):  # OSError: a name too long for a path
        zone = spec.time_zone
        problems.add(("time_zone",), f"unknown time zone '{zone}' (a name like America/New_York)")
    seen: dict[date, int] = {}
    for j, day in enumerate(spec.holidays):
        if day in seen:
            problems.twice(
                ("holidays", j),
                ("holidays", seen[day]),
                f"{day.isoformat()} is listed twice",
                "list each holiday once",
            )
        seen.setdefault(day, j)


INTERVIEW_PASSED = "interview_passed"
# Training completions are kept as evidence records of this kind (see services/training.py).
TRAINING_EVIDENCE = "training_completed"


def _validate_training(spec: Workflow, problems: _Problems) -> None:
    """Courses have unique ids, labels and hours; transitions that direct or require training
    have courses to direct."""
    seen: dict[str, int] = {}
    for i, course in enumerate(spec.training.courses):
        here: Path_ = ("training", "courses", i)
        if not _CODE.match(course.id):
            problems.add(
                (*here, "id"), f"course id '{course.id}' must be lower_case_with_underscores"
            )
        if course.id in seen:
            problems.twice(
                (*here, "id"),
                ("training", "courses", seen[course.id], "id"),
                f"course id '{course.id}' is used twice",
                "give each course its own id",
            )
        seen.setdefault(course.id, i)
        if not course.label.strip():
            problems.add((*here, "label"), "write the course's name, printed in letters")
        if not 0 < course.hours <= TRAINING_HOURS_MAX:
            problems.add(
                (*here, "hours"),
                f"hours must be above 0 and at most {TRAINING_HOURS_MAX} (got {course.hours:g})",
            )
    directing = [t for t in spec.transitions if t.directs_training]
    for i, t in enumerate(spec.transitions):
        for key in ("directs_training", "requires_training"):
            if getattr(t, key) and not spec.training.courses:
                problems.add(
                    ("transitions", i, key), "the workflow has no training: courses to direct"
                )
        if t.requires_training and t.directs_training:
            problems.add(
                ("transitions", i, "requires_training"),
                "a transition cannot both direct training and require it complete",
            )
        if t.requires_training and spec.training.courses and not directing:
            problems.add(
                ("transitions", i, "requires_training"),
                "no transition directs training (directs_training: true)",
            )
    for j, template in enumerate(spec.training.amended_packets):
        here = ("training", "amended_packets", j)
        if not directing:
            problems.add(here, "no transition directs training (directs_training: true)")
        if template not in spec.packet_kinds:
            problems.add(
                here,
                f"packet '{template}' has no entry under packet_kinds (its title and audience)",
            )
    if TRAINING_EVIDENCE in spec.evidence:
        problems.add(
            ("evidence", TRAINING_EVIDENCE),
            f"the evidence kind '{TRAINING_EVIDENCE}' is qualify's own (completed training is "
            "recorded as it); choose another name",
        )


def _validate_fairness(spec: Workflow, known: Any) -> None:
    """Fairness stages name milestones: states, or `interview_passed`."""
    milestones = [*spec.states, INTERVIEW_PASSED]
    for i, stage in enumerate(spec.fairness.stages):
        for key in ("entered", "passed"):
            for j, name in enumerate(getattr(stage, key)):
                known(("fairness", "stages", i, key, j), name, milestones, "state or milestone")
    for j, name in enumerate(spec.fairness.excluded):
        known(("fairness", "excluded", j), name, spec.states, "state")


def _reachable(spec: Workflow, start: str) -> set[str]:
    seen, queue = {start}, deque([start])
    while queue:
        state = queue.popleft()
        for t in spec.transitions:
            if state in t.source and t.dest not in seen:
                seen.add(t.dest)
                queue.append(t.dest)
    return seen


def _validate_rubric(spec: Workflow, problems: _Problems) -> None:
    rubric = spec.rubric
    low, high = rubric.scale_min, rubric.scale_max
    if low >= high:
        problems.add(("rubric", "scale_max"), f"scale_max must be above scale_min ({low})")
    required = sorted({low, (low + high) // 2, high})
    ids: dict[str, int] = {}
    for i, c in enumerate(rubric.criteria):
        here: Path_ = ("rubric", "criteria", i)
        if c.id in ids:
            problems.twice(
                (*here, "id"),
                ("rubric", "criteria", ids[c.id], "id"),
                f"criterion id '{c.id}' is used twice",
                "give each criterion its own id",
            )
        ids.setdefault(c.id, i)
        missing = [score for score in required if not c.anchors.get(score, "").strip()]
        if missing:
            problems.add(
                (*here, "anchors"),
                f"write behavioural anchors for scores {', '.join(map(str, missing))}",
            )
        for score in c.anchors:
            if not low <= score <= high:
                problems.add(
                    (*here, "anchors", score), f"score {score} is off the scale {low}-{high}"
                )
        for key in ("minimum_mean", "minimum_mean_above"):
            value = getattr(c, key)
            if value is not None and not low <= value <= high:
                problems.add((*here, key), f"{value} is off the scale {low}-{high}")
    if not rubric.criteria:
        problems.add(("rubric", "criteria"), "declare at least one criterion")
    if not low <= rubric.pass_mark <= high:
        problems.add(("rubric", "pass_mark"), f"{rubric.pass_mark} is off the scale {low}-{high}")
    for i, rule in enumerate(rubric.tie_breaks):
        here = ("rubric", "tie_breaks", i)
        if rule.startswith("criterion:"):
            name = rule.split(":", 1)[1]
            if name not in ids:
                problems.add(here, f"unknown criterion '{name}'{suggest(name, ids)}")
        elif rule not in TIE_BREAK_RULES:
            choices = [*FIXED_TIE_BREAKS, *(f"criterion:{x}" for x in ids)]
            problems.add(here, f"unknown tie-break rule '{rule}'{suggest(rule, choices)}")


def _validate_reference(
    spec: Workflow, path: Path_, ref: str, problems: _Problems, known: Any
) -> None:
    kind, _, name = ref.partition(":")
    targets: dict[str, Iterable[str]] = {
        "check": spec.checks,
        "criterion": [c.id for c in spec.rubric.criteria],
        "transition": {t.trigger for t in spec.transitions},
        "seat": spec.panel.seats,
        "course": [c.id for c in spec.training.courses],
    }
    if ref == "panel":
        return
    if kind not in targets or not name:
        problems.add(
            path,
            f"'{ref}' must be panel, check:ID, criterion:ID, seat:ID, course:ID or "
            "transition:TRIGGER",
        )
        return
    known(path, name, targets[kind], kind)
