"""YAML read with bounded work and memory: size, nesting depth and alias expansion are limited
while the document is composed, before anything is built from it.

PyYAML's safe loader refuses tags that run code, but not a document that is huge, nested
thousands deep (Python's recursion limit, then a RecursionError) or an alias bomb (a few lines
whose aliases expand to billions of nodes: minutes and gigabytes when built or walked).
`LimitedLoader` counts, for every node, how many nodes it stands for once its aliases are
expanded, and stops at the first node over the limit, so the work done is bounded by the text's
length.
"""

from __future__ import annotations

from typing import Any

import yaml

from qualify.limits import YAML_MAX_CHARS, YAML_MAX_DEPTH, YAML_MAX_NODES


class YAMLLimitError(yaml.MarkedYAMLError):
    """A document goes over one of the limits; `problem` says which and `problem_mark` where."""


class LimitedLoader(yaml.SafeLoader):
    """The safe loader, refusing documents nested deeper than `max_depth` or standing for more
    than `max_nodes` nodes once aliases are expanded, and aliases to an enclosing node."""

    max_depth = YAML_MAX_DEPTH
    max_nodes = YAML_MAX_NODES

    def __init__(self, stream: str) -> None:
        super().__init__(stream)
        self._depth = 0
        # id(node) -> the number of nodes it stands for. Every node stays alive in the tree
        # being composed, so ids are not reused while this is filled.
        self._sizes: dict[int, int] = {}

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:
        mark = self.peek_event().start_mark  # type: ignore[no-untyped-call]
        if self.check_event(yaml.AliasEvent):
            alias = super().compose_node(parent, index)
            if alias is None or id(alias) not in self._sizes:  # its node is still being composed
                raise YAMLLimitError(None, None, "an alias refers to a node that contains it", mark)
            return alias
        self._depth += 1
        if self._depth > self.max_depth:
            raise YAMLLimitError(None, None, f"nested deeper than {self.max_depth} levels", mark)
        try:
            composed = super().compose_node(parent, index)
        finally:
            self._depth -= 1
        assert composed is not None  # compose_node is only called where a node follows
        node: yaml.Node = composed
        size = 1 + sum(self._sizes[id(child)] for child in _children(node))
        self._sizes[id(node)] = size
        if size > self.max_nodes:
            raise YAMLLimitError(
                None,
                None,
                f"stands for more than {self.max_nodes:,} values once its aliases are "
                "expanded (an alias bomb?)",
                mark,
            )
        return node


def check_composed(
    root: yaml.Node, *, max_depth: int = YAML_MAX_DEPTH, max_nodes: int = YAML_MAX_NODES
) -> None:
    """The same limits for a node tree composed by another loader (libyaml's, which is faster
    but cannot be stopped part-way): walked once per distinct node, without recursion."""
    sizes: dict[int, int] = {}
    open_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, int, bool]] = [(root, 1, False)]
    while stack:
        node, depth, finished = stack.pop()
        if finished:
            open_nodes.discard(id(node))
            size = 1 + sum(sizes[id(child)] for child in _children(node))
            if size > max_nodes:
                raise YAMLLimitError(
                    None,
                    None,
                    f"stands for more than {max_nodes:,} values once its aliases are expanded "
                    "(an alias bomb?)",
                    node.start_mark,
                )
            sizes[id(node)] = size
            continue
        if id(node) in sizes:
            continue
        if id(node) in open_nodes:
            raise YAMLLimitError(
                None, None, "an alias refers to a node that contains it", node.start_mark
            )
        if depth > max_depth:
            raise YAMLLimitError(
                None, None, f"nested deeper than {max_depth} levels", node.start_mark
            )
        open_nodes.add(id(node))
        stack.append((node, depth, True))
        stack.extend((child, depth + 1, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


def check_length(text: str, limit: int = YAML_MAX_CHARS) -> str | None:
    """Why `text` is too long to parse, or None."""
    if len(text) > limit:
        return f"is {len(text):,} characters long; the limit is {limit:,}"
    return None


def safe_load(text: str) -> Any:
    """Parse one YAML document within the limits; raise yaml.YAMLError (YAMLLimitError for a
    limit) on bad or oversized input. Check the text's length with `check_length` first."""
    loader = LimitedLoader(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()
