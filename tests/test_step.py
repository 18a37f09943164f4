"""Step mode (--step) with scripted keys, and the explanations of --explain.

Keys are piped, one per line, as a user would with printf; the terminal side (single key presses,
the restored terminal, Ctrl-C) is covered in test_step_pty.py.
"""

from __future__ import annotations

import io
import os
import pty
import termios
from dataclasses import replace

import pytest
from conftest import CONFIGS, run_cli

from backprop_cli.config.read import load_config
from backprop_cli.engine.backprop import trace
from backprop_cli.engine.rounding import Rounding
from backprop_cli.model import explain as explain_module
from backprop_cli.model.build import sections
from backprop_cli.model.numbers import NumberFormat
from backprop_cli.render import status, step
from backprop_cli.render.unicode import spell

HANDOUT = str(CONFIGS / "handout.yaml")
DEEP = str(CONFIGS / "deep.yaml")
XOR = str(CONFIGS / "xor.yaml")
KEYS_HELP = "n/Enter: next · b: back · a: all · q: quit"
HANDOUT_PHASES = ["Forward pass", "Step 1", "Step 2 [hid]", "Step 3", "Step 4", "Step 5"]
# The title each phase starts with in the table output.
HANDOUT_TITLES = ["Forward pass", "Step 1) Error gradient in the output layer",
                  "Step 2) Error gradient in the hidden layer 'hid'", "Step 3) Weight gradient in the output layer",
                  "Step 4) Weight gradient in the hidden layer 'hid'", "Step 5) Update"]


def statuses(result) -> list[str]:
    return result.stderr.splitlines()


def shown(stdout: str) -> list[str]:
    """The phase titles in the order they were printed."""
    return [line for line in stdout.splitlines() if line in HANDOUT_TITLES]


def test_first_page_is_header_and_forward_pass_then_a_status_line():
    result = run_cli("run", HANDOUT, "--step", input="q\n")
    assert result.exit_code == 0
    assert result.stdout.startswith("Handout example\n")
    assert shown(result.stdout) == ["Forward pass"]
    assert "J(Θ) = (0.30 − 0)² + (0.38 − 1)² = 0.47" in result.stdout
    assert statuses(result) == [f"Forward pass — 1 of 6 · {KEYS_HELP}"]


def test_enter_shows_the_next_phase_and_q_quits_with_0():
    result = run_cli("run", HANDOUT, "--step", input="\n\nq\n")
    assert result.exit_code == 0
    assert shown(result.stdout) == HANDOUT_TITLES[:3]
    assert [line.split(" · ")[0] for line in statuses(result)] == [
        "Forward pass — 1 of 6", "Step 1 — 2 of 6", "Step 2 [hid] — 3 of 6"]


def test_b_goes_back_one_phase_and_shows_it_again():
    result = run_cli("run", HANDOUT, "--step", input="\n\nb\nb\nq\n")
    assert result.exit_code == 0
    assert shown(result.stdout) == [HANDOUT_TITLES[i] for i in (0, 1, 2, 1, 0)]
    assert [line.split(" — ")[0] for line in statuses(result)] == [HANDOUT_PHASES[i] for i in (0, 1, 2, 1, 0)]


def test_b_on_the_first_phase_stays_and_says_so():
    result = run_cli("run", HANDOUT, "--step", input="b\nq\n")
    assert shown(result.stdout) == ["Forward pass"]
    assert statuses(result)[1].endswith("(this is the first phase)")


def test_unknown_keys_are_ignored_with_a_hint():
    result = run_cli("run", HANDOUT, "--step", input="x\nq\n")
    assert shown(result.stdout) == ["Forward pass"]
    assert statuses(result)[1] == f"Forward pass — 1 of 6 · {KEYS_HELP}  (unknown key)"


def test_words_work_as_keys():
    result = run_cli("run", HANDOUT, "--step", input="next\nBack\nquit\n")
    assert shown(result.stdout) == [HANDOUT_TITLES[i] for i in (0, 1, 0)]


@pytest.mark.slow
@pytest.mark.parametrize("keys", ["a\n", "\n\na\n", "", "\n", "\n" * 6, "\n" * 20],
                         ids=["all", "all-later", "no-input", "end-of-input", "next-to-the-end", "more-keys"])
def test_all_or_end_of_input_shows_the_rest_exactly_as_the_plain_run(keys):
    plain = run_cli("run", HANDOUT)
    result = run_cli("run", HANDOUT, "--step", input=keys)
    assert result.exit_code == 0
    assert result.stdout == plain.stdout


def test_next_on_the_last_phase_finishes():
    result = run_cli("run", HANDOUT, "--step", input="\n" * 6 + "b\n")
    assert statuses(result)[-1] == "Step 5 — 6 of 6 · n/Enter: done · b: back · q: quit"
    assert len(statuses(result)) == 6  # the 'b' after the end was never read


def test_deep_network_walks_step_2_one_hidden_layer_at_a_time():
    result = run_cli("run", DEEP, "--step", input="\n" * 8)
    names = [line.split(" — ")[0] for line in statuses(result)]
    assert names == ["Forward pass", "Step 1", "Step 2 [hid3]", "Step 2 [hid2]", "Step 2 [hid1]",
                     "Step 3", "Step 4", "Step 5"]
    assert all(" of 8 · " in line for line in statuses(result))


@pytest.mark.slow
def test_a_training_run_steps_through_the_titled_update_as_the_table_shows_it():
    plain = run_cli("run", XOR, "--epochs", "5")
    result = run_cli("run", XOR, "--epochs", "5", "--step", input="")
    assert result.exit_code == 0
    assert "Trace of update 1 of 5 — epoch 1, samples 1–4" in result.stdout
    assert plain.stdout.startswith(result.stdout)  # the header, the title, then the phases, as in the table
    assert "Loss per epoch" not in result.stdout
    note = result.stderr.splitlines()[-1]  # after the last phase, with the prompts: not part of the trace
    assert note == "Loss per epoch, curve and weights after all 5 updates: run again without --step."


def test_step_with_show_says_which_update_is_on_screen():
    result = run_cli("run", XOR, "--epochs", "5", "--show", "3", "--step", input="q\n")
    assert result.exit_code == 0
    assert "Trace of update 3 of 5 — epoch 3, samples 1–4" in result.stdout


def test_a_single_update_has_no_title_and_no_note():
    result = run_cli("run", HANDOUT, "--step", input="")
    assert "Trace of update" not in result.stdout
    assert all(" · " in line for line in statuses(result))  # status lines only


@pytest.mark.parametrize("fmt", ["json", "jsonl"])
def test_step_with_json_is_a_usage_error(fmt):
    result = run_cli("run", HANDOUT, "--step", "--format", fmt, input="\n")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "--step" in result.stderr and fmt in result.stderr


def test_step_with_output_file_is_a_usage_error(tmp_path):
    target = tmp_path / "out.txt"
    result = run_cli("run", HANDOUT, "-i", "-o", str(target))
    assert result.exit_code == 2 and "--output" in result.stderr
    assert not target.exists()


def test_ctrl_c_in_step_mode_exits_130_without_a_traceback(monkeypatch):
    def interrupted(self):
        raise KeyboardInterrupt

    monkeypatch.setattr(step.LineKeys, "read", interrupted)
    result = run_cli("run", HANDOUT, "--step", input="\n")
    assert result.exit_code == 130
    assert result.stderr.splitlines()[-1] == "bptrace: interrupted"
    assert "Traceback" not in result.stderr


def test_config_on_stdin_without_a_terminal_shows_everything(monkeypatch, tmp_path):
    # Standard input holds the YAML, so keys would come from the terminal; there is none here.
    monkeypatch.setattr(step, "TTY", str(tmp_path / "no-such-terminal"))
    text = (CONFIGS / "handout.yaml").read_text(encoding="utf-8")
    result = run_cli("run", "-", "--step", input=text)
    assert result.exit_code == 0
    assert result.stdout == run_cli("run", HANDOUT).stdout


def test_config_on_stdin_never_takes_keys_from_a_file_that_is_no_terminal(monkeypatch, tmp_path):
    fake = tmp_path / "tty"
    fake.write_text("q\n", encoding="utf-8")  # were this read as keys, the walk would stop at once
    monkeypatch.setattr(step, "TTY", str(fake))
    result = run_cli("run", "-", "--step", input=(CONFIGS / "handout.yaml").read_text(encoding="utf-8"))
    assert shown(result.stdout) == HANDOUT_TITLES


# --- the pieces: status line and terminal keys -------------------------------------------------


class FakeTerminal(io.StringIO):
    def isatty(self) -> bool:
        return True

    def fileno(self) -> int:
        raise io.UnsupportedOperation  # no real size: the status line assumes 80 columns


def test_status_line_on_a_terminal_is_erased_after_the_key():
    stream = FakeTerminal()
    status = step.StatusLine(stream, styled=False)
    status.show("Step 1 — 2 of 6")
    assert stream.getvalue() == "Step 1 — 2 of 6"
    status.clear()
    assert stream.getvalue() == "Step 1 — 2 of 6\r\x1b[2K"


def test_status_line_fits_the_terminal_in_whole_words():
    stream = FakeTerminal()
    step.StatusLine(stream).show("word " * 40)
    assert 70 <= len(stream.getvalue()) < 80 and stream.getvalue().endswith("word")


@pytest.mark.parametrize("width", [40, 60, 80, 100])
@pytest.mark.parametrize("note", ["", status.FIRST, status.UNKNOWN_KEY])
def test_status_line_says_the_keys_more_briefly_rather_than_cut_them(width, note):
    pages = [step.Page(f"Step 2 [hidden{n}]", []) for n in range(6)]
    for index in (0, 5):
        text = status.prompt(pages, index, note, width)
        assert len(text) <= width
        if width >= 60:  # room for where the reader is, every key and the note, each word whole
            assert text.startswith(f"Step 2 [hidden{index}] — {index + 1} of 6 · n")
            assert " q" in text and ("(" in text) == bool(note)
            said = [status.prompt(pages, index, note), *(keys for pair in status.KEY_HELP for keys in pair),
                    *status.NOTES.values()]
            assert set(text.split()) <= set(" ".join(said).split())  # whole words, never a cut one


def test_terminal_keys_read_single_presses_and_restore_the_terminal():
    master, slave = pty.openpty()
    try:
        before = termios.tcgetattr(slave)
        with step.TerminalKeys(slave) as keys:
            during = termios.tcgetattr(slave)
            # Checked before reading: in line mode the read below would wait for an Enter forever.
            assert not during[3] & termios.ICANON and not during[3] & termios.ECHO
            os.write(master, b"n")  # no Enter: cbreak mode hands it over at once
            assert keys.read() == step.NEXT
            os.write(master, b"\x1b[D")
            assert keys.read() == step.BACK
            os.write(master, b"Q")
            assert keys.read() == step.QUIT
        assert termios.tcgetattr(slave) == before
    finally:
        os.close(master)
        os.close(slave)


# --- explanations --------------------------------------------------------------------------------


def explained(path: str, name: str, hand_rounding: int | None = None):
    """The explanation of the phase shown as ``name`` ("Step 2 [hid]"), or None if there is no such phase."""
    config = load_config(path)
    it = next(iter(trace(config, hand_rounding=hand_rounding)))
    fmt = NumberFormat(4, Rounding(hand_rounding))
    found = [phase for phase in sections(config, it, fmt) if phase.name == name]
    return spelled(explain_module.explain(config, it, found[0], fmt), fmt) if found else None


def spelled(text, fmt):
    """An explanation with its formulas and chain in unicode, as the terminal shows them."""
    return replace(text, formulas=[spell(f, fmt) for f in text.formulas], chain=spell(text.chain, fmt))


def test_explain_puts_a_panel_before_every_phase():
    result = run_cli("run", HANDOUT, "--explain")
    lines = result.stdout.splitlines()
    panels = [i for i, line in enumerate(lines) if line.startswith("╭─ Why: ")]
    titles = [i for i, line in enumerate(lines) if line in HANDOUT_TITLES]
    assert [lines[i][len("╭─ Why: "):].split(" ─")[0] for i in panels] == HANDOUT_PHASES
    assert all(p < t for p, t in zip(panels, titles)) and all(t < p for t, p in zip(titles, panels[1:]))


def test_explain_gives_the_handouts_formulas_and_chains():
    assert explained(HANDOUT, "Step 1").formulas[0] == "∂J/∂z_k = 2 · (z_k − y_k)"
    # the same general formulas as the tables' headings
    assert explained(HANDOUT, "Step 2 [hid]").formulas[0] == "∂J/∂z_t[hid] = Σ_k ∂J/∂z_k[out] · g'(p_k) · Θ_kt[out]"
    three = explained(HANDOUT, "Step 3")
    assert three.formulas[0] == "∂J/∂Θ_kt[out] = ∂J/∂z_k · g'(p_k) · z_t[hid]"
    assert three.chain == "∂J/∂Θ_11[out] = ∂J/∂z_1[out] · ∂z_1[out]/∂p_1[out] · ∂p_1[out]/∂Θ_11[out]"
    assert three.factors[1].startswith("∂z_1[out]/∂p_1[out] = σ(p_1[out])·(1 − σ(p_1[out]))")
    assert three.factors[2].startswith("∂p_1[out]/∂Θ_11[out] = z_1[hid]")
    four = explained(HANDOUT, "Step 4")
    assert four.chain == ("∂J/∂Θ_11[hid] = (Σ_k ∂J/∂z_k[out] · ∂z_k[out]/∂p_k[out] · ∂p_k[out]/∂z_1[hid]) "
                          "· ∂z_1[hid]/∂p_1[hid] · ∂p_1[hid]/∂Θ_11[hid]")
    assert four.factors[2].startswith("∂p_1[hid]/∂Θ_11[hid] = x_1")


def test_explain_says_no_gradient_flows_through_a_relu_at_p_at_most_0(write_config):
    four = explained(HANDOUT, "Step 4", hand_rounding=2)
    assert len(four.warnings) == 1
    assert four.warnings[0].startswith("No gradient flows through n2[hid]: p = −0.64 ≤ 0")
    # p exactly 0 counts as blocked, p > 0 does not: only n1 of this layer is named.
    path = write_config("x: [1, 1]\ny: [1]\nalpha: 0.1\nlayers:\n"
                        "  - {activation: relu, weights: [[0.5, -0.5], [0.5, 0.5]]}\n"
                        "  - {activation: relu, weights: [[1, 1]]}\n")
    warnings = explained(path, "Step 4").warnings
    assert [w.split(":")[0] for w in warnings] == ["No gradient flows through n1[hid]"]
    assert explained(path, "Step 2 [hid]").warnings == []  # the output neuron has p = 1 > 0


def test_explain_has_no_relu_warning_where_every_neuron_is_active():
    assert explained(str(CONFIGS / "mazur.yaml"), "Step 4").warnings == []


def test_explain_covers_every_phase_of_every_shipped_config():
    for path in sorted(CONFIGS.glob("*.yaml")):
        config = load_config(str(path))
        it = next(iter(trace(config)))
        for phase in sections(config, it, NumberFormat()):
            text = explain_module.explain(config, it, phase, NumberFormat())
            assert text is not None and text.formulas and text.reason, (path.name, phase.name)
    assert explained(HANDOUT, "no such phase") is None


@pytest.mark.slow
def test_step_and_explain_together_show_the_panel_first():
    result = run_cli("run", HANDOUT, "--step", "--explain", input="q\n")
    assert result.stdout.index("╭─ Why: Forward pass") < result.stdout.index("\nForward pass\n")
    assert "Why: Step 1" not in result.stdout
    assert run_cli("run", HANDOUT, "--step", "--explain", input="a\n").stdout == \
        run_cli("run", HANDOUT, "--explain").stdout


def test_explain_with_json_is_a_usage_error():
    result = run_cli("run", HANDOUT, "--explain", "--format", "json")
    assert result.exit_code == 2 and "--explain" in result.stderr and result.stdout == ""


def test_explain_counts_the_rest_of_many_blocked_neurons(write_config):
    path = write_config("x: [1, 1]\ny: [1]\nalpha: 0.1\nlayers:\n"
                        "  - {activation: relu, weights: [[-1, 0], [-1, 0], [-1, 0], [-1, 0], [-1, 0], [1, 0]]}\n"
                        "  - {activation: sigmoid, weights: [[1, 1, 1, 1, 1, 1]]}\n")
    warnings = explained(path, "Step 4").warnings
    assert [w.split(":")[0] for w in warnings[:3]] == [f"No gradient flows through n{k}[hid]" for k in (1, 2, 3)]
    assert warnings[3] == "… and 2 more neurons of 'hid' at p ≤ 0, alike."


@pytest.mark.slow
def test_explanations_and_headings_write_the_same_general_formulas():
    for path in sorted(CONFIGS.glob("*.yaml")):
        table = run_cli("run", str(path), "--rows", "0").stdout.splitlines()
        config = load_config(str(path))
        it = next(iter(trace(config)))
        for phase in sections(config, it, NumberFormat()):
            if phase.step in ("Step 2", "Step 3", "Step 4"):
                explained = explain_module.explain(config, it, phase, NumberFormat())
                for formula in spelled(explained, NumberFormat()).formulas:
                    assert any(line.startswith(formula) for line in table), (path.name, phase.name, formula)
