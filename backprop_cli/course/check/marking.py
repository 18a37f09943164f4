"""Marking an answer sheet: a verdict for every answer, with error carried forward.

Answers are judged in the order a person computes them. Each is compared with

1. the key (the engine's trace in full precision), to the digits written (see digits.py);
2. the value recomputed from the person's earlier answers that were judged correct (where they are blank
   or not correct, from the key, or from the key rounded to the digits they wrote there): a hand
   calculation that rounds to the digits written gets it, so it is correct too (the handout's 0.077 where
   the key says 0.0763);
3. the value recomputed from all of the person's own earlier answers: right from a wrong start, so
   ``carried`` (a wrong z followed by a consistent ∂J/∂z loses one mark, not every mark after it).

A recomputation keeps the numbers not written on the sheet exact, and is done again rounding them to the
digits of the answer (see hand_digits): those bptrace's hand rounding rounds (the per-sample terms of a
batch, the forward pass after the update), g'(p), or both. A person with a calculator may do any of these. An
answer that is none of these is ``wrong``; its diagnosis names the first known mistake (mistakes.py) that,
made in this step from the person's own earlier numbers, gives their number.
"""

from __future__ import annotations

from dataclasses import dataclass

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
    precise_enough,
    same,
)
from backprop_cli.course.check.mistakes import mistakes_for
from backprop_cli.course.check.sheet import Blank, Quantity, Sheet
from backprop_cli.engine.backprop import Iteration
from backprop_cli.engine.rounding import round_half_away

VERDICTS = ("correct", "carried", "wrong", "blank")
TOO_FEW_DIGITS = f"too few digits to judge: write at least {MIN_DIGITS} decimals or {MIN_DIGITS} significant digits"
HAND_LIMIT = 12  # from this many decimals on a hand chain is the exact one
# (results, factors) a person may round besides what the sheet asks for: what bptrace's hand rounding rounds
# (the terms of a batch, the forward pass after the update), g'(p), or both.
HAND_PRACTICES = ((True, False), (False, True), (True, True))


def hand_digits(written: Written) -> list[int]:
    """The N of hand rounding (N decimals, or N significant digits where that keeps more) a person may have
    rounded intermediate results to, given an answer written with d decimals and s significant digits: d,
    and min(d, s), the N that writes this answer so (0.065: 3 and 2); one less where rounding went up past a
    power of ten (0.00997 to 2 digits is 0.0100); never fewer than MIN_DIGITS."""
    n = min(written.decimals, written.significant)
    candidates = {written.decimals, n} | ({n - 1} if written.digits.rstrip("0") == "1" else set())
    return sorted(n for n in candidates if MIN_DIGITS <= n < HAND_LIMIT)


def matches(written: Written, value: float) -> bool:
    """``written`` agrees with ``value`` (digits.py), and has digits enough to tell, unless it is ``value``."""
    return (precise_enough(written) or same(written, value)) and agrees(written, value)


@dataclass(frozen=True)
class Mark:
    """The verdict on one blank of the sheet."""

    blank: Blank
    given: Written | None
    expected: float  # the key
    verdict: str
    diagnosis: str | None = None
    mistake: str | None = None  # the name of the mistake diagnosed
    matched: float | None = None  # what a correct or carried answer agrees with
    from_answers: float | None = None  # recomputed from the person's own earlier answers


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

    @property
    def score(self) -> Score:
        return Score(*(sum(m.verdict == v for m in self.marks) for v in VERDICTS))


class Marker:
    """Marks answer sheets of one config against its key."""

    def __init__(self, sheet: Sheet, key: Iteration) -> None:
        self.sheet = sheet
        self.key = Values(key)
        self.problem = Problem.of(sheet.config, key)

    def chains(self, q: Quantity, values: Values, written: Written, rules: Rules = HANDOUT) -> list[float]:
        """``q`` recomputed from ``values``: exactly, and rounding what is not written to the answer's digits."""
        return [recompute(q, values, self.problem, rules, exact)] + [
            recompute(q, values, self.problem, rules, by_hand(n, results, factors))
            for n in hand_digits(written) for results, factors in HAND_PRACTICES]

    def judge(self, q: Quantity, w: Written, own: Values, sound: list[Values]) -> tuple[str, float | None, float]:
        """(verdict, the value matched, the value from the person's own answers) of a filled answer."""
        truth = self.key.get(q)
        if matches(w, truth):
            return "correct", truth, recompute(q, own, self.problem)
        for values in sound:
            for value in self.chains(q, values, w):
                if matches(w, value):
                    return "correct", value, recompute(q, own, self.problem)
        mine = self.chains(q, own, w)
        for value in mine:
            if matches(w, value):
                return "carried", value, mine[0]
        return "wrong", None, mine[0]

    def diagnose(self, q: Quantity, w: Written, own: Values) -> tuple[str | None, str | None]:
        """(diagnosis, mistake name) of a wrong answer: the first known mistake that gives it, or why an
        answer with too few digits cannot be judged."""
        for mistake in mistakes_for(q, self.problem):
            if any(matches(w, value) for value in self.chains(q, own, w, mistake.rules)):
                return mistake.diagnosis, mistake.name
        return (None, None) if precise_enough(w) else (TOO_FEW_DIGITS, None)

    def mark(self, answers: dict[tuple, Written], source: str) -> Marking:
        own = self.key.copy()
        for blank in self.sheet.blanks:
            if blank.path in answers:
                own.set(blank.quantity, answers[blank.path].value)
        # The person's answers judged correct so far; in place of the others what a correct calculation has
        # there: the key, or the key rounded to the digits the person wrote.
        sound, rounded = own.copy(), own.copy()
        marks = []
        for blank in self.sheet.blanks:
            q, w = blank.quantity, answers.get(blank.path)
            truth = self.key.get(q)
            if w is None:
                marks.append(Mark(blank, None, truth, "blank"))
                continue
            verdict, matched, mine = self.judge(q, w, own, [sound, rounded])
            diagnosis = mistake = None
            if verdict != "correct":
                sound.set(q, truth)
                rounded.set(q, round_half_away(truth, w.decimals) if 0 <= w.decimals < HAND_LIMIT else truth)
            if verdict == "wrong":
                diagnosis, mistake = self.diagnose(q, w, own)
            marks.append(Mark(blank, w, truth, verdict, diagnosis, mistake, matched, mine))
        return Marking(source, tuple(marks))
