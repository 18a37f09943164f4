"""Exercises: a fresh network a person can work by hand, drawn from a seed, the same on every machine.

``generate(options, seed)`` draws candidates from the seed (``draw.py``), keeps the first one the
engine's hand-rounded trace finds fit (``rules.py``) and returns it with its config text
(``text.py``). Options that make the rules impossible are refused before any search
(``options.check_possible``).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from backprop_cli.course.exercise.draw import Drawn, SeedStream, draw, stream_key
from backprop_cli.course.exercise.options import (
    MAX_TRIES,
    ExerciseOptions,
    check_possible,
    check_seed,
)
from backprop_cli.course.exercise.rules import RULES, broken_rules
from backprop_cli.course.exercise.text import exercise_config, exercise_text
from backprop_cli.course.identity import exercise_id
from backprop_cli.errors import BptraceError


@dataclass(frozen=True)
class Exercise:
    """A generated exercise: its seed, options, numbers (as drawn) and config text."""

    seed: str
    id: str  # from the seed and the options: what its answer sheets name
    options: ExerciseOptions
    drawn: Drawn  # equal numbers ⇔ equal exercises, whatever the seed
    tries: int  # candidates drawn until this one fitted
    text: str

    def same_work(self, other: Exercise) -> bool:
        """Whether two exercises ask for the same work (their seeds may differ)."""
        return self.drawn == other.drawn and self.options == other.options


def generate(options: ExerciseOptions, seed: str) -> Exercise:
    """The exercise of ``seed``: the first candidate drawn from it that meets every rule.

    Raises a BptraceError naming the rule no candidate met when ``MAX_TRIES`` candidates all failed.
    """
    check_possible(options)
    check_seed(seed)
    key = stream_key(seed, options.fields())
    stream = SeedStream(key)
    ident = exercise_id(key)
    failures: Counter[str] = Counter()
    for tries in range(1, MAX_TRIES + 1):
        drawn = draw(stream, options.shape, options.activations[-1], options.bias, options.decimals)
        broken = broken_rules(exercise_config(drawn, options), options.decimals)
        if not broken:
            return Exercise(seed, ident, options, drawn, tries, exercise_text(drawn, options, seed, ident))
        failures.update(broken)
    raise BptraceError(_no_exercise(options, failures))


def _no_exercise(options: ExerciseOptions, failures: Counter[str]) -> str:
    rule, count = failures.most_common(1)[0]
    return (f"{options.flags}: no exercise found in {MAX_TRIES:,} tries; the rule broken most often (in {count:,}): "
            f"{RULES[rule]}; try more --decimals, other activations, wider layers or a bias")
