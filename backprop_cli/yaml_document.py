"""YAML nodes turned into plain data, with the node of every part kept so errors can name its place.

``build`` walks the composed nodes once: plain scalars by the YAML 1.2 core schema
(``yaml_scalars``), explicit tags only where they convert (``!!str``, ``!!int``, ``!!float``,
``!!bool``, ``!!null``, ``!!seq``, ``!!map``), merge keys (``<<: *defaults``) as PyYAML merges them,
duplicate keys refused, aliases shared rather than copied (so an alias bomb stays small). The result
is a ``Document``: the data, and ``locate(path)``, the line and column of any key path.
"""

from __future__ import annotations

import bisect
from typing import Any, Sequence

import yaml

import backprop_cli.flow_numbers as flow_numbers
import backprop_cli.yaml_scalars as yaml_scalars
from backprop_cli.errors import ConfigError, format_path

PLAIN = "tag:bptrace,2024:plain"  # an untagged plain scalar, resolved here
_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(("str", "int", "float", "bool", "null"))
# A config is a handful of levels deep; anything deeper is a mistake, refused before Python's stack is.
MAX_DEPTH = 64
# Keys copied by merge keys in all: a config merges a few; a mapping of many keys merged into many
# mappings would grow as their product.
MAX_MERGED = 100_000


class Retry(Exception):
    """A flow-list placeholder did not come back as its own node: parse again keeping only ``keep``."""

    def __init__(self, keep: set[int]) -> None:
        super().__init__("placeholder misplaced")
        self.keep = keep


class Document:
    """Loaded config data and the nodes it came from."""

    def __init__(self, data: Any, root: yaml.Node, entries: dict, lists: dict) -> None:
        self.data = data
        self._root = root
        self._entries = entries  # id(mapping node) -> {key: (key node, value node)}, merged keys included
        self._lists = lists  # id(placeholder node) -> its NumberList

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int] | None:
        """Line and column (1-based) of the node at ``path``, or of its key when ``key``.

        When the path does not exist completely, the position of its deepest existing part is given.
        """
        node = self._root
        if node is None:
            return None
        mark = node.start_mark
        for depth, step in enumerate(path):
            pair = None
            if isinstance(node, yaml.MappingNode):
                pair = self._entries.get(id(node), {}).get(step)
            elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
                pair = (node.value[step], node.value[step])
            elif id(node) in self._lists and isinstance(step, int):
                numbers = self._lists[id(node)]
                if 0 <= step < len(numbers):
                    line, column = numbers.position(step)
                    return line + 1, column + 1
            if pair is None:
                break
            key_node, node = pair
            mark = (key_node if key and depth == len(path) - 1 else node).start_mark
        return mark.line + 1, mark.column + 1


def build(root: yaml.Node | None, text: str, regions: list, source: str) -> Document:
    """The Document of the composed ``root``; ``regions`` are the flow lists replaced by placeholders."""
    builder = _Builder(text, regions, source)
    try:
        data = None if root is None else builder.value(root, (), 0)
    except ConfigError:
        if builder.misplaced:
            raise Retry(builder.seen) from None
        raise
    if builder.misplaced or len(builder.seen) != len(regions):
        raise Retry(builder.seen)
    return Document(data, root, builder.entries, builder.lists)


def _shown(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


class _Builder:
    """One walk over the nodes; ``memo`` gives an aliased node the very object built the first time."""

    def __init__(self, text: str, regions: list, source: str) -> None:
        self.text, self.source = text, source
        self.regions = {r.head + len(r.placeholder): r for r in regions}
        self.heads = [r.head for r in regions]  # in order
        self.memo: dict[int, Any] = {}
        self.entries: dict[int, dict] = {}
        self.lists: dict[int, flow_numbers.NumberList] = {}
        self.building: set[int] = set()
        self.seen: set[int] = set()
        self.misplaced = False
        self.merged = 0  # keys copied by merge keys so far

    def fail(self, node: yaml.Node, path: tuple, message: str) -> None:
        mark = node.start_mark
        raise ConfigError(message, path=format_path(path), source=self.source, line=mark.line + 1,
                          column=mark.column + 1)

    def value(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        if node.tag == PLAIN:  # the common case first: a scalar without a tag, never in error
            return yaml_scalars.plain(node.value)
        if id(node) in self.memo:
            return self.memo[id(node)]
        if depth > MAX_DEPTH:
            self.fail(node, path, f"nested more than {MAX_DEPTH} levels deep; a config needs a handful")
        if isinstance(node, yaml.ScalarNode):  # kept too: an alias of a long list reads it once
            result = self.scalar(node, path)
        elif isinstance(node, yaml.SequenceNode):
            self.expect_tag(node, path, "seq", "a list")
            result = self.memo[id(node)] = []
            plain = yaml_scalars.plain
            for i, item in enumerate(node.value):
                result.append(plain(item.value) if item.tag == PLAIN else self.value(item, path + (i,), depth + 1))
        else:
            self.expect_tag(node, path, "map", "a mapping")
            result = self.mapping(node, path, depth)
        self.memo[id(node)] = result
        return result

    def expect_tag(self, node: yaml.Node, path: tuple, kind: str, what: str) -> None:
        if node.tag != _YAML + kind:
            self.refuse_tag(node, path, what)

    def refuse_tag(self, node: yaml.Node, path: tuple, what: str) -> None:
        shown = _shown(node.tag)
        if node.tag.startswith(_YAML) and node.tag[len(_YAML):] in _SCALAR_TAGS | {"seq", "map"}:
            self.fail(node, path, f"the YAML tag '{shown}' does not fit {what}")
        self.fail(node, path, f"the YAML tag '{shown}' is not allowed: a config holds plain data only "
                              "(numbers, text, true/false, lists and mappings)")

    def scalar(self, node: yaml.ScalarNode, path: tuple) -> Any:
        if node.tag == PLAIN:
            return yaml_scalars.plain(node.value)
        if node.tag == flow_numbers.TAG:
            return self.number_list(node, path)
        kind = node.tag[len(_YAML):] if node.tag.startswith(_YAML) else ""
        if kind not in _SCALAR_TAGS:
            self.refuse_tag(node, path, "a single value")
        fits, value = yaml_scalars.tagged(kind, node.value)
        if not fits:
            shown = node.value if len(node.value) <= 30 else node.value[:27] + "..."
            self.fail(node, path, f"the YAML tag '!!{kind}' needs {value}, got {shown!r}")
        return value

    def number_list(self, node: yaml.ScalarNode, path: tuple) -> Any:
        """The NumberList of a placeholder, if it is exactly where its list was. The node's end is
        compared: its start is that of an anchor or tag written before the list (&row [...])."""
        end = node.end_mark.index
        region = self.regions.get(end)
        if region is None or node.value != str(region.ident) or node.style not in ("", None):
            after = bisect.bisect_left(self.heads, node.start_mark.index)
            if after < len(self.heads) and self.heads[after] <= end:  # it holds a list's placeholder
                self.misplaced = True
                return None
            self.refuse_tag(node, path, "a single value")
        self.seen.add(region.ident)
        bracket_column = node.end_mark.column - (end - region.start)
        numbers = flow_numbers.read(self.text, region, node.end_mark.line, bracket_column)
        self.lists[id(node)] = numbers
        return numbers

    def mapping(self, node: yaml.MappingNode, path: tuple, depth: int) -> dict:
        """A dict with string keys; merge keys first, as PyYAML merges them, then the explicit keys."""
        result: dict[str, Any] = {}
        self.memo[id(node)] = result
        self.building.add(id(node))
        merged: dict[str, tuple] = {}
        explicit: dict[str, tuple] = {}
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode) and (
                    (key_node.tag == PLAIN and key_node.value == "<<") or key_node.tag == _YAML + "merge"):
                for source in self.merge_sources(value_node, path, depth):
                    self.merged += len(self.entries[id(source)])
                    if self.merged > MAX_MERGED:
                        self.fail(key_node, path, f"merge keys copy more than {MAX_MERGED:,} keys in all; "
                                                  "a config needs a few")
                    for key, pair in self.entries[id(source)].items():
                        merged.setdefault(key, pair)
                continue
            key = key_node.value if key_node.tag == PLAIN else self.key(key_node, path, depth)
            if key in explicit:
                self.fail(key_node, path, f"duplicate key {key!r}")
            explicit[key] = (key_node, value_node)
        entries = {k: v for k, v in merged.items() if k not in explicit}
        entries.update(explicit)
        self.entries[id(node)] = entries
        plain = yaml_scalars.plain
        for key, (_, value_node) in entries.items():
            result[key] = (plain(value_node.value) if value_node.tag == PLAIN
                           else self.value(value_node, path + (key,), depth + 1))
        self.building.discard(id(node))
        return result

    def merge_sources(self, node: yaml.Node, path: tuple, depth: int) -> list:
        """The mappings a merge key takes: one, or a list of them (the first wins a key they share)."""
        sources = node.value if isinstance(node, yaml.SequenceNode) else [node]
        for source in sources:
            if not isinstance(source, yaml.MappingNode):
                self.fail(source, path, "a merge key '<<' takes a mapping or a list of mappings "
                                        "(such as *defaults), not a single value or a list of values")
            if id(source) in self.building:
                self.fail(source, path, "a merge key '<<' takes the mapping it is in")
            self.value(source, path, depth + 1)
        return sources

    def key(self, node: yaml.Node, path: tuple, depth: int) -> str:
        """A mapping key as text: a number, true or null as written, so 'unknown key' shows it."""
        if not isinstance(node, yaml.ScalarNode) or node.tag == flow_numbers.TAG:
            what = "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
            self.fail(node, path, f"expected a key (a name), got {what}")
        value = self.value(node, path, depth + 1)
        return value if isinstance(value, str) else node.value
