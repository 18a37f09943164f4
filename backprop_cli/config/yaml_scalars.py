"""Scalars as YAML 1.2 reads them (the core schema), and hints for the YAML 1.1 forms it does not read.

PyYAML follows YAML 1.1, where ``010`` is 8, ``0b11`` is 3, ``1:30`` is 90, ``yes`` is true and
``2024-02-30`` is a date that cannot exist. A person writing a config means ``010`` as ten, so bptrace
reads plain scalars by the YAML 1.2 core schema: null, true/false, decimal numbers (and ``0o17``,
``0x1F``, ``.inf``, ``.nan``); everything else is text. The YAML 1.1 forms are then text, and
``hint`` says why such a text is not the number it may look like.
"""

from __future__ import annotations

import math
import re
from typing import Any

import yaml

NULLS = frozenset(("", "~", "null", "Null", "NULL"))
BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
DECIMAL = re.compile(r"[-+]?[0-9]+\Z")
FLOAT = re.compile(r"[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?\Z")
OCTAL = re.compile(r"0o[0-7]+\Z")
HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
INFINITY = re.compile(r"([-+]?)\.(?:inf|Inf|INF)\Z")
NAN = re.compile(r"\.(?:nan|NaN|NAN)\Z")
# Python's int() refuses longer digit strings; such a number is read as a float (infinite).
MAX_DIGITS = 4000

# YAML 1.1 forms that YAML 1.2 reads as text. Only a message looks for them: compiled on first use (re keeps
# them), not at every start.
_BINARY = r"[-+]?0b[01_]+\Z"
_BASE60 = r"[-+]?[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?\Z"
_UNDERSCORES = r"[-+]?(?:[0-9][0-9_]*)?\.?[0-9_]*(?:[eE][-+]?[0-9]+)?\Z"
YES_NO = frozenset(("y", "yes", "n", "no", "on", "off"))
DATE = (r"[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}(?:(?:[Tt]|[ \t]+)[0-9]{1,2}:[0-9]{2}:[0-9]{2}"
        r"(?:\.[0-9]*)?(?:[ \t]*(?:Z|[-+][0-9]{1,2}(?::[0-9]{2})?))?)?\Z")


def plain(text: str) -> Any:
    """The value of an untagged plain scalar: None, a bool, an int, a float or the text itself."""
    if text in NULLS:
        return None
    if text in BOOLS:
        return BOOLS[text]
    first = text[0]
    if first in "0123456789-+.":
        number = _number(text)
        if number is not None:
            return number
    return text


def _number(text: str) -> int | float | None:
    """The number ``text`` spells in YAML 1.2, or None."""
    if DECIMAL.match(text):
        return int(text) if len(text) <= MAX_DIGITS else float(text)
    if FLOAT.match(text):
        return float(text)
    if OCTAL.match(text) and len(text) <= MAX_DIGITS:
        return int(text[2:], 8)
    if HEX.match(text) and len(text) <= MAX_DIGITS:
        return int(text[2:], 16)
    infinite = INFINITY.match(text)
    if infinite:
        return -math.inf if infinite.group(1) == "-" else math.inf
    if NAN.match(text):
        return math.nan
    return None


def tagged(tag: str, text: str) -> tuple[bool, Any]:
    """(True, value) for a scalar with the explicit tag ``!!str``, ``!!int``, ``!!float``, ``!!bool``
    or ``!!null`` whose text fits it; (False, what it needs) when it does not fit."""
    if tag == "str":
        return True, text
    if tag == "null":
        return (True, None) if text in NULLS else (False, "null, ~ or nothing")
    if tag == "bool":
        return (True, BOOLS[text]) if text in BOOLS else (False, "true or false")
    number = _number(text)
    if tag == "int":
        return (True, number) if isinstance(number, int) else (False, "a whole number")
    if tag == "float":
        return (True, float(number)) if number is not None else (False, "a number")
    return False, "plain data"


def hint(text: str) -> str:
    """Why a text that looks like a number is not read as one ("" if it does not look like one)."""
    if len(text) > 100:  # no number a person writes; and the patterns below need not see a long text
        return ""
    if re.match(_BINARY, text):
        return " (YAML 1.2 has no binary numbers: write the number in decimal)"
    if re.match(_BASE60, text):
        return " (YAML 1.1's base-60 notation is not read: write the number in decimal)"
    if "_" in text and re.match(_UNDERSCORES, text) and any(c.isdigit() for c in text):
        return " (write the number without '_')"
    if text[:1] in "-+" and text[1:2] in "0" and (HEX.match(text[1:]) or OCTAL.match(text[1:])):
        return " (a signed hexadecimal or octal number is not read: write the number in decimal)"
    if text[:2] in ("0X", "0O"):
        return " (write 0x or 0o in lower case, or the number in decimal)"
    return ""


class Dumper(yaml.SafeDumper):
    """PyYAML's safe dumper, quoting every text that YAML 1.2 reads as something else (``0o17``, ``1e3``),
    which PyYAML, knowing YAML 1.1 only, would write bare: what bptrace writes, it reads back alike."""


def _represent_text(dumper: yaml.SafeDumper, text: str) -> yaml.ScalarNode:
    quoted = text != "" and not isinstance(plain(text), str)
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="'" if quoted else None)


Dumper.add_representer(str, _represent_text)
