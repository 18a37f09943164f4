"""Reading a filled answer sheet: every number with its source text and its place, checked against the
shape of the sheet.

A number may be written with a decimal comma (``0,61``) or a true minus sign (``−0.85``); ``~``, ``null``
or nothing is a blank, and so is a key left out. Above the answers a sheet names its exercise
(``exercise: ID``) and the student (``student: …``, a name or a number); another top-level key that is not
close to one of the sheet's (``notes:``) is ignored with a note. A sheet that does not fit the config (three
numbers where the layer has two neurons, an unknown key, a list where a number belongs) is a bad file: a ConfigError
naming the file, line and column, the path in the sheet, what was expected and what was found.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NoReturn

import yaml

from backprop_cli.config.hints import number_hint
from backprop_cli.config.loader import parse_yaml, read_text
from backprop_cli.course.check.digits import BLANKS, Written, parse
from backprop_cli.course.check.layout import Slots, layout
from backprop_cli.course.check.sheet import Blank, Sheet, path_text
from backprop_cli.errors import ConfigError

_Composer = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# A decimal comma inside [...]: YAML takes the comma for the separator of the list, 0,61 for 0 and 61.
_FLOW_COMMA = re.compile(r"\d,\d")
WHO = ("exercise", "student")  # the sheet's own keys, above the answers


@dataclass(frozen=True)
class Filled:
    """A filled answer sheet: whose it is, which exercise it names, and its numbers by the path of their blank."""

    source: str  # the file as messages name it
    exercise: str | None  # the id the sheet names; None where it names none
    student: str | None  # as written: a name or a student number; None where left blank
    answers: dict[tuple, Written]
    sheet: Sheet  # the sheet it was read against
    notes: tuple[str, ...] = ()  # keys ignored, one line each


class _Reader:
    """Walks the YAML nodes of one answer file beside the shape of the sheet."""

    def __init__(self, text: str, name: str) -> None:
        self.text = text
        self.name = name
        self.answers: dict[tuple, Written] = {}
        self.notes: list[str] = []

    def fail(self, node: yaml.Node, path: tuple, message: str) -> NoReturn:
        mark = node.start_mark
        raise ConfigError(message, path=path_text(path), source=self.name, line=mark.line + 1, column=mark.column + 1)

    @staticmethod
    def blank(node: yaml.Node) -> bool:
        return isinstance(node, yaml.ScalarNode) and node.value.strip() in BLANKS

    @staticmethod
    def kind(node: yaml.Node) -> str:
        if isinstance(node, yaml.SequenceNode):
            return f"a list of {len(node.value)}"
        if isinstance(node, yaml.MappingNode):
            return "a mapping"
        written = parse(node.value)
        return f"the number {node.value}" if written is not None else f"the text {node.value[:30]!r}"

    def walk(self, node: yaml.Node, shape: dict | Slots | Blank, path: tuple) -> None:
        if isinstance(shape, Blank):
            self.number(node, shape, path)
        elif self.blank(node):
            return  # a whole part of the sheet left blank: `p: ~`
        elif isinstance(shape, dict):
            self.mapping(node, shape, path)
        else:
            self.sequence(node, shape, path)

    def mapping(self, node: yaml.Node, shape: dict, path: tuple) -> None:
        top = not path
        names = [*WHO, *shape] if top else list(shape)
        keys = ", ".join(map(str, names))
        if not isinstance(node, yaml.MappingNode):
            self.fail(node, path, f"expected a mapping with the keys {keys}, got {self.kind(node)}")
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if top and key in WHO:
                continue
            if key not in shape:
                close = difflib.get_close_matches(str(key), [str(k) for k in names], n=1, cutoff=0.6)
                if top and not close and key is not None:  # a key of the person's own: notes, comments
                    mark = key_node.start_mark
                    self.notes.append(f"{self.name}:{mark.line + 1}:{mark.column + 1}: {key}: not part of the answer "
                                      f"sheet (its keys: {keys}); ignored")
                    continue
                hint = f"did you mean '{close[0]}'?" if close else f"expected one of: {keys}"
                self.fail(key_node, path + (str(key),), f"unknown key; {hint}")
            self.walk(value, shape[key], path + (key,))

    def who(self, root: yaml.Node, key: str, what: str) -> str | None:
        """The text of the top-level ``key`` (exercise, student), or None where it is blank or absent."""
        if not isinstance(root, yaml.MappingNode):
            return None
        for key_node, value in root.value:
            if isinstance(key_node, yaml.ScalarNode) and key_node.value == key:
                if not isinstance(value, yaml.ScalarNode):
                    self.fail(value, (key,), f"expected {what}, got {self.kind(value)}")
                return None if self.blank(value) else value.value.strip()
        return None

    def sequence(self, node: yaml.Node, shape: Slots, path: tuple) -> None:
        count = len(shape.items)
        if not isinstance(node, yaml.SequenceNode):
            self.fail(node, path, f"expected a list of {count} {shape.what}, got {self.kind(node)}")
        if len(node.value) != count:
            source = self.text[node.start_mark.index:node.end_mark.index]
            hint = ""
            if node.flow_style and _FLOW_COMMA.search(source):
                hint = ("; in [...] a comma separates the numbers: write 0.61, or one number a line as the "
                        "worksheet does")
            self.fail(node, path, f"expected {count} {shape.what}, got {len(node.value)}{hint}")
        for i, (item, inner) in enumerate(zip(node.value, shape.items)):
            self.walk(item, inner, path + (i,))

    def number(self, node: yaml.Node, blank: Blank, path: tuple) -> None:
        if not isinstance(node, yaml.ScalarNode):
            self.fail(node, path, f"expected a number or ~ (a blank) for {blank.label}, got {self.kind(node)}")
        if self.blank(node):
            return
        written = parse(node.value)
        if written is None:
            self.fail(node, path, f"expected a number or ~ (a blank) for {blank.label}, got {self.kind(node)}"
                                  + number_hint(node.value))
        self.answers[blank.path] = written


def read_filled(source: str, sheet_for: Callable[[str | None, str], Sheet], text: str | None = None) -> Filled:
    """The answer file at ``source`` (a path, or ``-``), read against the sheet ``sheet_for(id, file)`` gives
    for the exercise id it names (which may refuse it with a BptraceError); ``text``, where given, is the
    file's YAML text (answers that were never in a file, named ``source``)."""
    text, name = read_text(source) if text is None else (text, source)
    parse_yaml(text, name)  # invalid YAML, tags and duplicate keys: one message with the position
    root = yaml.compose(text, Loader=_Composer)
    reader = _Reader(text, name)
    exercise = student = None
    if root is not None and not reader.blank(root):
        exercise = reader.who(root, "exercise", "the id of the exercise (as the blank sheet has it)")
        student = reader.who(root, "student", "your name or student number")
    sheet = sheet_for(exercise, name)
    if root is not None and not reader.blank(root):
        reader.walk(root, layout(sheet), ())
    return Filled(name, exercise, student, reader.answers, sheet, tuple(reader.notes))


def read_answers(source: str, sheet: Sheet) -> dict[tuple, Written]:
    """The numbers of the answer file at ``source`` (a path, or ``-``), by the path of their blank."""
    return read_filled(source, lambda exercise, name: sheet).answers
