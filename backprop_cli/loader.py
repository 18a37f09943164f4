"""Reading a config file safely: size limits, YAML with a safe loader only, and positions for errors.

Values are loaded with PyYAML's C loader where available (fast for big weight matrices). Positions are
only needed when something is wrong, so the document is composed a second time, on the error path
alone, to find the line and column of a key path.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path
from typing import Any, Sequence

import yaml

from backprop_cli.errors import ConfigError

MAX_BYTES = 50 * 1024 * 1024

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _Loader(_Base):  # type: ignore[misc, valid-type]
    """A safe loader that refuses duplicate keys and reads 1e-3 and 1e400 as numbers (YAML 1.2)."""

    def construct_mapping(self, node, deep=False):  # noqa: D102 - PyYAML's hook
        if isinstance(node, yaml.MappingNode):
            seen: set = set()
            for key_node, _ in node.value:
                key = self.construct_object(key_node, deep=True)
                try:
                    duplicate = key in seen
                    seen.add(key)
                except TypeError:  # an unhashable key; PyYAML reports it below
                    continue
                if duplicate:
                    raise yaml.constructor.ConstructorError(
                        None, None, f"duplicate key {key!r}", key_node.start_mark
                    )
        return super().construct_mapping(node, deep=deep)


_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)
_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)


def read_text(source: str) -> tuple[str, str]:
    """The text of the config at ``source`` (a path, or ``-`` for standard input) and its display name."""
    if source == "-":
        name = "<stdin>"
        try:
            data = sys.stdin.buffer.read(MAX_BYTES + 1)
        except OSError as exc:
            raise ConfigError(f"cannot read standard input: {exc.strerror or exc}", source=name) from None
    else:
        path = Path(source)
        name = source
        try:
            if path.is_dir():
                raise ConfigError("is a directory, not a config file", source=name)
            with path.open("rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except FileNotFoundError:
            raise ConfigError("no such file", source=name) from None
        except PermissionError:
            raise ConfigError("permission denied", source=name) from None
        except OSError as exc:
            raise ConfigError(f"cannot read the file: {exc.strerror or exc}", source=name) from None
    if len(data) > MAX_BYTES:
        raise ConfigError(f"the file is larger than {MAX_BYTES // (1024 * 1024)} MB; refusing to read it", source=name)
    if b"\x00" in data:
        raise ConfigError("this is a binary file, not a YAML config", source=name)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ConfigError(f"not UTF-8 text (byte {exc.start})", source=name) from None
    return text, name


def parse_yaml(text: str, name: str) -> Any:
    """The YAML document in ``text``; every YAML problem becomes a ConfigError with its position."""
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - _Loader derives from the safe loader
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = exc.problem or exc.context or "invalid YAML"
        tag = re.search(r"could not determine a constructor for the tag '([^']*)'", problem)
        if tag:
            shown = tag.group(1).replace("tag:yaml.org,2002:", "!!")
            problem = f"the YAML tag '{shown}' is not allowed: a config holds plain data only"
        elif not problem.startswith("duplicate key"):
            problem = f"invalid YAML: {problem}"
        raise ConfigError(
            problem,
            source=name,
            line=mark.line + 1 if mark else None,
            column=mark.column + 1 if mark else None,
        ) from None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow anywhere, at an offset of the text
        line_start = text.rfind("\n", 0, exc.position) + 1
        raise ConfigError(f"the control character U+{exc.character:04X} is not allowed in a config",
                          source=name, line=text.count("\n", 0, exc.position) + 1,
                          column=exc.position - line_start + 1) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", source=name) from None
    except RecursionError:
        raise ConfigError("invalid YAML: nested too deeply", source=name) from None


def locate(text: str, path: Sequence[str | int], *, key: bool = False) -> tuple[int, int] | None:
    """Line and column (1-based) of the node at ``path`` in ``text``, or of its key when ``key``.

    When the path does not exist completely, the position of its deepest existing part is given.
    """
    try:
        node = yaml.compose(text, Loader=_Base)
    except (yaml.YAMLError, RecursionError):
        return None
    mark = node.start_mark if node is not None else None
    for depth, step in enumerate(path):
        found = None
        if isinstance(node, yaml.MappingNode):
            for key_node, value_node in node.value:
                if key_node.value == step:
                    found = (key_node, value_node)
                    break
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value):
            found = (node.value[step], node.value[step])
        if found is None:
            break
        key_node, node = found
        mark = (key_node if key and depth == len(path) - 1 else node).start_mark
    if mark is None:
        return None
    return mark.line + 1, mark.column + 1
