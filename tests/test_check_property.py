"""Properties of the marking on random networks: an independent hand calculation is all correct, and one
number changed (everything after it worked out from the changed number) is wrong there and only there."""

from __future__ import annotations

import pytest
from hand import HandCalculation, full, sheet_yaml, significant
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from strategies import random_layer

from backprop_cli.config.read import config_from_data
from backprop_cli.course.check import key_trace, worksheet
from backprop_cli.course.check.answers import read_answers
from backprop_cli.course.check.marking import Marker
from backprop_cli.course.check.sheet import path_text

ELEMENT_WISE = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"]
SQUARED = ["sse", "half_sse", "mse"]
OUTPUTS = ([(a, loss) for a in ELEMENT_WISE for loss in SQUARED]
           + [("softmax", loss) for loss in SQUARED + ["cross_entropy"]]
           + [("sigmoid", "bce"), ("sigmoid", "cross_entropy")])
WRITERS = {"full precision": full, "3 significant digits": significant(3)}
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                          HealthCheck.function_scoped_fixture])

hundredths = st.integers(-150, 150).map(lambda v: v / 100)
probabilities = st.integers(0, 100).map(lambda v: v / 100)


@st.composite
def networks(draw) -> dict:
    """A random network of 1 to 3 layers of 1 to 3 neurons, with 1 to 3 samples, as config data."""
    output, loss = draw(st.sampled_from(OUTPUTS))
    depth = draw(st.integers(1, 3))
    widths = [draw(st.integers(1, 3)) for _ in range(depth + 1)]
    if output == "softmax":
        widths[-1] = max(widths[-1], 2)
    layers = []
    for i in range(depth):
        activation = output if i == depth - 1 else draw(st.sampled_from(ELEMENT_WISE))
        layers.append(random_layer(draw, widths[i + 1], widths[i], activation, hundredths, slopes=(0.01, 0.1)))
    samples = draw(st.integers(1, 3))
    targets = probabilities if loss in ("cross_entropy", "bce") else hundredths
    x = [[draw(hundredths) for _ in range(widths[0])] for _ in range(samples)]
    y = [[draw(targets) for _ in range(widths[-1])] for _ in range(samples)]
    return {"x": x[0] if samples == 1 else x, "y": y[0] if samples == 1 else y,
            "alpha": draw(st.sampled_from([0.1, 0.5, 1.0])), "loss": loss,
            "batch": draw(st.sampled_from(["mean", "sum"])), "update_bias": draw(st.booleans()), "layers": layers}


def hand(data: dict, write, **change) -> dict:
    try:
        return HandCalculation(data, write, **change).texts
    except (ValueError, ZeroDivisionError, OverflowError):  # a log of an output written as 0 or 1
        assume(False)


def marked(data: dict, texts: dict, tmp_path) -> dict:
    config = config_from_data(data)
    key = key_trace(config)
    sheet = worksheet(config, key)
    answers = tmp_path / "answers.yaml"
    answers.write_text(sheet_yaml(texts), encoding="utf-8")
    marking = Marker(sheet, key).mark(read_answers(str(answers), sheet), str(answers))
    return {m.blank.path: m for m in marking.marks}


@pytest.mark.slow
@SETTINGS
@given(data=networks(), style=st.sampled_from(sorted(WRITERS)))
def test_a_correct_sheet_is_all_correct(data, style, tmp_path):
    texts = hand(data, WRITERS[style])
    marks = marked(data, texts, tmp_path)
    assert set(marks) == set(texts)
    assert {path_text(p): m.verdict for p, m in marks.items() if m.verdict != "correct"} == {}


@pytest.mark.slow
@SETTINGS
@given(data=networks(), digits=st.integers(2, 4))
def test_a_sheet_with_the_derivatives_rounded_first_is_all_correct(data, digits, tmp_path):
    texts = hand(data, significant(digits), round_factors=True)
    marks = marked(data, texts, tmp_path)
    assert {path_text(p): m.verdict for p, m in marks.items() if m.verdict != "correct"} == {}


@pytest.mark.slow
@SETTINGS
@given(data=networks(), style=st.sampled_from(sorted(WRITERS) + ["full precision, in the sixth digit"]),
       draws=st.data())
def test_one_changed_number_is_wrong_and_the_numbers_after_it_follow(data, style, draws, tmp_path):
    write = WRITERS.get(style, full)
    right = hand(data, write)
    logs = data["loss"] in ("cross_entropy", "bce")
    places = [p for p in right if p != ("loss_after",)
              and not (logs and "forward" in p and "out" in p and "z" in p)]  # a log of z outside (0, 1)
    path = draws.draw(st.sampled_from(places))
    value = float(right[path])
    sign = draws.draw(st.sampled_from([-1, 1]))
    if style.endswith("sixth digit"):
        changed = value + sign * (1e-6 * abs(value) + 1e-7)  # beyond floating-point noise, far below rounding
    else:
        changed = value + sign * (0.5 + 0.5 * abs(value))
    made = hand(data, write, change=(path, write(changed)))
    marks = marked(data, made, tmp_path)
    assert marks[path].verdict == "wrong", (path_text(path), right[path], made[path], marks[path])
    others = {path_text(p): (made[p], m.verdict) for p, m in marks.items() if p != path and m.verdict == "wrong"}
    assert others == {}


def run_prints(data: dict, n: int) -> tuple:
    """(the marker of the sheet at hand rounding ``n``, every number as `bptrace run -r n` prints it)."""
    from backprop_cli.course.check import marker
    from backprop_cli.course.check.report import number_format, written_as_run

    mark = marker(config_from_data(data), n)
    numbers = number_format(mark.mark({}, "-"), mark.sheet)
    return mark, {blank.path: written_as_run(mark.shown.get(blank.quantity), blank, numbers)
                  for blank in mark.sheet.blanks}


def retouched(text: str, zeros: int) -> str:
    """``text`` with ``zeros`` trailing zeros added, or (``zeros`` < 0) all its trailing zeros dropped."""
    mantissa, e, exponent = text.partition("e")
    if "." not in mantissa:
        return text
    mantissa = mantissa + "0" * zeros if zeros >= 0 else mantissa.rstrip("0").rstrip(".")
    return mantissa + e + exponent


@pytest.mark.slow
@SETTINGS
@given(data=networks(), n=st.integers(1, 4), draws=st.data())
def test_what_run_prints_is_all_correct_padded_stripped_or_with_steps_blank(data, n, draws):
    from backprop_cli.course.check.digits import parse

    mark, texts = run_prints(data, n)
    steps = sorted({section.step for section in mark.sheet.sections})
    blank = set(draws.draw(st.lists(st.sampled_from(steps), unique=True)))
    answers = {}
    for section in mark.sheet.sections:
        if section.step in blank:
            continue
        for b in section.blanks:
            zeros = draws.draw(st.sampled_from([-1, 0, 1, 2]))
            answers[b.path] = parse(retouched(texts[b.path].replace("−", "-"), zeros))
    marking = mark.mark(answers, "-")
    assert {m.blank.where: (m.given.text, m.verdict) for m in marking.marks
            if m.given is not None and m.verdict != "correct"} == {}
