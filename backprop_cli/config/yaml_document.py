"""YAML nodes turned into plain data, with the position of every part kept so errors can name its place.

``build`` turns the composed nodes into data: plain scalars by the YAML 1.2 core schema
(``yaml_scalars``), explicit tags only where they convert (``!!str``, ``!!int``, ``!!float``,
``!!bool``, ``!!null``, ``!!seq``, ``!!map``), merge keys (``<<: *defaults``) as PyYAML merges them,
duplicate keys refused, aliases shared rather than copied (so an alias bomb stays small). The result
is a ``Document``: the data, and ``locate(path)``, the line and column of any key path, from the
positions of the nodes kept in place of the nodes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import yaml

from backprop_cli.config.yaml_scalars import plain, tagged
from backprop_cli.errors import ConfigError, format_path

PLAIN = "tag:bptrace,2024:plain"  # an untagged plain scalar, resolved here
_YAML = "tag:yaml.org,2002:"
_SCALAR_TAGS = frozenset(("str", "int", "float", "bool", "null"))
# A config is a handful of levels deep; anything deeper is a mistake, refused before Python's stack is.
MAX_DEPTH = 64
# Keys copied by merge keys in all: a config merges a few; a mapping of many keys merged into many
# mappings would grow as their product.
MAX_MERGED = 100_000


class Document:
    """Loaded config data and where each part of it is written."""

    def __init__(self, data: Any, place: Any) -> None:
        self.data = data
        self._place = place  # of the root (see _places), or None for an empty stream

    def locate(self, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int] | None:
        """Line and column (1-based) of the node at ``path``, or of its key when ``key``.

        When the path does not exist completely, the position of its deepest existing part is given.
        """
        place = self._place
        if place is None:
            return None
        at = _start(place)
        for depth, step in enumerate(path):
            inner = place[1] if isinstance(place, tuple) else None
            if isinstance(inner, dict) and step in inner:
                key_at, place = inner[step]
            elif isinstance(inner, list) and isinstance(step, int) and 0 <= step < len(inner):
                place = inner[step]
                key_at = _start(place)
            else:
                break
            at = key_at if key and depth == len(path) - 1 else _start(place)
        return (at >> 32) + 1, (at & 0xFFFFFFFF) + 1


def build(root: yaml.Node | None, source: str) -> Document:
    """The Document of the composed ``root`` (None for an empty stream) of the file named ``source``."""
    builder = _Builder(source)
    data = None if root is None else builder.value(root, (), 0)
    return Document(data, None if root is None else _places(root, builder.entries, {}))


# Where the nodes were, kept instead of the nodes: a node with its marks is six objects that Python's garbage
# collector tracks, and a Document kept alive by an error's traceback cost nearly a second of collection at
# exit for 150,000 values; a position is one int, which the collector never looks at. A scalar's place is
# its position (line << 32 | column, 0-based); a list's is (position, [places of the items]); a mapping's
# is (position, {key: (position of the key, place of the value)}), merged keys included.

def _at(node: yaml.Node) -> int:
    return node.start_mark.line << 32 | node.start_mark.column


def _start(place: Any) -> int:
    return place[0] if isinstance(place, tuple) else place


def _places(node: yaml.Node, entries: dict, memo: dict) -> Any:
    """The place of ``node``; ``entries`` are the builder's, ``memo`` keeps an aliased node's place."""
    if isinstance(node, yaml.ScalarNode):
        return _at(node)
    if id(node) in memo:
        return memo[id(node)]
    inner: Any = {} if isinstance(node, yaml.MappingNode) else []
    memo[id(node)] = place = (_at(node), inner)
    if isinstance(inner, dict):
        for key, (key_node, value_node) in entries[id(node)].items():
            inner[key] = (_at(key_node), _places(value_node, entries, memo))
    else:
        for item in node.value:
            inner.append(_at(item) if isinstance(item, yaml.ScalarNode) else _places(item, entries, memo))
    return place


def _shown(tag: str) -> str:
    return "!!" + tag[len(_YAML):] if tag.startswith(_YAML) else tag


class _Builder:
    """One walk over the nodes; ``memo`` gives an aliased node the very object built the first time."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.memo: dict[int, Any] = {}
        self.entries: dict[int, dict] = {}
        self.building: set[int] = set()
        self.merged = 0  # keys copied by merge keys so far

    def fail(self, node: yaml.Node, path: tuple, message: str) -> None:
        mark = node.start_mark
        raise ConfigError(message, path=format_path(path), source=self.source, line=mark.line + 1,
                          column=mark.column + 1)

    def value(self, node: yaml.Node, path: tuple, depth: int) -> Any:
        if node.tag == PLAIN:  # the common case first: a scalar without a tag, never in error
            return plain(node.value)
        if id(node) in self.memo:
            return self.memo[id(node)]
        if depth > MAX_DEPTH:
            self.fail(node, path, f"nested more than {MAX_DEPTH} levels deep; a config needs a handful")
        if isinstance(node, yaml.ScalarNode):  # kept too: an alias of a tagged scalar converts it once
            result = self.scalar(node, path)
        elif isinstance(node, yaml.SequenceNode):
            self.expect_tag(node, path, "seq", "a list")
            result = self.memo[id(node)] = []
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
            return plain(node.value)
        kind = node.tag[len(_YAML):] if node.tag.startswith(_YAML) else ""
        if kind not in _SCALAR_TAGS:
            self.refuse_tag(node, path, "a single value")
        fits, value = tagged(kind, node.value)
        if not fits:
            shown = node.value if len(node.value) <= 30 else node.value[:27] + "..."
            self.fail(node, path, f"the YAML tag '!!{kind}' needs {value}, got {shown!r}")
        return value

    def mapping(self, node: yaml.Node, path: tuple, depth: int) -> dict:
        """A dict with string keys from a mapping ``node`` (the one kind of node left once scalars and lists
        are told apart); merge keys first, as PyYAML merges them, then the explicit keys."""
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
        if not isinstance(node, yaml.ScalarNode):
            what = "a mapping" if isinstance(node, yaml.MappingNode) else "a list"
            self.fail(node, path, f"expected a key (a name), got {what}")
        value = self.value(node, path, depth + 1)
        return value if isinstance(value, str) else node.value
