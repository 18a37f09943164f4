"""The mutation fuzzer of tests/fuzz.py, a bounded number of seeded cases (``python tests/fuzz.py
--count 5000`` runs more): every mutated config gets exit 0 or 2, one line per error, nothing a terminal
would act on, and no command takes longer than fuzz.LIMIT seconds."""

from __future__ import annotations

import fuzz
import pytest


@pytest.mark.slow
def test_mutated_configs_get_a_result_or_one_clear_line():
    outcome = fuzz.run(count=150, seed=20240607)
    assert not outcome.failures, "\n".join(outcome.failures)
    # the cases reach both answers: some mutants stay valid, most are refused
    assert outcome.exits.get("validate 0", 0) > 0 and outcome.exits.get("validate 2", 0) > 0


def test_the_fuzzer_notices_what_it_looks_for():
    """Its checks can fail: exit 1, a second line, a raw escape character and a hang are each caught."""
    assert fuzz._problems("run", 1, "", "bptrace: error: unexpected ValueError\n", 0.1)
    assert fuzz._problems("run", 2, "", "bptrace: error: one\ntwo\n", 0.1)
    assert fuzz._problems("run", 2, "", "bptrace: error: a\x1b[2J\n", 0.1)
    assert fuzz._problems("validate", 0, "t.yaml: valid — \x1b]0;x\x07\n", "", 0.1)
    assert fuzz._problems("validate", 2, "", "bptrace: error: a\nsecond part\n", 0.1)
    assert fuzz._problems("validate", None, "", "", fuzz.LIMIT)
    assert not fuzz._problems("validate", 2, "", "bptrace: error: a\nbptrace: error: b\nbptrace: 2 errors\n", 0.1)


def test_cases_are_deterministic():
    import random

    first = [fuzz.make_case(n, random.Random(5)).data for n in range(3)]
    again = [fuzz.make_case(n, random.Random(5)).data for n in range(3)]
    assert first == again
