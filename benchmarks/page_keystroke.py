"""The time the interactive answer sheet takes to re-mark after one keystroke, in headless Chromium (not part
of the test suite).

    python benchmarks/page_keystroke.py                    # every shipped config, every field typed in
    python benchmarks/page_keystroke.py --fields 10 --repeat 1 --only handout
    python benchmarks/page_keystroke.py --script OLD.js    # the same pages with another page.js, to compare

For each config in configs/ the page of ``bptrace worksheet CONFIG --interactive`` is filled three ways:
every answer right (the hand calculation of tests/hand.py, written to the sheet's hand rounding or to 4
significant digits), every answer wrong (each of those numbers times 1.37 plus 0.0731), and every other field
left blank (the right answers). Then a digit is typed into a field and taken back with Backspace, real key
presses through Playwright, ``--repeat`` times in every field (or in ``--fields`` fields spread over the
sheet). One keystroke's time runs from the ``input`` event reaching the window (a capturing listener) to the
end of the page's own handler and the layout it leaves (a bubbling listener that reads the page's height):
the marking of the whole sheet, the verdicts written and laid out. The script prints per config and case the
median keystroke, the slowest field (the median of its keystrokes: one keystroke held up by another program
on a busy machine does not make a field slow) and the largest single keystroke, and PASS or MISS of the
slowest field against the goal (``GOAL_MS``).

Needs Playwright for Python and the system's Chromium at /usr/bin/chromium (it never downloads a browser).
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

import yaml
from playwright.sync_api import sync_playwright

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))  # the hand calculation of tests/hand.py

from hand import HandCalculation, significant  # noqa: E402

from backprop_cli.config.read import config_from_data  # noqa: E402
from backprop_cli.course.check import key_trace, page, worksheet  # noqa: E402
from backprop_cli.course.check.sheet import path_text  # noqa: E402

GOAL_MS = 50.0
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]
FILL = """(set) => {
  for (const input of document.querySelectorAll("input[data-path]")) input.value = set[input.name] ?? "";
  bptraceSheet.show();
  window.keystrokes = [];
  if (!window.timing) {
    window.timing = true;
    window.addEventListener("input", () => { window.started = performance.now(); }, true);
    window.addEventListener("input", () => {
      void document.body.offsetHeight; // the layout of what was written
      window.keystrokes.push(performance.now() - window.started);
    });
  }
  return [...document.querySelectorAll("[data-for]")].map((e) => e.dataset.verdict);
}"""


def answer_sets(data: dict) -> dict[str, dict[str, str]]:
    rounding = (data.get("display") or {}).get("hand_rounding")
    right = {path_text(p): t for p, t in HandCalculation(data, significant(rounding or 4)).texts.items()}
    wrong = {p: f"{float(t) * 1.37 + 0.0731:.4g}" for p, t in right.items()}
    half = {p: t for i, (p, t) in enumerate(right.items()) if i % 2 == 0}
    return {"right": right, "wrong": wrong, "half blank": half}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--fields", type=int, default=0, help="type into this many fields (default: every one)")
    parser.add_argument("--repeat", type=int, default=3, help="keystrokes of each kind per field (default 3)")
    parser.add_argument("--only", action="append", help="this config of configs/ only (may be repeated)")
    parser.add_argument("--script", type=Path, help="another page.js to build the pages with")
    args = parser.parse_args()
    if args.script:
        code = args.script.read_text(encoding="utf-8")
        page.script = lambda: code
    missed = False
    print(f"{'config':9} {'case':10} {'fields':>6} {'wrong':>5} {'blank':>5} {'keys':>5} {'median':>9} "
          f"{'slowest field':>13} {'largest':>9}  goal ≤{GOAL_MS:.0f} ms")
    with sync_playwright() as p, tempfile.TemporaryDirectory() as folder:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for source in sorted((ROOT / "configs").glob("*.yaml")):
            if args.only and source.stem not in args.only:
                continue
            data = yaml.safe_load(source.read_text(encoding="utf-8"))
            config = config_from_data(data)
            html = Path(folder) / f"{source.stem}.html"
            html.write_text(page.page_html(worksheet(config), f"configs/{source.name}", key_trace(config)),
                            encoding="utf-8")
            tab = browser.new_page()
            tab.goto(html.as_uri())
            names = tab.eval_on_selector_all("input[data-path]", "els => els.map((e) => e.name)")
            count = min(args.fields or len(names), len(names))
            typed_in = [names[i * len(names) // count] for i in range(count)]
            for case, answers in answer_sets(data).items():
                verdicts = tab.evaluate(FILL, answers)
                slowest = 0.0
                for name in typed_in:
                    tab.focus(f'input[name="{name}"]')
                    tab.keyboard.press("End")
                    for _ in range(args.repeat):
                        tab.keyboard.press("7")
                        tab.keyboard.press("Backspace")
                    slowest = max(slowest, statistics.median(tab.evaluate(f"keystrokes.slice({-2 * args.repeat})")))
                times = tab.evaluate("window.keystrokes")
                missed |= slowest > GOAL_MS
                print(f"{source.stem:9} {case:10} {len(names):6} {verdicts.count('wrong'):5} "
                      f"{verdicts.count('blank'):5} {len(times):5} {statistics.median(times):6.1f} ms "
                      f"{slowest:10.1f} ms {max(times):6.1f} ms  {'PASS' if slowest <= GOAL_MS else 'MISS'}",
                      flush=True)
            tab.close()
        browser.close()
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
