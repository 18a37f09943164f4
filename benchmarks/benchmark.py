"""Whole-process timings of bptrace beside plain Python doing the same work (not part of the test suite).

    python benchmarks/benchmark.py                 # every case, 15 timed runs of each command
    python benchmarks/benchmark.py --runs 31 --only big-json

Each case names two commands: A (bptrace) and B (the yardstick: the imports bptrace cannot avoid, or a
plain numpy script doing the same math). Both run with this interpreter, bptrace as
``python -m backprop_cli`` from the repository root. A and B are started in turn, A B A B ..., after
one untimed run of each (the first run of A also checks A's output), and the script prints the median
wall time of each, the median of the per-pair ratios A/B, and PASS or MISS against the case's goal.
Alternating keeps a drift in the machine's speed from favouring one side; medians keep one slow run
from moving a figure. A case without B is timed alone and only checked (and held against a time limit
if it has one). A case with ``per`` has a goal in seconds per unit of work rather than a ratio: A does
``per`` units more than B (generated exercises, say), and (median A − median B) / per is one unit's time.

Adding a case is one ``Case(...)`` entry in ``CASES``; its commands and its check receive the
``Workspace``, which writes generated files (configs, reference scripts) to a temporary folder.
What each case measures, its goal and the latest figures: benchmarks/README.md.
The exit status is 1 if an output check failed or a goal was missed, else 0.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import textwrap
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent  # the repository: bptrace runs from here, with configs/
TESTS = ROOT / "tests"  # the hand calculations of the class-check case (tests/hand.py)
PYTHON = sys.executable
BPTRACE = [PYTHON, "-m", "backprop_cli"]
COLUMNS = 100  # the width rich lays tables out to when stdout is not a terminal (set through COLUMNS)
TIMEOUT = 600  # seconds for one run of one command


# --------------------------------------------------------------------------------------------------
# Running and timing one command


@dataclass(frozen=True)
class Run:
    """One finished process: wall seconds, user + system seconds, peak resident memory in MiB."""

    wall: float
    cpu: float
    peak_mib: float
    exit_code: int


# GNU time reports the peak memory of its own child. The child's ru_maxrss from wait4 cannot be used
# for that: on Linux exec() carries over the high-water mark of the process that started it, so every
# child would show at least this script's own peak (which grows with the outputs it has checked).
GNU_TIME = "/usr/bin/time" if sys.platform.startswith("linux") and os.access("/usr/bin/time", os.X_OK) else None


def timed_run(command: list[str], env: dict[str, str]) -> Run:
    """Start ``command``, wait for it and take the operating system's accounting of that one child.

    Standard output goes to /dev/null, so the cost of a reader is the same for every command.
    """
    with tempfile.TemporaryFile() as errors, tempfile.NamedTemporaryFile(mode="r") as peak_report:
        measured = [GNU_TIME, "-f", "%M", "-o", peak_report.name, *command] if GNU_TIME else command
        start = time.perf_counter()
        process = subprocess.Popen(measured, cwd=ROOT, env=env, stdin=subprocess.DEVNULL,
                                   stdout=subprocess.DEVNULL, stderr=errors)
        watchdog = threading.Timer(TIMEOUT, process.kill)
        watchdog.start()
        _, status, usage = os.wait4(process.pid, 0)
        wall = time.perf_counter() - start
        watchdog.cancel()
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace").strip().splitlines()[-1:] or ["(no message)"]
            raise RuntimeError(f"{' '.join(command)} exited with {process.returncode}: {message[0]}")
        reported = peak_report.read().split() if GNU_TIME else []
    # ru_maxrss is in KiB on Linux (bytes on macOS); GNU time's %M is in KiB.
    peak = usage.ru_maxrss / (1024 * 1024 if sys.platform == "darwin" else 1024)
    if reported and reported[-1].isdigit():
        peak = int(reported[-1]) / 1024
    return Run(wall, usage.ru_utime + usage.ru_stime, peak, process.returncode)


def captured_run(command: list[str], env: dict[str, str]) -> tuple[str, float]:
    """Run ``command`` once and return its standard output and its wall time."""
    start = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                          text=True, encoding="utf-8", timeout=TIMEOUT)
    wall = time.perf_counter() - start
    if done.returncode != 0:
        raise RuntimeError(f"{' '.join(command)} exited with {done.returncode}: {done.stderr.strip()[-500:]}")
    return done.stdout, wall


# --------------------------------------------------------------------------------------------------
# Generated files


def big_network_yaml(sizes: tuple[int, ...] = (784, 128, 10), seed: int = 20240607) -> str:
    """A dense network (ReLU hidden layers, sigmoid output, sse) with seeded random weights and biases,
    written with a few decimals, as a person would save one: about 0.9 MB for 784-128-10."""
    rng = np.random.default_rng(seed)

    def numbers(values: np.ndarray, decimals: int) -> str:
        # + 0.0 turns a rounded −0.0 into 0.0
        return "[" + ", ".join(f"{round(v, decimals) + 0.0:.{decimals}f}" for v in values.tolist()) + "]"

    y = np.zeros(sizes[-1])
    y[3] = 1.0
    lines = [
        f"title: {'-'.join(map(str, sizes))} network with seeded random weights",
        f"x: {numbers(rng.random(sizes[0]), 3)}",
        f"y: {numbers(y, 0)}",
        "alpha: 0.1",
        "loss: sse",
        "layers:",
    ]
    for i, (inputs, width) in enumerate(zip(sizes, sizes[1:])):
        last = i == len(sizes) - 2
        lines.append(f"  - name: {'out' if last else f'hid{i + 1}'}")
        lines.append(f"    activation: {'sigmoid' if last else 'relu'}")
        lines.append("    weights:")
        scale = 1.0 / math.sqrt(inputs)
        lines.extend(f"      - {numbers(row, 4)}" for row in rng.normal(0.0, scale, (width, inputs)))
        lines.append(f"    bias: {numbers(rng.normal(0.0, 0.1, width), 4)}")
    return "\n".join(lines) + "\n"


# A plain numpy script doing the math of one bptrace step without hand rounding: load the YAML with
# PyYAML's C loader, forward pass, backward pass, update, loss after the update, and the same trace-v1
# fields as `bptrace run --format json`, dumped the same way. It knows only the activations, the loss
# and the bias form of the generated network.
ONE_STEP_SCRIPT = textwrap.dedent('''
    """One backpropagation step of a dense network with numpy alone, printed as a trace-v1 document."""
    import json
    import sys

    import numpy as np
    import yaml


    def sigmoid(p):
        return 1.0 / (1.0 + np.exp(-p))


    FORWARD = {"relu": lambda p: np.maximum(p, 0.0), "sigmoid": sigmoid}
    DERIVATIVE = {"relu": lambda p: (p > 0).astype(float), "sigmoid": lambda p: sigmoid(p) * (1.0 - sigmoid(p))}


    def forward(x, weights, biases, activations):
        ps, zs, z = [], [], x
        for w, b, g in zip(weights, biases, activations):
            p = w @ z + b
            z = FORWARD[g](p)
            ps.append(p)
            zs.append(z)
        return ps, zs


    def main(path):
        with open(path, encoding="utf-8") as handle:
            config = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
        x = np.array(config["x"], dtype=float)
        y = np.array(config["y"], dtype=float)
        alpha = float(config["alpha"])
        names = [layer["name"] for layer in config["layers"]]
        activations = [layer["activation"] for layer in config["layers"]]
        weights = [np.array(layer["weights"], dtype=float) for layer in config["layers"]]
        biases = [np.array(layer["bias"], dtype=float) for layer in config["layers"]]

        ps, zs = forward(x, weights, biases, activations)
        loss = float(np.sum((zs[-1] - y) ** 2))
        dJ_dz = 2.0 * (zs[-1] - y)
        count = len(weights)
        dJ_dzs, dJ_dps, dg_dps, grads, new_weights, new_biases = ([None] * count for _ in range(6))
        for i in reversed(range(count)):
            dJ_dzs[i] = dJ_dz
            dg_dps[i] = DERIVATIVE[activations[i]](ps[i])
            dJ_dps[i] = dJ_dp = dJ_dz * dg_dps[i]
            grads[i] = np.outer(dJ_dp, x if i == 0 else zs[i - 1])
            new_weights[i] = weights[i] - alpha * grads[i]
            new_biases[i] = biases[i] - alpha * dJ_dp
            dJ_dz = dJ_dp @ weights[i]
        _, zs_after = forward(x, new_weights, new_biases, activations)
        loss_after = float(np.sum((zs_after[-1] - y) ** 2))

        echo = {"title": config["title"], "x": x.tolist(), "y": y.tolist(), "alpha": alpha, "loss": "sse",
                "layers": [{"name": n, "activation": g, "weights": w.tolist(), "bias": b.tolist()}
                           for n, g, w, b in zip(names, activations, weights, biases)],
                "update_bias": True, "batch": "mean", "batch_size": None, "epochs": 1}
        passes = [{"name": names[i], "p": ps[i].tolist(), "z": zs[i].tolist(), "dJ_dz": dJ_dzs[i].tolist(),
                   "dJ_dp": dJ_dps[i].tolist(), "dg_dp": dg_dps[i].tolist()} for i in range(count)]
        steps = [{"name": names[i], "activation": activations[i], "weights": weights[i].tolist(),
                  "dJ_dweights": grads[i].tolist(),
                  "new_weights": new_weights[i].tolist(), "bias": biases[i].tolist(),
                  "dJ_dbias": dJ_dps[i].tolist(), "new_bias": new_biases[i].tolist()} for i in range(count)]
        sample = {"index": 0, "x": x.tolist(), "y": y.tolist(), "loss": loss, "layers": passes}
        iteration = {"iteration": 1, "epoch": 1, "loss": loss, "loss_after": loss_after,
                     "samples": [sample], "layers": steps}
        document = {"schema": "bptrace/trace-v1", "version": "reference", "config": echo,
                    "rounding": {"precision": 4, "hand_rounding": None}, "iterations": [iteration]}
        sys.stdout.write(json.dumps(document, allow_nan=False, ensure_ascii=False))
        sys.stdout.write("\\n")


    main(sys.argv[1])
''').lstrip()


class Workspace:
    """A temporary folder for generated files, each written once, when a case first asks for it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        # Bytecode is cached, as it is for an installed package, but in this folder, whatever
        # PYTHONDONTWRITEBYTECODE says: without a cache every run of bptrace (an editable install)
        # would compile its sources while the yardstick's libraries load their cached bytecode.
        self.env = {**os.environ, "COLUMNS": str(COLUMNS), "PYTHONPYCACHEPREFIX": str(folder / "pycache")}
        for name in ("PYTHONDONTWRITEBYTECODE", "BPTRACE_DEBUG"):
            self.env.pop(name, None)
        self._written: dict[str, str] = {}

    def file(self, name: str, make: Callable[[], str]) -> str:
        """The path of ``name`` in the folder, written from ``make()`` the first time it is asked for."""
        if name not in self._written:
            path = self.folder / name
            path.write_text(make(), encoding="utf-8")
            self._written[name] = str(path)
        return self._written[name]

    def big_network(self) -> str:
        return self.file("network-784-128-10.yaml", big_network_yaml)

    def one_step_script(self) -> str:
        return self.file("one_step.py", lambda: ONE_STEP_SCRIPT)


# --------------------------------------------------------------------------------------------------
# Output checks: each returns None when the output is right, else what is wrong


def _same(a, b, where: str = "$") -> str | None:
    """None if two JSON values agree (numbers to 1e-9 relative), else where they first differ."""
    if isinstance(a, dict) and isinstance(b, dict):
        if a.keys() != b.keys():
            return f"{where}: keys {sorted(a.keys() ^ b.keys())} on one side only"
        return next((d for k in a if (d := _same(a[k], b[k], f"{where}.{k}"))), None)
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return f"{where}: {len(a)} items against {len(b)}"
        return next((d for i, (u, v) in enumerate(zip(a, b)) if (d := _same(u, v, f"{where}[{i}]"))), None)
    numbers = (int, float)
    if isinstance(a, numbers) and isinstance(b, numbers) and not isinstance(a, bool) and not isinstance(b, bool):
        return None if math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12) else f"{where}: {a!r} against {b!r}"
    return None if a == b else f"{where}: {a!r} against {b!r}"


def check_trace(a: str, b: str | None) -> str | None:
    document = json.loads(a)
    return None if document.get("schema") == "bptrace/trace-v1" else "not a trace-v1 document"


def check_handout_table(a: str, b: str | None) -> str | None:
    wanted = ("Forward pass", "Step 5) Update", "−1.4077")
    missing = [w for w in wanted if w not in a]
    return f"missing {missing}" if missing else None


def check_same_trace(a: str, b: str | None) -> str | None:
    """bptrace's trace and the reference script's agree on every field but the version."""
    ours, reference = json.loads(a), json.loads(b)
    ours.pop("version", None)
    reference.pop("version", None)
    return _same(ours, reference)


def check_readable_table(a: str, b: str | None) -> str | None:
    """A big network's tables are cut to a readable number of rows and their sums shortened."""
    lines = a.splitlines()
    widest = max(map(len, lines), default=0)
    problems = []
    if "more rows (--rows 0 shows all)" not in a:
        problems.append("no note on rows left out")
    if " more … " not in a:
        problems.append("no shortened sum")
    if widest > COLUMNS:
        problems.append(f"a line of {widest} characters (width {COLUMNS})")
    if len(lines) > 400:
        problems.append(f"{len(lines)} lines")
    return "; ".join(problems) or None


def check_readable_figure(a: str, b: str | None) -> str | None:
    """A big network's figure is a small, valid SVG: a few neurons of each layer around a gap marker."""
    import xml.etree.ElementTree as ET

    try:
        root = ET.fromstring(a.encode("utf-8"))
    except ET.ParseError as error:
        return f"not valid XML: {error}"
    problems = []
    width, height = float(root.get("width", "0")), float(root.get("height", "0"))
    if max(width, height) > 1600:
        problems.append(f"{width:.0f} × {height:.0f} pixels")
    if len(a) > 100_000:
        problems.append(f"{len(a):,} characters")
    texts = {"".join(t.itertext()) for t in root.iter("{http://www.w3.org/2000/svg}text")}
    missing = {"x784", "n128[hid1]", "n10[out]", "⋮"} - texts
    if missing:
        problems.append(f"no {sorted(missing)}")
    return "; ".join(problems) or None


def containing(*wanted: str) -> Callable[[str, str | None], str | None]:
    """A check that A's output holds each of ``wanted``."""
    def check(a: str, b: str | None) -> str | None:
        missing = [w for w in wanted if w not in a]
        return f"missing {missing}" if missing else None

    return check


def check_readable_html(a: str, b: str | None) -> str | None:
    """A big network's HTML page: every table cut to --rows with a note, small enough to open on a phone."""
    problems = []
    if a.count("more rows (--rows 0 shows all)") < 5:
        problems.append("tables not cut to --rows")
    if len(a) > 1_000_000:
        problems.append(f"{len(a):,} characters")
    for wanted in ("<!DOCTYPE html>", "<math", "<svg", "[hid1]</tspan>", "⋮", "</html>"):
        if wanted not in a:
            problems.append(f"no {wanted}")
    if "<script" in a:
        problems.append("a script")
    return "; ".join(problems) or None


# --------------------------------------------------------------------------------------------------
# The cases


Command = Callable[[Workspace], list[str]]


@dataclass(frozen=True)
class Case:
    """Two commands timed in turn (or one alone when ``b`` is None), a goal for the ratio A/B, and a
    check of their output, made once before the timing."""

    name: str
    a: Command
    b: Command | None = None
    goal: float | None = None  # the largest ratio of medians A/B that passes
    check: Callable[[str, str | None], str | None] | None = None  # (A's output, B's output) -> problem
    runs: int | None = None  # timed runs of each command, when not the --runs of the call
    note: str = ""
    measure: str = "wall"  # what the goal compares: "wall" seconds or "peak_mib" (peak resident memory)
    # With ``per``, the goal holds the seconds of one unit of work instead of a ratio: A does ``per`` units
    # more than B (exercises, say), so (median A − median B) / per is the time of one.
    per: int | None = None
    limit: float | None = None  # seconds A's median wall time may take (also for a case without B)
    check_files: Callable[[Workspace], str | None] | None = None  # a check of the files A's first run wrote
    most_peak_mib: float | None = None  # the largest median peak memory of A that passes, in MiB


# The start-up goal: a run of the handout (tables, JSON, LaTeX, Markdown) takes at most this many times
# the bare imports of the libraries it cannot do without.
STARTUP_GOAL = 1.5


def _imports(modules: str) -> Command:
    return lambda ws: [PYTHON, "-c", f"import {modules}"]


CASES: list[Case] = [
    Case(
        name="handout-json",
        a=lambda ws: [*BPTRACE, "run", "configs/handout.yaml", "--format", "json"],
        b=_imports("numpy, yaml, json, click"),
        goal=STARTUP_GOAL,
        check=check_trace,
        note="bptrace run configs/handout.yaml --format json  vs  import numpy, yaml, json, click",
    ),
    Case(
        name="handout-table",
        a=lambda ws: [*BPTRACE, "run", "configs/handout.yaml"],
        b=_imports("numpy, yaml, json, click, rich.console, rich.table"),
        goal=STARTUP_GOAL,
        check=check_handout_table,
        note="bptrace run configs/handout.yaml  vs  import numpy, yaml, json, click, rich.console, rich.table",
    ),
    Case(
        name="big-json",
        a=lambda ws: [*BPTRACE, "run", ws.big_network(), "--format", "json"],
        b=lambda ws: [PYTHON, ws.one_step_script(), ws.big_network()],
        goal=1.5,
        check=check_same_trace,
        note="one step of 784-128-10 (0.9 MB YAML), --format json  vs  the same math in a numpy script",
    ),
    Case(
        name="big-figure",
        a=lambda ws: [*BPTRACE, "figure", ws.big_network()],
        b=lambda ws: [*BPTRACE, "run", ws.big_network(), "--format", "json"],
        goal=1.1,
        check=check_readable_figure,
        note="bptrace figure of that network  vs  its --format json: the same step, a readable SVG",
    ),
    *(Case(
        name=f"handout-{name}",
        a=lambda ws, form=form: [*BPTRACE, "run", "configs/handout.yaml", "--format", form],
        b=_imports("numpy, yaml, json, click"),
        goal=STARTUP_GOAL,
        check=containing(*wanted),
        note=f"bptrace run configs/handout.yaml --format {form}  vs  import numpy, yaml, json, click (no rich)",
    ) for name, form, wanted in (
        ("latex", "latex", ("\\documentclass{article}", "\\begin{tikzpicture}", "\\tag{3}", "-1.4077", "\\end{document}")),
        ("md", "markdown", ("# Handout example", "<svg", "$$", "\\tag{3}", "-1.4077", "| Neuron |")),
    )),
    Case(
        name="big-html",
        a=lambda ws: [*BPTRACE, "run", ws.big_network(), "--format", "html"],
        b=lambda ws: [*BPTRACE, "run", ws.big_network(), "--format", "json"],
        goal=2.0,
        check=check_readable_html,
        note="the HTML document of that network (tables cut to --rows)  vs  its --format json",
    ),
    Case(
        name="big-table",
        a=lambda ws: [*BPTRACE, "run", ws.big_network()],
        check=check_readable_table,
        runs=1,
        note="the tables of that network: must finish, cut to a readable size (timed once)",
    ),
]


# --------------------------------------------------------------------------------------------------
# Training: many updates of a small XOR network, streamed as JSON Lines


XOR_UPDATES = 10_000

XOR_YAML = textwrap.dedent("""
    title: XOR 2-3-1 (benchmark)
    x: [[0, 0], [0, 1], [1, 0], [1, 1]]
    y: [[0], [1], [1], [0]]
    alpha: 1.0
    loss: sse
    batch: mean
    layers:
      - name: hid
        activation: sigmoid
        weights: [[0.5, -0.4], [-0.3, 0.6], [0.8, 0.7]]
        bias: [0.1, -0.2, -0.3]
      - name: out
        activation: sigmoid
        weights: [[0.6, 0.5, -0.7]]
        bias: [0.05]
""").lstrip()

# The yardstick of the XOR cases: full-batch gradient descent of a sigmoid network (sse, the mean over
# the samples, a bias per neuron) with numpy alone, writing per update the fields of one line of
# `bptrace run --format jsonl`, flushed per line, dumped the same way.
XOR_SCRIPT = textwrap.dedent('''
    """Full-batch gradient descent with numpy alone, one trace-v1 iteration per line."""
    import json
    import sys

    import numpy as np
    import yaml


    def sigmoid(p):
        return 1.0 / (1.0 + np.exp(-p))


    def forward(x, weights, biases):
        ps, zs, z = [], [], x
        for w, b in zip(weights, biases):
            p = z @ w.T + b
            z = sigmoid(p)
            ps.append(p)
            zs.append(z)
        return ps, zs


    def main(path, updates):
        with open(path, encoding="utf-8") as handle:
            config = yaml.load(handle.read(), Loader=yaml.CSafeLoader)
        x = np.array(config["x"], dtype=float)
        y = np.array(config["y"], dtype=float)
        alpha = float(config["alpha"])
        names = [layer["name"] for layer in config["layers"]]
        weights = [np.array(layer["weights"], dtype=float) for layer in config["layers"]]
        biases = [np.array(layer["bias"], dtype=float) for layer in config["layers"]]
        count, samples = len(weights), len(x)
        out = sys.stdout
        for number in range(1, updates + 1):
            ps, zs = forward(x, weights, biases)
            sample_losses = np.sum((zs[-1] - y) ** 2, axis=1)
            dJ_dz = 2.0 * (zs[-1] - y)
            dJ_dzs, dJ_dps, dg_dps, grads, bias_grads = ([None] * count for _ in range(5))
            for i in reversed(range(count)):
                dJ_dzs[i] = dJ_dz
                dg_dps[i] = zs[i] * (1.0 - zs[i])
                dJ_dps[i] = dJ_dp = dJ_dz * dg_dps[i]
                grads[i] = dJ_dp.T @ (x if i == 0 else zs[i - 1]) / samples
                bias_grads[i] = dJ_dp.sum(axis=0) / samples
                dJ_dz = dJ_dp @ weights[i]
            new_weights = [w - alpha * g for w, g in zip(weights, grads)]
            new_biases = [b - alpha * g for b, g in zip(biases, bias_grads)]
            _, zs_after = forward(x, new_weights, new_biases)
            loss_after = float(np.mean(np.sum((zs_after[-1] - y) ** 2, axis=1)))
            line = {
                "iteration": number, "epoch": number, "loss": float(np.mean(sample_losses)), "loss_after": loss_after,
                "samples": [{"index": s, "x": x[s].tolist(), "y": y[s].tolist(), "loss": float(sample_losses[s]),
                             "layers": [{"name": names[i], "p": ps[i][s].tolist(), "z": zs[i][s].tolist(),
                                         "dJ_dz": dJ_dzs[i][s].tolist(), "dJ_dp": dJ_dps[i][s].tolist(),
                                         "dg_dp": dg_dps[i][s].tolist()}
                                        for i in range(count)]}
                            for s in range(samples)],
                "layers": [{"name": names[i], "activation": "sigmoid", "weights": weights[i].tolist(),
                            "dJ_dweights": grads[i].tolist(), "new_weights": new_weights[i].tolist(),
                            "bias": biases[i].tolist(), "dJ_dbias": bias_grads[i].tolist(),
                            "new_bias": new_biases[i].tolist()} for i in range(count)],
            }
            out.write(json.dumps(line, allow_nan=False, ensure_ascii=False))
            out.write("\\n")
            out.flush()
            weights, biases = new_weights, new_biases


    main(sys.argv[1], int(sys.argv[2]))
''').lstrip()


def xor_network(ws: Workspace) -> str:
    return ws.file("xor-2-3-1.yaml", lambda: XOR_YAML)


def xor_jsonl(updates: int) -> Command:
    return lambda ws: [*BPTRACE, "run", xor_network(ws), "--epochs", str(updates), "--format", "jsonl"]


def xor_script(updates: int) -> Command:
    return lambda ws: [PYTHON, ws.file("xor_descent.py", lambda: XOR_SCRIPT), xor_network(ws), str(updates)]


def check_same_lines(a: str, b: str | None) -> str | None:
    """One JSON object per line on both sides, as many lines, agreeing field by field."""
    ours, reference = a.splitlines(), b.splitlines()
    if len(ours) != len(reference):
        return f"{len(ours)} lines against {len(reference)}"
    for number, (u, v) in enumerate(zip(ours, reference), start=1):
        problem = _same(json.loads(u), json.loads(v), f"line {number}")
        if problem:
            return problem
    return None


def check_line_count(updates: int) -> Callable[[str, str | None], str | None]:
    def check(a: str, b: str | None) -> str | None:
        lines = a.count("\n")
        return None if lines == updates else f"{lines} lines, expected {updates}"

    return check


def xor_json(updates: int) -> Command:
    """One --format json document of ``updates`` XOR updates, written to a file: the document of 100,000
    updates is about 330 MB, too much to hold in this script as captured output."""
    return lambda ws: [*BPTRACE, "run", xor_network(ws), "--epochs", str(updates), "--format", "json",
                       "-o", str(ws.folder / f"xor-{updates}.json")]


def check_json_prefix(long: int, short: int) -> Callable[[Workspace], str | None]:
    """The long document has ``long`` iterations and ends as a document does; its first ``short`` are
    the iterations of the short one, byte for byte (the short one is parsed, so it is valid JSON)."""

    def check(ws: Workspace) -> str | None:
        marker = '{"iteration": '
        short_text = (ws.folder / f"xor-{short}.json").read_text(encoding="utf-8")
        document = json.loads(short_text)
        if len(document["iterations"]) != short:
            return f"{len(document['iterations'])} iterations in the short document, expected {short}"
        items = short_text[short_text.index('"iterations": ['):-len("]}\n")]
        with open(ws.folder / f"xor-{long}.json", encoding="utf-8") as stream:
            head = stream.read(len(items) + 100_000)
            if items not in head:
                return f"the first {short:,} iterations differ from those of the short run"
            count, tail = head.count(marker), head[-len(marker) + 1:]
            for chunk in iter(lambda: stream.read(1 << 20), ""):
                count += (tail + chunk).count(marker)  # a marker cut between two chunks is counted once
                tail = chunk[-len(marker) + 1:]
        if count != long:
            return f"{count:,} iterations in the long document, expected {long:,}"
        return None if tail.endswith("]}\n") else "the long document does not end as a document does"

    return check


CASES += [
    Case(
        name="xor-jsonl",
        a=xor_jsonl(XOR_UPDATES),
        b=xor_script(XOR_UPDATES),
        goal=1.5,
        check=check_same_lines,
        runs=7,
        note=f"{XOR_UPDATES:,} full-batch updates of XOR 2-3-1 (4 samples), --format jsonl  vs  a numpy script",
    ),
    Case(
        name="xor-memory",
        a=xor_jsonl(30_000),
        b=xor_jsonl(1_000),
        goal=1.2,
        check=check_line_count(30_000),
        runs=3,
        measure="peak_mib",
        note="peak memory of 30,000 updates against 1,000 (--format jsonl): A/B compares peak MiB, not time",
    ),
    Case(
        name="json-memory",
        a=xor_json(100_000),
        b=xor_json(1_000),
        goal=1.2,
        check_files=check_json_prefix(100_000, 1_000),
        runs=3,
        measure="peak_mib",
        note="peak memory of 100,000 updates against 1,000 as one --format json document (-o FILE): peak MiB",
    ),
]


# --------------------------------------------------------------------------------------------------
# Exercises: generating many, as a teacher does for a class


def exercise_set(count: int, seed: str, folder: str) -> Command:
    return lambda ws: [*BPTRACE, "exercise", "--variants", str(count), "--seed", seed, "-o", str(ws.folder / folder)]


def check_exercise_set(count: int, folder: str) -> Callable[[Workspace], str | None]:
    """The folder holds ``count`` different configs that validate, each with its worksheet and solution, and
    an index listing them."""

    def check(ws: Workspace) -> str | None:
        files = sorted((ws.folder / folder).glob("*.yaml"))
        if len(files) != count:
            return f"{len(files)} configs, expected {count}"
        # What follows the title line: the numbers (the comment and the title name the seed).
        bodies = {f.read_text(encoding="utf-8").split("\ntitle:")[1].split("\n", 1)[1] for f in files}
        if len(bodies) != count:
            return f"only {len(bodies)} different exercises"
        index = (ws.folder / folder / "index.md").read_text(encoding="utf-8")
        documents = [f.with_name(f"{f.stem}-{kind}.md") for f in files for kind in ("worksheet", "solution")]
        absent = [d.name for d in documents if not d.is_file()]
        if absent:
            return f"no worksheet or solution: {absent[:3]}"
        missing = [f.name for f in [*files, *documents] if f"({f.name})" not in index]
        if missing:
            return f"not in the index: {missing[:3]}"
        for f in files:
            done = subprocess.run([*BPTRACE, "validate", str(f)], cwd=ROOT, env=ws.env, capture_output=True, text=True)
            if done.returncode != 0:
                return done.stderr.strip()
        return None

    return check


# Optimizers: the same XOR training with Adam instead of plain gradient descent


def xor_adam_network(ws: Workspace) -> str:
    """The XOR network of the cases above, trained with Adam (α = 0.1, PyTorch's defaults otherwise)."""
    return ws.file("xor-2-3-1-adam.yaml", lambda: XOR_YAML.replace("alpha: 1.0\n", "alpha: 0.1\noptimizer: adam\n"))


def check_adam_training(a: str, b: str | None) -> str | None:
    wanted = ("Step 5) Update with Adam", f"Weights after {XOR_UPDATES:,} updates", "J after training")
    missing = [w for w in wanted if w not in a]
    return f"missing {missing}" if missing else None


def check_adam_lines(a: str, b: str | None) -> str | None:
    lines = a.splitlines()
    if len(lines) != XOR_UPDATES:
        return f"{len(lines)} lines, expected {XOR_UPDATES}"
    last = json.loads(lines[-1])["layers"][0]
    return None if last.get("state", {}).get("t") == XOR_UPDATES else "no Adam state with t = 10,000 in the last line"


CASES += [
    Case(
        name="exercise",
        a=exercise_set(100, "bench", "hundred"),
        b=exercise_set(1, "bench", "one"),
        goal=0.050,
        per=99,
        runs=5,
        check_files=check_exercise_set(100, "hundred"),
        note="time per generated exercise: (--variants 100 − --variants 1) / 99, goal under 50 ms",
    ),
    Case(
        name="exercise-class",
        a=exercise_set(30, "course-2027", "class"),
        limit=10.0,
        runs=3,
        check_files=check_exercise_set(30, "class"),
        note="bptrace exercise --variants 30 --seed course-2027 -o class/: 30 configs, worksheets, solutions and an index, "
             "under 10 s",
    ),
    Case(
        name="xor-adam",
        a=lambda ws: [*BPTRACE, "run", xor_adam_network(ws), "--epochs", str(XOR_UPDATES)],
        b=lambda ws: [*BPTRACE, "run", xor_network(ws), "--epochs", str(XOR_UPDATES)],
        goal=1.5,
        check=check_adam_training,
        runs=7,
        note=f"{XOR_UPDATES:,} updates of XOR with Adam  vs  with plain gradient descent (the tables of a training run)",
    ),
    Case(
        name="xor-adam-jsonl",
        a=lambda ws: [*BPTRACE, "run", xor_adam_network(ws), "--epochs", str(XOR_UPDATES), "--format", "jsonl"],
        b=xor_jsonl(XOR_UPDATES),
        goal=1.5,
        check=check_adam_lines,
        runs=7,
        note="the same as --format jsonl (with Adam each line also carries the state m, v, t)",
    ),
]


# Hand rounding: the shipped XOR training (2,000 full-batch updates) rounded as by hand, against the same run
# exact. Every result of every update is hand-rounded, as whole arrays.
XOR_CONFIG = str(ROOT / "configs" / "xor.yaml")


def check_hand_tables(a: str, b: str | None) -> str | None:
    wanted = ("Rounding         by hand: 1 decimals", "Trace of update 1 of 2,000", "J after training")
    missing = [w for w in wanted if w not in a]
    return f"missing {missing}" if missing else None


def check_hand_json(a: str, b: str | None) -> str | None:
    document = json.loads(a)
    if document["rounding"]["hand_rounding"] != 2 or len(document["iterations"]) != 2000:
        return "not 2,000 updates with hand rounding 2"
    exact = json.loads(b or "{}")
    return None if exact.get("rounding", {}).get("hand_rounding") is None else "B is not exact"


CASES += [
    Case(
        name="xor-hand",
        a=lambda ws: [*BPTRACE, "run", XOR_CONFIG, "--hand-rounding", "1"],
        b=lambda ws: [*BPTRACE, "run", XOR_CONFIG],
        goal=1.5,
        check=check_hand_tables,
        runs=9,
        note="configs/xor.yaml (2,000 updates) with --hand-rounding 1  vs  the same run exact (the tables)",
    ),
    Case(
        name="xor-hand-json",
        a=lambda ws: [*BPTRACE, "run", XOR_CONFIG, "--hand-rounding", "2", "--format", "json"],
        b=lambda ws: [*BPTRACE, "run", XOR_CONFIG, "--format", "json"],
        goal=1.5,
        check=check_hand_json,
        runs=9,
        note="the same with --hand-rounding 2, --format json  vs  exact --format json",
    ),
]


# Reading configs: bad files answered at once, the largest config allowed read and traced in bounds


def _numbers_text(count: int, seed: int) -> str:
    values = np.random.default_rng(seed).normal(0.0, 0.5, count)
    return "[" + ", ".join(f"{v:.4f}" for v in values.tolist()) + "]"


def errors_per_layer_yaml(layers: int = 2000) -> str:
    """A config of ``layers`` layers, each with an activation that does not exist (80 KB)."""
    return "x: [1, 2]\ny: [1, 2]\nalpha: 0.1\nlayers:\n" + "".join(
        "  - activation: relux\n    weights: [[1, 2], [3, 4]]\n" for _ in range(layers))


def list_for_title_yaml(count: int = 100_000) -> str:
    """A valid network whose title is a list of ``count`` numbers instead of text."""
    return f"title: {_numbers_text(count, 1)}\n" + XOR_YAML.split("\n", 1)[1]


def single_line_yaml(megabytes: float = 5.0) -> str:
    """A config on one line of about ``megabytes`` MB, whose only mistake is an activation at its end."""
    count = int(megabytes * 1e6 / 16)
    return (f"{{x: {_numbers_text(count, 2)}, y: [1], alpha: 0.1, layers: [{{activation: sigmoid, "
            f"weights: [{_numbers_text(count, 3)}]}}, {{activation: relux, weights: [[1]]}}]}}\n")


def largest_yaml() -> str:
    """The largest config a file may hold (backprop_cli/config/loader.py: at most MAX_VALUES YAML values and
    MAX_BYTES bytes): one sigmoid neuron with a bias and as many inputs as fit, 59,989, 1 MB of YAML."""
    if str(ROOT) not in sys.path:  # run as a script from anywhere
        sys.path.insert(0, str(ROOT))
    from backprop_cli.config.loader import MAX_VALUES

    inputs = (MAX_VALUES - 21) // 2  # x and the weights hold two values an input, the rest of the file 21
    return (f"title: the largest network allowed\nx: {_numbers_text(inputs, 4)}\ny: [0.5]\nalpha: 0.01\n"
            f"layers:\n  - activation: sigmoid\n    weights:\n      - {_numbers_text(inputs, 5)}\n    bias: [0.0]\n")


def state_flood_yaml() -> str:
    """The largest config allowed followed by an optimizer_state of the most costly values it may hold
    (240,000, counted as loader.py counts them: a mapping with one key in each entry), wrong as a state."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from backprop_cli.config.loader import MAX_VALUES, STATE_SHARE

    entries = (STATE_SHARE * MAX_VALUES - 10) // 4  # "- {a: 1}": the entry, the mapping, its key and value
    return largest_yaml() + "optimizer_state:\n" + "- {a: 1}\n" * entries


def saved_with_adam(ws: Workspace) -> str:
    """The 784-128-10 network after one update with Adam, as --save-updated writes it (its optimizer_state
    holds Adam's m and v of every weight and bias: 4.7 MB, 307,000 values in all)."""
    path = ws.folder / "saved-adam.yaml"
    if not path.exists():
        config = ws.file("network-784-128-10-adam.yaml", lambda: big_network_yaml() + "optimizer: adam\n")
        subprocess.run([*BPTRACE, "run", config, "--save-updated", str(path), "--format", "json"], cwd=ROOT,
                       env=ws.env, capture_output=True, check=True)
    return str(path)


# bptrace refusing a config exits with 2, which timed_run takes for a failure: run it through a wrapper
# that turns exactly that into 0 (and anything else into 1).
_EXIT_2 = ("import runpy, sys; sys.argv[0] = 'bptrace'\n"
           "try:\n    runpy.run_module('backprop_cli', run_name='__main__')\n"
           "except SystemExit as e:\n    sys.exit(0 if e.code == 2 else 1)\nsys.exit(1)")


def _file(name: str, make: Callable[[], str]) -> Callable[[Workspace], str]:
    return lambda ws: ws.file(name, make)


def bptrace_on(make_file: Callable[[Workspace], str], command: str, *options: str) -> Command:
    return lambda ws: [*BPTRACE, command, make_file(ws), *options]


def refused(make_file: Callable[[Workspace], str], command: str) -> Command:
    """bptrace ``command`` on a bad config, which must end with exit code 2 (measured as 0)."""
    return lambda ws: [PYTHON, "-c", _EXIT_2, command, make_file(ws)]


def bounded(name: str, a: Command, most_wall: float, note: str, most_peak_mib: float | None = None) -> Case:
    """A case of bptrace alone, against bounds on its wall time and peak memory."""
    return Case(name=name, a=a, limit=most_wall, most_peak_mib=most_peak_mib, runs=3, note=note)


ERRORS = _file("errors-2000-layers.yaml", errors_per_layer_yaml)
TITLE_LIST = _file("title-100k-list.yaml", list_for_title_yaml)
ONE_LINE = _file("single-line-5mb.yaml", single_line_yaml)
LARGEST = _file("largest.yaml", largest_yaml)

CASES += [
    bounded("errors-2000", refused(ERRORS, "validate"), 1.0,
            "validate: 2,000 layers, each with an unknown activation (the first 100 are listed)"),
    bounded("list-100k", refused(TITLE_LIST, "validate"), 1.0,
            "validate: a list of 100,000 numbers where the title belongs"),
    bounded("line-5mb", refused(ONE_LINE, "run"), 2.0,
            "run: a 5 MB config on one line, 600,000 numbers, wrong in its last word"),
    bounded("largest-validate", bptrace_on(LARGEST, "validate"), 3.0,
            "validate the largest config a file may hold: 59,989 inputs, 119,999 YAML values (1 MB)", 1024),
    bounded("largest-json", bptrace_on(LARGEST, "run", "--format", "json"), 8.0,
            "run --format json of that config (one update)", 1024),
    bounded("largest-table", bptrace_on(LARGEST, "run"), 6.0, "run: the tables of that config", 1024),
    bounded("state-240k", refused(_file("state-240k.yaml", state_flood_yaml), "validate"), 3.0,
            "validate: that config with an optimizer_state of 240,000 values (60,000 mappings)", 400),
    bounded("saved-adam", bptrace_on(saved_with_adam, "run", "--format", "json"), 8.0,
            "run --format json of the 784-128-10 network saved with Adam's state (4.7 MB)", 1024),
]


# --------------------------------------------------------------------------------------------------
# The runner


# --------------------------------------------------------------------------------------------------
# Marking a class: answer sheets of the handout's network, as 30 students hand them in

CLASS_SIZE = 30
CLASS_MISTAKES = [None, ("factor-2", ("step1", "out", "dJ_dz", 0)),
                  ("z-for-derivative", ("step3", "out", "dJ_dweights", 0, 0)), None,
                  ("plus-alpha", ("step5", "out", "new_weights", 0, 0)),
                  ("sum-left-out", ("step2", "hid", "dJ_dz", 0), 1), ("transposed", ("forward", "hid", "p", 0))]


def class_sheets(ws: Workspace) -> list[str]:
    """The sheets of a class: hand calculations (tests/hand.py) to 2 and 3 significant digits, 2 and 4
    decimals and in full precision; some with a known mistake made at one place, every fifth half done."""
    if str(TESTS) not in sys.path:
        sys.path.insert(0, str(TESTS))
    from hand import HandCalculation, decimals, full, sheet_yaml, significant

    data = yaml.safe_load((ROOT / "configs" / "handout.yaml").read_text(encoding="utf-8"))
    writers = [significant(2), decimals(2), decimals(4), full, significant(3)]
    (ws.folder / "class").mkdir(exist_ok=True)
    paths = []
    for i in range(CLASS_SIZE):
        texts = HandCalculation(data, writers[i % len(writers)], mistake=CLASS_MISTAKES[i % len(CLASS_MISTAKES)]).texts
        if i % 5 == 4:
            texts = {path: text for path, text in texts.items() if path[0] in ("forward", "loss", "step1")}
        paths.append(ws.file(f"class/student{i + 1:02d}.yaml", lambda: sheet_yaml(texts)))
    return paths


def check_class_marks(a: str, b: str | None) -> str | None:
    """One CSV row per sheet; a sheet without a mistake scores every answer it gave, one with a mistake has
    exactly one answer wrong."""
    rows = a.splitlines()[1:]
    if len(rows) != CLASS_SIZE:
        return f"{len(rows)} rows, not {CLASS_SIZE}"
    for i, row in enumerate(rows):
        points, total, _, correct, carried, wrong, blank = row.split(",")[1:8]
        expected_wrong = 0 if CLASS_MISTAKES[i % len(CLASS_MISTAKES)] is None else 1
        if i % 5 != 4 and int(wrong) != expected_wrong:
            return f"sheet {i + 1}: {wrong} wrong, expected {expected_wrong}"
        if i % 5 == 4 and int(blank) == 0:
            return f"sheet {i + 1}: half done, but no blank"
    return None


CASES.append(Case(
    name="class-check",
    a=lambda ws: [*BPTRACE, "check", "configs/handout.yaml", *class_sheets(ws), "--format", "csv"],
    limit=2.0,
    check=check_class_marks,
    note=f"bptrace check of {CLASS_SIZE} answer sheets of the handout's network (a class), --format csv: "
         "median wall time under 2 s",
))


@dataclass
class Result:
    case: Case
    a: list[Run] = field(default_factory=list)
    b: list[Run] = field(default_factory=list)
    problem: str | None = None

    @property
    def ratios(self) -> list[float]:
        """A/B of each pair of runs, in order, of what the case measures."""
        what = self.case.measure
        return [getattr(x, what) / getattr(y, what) for x, y in zip(self.a, self.b)]

    @property
    def ratio(self) -> float | None:
        """The median of the per-pair ratios A/B."""
        return statistics.median(self.ratios) if self.b else None

    @property
    def per_unit(self) -> float | None:
        """Seconds of one unit of the work A does beyond B, for a case with ``per``."""
        if self.case.per is None or not self.b:
            return None
        return (_median(self.a, "wall") - _median(self.b, "wall")) / self.case.per

    @property
    def verdict(self) -> str:
        if self.problem:
            return "FAIL"
        bounds = [(self.case.limit, "wall"), (self.case.most_peak_mib, "peak_mib")]
        if self.a and any(most is not None and _median(self.a, what) > most for most, what in bounds):
            return "MISS"
        if self.case.goal is None or not self.b:
            return "PASS" if any(most is not None for most, _ in bounds) else "ok"
        measured = self.per_unit if self.case.per is not None else self.ratio
        return "PASS" if measured <= self.case.goal else "MISS"


def run_case(case: Case, ws: Workspace, runs: int) -> Result:
    result = Result(case)
    try:
        a_command = case.a(ws)
        b_command = case.b(ws) if case.b else None
        # One untimed run of each: it checks the output and fills the bytecode and file caches.
        a_output, _ = captured_run(a_command, ws.env)
        b_output = captured_run(b_command, ws.env)[0] if b_command else None
        if case.check:
            result.problem = case.check(a_output, b_output)
        if case.check_files and not result.problem:
            result.problem = case.check_files(ws)
        for _ in range(case.runs or runs):
            result.a.append(timed_run(a_command, ws.env))
            if b_command:
                result.b.append(timed_run(b_command, ws.env))
    except (RuntimeError, subprocess.TimeoutExpired) as error:  # a command failed: report it, go on
        result.problem = str(error)
    return result


def _median(runs: list[Run], what: str) -> float:
    return statistics.median(getattr(r, what) for r in runs)


ROW = "{:<14} {:>4}  {:>9}  {:>9}  {:>6}  {:>11}  {:>6}  {:<6} {:>12}"


def print_header() -> None:
    load = " ".join(f"{v:.2f}" for v in os.getloadavg()) if hasattr(os, "getloadavg") else "?"
    print(f"python {platform.python_version()}, numpy {np.__version__}, PyYAML {yaml.__version__} "
          f"(C loader: {'yes' if getattr(yaml, '__with_libyaml__', False) else 'no'}), "
          f"{os.cpu_count()} cores, load average {load}")
    print(ROW.format("case", "runs", "A median", "B median", "A/B", "A/B q1–q3", "goal", "result", "peak A/B MiB"))


def print_row(r: Result) -> None:
    a_wall = f"{_median(r.a, 'wall'):.3f} s" if r.a else "-"
    b_wall = f"{_median(r.b, 'wall'):.3f} s" if r.b else "-"
    ratio = f"{r.ratio:.2f}×" if r.b else "-"
    spread = "-"
    if len(r.b) >= 2:  # how far the pairs disagree: a wide spread says the machine was noisy
        q1, _, q3 = statistics.quantiles(r.ratios, n=4)
        spread = f"{q1:.2f}–{q3:.2f}"
    goal = f"≤{r.case.goal:g}×" if r.case.goal and r.case.per is None else "-"
    if r.case.most_peak_mib is not None:
        goal = f"≤{r.case.most_peak_mib:g}M"
    peak = (f"{_median(r.a, 'peak_mib'):.0f}" if r.a else "-") + (f"/{_median(r.b, 'peak_mib'):.0f}" if r.b else "")
    print(ROW.format(r.case.name, len(r.a), a_wall, b_wall, ratio, spread, goal, r.verdict, peak), flush=True)
    if r.per_unit is not None:
        print(f"  {r.per_unit * 1000:.1f} ms per unit: (A − B) / {r.case.per} (goal ≤ {r.case.goal * 1000:g} ms)", flush=True)
    if r.case.limit is not None and r.a:
        print(f"  A takes {_median(r.a, 'wall'):.2f} s (goal ≤ {r.case.limit:g} s)", flush=True)
    if r.problem:
        print(f"  failed: {r.problem}", flush=True)


def main(argv: list[str] | None = None) -> int:
    names = [c.name for c in CASES]
    parser = argparse.ArgumentParser(
        description="Whole-process timings of bptrace against plain Python doing the same work.",
        epilog="cases:\n" + "\n".join(f"  {c.name:<14} {c.note}" for c in CASES),
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--runs", type=int, default=15, help="timed runs of each command (default 15)")
    parser.add_argument("--only", action="append", metavar="NAME", choices=names,
                        help="run only this case (may be repeated)")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    selected = [c for c in CASES if not args.only or c.name in args.only]

    print_header()
    results = []
    with tempfile.TemporaryDirectory(prefix="bptrace-bench-") as folder:
        ws = Workspace(Path(folder))
        for case in selected:
            results.append(run_case(case, ws, args.runs))
            print_row(results[-1])
    print("A is bptrace (python -m backprop_cli); B is the yardstick; A/B is the median of the per-pair ratios.")
    for case in selected:
        print(f"  {case.name:<14} {case.note}")
    return 0 if all(r.verdict in ("PASS", "ok") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
