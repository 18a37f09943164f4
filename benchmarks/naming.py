"""How often `bptrace check` names a wrong answer by a mistake that is not the one made (not part of the suite).

    python benchmarks/naming.py                 # 240 generated exercises (several minutes)
    python benchmarks/naming.py --exercises 40 --examples 10

Exercises are made as `bptrace exercise` makes them (shapes 2-2-2, 2-3-2, 3-2-2, 2-2-2-2, 2-2-1; several
activations; no bias, one per neuron, or one per layer; 2 or 3 decimals; a seed per exercise). For each,
the hand calculations of tests/hand.py (independent of bptrace) fill answer sheets at the exercise's
rounding, each with one mistake, everything after it worked from the numbers written:

- throughout: a known mistake made at every place of one step (of one sample) where it can be made;
- one place: a known mistake made at a single place;
- unknown: one number replaced by another (10-60 % off), no known mistake.

Each sheet is marked by `check`'s marker; for each wrong answer the script counts whether its name is the
mistake made (named right), another one (named wrong) or none (unnamed), and prints the counts per kind of
sheet and some of the wrong names. Same seed, same figures.
"""

from __future__ import annotations

import argparse
import random
import sys
from collections import Counter
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from hand import HandCalculation, significant  # noqa: E402

from backprop_cli.config.read import config_from_data  # noqa: E402
from backprop_cli.course.check import marker  # noqa: E402
from backprop_cli.course.check.digits import parse  # noqa: E402
from backprop_cli.course.check.mistakes import mistakes_for  # noqa: E402
from backprop_cli.course.exercise.make import generate  # noqa: E402
from backprop_cli.course.exercise.options import parse_options  # noqa: E402

SHAPES = ("2-2-2", "2-3-2", "3-2-2", "2-2-2-2", "2-2-1")
ACTIVATIONS = {2: ("relu,sigmoid", "tanh,sigmoid", "sigmoid,sigmoid", "leaky_relu,tanh", "tanh,tanh"),
               3: ("relu,tanh,sigmoid", "tanh,relu,sigmoid")}
# The mistakes tests/hand.py makes by working a rule wrongly (the others are written numbers, not rules).
KNOWN = ("factor-2", "step1-sign", "z-for-derivative", "derivative-at-z", "derivative-left-out", "derivative-one",
         "transposed", "updated-weights", "sum-left-out", "x-z-swapped", "plus-alpha", "alpha-misread", "half-sse")
SAME = {frozenset({"derivative-one", "derivative-left-out"})}  # on sigmoid/tanh the simulator's g' = 1 is both
KINDS = ("throughout", "one place", "unknown")


def parameters(mistake: str, data: dict) -> list[tuple]:
    if mistake == "alpha-misread":
        alpha = float(data["alpha"])
        return [(alpha / 10,), (alpha * 10,), (1.0,)]
    if mistake == "sum-left-out":
        return [(0,), (1,)]
    return [()]


def trials(mk, data: dict, right: dict, rng: random.Random, per_kind: int) -> list[tuple]:
    """(kind, mistake, places, parameter) of the sheets of one exercise."""
    sections = []  # the paths of each section where each mistake can be made
    for section in mk.sheet.sections:
        where: dict[str, list] = {}
        for blank in section.blanks:
            for name in {m.name for m in mistakes_for(blank.quantity, mk.problem)}:
                where.setdefault(name, []).append(blank.path)
        sections.append(where)
    one, whole = [], []
    for mistake in KNOWN:
        for where in sections:
            for parameter in parameters(mistake, data):
                paths = where.get(mistake, [])
                one += [("one place", mistake, path, parameter) for path in paths]
                if len(paths) > 1:
                    whole.append(("throughout", mistake, frozenset(paths), parameter))
    chosen = rng.sample(one, min(per_kind, len(one))) + rng.sample(whole, min(per_kind, len(whole)))
    return chosen + [("unknown", "unknown", path, ()) for path in rng.sample(sorted(right), min(10, len(right)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--exercises", type=int, default=240)
    parser.add_argument("--sheets", type=int, default=30, help="sheets of each known kind per exercise")
    parser.add_argument("--examples", type=int, default=12, help="wrong names to print")
    args = parser.parse_args()
    rng = random.Random(7)
    counts = {kind: Counter() for kind in KINDS}
    examples = []
    for i in range(args.exercises):
        shape = rng.choice(SHAPES)
        options = parse_options(shape, rng.choice(ACTIVATIONS[shape.count("-")]), "sse",
                                rng.choice(("none", "neuron", "shared")), rng.choice((2, 2, 3)))
        data = yaml.safe_load(generate(options, f"m{i}").text)
        mk = marker(config_from_data(data))
        write = significant(options.decimals)
        right = HandCalculation(data, write).texts
        for kind, mistake, places, parameter in trials(mk, data, right, rng, args.sheets):
            try:
                if kind == "unknown":
                    v = float(right[places])
                    changed = v + rng.choice((-1, 1)) * (0.1 + 0.5 * rng.random()) * (abs(v) + 0.05)
                    made = HandCalculation(data, write, change=(places, write(changed))).texts
                else:
                    made = HandCalculation(data, write, mistake=(mistake, places, *parameter)).texts
            except (IndexError, KeyError, ValueError, OverflowError):
                continue  # a mistake this network cannot have (a term that is not there)
            if made == right:
                continue
            marking = mk.mark({path: parse(text) for path, text in made.items()}, "-")
            count = counts[kind]
            count["sheets"] += 1
            for m in marking.marks:
                if m.verdict != "wrong":
                    continue
                count["wrong"] += 1
                if m.mistake is None:
                    count["unnamed"] += 1
                elif m.mistake == mistake or frozenset({m.mistake, mistake}) in SAME:
                    count["named right"] += 1
                else:
                    count["named wrong"] += 1
                    if len(examples) < args.examples:
                        examples.append(f"{data.get('title')}: {kind} {mistake} at {m.blank.where}: "
                                        f"{m.given.text if m.given else ''} named {m.mistake}")
    print(f"{args.exercises} exercises")
    print(f"{'sheets':>28} {'wrong':>7} {'named right':>12} {'named wrong':>12} {'unnamed':>8}")
    for kind in (*KINDS, "all"):
        c = sum(counts.values(), Counter()) if kind == "all" else counts[kind]
        print(f"{kind:<12} {c['sheets']:>15} {c['wrong']:>7} {c['named right']:>12} {c['named wrong']:>12} "
              f"{c['unnamed']:>8}")
    for line in examples:
        print(line)


if __name__ == "__main__":
    main()
