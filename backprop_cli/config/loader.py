"""Reading a config file safely: size limits, YAML 1.2 with plain data only, and positions for errors.

The file is read as bytes and checked whole first (size, binary, UTF-8, characters YAML does not allow,
number of values, nesting depth). It is then composed once by PyYAML's C parser where available, and
``yaml_document.build`` turns the nodes into plain data, keeping the position of each so that any error
can name its line and column without parsing again.

The limits keep reading any file, accepted or refused, to a few seconds and about 300 MB:
- MAX_BYTES, 5 MB: the text is scanned at about 15 MB a second. A 784-128-10 network (101,770
  parameters) takes 0.9 MB written with four decimals, 2.3 MB with every digit.
- MAX_VALUES, 120,000 YAML values (scalars, lists and mappings), counted in the text before parsing:
  each costs 3-8 µs and up to 800 bytes to compose and build. That 784-128-10 network holds 103,000.
- STATE_SHARE: the ``optimizer_state`` of a saved network (``--save-updated``) may hold twice as much
  again, 10 MB and 240,000 values: Adam keeps two numbers for every weight and bias, so the state of any
  network within the limits fits. It is the text from a line starting ``optimizer_state:`` (where a saved
  network writes it) to the next line that starts with a key, and is counted apart from the rest. Once
  composed, the allowance is kept only for the value of the top-level key ``optimizer_state`` (from its
  key to the end of its value): where the text said otherwise (a flow-style file, a key starting with
  "-", an ``optimizer_state`` inside another value), the file is counted again with that span, or none.
- MAX_NESTING, 1,000 levels: the C parser recurses once per level and overflows its stack past 20,000.
"""

from __future__ import annotations

import gc
import re
import sys
from contextlib import contextmanager
from pathlib import Path

import numpy as np
import yaml

from backprop_cli.config.hints import utf16_text, yaml_problem
from backprop_cli.config.yaml_document import PLAIN, Document, build
from backprop_cli.errors import ConfigError

MAX_BYTES = 5 * 1024 * 1024
MAX_VALUES = 120_000
STATE_SHARE = 2  # optimizer_state may hold twice MAX_BYTES and MAX_VALUES more
MAX_NESTING = 1000

_Base = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_STR, _SEQ, _MAP = (f"tag:yaml.org,2002:{kind}" for kind in ("str", "seq", "map"))
# Characters YAML does not allow in a stream: C0 and C1 controls but tab and line breaks, U+FFFE and U+FFFF
# (and surrogates, which a strict UTF-8 or UTF-16 decoder never gives). The two non-characters are looked
# for apart: in one class with the controls they make the pattern 15 times slower to compile, at every start.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f]")
_NONCHARACTERS = "\ufffe\uffff"
_COMPACT = re.compile(rf"^[ \t]*(?:[-?][ \t]+(?:[&!][^ \t\r\n]*[ \t]+){{0,2}}){{{MAX_NESTING + 1}}}", re.MULTILINE)
# Two block entries in a row on one line ("- - ", "- &a - "): only then can entries nest compactly.
_COMPACT_PAIRS = tuple(f"{a}{s}{b}" for a in "-?" for s in " \t" for b in ("- ", "-\t", "? ", "?\t", "&", "!"))
_CHUNK = 1 << 22
# The optimizer_state section: its key at the start of a line, and the start of the next top-level key
# (a line beginning with anything but a space, a comment or a block entry).
_STATE_KEY = "optimizer_state:"
_NEXT_KEY = re.compile(r"^[^\s#-]", re.MULTILINE)
_READ_AT_MOST = (1 + STATE_SHARE) * MAX_BYTES + 1  # one byte more than any file may hold


class _Composer(_Base):  # type: ignore[misc, valid-type]
    """PyYAML's safe composer with resolution left to ``document.build``: an untagged plain scalar is
    marked PLAIN, so that the YAML 1.2 rules apply to it and an explicit tag is never overridden."""

    def resolve(self, kind, value, implicit):  # PyYAML's hook
        if kind is yaml.ScalarNode:
            return PLAIN if implicit[0] else _STR
        return _SEQ if kind is yaml.SequenceNode else _MAP


def read_text(source: str) -> tuple[str, str]:
    """The text of the config at ``source`` (a path, or ``-`` for standard input) and its display name."""
    if source == "-":
        name = "<stdin>"
        try:
            data = sys.stdin.buffer.read(_READ_AT_MOST)
        except OSError as exc:
            raise ConfigError(f"cannot read standard input: {exc.strerror or exc}", source=name) from None
    else:
        path = Path(source)
        name = source
        try:
            if path.is_dir():
                raise ConfigError("is a directory, not a config file", source=name)
            with path.open("rb") as handle:
                data = handle.read(_READ_AT_MOST)
        except FileNotFoundError:
            raise ConfigError("no such file", source=name) from None
        except PermissionError:
            raise ConfigError("permission denied", source=name) from None
        except OSError as exc:
            raise ConfigError(f"cannot read the file: {exc.strerror or exc}", source=name) from None
    check_bytes(data, name)
    text = utf16_text(data)  # what Windows PowerShell writes with '>'
    if text is None:
        if b"\x00" in data:
            raise ConfigError("this is a binary file, not a YAML config", source=name)
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line, column = _line_column(data.decode("utf-8", "replace"),
                                        len(data[: exc.start].decode("utf-8", "replace")))
            raise ConfigError(f"not UTF-8 text (byte {exc.start}: 0x{data[exc.start]:02x}); save the file as UTF-8",
                              source=name, line=line, column=column) from None
    bad = _first_not_yaml(text)
    if bad is not None:
        line, column = _line_column(text, bad)
        kind = "non-character" if text[bad] in _NONCHARACTERS else "control character"
        raise ConfigError(f"the {kind} U+{ord(text[bad]):04X} is not allowed in a YAML file "
                          "(inside double quotes it may be written as an escape such as \\x1b)",
                          source=name, line=line, column=column)
    return text, name


def state_span(text: str) -> tuple[int, int]:
    """Where the optimizer_state section of ``text`` starts and ends; (0, 0) if there is none."""
    start = 0 if text.startswith(_STATE_KEY) else text.find("\n" + _STATE_KEY) + 1  # str.find: 1 ms for 5 MB
    if start == 0 and not text.startswith(_STATE_KEY):
        return 0, 0
    after = _NEXT_KEY.search(text, start + len(_STATE_KEY))
    return start, after.start() if after else len(text)


def check_bytes(data: bytes, name: str, *, written: str | None = None) -> None:
    """Refuse ``data`` larger than MAX_BYTES, not counting its optimizer_state (at most STATE_SHARE times
    that). ``written``: what bptrace is about to write ("the saved network"), said as such."""
    if len(data) <= MAX_BYTES:
        return
    start, end = state_span(data.decode("latin-1"))  # one character a byte, whatever the encoding
    refuse_bytes(len(data) - (end - start), end - start, name, written=written, line=data.count(b"\n", 0, start) + 1)


def refuse_bytes(size: int, state: int, name: str, *, written: str | None = None, line: int | None = None) -> None:
    """Refuse ``size`` bytes outside the optimizer_state and ``state`` in it, where over the limits."""
    megabytes = MAX_BYTES // (1024 * 1024)
    subject, verb, ending = _saying(written)
    if size > MAX_BYTES:
        outside = " without its optimizer_state" if state else ""
        raise ConfigError(f"{subject}{outside} {verb['is']} larger than {megabytes} MB{ending}", source=name)
    if state > STATE_SHARE * MAX_BYTES:
        raise ConfigError(f"the optimizer_state of {subject} {verb['is']} larger than {STATE_SHARE * megabytes} MB"
                          f"{ending}", source=name, line=line)


def check_values(text: str, name: str, *, written: str | None = None, more: tuple[int, str] | None = None,
                 span: tuple[int, int] | None = None) -> None:
    """Refuse ``text`` with more than MAX_VALUES YAML values outside its optimizer_state, or more than
    STATE_SHARE times that in it (counted in C before parsing: see _values); ``more``: values the text may
    gain outside the optimizer_state before it is read, and when (a decimal comma in each answer of a
    sheet, "once filled in …"); ``span``: where the optimizer_state is, if not where state_span finds it."""
    start, end = state_span(text) if span is None else span
    state = _values(text, start, end) - 1 if end > start else 0  # without the 1 that _values starts from
    refuse_values(_values(text) - state + (more[0] if more else 0), state, name, written=written,
                  line=text.count("\n", 0, start) + 1, when=more[1] if more else None)


def refuse_values(values: int, state: int, name: str, *, written: str | None = None, line: int | None = None,
                  when: str | None = None) -> None:
    """Refuse ``values`` YAML values outside the optimizer_state and ``state`` in it, where over the limits;
    ``when``: when the written file would hold that many (it holds fewer as written)."""
    subject, verb, _ = _saying(written)
    if values > MAX_VALUES and when:
        raise ConfigError(f"{subject} {verb['holds']} about {values:,} separate YAML values {when}, more than "
                          f"bptrace reads ({MAX_VALUES:,})", source=name)
    if values > MAX_VALUES:
        outside = " outside its optimizer_state" if state else ""
        enough = ", enough for a 784-128-10 network" if written is None else ""
        raise ConfigError(f"{subject} {verb['holds']} too many separate YAML values{outside} (about {values:,}; "
                          f"bptrace reads at most {MAX_VALUES:,}{enough})", source=name)
    if state > STATE_SHARE * MAX_VALUES:
        raise ConfigError(f"the optimizer_state of {subject} {verb['holds']} too many separate YAML values (about "
                          f"{state:,}; bptrace reads at most {STATE_SHARE * MAX_VALUES:,} there, two for each weight "
                          "and bias the rest may hold)", source=name, line=line)


def _saying(written: str | None) -> tuple[str, dict[str, str], str]:
    """How the limits speak of a file being read, or of ``written``, which bptrace would write."""
    if written is None:
        return "the file", {"is": "is", "holds": "holds"}, "; refusing to read it"
    return written, {"is": "would be", "holds": "would hold"}, ""


def _first_not_yaml(text: str) -> int | None:
    """Where the first character YAML does not allow in a stream is, or None."""
    control = _CONTROL.search(text)
    found = [text.find(c) for c in _NONCHARACTERS] + [control.start() if control else -1]
    return min((at for at in found if at >= 0), default=None)


def _line_column(text: str, offset: int) -> tuple[int, int]:
    """Line and column (1-based) of the character at ``offset``."""
    line_start = text.rfind("\n", 0, offset) + 1
    return text.count("\n", 0, offset) + 1, offset - line_start + 1


def parse_yaml(text: str, name: str) -> Document:
    """The YAML document in ``text`` as a Document; every problem becomes a ConfigError with its position."""
    _check_nesting(text, name)  # first: its message names the place
    check_values(text, name)
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        problem = (exc.problem or exc.context or "").strip() or "not valid YAML"
        if problem.startswith("but ") and exc.context:  # "expected a single document…, but found another"
            problem = f"{exc.context}, {problem}"
        raise ConfigError(yaml_problem(problem, text, mark.line + 1 if mark else None), source=name,
                          line=mark.line + 1 if mark else None, column=mark.column + 1 if mark else None) from None
    except yaml.YAMLError as exc:
        raise ConfigError(f"invalid YAML: {exc}", source=name) from None
    except RecursionError:
        raise ConfigError("invalid YAML: nested too deeply", source=name) from None
    _check_state(root, text, name)
    return build(root, name)


def _check_state(root: yaml.Node | None, text: str, name: str) -> None:
    """Count ``text`` again if the optimizer_state that state_span found in it is not exactly the value of
    the top-level key ``optimizer_state``: the allowance is then given to that value alone, or to nothing."""
    found = state_span(text)
    pairs = root.value if isinstance(root, yaml.MappingNode) and found[1] > found[0] else []
    pair = next(((key, value) for key, value in pairs if key.start_mark.index == found[0]), None)
    is_state = pair is not None and isinstance(pair[0], yaml.ScalarNode) and pair[0].value == "optimizer_state"
    end = pair[1].end_mark.index if pair is not None and is_state else 0
    span = (found[0], end) if end > found[0] else (0, 0)  # not when its value is an alias of a node before it
    if found[1] <= found[0] or span == found:
        return  # counted right: without a state, all of the text against MAX_VALUES
    check_values(text, name, span=span)
    if len(text) * 4 > MAX_BYTES:  # else its UTF-8 cannot be larger than MAX_BYTES
        state = len(text[span[0]:span[1]].encode("utf-8"))
        refuse_bytes(len(text.encode("utf-8")) - state, state, name, line=text.count("\n", 0, span[0]) + 1)


def _values(text: str, start: int = 0, end: int | None = None) -> int:
    """An upper bound of the YAML values (nodes) in ``text`` (from ``start`` to ``end``), counted in C
    before composing: every value after the first follows a comma, a colon (a key has its value), a
    block entry "- ", an opening bracket or a "?"."""
    end = len(text) if end is None else end
    entries = sum(text.count("-" + space, start, end) + text.count("?" + space, start, end) for space in " \t\r\n")
    return (1 + text.count(",", start, end) + 2 * text.count(":", start, end) + text.count("[", start, end)
            + text.count("{", start, end) + entries)


def _check_nesting(text: str, name: str) -> None:
    """Refuse nesting so deep that the YAML parser would overflow its stack: flow brackets, compact
    block entries on one line (``- - - 1``) and indentation, each at most MAX_NESTING levels.
    The quick counts come first, so that an ordinary file costs a few passes of str.count."""
    offset, what = None, ""
    if text.count("[") + text.count("{") > MAX_NESTING:
        offset, what = _too_deep(text), f"lists or mappings are nested more than {MAX_NESTING:,} levels deep"
    indent = " " * (MAX_NESTING + 1)
    if offset is None and indent in text:
        found = 0 if text.startswith(indent) else text.find("\n" + indent)
        if found >= 0:
            offset, what = found + (found > 0), f"a line is indented by more than {MAX_NESTING:,} spaces"
    if offset is None and any(pair in text for pair in _COMPACT_PAIRS):
        compact = _COMPACT.search(text)
        if compact:
            offset, what = compact.start(), f"block entries are nested more than {MAX_NESTING:,} levels deep"
    if offset is not None:
        line, column = _line_column(text, offset)
        raise ConfigError(f"{what}; a config needs a handful", source=name, line=line, column=column)


@contextmanager
def paused_gc():
    """Python's cyclic garbage collector paused: building many small objects (YAML nodes) otherwise
    sets it off again and again over all of them, which made reading a big file seven times slower."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _too_deep(text: str) -> int | None:
    """The offset of the first bracket nested more than MAX_NESTING deep, or None (counted in C by
    numpy over the UTF-8 bytes, a few megabytes at a time)."""
    data = text.encode("utf-8")
    units = np.frombuffer(data, dtype=np.uint8)
    depth = 0
    for start in range(0, units.size, _CHUNK):
        chunk = units[start:start + _CHUNK]
        step = ((chunk == 91) | (chunk == 123)).astype(np.int32) - ((chunk == 93) | (chunk == 125))
        levels = np.cumsum(step) + depth
        over = np.flatnonzero(levels > MAX_NESTING)
        if over.size:
            return len(data[: start + int(over[0])].decode("utf-8"))
        depth = int(levels[-1])
    return None
