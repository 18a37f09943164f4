"""The interactive answer sheet (``bptrace worksheet --interactive``) in headless Chromium, driven by Playwright
for Python pointed at the system's Chromium (it never downloads a browser).

The page's verdicts and diagnoses, and its first-mistake line, are compared with the marking of ``bptrace
check`` (its marker, on the sheet's hand rounding 2, 4 or none, and the same numbers) for every field of well
over a thousand filled sheets: the shipped configs and random networks (every activation, loss and bias mode,
one and several samples), each filled by an independent hand calculation (tests/hand.py) written to 2 and 4
significant digits, 3 decimals and in full precision, with every known mistake (at one place, or a rule
worked wrongly throughout its step; a number truncated, another neuron's value and the old weight copied
included), single slips, zeros padded or left off, decimal commas and blanks. Many sheets are filled per page
load, by script; a few are typed.
"""

from __future__ import annotations

import json
import math
import random
import re
import subprocess
import sys

import pytest
import yaml
from conftest import CONFIGS, ROOT
from hand import HandCalculation, decimals, full, significant

from backprop_cli.config.read import config_from_data, load_config
from backprop_cli.course.check import key_trace, marker, worksheet
from backprop_cli.course.check.digits import BLANKS, parse
from backprop_cli.course.check.marking import TOO_FEW_DIGITS, truncated
from backprop_cli.course.check.page import page_html
from backprop_cli.course.check.report import place
from backprop_cli.course.check.sheet import path_text
from backprop_cli.course.identity import config_id as exercise_id
from backprop_cli.engine.rounding import round_half_away

playwright = pytest.importorskip("playwright.sync_api", reason="Playwright for Python is not installed")

pytestmark = pytest.mark.chromium
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
ELEMENT_WISE = ["identity", "relu", "leaky_relu", "sigmoid", "tanh"]
SQUARED = ["sse", "half_sse", "mse"]
OUTPUTS = ([(a, loss) for a in ELEMENT_WISE for loss in SQUARED] + [("softmax", loss) for loss in SQUARED]
           + [("softmax", "cross_entropy"), ("softmax", "bce"), ("sigmoid", "bce"), ("sigmoid", "cross_entropy")])
MISTAKES = {  # the known mistakes tests/hand.py makes, by the part of the sheet they are made in
    "loss": ["half-sse"], "loss_after": ["half-sse"], "step1": ["factor-2", "step1-sign"], "forward": ["transposed"],
    "step2": ["z-for-derivative", "derivative-at-z", "derivative-one", "derivative-left-out", "transposed",
              "updated-weights", "sum-left-out"],
    "step3": ["z-for-derivative", "derivative-at-z", "derivative-one", "derivative-left-out", "x-z-swapped"],
    "step4": ["z-for-derivative", "derivative-at-z", "derivative-one", "derivative-left-out", "x-z-swapped"],
    "step5": ["plus-alpha", "alpha-misread"],
}
# The mistakes that are a number written in the wrong place: by the part of the sheet they are made in.
WRITTEN_WRONG = {"forward": ["neurons-swapped"], "step1": ["neurons-swapped"], "step2": ["neurons-swapped"],
                 "step3": ["neurons-swapped"], "step4": ["neurons-swapped"], "step5": ["no-update"]}
SHOWN = """() => [Object.fromEntries([...document.querySelectorAll("[data-for]")].map((e) => [e.dataset.for,
    [e.dataset.verdict, document.getElementById("note-" + document.querySelector(
      `input[name="${CSS.escape(e.dataset.for)}"]`).id).textContent]])),
    document.getElementById("first-mistake").textContent]"""  # path → [verdict, note], the first-mistake line
FILL = f"""(sets) => sets.map((set) => {{
  for (const input of document.querySelectorAll("input[data-path]")) input.value = set[input.name] ?? "";
  bptraceSheet.show();
  return ({SHOWN})();
}})"""


@pytest.fixture(scope="module")
def browser():
    with playwright.sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield launched
        launched.close()


def open_page(browser, path, requests=None):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    if requests is not None:
        page.on("request", lambda request: requests.append(request.url))
    page.goto(path.as_uri())
    page.errors = errors
    return page


# -- the sheets ------------------------------------------------------------------------------------------


def random_network(rng: random.Random) -> dict:
    """A random network as config data: 1-3 layers of 1-3 neurons, 1-2 samples, every bias mode."""
    output, loss = rng.choice(OUTPUTS)
    depth = rng.randint(1, 3)
    widths = [rng.randint(1, 3) for _ in range(depth + 1)]
    if output == "softmax":
        widths[-1] = max(widths[-1], 2)
    number = lambda: rng.randint(-150, 150) / 100  # noqa: E731
    layers = []
    for i in range(depth):
        activation = output if i == depth - 1 else rng.choice(ELEMENT_WISE)
        weights = [[number() for _ in range(widths[i])] for _ in range(widths[i + 1])]
        layer = {"activation": activation, "weights": weights}
        if activation == "leaky_relu":
            layer["negative_slope"] = rng.choice([0.01, 0.1])
        bias = rng.choice(["none", "neuron", "shared"] if activation != "softmax" else ["none", "neuron"])
        if bias == "neuron":
            layer["bias"] = [number() for _ in range(widths[i + 1])]
        elif bias == "shared":
            layer["bias"] = number()
        layers.append(layer)
    samples = rng.randint(1, 2)
    target = (lambda: rng.randint(0, 100) / 100) if loss in ("cross_entropy", "bce") else number
    x = [[number() for _ in range(widths[0])] for _ in range(samples)]
    y = [[target() for _ in range(widths[-1])] for _ in range(samples)]
    return {"x": x[0] if samples == 1 else x, "y": y[0] if samples == 1 else y,
            "alpha": rng.choice([0.1, 0.5, 1.0]), "loss": loss, "batch": rng.choice(["mean", "sum"]),
            "update_bias": rng.choice([True, False]), "layers": layers}


def hand(data: dict, write, **change) -> dict | None:
    try:
        return {path_text(p): t for p, t in HandCalculation(data, write, **change).texts.items()}
    except (ValueError, ZeroDivisionError, OverflowError):  # a log of an output written as 0 or 1
        return None
    except IndexError:  # a mistake that needs a square matrix, or more neurons, where there are none
        return None
    except KeyError:  # Step 2 with the updated weights in the first of several samples: the others come later
        return None


def restyled(texts: dict, rng: random.Random) -> dict:
    """The same numbers written as people write them: a decimal comma, zeros padded or trailing zeros left
    off, a true minus sign."""
    out = {}
    for path, text in texts.items():
        style = rng.random()
        plain = "." in text and "e" not in text
        if style < 0.2:
            text = text.replace(".", ",")
        elif style < 0.35 and plain:
            text += "0" * rng.randint(1, 2)
        elif style < 0.5 and plain:
            text = text.rstrip("0").rstrip(".") or "0"
        elif style < 0.6:
            text = text.replace("-", "−")
        out[path] = text
    return out


def _head(path: tuple) -> tuple:
    """The quantity a path is a number of, its indices left off: ("step3", "out", "dJ_dweights")."""
    while path and isinstance(path[-1], int):
        path = path[:-1]
    return path


def part(path: tuple) -> str:
    """The part of the sheet a path is in: forward, loss, step1 … step5, loss_after."""
    return next(piece for piece in path if isinstance(piece, str) and piece != "samples")


def written_wrong(data: dict, mistake: str, path: tuple, right: dict, write) -> tuple | None:
    """(path, text): the number that ``mistake`` writes at ``path`` (another neuron's, the old weight), or None
    where it cannot be made there."""
    at = [i for i, piece in enumerate(path) if isinstance(piece, int) and (i == 0 or path[i - 1] != "samples")]
    if mistake == "neurons-swapped" and at:
        k = path[at[0]]
        others = [o for o in range(k + 2) if o != k and path[:at[0]] + (o,) + path[at[0] + 1:] in right]
        return (path, right[path[:at[0]] + (others[0],) + path[at[0] + 1:]]) if others else None
    if mistake == "no-update" and "new_weights" in path:
        calc = HandCalculation(data, write)
        return path, write(calc.W[calc.names.index(path[1])][path[3]][path[4]])
    return None


def truncation(data: dict, path: tuple, digits: int) -> tuple | None:
    """(path, text): the number of ``path`` with its digits after ``digits`` places cut off, not rounded."""
    exact = hand(data, full)
    if not exact or path not in exact:
        return None
    return path, f"{truncated(float(exact[path]), digits):.{digits}f}"


def answer_sets(data: dict, rng: random.Random, count: int) -> list[dict]:
    """``count`` filled sheets of the network ``data``: right ones in several writings, with known mistakes,
    single slips, too few digits and blanks."""
    writers = [significant(2), significant(4), full, decimals(3)]
    made: list[dict] = []
    right = [t for t in (hand(data, w) for w in writers) if t]
    if not right:
        return []
    made += right
    made += [t for t in (hand(data, significant(n), round_factors=True) for n in (2, 3)) if t]
    attempts = 0
    while len(made) < count and attempts < 10 * count:
        attempts += 1
        write = rng.choice(writers)
        base = rng.choice(right)
        paths = list(base)
        kind = rng.random()
        if kind < 0.45:  # a known mistake at a place where it can be made
            path = _tuple(rng.choice(paths))
            options = MISTAKES.get(part(path), []) + WRITTEN_WRONG.get(part(path), []) + ["truncated"]
            mistake = rng.choice(options)
            if mistake == "truncated":
                change = truncation(data, path, rng.choice([2, 3, 4]))
                texts = hand(data, write, change=change) if change else None
            elif mistake in WRITTEN_WRONG.get(part(path), []):
                change = written_wrong(data, mistake, path, {_tuple(p): t for p, t in base.items()}, write)
                texts = hand(data, write, change=change) if change else None
            else:
                extra: tuple = ()
                if mistake == "sum-left-out":
                    extra = (0,)
                elif mistake == "alpha-misread":
                    extra = (rng.choice([data["alpha"] / 10, data["alpha"] * 10, 1.0]),)
                if mistake != "sum-left-out" and rng.random() < 0.5:  # a rule held through its step, not a slip
                    path = frozenset(p for p in map(_tuple, paths) if _head(p) == _head(path))
                texts = hand(data, write, mistake=(mistake, path, *extra))
        elif kind < 0.75:  # one slip, everything after it worked out from it
            path_str = rng.choice(paths)
            value = float(base[path_str].replace(",", "."))
            changed = rng.choice([-value, value * 10, value + 0.1, value + 0.01 * (1 + abs(value))])
            texts = hand(data, write, change=(_tuple(path_str), write(changed)))
        else:
            texts = dict(base)
        if not texts:
            continue
        texts = restyled(texts, rng) if rng.random() < 0.5 else texts
        if rng.random() < 0.5:  # blanks: single ones or whole steps
            step = rng.choice(sorted({p.split("[")[0].split(".")[0] for p in texts}))
            texts = {p: t for p, t in texts.items() if rng.random() > 0.2 and not (rng.random() < 0.3 and
                                                                                   p.startswith(step))}
        if rng.random() < 0.15:  # a number with too few digits, or none at all
            path_str = rng.choice(list(texts) or paths)
            texts[path_str] = rng.choice(["0.1", "1", "0", "~", "", "-0.0"])
        made.append(texts)
    return made


def _tuple(path: str) -> tuple:
    parts: list = []
    for piece in re.findall(r"[^.\[\]]+", path):
        parts.append(int(piece) if piece.isdigit() else piece)
    return tuple(parts)


def check_verdicts(config, sets: list[dict]) -> list[tuple[dict, str, list]]:
    """What ``bptrace check`` says of each sheet (its marker, on the config's hand rounding): path →
    (verdict, diagnosis), the first mistake's line as the page spells it (check's line without the key), and
    the names of the mistakes named."""
    marks = marker(config)
    out = []
    for texts in sets:
        answers = {_tuple(p): parse(t) for p, t in texts.items() if t.strip() not in BLANKS}
        marking = marks.mark({p: w for p, w in answers.items() if w is not None}, "<sheet>")
        first, line = marking.first_mistake, ""
        if first is not None:
            section = next(s for s in marks.sheet.sections if first.blank in s.blanks)
            line = f"First mistake: {place(section, first.blank)}" + (f" — {first.diagnosis}" if first.diagnosis
                                                                       else "")
        out.append(({m.blank.where: [m.verdict, m.diagnosis or ""] for m in marking.marks}, line,
                    [m.mistake for m in marking.marks if m.mistake]))
    return out


def configs_to_compare() -> list[tuple[str, dict]]:
    found = []
    for path in sorted(CONFIGS.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        found.append((path.stem, data))
    rng = random.Random(2027)
    for n in range(42):
        found.append((f"random-{n}", random_network(rng)))
    return found


# -- the tests -------------------------------------------------------------------------------------------


PARTS = 6  # the comparison in parts that run side by side; together at least 1,000 sheets


@pytest.mark.slow
@pytest.mark.parametrize("part", range(PARTS))
def test_every_verdict_in_the_page_is_the_verdict_of_check(browser, tmp_path, part):
    sheets = fields = 0
    tally: dict[str, int] = {}
    named: dict[str, int] = {}
    rng = random.Random(22 + part)
    for name, data in configs_to_compare()[part::PARTS]:
        for rounding in (2, 4, None):
            data = {**data, "display": {**data.get("display", {}), "hand_rounding": rounding}}
            config = config_from_data(data)
            sets = answer_sets(data, rng, 12)
            if not sets:
                continue
            page_file = tmp_path / f"{name}.html"
            page_file.write_text(page_html(worksheet(config), f"{name}.yaml", key_trace(config)), encoding="utf-8")
            page = open_page(browser, page_file)
            shown = page.evaluate(FILL, sets)
            assert page.errors == []
            expected = check_verdicts(config, sets)
            for texts, (seen, seen_first), (marked, first, names) in zip(sets, shown, expected):
                differ = {p: (texts.get(p), seen[p], marked[p]) for p in marked if seen[p] != marked[p]}
                assert differ == {}, (name, rounding, differ)
                assert seen_first == first, (name, rounding, texts)
                sheets += 1
                fields += len(marked)
                for verdict, diagnosis in marked.values():
                    tally[verdict] = tally.get(verdict, 0) + 1
                    tally["too few digits"] = tally.get("too few digits", 0) + (diagnosis == TOO_FEW_DIGITS)
                tally["first mistake"] = tally.get("first mistake", 0) + bool(first)
                for mistake in names:
                    named[mistake] = named.get(mistake, 0) + 1
            page.close()
    print(f"\n{sheets} sheets, {fields} fields: every verdict and diagnosis of the page is check's; {tally}; "
          f"named: {named}")
    assert sheets * PARTS >= 1000
    assert min(tally[v] for v in ("correct", "carried", "wrong", "blank")) >= 500 / PARTS, tally
    assert tally["too few digits"] >= 1 and tally["first mistake"] >= 300 / PARTS, tally
    # named mistakes of the list, the new ones among them, named by the page as by check
    assert len(named) >= 4 and set(named) & {"step1-sign", "derivative-left-out", "half-sse", "neurons-swapped",
                                             "no-update", "truncated"}, named


@pytest.mark.slow
def test_typed_field_by_field_the_last_first_the_page_says_what_check_says(browser, tmp_path):
    """Each keystroke re-marks only the answers it can affect: answers typed one field at a time, the last field
    first (each answer marked before the numbers it is worked out from change), end where check does."""
    rng = random.Random(5)
    seen_verdicts = set()
    for name in ("handout", "xor"):
        data = yaml.safe_load((CONFIGS / f"{name}.yaml").read_text(encoding="utf-8"))
        config = config_from_data(data)
        page_file = tmp_path / f"{name}.html"
        page_file.write_text(page_html(worksheet(config), f"{name}.yaml", key_trace(config)), encoding="utf-8")
        page = open_page(browser, page_file)
        names = page.eval_on_selector_all("input[data-path]", "els => els.map(e => e.name)")
        sets = answer_sets(data, rng, 14)
        marked_sets = [(texts, marks) for texts, marks in zip(sets, check_verdicts(config, sets))
                       if {verdict for verdict, _ in marks[0].values()} != {"correct"}][:3]  # mistakes, blanks
        for texts, (marked, first, _) in marked_sets:
            for path in reversed(names):
                page.fill(f"input[name={json.dumps(path)}]", texts.get(path, ""))
            seen, seen_first = page.evaluate(SHOWN)
            assert seen == marked and seen_first == first, (name, texts)
            seen_verdicts |= {verdict for verdict, _ in marked.values()}
        assert page.errors == []
        page.close()
    assert seen_verdicts == {"correct", "carried", "wrong", "blank"}


def handout_page(tmp_path, feedback: bool = True):
    config = load_config(str(CONFIGS / "handout.yaml"))
    path = tmp_path / "sheet.html"
    path.write_text(page_html(worksheet(config), "configs/handout.yaml", key_trace(config), feedback), encoding="utf-8")
    return config, path


HANDOUT_ANSWERS = ["0.61", "-0,64", "0.61", "0", "-0.85", "-0.49", "0.30", "0.38", "0.47", "0.60", "-1.24",
                   "0.1", "", "0.06"]


def test_typed_by_keyboard_enter_moves_on_and_each_answer_is_marked(browser, tmp_path):
    _, path = handout_page(tmp_path)
    requests: list[str] = []
    page = open_page(browser, path, requests)
    page.focus('input[name="forward.hid.p[0]"]')
    for text in HANDOUT_ANSWERS:
        page.keyboard.type(text)
        page.keyboard.press("Enter")
    names = page.eval_on_selector_all("input[data-path]", "els => els.map(e => e.name)")
    assert page.evaluate("document.activeElement.name") == names[len(HANDOUT_ANSWERS)]
    verdicts = page.eval_on_selector_all("[data-for]", "els => els.map(e => e.dataset.verdict)")
    assert verdicts[:4] == ["correct"] * 4 and verdicts[-1] == "blank"
    assert verdicts[4:6] == ["correct", "correct"]  # p of the output: −0.85, −0.49
    assert verdicts[8:11] == ["correct"] * 3  # J and Step 1
    assert verdicts[11] == "wrong"  # 0.1 for 0.06 has too few digits: check calls it wrong, and says so
    too_few = page.text_content(f"#note-{page.get_attribute(f'input[name={json.dumps(names[11])}]', 'id')}")
    assert "too few digits" in too_few
    # The first mistake, as check's table names it, links to its field.
    assert page.text_content("#first-mistake") == f"First mistake: Step 2, ∂J/∂z of n1[hid] — {too_few}"
    page.click("#first-mistake a")
    assert page.evaluate("document.activeElement.name") == names[11]
    label = page.eval_on_selector('input[name="forward.hid.p[0]"]', "e => e.labels[0].textContent")
    assert label == "p of n1[hid]"
    assert page.errors == [] and requests == [path.as_uri()]


def test_saved_sheet_is_the_worksheet_check_marks_with_the_page_score(browser, tmp_path):
    config, path = handout_page(tmp_path)
    page = open_page(browser, path)
    page.fill('input[name="student"]', "Ada Lovelace: \"test\"")
    for name, text in zip(page.eval_on_selector_all("input[data-path]", "els => els.map(e => e.name)"),
                          HANDOUT_ANSWERS + ["0,077", "0.0767", "7.7e-2", "x1"]):
        page.fill(f"input[name={json.dumps(name)}]", text)
    score = page.text_content("#score")
    with page.expect_download() as info:
        page.click("#save")
    download = info.value
    assert download.suggested_filename == f"answers-{exercise_id(config)}.yaml"
    saved = tmp_path / download.suggested_filename
    download.save_as(saved)
    text = saved.read_text(encoding="utf-8")
    data = yaml.safe_load(text)
    assert data["exercise"] == exercise_id(config) and data["student"] == "Ada Lovelace: \"test\""
    blank_sheet = subprocess.run([sys.executable, "-m", "backprop_cli", "worksheet", "configs/handout.yaml"],
                                 capture_output=True, text=True, check=True, cwd=ROOT).stdout
    # The worksheet's lines, in order, with the numbers in place of their ~ (and the comments where they were).
    filled = [re.sub(r"^(\s*(?:- )*(?:[\w\"]+: )?)\S+(\s+#.*)?$", r"\1~\2", line)
              if "  # " in line and not line.startswith(("exercise:", "student:")) else line
              for line in text.splitlines()]
    assert [re.sub(r"\s+#", " #", line) for line in filled] == [
        re.sub(r"\s+#", " #", line.replace("student: ~", 'student: "Ada Lovelace: \\"test\\""'))
        for line in blank_sheet.splitlines()]
    result = subprocess.run([sys.executable, "-m", "backprop_cli", "check", str(CONFIGS / "handout.yaml"), str(saved),
                             "--format", "json"], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    marked = json.loads(result.stdout)
    points, total = map(int, re.match(r"Score: (\d+) of (\d+)", score).groups())
    assert (marked["score"]["points"], marked["score"]["total"]) == (points, total)
    counts = dict(re.findall(r"(\d+) (correct|carried|wrong|blank)", score)[i][::-1] for i in range(4))
    assert {v: int(counts[v]) for v in counts} == {v: marked["score"][v] for v in counts}
    page_verdicts = dict(page.eval_on_selector_all("[data-for]",
                                                   "els => els.map(e => [e.dataset.for, e.dataset.verdict])"))
    assert {a["path"]: a["verdict"] for a in marked["answers"]} == page_verdicts


def test_a_reload_keeps_every_answer_until_cleared(browser, tmp_path):
    _, path = handout_page(tmp_path)
    page = open_page(browser, path)
    names = page.eval_on_selector_all("input[data-path]", "els => els.map(e => e.name)")
    for name, text in zip(names, HANDOUT_ANSWERS):
        page.fill(f"input[name={json.dumps(name)}]", text)
    page.fill('input[name="student"]', "Grace")
    before = page.eval_on_selector_all("[data-for]", "els => els.map(e => e.dataset.verdict)")
    page.reload()
    assert page.eval_on_selector_all("input[data-path]", "els => els.map(e => e.value)")[:len(HANDOUT_ANSWERS)] == \
        HANDOUT_ANSWERS
    assert page.input_value('input[name="student"]') == "Grace"
    assert page.eval_on_selector_all("[data-for]", "els => els.map(e => e.dataset.verdict)") == before
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#clear")
    page.reload()
    assert set(page.eval_on_selector_all("input[data-path]", "els => els.map(e => e.value)")) == {""}


def test_no_feedback_page_holds_nothing_of_the_key_and_still_saves(browser, tmp_path):
    config, path = handout_page(tmp_path, feedback=False)
    text = path.read_text(encoding="utf-8")
    key = key_trace(config)
    for value in (key.loss, key.loss_after, *key.passes[1].z[0], *key.layers[1].dJ_dweights.ravel()):
        for digits in (2, 3, 4):
            written = f"{value:.{digits}f}"
            assert written not in re.sub(r"<svg.*?</svg>", "", text, flags=re.S) or written in ("0.00", "1.00"), written
    assert '"marking":null' in text
    page = open_page(browser, path)
    page.fill('input[name="forward.hid.p[0]"]', "0.61")
    assert page.get_attribute('[data-for="forward.hid.p[0]"]', "data-verdict") == "answered"
    with page.expect_download() as info:
        page.click("#save")
    assert yaml.safe_load(open(info.value.path(), encoding="utf-8"))["forward"]["hid"]["p"][0] == 0.61
    assert page.errors == []


def test_no_request_leaves_the_page_and_the_policy_forbids_them(browser, tmp_path):
    _, path = handout_page(tmp_path)
    requests: list[str] = []
    page = open_page(browser, path, requests)
    page.fill('input[name="forward.hid.p[0]"]', "0.61")
    blocked = page.evaluate("""async () => { try { await fetch("https://example.org/"); return "fetched"; }
                                             catch (e) { return "blocked"; } }""")
    assert blocked == "blocked"
    assert requests == [path.as_uri()]
    policy = page.get_attribute('meta[http-equiv="Content-Security-Policy"]', "content")
    assert "default-src 'none'" in policy and "'unsafe-inline'" not in policy.split("script-src")[1].split(";")[0]
    assert page.errors == [] or all("Content Security Policy" in e or "Failed to fetch" in e for e in page.errors)


def test_at_phone_width_nothing_is_cut(browser, tmp_path):
    for name in ("handout", "softmax"):
        config = load_config(str(CONFIGS / f"{name}.yaml"))
        path = tmp_path / f"{name}.html"
        path.write_text(page_html(worksheet(config), name, key_trace(config)), encoding="utf-8")
        page = browser.new_page(viewport={"width": 375, "height": 800})
        page.goto(path.as_uri())
        page.eval_on_selector_all("details", "els => els.forEach(e => e.open = true)")
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        cut = page.evaluate("""() => [...document.querySelectorAll("input, .verdict, label")].filter((e) => {
            const box = e.getBoundingClientRect(); return box.left < 0 || box.right > 375; }).length""")
        assert cut == 0
        # A formula wider than the phone scrolls inside its own box rather than being cut off.
        hidden = page.evaluate("""() => [...document.querySelectorAll("details math")].filter((m) => {
            const box = m.getBoundingClientRect(), outer = m.closest("details");
            return box.right > outer.getBoundingClientRect().right + 1 && outer.scrollWidth <= outer.clientWidth;
        }).length""")
        assert hidden == 0
        page.screenshot(path=str(tmp_path / f"{name}-375.png"), full_page=True)
        page.close()


TIES = [(0.35 * 0.7, 2), (0.245, 2), (-0.245, 2), (0.125, 2), (1.005, 2), (2.675, 2), (0.0768, 3), (-1.40765, 4),
        (0.5, 0), (1.5, 0), (-2.5, 0), (1e-7, 8), (123456.785, 2), (0.1 + 0.2, 1), (9.995, 2), (4.35, 1), (1.45, 1)]


def test_hand_rounding_in_the_page_equals_python_ties_included(browser, tmp_path):
    _, path = handout_page(tmp_path)
    page = open_page(browser, path)
    rng = random.Random(7)
    cases = TIES + [(rng.randint(-10**6, 10**6) / 10**rng.randint(1, 6) * rng.choice([1, 0.7, 0.35, 1 / 3]),
                     rng.randint(0, 6)) for _ in range(3000)]
    cases += [(k / 1000 * f, 2) for k in range(-2000, 2000, 5) for f in (1, 0.7, 3)]
    got = page.evaluate("(cases) => cases.map(([v, d]) => bptraceSheet.roundHalfAway(v, d))", cases)
    assert got[0] == 0.25  # 0.35 · 0.7 = 0.245 on paper
    differ = [(v, d, g, round_half_away(v, d)) for (v, d), g in zip(cases, got) if g != round_half_away(v, d)]
    assert differ == []
    # The digits cut off (marking.truncated) and a number as Python's format writes it (the truncation's words).
    cut = [(v, d) for v, d in cases if d >= 0] + [(-0.0799, 3), (0.0768, 2), (2.675, 2), (-1.40765, 4)]
    assert page.evaluate("(cases) => cases.map(([v, d]) => bptraceSheet.truncated(v, d))", cut) == \
        [truncated(v, d) for v, d in cut]
    ties = [(0.125, 2), (-0.125, 2), (0.375, 2), (2.5, 0), (3.5, 0), (-0.5, 0), (1.0625, 3), (0.5, 0)]
    formatted = cut + ties + [(-0.0001, 2), (123.456, 5)]
    assert page.evaluate("(cases) => cases.map(([v, d]) => bptraceSheet.fixed(v, d))", formatted) == \
        [f"{v:.{d}f}" for v, d in formatted]
    texts = ["0.61", "0,61", "-0.850", "−1.4077", "7.7e-2", "12", ".5", "1.", "+3", "1e400", "0x1", "1,000.5", "",
             "0.0770", "1.00", "0.00", "120", "1.50e-2"]
    parsed = page.evaluate("(texts) => texts.map(bptraceSheet.parse)", texts)
    for text, seen in zip(texts, parsed):
        w = parse(text)
        assert (seen is None) == (w is None), text
        if w is not None:
            assert (seen["value"], seen["decimals"], seen["significant"], seen["digits"], seen["trailingZeros"]) == \
                (w.value, w.decimals, w.significant, w.digits, w.trailing_zeros)
            assert not math.isnan(seen["value"])
