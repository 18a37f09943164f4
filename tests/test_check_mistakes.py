"""Every known mistake, made on purpose at one place of an independent hand calculation, is marked wrong
there with its diagnosis, and every answer that follows from it is carried, on three networks."""

from __future__ import annotations

import pytest
import yaml
from conftest import CONFIGS
from hand import HandCalculation, decimals, full, sheet_yaml

from backprop_cli.config.read import config_from_data
from backprop_cli.course.check import key_trace, worksheet
from backprop_cli.course.check.answers import read_answers
from backprop_cli.course.check.marking import Marker
from backprop_cli.course.check.sheet import path_text

HANDOUT = yaml.safe_load((CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
# A ReLU layer with biases whose second neuron is switched off (p = −0.7), a sigmoid output, squared error.
BIASED = {"x": [0.5, -1.0], "y": [1, 0], "alpha": 0.5, "loss": "sse", "layers": [
    {"activation": "relu", "weights": [[0.3, -0.6], [0.8, 0.9]], "bias": [0.1, -0.2]},
    {"activation": "sigmoid", "weights": [[0.7, -0.5], [0.4, 0.6]], "bias": [0.05, -0.1]}]}
# Leaky ReLU (first neuron below the kink), a tanh output and the mean squared error.
LEAKY = {"x": [2.0, 1.5], "y": [0.2, -0.3], "alpha": 0.1, "loss": "mse", "layers": [
    {"activation": "leaky_relu", "negative_slope": 0.1, "weights": [[0.4, -1.3], [-0.2, 0.6]]},
    {"activation": "tanh", "weights": [[0.5, -0.3], [0.8, 0.2]], "bias": [0.9, -1.2]}]}
NETWORKS = {"handout": (HANDOUT, 1), "biased": (BIASED, 1), "leaky": (LEAKY, 0)}  # and the neuron switched off


def cases():
    """(network, mistake, path[, parameter]) for every mistake of the list, on every network."""
    for name, (data, off) in NETWORKS.items():
        on, alpha = 1 - off, data["alpha"]
        for case in [
            ("factor-2", ("step1", "out", "dJ_dz", 0)),
            ("z-for-derivative", ("step2", "hid", "dJ_dz", 0)),
            ("z-for-derivative", ("step3", "out", "dJ_dweights", 0, 0)),
            ("derivative-at-z", ("step3", "out", "dJ_dweights", 1, 0)),
            ("derivative-one", ("step4", "hid", "dJ_dweights", off, 0)),
            ("transposed", ("forward", "hid", "p", 0)),
            ("transposed", ("step2", "hid", "dJ_dz", 0)),
            ("updated-weights", ("step2", "hid", "dJ_dz", 0)),
            ("sum-left-out", ("step2", "hid", "dJ_dz", 0), 1),
            ("sum-left-out", ("step2", "hid", "dJ_dz", 1), 0),
            ("x-z-swapped", ("step3", "out", "dJ_dweights", 0, 1)),
            ("x-z-swapped", ("step4", "hid", "dJ_dweights", on, 0)),
            ("plus-alpha", ("step5", "out", "new_weights", 0, 0)),
            ("alpha-misread", ("step5", "out", "new_weights", 1, 0), alpha / 10),
            ("alpha-misread", ("step5", "hid", "new_weights", on, 1), alpha * 10),
            ("alpha-misread", ("step5", "out", "new_weights", 1, 0), 1.0),
        ]:
            if case[0] == "alpha-misread" and case[2] == alpha:
                continue
            yield pytest.param(name, *case[:2], case[2:], id=f"{name}-{case[0]}-{path_text(case[1])}")


WORDS = {  # words the diagnosis of each mistake says
    "factor-2": "factor 2", "z-for-derivative": "used for the derivative", "derivative-at-z": "at z instead of p",
    "derivative-one": "taken as 1 for p ≤ 0", "transposed": "transposed", "updated-weights": "updated weights",
    "sum-left-out": "sum over k in Step 2 left out", "x-z-swapped": "swapped", "plus-alpha": "+α",
    "alpha-misread": "α misread",
}


@pytest.fixture(scope="module")
def markers():
    made = {}
    for name, (data, _) in NETWORKS.items():
        config = config_from_data(data)
        key = key_trace(config)
        sheet = worksheet(config, key)
        made[name] = (sheet, Marker(sheet, key))
    return made


@pytest.mark.slow
@pytest.mark.parametrize("write", [decimals(4), full], ids=["4 decimals", "full precision"])
@pytest.mark.parametrize("network, mistake, path, parameter", cases())
def test_a_mistake_is_wrong_once_with_its_diagnosis_and_carried_after(network, mistake, path, parameter, write,
                                                                     markers, tmp_path):
    data = NETWORKS[network][0]
    right = HandCalculation(data, write).texts
    made = HandCalculation(data, write, mistake=(mistake, path, *parameter)).texts
    assert made[path] != right[path], "the mistake must show in the digits written"
    answers = tmp_path / "answers.yaml"
    answers.write_text(sheet_yaml(made), encoding="utf-8")
    sheet, marker = markers[network]
    marking = marker.mark(read_answers(str(answers), sheet), str(answers))
    by_path = {m.blank.path: m for m in marking.marks}
    assert set(by_path) == set(made)

    wrong = [m for m in marking.marks if m.verdict == "wrong"]
    assert [m.blank.path for m in wrong] == [path]
    assert wrong[0].mistake == mistake and WORDS[mistake] in wrong[0].diagnosis, wrong[0].diagnosis
    if mistake == "alpha-misread":
        assert f"{parameter[0]:g} used for α = {data['alpha']:g}" in wrong[0].diagnosis
    following = [p for p in made if p != path and made[p] != right[p]]  # the answers the mistake changed
    for p in made:
        if p != path:
            allowed = {"carried", "correct"} if p in following else {"correct"}
            assert by_path[p].verdict in allowed, (path_text(p), made[p], right[p], by_path[p].verdict)
    assert not following or any(by_path[p].verdict == "carried" for p in following)


def test_every_mistake_is_tested_on_at_least_two_networks():
    from backprop_cli.course.check import mistakes

    seen: dict[str, set] = {}
    for case in cases():
        network, mistake = case.values[:2]
        seen.setdefault(mistake, set()).add(network)
    assert set(seen) == set(WORDS)
    source = open(mistakes.__file__, encoding="utf-8").read()
    assert all(f'"{name}"' in source for name in WORDS)
    assert all(len(networks) >= 2 for networks in seen.values()), seen
