"""The JSON Schema of the config (`bptrace schema`) and the validator agree: every enum of the schema is
the set of names the validator accepts, and every minimum and maximum is where the validator starts
refusing. The expectations come from the validator (its registries, and probing it), never from the schema.
"""

from __future__ import annotations

import copy

import pytest

from backprop_cli.config import read as validator
from backprop_cli.config.read import config_from_data
from backprop_cli.errors import ConfigError
from backprop_cli.schemas import load_schema

SCHEMA = load_schema("config")
LAYER = SCHEMA["$defs"]["layer"]["properties"]
BASE = {"x": [[1.0, 1.0], [0.0, 1.0]], "y": [[0.0], [1.0]], "alpha": 0.1,
        "layers": [{"activation": "relu", "weights": [[0.4, 0.2], [-0.5, 0.1]]},
                   {"activation": "sigmoid", "weights": [[1.0, -1.0]]}]}


def accepts(path: tuple, value) -> bool:
    """Whether the validator accepts the base config with ``value`` at ``path`` (keys and list indices)."""
    data = copy.deepcopy(BASE)
    target = data
    for key in path[:-1]:
        target = target.setdefault(key, {}) if isinstance(key, str) else target[key]
    target[path[-1]] = value
    if path[-1] == "activation" and value == "softmax":  # allowed in the last layer only
        data["layers"][0]["activation"] = "relu"
    try:
        config_from_data(data)
    except ConfigError:
        return False
    return True


ENUMS = [
    (("loss",), SCHEMA["properties"]["loss"], tuple(validator.LOSSES)),
    (("batch",), SCHEMA["properties"]["batch"], validator.BATCH_MODES),
    (("layers", 1, "activation"), LAYER["activation"], tuple(validator.ACTIVATIONS)),
]


@pytest.mark.parametrize("path, schema, names", ENUMS, ids=[str(e[0][-1]) for e in ENUMS])
def test_enums_are_the_names_the_validator_accepts(path, schema, names):
    assert set(schema["enum"]) == set(names)
    for name in names:  # the base's output is a sigmoid of y in [0, 1]: every loss suits it
        assert accepts(path, name), name
    assert not accepts(path, "no_such_name")


RANGES = [
    (("alpha",), SCHEMA["properties"]["alpha"], 1e-9),
    (("epochs",), SCHEMA["properties"]["epochs"], 1),
    (("batch_size",), SCHEMA["properties"]["batch_size"], 1),
    (("display", "precision"), SCHEMA["properties"]["display"]["properties"]["precision"], 1),
    (("display", "hand_rounding"), SCHEMA["properties"]["display"]["properties"]["hand_rounding"], 1),
]


@pytest.mark.parametrize("path, schema, step", RANGES, ids=[".".join(r[0]) for r in RANGES])
def test_ranges_end_where_the_validator_starts_refusing(path, schema, step):
    low = schema["minimum"]
    assert accepts(path, low) and not accepts(path, low - step)
    if "maximum" in schema:
        high = schema["maximum"]
        assert accepts(path, high) and not accepts(path, high + step)
    elif path != ("batch_size",):  # batch_size is bounded by the number of samples, which no schema can say
        assert accepts(path, 10**6 if step == 1 else 1e6)
