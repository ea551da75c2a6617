"""Workflow diagrams as text: Mermaid for docs, Graphviz DOT for SVG."""

from __future__ import annotations

import re

from qualify.workflow.spec import Workflow


def _edge_label(spec: Workflow, trigger: str, roles: list[str], guards: list[str]) -> str:
    label = f"{trigger} [{', '.join(roles)}]"
    if guards:
        label += f" ({len(guards)} checks)"
    return label


def _node_id(name: str) -> str:
    return re.sub(r"\W", "_", name)


def to_mermaid(spec: Workflow) -> str:
    """A Mermaid stateDiagram-v2 of the workflow."""
    lines = ["stateDiagram-v2", f"    [*] --> {_node_id(spec.initial_state)}"]
    for name, state in spec.states.items():
        lines.append(f"    {_node_id(name)} : {state.label}")
    for t in spec.transitions:
        label = _edge_label(spec, t.trigger, t.roles, t.guards)
        lines.extend(f"    {_node_id(s)} --> {_node_id(t.dest)} : {label}" for s in t.source)
    lines.extend(f"    {_node_id(n)} --> [*]" for n, s in spec.states.items() if s.final)
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def to_dot(spec: Workflow) -> str:
    """A Graphviz digraph of the workflow."""
    lines = [
        f"digraph {_dot_quote(spec.name)} {{",
        "  rankdir=LR;",
        '  node [shape=box, style=rounded, fontname="Helvetica"];',
        '  edge [fontname="Helvetica", fontsize=10];',
    ]
    for name, state in spec.states.items():
        shape = ", peripheries=2" if state.final else ""
        lines.append(f"  {_dot_quote(name)} [label={_dot_quote(state.label)}{shape}];")
    for t in spec.transitions:
        label = _dot_quote(_edge_label(spec, t.trigger, t.roles, t.guards))
        lines.extend(
            f"  {_dot_quote(s)} -> {_dot_quote(t.dest)} [label={label}];" for s in t.source
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
