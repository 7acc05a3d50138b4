"""YAML read strictly for specs: a key written twice in one mapping is an error naming both lines (PyYAML keeps
the last one silently), and aliases may not expand beyond a bound (a "billion laughs" document is tiny on disk
but explodes in anything that walks it)."""

from __future__ import annotations

import yaml

MAX_EXPANDED_NODES = 100_000


class StrictYamlError(ValueError):
    """A mistake in the YAML itself; `line` is 1-based."""

    def __init__(self, line: int, message: str):
        super().__init__(message)
        self.line = line


def compose_strict(text: str) -> yaml.Node | None:
    """The document's node graph, after refusing duplicate keys and alias bombs. Raises yaml.YAMLError for
    text that is not YAML and StrictYamlError for the two mistakes above."""
    node = yaml.compose(text, Loader=yaml.SafeLoader)
    if node is not None:
        _expanded_size(node, {})
        _refuse_duplicates(node, set())
    return node


def _expanded_size(node: yaml.Node, sizes: dict[int, int]) -> int:
    """How many nodes `node` stands for once every alias is expanded; memoised per node, so a bomb costs
    one visit per distinct node to detect."""
    if id(node) in sizes:
        return sizes[id(node)]
    sizes[id(node)] = 1  # a recursive alias counts once instead of looping
    children: list[yaml.Node] = []
    if isinstance(node, yaml.MappingNode):
        children = [part for pair in node.value for part in pair]
    elif isinstance(node, yaml.SequenceNode):
        children = list(node.value)
    size = 1 + sum(_expanded_size(child, sizes) for child in children)
    if size > MAX_EXPANDED_NODES and all(sizes.get(id(c), 0) <= MAX_EXPANDED_NODES for c in children):
        raise StrictYamlError(node.start_mark.line + 1, f"aliases here expand to more than {MAX_EXPANDED_NODES:,} values "
                              "(a YAML alias bomb?); a spec never needs that many: write the values out")
    sizes[id(node)] = size
    return size


def _refuse_duplicates(node: yaml.Node, seen: set[int]) -> None:
    if id(node) in seen:
        return
    seen.add(id(node))
    if isinstance(node, yaml.MappingNode):
        first_line: dict[tuple[str, str], int] = {}
        for key, value in node.value:
            if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
                line = key.start_mark.line + 1
                ident = (key.tag, key.value)
                if ident in first_line:
                    raise StrictYamlError(line, f"key {key.value!r} is written twice in one mapping (lines "
                                          f"{first_line[ident]} and {line}); YAML would silently keep the second: keep one")
                first_line[ident] = line
            _refuse_duplicates(key, seen)
            _refuse_duplicates(value, seen)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            _refuse_duplicates(item, seen)
