"""A mutation fuzzer for reading configs: the shipped configs, mutated, must each get a result or one
clear error line (exit 0 or 2), never exit 1, a hang or a message over several lines.

    python tests/fuzz.py --count 5000             # a larger run than the test suite's
    python tests/fuzz.py --count 200 --seed 7 --save failures/
    python tests/fuzz.py --count 2000 --extremes    # numbers near the float limits too

Each case takes one shipped config and applies one to three mutations: byte flips, type swaps (number,
text, list, mapping, null, boolean), deleted, duplicated and swapped lines, YAML tags, anchors and
aliases, merge keys, huge lists, dates, octal/hex/base-60 numbers, control characters in strings and
keys, deep nesting, odd indentation, several documents, and odd file names. Both ``bptrace validate``
and ``bptrace run --format json --epochs 2`` run in this process (click's CliRunner); the epochs are
capped so that a mutated config that is valid but asks for a long run is not taken for a hang.

A case fails when a command exits with a code other than 0 and 2, writes a character a terminal would
act on (anything not printable but the line break) to stderr, or to the stdout of validate, or, with
exit 2, writes more than one line to stderr (validate: lines that are not one error each), or takes
more than ``LIMIT`` seconds. Everything is seeded: the same seed and count give the same cases.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from click.testing import CliRunner

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from backprop_cli.cli.main import cli  # noqa: E402 - after the path is set, when run as a script

CONFIGS = sorted((ROOT / "configs").glob("*.yaml"))
LIMIT = 5.0  # seconds a command may take on one case
ENV = {"COLUMNS": "100", "NO_COLOR": "1", "BPTRACE_DEBUG": ""}

# --------------------------------------------------------------------------------------------------
# Mutations: each takes the text (lines) and a Random, and returns the new text and what it did.

VALUES = ["1", "-3.5", "0", "1e-3", '"text"', "abc", "[1, 2]", "[]", "{a: 1}", "{}", "null", "~", "", "true",
          "false", "yes", "no", "on", '""', "[[1, 2], [3, 4]]", "[[]]", "-", ".", "'quoted'", "[a, b]"]
NUMBER_FORMS = ["010", "0b11", "0x1F", "0o17", "1:30", "190:20:30", "1_000", "+.inf", "-.inf", ".nan", ".NaN",
                "1e400", "-1e400", "-0", "-0.0", "1e-400", "99999999999999999999999", "1" + "0" * 400,
                "1" + "0" * 5000, "0x", "+", "1.2.3", "0.1e", "1e5", "1E+05", "+7", ".5", "5.", "0X1F", "-0x1F"]
DATES = ["2024-02-30", "2024-01-01", "2001-12-14t21:59:43.10-05:00", "2024-13-45 99:99:99", "2002-12-14",
         "1999-02-29"]
TAGS = ["!!str", "!!int", "!!float", "!!bool", "!!null", "!!timestamp", "!!binary", "!!set", "!!omap", "!!pairs",
        "!!seq", "!!map", "!!merge", "!!python/tuple", "!!python/name:os.getcwd", "!foo", "!", "!n", "!!value"]
STRINGS = ['"\\e]0;PWNED\\a\\e[2J"', '"a\\nb"', '"\\u202eabc"', '"\\0"', '"tab\\there"', '"\\x1b[5m"', '"\\x85"',
           '"\\u2028"', '"\\ud800"', '"a\\rb"', '"\\uFEFF"', '"\\u200b"', "'a''b'", '"' + "x" * 5000 + '"']
RAW = ["\x1b", "\x00", "\x07", "\u202e", "\x85", "\u2028", "\ufeff", "\x7f", "\t", "\r", "\x9b", "\udcff"]


def _value_spot(lines: list[str], rng: random.Random) -> tuple[int, int] | None:
    """A line and the offset where a value starts: after "key: ", "- " or inside a flow list."""
    spots = []
    for i, line in enumerate(lines):
        for match in re.finditer(r"(?:: |- |\[|, )(?=[^\s#])", line):
            spots.append((i, match.end()))
    return rng.choice(spots) if spots else None


def _value_end(line: str, start: int) -> int:
    """Where the value starting at ``start`` ends (before a comma, bracket or comment at its level)."""
    depth, i = 0, start
    while i < len(line):
        c = line[i]
        if c in "[{":
            depth += 1
        elif c in "]}":
            if depth == 0:
                return i
            depth -= 1
        elif c == "," and depth == 0:
            return i
        elif c == "#" and i > 0 and line[i - 1] == " ":
            return i
        i += 1
    return len(line.rstrip())


def _replace_value(lines: list[str], rng: random.Random, new: str) -> str:
    spot = _value_spot(lines, rng)
    if spot is None:
        return "no value"
    i, start = spot
    end = _value_end(lines[i], start)
    old = lines[i][start:end]
    lines[i] = lines[i][:start] + new + lines[i][end:]
    return f"line {i + 1}: {old!r} -> {new[:40]!r}"


def type_swap(lines, rng):
    return "type swap " + _replace_value(lines, rng, rng.choice(VALUES))


def number_form(lines, rng):
    return "number form " + _replace_value(lines, rng, rng.choice(NUMBER_FORMS))


def date(lines, rng):
    return "date " + _replace_value(lines, rng, rng.choice(DATES))


def control_string(lines, rng):
    return "string " + _replace_value(lines, rng, rng.choice(STRINGS))


def raw_character(lines, rng):
    i = rng.randrange(len(lines))
    at = rng.randrange(len(lines[i]) + 1)
    char = rng.choice(RAW)
    lines[i] = lines[i][:at] + char + lines[i][at:]
    return f"raw {char!r} in line {i + 1}"


def tag(lines, rng):
    return "tag " + _replace_value(lines, rng, rng.choice(TAGS) + " " + rng.choice(VALUES + NUMBER_FORMS[:8]))


def delete_line(lines, rng):
    i = rng.randrange(len(lines))
    del lines[i]
    return f"deleted line {i + 1}"


def duplicate_line(lines, rng):
    i = rng.randrange(len(lines))
    lines.insert(i, lines[i])
    return f"duplicated line {i + 1}"


def swap_lines(lines, rng):
    i, j = rng.randrange(len(lines)), rng.randrange(len(lines))
    lines[i], lines[j] = lines[j], lines[i]
    return f"swapped lines {i + 1} and {j + 1}"


def indent(lines, rng):
    i = rng.randrange(len(lines))
    lines[i] = (" " * rng.choice([1, 2, 4])) + lines[i] if rng.random() < 0.5 else lines[i].lstrip(" ")
    return f"indentation of line {i + 1}"


def anchor_alias(lines, rng):
    spot, other = _value_spot(lines, rng), _value_spot(lines, rng)
    if spot is None or other is None:
        return "no value"
    (i, start), (j, where) = spot, other
    kind = rng.random()
    if kind < 0.2:
        new = "*missing"
    elif kind < 0.4:
        new = "&r [*r, 1]"
    else:
        lines[i] = lines[i][:start] + "&a " + lines[i][start:]
        if j == i and where >= start:
            where += 3
        new = "*a"
    end = _value_end(lines[j], where)
    lines[j] = lines[j][:where] + new + lines[j][end:]
    return f"alias {new!r} at line {j + 1}"


def merge_key(lines, rng):
    forms = ["<<: *a", "<<: [*a, *a]", "<<: 1", "<<: {activation: relu}", "<<: [1, 2]", "<<:", '"<<": x',
             "<<: {weights: [[1, 2]], bias: 5}", "!!merge x: 1"]
    anchored = rng.randrange(len(lines))
    if lines[anchored].rstrip().endswith(":"):
        lines[anchored] = lines[anchored].rstrip() + " &a"
    i = rng.randrange(len(lines))
    spaces = len(lines[i]) - len(lines[i].lstrip(" "))
    form = rng.choice(forms)
    lines.insert(i, " " * spaces + form)
    return f"merge key {form!r} before line {i + 1}"


def huge_list(lines, rng):
    n = rng.choice([100, 1000, 20_000, 100_000])
    item = rng.choice(["1", "0.5", "-2e-3", "a", '"s"', "[1]", "0x1F", "null"])
    if rng.random() < 0.8:
        items = [item] * n
        if rng.random() < 0.5:  # one odd item somewhere
            items[rng.randrange(n)] = rng.choice(VALUES + NUMBER_FORMS)
        new = "[" + ", ".join(items) + "]"
    else:
        new = "\n" + "".join(f"  - {item}\n" for _ in range(min(n, 20_000)))
    return f"huge list of {n} {item!r} " + _replace_value(lines, rng, new)


def deep_nesting(lines, rng):
    n = rng.choice([50, 900, 1100, 5000, 50_000])
    new = rng.choice(["[" * n + "1" + "]" * n, "{a: " * n + "1" + "}" * n, "\n" + "- " * n + "1", "[" * n])
    return f"nesting of {n} " + _replace_value(lines, rng, new)


def key_change(lines, rng):
    i = rng.randrange(len(lines))
    match = re.match(r"(\s*-?\s*)([^:#\s][^:#]*):", lines[i])
    if not match:
        return "no key"
    new = rng.choice(["alpah", "Alpha", "x ", "1", "null", "true", "[a]", "{a: 1}", '"alp\\nha"', "k" * 5000,
                      '"\\e[2Jkey"', "? x", "é", "<<", "!!str x", "&k x", "*k"])
    lines[i] = match.group(1) + new + ":" + lines[i][match.end():]
    return f"key {match.group(2)!r} -> {new[:30]!r} on line {i + 1}"


def documents(lines, rng):
    form = rng.choice(["---", "...", "--- |", "%YAML 1.1\n---", "%YAML 1.2\n---", "%TAG ! tag:example.com,2000:\n---",
                       "--- !!map", "---\n---"])
    i = rng.randrange(len(lines) + 1)
    lines.insert(i, form)
    return f"document marker {form!r} at line {i + 1}"


EXTREMES = ["1e308", "-1e308", "1.7976931348623157e308", "1e154", "-1e154", "5e-324", "1e-308", "1e200", "-700",
            "800", "1e16", "0.1e-10"]


def extreme_number(lines, rng):
    """A number near the limits of a float: a test of the numerics more than of the reading (--extremes)."""
    return "extreme " + _replace_value(lines, rng, rng.choice(EXTREMES))


LINE_MUTATIONS = [type_swap, number_form, date, control_string, raw_character, tag, delete_line, duplicate_line,
                  swap_lines, indent, anchor_alias, merge_key, huge_list, deep_nesting, key_change, documents]


def byte_flips(data: bytes, rng: random.Random) -> tuple[bytes, str]:
    buffer = bytearray(data)
    for _ in range(rng.choice([1, 1, 2, 5])):
        at = rng.randrange(len(buffer))
        buffer[at] = rng.randrange(256) if rng.random() < 0.5 else buffer[at] ^ (1 << rng.randrange(8))
    return bytes(buffer), "byte flips"


@dataclass
class Case:
    number: int
    config: str
    done: list[str]
    data: bytes
    name: str


def make_case(number: int, rng: random.Random, extremes: bool = False) -> Case:
    """Case ``number``: a shipped config with one to three mutations (``extremes``: extreme numbers too)."""
    path = rng.choice(CONFIGS)
    lines = path.read_text(encoding="utf-8").splitlines()
    done = []
    mutations = LINE_MUTATIONS + [extreme_number] * (4 if extremes else 0)
    for _ in range(rng.choice([1, 1, 2, 3])):
        if lines and rng.random() < 0.9:
            done.append(rng.choice(mutations)(lines, rng))
    data = ("\n".join(lines) + "\n").encode("utf-8", "surrogatepass")
    if rng.random() < 0.12 or not done:
        data, what = byte_flips(data, rng)
        done.append(what)
    name = rng.choice(["config.yaml"] * 8 + ["new\nline.yaml", "esc\x1b[2J.yaml", "bidi\u202e.yaml",
                                             os.fsdecode(b"bad\xff.yaml")])
    return Case(number, path.name, done, data, name)


# --------------------------------------------------------------------------------------------------
# Running a case


class Timeout(BaseException):
    """Raised by the alarm when a command takes longer than LIMIT (not an Exception: bptrace catches those)."""


def _alarm(signum, frame):
    raise Timeout


@dataclass
class Outcome:
    failures: list[str] = field(default_factory=list)
    slowest: tuple[float, str] = (0.0, "")
    exits: dict[str, int] = field(default_factory=dict)


def _invoke(runner: CliRunner, args: list[str]) -> tuple[int | None, str, str, float]:
    start = time.perf_counter()
    signal.setitimer(signal.ITIMER_REAL, LIMIT)
    try:
        result = runner.invoke(cli, args, env=ENV, catch_exceptions=True)
        code, out, err = result.exit_code, result.stdout, result.stderr
        if result.exception is not None and not isinstance(result.exception, SystemExit):
            code, err = 1, f"{type(result.exception).__name__}: {result.exception}"
    except Timeout:
        code, out, err = None, "", ""
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
    return code, out, err, time.perf_counter() - start


def _problems(command: str, code: int | None, out: str, err: str, seconds: float) -> list[str]:
    if code is None:
        return [f"{command}: took more than {LIMIT:g} s"]
    problems = []
    if code not in (0, 2):
        problems.append(f"{command}: exit {code}: {err.strip()[:300]!r}")
    hidden = [c for c in err + (out if command == "validate" else "") if not c.isprintable() and c != "\n"]
    if hidden:
        problems.append(f"{command}: wrote {hidden[0]!r} to the terminal: {err.strip()[:300]!r}")
    if code == 2:
        lines = err.splitlines()
        if command == "validate":
            odd = [line for line in lines if not re.match(r"bptrace: (error: |\d+ errors)", line)]
            if odd or not lines:
                problems.append(f"{command}: stderr is not one line per error: {err[:300]!r}")
        elif len(lines) != 1 or not err.endswith("\n"):
            problems.append(f"{command}: stderr of {len(lines)} lines: {err[:300]!r}")
    return problems


def run(count: int, seed: int = 0, save: Path | None = None, progress: bool = False,
        extremes: bool = False) -> Outcome:
    """Make and check ``count`` cases from ``seed``."""
    rng = random.Random(seed)
    runner = CliRunner()
    outcome = Outcome()
    previous = signal.signal(signal.SIGALRM, _alarm)
    try:
        with tempfile.TemporaryDirectory(prefix="bptrace-fuzz-") as folder:
            for number in range(count):
                case = make_case(number, rng, extremes)
                path = os.path.join(folder, case.name)
                with open(os.fsencode(path), "wb") as handle:
                    handle.write(case.data)
                problems = []
                for command, args in (("validate", ["validate", path]),
                                      ("run", ["run", path, "--format", "json", "--epochs", "2"])):
                    code, out, err, seconds = _invoke(runner, args)
                    outcome.exits[f"{command} {code}"] = outcome.exits.get(f"{command} {code}", 0) + 1
                    if seconds > outcome.slowest[0]:
                        outcome.slowest = (seconds, f"case {number} {command} ({case.config}: {'; '.join(case.done)})")
                    problems += _problems(command, code, out, err, seconds)
                if problems:
                    what = f"case {number} ({case.config}: {'; '.join(case.done)}): " + " | ".join(problems)
                    outcome.failures.append(what)
                    if save is not None:
                        save.mkdir(parents=True, exist_ok=True)
                        (save / f"case-{seed}-{number}.yaml").write_bytes(case.data)
                os.unlink(os.fsencode(path))
                if progress and (number + 1) % 250 == 0:
                    print(f"{number + 1} cases, {len(outcome.failures)} failures", file=sys.stderr, flush=True)
    finally:
        signal.signal(signal.SIGALRM, previous)
    return outcome


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Mutate the shipped configs and check every answer.")
    parser.add_argument("--count", type=int, default=1000, help="cases to run (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the first case (default 0)")
    parser.add_argument("--save", type=Path, default=None, metavar="DIR", help="write failing inputs to DIR")
    parser.add_argument("--extremes", action="store_true",
                        help="also numbers near the limits of a float (1e308, 5e-324), which test the numerics")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    outcome = run(args.count, args.seed, args.save, progress=True, extremes=args.extremes)
    for failure in outcome.failures:
        print(failure)
    print(f"{args.count} cases (seed {args.seed}) in {time.perf_counter() - start:.0f} s: "
          f"{len(outcome.failures)} failures; slowest command {outcome.slowest[0]:.2f} s ({outcome.slowest[1][:150]})")
    print("exit codes: " + ", ".join(f"{k}: {v}" for k, v in sorted(outcome.exits.items())))
    return 1 if outcome.failures else 0


if __name__ == "__main__":
    sys.exit(main())
