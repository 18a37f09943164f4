"""Marking an answer sheet: a verdict for every answer, with error carried forward.

The key is the first update as ``bptrace run`` computes it for the sheet's rounding (``-r N``: the config's
hand rounding, or the one given to ``check``), and in full precision; a sheet without hand rounding has the
full-precision key only. Answers are judged in the order a person computes them. Each is compared (digits.py:
at the digits written, trailing zeros dropped while enough remain, or padded to the sheet's decimals) with

1. the key, either of them;
2. the value recomputed from the person's earlier answers that were judged correct, where an earlier answer is
   blank or not correct from a key (``stand_ins``): a hand calculation gets it, so it is correct too;
3. the value recomputed from all of the person's own earlier answers (a blank again stands for a key): right
   from a wrong start, so ``carried`` (a wrong z followed by a consistent ∂J/∂z loses one mark, not every mark
   after it).

A recomputation keeps the numbers not written on the sheet exact, and is done again rounding them (see
``chains``): those bptrace's hand rounding rounds (the per-sample terms of a batch, the forward pass after
the update; also to N decimals strictly), g'(p), or both, to the digits of the answer or the sheet's. A person
with a calculator may do any of these. An answer that is none of these is ``wrong``.

A wrong answer is named by a known mistake (mistakes.py) only where the name is sure (``name_mistakes``).
"""

from __future__ import annotations

import math
from collections.abc import Collection, Iterator
from dataclasses import dataclass, field, replace
from decimal import ROUND_DOWN, Decimal

from backprop_cli.course.check.chain import (
    HANDOUT,
    Problem,
    Rules,
    Values,
    by_hand,
    exact,
    recompute,
)
from backprop_cli.course.check.digits import (
    MIN_DIGITS,
    Written,
    agrees,
    same,
    told_apart,
    too_few_digits,
)
from backprop_cli.course.check.mistakes import AT_ONE_PLACE, mistakes_for
from backprop_cli.course.check.sheet import Blank, Quantity, Sheet
from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.rounding import round_half_away

VERDICTS = ("correct", "carried", "wrong", "blank")
TOO_FEW_DIGITS = f"too few digits to judge: write at least {MIN_DIGITS} decimals or {MIN_DIGITS} significant digits"
TRUNCATED = "truncated"  # the name of the mistake of cutting digits off instead of rounding
HAND_LIMIT = 12  # from this many decimals on a hand chain is the exact one
# How a person may round the numbers the sheet does not ask for: what bptrace's hand rounding rounds (the
# terms of a batch, the forward pass after the update), g'(p), both, or the results to N decimals strictly.
HAND_PRACTICES = ({"results": True}, {"results": False, "factors": True}, {"results": True, "factors": True},
                  {"results": True, "strict": True})


def hand_digits(written: Written, sheet: int | None = None) -> list[int]:
    """The N of hand rounding (N decimals, or N significant digits where that keeps more) a person may have
    rounded intermediate results to, given an answer written with d decimals and s significant digits: the
    sheet's N, d, and min(d, s), the N that writes this answer so (0.065: 3 and 2); one less where rounding
    went up past a power of ten (0.00997 to 2 digits is 0.0100); never fewer than MIN_DIGITS."""
    n = min(written.decimals, written.significant)
    candidates = {written.decimals, n} | ({n - 1} if written.digits.rstrip("0") == "1" else set())
    if sheet is not None:
        candidates.add(sheet)
    return sorted(n for n in candidates if MIN_DIGITS <= n < HAND_LIMIT)


def stand_ins(keys: list[Values], answers: dict[tuple, Written], sheet: Sheet) -> list[Values]:
    """What stands for a blank in a recomputation: each key (the hand chain ``bptrace run`` prints for the
    sheet's rounding, and the full-precision one), with the person's answers written into it."""
    filled = []
    for key in keys:
        values = key.copy()
        for blank in sheet.blanks:
            if blank.path in answers:
                values.set(blank.quantity, answers[blank.path].value)
        filled.append(values)
    return filled


def truncated(value: float, decimals: int) -> float:
    """``value`` with the digits after ``decimals`` places cut off (toward zero), as a person who truncates."""
    if not math.isfinite(value) or abs(value) >= 2.0**53:
        return value
    return float(Decimal(repr(float(value))).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_DOWN)) + 0.0


@dataclass(frozen=True)
class Mark:
    """The verdict on one blank of the sheet."""

    blank: Blank
    given: Written | None
    expected: float  # the key: as ``bptrace run`` computes it for the sheet's rounding
    verdict: str
    diagnosis: str | None = None
    mistake: str | None = None  # the name of the mistake diagnosed
    from_answers: float | None = None  # recomputed from the person's own earlier answers
    exact: float | None = None  # the key in full precision (None where it is ``expected``)


@dataclass(frozen=True)
class Score:
    correct: int
    carried: int
    wrong: int
    blank: int

    @property
    def total(self) -> int:
        return self.correct + self.carried + self.wrong + self.blank

    @property
    def points(self) -> int:
        """A correct and a carried answer earn a point each."""
        return self.correct + self.carried

    @property
    def percent(self) -> float:
        return 100.0 * self.points / self.total if self.total else 0.0


@dataclass(frozen=True)
class Marking:
    """Every answer of one sheet, marked."""

    source: str  # the answers file as named on the command line
    marks: tuple[Mark, ...]
    rounding: int | None = None  # the hand rounding N of the sheet (``bptrace run -r N``), None for none

    @property
    def score(self) -> Score:
        return Score(*(sum(m.verdict == v for m in self.marks) for v in VERDICTS))

    @property
    def first_mistake(self) -> Mark | None:
        """The first wrong answer in the order a person computes: where to look first."""
        return next((m for m in self.marks if m.verdict == "wrong"), None)


@dataclass
class _Wrong:
    """What the known mistakes say about one wrong answer: the names that give it (each with what is said),
    and the names that would have shown in it."""

    explains: dict[str, str] = field(default_factory=dict)
    shows: set[str] = field(default_factory=set)


def name_mistakes(section: list[_Wrong], unmade: Collection[str] = ()) -> Iterator[tuple[str, str] | None]:
    """(name, diagnosis) of each wrong answer of one step, or None where no name is sure.

    A name is given only where its mistake gives the answer and the correct chain does not, the two told apart
    at the digits written (see ``Marker.explain``), and consistently across the step: a mistake that would
    have shown in another wrong answer of the step, but does not give it, made neither (a coincidence). Where
    several names are left, the one that gives more of the step's wrong answers wins; a tie gives none (the old
    weight copied and α misread by a tenth, where the two cannot be told apart). A rule worked wrongly (not one
    of mistakes.AT_ONE_PLACE) that would have changed an answer of the step judged right, which it does not
    give (``unmade``, see ``Marker.unmade``), was not held in the step: it wins no name, and where it is as
    good an explanation as another name, neither is sure. One wrong number alone in its step is no rule."""
    contradicted = {name for wrong in section for name in wrong.shows - set(wrong.explains)}
    counts: dict[str, int] = {}
    for wrong in section:
        for name in wrong.explains:
            counts[name] = counts.get(name, 0) + 1
    for wrong in section:
        left = {name: said for name, said in wrong.explains.items() if name not in contradicted}
        if not left:
            yield None
            continue
        best = max(counts[name] for name in left)
        left = {name: said for name, said in left.items() if counts[name] == best}
        named = next(iter(left.items())) if len(left) == 1 else None
        yield None if named is None or named[0] in unmade else named


class Marker:
    """Marks answer sheets of one config against its key."""

    def __init__(self, sheet: Sheet, key: Iteration, hand: Iteration | None = None,
                 rounding: int | None = None) -> None:
        """``key``: the first update in full precision; ``hand``: as ``bptrace run -r N`` computes it for the
        sheet's rounding N (``rounding``), where the sheet has one."""
        self.sheet = sheet
        self.rounding = rounding
        self.exact = Values(key)
        self.keys = [self.exact] if hand is None else [Values(hand), self.exact]
        self.shown = self.keys[0]  # the key the person is shown: what `bptrace run` prints
        self.problem = Problem.of(sheet.config, key)

    def matches(self, written: Written, value: float) -> bool:
        """The one rule of agreement (digits.py), on this sheet's rounding."""
        return agrees(written, value, self.rounding)

    def chains(self, q: Quantity, values: Values, written: Written, rules: Rules = HANDOUT) -> list[float]:
        """``q`` recomputed from ``values``: exactly, and rounding what is not written to the answer's digits
        or the sheet's, in each of the ways a person may (HAND_PRACTICES)."""
        return [recompute(q, values, self.problem, rules, exact)] + [
            recompute(q, values, self.problem, rules, by_hand(n, **practice))
            for n in hand_digits(written, self.rounding) for practice in HAND_PRACTICES]

    def judge(self, q: Quantity, w: Written, owns: list[Values], sound: list[Values]) -> tuple[str, list[float]]:
        """(verdict, the values a correct answer could have had) of a filled answer."""
        right = [key.get(q) for key in self.keys]
        if any(self.matches(w, value) for value in right):
            return "correct", right
        for values in sound:
            right += self.chains(q, values, w)
            if any(self.matches(w, value) for value in right):
                return "correct", right
        for values in owns:
            mine = self.chains(q, values, w)
            if any(self.matches(w, value) for value in mine):
                return "carried", right
            right += mine
        return "wrong", right

    def explain(self, q: Quantity, w: Written, owns: list[Values], right: list[float]) -> _Wrong:
        """Which known mistakes, made in this step from the person's own numbers, give the wrong answer ``w``
        and would show at the digits written: the mistake's value and every value a correct answer could have
        had come out as different numbers at the digits the answer is judged at (digits.told_apart)."""
        found = _Wrong()
        if w.value == 0:
            return found  # 0 is what many a mistake gives (a neuron switched off, a term left out): no name

        def apart(value: float) -> bool:
            return all(told_apart(value, r, w, self.rounding) for r in right)

        for mistake in mistakes_for(q, self.problem):
            told = [v for own in owns for v in self.chains(q, own, w, mistake.rules) if math.isfinite(v) and apart(v)]
            if told:
                found.shows.add(mistake.name)
            if any(self.matches(w, v) for v in told) and mistake.name not in found.explains:
                found.explains[mistake.name] = mistake.diagnosis
        decimals = w.decimals
        cut = {r: truncated(r, decimals) for r in right if 0 <= decimals < HAND_LIMIT}
        cut = {r: t for r, t in cut.items() if t != round_half_away(r, decimals)}
        if cut:
            found.shows.add(TRUNCATED)
        for r, t in cut.items():
            if same(w, t):
                found.explains[TRUNCATED] = (f"truncated, not rounded: {r:.{decimals + 2}f}… rounds to "
                                             f"{round_half_away(r, decimals):.{decimals}f}")
                break
        return found

    def unmade(self, q: Quantity, w: Written, owns: list[Values], names: set[str]) -> set[str]:
        """Of the rules worked wrongly ``names``, those that would have changed the answer ``w``, judged right:
        no recomputation from the person's own numbers under any of its variants gives ``w``."""
        listed, given = set(), set()
        for mistake in mistakes_for(q, self.problem):
            if mistake.name not in names or mistake.name in given:
                continue
            listed.add(mistake.name)
            if any(self.matches(w, v) for own in owns for v in self.chains(q, own, w, mistake.rules)):
                given.add(mistake.name)
        return listed - given

    def mark(self, answers: dict[tuple, Written], source: str) -> Marking:
        owns = stand_ins(self.keys, answers, self.sheet)
        # The person's answers judged correct so far; in place of the others what a correct calculation has
        # there: a key, or the full-precision key rounded to the digits the person wrote.
        sound = [own.copy() for own in owns] + [owns[-1].copy()]
        marks: list[Mark] = []
        for section in self.sheet.sections:
            wrong: dict[int, _Wrong] = {}
            judged_right: list[tuple[Quantity, Written]] = []
            for blank in section.blanks:
                q, w = blank.quantity, answers.get(blank.path)
                truth, full = self.shown.get(q), self.exact.get(q)
                exact_key = None if self.shown is self.exact else full
                if w is None:
                    marks.append(Mark(blank, None, truth, "blank", exact=exact_key))
                    continue
                verdict, right = self.judge(q, w, owns, sound)
                if verdict != "correct":
                    for values, key in zip(sound, self.keys):
                        values.set(q, key.get(q))
                    sound[-1].set(q, round_half_away(full, w.decimals) if 0 <= w.decimals < HAND_LIMIT else full)
                # Too few digits to judge, unless a mistake gives the number (the old weight 0.4 copied).
                few = verdict == "wrong" and any(too_few_digits(w, value) for value in right)
                if verdict == "wrong":
                    wrong[len(marks)] = self.explain(q, w, owns, right)
                else:
                    judged_right.append((q, w))
                mine = recompute(q, owns[0], self.problem)
                marks.append(Mark(blank, w, truth, verdict, TOO_FEW_DIGITS if few else None, None, mine, exact_key))
            rules = {name for found in wrong.values() for name in found.explains} - set(AT_ONE_PLACE)
            unmade = {name for q, w in judged_right for name in self.unmade(q, w, owns, rules)} if rules else set()
            for at, named in zip(wrong, name_mistakes(list(wrong.values()), unmade)):
                if named is not None:
                    marks[at] = replace(marks[at], mistake=named[0], diagnosis=named[1])
        return Marking(source, tuple(marks), self.rounding)
