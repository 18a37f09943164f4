"""Training runs: several samples, mini-batches, epochs, the loss per epoch, JSON Lines, saving.

Gradients are checked against central differences of the combined loss J (the mean or the sum of the
per-sample losses of an update), computed by the reference of tests/reference.py, independently of the
engine. Nothing here measures time: the timeouts only keep a broken build from hanging the suite.
"""

from __future__ import annotations

import io
import json
import os
import re
import select
import subprocess
import sys

import jsonschema
import numpy as np
import pytest
import reference
import yaml
from conftest import CONFIGS, ROOT, default_sigint, run_cli
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from strategies import networks, squared

from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.engine.backprop import Network, trace
from backprop_cli.engine.training import EpochLosses, final_loss
from backprop_cli.model.training import epochs_listed
from backprop_cli.render.progress import with_progress
from backprop_cli.render.training import braille_grid
from backprop_cli.schemas import load_schema

XOR = str(CONFIGS / "xor.yaml")
TIMEOUT = 60

# Random training runs: 2-5 samples, mean or sum, full batch or mini-batches, 1-3 epochs; activations
# without a kink where finite differences could straddle it less often (relu is still drawn).
SMOOTH = ["identity", "relu", "sigmoid", "tanh"]
TRAINING = networks(squared(SMOOTH), hidden=SMOOTH, samples=(2, 5), alphas=(0.01, 0.1, 0.3), training=True,
                    numbers=st.floats(-2, 2, allow_nan=False).map(lambda v: round(v, 3)))


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(TRAINING)
def test_every_update_has_the_gradient_of_its_combined_loss(data):
    """Full batch and mini-batches, mean and sum: each update's ∂J/∂Θ and ∂J/∂b are the finite
    differences of J over that update's samples, at the parameters the update started from."""
    config = config_from_data(data)
    previous = None
    count = 0
    for it in trace(config):
        count += 1
        if not abs(it.loss) < 1e6:  # diverging (α too large for these numbers): nothing precise left to compare
            return
        weights = [s.weights for s in it.layers]
        biases = [s.bias for s in it.layers]
        assume(reference.away_from_kinks(data, weights, biases, it.x))  # no relu p near 0
        grads = reference.parameter_gradients(data, weights, biases, it.x, it.y)
        # A difference quotient of J carries J's rounding error divided by eps: a large J gets a looser
        # absolute bound, still far tighter than any wrong factor in a gradient.
        atol = 1e-6 + 1e-8 * abs(it.loss)
        for step, (gw, gb) in zip(it.layers, grads):
            np.testing.assert_allclose(step.dJ_dweights, gw, rtol=1e-5, atol=atol)
            if gb is not None:
                np.testing.assert_allclose(step.dJ_dbias, gb, rtol=1e-5, atol=atol)
        assert it.loss == pytest.approx(reference.total_loss(data, weights, biases, it.x, it.y), rel=1e-12, abs=1e-12)
        if previous is not None:  # each update starts where the one before ended
            for before, now in zip(previous.layers, it.layers):
                np.testing.assert_array_equal(before.new_weights, now.weights)
        previous = it
    size = data["batch_size"] or len(data["x"])
    assert count == data["epochs"] * -(-len(data["x"]) // size)


def _config(**changes):
    data = {
        "x": [[0.5, -1.0], [1.0, 0.25], [-0.5, 0.75]],
        "y": [[1.0], [0.0], [0.5]],
        "alpha": 0.2,
        "loss": "sse",
        "layers": [
            {"activation": "tanh", "weights": [[0.3, -0.2], [0.1, 0.4]], "bias": [0.05, -0.05]},
            {"activation": "sigmoid", "weights": [[0.6, -0.7]], "bias": 0.1},
        ],
    }
    data.update(changes)
    return data


def test_sum_is_the_number_of_samples_times_the_mean():
    mean = next(trace(config_from_data(_config(batch="mean"))))
    total = next(trace(config_from_data(_config(batch="sum"))))
    assert total.loss == pytest.approx(3 * mean.loss, rel=1e-14)
    np.testing.assert_array_equal(mean.sample_losses, total.sample_losses)
    for m, s in zip(mean.layers, total.layers):
        np.testing.assert_allclose(s.dJ_dweights, 3 * m.dJ_dweights, rtol=1e-14)
        np.testing.assert_allclose(s.dJ_dbias, 3 * np.asarray(m.dJ_dbias), rtol=1e-14)


def test_mean_is_the_default():
    assert config_from_data(_config()).batch == "mean"
    a, b = next(trace(config_from_data(_config()))), next(trace(config_from_data(_config(batch="mean"))))
    np.testing.assert_array_equal(a.layers[0].dJ_dweights, b.layers[0].dJ_dweights)


def test_online_updates_take_the_samples_one_by_one_in_order():
    """batch_size 1 over 3 samples for 2 epochs is six single-sample steps, each from where the last ended."""
    iterations = list(trace(config_from_data(_config(batch_size=1, epochs=2))))
    assert [it.sample_indices.tolist() for it in iterations] == [[0], [1], [2]] * 2
    assert [it.epoch for it in iterations] == [1, 1, 1, 2, 2, 2]
    data = _config()
    layers = data["layers"]
    for it in iterations:
        s = int(it.sample_indices[0])
        single = config_from_data({**data, "x": data["x"][s], "y": data["y"][s], "layers": layers})
        alone = next(trace(single))
        for a, b in zip(alone.layers, it.layers):
            np.testing.assert_array_equal(a.weights, b.weights)
            np.testing.assert_array_equal(a.new_weights, b.new_weights)
        layers = [{**layer, "weights": step.new_weights.tolist(),
                   "bias": step.new_bias.tolist() if isinstance(step.new_bias, np.ndarray) else step.new_bias}
                  for layer, step in zip(layers, alone.layers)]


def test_mini_batches_split_each_epoch_in_order_with_a_short_last_one():
    data = _config(x=[[0.1 * i, -0.1 * i] for i in range(5)], y=[[0.1 * i] for i in range(5)], batch_size=2, epochs=2)
    iterations = list(trace(config_from_data(data)))
    assert [it.sample_indices.tolist() for it in iterations] == [[0, 1], [2, 3], [4]] * 2
    assert [it.number for it in iterations] == [1, 2, 3, 4, 5, 6]


def test_epoch_loss_combines_the_per_sample_losses_of_the_epoch():
    config = config_from_data(_config(batch_size=1, epochs=2, batch="mean"))
    iterations = list(trace(config))
    losses = EpochLosses("mean", 3)
    for it in iterations:
        losses.add(it)
    expected = [np.mean([it.sample_losses[0] for it in iterations[e * 3:(e + 1) * 3]]) for e in range(2)]
    assert list(losses.values) == pytest.approx(expected, rel=1e-15)
    full = EpochLosses("sum", 1)
    for it in trace(config_from_data(_config(batch="sum", epochs=2))):
        full.add(it)
        assert full.values[-1] == it.loss


@pytest.mark.slow
def test_xor_learns():
    config = load_config(XOR)
    assert config.x.shape == (4, 2) and config.y.tolist() == [[0], [1], [1], [0]]
    network = Network(config, None)
    for _ in trace(config, network=network):
        pass
    assert final_loss(network) < 0.01


# ------------------------------------------------------------------------------------------------
# The command line: tables, JSON, JSON Lines


@pytest.mark.slow
def test_table_shows_one_update_per_sample_then_loss_curve_and_weights():
    result = run_cli("run", XOR, "--epochs", "50")
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    assert "Trace of update 1 of 50 — epoch 1, samples 1–4" in out
    for s in range(1, 5):
        assert f"sample {s}" in out
    assert "mean of the per-sample gradients" in out
    assert "Loss per epoch" in out and "Loss curve" in out and "Weights after 50 updates" in out
    assert any("\u2800" < ch <= "\u28ff" for ch in out), "no braille curve"
    assert "J after training = " in out
    assert max(len(line) for line in out.splitlines()) <= 100
    assert result.stderr == ""  # not a terminal: no progress bar


@pytest.mark.slow
def test_sum_batches_say_so_in_the_table(tmp_path):
    text = (CONFIGS / "xor.yaml").read_text(encoding="utf-8").replace("batch: mean", "batch: sum")
    path = tmp_path / "xor-sum.yaml"
    path.write_text(text, encoding="utf-8")
    result = run_cli("run", str(path), "--epochs", "3")
    assert result.exit_code == 0 and "sum of the per-sample gradients" in result.stdout


@pytest.mark.slow
def test_show_traces_the_chosen_update():
    result = run_cli("run", XOR, "--epochs", "10", "--show", "7")
    assert result.exit_code == 0
    assert "Trace of update 7 of 10 — epoch 7" in result.stdout
    json_lines = run_cli("run", XOR, "--epochs", "10", "--format", "jsonl").stdout.splitlines()
    seventh = json.loads(json_lines[6])
    assert f"{seventh['loss']:.4f}" in result.stdout


@pytest.mark.slow
def test_long_runs_list_the_loss_at_round_epochs():
    assert epochs_listed(10) == (list(range(1, 11)), 1)
    listed, step = epochs_listed(2000)
    assert step == 200 and listed == [1, 2, 3, *range(200, 2001, 200)]
    listed, step = epochs_listed(12345)
    assert listed[:3] == [1, 2, 3] and listed[-1] == 12345 and len(listed) <= 16
    result = run_cli("run", XOR, "--epochs", "3000")
    table = result.stdout.split("Loss per epoch")[1].split("Loss curve")[0]
    assert "every 500 epochs" in table and "3,000" in table
    assert len(table.splitlines()) < 25


def epoch_column(stdout: str) -> list[str]:
    """The first column of the loss-per-epoch table, top to bottom."""
    table = stdout.split("Loss per epoch")[1].split("Loss curve")[0]
    return [line.split("│")[1].strip() for line in table.splitlines() if line.startswith("│")]


@pytest.mark.slow
@pytest.mark.parametrize("epochs, head", [
    (17, ["1", "2", "3", "4", "…", "6", "8"]),
    (20, ["1", "2", "3", "4", "…", "6", "8"]),
    (3000, ["1", "2", "3", "…", "500", "1,000"]),
])
def test_the_gap_marker_stands_where_the_loss_table_first_skips_an_epoch(epochs, head):
    column = epoch_column(run_cli("run", XOR, "--epochs", str(epochs)).stdout)
    assert column[:len(head)] == head
    assert column.count("…") == 1 and column[-1] == f"{epochs:,}"


@pytest.mark.slow
def test_trained_weights_cut_to_rows_put_the_count_in_a_caption():
    result = run_cli("run", XOR, "--epochs", "2", "--rows", "2")
    weights = result.stdout.split("Weights after 2 updates")[1]
    lines = weights.splitlines()
    note = next(line for line in lines if "more row" in line)
    assert note.rstrip() == "1 more row (--rows 0 shows all)"  # a caption under the table, not a cell
    gap = lines[lines.index(note) - 2]  # the row above the table's bottom edge
    assert gap.replace(" ", "") == "│…│…│…│…│"


def test_curve_is_connected_and_runs_from_top_left_to_bottom_right():
    values = np.concatenate([np.full(300, 1.0), np.linspace(1.0, 0.0, 50), np.zeros(650)])
    rows = braille_grid(values, cells=40, rows=5)
    assert len(rows) == 5 and all(len(r) == 40 for r in rows)
    dots = np.array([[ord(ch) - 0x2800 for ch in r] for r in rows])
    assert all(dots[:, c].any() for c in range(40)), "a column without a dot: the line is broken"
    assert dots[0, 0] & 0x01 and not dots[-1, 0]  # starts at the top
    assert dots[-1, -1] & 0x80 and not dots[0, -1]  # ends at the bottom
    flat = braille_grid(np.full(10, 0.25), cells=10, rows=3)
    assert len(set(flat)) == 2 and all(ch != "\u2800" for ch in flat[1])  # one flat line in the middle


@pytest.mark.slow
def test_json_holds_every_update_and_echoes_the_epochs():
    result = run_cli("run", XOR, "--epochs", "5", "--format", "json")
    document = json.loads(result.stdout)
    jsonschema.validate(document, load_schema("trace"))
    assert document["config"]["epochs"] == 5
    assert [it["iteration"] for it in document["iterations"]] == [1, 2, 3, 4, 5]
    first = document["iterations"][0]
    assert [s["index"] for s in first["samples"]] == [0, 1, 2, 3]
    assert first["loss"] == pytest.approx(np.mean([s["loss"] for s in first["samples"]]), rel=1e-15)


@pytest.mark.slow
def test_jsonl_is_one_iteration_per_line(write_config):
    path = write_config(yaml.safe_dump(_config(batch_size=2, epochs=2)))
    result = run_cli("run", path, "--format", "jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == 4
    schema = load_schema("trace")
    iteration_schema = {**schema["$defs"]["iteration"], "$defs": schema["$defs"]}
    for number, line in enumerate(lines, start=1):
        item = json.loads(line)
        jsonschema.validate(item, iteration_schema)
        assert item["iteration"] == number
    assert [len(json.loads(line)["samples"]) for line in lines] == [2, 1, 2, 1]


@pytest.mark.slow
def test_jsonl_streams_the_first_line_before_the_run_ends():
    """A run of a million epochs takes minutes; its first line must arrive while it is still running."""
    env = {**os.environ, "BPTRACE_DEBUG": ""}
    process = subprocess.Popen([sys.executable, "-m", "backprop_cli", "run", XOR, "--epochs", "1000000",
                                "--format", "jsonl"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.DEVNULL)
    try:
        ready, _, _ = select.select([process.stdout], [], [], TIMEOUT)
        assert ready, "no output while the run goes on"
        first = json.loads(process.stdout.readline())
        assert first["iteration"] == 1 and first["epoch"] == 1
        assert process.poll() is None, "the run had already ended"
    finally:
        process.kill()
        process.wait()
        process.stdout.close()


# ------------------------------------------------------------------------------------------------
# Saving the trained network


def _last_parameters(stdout: str):
    last = json.loads(stdout)["iterations"][-1]
    return [(layer["new_weights"], layer["new_bias"]) for layer in last["layers"]]


@pytest.mark.slow
@pytest.mark.parametrize("config, extra", [
    ("xor.yaml", ()),  # full batch, a bias per neuron
    ("mazur.yaml", ("--hand-rounding", "3")),  # shared biases kept fixed, rounded by hand
    ("handout.yaml", ("--exact",)),  # a config with hand rounding, run exactly
    ("online", ()),  # mini-batches with a shared bias
])
def test_thirty_epochs_saved_then_twenty_more_equal_fifty(tmp_path, write_config, config, extra):
    source = write_config(yaml.safe_dump(_config(batch_size=2))) if config == "online" else str(CONFIGS / config)
    saved = str(tmp_path / "trained.yaml")
    first = run_cli("run", source, "--epochs", "30", "--save-updated", saved, "--format", "jsonl", *extra)
    assert first.exit_code == 0, first.stderr
    assert f"wrote {saved}" in first.stderr
    more = run_cli("run", saved, "--epochs", "20", "--format", "json")
    assert more.exit_code == 0, more.stderr
    once = run_cli("run", source, "--epochs", "50", "--format", "json", *extra)
    assert _last_parameters(more.stdout) == _last_parameters(once.stdout)  # exactly, not approximately


@pytest.mark.slow
def test_saved_file_is_a_valid_config_with_the_same_keys(tmp_path):
    saved = tmp_path / "trained.yaml"
    result = run_cli("run", str(CONFIGS / "mazur.yaml"), "--epochs", "3", "--save-updated", str(saved))
    assert result.exit_code == 0, result.stderr
    data = yaml.safe_load(saved.read_text(encoding="utf-8"))
    jsonschema.validate(data, load_schema("config"))
    original = yaml.safe_load((CONFIGS / "mazur.yaml").read_text(encoding="utf-8"))
    assert data["x"] == original["x"] and data["y"] == original["y"]
    assert data["update_bias"] is False and data["loss"] == "half_sse" and data["epochs"] == 1
    assert [layer["bias"] for layer in data["layers"]] == [0.35, 0.60]  # shared, fixed: still one number
    assert data["layers"][0]["weights"] != original["layers"][0]["weights"]
    assert run_cli("validate", str(saved)).exit_code == 0
    assert run_cli("run", str(saved)).exit_code == 0


@pytest.mark.slow
def test_saved_file_records_the_rounding_the_run_used(tmp_path):
    by_hand, exact = tmp_path / "by-hand.yaml", tmp_path / "exact.yaml"
    handout = str(CONFIGS / "handout.yaml")  # display.hand_rounding: 2
    assert run_cli("run", handout, "--save-updated", str(by_hand)).exit_code == 0
    assert run_cli("run", handout, "--exact", "--save-updated", str(exact)).exit_code == 0
    assert yaml.safe_load(by_hand.read_text())["display"] == {"hand_rounding": 2}
    assert "display" not in yaml.safe_load(exact.read_text())
    # Weights are written in full: −1.40 − 0.1 · 0.077, not rounded to two decimals.
    assert yaml.safe_load(by_hand.read_text())["layers"][1]["weights"][0][0] == pytest.approx(-1.4077, abs=1e-12)


def _folder_state(folder):
    return {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in folder.iterdir()}


@pytest.mark.slow
def test_save_refuses_the_config_and_existing_files(tmp_path):
    config = tmp_path / "net.yaml"
    config.write_text((CONFIGS / "xor.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text("keep me\n", encoding="utf-8")
    before = _folder_state(tmp_path)
    for target, extra, message in [
        (config, ("--force",), "that is the config being run"),
        (other, (), "the file exists; use --force"),
        (tmp_path / "missing" / "t.yaml", (), "does not exist"),
        (tmp_path, (), "is a directory"),
    ]:
        result = run_cli("run", str(config), "--epochs", "2", "--save-updated", str(target), *extra)
        assert result.exit_code == 2, (target, result.stderr)
        assert message in result.stderr and result.stdout == ""
        assert _folder_state(tmp_path) == before  # nothing changed, no temporary file left
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)  # like /dev/null: a rename would put a regular file in its place
    result = run_cli("run", str(config), "--epochs", "2", "--save-updated", str(fifo), "--force")
    assert result.exit_code == 2 and "not a regular file" in result.stderr
    assert not fifo.is_file()
    fifo.unlink()
    result = run_cli("run", str(config), "--epochs", "2", "--save-updated", "-")
    assert result.exit_code == 2 and "needs a file name" in result.stderr
    result = run_cli("run", str(config), "--epochs", "2", "--save-updated", str(other), "--force")
    assert result.exit_code == 0
    assert yaml.safe_load(other.read_text(encoding="utf-8"))["title"] == yaml.safe_load(config.read_text())["title"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["net.yaml", "other.yaml"]


@pytest.mark.filterwarnings("error::RuntimeWarning")  # an overflow warning would fail the run: none may show
def test_a_diverging_run_fails_clearly_and_saves_nothing(tmp_path, write_config):
    path = write_config("x: [1000]\ny: [0]\nalpha: 1000\nlayers:\n  - activation: identity\n    weights: [[1]]\n")
    saved = tmp_path / "t.yaml"
    result = run_cli("run", path, "--epochs", "200", "--save-updated", str(saved))
    assert result.exit_code == 2
    assert "diverged" in result.stderr and "smaller alpha" in result.stderr
    assert not saved.exists()


# ------------------------------------------------------------------------------------------------
# Bad input for the new keys and options

ROWS = "x: [[0, 0], [0, 1], [1, 0], [1, 1]]\ny: [[0], [1], [1], [0]]\n"
NET = "alpha: 0.5\nlayers:\n  - activation: sigmoid\n    weights: [[0.1, 0.2]]\n"


@pytest.mark.parametrize("text, pattern", [
    ("x: [[0, 0], [0]]\ny: [[0], [1]]\n" + NET, ":1:.*x\\[1\\]: expected 2 columns .*got 1"),
    ("x: [[0, 0], [0, 1], [1, 0]]\ny: [[0], [1]]\n" + NET, "y: expected 3 rows \\(one per sample of x\\), got 2"),
    ("x: [[0, 0], [1, 1]]\ny: [0, 1]\n" + NET, "y: expected the same form as x"),
    (ROWS + "batch_size: 0\n" + NET, "batch_size: expected a whole number from 1 to 4, got 0"),
    (ROWS + "batch_size: 5\n" + NET, "batch_size: expected a whole number from 1 to 4, got 5"),
    (ROWS + "batch_size: 1.5\n" + NET, "batch_size: expected a whole number, got the number 1.5"),
    (ROWS + "epochs: 0\n" + NET, "epochs: expected a whole number ≥ 1, got 0"),
    (ROWS + "epochs: -3\n" + NET, "epochs: expected a whole number ≥ 1, got -3"),
    (ROWS + "batch: median\n" + NET, "batch: expected one of mean, sum"),
])
def test_bad_training_keys_exit_2_with_a_clear_message(write_config, text, pattern):
    result = run_cli("run", write_config(text))
    assert result.exit_code == 2
    assert result.stdout == ""
    lines = result.stderr.strip().splitlines()
    assert lines[0].startswith("bptrace: error: ") and "config.yaml:" in lines[0]
    assert re.search(pattern, lines[0]), lines[0]
    assert "Traceback" not in result.stderr


@pytest.mark.parametrize("args, message", [
    (("--epochs", "0"), "0 is not in the range"),
    (("--epochs", "-2"), "-2 is not in the range"),
    (("--show", "0"), "0 is not in the range"),
    (("--epochs", "3", "--show", "4"), "--show 4: the run has only 3 updates"),
    (("--show", "2", "--format", "json"), "--show picks the update the tables trace"),
])
def test_bad_training_options_exit_2(args, message):
    result = run_cli("run", XOR, *args)
    assert result.exit_code == 2 and message in result.stderr and result.stdout == ""


# ------------------------------------------------------------------------------------------------
# The progress bar


def _ticking(step: float):
    now = [0.0]

    def clock() -> float:
        now[0] += step
        return now[0]

    return clock


def _terminal_console(buffer):
    from rich.console import Console

    return lambda: Console(file=buffer, force_terminal=True, width=80)


def test_progress_bar_only_for_runs_longer_than_a_moment():
    iterations = list(trace(config_from_data(_config(epochs=40))))
    quick, slow = io.StringIO(), io.StringIO()
    # 40 updates of 1 ms each: done before the bar is due.
    assert list(with_progress(iterations, 40, 40, console_factory=_terminal_console(quick),
                              clock=_ticking(0.001))) == iterations
    assert quick.getvalue() == ""
    # 40 updates of 0.1 s each: the bar appears after half a second and is cleared at the end.
    assert list(with_progress(iterations, 40, 40, console_factory=_terminal_console(slow),
                              clock=_ticking(0.1))) == iterations
    assert "training" in slow.getvalue() and "update" in slow.getvalue()


def test_no_progress_bar_when_disabled():
    def refuse():
        raise AssertionError("a console was made")

    iterations = list(trace(config_from_data(_config(epochs=5))))
    shown = list(with_progress(iterations, 5, 5, enabled=False, console_factory=refuse, clock=_ticking(10.0)))
    assert shown == iterations


@pytest.mark.slow
def test_progress_bar_on_a_terminal_stderr_only():
    """With stderr a pseudo-terminal a long run draws a bar there; stdout (a pipe) gets only the result.

    The bar's delay and refresh interval are set to 0 in the child, so 300 epochs show it without a long run."""
    import pty

    leader, follower = pty.openpty()
    env = {**os.environ, "BPTRACE_DEBUG": "", "TERM": "xterm", "COLUMNS": "100"}
    script = ("import sys; from backprop_cli.render import progress; progress.REFRESH = 0; "
              "progress.with_progress.__kwdefaults__['delay'] = 0; from backprop_cli.cli.main import main; "
              f"sys.argv = ['bptrace', 'run', {XOR!r}, '--epochs', '300']; main()")
    process = subprocess.Popen([sys.executable, "-c", script], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=follower, stdin=subprocess.DEVNULL, preexec_fn=default_sigint)
    os.close(follower)
    received = b""
    try:
        while True:
            ready, _, _ = select.select([leader], [], [], TIMEOUT)
            if not ready:
                break
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the terminal closed with the process
                break
            if not chunk:
                break
            received += chunk
        out, _ = process.communicate(timeout=TIMEOUT)
    finally:
        process.kill()
        os.close(leader)
    assert process.returncode == 0
    assert b"training" in received and b"update" in received
    assert b"/300" in received  # "update 123/300"
    assert b"Loss per epoch" in out and b"/300" not in out


def test_a_shared_bias_trained_with_adam_is_saved_and_trains_on_as_one_longer_run(tmp_path, write_config):
    """A shared bias is one number, numpy's after an update: the saved file must hold it (and its optimizer
    state) as a plain number, and running the file continues the very same computation."""
    source = write_config("x: [[0, 1], [1, 1]]\ny: [[1], [0]]\nalpha: 0.1\noptimizer: {name: adam}\nlayers:\n"
                          "  - {activation: tanh, weights: [[0.5, -0.4], [0.3, 0.8]], bias: [0.1, -0.1]}\n"
                          "  - {activation: sigmoid, weights: [[0.7, -0.6]], bias: 0.05}\n")
    saved = tmp_path / "saved.yaml"
    first = run_cli("run", source, "--epochs", "3", "--save-updated", str(saved), "-f", "json", "-o", os.devnull)
    assert first.exit_code == 0, first.stderr
    on = json.loads(run_cli("run", str(saved), "--epochs", "1", "-f", "json").stdout)
    whole = json.loads(run_cli("run", source, "--epochs", "4", "-f", "json").stdout)
    assert on["iterations"][0]["layers"] == whole["iterations"][3]["layers"]
