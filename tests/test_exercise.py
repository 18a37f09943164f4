"""Generated exercises: every rule holds for every seed, the same seed gives the same bytes, sets of
variants differ, and impossible options are refused before any search.

The rules are checked here on the engine's hand-rounded trace with this file's own reading of them,
not with the generator's checks (backprop_cli.course.exercise.rules), so a mistake there cannot hide here.
"""

from __future__ import annotations

import hashlib
import re
import shlex
from decimal import ROUND_HALF_UP, Decimal, localcontext

import numpy as np
import pytest
import yaml
from conftest import check_golden, run_cli

from backprop_cli.config.read import config_from_data
from backprop_cli.engine.backprop import trace
from backprop_cli.errors import BptraceError

# Options of the property test, used in turn by the seeds: shapes, activations, losses, biases, decimals.
OPTION_SETS = [
    ("2-2-2", None, "sse", "none", 2),
    ("2-2-2", None, "sse", "neuron", 2),
    ("2-3-2", None, "half_sse", "shared", 2),
    ("2-2-3", None, "cross_entropy", "neuron", 2),
    ("2-2-1", None, "bce", "none", 2),
    ("2-2-2", "tanh,sigmoid", "mse", "none", 3),
    ("3-2-2", "leaky_relu,identity", "sse", "neuron", 2),
    ("2-3-2-2", "relu,relu,sigmoid", "sse", "none", 2),
    ("2-2-2", "relu,relu", "sse", "shared", 2),
    ("1-2-1", None, "sse", "neuron", 1),
    ("2-2", "softmax", "cross_entropy", "none", 2),
]
SEEDS = 500


def option_args(shape, activations, loss, bias, decimals) -> list[str]:
    args = ["--shape", shape, "--loss", loss, "--bias", bias, "--decimals", str(decimals)]
    return args + (["--activations", activations] if activations else [])


def numbers_in(line: str) -> list[str]:
    """The numbers of a flow list on a config line, as written: 'x: [0.3, -1.0]  # …' → ['0.3', '-1.0']."""
    return re.search(r"\[([^\]]*)\]", line).group(1).split(", ")


def written(text: str) -> dict[str, list[str]]:
    """The numbers of an exercise as written, by kind: inputs, targets, weights and biases."""
    found: dict[str, list[str]] = {"x": [], "y": [], "parameters": []}
    for line in text.splitlines():
        if line.startswith(("x: ", "y: ")):
            found[line[0]] = numbers_in(line)
        elif line.startswith("      - ["):
            found["parameters"] += numbers_in(line)
        elif line.startswith("    bias: "):
            value = line.split("#")[0].split(":", 1)[1].strip()
            found["parameters"] += numbers_in(value) if value.startswith("[") else [value]
    return found


def rounds_to_zero(value: float, decimals: int) -> bool:
    """Whether ``value`` rounds (half away from zero) to 0 at ``decimals`` places, on its decimal form."""
    return abs(Decimal(repr(float(value)))) < Decimal(5) / 10 ** (decimals + 1)


def check_numbers(text: str, decimals: int, output: str) -> None:
    numbers = written(text)
    for value in numbers["parameters"]:
        assert re.fullmatch(rf"-?[01]\.\d{{{decimals}}}", value), value
        assert 0 < abs(Decimal(value)) <= 1, value
    for value in numbers["x"]:
        assert re.fullmatch(r"-?[01]\.\d", value) and 0 < abs(Decimal(value)) <= 1, value
    y = [Decimal(v) for v in numbers["y"]]
    if output in ("sigmoid", "softmax"):
        assert set(numbers["y"]) <= {"0", "1"}
        if output == "softmax":
            assert sum(y) == 1
    else:
        assert all(re.fullmatch(r"-?[01]\.\d", v) and abs(Decimal(v)) <= 1 for v in numbers["y"])


def check_rules(config, decimals: int) -> None:
    """Every rule of an exercise, on the trace the student computes (hand rounding to ``decimals``)."""
    step = next(trace(config, hand_rounding=decimals))
    last = len(config.layers) - 1
    hidden_relu = [i for i, layer in enumerate(config.layers[:-1]) if layer.activation == "relu"]
    if hidden_relu:
        assert any(np.any(step.passes[i].p <= 0) for i in hidden_relu), "no inactive ReLU neuron"
    for i, layer in enumerate(config.layers):
        p = step.passes[i].p[0]
        if layer.activation in ("relu", "leaky_relu"):
            assert np.all(np.abs(p) >= 0.05), f"{layer.name}: p {p} near the kink"
        if layer.activation in ("sigmoid", "tanh", "softmax"):
            assert np.all(np.abs(p) <= 3), f"{layer.name}: p {p} saturated"
        dead = (p <= 0) if layer.activation == "relu" else np.zeros(p.shape, dtype=bool)
        inputs = (config.x if i == 0 else step.passes[i - 1].z)[0]
        grads = step.layers[i].dJ_dweights
        visible = 0
        for k in range(grads.shape[0]):
            for t in range(grads.shape[1]):
                if rounds_to_zero(grads[k, t], decimals):
                    assert dead[k] or inputs[t] == 0, f"∂J/∂Θ_{k + 1}{t + 1}[{layer.name}] = {grads[k, t]} rounds to 0"
                else:
                    visible += 1
        bias_grads = step.layers[i].dJ_dbias
        if bias_grads is not None:
            shared = np.ndim(bias_grads) == 0
            for k, g in enumerate(np.atleast_1d(bias_grads)):
                if rounds_to_zero(g, decimals):
                    assert np.all(dead) if shared else dead[k], f"∂J/∂b[{layer.name}] = {g} rounds to 0"
                else:
                    visible += 1
        assert visible, f"no gradient of layer {layer.name} shows at {decimals} decimals"
    if config.loss == "cross_entropy":
        assert config.layers[last].activation == "softmax"
    if config.loss == "bce":
        assert config.layers[last].activation == "sigmoid"


def generated(seed: str, options) -> str:
    from backprop_cli.course.exercise.make import generate
    from backprop_cli.course.exercise.options import parse_options

    return generate(parse_options(*options), seed).text


@pytest.mark.slow
def test_every_rule_holds_for_500_seeds():
    seen: dict[tuple, dict] = {}
    for number in range(SEEDS):
        options = OPTION_SETS[number % len(OPTION_SETS)]
        seed = f"student-{number}"
        text = generated(seed, options)
        config = config_from_data(yaml.safe_load(text))  # a valid config
        decimals = options[4]
        assert config.hand_rounding == decimals and config.title
        assert f"--seed {seed}\n" in text and seed in config.title
        check_numbers(text, decimals, config.layers[-1].activation)
        check_rules(config, decimals)
        # Different seeds, different exercises.
        numbers = str(written(text))
        earlier = seen.setdefault(options, {})
        assert numbers not in earlier, f"seeds {earlier.get(numbers)} and {seed} give the same exercise"
        earlier[numbers] = seed


def by_hand(value: Decimal, n: int) -> Decimal:
    """A person's rounding: n decimals, or n significant digits where that keeps more; half away from 0."""
    if value == 0:
        return value
    places = max(n, n - 1 - value.adjusted())
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def activate_exactly(name: str, p: list[Decimal], slope: Decimal) -> list[Decimal]:
    if name == "softmax":
        e = [v.exp() for v in p]
        return [v / sum(e) for v in e]
    exact = {"identity": lambda v: v, "relu": lambda v: max(v, Decimal(0)),
             "leaky_relu": lambda v: v if v > 0 else slope * v, "sigmoid": lambda v: 1 / (1 + (-v).exp()),
             "tanh": lambda v: ((2 * v).exp() - 1) / ((2 * v).exp() + 1)}[name]
    return [exact(v) for v in p]


def loss_exactly(name: str, z: list[Decimal], y: list[Decimal]) -> Decimal:
    squares = sum((a - b) ** 2 for a, b in zip(z, y))
    if name in ("sse", "half_sse", "mse"):
        return squares * {"sse": 1, "half_sse": Decimal("0.5"), "mse": Decimal(1) / len(z)}[name]
    if name == "cross_entropy":
        return -sum(b * a.ln() for a, b in zip(z, y) if b)
    return -sum(a.ln() if b else (1 - a).ln() for a, b in zip(z, y))  # bce, y 0 or 1


@pytest.mark.slow
@pytest.mark.parametrize("number", range(0, 4 * len(OPTION_SETS)))
def test_the_forward_pass_is_what_a_person_computes(number):
    """p, z and J of an exercise, computed in exact decimals and rounded as a person rounds, equal the
    engine's: no number of an exercise sits on a tie that floating point could round the other way."""
    options = OPTION_SETS[number % len(OPTION_SETS)]
    decimals = options[4]
    config = config_from_data(yaml.safe_load(generated(f"by hand {number}", options)))
    step = next(trace(config, hand_rounding=decimals))

    def exact(values) -> list[Decimal]:
        return [Decimal(repr(float(v))) for v in np.ravel(values)]  # the decimals as written

    with localcontext() as context:
        context.prec = 50
        z = exact(config.x)
        for layer, layer_pass in zip(config.layers, step.passes):
            bias = exact(layer.bias) * (layer.width if layer.shared_bias else 1) if layer.bias is not None else None
            p = [by_hand(sum(w * v for w, v in zip(row, z)) + (bias[k] if bias else 0), decimals)
                 for k, row in enumerate(exact(r) for r in layer.weights)]
            z = [by_hand(v, decimals) for v in activate_exactly(layer.activation, p, exact(layer.negative_slope)[0])]
            assert exact(layer_pass.p) == p and exact(layer_pass.z) == z, layer.name
        assert exact(step.loss) == [by_hand(loss_exactly(config.loss, z, exact(config.y)), decimals)]


@pytest.mark.slow
@pytest.mark.parametrize("number", range(0, len(OPTION_SETS)))
def test_the_command_in_the_comment_writes_the_file_again(number):
    options = OPTION_SETS[number]
    text = generated(f"again {number}", options)
    command = next(line for line in text.splitlines() if line.startswith("#   bptrace exercise "))
    args = shlex.split(command[len("#   bptrace "):])
    result = run_cli(*args)
    assert result.exit_code == 0 and result.stdout == text


GOLDEN = {
    "exercise-handout.yaml": ["--seed", "course-2027-01"],
    "exercise-softmax.yaml": ["--seed", "20231234", "--shape", "2-2-3", "--loss", "cross_entropy", "--bias", "neuron"],
    "exercise-deep.yaml": ["--seed", "Ana María", "--shape", "3-3-2-1", "--activations", "tanh,relu,sigmoid",
                           "--loss", "bce", "--bias", "shared", "--decimals", "3"],
    "exercise-leaky.yaml": ["--seed", "x", "--shape", "2-2-2", "--activations", "leaky_relu,identity",
                            "--loss", "half_sse", "--decimals", "1"],
}


@pytest.mark.parametrize("name", sorted(GOLDEN))
def test_the_same_seed_gives_the_same_bytes(name):
    result = run_cli("exercise", *GOLDEN[name])
    assert result.exit_code == 0
    check_golden(name, result.stdout)


def test_the_stream_is_sha256_in_counter_mode_as_documented():
    """The first candidate's inputs, drawn here from the documented method alone."""
    from backprop_cli.course.exercise.draw import SeedStream, draw, stream_key

    canonical = ("bptrace exercise v1\nseed: s1\nshape: 3-2-2\nactivations: relu,sigmoid\nloss: sse\n"
                 "bias: none\ndecimals: 2\n")
    key = hashlib.sha256(canonical.encode("utf-8")).digest()
    words = []
    for block in range(2):
        digest = hashlib.sha256(key + block.to_bytes(8, "big")).digest()
        words += [int.from_bytes(digest[i:i + 8], "big") for i in range(0, 32, 8)]
    limit = 2**64 - 2**64 % 20
    draws = [w % 20 for w in words if w < limit][:3]
    expected = tuple(k - 10 if k < 10 else k - 9 for k in draws)  # ±1 … ±10, never 0
    fields = (("shape", "3-2-2"), ("activations", "relu,sigmoid"), ("loss", "sse"), ("bias", "none"),
              ("decimals", "2"))
    stream = SeedStream(stream_key("s1", fields))
    assert draw(stream, (3, 2, 2), "sigmoid", "none", 2).x == expected


def test_without_a_seed_one_is_chosen_and_written():
    first = run_cli("exercise")
    seed = re.search(r"--seed (\S+)\n", first.stdout).group(1)
    again = run_cli("exercise", "--seed", seed)
    assert first.exit_code == 0 and again.stdout == first.stdout


IMPOSSIBLE = [
    (["--shape", "1-1-1", "--activations", "relu,relu"], "ReLU layer of one neuron"),
    (["--shape", "2-1-2"], "ReLU layer of one neuron"),
    (["--shape", "2-1-1-2", "--activations", "relu,relu,sigmoid"], "ReLU layer of one neuron"),
    (["--shape", "2-2-1", "--activations", "relu,softmax"], "softmax of one output"),
    (["--loss", "cross_entropy", "--bias", "shared"], "shared by a softmax layer"),
    (["--activations", "softmax,sigmoid"], "only allowed in the last layer"),
    (["--loss", "bce", "--activations", "relu,tanh"], "must be sigmoid"),
    (["--loss", "cross_entropy", "--activations", "relu,sigmoid"], "must be softmax"),
]


@pytest.mark.parametrize("args, message", IMPOSSIBLE)
def test_impossible_options_are_refused_before_any_search(args, message, monkeypatch):
    def no_search(*_):
        raise AssertionError("searched")

    monkeypatch.setattr("backprop_cli.course.exercise.make.broken_rules", no_search)
    result = run_cli("exercise", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


@pytest.mark.slow
def test_a_search_that_finds_nothing_names_the_rule_and_stops(monkeypatch):
    from backprop_cli.course.exercise.options import MAX_TRIES
    from backprop_cli.course.exercise.rules import RULES

    calls = []
    monkeypatch.setattr("backprop_cli.course.exercise.make.broken_rules", lambda *_: calls.append(1) or ["saturation"])
    result = run_cli("exercise", "--seed", "1")
    assert result.exit_code == 2 and result.stdout == "" and len(calls) == MAX_TRIES
    assert RULES["saturation"] in result.stderr and f"{MAX_TRIES:,} tries" in result.stderr


@pytest.mark.parametrize("args, message", [
    (["--shape", "2"], "--shape: expected layer widths"),
    (["--shape", "2-7-2"], "widths from 1 to 6"),
    (["--shape", "2-2-2-2-2-2"], "at most 4 layers"),
    (["--activations", "relu,sigmod"], "did you mean 'sigmoid'"),
    (["--activations", "relu"], "expected 2 (one per layer"),
    (["--loss", "sse2"], "--loss: expected one of"),
    (["--decimals", "5"], "--decimals"),
    (["--seed", ""], "--seed: expected a seed"),
    (["--seed", "a\tb"], "control character"),
    (["--variants", "3"], "name it with -o DIR"),
    (["--variants", "3", "--seeds", "list.txt", "-o", "d"], "give one of them"),
    (["--seeds", "list.txt", "--seed", "1", "-o", "d"], "cannot be combined with --seed"),
])
def test_bad_options_are_one_line_errors(args, message):
    result = run_cli("exercise", *args)
    assert result.exit_code == 2 and result.stdout == ""
    assert message in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_output_file_is_the_exercise(tmp_path):
    target = tmp_path / "ex.yaml"
    result = run_cli("exercise", "--seed", "7", "-o", str(target))
    assert result.exit_code == 0 and result.stdout == ""
    assert target.read_text(encoding="utf-8") == run_cli("exercise", "--seed", "7").stdout
    assert f"wrote {target}" in result.stderr and "bptrace run" in result.stderr


@pytest.mark.slow
def test_variants_are_different_valid_exercises_with_an_index(tmp_path):
    folder = tmp_path / "class"
    result = run_cli("exercise", "--variants", "12", "--seed", "course-2027", "-o", str(folder))
    assert result.exit_code == 0, result.stderr
    files = sorted(folder.glob("*.yaml"))
    assert [f.name for f in files] == [f"course-2027-{n:02d}.yaml" for n in range(1, 13)]
    texts = [f.read_text(encoding="utf-8") for f in files]
    assert len({str(written(t)) for t in texts}) == 12
    for path, text in zip(files, texts):
        assert run_cli("validate", str(path)).exit_code == 0
        assert text == run_cli("exercise", "--seed", path.stem).stdout  # each one alone, byte for byte
    index = (folder / "index.md").read_text(encoding="utf-8")
    assert "--variants 12 --seed course-2027" in index
    assert "| exercise | worksheet | solution | id | seed | shape |" in index
    for path in files:
        sheet, solution = f"{path.stem}-worksheet.md", f"{path.stem}-solution.md"
        assert (folder / sheet).is_file() and (folder / solution).is_file()
        ident = yaml.safe_load(path.read_text(encoding="utf-8"))["id"]
        row = (f"| [{path.name}]({path.name}) | [{sheet}]({sheet}) | [{solution}]({solution}) | {ident} | {path.stem} "
               "| 2-2-2 |")
        assert row in index


@pytest.mark.slow
def test_a_class_list_gives_one_exercise_per_seed(tmp_path):
    seeds = tmp_path / "students.txt"
    seeds.write_text("# group A\n20231234\n\nJosé García\n  s-99  \n", encoding="utf-8")
    folder = tmp_path / "out"
    result = run_cli("exercise", "--seeds", str(seeds), "-o", str(folder), "--decimals", "1")
    assert result.exit_code == 0, result.stderr
    names = ["20231234", "José-García", "s-99"]
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        ["index.md"] + [f"{n}{end}" for n in names for end in (".yaml", "-worksheet.md", "-solution.md")])
    text = (folder / "José-García.yaml").read_text(encoding="utf-8")
    assert text == run_cli("exercise", "--seed", "José García", "--decimals", "1").stdout
    assert "| José García | 2-2-2 |" in (folder / "index.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("content, message", [
    ("a\nb\na\n", "list.txt:3: the seed 'a' is also on line 1"),
    ("a b\na-b\n", "list.txt:2: the seed 'a-b' gives the file name a-b.yaml, as line 1 does"),
    ("# nobody\n\n", "expected one seed per line"),
])
def test_a_bad_class_list_writes_nothing(tmp_path, content, message):
    seeds = tmp_path / "list.txt"
    seeds.write_text(content, encoding="utf-8")
    folder = tmp_path / "out"
    result = run_cli("exercise", "--seeds", str(seeds), "-o", str(folder))
    assert result.exit_code == 2 and message in result.stderr
    assert not folder.exists()


def test_variants_into_a_file_is_refused(tmp_path):
    target = tmp_path / "file"
    target.write_text("keep", encoding="utf-8")
    result = run_cli("exercise", "--variants", "2", "-o", str(target))
    assert result.exit_code == 2 and "is a file" in result.stderr
    assert target.read_text(encoding="utf-8") == "keep"


def test_equal_exercises_are_passed_over_in_a_set(monkeypatch):
    """When a derived seed gives an exercise already in the set, the next seed is taken."""
    import backprop_cli.course.exercise.files as files
    from backprop_cli.course.exercise.make import generate
    from backprop_cli.course.exercise.options import ExerciseOptions

    real = generate
    monkeypatch.setattr(files, "generate", lambda options, seed: real(options, "t-01" if seed == "t-02" else seed))
    monkeypatch.setattr(files, "SPARE_SEEDS", 1)
    made = files.derived_variants(ExerciseOptions(), "t", 3)
    assert [v.name for v in made] == ["t-01", "t-03", "t-04"]
    monkeypatch.setattr(files, "generate", lambda options, seed: real(options, "same"))
    with pytest.raises(BptraceError, match="only 1 different exercises among 4 seeds"):
        files.derived_variants(ExerciseOptions(), "t", 3)


# The generator's own rules, on networks written out by hand.

HANDOUT_LIKE = """
x: [1, 1]
y: [0, 1]
alpha: 0.1
layers:
  - activation: relu
    weights: [[0.40, 0.21], [-0.50, -0.14]]
  - activation: sigmoid
    weights: [[-1.40, 0.57], [-0.81, -0.32]]
"""


def rules_broken_by(text: str, decimals: int = 2) -> list[str]:
    from backprop_cli.course.exercise.rules import broken_rules

    return broken_rules(config_from_data(yaml.safe_load(text)), decimals)


def test_the_handout_is_a_good_exercise():
    assert rules_broken_by(HANDOUT_LIKE) == []


@pytest.mark.parametrize("old, new, rule", [
    ("[0.40, 0.21]", "[0.01, 0.02]", "kink"),  # p = 0.03
    ("[-0.50, -0.14]", "[0.50, 0.14]", "inactive"),  # both hidden neurons active
    ("x: [1, 1]", "x: [5, 1]", "saturation"),  # p = −1.40 · 2.21 = −3.09
    ("x: [1, 1]", "x: [0.5, 1]", "gradients"),  # ∂J/∂Θ_11[hid] = −0.002, through an active neuron
    ("[0.40, 0.21]", "[0.195, 0.21]", "ties"),  # p = 0.405: 0.41 by hand, but the last bit decides in floats
])
def test_each_rule_catches_what_it_names(old, new, rule):
    assert rule in rules_broken_by(HANDOUT_LIKE.replace(old, new))
